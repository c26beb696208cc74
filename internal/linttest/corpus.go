package linttest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/parsers/parsertest"
	"github.com/mtlslint/mtlslint/rules"
)

// CorpusCoverage lints a format's corpus with every rule: no rule may
// crash and every finding has a position. It logs how many files have the
// settings marker matches (client-certificate settings), how many of them
// get a finding whose code starts with one of prefixes, and the findings
// per code.
func CorpusCoverage(t *testing.T, format string, marker *regexp.Regexp, prefixes ...string) {
	dir := parsertest.CorpusDir(format)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus not present at %s", dir)
	}
	res, err := lint.Run(context.Background(), lint.Options{Root: dir, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	withFinding := map[string]bool{}
	for _, d := range res.Diagnostics {
		if d.Code == rules.CodeRuleCrashed {
			t.Errorf("%s: %s", d.Range, d.Message)
		}
		if !d.Range.Start.IsValid() {
			t.Errorf("finding without a position: %+v", d)
		}
		counts[d.Code]++
		for _, p := range prefixes {
			if strings.HasPrefix(d.Code, p) {
				withFinding[d.Range.File] = true
			}
		}
	}
	marked, found := 0, 0
	_ = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if b, err := os.ReadFile(p); err == nil && marker.Match(b) {
			marked++
			if rel, _ := filepath.Rel(dir, p); withFinding[filepath.ToSlash(rel)] {
				found++
			}
		}
		return nil
	})
	var parts []string
	for c, n := range counts {
		parts = append(parts, fmt.Sprintf("%s=%d", c, n))
	}
	sort.Strings(parts)
	t.Logf("%s corpus: %d trees; %d files with client-certificate settings, %d of them with a %s finding; findings by code: %s",
		format, len(res.Workspace.Trees), marked, found, strings.Join(prefixes, "/"), strings.Join(parts, " "))
}
