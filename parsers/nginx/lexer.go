package nginx

import (
	"bytes"
	"fmt"
	"strings"
	"unsafe"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The tokenizer follows ngx_conf_read_token in src/core/ngx_conf_file.c
// state for state, so that a file is split into words exactly where nginx
// splits it:
//
//   - words are separated by space, tab, CR and LF; ";" and "{" end a word,
//     "}" does not (it is part of "a}b") and neither does "#" ("a#b");
//   - a word that starts with ' or " runs to the matching quote; after the
//     closing quote only whitespace, ";", "{" or ")" may follow;
//   - a backslash makes the next byte part of the word, and in the value
//     \" \' \\ \t \r \n are resolved while any other \x stays as written;
//   - "{" right after "$" belongs to the word (${var});
//   - "#" at the start of a word starts a comment to the end of the line.
//
// Where nginx stops at the first error, the tokenizer reports it and
// recovers, so that one mistake does not hide the rest of the file.

// maxWordLen mirrors NGX_CONF_BUFFER: nginx refuses a word that fills its
// 4096-byte read buffer ("too long parameter").
const maxWordLen = 4096

// termKind says how a statement ended.
type termKind int

const (
	termSemicolon  termKind = iota // "a b;"
	termBlockStart                 // "a b {"
	termBlockEnd                   // "}"
	termEOF                        // end of file
)

type lexer struct {
	file *source.File
	src  []byte
	// text is src as one string: the words' Raw and Value are substrings
	// of it rather than a string each. It is the file's Content itself,
	// not a copy: a source.File's bytes are never written once read (an
	// edit makes a new File), and a copy kept the text of every
	// configuration twice for as long as its tree lives.
	text string
	pos  int
	errs []source.Problem
	// eofInQuote is set when the file ended inside a quoted string: the
	// blocks left open are a consequence, not errors of their own.
	eofInQuote bool
	// buf collects the words of a statement; next copies them out at
	// their exact size, into args.
	buf []Arg
	// args is where the words of the next statements go: one allocation
	// for many statements.
	args []Arg
	// statementsLeft is at least the number of statements not yet read:
	// every statement but the last ends in ";" or "{" (comments and
	// quoted text make it more), which sizes the chunks of args and of
	// the parser's directives.
	statementsLeft int
}

func newLexer(f *source.File) *lexer {
	lx := &lexer{file: f, src: f.Content, text: unsafe.String(unsafe.SliceData(f.Content), len(f.Content)),
		statementsLeft: bytes.Count(f.Content, semicolon) + bytes.Count(f.Content, openBrace) + 1}
	if f.HasBOM() {
		// nginx itself reads the byte order mark as part of the first
		// directive's name and fails with "unknown directive"; say so,
		// and read the rest as nginx would without it.
		lx.errs = append(lx.errs, source.Problem{
			Kind:          source.ProblemSyntax,
			Range:         lx.file.Range(0, 3),
			Message:       "the file starts with a UTF-8 byte order mark, which nginx fails on (\"unknown directive\")",
			Detail:        "nginx reads the byte order mark as part of the first directive's name; save the file without it.",
			LegacyMessage: "the file starts with a UTF-8 byte order mark, which nginx reads as part of the first directive's name (\"unknown directive\"); save the file without it",
		})
		lx.pos = 3
	}
	return lx
}

var semicolon, openBrace = []byte{';'}, []byte{'{'}

func (lx *lexer) errorf(start, end int, format string, args ...any) {
	lx.errs = append(lx.errs, source.Problem{
		Kind:    source.ProblemSyntax,
		Range:   lx.file.Range(start, end),
		Message: fmt.Sprintf(format, args...),
	})
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// statement is what one call of next returns: the words up to a
// terminator.
type statement struct {
	args []Arg
	term termKind
	// termStart/termEnd locate the terminator (";", "{", "}"); for a
	// statement that ended without one (recovery) both are the end of the
	// last word.
	termStart, termEnd int
	// missingTerm is set when the statement was cut short by an error and
	// has no terminator of its own.
	missingTerm bool
}

// next reads one statement, as ngx_conf_read_token does.
func (lx *lexer) next() statement {
	st := lx.scan()
	lx.buf = st.args[:0]
	lx.statementsLeft--
	if n := len(st.args); n > 0 {
		if cap(lx.args)-len(lx.args) < n {
			// Chunks double, up to a few hundred statements, and
			// stay within two words for each statement left.
			lx.args = make([]Arg, 0, max(n, min(max(2*cap(lx.args), 16), 2*lx.statementsLeft, 1024)))
		}
		args := lx.args[len(lx.args) : len(lx.args)+n : len(lx.args)+n]
		copy(args, st.args)
		lx.args = lx.args[:len(lx.args)+n]
		st.args = args
	}
	return st
}

func (lx *lexer) scan() statement {
	var (
		st         = statement{args: lx.buf[:0]}
		start      = lx.pos // start of the current word
		lastSpace  = true
		needSpace  = false
		sharp      = false
		quoted     = false
		sQuoted    = false
		dQuoted    = false
		variable   = false
		quoteStart = -1 // offset of the opening quote of the current word
	)
	src := lx.src
	for {
		if lx.pos >= len(src) {
			if len(st.args) > 0 || !lastSpace {
				switch {
				case sQuoted || dQuoted:
					lx.eofInQuote = true
					lx.errorf(quoteStart, quoteStart+1, "unexpected end of file: the quoted string that starts here is not closed")
					// Keep what was read as the word, so the directive
					// still has its name and earlier arguments.
					st.args = append(st.args, lx.word(start, len(src), quoteStart, len(src)))
				case !lastSpace && !needSpace:
					st.args = append(st.args, lx.word(start, len(src), -1, len(src)))
					lx.errorf(len(src), len(src), "unexpected end of file, expecting \";\" or \"}\"")
				default:
					lx.errorf(len(src), len(src), "unexpected end of file, expecting \";\" or \"}\"")
				}
				st.term = termSemicolon
				st.missingTerm = true
				st.termStart, st.termEnd = len(src), len(src)
				return st
			}
			st.term = termEOF
			st.termStart, st.termEnd = len(src), len(src)
			return st
		}
		switch {
		case sharp:
			// A comment runs to the end of the line.
			if n := bytes.IndexByte(src[lx.pos:], '\n'); n >= 0 {
				lx.pos += n
			} else {
				lx.pos = len(src)
				continue
			}
		case lastSpace || needSpace || quoted || variable:
		case dQuoted:
			lx.pos = skipPlain(src, lx.pos, '"')
		case sQuoted:
			lx.pos = skipPlain(src, lx.pos, '\'')
		default:
			// Inside a word: only blanks, ";", "{", "\\" and "$" matter.
			for lx.pos < len(src) && !wordSpecial[src[lx.pos]] {
				lx.pos++
			}
		}
		if lx.pos >= len(src) {
			continue
		}
		ch := src[lx.pos]
		lx.pos++

		if sharp {
			if ch == '\n' {
				sharp = false
			}
			continue
		}
		if quoted {
			quoted = false
			continue
		}
		if needSpace {
			switch {
			case isSpace(ch):
				lastSpace = true
				needSpace = false
				continue
			case ch == ';':
				st.term = termSemicolon
				st.termStart, st.termEnd = lx.pos-1, lx.pos
				return st
			case ch == '{':
				st.term = termBlockStart
				st.termStart, st.termEnd = lx.pos-1, lx.pos
				return st
			case ch == ')':
				lastSpace = true
				needSpace = false
			default:
				lx.errorf(lx.pos-1, lx.pos, "unexpected %q after a quoted string; put a space before it", string(ch))
				// Recover: the character starts the next word.
				lastSpace = true
				needSpace = false
			}
		}
		if lastSpace {
			start = lx.pos - 1
			quoteStart = -1
			if isSpace(ch) {
				continue
			}
			switch ch {
			case ';', '{':
				if len(st.args) == 0 {
					lx.errorf(lx.pos-1, lx.pos, "unexpected %q with no directive before it", string(ch))
					if ch == ';' {
						continue
					}
					// A block without a name: parse its contents (and
					// its closing brace) and drop it.
				}
				if ch == '{' {
					st.term = termBlockStart
				} else {
					st.term = termSemicolon
				}
				st.termStart, st.termEnd = lx.pos-1, lx.pos
				return st
			case '}':
				if len(st.args) > 0 {
					lastArg := st.args[len(st.args)-1]
					last := int(lastArg.off) + len(lastArg.Raw)
					lx.errorf(last, last, "directive %q is not terminated by \";\" before \"}\"", st.args[0].Value)
					lx.pos-- // the "}" closes the block on the next call
					st.term = termSemicolon
					st.missingTerm = true
					st.termStart, st.termEnd = last, last
					return st
				}
				st.term = termBlockEnd
				st.termStart, st.termEnd = lx.pos-1, lx.pos
				return st
			case '#':
				sharp = true
				continue
			case '\\':
				quoted = true
				lastSpace = false
				continue
			case '"':
				quoteStart = start
				start++
				dQuoted = true
				lastSpace = false
				continue
			case '\'':
				quoteStart = start
				start++
				sQuoted = true
				lastSpace = false
				continue
			case '$':
				variable = true
				lastSpace = false
				continue
			default:
				lastSpace = false
			}
			continue
		}
		if ch == '{' && variable {
			continue
		}
		variable = false
		if ch == '\\' {
			quoted = true
			continue
		}
		if ch == '$' {
			variable = true
			continue
		}
		found := false
		switch {
		case dQuoted:
			if ch == '"' {
				dQuoted = false
				needSpace = true
				found = true
			}
		case sQuoted:
			if ch == '\'' {
				sQuoted = false
				needSpace = true
				found = true
			}
		case isSpace(ch) || ch == ';' || ch == '{':
			lastSpace = true
			found = true
		}
		if !found {
			continue
		}
		end := lx.pos - 1 // the word's content ends before ch
		rawEnd := end
		if quoteStart >= 0 {
			rawEnd = lx.pos // include the closing quote
		}
		st.args = append(st.args, lx.word(start, end, quoteStart, rawEnd))
		switch ch {
		case ';':
			st.term = termSemicolon
			st.termStart, st.termEnd = lx.pos-1, lx.pos
			return st
		case '{':
			st.term = termBlockStart
			st.termStart, st.termEnd = lx.pos-1, lx.pos
			return st
		}
	}
}

// wordSpecial marks the bytes that end or change an unquoted word.
var wordSpecial = [256]bool{' ': true, '\t': true, '\r': true, '\n': true, ';': true, '{': true, '\\': true, '$': true}

// skipPlain returns the offset of the first byte from i on that matters in
// a string quoted with quote: the quote, "\\" or "$".
func skipPlain(src []byte, i int, quote byte) int {
	for i < len(src) && src[i] != quote && src[i] != '\\' && src[i] != '$' {
		i++
	}
	return i
}

// word builds an argument from the content src[start:end]; quoteStart is the
// offset of the opening quote (or -1) and rawEnd the end of the raw text.
func (lx *lexer) word(start, end, quoteStart, rawEnd int) Arg {
	if end < start {
		end = start
	}
	rawStart := start
	var q byte
	if quoteStart >= 0 {
		rawStart = quoteStart
		q = lx.src[quoteStart]
	}
	if end-start >= maxWordLen {
		lx.errorf(rawStart, rawEnd, "too long parameter (%d bytes): nginx refuses words of %d bytes or more", end-start, maxWordLen)
	}
	raw := lx.text[rawStart:rawEnd]
	value := lx.text[start:end]
	if containsByte(lx.src[start:end], '\\') {
		value = unescape(lx.src[start:end])
	}
	return Arg{Value: value, Raw: raw, Quote: q, file: lx.file, off: int32(rawStart)}
}

// unescape resolves the escapes nginx resolves in every word.
func unescape(b []byte) string {
	if !containsByte(b, '\\') {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); {
		if b[i] == '\\' && i+1 < len(b) {
			switch b[i+1] {
			case '"', '\'', '\\':
				sb.WriteByte(b[i+1])
				i += 2
				continue
			case 't':
				sb.WriteByte('\t')
				i += 2
				continue
			case 'r':
				sb.WriteByte('\r')
				i += 2
				continue
			case 'n':
				sb.WriteByte('\n')
				i += 2
				continue
			}
		}
		sb.WriteByte(b[i])
		i++
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

// skipLuaBlock skips the Lua code of a *_by_lua_block body that starts at
// lx.pos (just after "{"), as lua-nginx-module's own reader does: braces are
// counted outside Lua strings and comments. It returns the offsets of the
// closing "}" (or -1 at end of file).
func (lx *lexer) skipLuaBlock() int {
	src := lx.src
	depth := 1
	for lx.pos < len(src) {
		ch := src[lx.pos]
		switch {
		case ch == '-' && lx.pos+1 < len(src) && src[lx.pos+1] == '-':
			lx.pos += 2
			if level, ok := longBracket(src, lx.pos); ok {
				lx.pos = skipLongString(src, lx.pos, level)
				continue
			}
			for lx.pos < len(src) && src[lx.pos] != '\n' {
				lx.pos++
			}
		case ch == '[':
			if level, ok := longBracket(src, lx.pos); ok {
				lx.pos = skipLongString(src, lx.pos, level)
				continue
			}
			lx.pos++
		case ch == '"' || ch == '\'':
			lx.pos++
			for lx.pos < len(src) && src[lx.pos] != ch && src[lx.pos] != '\n' {
				if src[lx.pos] == '\\' {
					lx.pos++
				}
				lx.pos++
			}
			lx.pos++
		case ch == '{':
			depth++
			lx.pos++
		case ch == '}':
			depth--
			lx.pos++
			if depth == 0 {
				return lx.pos - 1
			}
		default:
			lx.pos++
		}
	}
	if lx.pos > len(src) {
		lx.pos = len(src)
	}
	return -1
}

// longBracket reports whether a Lua long bracket "[", "=" * level, "[" starts
// at i.
func longBracket(src []byte, i int) (int, bool) {
	if i >= len(src) || src[i] != '[' {
		return 0, false
	}
	j := i + 1
	for j < len(src) && src[j] == '=' {
		j++
	}
	if j < len(src) && src[j] == '[' {
		return j - i - 1, true
	}
	return 0, false
}

// skipLongString skips a Lua long string or comment opened at i and returns
// the offset after its closing bracket (or the end of src).
func skipLongString(src []byte, i, level int) int {
	i += level + 2
	for i < len(src) {
		if src[i] == ']' {
			j := i + 1
			for j < len(src) && src[j] == '=' {
				j++
			}
			if j < len(src) && src[j] == ']' && j-i-1 == level {
				return j + 1
			}
		}
		i++
	}
	return len(src)
}
