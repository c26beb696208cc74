package python

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The data-flow analysis of app code: an abstract interpreter over each
// entry point (a view, a middleware's __call__, a DRF authenticate, a
// decorator's wrapper), path by path. A branch that tests a header value
// forks the path with the test, or its negation, added (the pattern of
// x/tools' nilness pass: a condition is a fact that holds on one side and
// is negated on the other); a path that returns a refusal, raises or
// aborts ends; a path that reaches protected work records a sink with its
// tests. Calls to functions of the project are followed, across modules,
// with their arguments (context-sensitive inlining, depth-bounded).

const (
	// maxStates bounds the paths followed at one point; beyond it paths
	// are merged, keeping the tests they share, and the merge is noted as
	// unknown.
	maxStates = 64
	// maxDepth bounds inlined calls.
	maxDepth = 4
	// maxPaths bounds the paths recorded per sink.
	maxPaths = 256
	// maxSteps bounds the work per entry point.
	maxSteps = 200000
)

type closure struct {
	vars   map[string]aval
	parent *closure
}

type state struct {
	tests   []*Test
	seen    []*Read
	unknown []string
	vars    map[string]aval
	attrs   map[string]aval
	cow     bool
}

func newState() *state {
	return &state{vars: map[string]aval{}, attrs: map[string]aval{}}
}

// fork returns a copy that shares the maps until one side writes.
func (s *state) fork() *state {
	s.cow = true
	n := *s
	n.tests = n.tests[:len(n.tests):len(n.tests)]
	n.seen = n.seen[:len(n.seen):len(n.seen)]
	n.unknown = n.unknown[:len(n.unknown):len(n.unknown)]
	return &n
}

func (s *state) own() {
	if !s.cow {
		return
	}
	v := make(map[string]aval, len(s.vars)+1)
	for k, x := range s.vars {
		v[k] = x
	}
	a := make(map[string]aval, len(s.attrs)+1)
	for k, x := range s.attrs {
		a[k] = x
	}
	s.vars, s.attrs, s.cow = v, a, false
}

func (s *state) set(name string, v aval) {
	s.own()
	s.vars[name] = v
}

func (s *state) setAttr(key string, v aval) {
	s.own()
	s.attrs[key] = v
}

// with returns a fork with the tests added, or nil when they contradict
// the path's.
func (s *state) with(tests []*Test) *state {
	n := s.fork()
	for _, t := range tests {
		var ok bool
		n.tests, ok = addTest(n.tests, t)
		if !ok {
			return nil
		}
	}
	return n
}

func (s *state) see(r *Read) {
	if !containsRead(s.seen, r) {
		s.seen = append(s.seen, r)
	}
}

func (s *state) note(msg string) {
	for _, u := range s.unknown {
		if u == msg {
			return
		}
	}
	s.unknown = append(s.unknown, msg)
}

type res struct {
	st *state
	v  aval
}

func one(st *state, v aval) []res { return []res{{st, v}} }

type entryKind uint8

const (
	kindPlain entryKind = iota
	// kindHook: returning None lets the request through to the view
	// (process_request, process_view, Flask before_request).
	kindHook
	// kindAuth: returning a user (not None) authenticates (DRF
	// authentication classes, auth backends).
	kindAuth
	// kindPermission: returning true grants (DRF permission classes,
	// UserPassesTestMixin.test_func).
	kindPermission
)

type frame struct {
	fn      *funcInfo
	mod     *modInfo
	entry   bool
	kind    entryKind
	closure *closure
	outs    []outcome
	loops   [][]*state
	depth   int
	pending []pendingFn
}

type outcome struct {
	st *state
	v  aval
}

type pendingFn struct {
	fi *funcInfo
	cl *closure
}

type interp struct {
	p            *project
	steps        int
	stack        []*funcInfo
	calledNested map[*FuncDef]bool
	exhausted    bool
}

