// Package yamlutil holds what the front ends that read YAML (and JSON
// through the YAML parser) share about node trees.
package yamlutil

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// MaxDepth is how deeply the front ends follow a YAML node tree: their
// walks recurse once per level. The YAML library itself accepts 10,000
// levels; Kubernetes manifests, compose files and OpenAPI documents nest
// a few dozen at most.
const MaxDepth = 200

// Deeper returns the first node (in document order) that sits deeper than
// limit levels below root (root is level 1), or nil. Aliases are not
// followed: the node they name is in the tree already. It does not
// recurse, so any tree the library returns can be measured.
func Deeper(root *yaml.Node, limit int) *yaml.Node { return below(root, limit, false) }

// Prune is Deeper, and it removes from the tree every node deeper than
// limit, so that the walks over it that recurse stay within the limit.
func Prune(root *yaml.Node, limit int) *yaml.Node { return below(root, limit, true) }

func below(root *yaml.Node, limit int, cut bool) *yaml.Node {
	type entry struct {
		n     *yaml.Node
		depth int
	}
	var first *yaml.Node
	stack := []entry{{root, 1}}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if e.n == nil {
			continue
		}
		if e.depth > limit {
			return e.n
		}
		if e.depth == limit && len(e.n.Content) > 0 {
			if first == nil || before(e.n.Content[0], first) {
				first = e.n.Content[0]
			}
			if cut {
				e.n.Content = nil
				continue
			}
		}
		for i := len(e.n.Content) - 1; i >= 0; i-- {
			stack = append(stack, entry{e.n.Content[i], e.depth + 1})
		}
	}
	return first
}

// before orders nodes by position in the document.
func before(a, b *yaml.Node) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
}

// TooDeep is the problem (E006) of a document that nests deeper than
// MaxDepth, at r, the first node below the limit.
func TooDeep(r source.Range) source.Problem {
	return source.Problem{Kind: source.ProblemTooDeep, Range: r,
		Message: fmt.Sprintf("not analysed: the document nests deeper than %d levels", MaxDepth),
		Detail:  "What is below this point was not read; the rest of the document was."}
}

var (
	errLine     = source.LazyRegexp(`yaml: line (\d+): (.*)`)
	errLineOnly = source.LazyRegexp(`\bline (\d+)\b`)
)

// parserProblems are the messages of the YAML library's parser, as
// opposed to its scanner: the library reports the parser's marks 0-based
// and the scanner's 1-based (gopkg.in/yaml.v3 decode.go, parser.fail).
var parserProblems = []string{
	"did not find expected ',' or", "did not find expected '-' indicator",
	"did not find expected <", "did not find expected key",
	"did not find expected node content", "found duplicate %",
	"found incompatible YAML document", "found undefined tag handle",
}

// ErrorLine reads a YAML library error ("yaml: line 3: did not find
// expected key", also inside another library's message): the 1-based line
// it names, counted from the start of the parsed text, and its message
// without the line; line 0 when the error names none. Unmarshal errors
// ("line 3: cannot unmarshal") name the node's line, 1-based already.
func ErrorLine(err error) (line int, msg string) {
	text := err.Error()
	if m := errLine().FindStringSubmatch(text); m != nil {
		line, _ = strconv.Atoi(m[1])
		if slices.ContainsFunc(parserProblems, func(p string) bool { return strings.HasPrefix(m[2], p) }) {
			line++
		}
		return line, m[2]
	}
	msg = strings.TrimPrefix(text, "yaml: ")
	if m := errLineOnly().FindStringSubmatch(text); m != nil {
		line, _ = strconv.Atoi(m[1])
	}
	return line, msg
}

// ErrorLineIn is ErrorLine for an error of parsing all of f: the line
// within f (1 when the error names none), and an error at the end of the
// input on the last line with text above it.
func ErrorLineIn(f *source.File, err error) (line int, msg string) {
	line, msg = ErrorLine(err)
	line = max(1, min(line, f.LineCount()))
	for line > 1 && len(bytes.TrimSpace(f.Line(line))) == 0 {
		line--
	}
	return line, msg
}
