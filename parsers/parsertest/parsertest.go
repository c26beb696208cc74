// Package parsertest runs a front end over the shared corpus of real
// configurations, for the front ends' robustness tests and benchmarks.
package parsertest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// CorpusDir is $MTLSLINT_CORPUS/format, else shared/corpus/format above
// this package, else /work/shared/corpus/format.
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

// Corpus returns the corpus directory of a format, a reader rooted there and
// its configuration files (not README.md or SOURCES.tsv); it skips the test
// when the corpus is absent.
func Corpus(tb testing.TB, format string) (string, *parsers.FSReader, []string) {
	dir := CorpusDir(format)
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("corpus not present at %s", dir)
	}
	var files []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel != "README.md" && rel != "SOURCES.tsv" {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(files)
	r, err := parsers.NewFSReader(dir, 0, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return dir, r, files
}

// Robustness loads every file of a format's corpus: no panic, every problem
// has a position, and every file is part of a tree or has a syntax or read
// problem. It logs the counts.
func Robustness[T parsers.Tree](t *testing.T, format string, detect func(string, []byte) bool, load func(source.Reader, []string) ([]T, []source.Problem)) {
	dir, reader, files := Corpus(t, format)
	detected := 0
	for _, f := range files {
		sf, err := reader.ReadFile(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if detect(f, sf.Content) {
			detected++
		}
	}
	trees, probs := load(reader, files)
	inTree := map[string]bool{}
	for _, tr := range trees {
		for _, f := range tr.Files() {
			inTree[f.Path] = true
		}
	}
	byCode := map[source.ProblemKind]int{}
	failed := map[string]bool{}
	for _, p := range probs {
		byCode[p.Kind]++
		if !p.Range.IsValid() || p.Range.End.Offset < p.Range.Start.Offset {
			t.Errorf("problem without a valid position: %+v", p)
		}
		if p.Kind == source.ProblemSyntax || p.Kind == source.ProblemSkipped {
			failed[p.Range.File] = true
		}
		if p.Kind == source.ProblemSyntax {
			t.Logf("syntax: %s: %s", p.Range, p.Message)
		}
	}
	for _, f := range files {
		if !inTree[f] && !failed[f] {
			t.Errorf("%s: neither in a tree nor given a problem", f)
		}
	}
	var kinds []string
	for c, n := range byCode {
		kinds = append(kinds, fmt.Sprintf("%s=%d", c, n))
	}
	sort.Strings(kinds)
	t.Logf("corpus %s: %d files, %d detected, %d trees, %d files with syntax errors; problems by kind: %s",
		dir, len(files), detected, len(trees), len(failed), strings.Join(kinds, " "))
}

// BenchmarkLoad loads a format's whole corpus per iteration (the reader
// caches contents, so this measures parsing and include resolution).
func BenchmarkLoad[T parsers.Tree](b *testing.B, format string, load func(source.Reader, []string) ([]T, []source.Problem)) {
	_, reader, files := Corpus(b, format)
	size := 0
	for _, f := range files {
		sf, err := reader.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		size += len(sf.Content)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		load(reader, files)
	}
	b.ReportMetric(float64(len(files))*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
