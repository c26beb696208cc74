package caddy

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source/sourcetest"
)

var fuzzSeeds = []string{
	"{\n\tadmin off\n}\n(s) {\n\theader_up X-A {args[0]}\n}\na.example.com {\n\ttls a b {\n\t\tclient_auth {\n\t\t\tmode request\n\t\t}\n\t}\n\treverse_proxy u {\n\t\timport s v\n\t}\n}\n",
	"a {\n\tb \"c\\\"d\" `e` <<END\n\tx\n\tEND\n}\n}\n{\n",
	"import *\nimport Caddyfile\nx {\n\timport Caddyfile\n}\n",
	"\xef\xbb\xbfa,\nb {\n@m {\npath /x\n}\n}",
}

// fixtureFiles returns the Caddy fixture files, the seeds of the fuzz
// target.
func fixtureFiles(t testing.TB) [][]byte {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "fixtures", "caddy")
	var out [][]byte
	_ = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.Contains(filepath.Base(p), "Caddyfile") {
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
	// Just past the limits: blocks nested deeper than maxDepth, snippets
	// that import the next twice, and a JSON configuration deeper than
	// the YAML limit.
	f.Add([]byte("x {\n" + strings.Repeat("a {\n", maxDepth) + strings.Repeat("}\n", maxDepth+1)))
	var snippets strings.Builder
	for i := range 24 {
		fmt.Fprintf(&snippets, "(s%d) {\n\timport s%d\n\timport s%d\n}\n", i, i+1, i+1)
	}
	f.Add([]byte(snippets.String() + "(s24) {\n\trespond 1\n}\na {\n\timport s0\n\timport sites/*.caddy\n}\n"))
	f.Add([]byte(`{"apps": {"http": {"servers": {"a": {"routes": ` + strings.Repeat(`[{"handle": [{"handler": "subroute", "routes": `, 60) + "[]" + strings.Repeat("}]}]", 60) + "}}}}}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := sourcetest.NewMapReader(map[string]string{
			"Caddyfile":     string(b),
			"sites/x.caddy": string(b) + "\nimport ../Caddyfile\n",
			"caddy.json":    string(b),
		})
		trees, probs := Load(r, []string{"Caddyfile", "sites/x.caddy", "caddy.json"})
		for _, p := range probs {
			if !p.Range.IsValid() || p.Range.End.Offset < p.Range.Start.Offset {
				t.Fatalf("problem without a valid position: %+v", p)
			}
		}
		for _, tr := range trees {
			for _, s := range tr.Sites {
				checkDirs(t, tr, s.Directives)
			}
		}
	})
}
