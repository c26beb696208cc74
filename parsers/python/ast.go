package python

// The syntax tree the rest of mtlslint sees. It is independent of the
// parser library behind it (see Parser), and every node carries exact byte
// offsets into the original file.

import "iter"

// Span is a half-open range of byte offsets in the file.
type Span struct{ Start, End int }

// Pos returns the span itself; every node embeds a Span.
func (s Span) Pos() Span { return s }

// Node is any syntax node.
type Node interface{ Pos() Span }

// Expr is an expression.
type Expr interface {
	Node
	expr()
}

// Stmt is a statement.
type Stmt interface {
	Node
	stmt()
}

type (
	// Name is an identifier.
	Name struct {
		Span
		ID string
	}
	// Const is a literal. Value is nil when the literal's value cannot be
	// trusted; Reason then says why (an f-string, an escape the decoder
	// does not know).
	Const struct {
		Span
		Value  Object
		Reason string
	}
	// SeqExpr is a list, tuple or set display.
	SeqExpr struct {
		Span
		Type SeqType
		Elts []Expr
	}
	// DictExpr is a dict display.
	DictExpr struct {
		Span
		Keys, Values []Expr
	}
	// Attribute is Value.Attr.
	Attribute struct {
		Span
		Value Expr
		Attr  string
	}
	// Subscript is Value[Index]; Index is nil for slices.
	Subscript struct {
		Span
		Value Expr
		Index Expr
	}
	// Call is a call; Star and DStar are *args and **kwargs.
	Call struct {
		Span
		Func        Expr
		Args        []Expr
		Keywords    []Keyword
		Star, DStar Expr
	}
	// BinOp is Left Op Right ("+", "-", "*", "/", "//", "%", "**", "|", "&", "^", "<<", ">>", "@").
	BinOp struct {
		Span
		Op          string
		Left, Right Expr
	}
	// UnaryOp is Op X ("-", "+", "not", "~").
	UnaryOp struct {
		Span
		Op string
		X  Expr
	}
	// BoolOp is Values joined by "and" or "or".
	BoolOp struct {
		Span
		Op     string
		Values []Expr
	}
	// Compare is Left Ops[0] Rights[0] Ops[1] Rights[1] ...; ops are
	// "==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not".
	// Walrus marks a comparison that was an assignment expression (":=")
	// in the source: its value is unknown.
	Compare struct {
		Span
		Left   Expr
		Ops    []string
		Rights []Expr
		Walrus bool
	}
	// IfExp is Body if Test else Else.
	IfExp struct {
		Span
		Test, Body, Else Expr
	}
	// Opaque is an expression the analysis does not look into (lambda,
	// comprehension, yield, starred, await); Subs are its sub-expressions
	// that are still visited by walkers.
	Opaque struct {
		Span
		What string
		Subs []Expr
	}
	// NamedExpr is an assignment expression, Target := Value (Python 3.8).
	NamedExpr struct {
		Span
		Target *Name
		Value  Expr
	}
	// JoinedStr is an f-string, with the literals implicitly concatenated
	// to it: Parts are string constants and FormattedValue fields, in
	// order, adjacent constants merged (as CPython's ast has them).
	JoinedStr struct {
		Span
		Parts []Expr
	}
	// FormattedValue is one replacement field {Value!Conversion:Spec} of an
	// f-string. Conversion is 0, 's', 'r' or 'a'; Spec is nil or a
	// JoinedStr.
	FormattedValue struct {
		Span
		Value      Expr
		Conversion byte
		Spec       *JoinedStr
	}
)

// Keyword is a keyword argument name=Value.
type Keyword struct {
	Span
	Name  string
	Value Expr
}

// SeqType distinguishes list, tuple and set displays.
type SeqType uint8

// Sequence types.
const (
	List SeqType = iota
	Tuple
	Set
)

func (Name) expr()           {}
func (Const) expr()          {}
func (SeqExpr) expr()        {}
func (DictExpr) expr()       {}
func (Attribute) expr()      {}
func (Subscript) expr()      {}
func (Call) expr()           {}
func (BinOp) expr()          {}
func (UnaryOp) expr()        {}
func (BoolOp) expr()         {}
func (Compare) expr()        {}
func (IfExp) expr()          {}
func (Opaque) expr()         {}
func (NamedExpr) expr()      {}
func (JoinedStr) expr()      {}
func (FormattedValue) expr() {}

