package cfgnode_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/cfgnode"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// TestYAMLNestingLimit: a node MaxDepth levels below the root is
// converted; one level deeper is reported (E006) at the first node below
// the limit, and the rest of the document is converted.
func TestYAMLNestingLimit(t *testing.T) {
	for _, n := range []int{cfgnode.MaxDepth, cfgnode.MaxDepth + 1} {
		// "a"'s list is level 1, the scalar in the innermost list level n.
		lists := n - 1
		src := "a: " + strings.Repeat("[", lists) + "x" + strings.Repeat("]", lists) + "\nb: y\n"
		docs, probs := cfgnode.ParseYAML(source.NewFile("d.yaml", []byte(src)))
		if len(docs) != 1 || docs[0].Get("b").Text() != "y" {
			t.Fatalf("depth %d: the document around was not converted", n)
		}
		if n == cfgnode.MaxDepth && len(probs) != 0 || n > cfgnode.MaxDepth && (len(probs) != 1 || probs[0].Kind != source.ProblemTooDeep || probs[0].Range.Start.Line != 1 || len(probs[0].Message) > 120) {
			t.Errorf("depth %d: %v", n, probs)
		}
	}
}

// TestYAMLAliasLimit: aliases of aliases that would expand past the limit
// are cut there and reported (E007), not dropped silently.
func TestYAMLAliasLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	_, probs := cfgnode.ParseYAML(source.NewFile("laughs.yaml", []byte(b.String())))
	if len(probs) != 1 || probs[0].Kind != source.ProblemLimit {
		t.Errorf("problems %v", probs)
	}
}

// TestTOMLNestingLimit: arrays and inline tables MaxDepth deep are
// decoded; one more is reported (E006) where it opens and the file is not
// decoded (the TOML library takes minutes on deep inline tables).
// Brackets in strings, comments and table headers do not count.
func TestTOMLNestingLimit(t *testing.T) {
	for _, n := range []int{cfgnode.MaxDepth, cfgnode.MaxDepth + 1} {
		for _, open := range []string{"[", "{b = "} {
			close := map[string]string{"[": "]", "{b = ": "}"}[open]
			src := "# [[[[\n[table]\ns = \"[{\\\"[\"\nm = '''\n[[[\n'''\na = " + strings.Repeat(open, n) + "1" + strings.Repeat(close, n) + "\n"
			f := source.NewFile("t.toml", []byte(src))
			root, probs := cfgnode.ParseTOML(f)
			if n == cfgnode.MaxDepth {
				if len(probs) != 0 || root.Path("table", "s").Text() != `[{"[` {
					t.Errorf("%d %q: %v", n, open, probs)
				}
				continue
			}
			at := strings.Index(src, "a = ") + 4 + len(open)*cfgnode.MaxDepth
			if root != nil || len(probs) != 1 || probs[0].Kind != source.ProblemTooDeep || probs[0].Range.Start.Offset != at {
				t.Errorf("%d %q: %v", n, open, probs)
			}
		}
	}
}
