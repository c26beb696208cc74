package gunicorn

import (
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Arg is one word of a command line and where it is written.
type Arg struct {
	Text  string
	Range source.Range
	// file and off locate Text in the source when it is written there
	// verbatim (off >= 0), so that the words of a script inside it
	// (`sh -c "gunicorn -b 0.0.0.0:8000"`) get ranges of their own.
	file *source.File
	off  int
}

// ArgAt is a word whose text is written verbatim at offset off of f.
func ArgAt(f *source.File, text string, off int) Arg {
	return Arg{Text: text, Range: f.Range(off, off+len(text)), file: f, off: off}
}

// ArgIn is a word written somewhere in r, not verbatim (quoted with
// escapes, or from a parsed document).
func ArgIn(text string, r source.Range) Arg { return Arg{Text: text, Range: r, off: -1} }

// separator reports whether a word separates simple commands.
func separator(w string) bool {
	switch w {
	case ";", "&&", "||", "|", "&", "\n":
		return true
	}
	return false
}

// shellWords splits src[start:end] into shell words with their ranges in
// f, honouring single and double quotes and backslash escapes; a comment
// ends the line; separators (; && || | & and newlines) are words of their
// own, so that a script splits into simple commands. Backslash-newline
// joins lines. An unterminated quote is reported by unterminated.
func shellWords(f *source.File, start, end int) (words []Arg, unterminated bool) {
	src := f.Content
	i := start
	for i < end {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case c == '\\' && i+1 < end && (src[i+1] == '\n' || src[i+1] == '\r'):
			i += 2
			continue
		case c == '\n':
			words = append(words, Arg{Text: "\n", Range: f.Range(i, i+1), off: -1})
			i++
			continue
		case c == '#' && (i == start || isBlank(src[i-1])):
			for i < end && src[i] != '\n' {
				i++
			}
			continue
		case c == ';' || c == '|' || c == '&':
			j := i + 1
			for j < end && j < i+2 && (src[j] == '|' || src[j] == '&') && src[j] == c {
				j++
			}
			words = append(words, Arg{Text: string(src[i:j]), Range: f.Range(i, j), off: -1})
			i = j
			continue
		}
		var b strings.Builder
		ws := i
		verbatim := true
		for i < end {
			c := src[i]
			if isBlank(c) || c == '\n' || c == ';' || c == '|' || c == '&' {
				break
			}
			if c == '"' || c == '\'' {
				verbatim = false
				j := i + 1
				for j < end && src[j] != c {
					if c == '"' && src[j] == '\\' && j+1 < end {
						j++
						b.WriteByte(src[j])
						j++
						continue
					}
					b.WriteByte(src[j])
					j++
				}
				if j >= end {
					unterminated = true
				}
				i = min(j+1, end)
				continue
			}
			if c == '\\' && i+1 < end {
				verbatim = false
				if src[i+1] != '\n' {
					b.WriteByte(src[i+1])
				}
				i += 2
				continue
			}
			b.WriteByte(c)
			i++
		}
		a := Arg{Text: b.String(), Range: f.Range(ws, i), file: f, off: -1}
		if verbatim {
			a.off = ws
		} else if q := singleQuoted(src, ws, i); q >= 0 {
			// 'text' or "text" without escapes: the text is verbatim
			// one byte in.
			a.off = q
		}
		words = append(words, a)
	}
	return words, unterminated
}

// singleQuoted returns the offset of the text of a word written as one
// quoted string without escapes ("...", '...'), or -1.
func singleQuoted(src []byte, start, end int) int {
	if end-start < 2 {
		return -1
	}
	q := src[start]
	if (q != '"' && q != '\'') || src[end-1] != q {
		return -1
	}
	for _, c := range src[start+1 : end-1] {
		if c == q || (q == '"' && (c == '\\' || c == '$')) {
			return -1
		}
	}
	return start + 1
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// scriptWords splits the text of one word (a `sh -c` script, a compose
// command given as one string) into words. When the text is verbatim in
// its file the words get ranges of their own; otherwise each gets the
// whole word's range.
func scriptWords(a Arg) []Arg {
	if a.file != nil && a.off >= 0 && a.off+len(a.Text) <= len(a.file.Content) && string(a.file.Content[a.off:a.off+len(a.Text)]) == a.Text {
		ws, _ := shellWords(a.file, a.off, a.off+len(a.Text))
		return ws
	}
	f := source.NewFile(a.Range.File, []byte(a.Text))
	ws, _ := shellWords(f, 0, len(a.Text))
	for i := range ws {
		ws[i] = ArgIn(ws[i].Text, a.Range)
	}
	return ws
}

// simpleCommands splits words at separators into simple commands.
func simpleCommands(words []Arg) [][]Arg {
	var out [][]Arg
	var cur []Arg
	for _, w := range words {
		if separator(w.Text) {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, w)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// Env is what a process's environment is known to hold: the variables set
// where it is started, in order; a later setting of a name wins.
type Env []EnvVar

// Get returns the value of the last setting of name.
func (e Env) Get(name string) (EnvVar, bool) {
	for i := len(e) - 1; i >= 0; i-- {
		if e[i].Name == name {
			return e[i], true
		}
	}
	return EnvVar{}, false
}

// expand substitutes $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}
// and ${NAME:=default} from env. A variable env does not hold stays as
// written (with its default taken when it has one) and is listed in
// unresolved.
func expand(s string, env Env) (out string, unresolved []string) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		name, def, hasDef, n := varRef(s[i+1:])
		if n == 0 {
			b.WriteByte(c)
			continue
		}
		if v, ok := env.Get(name); ok && (v.Value != "" || !hasDef) {
			b.WriteString(v.Value)
		} else if hasDef {
			b.WriteString(def)
		} else {
			b.WriteString(s[i : i+1+n])
			unresolved = append(unresolved, name)
		}
		i += n
	}
	return b.String(), unresolved
}

// varRef reads a variable reference after "$": NAME or {NAME[:-|-|:=]def};
// n is how many bytes it spans (0: not a reference).
func varRef(s string) (name, def string, hasDef bool, n int) {
	if strings.HasPrefix(s, "{") {
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return "", "", false, 0
		}
		body := s[1:end]
		name = body
		for _, op := range []string{":-", ":=", "-", "="} {
			if k, v, ok := strings.Cut(body, op); ok && validName(k) {
				name, def, hasDef = k, v, true
				break
			}
		}
		if !validName(name) {
			return "", "", false, 0
		}
		return name, def, hasDef, end + 1
	}
	j := 0
	for j < len(s) && (s[j] == '_' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z' || j > 0 && s[j] >= '0' && s[j] <= '9') {
		j++
	}
	if j == 0 {
		return "", "", false, 0
	}
	return s[:j], "", false, j
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// assignment reads NAME=VALUE.
func assignment(w string) (name, value string, ok bool) {
	k, v, found := strings.Cut(w, "=")
	if !found || !validName(k) {
		return "", "", false
	}
	return k, v, true
}

// span is the range from the start of a to the end of b, when both are in
// one file and b does not start before a; otherwise a.
func span(a, b source.Range) source.Range {
	if a.File != b.File || b.Start.Offset < a.Start.Offset || b.End.Offset < a.End.Offset {
		return a
	}
	return source.Range{File: a.File, Start: a.Start, End: b.End}
}
