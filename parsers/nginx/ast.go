// Package nginx reads nginx configuration files: a tokenizer that follows
// nginx's own (src/core/ngx_conf_file.c), a parser into directives with
// exact ranges, and include resolution that maps deployed locations such as
// /etc/nginx/ onto the repository. Load groups the files of a workspace into
// trees: a main file with everything it includes, or a fragment that
// nothing includes, analysed as the contents of http {}.
package nginx

import (
	"math"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Arg is one argument of a directive.
type Arg struct {
	// Value is the argument as nginx sees it: quotes removed and the
	// escapes \" \' \\ \t \r \n resolved. Variables ($var, ${var}) are kept
	// verbatim.
	Value string
	// Raw is the argument exactly as written, quotes included.
	Raw string
	// file and off locate Raw: Range is derived from them rather than
	// stored, a range being four times the size of the rest of an Arg.
	file *source.File
	off  int32
	// Quote is '"' or '\'' for a quoted argument, 0 otherwise.
	Quote byte
}

// Range covers Raw.
func (a Arg) Range() source.Range {
	if a.file == nil {
		return source.Range{}
	}
	return a.file.Range(int(a.off), int(a.off)+len(a.Raw))
}

// Directive is one directive: a simple one ending in ";" or a block.
//
// The same file can be included at several places; each inclusion gets its
// own Directive values (with their own Parent and Via) that share ranges,
// because ranges say where the text is written.
type Directive struct {
	Name string
	Args []Arg
	// Block is true for a block directive ("server { ... }").
	Block bool
	// Opaque is true for a block whose body is not nginx syntax and was
	// skipped (the Lua code of *_by_lua_block).
	Opaque bool
	// Synthetic marks a directive that is not written anywhere: the main
	// context, and the http {} block that a fragment is analysed in.
	Synthetic bool
	// start, nameEnd, headEnd and end are the byte offsets in File of
	// the directive's ranges (Range, Head, NameRange), which are derived
	// from them: three stored ranges were 192 of a directive's 328 bytes,
	// and a large configuration has hundreds of thousands of directives.
	start, nameEnd, headEnd, end int32
	// Children are the directives inside the block, in the order nginx
	// reads them: an include directive is followed by the directives of
	// the files it includes (whose Via is that include).
	Children []*Directive
	// File is the file the directive is written in.
	File *source.File
	// Parent is the enclosing block directive; the tree's Main for
	// top-level directives.
	Parent *Directive
	// Via is the include directive that brought this directive into its
	// block, nil when the directive is written in the same file as the
	// block. Follow Via to walk the chain of nested includes.
	Via *Directive
	// rare holds what few directives have: most are neither an include,
	// nor from a stock file, nor a block with many children.
	rare *rareFields
}

// rareFields are the fields of a Directive that few directives set.
type rareFields struct {
	stock   string
	include *Include
	// byName maps each name to the children of that name, in order, for
	// a block with many children once its tree is built (indexChildren).
	byName map[string][]*Directive
	// shared is set on the fields that the directives of one stock file
	// share (only stock set): more copies them before a change.
	shared bool
}

// Stock names the distribution file the directive comes from when the
// repository does not contain it ("proxy_params"); empty otherwise.
func (d *Directive) Stock() string {
	if d.rare == nil {
		return ""
	}
	return d.rare.stock
}

// Include is the resolution of an include directive (nil for others).
func (d *Directive) Include() *Include {
	if d.rare == nil {
		return nil
	}
	return d.rare.include
}

// byName is the index of the children by name, nil for a block with few.
func (d *Directive) byName() map[string][]*Directive {
	if d.rare == nil {
		return nil
	}
	return d.rare.byName
}

// more returns d's own rare fields, allocating them when d has none yet
// or shares them.
func (d *Directive) more() *rareFields {
	switch {
	case d.rare == nil:
		d.rare = &rareFields{}
	case d.rare.shared:
		own := *d.rare
		own.shared = false
		d.rare = &own
	}
	return d.rare
}

// stockFields returns the rare fields that the directives of a stock file
// share, nil when stock is "".
func stockFields(stock string) *rareFields {
	if stock == "" {
		return nil
	}
	return &rareFields{stock: stock, shared: true}
}

// maxOffset is the largest offset a directive or an argument records: a
// file beyond it is not parsed (see Parse).
const maxOffset = math.MaxInt32

// Range covers the directive from its name through ";" or the "}" that
// closes its block.
func (d *Directive) Range() source.Range { return d.span(d.end) }

// Head covers the directive from its name through ";" or "{": the part
// that opens a block. Findings about something missing in a block are
// anchored here.
func (d *Directive) Head() source.Range { return d.span(d.headEnd) }

// NameRange covers the name.
func (d *Directive) NameRange() source.Range { return d.span(d.nameEnd) }

// span is the range from the directive's start to end.
func (d *Directive) span(end int32) source.Range {
	if d.File == nil {
		return source.Range{}
	}
	return d.File.Range(int(d.start), int(end))
}

// Include is what an include directive resolved to.
type Include struct {
	// Pattern is the argument as written (after unquoting).
	Pattern string
	// Resolved is the repository path or glob the pattern was mapped to
	// (empty when it could not be mapped).
	Resolved string
	// Files are the files included, in the order nginx includes them.
	Files []string
	// Stock is set when the target is a distribution file that the
	// repository lacks and whose stock content was used instead.
	Stock string
	// Problem is set when the include was not followed (missing, outside
	// the root, a cycle, unreadable).
	Problem string
}

// Arg returns the value of argument i, or "" when there is none.
func (d *Directive) Arg(i int) string {
	if i < 0 || i >= len(d.Args) {
		return ""
	}
	return d.Args[i].Value
}

// ArgValues returns the values of all arguments.
func (d *Directive) ArgValues() []string {
	out := make([]string, len(d.Args))
	for i, a := range d.Args {
		out[i] = a.Value
	}
	return out
}

// Find returns the children named name, including those that came through
// include.
func (d *Directive) Find(name string) []*Directive {
	if byName := d.byName(); byName != nil {
		return append([]*Directive(nil), byName[name]...)
	}
	var out []*Directive
	for _, c := range d.Children {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// First returns the first child named name, or nil.
func (d *Directive) First(name string) *Directive {
	if byName := d.byName(); byName != nil {
		if cs := byName[name]; len(cs) > 0 {
			return cs[0]
		}
		return nil
	}
	for _, c := range d.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Last returns the last child named name, or nil. For directives that may
// appear once per level nginx refuses duplicates; for those that may repeat
// with "last one wins" semantics this is the effective one.
func (d *Directive) Last(name string) *Directive {
	if byName := d.byName(); byName != nil {
		if cs := byName[name]; len(cs) > 0 {
			return cs[len(cs)-1]
		}
		return nil
	}
	for i := len(d.Children) - 1; i >= 0; i-- {
		if d.Children[i].Name == name {
			return d.Children[i]
		}
	}
	return nil
}

// manyChildren is how many children a block has before it indexes them by
// name: rules look inherited directives up from every server and
// location, and scanning an http block of thousands of servers each time
// made them quadratic in the number of servers.
const manyChildren = 32

// indexChildren indexes the blocks with many children at and below d. It
// runs once a tree is complete: its directives are the tree's own (copies,
// or the parsed directives of a file the tree took first, see expandFile),
// which nothing changes afterwards.
func indexChildren(d *Directive) {
	if len(d.Children) >= manyChildren {
		byName := map[string][]*Directive{}
		for _, c := range d.Children {
			byName[c.Name] = append(byName[c.Name], c)
		}
		d.more().byName = byName
	}
	for _, c := range d.Children {
		if len(c.Children) > 0 {
			indexChildren(c)
		}
	}
}

// Includes returns the include chain that brought d into its block,
// innermost first (d.Via, d.Via.Via, ...).
func (d *Directive) Includes() []*Directive {
	var out []*Directive
	for v := d.Via; v != nil; v = v.Via {
		out = append(out, v)
	}
	return out
}

// Written returns the directive a finding about d should point at: d itself
// when it is written in the repository, or the include directive that
// brought in the stock file it comes from.
func (d *Directive) Written() *Directive {
	w := d
	for w.Stock() != "" && w.Via != nil {
		w = w.Via
	}
	return w
}

// Walk calls fn for d's children and their descendants in order; fn
// returns false to skip a directive's children.
func (d *Directive) Walk(fn func(*Directive) bool) {
	for _, c := range d.Children {
		if fn(c) && len(c.Children) > 0 {
			c.Walk(fn)
		}
	}
}

// String renders the directive's head as written (name and raw arguments).
func (d *Directive) String() string {
	var b strings.Builder
	b.WriteString(d.Name)
	for _, a := range d.Args {
		b.WriteByte(' ')
		b.WriteString(a.Raw)
	}
	if d.Block {
		b.WriteString(" {")
	} else {
		b.WriteByte(';')
	}
	return b.String()
}

// Tree is one nginx configuration: a main file (or a fragment) with
// everything it includes.
type Tree struct {
	// Main is the synthetic main context. Its children are the top-level
	// directives; for a fragment, a synthetic http block holding the
	// fragment's directives.
	Main *Directive
	// Fragment is set when the root has no http or events block and
	// nothing includes it: it is analysed as the contents of http {}.
	Fragment bool
	// Prefix is the repository directory that plays nginx's configuration
	// prefix (/etc/nginx): relative includes resolve against it.
	Prefix string

	root  *source.File
	files []*source.File
	stock []*source.File
	// unfollowed are files that includes name but that were not
	// expanded, the workspace's expansion budget being spent.
	unfollowed []string
}

// Kind implements parsers.Tree.
func (t *Tree) Kind() string { return Kind }

// Root implements parsers.Tree.
func (t *Tree) Root() *source.File { return t.root }

// Files implements parsers.Tree: the repository files of the tree, root
// first. Stock files used in place of missing distribution files are not
// listed (see StockFiles).
func (t *Tree) Files() []*source.File { return t.files }

// StockFiles lists the distribution files whose stock content stands in for
// files the repository lacks.
func (t *Tree) StockFiles() []*source.File { return t.stock }

// Walk calls fn for every directive of the tree in order; fn returns false
// to skip a directive's children.
func (t *Tree) Walk(fn func(*Directive) bool) { t.Main.Walk(fn) }
