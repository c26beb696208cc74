package python

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// MaxNesting is how deeply one statement may nest: blocks, brackets and
// expressions inside one another (a lambda's body, the else of a
// conditional expression, an operand of an operator). CPython 3.11 itself
// refuses 200 nested brackets, 100 indentation levels and, depending on
// the construct, expressions nested between 1,000 and 5,000 deep; real
// settings nest a handful of levels. Deeper input costs memory and stack
// in proportion to its depth (the parser keeps a state of several hundred
// bytes per level, and every pass over the tree recurses), so a few
// hundred kilobytes could otherwise take gigabytes or overflow the stack.
const MaxNesting = 1000

// maxImportDepth bounds a chain of star imports (settings that import
// settings that import ...): CPython's own import machinery fails near
// its recursion limit of 1,000 frames, several per import.
const maxImportDepth = 100

// NestingError is a statement the parser's tree of which nests deeper than
// MaxNesting.
type NestingError struct {
	Offset int // where the limit was passed, a byte offset of the file
}

func (e *NestingError) Error() string { return tooDeepMessage }

var tooDeepMessage = fmt.Sprintf("nesting deeper than %d levels (blocks, brackets, operators)", MaxNesting)

// nestLevel is one open bracket of the nesting scan.
type nestLevel struct {
	count        int // nesting tokens since the last separator at this level
	lambdaParams int // lambdas whose parameter list has not ended yet
}

// tooDeep scans a chunk's tokens for an upper bound of how deeply it nests
// before the parser sees it, and returns the offset of the token where
// the bound passes MaxNesting, or -1. The bound counts the open blocks
// (indentation levels), the open brackets, and at each bracket level the
// constructs that nest to their right since the last separator (a comma,
// "=", ";"): lambda, not, a conditional expression's if, yield, await, a
// prefix operator and "**". Operators that associate to the left ("a + b
// + c") are built up one level at a time by the parser and are bounded
// while the tree is converted instead.
func (m *Module) tooDeep(c Chunk) int {
	src := m.File.Content
	levels := []nestLevel{{}}
	var indents []int // columns of the blocks open at this line
	total := 0        // Σ counts + open brackets
	prev := -1        // previous significant token of the logical line
	word := func(i int) string {
		if i >= 0 && i < len(m.Tokens) && m.Tokens[i].Kind == TokName {
			return string(src[m.Tokens[i].Start:m.Tokens[i].End])
		}
		return ""
	}
	for i := c.First; i <= c.Last && i < len(m.Tokens); i++ {
		if !m.significant(i) {
			continue
		}
		t := m.Tokens[i]
		if t.LineStart {
			col := t.Start - m.lines.LineStart(m.lines.Pos(t.Start).Line)
			for len(indents) > 0 && indents[len(indents)-1] >= col {
				indents = indents[:len(indents)-1]
			}
			indents = append(indents, col)
			levels, total, prev = levels[:1], 0, -1
			levels[0] = nestLevel{}
		}
		top := &levels[len(levels)-1]
		nest := false
		text := string(src[t.Start:t.End])
		switch t.Kind {
		case TokOp:
			switch text {
			case "(", "[", "{":
				levels = append(levels, nestLevel{})
				total++
			case ")", "]", "}":
				if len(levels) > 1 {
					total -= top.count + 1
					levels = levels[:len(levels)-1]
				}
			case ",":
				if top.lambdaParams == 0 {
					total -= top.count
					top.count = 0
				}
			case "=":
				if top.lambdaParams == 0 { // not a parameter's default
					total -= top.count
					top.count = 0
				}
			case ";", "+=", "-=", "*=", "/=", "//=", "%=", "**=", ">>=", "<<=", "&=", "|=", "^=", "@=":
				total -= top.count
				top.count = 0
			case ":":
				if top.lambdaParams > 0 {
					top.lambdaParams--
				}
			case "**":
				nest = true
			case "-", "+", "~", "*":
				nest = m.prefixContext(prev)
			}
		case TokName:
			switch text {
			case "lambda":
				nest = true
				top.lambdaParams++
			case "not":
				nest = word(prev) != "is" && word(m.nextSig(i)) != "in"
			case "if":
				nest = !t.LineStart
			case "yield", "await":
				nest = true
			}
		}
		if nest {
			top.count++
			total++
		}
		if len(indents)-1+total > MaxNesting {
			return t.Start
		}
		prev = i
	}
	return -1
}

// prefixContext reports whether an operator after token prev is a prefix
// one (unary minus, a starred argument): at the start, after an operator
// other than a closing bracket, or after a keyword.
func (m *Module) prefixContext(prev int) bool {
	if prev < 0 {
		return true
	}
	t := m.Tokens[prev]
	text := string(m.File.Content[t.Start:t.End])
	switch t.Kind {
	case TokOp:
		return text != ")" && text != "]" && text != "}"
	case TokName:
		return pyKeywords[text] && text != "True" && text != "False" && text != "None"
	}
	return false
}

