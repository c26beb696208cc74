package haproxy

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// MaxWords is the number of words HAProxy accepts on one line
// (MAX_LINE_ARGS); the 65th word is an error.
const MaxWords = 64

// Word is one word of a configuration line, after HAProxy's quote removal
// and escape processing. A configuration holds a few hundred thousand
// words, so a word is small (16 bytes): where it lies in its file, and
// the file. A word written without quotes, escapes or variables, which
// most are, is its own text, so its value is a substring of the file's
// text and needs no string of its own; the value of any other word is
// kept aside, with what only such words have.
type Word struct {
	src *wordSource // nil for the zero Word
	// start and end are the byte offsets of the word as written in the
	// file; end's top bit (hasMore) says that src.more has a record of
	// the word.
	start, end uint32
}

// hasMore marks the end offset of a word whose value is not its text as
// written: quoted, escaped or symbolic.
const hasMore = 1 << 31

// wordSource is the text of the words of one lexer (a file's content, or
// the value of a word of no file), with what only the words whose value
// differs from their text, which are few, have.
type wordSource struct {
	file *source.File // nil for a word of no file (NewWord)
	text string
	more map[uint32]*wordMore // by start offset
}

// wordMore is what only quoted, escaped or symbolic words have.
type wordMore struct {
	// value is the word as HAProxy sees it (see Word.Value).
	value  string
	env    []EnvRef
	quoted bool
}

// NewWord returns a word of no file whose text as written is its value
// (a word that a rule makes up, as of a predefined ACL).
func NewWord(value string) Word {
	return Word{src: &wordSource{text: value}, end: uint32(len(value))}
}

// Value is the word as HAProxy sees it. An environment variable stays
// symbolic: "${CA_FILE}" (or "${CA_FILE-default}") is kept as written,
// since its value is unknown at lint time.
func (w Word) Value() string {
	if w.end&hasMore != 0 {
		return w.src.more[w.start].value
	}
	if w.src == nil {
		return ""
	}
	return w.src.text[w.start:w.end]
}

// Raw is the text as written, quotes and escapes included.
func (w Word) Raw() string {
	if w.src == nil {
		return ""
	}
	return w.src.text[w.start : w.end&^hasMore]
}

// Range covers Raw; it is the zero Range for a word of no file.
func (w Word) Range() source.Range {
	if w.src == nil || w.src.file == nil {
		return source.Range{}
	}
	return w.src.file.Range(w.Start(), w.End())
}

// Start is the byte offset of the word as written in its file.
func (w Word) Start() int { return int(w.start) }

// End is the byte offset just after the word as written.
func (w Word) End() int { return int(w.end &^ hasMore) }

// Sub returns the part [from, to) of the word as written (offsets into
// Raw) as a word of its own, whose value is that text.
func (w Word) Sub(from, to int) Word {
	return Word{src: w.src, start: w.start + uint32(from), end: w.start + uint32(to)}
}

// withValue returns the word, at the same place, with the value v: a
// crt-list's option inside brackets is the word without them. The word
// gets a source of its own, so that the line's word keeps its value.
func (w Word) withValue(v string) Word {
	m := &wordMore{value: v}
	if old := w.more(); old != nil {
		m.env, m.quoted = old.env, old.quoted
	}
	src := &wordSource{file: w.src.file, text: w.src.text, more: map[uint32]*wordMore{w.start: m}}
	return Word{src: src, start: w.start, end: w.end | hasMore}
}

func (w Word) more() *wordMore {
	if w.end&hasMore == 0 {
		return nil
	}
	return w.src.more[w.start]
}

// Env lists the environment variables the word refers to.
func (w Word) Env() []EnvRef {
	if m := w.more(); m != nil {
		return m.env
	}
	return nil
}

// Quoted reports whether any part of the word was quoted.
func (w Word) Quoted() bool {
	m := w.more()
	return m != nil && m.quoted
}

// Symbolic reports whether the word's value depends on the environment.
func (w Word) Symbolic() bool { return len(w.Env()) > 0 }

// Lower is Value in lower case.
func (w Word) Lower() string { return strings.ToLower(w.Value()) }

// EnvRef is a reference to an environment variable inside double quotes:
// $NAME, ${NAME}, ${NAME-default} or ${NAME[*]}.
type EnvRef struct {
	Name       string
	Default    string
	HasDefault bool
	// Expand is set for ${NAME[*]}: the value splits into several words.
	Expand bool
	Range  source.Range
}

// lexProblem is a lexical error: its message and the byte offset where
// HAProxy's parse_line() points.
type lexProblem struct {
	off int
	msg string
}

