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
// and starts before it ends.
func checkRanges(t *testing.T, f *source.File, ds []*Directive) {
	for _, d := range ds {
		for _, r := range []source.Range{d.Range, d.Head, d.NameRange} {
			checkRange(t, f, r)
		}
		for _, a := range d.Args {
			checkRange(t, f, a.Range)
			if got := string(f.Content[a.Range.Start.Offset:a.Range.End.Offset]); got != a.Raw {
				t.Fatalf("arg raw %q does not match its range %q", a.Raw, got)
			}
		}
		if d.Head.Start.Offset != d.Range.Start.Offset || d.Head.End.Offset > d.Range.End.Offset {
			t.Fatalf("head %v not inside range %v", d.Head, d.Range)
		}
		checkRanges(t, f, d.Children)
	}
}

func checkRange(t *testing.T, f *source.File, r source.Range) {
	if r.File != f.Path || !r.Start.IsValid() || r.Start.Offset > r.End.Offset || r.End.Offset > len(f.Content) {
		t.Fatalf("bad range %+v (file of %d bytes)", r, len(f.Content))
	}
	// The lexer finds lines from the previous position: the same as the
	// file's own search.
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