// analyse runs the analysis over every entry point of the project, then
// over the functions no entry point reached.
func (p *project) analyse() {
	in := &interp{p: p, calledNested: map[*FuncDef]bool{}}
	for _, mi := range p.order {
		if mi.entries {
			mi.markCalls()
		}
	}
	for _, fi := range p.entries() {
		in.entry(fi, nil)
	}
	for _, mi := range p.order {
		if !mi.entries {
			continue
		}
		for _, fi := range mi.allFns {
			if !p.analysed[fi] {
				in.entry(fi, nil)
			}
		}
	}
}

// entry analyses a function as an entry point: called by the framework
// with a request.
func (in *interp) entry(fi *funcInfo, cl *closure) {
	in.p.analysed[fi] = true
	in.steps, in.exhausted = 0, false
	fr := &frame{fn: fi, mod: fi.mod, entry: true, kind: kindOf(fi), closure: cl}
	st := newState()
	isMethod := fi.class != nil && len(fi.def.Params) > 0 && (fi.def.Params[0].Name == "self" || fi.def.Params[0].Name == "cls")
	for i, prm := range fi.def.Params {
		switch {
		case i == 0 && isMethod:
			st.vars[prm.Name] = avSelf{cls: fi.class}
		case asgiScopeParam(fi.def.Params, i):
			st.vars[prm.Name] = avScope{}
		case requestParam(prm.Name) || in.requestAnnotated(fr, prm) || i == 1 && isMethod && frameworkMethods[fi.def.Name] && prm.Kind == "":
			st.vars[prm.Name] = avRequest{}
		case prm.Name == "environ":
			st.vars[prm.Name] = avMeta{via: ViaEnviron}
		default:
			st.vars[prm.Name] = avParam{name: prm.Name}
		}
	}
	in.stack = append(in.stack, fi)
	outs := in.exec(fr, fi.def.Body, in.bindParams(fr, fi, st, nil))
	in.stack = in.stack[:len(in.stack)-1]
	for _, s := range outs {
		in.ret(fr, s, avConst{obj: NoneObj{}}, fi.def)
	}
	for _, pf := range fr.pending {
		if !in.calledNested[pf.fi.def] && !in.p.analysed[pf.fi] {
			in.entry(pf.fi, pf.cl)
		}
	}
}

// asgiScopeParam says whether the i-th parameter is the scope of an ASGI
// app or middleware: (scope, receive, send), after self for a method.
func asgiScopeParam(params []Param, i int) bool {
	return len(params) == i+3 && params[i].Name == "scope" && params[i+1].Name == "receive" && params[i+2].Name == "send"
}

func requestParam(name string) bool {
	switch name {
	case "request", "req", "http_request", "incoming_request":
		return true
	}
	return false
}

// requestTypes are the request classes a framework passes to a parameter
// annotated with them: FastAPI fills a dependency's or endpoint's
// parameter by its type, whatever its name; Django and DRF views are
// often annotated too.
var requestTypes = map[string]bool{
	"fastapi.Request": true, "fastapi.requests.Request": true, "fastapi.requests.HTTPConnection": true,
	"fastapi.WebSocket": true, "fastapi.websockets.WebSocket": true,
	"starlette.requests.Request": true, "starlette.requests.HTTPConnection": true, "starlette.websockets.WebSocket": true,
	"django.http.HttpRequest": true, "django.http.request.HttpRequest": true, "django.core.handlers.wsgi.WSGIRequest": true,
	"django.core.handlers.asgi.ASGIRequest": true, "rest_framework.request.Request": true,
}

// requestAnnotated says whether a parameter's annotation is a framework's
// request class, through the module's imports (aliases included).
func (in *interp) requestAnnotated(fr *frame, prm Param) bool {
	if prm.Annotation == nil || prm.Kind == "*" || prm.Kind == "**" {
		return false
	}
	x, ok := in.valueOf(fr, prm.Annotation).(avExt)
	return ok && requestTypes[x.qual]
}

