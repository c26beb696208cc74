package suppress

import (
	"bytes"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// Syntax is the family of block and comment syntax a file is written in,
// as far as suppressions and fingerprints need to know it.
type Syntax int

const (
	// Braces: blocks are delimited by "{" and "}" (nginx, HCL, JSON).
	Braces Syntax = iota
	// Sections: a keyword line opens a section that runs until the next
	// one (HAProxy).
	Sections
	// Indent: a line opens a block of the more-indented lines after it
	// (Python, YAML).
	Indent
)

// syntaxOf picks the syntax for a tree kind, falling back to the file's
// extension for files that belong to no tree.
func syntaxOf(kind, filePath string) (Syntax, commentStyle) {
	switch kind {
	case parsers.KindNginx:
		return Braces, nginxComments
	case parsers.KindTerraform:
		return Braces, hclComments
	case parsers.KindHAProxy:
		return Sections, hashComments
	case parsers.KindPython, parsers.KindGunicorn:
		return Indent, pythonComments
	case parsers.KindCompose, parsers.KindK8s:
		return Indent, hashComments
	case parsers.KindOpenAPI:
		if strings.EqualFold(path.Ext(filePath), ".json") {
			return Braces, noComments
		}
		return Indent, hashComments
	}
	switch strings.ToLower(path.Ext(filePath)) {
	case ".cfg":
		return Sections, hashComments
	case ".py":
		return Indent, pythonComments
	case ".yaml", ".yml":
		return Indent, hashComments
	case ".toml":
		// A [table] line opens the lines up to the next one (Traefik).
		return Sections, hashComments
	case ".tf", ".hcl":
		return Braces, hclComments
	case ".json":
		return Braces, noComments
	case ".conf":
		return Braces, nginxComments
	}
	if strings.Contains(path.Base(filePath), "haproxy") {
		return Sections, hashComments
	}
	return Braces, nginxComments
}

// commentStyle says how comments and strings are written.
type commentStyle struct {
	hash        bool // "#" to the end of the line
	slashes     bool // "//" to the end of the line and "/* */" (HCL)
	tokenStart  bool // quotes and "#" count only at the start of a token (nginx)
	tripleQuote bool // Python's '''…''' and """…""" strings span lines
	// singleEscapes: a backslash escapes inside '…' too (nginx, Python;
	// not YAML or HAProxy).
	singleEscapes bool
}

var (
	nginxComments  = commentStyle{hash: true, tokenStart: true, singleEscapes: true}
	hashComments   = commentStyle{hash: true}
	hclComments    = commentStyle{hash: true, slashes: true}
	pythonComments = commentStyle{hash: true, tripleQuote: true, singleEscapes: true}
	noComments     = commentStyle{}
)

// haproxySections are the keywords that open a HAProxy section.
var haproxySections = map[string]bool{
	"global": true, "defaults": true, "frontend": true, "backend": true, "listen": true,
	"peers": true, "resolvers": true, "userlist": true, "mailers": true, "cache": true,
	"program": true, "http-errors": true, "ring": true, "fcgi-app": true, "crt-store": true,
	"traces": true, "log-forwarder": true, "acme": true,
}

// Outline is the block structure of a file: which line opens a block, where
// that block ends, and which blocks enclose a line. It is derived from the
// text alone, so it works for every format and for files that do not
// parse.
type Outline struct {
	file   *source.File
	style  commentStyle
	end    []int // end[l]: last line of the block opened on line l (0: opens none)
	parent []int // parent[l]: line opening the innermost block around l (0: none)
	// comment[l]: byte offset in the file where a comment starts on line l
	// (-1: none); code[l]: the line has something besides comments.
	comment []int
	code    []bool
}

// NewOutline derives the outline of f, written in the syntax of the given
// tree kind (or guessed from the file name when kind is "").
func NewOutline(f *source.File, kind string) *Outline {
	syn, style := syntaxOf(kind, f.Path)
	n := f.LineCount()
	o := &Outline{
		file: f, style: style,
		end: make([]int, n+2), parent: make([]int, n+2),
		comment: make([]int, n+2), code: make([]bool, n+2),
	}
	o.scanComments()
	switch syn {
	case Braces:
		o.braces()
	case Sections:
		o.sections()
	case Indent:
		o.indent()
	}
	return o
}

// lines returns the number of lines.
func (o *Outline) lines() int { return o.file.LineCount() }

// Extent returns the lines a statement starting on line covers: the line
// itself, or the whole block when the line opens one.
func (o *Outline) Extent(line int) (from, to int) {
	if line < 1 || line > o.lines() {
		return line, line
	}
	if e := o.end[line]; e > line {
		return line, e
	}
	return line, line
}

// Path returns the lines that open the blocks enclosing line, outermost
// first.
func (o *Outline) Path(line int) []int {
	if line < 1 || line > o.lines() {
		return nil
	}
	var rev []int
	seen := map[int]bool{}
	for p := o.parent[line]; p > 0 && !seen[p]; p = o.parent[p] {
		seen[p] = true
		rev = append(rev, p)
	}
	out := make([]int, len(rev))
	for i, l := range rev {
		out[len(rev)-1-i] = l
	}
	return out
}

// CommentStart returns the offset at which the comment on line begins, or
// -1 when the line has none.
func (o *Outline) CommentStart(line int) int {
	if line < 1 || line > o.lines() {
		return -1
	}
	return o.comment[line]
}

// HasCode reports whether line holds anything besides blanks and comments.
func (o *Outline) HasCode(line int) bool {
	return line >= 1 && line <= o.lines() && o.code[line]
}

// Statement returns the normalised text of line: its code without
// comments, with runs of blanks collapsed.
func (o *Outline) Statement(line int) string {
	return string(o.appendStatement(nil, line))
}

// appendStatement appends Statement(line) to buf.
func (o *Outline) appendStatement(buf []byte, line int) []byte {
	if line < 1 || line > o.lines() {
		return buf
	}
	start, end := o.file.LineStart(line), o.file.LineEnd(line)
	if c := o.comment[line]; c >= 0 && c < end {
		end = c
	}
	return appendFields(buf, o.file.Content[start:end])
}

// appendFields appends the fields of s (strings.Fields) joined by single
// spaces, without building the fields when s is ASCII.
func appendFields(buf, s []byte) []byte {
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return append(buf, strings.Join(strings.Fields(string(s)), " ")...)
		}
	}
	sep := false
	for i := 0; i < len(s); {
		if isASCIISpace(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && !isASCIISpace(s[j]) {
			j++
		}
		if sep {
			buf = append(buf, ' ')
		}
		buf, sep, i = append(buf, s[i:j]...), true, j
	}
	return buf
}

