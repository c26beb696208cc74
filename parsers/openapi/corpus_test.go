package openapi_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/openapi"
)

// corpusDir finds the shared corpus of real OpenAPI documents:
// $MTLSLINT_CORPUS, else shared/corpus found by walking up from here, else
// /work/shared/corpus. It returns "" when there is none.
func corpusDir(format string) string {
	if c := os.Getenv("MTLSLINT_CORPUS"); c != "" {
		return filepath.Join(c, format)
	}
	dir, _ := filepath.Abs(".")
	for {
		c := filepath.Join(dir, "shared", "corpus", format)
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if st, err := os.Stat("/work/shared/corpus/" + format); err == nil && st.IsDir() {
		return "/work/shared/corpus/" + format
	}
	return ""
}

// TestCorpus loads every document of the corpus: no panic, and every
// detected document yields a spec or a problem, never nothing.
func TestCorpus(t *testing.T) {
	dir := corpusDir("openapi")
	if dir == "" {
		t.Skip("no corpus")
	}
	r, err := parsers.NewFSReader(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	var detected, specs, ops, mtlsSchemes, kinLoaded int
	codes := map[string]int{}
	err = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := r.Rel(p)
		if !openapi.Candidate(rel) {
			return nil
		}
		f, err := r.ReadFile(rel)
		if err != nil || !openapi.Detect(rel, f.Content) {
			return nil
		}
		detected++
		got, probs := openapi.Load(r, []string{rel})
		if len(got) == 0 && len(probs) == 0 {
			t.Errorf("%s: neither a spec nor a problem", rel)
		}
		for _, pr := range probs {
			codes[string(pr.Kind)]++
			t.Logf("%s %s: %s", pr.Range, pr.Kind, pr.Message)
		}
		for _, s := range got {
			specs++
			ops += len(s.Operations)
			if s.Doc != nil {
				kinLoaded++
			}
			for _, n := range s.SchemeNames() {
				if s.Scheme(n).MutualTLS() {
					mtlsSchemes++
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var cs []string
	for c, n := range codes {
		cs = append(cs, c+"="+itoa(n))
	}
	sort.Strings(cs)
	t.Logf("corpus: %d documents detected, %d loaded (%d by kin-openapi too), %d operations, %d mutual-TLS schemes, problems %v", detected, specs, kinLoaded, ops, mtlsSchemes, cs)
	if detected == 0 {
		t.Error("no document detected in the corpus")
	}
}