type (
	// Assign is Targets[0] = Targets[1] = ... = Value. Annotated marks an
	// annotated assignment (NAME: TYPE = Value).
	Assign struct {
		Span
		Targets   []Expr
		Value     Expr
		Annotated bool
	}
	// AugAssign is Target Op= Value.
	AugAssign struct {
		Span
		Target Expr
		Op     string
		Value  Expr
	}
	// ExprStmt is an expression used as a statement.
	ExprStmt struct {
		Span
		X Expr
	}
	// If is if/elif/else; an elif is an If alone in Else.
	If struct {
		Span
		Test       Expr
		Body, Else []Stmt
	}
	// Try is try/except/else/finally.
	Try struct {
		Span
		Body     []Stmt
		Handlers []Handler
		Else     []Stmt
		Finally  []Stmt
	}
	// Loop is a for or while loop.
	Loop struct {
		Span
		For        bool
		Target     Expr // for loops
		Iter       Expr // for: the iterable; while: the condition
		Body, Else []Stmt
	}
	// With is a with statement.
	With struct {
		Span
		Items []Expr
		Vars  []Expr
		Body  []Stmt
	}
	// Import is import a.b [as c], ...
	Import struct {
		Span
		Names []Alias
	}
	// ImportFrom is from [.]*module import names; Names[0].Name is "*" for a
	// star import.
	ImportFrom struct {
		Span
		Module string
		Level  int
		Names  []Alias
	}
	// FuncDef is a def (async or not).
	FuncDef struct {
		Span
		Name       string
		Params     []Param
		Body       []Stmt
		Decorators []Expr
	}
	// ClassDef is a class statement.
	ClassDef struct {
		Span
		Name       string
		Bases      []Expr
		Keywords   []Keyword
		Body       []Stmt
		Decorators []Expr
	}
	// Return is return [Value].
	Return struct {
		Span
		Value Expr
	}
	// Delete is del Targets.
	Delete struct {
		Span
		Targets []Expr
	}
	// OtherStmt is pass, break, continue, raise, assert, global, nonlocal.
	OtherStmt struct {
		Span
		What  string
		Exprs []Expr
	}
	// Match is a match statement (Python 3.10).
	Match struct {
		Span
		Subject Expr
		Cases   []MatchCase
	}
)

// MatchCase is one case block of a match statement; Guard is nil without
// an if clause.
type MatchCase struct {
	Span
	Pattern *Pattern
	Guard   Expr
	Body    []Stmt
}

// PatternKind says what a pattern of a case clause matches.
type PatternKind uint8

// Pattern kinds, after CPython's ast (MatchValue, MatchSingleton,
// MatchAs, MatchOr, MatchSequence, MatchStar, MatchMapping, MatchClass).
const (
	// PatValue compares with Value: a literal or a dotted name.
	PatValue PatternKind = iota + 1
	// PatSingleton is None, True or False (compared by identity).
	PatSingleton
	// PatAs binds Name to the subject when Subs[0] matches; a capture
	// pattern has no Subs, the wildcard "_" neither Subs nor Name.
	PatAs
	// PatOr matches when one of Subs does.
	PatOr
	// PatSequence matches a sequence element by element (Subs).
	PatSequence
	// PatStar is *Name (Name "" for *_) inside a sequence pattern.
	PatStar
	// PatMapping matches Keys to Subs; Name binds the rest (**rest).
	PatMapping
	// PatClass is Class(Subs..., KwNames[i]=KwSubs[i]...).
	PatClass
)

// Pattern is the pattern of a case clause.
type Pattern struct {
	Span
	Kind    PatternKind
	Value   Expr
	Name    string
	Subs    []*Pattern
	Keys    []Expr
	Class   Expr
	KwNames []string
	KwSubs  []*Pattern
}

// Handler is an except clause.
type Handler struct {
	Span
	Type Expr // nil for a bare except
	Name string
	Body []Stmt
}

// Alias is one imported name.
type Alias struct {
	Span
	Name, As string
}

// Param is a function parameter with its default, if any.
type Param struct {
	Span
	Name       string
	Default    Expr
	Annotation Expr   // nil when not annotated
	Kind       string // "", "*", "**", "kwonly"
}

func (Assign) stmt()     {}
func (AugAssign) stmt()  {}
func (ExprStmt) stmt()   {}
func (If) stmt()         {}
func (Try) stmt()        {}
func (Loop) stmt()       {}
func (With) stmt()       {}
func (Import) stmt()     {}
func (ImportFrom) stmt() {}
func (FuncDef) stmt()    {}
func (ClassDef) stmt()   {}
func (Return) stmt()     {}
func (Delete) stmt()     {}
func (OtherStmt) stmt()  {}
func (Match) stmt()      {}

