package python

import (
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// ReadVia says through what the code reads a request value.
type ReadVia uint8

// Ways to read a request value.
const (
	ViaMETA             ReadVia = iota + 1 // request.META["HTTP_X"], .get
	ViaHeaders                             // request.headers["X"], .get
	ViaEnviron                             // request.environ / WSGI environ
	ViaRemoteUserHeader                    // RemoteUserMiddleware subclass's header
)

var viaNames = [...]string{"", "META", "headers", "environ", "RemoteUserMiddleware.header"}

func (v ReadVia) String() string { return viaNames[v] }

// UseKind is how the code decides on a value it read.
type UseKind uint8

// Uses of a read value.
const (
	UseUnknown     UseKind = iota
	UsePresence            // if value / "X" in META / is not None
	UseEquals              // == Value
	UseNotEqual            // != Value
	UseIn                  // value in (Values...)
	UseContains            // "X" in value (substring)
	UsePrefix              // value.startswith(Value)
	UseFirstOfList         // value.split(",")[0]
	UseIdentity            // taken as data (a DN, a user name)
)

var useNames = [...]string{"unknown", "presence", "equals", "not-equal", "in", "contains", "prefix", "first-of-list", "identity"}

func (u UseKind) String() string { return useNames[u] }

// Use is one decision on a read value.
type Use struct {
	Kind   UseKind
	Values []string // compared constants
	Range  source.Range
}

// HeaderRead is one place where code reads a request header or WSGI
// variable, and how it uses the value.
type HeaderRead struct {
	Key   string // as written: "HTTP_X_SSL_CLIENT_VERIFY", "X-SSL-Client-Verify", "SSL_CLIENT_VERIFY"
	Via   ReadVia
	Range source.Range
	Uses  []Use
	// Func and Class name the enclosing function and class ("" at module
	// level).
	Func, Class string
	// Scope names the class ("class:Name") or top-level function
	// ("func:Name") the read is in, or "module".
	Scope string
}

// ClassInfo is what a class does with requests.
type ClassInfo struct {
	Name   string
	Bases  []string
	Range  source.Range // the class statement's first line
	Header *Setting     // the header attribute of a RemoteUserMiddleware subclass
	// RemoteUser: a subclass of (Persistent)RemoteUserMiddleware.
	RemoteUser bool
	// Middleware: named *Middleware, or has __call__/process_request.
	Middleware  bool
	Login       []source.Range // calls to login()
	Logout      []source.Range // calls to logout()
	LoadsCert   bool           // parses a PEM certificate
	ChecksDN    bool           // compares subject/issuer names
	VerifiesSig bool           // verifies a signature or chain
}

// AppCode is what a module's code reads from requests.
type AppCode struct {
	Reads   []HeaderRead
	Classes []ClassInfo
	// Funcs is the same per top-level function (middleware factories,
	// views): login/logout and certificate handling.
	Funcs []ClassInfo
}

// AnalyseApp finds the request reads of a module.
func AnalyseApp(m *Module) *AppCode {
	a := &appAnalysis{m: m, out: &AppCode{}}
	a.block(m.AllStmts(), "", "", nil)
	return a.out
}

type appAnalysis struct {
	m   *Module
	out *AppCode
}

// scope tracks variables bound to read values inside one function.
type scope struct {
	vars map[string][]int // variable → indexes of reads
}

func (a *appAnalysis) block(stmts []Stmt, class, fn string, info *ClassInfo) {
	sc := &scope{vars: map[string][]int{}}
	a.stmts(stmts, class, fn, info, sc)
}

func (a *appAnalysis) stmts(stmts []Stmt, class, fn string, info *ClassInfo, sc *scope) {
	for _, s := range stmts {
		switch x := s.(type) {
		case *ClassDef:
			ci := ClassInfo{Name: x.Name, Range: a.m.lineRange(a.m.lines.Pos(x.Start).Line)}
			for _, b := range x.Bases {
				name := a.m.Text(b)
				ci.Bases = append(ci.Bases, name)
				if strings.HasSuffix(name, "RemoteUserMiddleware") {
					ci.RemoteUser = true
				}
			}
			ci.Middleware = strings.HasSuffix(x.Name, "Middleware") || ci.RemoteUser
			for _, st := range x.Body {
				switch y := st.(type) {
				case *Assign:
					for _, t := range y.Targets {
						if n, ok := t.(*Name); ok && n.ID == "header" {
							if c, ok := y.Value.(*Const); ok {
								if s, ok := c.Value.(Str); ok {
									ci.Header = &Setting{Value: string(s), Range: a.m.Range(c)}
								}
							}
						}
					}
				case *FuncDef:
					if y.Name == "__call__" || y.Name == "process_request" || y.Name == "process_view" {
						ci.Middleware = true
					}
				}
			}
			if ci.RemoteUser && ci.Header != nil {
				a.out.Reads = append(a.out.Reads, HeaderRead{Key: ci.Header.Value, Via: ViaRemoteUserHeader, Range: ci.Header.Range,
					Uses: []Use{{Kind: UseIdentity, Range: ci.Header.Range}}, Class: x.Name, Scope: "class:" + x.Name})
			}
			a.out.Classes = append(a.out.Classes, ci)
			idx := len(a.out.Classes) - 1
			for _, st := range x.Body {
				if f, ok := st.(*FuncDef); ok {
					a.function(f, x.Name, &a.out.Classes[idx])
				}
			}
			continue
		case *FuncDef:
			if info == nil && class == "" {
				a.out.Funcs = append(a.out.Funcs, ClassInfo{Name: x.Name, Range: a.m.lineRange(a.m.lines.Pos(x.Start).Line)})
				a.function(x, class, &a.out.Funcs[len(a.out.Funcs)-1])
			} else {
				a.function(x, class, info)
			}
			continue
		}
		before := len(a.out.Reads)
		for _, e := range StmtExprs(s) {
			a.expr(e, []Node{s}, class, fn, info, sc)
		}
		// variable flow: v = <read ...>
		if as, ok := s.(*Assign); ok && len(as.Targets) == 1 {
			if n, ok := as.Targets[0].(*Name); ok {
				if idx := a.readsIn(as.Value, before); len(idx) > 0 {
					sc.vars[n.ID] = idx
				} else {
					delete(sc.vars, n.ID)
				}
			}
		}
		for _, body := range Bodies(s) {
			a.stmts(body, class, fn, info, sc)
		}
	}
}

func (a *appAnalysis) function(f *FuncDef, class string, info *ClassInfo) {
	a.block(f.Body, class, f.Name, info)
}

// readsIn returns the reads whose expression is v, or v through
// transparent calls (.strip(), .lower(), str()). Only the reads from
// index from on are looked at: those of the statement v belongs to (all
// of them would make a module quadratic in its reads).
func (a *appAnalysis) readsIn(v Expr, from int) []int {
	for {
		if c, ok := v.(*Call); ok {
			if attr, ok := c.Func.(*Attribute); ok && transparent[attr.Attr] {
				v = attr.Value
				continue
			}
			if n, ok := c.Func.(*Name); ok && n.ID == "str" && len(c.Args) == 1 {
				v = c.Args[0]
				continue
			}
		}
		break
	}
	var out []int
	r := a.m.Range(v)
	for i := from; i < len(a.out.Reads); i++ {
		if a.out.Reads[i].Range == r {
			out = append(out, i)
		}
	}
	return out
}

var transparent = map[string]bool{"strip": true, "lower": true, "upper": true, "casefold": true, "rstrip": true, "lstrip": true, "decode": true}

// requestAttrs are the attributes of a request that hold client data.
var requestAttrs = map[string]ReadVia{"META": ViaMETA, "headers": ViaHeaders, "environ": ViaEnviron}

// readAt recognises a read of a request value at e.
func (a *appAnalysis) readAt(e Expr) (key string, via ReadVia, ok bool) {
	container := func(x Expr) (ReadVia, bool) {
		attr, ok := x.(*Attribute)
		if !ok {
			if n, ok := x.(*Name); ok && n.ID == "environ" {
				return 0, false // os.environ imported by name: process environment
			}
			return 0, false
		}
		v, ok := requestAttrs[attr.Attr]
		if !ok {
			return 0, false
		}
		if n, ok := attr.Value.(*Name); ok && n.ID == "os" {
			return 0, false
		}
		return v, true
	}
	strConst := func(x Expr) (string, bool) {
		if c, ok := x.(*Const); ok {
			if s, ok := c.Value.(Str); ok {
				return string(s), true
			}
		}
		return "", false
	}
	switch x := e.(type) {
	case *Subscript:
		if via, ok := container(x.Value); ok {
			if k, ok := strConst(x.Index); ok {
				return k, via, true
			}
		}
	case *Call:
		if attr, ok := x.Func.(*Attribute); ok && attr.Attr == "get" && len(x.Args) >= 1 {
			if via, ok := container(attr.Value); ok {
				if k, ok := strConst(x.Args[0]); ok {
					return k, via, true
				}
			}
		}
	}
	return "", 0, false
}

// expr walks e with its parents (innermost last), recording reads and
// the uses of values read earlier into variables.
func (a *appAnalysis) expr(e Expr, parents []Node, class, fn string, info *ClassInfo, sc *scope) {
	if e == nil {
		return
	}
	if key, via, ok := a.readAt(e); ok {
		rd := HeaderRead{Key: key, Via: via, Range: a.m.Range(e), Func: fn, Class: class, Scope: scopeName(class, info)}
		rd.Uses = append(rd.Uses, a.use(e, parents))
		a.out.Reads = append(a.out.Reads, rd)
	}
	if cmp, ok := e.(*Compare); ok && len(cmp.Ops) == 1 && (cmp.Ops[0] == "in" || cmp.Ops[0] == "not in") {
		// "HTTP_X" in request.META
		if c, ok := cmp.Left.(*Const); ok {
			if s, ok := c.Value.(Str); ok {
				if attr, ok := cmp.Rights[0].(*Attribute); ok {
					if via, ok := requestAttrs[attr.Attr]; ok {
						if n, isName := attr.Value.(*Name); !isName || n.ID != "os" {
							a.out.Reads = append(a.out.Reads, HeaderRead{Key: string(s), Via: via, Range: a.m.Range(cmp), Func: fn, Class: class, Scope: scopeName(class, info),
								Uses: []Use{{Kind: UsePresence, Range: a.m.Range(cmp)}}})
						}
					}
				}
			}
		}
	}
	if n, ok := e.(*Name); ok {
		if idx, ok := sc.vars[n.ID]; ok && !isAssignTarget(n, parents) {
			u := a.use(e, parents)
			for _, i := range idx {
				a.out.Reads[i].Uses = append(a.out.Reads[i].Uses, u)
			}
		}
	}
	if c, ok := e.(*Call); ok && info != nil {
		q := a.m.Text(c.Func)
		last := q[strings.LastIndex(q, ".")+1:]
		switch {
		case last == "login" && (q == "login" || strings.HasSuffix(q, "auth.login")):
			info.Login = append(info.Login, a.m.Range(c))
		case last == "logout" && (q == "logout" || strings.HasSuffix(q, "auth.logout")):
			info.Logout = append(info.Logout, a.m.Range(c))
		case strings.Contains(q, "load_pem_x509_certificate") || strings.Contains(q, "load_certificate") || strings.Contains(q, "load_der_x509_certificate"):
			info.LoadsCert = true
		case strings.Contains(strings.ToLower(last), "verify") || strings.Contains(q, "X509StoreContext") || strings.Contains(q, "X509Store"):
			info.VerifiesSig = true
		case last == "get_subject" || last == "get_issuer" || last == "rfc4514_string":
			info.ChecksDN = true
		}
	}
	if attr, ok := e.(*Attribute); ok && info != nil && (attr.Attr == "subject" || attr.Attr == "issuer") {
		info.ChecksDN = true
	}
	// parents is a stack: each child pushes onto the same backing array
	// (a copy per level would make deep expressions quadratic).
	ps := append(parents, e)
	switch x := e.(type) {
	case *Opaque:
		for _, s := range x.Subs {
			a.expr(s, ps, class, fn, info, sc)
		}
	default:
		for _, c := range children(e) {
			a.expr(c, ps, class, fn, info, sc)
		}
	}
}

func isAssignTarget(n *Name, parents []Node) bool {
	if len(parents) == 0 {
		return false
	}
	if as, ok := parents[len(parents)-1].(*Assign); ok {
		for _, t := range as.Targets {
			if t == Expr(n) {
				return true
			}
		}
	}
	return false
}

// children returns the direct sub-expressions of e.
func children(e Expr) []Expr {
	var out []Expr
	first := true
	WalkExpr(e, func(x Expr) bool {
		if first {
			first = false
			return true
		}
		out = append(out, x)
		return false
	})
	return out
}

// successValues reports whether every compared constant is a value that
// means "verified" (nginx's SUCCESS, HAProxy's 0).
func successValues(vals []string) bool {
	if len(vals) == 0 {
		return false
	}
	for _, v := range vals {
		if v != "SUCCESS" && v != "0" {
			return false
		}
	}
	return true
}

// rejects reports whether p is an if statement testing exactly test whose
// body ends the request's handling (return or raise) and has no else.
func rejects(p Node, test *Compare) bool {
	st, ok := p.(*If)
	if !ok || Node(st.Test) != Node(test) || len(st.Body) == 0 || len(st.Else) > 0 {
		return false
	}
	switch last := st.Body[len(st.Body)-1].(type) {
	case *Return:
		return true
	case *OtherStmt:
		return last.What == "raise"
	}
	return false
}

// use classifies how the value at e is decided on, from its parents.
func (a *appAnalysis) use(e Expr, parents []Node) Use {
	cur := Node(e)
	for i := len(parents) - 1; i >= 0; i-- {
		p := parents[i]
		rng := a.m.Range(p)
		switch x := p.(type) {
		case *Call:
			if attr, ok := x.Func.(*Attribute); ok && Node(attr) == cur {
				continue // handled at the Attribute
			}
			if n, ok := x.Func.(*Name); ok && n.ID == "bool" {
				return Use{Kind: UsePresence, Range: rng}
			}
			if n, ok := x.Func.(*Name); ok && n.ID == "str" {
				cur = x
				continue
			}
			return Use{Kind: UseIdentity, Range: rng}
		case *Attribute:
			var call *Call
			if i > 0 {
				call, _ = parents[i-1].(*Call)
			}
			switch {
			case transparent[x.Attr] && call != nil:
				cur = call
				i--
				continue
			case x.Attr == "startswith" && call != nil:
				return Use{Kind: UsePrefix, Values: constStrings(call.Args), Range: a.m.Range(call)}
			case x.Attr == "split" && call != nil:
				if i > 1 {
					if sub, ok := parents[i-2].(*Subscript); ok {
						if c, ok := sub.Index.(*Const); ok {
							if n, ok := c.Value.(Int); ok && n.Sign() == 0 {
								return Use{Kind: UseFirstOfList, Range: a.m.Range(sub)}
							}
						}
					}
				}
				return Use{Kind: UseIdentity, Range: a.m.Range(call)}
			}
			return Use{Kind: UseIdentity, Range: rng}
		case *Compare:
			if x.Walrus || len(x.Ops) != 1 {
				return Use{Kind: UseUnknown, Range: rng}
			}
			other := x.Rights[0]
			left := Node(x.Left) == cur
			if !left {
				other = x.Left
			}
			switch op := x.Ops[0]; op {
			case "==", "!=":
				vals := constStrings([]Expr{other})
				kind := UseEquals
				if op == "!=" {
					kind = UseNotEqual
				}
				if len(vals) == 0 {
					if c, ok := other.(*Const); ok {
						if _, isNone := c.Value.(NoneObj); isNone {
							return Use{Kind: UsePresence, Range: rng}
						}
					}
					return Use{Kind: UseUnknown, Range: rng}
				}
				// "if verify != 'SUCCESS': return 403" lets a request on
				// only when the value equals the success literal: it is the
				// strict check, written as a rejection.
				if kind == UseNotEqual && i > 0 && successValues(vals) && rejects(parents[i-1], x) {
					kind = UseEquals
				}
				return Use{Kind: kind, Values: vals, Range: rng}
			case "is", "is not":
				return Use{Kind: UsePresence, Range: rng}
			case "in", "not in":
				if left {
					var vals []string
					if s, ok := other.(*SeqExpr); ok {
						vals = constStrings(s.Elts)
					}
					if op == "not in" {
						if i > 0 && successValues(vals) && rejects(parents[i-1], x) {
							return Use{Kind: UseEquals, Values: vals, Range: rng}
						}
						return Use{Kind: UseNotEqual, Values: vals, Range: rng}
					}
					return Use{Kind: UseIn, Values: vals, Range: rng}
				}
				if op == "not in" {
					return Use{Kind: UseUnknown, Range: rng} // a rejection test ("," not in value)
				}
				return Use{Kind: UseContains, Values: constStrings([]Expr{other}), Range: rng}
			}
			return Use{Kind: UseUnknown, Range: rng}
		case *UnaryOp:
			if x.Op == "not" {
				return Use{Kind: UsePresence, Range: rng}
			}
			return Use{Kind: UseUnknown, Range: rng}
		case *BoolOp:
			// "a and b": the value's truth decides; "x or default" passes it on
			// "a or b" passes either operand on; in "a and b" every operand
			// but the last is only tested for truth.
			if x.Op == "or" || Node(x.Values[len(x.Values)-1]) == cur {
				cur = x
				continue
			}
			return Use{Kind: UsePresence, Range: a.m.Range(cur)}
		case *IfExp:
			if Node(x.Test) == cur {
				return Use{Kind: UsePresence, Range: rng}
			}
			cur = x
			continue
		case *If:
			if Node(x.Test) == cur {
				return Use{Kind: UsePresence, Range: a.m.Range(cur)}
			}
		case *Loop:
			if !x.For && Node(x.Iter) == cur {
				return Use{Kind: UsePresence, Range: a.m.Range(cur)}
			}
		case *OtherStmt:
			if x.What == "assert" {
				return Use{Kind: UsePresence, Range: a.m.Range(cur)}
			}
		case *Assign:
			if len(x.Targets) == 1 {
				if _, ok := x.Targets[0].(*Name); ok {
					return Use{Kind: UseUnknown, Range: rng} // followed through the variable
				}
			}
			return Use{Kind: UseIdentity, Range: rng}
		case *Subscript, *SeqExpr, *DictExpr, *Return, *Keyword:
			return Use{Kind: UseIdentity, Range: rng}
		}
		return Use{Kind: UseIdentity, Range: rng}
	}
	return Use{Kind: UseUnknown}
}

func constStrings(es []Expr) []string {
	var out []string
	for _, e := range es {
		if c, ok := e.(*Const); ok {
			if s, ok := c.Value.(Str); ok {
				out = append(out, string(s))
			}
		}
	}
	return out
}

func scopeName(class string, info *ClassInfo) string {
	if class != "" {
		return "class:" + class
	}
	if info != nil {
		return "func:" + info.Name
	}
	return "module"
}

// Scope returns the class or top-level function a read's Scope names.
func (a *AppCode) Scope(name string) *ClassInfo {
	kind, n, _ := strings.Cut(name, ":")
	list := a.Funcs
	if kind == "class" {
		list = a.Classes
	}
	for i := range list {
		if list[i].Name == n {
			return &list[i]
		}
	}
	return nil
}
