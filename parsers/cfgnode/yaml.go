package cfgnode

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/yamlutil"
)

// ParseYAML reads every document of a YAML (or JSON) file. A document that
// does not parse ends the file: the problem says where, and the documents
// before it are returned.
func ParseYAML(f *source.File) (docs []*Node, probs []source.Problem) {
	defer func() {
		// The YAML library has panicked on hostile input before: bad
		// input never takes the run down.
		if v := recover(); v != nil {
			probs = append(probs, source.Problem{Kind: source.ProblemSyntax, Range: f.LineRange(1),
				Message: fmt.Sprintf("the YAML parser failed on this file, which was not analysed: %v", v)})
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(f.Content))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs, probs
		}
		if err != nil {
			return docs, append(probs, SyntaxProblem(f, err))
		}
		if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
			c := yamlConverter{f: f}
			docs = append(docs, c.node(doc.Content[0], 0))
			probs = append(probs, c.limits()...)
		}
	}
}

// Broken reports whether probs stopped the reading of a file (a syntax
// error ends it), as opposed to the limits of what a document nests or
// expands (E006, E007), past which the rest was read and analysed.
func Broken(probs []source.Problem) bool {
	for _, p := range probs {
		if p.Kind == source.ProblemSyntax {
			return true
		}
	}
	return false
}

// SyntaxProblem turns a YAML library error into an E001 problem on the line
// it names (the first non-blank line at or above it).
func SyntaxProblem(f *source.File, err error) source.Problem {
	line, msg := yamlutil.ErrorLineIn(f, err)
	text := f.Line(line)
	indent := len(text) - len(bytes.TrimLeft(text, " \t"))
	r := f.LineRange(line)
	return source.Problem{
		Kind:    source.ProblemSyntax,
		Range:   f.Range(r.Start.Offset+indent, r.End.Offset),
		Message: "YAML syntax error, the document was not analysed: " + msg,
	}
}

// FromYAML converts a YAML node whose line numbers are relative to f.
// Aliases are followed (a bounded number of times) and "<<" merge keys are
// expanded, explicit keys first.
func FromYAML(f *source.File, y *yaml.Node) *Node {
	c := yamlConverter{f: f}
	return c.node(y, 0)
}

type yamlConverter struct {
	f       *source.File
	aliases int
	// tooDeep is the first node deeper than MaxDepth, aliasCapped the
	// first alias past maxAliases: what they hold was not converted.
	tooDeep, aliasCapped *yaml.Node
}

// limits are the problems of what the conversion left out.
func (c *yamlConverter) limits() []source.Problem {
	var out []source.Problem
	if n := c.tooDeep; n != nil {
		out = append(out, source.Problem{Kind: source.ProblemTooDeep, Range: c.rangeOf(n),
			Message: fmt.Sprintf("not analysed: the document nests deeper than %d levels", MaxDepth),
			Detail:  "What is below this point was not read; the rest of the document was."})
	}
	if n := c.aliasCapped; n != nil {
		out = append(out, source.Problem{Kind: source.ProblemLimit, Range: c.rangeOf(n),
			Message: fmt.Sprintf("not followed: the document expands more than %d aliases", maxAliases),
			Detail:  "Aliases of aliases multiply what a document holds; this alias and the later ones were not followed."})
	}
	return out
}

// maxAliases bounds how many aliases one document may expand, against
// "billion laughs" documents.
const maxAliases = 10000

func (c *yamlConverter) resolve(y *yaml.Node) *yaml.Node {
	for i := 0; y != nil && y.Kind == yaml.AliasNode; i++ {
		c.aliases++
		if i > 20 || c.aliases > maxAliases {
			if c.aliasCapped == nil {
				c.aliasCapped = y
			}
			return nil
		}
		y = y.Alias
	}
	return y
}

func (c *yamlConverter) node(y *yaml.Node, depth int) *Node {
	if y != nil && depth > MaxDepth {
		if c.tooDeep == nil {
			c.tooDeep = y
		}
		return &Node{Kind: Null}
	}
	y = c.resolve(y)
	if y == nil {
		return &Node{Kind: Null}
	}
	n := &Node{Range: c.rangeOf(y)}
	switch y.Kind {
	case yaml.ScalarNode:
		if y.Tag == "!!null" {
			n.Kind = Null
			return n
		}
		n.Kind, n.Value = Scalar, y.Value
		n.Quoted = y.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 || y.Tag == "!!str"
	case yaml.SequenceNode:
		n.Kind = List
		for _, it := range y.Content {
			n.Items = append(n.Items, c.node(it, depth+1))
		}
	case yaml.MappingNode:
		n.Kind = Map
		c.fields(n, y, depth)
	default:
		n.Kind = Null
	}
	return n
}

// fields fills a map node from a mapping, merge keys after explicit ones.
func (c *yamlConverter) fields(n *Node, y *yaml.Node, depth int) {
	var merged []*Node
	for i := 0; i+1 < len(y.Content); i += 2 {
		k, v := y.Content[i], y.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Tag == "!!merge" {
			v = c.resolve(v)
			if v == nil || depth > MaxDepth {
				continue
			}
			srcs := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				srcs = v.Content
			}
			for _, s := range srcs {
				if m := c.node(s, depth+1); m.Kind == Map {
					merged = append(merged, m.Fields...)
				}
			}
			continue
		}
		child := c.node(v, depth+1)
		if k = c.resolve(k); k != nil {
			child.Key = k.Value
			child.KeyRange = c.rangeOf(k)
		}
		n.Fields = append(n.Fields, child)
	}
	for _, m := range merged {
		if n.Get(m.Key) == nil {
			n.Fields = append(n.Fields, m)
		}
	}
}

// rangeOf is the range of a node's text: a scalar as written (quotes
// included; a block scalar's indicator line), a collection's first line
// from where it opens.
func (c *yamlConverter) rangeOf(y *yaml.Node) source.Range {
	f := c.f
	if y.Line < 1 {
		return source.Range{}
	}
	start := f.Offset(y.Line-1, y.Column-1, source.UTF32)
	lineEnd := f.LineEnd(y.Line)
	end := lineEnd
	if y.Kind == yaml.ScalarNode {
		switch {
		case y.Style&yaml.DoubleQuotedStyle != 0:
			end = closingQuote(f.Content, start, '"')
		case y.Style&yaml.SingleQuotedStyle != 0:
			end = closingQuote(f.Content, start, '\'')
		case y.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		case start+len(y.Value) <= lineEnd && string(f.Content[start:start+len(y.Value)]) == y.Value:
			end = start + len(y.Value)
		default:
			end = plainScalarEnd(f.Content, start, lineEnd)
		}
	}
	return f.Range(start, max(start, end))
}

// closingQuote returns the offset after the quoted scalar opening at start.
func closingQuote(b []byte, start int, q byte) int {
	if start >= len(b) || b[start] != q {
		return start
	}
	for i := start + 1; i < len(b); i++ {
		switch {
		case q == '"' && b[i] == '\\':
			i++
		case q == '\'' && b[i] == q && i+1 < len(b) && b[i+1] == q:
			i++
		case b[i] == q:
			return i + 1
		}
	}
	return len(b)
}

// plainScalarEnd is where a plain scalar ends on its line: before a
// comment and trailing blanks.
func plainScalarEnd(b []byte, start, lineEnd int) int {
	end := lineEnd
	for i := start + 1; i < lineEnd; i++ {
		if b[i] == '#' && (b[i-1] == ' ' || b[i-1] == '\t') {
			end = i
			break
		}
	}
	for end > start && (b[end-1] == ' ' || b[end-1] == '\t') {
		end--
	}
	return end
}