// lexer splits the lines of one file into words. It holds the file's
// text as one string, which the values of words written without quotes
// or escapes share, and a scratch buffer reused across lines.
//
// The string is the file's Content itself, not a copy: a source.File's
// bytes are never written once read (an edit makes a new File), and a
// copy kept the text of every configuration twice for the whole run
// (3 MB of the 38 MB live after linting corpus/haproxy).
type lexer struct {
	f       *source.File
	src     *wordSource
	text    string
	scratch []byte
	// arena holds words for the lines to come: the lines of a file take
	// their words from a few allocations rather than one each.
	arena []Word
	at    int // where the last line lexed ends
}

// take returns an empty slice with room for n words, from the arena.
// Its capacity is n, so that appending past it does not write into the
// next line's words.
func (lx *lexer) take(n int) []Word {
	if cap(lx.arena)-len(lx.arena) < n {
		// About one word per 16 bytes of the rest of the file, in chunks
		// of at most 4,096 words.
		rest := (len(lx.f.Content) - lx.at) / 16
		lx.arena = make([]Word, 0, max(n, min(rest, 4096)))
	}
	k := len(lx.arena)
	lx.arena = lx.arena[:k+n]
	return lx.arena[k : k : k+n]
}

func newLexer(f *source.File) *lexer {
	text := unsafe.String(unsafe.SliceData(f.Content), len(f.Content))
	return &lexer{f: f, src: &wordSource{file: f, text: text, more: map[uint32]*wordMore{}}, text: text}
}

