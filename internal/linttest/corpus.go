package linttest

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// CorpusDir finds the shared corpus of real configurations of one format:
// $MTLSLINT_CORPUS/format, else shared/corpus/format above this package,
// else /work/shared/corpus/format. Tests skip when it does not exist.
func CorpusDir(format string) string {
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

// Corpus lints a corpus with every rule and checks that the front ends
// hold up on real configurations: no rule crashes, every finding has a
// position, and every file that detect accepts is parsed (a tree's root)
// or reported with a position. It logs how many files configure client
// certificates (clientCert matches their content) and how many of those
// get a finding whose code starts with one of prefixes.
func Corpus(t *testing.T, format string, detect func(rel string, content []byte) bool, clientCert *regexp.Regexp, prefixes ...string) {
	t.Helper()
	dir := CorpusDir(format)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus not present at %s", dir)
	}
	res, err := lint.Run(context.Background(), lint.Options{Root: dir, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	roots := map[string]bool{}
	for _, tr := range res.Workspace.Trees {
		for _, f := range tr.Files() {
			roots[f.Path] = true
		}
	}
	reported := map[string]bool{}
	found := map[string]bool{}
	counts := map[string]int{}
	for _, d := range res.Findings {
		counts[d.Code]++
		if d.Code == rules.CodeRuleCrashed {
			t.Errorf("%s: %s", d.Range, d.Message)
		}
		if !d.Range.Start.IsValid() {
			t.Errorf("finding without a position: %+v", d)
		}
		if strings.HasPrefix(d.Code, "E") || d.Code == rules.CodeNotAnalysed {
			reported[d.Range.File] = true
		}
		for _, p := range prefixes {
			if strings.HasPrefix(d.Code, p) {
				found[d.Range.File] = true
			}
		}
	}
	var detected, certFiles, certFound int
	err = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if detect(rel, b) {
			detected++
			if !roots[rel] && !reported[rel] {
				t.Errorf("%s was detected but neither parsed nor reported", rel)
			}
		}
		if clientCert.Match(b) && !strings.HasSuffix(rel, ".md") && !strings.HasSuffix(rel, ".tsv") {
			certFiles++
			if found[rel] {
				certFound++
			} else if testing.Verbose() {
				t.Logf("no finding: %s", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for c, n := range counts {
		codes = append(codes, c+"="+strconv.Itoa(n))
	}
	sort.Strings(codes)
	t.Logf("%s corpus: %d files detected, %d trees; %d files with client-certificate settings, %d of them with a %s finding; findings by code: %s",
		format, detected, len(res.Workspace.Trees), certFiles, certFound, strings.Join(prefixes, "/"), strings.Join(codes, " "))
}

// BenchParse parses every file of a format's corpus that detect accepts,
// b.N times, and reports the throughput.
func BenchParse[T any](b *testing.B, format string, detect func(string, []byte) bool, parse func(*source.File) (T, []source.Problem)) {
	var files []*source.File
	size := 0
	_ = filepath.WalkDir(CorpusDir(format), func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return nil
		}
		content, err := os.ReadFile(p)
		if err == nil && detect(p, content) {
			files = append(files, source.NewFile(p, content))
			size += len(content)
		}
		return nil
	})
	if len(files) == 0 {
		b.Skip("corpus not present")
	}
	b.SetBytes(int64(size))
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			parse(f)
		}
	}
	b.ReportMetric(float64(len(files))*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
