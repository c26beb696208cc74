package caddy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/caddy"
	"github.com/mtlslint/mtlslint/rules"
)

// Request classes of a Caddy route: which of the requests its site
// address admits reach the reverse_proxy. Caddy runs a block's handlers
// in its fixed directive order, not in the order written (redir first,
// then handle, handle_path and route, then respond, then reverse_proxy;
// directives of one name by the specificity of their path matcher), and
// a handler that answers (redir, respond, abort, error, another
// reverse_proxy) ends the request when its matcher holds. handle blocks
// at one level are mutually exclusive: the first whose matcher holds
// takes the request. A route block keeps the order written. Matchers test
// the path, the Host, the method, the client's address (remote_ip,
// client_ip) and the scheme (protocol http or https); header and query
// matchers are the client's choice; anything else is undecided.
// (https://caddyserver.com/docs/caddyfile/directives#directive-order,
// https://caddyserver.com/docs/caddyfile/matchers)

// directiveOrder is Caddy's standard order of HTTP handler directives
// (httpcaddyfile.directiveOrder, 2.6 through 2.8).
var directiveOrder = []string{
	"tracing", "map", "vars", "fs", "root", "log_append", "skip_log", "log_skip", "header", "copy_response_headers",
	"request_body", "redir", "method", "rewrite", "uri", "try_files", "basicauth", "basic_auth", "forward_auth",
	"request_header", "encode", "push", "intercept", "templates", "invoke", "handle", "handle_path", "route",
	"abort", "error", "copy_response", "respond", "metrics", "reverse_proxy", "php_fastcgi", "file_server", "acme_server",
}

// answers are the handlers that write a response and end the request.
var answers = map[string]bool{
	"redir": true, "respond": true, "abort": true, "error": true, "reverse_proxy": true,
	"php_fastcgi": true, "file_server": true, "acme_server": true, "copy_response": true,
}

func orderOf(name string) int {
	if i := slices.Index(directiveOrder, name); i >= 0 {
		return i
	}
	return len(directiveOrder)
}

// sortHandlers orders a block's directives as Caddy runs them
// (httpcaddyfile.sortRoutes): by directive; for one directive, when both
// match a single path, the longer path first (of two that differ only by
// a trailing "*", the shorter); otherwise one with a matcher before one
// without, and the order written.
func (b *builder) sortHandlers(ds []*caddy.Directive) []*caddy.Directive {
	out := slices.Clone(ds)
	sort.SliceStable(out, func(i, j int) bool {
		oi, oj := orderOf(out[i].Name), orderOf(out[j].Name)
		if oi != oj {
			return oi < oj
		}
		pi, pj := b.singlePath(out[i]), b.singlePath(out[j])
		if pi != "" && pj != "" {
			if strings.TrimSuffix(pi, "*") == strings.TrimSuffix(pj, "*") {
				return len(pi) < len(pj)
			}
			return len(pi) > len(pj)
		}
		return hasMatcher(out[i]) && !hasMatcher(out[j])
	})
	return out
}

// hasMatcher reports whether a directive has a matcher token.
func hasMatcher(d *caddy.Directive) bool {
	a := d.Arg(0)
	return strings.HasPrefix(a, "/") || strings.HasPrefix(a, "@")
}

// singlePath is the one path a directive's matcher tests, when its
// matcher is a single path ("/api/*", or a named matcher made of one
// path value); "" otherwise.
func (b *builder) singlePath(d *caddy.Directive) string {
	a := d.Arg(0)
	switch {
	case strings.HasPrefix(a, "/"):
		return a
	case strings.HasPrefix(a, "@"):
		if s := b.named[a]; s != nil {
			return s.onlyPath
		}
	}
	return ""
}

// test is one matcher of a matcher set.
type test struct {
	atom      *rules.Atom
	choice    *rules.Choice
	tls       *bool  // protocol https (true) or http (false)
	undecided string // a matcher the model does not evaluate
	not       *matcherSet
}

// matcherSet is a Caddy matcher set: every matcher in it holds.
type matcherSet struct {
	text  string // "@api (line 3)", "/api/*"
	tests []test
	// onlyPath is the path of a set whose path matcher has one value
	// (whatever else the set tests), for Caddy's ordering of directives.
	onlyPath string
}

// matchers are matcher sets of which one must hold (JSON's match list);
// nil matches every request.
type matchers []*matcherSet

