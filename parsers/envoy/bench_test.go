package envoy_test

import (
	"testing"

	"github.com/mtlslint/mtlslint/internal/linttest"
	"github.com/mtlslint/mtlslint/parsers/envoy"
)

// BenchmarkParseCorpus parses every file of the envoy corpus that Detect
// accepts.
func BenchmarkParseCorpus(b *testing.B) {
	linttest.BenchParse(b, "envoy", envoy.Detect, envoy.Parse)
}