// kindOf says what a return means for an entry point.
func kindOf(fi *funcInfo) entryKind {
	switch fi.def.Name {
	case "process_request", "process_view":
		return kindHook
	case "authenticate":
		if fi.class != nil {
			return kindAuth
		}
	case "has_permission", "has_object_permission", "test_func":
		if fi.class != nil {
			return kindPermission
		}
	}
	for _, d := range fi.def.Decorators {
		// the decorator's line: the parser places a decorator's name at
		// its "@"
		f := fi.mod.m.File
		line := f.Pos(d.Pos().Start).Line
		text := strings.TrimSpace(string(f.Content[f.LineStart(line):f.LineEnd(line)]))
		if strings.HasSuffix(text, "before_request") || strings.HasSuffix(text, "before_app_request") {
			return kindHook
		}
	}
	return kindPlain
}

// drfAuthentication reports whether an authenticate method is a DRF
// authentication class's, authenticate(self, request), rather than a
// Django auth backend's, which takes credentials after the request and
// whose None only fails the login.
func drfAuthentication(fi *funcInfo) bool {
	ps := fi.def.Params
	if len(ps) != 2 {
		return false
	}
	for _, p := range ps {
		if p.Kind != "" {
			return false
		}
	}
	return true
}

// ret handles a return: at an entry point it may reach protected work,
// inside an inlined call it is an outcome for the caller.
func (in *interp) ret(fr *frame, st *state, v aval, at Node) {
	if !fr.entry {
		fr.outs = append(fr.outs, outcome{st, v})
		return
	}
	for _, r := range expand(st, v) {
		switch x := r.v.(type) {
		case avConst:
			if _, none := x.obj.(NoneObj); none {
				switch fr.kind {
				case kindHook:
					in.sink(fr, SinkNext, at, "the view", r.st)
				case kindAuth:
					if drfAuthentication(fr.fn) {
						in.sink(fr, SinkAnonymous, at, "the view as an anonymous user", r.st)
					}
				}
				continue
			}
		case avResponse:
			if !x.reject && !x.next {
				in.sink(fr, SinkView, at, "the response of "+fr.fn.qual, r.st)
			}
			continue
		}
		switch fr.kind {
		case kindAuth:
			in.sink(fr, SinkAuthenticated, at, fr.fn.qual+" returns a user", r.st, r.v)
		case kindPermission:
			for _, c := range truthCond(r.v, fr.mod.m.Text(at), fr.mod.m.Range(at)) {
				if s := r.st.with(c); s != nil {
					in.sink(fr, SinkPermission, at, fr.fn.qual+" grants", s)
				}
			}
		default:
			in.returned(fr, r.st, r.v, at)
		}
	}
}

// returned records what an entry point nothing in the project calls
// returns, when it is decided by headers or carries one: whoever calls
// it (a template, another project, a URL resolver) decides with it.
func (in *interp) returned(fr *frame, st *state, v aval, at Node) {
	for _, p := range fr.fn.def.Params {
		if p.Name == "start_response" {
			return // a WSGI application returns the response body
		}
	}
	detail := "the result of " + fr.fn.qual + "()"
	switch x := v.(type) {
	case avBool:
		for _, c := range x.f {
			if s := st.with(c); s != nil && len(s.seen) > 0 {
				in.sink(fr, SinkReturn, at, detail, s)
			}
		}
	case avConst:
		if t, ok := Truthy(x.obj); ok && t && len(st.seen) > 0 {
			in.sink(fr, SinkReturn, at, detail, st)
		}
	default:
		if len(readsOf(v)) > 0 {
			in.sink(fr, SinkReturn, at, detail, st, v)
		}
	}
}

// expand splits a value of several cases into one state per case.
func expand(st *state, v aval) []res {
	cs, ok := v.(avCases)
	if !ok {
		return one(st, v)
	}
	var out []res
	for _, c := range cs.cases {
		if s := st.with(c.when); s != nil {
			out = append(out, expand(s, c.val)...)
		}
	}
	return out
}

