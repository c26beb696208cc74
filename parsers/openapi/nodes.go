package openapi

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/yamlutil"
	"gopkg.in/yaml.v3"
)

// document is one parsed file: its text and its YAML node tree (JSON is
// read by the same parser, which keeps line and column of every node).
type document struct {
	file *source.File
	root *yaml.Node // the top-level node (the document's content)
}

// parseDocument parses a YAML or JSON file into nodes. A syntax error is a
// problem at the line the parser names.
func parseDocument(f *source.File) (doc *document, prob *source.Problem) {
	defer func() {
		// The YAML parser is not expected to panic, but a panic on hostile
		// input must become a diagnostic, not a crash.
		if v := recover(); v != nil {
			doc = nil
			prob = &source.Problem{Kind: source.ProblemSyntax, Range: f.Range(0, 0),
				Message: fmt.Sprintf("the YAML parser failed on this file: %v", v)}
		}
	}()
	var n yaml.Node
	if err := yaml.Unmarshal(f.Content, &n); err != nil {
		// The message keeps the library's words, line included: it is
		// part of the finding's fingerprint.
		line, _ := yamlutil.ErrorLineIn(f, err)
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		return nil, &source.Problem{Kind: source.ProblemSyntax, Range: f.LineRange(line),
			Message: "cannot parse the OpenAPI document: " + msg}
	}
	d := &document{file: f}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		d.root = n.Content[0]
	}
	return d, nil
}

// offset converts a node's line and column (the YAML parser counts columns
// in characters) into a byte offset of the file.
func (d *document) offset(line, col int) int {
	if line < 1 {
		return 0
	}
	return d.file.Offset(line-1, col-1, source.UTF32)
}

// rangeOf is the range of a node: a scalar's text (quotes included), or the
// start of a collection.
func (d *document) rangeOf(n *yaml.Node) source.Range {
	if n == nil || n.Line < 1 {
		return d.file.Range(0, 0)
	}
	start := d.offset(n.Line, n.Column)
	end := start
	lineEnd := d.file.LineEnd(n.Line)
	if n.Kind == yaml.ScalarNode {
		end = start + len(n.Value)
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			end += 2
		}
	} else if start < lineEnd {
		end = start + 1
	}
	if end > lineEnd {
		end = lineEnd
	}
	if end < start {
		end = start
	}
	return d.file.Range(start, end)
}

// deref follows YAML aliases.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// mapGet returns the key and value nodes of key in a mapping node.
func mapGet(n *yaml.Node, key string) (k, v *yaml.Node) {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if kn := deref(n.Content[i]); kn != nil && kn.Kind == yaml.ScalarNode && kn.Value == key {
			return n.Content[i], deref(n.Content[i+1])
		}
	}
	return nil, nil
}

// pairs lists the key/value pairs of a mapping node (nil for anything
// else). Merge keys ("<<") are not expanded: OpenAPI documents in JSON
// cannot use them, and specs rarely do.
func pairs(n *yaml.Node) [][2]*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([][2]*yaml.Node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k == nil || v == nil || k.Kind != yaml.ScalarNode {
			continue
		}
		out = append(out, [2]*yaml.Node{n.Content[i], v})
	}
	return out
}

// scalar returns a scalar node's value, "" otherwise.
func scalar(n *yaml.Node) string {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// lookup finds the node a JSON pointer ("/components/paths/Login", as in
// the fragment of a $ref, percent-encoded or not) designates.
func lookup(root *yaml.Node, pointer string) (*yaml.Node, bool) {
	if p, err := url.PathUnescape(pointer); err == nil {
		pointer = p
	}
	n := deref(root)
	if pointer == "" || pointer == "/" && n != nil && n.Kind != yaml.MappingNode {
		return n, n != nil
	}
	if !strings.HasPrefix(pointer, "/") {
		return nil, false
	}
	for _, tok := range strings.Split(pointer[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		n = deref(n)
		if n == nil {
			return nil, false
		}
		switch n.Kind {
		case yaml.MappingNode:
			_, v := mapGet(n, tok)
			if v == nil {
				return nil, false
			}
			n = v
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil, false
			}
			n = n.Content[i]
		default:
			return nil, false
		}
	}
	n = deref(n)
	return n, n != nil
}
