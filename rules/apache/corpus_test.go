package apache_test

import (
	"regexp"
	"testing"

	"github.com/mtlslint/mtlslint/internal/linttest"
	"github.com/mtlslint/mtlslint/parsers/apache"
)

// TestCorpusFindings lints the Apache corpus: no crash, every detected
// file parsed or reported, and the counts of files with an active
// SSLVerifyClient and of those with a finding.
func TestCorpusFindings(t *testing.T) {
	linttest.Corpus(t, "apache", apache.Detect, regexp.MustCompile(`(?mi)^[ \t]*SSLVerifyClient[ \t]+(require|optional|optional_no_ca|\$\{)`), "A", "X")
}
