package nginx

import (
	"runtime"
	"testing"
	"weak"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Release drops the directives, so that the collector can free them while
// the tree's kind and files stay for the report.
func TestReleaseDropsDirectives(t *testing.T) {
	f := source.NewFile("nginx.conf", []byte("http {\n    server {\n        listen 443 ssl;\n    }\n}\n"))
	tree := &Tree{root: f, files: []*source.File{f}}
	main, probs := Parse(f)
	if len(probs) > 0 || len(main) == 0 {
		t.Fatalf("parse: %v", probs)
	}
	tree.Main = &Directive{Name: "main", Block: true, Children: main}
	held := weak.Make(tree.Main)
	tree.Release()
	runtime.GC()
	if tree.Main != nil || held.Value() != nil {
		t.Error("the directives are still reachable after Release")
	}
	if tree.Kind() != Kind || tree.Root() != f || len(tree.Files()) != 1 || tree.Files()[0] != f {
		t.Errorf("kind, root or files changed: %s %v %v", tree.Kind(), tree.Root(), tree.Files())
	}
}
