package python

import (
	"unicode"
	"unicode/utf8"
)

// TokenKind classifies a token of Python source.
type TokenKind uint8

// Token kinds. The scanner keeps only what statement splitting, the
// same-length rewrites and range computation need.
const (
	TokName TokenKind = iota + 1
	TokNumber
	TokString
	TokOp
	TokComment
	TokNewline  // end of a logical line
	TokContinue // a backslash continuation
	TokError    // a character no Python token starts with, or an unterminated string
)

// Token is one lexical token, by byte offsets into the file. A file has
// about one token for every ten bytes: the narrow fields keep the token
// slice, allocated and cleared per file, at 24 bytes a token.
type Token struct {
	Start, End int
	// Depth is the bracket depth before the token.
	Depth int32
	// Prefix is the length of a string token's prefix (r, b, f, rb, ...).
	Prefix uint8
	Kind   TokenKind
	// LineStart: the token is the first of its logical line.
	LineStart bool
	// Unterminated marks a string that runs to the end of the file or line.
	Unterminated bool
}

// bodyStart is the offset of a string token's first quote.
func (t Token) bodyStart() int { return t.Start + int(t.Prefix) }

// Text returns the token's text in src.
func (t Token) Text(src []byte) string { return string(src[t.Start:t.End]) }

// scanner tokenizes Python source without ever failing: text it cannot
// tokenize becomes TokError tokens, so that the splitter can still find
// statement boundaries around it.
type scanner struct {
	src    []byte
	off    int
	depth  int32
	toks   []Token
	atLine bool // next token starts a logical line
}

// Tokenize splits src into tokens. It never fails and never panics.
func Tokenize(src []byte) []Token {
	// Python source averages about ten bytes a token: sized for eight, the
	// slice rarely grows (growing a large slice by a quarter at a time
	// allocated five times its final size).
	s := &scanner{src: src, atLine: true, toks: make([]Token, 0, len(src)/8+16)}
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		s.off = 3
	}
	s.run()
	return s.toks
}

func (s *scanner) emit(k TokenKind, start, end int) *Token {
	t := Token{Kind: k, Start: start, End: end, Depth: s.depth}
	if k != TokComment && k != TokNewline && k != TokContinue {
		t.LineStart = s.atLine
		s.atLine = false
	}
	s.toks = append(s.toks, t)
	return &s.toks[len(s.toks)-1]
}

func (s *scanner) run() {
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case c == ' ' || c == '\t' || c == '\f' || c == '\r':
			s.off++
		case c == '\n':
			if s.depth == 0 && !s.atLine {
				s.emit(TokNewline, s.off, s.off+1)
				s.atLine = true
			}
			s.off++
		case c == '#':
			end := s.off
			for end < len(s.src) && s.src[end] != '\n' {
				end++
			}
			s.emit(TokComment, s.off, end)
			s.off = end
		case c == '\\':
			// A continuation: backslash, optional \r, newline.
			j := s.off + 1
			if j < len(s.src) && s.src[j] == '\r' {
				j++
			}
			if j < len(s.src) && s.src[j] == '\n' {
				s.emit(TokContinue, s.off, j+1)
				s.off = j + 1
			} else {
				s.emit(TokError, s.off, s.off+1)
				s.off++
			}
		case c >= '0' && c <= '9' || c == '.' && s.off+1 < len(s.src) && isDigit(s.src[s.off+1]):
			s.number()
		case c == '"' || c == '\'':
			s.str(s.off, 0)
		default:
			if p := stringPrefix(s.src[s.off:]); p > 0 {
				s.str(s.off, p)
				continue
			}
			r, size := utf8.DecodeRune(s.src[s.off:])
			if isIdentStart(r) {
				end := s.off + size
				for end < len(s.src) {
					r, size := utf8.DecodeRune(s.src[end:])
					if !isIdentChar(r) {
						break
					}
					end += size
				}
				s.emit(TokName, s.off, end)
				s.off = end
				continue
			}
			if n := opLen(s.src[s.off:]); n > 0 {
				switch c {
				case '(', '[', '{':
					s.emit(TokOp, s.off, s.off+n)
					s.depth++
				case ')', ']', '}':
					if s.depth > 0 {
						s.depth--
					}
					s.emit(TokOp, s.off, s.off+n)
				default:
					s.emit(TokOp, s.off, s.off+n)
				}
				s.off += n
				continue
			}
			s.emit(TokError, s.off, s.off+size)
			s.off += size
		}
	}
	if !s.atLine {
		s.emit(TokNewline, len(s.src), len(s.src))
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentStart(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x80 && (unicode.IsLetter(r) || unicode.Is(unicode.Nl, r))
}

func isIdentChar(r rune) bool {
	return isIdentStart(r) || r >= '0' && r <= '9' || r >= 0x80 && (unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc))
}

