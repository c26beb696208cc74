package haproxy

import (
	"fmt"
	"strings"

	hap "github.com/mtlslint/mtlslint/parsers/haproxy"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// The request classes of a route and what it sends per class. A request
// arrives on a bind (TLS by the verification mode of the certificate its
// server name selects, or plain), passes the frontend's tcp-request and
// http-request rules, where a deny, redirect, return, tarpit or auth whose
// condition holds ends it (an allow skips the rest), then the redirect
// rules, then use_backend (the first whose condition holds wins, else
// default_backend), then the backend's http-request rules. A class takes
// the route when it reaches the route's backend this way; the header rules
// it passes on the way decide what the app receives.

// regionLimit bounds how many regions of the tested attributes a route's
// classes are split into; beyond it the tests are undecided.
const regionLimit = 256

// terminal are the http-request actions that end a request.
var terminal = map[string]bool{
	"deny": true, "reject": true, "tarpit": true, "return": true, "redirect": true,
	"auth": true, "silent-drop": true, "use-service": true,
}

// gate is one rule on the way to the route that decides whether a request
// goes on: a terminal action, an allow, or a use_backend.
type gate struct {
	kind string // "stop", "allow", "away" (another backend), "here" (this route's), "allow-end" (end of a chain)
	cond *condition
	line *hap.Line
	what string // "http-request deny", "use_backend be_acme"
}

// way is what a request meets on the way to a route.
type way struct {
	gates []gate
	emit  *emission // every http-request rule, and the ACLs they name
	atoms []*rules.Atom
}

// emission is what a route's Emit reads: its http-request rules as
// emitRules. It holds nothing of the configuration's tree (no line, no
// word), so that the routes, which live as long as the deployment model,
// do not keep the tree reachable once its rules have run.
type emission struct {
	// rules are the route's, in order; each is made once per
	// configuration (parsed.emitRule) and shared by its routes.
	rules []*emitRule
	// front is how many of rules are the frontend's: an allow skips the
	// rest of its own chain only.
	front   int
	acls    acls // the frontend's ACLs
	backend acls // the backend's
}

// emitRule is an http-request rule as the emission reads it.
type emitRule struct {
	headerName
	action  string
	value   string // the value of set-header and add-header
	cond    *condition
	rng     source.Range // the line's
	num     int32        // the line's number
	inBlock bool         // the line is inside a conditional block
	// inBackend: the rule is a backend section's, and its condition names
	// the backend's ACLs (a frontend's or a defaults section's rule names
	// the frontend's).
	inBackend bool
}

// parsed holds what the routes of one configuration share, parsed once
// for all of them: each proxy's ACLs and each rule's condition. The
// routes share the atoms of those tests too.
type parsed struct {
	acls  map[*hap.Proxy]acls
	conds map[*hap.Line]*condition
	rules map[*hap.HTTPRule]*emitRule
}

func newParsed() *parsed {
	return &parsed{acls: map[*hap.Proxy]acls{}, conds: map[*hap.Line]*condition{}, rules: map[*hap.HTTPRule]*emitRule{}}
}

// emitRule returns rule r in the emission's form, made once.
func (ps *parsed) emitRule(r *hap.HTTPRule) *emitRule {
	hr, ok := ps.rules[r]
	if !ok {
		hr = &emitRule{headerName: nameOf(r), action: r.Action, cond: ps.condition(r.Cond, r.Line),
			rng: r.Line.Range(), num: int32(r.Line.Num()), inBlock: r.Line.Conditional(), inBackend: inBackend(r.Line)}
		if r.Value != nil {
			hr.value = r.Value.Value()
		}
		ps.rules[r] = hr
	}
	return hr
}

func (ps *parsed) aclsOf(p *hap.Proxy) acls {
	a, ok := ps.acls[p]
	if !ok {
		a = aclsOf(p)
		ps.acls[p] = a
	}
	return a
}

// condition returns condition c of line l parsed, the first time it is
// asked for; a line has at most one condition.
func (ps *parsed) condition(c *hap.Condition, l *hap.Line) *condition {
	pc, ok := ps.conds[l]
	if !ok {
		pc = parseCondition(c)
		ps.conds[l] = pc
	}
	return pc
}

// lineCondition is condition for a line whose if/unless the model does
// not keep (tcp-request, redirect): it is found from word from on.
func (ps *parsed) lineCondition(l *hap.Line, from int) *condition {
	if pc, ok := ps.conds[l]; ok {
		return pc
	}
	return ps.condition(condOf(l, from), l)
}

// condOf finds a line's if/unless condition from word from on.
func condOf(l *hap.Line, from int) *hap.Condition {
	for k := from; k < len(l.Args()); k++ {
		if v := l.Args()[k].Value(); v == "if" || v == "unless" {
			return &hap.Condition{Kind: v, Terms: l.Args()[k+1:]}
		}
	}
	return nil
}

// wayTo collects the gates on the way to route ri.
func wayTo(ri *routeInfo, ps *parsed) *way {
	w := &way{emit: &emission{acls: ps.aclsOf(ri.Frontend), backend: ps.aclsOf(ri.Backend)}}
	fe := ri.Frontend
	for _, l := range fe.Lines("tcp-request") {
		if a := l.Arg(2); (l.Arg(1) == "connection" || l.Arg(1) == "content" || l.Arg(1) == "session") && (a == "reject" || a == "silent-drop") {
			w.gates = append(w.gates, gate{kind: "stop", cond: ps.lineCondition(l, 3), line: l, what: "tcp-request " + l.Arg(1) + " " + a})
		}
	}
	front := fe.AllHTTPRequest()
	for _, r := range front {
		w.addRule(r, ps)
	}
	w.gates = append(w.gates, gate{kind: "allow-end"})
	w.emit.front = len(w.emit.rules)
	for _, l := range fe.Lines("redirect") {
		w.gates = append(w.gates, gate{kind: "stop", cond: ps.lineCondition(l, 1), line: l, what: "redirect " + l.Arg(1)})
	}
	if !ri.Branch.Default || len(fe.UseBackends) > 0 {
		for _, ub := range fe.UseBackends {
			if ub == ri.Branch {
				w.gates = append(w.gates, gate{kind: "here", cond: ps.condition(ub.Cond, ub.Line), line: ub.Line, what: "use_backend " + ub.Backend})
				break
			}
			w.gates = append(w.gates, gate{kind: "away", cond: ps.condition(ub.Cond, ub.Line), line: ub.Line, what: "use_backend " + ub.Backend})
		}
	}
	if ri.Backend != nil && ri.Backend != fe {
		for _, r := range ri.Backend.AllHTTPRequest() {
			w.addRule(r, ps)
		}
		w.gates = append(w.gates, gate{kind: "allow-end"})
	}
	seen := map[*rules.Atom]bool{}
	for _, g := range w.gates {
		for _, c := range g.cond.criteria(w.aclsFor(g.line)) {
			if c.atom != nil && !seen[c.atom] {
				seen[c.atom] = true
				w.atoms = append(w.atoms, c.atom)
			}
		}
	}
	for _, hr := range w.emit.rules {
		for _, c := range hr.cond.criteria(w.emit.aclsOf(hr)) {
			if c.atom != nil && !seen[c.atom] {
				seen[c.atom] = true
				w.atoms = append(w.atoms, c.atom)
			}
		}
	}
	return w
}

// addRule adds an http-request rule: a gate when it ends or lets requests
// through, and a header rule in any case.
func (w *way) addRule(r *hap.HTTPRule, ps *parsed) {
	hr := ps.emitRule(r)
	cond := hr.cond
	w.emit.rules = append(w.emit.rules, hr)
	switch {
	case terminal[r.Action]:
		w.gates = append(w.gates, gate{kind: "stop", cond: cond, line: r.Line, what: "http-request " + r.Action})
	case r.Action == "allow":
		w.gates = append(w.gates, gate{kind: "allow", cond: cond, line: r.Line, what: "http-request allow"})
	}
}

// aclsFor returns the ACLs a line's condition names: its own section's
// (a backend's for its rules, the frontend's otherwise).
func (w *way) aclsFor(l *hap.Line) acls {
	if inBackend(l) {
		return w.emit.backend
	}
	return w.emit.acls
}

// aclsOf returns the ACLs rule r's condition names.
func (e *emission) aclsOf(r *emitRule) acls {
	if r.inBackend {
		return e.backend
	}
	return e.acls
}

func inBackend(l *hap.Line) bool { return l != nil && l.Section != nil && l.Section.Kind == "backend" }

// takes decides whether a request takes the route, and on what
// undecided conditions. Undecided conditions of a gate that would stop
// the request are kept ("does not hold"), as are those of the route's own
// use_backend ("holds").
func (w *way) takes(req request) rules.Taken {
	allowed := rules.HoldsNo
	var undecided []string
	for _, g := range w.gates {
		switch g.kind {
		case "allow-end":
			allowed = rules.HoldsNo
			continue
		}
		t, why := g.cond.eval(w.aclsFor(g.line), req)
		switch g.kind {
		case "allow":
			allowed = rules.AnyHolds(allowed, t)
			continue
		case "stop":
			t = rules.AllHold(t, allowed.Not())
		}
		switch g.kind {
		case "stop", "away":
			switch t {
			case rules.HoldsYes:
				return rules.Taken{}
			case rules.HoldsMaybe:
				undecided = append(undecided, gateWords(g, why, false))
			}
		case "here":
			switch t {
			case rules.HoldsNo:
				return rules.Taken{}
			case rules.HoldsMaybe:
				undecided = append(undecided, gateWords(g, why, true))
			}
		}
	}
	return rules.Taken{Yes: true, Undecided: undecided}
}

// gateWords says what an undecided gate must do for the request to take
// the route.
func gateWords(g gate, why []string, holds bool) string {
	verb := "does not apply"
	if holds {
		verb = "applies"
	}
	s := fmt.Sprintf("`%s %s` (line %d) %s", g.what, rules.Clip(g.cond.text, 60), g.line.Num(), verb)
	if len(why) > 0 {
		s += ": " + strings.Join(dedupe(why), "; ")
	}
	return s
}

func dedupe(ws []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range ws {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// baseClasses are the classes a bind admits before any rule: plain, or
// TLS by certificate state; with a crt-list whose entries verify
// differently, per server name.
func baseClasses(r *rules.Route, b *hap.Bind) []rules.RequestClass {
	plain := *r
	plain.Gated = false
	if !r.Listener.TLS || len(b.CrtList) == 0 || b.Has("verify") {
		return rules.ListenerClasses(&plain)
	}
	var out []rules.RequestClass
	modes := map[rules.VerifyMode]bool{}
	for i, e := range b.CrtList {
		l := r.Listener
		l.Verify = rules.VerifyOff
		if w, ok := e.Options["verify"]; ok {
			l.Verify = verifyWord(w.Lower())
		}
		for _, opt := range []string{"ca-ignore-err", "crt-ignore-err"} {
			if w, ok := e.Options[opt]; ok && strings.EqualFold(w.Value(), "all") && l.Verify != rules.VerifyOff {
				l.Verify = rules.VerifyOptionalNoCA
			}
		}
		sni := ""
		for _, n := range e.SNI {
			if !strings.HasPrefix(n, "!") {
				sni = strings.Replace(n, "*", "www", 1)
				break
			}
		}
		// The first entry is the default certificate: a client that sends
		// no name, or one no filter matches, gets its settings.
		if i == 0 {
			sni = ""
		}
		if modes[l.Verify] && i > 0 {
			continue
		}
		modes[l.Verify] = true
		x := plain
		x.Listener = l
		for _, c := range rules.ListenerClasses(&x) {
			c.SNI = sni
			c.Witness.SNI = sni
			if sni != "" {
				c.Range = e.Line.Range()
			}
			out = append(out, c)
		}
	}
	return out
}

func verifyWord(w string) rules.VerifyMode {
	switch w {
	case "optional":
		return rules.VerifyOptional
	case "required":
		return rules.VerifyRequired
	case "none":
		return rules.VerifyOff
	}
	return rules.VerifyUnknown
}

// routeClasses computes the classes of a route and its emission.
func routeClasses(ri *routeInfo, ps *parsed) {
	r := ri.Route
	w := wayTo(ri, ps)
	names := headerNames(ri.Chain) // sorted
	var out []rules.RequestClass
	for _, base := range baseClasses(r, ri.Bind) {
		atoms := w.atoms
		if base.SNI != "" {
			atoms = nil
			for _, a := range w.atoms {
				if a.Dim != rules.DimSNI {
					atoms = append(atoms, a)
				}
			}
		}
		regions, ok := rules.Regions(atoms, regionLimit)
		if !ok {
			// Too many ways to split: every test on an attribute is
			// undecided.
			atoms, regions = nil, []rules.Region{{Holds: map[*rules.Atom]bool{}}}
		}
		taken := make([]rules.Taken, len(regions))
		for i, reg := range regions {
			req := request{class: base, holds: regionHolds(base, reg, ok)}
			taken[i] = w.takes(req)
			if taken[i].Yes {
				taken[i].Key = w.emissionKey(names, req)
			}
		}
		out = append(out, rules.NarrowClasses(base, atoms, regions, taken)...)
	}
	if out == nil {
		out = []rules.RequestClass{}
	}
	r.Classes = out
	e := w.emit
	r.Emit = func(c rules.RequestClass, h string) (rules.Delivery, bool) {
		return e.emitFor(request{class: c, holds: classHolds(c)}, h), true
	}
}

// regionHolds answers, for a request of class base in region reg, which
// atoms hold: a server name fixed by the crt-list entry is the class's
// own.
func regionHolds(base rules.RequestClass, reg rules.Region, split bool) func(*rules.Atom) bool {
	return func(a *rules.Atom) bool {
		if a.Dim == rules.DimSNI && base.SNI != "" {
			return a.Match(base.SNI)
		}
		if !split {
			return false
		}
		return reg.Holds[a]
	}
}

// classHolds answers which atoms hold for a class's witness request.
func classHolds(c rules.RequestClass) func(*rules.Atom) bool {
	return func(a *rules.Atom) bool {
		switch a.Dim {
		case rules.DimPath:
			return a.Match(c.Witness.Path)
		case rules.DimHost:
			return a.Match(c.Witness.Host)
		case rules.DimSNI:
			return a.Match(c.Witness.SNI)
		case rules.DimSource:
			return a.Match(c.Witness.Source)
		case rules.DimMethod:
			return a.Match(c.Witness.Method)
		}
		return false
	}
}

// emissionKey sums up what the route sends on a request for every header
// its rules name (names, sorted: the route's headerNames, found once for
// all its regions), so that regions that differ in it are not merged.
func (w *way) emissionKey(names []string, req request) string {
	var b strings.Builder
	for _, h := range names {
		d := w.emit.emitFor(req, h)
		fmt.Fprintf(&b, "%s=%v;", h, d.Values)
	}
	return b.String()
}

// emitFor follows header h through the rules a request passes: the
// copies of the header in the order HAProxy sends them (the client's,
// then what set-header and add-header append), for every way the rules'
// conditions can go.
func (e *emission) emitFor(req request, h string) rules.Delivery {
	type state struct{ copies []rules.Value }
	states := []state{{copies: []rules.Value{rules.ClientValue}}}
	var why []string
	var at rules.Delivery
	allowed := rules.HoldsNo
	for i, r := range e.rules {
		if i == e.front {
			allowed = rules.HoldsNo
		}
		if r.action == "allow" {
			t, _ := r.cond.eval(e.aclsOf(r), req)
			allowed = rules.AnyHolds(allowed, t)
			continue
		}
		var apply func(cs []rules.Value) []rules.Value
		switch r.action {
		case "del-header":
			if !r.deletes(h) {
				continue
			}
			apply = func([]rules.Value) []rules.Value { return nil }
		case "set-header", "add-header":
			if !r.is(h) {
				continue
			}
			v := ruleValue(r.value, req.class)
			if r.action == "set-header" {
				apply = func([]rules.Value) []rules.Value { return []rules.Value{v} }
			} else {
				apply = func(cs []rules.Value) []rules.Value { return append(append([]rules.Value(nil), cs...), v) }
			}
		case "replace-header", "replace-value":
			if !r.is(h) {
				continue
			}
			apply = func([]rules.Value) []rules.Value { return []rules.Value{rules.UnknownValue} }
		default:
			continue
		}
		t, undecided := r.cond.eval(e.aclsOf(r), req)
		if r.inBlock {
			t, undecided = rules.AllHold(t, rules.HoldsMaybe), append(undecided, fmt.Sprintf("the block around line %d is configured", r.num))
		}
		t = rules.AllHold(t, allowed.Not())
		at.Range = r.rng
		switch t {
		case rules.HoldsYes:
			for i := range states {
				states[i].copies = apply(states[i].copies)
			}
		case rules.HoldsMaybe:
			n := len(states)
			for i := 0; i < n; i++ {
				states = append(states, state{copies: apply(states[i].copies)})
			}
			why = append(why, fmt.Sprintf("line %d applies only if %s", r.num, strings.Join(undecided, "; ")))
		}
	}
	var vals []rules.Value
	for _, s := range states {
		vals = append(vals, joinCopies(s.copies))
		if hasClient(s.copies) {
			// The client may also send no copy of its own.
			var own []rules.Value
			for _, c := range s.copies {
				if c.Kind != rules.ValueClient {
					own = append(own, c)
				}
			}
			vals = append(vals, joinCopies(own))
		}
	}
	at.Values = vals
	at.Why = strings.Join(why, " ")
	return at
}

// joinCopies is what the app sees of several copies of one header: the
// app server joins them with a comma in the order they arrive.
func joinCopies(cs []rules.Value) rules.Value {
	switch len(cs) {
	case 0:
		return rules.Absent
	case 1:
		return cs[0]
	}
	return rules.Joined(cs...)
}

func hasClient(cs []rules.Value) bool {
	for _, c := range cs {
		if c.Kind == rules.ValueClient {
			return true
		}
	}
	return false
}

// ruleValue is the value a set-header or add-header rule with value v
// gives on class c.
func ruleValue(v string, c rules.RequestClass) rules.Value {
	tr := rules.HeaderTreatment{Action: classifyValue(v), Value: v, Fact: factOf(v)}
	tr.Composite = tr.Fact != rules.FactNone && !oneFetch(v)
	if tr.Action == rules.SetOther && tr.Fact.IsTLS() {
		// a TLS fact written with log-format flags (%{+Q}[ssl_c_s_dn])
		tr.Action = rules.SetTLS
	}
	if tr.Action == rules.Blanked {
		return rules.Const("")
	}
	return rules.TreatmentValue(tr, c)
}
