package apache_test

import (
	"regexp"
	"testing"

	"github.com/mtlslint/mtlslint/internal/linttest"
)

// TestCorpusFindings lints the Apache corpus: no crash, and the counts of
// files with an active SSLVerifyClient and of those with a finding.
func TestCorpusFindings(t *testing.T) {
	linttest.CorpusCoverage(t, "apache", regexp.MustCompile(`(?mi)^[ \t]*SSLVerifyClient[ \t]+(require|optional|optional_no_ca|\$\{)`), "A", "X")
}
