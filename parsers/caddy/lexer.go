package caddy

import (
	"fmt"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The tokenizer follows Caddy's (caddyconfig/caddyfile/lexer.go):
//
//   - tokens are separated by white space; a line break ends a line unless
//     it is escaped with "\" outside quotes;
//   - a token that starts with " runs to the next unescaped ", in which
//     only \" is an escape (other backslashes stay); one that starts with
//     ` runs to the next ` with no escapes; both may span lines;
//   - a token that starts with <<MARKER and a line break is a heredoc that
//     runs to MARKER, whose indentation is stripped from every line;
//   - "#" at the start of a token starts a comment to the end of the line;
//     elsewhere it is an ordinary character;
//   - a byte order mark at the start is skipped.

type lexer struct {
	f    *source.File
	src  []byte
	pos  int
	line int // logical line
	errs []source.Problem
}

func (lx *lexer) errorf(start, end int, format string, args ...any) {
	lx.errs = append(lx.errs, source.Problem{Kind: source.ProblemSyntax, Range: lx.f.Range(start, end), Message: fmt.Sprintf(format, args...)})
}

// tokenize splits a Caddyfile into tokens.
func tokenize(f *source.File) ([]Token, []source.Problem) {
	lx := &lexer{f: f, src: f.Content, line: 1}
	if f.HasBOM() {
		lx.pos = 3
	}
	var out []Token
	for {
		t, ok := lx.next()
		if !ok {
			break
		}
		t.endLine = lx.line
		out = append(out, t)
	}
	return out, lx.errs
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func (lx *lexer) next() (Token, bool) {
	src := lx.src
	// Skip white space and comments, counting line breaks.
	for lx.pos < len(src) {
		c := src[lx.pos]
		switch {
		case c == '\\' && lx.pos+1 < len(src) && src[lx.pos+1] == '\n':
			lx.pos += 2 // an escaped line break joins the lines
			continue
		case c == '\\' && lx.pos+2 < len(src) && src[lx.pos+1] == '\r' && src[lx.pos+2] == '\n':
			lx.pos += 3
			continue
		case c == '\n':
			lx.line++
			lx.pos++
			continue
		case isSpace(c):
			lx.pos++
			continue
		case c == '#':
			for lx.pos < len(src) && src[lx.pos] != '\n' {
				lx.pos++
			}
			continue
		}
		break
	}
	if lx.pos >= len(src) {
		return Token{}, false
	}
	start := lx.pos
	line := lx.line
	switch src[start] {
	case '"':
		return lx.quoted(start, line), true
	case '`':
		end := start + 1
		for end < len(src) && src[end] != '`' {
			if src[end] == '\n' {
				lx.line++
			}
			end++
		}
		text := string(src[start+1 : min(end, len(src))])
		if end >= len(src) {
			lx.errorf(start, start+1, "unexpected end of file: the backtick-quoted token that starts here is not closed")
			lx.pos = len(src)
			return Token{Text: text, Quote: '`', Range: lx.f.Range(start, len(src)), line: line}, true
		}
		lx.pos = end + 1
		return Token{Text: text, Quote: '`', Range: lx.f.Range(start, end+1), line: line}, true
	}
	if strings.HasPrefix(string(src[start:min(start+3, len(src))]), "<<") {
		if t, ok := lx.heredoc(start, line); ok {
			return t, true
		}
	}
	end := start
	var sb strings.Builder
	for end < len(src) && !isSpace(src[end]) {
		if src[end] == '\\' && end+1 < len(src) && (src[end+1] == '\n' || src[end+1] == '\r') {
			break // an escaped line break ends the token
		}
		sb.WriteByte(src[end])
		end++
	}
	lx.pos = end
	return Token{Text: sb.String(), Range: lx.f.Range(start, end), line: line}, true
}

// quoted reads a double-quoted token: \" is a quote, other backslashes stay.
func (lx *lexer) quoted(start, line int) Token {
	src := lx.src
	var sb strings.Builder
	i := start + 1
	for i < len(src) {
		c := src[i]
		if c == '\\' && i+1 < len(src) && src[i+1] == '"' {
			sb.WriteByte('"')
			i += 2
			continue
		}
		if c == '"' {
			lx.pos = i + 1
			return Token{Text: sb.String(), Quote: '"', Range: lx.f.Range(start, i+1), line: line}
		}
		if c == '\n' {
			lx.line++
		}
		if c != '\r' {
			sb.WriteByte(c)
		}
		i++
	}
	lx.errorf(start, start+1, "unexpected end of file: the quoted token that starts here is not closed")
	lx.pos = len(src)
	return Token{Text: sb.String(), Quote: '"', Range: lx.f.Range(start, len(src)), line: line}
}

// heredoc reads <<MARKER\n ... MARKER. ok is false when the token is not a
// heredoc ("<<" followed by a space is an ordinary token).
func (lx *lexer) heredoc(start, line int) (Token, bool) {
	src := lx.src
	i := start + 2
	for i < len(src) && src[i] != '\n' && src[i] != '\r' && !isSpace(src[i]) {
		i++
	}
	if i >= len(src) || (src[i] != '\n' && src[i] != '\r') {
		return Token{}, false
	}
	marker := string(src[start+2 : i])
	if marker == "" || !isHeredocMarker(marker) {
		lx.errorf(start, i, "heredoc marker %q must contain only alphanumeric characters, dashes and underscores", marker)
		return Token{}, false
	}
	for i < len(src) && src[i] != '\n' {
		i++
	}
	bodyStart := i + 1
	lx.line++
	// The body runs to the first line whose text, after indentation, is
	// the marker.
	for j := bodyStart; j <= len(src); {
		k := j
		for k < len(src) && src[k] != '\n' {
			k++
		}
		lineText := strings.TrimRight(string(src[j:k]), "\r")
		if trimmed := strings.TrimLeft(lineText, " \t"); strings.HasPrefix(trimmed, marker) && (len(trimmed) == len(marker) || isSpace(trimmed[len(marker)])) {
			pad := lineText[:len(lineText)-len(trimmed)]
			end := j + len(pad) + len(marker)
			body := string(src[bodyStart:j])
			var out []string
			for _, l := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
				l = strings.TrimRight(l, "\r")
				if l == "" {
					out = append(out, "")
					continue
				}
				if !strings.HasPrefix(l, pad) {
					lx.errorf(start, end, "mismatched leading whitespace in heredoc <<%s: every line must start with the closing marker's indentation", marker)
				}
				out = append(out, strings.TrimPrefix(l, pad))
			}
			if body == "" {
				out = nil
			}
			lx.pos = end
			return Token{Text: strings.Join(out, "\n"), Quote: '<', Range: lx.f.Range(start, end), line: line}, true
		}
		if k >= len(src) {
			break
		}
		lx.line++
		j = k + 1
	}
	lx.errorf(start, bodyStart-1, "incomplete heredoc <<%s: the closing marker was not found", marker)
	lx.pos = len(src)
	return Token{Text: string(src[bodyStart:]), Quote: '<', Range: lx.f.Range(start, len(src)), line: line}, true
}

func isHeredocMarker(s string) bool {
	for _, c := range s {
		if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// open and close report structural braces: unquoted "{" and "}".
func (t Token) open() bool  { return t.Quote == 0 && t.Text == "{" }
func (t Token) close() bool { return t.Quote == 0 && t.Text == "}" }