func (s *matcherSet) eval(q rules.Request) (rules.Holds, []string) {
	h := rules.HoldsYes
	var why []string
	for _, t := range s.tests {
		var th rules.Holds
		switch {
		case t.atom != nil:
			th = rules.AtomHolds(q, t.atom)
		case t.choice != nil:
			th = rules.ChoiceSent(q, t.choice)
		case t.tls != nil:
			th = rules.HoldsOf((q.Class.Transport == rules.TransportTLS) == *t.tls)
		case t.not != nil:
			var w []string
			th, w = t.not.eval(q)
			th = th.Not()
			why = append(why, w...)
		default:
			th = rules.HoldsMaybe
			why = append(why, t.undecided)
		}
		h = rules.AllHold(h, th)
	}
	return h, why
}

func (m matchers) eval(q rules.Request) (rules.Holds, []string) {
	if m == nil {
		return rules.HoldsYes, nil
	}
	h := rules.HoldsNo
	var why []string
	for _, s := range m {
		sh, w := s.eval(q)
		h = rules.AnyHolds(h, sh)
		why = append(why, w...)
	}
	return h, why
}

func (m matchers) String() string {
	var out []string
	for _, s := range m {
		out = append(out, s.text)
	}
	return strings.Join(out, " or ")
}

// collect adds the atoms and choices the matchers test to a way.
func (m matchers) collect(w *way) {
	var walk func(s *matcherSet)
	walk = func(s *matcherSet) {
		for _, t := range s.tests {
			switch {
			case t.atom != nil && !slices.Contains(w.atoms, t.atom):
				w.atoms = append(w.atoms, t.atom)
			case t.choice != nil && !slices.Contains(w.choices, t.choice):
				w.choices = append(w.choices, t.choice)
			case t.not != nil:
				walk(t.not)
			}
		}
	}
	for _, s := range m {
		walk(s)
	}
}

// way is what a request meets on its way to a handler: the steps, and
// the atoms and choices they test.
type way struct {
	steps   []rules.Step
	atoms   []*rules.Atom
	choices []*rules.Choice
}

func (w way) with(away bool, what string, m matchers) way {
	out := way{steps: slices.Clone(w.steps), atoms: slices.Clone(w.atoms), choices: slices.Clone(w.choices)}
	if m == nil && !away {
		return out
	}
	out.steps = append(out.steps, rules.Step{Away: away, What: what, Cond: m.eval})
	m.collect(&out)
	return out
}

// builder reads matchers once per site, so that a named matcher used
// twice is one test.
type builder struct {
	named  map[string]*matcherSet
	inline map[*caddy.Directive]matchers
}

func newBuilder(ds []*caddy.Directive) *builder {
	b := &builder{named: map[string]*matcherSet{}, inline: map[*caddy.Directive]matchers{}}
	var walk func(ds []*caddy.Directive)
	walk = func(ds []*caddy.Directive) {
		for _, d := range ds {
			if strings.HasPrefix(d.Name, "@") {
				b.named[d.Name] = defineMatcher(d)
			}
			walk(d.Children)
		}
	}
	walk(ds)
	return b
}

// matchersOf returns the matcher of directive d: its first argument when
// that is "*", a path or "@name"; nil when it has none.
func (b *builder) matchersOf(d *caddy.Directive) matchers {
	if m, ok := b.inline[d]; ok {
		return m
	}
	a := d.Arg(0)
	var m matchers
	switch {
	case strings.HasPrefix(a, "/"):
		s := &matcherSet{text: "path " + a}
		s.tests = append(s.tests, pathTest([]string{a}))
		m = matchers{s}
	case strings.HasPrefix(a, "@"):
		if s := b.named[a]; s != nil {
			m = matchers{s}
		} else {
			m = matchers{{text: a, tests: []test{{undecided: "the matcher " + a + " is not defined in this site"}}}}
		}
	}
	b.inline[d] = m
	return m
}

// defineMatcher reads a named matcher: "@name path /a /b" on one line,
// or a block of matcher lines.
func defineMatcher(d *caddy.Directive) *matcherSet {
	s := &matcherSet{text: fmt.Sprintf("%s (line %d)", d.Name, d.Head.Start.Line)}
	lines := d.Children
	if len(d.Args) > 0 {
		lines = []*caddy.Directive{{Name: d.Arg(0), Args: d.Args[1:], Children: d.Children, Head: d.Head}}
	}
	s.tests = matcherTests(lines)
	// Caddy sorts by the set's path matcher alone (its path lines are one
	// matcher), whatever else the set tests.
	var paths []string
	for _, l := range lines {
		if l.Name == "path" {
			paths = append(paths, l.ArgTexts()...)
		}
	}
	if len(paths) == 1 {
		s.onlyPath = paths[0]
	}
	return s
}

