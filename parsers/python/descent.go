package python

import (
	"bytes"
	"math"
	"unicode/utf8"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Descent is a recursive-descent parser for Python 3.4's grammar, the one
// gpython implements, that builds the same statements GPython's
// conversion builds, with the same positions, straight from the scanner's
// tokens. It is strict: whatever it does not accept (a syntax error, a
// construct whose gpython positions it does not reproduce, a lexical form
// gpython may read differently) goes to Fallback, so errors and their
// messages stay gpython's. The differential test (descent_test.go) holds
// it to GPython on the corpus, the fixtures and fuzzed input.
type Descent struct{ Fallback Parser }

// ParseStatement implements Parser.
func (d Descent) ParseStatement(text []byte, offset func(line, col int) int) ([]Stmt, error) {
	return d.parseTokens(text, Tokenize(text), 0, offset)
}

// tokenParser is a Parser that can be given the text's tokens, scanned
// with the file, so that the text is not scanned again.
type tokenParser interface {
	// parseTokens is ParseStatement; toks are text's tokens, by offsets
	// base bytes past the text's (the offsets of the file).
	parseTokens(text []byte, toks []Token, base int, offset func(line, col int) int) ([]Stmt, error)
}

func (d Descent) parseTokens(text []byte, toks []Token, base int, offset func(line, col int) int) ([]Stmt, error) {
	if stmts, ok := descend(text, toks, base, offset); ok {
		return stmts, nil
	}
	return d.Fallback.ParseStatement(text, offset)
}

type dkind uint8

const (
	dName dkind = iota + 1
	dNumber
	dString
	dOp
	dNewline
	dIndent
	dDedent
	dEnd
)

type dtok struct {
	// start and end are offsets in the text, in 32 bits: a text passed
	// to the parser is far below 2 GiB, and a token of 12 bytes instead
	// of 24 halves the parser's token slice.
	start, end int32
	prefix     uint8
	kind       dkind
}

type descender struct {
	src    []byte
	toks   []dtok
	i      int
	lines  []int // byte offset of the start of each line of src
	offset func(line, col int) int
}

// unsupported stops a descent: the text goes to the fallback parser.
type unsupported struct{}

func descend(text []byte, toks []Token, base int, offset func(line, col int) int) (stmts []Stmt, ok bool) {
	if len(text) > math.MaxInt32 || !utf8.Valid(text) || bytes.ContainsAny(text, "\r\f\v\x00") || bytes.HasPrefix(text, []byte("\xEF\xBB\xBF")) {
		return nil, false
	}
	// Counting the lines first sizes the line index once instead of
	// growing it by appends (a large share of the parser's allocations).
	p := &descender{src: text, offset: offset, lines: make([]int, 1, bytes.Count(text, []byte{'\n'})+1)}
	for i, c := range text {
		if c == '\n' {
			p.lines = append(p.lines, i+1)
		}
	}
	if !p.tokens(toks, base) {
		return nil, false
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(unsupported); !ok {
				panic(r)
			}
			stmts, ok = nil, false
		}
	}()
	for p.peek().kind != dEnd {
		if p.peek().kind == dNewline {
			p.i++
			continue
		}
		stmts = append(stmts, p.stmt()...)
	}
	if stmts == nil {
		stmts = []Stmt{}
	}
	if !nestingWithin(stmts) {
		return nil, false
	}
	return stmts, true
}

// tokens turns the scanner's tokens into the parser's: comments and
// continuations dropped, indentation made INDENT and DEDENT tokens.
func (p *descender) tokens(in []Token, base int) bool {
	indents := []int{0}
	last := dNewline
	// continued is set after a line continuation until a token follows:
	// a text that ends continued is an error to gpython ("unexpected
	// EOF"), one left to the fallback.
	continued := false
	p.toks = make([]dtok, 0, len(in)+8)
	for _, t := range in {
		t.Start -= base
		t.End -= base
		switch t.Kind {
		case TokContinue:
			continued = true
			continue
		case TokComment:
			continue
		case TokError:
			return false
		case TokNewline:
			p.toks = append(p.toks, dtok{kind: dNewline, start: int32(t.Start), end: int32(t.End)})
			last = dNewline
			continue
		}
		if t.LineStart {
			ls := p.lines[p.lineOf(t.Start)-1]
			for _, c := range p.src[ls:t.Start] {
				if c != ' ' {
					return false // a tab: gpython's columns of tabs are not reproduced
				}
			}
			ind := t.Start - ls
			switch top := indents[len(indents)-1]; {
			case ind > top:
				indents = append(indents, ind)
				p.toks = append(p.toks, dtok{kind: dIndent, start: int32(ls)})
			case ind < top:
				for ind < indents[len(indents)-1] {
					indents = indents[:len(indents)-1]
					p.toks = append(p.toks, dtok{kind: dDedent, start: int32(ls)})
				}
				if ind != indents[len(indents)-1] {
					return false
				}
			}
		}
		k := dOp
		switch t.Kind {
		case TokName:
			k = dName
			for _, c := range p.src[t.Start:t.End] {
				if c >= utf8.RuneSelf {
					return false
				}
			}
		case TokNumber:
			k = dNumber
			if !plainNumber().Match(p.src[t.Start:t.End]) {
				return false
			}
		case TokString:
			k = dString
			if t.Unterminated || !p.plainString(t) {
				return false
			}
		case TokOp:
			if !knownOps[string(p.src[t.Start:t.End])] {
				return false
			}
		}
		p.toks = append(p.toks, dtok{kind: k, start: int32(t.Start), end: int32(t.End), prefix: t.Prefix})
		last = k
		continued = false
	}
	if continued {
		return false
	}
	if last != dNewline {
		p.toks = append(p.toks, dtok{kind: dNewline, start: int32(len(p.src)), end: int32(len(p.src))})
	}
	for range indents[1:] {
		p.toks = append(p.toks, dtok{kind: dDedent, start: int32(len(p.src))})
	}
	p.toks = append(p.toks, dtok{kind: dEnd, start: int32(len(p.src))})
	return true
}

