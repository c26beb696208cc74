package lint

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/rules"
)

// Formats whose trees can be released after their last reader implement
// rules.TreeReleaser; a renamed method would silently keep them alive.
var (
	_ rules.TreeReleaser = (*nginx.Tree)(nil)
	_ rules.TreeReleaser = (*python.Tree)(nil)
)

// A run that releases its trees reports exactly what one that keeps them
// does, and leaves shells with the trees' kinds and files.
func TestReleaseTreesSameFindings(t *testing.T) {
	// crossfile's deployments, and Django's scenarios, whose rules read
	// other Python trees (a middleware's class, the settings an entry
	// point names) that may already be released.
	var dirs []string
	for _, pattern := range []string{filepath.Join("crossfile", "*-vulnerable"), filepath.Join("django", "*")} {
		found, err := filepath.Glob(filepath.Join("..", "..", "fixtures", pattern))
		if err != nil || len(found) == 0 {
			t.Fatalf("no fixtures %s: %v", pattern, err)
		}
		dirs = append(dirs, found...)
	}
	for _, dir := range dirs {
		root, _ := filepath.Abs(dir)
		kept, err := Run(context.Background(), Options{Root: root, NoConfig: true})
		if err != nil {
			t.Fatal(err)
		}
		released, err := Run(context.Background(), Options{Root: root, NoConfig: true, ReleaseTrees: true})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(kept.Findings, released.Findings) {
			t.Errorf("%s: findings differ when trees are released", dir)
		}
		if released.Model != nil {
			t.Errorf("%s: the model was kept though not asked for", dir)
		}
		for i, tr := range released.Workspace.Trees {
			orig := kept.Workspace.Trees[i]
			if reflect.TypeOf(tr) == reflect.TypeOf(orig) || tr.Kind() != orig.Kind() || tr.Root().Path != orig.Root().Path || len(tr.Files()) != len(orig.Files()) {
				t.Errorf("%s: tree %d after release: %T %s, want a shell of %T %s", dir, i, tr, tr.Kind(), orig, orig.Kind())
			}
		}
		if len(released.Workspace.Files()) != len(kept.Workspace.Files()) {
			t.Errorf("%s: %d files after release, want %d", dir, len(released.Workspace.Files()), len(kept.Workspace.Files()))
		}
	}
}
