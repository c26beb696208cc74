package openapi_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/openapi"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// seeds are the documents under testdata and the OpenAPI fixture
// scenarios.
func seeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, pat := range []string{"testdata/*", "../../fixtures/openapi/*/*", "../../fixtures/openapi/*/*/*", "../../rules/openapi/testdata/diff/*/*.yaml"} {
		files, _ := filepath.Glob(pat)
		for _, f := range files {
			if st, err := os.Stat(f); err != nil || st.IsDir() || !openapi.Candidate(f) {
				continue
			}
			b, err := os.ReadFile(f)
			if err == nil {
				out = append(out, b)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no seeds")
	}
	return out
}

// FuzzLoad loads arbitrary input as a document (also referenced by itself
// under another name): it never panics, and every position it reports
// lies in a file it read.
func FuzzLoad(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Add([]byte("openapi: 3.1.0\npaths:\n  /a: {$ref: 'b.yaml#/paths/~1a'}\n"))
	f.Add([]byte("{\"openapi\": \"3.0.0\", \"paths\": {\"/a\": {\"$ref\": \"#/paths/~1a\"}}}"))
	f.Add([]byte("openapi: &a [*a]\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		openapi.Detect("a.yaml", data)
		r, err := parsers.NewFSReader(dir, 1<<20, map[string][]byte{"a.yaml": data, "b.yaml": data})
		if err != nil {
			t.Fatal(err)
		}
		specs, probs := openapi.Load(r, []string{"a.yaml"})
		files := map[string]*source.File{}
		for _, s := range specs {
			for _, fl := range s.Files() {
				files[fl.Path] = fl
			}
		}
		inFile := func(what string, rg source.Range) {
			if !rg.IsValid() {
				t.Fatalf("%s: invalid range %+v", what, rg)
			}
			fl := files[rg.File]
			if fl == nil {
				if rg.File != "a.yaml" && rg.File != "b.yaml" {
					t.Fatalf("%s: range in unknown file %s", what, rg.File)
				}
				return
			}
			if rg.Start.Line > fl.LineCount() || rg.End.Offset > len(fl.Content) || rg.End.Offset < rg.Start.Offset {
				t.Fatalf("%s: range %+v outside %s (%d lines, %d bytes)", what, rg, rg.File, fl.LineCount(), len(fl.Content))
			}
		}
		for _, p := range probs {
			if p.Kind == "" {
				t.Fatalf("problem without a kind: %+v", p)
			}
			inFile("problem "+string(p.Kind), p.Range)
		}
		for _, s := range specs {
			for _, op := range s.Operations {
				inFile(op.String(), op.Range)
				if sec := s.Effective(op); sec != nil {
					inFile("security of "+op.String(), sec.Range)
					s.MTLS(sec)
				}
			}
		}
	})
}
