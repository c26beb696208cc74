// Package apache reads Apache httpd configuration files: a reader that
// joins continued lines and splits words as httpd does (server/util.c
// ap_cfg_getline and ap_getword_conf), a parser into directives and
// sections (<VirtualHost>, <Location>, <If>, ...) with exact ranges, and
// Include / IncludeOptional resolution that maps deployed locations such as
// /etc/apache2/ and /etc/httpd/ onto the repository. Load groups the files
// of a workspace into trees: a main file with everything it includes, or a
// fragment that nothing includes (a sites-available/*.conf), analysed as
// server-level configuration.
package apache

import (
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Kind is the kind of the trees this package builds (parsers.KindApache).
const Kind = "apache"

// Arg is one argument of a directive.
type Arg struct {
	// Value is the argument as httpd sees it: quotes removed, and \\ and
	// \" (\' in single quotes) resolved. ${VAR} references are kept
	// verbatim.
	Value string
	// Raw is the argument exactly as written, quotes included. For an
	// argument continued over lines ("\" at the end of a line) Raw is the
	// text of its range, line break included.
	Raw string
	// Quote is '"' or '\'' for a quoted argument, 0 otherwise.
	Quote byte
	// Range covers Raw.
	Range source.Range
}

// Directive is one directive or section.
//
// The same file can be included at several places; each inclusion gets its
// own Directive values (with their own Parent and Via) that share ranges.
type Directive struct {
	// Name is the directive's name as written, without "<" for a section
	// ("VirtualHost", "RequestHeader"). httpd compares names without
	// regard to case: use Is.
	Name string
	Args []Arg
	// Section is true for a container (<VirtualHost ...> ... </VirtualHost>).
	Section bool
	// Children are the directives inside a section, in the order httpd
	// reads them: an Include is followed by the directives of the files it
	// includes (whose Via is that Include).
	Children []*Directive
	// Range covers the directive, or a section from "<" through its
	// closing tag.
	Range source.Range
	// Head covers the directive's logical line: for a section the opening
	// tag. Findings about something missing in a section are anchored here.
	Head source.Range
	// NameRange covers the name ("<VirtualHost" for a section).
	NameRange source.Range
	// File is the file the directive is written in.
	File *source.File
	// Parent is the enclosing section; the tree's Main for top-level
	// directives.
	Parent *Directive
	// Via is the Include that brought this directive in, nil when it is
	// written in the same file as its parent.
	Via *Directive
	// Include is the resolution of an Include / IncludeOptional (nil for
	// other directives).
	Include *Include
	// Synthetic marks the main context, which is written nowhere.
	Synthetic bool
	// Inactive is set on a conditional section (<IfModule>, <IfDefine>,
	// <IfVersion>, <IfFile>, <IfDirective>, <IfSection>) whose condition
	// is known to be false, so httpd skips its contents.
	Inactive bool
}

// Include is what an Include or IncludeOptional resolved to.
type Include struct {
	Pattern  string   // the argument as written
	Resolved string   // the repository path or glob it was mapped to
	Files    []string // the files included, in httpd's order
	Problem  string   // set when it was not followed
}

// Is reports whether the directive's name is name, compared as httpd does
// (without regard to case).
func (d *Directive) Is(name string) bool { return strings.EqualFold(d.Name, name) }

// Arg returns the value of argument i, or "".
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

// Find returns the children with the given name (any case), including
// those that came through Include, skipping none.
func (d *Directive) Find(name string) []*Directive {
	var out []*Directive
	for _, c := range d.Children {
		if c.Is(name) {
			out = append(out, c)
		}
	}
	return out
}

// Last returns the last child named name, or nil: for directives that take
// one value per context, the last one is in effect.
func (d *Directive) Last(name string) *Directive {
	for i := len(d.Children) - 1; i >= 0; i-- {
		if d.Children[i].Is(name) {
			return d.Children[i]
		}
	}
	return nil
}

// Walk calls fn for d's children and their descendants in order; fn returns
// false to skip a directive's children. Inactive sections are visited, but
// not their contents.
func (d *Directive) Walk(fn func(*Directive) bool) {
	for _, c := range d.Children {
		if fn(c) && len(c.Children) > 0 && !c.Inactive {
			c.Walk(fn)
		}
	}
}

// String renders the directive's head as written.
func (d *Directive) String() string {
	var b strings.Builder
	if d.Section {
		b.WriteByte('<')
	}
	b.WriteString(d.Name)
	for _, a := range d.Args {
		b.WriteByte(' ')
		b.WriteString(a.Raw)
	}
	if d.Section {
		b.WriteByte('>')
	}
	return b.String()
}

// Tree is one httpd configuration: a main file (or a fragment) with
// everything it includes.
type Tree struct {
	// Main is the synthetic main context: its children are the top-level
	// directives.
	Main *Directive
	// Fragment is set when the root is not a main configuration and
	// nothing includes it: its directives are analysed as server-level
	// configuration of some main file the repository does not hold.
	Fragment bool
	// ServerRoot is the repository directory that plays httpd's
	// ServerRoot (/etc/apache2, /etc/httpd): relative includes resolve
	// against it.
	ServerRoot string

	root  *source.File
	files []*source.File
}

// Kind implements parsers.Tree.
func (t *Tree) Kind() string { return Kind }

// Root implements parsers.Tree.
func (t *Tree) Root() *source.File { return t.root }

// Files implements parsers.Tree: the files of the tree, root first.
func (t *Tree) Files() []*source.File { return t.files }

// Walk calls fn for every directive of the tree in order.
func (t *Tree) Walk(fn func(*Directive) bool) { t.Main.Walk(fn) }
