package nginx

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// maxDepth caps block nesting, within a file and through includes. Real
// configurations nest a handful of levels (http, server, location, if);
// the cap keeps hostile input from building absurdly deep trees, which
// every walk over them recurses through. Deeper blocks are reported
// (E006) and their contents not analysed.
const maxDepth = 200

// maxErrors caps the syntax errors reported per file: after that many, the
// rest are consequences of the first ones more often than not.
const maxErrors = 20

// Parse parses one file into its top-level directives without following
// includes. Problems are syntax errors (E001) with positions; the parser
// recovers from each, so the directives around a mistake are still
// returned. Every directive's File is f and its Parent and Via are nil at
// the top level. A file beyond maxOffset bytes, which directives cannot
// locate, is reported skipped (E004) rather than parsed.
func Parse(f *source.File) ([]*Directive, []source.Problem) {
	if len(f.Content) > maxOffset {
		return nil, []source.Problem{{Kind: source.ProblemSkipped, Range: f.Range(0, 0),
			Message: fmt.Sprintf("skipped: %d bytes, beyond the %d bytes an nginx file may have here", len(f.Content), maxOffset)}}
	}
	lx := newLexer(f)
	type frame struct {
		dir     *Directive // nil for the top level
		discard bool       // a block without a name or nested too deep
	}
	var (
		top     []*Directive
		stack   []frame
		current = &top
		lists   []*[]*Directive
	)
	push := func(d *Directive, discard bool) {
		stack = append(stack, frame{dir: d, discard: discard})
		lists = append(lists, current)
		if d != nil {
			current = &d.Children
		} else {
			var sink []*Directive
			current = &sink
		}
	}
	pop := func() frame {
		fr := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		current = lists[len(lists)-1]
		lists = lists[:len(lists)-1]
		return fr
	}
	tooDeep := false
	// Directives are allocated a chunk at a time: chunks double up to 128
	// directives and stay within the statements left.
	var chunk []Directive
	size := 4
	for {
		st := lx.next()
		switch st.term {
		case termEOF:
			for len(stack) > 0 {
				fr := pop()
				if fr.dir != nil && !lx.eofInQuote {
					lx.errs = append(lx.errs, source.Problem{
						Kind:    source.ProblemSyntax,
						Range:   fr.dir.Head(),
						Message: fmt.Sprintf("unexpected end of file: the %q block opened here is not closed by \"}\"", fr.dir.Name),
						Related: []source.Related{{Range: f.Range(len(f.Content), len(f.Content)), Message: "end of file"}},
					})
				}
				if fr.dir != nil {
					fr.dir.end = int32(len(f.Content))
				}
			}
			return top, capErrors(f, append(lx.errs, invalidUTF8(f)...))
		case termBlockEnd:
			if len(stack) == 0 {
				lx.errorf(st.termStart, st.termEnd, "unexpected \"}\" with no open block")
				continue
			}
			fr := pop()
			if fr.dir != nil {
				fr.dir.end = int32(st.termEnd)
			}
			continue
		}
		if len(st.args) == 0 {
			if st.term == termBlockStart {
				push(nil, true)
			}
			continue
		}
		if len(chunk) == 0 {
			size = min(2*size, 128)
			chunk = make([]Directive, max(min(size, lx.statementsLeft+1), 1))
		}
		d := &chunk[0]
		chunk = chunk[1:]
		name := st.args[0]
		d.Name, d.Args, d.File = name.Value, st.args[1:], f
		if len(d.Args) == 0 {
			d.Args = nil
		}
		d.start, d.nameEnd = name.off, name.off+int32(len(name.Raw))
		d.headEnd, d.end = int32(st.termEnd), int32(st.termEnd)
		discardParent := len(stack) > 0 && stack[len(stack)-1].discard
		if !discardParent {
			*current = append(*current, d)
		}
		if st.term != termBlockStart {
			continue
		}
		d.Block = true
		if strings.HasSuffix(d.Name, "_by_lua_block") {
			// The body is Lua, not nginx syntax: skip it as
			// lua-nginx-module does.
			d.Opaque = true
			end := lx.skipLuaBlock()
			if end < 0 {
				lx.errs = append(lx.errs, source.Problem{
					Kind:    source.ProblemSyntax,
					Range:   d.Head(),
					Message: fmt.Sprintf("unexpected end of file: the Lua block of %q opened here is not closed by \"}\"", d.Name),
				})
				d.end = int32(len(f.Content))
			} else {
				d.end = int32(end + 1)
			}
			continue
		}
		if len(stack) >= maxDepth {
			if !tooDeep {
				tooDeep = true
				lx.errs = append(lx.errs, source.Problem{Kind: source.ProblemTooDeep, Range: f.Range(st.termStart, st.termEnd),
					Message: fmt.Sprintf("not analysed: blocks nested more than %d deep", maxDepth),
					Detail:  "The contents of this block were not analysed; the rest of the file was."})
			}
			push(d, true)
			continue
		}
		push(d, discardParent)
	}
}

func capErrors(f *source.File, errs []source.Problem) []source.Problem {
	if len(errs) <= maxErrors {
		return errs
	}
	extra := len(errs) - maxErrors
	errs = errs[:maxErrors]
	last := errs[maxErrors-1]
	errs = append(errs, source.Problem{
		Kind:    source.ProblemSyntax,
		Range:   last.Range,
		Message: fmt.Sprintf("%d more syntax errors in %s were not reported", extra, f.Path),
	})
	return errs
}

// invalidUTF8 reports the first byte that is not valid UTF-8. nginx reads
// bytes and does not care; mtlslint reads them as nginx does, so the file
// is analysed, but values containing such bytes are shown with replacement
// characters and compared byte for byte.
func invalidUTF8(f *source.File) []source.Problem {
	b := f.Content
	if utf8.Valid(b) {
		return nil // most files: checked eight bytes at a time
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return []source.Problem{{
				Kind:    source.ProblemNotAnalysed,
				Range:   f.Range(i, i+1),
				Message: fmt.Sprintf("byte 0x%02X is not valid UTF-8; nginx reads bytes as they are and so does mtlslint, but names and values containing such bytes are compared byte for byte and may display wrongly (save the file as UTF-8)", b[i]),
			}}
		}
		i += size
	}
	return nil
}