// sink records that the request reaches protected work on st's path,
// with the values it receives.
func (in *interp) sink(fr *frame, kind SinkKind, at Node, detail string, st *state, vals ...aval) {
	var flows, parts, keyed []*Read
	lasts := mergeLasts(vals...)
	sortReads(lasts)
	for _, v := range vals {
		flows = unionReads(flows, readsOf(v))
		parts = unionReads(parts, partsOf(v))
		if _, row := v.(avORM); row {
			// a row found by the header: its value reached a lookup, not
			// this sink
			keyed = unionReads(keyed, readsOf(v))
		}
	}
	sortReads(flows)
	sortReads(parts)
	sortReads(keyed)
	rng := fr.mod.m.Range(at)
	key := siteKey{rng.File, rng.Start.Offset, rng.End.Offset, kind}
	s := in.p.sinks[key]
	if s == nil {
		s = &Sink{Kind: kind, Range: rng, Func: fr.fn.qual, Detail: detail}
		in.p.sinks[key] = s
		in.p.sinkOrder = append(in.p.sinkOrder, s)
	}
	p := &Path{Tests: append([]*Test(nil), st.tests...), Flows: flows, Parts: parts, Lasts: lasts, Keyed: keyed, Reads: append([]*Read(nil), st.seen...), Unknown: append([]string(nil), st.unknown...)}
	k := p.String() + fmt.Sprint(p.Reads, p.Lasts)
	for _, q := range s.Paths {
		if q.String()+fmt.Sprint(q.Reads, q.Lasts) == k {
			return
		}
	}
	if len(s.Paths) >= maxPaths {
		return
	}
	s.Paths = append(s.Paths, p)
}

// exec runs statements on every path; it returns the paths that fall
// through.
func (in *interp) exec(fr *frame, stmts []Stmt, states []*state) []*state {
	for _, s := range stmts {
		if len(states) == 0 {
			break
		}
		var next []*state
		for _, st := range states {
			next = append(next, in.stmt(fr, s, st)...)
		}
		states = capStates(next)
	}
	return states
}

// capStates merges paths beyond maxStates into one that keeps only the
// tests they all share.
func capStates(states []*state) []*state {
	if len(states) <= maxStates {
		return states
	}
	keep := states[:maxStates-1]
	rest := states[maxStates-1:]
	m := rest[0].fork()
	var common []*Test
	for _, t := range m.tests {
		all := true
		for _, o := range rest[1:] {
			found := false
			for _, u := range o.tests {
				if u.key() == t.key() && u.Negated == t.Negated {
					found = true
				}
			}
			all = all && found
		}
		if all {
			common = append(common, t)
		}
	}
	m.tests = common
	for _, o := range rest[1:] {
		for _, r := range o.seen {
			m.see(r)
		}
	}
	m.note("too many paths to follow: some were merged")
	return append(keep, m)
}

