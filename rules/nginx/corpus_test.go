package nginx_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/rules"
)

// corpusDir finds the shared corpus of real configurations: $MTLSLINT_CORPUS,
// else a shared/corpus directory above this package, else /work/shared/corpus.
func corpusDir(format string) string {
	if d := os.Getenv("MTLSLINT_CORPUS"); d != "" {
		return filepath.Join(d, format)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		for dir := filepath.Dir(file); filepath.Dir(dir) != dir; dir = filepath.Dir(dir) {
			c := filepath.Join(dir, "shared", "corpus", format)
			if st, err := os.Stat(c); err == nil && st.IsDir() {
				return c
			}
		}
	}
	return filepath.Join("/work/shared/corpus", format)
}

// TestCorpusFindings lints the nginx corpus with every rule: no rule may
// crash, and the counts per code are logged for review.
func TestCorpusFindings(t *testing.T) {
	dir := corpusDir("nginx")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus not present at %s", dir)
	}
	res, err := lint.Run(context.Background(), lint.Options{Root: dir, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	files := map[string]map[string]bool{}
	for _, d := range res.Findings {
		counts[d.Code]++
		if files[d.Code] == nil {
			files[d.Code] = map[string]bool{}
		}
		files[d.Code][d.Range.File] = true
		if d.Code == rules.CodeRuleCrashed {
			t.Errorf("%s: %s", d.Range, d.Message)
		}
		if !d.Range.Start.IsValid() {
			t.Errorf("finding without a position: %+v", d)
		}
	}
	var codes []string
	for c := range counts {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%s=%d (%d files)", c, counts[c], len(files[c])))
	}
	t.Logf("%d trees; findings by code: %s", len(res.Workspace.Trees), strings.Join(parts, ", "))
	if testing.Verbose() {
		for _, d := range res.Findings {
			if strings.HasPrefix(d.Code, "N") {
				t.Logf("%s %s:%d %s", d.Code, d.Range.File, d.Range.Start.Line, d.Message)
			}
		}
	}
}

// TestCorpusReconstructed rebuilds every repository of the corpus with its
// files at their original paths (from SOURCES.tsv, in a temporary
// directory), so that includes resolve as they do in the repository, and
// lints each one.
func TestCorpusReconstructed(t *testing.T) {
	dir := corpusDir("nginx")
	tsv, err := os.ReadFile(filepath.Join(dir, "SOURCES.tsv"))
	if err != nil {
		t.Skipf("corpus not present at %s", dir)
	}
	tmp := t.TempDir()
	repos := map[string]bool{}
	for i, line := range strings.Split(strings.TrimSpace(string(tsv)), "\n") {
		f := strings.Split(line, "\t")
		if i == 0 || len(f) < 4 || strings.Contains(f[2], "#") {
			continue // header, or a heredoc extracted from a test script
		}
		repo, inRepo, savedAs := strings.ReplaceAll(f[0], "/", "__"), f[2], f[3]
		b, err := os.ReadFile(filepath.Join(dir, savedAs))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(tmp, repo, filepath.FromSlash(inRepo))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		repos[repo] = true
	}
	var names []string
	for r := range repos {
		names = append(names, r)
	}
	sort.Strings(names)
	counts := map[string]int{}
	for _, r := range names {
		res, err := lint.Run(context.Background(), lint.Options{Root: filepath.Join(tmp, r), NoConfig: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.Findings {
			counts[d.Code]++
			if d.Code == rules.CodeRuleCrashed {
				t.Errorf("%s %s: %s", r, d.Range, d.Message)
			}
			if testing.Verbose() && (strings.HasPrefix(d.Code, "N") || strings.HasPrefix(d.Code, "E")) {
				t.Logf("%s %s/%s:%d %s", d.Code, r, d.Range.File, d.Range.Start.Line, d.Message)
			}
		}
	}
	var codes []string
	for c := range counts {
		codes = append(codes, fmt.Sprintf("%s=%d", c, counts[c]))
	}
	sort.Strings(codes)
	t.Logf("%d repositories rebuilt; findings by code: %s", len(names), strings.Join(codes, " "))
}

// BenchmarkLintCorpus runs discovery, parsing and every rule over the nginx
// corpus.
func BenchmarkLintCorpus(b *testing.B) {
	dir := corpusDir("nginx")
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("corpus not present at %s", dir)
	}
	size, n := 0, 0
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			size += int(info.Size())
			n++
		}
		return nil
	})
	b.SetBytes(int64(size))
	for i := 0; i < b.N; i++ {
		if _, err := lint.Run(context.Background(), lint.Options{Root: dir, NoConfig: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
