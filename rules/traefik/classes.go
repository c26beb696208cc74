package traefik

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/traefik"
	"github.com/mtlslint/mtlslint/rules"
)

// Request classes of a Traefik route: which of the requests its entry
// point admits reach its service. Traefik matches a request against the
// routers of the entry point that serve its scheme (a router with a tls
// section only HTTPS, one without only HTTP), highest priority first (a
// router's priority is its rule's length unless set), and the first whose
// rule holds takes it. The rule tests the Host (Host, HostRegexp), the
// path (Path, PathPrefix, PathRegexp), the method (Method) and the
// client's address (ClientIP); headers and query parameters are the
// client's choice; anything else is undecided. Then the router's
// middlewares: redirectScheme answers requests not on its scheme, and
// ipAllowList refuses other addresses.
// (https://doc.traefik.io/traefik/routing/routers/#rule,
// https://doc.traefik.io/traefik/routing/routers/#priority,
// https://doc.traefik.io/traefik/middlewares/http/redirectscheme/,
// https://doc.traefik.io/traefik/middlewares/http/ipallowlist/)

// regionLimit bounds the regions a route's rules split requests into.
const regionLimit = 256

// expr is a parsed router rule.
type expr struct {
	op       string // "&&", "||", "!", or "" for a matcher
	args     []*expr
	matcher  string
	values   []string
	atom     *rules.Atom
	choice   *rules.Choice
	unknown  string // why the matcher is undecided
	rendered string
}

// ruleParser reads Traefik's rule syntax: matchers with quoted
// arguments, combined with &&, || and !, in parentheses.
type ruleParser struct {
	toks []string
	i    int
	err  string
}

