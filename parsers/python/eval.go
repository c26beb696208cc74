package python

import (
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Binding is a name's value at the end of a module, and where it was last
// assigned.
type Binding struct {
	Name  string
	Value *Value
	// Target is the name in the last assignment; Stmt the whole statement.
	Target source.Range
	Stmt   source.Range
	// Mutations are later statements that changed the value in place
	// (MIDDLEWARE.insert(...), +=).
	Mutations []source.Range
}

// Namespace is the set of names a module binds, in first-assignment order.
//
// A branch of an if, try or match statement is a fork of its namespace:
// it holds only the names the branch binds or deletes and reads the
// others through to its parent, which does not change while the fork
// lives (the branches are evaluated one after another and merged back).
// Copying the whole namespace at every branch was most of the cost of
// evaluating settings modules with many top-level conditions.
type Namespace struct {
	// vars holds the bindings made here; in a fork, a nil binding marks
	// a name deleted in the fork.
	vars map[string]*Binding
	// order lists the names first bound here, after parent's.
	order  []string
	parent *Namespace
	// size is the number of bound names, orderLen the length of the
	// whole order (the parent's and this one's).
	size, orderLen int
	// deleted is set once a name was deleted here or, before the fork,
	// in an ancestor: only then may a name be in the order but unbound.
	deleted bool
	// Open lists star imports that could not be resolved: any name may
	// have come from them.
	Open []string
	// Dynamic is set when the module assigns names in ways that cannot be
	// followed (globals() updates, exec).
	Dynamic []source.Range
}

// NewNamespace returns an empty namespace.
func NewNamespace() *Namespace { return &Namespace{vars: map[string]*Binding{}} }

// Get returns the binding of name, or nil.
func (n *Namespace) Get(name string) *Binding {
	for ; n != nil; n = n.parent {
		if b, ok := n.vars[name]; ok {
			return b
		}
	}
	return nil
}

// Names returns the bound names in first-assignment order, each once: a
// name bound again after its deletion keeps its first place.
func (n *Namespace) Names() []string {
	order := n.fullOrder()
	out := make([]string, 0, len(order))
	// Only a deletion can leave a name twice in the order.
	var listed map[string]bool
	if n.deleted {
		listed = make(map[string]bool, len(order))
	}
	for _, k := range order {
		if n.Get(k) == nil || listed[k] {
			continue
		}
		if listed != nil {
			listed[k] = true
		}
		out = append(out, k)
	}
	return out
}

// fullOrder returns the names in the order they were first bound,
// including the parent's (a name bound again after its deletion appears
// twice; Names lists it once).
func (n *Namespace) fullOrder() []string {
	if n.parent == nil {
		return n.order
	}
	return append(append(make([]string, 0, n.orderLen), n.parent.fullOrder()...), n.order...)
}

// Complete reports whether a name that is not bound is certainly unset:
// no unresolved star import and no dynamic assignment.
func (n *Namespace) Complete() bool { return len(n.Open) == 0 && len(n.Dynamic) == 0 }

func (n *Namespace) set(b *Binding) {
	if n.Get(b.Name) == nil {
		n.order = append(n.order, b.Name)
		n.orderLen++
		n.size++
	}
	n.vars[b.Name] = b
}

func (n *Namespace) del(name string) {
	if n.Get(name) == nil {
		return
	}
	n.size--
	n.deleted = true
	if n.parent == nil {
		delete(n.vars, name)
		return
	}
	n.vars[name] = nil
}

// fork returns a namespace that starts as n and records its changes
// apart; n must not change until the fork is merged back (see merge).
func (n *Namespace) fork() *Namespace {
	return &Namespace{vars: map[string]*Binding{}, parent: n, size: n.size, orderLen: n.orderLen, deleted: n.deleted,
		Open: append([]string(nil), n.Open...), Dynamic: append([]source.Range(nil), n.Dynamic...)}
}

// clone returns an independent copy of n.
func (n *Namespace) clone() *Namespace {
	c := &Namespace{vars: make(map[string]*Binding, n.size), order: append([]string(nil), n.fullOrder()...),
		size: n.size, deleted: n.deleted,
		Open: append([]string(nil), n.Open...), Dynamic: append([]source.Range(nil), n.Dynamic...)}
	c.orderLen = len(c.order)
	if n.parent == nil {
		for k, v := range n.vars {
			c.vars[k] = v
		}
		return c
	}
	for _, k := range c.order {
		if b := n.Get(k); b != nil {
			c.vars[k] = b
		}
	}
	return c
}

// Importer resolves "from <module> import ..." inside the scanned tree.
// It returns the namespace of the imported module (evaluated), its
// files, and false when the module is not in the tree.
type Importer func(from *Module, module string, level int) (*Namespace, []*source.File, bool)

// Evaluator evaluates a module's top-level statements statically.
type Evaluator struct {
	Module   *Module
	Import   Importer
	NS       *Namespace
	Files    []*source.File // star-imported files, in order
	Problems []source.Problem

	// work is what the evaluation has cost so far (see maxEvalWork);
	// past the budget every value is unknown.
	work      int
	exhausted bool
	// cancelled, when set, reports that the run was cancelled: the
	// evaluation then stops computing, as when the budget is spent.
	cancelled func() error
}

// Evaluate evaluates m's top-level statements into a namespace. imp may be
// nil (no import is resolved).
func Evaluate(m *Module, imp Importer) *Evaluator {
	return evaluate(m, imp, nil)
}

func evaluate(m *Module, imp Importer, cancelled func() error) *Evaluator {
	ev := &Evaluator{Module: m, Import: imp, NS: NewNamespace(), cancelled: cancelled}
	ev.stmts(m.AllStmts(), ev.NS)
	return ev
}

func (ev *Evaluator) rng(n Node) source.Range { return ev.Module.Range(n) }

func (ev *Evaluator) stmts(list []Stmt, ns *Namespace) {
	for _, s := range list {
		ev.stmt(s, ns)
	}
}

func (ev *Evaluator) stmt(s Stmt, ns *Namespace) {
	if !ev.exhausted && ev.cancelled != nil && ev.cancelled() != nil {
		ev.exhausted = true // the run was cancelled: stop computing
	}
	if ev.exhausted {
		ev.skip(s, ns)
		return
	}
	switch x := s.(type) {
	case *Assign:
		v := ev.expr(x.Value, ns)
		for _, t := range x.Targets {
			ev.assign(t, v, s, ns)
		}
	case *AugAssign:
		switch t := x.Target.(type) {
		case *Name:
			cur := ns.Get(t.ID)
			var curV *Value
			if cur != nil {
				curV = cur.Value
			} else {
				curV = ev.lookup(t, ns)
			}
			rhs := ev.expr(x.Value, ns)
			var nv *Value
			if x.Op == "+" {
				// list += iterable extends in place (list + tuple would raise)
				nv = lift(ev.rng(s), func(o []Object) *Value {
					if l, ok := o[0].(*SeqObj); ok && l.Type == List {
						if r, ok := o[1].(*SeqObj); ok && r.Type != Set {
							return KnownValue(&SeqObj{Type: List, Elems: append(append([]*Value(nil), l.Elems...), r.Elems...)}, ev.rng(s))
						}
					}
					return binary("+", o[0], o[1], ev.rng(s))
				}, curV, rhs)
			} else {
				nv = ev.binop(x.Op, curV, rhs, s)
			}
			nv = ev.bounded(nv, s)
			b := &Binding{Name: t.ID, Value: nv, Target: ev.rng(t), Stmt: ev.rng(s)}
			if cur != nil {
				b.Target, b.Stmt = cur.Target, cur.Stmt
				b.Mutations = addMutation(cur.Mutations, ev.rng(s))
			}
			ns.set(b)
		default:
			ev.invalidateBase(x.Target, ns, "changed by an augmented assignment to an element")
		}
	case *ExprStmt:
		if c, ok := x.X.(*Call); ok {
			ev.callStmt(c, s, ns)
		}
	case *If:
		test := ev.expr(x.Test, ns)
		if truth, ok := truthOf(test); ok {
			if truth {
				ev.stmts(x.Body, ns)
			} else {
				ev.stmts(x.Else, ns)
			}
			return
		}
		ev.spend(4*nameCost*ns.size, s) // charged as two copies merged back, as before forks were cheap, so that where the budget runs out does not move
		a, b := ns.fork(), ns.fork()
		ev.stmts(x.Body, a)
		ev.stmts(x.Else, b)
		merge(ns, a, b)
	case *Try:
		ev.spend(2*(1+len(x.Handlers))*nameCost*ns.size, s)
		body := ns.fork()
		ev.stmts(x.Body, body)
		ev.stmts(x.Else, body)
		branches := []*Namespace{body}
		for _, h := range x.Handlers {
			hn := ns.fork()
			ev.stmts(h.Body, hn)
			branches = append(branches, hn)
		}
		merge(ns, branches...)
		ev.stmts(x.Finally, ns)
	case *Loop:
		ev.spend(2*nameCost*ns.size, s)
		body := ns.clone()
		ev.stmts(x.Body, body)
		ev.stmts(x.Else, body)
		if x.For {
			ev.bindUnknown(x.Target, ns, "loop variable", s)
		}
		for _, name := range body.Names() {
			if nb := body.Get(name); ns.Get(name) != nb {
				ns.set(&Binding{Name: name, Value: UnknownValue("set in a loop", nb.Value.Range), Target: nb.Target, Stmt: nb.Stmt})
			}
		}
		ns.Open, ns.Dynamic = body.Open, body.Dynamic
	case *With:
		for _, v := range x.Vars {
			ev.bindUnknown(v, ns, "with target", s)
		}
		ev.stmts(x.Body, ns)
	case *Import:
		for _, a := range x.Names {
			name := a.As
			if name == "" {
				name = strings.SplitN(a.Name, ".", 2)[0]
				ns.set(&Binding{Name: name, Value: KnownValue(ModuleRef{Name: name}, ev.rng(s)), Target: ev.rng(s), Stmt: ev.rng(s)})
				continue
			}
			ns.set(&Binding{Name: name, Value: KnownValue(ModuleRef{Name: a.Name}, ev.rng(s)), Target: ev.rng(s), Stmt: ev.rng(s)})
		}
	case *ImportFrom:
		ev.importFrom(x, ns)
	case *FuncDef:
		ns.set(&Binding{Name: x.Name, Value: UnknownValue("function "+x.Name, ev.rng(s)), Target: ev.rng(s), Stmt: ev.rng(s)})
	case *ClassDef:
		ns.set(&Binding{Name: x.Name, Value: UnknownValue("class "+x.Name, ev.rng(s)), Target: ev.rng(s), Stmt: ev.rng(s)})
	case *Delete:
		for _, t := range x.Targets {
			if n, ok := t.(*Name); ok {
				ns.del(n.ID)
			} else {
				ev.invalidateBase(t, ns, "element deleted")
			}
		}
	}
	if x, ok := s.(*Match); ok {
		ev.match(x, ns)
	}
}

func (ev *Evaluator) bindUnknown(t Expr, ns *Namespace, why string, s Stmt) {
	switch x := t.(type) {
	case *Name:
		ns.set(&Binding{Name: x.ID, Value: UnknownValue(why, ev.rng(x)), Target: ev.rng(x), Stmt: ev.rng(s)})
	case *SeqExpr:
		for _, e := range x.Elts {
			ev.bindUnknown(e, ns, why, s)
		}
	case *Opaque:
		for _, e := range x.Subs {
			ev.bindUnknown(e, ns, why, s)
		}
	default:
		ev.invalidateBase(t, ns, why)
	}
}

// invalidateBase makes the name at the root of an attribute or subscript
// target unknown when the change cannot be followed.
func (ev *Evaluator) invalidateBase(t Expr, ns *Namespace, why string) {
	for {
		switch x := t.(type) {
		case *Subscript:
			t = x.Value
			continue
		case *Attribute:
			t = x.Value
			continue
		case *Name:
			if b := ns.Get(x.ID); b != nil {
				if _, isMod := b.Value.Obj.(ModuleRef); isMod || b.Value.Kind == Unknown {
					return
				}
				nb := *b
				nb.Value = UnknownValue(why, b.Value.Range)
				ns.set(&nb)
			}
		}
		return
	}
}

// assign binds target to v.
func (ev *Evaluator) assign(t Expr, v *Value, s Stmt, ns *Namespace) {
	switch x := t.(type) {
	case *Name:
		ns.set(&Binding{Name: x.ID, Value: v, Target: ev.rng(x), Stmt: ev.rng(s)})
	case *SeqExpr:
		seq, ok := v.Seq()
		if ok && seq.Type != Set && len(seq.Elems) == len(x.Elts) {
			for i, e := range x.Elts {
				ev.assign(e, seq.Elems[i], s, ns)
			}
			return
		}
		for _, e := range x.Elts {
			ev.bindUnknown(e, ns, "unpacked from "+shorten(v.String()), s)
		}
	case *Subscript:
		base, ok := x.Value.(*Name)
		if !ok {
			ev.invalidateBase(t, ns, "element changed")
			return
		}
		b := ns.Get(base.ID)
		if b == nil {
			return
		}
		key := ev.expr(x.Index, ns)
		if d, ok := b.Value.Dict(); ok && key.IsKnown() {
			nd := d.clone()
			dictSet(nd, key, v)
			nb := *b
			nb.Value = ev.bounded(KnownValue(nd, b.Value.Range), s)
			nb.Mutations = addMutation(b.Mutations, ev.rng(s))
			ns.set(&nb)
			return
		}
		ev.invalidateBase(t, ns, "element changed")
	case *Attribute:
		// settings.X = ... on an object: nothing the settings analysis tracks
		if n, ok := x.Value.(*Name); ok && n.ID == "self" {
			return
		}
		ev.invalidateBase(t, ns, "attribute changed")
	default:
		ev.bindUnknown(t, ns, "assigned", s)
	}
}

func dictSet(d *DictObj, key, val *Value) {
	if key.IsKnown() {
		if i := d.find(key.Obj); i >= 0 {
			d.Vals[i] = val
			return
		}
	}
	d.Keys = append(d.Keys, key)
	d.Vals = append(d.Vals, val)
}

// merge sets in ns the values of the branches, forks of ns: a name bound
// the same way in every branch keeps that binding; otherwise its value is
// the alternatives (Absent where a branch leaves it unset). Only the names
// some branch changed can differ. Names new to ns are added in the order
// in which they first appear in the branches, one branch after another.
func merge(ns *Namespace, branches ...*Namespace) {
	for _, b := range branches {
		ns.Open = appendNew(ns.Open, b.Open...)
		ns.Dynamic = append(ns.Dynamic, b.Dynamic[min(len(b.Dynamic), len(ns.Dynamic)):]...)
	}
	var adds []orderedName
	seen := map[string]bool{}
	for _, b := range branches {
		for name := range b.vars {
			if seen[name] {
				continue
			}
			seen[name] = true
			if ns.Get(name) != nil {
				mergeName(ns, name, branches)
			} else if a, ok := firstPlace(ns, name, branches); ok {
				adds = append(adds, a)
			}
		}
	}
	sort.Slice(adds, func(i, j int) bool {
		if adds[i].branch != adds[j].branch {
			return adds[i].branch < adds[j].branch
		}
		return adds[i].place < adds[j].place
	})
	for _, a := range adds {
		mergeName(ns, a.name, branches)
	}
}

// orderedName is a name and where it first appears in the branches of a
// merge: the first branch binding it, and its place in that branch's
// whole order.
type orderedName struct {
	name          string
	branch, place int
}

// firstPlace finds where name, unbound in ns, first appears in the
// branches; false when no branch binds it.
func firstPlace(ns *Namespace, name string, branches []*Namespace) (orderedName, bool) {
	for i, b := range branches {
		if b.Get(name) == nil {
			continue
		}
		if ns.deleted { // bound before, deleted, bound again in the branch
			if at := slices.Index(ns.fullOrder(), name); at >= 0 {
				return orderedName{name, i, at}, true
			}
		}
		return orderedName{name, i, ns.orderLen + slices.Index(b.order, name)}, true
	}
	return orderedName{}, false
}

// mergeName sets in ns the value of name after the branches.
func mergeName(ns *Namespace, name string, branches []*Namespace) {
	first := branches[0].Get(name)
	same := true
	for _, b := range branches[1:] {
		if b.Get(name) != first {
			same = false
		}
	}
	if same {
		if first != nil {
			ns.set(first)
		} else {
			ns.del(name) // every branch deleted it
		}
		return
	}
	var alts []*Value
	var last *Binding
	for _, b := range branches {
		bb := b.Get(name)
		if bb == nil {
			alts = appendAlt(alts, &Value{Kind: Absent})
			continue
		}
		last = bb
		alts = appendAlt(alts, bb.Value)
	}
	v := &Value{Kind: Alternatives, Alts: alts, Range: last.Value.Range}
	switch {
	case len(alts) == 1:
		v = alts[0]
	case len(alts) > maxAlternatives:
		v = UnknownValue(fmt.Sprintf("more than %d alternative values", maxAlternatives), last.Value.Range)
	}
	ns.set(&Binding{Name: name, Value: v, Target: last.Target, Stmt: last.Stmt, Mutations: last.Mutations})
}

func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		found := false
		for _, l := range list {
			if l == it {
				found = true
			}
		}
		if !found {
			list = append(list, it)
		}
	}
	return list
}

