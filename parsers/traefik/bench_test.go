package traefik_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mtlslint/mtlslint/internal/linttest"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/traefik"
)

// BenchmarkParseCorpus parses every file of the traefik corpus that Detect
// accepts.
func BenchmarkParseCorpus(b *testing.B) {
	var files []*source.File
	size := 0
	_ = filepath.Walk(linttest.CorpusDir("traefik"), func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		content, err := os.ReadFile(p)
		if err == nil && traefik.Detect(p, content) {
			files = append(files, source.NewFile(p, content))
			size += len(content)
		}
		return nil
	})
	if len(files) == 0 {
		b.Skip("corpus not present")
	}
	b.SetBytes(int64(size))
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			traefik.Parse(f)
		}
	}
	b.ReportMetric(float64(len(files))*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
