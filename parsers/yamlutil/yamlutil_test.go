package yamlutil

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestDeeper(t *testing.T) {
	for _, n := range []int{MaxDepth, MaxDepth + 1, 9000} {
		var doc yaml.Node
		src := "a: " + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + "\nb: 1\n"
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			t.Fatal(err)
		}
		// the mapping is level 1, the value of a level 2, ...: n levels
		got := Deeper(doc.Content[0], MaxDepth)
		if n <= MaxDepth {
			if got != nil {
				t.Errorf("%d levels (the limit): %v", n, got)
			}
			continue
		}
		if got == nil || got.Line != 1 || got.Column != 3+MaxDepth {
			t.Errorf("%d levels: %+v", n, got)
		}
	}
}

// TestPrune: a tree within the limit is left whole; a deeper one loses
// what is below the limit (the walks that recurse then stay within it),
// the first node cut is returned, and what is beside the cut stays.
func TestPrune(t *testing.T) {
	for _, n := range []int{MaxDepth, MaxDepth + 1, 9000} {
		var doc yaml.Node
		src := "a: " + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + "\nb: [1]\n"
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			t.Fatal(err)
		}
		root := doc.Content[0]
		got := Prune(root, MaxDepth)
		if n <= MaxDepth {
			if got != nil {
				t.Errorf("%d levels (the limit): %v", n, got)
			}
			continue
		}
		if got == nil || got.Line != 1 || got.Column != 3+MaxDepth {
			t.Errorf("%d levels: first cut %+v", n, got)
		}
		if d := Deeper(root, MaxDepth); d != nil {
			t.Errorf("%d levels: still deeper after the cut at %d:%d", n, d.Line, d.Column)
		}
		if len(root.Content) != 4 || len(root.Content[3].Content) != 1 {
			t.Errorf("%d levels: what is beside the cut was lost", n)
		}
	}
}
