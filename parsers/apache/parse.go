package apache

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The reader follows httpd's own (server/util.c, server/config.c):
//
//   - a line that ends in "\" (before an optional CR) continues on the next
//     line; the backslash and the line break are removed, the next line's
//     indentation is kept (a comment line continues the same way);
//   - leading and trailing white space is trimmed; a line that then starts
//     with "#" is a comment, and "#" anywhere else is an ordinary
//     character, so a "comment" after a directive is read as arguments;
//   - words are split at white space; a word that starts with " or ' runs
//     to the matching quote, in which \<quote> and \\ stand for the
//     character; in unquoted words \\ stands for \;
//   - "<Name args>" opens a section and "</Name>" closes it; the arguments
//     end at the last ">" of the line.
//
// Where httpd stops at the first error, the parser reports it and recovers,
// so that one mistake does not hide the rest of the file.

// maxDepth caps section nesting, within a file and through includes.
// Real configurations nest a few levels (VirtualHost, IfModule,
// Location); every walk over the tree recurses once per level, and each
// section kept costs memory, so deeper sections are not kept: their
// contents are skipped (E006) and the rest of the file is analysed.
const maxDepth = 200

// maxErrors caps the syntax errors reported per file.
const maxErrors = 20

// logicalLine is one line as httpd reads it: continuation lines joined.
// A line without continuation is a slice of the file; segs map offsets of
// text back to the file.
type logicalLine struct {
	text []byte
	segs []segment // in order of text offset; the first has at 0
}

// segment says that text from offset at on comes from the file from
// offset file on.
type segment struct{ at, file int }

// fileOffset maps an offset of the line's text to a file offset.
func (l *logicalLine) fileOffset(i int) int {
	s := l.segs[0]
	for _, x := range l.segs[1:] {
		if x.at > i {
			break
		}
		s = x
	}
	return s.file + i - s.at
}

func (l *logicalLine) rangeOf(f *source.File, start, end int) source.Range {
	return f.Range(l.fileOffset(start), l.fileOffset(end))
}

// lines splits f into logical lines (trimmed, comments and blank lines
// dropped).
func lines(f *source.File) []logicalLine {
	src := f.Content
	pos := 0
	if f.HasBOM() {
		pos = 3
	}
	var out []logicalLine
	// The lines' first segments share arrays of segChunk: one allocation
	// for many lines instead of one each. A continued line's further
	// segments go to an array of its own (its slice has no room left).
	var segs []segment
	for pos < len(src) {
		if len(segs) == cap(segs) {
			segs = make([]segment, 0, segChunk)
		}
		segs = append(segs, segment{0, pos})
		ll := logicalLine{segs: segs[len(segs)-1 : len(segs) : len(segs)]}
		var joined []byte // only for continued lines
		for {
			end := pos
			if i := bytes.IndexByte(src[pos:], '\n'); i >= 0 {
				end = pos + i
			} else {
				end = len(src)
			}
			textEnd := end
			if textEnd > pos && src[textEnd-1] == '\r' {
				textEnd--
			}
			next := end
			if next < len(src) {
				next++ // past "\n"
			}
			if textEnd > pos && src[textEnd-1] == '\\' && end < len(src) {
				joined = append(joined, src[pos:textEnd-1]...)
				ll.segs = append(ll.segs, segment{len(joined), next})
				pos = next
				continue
			}
			if joined == nil {
				ll.text = src[pos:textEnd]
			} else {
				ll.text = append(joined, src[pos:textEnd]...)
			}
			pos = next
			break
		}
		// Trim white space at both ends, as cfg_trim_line does.
		s, e := 0, len(ll.text)
		for s < e && isSpace(ll.text[s]) {
			s++
		}
		for e > s && isSpace(ll.text[e-1]) {
			e--
		}
		if s == e || ll.text[s] == '#' {
			continue
		}
		out = append(out, ll.shift(s, e))
	}
	return out
}

// segChunk is how many lines' first segments lines allocates at once.
const segChunk = 128

// shift returns the line's text [s, e) as a line of its own. It reuses
// l's segments (each is read before it is overwritten): l is not used
// after.
func (l logicalLine) shift(s, e int) logicalLine {
	out := logicalLine{text: l.text[s:e], segs: l.segs[:0]}
	for i, x := range l.segs {
		if i+1 < len(l.segs) && l.segs[i+1].at <= s {
			continue // wholly before s
		}
		at := x.at - s
		file := x.file
		if at < 0 {
			file -= at
			at = 0
		}
		out.segs = append(out.segs, segment{at, file})
	}
	return out
}