// stringPrefix returns the length of a string prefix (r, u, b, f and their
// two-letter combinations) at the start of b when a quote follows, else 0.
func stringPrefix(b []byte) int {
	n := 0
	for n < len(b) && n < 3 {
		switch b[n] {
		case 'r', 'R', 'b', 'B', 'u', 'U', 'f', 'F':
			n++
			continue
		case '"', '\'':
			if n > 0 && n <= 2 && validPrefix(b[:n]) {
				return n
			}
			return 0
		}
		return 0
	}
	return 0
}

func validPrefix(p []byte) bool {
	var r, b, u, f int
	for _, c := range p {
		switch c | 0x20 {
		case 'r':
			r++
		case 'b':
			b++
		case 'u':
			u++
		case 'f':
			f++
		}
	}
	if r > 1 || b > 1 || u > 1 || f > 1 {
		return false
	}
	if u == 1 {
		return len(p) == 1
	}
	return !(b == 1 && f == 1)
}

func prefixHas(p []byte, c byte) bool {
	for _, x := range p {
		if x|0x20 == c {
			return true
		}
	}
	return false
}

// str scans a string literal starting at start with a prefix of plen bytes.
func (s *scanner) str(start, plen int) {
	end, unterminated := scanString(s.src, start, plen)
	t := s.emit(TokString, start, end)
	t.Prefix = uint8(plen) // at most two letters
	t.Unterminated = unterminated
	s.off = end
}

// scanString returns the end of the string literal at start. f-strings
// may nest strings inside their replacement fields (Python 3.12 allows the
// same quote there), so fields are scanned recursively.
func scanString(src []byte, start, plen int) (end int, unterminated bool) {
	prefix := src[start : start+plen]
	raw := prefixHas(prefix, 'r')
	fstr := prefixHas(prefix, 'f')
	i := start + plen
	q := src[i]
	triple := i+2 < len(src) && src[i+1] == q && src[i+2] == q
	if triple {
		i += 3
	} else {
		i++
	}
	brace := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\\':
			i += 2
			if !raw && i <= len(src) && src[i-1] == '\r' && i < len(src) && src[i] == '\n' {
				i++
			}
			continue
		case c == '\n' && !triple && brace == 0:
			return i, true
		case c == q && brace == 0:
			if !triple {
				return i + 1, false
			}
			if i+2 < len(src) && src[i+1] == q && src[i+2] == q {
				return i + 3, false
			}
		case fstr && c == '{':
			if brace == 0 && i+1 < len(src) && src[i+1] == '{' {
				i += 2
				continue
			}
			brace++
		case fstr && c == '}' && brace > 0:
			brace--
		case fstr && brace > 0 && (c == '"' || c == '\''):
			e, bad := scanString(src, i, 0)
			if bad {
				return e, true
			}
			i = e
			continue
		case fstr && brace > 0 && c == '#':
			// a comment is not allowed in a field; stop at the line end
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		}
		i++
	}
	if i > len(src) {
		i = len(src)
	}
	return i, true
}

func (s *scanner) number() {
	src := s.src
	i := s.off
	if src[i] == '0' && i+1 < len(src) && (src[i+1]|0x20 == 'x' || src[i+1]|0x20 == 'o' || src[i+1]|0x20 == 'b') {
		i += 2
		for i < len(src) && (isHex(src[i]) || src[i] == '_') {
			i++
		}
	} else {
		for i < len(src) && (isDigit(src[i]) || src[i] == '_') {
			i++
		}
		if i < len(src) && src[i] == '.' {
			i++
			for i < len(src) && (isDigit(src[i]) || src[i] == '_') {
				i++
			}
		}
		if i < len(src) && src[i]|0x20 == 'e' {
			j := i + 1
			if j < len(src) && (src[j] == '+' || src[j] == '-') {
				j++
			}
			if j < len(src) && isDigit(src[j]) {
				i = j
				for i < len(src) && (isDigit(src[i]) || src[i] == '_') {
					i++
				}
			}
		}
		if i < len(src) && src[i]|0x20 == 'j' {
			i++
		}
	}
	s.emit(TokNumber, s.off, i)
	s.off = i
}

func isHex(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' }

func opLen(b []byte) int {
	if len(b) >= 3 {
		switch string(b[:3]) {
		case "**=", "//=", ">>=", "<<=", "...":
			return 3
		}
	}
	if len(b) >= 2 {
		switch string(b[:2]) {
		case "**", "//", ">>", "<<", "<=", ">=", "==", "!=", "->", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", ":=":
			return 2
		}
	}
	switch b[0] {
	case '+', '-', '*', '/', '%', '@', '&', '|', '^', '~', '<', '>', '(', ')', '[', ']', '{', '}', ',', ':', '.', ';', '=', '!':
		return 1
	}
	return 0
}
