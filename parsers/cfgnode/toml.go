package cfgnode

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// ParseTOML reads a TOML file. BurntSushi/toml decodes the values and
// reports syntax errors with their position; the ranges of keys and values
// come from a scan of the file's lines (the decoder keeps none), keyed by
// the dotted path with the index of each array-of-tables element.
func ParseTOML(f *source.File) (root *Node, probs []source.Problem) {
	defer func() {
		if v := recover(); v != nil {
			root, probs = nil, []source.Problem{{Kind: source.ProblemSyntax, Range: f.LineRange(1),
				Message: fmt.Sprintf("the TOML parser failed on this file, which was not analysed: %v", v)}}
		}
	}()
	if at := TOMLDeeper(f.Content, MaxDepth); at >= 0 {
		return nil, []source.Problem{{Kind: source.ProblemTooDeep, Range: f.Range(at, at+1),
			Message: fmt.Sprintf("not analysed: arrays and inline tables nested more than %d deep", MaxDepth),
			Detail:  "The TOML library's time grows faster than the square of the nesting (a 40 kB file took 90 s), so the file was not analysed."}}
	}
	var data map[string]any
	content := string(f.Content) // one copy for the decoder and the scan
	if _, err := toml.Decode(content, &data); err != nil {
		return nil, []source.Problem{tomlProblem(f, err)}
	}
	pos := scanTOML(f, content)
	root = &Node{Kind: Map, Range: f.LineRange(1)}
	fillTOML(root, data, "", pos, 0)
	return root, nil
}

func tomlProblem(f *source.File, err error) source.Problem {
	var pe toml.ParseError
	r := f.LineRange(1)
	msg := err.Error()
	if errors.As(err, &pe) {
		msg = pe.Message
		if pe.Position.Line >= 1 {
			line := min(pe.Position.Line, f.LineCount())
			r = f.LineRange(line)
			if pe.Position.Start > 0 && pe.Position.Start <= len(f.Content) && f.Pos(pe.Position.Start).Line == line {
				r = f.Range(pe.Position.Start, r.End.Offset)
			}
		}
	}
	return source.Problem{Kind: source.ProblemSyntax, Range: r, Message: "TOML syntax error, the file was not analysed: " + msg}
}

// tomlPos is where one key of the file is written.
type tomlPos struct {
	key, value source.Range
	order      int
}

