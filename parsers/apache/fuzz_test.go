package apache

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/source/sourcetest"
)

var fuzzSeeds = []string{
	"<VirtualHost *:443>\n  SSLVerifyClient optional\n  RequestHeader set X-SSL-Client-DN \"%{SSL_CLIENT_S_DN}s\"\n  ProxyPass / http://127.0.0.1:8000/\n</VirtualHost>\n",
	"<If \"%{SSL_CLIENT_VERIFY} != 'SUCCESS'\">\nRequire all denied\n</If>\n",
	"a 'b\\'c' \"d\\\\\" e\\\nf # g\n</x>\n<y\n",
	"\xEF\xBB\xBFServerName a\r\n<Location /\\\n>\n",
	"Include conf.d/*.conf\nIncludeOptional /etc/apache2/sites-enabled/*.conf\nInclude httpd.conf\n",
	"\"unterminated\n<>\n</>\n<\n",
}

// fixtureFiles returns the Apache fixture files, the seeds of the fuzz
// target.
func fixtureFiles(t testing.TB) [][]byte {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "fixtures", "apache")
	var out [][]byte
	_ = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".conf") {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil {
			out = append(out, b)
		}
		return nil
	})
	return out
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, b := range fixtureFiles(f) {
		f.Add(b)
	}
	// Just past the limits: sections nested deeper than maxDepth, and
	// includes that fan out through the files that include each other.
	f.Add([]byte(strings.Repeat("<IfModule m>\n", maxDepth+1) + "X 1\n" + strings.Repeat("</IfModule>\n", maxDepth+1)))
	f.Add([]byte("Include conf.d/*.conf\nInclude conf.d/*.conf\nInclude httpd.conf\n" + strings.Repeat("<If x>\n", maxDepth) + "Include conf.d/*.conf\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file := source.NewFile("httpd.conf", b)
		ds, probs := Parse(file)
		checkRanges(t, file, ds)
		for _, p := range probs {
			if p.Range.File != file.Path || !p.Range.Start.IsValid() || p.Range.End.Offset > len(b) {
				t.Fatalf("problem with a bad range: %+v", p)
			}
		}
		// The same input as a repository that includes itself and a
		// sibling, so include resolution and cycles run too.
		r := sourcetest.NewMapReader(map[string]string{
			"httpd.conf":             string(b),
			"conf.d/x.conf":          string(b) + "\nInclude httpd.conf\n",
			"sites-available/y.conf": "Include conf.d/*.conf\n" + string(b),
		})
		trees, probs := Load(r, []string{"httpd.conf", "conf.d/x.conf", "sites-available/y.conf"})
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