// isSpace is apr_isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// word is one word of a logical line: [start, end) in the line's text.
type word struct {
	value      string
	quote      byte
	start, end int
}

// words splits a logical line as ap_getword_conf does.
func words(t []byte) []word { return appendWords(nil, t) }

// appendWords is words appending to out (Parse reuses one array for
// every line).
func appendWords(out []word, t []byte) []word {
	i := 0
	for {
		for i < len(t) && isSpace(t[i]) {
			i++
		}
		if i >= len(t) {
			return out
		}
		start := i
		if q := t[i]; q == '"' || q == '\'' {
			j := i + 1
			for j < len(t) && t[j] != q {
				if t[j] == '\\' && j+1 < len(t) && (t[j+1] == q || t[j+1] == '\\') {
					j += 2
				} else {
					j++
				}
			}
			val := unescape(t[i+1:j], q)
			if j < len(t) {
				j++ // the closing quote
			}
			out = append(out, word{val, q, start, j})
			i = j
			continue
		}
		j := i
		for j < len(t) && !isSpace(t[j]) {
			j++
		}
		out = append(out, word{unescape(t[i:j], 0), 0, start, j})
		i = j
	}
}

// unescape is substring_conf: \\ is \, and in a quoted word \<quote> is the
// quote.
func unescape(b []byte, quote byte) string {
	if !containsByte(b, '\\') {
		return string(b)
	}
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) && (b[i+1] == '\\' || (quote != 0 && b[i+1] == quote)) {
			i++
		}
		sb.WriteByte(b[i])
	}
	return sb.String()
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// Parse parses one file into its top-level directives without following
// includes. Problems are syntax errors (E001) with positions; the parser
// recovers from each.
func Parse(f *source.File) ([]*Directive, []source.Problem) {
	var (
		top   []*Directive
		stack []*Directive
		errs  []source.Problem
	)
	errorf := func(r source.Range, format string, args ...any) {
		errs = append(errs, source.Problem{Kind: source.ProblemSyntax, Range: r, Message: fmt.Sprintf(format, args...)})
	}
	add := func(d *Directive) {
		if len(stack) == 0 {
			top = append(top, d)
			return
		}
		p := stack[len(stack)-1]
		p.Children = append(p.Children, d)
	}
	if f.HasBOM() {
		// httpd reads the byte order mark as part of the first word.
		errorf(f.Range(0, 3), "the file starts with a UTF-8 byte order mark, which httpd reads as part of the first directive's name (\"Invalid command\"); save the file without it")
	}
	// skipped counts the sections open below the deepest one kept: their
	// lines are read only for their tags. skippedAt is the first section
	// not kept (reported once per file).
	skipped := 0
	var skippedAt *Directive
	var ws []word
	for _, ll := range lines(f) {
		ws = appendWords(ws[:0], ll.text)
		if len(ws) == 0 {
			continue
		}
		head := ll.rangeOf(f, 0, len(ll.text))
		first := ws[0]
		if skipped > 0 {
			switch {
			case first.quote == 0 && strings.HasPrefix(first.value, "</"):
				skipped--
			case first.quote == 0 && strings.HasPrefix(first.value, "<") && len(first.value) > 1:
				skipped++
			}
			continue
		}
		if first.quote == 0 && strings.HasPrefix(first.value, "</") {
			name := strings.TrimSuffix(first.value[2:], ">")
			if len(stack) == 0 {
				errorf(head, "</%s> without matching <%s> section", name, name)
				continue
			}
			open := stack[len(stack)-1]
			if !strings.EqualFold(name, open.Name) {
				errorf(head, "expected </%s> but saw </%s>", open.Name, name)
				// Recover: close the innermost section of that name, or
				// ignore the tag when none is open.
				i := len(stack) - 1
				for i >= 0 && !strings.EqualFold(stack[i].Name, name) {
					i--
				}
				if i < 0 {
					continue
				}
				for len(stack) > i {
					closeSection(f, stack[len(stack)-1], head)
					stack = stack[:len(stack)-1]
				}
				continue
			}
			closeSection(f, open, head)
			stack = stack[:len(stack)-1]
			continue
		}
		d := &Directive{File: f, Head: head, Range: head}
		if first.quote == 0 && strings.HasPrefix(first.value, "<") && len(first.value) > 1 {
			d.Section = true
			d.Name = strings.TrimSuffix(first.value[1:], ">")
			d.NameRange = ll.rangeOf(f, first.start, first.start+1+len(d.Name))
			// The arguments end at the last ">" of the line.
			gt := lastIndex(ll.text, '>')
			if gt < 0 {
				errorf(head, "<%s> directive missing closing '>'", d.Name)
				gt = len(ll.text)
			}
			if first.end-1 == gt && strings.HasSuffix(first.value, ">") {
				// "<Name>" without arguments
			} else {
				inner := ll.text[:gt]
				for _, w := range words(inner)[1:] {
					d.Args = append(d.Args, argOf(f, &ll, w))
				}
			}
			if d.Name == "" {
				errorf(head, "a section needs a name after \"<\"")
			}
		} else {
			d.Name = first.value
			d.NameRange = ll.rangeOf(f, first.start, first.end)
			if len(ws) > 1 {
				d.Args = make([]Arg, 0, len(ws)-1)
			}
			for _, w := range ws[1:] {
				a := argOf(f, &ll, w)
				if w.quote == 0 && strings.HasPrefix(w.value, "#") {
					errorf(a.Range, "\"#\" after a directive does not start a comment in httpd: %q is read as an argument of %s, and httpd refuses the configuration; put the comment on a line of its own", strings.TrimSpace(string(ll.text[w.start:])), d.Name)
					break
				}
				d.Args = append(d.Args, a)
			}
		}
		if d.Section && len(stack) >= maxDepth {
			if skippedAt == nil {
				skippedAt = d
				errs = append(errs, tooDeep(head))
			}
			skipped = 1
			continue
		}
		add(d)
		if d.Section {
			stack = append(stack, d)
		}
	}
	for i := len(stack) - 1; i >= 0; i-- {
		d := stack[i]
		// httpd reads the body of a conditional section whose condition
		// holds up to its end tag or the end of the file, and accepts a
		// missing end tag (measured with 2.4.71); mtlslint takes positive
		// conditions to hold.
		if !conditional(d.Name) || strings.HasPrefix(d.Arg(0), "!") {
			errorf(d.Head, "<%s> was not closed: end of file reached before </%s>", d.Name, d.Name)
		}
		d.Range = f.Range(d.Range.Start.Offset, len(f.Content))
	}
	return top, capErrors(f, append(errs, invalidUTF8(f)...))
}

