package nginx_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// corpusDir finds the shared corpus of real configurations: $MTLSLINT_CORPUS,
// else a shared/corpus directory above this package, else /work/shared/corpus.
func corpusDir(format string) string {
	if d := os.Getenv("MTLSLINT_CORPUS"); d != "" {
		return filepath.Join(d, format)
	}
	_, file, _, ok := runtime.Caller(0)
	if ok {
		for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
			c := filepath.Join(dir, "shared", "corpus", format)
			if st, err := os.Stat(c); err == nil && st.IsDir() {
				return c
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	return filepath.Join("/work/shared/corpus", format)
}

// corpusFiles lists the configuration files of the corpus (not its README
// and provenance table), relative to dir.
func corpusFiles(t testing.TB, dir string) []string {
	var out []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "README.md" || rel == "SOURCES.tsv" {
			return nil
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// TestCorpusRobustness parses every file of the nginx corpus: no panic, and
// every file is either part of a tree or has a positioned problem. The
// corpus flattens repository paths, so includes mostly do not resolve;
// unresolved includes are counted apart from parse failures.
func TestCorpusRobustness(t *testing.T) {
	dir := corpusDir("nginx")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus not present at %s", dir)
	}
	files := corpusFiles(t, dir)
	reader, err := parsers.NewFSReader(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	detected := 0
	for _, f := range files {
		sf, err := reader.ReadFile(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if nginx.Detect(f, sf.Content) {
			detected++
		}
	}
	trees, probs := nginx.Load(reader, files)

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
	}
	for _, f := range files {
		if !inTree[f] && !failed[f] {
			t.Errorf("%s: neither in a tree nor given a problem", f)
		}
	}
	var codes []string
	for c, n := range byCode {
		codes = append(codes, fmt.Sprintf("%s=%d", c, n))
	}
	sort.Strings(codes)
	t.Logf("corpus %s: %d files, %d detected as nginx, %d trees, %d files with parse failures, unresolved includes: %d missing (E002), %d outside the root (E003); problems by code: %s",
		dir, len(files), detected, len(trees), len(failed), byCode[source.ProblemIncludeMissing], byCode[source.ProblemIncludeOutside], strings.Join(codes, " "))
	for f := range failed {
		t.Logf("parse failure: %s", f)
	}
}

// TestDiscoveryOnCorpus runs the workspace discovery with the nginx front
// end over the corpus: detection by name and content picks the files up.
func TestDiscoveryOnCorpus(t *testing.T) {
	dir := corpusDir("nginx")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus not present at %s", dir)
	}
	ws, err := parsers.Load(context.Background(), parsers.Options{Root: dir, NoGitignore: true})
	if err != nil {
		t.Fatal(err)
	}
	n := len(ws.Discovered[nginx.Kind])
	if n < 200 {
		t.Errorf("discovery found only %d nginx files in the corpus", n)
	}
	t.Logf("discovered %d nginx files, %d trees", n, len(ws.Trees))
}

// BenchmarkLoadCorpus loads the whole nginx corpus from disk (the reader
// caches contents, so this measures parsing and include resolution).
func BenchmarkLoadCorpus(b *testing.B) {
	dir := corpusDir("nginx")
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("corpus not present at %s", dir)
	}
	files := corpusFiles(b, dir)
	reader, err := parsers.NewFSReader(dir, 0, nil)
	if err != nil {
		b.Fatal(err)
	}
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
		nginx.Load(reader, files)
	}
	b.ReportMetric(float64(len(files))*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
