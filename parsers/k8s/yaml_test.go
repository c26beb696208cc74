package k8s

import (
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

func TestSplitDocuments(t *testing.T) {
	src := "a: 1\n---\nb: 2\n--- # comment\nc: 3\n...\nd: 4\n---x: not a marker\n"
	chunks, lines := splitDocuments([]byte(src))
	var got []string
	for i, c := range chunks {
		got = append(got, strings.ReplaceAll(string(c), "\n", "|")+"@"+string(rune('0'+lines[i])))
	}
	want := []string{"a: 1|@1", "---|b: 2|@2", "--- # comment|c: 3|...|@4", "d: 4|---x: not a marker|@7"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("chunks\n got %q\nwant %q", got, want)
	}
}

// The YAML library reports its scanner's lines 1-based and its parser's
// 0-based; problems must land on the right line either way.
func TestSyntaxErrorLines(t *testing.T) {
	cases := []struct {
		src  string
		line int
	}{
		{"a: 1\nb: [x\nc: 2\n", 2},           // parser: unclosed flow sequence
		{"a: 1\nb: 2\n  c: 3\n", 3},          // scanner: mapping value
		{"a: 1\nb: @x\n", 2},                 // scanner: reserved character
		{"a: 1\n\tb: 2\n", 2},                // scanner: tab
		{"a:\n  - x\n  y: 2\n", 2},           // parser: the block sequence that y breaks
		{"x: {a: 1\ny: 2\n", 2},              // parser
		{"a: [\n", 1},                        // end of input
		{"a: 1\n---\nb: 1\nc: [\nd: 2\n", 4}, // second document
		{"a: 1\nb: *nope\n", 1},              // no line given: the document's first
	}
	for _, c := range cases {
		f := source.NewFile("x.yaml", []byte(c.src))
		_, probs := parseDocuments(f)
		if len(probs) != 1 {
			t.Errorf("%q: %d problems", c.src, len(probs))
			continue
		}
		if probs[0].Range.Start.Line != c.line {
			t.Errorf("%q: reported on line %d, want %d (%s)", c.src, probs[0].Range.Start.Line, c.line, probs[0].Message)
		}
	}
}

// TestDepthLimit: a manifest that nests deeper than the walks follow is
// reported (E006) where the limit is passed; one at the limit is not.
func TestDepthLimit(t *testing.T) {
	for _, n := range []int{maxDepth, maxDepth + 1} {
		// the mapping is level 1, the value of data level 2, ...
		src := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  k: " + strings.Repeat("[", n-2) + strings.Repeat("]", n-2) + "\n"
		f := source.NewFile("cm.yaml", []byte(src))
		_, probs := parseDocuments(f)
		if n == maxDepth {
			if len(probs) != 0 {
				t.Errorf("%d levels (the limit): %v", n, probs)
			}
			continue
		}
		if len(probs) != 1 || probs[0].Kind != source.ProblemTooDeep || probs[0].Range.Start.Line != 6 {
			t.Errorf("%d levels: %v", n, probs)
		}
	}
}

func TestAnnotationKey(t *testing.T) {
	// A pointer below one annotation names it, unescaped; any other
	// pointer names none.
	cases := []struct{ pointer, want string }{
		{"/metadata/annotations/nginx.ingress.kubernetes.io~1auth-tls-secret", "nginx.ingress.kubernetes.io/auth-tls-secret"},
		{"/metadata/annotations/a~0b~01", "a~b~1"},
		{"/metadata/annotations/", ""},
		{"/metadata/annotations/a/b", ""},
		{"/metadata/labels/a", ""},
	}
	for _, c := range cases {
		if got, ok := annotationKey(c.pointer); got != c.want || ok != (c.want != "") {
			t.Errorf("annotationKey(%q) = %q, %v; want %q", c.pointer, got, ok, c.want)
		}
	}
}