// WalkExpr calls fn for e and every expression below it, depth first,
// until fn returns false for a node (its children are then skipped).
func WalkExpr(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch x := e.(type) {
	case *SeqExpr:
		for _, s := range x.Elts {
			WalkExpr(s, fn)
		}
	case *DictExpr:
		for i := range x.Keys {
			WalkExpr(x.Keys[i], fn)
			WalkExpr(x.Values[i], fn)
		}
	case *Attribute:
		WalkExpr(x.Value, fn)
	case *Subscript:
		WalkExpr(x.Value, fn)
		WalkExpr(x.Index, fn)
	case *Call:
		WalkExpr(x.Func, fn)
		for _, a := range x.Args {
			WalkExpr(a, fn)
		}
		for _, k := range x.Keywords {
			WalkExpr(k.Value, fn)
		}
		WalkExpr(x.Star, fn)
		WalkExpr(x.DStar, fn)
	case *BinOp:
		WalkExpr(x.Left, fn)
		WalkExpr(x.Right, fn)
	case *UnaryOp:
		WalkExpr(x.X, fn)
	case *BoolOp:
		for _, v := range x.Values {
			WalkExpr(v, fn)
		}
	case *Compare:
		WalkExpr(x.Left, fn)
		for _, r := range x.Rights {
			WalkExpr(r, fn)
		}
	case *IfExp:
		WalkExpr(x.Test, fn)
		WalkExpr(x.Body, fn)
		WalkExpr(x.Else, fn)
	case *Opaque:
		for _, s := range x.Subs {
			WalkExpr(s, fn)
		}
	case *NamedExpr:
		WalkExpr(x.Target, fn)
		WalkExpr(x.Value, fn)
	case *JoinedStr:
		for _, p := range x.Parts {
			WalkExpr(p, fn)
		}
	case *FormattedValue:
		WalkExpr(x.Value, fn)
		if x.Spec != nil {
			WalkExpr(x.Spec, fn)
		}
	}
}

// WalkStmts calls fn for every statement in stmts and in their bodies,
// depth first, until fn returns false for a statement (its body is then
// skipped).
func WalkStmts(stmts []Stmt, fn func(Stmt) bool) {
	for _, s := range stmts {
		if !fn(s) {
			continue
		}
		for _, body := range Bodies(s) {
			WalkStmts(body, fn)
		}
	}
}

// Bodies returns the nested statement lists of a compound statement.
func Bodies(s Stmt) [][]Stmt {
	switch x := s.(type) {
	case *If:
		return [][]Stmt{x.Body, x.Else}
	case *Try:
		out := [][]Stmt{x.Body}
		for _, h := range x.Handlers {
			out = append(out, h.Body)
		}
		return append(out, x.Else, x.Finally)
	case *Loop:
		return [][]Stmt{x.Body, x.Else}
	case *With:
		return [][]Stmt{x.Body}
	case *FuncDef:
		return [][]Stmt{x.Body}
	case *ClassDef:
		return [][]Stmt{x.Body}
	case *Match:
		out := make([][]Stmt, len(x.Cases))
		for i, c := range x.Cases {
			out[i] = c.Body
		}
		return out
	}
	return nil
}

// StmtExprs returns the expressions directly inside a statement (not in
// nested bodies).
func StmtExprs(s Stmt) []Expr {
	switch x := s.(type) {
	case *Delete:
		return x.Targets
	case *OtherStmt:
		return x.Exprs
	}
	var out []Expr
	for e := range stmtExprs(s) {
		out = append(out, e)
	}
	return out
}

// stmtExprs yields StmtExprs(s) in order without building the slice:
// the finishing pass and the walks of every module ask for it of every
// statement.
func stmtExprs(s Stmt) iter.Seq[Expr] {
	return func(yield func(Expr) bool) {
		each := func(list []Expr) bool {
			for _, e := range list {
				if !yield(e) {
					return false
				}
			}
			return true
		}
		switch x := s.(type) {
		case *Assign:
			_ = each(x.Targets) && yield(x.Value)
		case *AugAssign:
			_ = yield(x.Target) && yield(x.Value)
		case *ExprStmt:
			yield(x.X)
		case *If:
			yield(x.Test)
		case *Loop:
			_ = yield(x.Target) && yield(x.Iter)
		case *With:
			_ = each(x.Items) && each(x.Vars)
		case *Return:
			yield(x.Value)
		case *Delete:
			each(x.Targets)
		case *OtherStmt:
			each(x.Exprs)
		case *FuncDef:
			if !each(x.Decorators) {
				return
			}
			for _, p := range x.Params {
				if p.Default != nil && !yield(p.Default) || p.Annotation != nil && !yield(p.Annotation) {
					return
				}
			}
		case *ClassDef:
			if !each(x.Decorators) || !each(x.Bases) {
				return
			}
			for _, k := range x.Keywords {
				if !yield(k.Value) {
					return
				}
			}
		case *Try:
			for _, h := range x.Handlers {
				if h.Type != nil && !yield(h.Type) {
					return
				}
			}
		case *Match:
			if !yield(x.Subject) {
				return
			}
			for _, c := range x.Cases {
				if !each(c.Pattern.Exprs()) || c.Guard != nil && !yield(c.Guard) {
					return
				}
			}
		}
	}
}

// Exprs returns the expressions inside a pattern: values compared with,
// mapping keys, class names.
func (p *Pattern) Exprs() []Expr {
	if p == nil {
		return nil
	}
	var out []Expr
	if p.Value != nil {
		out = append(out, p.Value)
	}
	if p.Class != nil {
		out = append(out, p.Class)
	}
	out = append(out, p.Keys...)
	for _, s := range p.Subs {
		out = append(out, s.Exprs()...)
	}
	for _, s := range p.KwSubs {
		out = append(out, s.Exprs()...)
	}
	return out
}