// MaxValueSize caps the size of one evaluated value: the bytes of a str or
// bytes, the bytes of an int, and for a list, tuple, set or dict one per
// element plus the size of each (an element that appears twice counts
// twice, as it would print). Settings values are at most a few kilobytes;
// without a cap, a few hundred bytes of "A = A + A" double a string into
// gigabytes. A larger value is unknown, and M002 says where it was built.
const MaxValueSize = 1 << 20

// maxIntDigits is CPython's own limit on converting between int and
// decimal text (sys.int_info.default_max_str_digits, since 3.11): a longer
// literal is a SyntaxError and int() of a longer string a ValueError.
// Integers beyond it are unknown here; big-integer arithmetic and
// conversion cost more than linear time in the number of digits.
const maxIntDigits = 4300

// maxIntBits is maxIntDigits decimal digits in bits (log2(10) ≈ 3.3220).
const maxIntBits = maxIntDigits * 33220 / 10000

// maxEvalWork is the evaluation budget of one module, counted in words of
// memory built or copied: an element of a list or dict, eight bytes of a
// string, a name of a namespace copied for each branch of an if. Real
// settings modules spend well under a million; statements that each copy
// everything built so far (an item assigned to a growing dict, one if
// after another among thousands of names) are quadratic and would
// otherwise run for hours. Past the budget every name assigned is
// unknown, and M002 says where the budget ran out.
const maxEvalWork = 1 << 26

// maxAlternatives caps the alternative values of one name (one per branch
// of if/else, try/except) and the combinations of them an operation is
// applied to: each operation multiplies the combinations of its operands.
const maxAlternatives = 64

// maxSetDisplay caps the elements of a set built by the evaluator: telling
// duplicates apart compares each element with every other.
const maxSetDisplay = 4096

// maxMutations caps the statements recorded as changing one name in
// place (MIDDLEWARE.insert(...)); more are applied but not listed.
const maxMutations = 64

// budgetReason is why every value is unknown once the budget is spent.
var budgetReason = fmt.Sprintf("the evaluation budget of the module (%d words) is spent", maxEvalWork)

var overCapReason = fmt.Sprintf("value larger than %d (bytes of text, elements of containers)", MaxValueSize)

// overCap is the value of an operation whose result would pass
// MaxValueSize; it is reported where it is first met (bounded).
func overCap(r source.Range) *Value {
	v := UnknownValue(overCapReason, r)
	v.overCap = true
	return v
}

// shape is the measured size and nesting depth of a value. Both are
// bounded (a size saturates just past MaxValueSize, a value nested deeper
// than MaxNesting is unknown), and 32 bits each keep a Value within the
// 176-byte size class.
type shape struct{ size, depth int32 }

// bounded charges the work of building v and returns v, or an unknown
// value (with an M002 problem at n) when v passes MaxValueSize or nests
// deeper than MaxNesting. Operands are checked when they are built, so a
// result is at most a few times the cap before it is checked here; the
// operations that could multiply it (repetition, join, replace, powers)
// check their result's size before building it.
func (ev *Evaluator) bounded(v *Value, n Node) *Value {
	if v == nil {
		return v
	}
	if v.overCap {
		v.overCap = false
		ev.notAnalysed(n, "not analysed: the value built here is larger than %d (bytes of text, elements of containers); it is unknown", MaxValueSize)
		return v
	}
	ev.spend(shallowSize(v), n)
	sh := ev.shape(v)
	switch {
	case sh.size > MaxValueSize:
		ev.notAnalysed(n, "not analysed: the value built here is larger than %d (bytes of text, elements of containers); it is unknown", MaxValueSize)
		return UnknownValue(overCapReason, ev.rng(n))
	case sh.depth > MaxNesting:
		ev.notAnalysed(n, "not analysed: the value built here nests deeper than %d levels; it is unknown", MaxNesting)
		return UnknownValue(fmt.Sprintf("value nested deeper than %d levels", MaxNesting), ev.rng(n))
	}
	return v
}

func (ev *Evaluator) notAnalysed(n Node, format string, args ...any) {
	ev.Problems = append(ev.Problems, source.Problem{Kind: source.ProblemNotAnalysed, Range: ev.rng(n), Message: fmt.Sprintf(format, args...)})
}

// spend charges units of work done at n; the first time the budget runs
// out, M002 says so there and the evaluation stops computing values.
func (ev *Evaluator) spend(units int, n Node) {
	ev.work += units
	if ev.work > maxEvalWork && !ev.exhausted {
		ev.exhausted = true
		ev.notAnalysed(n, "not analysed: %s here; every name assigned from here on is unknown", budgetReason)
	}
}

