package nginx

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// fixtureFiles returns the nginx fixture files of the repository, the seeds
// of the fuzz targets.
func fixtureFiles(t testing.TB) [][]byte {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "fixtures", "nginx")
	var out [][]byte
	_ = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.HasSuffix(p, "WANT") || strings.HasSuffix(p, ".toml") {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil {
			out = append(out, b)
		}
		return nil
	})
	return out
}

var fuzzSeeds = []string{
	strings.Repeat("a {\n", maxDepth+1) + strings.Repeat("}\n", maxDepth+1),
	"include *.conf;\ninclude */*.conf;\n",
	"events {}\nhttp { server { listen 443 ssl; location / { proxy_pass http://u; } } }\n",
	`a "b\"c" 'd' ${e}f g}h i#j; # k` + "\n",
	"if ($ssl_client_verify != \"SUCCESS\") { return 403; }",
	"content_by_lua_block { local s = [==[ } ]==] -- }\n }\n",
	"a \"unterminated",
	"\xEF\xBB\xBFa b;\r\n}",
	"include a.conf; include *.conf; include /etc/nginx/proxy_params;",
}

// checkRanges verifies that every range of a directive lies inside its file
// and starts before it ends, and that the ranges derived from offsets say
// what the text says: the name's range holds the name as written and the
// head starts with it, the arguments follow in order within the head, the
// head ends at its ";" or "{" (or, where a statement was cut short, at its
// last word or the end of the file), and a block ends at its "}" or the
// end of the file.
func checkRanges(t *testing.T, f *source.File, ds []*Directive) {
	for _, d := range ds {
		rng, head, name := d.Range(), d.Head(), d.NameRange()
		for _, r := range []source.Range{rng, head, name} {
			checkRange(t, f, r)
		}
		if head.Start != rng.Start || name.Start != rng.Start || head.End.Offset > rng.End.Offset || name.End.Offset > head.End.Offset {
			t.Fatalf("%q: name %v and head %v not at the start of range %v", d.Name, name, head, rng)
		}
		text := func(r source.Range) string { return string(f.Content[r.Start.Offset:r.End.Offset]) }
		if n := text(name); n != d.Name && !strings.ContainsAny(n, `\"'`) {
			t.Fatalf("name range holds %q, the name is %q", n, d.Name)
		}
		last := name.End.Offset
		for _, a := range d.Args {
			r := a.Range()
			checkRange(t, f, r)
			if got := text(r); got != a.Raw {
				t.Fatalf("arg raw %q does not match its range %q", a.Raw, got)
			}
			if r.Start.Offset < last || r.End.Offset > head.End.Offset {
				t.Fatalf("%q: arg %q at %v out of order or outside head %v", d.Name, a.Raw, r, head)
			}
			last = r.End.Offset
		}
		switch h := text(head); {
		case strings.HasSuffix(h, ";") || strings.HasSuffix(h, "{"):
		case head.End.Offset == last || head.End.Offset == len(f.Content):
		default:
			t.Fatalf("%q: head %q ends at neither its terminator, its last word nor the end of the file", d.Name, h)
		}
		if d.Block && rng.End.Offset != len(f.Content) && !strings.HasSuffix(text(rng), "}") {
			t.Fatalf("block %q: range %q does not end at \"}\"", d.Name, text(rng))
		}
		for _, c := range d.Children {
			if r := c.Range(); r.Start.Offset < head.End.Offset || r.End.Offset > rng.End.Offset {
				t.Fatalf("child %q at %v outside block %q at %v", c.Name, r, d.Name, rng)
			}
		}
		checkRanges(t, f, d.Children)
	}
}

func checkRange(t *testing.T, f *source.File, r source.Range) {
	if r.File != f.Path || !r.Start.IsValid() || r.Start.Offset > r.End.Offset || r.End.Offset > len(f.Content) {
		t.Fatalf("bad range %+v (file of %d bytes)", r, len(f.Content))
	}
	// Ranges are derived from offsets: the same as the file's own
	// conversion.
	if want := f.Range(r.Start.Offset, r.End.Offset); r != want {
		t.Fatalf("range %+v, want %+v", r, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, b := range fixtureFiles(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file := source.NewFile("nginx.conf", b)
		ds, probs := Parse(file)
		checkRanges(t, file, ds)
		for _, p := range probs {
			checkRange(t, file, p.Range)
		}
		// The same input as a repository: the file includes itself and
		// a sibling, so include resolution and cycles run too.
		r := newMem(map[string]string{
			"nginx.conf":        string(b),
			"conf.d/x.conf":     string(b) + "\ninclude nginx.conf;",
			"sites-available/y": "include conf.d/*.conf;\n" + string(b),
		})
		trees, probs := Load(r, []string{"nginx.conf", "conf.d/x.conf", "sites-available/y"})
		for _, p := range probs {
			if !p.Range.IsValid() {
				t.Fatalf("problem without position: %+v", p)
			}
		}
		for _, tr := range trees {
			tr.Walk(func(d *Directive) bool {
				if d.Parent == nil {
					t.Fatalf("directive %q without parent", d.Name)
				}
				return true
			})
		}
	})
}
