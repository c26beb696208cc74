package apache_test

import (
	"testing"

	"github.com/mtlslint/mtlslint/parsers/apache"
	"github.com/mtlslint/mtlslint/parsers/parsertest"
)

// TestCorpusRobustness loads every file of the apache corpus: no panic, and
// every file is part of a tree or has a positioned problem.
func TestCorpusRobustness(t *testing.T) {
	parsertest.Robustness(t, "apache", apache.Detect, apache.Load)
}

func BenchmarkLoadCorpus(b *testing.B) { parsertest.BenchmarkLoad(b, "apache", apache.Load) }