// plainNumber matches the number forms both scanners read alike.
var plainNumber = source.LazyRegexp(`^(?:0+|[1-9][0-9]*|0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*(?:[eE][-+]?[0-9]+)?[jJ]?|[eE][-+]?[0-9]+[jJ]?|[jJ])|\.[0-9]+(?:[eE][-+]?[0-9]+)?[jJ]?)$`)

// plainString reports whether a string token is one gpython reads as
// the value finishExpr gives it: a prefix of Python 3.4, and no escape
// whose decoding may fail (\N, \x, \u, \U) or bytes outside ASCII.
func (p *descender) plainString(t Token) bool {
	switch string(bytes.ToLower(p.src[t.Start:t.bodyStart()])) {
	case "", "r", "u", "b", "br", "rb":
	default:
		return false
	}
	body := p.src[t.bodyStart():t.End]
	for i, c := range body {
		if c >= utf8.RuneSelf {
			if bytes.ContainsAny(p.src[t.Start:t.bodyStart()], "bB") {
				return false
			}
			continue
		}
		if c == '\\' && i+1 < len(body) {
			switch body[i+1] {
			case 'N', 'x', 'u', 'U', '\n':
				return false
			}
		}
	}
	return true
}

var knownOps = map[string]bool{}

func init() {
	for _, o := range []string{"+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "~", "<", ">", "<=", ">=", "==", "!=",
		"(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "@", "=", "->", "+=", "-=", "*=", "/=", "//=", "%=", "&=", "|=", "^=",
		">>=", "<<=", "**=", "..."} {
		knownOps[o] = true
	}
}

