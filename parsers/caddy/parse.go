package caddy

import (
	"fmt"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// maxDepth caps block nesting, within a file and through imports. Real
// Caddyfiles nest a few levels (site, handle, reverse_proxy, transport);
// every walk over the tree recurses once per level, so deeper blocks are
// skipped (E006) and the rest of the file is analysed.
const maxDepth = 100

// block is one top-level block of a file before imports are expanded: a
// site, the global options, or a snippet / named-route definition.
type block struct {
	keys    []Token
	snippet string // "(name)" → "name"
	global  bool
	dirs    []*Directive
	rng     source.Range
	head    source.Range
}

// parser groups tokens into blocks and directive lines as Caddy's
// parser.go does.
type parser struct {
	f       *source.File
	toks    []Token
	i       int
	errs    []source.Problem
	tooDeep bool // a block deeper than maxDepth was reported
}

func (p *parser) errorf(r source.Range, format string, args ...any) {
	p.errs = append(p.errs, source.Problem{Kind: source.ProblemSyntax, Range: r, Message: fmt.Sprintf(format, args...)})
}

// parseFile parses one Caddyfile into its top-level blocks, without
// expanding imports.
func parseFile(f *source.File) ([]*block, []source.Problem) {
	toks, errs := tokenize(f)
	p := &parser{f: f, toks: toks, errs: errs}
	var out []*block
	for p.i < len(p.toks) {
		b := p.block(len(out) == 0)
		if b != nil {
			out = append(out, b)
		}
	}
	return out, p.errs
}

// block reads addresses and the block that follows them.
func (p *parser) block(first bool) *block {
	start := p.toks[p.i]
	b := &block{}
	if start.open() {
		// A block without addresses: the global options (only first).
		if !first {
			p.errorf(start.Range, "a block without site addresses is only allowed first in the file, as the global options")
		}
		b.global = true
		b.head = start.Range
	} else {
		// Addresses: tokens up to "{" on the same line, continuing on the
		// next line after a trailing comma.
		line := start.line
		expectAnother := false
		for p.i < len(p.toks) {
			t := p.toks[p.i]
			if t.open() || (t.line != line && !expectAnother) {
				break
			}
			if t.close() {
				p.errorf(t.Range, "unexpected \"}\" with no open block")
				p.i++
				return nil
			}
			if strings.HasPrefix(t.Text, "@") && t.Quote == 0 {
				p.errorf(t.Range, "request matchers may not be defined globally, they must be in a site block; found %s", t.Text)
			}
			if t.Quote == 0 && strings.HasSuffix(t.Text, "{") && len(t.Text) > 1 && !strings.HasPrefix(t.Text, "{") {
				p.errorf(t.Range, "site addresses cannot end with a curly brace: %q - put a space between the address and the brace", t.Text)
			}
			line = t.endLine
			text := t.Text
			expectAnother = strings.HasSuffix(text, ",")
			text = strings.TrimSuffix(text, ",")
			if text != "" {
				k := t
				k.Text = text
				b.keys = append(b.keys, k)
			}
			p.i++
		}
		if len(b.keys) > 0 {
			b.head = p.f.Range(b.keys[0].Range.Start.Offset, b.keys[len(b.keys)-1].Range.End.Offset)
		} else {
			b.head = start.Range
		}
		if len(b.keys) == 1 {
			if k := b.keys[0].Text; strings.HasPrefix(k, "(") && strings.HasSuffix(k, ")") {
				b.snippet = k[1 : len(k)-1]
			} else if strings.HasPrefix(k, "&(") && strings.HasSuffix(k, ")") {
				b.snippet = "&" + k[2:len(k)-1]
			}
		}
		if len(b.keys) > 0 && b.keys[0].Text == "import" && b.keys[0].Quote == 0 {
			// A top-level import line: kept as a directive of a block of
			// its own, expanded by the loader.
			d := &Directive{Name: "import", NameRange: b.keys[0].Range, Args: b.keys[1:], File: p.f, Head: b.head, Range: b.head}
			if p.i < len(p.toks) && p.toks[p.i].open() && p.toks[p.i].line == b.keys[len(b.keys)-1].endLine {
				// import name args { block }: the block fills {block} in
				// the snippet.
				p.i++
				d.Block = true
				d.Children = p.lines(1, true)
				for _, c := range d.Children {
					c.Parent = d
				}
				d.Range = p.f.Range(b.head.Start.Offset, p.toks[p.i-1].Range.End.Offset)
			}
			b.keys = nil
			b.dirs = []*Directive{d}
			b.rng = b.head
			return b
		}
	}
	if p.i >= len(p.toks) || !p.toks[p.i].open() {
		// Single-site configuration without braces: the rest of the file
		// is its directives (only when it is the only site).
		if b.global {
			return nil
		}
		b.dirs = p.lines(0, false)
		end := b.head.End.Offset
		if n := len(b.dirs); n > 0 {
			end = b.dirs[n-1].Range.End.Offset
		}
		b.rng = p.f.Range(b.head.Start.Offset, end)
		return b
	}
	p.i++ // "{"
	b.dirs = p.lines(1, true)
	closeEnd := len(p.f.Content)
	if p.toks[p.i-1].close() {
		closeEnd = p.toks[p.i-1].Range.End.Offset
	}
	b.rng = p.f.Range(b.head.Start.Offset, closeEnd)
	return b
}

// lines reads directive lines until the "}" that closes the current block
// (consumed) or the end of the file. depth is the nesting of the block.
func (p *parser) lines(depth int, braced bool) []*Directive {
	var out []*Directive
	for p.i < len(p.toks) {
		t := p.toks[p.i]
		if t.close() {
			p.i++
			if !braced {
				p.errorf(t.Range, "unexpected \"}\" with no open block")
				continue
			}
			return out
		}
		if t.open() {
			p.errorf(t.Range, "unexpected \"{\": a block must follow a directive on the same line")
			p.i++
			if depth >= maxDepth {
				p.skip()
			} else {
				p.lines(depth+1, true) // parse and drop its contents
			}
			continue
		}
		out = append(out, p.directive(depth))
	}
	if braced {
		if opener := p.opener(); opener != nil {
			p.errorf(opener.Range, "unexpected end of file: the block opened here is not closed by \"}\"")
		} else {
			p.errorf(p.f.Range(len(p.f.Content), len(p.f.Content)), "unexpected end of file: a block is not closed by \"}\"")
		}
	}
	return out
}

// opener returns the last "{" token before the current position, for an
// error about an unclosed block.
func (p *parser) opener() *Token {
	depth := 0
	for j := min(p.i, len(p.toks)) - 1; j >= 0; j-- {
		switch {
		case p.toks[j].close():
			depth++
		case p.toks[j].open():
			if depth == 0 {
				return &p.toks[j]
			}
			depth--
		}
	}
	return nil
}

// directive reads one line: its tokens, and the block it opens when its
// last token is "{".
func (p *parser) directive(depth int) *Directive {
	first := p.toks[p.i]
	d := &Directive{Name: first.Text, NameRange: first.Range, File: p.f}
	p.i++
	last := first
	for p.i < len(p.toks) && p.toks[p.i].line == last.endLine && !p.toks[p.i].close() {
		t := p.toks[p.i]
		last = t
		if t.open() {
			p.i++
			d.Block = true
			d.Head = p.f.Range(first.Range.Start.Offset, t.Range.End.Offset)
			if depth >= maxDepth {
				if !p.tooDeep {
					p.tooDeep = true
					p.errs = append(p.errs, tooDeep(t.Range))
				}
				p.skip()
			} else {
				d.Children = p.lines(depth+1, true)
				for _, c := range d.Children {
					c.Parent = d
				}
			}
			end := len(p.f.Content)
			if p.i > 0 && p.toks[p.i-1].close() {
				end = p.toks[p.i-1].Range.End.Offset
			}
			d.Range = p.f.Range(first.Range.Start.Offset, end)
			return d
		}
		d.Args = append(d.Args, t)
		p.i++
	}
	end := first.Range.End.Offset
	if n := len(d.Args); n > 0 {
		end = d.Args[n-1].Range.End.Offset
	}
	d.Head = p.f.Range(first.Range.Start.Offset, end)
	d.Range = d.Head
	return d
}

// tooDeep is the problem of a block nested deeper than maxDepth, within a
// file or through imports.
func tooDeep(at source.Range) source.Problem {
	return source.Problem{Kind: source.ProblemTooDeep, Range: at,
		Message: fmt.Sprintf("not analysed: blocks nested more than %d deep", maxDepth),
		Detail:  "The contents of this block were not analysed; the rest of the file was."}
}

// skip consumes the rest of a block whose "{" was just read, through its
// "}", without keeping anything: it does not recurse, however deep the
// block nests.
func (p *parser) skip() {
	open := 1
	for ; p.i < len(p.toks); p.i++ {
		switch t := p.toks[p.i]; {
		case t.open():
			open++
		case t.close():
			open--
			if open == 0 {
				p.i++
				return
			}
		}
	}
	p.errorf(p.f.Range(len(p.f.Content), len(p.f.Content)), "unexpected end of file: a block is not closed by \"}\"")
}