func (in *interp) stmt(fr *frame, s Stmt, st *state) []*state {
	in.steps++
	if in.steps > maxSteps {
		if !in.exhausted {
			in.exhausted = true
		}
		st.note("analysis budget exhausted in " + fr.fn.qual)
		return []*state{st}
	}
	switch x := s.(type) {
	case *ExprStmt:
		return states(in.eval(fr, x.X, st))
	case *Assign:
		var out []*state
		for _, r := range in.eval(fr, x.Value, st) {
			cur := []*state{r.st}
			for _, t := range x.Targets {
				var next []*state
				for _, c := range cur {
					next = append(next, in.assign(fr, t, r.v, c)...)
				}
				cur = next
			}
			out = append(out, cur...)
		}
		return out
	case *AugAssign:
		var out []*state
		for _, r := range in.eval(fr, x.Target, st) {
			for _, r2 := range in.eval(fr, x.Value, r.st) {
				out = append(out, in.assign(fr, x.Target, combine(r.v, r2.v), r2.st)...)
			}
		}
		return out
	case *If:
		out := in.exec(fr, x.Body, in.cond(fr, x.Test, st, true))
		return append(out, in.exec(fr, x.Else, in.cond(fr, x.Test, st, false))...)
	case *Loop:
		return in.loop(fr, x, st)
	case *Try:
		body := in.exec(fr, x.Body, []*state{st})
		out := in.exec(fr, x.Else, body)
		for _, h := range x.Handlers {
			hs := st.fork()
			if h.Type != nil {
				hs = states(in.eval(fr, h.Type, hs))[0]
			}
			if h.Name != "" {
				hs.set(h.Name, avUnknown{text: h.Name})
			}
			out = append(out, in.exec(fr, h.Body, []*state{hs})...)
		}
		if len(x.Finally) > 0 {
			out = in.exec(fr, x.Finally, out)
		}
		return out
	case *With:
		cur := []*state{st}
		for i, it := range x.Items {
			var next []*state
			for _, c := range cur {
				for _, r := range in.eval(fr, it, c) {
					if i < len(x.Vars) {
						next = append(next, in.assign(fr, x.Vars[i], avUnknown{text: fr.mod.m.Text(it)}, r.st)...)
					} else {
						next = append(next, r.st)
					}
				}
			}
			cur = next
		}
		return in.exec(fr, x.Body, cur)
	case *Return:
		for _, r := range in.eval(fr, x.Value, st) {
			in.ret(fr, r.st, r.v, x)
		}
		return nil
	case *OtherStmt:
		switch x.What {
		case "raise":
			for _, e := range x.Exprs {
				in.eval(fr, e, st)
			}
			return nil
		case "assert":
			if len(x.Exprs) > 0 {
				return in.cond(fr, x.Exprs[0], st, true)
			}
		case "break", "continue":
			if n := len(fr.loops); n > 0 {
				fr.loops[n-1] = append(fr.loops[n-1], st)
				return nil
			}
		}
		return []*state{st}
	case *FuncDef:
		fi := &funcInfo{mod: fr.mod, def: x, outer: fr.fn, qual: fr.fn.qual + "." + x.Name}
		st.cow = true // the closure keeps the scope as it is now
		cl := &closure{vars: st.vars, parent: fr.closure}
		st.set(x.Name, avFunc{fn: fi, closure: cl})
		fr.pending = append(fr.pending, pendingFn{fi, cl})
		return []*state{st}
	case *ClassDef:
		st.set(x.Name, avUnknown{text: "class " + x.Name})
		return []*state{st}
	case *Import, *ImportFrom:
		for _, b := range importBindings(s) {
			st.set(b.name, in.importValue(fr, b.ref))
		}
		return []*state{st}
	case *Match:
		return in.match(fr, x, st)
	}
	return []*state{st}
}

func (in *interp) importValue(fr *frame, ref importRef) aval {
	if v := fr.mod.importValue(ref, 0); v != nil {
		return v
	}
	q := strings.Repeat(".", ref.level) + ref.module
	if ref.attr != "" {
		q = strings.TrimPrefix(q+"."+ref.attr, ".")
	}
	return special(avExt{qual: q})
}

func states(rs []res) []*state {
	out := make([]*state, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.st)
	}
	return out
}

// combine is the value of an operator on two values: constants fold,
// anything derived from a header stays derived from it.
func combine(a, b aval) aval {
	rs := append(readsOf(a), readsOf(b)...)
	if len(rs) > 0 {
		return avTainted{reads: rs, parts: unionReads(partsOf(a), partsOf(b)), lasts: mergeLasts(a, b)}
	}
	return avUnknown{}
}