func fillTOML(n *Node, v any, path string, pos map[string]tomlPos, depth int) {
	if depth > MaxDepth {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		n.Kind = Map
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		// File order where the scan found the key, else by name.
		sort.Slice(keys, func(i, j int) bool {
			pi, iok := pos[join(path, keys[i])]
			pj, jok := pos[join(path, keys[j])]
			if iok != jok {
				return iok
			}
			if iok && pi.order != pj.order {
				return pi.order < pj.order
			}
			return keys[i] < keys[j]
		})
		for _, k := range keys {
			p := join(path, k)
			c := &Node{Key: k, KeyRange: pos[p].key, Range: pos[p].value}
			fillTOML(c, x[k], p, pos, depth+1)
			n.Fields = append(n.Fields, c)
		}
	case []map[string]any:
		n.Kind = List
		for i, m := range x {
			p := join(path, strconv.Itoa(i))
			c := &Node{Range: pos[p].value}
			fillTOML(c, m, p, pos, depth+1)
			n.Items = append(n.Items, c)
		}
	case []any:
		n.Kind = List
		for i, e := range x {
			p := join(path, strconv.Itoa(i))
			c := &Node{Range: n.Range}
			if at, ok := pos[p]; ok {
				c.Range = at.value
			}
			fillTOML(c, e, p, pos, depth+1)
			n.Items = append(n.Items, c)
		}
	case string:
		n.Kind, n.Value, n.Quoted = Scalar, x, true
	case bool:
		n.Kind, n.Value = Scalar, strconv.FormatBool(x)
	case int64:
		n.Kind, n.Value = Scalar, strconv.FormatInt(x, 10)
	case float64:
		n.Kind, n.Value = Scalar, strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		n.Kind, n.Value = Scalar, x.Format(time.RFC3339Nano)
	default:
		n.Kind, n.Value = Scalar, fmt.Sprint(x)
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "\x00" + key
}

// tomlScanner finds where each key and table header is written.
type tomlScanner struct {
	f *source.File
	// content is f's content as one string: lines and values are
	// substrings of it, not a string each.
	content string
	pos     map[string]tomlPos
	table   string         // the current table's path
	count   map[string]int // elements of each array of tables so far
	order   int
}

// scanTOML finds the keys of f, whose content is also given as a string.
func scanTOML(f *source.File, content string) map[string]tomlPos {
	s := &tomlScanner{f: f, content: content, pos: map[string]tomlPos{}, count: map[string]int{}}
	inMulti := "" // the closing delimiter of a multi-line string
	depth := 0    // open brackets of a multi-line array or inline table
	for n := 1; n <= f.LineCount(); n++ {
		start := f.LineStart(n)
		line := s.content[start:f.LineEnd(n)]
		if inMulti != "" {
			if i := strings.Index(line, inMulti); i >= 0 {
				inMulti = ""
				depth += bracketDelta(line[i+3:])
			}
			continue
		}
		if depth > 0 {
			depth += bracketDelta(line)
			continue
		}
		trimmed := strings.TrimLeft(line, " \t")
		indent := len(line) - len(trimmed)
		switch {
		case trimmed == "" || trimmed[0] == '#':
		case strings.HasPrefix(trimmed, "[["):
			s.header(start+indent, trimmed, true)
		case trimmed[0] == '[':
			s.header(start+indent, trimmed, false)
		default:
			vstart, closing := s.keyValue(s.table, start+indent, start+len(line))
			if closing != "" {
				inMulti = closing
				continue
			}
			if vstart >= 0 {
				depth = max(0, bracketDelta(line[vstart-start:]))
			}
		}
	}
	return s.pos
}

// header records a [table] or [[array.of.tables]] line and makes it the
// current table.
func (s *tomlScanner) header(off int, text string, array bool) {
	open, closeLen := 1, 1
	if array {
		open, closeLen = 2, 2
	}
	end := strings.Index(text, strings.Repeat("]", closeLen))
	if end < open {
		return
	}
	keys, _ := splitKey(text[open:end])
	if len(keys) == 0 {
		return
	}
	r := s.f.Range(off, off+end+closeLen)
	path := s.resolvePrefixes("", keys, r)
	if array {
		// The array itself, not its last element: a new element starts.
		path = join(s.resolve("", keys[:len(keys)-1]), keys[len(keys)-1])
		s.record(path, r, r)
		i := s.count[path]
		s.count[path]++
		path = join(path, strconv.Itoa(i))
	}
	s.table = path
	s.record(path, r, r)
}

// resolve turns keys below base into a path, stepping into the last
// element of every array of tables on the way.
func (s *tomlScanner) resolve(base string, keys []string) string {
	path := base
	for _, k := range keys {
		path = join(path, k)
		if c := s.count[path]; c > 0 {
			path = join(path, strconv.Itoa(c-1))
		}
	}
	return path
}

// resolvePrefixes is resolve, recording every table the keys open on the
// way (implicitly, as [a.b.c] opens a and a.b) at r.
func (s *tomlScanner) resolvePrefixes(base string, keys []string, r source.Range) string {
	for i := 1; i < len(keys); i++ {
		s.record(s.resolve(base, keys[:i]), r, r)
	}
	return s.resolve(base, keys)
}

func (s *tomlScanner) record(path string, key, value source.Range) {
	if _, ok := s.pos[path]; ok {
		return
	}
	s.order++
	s.pos[path] = tomlPos{key: key, value: value, order: s.order}
}

// keyValue records "key = value" written from off in table; it returns
// the value's offset (-1 when the line is no key/value) and, when the
// value opens a multi-line string, its closing delimiter.
func (s *tomlScanner) keyValue(table string, off, lineEnd int) (int, string) {
	text := s.content[off:lineEnd]
	eq := keyEnd(text)
	if eq < 0 {
		return -1, ""
	}
	keys, _ := splitKey(text[:eq])
	if len(keys) == 0 {
		return -1, ""
	}
	keyText := strings.TrimRight(text[:eq], " \t")
	vOff := eq + 1
	for vOff < len(text) && (text[vOff] == ' ' || text[vOff] == '\t') {
		vOff++
	}
	value := text[vOff:]
	keyRange := s.f.Range(off, off+len(keyText))
	path := s.resolvePrefixes(table, keys, keyRange)
	vEnd := valueEnd(value)
	s.record(path, keyRange, s.f.Range(off+vOff, off+vOff+vEnd))
	switch {
	case strings.HasPrefix(value, `"""`) && !strings.Contains(value[3:], `"""`):
		return off + vOff, `"""`
	case strings.HasPrefix(value, "'''") && !strings.Contains(value[3:], "'''"):
		return off + vOff, "'''"
	case strings.HasPrefix(value, "{"):
		s.inlineTable(path, off+vOff+1, off+vOff+vEnd)
	case strings.HasPrefix(value, "["):
		s.inlineArray(path, off+vOff+1, off+vOff+vEnd)
	}
	return off + vOff, ""
}

// inlineTable records the keys of { a = 1, b = { c = 2 } } on one line.
func (s *tomlScanner) inlineTable(path string, from, to int) {
	for from < to {
		for from < to && strings.ContainsRune(" \t,", rune(s.f.Content[from])) {
			from++
		}
		if from >= to || s.f.Content[from] == '}' {
			return
		}
		vOff, _ := s.keyValue(path, from, to)
		if vOff < 0 {
			return
		}
		from = vOff + valueEnd(s.content[vOff:to])
	}
}

// inlineArray records the scalar elements of [ "a", "b" ] on one line.
func (s *tomlScanner) inlineArray(path string, from, to int) {
	for i := 0; from < to; i++ {
		for from < to && strings.ContainsRune(" \t,", rune(s.f.Content[from])) {
			from++
		}
		if from >= to || s.f.Content[from] == ']' {
			return
		}
		n := valueEnd(s.content[from:to])
		if n == 0 {
			return
		}
		r := s.f.Range(from, from+n)
		s.record(join(path, strconv.Itoa(i)), r, r)
		from += n
	}
}

// keyEnd returns the index of the "=" that ends a key, outside quotes.
func keyEnd(text string) int {
	var q byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '=':
			return i
		case c == '#' || c == '[' || c == '{' || c == '}':
			return -1
		}
	}
	return -1
}