// isASCIISpace is unicode.IsSpace for bytes below utf8.RuneSelf.
func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// scanComments finds, for every line, where its comment starts and
// whether it holds code, following the format's quoting rules closely
// enough that a "#" inside a string is not taken for a comment.
func (o *Outline) scanComments() {
	b := o.file.Content
	for i := range o.comment {
		o.comment[i] = -1
	}
	var (
		line        = 1
		quote       byte   // the open quote, 0 outside strings
		triple      string // the open Python triple quote
		blockCmt    bool   // inside /* */
		inComment   bool   // after "#" or "//" until the end of the line
		tokenStart  = true // the previous byte ends a token
		escapeNext  bool
		hasCodeHere bool
	)
	st := o.style
	first := 0
	if o.file.HasBOM() {
		first = 3
	}
	for i := first; i < len(b); i++ {
		c := b[i]
		if c == '\n' {
			o.code[line] = hasCodeHere
			line++
			hasCodeHere, inComment, tokenStart, escapeNext = false, false, true, false
			if quote != 0 && !st.tripleQuote {
				// Strings spanning lines (nginx, HAProxy allow it) keep
				// their quote; everything else ends at the line.
				if !st.tokenStart {
					quote = 0
				}
			}
			continue
		}
		if inComment {
			continue
		}
		if c == '\r' && i+1 < len(b) && b[i+1] == '\n' {
			continue
		}
		if blockCmt {
			if c == '*' && i+1 < len(b) && b[i+1] == '/' {
				blockCmt = false
				i++
			}
			continue
		}
		if triple != "" {
			hasCodeHere = true
			if escapeNext {
				escapeNext = false
			} else if c == '\\' {
				escapeNext = true
			} else if bytes.HasPrefix(b[i:], []byte(triple)) {
				i += 2
				triple = ""
			}
			continue
		}
		if quote != 0 {
			hasCodeHere = true
			switch {
			case escapeNext:
				escapeNext = false
			case c == '\\' && (quote == '"' || st.singleEscapes):
				escapeNext = true
			case c == quote:
				quote = 0
				tokenStart = false
			}
			continue
		}
		switch {
		case c == '#' && st.hash && (!st.tokenStart || tokenStart),
			st.slashes && c == '/' && i+1 < len(b) && b[i+1] == '/':
			o.comment[line] = i
			inComment = true
			// The comment runs to the end of the line: go there at once.
			if n := bytes.IndexByte(b[i+1:], '\n'); n >= 0 {
				i += n
			} else {
				i = len(b) - 1
			}
			continue
		case st.slashes && c == '/' && i+1 < len(b) && b[i+1] == '*':
			blockCmt = true
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r':
			tokenStart = true
			continue
		}
		hasCodeHere = true
		if (c == '"' || c == '\'') && (!st.tokenStart || tokenStart) {
			if st.tripleQuote && i+2 < len(b) && b[i+1] == c && b[i+2] == c {
				triple = string([]byte{c, c, c})
				i += 2
				continue
			}
			quote = c
			continue
		}
		tokenStart = c == ';' || c == '{' || c == '}'
	}
	o.code[line] = hasCodeHere
}