func (in *interp) loop(fr *frame, x *Loop, st *state) []*state {
	fr.loops = append(fr.loops, nil)
	var out []*state
	if x.For {
		for _, r := range in.eval(fr, x.Iter, st) {
			out = append(out, r.st) // no iteration
			var starts []*state
			if c, ok := r.v.(avConst); ok {
				if seq, ok := c.obj.(*SeqObj); ok && len(seq.Elems) > 0 && len(seq.Elems) <= 8 {
					for _, e := range seq.Elems {
						starts = append(starts, in.assign(fr, x.Target, fromValue(e), r.st.fork())...)
					}
				}
			}
			if _, ok := r.v.(avRawHeaders); ok && starts == nil {
				starts = headerLines(x.Target, r.st.fork())
			}
			if starts == nil {
				starts = in.assign(fr, x.Target, elemOf(r.v), r.st.fork())
			}
			out = append(out, in.exec(fr, x.Body, starts)...)
		}
	} else {
		out = append(out, in.exec(fr, x.Body, in.cond(fr, x.Iter, st, true))...)
		out = append(out, in.cond(fr, x.Iter, st, false)...)
	}
	out = append(out, fr.loops[len(fr.loops)-1]...)
	fr.loops = fr.loops[:len(fr.loops)-1]
	if len(x.Else) > 0 {
		out = in.exec(fr, x.Else, out)
	}
	return out
}

// headerLines binds "name, value" of a loop over an ASGI scope's header
// lines: the value is known once the name is compared (headerLine).
func headerLines(target Expr, st *state) []*state {
	t, ok := target.(*SeqExpr)
	if !ok || len(t.Elts) != 2 {
		return nil
	}
	name, ok1 := t.Elts[0].(*Name)
	value, ok2 := t.Elts[1].(*Name)
	if !ok1 || !ok2 {
		return nil
	}
	st.set(name.ID, avHeaderLine{value: value.ID})
	st.set(value.ID, avUnknown{text: "a header line's value"})
	return []*state{st}
}

// elemOf is an element of an iterated value: of a header's split (or of
// the header itself, a character), a part of it.
func elemOf(v aval) aval {
	if rs := readsOf(v); len(rs) > 0 {
		parts := partsOf(v)
		switch x := v.(type) {
		case avSplit:
			parts = []*Read{x.read}
		case avHeader:
			parts = []*Read{x.read}
		}
		return avTainted{reads: rs, parts: parts, lasts: lastsOf(v)}
	}
	return avUnknown{text: "loop variable"}
}

func (in *interp) match(fr *frame, x *Match, st *state) []*state {
	var out []*state
	for _, r := range in.eval(fr, x.Subject, st) {
		subj := r.v
		remaining := []*state{r.st}
		text := fr.mod.m.Text(x.Subject)
		for _, c := range x.Cases {
			f := in.pattern(fr, subj, c.Pattern, text)
			var matched, unmatched []*state
			for _, s := range remaining {
				for _, conj := range f {
					if m := s.with(conj); m != nil {
						matched = append(matched, m)
					}
				}
				for _, conj := range f.not() {
					if m := s.with(conj); m != nil {
						unmatched = append(unmatched, m)
					}
				}
			}
			for _, m := range matched {
				in.bindPattern(c.Pattern, subj, m)
			}
			if c.Guard != nil {
				var guarded []*state
				for _, m := range matched {
					guarded = append(guarded, in.cond(fr, c.Guard, m, true)...)
					unmatched = append(unmatched, in.cond(fr, c.Guard, m, false)...)
				}
				matched = guarded
			}
			out = append(out, in.exec(fr, c.Body, matched)...)
			remaining = capStates(unmatched)
		}
		out = append(out, remaining...)
	}
	return out
}

// pattern is the condition under which a case pattern matches.
func (in *interp) pattern(fr *frame, subj aval, p *Pattern, text string) formula {
	if p == nil {
		return nil
	}
	h, isHeader := subj.(avHeader)
	rng := fr.mod.m.Range(p)
	switch p.Kind {
	case PatAs:
		if len(p.Subs) == 0 {
			return fTrue()
		}
		return in.pattern(fr, subj, p.Subs[0], text)
	case PatOr:
		var f formula
		for _, s := range p.Subs {
			f = f.or(in.pattern(fr, subj, s, text))
		}
		return f
	case PatValue, PatSingleton:
		v := in.valueOf(fr, p.Value)
		if isHeader {
			if c, ok := v.(avConst); ok {
				if _, none := c.obj.(NoneObj); none {
					return formula{{{Read: h.read, Op: TestPresent, Negated: true, Xform: h.xf, Range: rng, Text: fr.mod.m.Text(p)}}}
				}
			}
			if ops, ok := operands(v); ok {
				return formula{{{Read: h.read, Op: TestEqual, Values: ops, Xform: h.xf, Range: rng, Text: fr.mod.m.Text(p)}}}
			}
		}
	}
	if isHeader {
		return formula{{{Read: h.read, Op: TestUnknown, Xform: h.xf, Range: rng, Text: "case " + fr.mod.m.Text(p)}}}
	}
	return formula{{opaque(text+" matches "+fr.mod.m.Text(p), rng)}}
}

