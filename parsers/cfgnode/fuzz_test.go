package cfgnode_test

import (
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/cfgnode"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// FuzzParse: neither converter panics, every problem and every node has a
// position inside the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte("a:\n  b: [1, {c: d}]\n  e: &x {f: g}\n  h: *x\n"), false)
	f.Add([]byte("[a.b]\nc = { d = [1, 2], e = \"f\" }\n[[g]]\nh = '''\nx\n'''\n"), true)
	// Just past the limits: nesting deeper than MaxDepth in YAML, JSON and
	// TOML, and aliases of aliases.
	f.Add([]byte("a: "+strings.Repeat("[", cfgnode.MaxDepth+1)+strings.Repeat("]", cfgnode.MaxDepth+1)+"\nb: c\n"), false)
	f.Add([]byte(`{"a": `+strings.Repeat(`{"b": `, cfgnode.MaxDepth+1)+"1"+strings.Repeat("}", cfgnode.MaxDepth+2)), false)
	f.Add([]byte("a = "+strings.Repeat("{b = ", cfgnode.MaxDepth+1)+"1"+strings.Repeat("}", cfgnode.MaxDepth+1)+"\n"), true)
	f.Add([]byte("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"), false)
	f.Fuzz(func(t *testing.T, b []byte, toml bool) {
		file := source.NewFile("x", b)
		var roots []*cfgnode.Node
		var probs []source.Problem
		if toml {
			r, ps := cfgnode.ParseTOML(file)
			roots, probs = []*cfgnode.Node{r}, ps
		} else {
			roots, probs = cfgnode.ParseYAML(file)
		}
		for _, p := range probs {
			if !p.Range.Start.IsValid() {
				t.Fatalf("problem without a position: %+v", p)
			}
		}
		for _, r := range roots {
			r.Walk(func(n *cfgnode.Node) bool {
				if n.Range.End.Offset > len(b) || n.Range.Start.Offset > n.Range.End.Offset {
					t.Fatalf("range %v outside the file", n.Range)
				}
				return true
			})
		}
	})
}