// matcherTests reads the matcher lines of a set. Lines of one type that
// take a list (path, host, method, remote_ip) are one matcher: any of
// their values.
func matcherTests(lines []*caddy.Directive) []test {
	var out []test
	lists := map[string][]string{}
	var order []string
	for _, l := range lines {
		switch l.Name {
		case "path", "host", "method", "remote_ip", "client_ip":
			if _, ok := lists[l.Name]; !ok {
				order = append(order, l.Name)
			}
			lists[l.Name] = append(lists[l.Name], l.ArgTexts()...)
		case "protocol":
			switch strings.ToLower(l.Arg(0)) {
			case "https":
				out = append(out, test{tls: ptr(true)})
			case "http":
				out = append(out, test{tls: ptr(false)})
			default:
				out = append(out, test{choice: &rules.Choice{Text: "over " + l.Arg(0), Not: "not over " + l.Arg(0)}})
			}
		case "header", "query", "header_regexp":
			what := strings.Join(l.ArgTexts(), " ")
			out = append(out, test{choice: &rules.Choice{Text: "with " + l.Name + " " + what, Not: "without " + l.Name + " " + what}})
		case "path_regexp":
			re := l.Arg(len(l.Args) - 1)
			a, err := rules.NewAtom(rules.DimPath, rules.MatchRegex, []string{re}, false)
			if err != nil {
				out = append(out, test{undecided: "the matcher `path_regexp " + re + "` holds (" + err.Error() + ")"})
				continue
			}
			out = append(out, test{atom: a})
		case "not":
			inner := &matcherSet{text: "not"}
			if len(l.Args) > 0 {
				inner.tests = matcherTests([]*caddy.Directive{{Name: l.Arg(0), Args: l.Args[1:], Head: l.Head}})
			} else {
				inner.tests = matcherTests(l.Children)
			}
			out = append(out, test{not: inner})
		default:
			out = append(out, test{undecided: fmt.Sprintf("the matcher `%s` (line %d) holds", strings.TrimSpace(l.Name+" "+strings.Join(l.ArgTexts(), " ")), l.Head.Start.Line)})
		}
	}
	for _, name := range order {
		vals := lists[name]
		switch name {
		case "path":
			out = append(out, pathTest(vals))
		case "host":
			out = append(out, atomTest(rules.DimHost, rules.MatchDomain, vals, "host"))
		case "method":
			for i := range vals {
				vals[i] = strings.ToUpper(vals[i])
			}
			out = append(out, atomTest(rules.DimMethod, rules.MatchExact, vals, "method"))
		default:
			out = append(out, ipTest(name, vals))
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func atomTest(d rules.Dimension, k rules.MatchKind, vals []string, name string) test {
	a, err := rules.NewAtom(d, k, vals, false)
	if err != nil {
		return test{undecided: fmt.Sprintf("the matcher `%s %s` holds (%v)", name, strings.Join(vals, " "), err)}
	}
	return test{atom: a}
}

// privateRanges are what Caddy's private_ranges shorthand stands for.
var privateRanges = []string{"192.168.0.0/16", "172.16.0.0/12", "10.0.0.0/8", "127.0.0.1/8", "fd00::/8", "::1"}

func ipTest(name string, vals []string) test {
	var nets []string
	for _, v := range vals {
		switch v {
		case "forwarded":
			return test{undecided: "the matcher `" + name + " forwarded` holds (the client's X-Forwarded-For decides)"}
		case "private_ranges":
			nets = append(nets, privateRanges...)
		default:
			nets = append(nets, v)
		}
	}
	return atomTest(rules.DimSource, rules.MatchIP, nets, name)
}

// pathTest is Caddy's path matcher: "/api/*" a prefix, "*.php" a
// suffix, anything else the exact path, without regard to case; a "*"
// in the middle is a pattern not followed here.
func pathTest(vals []string) test {
	var exact, prefix, suffix []string
	for _, v := range vals {
		switch {
		case v == "*":
			prefix = append(prefix, "/")
		case strings.Count(v, "*") == 1 && strings.HasSuffix(v, "*"):
			prefix = append(prefix, strings.TrimSuffix(v, "*"))
		case strings.Count(v, "*") == 1 && strings.HasPrefix(v, "*"):
			suffix = append(suffix, strings.TrimPrefix(v, "*"))
		case !strings.Contains(v, "*"):
			exact = append(exact, v)
		default:
			return test{undecided: "the path pattern " + v + " matches"}
		}
	}
	// One atom for the whole list, so that "any of them" is one test.
	a := &rules.Atom{Dim: rules.DimPath}
	a.Text, a.Not = "path "+strings.Join(vals, " or "), "path not "+strings.Join(vals, " or ")
	for _, p := range exact {
		a.Try = append(a.Try, p, p+"x", p+"/x")
	}
	for _, p := range prefix {
		a.Try = append(a.Try, p, p+"x")
		if t := strings.TrimSuffix(p, "/"); t != "" {
			// Not "" for "/*": no request has an empty path.
			a.Try = append(a.Try, t)
		}
	}
	for _, p := range suffix {
		a.Try = append(a.Try, "/x"+p)
	}
	a.Match = func(v string) bool {
		v = strings.ToLower(v)
		for _, p := range exact {
			if v == strings.ToLower(p) {
				return true
			}
		}
		for _, p := range prefix {
			if strings.HasPrefix(v, strings.ToLower(p)) {
				return true
			}
		}
		for _, p := range suffix {
			if strings.HasSuffix(v, strings.ToLower(p)) {
				return true
			}
		}
		return false
	}
	return test{atom: a}
}

// respondsAlways reports whether a block answers every request that
// enters it: a handler that answers, without a matcher.
func respondsAlways(ds []*caddy.Directive) bool {
	for _, d := range ds {
		if answers[d.Name] && (d.Arg(0) == "*" || !strings.HasPrefix(d.Arg(0), "/") && !strings.HasPrefix(d.Arg(0), "@")) {
			return true
		}
		switch d.Name {
		case "handle", "handle_path", "route":
			if d.Arg(0) == "" && respondsAlways(d.Children) {
				return true
			}
		}
	}
	return false
}

// describe names a directive for an undecided condition.
func describe(d *caddy.Directive) string {
	return fmt.Sprintf("`%s` (line %d)", rules.Clip(d.String(), 60), d.Head.Start.Line)
}

// wayInBlock returns the way to directive target in block ds (entered
// on way w): the handlers Caddy runs before it at that level that may
// answer the request or take it into another handle block, then the
// target's own matcher. literal: a route block, which keeps the order
// written.
func (b *builder) wayInBlock(w way, ds []*caddy.Directive, target *caddy.Directive, literal bool) way {
	order := ds
	if !literal {
		order = b.sortHandlers(ds)
	}
	for _, d := range order {
		if d == target {
			break
		}
		m := b.matchersOf(d)
		switch {
		case answers[d.Name]:
			w = w.with(true, describe(d), orAll(m))
		case d.Name == "handle" || d.Name == "handle_path":
			// Mutually exclusive: an earlier handle whose matcher
			// holds takes the request, whatever it does with it.
			if target.Name == "handle" || target.Name == "handle_path" || respondsAlways(d.Children) {
				w = w.with(true, describe(d), orAll(m))
			}
		case d.Name == "route":
			if respondsAlways(d.Children) {
				w = w.with(true, describe(d), orAll(m))
			}
		}
	}
	return w.with(false, describe(target), b.matchersOf(target))
}

// orAll is a matcher that holds for every request where m is nil (an
// answering handler without a matcher), else m.
func orAll(m matchers) matchers {
	if m == nil {
		return matchers{{text: "every request"}}
	}
	return m
}

// classesOf sets the classes of a route from the way to its
// reverse_proxy.
func (r *route) classesOf() {
	bases, split := r.policyClasses()
	switch {
	case r.px.way != nil:
		r.Classes = rules.ListenerAlone(r.Route, rules.FollowSteps(bases, r.px.way.steps, r.px.way.atoms, r.px.way.choices, regionLimit))
	case split:
		r.Classes = rules.ListenerAlone(r.Route, bases)
	}
}

// policyClasses are the classes the route's listener admits: by server
// name when a JSON server's connection policies authenticate clients
// differently (split), the first policy whose server names match
// deciding, as Caddy picks them.
func (r *route) policyClasses() ([]rules.RequestClass, bool) {
	ps := r.site.policies
	if !r.Listener.TLS || len(ps) < 2 {
		return rules.ListenerClasses(r.Route), false
	}
	var out []rules.RequestClass
	var earlier []string
	seen := map[string]bool{}
	for _, p := range ps {
		x := *r.Route
		x.Listener.Verify = p.auth.verify()
		x.Gated = x.Listener.Verify == rules.VerifyRequired
		sni := ""
		if len(p.sni) > 0 {
			sni = strings.Replace(p.sni[0], "*", "www", 1)
		}
		for _, c := range rules.ListenerClasses(&x) {
			c.SNI, c.Witness.SNI = sni, sni
			if sni != "" {
				c.Range = p.at
			} else if len(earlier) > 0 {
				c.Where = append(c.Where, "SNI not "+strings.Join(earlier, " or "))
			}
			key := c.String()
			if !seen[key] {
				seen[key] = true
				out = append(out, c)
			}
		}
		if len(p.sni) == 0 {
			break // every later policy is unreachable
		}
		earlier = append(earlier, p.sni...)
	}
	return out, true
}

// regionLimit bounds the regions a route's matchers split requests into.
const regionLimit = 256