func (in *interp) bindPattern(p *Pattern, subj aval, st *state) {
	if p == nil {
		return
	}
	if p.Kind == PatAs && p.Name != "" {
		st.set(p.Name, subj)
	}
	for _, name := range p.Names() {
		if _, ok := st.vars[name]; !ok || name != p.Name {
			if name != p.Name {
				st.set(name, elemOf(subj))
			}
		}
	}
}

// valueOf evaluates an expression without side effects on a path (a
// case pattern's value, a default).
func (in *interp) valueOf(fr *frame, e Expr) aval {
	rs := in.eval(fr, e, newState())
	if len(rs) == 0 {
		return avUnknown{}
	}
	return rs[0].v
}

// assign binds a target to a value.
func (in *interp) assign(fr *frame, t Expr, v aval, st *state) []*state {
	switch x := t.(type) {
	case *Name:
		st.set(x.ID, v)
		return []*state{st}
	case *SeqExpr:
		n := len(x.Elts)
		star := slices.IndexFunc(x.Elts, func(e Expr) bool { _, ok := e.(*Opaque); return ok })
		for i, e := range x.Elts {
			ev := element(v, i, n)
			if s, ok := v.(avSplit); ok && star >= 0 {
				// first, *rest = h.split(sep) and *rest, last = ...:
				// the split's first or last element, as [0] and [-1]
				part := 0
				switch {
				case i == 0 && star > 0:
					part = 1
				case i == n-1 && star < n-1:
					part = -1
				}
				if h, ok := s.end(part); ok && part != 0 {
					ev = h
				}
			}
			in.assign(fr, e, ev, st)
		}
		return []*state{st}
	case *Opaque: // *rest
		for _, e := range x.Subs {
			in.assign(fr, e, elemOf(v), st)
		}
		return []*state{st}
	case *Attribute:
		var out []*state
		for _, r := range in.eval(fr, x.Value, st) {
			in.setAttr(fr, r.st, r.v, x.Attr, v, t)
			out = append(out, r.st)
		}
		return out
	case *Subscript:
		var out []*state
		for _, r := range in.eval(fr, x.Value, st) {
			if store, ok := r.v.(avAttrStore); ok {
				in.setAttr(fr, r.st, store, "["+fr.mod.m.Text(x.Index)+"]", v, t)
			}
			out = append(out, r.st)
		}
		return out
	}
	return []*state{st}
}

// element is the i-th of n values unpacked from v.
func element(v aval, i, n int) aval {
	switch x := v.(type) {
	case avTuple:
		if len(x.elems) == n {
			return x.elems[i]
		}
	case avConst:
		if seq, ok := x.obj.(*SeqObj); ok && len(seq.Elems) == n {
			return fromValue(seq.Elems[i])
		}
	case avCases:
		var out avCases
		for _, c := range x.cases {
			out.cases = append(out.cases, avCase{c.when, element(c.val, i, n)})
		}
		return out
	}
	return elemOf(v)
}

// setAttr records an attribute set on the request, flask.g, the session
// or self: a later read in the same request sees it, and setting it on a
// path that decided on a header is protected work (a view reads it for
// authorisation).
func (in *interp) setAttr(fr *frame, st *state, base aval, attr string, v aval, at Expr) {
	var key string
	switch b := base.(type) {
	case avRequest:
		key = "request." + attr
	case avSelf:
		key = "self." + attr
	case avAttrStore:
		key = b.name + "." + attr
		if strings.HasPrefix(attr, "[") {
			key = b.name + attr
		}
	default:
		return
	}
	st.setAttr(key, v)
	if cs, ok := v.(avCases); ok {
		// one sink per case: "request.user = x or None" sets a user only
		// when x is there
		for _, r := range expand(st, cs) {
			in.attrSink(fr, r.st, base, key, r.v, at)
		}
		return
	}
	in.attrSink(fr, st, base, key, v, at)
}

