package python

import (
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Expressions of the data-flow analysis: what each evaluates to, the
// reads it makes, the sinks it reaches, the calls it follows.

// eval evaluates e on a path. It returns one result per path the
// evaluation leaves: several when a call of the project returns in
// several ways, none when it always raises or aborts.
func (in *interp) eval(fr *frame, e Expr, st *state) []res {
	in.steps++
	if e == nil {
		return one(st, avConst{obj: NoneObj{}})
	}
	switch x := e.(type) {
	case *Const:
		if x.Value == nil {
			return one(st, avUnknown{text: fr.mod.m.Text(x)})
		}
		return one(st, avConst{obj: x.Value})
	case *JoinedStr:
		return in.seq(fr, x.Parts, st, func(st *state, vals []aval) []res {
			var sb strings.Builder
			for _, v := range vals {
				s, ok := constStr(v)
				if !ok {
					var rs []*Read
					for _, w := range vals {
						rs = append(rs, readsOf(w)...)
					}
					return one(st, tainted(rs))
				}
				sb.WriteString(s)
			}
			return one(st, avConst{obj: Str(sb.String())})
		})
	case *FormattedValue:
		return in.mapEval(fr, x.Value, st, func(st *state, v aval) aval {
			if c, ok := v.(avConst); ok {
				if s, ok := fieldText(c.obj, x.Conversion); ok && (x.Spec == nil || len(x.Spec.Parts) == 0) {
					return avConst{obj: Str(s)}
				}
			}
			return v
		})
	case *Name:
		return one(st, in.lookup(fr, st, x.ID))
	case *NamedExpr:
		var out []res
		for _, r := range in.eval(fr, x.Value, st) {
			r.st.set(x.Target.ID, r.v)
			out = append(out, r)
		}
		return out
	case *Attribute:
		var out []res
		for _, r := range in.eval(fr, x.Value, st) {
			out = append(out, res{r.st, in.attr(fr, r.st, r.v, x)})
		}
		return out
	case *Subscript:
		return in.seq(fr, []Expr{x.Value, x.Index}, st, func(st *state, vals []aval) []res {
			return in.subscript(fr, st, vals[0], vals[1], x)
		})
	case *Call:
		return in.call(fr, x, st)
	case *Compare:
		return in.compare(fr, x, st)
	case *BoolOp:
		return in.boolValue(fr, x, st)
	case *UnaryOp:
		return in.mapEval(fr, x.X, st, func(st *state, v aval) aval {
			if x.Op == "not" {
				return avBool{f: truthCond(v, fr.mod.m.Text(x.X), fr.mod.m.Range(x.X)).not()}
			}
			if c, ok := v.(avConst); ok {
				if u := unary(x.Op, c.obj, fr.mod.m.Range(x)); u.IsKnown() {
					return avConst{obj: u.Obj}
				}
			}
			return combine(v, nil)
		})
	case *IfExp:
		var out []res
		for _, r := range in.eval(fr, x.Test, st) {
			f := truthCond(r.v, fr.mod.m.Text(x.Test), fr.mod.m.Range(x.Test))
			body := in.eval(fr, x.Body, r.st)
			if len(body) == 0 {
				continue
			}
			els := in.eval(fr, x.Else, body[0].st)
			if len(els) == 0 {
				continue
			}
			var cs avCases
			for _, c := range f {
				cs.cases = append(cs.cases, avCase{c, body[0].v})
			}
			for _, c := range f.not() {
				cs.cases = append(cs.cases, avCase{c, els[0].v})
			}
			out = append(out, res{els[0].st, cs})
		}
		return out
	case *SeqExpr:
		return in.seq(fr, x.Elts, st, func(st *state, vals []aval) []res {
			allConst := true
			elems := make([]*Value, len(vals))
			for i, v := range vals {
				c, ok := v.(avConst)
				if !ok {
					allConst = false
					break
				}
				elems[i] = KnownValue(c.obj, fr.mod.m.Range(x.Elts[i]))
			}
			if allConst {
				return one(st, avConst{obj: &SeqObj{Type: x.Type, Elems: elems}})
			}
			return one(st, avTuple{elems: vals})
		})
	case *DictExpr:
		var all []Expr
		for i := range x.Keys {
			if x.Keys[i] != nil {
				all = append(all, x.Keys[i])
			}
			all = append(all, x.Values[i])
		}
		return in.seq(fr, all, st, func(st *state, vals []aval) []res {
			var rs []*Read
			for _, v := range vals {
				rs = append(rs, readsOf(v)...)
			}
			return one(st, tainted(rs))
		})
	case *BinOp:
		return in.seq(fr, []Expr{x.Left, x.Right}, st, func(st *state, vals []aval) []res {
			a, aok := vals[0].(avConst)
			b, bok := vals[1].(avConst)
			if aok && bok {
				if v := binary(x.Op, a.obj, b.obj, fr.mod.m.Range(x)); v.FullyKnown() {
					return one(st, avConst{obj: v.Obj})
				}
			}
			return one(st, combine(vals[0], vals[1]))
		})
	case *Opaque:
		return in.seq(fr, x.Subs, st, func(st *state, vals []aval) []res {
			var rs []*Read
			for _, v := range vals {
				rs = append(rs, readsOf(v)...)
			}
			if len(rs) > 0 {
				return one(st, avTainted{reads: rs})
			}
			return one(st, avUnknown{text: fr.mod.m.Text(x)})
		})
	}
	return one(st, avUnknown{text: fr.mod.m.Text(e)})
}

// seq evaluates expressions left to right, following every path, and
// hands their values to f.
func (in *interp) seq(fr *frame, es []Expr, st *state, f func(*state, []aval) []res) []res {
	type partial struct {
		st   *state
		vals []aval
	}
	cur := []partial{{st, nil}}
	for _, e := range es {
		var next []partial
		for _, p := range cur {
			for _, r := range in.eval(fr, e, p.st) {
				next = append(next, partial{r.st, append(p.vals[:len(p.vals):len(p.vals)], r.v)})
			}
		}
		if len(next) > maxStates {
			next = next[:maxStates]
		}
		cur = next
	}
	var out []res
	for _, p := range cur {
		out = append(out, f(p.st, p.vals)...)
	}
	return out
}

func (in *interp) mapEval(fr *frame, e Expr, st *state, f func(*state, aval) aval) []res {
	var out []res
	for _, r := range in.eval(fr, e, st) {
		out = append(out, res{r.st, f(r.st, r.v)})
	}
	return out
}

// boolValue is the value of "a or b" / "a and b": one of the operands,
// by the truth of those before it.
func (in *interp) boolValue(fr *frame, x *BoolOp, st *state) []res {
	return in.seq(fr, x.Values, st, func(st *state, vals []aval) []res {
		var cs avCases
		prefix := fTrue()
		for i, v := range vals {
			text, rng := fr.mod.m.Text(x.Values[i]), fr.mod.m.Range(x.Values[i])
			if i == len(vals)-1 {
				for _, c := range prefix {
					cs.cases = append(cs.cases, avCase{c, v})
				}
				break
			}
			t := truthCond(v, text, rng)
			stop := t // "or" stops at a truthy operand
			if x.Op == "and" {
				stop = t.not()
			}
			for _, c := range prefix.and(stop) {
				cs.cases = append(cs.cases, avCase{c, v})
			}
			prefix = prefix.and(stop.not())
		}
		if len(cs.cases) == 1 && len(cs.cases[0].when) == 0 {
			return one(st, cs.cases[0].val)
		}
		return one(st, cs)
	})
}

// lookup resolves a name: a local, a name of an enclosing function, then
// the module's.
func (in *interp) lookup(fr *frame, st *state, name string) aval {
	if v, ok := st.vars[name]; ok {
		return v
	}
	for c := fr.closure; c != nil; c = c.parent {
		if v, ok := c.vars[name]; ok {
			return v
		}
	}
	if name == "super" {
		return avExt{qual: "builtins.super"}
	}
	return fr.mod.lookup(name, 0)
}

// attr is base.name read as a value.
func (in *interp) attr(fr *frame, st *state, base aval, x *Attribute) aval {
	name := x.Attr
	text := fr.mod.m.Text(x)
	if name == "objects" || name == "query" {
		switch base.(type) {
		case avRequest, avSelf, avAttrStore, avModule, avSettings:
		default:
			return avORM{reads: readsOf(base)} // Model.objects, Model.query
		}
	}
	switch b := base.(type) {
	case avRequest:
		if v, ok := st.attrs["request."+name]; ok {
			return v
		}
		switch name {
		case "META":
			return avMeta{via: ViaMETA}
		case "headers":
			return avMeta{via: ViaHeaders}
		case "environ":
			return avMeta{via: ViaEnviron}
		case "scope":
			return avScope{}
		case "_request":
			return avRequest{}
		case "session":
			return avAttrStore{name: "session"}
		}
		return avUnknown{text: text}
	case avAttrStore:
		if v, ok := st.attrs[b.name+"."+name]; ok {
			return v
		}
		return avUnknown{text: text}
	case avSettings:
		return avOperand{op: Operand{Setting: name}}
	case avModule:
		return b.mod.lookup(name, 0)
	case avExt:
		return special(avExt{qual: b.qual + "." + name})
	case avClass:
		if m := b.cls.method(name); m != nil {
			return avFunc{fn: m}
		}
		if e, owner, ok := b.cls.attr(name); ok {
			return in.classValue(owner, e)
		}
	case avSelf:
		if v, ok := st.attrs["self."+name]; ok {
			return v
		}
		switch name {
		case "request":
			return avRequest{}
		case "get_response":
			return avParam{name: "self.get_response"}
		}
		if b.cls != nil {
			if m := b.cls.method(name); m != nil {
				return avFunc{fn: m, self: b}
			}
			if e, owner, ok := b.cls.attr(name); ok {
				return in.classValue(owner, e)
			}
			if e, owner, ok := b.cls.selfAttr(name); ok {
				return in.initValue(owner, e)
			}
		}
		return avUnknown{text: text}
	}
	if name == "objects" || name == "query" {
		return avORM{reads: readsOf(base)}
	}
	if rs := readsOf(base); len(rs) > 0 {
		return avTainted{reads: rs}
	}
	return avUnknown{text: text}
}

// classValue evaluates a class body's assignment (a constant, a setting).
func (in *interp) classValue(owner *classInfo, e Expr) aval {
	fr := &frame{fn: &funcInfo{mod: owner.mod, qual: owner.name}, mod: owner.mod}
	return in.valueOf(fr, e)
}

// initValue evaluates what __init__ assigns to self.X, for a value that
// does not depend on the arguments (a constant, a setting).
func (in *interp) initValue(owner *classInfo, e Expr) aval {
	fr := &frame{fn: &funcInfo{mod: owner.mod, qual: owner.name + ".__init__"}, mod: owner.mod}
	st := newState()
	st.vars["self"] = avSelf{cls: owner}
	rs := in.eval(fr, e, st)
	if len(rs) == 0 {
		return avUnknown{}
	}
	switch rs[0].v.(type) {
	case avConst, avOperand:
		return rs[0].v
	}
	return avUnknown{text: owner.mod.m.Text(e)}
}

// subscript is base[index].
func (in *interp) subscript(fr *frame, st *state, base, index aval, x *Subscript) []res {
	switch b := base.(type) {
	case avScope:
		return one(st, scopeItem(index, fr.mod.m.Text(x)))
	case avMeta:
		rd := in.read(fr, st, x, b.via, index, x.Index, nil, false)
		rd.Raises = true
		h := avHeader{read: rd}
		// KeyError when absent: the path goes on only with the header there
		s := st.with([]*Test{{Read: rd, Op: TestPresent, Range: fr.mod.m.Range(x), Text: fr.mod.m.Text(x)}})
		if s == nil {
			return nil
		}
		return one(s, h)
	case avSplit:
		if c, ok := index.(avConst); ok {
			if n, ok := c.obj.(Int); ok && n.IsInt64() && (n.Int64() == 0 || n.Int64() == -1) {
				part := 1
				if n.Int64() == -1 {
					part = -1
				}
				if h, ok := b.end(part); ok {
					return one(st, h)
				}
			}
		}
		if b.ofLast {
			// an element of a split of the last element: a part of it
			return one(st, avTainted{reads: []*Read{b.read}, parts: []*Read{b.read}, lasts: []*Read{b.read}})
		}
		return one(st, avTainted{reads: []*Read{b.read}, parts: []*Read{b.read}})
	case avHeader:
		// a slice or an index of the value: a part of it
		return one(st, avTainted{reads: []*Read{b.read}, parts: []*Read{b.read}, lasts: lastsOf(b)})
	case avAttrStore:
		if k, ok := constStr(index); ok {
			if v, ok := st.attrs[b.name+"["+strconv.Quote(k)+"]"]; ok {
				return one(st, v)
			}
		}
		return one(st, avUnknown{text: fr.mod.m.Text(x)})
	case avTuple:
		if c, ok := index.(avConst); ok {
			if n, ok := c.obj.(Int); ok && n.IsInt64() && int(n.Int64()) < len(b.elems) && n.Int64() >= 0 {
				return one(st, b.elems[n.Int64()])
			}
		}
	case avCases:
		var cs avCases
		for _, c := range b.cases {
			for _, r := range in.subscript(fr, st, c.val, index, x) {
				cs.cases = append(cs.cases, avCase{c.when, r.v})
			}
		}
		return one(st, cs)
	case avConst:
		if keyReads := readsOf(index); len(keyReads) > 0 {
			in.sink(fr, SinkLookup, x, fr.mod.m.Text(x.Value)+"[...]", st, index)
			return one(st, avTainted{reads: keyReads, parts: partsOf(index), lasts: lastsOf(index)})
		}
		if c, ok := index.(avConst); ok {
			if v := subscript(b.obj, c.obj, fr.mod.m.Range(x)); v.FullyKnown() {
				return one(st, avConst{obj: v.Obj})
			}
		}
	}
	if rs := append(readsOf(base), readsOf(index)...); len(rs) > 0 {
		return one(st, avTainted{reads: rs})
	}
	return one(st, avUnknown{text: fr.mod.m.Text(x)})
}

// read records a read of a request value at node, keyed by key.
func (in *interp) read(fr *frame, st *state, node Node, via ReadVia, key aval, keyExpr Expr, dflt aval, hasDefault bool) *Read {
	rng := fr.mod.m.Range(node)
	k := siteKey{file: rng.File, start: rng.Start.Offset, end: rng.End.Offset}
	rd := in.p.reads[k]
	if rd == nil {
		rd = &Read{Via: via, Range: rng}
		rd.Func, rd.Class, rd.Scope = scopeOf(fr.fn)
		in.p.reads[k] = rd
		in.p.readOrder = append(in.p.readOrder, rd)
	}
	if ops, ok := keyOperands(key); ok {
		for _, o := range ops {
			found := false
			for _, have := range rd.Keys {
				found = found || have == o
			}
			if !found {
				rd.Keys = append(rd.Keys, o)
			}
		}
	} else if len(rd.Keys) == 0 && keyExpr != nil {
		rd.Unresolved = "the key " + fr.mod.m.Text(keyExpr) + " is not known statically"
	}
	if hasDefault {
		switch d := dflt.(type) {
		case avConst:
			if s, ok := d.obj.(Str); ok {
				op := Lit(string(s))
				rd.Default = &op
			}
		case avOperand:
			op := d.op
			rd.Default = &op
		}
	}
	st.see(rd)
	return rd
}

// keyOperands returns the keys a value may be: a string, a setting, or
// one of several strings by condition.
func keyOperands(v aval) ([]Operand, bool) {
	switch x := v.(type) {
	case avConst:
		switch s := x.obj.(type) {
		case Str:
			return []Operand{Lit(string(s))}, true
		case Bytes:
			// an ASGI header name (b"x-ssl-client-verify")
			return []Operand{Lit(string(s))}, true
		}
	case avOperand:
		return []Operand{x.op}, true
	case avCases:
		var out []Operand
		for _, c := range x.cases {
			o, ok := keyOperands(c.val)
			if !ok {
				return nil, false
			}
			out = append(out, o...)
		}
		return out, len(out) > 0
	}
	return nil, false
}

type args struct {
	st  *state
	pos []aval
	kw  map[string]aval
}

// evalArgs evaluates a call's arguments on every path.
func (in *interp) evalArgs(fr *frame, c *Call, st *state) []args {
	es := append([]Expr(nil), c.Args...)
	for _, k := range c.Keywords {
		es = append(es, k.Value)
	}
	if c.Star != nil {
		es = append(es, c.Star)
	}
	if c.DStar != nil {
		es = append(es, c.DStar)
	}
	var out []args
	in.seq(fr, es, st, func(s *state, vals []aval) []res {
		a := args{st: s, pos: vals[:len(c.Args)], kw: map[string]aval{}}
		for i, k := range c.Keywords {
			name := k.Name
			if name == "" {
				name = "**"
			}
			a.kw[name] = vals[len(c.Args)+i]
		}
		if c.Star != nil || c.DStar != nil {
			var rs []*Read
			for _, v := range vals[len(c.Args)+len(c.Keywords):] {
				rs = append(rs, readsOf(v)...)
			}
			a.kw["*"] = tainted(rs)
		}
		out = append(out, a)
		return nil
	})
	return out
}

func (a args) all() []aval {
	out := append([]aval(nil), a.pos...)
	for _, v := range a.kw {
		out = append(out, v)
	}
	return out
}

func (a args) reads() []*Read {
	var out []*Read
	for _, v := range a.all() {
		for _, r := range readsOf(v) {
			if !containsRead(out, r) {
				out = append(out, r)
			}
		}
	}
	sortReads(out)
	return out
}

func (a args) parts() []*Read {
	var out []*Read
	for _, v := range a.all() {
		out = unionReads(out, partsOf(v))
	}
	sortReads(out)
	return out
}

func (a args) hasRequest() bool {
	for _, v := range a.all() {
		if _, ok := v.(avRequest); ok {
			return true
		}
	}
	return false
}

func (a args) arg(i int, name string) (aval, bool) {
	if v, ok := a.kw[name]; ok && name != "" {
		return v, true
	}
	if i >= 0 && i < len(a.pos) {
		return a.pos[i], true
	}
	return nil, false
}

// call evaluates a call: a method of a known value, a function of the
// project (followed), or a name from outside it.
func (in *interp) call(fr *frame, c *Call, st *state) []res {
	var out []res
	if at, ok := c.Func.(*Attribute); ok {
		for _, r := range in.eval(fr, at.Value, st) {
			for _, a := range in.evalArgs(fr, c, r.st) {
				out = append(out, in.method(fr, a.st, r.v, at.Attr, c, a)...)
			}
		}
		return out
	}
	for _, r := range in.eval(fr, c.Func, st) {
		for _, a := range in.evalArgs(fr, c, r.st) {
			out = append(out, in.apply(fr, a.st, r.v, c, a)...)
		}
	}
	return out
}

// transparentMethods return the string they are called on, changed in a
// way that keeps its meaning for a comparison.
var transparentMethods = map[string]string{"strip": "strip", "lstrip": "strip", "rstrip": "strip", "lower": "fold", "upper": "fold", "casefold": "fold",
	"decode": "", "encode": ""}

// logMethods write a log record (or a metric): not a decision.
var logNames = map[string]bool{"debug": true, "info": true, "warning": true, "warn": true, "error": true, "exception": true,
	"critical": true, "log": true, "print": true, "incr": true, "inc": true, "observe": true, "gauge": true, "timing": true,
	"add_message": true, "capture_message": true, "set_tag": true, "set_extra": true}

// lookupMethods look a value up (an ORM query, a dict, a cache).
var lookupMethods = map[string]bool{"get": true, "filter": true, "filter_by": true, "exclude": true, "get_or_create": true,
	"update_or_create": true, "where": true, "find": true, "find_one": true, "lookup": true, "get_by_natural_key": true,
	"in_bulk": true, "getlist": false}

// method is recv.name(args).
func (in *interp) method(fr *frame, st *state, recv aval, name string, c *Call, a args) []res {
	text := fr.mod.m.Text(c)
	switch r := recv.(type) {
	case avScope:
		if name == "get" {
			key, _ := a.arg(0, "key")
			return one(st, scopeItem(key, text))
		}
		return one(st, avUnknown{text: text})
	case avMeta:
		switch name {
		case "get", "pop", "getlist", "get_all", "getall":
			key, _ := a.arg(0, "key")
			var keyExpr Expr
			if len(c.Args) > 0 {
				keyExpr = c.Args[0]
			}
			dflt, hasDefault := a.arg(1, "default")
			if name == "getlist" || name == "get_all" || name == "getall" {
				hasDefault = false
			}
			rd := in.read(fr, st, c, r.via, key, keyExpr, dflt, hasDefault)
			h := avHeader{read: rd}
			if hasDefault && rd.Default == nil {
				if _, none := dflt.(avConst); !none || !isNone(dflt) {
					// a default that is not a constant: the header, or else it
					present := &Test{Read: rd, Op: TestPresent, Range: fr.mod.m.Range(c), Text: text}
					return one(st, avCases{cases: []avCase{{[]*Test{present}, h}, {[]*Test{present.negate()}, dflt}}})
				}
			}
			return one(st, h)
		}
		return one(st, avUnknown{text: text})
	case avHeader:
		if kind, ok := transparentMethods[name]; ok {
			xf := r.xf
			switch kind {
			case "strip":
				xf.Strip = true
			case "fold":
				xf.Fold = true
			}
			return one(st, avHeader{read: r.read, xf: xf, last: r.last})
		}
		switch name {
		case "split", "rsplit":
			sep := ""
			if v, ok := a.arg(0, "sep"); ok {
				sep, _ = constStr(v)
			}
			rightmost := name == "rsplit"
			if v, ok := a.arg(1, "maxsplit"); !ok {
				rightmost = true
			} else if c, ok := v.(avConst); ok {
				n, isInt := c.obj.(Int)
				rightmost = rightmost || isInt && n.IsInt64() && n.Int64() < 0
			}
			return one(st, avSplit{read: r.read, xf: r.xf, sep: sep, ofLast: r.last, rightmost: rightmost})
		case "startswith", "endswith":
			op := TestPrefix
			if name == "endswith" {
				op = TestSuffix
			}
			v, _ := a.arg(0, "prefix")
			if ops, ok := operands(v); ok {
				return one(st, avBool{f: formula{{{Read: r.read, Op: op, Values: ops, Xform: r.xf, Range: fr.mod.m.Range(c), Text: text}}}})
			}
			return one(st, avBool{f: formula{{{Read: r.read, Op: TestUnknown, Xform: r.xf, Range: fr.mod.m.Range(c), Text: text}}}})
		case "isdigit", "isalnum", "isalpha", "isnumeric", "isdecimal", "isascii", "isupper", "islower":
			return one(st, avBool{f: formula{{{Read: r.read, Op: TestUnknown, Xform: r.xf, Range: fr.mod.m.Range(c), Text: text}}}})
		}
		return one(st, avTainted{reads: []*Read{r.read}, lasts: lastsOf(r)})
	case avRegex:
		if name == "match" || name == "search" || name == "fullmatch" {
			if v, ok := a.arg(0, "string"); ok {
				if h, ok := v.(avHeader); ok {
					return one(st, avMatch{read: h.read, xf: h.xf, pattern: r.pattern, mode: name})
				}
			}
		}
		return one(st, tainted(a.reads()))
	case avSuper:
		if fr.fn != nil && (name == fr.fn.def.Name || name == "dispatch" || name == "__call__") && fr.fn.def.Name != "__init__" {
			in.sink(fr, SinkNext, c, "super()."+name, st)
			return one(st, avResponse{next: true})
		}
		if r.cls != nil {
			for _, b := range r.cls.bases() {
				if m := b.method(name); m != nil {
					return in.inline(fr, m, st, avSelf(r), a, c, nil)
				}
			}
		}
		return one(st, avUnknown{text: text})
	case avORM:
		if lookupMethods[name] || len(a.reads()) > 0 {
			if rs := a.reads(); len(rs) > 0 {
				in.sink(fr, SinkLookup, c, fr.mod.m.Text(c.Func), st, a.all()...)
				return one(st, avORM{reads: append(append([]*Read(nil), r.reads...), rs...), parts: unionReads(r.parts, a.parts())})
			}
		}
		return one(st, r)
	case avAttrStore:
		if name == "get" && len(a.pos) > 0 {
			if k, ok := constStr(a.pos[0]); ok {
				if v, ok := st.attrs[r.name+"["+strconv.Quote(k)+"]"]; ok {
					return one(st, v)
				}
			}
		}
		return one(st, avUnknown{text: text})
	case avMatch:
		// a group: the part of the value the pattern picks
		return one(st, avTainted{reads: []*Read{r.read}, parts: []*Read{r.read}})
	case avModule, avExt, avClass, avSelf:
		f := in.attr(fr, st, recv, &Attribute{Span: c.Func.Pos(), Value: c.Func.(*Attribute).Value, Attr: name})
		if _, unknown := f.(avUnknown); !unknown {
			if sf, ok := f.(avFunc); ok {
				if _, isClass := recv.(avClass); isClass && sf.self == nil && len(a.pos) > 0 {
					// Class.method(self, ...): the first argument is self
					return in.inline(fr, sf.fn, st, a.pos[0], args{st: a.st, pos: a.pos[1:], kw: a.kw}, c, nil)
				}
			}
			return in.apply(fr, st, f, c, a)
		}
	}
	if isASGICall(a) {
		return in.passOn(fr, st, c)
	}
	if logNames[name] {
		return one(st, avConst{obj: NoneObj{}})
	}
	if verifyNames[name] {
		if rs := append(readsOf(recv), a.reads()...); len(rs) > 0 {
			return in.verified(fr, st, c, rs)
		}
	}
	if name == "objects" || name == "query" {
		return one(st, avORM{})
	}
	if rs := a.reads(); len(rs) > 0 && lookupMethods[name] {
		if _, isMeta := recv.(avMeta); !isMeta {
			in.sink(fr, SinkLookup, c, fr.mod.m.Text(c.Func), st, a.all()...)
		}
	}
	if rs := append(readsOf(recv), a.reads()...); len(rs) > 0 {
		return one(st, avTainted{reads: rs, lasts: mergeLasts(append([]aval{recv}, a.all()...)...)})
	}
	return one(st, avUnknown{text: text})
}

// scopeItem is scope[key] of an ASGI scope: its header lines, and its
// type, which is "http" for the requests this analysis follows.
func scopeItem(key aval, text string) aval {
	switch k, _ := constStr(key); k {
	case "headers":
		return avRawHeaders{}
	case "type":
		return avConst{obj: Str("http")}
	}
	return avUnknown{text: text}
}

// isASGICall says whether a call passes an ASGI scope on with its
// receive and send: app(scope, receive, send).
func isASGICall(a args) bool {
	if len(a.pos) != 3 {
		return false
	}
	_, ok := a.pos[0].(avScope)
	return ok
}

// passOn is app(scope, receive, send) of an app the analysis does not
// know (self.app): an ASGI middleware passing the request on.
func (in *interp) passOn(fr *frame, st *state, c *Call) []res {
	in.sink(fr, SinkNext, c, fr.mod.m.Text(c.Func), st)
	return one(st, avResponse{next: true})
}

func isEnviron(v aval) bool {
	m, ok := v.(avMeta)
	return ok && m.via == ViaEnviron
}

func isNone(v aval) bool {
	if c, ok := v.(avConst); ok {
		_, none := c.obj.(NoneObj)
		return none
	}
	return false
}

// verifyNames verify a certificate's chain or signature, raising (or
// refusing) when it does not verify: cryptography's verify(),
// verify_directly_issued_by(), pyOpenSSL's X509StoreContext
// .verify_certificate(), and the usual helper names.
var verifyNames = map[string]bool{"verify": true, "verify_certificate": true, "verify_directly_issued_by": true,
	"verify_chain": true, "verify_cert": true, "verify_client_certificate": true}

// verified continues past a verification of values derived from reads:
// on the path that goes on, each was verified.
func (in *interp) verified(fr *frame, st *state, c *Call, rs []*Read) []res {
	var tests []*Test
	seen := map[*Read]bool{}
	for _, r := range rs {
		if !seen[r] {
			seen[r] = true
			tests = append(tests, &Test{Read: r, Op: TestVerified, Range: fr.mod.m.Range(c), Text: fr.mod.m.Text(c)})
		}
	}
	s := st.with(tests)
	if s == nil {
		return nil
	}
	return one(s, avTainted{reads: rs})
}

// apply calls a function value.
func (in *interp) apply(fr *frame, st *state, f aval, c *Call, a args) []res {
	text := fr.mod.m.Text(c)
	if len(a.pos) == 2 && isEnviron(a.pos[0]) {
		if _, project := f.(avFunc); !project {
			// app(environ, start_response): a WSGI middleware passing on
			in.sink(fr, SinkNext, c, fr.mod.m.Text(c.Func), st)
			return one(st, avResponse{next: true})
		}
	}
	if isASGICall(a) {
		switch f.(type) {
		case avFunc, avClass:
		case avResponse:
			// response(scope, receive, send) sends the response built
			return one(st, f)
		default:
			return in.passOn(fr, st, c)
		}
	}
	switch x := f.(type) {
	case avFunc:
		return in.inline(fr, x.fn, st, x.self, a, c, x.closure)
	case avParam:
		if a.hasRequest() {
			in.sink(fr, SinkNext, c, x.name, st)
			return one(st, avResponse{next: true})
		}
	case avClass:
		if init := x.cls.method("__init__"); init != nil && len(a.reads()) > 0 {
			in.inline(fr, init, st, avSelf(x), a, c, nil)
		}
		return one(st, avSelf(x))
	case avExt:
		if last := x.qual[strings.LastIndex(x.qual, ".")+1:]; verifyNames[last] && len(a.reads()) > 0 {
			return in.verified(fr, st, c, a.reads())
		}
		return in.external(fr, st, x.qual, c, a)
	}
	if rs := a.reads(); len(rs) > 0 {
		return one(st, avTainted{reads: rs})
	}
	return one(st, avUnknown{text: text})
}

// inline follows a call of a function of the project with its arguments;
// the callee's paths continue in the caller.
func (in *interp) inline(fr *frame, fi *funcInfo, st *state, self aval, a args, c *Call, cl *closure) []res {
	in.calledNested[fi.def] = true
	in.p.analysed[fi] = true
	onStack := false
	for _, s := range in.stack {
		onStack = onStack || s == fi
	}
	if fr.depth >= maxDepth || onStack || in.exhausted {
		s := st.fork()
		s.note("the call " + fr.mod.m.Text(c) + " was not followed")
		return one(s, tainted(a.reads()))
	}
	callee := &frame{fn: fi, mod: fi.mod, closure: cl, depth: fr.depth + 1}
	cs := st.fork()
	cs.vars, cs.cow = map[string]aval{}, false
	for k, v := range st.attrs {
		if cs.attrs == nil {
			cs.attrs = map[string]aval{}
		}
		cs.attrs[k] = v
	}
	if cs.attrs == nil {
		cs.attrs = map[string]aval{}
	}
	pos := a.pos
	given := map[string]bool{}
	for i, prm := range fi.def.Params {
		if i == 0 && self != nil && fi.class != nil {
			cs.vars[prm.Name] = self
			given[prm.Name] = true
			continue
		}
		switch {
		case prm.Kind == "*" || prm.Kind == "**":
			cs.vars[prm.Name] = a.kw["*"]
			if cs.vars[prm.Name] == nil {
				cs.vars[prm.Name] = avUnknown{}
			}
		case a.kw[prm.Name] != nil:
			cs.vars[prm.Name] = a.kw[prm.Name]
			given[prm.Name] = true
		case len(pos) > 0 && prm.Kind == "":
			cs.vars[prm.Name] = pos[0]
			pos = pos[1:]
			given[prm.Name] = true
		case prm.Default != nil:
			cs.vars[prm.Name] = in.valueOf(callee, prm.Default)
		case in.requestAnnotated(callee, prm):
			// a FastAPI dependency's request parameter, filled by its type
			cs.vars[prm.Name] = avRequest{}
		default:
			cs.vars[prm.Name] = avParam{name: prm.Name}
		}
	}
	in.stack = append(in.stack, fi)
	falls := in.exec(callee, fi.def.Body, in.bindParams(callee, fi, cs, given))
	in.stack = in.stack[:len(in.stack)-1]
	for _, s := range falls {
		callee.outs = append(callee.outs, outcome{s, avConst{obj: NoneObj{}}})
	}
	var out []res
	for _, o := range callee.outs {
		back := o.st.fork()
		back.vars = st.vars
		back.cow = true
		st.cow = true
		out = append(out, res{back, o.v})
	}
	if len(out) > maxStates {
		out = out[:maxStates]
	}
	return out
}

// responseNames are the response classes and helpers whose result is an
// HTTP response; rejectNames those that refuse or send the client away.
var responseNames = map[string]bool{"HttpResponse": true, "JsonResponse": true, "FileResponse": true, "StreamingHttpResponse": true,
	"TemplateResponse": true, "render": true, "render_to_response": true, "Response": true, "JSONResponse": true,
	"PlainTextResponse": true, "HTMLResponse": true, "jsonify": true, "make_response": true, "render_template": true,
	"send_file": true, "StreamingResponse": true}

var rejectNames = map[string]bool{"HttpResponseForbidden": true, "HttpResponseBadRequest": true, "HttpResponseNotFound": true,
	"HttpResponseNotAllowed": true, "HttpResponseGone": true, "HttpResponseServerError": true, "HttpResponseRedirect": true,
	"HttpResponsePermanentRedirect": true, "redirect": true, "redirect_to_login": true, "RedirectResponse": true,
	"HttpResponseNotModified": true}

// abortNames raise out of the view.
var abortNames = map[string]bool{"abort": true, "raise_for_status": true}

// external calls a name from outside the project.
func (in *interp) external(fr *frame, st *state, qual string, c *Call, a args) []res {
	last := qual[strings.LastIndex(qual, ".")+1:]
	text := fr.mod.m.Text(c)
	switch {
	case last == "super":
		return one(st, avSuper{cls: topClass(fr.fn)})
	case rejectNames[last]:
		return one(st, avResponse{reject: true})
	case responseNames[last]:
		return one(st, avResponse{reject: rejectStatus(a)})
	case abortNames[last]:
		return nil
	case last == "login" || last == "login_user" || last == "authenticate":
		in.sink(fr, SinkLogin, c, qual, st, a.all()...)
		return one(st, avTainted{reads: a.reads(), parts: a.parts()})
	case last == "getattr" && len(a.pos) >= 2:
		name, ok := constStr(a.pos[1])
		if !ok {
			break
		}
		switch base := a.pos[0].(type) {
		case avSettings:
			op := Operand{Setting: name}
			if len(a.pos) >= 3 {
				if d, ok := constStr(a.pos[2]); ok {
					op.Value, op.HasDefault = d, true
				}
			}
			return one(st, avOperand{op: op})
		case avRequest, avSelf, avAttrStore:
			return one(st, in.attr(fr, st, base, &Attribute{Span: c.Span, Value: c.Args[0], Attr: name}))
		}
	case last == "dict" && qual == "builtins.dict" && len(a.pos) == 1:
		if _, ok := a.pos[0].(avRawHeaders); ok {
			// dict(scope["headers"]): header names (bytes) to values
			return one(st, avMeta{via: ViaHeaders})
		}
	case (last == "Headers" || last == "MutableHeaders") && strings.HasPrefix(qual, "starlette"):
		// Headers(scope=scope) or Headers(raw=scope["headers"])
		_, fromScope := a.kw["scope"].(avScope)
		_, fromRaw := a.kw["raw"].(avRawHeaders)
		if fromScope || fromRaw {
			return one(st, avMeta{via: ViaHeaders})
		}
	case (last == "Request" || last == "HTTPConnection") && strings.HasPrefix(qual, "starlette") && len(a.pos) >= 1:
		if _, ok := a.pos[0].(avScope); ok {
			return one(st, avRequest{})
		}
	case last == "str" || last == "unquote" || last == "unquote_plus" || last == "escape_uri_path":
		if len(a.pos) == 1 {
			return one(st, a.pos[0])
		}
	case last == "bool" && len(a.pos) == 1:
		return one(st, avBool{f: truthCond(a.pos[0], text, fr.mod.m.Range(c))})
	case last == "int" && len(a.pos) == 1:
		if h, ok := a.pos[0].(avHeader); ok {
			xf := h.xf
			xf.Int = true
			return one(st, avHeader{read: h.read, xf: xf})
		}
	case (last == "match" || last == "search" || last == "fullmatch") && strings.HasPrefix(qual, "re") && len(a.pos) >= 2:
		if p, ok := constStr(a.pos[0]); ok {
			if h, ok := a.pos[1].(avHeader); ok {
				return one(st, avMatch{read: h.read, xf: h.xf, pattern: p, mode: last})
			}
		}
	case last == "compile" && strings.HasPrefix(qual, "re") && len(a.pos) >= 1:
		if p, ok := constStr(a.pos[0]); ok {
			return one(st, avRegex{pattern: p})
		}
	case last == "compare_digest" || last == "constant_time_compare":
		if len(a.pos) == 2 {
			h, hok := a.pos[0].(avHeader)
			other := a.pos[1]
			if !hok {
				h, hok = a.pos[1].(avHeader)
				other = a.pos[0]
			}
			if ops, ok := operands(other); ok && hok {
				return one(st, avBool{f: formula{{{Read: h.read, Op: TestEqual, Values: ops, Xform: h.xf, Range: fr.mod.m.Range(c), Text: text}}}})
			}
		}
	case last == "get_object_or_404" || last == "get_list_or_404":
		if rs := a.reads(); len(rs) > 0 {
			in.sink(fr, SinkLookup, c, last, st, a.all()...)
			return one(st, avORM{reads: rs, parts: a.parts()})
		}
		return one(st, avORM{})
	case logNames[last]:
		return one(st, avConst{obj: NoneObj{}})
	}
	if rs := a.reads(); len(rs) > 0 {
		return one(st, avTainted{reads: rs})
	}
	return one(st, avUnknown{text: text})
}

// rejectStatus reports whether a response is built with a status of 300
// or more (status=, status_code=, or the second positional argument).
func rejectStatus(a args) bool {
	for _, name := range []string{"status", "status_code"} {
		if v, ok := a.kw[name]; ok {
			return statusAtLeast300(v)
		}
	}
	for _, v := range a.pos[min(1, len(a.pos)):] {
		if statusAtLeast300(v) {
			return true
		}
	}
	return false
}

func statusAtLeast300(v aval) bool {
	switch x := v.(type) {
	case avConst:
		if n, ok := x.obj.(Int); ok && n.IsInt64() {
			return n.Int64() >= 300
		}
	case avExt:
		return statusName(x.qual)
	case avUnknown:
		return statusName(x.text)
	}
	return false
}

// statusName recognises status.HTTP_403_FORBIDDEN and HTTPStatus.FORBIDDEN.
func statusName(q string) bool {
	last := q[strings.LastIndex(q, ".")+1:]
	if strings.HasPrefix(last, "HTTP_") && len(last) >= 8 {
		n, err := strconv.Atoi(last[5:8])
		return err == nil && n >= 300
	}
	switch last {
	case "FORBIDDEN", "UNAUTHORIZED", "BAD_REQUEST", "NOT_FOUND", "FOUND", "SEE_OTHER", "TEMPORARY_REDIRECT", "PERMANENT_REDIRECT",
		"MOVED_PERMANENTLY", "METHOD_NOT_ALLOWED", "PRECONDITION_FAILED", "TOO_MANY_REQUESTS", "INTERNAL_SERVER_ERROR":
		return true
	}
	return false
}

func topClass(fi *funcInfo) *classInfo {
	for fi != nil {
		if fi.class != nil {
			return fi.class
		}
		fi = fi.outer
	}
	return nil
}

// compare is the truth value of a comparison, as tests.
func (in *interp) compare(fr *frame, x *Compare, st *state) []res {
	es := append([]Expr{x.Left}, x.Rights...)
	return in.seq(fr, es, st, func(st *state, vals []aval) []res {
		if len(x.Ops) == 1 {
			if line, ok := vals[0].(avHeaderLine); ok {
				return in.headerLine(fr, st, line, vals[1], x)
			}
		}
		f := fTrue()
		for i, op := range x.Ops {
			f = f.and(in.test(fr, st, op, vals[i], vals[i+1], x))
		}
		return one(st, avBool{f: f})
	})
}

// headerLine is "name == K" of a loop over an ASGI scope's header lines:
// true when the request has header K, and then the loop's value variable
// is that header's value. A name compared otherwise ("in", a key not
// known statically) is a read whose key is unresolved, not nothing.
func (in *interp) headerLine(fr *frame, st *state, line avHeaderLine, key aval, x *Compare) []res {
	s := st.fork()
	if x.Ops[0] != "==" && x.Ops[0] != "!=" {
		key = avUnknown{}
	}
	rd := in.read(fr, s, x, ViaHeaders, key, x.Rights[0], nil, false)
	present := &Test{Read: rd, Op: TestPresent, Range: fr.mod.m.Range(x), Text: fr.mod.m.Text(x)}
	s.set(line.value, avCases{cases: []avCase{{[]*Test{present}, avHeader{read: rd}},
		{[]*Test{present.negate()}, avUnknown{text: "another header's value"}}}})
	f := formula{{present}}
	if x.Ops[0] == "!=" {
		f = formula{{present.negate()}}
	}
	return one(s, avBool{f: f})
}

// test is the condition under which "l op r" holds.
func (in *interp) test(fr *frame, st *state, op string, l, r aval, x *Compare) formula {
	rng, text := fr.mod.m.Range(x), fr.mod.m.Text(x)
	if cs, ok := l.(avCases); ok {
		var f formula
		for _, c := range cs.cases {
			f = f.or(formula{c.when}.and(in.test(fr, st, op, c.val, r, x)))
		}
		return f
	}
	if cs, ok := r.(avCases); ok {
		var f formula
		for _, c := range cs.cases {
			f = f.or(formula{c.when}.and(in.test(fr, st, op, l, c.val, x)))
		}
		return f
	}
	neg := op == "!=" || op == "not in" || op == "is not"
	mk := func(t *Test) formula {
		t.Range, t.Text, t.Negated = rng, text, neg
		return formula{{t}}
	}
	switch lh := l.(type) {
	case avHeader:
		switch op {
		case "==", "!=":
			if isNone(r) {
				// == None: absent; != None: present
				f := mk(&Test{Read: lh.read, Op: TestPresent})
				f[0][0].Negated = !neg
				return f
			}
			if ops, ok := operands(r); ok && len(ops) == 1 {
				return mk(&Test{Read: lh.read, Op: TestEqual, Values: ops, Xform: lh.xf})
			}
			if b, ok := r.(avConst); ok {
				if _, isBool := b.obj.(Bool); isBool {
					return mk(&Test{Read: lh.read, Op: TestEqual, Values: nil, Xform: lh.xf}) // never equal to a bool
				}
			}
		case "in", "not in":
			if c, ok := r.(avConst); ok {
				if _, isStr := c.obj.(Str); isStr {
					break // a substring of a constant
				}
			}
			if ops, ok := operands(r); ok {
				return mk(&Test{Read: lh.read, Op: TestEqual, Values: ops, Xform: lh.xf})
			}
			if ops, ok := dictKeys(r); ok {
				// membership in a dict tests its keys
				return mk(&Test{Read: lh.read, Op: TestEqual, Values: ops, Xform: lh.xf})
			}
		case "is", "is not":
			if isNone(r) {
				// "is None": absent; "is not None": present
				t := &Test{Read: lh.read, Op: TestPresent}
				f := mk(t)
				f[0][0].Negated = !neg
				return f
			}
		}
		return mk(&Test{Read: lh.read, Op: TestUnknown, Xform: lh.xf})
	case avMatch:
		if (op == "is" || op == "is not" || op == "==" || op == "!=") && isNone(r) {
			t := &Test{Read: lh.read, Op: TestRegex, Values: []Operand{Lit(lh.pattern)}, Mode: lh.mode, Xform: lh.xf}
			f := mk(t)
			f[0][0].Negated = !neg
			return f
		}
	case avBool:
		if c, ok := r.(avConst); ok {
			if b, ok := c.obj.(Bool); ok && (op == "==" || op == "!=" || op == "is" || op == "is not") {
				if bool(b) != neg {
					return lh.f
				}
				return lh.f.not()
			}
		}
	}
	if rh, ok := r.(avHeader); ok {
		switch op {
		case "==", "!=":
			return in.test(fr, st, op, r, l, x)
		case "in", "not in":
			if ops, ok := operands(l); ok && len(ops) == 1 {
				return mk(&Test{Read: rh.read, Op: TestContains, Values: ops, Xform: rh.xf})
			}
		}
		return mk(&Test{Read: rh.read, Op: TestUnknown, Xform: rh.xf})
	}
	if m, ok := r.(avMeta); ok && (op == "in" || op == "not in") {
		rd := in.read(fr, st, x, m.via, l, x.Left, nil, false)
		return mk(&Test{Read: rd, Op: TestPresent})
	}
	if a, ok := l.(avConst); ok {
		if b, ok := r.(avConst); ok {
			if holds, known := compare(op, a.obj, b.obj); known {
				if holds {
					return fTrue()
				}
				return nil
			}
		}
	}
	return formula{{derivedOpaque(text, rng, l, r)}}
}

// derivedOpaque is an opaque condition on values; when they are derived
// from header values (a row looked up by a DN), the client decides it by
// the value it sends (a DN of a row that exists).
func derivedOpaque(text string, rng source.Range, vals ...aval) *Test {
	t := opaque(text, rng)
	for _, v := range vals {
		if len(readsOf(v)) > 0 {
			t.Chosen = true
			t.Derived = true
		}
	}
	return t
}