// braces matches "{" and "}" outside comments and strings.
func (o *Outline) braces() {
	b := o.file.Content
	var stack []int
	line := 1
	first := 0
	if o.file.HasBOM() {
		first = 3
	}
	quote := byte(0)
	tokenStart, escapeNext, blockCmt := true, false, false
	n := o.lines()
	lineEnd := o.file.LineEnd(1)
	commentAt := o.comment[1]
	for i := first; i < len(b); i++ {
		c := b[i]
		if c == '\n' {
			line++
			if line <= n {
				lineEnd = o.file.LineEnd(line)
				commentAt = o.comment[line]
				if len(stack) > 0 {
					o.parent[line] = stack[len(stack)-1]
				}
			}
			tokenStart, escapeNext = true, false
			if !o.style.tokenStart {
				quote = 0
			}
			continue
		}
		if commentAt >= 0 && i >= commentAt && i < lineEnd {
			i = lineEnd - 1 // the rest of the line is the comment
			continue
		}
		if blockCmt {
			if c == '*' && i+1 < len(b) && b[i+1] == '/' {
				blockCmt = false
				i++
			}
			continue
		}
		if quote == 0 && o.style.slashes && c == '/' && i+1 < len(b) && b[i+1] == '*' {
			blockCmt = true
			i++
			continue
		}
		if quote != 0 {
			switch {
			case escapeNext:
				escapeNext = false
			case c == '\\' && (quote == '"' || o.style.singleEscapes):
				escapeNext = true
			case c == quote:
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			if !o.style.tokenStart || tokenStart {
				quote = c
				continue
			}
		case '{':
			stack = append(stack, line)
		case '}':
			if len(stack) > 0 {
				open := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if line > o.end[open] {
					o.end[open] = line
				}
			}
		}
		tokenStart = c == ' ' || c == '\t' || c == ';' || c == '{' || c == '}'
	}
	// Blocks left open (a syntax error) run to the end of the file.
	for _, open := range stack {
		if n > o.end[open] {
			o.end[open] = n
		}
	}
}

// sections outlines flat sections: HAProxy's, and TOML's [tables] (a
// HAProxy line never starts with "[").
func (o *Outline) sections() {
	n := o.lines()
	current := 0
	lastCode := 0
	for l := 1; l <= n; l++ {
		if !o.code[l] {
			continue
		}
		fields := strings.Fields(o.Statement(l))
		if len(fields) > 0 && (haproxySections[strings.ToLower(fields[0])] || strings.HasPrefix(fields[0], "[")) {
			if current > 0 {
				o.end[current] = lastCode
			}
			current = l
			lastCode = l
			continue
		}
		o.parent[l] = current
		lastCode = l
	}
	if current > 0 {
		o.end[current] = lastCode
	}
}

// indent outlines indentation-structured files. Python continuation lines
// (inside brackets, after a backslash, inside a multi-line string) belong
// to the line that starts the statement.
func (o *Outline) indent() {
	n := o.lines()
	type open struct{ line, width int }
	var stack []open
	logical := o.logicalStarts()
	lastCode := 0
	closeTo := func(width int, before int) {
		for len(stack) > 0 && stack[len(stack)-1].width >= width {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if before > top.line {
				o.end[top.line] = before
			}
		}
	}
	for l := 1; l <= n; l++ {
		if !o.code[l] {
			continue
		}
		if start := logical[l]; start != l {
			// A continuation line: part of the statement on start.
			o.parent[l] = start
			if l > o.end[start] {
				o.end[start] = l
			}
			lastCode = l
			continue
		}
		w := indentWidth(o.file.Line(l))
		closeTo(w, lastCode)
		if len(stack) > 0 {
			o.parent[l] = stack[len(stack)-1].line
		}
		stack = append(stack, open{l, w})
		lastCode = l
	}
	closeTo(0, lastCode)
	// Blocks nested in a block extend it.
	for l := n; l >= 1; l-- {
		if p := o.parent[l]; p > 0 && o.end[l] > o.end[p] {
			o.end[p] = o.end[l]
		}
	}
}

// logicalStarts maps every line to the line where its logical statement
// starts (itself, except for Python continuation lines).
func (o *Outline) logicalStarts() []int {
	n := o.lines()
	starts := make([]int, n+2)
	for l := range starts {
		starts[l] = l
	}
	if !o.style.tripleQuote {
		return starts
	}
	depth := 0
	start := 0
	continued := false
	quote := byte(0)
	triple := ""
	for l := 1; l <= n; l++ {
		if (depth > 0 || continued || triple != "") && start > 0 {
			starts[l] = start
		} else {
			start = l
		}
		continued = false
		text := o.file.Content[o.file.LineStart(l):o.file.LineEnd(l)]
		cmt := o.comment[l] - o.file.LineStart(l)
		for i := 0; i < len(text); i++ {
			if cmt >= 0 && i >= cmt && triple == "" && quote == 0 {
				break
			}
			c := text[i]
			if triple != "" {
				if c == '\\' {
					i++
				} else if bytes.HasPrefix(text[i:], []byte(triple)) {
					i += 2
					triple = ""
				}
				continue
			}
			if quote != 0 {
				if c == '\\' {
					i++
				} else if c == quote {
					quote = 0
				}
				continue
			}
			switch c {
			case '"', '\'':
				if i+2 < len(text) && text[i+1] == c && text[i+2] == c {
					triple = string([]byte{c, c, c})
					i += 2
				} else {
					quote = c
				}
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				if depth > 0 {
					depth--
				}
			case '\\':
				if i == len(text)-1 {
					continued = true
				}
			}
		}
		quote = 0
	}
	return starts
}

// indentWidth measures leading blanks, a tab advancing to the next
// multiple of 8 as Python does.
func indentWidth(line []byte) int {
	w := 0
	for _, c := range line {
		switch c {
		case ' ':
			w++
		case '\t':
			w = (w/8 + 1) * 8
		default:
			return w
		}
	}
	return w
}