func tokenize(rule string) ([]string, error) {
	var out []string
	for i := 0; i < len(rule); {
		c := rule[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == ',' || c == '!':
			out = append(out, string(c))
			i++
		case strings.HasPrefix(rule[i:], "&&") || strings.HasPrefix(rule[i:], "||"):
			out = append(out, rule[i:i+2])
			i += 2
		case c == '`' || c == '"' || c == '\'':
			end := strings.IndexByte(rule[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unterminated string")
			}
			out = append(out, rule[i:i+end+2])
			i += end + 2
		default:
			j := i
			for j < len(rule) && (rule[j] == '_' || rule[j] >= 'a' && rule[j] <= 'z' || rule[j] >= 'A' && rule[j] <= 'Z' || rule[j] >= '0' && rule[j] <= '9') {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("unexpected %q", c)
			}
			out = append(out, rule[i:j])
			i = j
		}
	}
	return out, nil
}

func (p *ruleParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *ruleParser) next() string {
	t := p.peek()
	p.i++
	return t
}

func (p *ruleParser) or() *expr {
	e := p.and()
	for p.peek() == "||" {
		p.next()
		e = &expr{op: "||", args: []*expr{e, p.and()}}
	}
	return e
}

func (p *ruleParser) and() *expr {
	e := p.unary()
	for p.peek() == "&&" {
		p.next()
		e = &expr{op: "&&", args: []*expr{e, p.unary()}}
	}
	return e
}

func (p *ruleParser) unary() *expr {
	switch t := p.next(); t {
	case "!":
		return &expr{op: "!", args: []*expr{p.unary()}}
	case "(":
		e := p.or()
		if p.next() != ")" {
			p.err = "a parenthesis is not closed"
		}
		return e
	default:
		e := &expr{matcher: t}
		if p.next() != "(" {
			p.err = "a matcher has no arguments"
			return e
		}
		for p.peek() != ")" && p.peek() != "" {
			v := p.next()
			if v == "," {
				continue
			}
			if len(v) >= 2 {
				v = v[1 : len(v)-1]
			}
			e.values = append(e.values, v)
		}
		if p.next() != ")" {
			p.err = "a matcher's arguments are not closed"
		}
		return e
	}
}

// parseRule parses a router rule into conditions; a rule that cannot be
// parsed is one undecided condition.
func parseRule(rule string) *expr {
	toks, err := tokenize(rule)
	if err != nil || len(toks) == 0 {
		return &expr{unknown: fmt.Sprintf("the rule `%s` holds (it could not be read)", rules.Clip(rule, 60))}
	}
	p := &ruleParser{toks: toks}
	e := p.or()
	if p.err != "" || p.i != len(toks) {
		return &expr{unknown: fmt.Sprintf("the rule `%s` holds (it could not be read)", rules.Clip(rule, 60))}
	}
	e.walk(func(m *expr) { m.compile() })
	return e
}

func (e *expr) walk(fn func(*expr)) {
	if e.op == "" {
		fn(e)
		return
	}
	for _, a := range e.args {
		a.walk(fn)
	}
}

// templateVar is v2's {name:regexp} or {name} in Host, Path and
// PathPrefix arguments.
var templateVar = source.LazyRegexp(`\{[^}:]+(:[^}]*)?\}`)

// fromTemplate turns a v2 template into an anchored regular expression.
func fromTemplate(t string, prefix bool) string {
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, m := range templateVar().FindAllStringSubmatchIndex(t, -1) {
		b.WriteString(regexp.QuoteMeta(t[last:m[0]]))
		if m[2] >= 0 {
			b.WriteString("(?:" + t[m[2]+1:m[3]] + ")")
		} else {
			b.WriteString("[^/.]+")
		}
		last = m[1]
	}
	b.WriteString(regexp.QuoteMeta(t[last:]))
	if !prefix {
		b.WriteString("$")
	}
	return b.String()
}

// compile turns a matcher into an atom, a choice or an undecided
// condition.
func (e *expr) compile() {
	e.rendered = fmt.Sprintf("%s(%s)", e.matcher, strings.Join(e.values, ", "))
	atom := func(d rules.Dimension, k rules.MatchKind, vals []string) {
		a, err := rules.NewAtom(d, k, vals, false)
		if err != nil {
			e.unknown = fmt.Sprintf("`%s` holds (%v)", e.rendered, err)
			return
		}
		e.atom = a
	}
	templated := slices.ContainsFunc(e.values, func(v string) bool { return strings.Contains(v, "{") })
	switch e.matcher {
	case "Host", "HostHeader":
		if templated {
			atom(rules.DimHost, rules.MatchRegex, mapTemplates(e.values, false))
			return
		}
		atom(rules.DimHost, rules.MatchExact, e.values)
	case "HostRegexp":
		if templated {
			atom(rules.DimHost, rules.MatchRegex, mapTemplates(e.values, false))
			return
		}
		atom(rules.DimHost, rules.MatchRegex, e.values)
	case "HostSNI":
		if slices.Contains(e.values, "*") {
			e.atom = nil // every server name
			return
		}
		atom(rules.DimSNI, rules.MatchExact, e.values)
	case "Path", "PathPrefix":
		prefix := e.matcher == "PathPrefix"
		if templated {
			atom(rules.DimPath, rules.MatchRegex, mapTemplates(e.values, prefix))
			return
		}
		if prefix {
			atom(rules.DimPath, rules.MatchPrefix, e.values)
		} else {
			atom(rules.DimPath, rules.MatchExact, e.values)
		}
	case "PathRegexp":
		atom(rules.DimPath, rules.MatchRegex, e.values)
	case "Method":
		vals := slices.Clone(e.values)
		for i := range vals {
			vals[i] = strings.ToUpper(vals[i])
		}
		atom(rules.DimMethod, rules.MatchExact, vals)
	case "ClientIP":
		atom(rules.DimSource, rules.MatchIP, e.values)
	case "Header", "HeaderRegexp", "Headers", "HeadersRegexp", "Query", "QueryRegexp":
		e.choice = &rules.Choice{Text: "with " + e.rendered, Not: "without " + e.rendered}
	default:
		e.unknown = fmt.Sprintf("`%s` holds", e.rendered)
	}
}

func mapTemplates(vals []string, prefix bool) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = fromTemplate(v, prefix)
	}
	return out
}

