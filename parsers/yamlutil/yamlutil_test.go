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
