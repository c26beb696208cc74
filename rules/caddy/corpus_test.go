package caddy_test

import (
	"regexp"
	"testing"

	"github.com/mtlslint/mtlslint/internal/linttest"
	"github.com/mtlslint/mtlslint/parsers/caddy"
)

// TestCorpusFindings lints the Caddy corpus: no crash, every detected file
// parsed or reported, and the counts of files with client authentication
// and of those with a finding.
func TestCorpusFindings(t *testing.T) {
	linttest.Corpus(t, "caddy", caddy.Detect, regexp.MustCompile(`client_auth|"client_authentication"`), "C", "X")
}