// eval evaluates a rule on request q.
func (e *expr) eval(q rules.Request) (rules.Holds, []string) {
	switch e.op {
	case "!":
		h, why := e.args[0].eval(q)
		return h.Not(), why
	case "&&", "||":
		a, wa := e.args[0].eval(q)
		b, wb := e.args[1].eval(q)
		if e.op == "&&" {
			return rules.AllHold(a, b), append(wa, wb...)
		}
		return rules.AnyHolds(a, b), append(wa, wb...)
	}
	switch {
	case e.atom != nil:
		return rules.AtomHolds(q, e.atom), nil
	case e.choice != nil:
		return rules.ChoiceSent(q, e.choice), nil
	case e.unknown != "":
		return rules.HoldsMaybe, []string{e.unknown}
	}
	return rules.HoldsYes, nil
}

// collect adds the atoms and choices of a rule.
func (e *expr) collect(atoms *[]*rules.Atom, choices *[]*rules.Choice) {
	e.walk(func(m *expr) {
		if m.atom != nil && !slices.Contains(*atoms, m.atom) {
			*atoms = append(*atoms, m.atom)
		}
		if m.choice != nil && !slices.Contains(*choices, m.choice) {
			*choices = append(*choices, m.choice)
		}
	})
}

// priority is a router's priority: as set, else its rule's length.
func priority(r *traefik.Router) int {
	if n, err := strconv.Atoi(strings.TrimSpace(r.Priority.Text())); err == nil && n != 0 {
		return n
	}
	return len(r.Rule.Text())
}

// requestClasses sets the classes of every route of an installation.
func requestClasses(in *traefik.Installation, routes []*route) {
	rulesOf := map[*traefik.Router]*expr{}
	ruleOf := func(r *traefik.Router) *expr {
		if e, ok := rulesOf[r]; ok {
			return e
		}
		e := parseRule(r.Rule.Text())
		if r.Rule == nil {
			e = &expr{} // a router without a rule (refused by Traefik) is not followed
		}
		rulesOf[r] = e
		return e
	}
	for _, rt := range routes {
		var steps []rules.Step
		var atoms []*rules.Atom
		var choices []*rules.Choice
		mine := priority(rt.router)
		for _, other := range routes {
			if other == rt || other.ep != rt.ep || other.Listener.TLS != rt.Listener.TLS || priority(other.router) <= mine {
				continue
			}
			e := ruleOf(other.router)
			e.collect(&atoms, &choices)
			steps = append(steps, rules.Step{Away: true, What: fmt.Sprintf("the router %s (priority %d)", other.router.Name, priority(other.router)), Cond: e.eval})
		}
		e := ruleOf(rt.router)
		e.collect(&atoms, &choices)
		steps = append(steps, rules.Step{What: "the rule of router " + rt.router.Name, Cond: e.eval})
		if t := rt.trustedIPs; t != nil {
			// The classes from the trusted addresses are told apart:
			// Traefik keeps their X-Forwarded-* headers (Emit), and
			// whether only proxies connect from there is not in the
			// repository.
			what := fmt.Sprintf("forwardedHeaders.trustedIPs of entry point %s (line %d)", t.entryPoint, t.at.Start.Line)
			if t.atom != nil {
				atoms = append(atoms, t.atom)
			}
			steps = append(steps, rules.Step{What: what, Cond: func(q rules.Request) (rules.Holds, []string) {
				switch {
				case t.atom == nil:
					return rules.HoldsMaybe, []string{t.err.Error()}
				case rules.AtomHolds(q, t.atom) == rules.HoldsNo:
					return rules.HoldsYes, nil
				}
				return rules.HoldsMaybe, []string{fmt.Sprintf("undecided whether only proxies connect from %s, whose own X-Forwarded-* headers Traefik keeps", t.text)}
			}})
		}
		for _, m := range rt.middlewareList(in) {
			steps = append(steps, middlewareSteps(m, rt.fromTrusted, &atoms, &choices)...)
		}
		bases := rules.ListenerClasses(rt.Route)
		for i := range bases {
			bases[i].Path = "" // Route.Path is the rule's text: the rule's own tests say the path
		}
		// Never nil (rules.ListenerAlone): where a route has none,
		// Model.Classes derives them from the listener with Route.Path,
		// here the rule's text, as their path.
		rt.Classes = rules.FollowSteps(bases, steps, atoms, choices, regionLimit)
	}
}