// line splits the text Content[start:end] of the lexer's file (one
// physical line without its line feed) into words the way HAProxy's
// parse_line() does with the options readcfgfile() passes (environment,
// double and single quotes, backslash, sharp comments, word expansion).
// It returns the words and at most one lexical error, chosen as
// readcfgfile() reports them.
func (lx *lexer) line(start, end int) ([]Word, *lexProblem) {
	f := lx.f
	b := f.Content[:end]
	i := start
	lx.at = end
	scratch := &lx.scratch
	var (
		words     = lx.take(wordsIn(b[start:end]))
		cur       = (*scratch)[:0] // the word being built, once it is not plain
		plain     = true           // the word so far is its raw text, not yet copied to cur
		curStart  = -1             // offset where the current word starts
		curEnv    []EnvRef
		quoted    bool
		squote    bool
		dquote    bool
		quoteAt   = -1
		tooMany   = -1 // offset of the first word past MaxWords
		nwords    int  // words started, as parse_line counts them
		varSymbol strings.Builder
	)
	at := func(k int) byte { // the byte at k, or NUL past the line
		if k < end {
			return b[k]
		}
		return 0
	}
	begin := func() {
		if curStart < 0 {
			curStart = i
		}
	}
	// unplain starts building the word in cur from its raw text so far:
	// a quote, an escape or a variable makes its value differ from it.
	unplain := func() {
		if plain {
			cur, plain = append(cur[:0], b[curStart:i]...), false
		}
	}
	flush := func(wordEnd int) {
		if curStart < 0 {
			curStart = wordEnd
		}
		w := Word{src: lx.src, start: uint32(curStart), end: uint32(wordEnd)}
		if !plain || quoted || curEnv != nil {
			m := &wordMore{value: lx.text[curStart:wordEnd], env: curEnv, quoted: quoted}
			if !plain {
				m.value = string(cur)
			}
			lx.src.more[w.start] = m
			w.end |= hasMore
		}
		words = append(words, w)
		cur, curStart, curEnv, quoted, plain = cur[:0], -1, nil, false, true
		*scratch = cur
	}
	fail := func(off int, msg string) ([]Word, *lexProblem) {
		return words, &lexProblem{off: off, msg: msg}
	}
	for {
		c := at(i)
		switch {
		case ordinary(c):
			// A run of ordinary characters is taken at once, and copied
			// only into a word that is not plain.
			begin()
			j := i + 1
			for j < end && ordinary(b[j]) {
				j++
			}
			if !plain {
				cur = append(cur, b[i:j]...)
			}
			i = j
			continue
		case c == 0 || c == '\n' || c == '\r':
			// end of line
		case c == '#' && !squote && !dquote:
			// comment
		case c == '"' && !squote:
			begin()
			unplain()
			quoted = true
			if dquote {
				dquote, quoteAt = false, -1
			} else {
				dquote, quoteAt = true, i
			}
			i++
			continue
		case c == '\'' && !dquote:
			begin()
			unplain()
			quoted = true
			if squote {
				squote, quoteAt = false, -1
			} else {
				squote, quoteAt = true, i
			}
			i++
			continue
		case c == '\\' && !squote:
			begin()
			unplain()
			send := c
			switch n := at(i + 1); n {
			case ' ', '\\':
				send = n
				i++
			case 't':
				send = '\t'
				i++
			case 'n':
				send = '\n'
				i++
			case 'r':
				send = '\r'
				i++
			case '#', '\'', '"':
				send = n
				i++
			case '$':
				if dquote {
					send = n
					i++
				}
			case 'x':
				h1, ok1 := hexVal(at(i + 2))
				h2, ok2 := hexVal(at(i + 3))
				if !ok1 || !ok2 {
					return fail(i, "truncated or invalid hexadecimal sequence: write \\xNN with two hex digits, or \\\\ for a backslash")
				}
				send = h1<<4 | h2
				i += 3
			}
			i++
			cur = append(cur, send)
			continue
		case isSpace(c) && !squote && !dquote:
			for i < end && isSpace(b[i]) {
				i++
			}
			flush(lastNonSpace(b, start, i))
			nwords++
			if nwords >= MaxWords && tooMany < 0 {
				tooMany = i
			}
			continue
		case c == '$' && dquote:
			begin()
			unplain()
			refStart := i
			i++
			brace := -1
			if at(i) == '{' {
				brace = i
				i++
			}
			n := at(i)
			if !isAlpha(n) && n != '_' && n != '.' {
				return fail(i, "forbidden first char in environment variable name")
			}
			nameStart := i
			if n == '.' {
				i++
			}
			for isAlnum(at(i)) || at(i) == '_' {
				i++
			}
			ref := EnvRef{Name: string(b[nameStart:i])}
			if ref.Name[0] == '.' && ref.Name != ".LINE" && ref.Name != ".FILE" && ref.Name != ".SECTION" {
				return fail(nameStart, "forbidden first char in environment variable name")
			}
			if at(i) == '[' && brace >= 0 {
				if at(i+1) != '*' || at(i+2) != ']' {
					return fail(i, "truncated or invalid word expansion sequence")
				}
				ref.Expand = true
				i += 3
			}
			if brace >= 0 {
				if at(i) == '-' {
					j := i + 1
					for j < end && b[j] != 0 && b[j] != '}' {
						j++
					}
					if at(j) != '}' {
						return fail(brace, "unmatched brace in environment variable name")
					}
					ref.Default, ref.HasDefault = string(b[i+1:j]), true
					i = j
				} else if at(i) != '}' {
					return fail(brace, "unmatched brace in environment variable name")
				}
				i++
			}
			ref.Range = f.Range(refStart, i)
			curEnv = append(curEnv, ref)
			varSymbol.Reset()
			varSymbol.WriteString("${")
			varSymbol.WriteString(ref.Name)
			if ref.Expand {
				varSymbol.WriteString("[*]")
			}
			if ref.HasDefault {
				varSymbol.WriteString("-")
				varSymbol.WriteString(ref.Default)
			}
			varSymbol.WriteString("}")
			cur = append(cur, varSymbol.String()...)
			continue
		default:
			begin()
			if !plain {
				cur = append(cur, c)
			}
			i++
			continue
		}
		break
	}
	// parse_line() does not count an empty word after trailing spaces;
	// a word that began (even as "") is kept.
	if curStart >= 0 {
		flush(i)
	}
	if quoteAt >= 0 {
		return words, &lexProblem{off: quoteAt, msg: "unmatched quote: close the quote opened here (HAProxy refuses the line)"}
	}
	if tooMany >= 0 {
		return words, &lexProblem{off: tooMany, msg: fmt.Sprintf("too many words: HAProxy accepts at most %d per line (trailing spaces after the %dth word count as a further word)", MaxWords, MaxWords)}
	}
	return words, nil
}

// wordsIn estimates how many words a line holds (runs of non-space bytes
// before a "#" that follows a space), so that the words of a line, which
// its parse keeps, take one allocation of about their size: a fixed
// capacity wasted most of it on short lines and reallocated long ones.
func wordsIn(line []byte) int {
	n, inWord := 0, false
	for _, c := range line {
		switch {
		case isSpace(c):
			inWord = false
		case c == '#' && !inWord:
			return n
		case !inWord:
			inWord = true
			n++
		}
	}
	return n
}

// lastNonSpace returns the offset just after the last non-space byte
// before i (the end of the word that a run of spaces terminates).
func lastNonSpace(b []byte, start, i int) int {
	for i > start && isSpace(b[i-1]) {
		i--
	}
	return i
}

// ordinary reports whether c is taken as is in or out of quotes: an
// ASCII character from '-' on, except the backslash (spaces, quotes, '#'
// and '$' are all below '-').
func ordinary(c byte) bool { return c >= '-' && c != '\\' && c < 0x80 }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isAlnum(c byte) bool { return isAlpha(c) || c >= '0' && c <= '9' }

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
