package caddy_test

import (
	"testing"

	"github.com/mtlslint/mtlslint/parsers/caddy"
	"github.com/mtlslint/mtlslint/parsers/parsertest"
)

// TestCorpusRobustness loads every file of the caddy corpus: no panic, and
// every file is part of a tree or has a positioned problem.
func TestCorpusRobustness(t *testing.T) {
	parsertest.Robustness(t, "caddy", caddy.Detect, caddy.Load)
}

func BenchmarkLoadCorpus(b *testing.B) { parsertest.BenchmarkLoad(b, "caddy", caddy.Load) }
