package python

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Object is a Python value known statically: Str, Bytes, Int, Float,
// Complex, Bool, None, Ellipsis, *SeqObj or *DictObj.
type Object interface{ pyType() string }

type (
	// Str is a Python str.
	Str string
	// Bytes is a Python bytes value.
	Bytes string
	// Int is a Python int.
	Int struct{ *big.Int }
	// Float is a Python float.
	Float float64
	// Complex is a Python complex.
	Complex complex128
	// Bool is a Python bool.
	Bool bool
	// NoneObj is None.
	NoneObj struct{}
	// EllipsisObj is the Ellipsis literal.
	EllipsisObj struct{}
	// SeqObj is a list, tuple or set; its elements may be partly unknown.
	SeqObj struct {
		Type  SeqType
		Elems []*Value
	}
	// DictObj is a dict in insertion order; keys and values may be partly
	// unknown.
	DictObj struct {
		Keys, Vals []*Value
		// index maps the hash keys (hashKey) of the known keys among
		// Keys[:indexed] to their position, so that building a dict of n
		// items costs O(n) rather than O(n²); lastUnknown is the
		// position of the last key that is not known (-1: none). Both are
		// brought up to date on use.
		index       map[string]int
		indexed     int
		lastUnknown int
	}
)

func (Str) pyType() string         { return "str" }
func (Bytes) pyType() string       { return "bytes" }
func (Int) pyType() string         { return "int" }
func (Float) pyType() string       { return "float" }
func (Complex) pyType() string     { return "complex" }
func (Bool) pyType() string        { return "bool" }
func (NoneObj) pyType() string     { return "NoneType" }
func (EllipsisObj) pyType() string { return "ellipsis" }
func (s *SeqObj) pyType() string   { return [...]string{"list", "tuple", "set"}[s.Type] }
func (*DictObj) pyType() string    { return "dict" }

// NewInt returns the Int with value v.
func NewInt(v int64) Int { return Int{big.NewInt(v)} }

// Truthy returns Python's truth value of o, and false for ok when it
// depends on unknown parts.
func Truthy(o Object) (truth, ok bool) {
	switch x := o.(type) {
	case Str:
		return x != "", true
	case Bytes:
		return x != "", true
	case Int:
		return x.Sign() != 0, true
	case Float:
		return x != 0, true
	case Complex:
		return x != 0, true
	case Bool:
		return bool(x), true
	case NoneObj:
		return false, true
	case EllipsisObj:
		return true, true
	case *SeqObj:
		return len(x.Elems) > 0, true
	case *DictObj:
		return len(x.Keys) > 0, true
	}
	return false, false
}

