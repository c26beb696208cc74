package k8s

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/yamlutil"
)

// document is one YAML document of a file: its root node with line numbers
// already relative to the whole file.
type document struct {
	root      *yaml.Node // the document's content (a mapping, a sequence, ...)
	startLine int        // 1-based line of the document's first line in the file
}

// maxDepth bounds every walk over a node tree, so that a pathological
// document (deep nesting, alias chains) cannot exhaust the stack; a
// document that nests deeper is reported (E006).
const maxDepth = yamlutil.MaxDepth

// splitDocuments cuts content into YAML documents the way kubectl does: a
// line starting with "---" begins a new document, and a line starting with
// "..." ends one. Each chunk keeps its separator so that positions stay
// exact. It returns the chunks and the 1-based line each starts on.
func splitDocuments(content []byte) (chunks [][]byte, lines []int) {
	start, startLine := 0, 1
	line := 1
	for off := 0; off < len(content); {
		end := bytes.IndexByte(content[off:], '\n')
		next := len(content)
		if end >= 0 {
			next = off + end + 1
		}
		text := content[off:next]
		switch {
		case isMarker(text, "---") && off > start:
			chunks, lines = append(chunks, content[start:off]), append(lines, startLine)
			start, startLine = off, line
		case isMarker(text, "..."):
			chunks, lines = append(chunks, content[start:next]), append(lines, startLine)
			start, startLine = next, line+1
		}
		off = next
		line++
	}
	if start < len(content) {
		chunks, lines = append(chunks, content[start:]), append(lines, startLine)
	}
	return chunks, lines
}

func isMarker(line []byte, marker string) bool {
	if !bytes.HasPrefix(line, []byte(marker)) {
		return false
	}
	rest := line[len(marker):]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\r' || rest[0] == '\n'
}

// parseDocuments decodes every document of f. A document that does not
// parse becomes a positioned problem and the others are still returned.
func parseDocuments(f *source.File) ([]document, []source.Problem) {
	var docs []document
	var probs []source.Problem
	chunks, starts := splitDocuments(f.Content)
	for i, chunk := range chunks {
		root, err := decode(chunk)
		if err != nil {
			probs = append(probs, yamlProblem(f, starts[i], chunk, err))
			continue
		}
		if root == nil {
			continue
		}
		shiftLines(root, starts[i]-1, 0)
		if deep := yamlutil.Deeper(root, maxDepth); deep != nil {
			probs = append(probs, tooDeep(f, deep))
		}
		docs = append(docs, document{root: root, startLine: starts[i]})
	}
	return docs, probs
}