// appendAlt adds a to alts, flattening nested alternatives and dropping
// exact duplicates.
func appendAlt(alts []*Value, a *Value) []*Value {
	if a.Kind == Alternatives {
		for _, x := range a.Alts {
			alts = appendAlt(alts, x)
		}
		return alts
	}
	for _, x := range alts {
		if x == a || x.Kind == Absent && a.Kind == Absent || x.FullyKnown() && a.FullyKnown() && objEqual(x.Obj, a.Obj) && x.Obj.pyType() == a.Obj.pyType() {
			return alts
		}
	}
	return append(alts, a)
}

func (ev *Evaluator) importFrom(x *ImportFrom, ns *Namespace) {
	src := ev.rng(x)
	var imported *Namespace
	var files []*source.File
	ok := false
	if ev.Import != nil {
		imported, files, ok = ev.Import(ev.Module, x.Module, x.Level)
	}
	modName := strings.Repeat(".", x.Level) + x.Module
	if len(x.Names) == 1 && x.Names[0].Name == "*" {
		if !ok {
			ns.Open = appendNew(ns.Open, modName)
			return
		}
		ev.Files = append(ev.Files, files...)
		for _, name := range imported.Names() {
			if strings.HasPrefix(name, "_") {
				continue
			}
			ns.set(imported.Get(name))
		}
		ns.Open = appendNew(ns.Open, imported.Open...)
		ns.Dynamic = append(ns.Dynamic, imported.Dynamic...)
		return
	}
	for _, a := range x.Names {
		name := a.As
		if name == "" {
			name = a.Name
		}
		if ok {
			if b := imported.Get(a.Name); b != nil {
				nb := *b
				nb.Name = name
				ns.set(&nb)
				continue
			}
		}
		ns.set(&Binding{Name: name, Value: KnownValue(ModuleRef{Name: strings.TrimPrefix(modName+"."+a.Name, ".")}, src), Target: ev.rng(x), Stmt: src})
	}
}

