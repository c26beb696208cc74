package traefik_test

import (
	"testing"

	"github.com/mtlslint/mtlslint/internal/linttest"
	"github.com/mtlslint/mtlslint/parsers/traefik"
)

// BenchmarkParseCorpus parses every file of the traefik corpus that Detect
// accepts.
func BenchmarkParseCorpus(b *testing.B) {
	linttest.BenchParse(b, "traefik", traefik.Detect, traefik.Parse)
}
