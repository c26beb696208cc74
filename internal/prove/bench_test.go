package prove

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
)

// BenchmarkRewriteFixtures rewrites every proxy configuration of the
// fixture scenarios (already parsed) into one sandbox per iteration.
func BenchmarkRewriteFixtures(b *testing.B) {
	type job struct {
		ws   *parsers.Workspace
		tree parsers.Tree
	}
	var jobs []job
	for _, family := range []string{"nginx", "haproxy", "apache", "caddy", "crossfile"} {
		dirs, err := os.ReadDir(filepath.Join("..", "..", "fixtures", family))
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range dirs {
			ws, err := parsers.Load(context.Background(), parsers.Options{Root: filepath.Join("..", "..", "fixtures", family, d.Name())})
			if err != nil {
				b.Fatal(err)
			}
			for _, t := range ws.Trees {
				if proxyKinds[t.Kind()] && Runnable(t) {
					jobs = append(jobs, job{ws, t})
				}
			}
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sb, err := NewSandbox(b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, j := range jobs {
			if _, err := sb.Rewrite(j.ws, j.tree); err != nil {
				b.Fatal(err)
			}
		}
		sb.Close()
	}
	b.ReportMetric(float64(len(jobs)*b.N)/b.Elapsed().Seconds(), "configs/s")
}