// mutatingMethods change a list, dict or set in place.
var mutatingMethods = map[string]bool{"append": true, "extend": true, "insert": true, "remove": true, "pop": true,
	"clear": true, "sort": true, "reverse": true, "update": true, "setdefault": true, "add": true, "discard": true,
	"popitem": true}

func (ev *Evaluator) callStmt(c *Call, s Stmt, ns *Namespace) {
	q := ev.qualName(c.Func, ns)
	switch q {
	case "globals.update", "exec", "setattr", "vars.update", "locals.update":
		ns.Dynamic = append(ns.Dynamic, ev.rng(s))
		ev.Problems = append(ev.Problems, source.Problem{Kind: source.ProblemNotAnalysed, Range: ev.rng(s),
			Message: "not analysed: names assigned dynamically here (" + q + ") are unknown"})
		return
	}
	attr, ok := c.Func.(*Attribute)
	if !ok || !mutatingMethods[attr.Attr] {
		return
	}
	base, ok := attr.Value.(*Name)
	if !ok {
		ev.invalidateBase(attr.Value, ns, "changed by ."+attr.Attr+"()")
		return
	}
	b := ns.Get(base.ID)
	if b == nil {
		return
	}
	if _, isMod := b.Value.Obj.(ModuleRef); isMod {
		return
	}
	args := make([]*Value, len(c.Args))
	for i, a := range c.Args {
		args[i] = ev.expr(a, ns)
	}
	nv := mapValue(b.Value, func(v *Value) *Value {
		return applyMethod(v, attr.Attr, args, len(c.Keywords) > 0 || c.Star != nil || c.DStar != nil)
	})
	nb := *b
	nb.Value = ev.bounded(nv, s)
	nb.Mutations = addMutation(b.Mutations, ev.rng(s))
	ns.set(&nb)
}