// shallowSize is the work of building v itself (its elements were built
// and charged before).
func shallowSize(v *Value) int {
	if v.Kind != Known {
		return 1 + len(v.Alts)
	}
	switch o := v.Obj.(type) {
	case Str:
		return 1 + len(o)/8
	case Bytes:
		return 1 + len(o)/8
	case Int:
		return 1 + o.BitLen()/64
	case *SeqObj:
		return 1 + len(o.Elems)
	case *DictObj:
		return 1 + dictKeyCost*len(o.Keys)
	}
	return 1
}

// Costs, in units of maxEvalWork, of work that is dearer than copying a
// pointer: a dict's key (copied with its index entry) and a name of a
// namespace copied for a branch or merged after it. Measured: both take
// tens of nanoseconds, a pointer copied about one.
const (
	dictKeyCost = 8
	nameCost    = 8
)

// shape measures v once (values do not change once built); sizes saturate just past the cap, so measuring
// costs at most the elements of v itself.
func (ev *Evaluator) shape(v *Value) shape {
	if v == nil {
		return shape{}
	}
	if v.measured {
		return v.shape
	}
	sh := shape{size: 1, depth: 1}
	add := func(c *Value) {
		cs := ev.shape(c)
		sh.size = min(sh.size+1+cs.size, MaxValueSize+1)
		sh.depth = max(sh.depth, cs.depth+1)
	}
	switch v.Kind {
	case Known:
		switch o := v.Obj.(type) {
		case Str:
			sh.size = int32(min(len(o), MaxValueSize+1))
		case Bytes:
			sh.size = int32(min(len(o), MaxValueSize+1))
		case Int:
			sh.size = int32(min(1+o.BitLen()/8, MaxValueSize+1))
			if o.BitLen() > maxIntBits {
				sh.size = MaxValueSize + 1
			}
		case *SeqObj:
			sh.size = 0
			for _, e := range o.Elems {
				add(e)
			}
		case *DictObj:
			sh.size = 0
			for i := range o.Keys {
				add(o.Keys[i])
				sh.size-- // one per item, not per key and value
				add(o.Vals[i])
			}
		}
	case Alternatives:
		for _, a := range v.Alts {
			add(a)
		}
	case FromEnv:
		add(v.Env.Default)
	}
	sh.size = min(sh.size, MaxValueSize+1)
	v.shape, v.measured = sh, true
	return sh
}

// skip is what happens to a statement once the budget is spent: every name
// it may assign becomes unknown, nothing is computed.
func (ev *Evaluator) skip(s Stmt, ns *Namespace) {
	switch x := s.(type) {
	case *Assign:
		for _, t := range x.Targets {
			ev.bindUnknown(t, ns, budgetReason, s)
		}
	case *AugAssign:
		ev.bindUnknown(x.Target, ns, budgetReason, s)
	case *ExprStmt:
		if c, ok := x.X.(*Call); ok {
			if attr, ok := c.Func.(*Attribute); ok && mutatingMethods[attr.Attr] {
				if n, ok := attr.Value.(*Name); ok {
					ev.bindUnknown(n, ns, budgetReason, s)
				}
			}
		}
	case *FuncDef:
		ns.set(&Binding{Name: x.Name, Value: UnknownValue(budgetReason, ev.rng(s)), Target: ev.rng(s), Stmt: ev.rng(s)})
	case *ClassDef:
		ns.set(&Binding{Name: x.Name, Value: UnknownValue(budgetReason, ev.rng(s)), Target: ev.rng(s), Stmt: ev.rng(s)})
	case *Import:
		for _, a := range x.Names {
			name := a.As
			if name == "" {
				name = strings.SplitN(a.Name, ".", 2)[0]
			}
			ns.set(&Binding{Name: name, Value: UnknownValue(budgetReason, ev.rng(s)), Target: ev.rng(s), Stmt: ev.rng(s)})
		}
	case *ImportFrom:
		for _, a := range x.Names {
			if a.Name == "*" {
				ns.Open = appendNew(ns.Open, strings.Repeat(".", x.Level)+x.Module) // any name may come from it
				continue
			}
			name := a.As
			if name == "" {
				name = a.Name
			}
			ns.set(&Binding{Name: name, Value: UnknownValue(budgetReason, ev.rng(s)), Target: ev.rng(s), Stmt: ev.rng(s)})
		}
	}
	for _, body := range Bodies(s) {
		for _, b := range body {
			ev.skip(b, ns)
		}
	}
}

// shorten cuts text from a value for a message.
func shorten(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// addMutation records where a name was changed in place, up to
// maxMutations places.
func addMutation(list []source.Range, r source.Range) []source.Range {
	if len(list) >= maxMutations {
		return list
	}
	return append(list[:len(list):len(list)], r)
}