// decode parses one document. A panic inside the YAML library (it has had
// some on hostile input) is turned into an error: bad input never takes
// the run down.
func decode(chunk []byte) (root *yaml.Node, err error) {
	defer func() {
		if v := recover(); v != nil {
			root, err = nil, fmt.Errorf("yaml: the YAML parser failed on this document: %v", v)
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(chunk, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

func yamlProblem(f *source.File, startLine int, chunk []byte, err error) source.Problem {
	line := startLine
	n, msg := yamlutil.ErrorLine(err)
	if n >= 1 {
		line = startLine + n - 1
	}
	// The library counts lines of the document; never point past it.
	last := startLine + bytes.Count(chunk, []byte("\n"))
	if line > last {
		line = last
	}
	if line > f.LineCount() {
		line = f.LineCount()
	}
	// An error at the end of the input belongs to the last line with text.
	for line > startLine && len(bytes.TrimSpace(f.Line(line))) == 0 {
		line--
	}
	r := f.LineRange(line)
	// Point at the line's first non-blank character, as an editor would.
	text := f.Line(line)
	trimmed := bytes.TrimLeft(text, " \t")
	r = f.Range(r.Start.Offset+len(text)-len(trimmed), r.End.Offset)
	return source.Problem{
		Kind:    source.ProblemSyntax,
		Range:   r,
		Message: "YAML syntax error, the document was not analysed: " + msg,
	}
}

// tooDeep reports a document that nests deeper than maxDepth at its first
// node below the limit.
func tooDeep(f *source.File, n *yaml.Node) source.Problem {
	r := nodeRange(f, n)
	if !r.IsValid() {
		r = f.Range(0, 0)
	}
	return yamlutil.TooDeep(r)
}

// shiftLines adds delta to the line of every node below n (aliases are not
// followed: the node they point to is part of the tree already).
func shiftLines(n *yaml.Node, delta, depth int) { shift(n, delta, 0, depth) }

// shift moves every node below n by lines and columns.
func shift(n *yaml.Node, lines, columns, depth int) {
	if n == nil || depth > maxDepth {
		return
	}
	n.Line += lines
	n.Column += columns
	for _, c := range n.Content {
		shift(c, lines, columns, depth+1)
	}
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 10; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// pair is one key and value of a mapping.
type pair struct{ key, value *yaml.Node }

// pairs returns the entries of a mapping, with "<<" merge keys expanded
// (explicit keys first, as YAML's merge semantics require).
func pairs(n *yaml.Node) []pair {
	return pairsDepth(n, 0)
}

func pairsDepth(n *yaml.Node, depth int) []pair {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode || depth > 10 {
		return nil
	}
	var out, merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Tag == "!!merge" {
			v = resolve(v)
			if v == nil {
				continue
			}
			if v.Kind == yaml.SequenceNode {
				for _, m := range v.Content {
					merged = append(merged, pairsDepth(m, depth+1)...)
				}
			} else {
				merged = append(merged, pairsDepth(v, depth+1)...)
			}
			continue
		}
		out = append(out, pair{k, v})
	}
	for _, m := range merged {
		if get(out, m.key.Value) == nil {
			out = append(out, m)
		}
	}
	return out
}

func get(ps []pair, key string) *pair {
	for i := range ps {
		if ps[i].key.Kind == yaml.ScalarNode && ps[i].key.Value == key {
			return &ps[i]
		}
	}
	return nil
}

// field returns the key and value nodes of key in mapping n.
func field(n *yaml.Node, key string) (k, v *yaml.Node) {
	if p := get(pairs(n), key); p != nil {
		return p.key, resolve(p.value)
	}
	return nil, nil
}

// child returns the value of key in mapping n.
func child(n *yaml.Node, key string) *yaml.Node {
	_, v := field(n, key)
	return v
}

// walkPath follows a chain of mapping keys.
func walkPath(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		n = child(n, k)
		if n == nil {
			return nil
		}
	}
	return n
}

// items returns the elements of a sequence.
func items(n *yaml.Node) []*yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, c := range n.Content {
		if c = resolve(c); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// isScalar reports whether n is a scalar that is not null.
func isScalar(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.Tag != "!!null"
}

// nodeRange returns the range of a node's text: for a scalar the value as
// written (quotes included), for a block scalar its indicator line, for a
// collection the rest of its first line.
func nodeRange(f *source.File, n *yaml.Node) source.Range {
	if n == nil || n.Line < 1 {
		return source.Range{}
	}
	start := f.Offset(n.Line-1, n.Column-1, source.UTF32)
	lineEnd := f.LineEnd(n.Line)
	end := lineEnd
	if n.Kind == yaml.ScalarNode {
		switch n.Style {
		case yaml.DoubleQuotedStyle:
			end = quotedEnd(f.Content, start, '"')
		case yaml.SingleQuotedStyle:
			end = quotedEnd(f.Content, start, '\'')
		case yaml.LiteralStyle, yaml.FoldedStyle:
			end = lineEnd
		default:
			if start+len(n.Value) <= len(f.Content) && string(f.Content[start:start+len(n.Value)]) == n.Value {
				end = start + len(n.Value)
			} else {
				end = plainEnd(f.Content, start, lineEnd)
			}
		}
	}
	if end < start {
		end = start
	}
	return f.Range(start, end)
}

// quotedEnd finds the end of a quoted scalar that starts at start.
func quotedEnd(b []byte, start int, q byte) int {
	if start >= len(b) || b[start] != q {
		return start
	}
	for i := start + 1; i < len(b); i++ {
		switch {
		case q == '"' && b[i] == '\\':
			i++
		case b[i] == q && q == '\'' && i+1 < len(b) && b[i+1] == '\'':
			i++
		case b[i] == q:
			return i + 1
		}
	}
	return len(b)
}

// plainEnd finds the end of a plain scalar on its line: before a comment
// and trailing blanks.
func plainEnd(b []byte, start, lineEnd int) int {
	end := lineEnd
	for i := start; i < lineEnd; i++ {
		if b[i] == '#' && i > start && (b[i-1] == ' ' || b[i-1] == '\t') {
			end = i
			break
		}
	}
	for end > start && (b[end-1] == ' ' || b[end-1] == '\t') {
		end--
	}
	return end
}
