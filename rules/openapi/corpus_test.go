package openapi_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/rules"
)

// corpusDir finds the shared corpus: $MTLSLINT_CORPUS, else shared/corpus
// found by walking up from here, else /work/shared/corpus; "" when absent.
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

// rebuild lays the corpus files out under their original repository paths
// (SOURCES.tsv: repo, commit, path_in_repo, saved_as), in a temporary
// directory, so that multi-file specs find the files they reference.
func rebuild(t *testing.T, corpus string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(corpus, "SOURCES.tsv"))
	if err != nil {
		t.Skipf("no SOURCES.tsv: %v", err)
	}
	defer f.Close()
	out := t.TempDir()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	n := 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 4 {
			continue
		}
		repo, inRepo, saved := strings.ReplaceAll(cols[0], "/", "__"), cols[2], cols[3]
		b, err := os.ReadFile(filepath.Join(corpus, saved))
		if err != nil {
			continue
		}
		// Files of one repository saved from different branches keep
		// apart under their saved names.
		dst := filepath.Join(out, repo, filepath.FromSlash(inRepo))
		if _, err := os.Stat(dst); err == nil {
			dst = filepath.Join(out, repo, "dup", filepath.Base(saved))
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Skip("empty corpus")
	}
	return out
}

// TestCorpusPipeline runs the whole pipeline over the corpus, rebuilt as
// repositories: no rule crashes, and the counts are logged for review.
func TestCorpusPipeline(t *testing.T) {
	corpus := corpusDir("openapi")
	if corpus == "" {
		t.Skip("no corpus")
	}
	root := rebuild(t, corpus)
	repos, _ := os.ReadDir(root)
	counts := map[string]int{}
	for _, repo := range repos {
		res, err := lint.Run(context.Background(), lint.Options{Root: filepath.Join(root, repo.Name()), NoConfig: true})
		if err != nil {
			t.Fatalf("%s: %v", repo.Name(), err)
		}
		for _, d := range res.Findings {
			counts[d.Code]++
			if d.Code == rules.CodeRuleCrashed {
				t.Errorf("%s: %s", repo.Name(), d.Message)
			}
			if strings.HasPrefix(d.Code, "O") {
				t.Logf("%s/%s %s %s: %s", repo.Name(), d.Range, d.Code, d.Severity, d.Message)
			}
		}
	}
	var cs []string
	for c, n := range counts {
		cs = append(cs, c+"="+strings.Repeat("", 0)+itoa(n))
	}
	sort.Strings(cs)
	t.Logf("findings by code over %d repositories: %v", len(repos), cs)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
