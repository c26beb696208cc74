package caddy_test

import (
	"regexp"
	"testing"

	"github.com/mtlslint/mtlslint/internal/linttest"
)

// TestCorpusFindings lints the Caddy corpus: no crash, and the counts of
// files with client authentication and of those with a finding.
func TestCorpusFindings(t *testing.T) {
	linttest.CorpusCoverage(t, "caddy", regexp.MustCompile(`client_auth|"client_authentication"`), "C", "X")
}
