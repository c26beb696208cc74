package caddy_test

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
	"github.com/mtlslint/mtlslint/rules"
)

// clientCert matches an client_auth block (Caddyfile) or client_authentication object (JSON).
var clientCert = regexp.MustCompile(`client_auth|"client_authentication"`)

// TestCorpusFindings lints the Caddy corpus with every rule: no rule may
// crash, every finding has a position, and the log counts the files with
// client-certificate settings and how many of them get a finding.
func TestCorpusFindings(t *testing.T) {
	dir := os.Getenv("MTLSLINT_CORPUS")
	if dir == "" {
		dir = "/work/shared/corpus"
	}
	dir = filepath.Join(dir, "caddy")
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
		if strings.HasPrefix(d.Code, "C") || strings.HasPrefix(d.Code, "X") {
			withFinding[d.Range.File] = true
		}
	}
	certFiles, found := 0, 0
	_ = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && clientCert.Match(b) {
			certFiles++
			rel, _ := filepath.Rel(dir, p)
			if withFinding[filepath.ToSlash(rel)] {
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
	t.Logf("%d trees; %d files with client authentication, %d of them with a C or X finding; findings by code: %s",
		len(res.Workspace.Trees), certFiles, found, strings.Join(parts, " "))
}
