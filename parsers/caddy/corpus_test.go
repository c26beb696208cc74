package caddy_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/caddy"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// corpusDir is $MTLSLINT_CORPUS/apache, else /work/shared/corpus/apache.
func corpusDir() string {
	if d := os.Getenv("MTLSLINT_CORPUS"); d != "" {
		return filepath.Join(d, "caddy")
	}
	return "/work/shared/corpus/caddy"
}

func corpusFiles(t testing.TB, dir string) []string {
	var out []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel != "README.md" && rel != "SOURCES.tsv" {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// TestCorpusRobustness loads every file of the Caddy corpus: no panic, and
// every file is part of a tree or has a positioned problem.
func TestCorpusRobustness(t *testing.T) {
	dir := corpusDir()
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
		if caddy.Detect(f, sf.Content) {
			detected++
		}
	}
	trees, probs := caddy.Load(reader, files)
	inTree := map[string]bool{}
	for _, tr := range trees {
		for _, f := range tr.Files() {
			inTree[f.Path] = true
		}
	}
	byCode := map[string]int{}
	failed := map[string]bool{}
	for _, p := range probs {
		byCode[p.Code]++
		if !p.Range.IsValid() || p.Range.End.Offset < p.Range.Start.Offset {
			t.Errorf("problem without a valid position: %+v", p)
		}
		if p.Code == source.CodeSyntax || p.Code == source.CodeSkipped {
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
	t.Logf("corpus %s: %d files, %d detected as Caddy configuration, %d trees, %d files with syntax errors; problems by code: %s",
		dir, len(files), detected, len(trees), len(failed), strings.Join(codes, " "))
	for _, p := range probs {
		if p.Code == source.CodeSyntax {
			t.Logf("syntax: %s: %s", p.Range, p.Message)
		}
	}
}

// BenchmarkLoadCorpus loads the whole Caddy corpus (the reader caches
// contents, so this measures parsing and include resolution).
func BenchmarkLoadCorpus(b *testing.B) {
	dir := corpusDir()
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
		caddy.Load(reader, files)
	}
}