// attrSink records setting an attribute to v on st's path as protected
// work, unless v grants nothing (None, False) or the attribute is a
// setting of self that no header decides.
func (in *interp) attrSink(fr *frame, st *state, base aval, key string, v aval, at Expr) {
	if c, ok := v.(avConst); ok {
		if t, known := Truthy(c.obj); known && !t {
			return // request.member = None: nothing granted
		}
	}
	flows := readsOf(v)
	if _, isSelf := base.(avSelf); isSelf && len(flows) == 0 {
		return // self.verify_header = settings.X
	}
	if len(st.seen) == 0 && len(flows) == 0 {
		return
	}
	if b, ok := v.(avBool); ok {
		for _, c := range b.f {
			if s := st.with(c); s != nil {
				in.sink(fr, SinkAttr, at, key, s)
			}
		}
		return
	}
	in.sink(fr, SinkAttr, at, key, st, v)
}

// cond returns the paths on which e is truthy (want) or falsy, with the
// tests that make it so: short-circuit operators split, not swaps.
func (in *interp) cond(fr *frame, e Expr, st *state, want bool) []*state {
	switch x := e.(type) {
	case *UnaryOp:
		if x.Op == "not" {
			return in.cond(fr, x.X, st, !want)
		}
	case *BoolOp:
		and := x.Op == "and"
		if and == want {
			// every operand must agree
			cur := []*state{st}
			for _, v := range x.Values {
				var next []*state
				for _, c := range cur {
					next = append(next, in.cond(fr, v, c, want)...)
				}
				cur = capStates(next)
			}
			return cur
		}
		// one operand decides: the first that does, after the others did not
		var out []*state
		cur := []*state{st}
		for _, v := range x.Values {
			var next []*state
			for _, c := range cur {
				out = append(out, in.cond(fr, v, c, want)...)
				next = append(next, in.cond(fr, v, c, !want)...)
			}
			cur = capStates(next)
		}
		return capStates(out)
	}
	var out []*state
	for _, r := range in.eval(fr, e, st) {
		f := truthCond(r.v, fr.mod.m.Text(e), fr.mod.m.Range(e))
		if !want {
			f = f.not()
		}
		for _, c := range f {
			if s := r.st.with(c); s != nil {
				out = append(out, s)
			}
		}
	}
	return out
}

func opaque(text string, rng source.Range) *Test {
	return &Test{Op: TestOpaque, Text: text, Range: rng, Chosen: isChosen(text, false)}
}

// truthOf is the condition under which v is truthy.
func truthCond(v aval, text string, rng source.Range) formula {
	switch x := v.(type) {
	case avBool:
		return x.f
	case avHeader:
		return formula{{{Read: x.read, Op: TestTruthy, Xform: x.xf, Range: rng, Text: text}}}
	case avMatch:
		return formula{{{Read: x.read, Op: TestRegex, Values: []Operand{Lit(x.pattern)}, Mode: x.mode, Xform: x.xf, Range: rng, Text: text}}}
	case avConst:
		if t, ok := Truthy(x.obj); ok {
			if t {
				return fTrue()
			}
			return nil
		}
	case avCases:
		var f formula
		for _, c := range x.cases {
			f = f.or(formula{c.when}.and(truthCond(c.val, text, rng)))
		}
		return f
	case avTuple:
		if len(x.elems) == 0 {
			return nil
		}
		return fTrue()
	case avResponse, avRequest, avMeta, avScope, avRawHeaders, avFunc, avClass, avSelf, avModule, avSplit:
		return fTrue()
	}
	return formula{{derivedOpaque(text, rng, v)}}
}