// splitKey splits a dotted key, quoted parts unquoted.
func splitKey(text string) ([]string, bool) {
	var keys []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch c {
		case '"', '\'':
			j := strings.IndexByte(text[i+1:], c)
			if j < 0 {
				return nil, false
			}
			part := text[i+1 : i+1+j]
			if c == '"' {
				if u, err := strconv.Unquote(`"` + part + `"`); err == nil {
					part = u
				}
			}
			cur.WriteString(part)
			quoted = true
			i += j + 1
		case '.':
			keys = append(keys, cur.String())
			cur.Reset()
			quoted = false
		case ' ', '\t':
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 || quoted {
		keys = append(keys, cur.String())
	}
	return keys, true
}

// valueEnd returns the length of the value at the start of text: a string
// with its quotes, a bracketed array or inline table on this line, or a
// bare value up to a separator or comment.
func valueEnd(text string) int {
	if text == "" {
		return 0
	}
	switch text[0] {
	case '"', '\'':
		q := text[0]
		for i := 1; i < len(text); i++ {
			if q == '"' && text[i] == '\\' {
				i++
				continue
			}
			if text[i] == q {
				return i + 1
			}
		}
		return len(text)
	case '[', '{':
		if end, _ := brackets(text); end > 0 {
			return end
		}
		return len(strings.TrimRight(text, " \t"))
	}
	end := strings.IndexAny(text, ",]}#")
	if end < 0 {
		end = len(text)
	}
	return len(strings.TrimRight(text[:end], " \t"))
}

// bracketDelta counts the brackets a line opens minus those it closes,
// outside strings and comments.
func bracketDelta(line string) int {
	_, d := brackets(line)
	return d
}

// brackets scans text outside strings up to a comment: end is the offset
// after the bracket that closes the one text starts with (0 when none
// does), delta the brackets opened minus those closed.
func brackets(text string) (end, delta int) {
	var q byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case q != 0:
			if c == '\\' && q == '"' {
				i++
			} else if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '#':
			return 0, delta
		case c == '[' || c == '{':
			delta++
		case c == ']' || c == '}':
			delta--
			if delta == 0 && end == 0 {
				end = i + 1
			}
		}
	}
	return end, delta
}

// TOMLDeeper returns the offset of the first "[" or "{" of a value that
// nests deeper than limit (arrays and inline tables), or -1. It scans
// without decoding: strings and comments are skipped, and a table header
// ("[a]", "[[a]]") closes on its line. BurntSushi/toml has no nesting
// limit, and its time grows faster than the square of the nesting, so the
// front end and the configuration reader ask before decoding.
func TOMLDeeper(b []byte, limit int) int {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '#':
			for i < len(b) && b[i] != '\n' {
				i++
			}
		case '"', '\'':
			i = tomlStringEnd(b, i)
		case '[', '{':
			if depth++; depth > limit {
				return i
			}
		case ']', '}':
			depth = max(0, depth-1)
		}
	}
	return -1
}

// tomlStringEnd returns the offset of the last byte of the string that
// opens at i (basic or literal, on one line or multi-line).
func tomlStringEnd(b []byte, i int) int {
	q := b[i]
	if i+2 < len(b) && b[i+1] == q && b[i+2] == q {
		for j := i + 3; j+2 < len(b); j++ {
			switch {
			case q == '"' && b[j] == '\\':
				j++
			case b[j] == q && b[j+1] == q && b[j+2] == q:
				return j + 2
			}
		}
		return len(b)
	}
	for j := i + 1; j < len(b); j++ {
		switch {
		case b[j] == '\n':
			return j - 1 // an unterminated string ends at the line break
		case q == '"' && b[j] == '\\':
			j++
		case b[j] == q:
			return j
		}
	}
	return len(b)
}