// middlewareSteps are the conditions under which middleware m lets a
// request through: not redirected by redirectScheme, from an address
// ipAllowList admits. redirectScheme takes the request's scheme from
// X-Forwarded-Proto when there is one, so where the entry point keeps the
// client's copy (trusted says for which requests: every one, those from
// the trustedIPs, none) the client decides whether it is redirected.
// (https://doc.traefik.io/traefik/middlewares/http/redirectscheme/)
func middlewareSteps(m *traefik.Middleware, trusted func(rules.Request) rules.Holds, atoms *[]*rules.Atom, choices *[]*rules.Choice) []rules.Step {
	var out []rules.Step
	if rs := m.RedirectScheme; rs != nil {
		scheme := strings.ToLower(rs.GetFold("scheme").Text())
		what := fmt.Sprintf("the redirectScheme of middleware %s (line %d)", m.Name, rs.Line().Start.Line)
		var claim *rules.Choice
		if trusted(rules.Request{}) != rules.HoldsNo && (scheme == "https" || scheme == "http") {
			claim = &rules.Choice{Text: "with X-Forwarded-Proto: " + scheme, Not: "without X-Forwarded-Proto: " + scheme}
			*choices = append(*choices, claim)
		}
		out = append(out, rules.Step{Away: true, What: what, Cond: func(q rules.Request) (rules.Holds, []string) {
			var other rules.Holds
			switch scheme {
			case "https":
				other = rules.HoldsOf(q.Class.Transport != rules.TransportTLS)
			case "http":
				other = rules.HoldsOf(q.Class.Transport == rules.TransportTLS)
			default:
				return rules.HoldsMaybe, []string{"the scheme " + scheme + " is not the request's"}
			}
			if claim == nil {
				return other, nil
			}
			// A claimed scheme is the target's, where the entry point
			// keeps it: no redirect.
			h := rules.AllHold(other, rules.AllHold(rules.ChoiceSent(q, claim), trusted(q)).Not())
			if h == rules.HoldsMaybe {
				return h, []string{"the client's X-Forwarded-Proto decides (forwardedHeaders trusts the client)"}
			}
			return h, nil
		}})
	}
	if len(m.SourceRange) > 0 {
		what := fmt.Sprintf("the ipAllowList of middleware %s", m.Name)
		var vals []string
		for _, v := range m.SourceRange {
			vals = append(vals, v.Text())
		}
		a, err := rules.NewAtom(rules.DimSource, rules.MatchIP, vals, false)
		switch {
		case m.SourceRangeStrategy != nil:
			out = append(out, rules.Step{What: what, Cond: func(rules.Request) (rules.Holds, []string) {
				return rules.HoldsMaybe, []string{"its ipStrategy takes the address from X-Forwarded-For"}
			}})
		case err != nil:
			out = append(out, rules.Step{What: what, Cond: func(rules.Request) (rules.Holds, []string) {
				return rules.HoldsMaybe, []string{err.Error()}
			}})
		default:
			*atoms = append(*atoms, a)
			out = append(out, rules.Step{What: what, Cond: func(q rules.Request) (rules.Holds, []string) { return rules.AtomHolds(q, a), nil }})
		}
	}
	return out
}
