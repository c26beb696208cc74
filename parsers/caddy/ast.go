// Package caddy reads Caddy configurations: Caddyfiles, with a tokenizer
// that follows Caddy's own (caddyconfig/caddyfile/lexer.go) and a parser
// into site blocks and nested directives with exact ranges, snippets and
// imports expanded; and Caddy's native JSON, kept as a node tree with
// positions. Load groups the files of a workspace into trees.
package caddy

import (
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
	"gopkg.in/yaml.v3"
)

// Kind is the kind of the trees this package builds (parsers.KindCaddy).
const Kind = "caddy"

// Token is one token of a Caddyfile.
type Token struct {
	// Text is the token as Caddy sees it: quotes removed, \" resolved in
	// a double-quoted token, a heredoc's indentation stripped.
	// Placeholders ({http.request.tls.client.subject}) and environment
	// references ({$VAR}) are kept verbatim.
	Text string
	// Quote is '"', '`' or '<' (heredoc) for a quoted token, 0 otherwise.
	Quote byte
	// Range covers the token as written, quotes included.
	Range source.Range
	// line and endLine are the logical lines where the token starts and
	// ends: an escaped line break does not end a line.
	line, endLine int
}

// Directive is one line of a block: a name, its arguments, and the block
// that the line opens, if any ("reverse_proxy app:8000 { ... }"). A
// matcher definition is a directive whose name starts with "@".
type Directive struct {
	Name      string
	NameRange source.Range
	Args      []Token
	// Children are the lines of the block the directive opens; Block is
	// set when it opens one (possibly empty).
	Children []*Directive
	Block    bool
	// Range covers the directive through the "}" of its block; Head the
	// line itself.
	Range source.Range
	Head  source.Range
	File  *source.File
	// Parent is the enclosing directive; nil at the top of a site block.
	Parent *Directive
	// Via is the import that brought the directive in (from a snippet or
	// another file), nil when it is written where it applies.
	Via *Directive
}

// Arg returns the text of argument i, or "".
func (d *Directive) Arg(i int) string {
	if i < 0 || i >= len(d.Args) {
		return ""
	}
	return d.Args[i].Text
}

// ArgTexts returns the texts of all arguments.
func (d *Directive) ArgTexts() []string {
	out := make([]string, len(d.Args))
	for i, a := range d.Args {
		out[i] = a.Text
	}
	return out
}

// Find returns the children with the given name.
func (d *Directive) Find(name string) []*Directive { return find(d.Children, name) }

// First returns the first child with the given name, or nil.
func (d *Directive) First(name string) *Directive {
	if f := d.Find(name); len(f) > 0 {
		return f[0]
	}
	return nil
}

func find(ds []*Directive, name string) []*Directive {
	var out []*Directive
	for _, c := range ds {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// Written returns the directive a finding about d points at: d, or, when
// d comes from a snippet, still d (snippets are written in the
// repository); the import is in Via.
func (d *Directive) Written() *Directive { return d }

// String renders the directive's line.
func (d *Directive) String() string {
	parts := []string{d.Name}
	for _, a := range d.Args {
		parts = append(parts, a.Text)
	}
	s := strings.Join(parts, " ")
	if d.Block {
		s += " {"
	}
	return s
}

// Site is a site block: its addresses and directives. The global options
// block is a Site without addresses (Global).
type Site struct {
	Keys       []Token
	Directives []*Directive
	Global     bool
	Range      source.Range // the block, from its first address through "}"
	Head       source.Range // the addresses line
	File       *source.File
}

// Find returns the site's top-level directives with the given name.
func (s *Site) Find(name string) []*Directive { return find(s.Directives, name) }

// Walk calls fn for every directive of the site, depth first; fn returns
// false to skip a directive's children.
func (s *Site) Walk(fn func(*Directive) bool) { walk(s.Directives, fn) }

func walk(ds []*Directive, fn func(*Directive) bool) {
	for _, d := range ds {
		if fn(d) {
			walk(d.Children, fn)
		}
	}
}

// Tree is one Caddy configuration: a Caddyfile with what it imports, or a
// JSON configuration.
type Tree struct {
	// Sites are the site blocks of a Caddyfile, global options first.
	Sites []*Site
	// JSON is the root object of a JSON configuration (nil for a
	// Caddyfile).
	JSON *yaml.Node

	root  *source.File
	files []*source.File
}

// Kind implements parsers.Tree.
func (t *Tree) Kind() string { return Kind }

// Root implements parsers.Tree.
func (t *Tree) Root() *source.File { return t.root }

// Files implements parsers.Tree.
func (t *Tree) Files() []*source.File { return t.files }

// Global returns the global options block, or nil.
func (t *Tree) Global() *Site {
	for _, s := range t.Sites {
		if s.Global {
			return s
		}
	}
	return nil
}

// NodeRange is the range of a JSON node of the tree: a scalar's text
// (quotes included) or the first character of an object or array.
func (t *Tree) NodeRange(n *yaml.Node) source.Range { return nodeRange(t.root, n) }

func nodeRange(f *source.File, n *yaml.Node) source.Range {
	if n == nil || n.Line < 1 {
		return f.Range(0, 0)
	}
	start := f.Offset(n.Line-1, n.Column-1, source.UTF32)
	end := start + 1
	if n.Kind == yaml.ScalarNode {
		end = start + len(n.Value)
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			end += 2
		}
	}
	if le := f.LineEnd(n.Line); end > le {
		end = le
	}
	if end < start {
		end = start
	}
	return f.Range(start, end)
}

// Field returns the value of key in a JSON object node and the key's own
// node (nil, nil when n is not an object or has no such key).
func Field(n *yaml.Node, key string) (value, keyNode *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1], n.Content[i]
		}
	}
	return nil, nil
}