// mapValue applies f to every concrete possibility of v (alternatives, the
// default of an environment read).
func mapValue(v *Value, f func(*Value) *Value) *Value {
	switch v.Kind {
	case Known:
		return f(v)
	case Alternatives:
		var alts []*Value
		for _, a := range v.Alts {
			alts = appendAlt(alts, mapValue(a, f))
		}
		return &Value{Kind: Alternatives, Alts: alts, Range: v.Range}
	case FromEnv:
		nv, env := *v, *v.Env
		if env.Default != nil {
			env.Default = mapValue(env.Default, f)
		}
		nv.Env = &env
		return &nv
	case Absent:
		return UnknownValue("used before assignment", v.Range)
	}
	return v
}

func applyMethod(v *Value, method string, args []*Value, extra bool) *Value {
	unknown := UnknownValue("changed by ."+method+"()", v.Range)
	if extra {
		return unknown
	}
	switch o := v.Obj.(type) {
	case *SeqObj:
		elems := append([]*Value(nil), o.Elems...)
		switch {
		case method == "append" && len(args) == 1 && o.Type == List, method == "add" && len(args) == 1 && o.Type == Set:
			elems = append(elems, args[0])
		case method == "extend" && len(args) == 1 && o.Type == List:
			other, ok := args[0].Seq()
			if !ok {
				return unknown
			}
			elems = append(elems, other.Elems...)
		case method == "insert" && len(args) == 2 && o.Type == List:
			idx, ok := intOf(args[0])
			if !ok {
				return unknown
			}
			n := int64(len(elems))
			if idx < 0 {
				idx += n
				if idx < 0 {
					idx = 0
				}
			}
			if idx > n {
				idx = n
			}
			elems = append(elems[:idx], append([]*Value{args[1]}, elems[idx:]...)...)
		case (method == "remove" || method == "discard") && len(args) == 1:
			if !args[0].IsKnown() {
				return unknown
			}
			found := -1
			for i, e := range elems {
				if !e.IsKnown() {
					return unknown
				}
				if objEqual(e.Obj, args[0].Obj) {
					found = i
					break
				}
			}
			if found < 0 {
				if method == "discard" {
					return v
				}
				return UnknownValue(".remove() of a missing element raises", v.Range)
			}
			elems = append(elems[:found], elems[found+1:]...)
		default:
			return unknown
		}
		return KnownValue(&SeqObj{Type: o.Type, Elems: elems}, v.Range)
	case *DictObj:
		nd := o.clone()
		switch {
		case method == "update" && len(args) == 1:
			other, ok := args[0].Dict()
			if !ok {
				return unknown
			}
			for i := range other.Keys {
				if !other.Keys[i].IsKnown() {
					return unknown
				}
				dictSet(nd, other.Keys[i], other.Vals[i])
			}
		case method == "setdefault" && len(args) == 2 && args[0].IsKnown():
			if _, ok := nd.Lookup(args[0].Obj); !ok {
				dictSet(nd, args[0], args[1])
			}
		default:
			return unknown
		}
		return KnownValue(nd, v.Range)
	}
	return v
}

