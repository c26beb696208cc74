// Package cfgnode reads configuration documents (YAML, JSON, TOML) into one
// tree of keys and values with exact ranges, for the front ends whose
// formats are data rather than a language of their own: Envoy bootstrap
// files, Traefik's static and dynamic configuration, Istio and Traefik
// custom resources. A front end walks the tree by the field names its
// format documents; every value keeps where it is written, so findings
// point at the key the reader looks for.
package cfgnode

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Kind is what a node holds.
type Kind uint8

const (
	// Null: an explicit null or an empty value ("key:" in YAML).
	Null Kind = iota
	Scalar
	Map
	List
)

// Node is one value of a document.
type Node struct {
	Kind Kind
	// Value is a scalar's text, decoded (quotes and escapes removed).
	Value string
	// Quoted: the scalar was written as a string (quoted YAML, a TOML or
	// JSON string), so "true" is text, not a boolean.
	Quoted bool
	// Key is the key this node is the value of ("" for list items and
	// document roots); KeyRange is where that key is written.
	Key      string
	KeyRange source.Range
	// Range is a scalar's value as written (quotes included), or a
	// collection's first line from where it opens.
	Range source.Range
	// Fields are a map's entries in file order, each carrying its Key.
	Fields []*Node
	// Items are a list's elements.
	Items []*Node
}

// IsSet reports whether the node exists and is not null.
func (n *Node) IsSet() bool { return n != nil && n.Kind != Null }

// Get returns the value of key in a map, or nil. The last entry wins, as
// in every loader these formats have.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Map {
		return nil
	}
	for i := len(n.Fields) - 1; i >= 0; i-- {
		if n.Fields[i].Key == key {
			return n.Fields[i]
		}
	}
	return nil
}

// GetFold is Get with keys compared without regard to case (Traefik's
// configuration keys are case-insensitive).
func (n *Node) GetFold(key string) *Node {
	if n == nil || n.Kind != Map {
		return nil
	}
	for i := len(n.Fields) - 1; i >= 0; i-- {
		if strings.EqualFold(n.Fields[i].Key, key) {
			return n.Fields[i]
		}
	}
	return nil
}

// Path follows a chain of keys (exact case).
func (n *Node) Path(keys ...string) *Node {
	for _, k := range keys {
		n = n.Get(k)
	}
	return n
}

// PathFold follows a chain of keys without regard to case.
func (n *Node) PathFold(keys ...string) *Node {
	for _, k := range keys {
		n = n.GetFold(k)
	}
	return n
}

// Text returns a scalar's value, or "" for anything else.
func (n *Node) Text() string {
	if n == nil || n.Kind != Scalar {
		return ""
	}
	return n.Value
}

// Bool reads a boolean scalar; ok is false when the node is absent or not
// a boolean.
func (n *Node) Bool() (v, ok bool) {
	if n == nil || n.Kind != Scalar {
		return false, false
	}
	b, err := strconv.ParseBool(strings.TrimSpace(n.Value))
	return b, err == nil
}

// List returns a list's items; a single scalar counts as a one-element
// list, as Traefik and Envoy's YAML loaders accept in several places.
func (n *Node) List() []*Node {
	switch {
	case n == nil:
		return nil
	case n.Kind == List:
		return n.Items
	case n.Kind == Scalar:
		return []*Node{n}
	}
	return nil
}

// Entries returns a map's entries (nil for anything else, nil included).
func (n *Node) Entries() []*Node {
	if n == nil || n.Kind != Map {
		return nil
	}
	return n.Fields
}

// Line is the range to anchor a finding about the value: from its key to
// the end of the value (the value alone for list items).
func (n *Node) Line() source.Range {
	if n == nil {
		return source.Range{}
	}
	if !n.KeyRange.IsValid() {
		return n.Range
	}
	if !n.Range.IsValid() || n.Range.File != n.KeyRange.File || n.Range.End.Offset < n.KeyRange.End.Offset {
		return n.KeyRange
	}
	if n.Kind != Scalar && n.Range.Start.Line != n.KeyRange.Start.Line {
		return n.KeyRange
	}
	return source.Range{File: n.KeyRange.File, Start: n.KeyRange.Start, End: n.Range.End}
}

// Opening is where a finding about something a map lacks is anchored:
// its key, or for a list item or a root, its first line.
func (n *Node) Opening() source.Range {
	if n == nil {
		return source.Range{}
	}
	if n.KeyRange.IsValid() {
		return n.KeyRange
	}
	return n.Range
}

// Walk calls visit for n and every node below it, depth first, until
// visit returns false for a node (its children are then skipped).
func (n *Node) Walk(visit func(*Node) bool) {
	n.walk(visit, 0)
}

func (n *Node) walk(visit func(*Node) bool, depth int) {
	if n == nil || depth > MaxDepth || !visit(n) {
		return
	}
	for _, c := range n.Fields {
		c.walk(visit, depth+1)
	}
	for _, c := range n.Items {
		c.walk(visit, depth+1)
	}
}

// MaxDepth bounds the nesting the converters follow, so that hostile
// input (deep nesting, alias chains) cannot exhaust the stack.
const MaxDepth = 200

// LoadFiles reads each path through r and parses it; a file that cannot be
// read is an E004 problem, one that parse rejects yields its problems and
// no tree.
func LoadFiles[T any](r source.Reader, paths []string, parse func(*source.File) (*T, []source.Problem)) ([]*T, []source.Problem) {
	var out []*T
	var probs []source.Problem
	for _, p := range paths {
		if source.Cancelled(r) != nil {
			break // the run was cancelled: stop working
		}
		f, err := r.ReadFile(p)
		if err != nil {
			at := source.Pos{Line: 1, Col: 1}
			probs = append(probs, source.Problem{Kind: source.ProblemSkipped, Range: source.Range{File: p, Start: at, End: at}, Message: fmt.Sprintf("cannot read: %v", err)})
			continue
		}
		t, ps := parse(f)
		probs = append(probs, ps...)
		if t != nil {
			out = append(out, t)
		}
	}
	return out, probs
}