// Repr renders o roughly as Python's repr does, for messages.
func Repr(o Object) string {
	switch x := o.(type) {
	case Str:
		return pyQuote(string(x))
	case Bytes:
		return "b" + pyQuote(string(x))
	case Int:
		return x.String()
	case Float:
		f := float64(x)
		s := strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0"
		}
		return s
	case Complex:
		return fmt.Sprint(complex128(x))
	case Bool:
		if x {
			return "True"
		}
		return "False"
	case NoneObj:
		return "None"
	case EllipsisObj:
		return "Ellipsis"
	case *SeqObj:
		open, close := "[", "]"
		switch x.Type {
		case Tuple:
			open, close = "(", ")"
		case Set:
			open, close = "{", "}"
		}
		parts := make([]string, len(x.Elems))
		for i, e := range x.Elems {
			parts[i] = e.String()
		}
		if x.Type == Tuple && len(parts) == 1 {
			return "(" + parts[0] + ",)"
		}
		return open + strings.Join(parts, ", ") + close
	case *DictObj:
		parts := make([]string, len(x.Keys))
		for i := range x.Keys {
			parts[i] = x.Keys[i].String() + ": " + x.Vals[i].String()
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return "?"
}

func pyQuote(s string) string {
	q := "'"
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = `"`
	}
	var b strings.Builder
	b.WriteString(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case string(r) == q:
			b.WriteString(`\` + q)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString(q)
	return b.String()
}

// decodeStringToken decodes one string literal token (prefix, quotes,
// escapes) exactly as CPython does. ok is false for f-strings and for
// escapes whose value this decoder does not compute (\N{...}), and for
// anything malformed: such literals are unknown, never approximated.
func decodeStringToken(tok string) (value string, isBytes bool, reason string) {
	p := stringPrefix([]byte(tok[:min(len(tok), 3)])) // a prefix is at most two letters and a quote
	prefix := strings.ToLower(tok[:p])
	body := tok[p:]
	if strings.Contains(prefix, "f") {
		return "", false, "f-string"
	}
	raw := strings.Contains(prefix, "r")
	isBytes = strings.Contains(prefix, "b")
	var q string
	switch {
	case strings.HasPrefix(body, `"""`) || strings.HasPrefix(body, `'''`):
		q = body[:3]
	case len(body) > 0:
		q = body[:1]
	}
	if q == "" || len(body) < 2*len(q) || !strings.HasSuffix(body, q) {
		return "", isBytes, "unterminated string"
	}
	inner := body[len(q) : len(body)-len(q)]
	inner = strings.ReplaceAll(inner, "\r\n", "\n")
	inner = strings.ReplaceAll(inner, "\r", "\n") // universal newlines
	if isBytes {
		for i := 0; i < len(inner); i++ {
			if inner[i] >= 0x80 {
				return "", true, "non-ASCII bytes literal"
			}
		}
	}
	if raw || strings.IndexByte(inner, '\\') < 0 {
		return inner, isBytes, "" // nothing to decode
	}
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(inner) {
			return "", isBytes, "trailing backslash"
		}
		switch c = inner[i]; c {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(c)
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 'f':
			b.WriteByte(12)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte(11)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			n := 0
			j := i
			for j < len(inner) && j < i+3 && inner[j] >= '0' && inner[j] <= '7' {
				n = n*8 + int(inner[j]-'0')
				j++
			}
			i = j - 1
			if isBytes {
				if n > 0xff {
					return "", true, "octal escape out of range"
				}
				b.WriteByte(byte(n))
			} else {
				b.WriteRune(rune(n))
			}
		case 'x', 'u', 'U':
			size := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
			if isBytes && c != 'x' {
				b.WriteByte('\\')
				b.WriteByte(c)
				continue
			}
			if i+1+size > len(inner) {
				return "", isBytes, "truncated escape"
			}
			hex := inner[i+1 : i+1+size]
			for k := 0; k < len(hex); k++ {
				if !isHex(hex[k]) {
					return "", isBytes, "invalid escape"
				}
			}
			n, _ := strconv.ParseUint(hex, 16, 32)
			i += size
			if isBytes {
				b.WriteByte(byte(n))
			} else {
				if n > utf8.MaxRune || n >= 0xD800 && n < 0xE000 {
					return "", false, "escape outside Unicode scalar values"
				}
				b.WriteRune(rune(n))
			}
		case 'N':
			if isBytes {
				b.WriteString(`\N`)
				continue
			}
			return "", false, `\N{...} escape`
		default:
			b.WriteByte('\\')
			b.WriteByte(c)
		}
	}
	return b.String(), isBytes, ""
}

// decodeNumberToken parses a number token (underscores allowed).
func decodeNumberToken(tok string) (Object, bool) {
	s := strings.ReplaceAll(tok, "_", "")
	if s == "" {
		return nil, false
	}
	if s[len(s)-1]|0x20 == 'j' {
		f, err := strconv.ParseFloat(s[:len(s)-1], 64)
		if err != nil {
			return nil, false
		}
		return Complex(complex(0, f)), true
	}
	if len(s) > 1 && s[0] == '0' && strings.ContainsAny(s[1:2], "xXoObB") {
		n, ok := new(big.Int).SetString(s, 0)
		if !ok {
			return nil, false
		}
		return Int{n}, true
	}
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !strings.Contains(err.Error(), "range") {
			return nil, false
		}
		return Float(f), true
	}
	if len(s) > 1 && s[0] == '0' && strings.Trim(s, "0") != "" {
		return nil, false // 017 is a syntax error in Python 3
	}
	if len(s) > maxIntDigits {
		return nil, false // a SyntaxError in CPython; decimal conversion is quadratic
	}
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, false
	}
	return Int{n}, true
}