func intOf(v *Value) (int64, bool) {
	if v.IsKnown() {
		if i, ok := v.Obj.(Int); ok && i.IsInt64() {
			return i.Int64(), true
		}
	}
	return 0, false
}

// truthOf returns the truth of a value when it is statically certain.
func truthOf(v *Value) (truth, ok bool) {
	if !v.IsKnown() {
		return false, false
	}
	if _, isMod := v.Obj.(ModuleRef); isMod {
		return true, true
	}
	return Truthy(v.Obj)
}

// qualName returns the dotted name of an expression made of names and
// attributes, with imported names replaced by what they refer to
// ("environ.get" after "from os import environ" is "os.environ.get").
func (ev *Evaluator) qualName(e Expr, ns *Namespace) string {
	switch x := e.(type) {
	case *Name:
		if b := ns.Get(x.ID); b != nil && b.Value.IsKnown() {
			if m, ok := b.Value.Obj.(ModuleRef); ok {
				return m.Name
			}
		}
		return x.ID
	case *Attribute:
		base := ev.qualName(x.Value, ns)
		if base == "" {
			return ""
		}
		return base + "." + x.Attr
	case *Call:
		// globals().update → "globals.update"
		base := ev.qualName(x.Func, ns)
		if base == "" {
			return ""
		}
		return base
	}
	return ""
}

func (ev *Evaluator) lookup(n *Name, ns *Namespace) *Value {
	if b := ns.Get(n.ID); b != nil {
		if b.Value.Kind == Absent {
			return UnknownValue(n.ID+" may be unset", ev.rng(n))
		}
		return b.Value
	}
	switch n.ID {
	case "__file__", "__name__":
		return UnknownValue(n.ID, ev.rng(n))
	}
	return UnknownValue("undefined name "+n.ID, ev.rng(n))
}

// expr evaluates an expression, within the evaluation's limits.
func (ev *Evaluator) expr(e Expr, ns *Namespace) *Value {
	if e == nil {
		return KnownValue(NoneObj{}, source.Range{})
	}
	if ev.exhausted {
		return UnknownValue(budgetReason, ev.rng(e))
	}
	return ev.bounded(ev.eval(e, ns), e)
}