// conditional reports the sections whose contents httpd reads only when a
// condition holds.
func conditional(name string) bool {
	switch strings.ToLower(name) {
	case "ifmodule", "ifdefine", "ifversion", "iffile", "ifdirective", "ifsection":
		return true
	}
	return false
}

// tooDeep is the problem of a section nested deeper than maxDepth, within
// a file or through includes.
func tooDeep(at source.Range) source.Problem {
	return source.Problem{Kind: source.ProblemTooDeep, Range: at,
		Message: fmt.Sprintf("not analysed: sections nested more than %d deep", maxDepth),
		Detail:  "This section and what it contains were not analysed; the rest of the file was."}
}

func closeSection(f *source.File, d *Directive, closing source.Range) {
	d.Range = f.Range(d.Range.Start.Offset, closing.End.Offset)
}

func argOf(f *source.File, ll *logicalLine, w word) Arg {
	r := ll.rangeOf(f, w.start, w.end)
	return Arg{Value: w.value, Raw: string(f.Content[r.Start.Offset:r.End.Offset]), Quote: w.quote, Range: r}
}

func lastIndex(b []byte, c byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == c {
			return i
		}
	}
	return -1
}

func capErrors(f *source.File, errs []source.Problem) []source.Problem {
	if len(errs) <= maxErrors {
		return errs
	}
	extra := len(errs) - maxErrors
	errs = errs[:maxErrors]
	errs = append(errs, source.Problem{
		Kind:    source.ProblemSyntax,
		Range:   errs[maxErrors-1].Range,
		Message: fmt.Sprintf("%d more syntax errors in %s were not reported", extra, f.Path),
	})
	return errs
}

// invalidUTF8 reports the first byte that is not valid UTF-8: httpd reads
// bytes as they are, so the file is analysed, but such values compare byte
// for byte and may display wrongly.
func invalidUTF8(f *source.File) []source.Problem {
	b := f.Content
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return []source.Problem{{
				Kind:    source.ProblemNotAnalysed,
				Range:   f.Range(i, i+1),
				Message: fmt.Sprintf("byte 0x%02X is not valid UTF-8; httpd reads bytes as they are and so does mtlslint, but values containing such bytes compare byte for byte and may display wrongly", b[i]),
			}}
		}
		i += size
	}
	return nil
}
