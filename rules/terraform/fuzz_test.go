package terraform

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	tf "github.com/mtlslint/mtlslint/parsers/terraform"
	"github.com/mtlslint/mtlslint/rules"
)

func fixtureFiles(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	_ = filepath.WalkDir("../../fixtures/terraform", func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".tf") {
			if b, err := os.ReadFile(p); err == nil {
				out = append(out, b)
			}
		}
		return nil
	})
	if len(out) == 0 {
		tb.Fatal("no fixtures found")
	}
	return out
}

// lintAll builds the routes of a file and runs every rule of the family on
// it, with an app that trusts an X-Amzn-Mtls-* header so that the
// app-dependent paths run too.
func lintAll(content []byte) []rules.Finding {
	mods, _ := tf.Load(mapReader{"main.tf": string(content)}, []string{"main.tf"})
	var trees []parsers.Tree
	for _, m := range mods {
		trees = append(trees, m)
	}
	app := &rules.App{ID: "app", Trusts: []rules.Trust{{Header: "HTTP_X_AMZN_MTLS_CLIENTCERT_SUBJECT"}}}
	eng := &rules.Engine{Rules: Rules, Routes: []*rules.Analysis{Routes}, Apps: []*rules.Analysis{appsOf{app}.builder()}, Jobs: 1}
	return eng.Run(context.Background(), &parsers.Workspace{Trees: trees}).Findings
}

// FuzzRules runs the route builder and every rule on arbitrary input: no
// rule may crash, and every finding lies inside the file.
func FuzzRules(f *testing.F) {
	for _, b := range fixtureFiles(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		for _, d := range lintAll(content) {
			if d.Code == rules.CodeRuleCrashed {
				t.Fatalf("rule crashed: %s", d.Message)
			}
			if d.Range.File != "main.tf" || !d.Range.Start.IsValid() || d.Range.Start.Offset > len(content) {
				t.Fatalf("finding outside the file: %+v", d)
			}
		}
	})
}

// BenchmarkRules measures loading, route building and all rules over the
// family's fixtures.
func BenchmarkRules(b *testing.B) {
	files := fixtureFiles(b)
	total := 0
	for _, f := range files {
		total += len(f)
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			lintAll(f)
		}
	}
	b.ReportMetric(float64(len(files)*b.N)/b.Elapsed().Seconds(), "files/s")
}