// eval evaluates an expression.
func (ev *Evaluator) eval(e Expr, ns *Namespace) *Value {
	r := ev.rng(e)
	for _, rw := range ev.Module.Rewritten(e.Pos().Start, e.Pos().End) {
		if rw.Kind == RewriteAsync {
			return UnknownValue("awaited expression", r)
		}
	}
	switch x := e.(type) {
	case *Const:
		if x.Value == nil {
			return UnknownValue(x.Reason, r)
		}
		return KnownValue(x.Value, r)
	case *Name:
		v := ev.lookup(x, ns)
		if v.Range != r && v.Kind != Unknown {
			// keep the value but report it at the use site's definition
			return v
		}
		return v
	case *SeqExpr:
		elems := make([]*Value, 0, len(x.Elts))
		for _, el := range x.Elts {
			if o, ok := el.(*Opaque); ok && o.What == "starred" {
				return UnknownValue("starred element", r)
			}
			elems = append(elems, ev.expr(el, ns))
		}
		if x.Type == Set {
			if len(elems) > maxSetDisplay {
				return UnknownValue(fmt.Sprintf("set display of more than %d elements", maxSetDisplay), r)
			}
			var dedup []*Value
			for _, el := range elems {
				dup := false
				for _, d := range dedup {
					if el.FullyKnown() && d.FullyKnown() && objEqual(el.Obj, d.Obj) {
						dup = true
					}
				}
				if !el.FullyKnown() {
					if _, hashable := el.Obj.(*SeqObj); hashable {
						return UnknownValue("set of unhashable values", r)
					}
				}
				if !dup {
					dedup = append(dedup, el)
				}
			}
			elems = dedup
		}
		return KnownValue(&SeqObj{Type: x.Type, Elems: elems}, r)
	case *DictExpr:
		d := &DictObj{}
		for i := range x.Keys {
			if x.Keys[i] == nil {
				return UnknownValue("dict unpacking", r)
			}
			k := ev.expr(x.Keys[i], ns)
			if k.IsKnown() {
				switch ko := k.Obj.(type) {
				case *DictObj:
					return UnknownValue("unhashable dict key", r)
				case *SeqObj:
					if ko.Type != Tuple {
						return UnknownValue("unhashable dict key", r)
					}
				}
			}
			v := ev.expr(x.Values[i], ns)
			if k.IsKnown() {
				dictSet(d, k, v)
			} else {
				d.Keys = append(d.Keys, k)
				d.Vals = append(d.Vals, v)
			}
		}
		return KnownValue(d, r)
	case *Attribute:
		q := ev.qualName(x, ns)
		if q == "os.environ" {
			return KnownValue(ModuleRef{Name: q}, r)
		}
		base := ev.expr(x.Value, ns)
		if base.IsKnown() {
			if m, ok := base.Obj.(ModuleRef); ok {
				return KnownValue(ModuleRef{Name: m.Name + "." + x.Attr}, r)
			}
			if er, ok := base.Obj.(*EnvReader); ok {
				return KnownValue(&boundEnv{reader: er, method: x.Attr}, r)
			}
		}
		return UnknownValue("attribute "+x.Attr, r)
	case *Subscript:
		base := ev.expr(x.Value, ns)
		if x.Index == nil {
			return UnknownValue("slice", r)
		}
		idx := ev.expr(x.Index, ns)
		if base.IsKnown() {
			if m, ok := base.Obj.(ModuleRef); ok && m.Name == "os.environ" {
				if name, ok := idx.Str(); ok {
					return envValue(name, nil, r)
				}
				return UnknownValue("environment variable with a computed name", r)
			}
		}
		return lift(r, func(o []Object) *Value { return subscript(o[0], o[1], r) }, base, idx)
	case *Call:
		return ev.call(x, ns)
	case *BinOp:
		return ev.binop(x.Op, ev.expr(x.Left, ns), ev.expr(x.Right, ns), x)
	case *UnaryOp:
		v := ev.expr(x.X, ns)
		return lift(r, func(o []Object) *Value { return unary(x.Op, o[0], r) }, v)
	case *BoolOp:
		vals := make([]*Value, len(x.Values))
		for i, v := range x.Values {
			vals[i] = ev.expr(v, ns)
		}
		return lift(r, func(o []Object) *Value {
			for i, ob := range o {
				t, ok := Truthy(ob)
				if !ok {
					return UnknownValue("truth of a partly unknown value", r)
				}
				if i == len(o)-1 || (x.Op == "or") == t {
					return vals[i].withObj(ob, r)
				}
			}
			return UnknownValue("empty boolean operation", r)
		}, vals...)
	case *Compare:
		if x.Walrus {
			if n, ok := x.Left.(*Name); ok {
				ns.set(&Binding{Name: n.ID, Value: UnknownValue("assignment expression", r), Target: ev.rng(n), Stmt: r})
			}
			return UnknownValue("assignment expression", r)
		}
		vals := []*Value{ev.expr(x.Left, ns)}
		for _, rr := range x.Rights {
			vals = append(vals, ev.expr(rr, ns))
		}
		return lift(r, func(o []Object) *Value {
			for i, op := range x.Ops {
				res, ok := compare(op, o[i], o[i+1])
				if !ok {
					return UnknownValue("comparison "+op, r)
				}
				if !res {
					return KnownValue(Bool(false), r)
				}
			}
			return KnownValue(Bool(true), r)
		}, vals...)
	case *IfExp:
		test := ev.expr(x.Test, ns)
		body, els := ev.expr(x.Body, ns), ev.expr(x.Else, ns)
		if truth, ok := truthOf(test); ok {
			if truth {
				return body
			}
			return els
		}
		if test.Kind == FromEnv && test.Env.Default != nil {
			if truth, ok := truthOf(test.Env.Default); ok {
				def := els
				if truth {
					def = body
				}
				return envValue(test.Env.Name, def, r)
			}
		}
		return &Value{Kind: Alternatives, Alts: appendAlt(appendAlt(nil, body), els), Range: r}
	case *Opaque:
		return UnknownValue(x.What, r)
	case *NamedExpr:
		v := ev.expr(x.Value, ns)
		ns.set(&Binding{Name: x.Target.ID, Value: v, Target: ev.rng(x.Target), Stmt: r})
		return v
	case *JoinedStr:
		return ev.joined(x, ns, r)
	}
	return UnknownValue("expression", r)
}

// withObj returns a Known value of o, reusing v's range when v is o.
func (v *Value) withObj(o Object, r source.Range) *Value {
	if v.IsKnown() && v.Obj == o {
		return v
	}
	return KnownValue(o, r)
}

