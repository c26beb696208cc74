package python

import (
	"bytes"
	"fmt"
	"strconv"

	gast "github.com/go-python/gpython/ast"
	gparser "github.com/go-python/gpython/parser"
	"github.com/go-python/gpython/py"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Parser parses the text of one top-level statement (already rewritten to
// the syntax it understands) into statements. offset maps a 1-based line
// and 0-based byte column of the text to a byte offset of the file. Nodes
// need only their Start; the caller computes ends and literal values from
// the file's tokens. Replacing the parser means implementing this.
type Parser interface {
	ParseStatement(text []byte, offset func(line, col int) int) ([]Stmt, error)
}

// GPython is the Parser backed by github.com/go-python/gpython (Python
// 3.4's grammar, pure Go).
type GPython struct{}

// SyntaxError is a statement the parser rejected.
type SyntaxError struct {
	Line, Col int // 1-based line of the text, 0-based column
	Msg       string
}

func (e *SyntaxError) Error() string { return e.Msg }

var gpyErr = source.LazyRegexp(`line (\d+), offset (\d+)`)
var gpyMsg = source.LazyRegexp(`(?s)SyntaxError: '(.*)'`)

// ParseStatement implements Parser.
func (GPython) ParseStatement(text []byte, offset func(line, col int) int) (stmts []Stmt, err error) {
	defer func() {
		if r := recover(); r != nil {
			stmts, err = nil, &SyntaxError{Line: 1, Msg: fmt.Sprintf("parser failure: %v", r)}
		}
	}()
	mod, perr := gparser.Parse(bytes.NewReader(text), "<stmt>", py.ExecMode)
	if perr != nil {
		se := &SyntaxError{Line: 1, Msg: "invalid syntax"}
		msg := perr.Error()
		if m := gpyErr().FindStringSubmatch(msg); m != nil {
			se.Line, _ = strconv.Atoi(m[1])
			se.Col, _ = strconv.Atoi(m[2])
		}
		if m := gpyMsg().FindStringSubmatch(msg); m != nil {
			se.Msg = m[1]
		}
		return nil, se
	}
	m, ok := mod.(*gast.Module)
	if !ok {
		return nil, &SyntaxError{Line: 1, Msg: "not a module"}
	}
	c := &conv{offset: offset, deepAt: -1}
	out := c.stmts(m.Body)
	if c.deepAt >= 0 {
		return nil, &NestingError{Offset: c.deepAt}
	}
	return out, nil
}

type conv struct {
	offset func(line, col int) int
	// depth is how many statements and expressions enclose the node
	// being converted; deepAt is where it first passed MaxNesting (-1:
	// never), after which nothing deeper is converted.
	depth  int
	deepAt int
}

// enter counts one more level of nesting at p; it reports false, and
// records where, when that passes MaxNesting.
func (c *conv) enter(n gast.Ast) bool {
	c.depth++
	if c.depth > MaxNesting {
		if c.deepAt < 0 {
			c.deepAt = c.offset(n.GetLineno(), n.GetColOffset())
		}
		return false
	}
	return true
}

func (c *conv) leave() { c.depth-- }

func (c *conv) span(p gast.Pos) Span {
	o := c.offset(p.Lineno, p.ColOffset)
	return Span{Start: o, End: o}
}

func (c *conv) stmts(in []gast.Stmt) []Stmt {
	out := make([]Stmt, 0, len(in))
	for _, s := range in {
		if cs := c.stmt(s); cs != nil {
			out = append(out, cs)
		}
	}
	return out
}

func (c *conv) stmt(s gast.Stmt) Stmt {
	switch s.(type) {
	case *gast.If, *gast.Try, *gast.For, *gast.While, *gast.With, *gast.FunctionDef, *gast.ClassDef:
		// A block is a level; a simple statement is not.
		defer c.leave()
		if !c.enter(s) {
			return &OtherStmt{What: "pass"}
		}
	}
	switch x := s.(type) {
	case *gast.Assign:
		return &Assign{Span: c.span(x.Pos), Targets: c.exprs(x.Targets), Value: c.expr(x.Value)}
	case *gast.AugAssign:
		return &AugAssign{Span: c.span(x.Pos), Target: c.expr(x.Target), Op: operator(x.Op), Value: c.expr(x.Value)}
	case *gast.ExprStmt:
		return &ExprStmt{Span: c.span(x.Pos), X: c.expr(x.Value)}
	case *gast.If:
		return &If{Span: c.span(x.Pos), Test: c.expr(x.Test), Body: c.stmts(x.Body), Else: c.stmts(x.Orelse)}
	case *gast.Try:
		t := &Try{Span: c.span(x.Pos), Body: c.stmts(x.Body), Else: c.stmts(x.Orelse), Finally: c.stmts(x.Finalbody)}
		for _, h := range x.Handlers {
			t.Handlers = append(t.Handlers, Handler{Span: c.span(h.Pos), Type: c.expr(h.ExprType), Name: string(h.Name), Body: c.stmts(h.Body)})
		}
		return t
	case *gast.For:
		return &Loop{Span: c.span(x.Pos), For: true, Target: c.expr(x.Target), Iter: c.expr(x.Iter), Body: c.stmts(x.Body), Else: c.stmts(x.Orelse)}
	case *gast.While:
		return &Loop{Span: c.span(x.Pos), Iter: c.expr(x.Test), Body: c.stmts(x.Body), Else: c.stmts(x.Orelse)}
	case *gast.With:
		w := &With{Span: c.span(x.Pos), Body: c.stmts(x.Body)}
		for _, it := range x.Items {
			w.Items = append(w.Items, c.expr(it.ContextExpr))
			if it.OptionalVars != nil {
				w.Vars = append(w.Vars, c.expr(it.OptionalVars))
			}
		}
		return w
	case *gast.Import:
		return &Import{Span: c.span(x.Pos), Names: c.aliases(x.Names)}
	case *gast.ImportFrom:
		return &ImportFrom{Span: c.span(x.Pos), Module: string(x.Module), Level: x.Level, Names: c.aliases(x.Names)}
	case *gast.FunctionDef:
		return &FuncDef{Span: c.span(x.Pos), Name: string(x.Name), Params: c.params(x.Args), Body: c.stmts(x.Body), Decorators: c.exprs(x.DecoratorList)}
	case *gast.ClassDef:
		cd := &ClassDef{Span: c.span(x.Pos), Name: string(x.Name), Bases: c.exprs(x.Bases), Keywords: c.keywords(x.Keywords), Body: c.stmts(x.Body), Decorators: c.exprs(x.DecoratorList)}
		return cd
	case *gast.Return:
		return &Return{Span: c.span(x.Pos), Value: c.expr(x.Value)}
	case *gast.Delete:
		return &Delete{Span: c.span(x.Pos), Targets: c.exprs(x.Targets)}
	case *gast.Raise:
		return &OtherStmt{Span: c.span(x.Pos), What: "raise", Exprs: nonNil(c.expr(x.Exc), c.expr(x.Cause))}
	case *gast.Assert:
		return &OtherStmt{Span: c.span(x.Pos), What: "assert", Exprs: nonNil(c.expr(x.Test), c.expr(x.Msg))}
	case *gast.Pass:
		return &OtherStmt{Span: c.span(x.Pos), What: "pass"}
	case *gast.Break:
		return &OtherStmt{Span: c.span(x.Pos), What: "break"}
	case *gast.Continue:
		return &OtherStmt{Span: c.span(x.Pos), What: "continue"}
	case *gast.Global:
		return &OtherStmt{Span: c.span(x.Pos), What: "global"}
	case *gast.Nonlocal:
		return &OtherStmt{Span: c.span(x.Pos), What: "nonlocal"}
	}
	return nil
}

func nonNil(es ...Expr) []Expr {
	var out []Expr
	for _, e := range es {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

func (c *conv) aliases(in []*gast.Alias) []Alias {
	out := make([]Alias, len(in))
	for i, a := range in {
		out[i] = Alias{Span: c.span(a.Pos), Name: string(a.Name), As: string(a.AsName)}
	}
	return out
}

func (c *conv) params(a *gast.Arguments) []Param {
	if a == nil {
		return nil
	}
	var out []Param
	nd := len(a.Args) - len(a.Defaults)
	for i, p := range a.Args {
		pr := Param{Span: c.span(p.Pos), Name: string(p.Arg), Annotation: c.expr(p.Annotation)}
		if i >= nd && i-nd < len(a.Defaults) {
			pr.Default = c.expr(a.Defaults[i-nd])
		}
		out = append(out, pr)
	}
	if a.Vararg != nil {
		out = append(out, Param{Span: c.span(a.Vararg.Pos), Name: string(a.Vararg.Arg), Kind: "*"})
	}
	for i, p := range a.Kwonlyargs {
		pr := Param{Span: c.span(p.Pos), Name: string(p.Arg), Kind: "kwonly", Annotation: c.expr(p.Annotation)}
		if i < len(a.KwDefaults) && a.KwDefaults[i] != nil {
			pr.Default = c.expr(a.KwDefaults[i])
		}
		out = append(out, pr)
	}
	if a.Kwarg != nil {
		out = append(out, Param{Span: c.span(a.Kwarg.Pos), Name: string(a.Kwarg.Arg), Kind: "**"})
	}
	return out
}

func (c *conv) keywords(in []*gast.Keyword) []Keyword {
	out := make([]Keyword, len(in))
	for i, k := range in {
		v := c.expr(k.Value)
		// gpython's keyword has no position of its own that differs from
		// its value's, so the keyword spans from its value.
		out[i] = Keyword{Span: c.span(k.Pos), Name: string(k.Arg), Value: v}
	}
	return out
}

func (c *conv) exprs(in []gast.Expr) []Expr {
	out := make([]Expr, 0, len(in))
	for _, e := range in {
		out = append(out, c.expr(e))
	}
	return out
}

func (c *conv) expr(e gast.Expr) Expr {
	if e == nil {
		return nil
	}
	switch x := e.(type) {
	case *gast.Name:
		return &Name{Span: c.span(x.Pos), ID: string(x.Id)}
	case *gast.Num, *gast.Str, *gast.Bytes, *gast.NameConstant, *gast.Ellipsis:
		return c.leaf(e)
	}
	defer c.leave()
	if !c.enter(e) {
		return &Opaque{What: tooDeepMessage}
	}
	switch x := e.(type) {
	case *gast.List:
		return &SeqExpr{Span: c.span(x.Pos), Type: List, Elts: c.exprs(x.Elts)}
	case *gast.Tuple:
		return &SeqExpr{Span: c.span(x.Pos), Type: Tuple, Elts: c.exprs(x.Elts)}
	case *gast.Set:
		return &SeqExpr{Span: c.span(x.Pos), Type: Set, Elts: c.exprs(x.Elts)}
	case *gast.Dict:
		return &DictExpr{Span: c.span(x.Pos), Keys: c.exprs(x.Keys), Values: c.exprs(x.Values)}
	case *gast.Attribute:
		return &Attribute{Span: c.span(x.Pos), Value: c.expr(x.Value), Attr: string(x.Attr)}
	case *gast.Subscript:
		s := &Subscript{Span: c.span(x.Pos), Value: c.expr(x.Value)}
		if idx, ok := x.Slice.(*gast.Index); ok {
			s.Index = c.expr(idx.Value)
		}
		return s
	case *gast.Call:
		return &Call{Span: c.span(x.Pos), Func: c.expr(x.Func), Args: c.exprs(x.Args), Keywords: c.keywords(x.Keywords), Star: c.expr(x.Starargs), DStar: c.expr(x.Kwargs)}
	case *gast.BinOp:
		return &BinOp{Span: c.span(x.Pos), Op: operator(x.Op), Left: c.expr(x.Left), Right: c.expr(x.Right)}
	case *gast.UnaryOp:
		op := map[gast.UnaryOpNumber]string{gast.Invert: "~", gast.Not: "not", gast.UAdd: "+", gast.USub: "-"}[x.Op]
		return &UnaryOp{Span: c.span(x.Pos), Op: op, X: c.expr(x.Operand)}
	case *gast.BoolOp:
		op := "and"
		if x.Op == gast.Or {
			op = "or"
		}
		return &BoolOp{Span: c.span(x.Pos), Op: op, Values: c.exprs(x.Values)}
	case *gast.Compare:
		cmp := &Compare{Span: c.span(x.Pos), Left: c.expr(x.Left), Rights: c.exprs(x.Comparators)}
		for _, o := range x.Ops {
			cmp.Ops = append(cmp.Ops, cmpOp(o))
		}
		return cmp
	case *gast.IfExp:
		return &IfExp{Span: c.span(x.Pos), Test: c.expr(x.Test), Body: c.expr(x.Body), Else: c.expr(x.Orelse)}
	case *gast.Lambda:
		return &Opaque{Span: c.span(x.Pos), What: "lambda", Subs: nonNil(c.expr(x.Body))}
	case *gast.ListComp:
		return &Opaque{Span: c.span(x.Pos), What: "comprehension", Subs: c.comp(x.Elt, nil, x.Generators)}
	case *gast.SetComp:
		return &Opaque{Span: c.span(x.Pos), What: "comprehension", Subs: c.comp(x.Elt, nil, x.Generators)}
	case *gast.GeneratorExp:
		return &Opaque{Span: c.span(x.Pos), What: "comprehension", Subs: c.comp(x.Elt, nil, x.Generators)}
	case *gast.DictComp:
		return &Opaque{Span: c.span(x.Pos), What: "comprehension", Subs: c.comp(x.Key, x.Value, x.Generators)}
	case *gast.Yield:
		return &Opaque{Span: c.span(x.Pos), What: "yield", Subs: nonNil(c.expr(x.Value))}
	case *gast.YieldFrom:
		return &Opaque{Span: c.span(x.Pos), What: "yield", Subs: nonNil(c.expr(x.Value))}
	case *gast.Starred:
		return &Opaque{Span: c.span(x.Pos), What: "starred", Subs: nonNil(c.expr(x.Value))}
	}
	return &Opaque{What: "expression"}
}

// leaf converts a literal: it nests nothing, so it adds no level.
func (c *conv) leaf(e gast.Expr) Expr {
	switch x := e.(type) {
	case *gast.NameConstant:
		var v Object = NoneObj{}
		switch x.Value {
		case py.True:
			v = Bool(true)
		case py.False:
			v = Bool(false)
		}
		return &Const{Span: c.span(x.Pos), Value: v}
	case *gast.Ellipsis:
		return &Const{Span: c.span(x.Pos), Value: EllipsisObj{}}
	}
	return &Const{Span: c.span(gast.Pos{Lineno: e.GetLineno(), ColOffset: e.GetColOffset()})} // a number or string: its value comes from the token
}

func (c *conv) comp(elt, val gast.Expr, gens []gast.Comprehension) []Expr {
	out := nonNil(c.expr(elt), c.expr(val))
	for _, g := range gens {
		out = append(out, nonNil(c.expr(g.Target), c.expr(g.Iter))...)
		out = append(out, c.exprs(g.Ifs)...)
	}
	return out
}

func operator(op gast.OperatorNumber) string {
	return map[gast.OperatorNumber]string{gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.Modulo: "%",
		gast.Pow: "**", gast.LShift: "<<", gast.RShift: ">>", gast.BitOr: "|", gast.BitXor: "^", gast.BitAnd: "&",
		gast.FloorDiv: "//"}[op]
}

func cmpOp(op gast.CmpOp) string {
	return map[gast.CmpOp]string{gast.Eq: "==", gast.NotEq: "!=", gast.Lt: "<", gast.LtE: "<=", gast.Gt: ">", gast.GtE: ">=",
		gast.Is: "is", gast.IsNot: "is not", gast.In: "in", gast.NotIn: "not in"}[op]
}
