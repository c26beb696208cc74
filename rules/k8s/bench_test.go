package k8s

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/rules"
)

// BenchmarkCheck loads the k8s fixture scenarios and runs the family's
// rules and route builder over them, as one workspace each.
func BenchmarkCheck(b *testing.B) {
	root := filepath.Join("..", "..", "fixtures", "k8s")
	dirs, err := os.ReadDir(root)
	if err != nil {
		b.Fatal(err)
	}
	format := parsers.Format{Kind: kube.Kind, Candidate: kube.Candidate, Detect: kube.Detect, Load: parsers.LoadAs(kube.Load)}
	eng := &rules.Engine{Rules: Rules, Routes: []*rules.Analysis{Routes}, Jobs: 1}
	files, size := 0, int64(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range dirs {
			ws, err := parsers.Load(context.Background(), parsers.Options{Root: filepath.Join(root, d.Name()), Formats: []parsers.Format{format}})
			if err != nil {
				b.Fatal(err)
			}
			eng.Run(context.Background(), ws)
			if i == 0 {
				for _, f := range ws.Files() {
					files++
					size += int64(len(f.Content))
				}
			}
		}
	}
	b.SetBytes(size)
	b.ReportMetric(float64(files)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