// lift applies f to the objects of known arguments, distributing over
// alternatives and carrying environment reads: when an argument comes from
// the environment, the result does too, with f applied to the default.
func lift(r source.Range, f func([]Object) *Value, args ...*Value) *Value {
	envs := []string{}
	combos := [][]*Value{{}}
	for _, a := range args {
		if a == nil {
			return UnknownValue("missing operand", r)
		}
		var choices []*Value
		switch a.Kind {
		case Known:
			choices = []*Value{a}
		case Alternatives:
			for _, alt := range a.Alts {
				if alt.Kind != Known {
					return UnknownValue("operand partly unknown", r)
				}
				choices = append(choices, alt)
			}
		case FromEnv:
			envs = appendNew(envs, a.Env.Name)
			if a.Env.Default == nil {
				return envValue(strings.Join(envs, ", "), nil, r)
			}
			if a.Env.Default.Kind != Known {
				return UnknownValue("operand depends on "+a.Env.Name, r)
			}
			choices = []*Value{a.Env.Default}
		default:
			if a.Reason != "" {
				return UnknownValue(a.Reason, r)
			}
			return UnknownValue("unknown operand", r)
		}
		if len(combos)*len(choices) > maxAlternatives {
			// Checked before the product is built: its size multiplies
			// with every operand.
			return UnknownValue(fmt.Sprintf("more than %d combinations of alternative values", maxAlternatives), r)
		}
		next := make([][]*Value, 0, len(combos)*len(choices))
		for _, c := range combos {
			for _, ch := range choices {
				next = append(next, append(append(make([]*Value, 0, len(c)+1), c...), ch))
			}
		}
		combos = next
	}
	var alts []*Value
	for _, c := range combos {
		objs := make([]Object, len(c))
		for i, v := range c {
			objs[i] = v.Obj
		}
		res := f(objs)
		if res.Kind != Known {
			return res
		}
		alts = appendAlt(alts, res)
	}
	var out *Value
	if len(alts) == 1 {
		out = alts[0]
	} else {
		out = &Value{Kind: Alternatives, Alts: alts, Range: r}
	}
	if len(envs) > 0 {
		return envValue(strings.Join(envs, ", "), out, r)
	}
	return out
}

func (ev *Evaluator) binop(op string, a, b *Value, n Node) *Value {
	r := ev.rng(n)
	return lift(r, func(o []Object) *Value { return binary(op, o[0], o[1], r) }, a, b)
}

func binary(op string, a, b Object, r source.Range) *Value {
	switch x := a.(type) {
	case Str:
		if y, ok := b.(Str); ok && op == "+" {
			return KnownValue(x+y, r)
		}
	case Bytes:
		if y, ok := b.(Bytes); ok && op == "+" {
			return KnownValue(x+y, r)
		}
	case *SeqObj:
		if y, ok := b.(*SeqObj); ok && x.Type == y.Type && x.Type != Set && op == "+" {
			return KnownValue(&SeqObj{Type: x.Type, Elems: append(append([]*Value(nil), x.Elems...), y.Elems...)}, r)
		}
		if x.Type == Set {
			if y, ok := b.(*SeqObj); ok && y.Type == Set && (op == "|" || op == "-") {
				return setOp(op, x, y, r)
			}
		}
	case *DictObj:
		if y, ok := b.(*DictObj); ok && op == "|" {
			nd := x.clone()
			for i := range y.Keys {
				if !y.Keys[i].IsKnown() {
					return UnknownValue("dict union with unknown keys", r)
				}
				dictSet(nd, y.Keys[i], y.Vals[i])
			}
			return KnownValue(nd, r)
		}
	}
	xi, xok := a.(Int)
	yi, yok := b.(Int)
	if xb, ok := a.(Bool); ok {
		xi, xok = boolInt(bool(xb)), true
	}
	if yb, ok := b.(Bool); ok {
		yi, yok = boolInt(bool(yb)), true
	}
	if xok && yok {
		z := new(big.Int)
		switch op {
		case "+":
			return KnownValue(Int{z.Add(xi.Int, yi.Int)}, r)
		case "-":
			return KnownValue(Int{z.Sub(xi.Int, yi.Int)}, r)
		case "*":
			if xi.BitLen()+yi.BitLen() > maxIntBits {
				return overCap(r)
			}
			return KnownValue(Int{z.Mul(xi.Int, yi.Int)}, r)
		case "//", "%":
			if yi.Sign() == 0 {
				return UnknownValue("division by zero", r)
			}
			q, m := new(big.Int), new(big.Int)
			q.DivMod(xi.Int, yi.Int, m) // Euclidean: adjust to Python's floor semantics
			if m.Sign() != 0 && yi.Sign() < 0 {
				q.Add(q, big.NewInt(1))
				m.Add(m, yi.Int)
			}
			if op == "//" {
				return KnownValue(Int{q}, r)
			}
			return KnownValue(Int{m}, r)
		case "**":
			if yi.Sign() >= 0 && yi.IsInt64() && yi.Int64() <= 256 {
				if int64(xi.BitLen())*yi.Int64() > maxIntBits {
					return overCap(r)
				}
				return KnownValue(Int{z.Exp(xi.Int, yi.Int, nil)}, r)
			}
		}
		return UnknownValue("arithmetic "+op, r)
	}
	if s, ok := a.(Str); ok && op == "*" && yok && yi.IsInt64() && yi.Int64() >= 0 && yi.Int64() < 4096 {
		if int64(len(s))*yi.Int64() > MaxValueSize {
			return overCap(r)
		}
		return KnownValue(Str(strings.Repeat(string(s), int(yi.Int64()))), r)
	}
	return UnknownValue(fmt.Sprintf("operator %s on %s and %s", op, a.pyType(), b.pyType()), r)
}

