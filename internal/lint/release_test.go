package lint_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/internal/linttest"
)

// TestReleaseTreesChangesNothing: releasing each tree after its last
// reader, as check does, gives the same trees, problems and findings as
// keeping every tree, on the HAProxy scenarios (whose configurations are
// released) and on the corpus.
func TestReleaseTreesChangesNothing(t *testing.T) {
	dirs := map[string]string{"fixtures": "../../fixtures/haproxy", "corpus": linttest.CorpusDir("")}
	for name, dir := range dirs {
		t.Run(name, func(t *testing.T) {
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				t.Skip("no folder at", dir)
			}
			var outs [2]string
			for i, release := range []bool{false, true} {
				res, err := lint.Run(context.Background(), lint.Options{Root: dir, NoConfig: true, Jobs: 2, ReleaseTrees: release})
				if err != nil {
					t.Fatal(err)
				}
				outs[i] = linttest.Outcome(t, res)
			}
			if !strings.Contains(outs[0], "tree haproxy") || !strings.Contains(outs[0], `"code":"H`) {
				t.Fatalf("no HAProxy configuration or finding to compare:\n%s", outs[0])
			}
			if outs[0] != outs[1] {
				t.Errorf("releasing trees changed the outcome:\n--- kept\n%s\n--- released\n%s", outs[0], outs[1])
			}
		})
	}
}