// lineOf is the 1-based line of a byte offset.
func (p *descender) lineOf(off int) int {
	lo, hi := 0, len(p.lines)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if p.lines[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1
}

// span is the span of a node gpython places at byte off of the text.
func (p *descender) span(at int32) Span {
	off := int(at)
	line := p.lineOf(off)
	o := p.offset(line, off-p.lines[line-1])
	return Span{Start: o, End: o}
}

func (p *descender) peek() dtok         { return p.toks[p.i] }
func (p *descender) text(t dtok) string { return string(p.src[t.start:t.end]) }
func (p *descender) fail()              { panic(unsupported{}) }

// is reports whether the next token is the operator or keyword s.
func (p *descender) is(s string) bool {
	t := p.toks[p.i]
	return (t.kind == dOp || t.kind == dName) && int(t.end-t.start) == len(s) && string(p.src[t.start:t.end]) == s
}

func (p *descender) accept(s string) bool {
	if p.is(s) {
		p.i++
		return true
	}
	return false
}

func (p *descender) expect(s string) dtok {
	if !p.is(s) {
		p.fail()
	}
	p.i++
	return p.toks[p.i-1]
}

func (p *descender) expectKind(k dkind) dtok {
	if p.peek().kind != k {
		p.fail()
	}
	p.i++
	return p.toks[p.i-1]
}

var nameConstants = map[string]Object{"None": NoneObj{}, "True": Bool(true), "False": Bool(false)}

var keywords = map[string]bool{"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true,
	"break": true, "class": true, "continue": true, "def": true, "del": true, "elif": true, "else": true,
	"except": true, "finally": true, "for": true, "from": true, "global": true, "if": true, "import": true,
	"in": true, "is": true, "lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true,
	"raise": true, "return": true, "try": true, "while": true, "with": true, "yield": true}

// name expects an identifier that is not a keyword.
func (p *descender) name() dtok {
	t := p.peek()
	if t.kind != dName || keywords[p.text(t)] {
		p.fail()
	}
	p.i++
	return t
}

func (p *descender) atName() bool {
	t := p.peek()
	return t.kind == dName && !keywords[p.text(t)]
}

// ---- statements

func (p *descender) stmt() []Stmt {
	t := p.peek()
	if t.kind == dOp && p.is("@") {
		return []Stmt{p.decorated()}
	}
	if t.kind == dName {
		switch p.text(t) {
		case "if":
			return []Stmt{p.ifStmt()}
		case "while":
			p.i++
			test := p.test()
			p.expect(":")
			body := p.suite()
			return []Stmt{&Loop{Span: p.span(t.start), Iter: test, Body: body, Else: p.optElse()}}
		case "for":
			p.i++
			target := p.targetList(t.start)
			p.expect("in")
			iter := p.testlist()
			p.expect(":")
			body := p.suite()
			return []Stmt{&Loop{Span: p.span(t.start), For: true, Target: target, Iter: iter, Body: body, Else: p.optElse()}}
		case "try":
			return []Stmt{p.tryStmt()}
		case "with":
			p.i++
			w := &With{Span: p.span(t.start)}
			for {
				w.Items = append(w.Items, p.test())
				if p.accept("as") {
					v := p.expr()
					p.store(v)
					w.Vars = append(w.Vars, v)
				}
				if !p.accept(",") {
					break
				}
			}
			p.expect(":")
			w.Body = p.suite()
			return []Stmt{w}
		case "def":
			return []Stmt{p.funcDef(nil)}
		case "class":
			return []Stmt{p.classDef(nil)}
		}
	}
	return p.simpleStmt()
}

// simpleStmt: small statements separated by ";", then a newline.
func (p *descender) simpleStmt() []Stmt {
	var out []Stmt
	for {
		out = append(out, p.smallStmt())
		if !p.accept(";") {
			break
		}
		if p.peek().kind == dNewline {
			break
		}
	}
	p.expectKind(dNewline)
	return out
}

// suite is a simple statement on the header's line or an indented block;
// indented reports which.
func (p *descender) suiteIndented() ([]Stmt, bool) {
	if p.peek().kind != dNewline {
		return p.simpleStmt(), false
	}
	p.i++
	p.expectKind(dIndent)
	var out []Stmt
	for p.peek().kind != dDedent {
		out = append(out, p.stmt()...)
	}
	p.i++
	return out, true
}

func (p *descender) suite() []Stmt {
	s, _ := p.suiteIndented()
	return s
}

func (p *descender) optElse() []Stmt {
	if p.accept("else") {
		p.expect(":")
		return p.suite()
	}
	return []Stmt{}
}

func (p *descender) ifStmt() Stmt {
	t := p.expect("if")
	top := &If{Span: p.span(t.start), Test: p.test()}
	p.expect(":")
	bodyStart := p.i
	var indented bool
	top.Body, indented = p.suiteIndented()
	cur := top
	if p.is("elif") {
		// gpython places every elif of the chain where the if's block
		// starts (the INDENT token's position: its line, column 0); a
		// one-line body leaves another position, not reproduced.
		if !indented {
			p.fail()
		}
		at := p.toks[bodyStart+1].start
		for p.accept("elif") {
			e := &If{Span: p.span(at), Test: p.test()}
			p.expect(":")
			e.Body = p.suite()
			cur.Else = []Stmt{e}
			cur = e
		}
	}
	cur.Else = p.optElse()
	return top
}

func (p *descender) tryStmt() Stmt {
	t := p.expect("try")
	p.expect(":")
	bodyStart := p.i
	body, indented := p.suiteIndented()
	tr := &Try{Span: p.span(t.start), Body: body}
	if p.is("except") && !indented {
		p.fail() // handlers' positions after a one-line body: not reproduced
	}
	for p.is("except") {
		p.i++
		// Every handler sits where the try's block starts (see ifStmt).
		h := Handler{Span: p.span(p.toks[bodyStart+1].start)}
		if !p.is(":") {
			h.Type = p.test()
			if p.accept("as") {
				h.Name = p.text(p.name())
			}
		}
		p.expect(":")
		h.Body = p.suite()
		tr.Handlers = append(tr.Handlers, h)
	}
	tr.Else, tr.Finally = []Stmt{}, []Stmt{}
	if len(tr.Handlers) > 0 && p.accept("else") {
		p.expect(":")
		tr.Else = p.suite()
	}
	if p.accept("finally") {
		p.expect(":")
		tr.Finally = p.suite()
	} else if len(tr.Handlers) == 0 {
		p.fail()
	}
	return tr
}

func (p *descender) decorated() Stmt {
	decos := []Expr{}
	for p.is("@") {
		at := p.expect("@")
		name := p.text(p.name())
		for p.accept(".") {
			name += "." + p.text(p.name())
		}
		var d Expr = &Name{Span: p.span(at.start), ID: name}
		if p.accept("(") {
			c := p.arglist(")")
			if len(c.Args)+len(c.Keywords) == 0 && c.Star == nil && c.DStar == nil {
				p.fail() // gpython's position of "@f()" is left over from earlier tokens
			}
			// gpython's decorator call with arguments sits at the start
			// of the text (line 0, column 0).
			c.Span, c.Func = p.span(0), d
			d = c
		}
		p.expectKind(dNewline)
		decos = append(decos, d)
	}
	switch {
	case p.is("def"):
		return p.funcDef(decos)
	case p.is("class"):
		return p.classDef(decos)
	}
	p.fail()
	return nil
}

func (p *descender) funcDef(decos []Expr) Stmt {
	t := p.expect("def")
	f := &FuncDef{Span: p.span(t.start), Name: p.text(p.name()), Decorators: decos}
	if f.Decorators == nil {
		f.Decorators = []Expr{}
	}
	p.expect("(")
	f.Params = p.params(")", true)
	p.expect(")")
	if p.accept("->") {
		p.test()
	}
	p.expect(":")
	f.Body = p.suite()
	return f
}

// params reads a parameter list up to close; annotated: def's (with
// annotations), not lambda's. It is as strict as CPython about defaults,
// a bare "*" and trailing commas (gpython is laxer: those go to it).
func (p *descender) params(close string, annotated bool) []Param {
	var args, kwonly []Param
	var vararg, kwarg *Param
	var kwDefaults []Expr
	seen := map[string]bool{}
	param := func(kind string) Param {
		n := p.name()
		pr := Param{Span: p.span(n.start), Name: p.text(n), Kind: kind}
		if seen[pr.Name] {
			p.fail()
		}
		seen[pr.Name] = true
		if annotated && p.accept(":") {
			pr.Annotation = p.test()
			if kind == "*" || kind == "**" {
				pr.Annotation = nil // the conversion keeps only the name of *args and **kwargs
			}
		}
		return pr
	}
	star, defaults := false, false
	for !p.is(close) {
		switch {
		case kwarg != nil:
			p.fail()
		case p.accept("**"):
			pr := param("**")
			kwarg = &pr
		case p.accept("*"):
			if star {
				p.fail()
			}
			star = true
			if p.atName() {
				pr := param("*")
				vararg = &pr
			} else if !p.is(",") || p.toks[p.i+1].kind != dName {
				p.fail() // a bare * must be followed by named parameters
			}
		case star:
			pr := param("kwonly")
			if p.accept("=") {
				kwDefaults = append(kwDefaults, p.test())
			}
			kwonly = append(kwonly, pr)
		default:
			pr := param("")
			if p.accept("=") {
				pr.Default = p.test()
				defaults = true
			} else if defaults {
				p.fail()
			}
			args = append(args, pr)
		}
		if !p.accept(",") {
			break
		}
		if p.is(close) && (star || kwarg != nil) {
			p.fail() // a trailing comma after * or ** is Python 3.6
		}
	}
	// gpython keeps only the given keyword-only defaults and pairs them
	// with the parameters in order.
	for i := range kwonly {
		if i < len(kwDefaults) {
			kwonly[i].Default = kwDefaults[i]
		}
	}
	out := args
	if vararg != nil {
		out = append(out, *vararg)
	}
	out = append(out, kwonly...)
	if kwarg != nil {
		out = append(out, *kwarg)
	}
	return out
}

func (p *descender) nextIs(s string) bool {
	t := p.toks[p.i+1]
	return string(p.src[t.start:t.end]) == s
}

func (p *descender) classDef(decos []Expr) Stmt {
	t := p.expect("class")
	c := &ClassDef{Span: p.span(t.start), Name: p.text(p.name()), Bases: []Expr{}, Keywords: []Keyword{}, Decorators: decos}
	if c.Decorators == nil {
		c.Decorators = []Expr{}
	}
	if p.accept("(") {
		call := p.arglist(")")
		c.Bases, c.Keywords = call.Args, call.Keywords
	}
	p.expect(":")
	c.Body = p.suite()
	return c
}

func (p *descender) smallStmt() Stmt {
	t := p.peek()
	if t.kind == dName {
		switch p.text(t) {
		case "pass", "break", "continue":
			p.i++
			return &OtherStmt{Span: p.span(t.start), What: p.text(t)}
		case "global", "nonlocal":
			p.i++
			p.name()
			for p.accept(",") {
				p.name()
			}
			return &OtherStmt{Span: p.span(t.start), What: p.text(t)}
		case "del":
			p.i++
			targets := p.exprList()
			for _, e := range targets {
				p.store(e)
			}
			return &Delete{Span: p.span(t.start), Targets: targets}
		case "return":
			p.i++
			r := &Return{Span: p.span(t.start)}
			if !p.endOfSmall() {
				r.Value = p.testlist()
			}
			return r
		case "raise":
			p.i++
			s := &OtherStmt{Span: p.span(t.start), What: "raise"}
			if !p.endOfSmall() {
				s.Exprs = append(s.Exprs, p.test())
				if p.accept("from") {
					s.Exprs = append(s.Exprs, p.test())
				}
			}
			return s
		case "assert":
			p.i++
			s := &OtherStmt{Span: p.span(t.start), What: "assert", Exprs: []Expr{p.test()}}
			if p.accept(",") {
				s.Exprs = append(s.Exprs, p.test())
			}
			return s
		case "import":
			p.i++
			im := &Import{Span: p.span(t.start)}
			for {
				first := p.name()
				a := Alias{Span: p.span(first.start), Name: p.text(first)}
				for p.accept(".") {
					a.Name += "." + p.text(p.name())
				}
				if p.accept("as") {
					a.As = p.text(p.name())
				}
				im.Names = append(im.Names, a)
				if !p.accept(",") {
					break
				}
			}
			return im
		case "from":
			return p.importFrom()
		}
	}
	if p.is("yield") {
		return &ExprStmt{Span: p.span(t.start), X: p.yieldExpr()}
	}
	first := p.testlistStar()
	if op := p.peek(); op.kind == dOp && augOps[p.text(op)] != "" {
		p.i++
		switch first.(type) {
		case *Name, *Attribute, *Subscript:
		default:
			p.fail()
		}
		var v Expr
		if p.is("yield") {
			v = p.yieldExpr()
		} else {
			v = p.testlist()
		}
		return &AugAssign{Span: p.span(t.start), Target: first, Op: augOps[p.text(op)], Value: v}
	}
	if !p.is("=") {
		return &ExprStmt{Span: p.span(t.start), X: first}
	}
	list := []Expr{first}
	for p.accept("=") {
		if p.is("yield") {
			list = append(list, p.yieldExpr())
		} else {
			list = append(list, p.testlistStar())
		}
	}
	targets := list[:len(list)-1]
	for _, e := range targets {
		p.store(e)
	}
	return &Assign{Span: p.span(t.start), Targets: targets, Value: list[len(list)-1]}
}

var augOps = map[string]string{"+=": "+", "-=": "-", "*=": "*", "/=": "/", "%=": "%", "&=": "&", "|=": "|",
	"^=": "^", "<<=": "<<", ">>=": ">>", "**=": "**", "//=": "//"}

func (p *descender) endOfSmall() bool {
	return p.peek().kind == dNewline || p.is(";")
}

func (p *descender) importFrom() Stmt {
	t := p.expect("from")
	im := &ImportFrom{Span: p.span(t.start)}
	for {
		if p.accept(".") {
			im.Level++
		} else if p.accept("...") {
			im.Level += 3
		} else {
			break
		}
	}
	if !p.is("import") {
		im.Module = p.text(p.name())
		for p.accept(".") {
			im.Module += "." + p.text(p.name())
		}
	} else if im.Level == 0 {
		p.fail()
	}
	p.expect("import")
	if s := p.peek(); p.accept("*") {
		im.Names = []Alias{{Span: p.span(s.start), Name: "*"}}
		return im
	}
	paren := p.accept("(")
	for {
		n := p.name()
		a := Alias{Span: p.span(n.start), Name: p.text(n)}
		if p.accept("as") {
			a.As = p.text(p.name())
		}
		im.Names = append(im.Names, a)
		if !p.accept(",") {
			break
		}
		if paren && p.is(")") {
			break
		}
		if !paren && p.endOfSmall() {
			p.fail() // CPython refuses a trailing comma without parentheses
		}
	}
	if paren {
		p.expect(")")
	}
	return im
}

// store checks that e can be assigned to (or deleted).
func (p *descender) store(e Expr) {
	switch x := e.(type) {
	case *Name, *Attribute, *Subscript:
	case *SeqExpr:
		if x.Type == Set {
			p.fail()
		}
		for _, el := range x.Elts {
			p.store(el)
		}
	case *Opaque:
		if x.What != "starred" {
			p.fail()
		}
		p.store(x.Subs[0])
	default:
		p.fail()
	}
}

// ---- expressions

// tupleOr returns a tuple at start of elts, or the one expression.
func (p *descender) tupleOr(start int32, elts []Expr, comma bool) Expr {
	if comma || len(elts) > 1 {
		return &SeqExpr{Span: p.span(start), Type: Tuple, Elts: elts}
	}
	return elts[0]
}

// listFrom reads a comma-separated list after its first element up to
// where end says it ends; comma reports a trailing comma.
func (p *descender) listFrom(first Expr, elt func() Expr, end func() bool) (elts []Expr, comma bool) {
	elts = []Expr{first}
	for p.accept(",") {
		if end() {
			return elts, true
		}
		elts = append(elts, elt())
	}
	return elts, false
}

// testlistStar: (test|star_expr) (',' (test|star_expr))* [','].
func (p *descender) testlistStar() Expr {
	start := p.peek().start
	elts, comma := p.listFrom(p.testOrStar(), p.testOrStar, p.endOfList)
	return p.tupleOr(start, elts, comma)
}

func (p *descender) testlist() Expr {
	start := p.peek().start
	elts, comma := p.listFrom(p.test(), p.test, p.endOfList)
	return p.tupleOr(start, elts, comma)
}

// exprList is exprlist's elements (for del).
func (p *descender) exprList() []Expr {
	elts, _ := p.listFrom(p.exprOrStar(), p.exprOrStar, p.endOfList)
	return elts
}

// targetList is a for statement's target: a tuple placed at the for
// keyword, a trailing comma ignored (as gpython has it).
func (p *descender) targetList(forAt int32) Expr {
	elts, _ := p.listFrom(p.exprOrStar(), p.exprOrStar, p.endOfList)
	e := p.tupleOr(forAt, elts, false)
	p.store(e)
	return e
}

// targetListComp is a comprehension's target: a trailing comma makes a
// tuple.
func (p *descender) targetListComp(forAt int32) Expr {
	elts, comma := p.listFrom(p.exprOrStar(), p.exprOrStar, func() bool { return p.is("in") })
	e := p.tupleOr(forAt, elts, comma)
	p.store(e)
	return e
}

// restOfList reads the rest of a display through close.
func (p *descender) restOfList(first Expr, close string) ([]Expr, bool) {
	elts, comma := p.listFrom(first, p.testOrStar, func() bool { return p.is(close) })
	p.expect(close)
	return elts, comma
}

// endOfList reports whether a list of expressions ends at the next token.
func (p *descender) endOfList() bool {
	t := p.peek()
	if t.kind == dNewline || t.kind == dEnd {
		return true
	}
	if t.kind != dOp {
		return t.kind == dName && (p.is("in") || p.is("for"))
	}
	switch p.text(t) {
	case ")", "]", "}", "=", ";", ":":
		return true
	}
	return augOps[p.text(t)] != ""
}

func (p *descender) testOrStar() Expr {
	if p.is("*") {
		return p.starExpr()
	}
	return p.test()
}

func (p *descender) exprOrStar() Expr {
	if p.is("*") {
		return p.starExpr()
	}
	return p.expr()
}

func (p *descender) starExpr() Expr {
	t := p.expect("*")
	return &Opaque{Span: p.span(t.start), What: "starred", Subs: []Expr{p.expr()}}
}

func (p *descender) test() Expr {
	if p.is("lambda") {
		return p.lambda(false)
	}
	start := p.peek().start
	body := p.orTest()
	if !p.accept("if") {
		return body
	}
	test := p.orTest()
	p.expect("else")
	return &IfExp{Span: p.span(start), Test: test, Body: body, Else: p.test()}
}

func (p *descender) testNoCond() Expr {
	if p.is("lambda") {
		return p.lambda(true)
	}
	return p.orTest()
}

func (p *descender) lambda(noCond bool) Expr {
	t := p.expect("lambda")
	p.params(":", false)
	p.expect(":")
	var body Expr
	if noCond {
		body = p.testNoCond()
	} else {
		body = p.test()
	}
	return &Opaque{Span: p.span(t.start), What: "lambda", Subs: []Expr{body}}
}

func (p *descender) orTest() Expr  { return p.boolOp("or", p.andTest) }
func (p *descender) andTest() Expr { return p.boolOp("and", p.notTest) }
func (p *descender) boolOp(op string, sub func() Expr) Expr {
	start := p.peek().start
	first := sub()
	if !p.is(op) {
		return first
	}
	b := &BoolOp{Span: p.span(start), Op: op, Values: []Expr{first}}
	for p.accept(op) {
		b.Values = append(b.Values, sub())
	}
	return b
}

func (p *descender) notTest() Expr {
	if t := p.peek(); p.accept("not") {
		return &UnaryOp{Span: p.span(t.start), Op: "not", X: p.notTest()}
	}
	return p.comparison()
}

func (p *descender) comparison() Expr {
	start := p.peek().start
	left := p.expr()
	var c *Compare
	for {
		var op string
		switch {
		case p.accept("<"), p.accept(">"), p.accept("=="), p.accept(">="), p.accept("<="), p.accept("!="), p.accept("in"):
			op = p.text(p.toks[p.i-1])
		case p.is("not") && p.nextIs("in"):
			p.i += 2
			op = "not in"
		case p.accept("is"):
			op = "is"
			if p.accept("not") {
				op = "is not"
			}
		default:
			if c == nil {
				return left
			}
			return c
		}
		if c == nil {
			c = &Compare{Span: p.span(start), Left: left}
		}
		c.Ops = append(c.Ops, op)
		c.Rights = append(c.Rights, p.expr())
	}
}

func (p *descender) expr() Expr { return p.binary(0) }

// binaryOp returns a binary operator and its level, 0 the loosest ("|")
// and 5 the tightest ("*"), or -1 for any other token text.
func binaryOp(text string) (string, int) {
	switch text {
	case "|":
		return "|", 0
	case "^":
		return "^", 1
	case "&":
		return "&", 2
	case "<<":
		return "<<", 3
	case ">>":
		return ">>", 3
	case "+":
		return "+", 4
	case "-":
		return "-", 4
	case "*":
		return "*", 5
	case "/":
		return "/", 5
	case "%":
		return "%", 5
	case "//":
		return "//", 5
	}
	return "", -1
}

// binary parses the left-associative binary operators of level and the
// tighter ones by precedence climbing: an operand with no operator after
// it costs one factor call, not one call per level.
func (p *descender) binary(level int) Expr {
	start := p.peek().start
	left := p.factor()
	for {
		t := p.peek()
		if t.kind != dOp {
			return left
		}
		op, l := binaryOp(p.text(t))
		if l < level {
			return left
		}
		p.i++
		left = &BinOp{Span: p.span(start), Op: op, Left: left, Right: p.binary(l + 1)}
	}
}

func (p *descender) factor() Expr {
	t := p.peek()
	if t.kind == dOp {
		switch op := p.text(t); op {
		case "+", "-", "~":
			p.i++
			return &UnaryOp{Span: p.span(t.start), Op: op, X: p.factor()}
		}
	}
	return p.power()
}

func (p *descender) power() Expr {
	start := p.peek().start
	e := p.atom()
	for {
		t := p.peek()
		switch {
		case p.accept("("):
			c := p.arglist(")")
			c.Span, c.Func = p.span(start), e
			e = c
		case p.accept("["):
			e = &Subscript{Span: p.span(t.start), Value: e, Index: p.subscripts()}
		case p.accept("."):
			e = &Attribute{Span: p.span(t.start), Value: e, Attr: p.text(p.name())}
		default:
			if p.accept("**") {
				return &BinOp{Span: p.span(start), Op: "**", Left: e, Right: p.factor()}
			}
			return e
		}
	}
}

// subscripts reads a subscript list through "]": the index, or nil for a
// slice.
func (p *descender) subscripts() Expr {
	start := p.peek().start
	var elts []Expr
	slice, comma := false, false
	for {
		var e Expr
		if !p.is(":") {
			e = p.test()
		}
		if p.accept(":") {
			slice = true
			if !p.is(":") && !p.is(",") && !p.is("]") {
				p.test()
			}
			if p.accept(":") && !p.is(",") && !p.is("]") {
				p.test()
			}
		} else if e == nil {
			p.fail()
		}
		elts = append(elts, e)
		if !p.accept(",") {
			comma = false
			break
		}
		comma = true
		if p.is("]") {
			break
		}
	}
	p.expect("]")
	if slice {
		return nil
	}
	return p.tupleOr(start, elts, comma)
}

// arglist reads call arguments through close, with gpython's rules:
// positional arguments only before *args, ** last, no trailing comma
// after either.
func (p *descender) arglist(close string) *Call {
	c := &Call{Args: []Expr{}, Keywords: []Keyword{}}
	seen := map[string]bool{}
	for !p.is(close) {
		switch {
		case p.accept("*"):
			if c.Star != nil || c.DStar != nil {
				p.fail()
			}
			c.Star = p.test()
		case p.accept("**"):
			if c.DStar != nil {
				p.fail()
			}
			c.DStar = p.test()
		default:
			if c.DStar != nil {
				p.fail()
			}
			start := p.peek().start
			arg := p.test()
			switch {
			case p.is("for"):
				if len(c.Args) > 0 || len(c.Keywords) > 0 || c.Star != nil {
					p.fail()
				}
				g := &Opaque{Span: p.span(start), What: "comprehension", Subs: []Expr{arg}}
				g.Subs = p.compFor(g.Subs)
				if !p.is(close) {
					p.fail() // a generator must be the sole argument
				}
				c.Args = append(c.Args, g)
			case p.accept("="):
				n, ok := arg.(*Name)
				if !ok || seen[n.ID] {
					p.fail()
				}
				seen[n.ID] = true
				c.Keywords = append(c.Keywords, Keyword{Span: n.Span, Name: n.ID, Value: p.test()})
			default:
				if c.Star != nil || len(c.Keywords) > 0 {
					p.fail()
				}
				c.Args = append(c.Args, arg)
			}
		}
		if !p.accept(",") {
			break
		}
		if p.is(close) && (c.Star != nil || c.DStar != nil) {
			p.fail()
		}
	}
	p.expect(close)
	return c
}

// compFor reads comp_for clauses, appending targets, iterables and
// conditions to subs as the conversion orders them.
func (p *descender) compFor(subs []Expr) []Expr {
	for p.is("for") {
		t := p.expect("for")
		target := p.targetListComp(t.start)
		p.expect("in")
		subs = append(subs, target, p.orTest())
		for p.accept("if") {
			subs = append(subs, p.testNoCond())
		}
	}
	return subs
}

func (p *descender) yieldExpr() Expr {
	t := p.expect("yield")
	o := &Opaque{Span: p.span(t.start), What: "yield"}
	switch {
	case p.accept("from"):
		o.Subs = []Expr{p.test()}
	case p.peek().kind == dNewline, p.is(")"), p.is(";"), p.is("="):
	default:
		o.Subs = []Expr{p.testlist()}
	}
	return o
}

func (p *descender) atom() Expr {
	t := p.peek()
	switch t.kind {
	case dNumber:
		p.i++
		return &Const{Span: p.span(t.start)}
	case dString:
		bytesLit := bytes.ContainsAny(p.src[t.start:t.start+int32(t.prefix)], "bB")
		for p.peek().kind == dString {
			s := p.peek()
			if bytes.ContainsAny(p.src[s.start:s.start+int32(s.prefix)], "bB") != bytesLit {
				p.fail()
			}
			p.i++
		}
		return &Const{Span: p.span(t.start)}
	case dName:
		if v, ok := nameConstants[p.text(t)]; ok {
			p.i++
			return &Const{Span: p.span(t.start), Value: v}
		}
		n := p.name()
		return &Name{Span: p.span(n.start), ID: p.text(n)}
	case dOp:
		switch p.text(t) {
		case "...":
			p.i++
			return &Const{Span: p.span(t.start), Value: EllipsisObj{}}
		case "(":
			p.i++
			if p.accept(")") {
				return &SeqExpr{Span: p.span(t.start), Type: Tuple, Elts: []Expr{}}
			}
			if p.is("yield") {
				e := p.yieldExpr()
				p.expect(")")
				return e
			}
			first := p.testOrStar()
			if g := p.comprehension(t.start, ")", first); g != nil {
				return g
			}
			elts, comma := p.restOfList(first, ")")
			return p.tupleOr(t.start, elts, comma)
		case "[":
			p.i++
			if p.accept("]") {
				return &SeqExpr{Span: p.span(t.start), Type: List, Elts: []Expr{}}
			}
			first := p.testOrStar()
			if g := p.comprehension(t.start, "]", first); g != nil {
				return g
			}
			elts, _ := p.restOfList(first, "]")
			return &SeqExpr{Span: p.span(t.start), Type: List, Elts: elts}
		case "{":
			p.i++
			if p.accept("}") {
				return &DictExpr{Span: p.span(t.start), Keys: []Expr{}, Values: []Expr{}}
			}
			start := p.peek().start
			first := p.test()
			if p.accept(":") {
				v := p.test()
				if g := p.comprehension(start, "}", first, v); g != nil {
					return g
				}
				d := &DictExpr{Span: p.span(start), Keys: []Expr{first}, Values: []Expr{v}}
				for p.accept(",") && !p.is("}") {
					d.Keys = append(d.Keys, p.test())
					p.expect(":")
					d.Values = append(d.Values, p.test())
				}
				p.expect("}")
				return d
			}
			if g := p.comprehension(start, "}", first); g != nil {
				return g
			}
			s := &SeqExpr{Span: p.span(start), Type: Set, Elts: []Expr{first}}
			for p.accept(",") && !p.is("}") {
				s.Elts = append(s.Elts, p.test())
			}
			p.expect("}")
			return s
		}
	}
	p.fail()
	return nil
}

// comprehension reads the for clauses of a comprehension whose elements
// were read, placed at at, through close; nil when no "for" follows.
func (p *descender) comprehension(at int32, close string, elts ...Expr) Expr {
	if !p.is("for") {
		return nil
	}
	g := &Opaque{Span: p.span(at), What: "comprehension", Subs: p.compFor(elts)}
	p.expect(close)
	return g
}

// nestingWithin reports whether the statements nest no deeper than the
// conversion allows; deeper ones go to the fallback, which reports them.
func nestingWithin(stmts []Stmt) bool {
	var stmtDepth func([]Stmt, int) bool
	var exprDepth func(Expr, int) bool
	exprDepth = func(e Expr, d int) bool {
		if e == nil {
			return true
		}
		switch e.(type) {
		case *Name, *Const:
			return true
		}
		if d+1 > MaxNesting/2 {
			return false
		}
		ok := true
		forEachSub(e, func(s Expr) {
			ok = ok && exprDepth(s, d+1)
		})
		return ok
	}
	stmtDepth = func(list []Stmt, d int) bool {
		for _, s := range list {
			sd := d
			switch s.(type) {
			case *If, *Try, *Loop, *With, *FuncDef, *ClassDef:
				sd++
				if sd > MaxNesting/2 {
					return false
				}
			}
			for e := range stmtExprs(s) {
				if !exprDepth(e, sd) {
					return false
				}
			}
			for _, b := range Bodies(s) {
				if !stmtDepth(b, sd) {
					return false
				}
			}
		}
		return true
	}
	return stmtDepth(stmts, 0)
}

// forEachSub calls fn on each direct sub-expression of e.
func forEachSub(e Expr, fn func(Expr)) {
	first := true
	WalkExpr(e, func(s Expr) bool {
		if first {
			first = false
			return true
		}
		fn(s)
		return false
	})
}