func setOp(op string, x, y *SeqObj, r source.Range) *Value {
	if len(x.Elems) > maxSetDisplay || len(y.Elems) > maxSetDisplay {
		return UnknownValue(fmt.Sprintf("set operation on more than %d elements", maxSetDisplay), r)
	}
	for _, e := range append(append([]*Value(nil), x.Elems...), y.Elems...) {
		if !e.FullyKnown() {
			return UnknownValue("set of unknown values", r)
		}
	}
	var out []*Value
	in := func(list []*Value, v *Value) bool {
		for _, l := range list {
			if objEqual(l.Obj, v.Obj) {
				return true
			}
		}
		return false
	}
	for _, e := range x.Elems {
		if op == "-" && in(y.Elems, e) {
			continue
		}
		out = append(out, e)
	}
	if op == "|" {
		for _, e := range y.Elems {
			if !in(out, e) {
				out = append(out, e)
			}
		}
	}
	return KnownValue(&SeqObj{Type: Set, Elems: out}, r)
}

func boolInt(b bool) Int {
	if b {
		return NewInt(1)
	}
	return NewInt(0)
}

func unary(op string, o Object, r source.Range) *Value {
	switch op {
	case "not":
		t, ok := Truthy(o)
		if !ok {
			return UnknownValue("truth of a partly unknown value", r)
		}
		return KnownValue(Bool(!t), r)
	case "-", "+":
		switch x := o.(type) {
		case Int:
			if op == "-" {
				return KnownValue(Int{new(big.Int).Neg(x.Int)}, r)
			}
			return KnownValue(x, r)
		case Float:
			if op == "-" {
				return KnownValue(-x, r)
			}
			return KnownValue(x, r)
		case Complex:
			if op == "-" {
				return KnownValue(-x, r)
			}
			return KnownValue(x, r)
		case Bool:
			v := boolInt(bool(x))
			if op == "-" {
				return KnownValue(Int{new(big.Int).Neg(v.Int)}, r)
			}
			return KnownValue(v, r)
		}
	}
	return UnknownValue("unary "+op, r)
}

func compare(op string, a, b Object) (bool, bool) {
	switch op {
	case "==", "!=":
		eq, ok := equalKnown(a, b)
		if !ok {
			return false, false
		}
		return eq == (op == "=="), true
	case "is", "is not":
		_, an := a.(NoneObj)
		_, bn := b.(NoneObj)
		if an || bn {
			return (an && bn) == (op == "is"), true
		}
		ab, aok := a.(Bool)
		bb, bok := b.(Bool)
		if aok && bok {
			return (ab == bb) == (op == "is"), true
		}
		return false, false
	case "in", "not in":
		found, ok := contains(b, a)
		if !ok {
			return false, false
		}
		return found == (op == "in"), true
	case "<", "<=", ">", ">=":
		x, xok := numeric(a)
		y, yok := numeric(b)
		if !xok || !yok {
			return false, false
		}
		switch op {
		case "<":
			return x < y, true
		case "<=":
			return x <= y, true
		case ">":
			return x > y, true
		}
		return x >= y, true
	}
	return false, false
}

// equalKnown compares two objects; ok is false when unknown parts decide.
func equalKnown(a, b Object) (eq, ok bool) {
	switch x := a.(type) {
	case *SeqObj:
		y, isSeq := b.(*SeqObj)
		if !isSeq {
			return false, true
		}
		if x.Type != y.Type || x.Type == Set {
			return false, x.Type != y.Type
		}
		if len(x.Elems) != len(y.Elems) {
			return false, true
		}
		for i := range x.Elems {
			if !x.Elems[i].IsKnown() || !y.Elems[i].IsKnown() {
				return false, false
			}
			e, ok := equalKnown(x.Elems[i].Obj, y.Elems[i].Obj)
			if !ok || !e {
				return e, ok
			}
		}
		return true, true
	case *DictObj, ModuleRef, *EnvReader, *boundEnv:
		return false, false
	}
	switch b.(type) {
	case *SeqObj, *DictObj, ModuleRef, *EnvReader, *boundEnv:
		return false, false
	}
	return objEqual(a, b), true
}

func contains(container, item Object) (bool, bool) {
	switch c := container.(type) {
	case Str:
		s, ok := item.(Str)
		if !ok {
			return false, false
		}
		return strings.Contains(string(c), string(s)), true
	case *SeqObj:
		for _, e := range c.Elems {
			if !e.IsKnown() {
				return false, false
			}
			if eq, ok := equalKnown(e.Obj, item); !ok {
				return false, false
			} else if eq {
				return true, true
			}
		}
		return false, true
	case *DictObj:
		for _, k := range c.Keys {
			if !k.IsKnown() {
				return false, false
			}
			if objEqual(k.Obj, item) {
				return true, true
			}
		}
		return false, true
	}
	return false, false
}

func subscript(base, idx Object, r source.Range) *Value {
	switch b := base.(type) {
	case *DictObj:
		if v, ok := b.Lookup(idx); ok {
			return v
		}
		return UnknownValue("key not known", r)
	case *SeqObj:
		i, ok := idx.(Int)
		if !ok || !i.IsInt64() || b.Type == Set {
			return UnknownValue("index", r)
		}
		n := i.Int64()
		if n < 0 {
			n += int64(len(b.Elems))
		}
		if n < 0 || n >= int64(len(b.Elems)) {
			return UnknownValue("index out of range", r)
		}
		return b.Elems[n]
	case Str:
		i, ok := idx.(Int)
		if !ok || !i.IsInt64() {
			return UnknownValue("index", r)
		}
		rs := []rune(string(b))
		n := i.Int64()
		if n < 0 {
			n += int64(len(rs))
		}
		if n < 0 || n >= int64(len(rs)) {
			return UnknownValue("index out of range", r)
		}
		return KnownValue(Str(string(rs[n])), r)
	}
	return UnknownValue("subscript", r)
}
