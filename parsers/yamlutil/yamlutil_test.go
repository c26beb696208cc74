package yamlutil

import (
	"errors"
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

func TestErrorLine(t *testing.T) {
	for _, tc := range []struct {
		src  string
		line int
	}{
		{"a: 1\nb: [x\nc: 2\n", 2},  // parser: the unclosed sequence (0-based in the error)
		{"a: 1\nb: 2\n  c: 3\n", 3}, // scanner: 1-based in the error
		{"a: 1\nb: @x\n", 2},        // scanner, "found ..."
		{"a:\n  b: 1\n c: 2\n", 3},  // parser, "did not find expected key"
	} {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(tc.src), &n)
		if err == nil {
			t.Fatalf("%q parses", tc.src)
		}
		if got, _ := ErrorLine(err); got != tc.line {
			t.Errorf("%q: %v: line %d, want %d", tc.src, err, got, tc.line)
		}
	}
	for _, tc := range []struct {
		err  string
		line int
		msg  string
	}{
		{"cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 3: did not find expected key", 4, "did not find expected key"},
		{"yaml: unmarshal errors:\n  line 7: cannot unmarshal !!str into int", 7, "unmarshal errors:\n  line 7: cannot unmarshal !!str into int"},
		{"yaml: control characters are not allowed", 0, "control characters are not allowed"},
	} {
		if line, msg := ErrorLine(errors.New(tc.err)); line != tc.line || msg != tc.msg {
			t.Errorf("%q: line %d %q, want %d %q", tc.err, line, msg, tc.line, tc.msg)
		}
	}
}
