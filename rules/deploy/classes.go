package deploy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mtlslint/mtlslint/rules"
)

// The cross-file rules judge per request class: for each class that
// travels a route (rules.Model.Classes), what the app receives for a
// header (rules.Model.Deliver) against what the app's check lets through
// (rules.Decision.Admits). A finding names the class that gets through;
// a route no class takes has none; a class or a check that could not be
// decided makes the finding medium at most.

// decisionsOf are the decisions an app makes on a trusted header: those
// the app builder found (app code, an authentication package), else, for
// a scheme header, the one its setting makes: exactly the value that means
// HTTPS, or where the app reads only the leftmost of several values, that
// the leftmost is (Django >= 4.1 reads SECURE_PROXY_SSL_HEADER's leftmost
// value; an unknown version is taken to be one of those); a scheme, host
// or port header without such a value is taken when present. A request
// gets through when one of them admits it.
func decisionsOf(t rules.Trust) []rules.Decision {
	if len(t.Decisions) > 0 {
		return t.Decisions
	}
	h := rules.HeaderName(t.Header)
	one := func(a rules.AcceptSet) rules.Decision {
		a.Header, a.Range = h, t.Range
		return rules.Decision{Sink: t.Source, Range: t.Range, Accepts: []rules.AcceptSet{a}}
	}
	if t.Value == "" {
		return []rules.Decision{one(rules.AcceptSet{Kind: rules.AcceptNonEmpty})}
	}
	out := []rules.Decision{one(rules.AcceptSet{Kind: rules.AcceptExactly, Values: []string{t.Value}})}
	if t.Source == "SECURE_PROXY_SSL_HEADER" {
		out = append(out, one(rules.AcceptSet{Kind: rules.AcceptPrefix, Values: []string{t.Value + ","}}))
	}
	return out
}

// breach is a class of a route on which a value the client chose gets
// past the app's check.
type breach struct {
	class   rules.RequestClass
	verdict rules.Verdict
	value   rules.Value // the value that gets through
	// why says how it gets through when that is not the check accepting
	// the value (a verified client's identity read from the part a
	// client wrote).
	why string
}

// how says how the breach gets through, for a detail: check is the
// app's check in words.
func (b breach) how(check string) string {
	if b.why != "" {
		return b.why
	}
	return fmt.Sprintf("the app receives %s, which its check at %s accepts", b.value, check)
}

// maybe reports whether the breach rests on something undecided. A value
// whose leftmost part is the client's own copy (HAProxy's add-header, a
// client's underscore twin arriving first) is not undecided for the part
// the judge could not evaluate: Django >= 4.1 and most code read the
// leftmost value, and the client chooses it.
func (b breach) maybe() bool {
	return b.verdict.Maybe && !clientLeads(b.value) || b.class.Maybe()
}

// clientLeads reports whether a joined value begins with the client's own
// copy of the header.
func clientLeads(v rules.Value) bool {
	return v.Kind == rules.ValueJoined && len(v.Parts) > 1 && v.Parts[0].Kind == rules.ValueClient && !v.Parts[0].FromCert
}

// clientPart reports whether (part of) a value is a copy of the header
// the client sent.
func clientPart(v rules.Value) bool {
	switch v.Kind {
	case rules.ValueClient:
		return !v.FromCert
	case rules.ValueJoined:
		for _, p := range v.Parts {
			if clientPart(p) {
				return true
			}
		}
	}
	return false
}

// lastIsProxys reports whether the last comma-separated element of a
// joined value is one the client did not write: the value a route appends
// after the client's copy (Envoy's APPEND_FORWARD element, HAProxy's
// add-header). An absent last part adds nothing: the client's own last
// element is read then.
func lastIsProxys(v rules.Value) bool {
	if v.Kind != rules.ValueJoined || len(v.Parts) == 0 {
		return false
	}
	last := v.Parts[len(v.Parts)-1]
	return last.Kind != rules.ValueAbsent && last.Kind != rules.ValueUnknown && !clientPart(last)
}

// breaches judges decision d on every class of route r: a class is a
// breach when a value with a part the client chose, among those that
// arrive for header h, gets past the check. With twin, only the values a
// client's underscore spelling makes (joined by app's server) count;
// without, only the proxy's own emission under the dash name. Certain
// breaches come first, then the classes in the route's order.
func breaches(m *rules.Model, r *rules.Route, app *rules.App, ds []rules.Decision, h string, twin bool, keep func(rules.RequestClass) bool) []breach {
	var out []breach
	for _, c := range m.Classes(r) {
		if keep != nil && !keep(c) {
			continue
		}
		full := m.Deliver(r, c, h, app)
		dash := m.Deliver(r, c, h, nil)
		var candidates []rules.Value
		for _, v := range full.Values {
			if !clientPart(v) {
				continue
			}
			inDash := false
			for _, w := range dash.Values {
				if w.String() == v.String() {
					inDash = true
				}
			}
			if inDash != twin {
				candidates = append(candidates, v)
			}
		}
		best := breach{}
		found := false
		for _, v := range candidates {
			for _, d := range ds {
				if slices.Contains(d.Last, h) && lastIsProxys(v) {
					continue // the sink takes the element the route appended
				}
				with := func(v rules.Value) rules.Verdict {
					return d.Admits(func(x string) rules.Delivery {
						del := m.Deliver(r, c, x, app)
						if rules.HeaderName(x) == h {
							del.Values = []rules.Value{v}
						}
						return del
					})
				}
				verdict := with(v)
				if !verdict.Admitted {
					continue
				}
				if v.Kind == rules.ValueJoined && !slices.Contains(d.Flows, h) && slices.ContainsFunc(full.Values, func(own rules.Value) bool {
					if own.Kind == rules.ValueJoined || clientPart(own) {
						return false
					}
					w := with(own)
					return w.Admitted && !w.Maybe
				}) {
					// The check lets the route's own value through as
					// well, and the header's value goes no further: the
					// client's copy in front of it changes nothing.
					continue
				}
				b := breach{class: c, verdict: verdict, value: v}
				if !found || best.maybe() && !b.maybe() {
					best, found = b, true
				}
			}
		}
		if found {
			out = append(out, best)
		}
	}
	sortBreaches(out)
	return out
}

// sortBreaches puts certain breaches first, keeping the order otherwise.
func sortBreaches(bs []breach) {
	slices.SortStableFunc(bs, func(a, b breach) int {
		switch {
		case !a.maybe() && b.maybe():
			return -1
		case a.maybe() && !b.maybe():
			return 1
		}
		return 0
	})
}

// severityOf is the severity of a finding about breaches: the rule's when
// the first is certain, else medium at most.
func severityOf(rule rules.Severity, bs []breach) rules.Severity {
	if len(bs) > 0 && bs[0].maybe() && rule > rules.Medium {
		return rules.Medium
	}
	return 0
}

// classesText names the classes that get through, for a detail.
func classesText(bs []breach) string {
	var parts []string
	for _, b := range bs {
		s := b.class.String()
		if b.maybe() && !b.class.Maybe() {
			s += " (if " + undecidedOf(b) + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(dedupe(parts), "; ")
}

// undecidedOf says what a possible breach rests on.
func undecidedOf(b breach) string {
	if b.class.Maybe() {
		return strings.Join(b.class.Undecided, "; ")
	}
	if i := strings.Index(b.verdict.Why, ", if "); i >= 0 {
		return b.verdict.Why[i+len(", if "):]
	}
	return "what the app's check accepts could not be decided"
}

// withClass appends the class that gets through to a message when it
// fits the length a message may have.
func withClass(msg string, bs []breach) string {
	if len(bs) == 0 {
		return msg
	}
	s := fmt.Sprintf("%s (%s)", msg, bs[0].class.String())
	if len([]rune(s)) <= rules.MaxMessage {
		return s
	}
	return msg
}

// resolveStray withdraws the proxy-side findings about header h (any the
// selected apps trust) on routes that lead to no app: routes no app is
// linked to although other routes of the same configuration file are
// linked by address (an ACME backend next to the app's). What reaches
// something that is not an app the model knows is not an app's trust.
func resolveStray(p *rules.Pass, m *rules.Model, trusted func(t rules.Trust) bool) {
	linked := map[*rules.Route]bool{}
	byAddress := map[string]bool{}
	for _, l := range m.Links {
		linked[l.Route] = true
		if l.How == "address" {
			byAddress[l.Route.Range.File] = true
		}
	}
	var headers []string
	for _, a := range m.Apps {
		for _, t := range a.Trusts {
			if trusted(t) && !slices.Contains(headers, rules.HeaderName(t.Header)) {
				headers = append(headers, rules.HeaderName(t.Header))
			}
		}
	}
	for _, r := range m.Routes {
		if linked[r] || !byAddress[r.Range.File] || len(r.Upstream.Servers) == 0 {
			continue
		}
		for _, h := range headers {
			p.Resolve(rules.RouteHeaderKey(r.ID, h))
		}
	}
}

// resolveUntrusted withdraws the proxy-side findings about a scheme header
// on a route whose apps are all known and none of which honours that header
// from the route (uvicorn with --no-proxy-headers and no app code reading
// it, gunicorn's defaults from a peer outside forwarded_allow_ips): what
// the client sends in it decides nothing. A route linked to an app only by
// guess, or to an app whose server is unknown (which may honour the header
// by default), keeps them; so does a route whose upstream address is not
// known (linked by topology or workload), where whether the proxy is a
// loopback peer the server's defaults admit is undecided.
func resolveUntrusted(p *rules.Pass, m *rules.Model) {
	byRoute := map[*rules.Route][]rules.Link{}
	var order []*rules.Route // model order, so that the resolutions are too
	for _, l := range m.Links {
		if byRoute[l.Route] == nil {
			order = append(order, l.Route)
		}
		byRoute[l.Route] = append(byRoute[l.Route], l)
	}
	undecided := func(l rules.Link) bool {
		return l.How == "guess" || l.App.Server == "" || l.App.Server == "unknown"
	}
	for _, r := range order {
		links := byRoute[r]
		if len(r.Upstream.Servers) == 0 || slices.ContainsFunc(links, undecided) {
			continue
		}
		for _, h := range rules.SchemeHeaders() {
			if rules.IsIdentityHeader(h) {
				continue
			}
			trusted := slices.ContainsFunc(links, func(l rules.Link) bool {
				return slices.ContainsFunc(l.App.Trusts, func(t rules.Trust) bool {
					return rules.HeaderName(t.Header) == h && l.App.Honours(t, r)
				})
			})
			if !trusted {
				p.Resolve(rules.RouteHeaderKey(r.ID, h))
			}
		}
	}
}

// underscoreBreaches are the classes of link l's route on which a client's
// underscore spelling of header h, joined by the app server with what the
// route sends, does harm: a request without a verified certificate gets
// past the app's check with it (a presence or prefix test on
// "SUCCESS,NONE", a DN that arrives alone), or a verified client's
// identity is taken from a part of the joined value, the part the client
// wrote (the first CN= of "CN=admin,<its own DN>"), or from the whole
// joined value where nothing looks it up. An exact comparison, and a
// lookup by the whole joined value, fail closed.
func underscoreBreaches(m *rules.Model, t rules.Trust, l rules.Link, h string) []breach {
	r, app := l.Route, l.App
	out := breaches(m, r, app, decisionsOf(t), h, true, attacker)
	for _, c := range m.Classes(r) {
		if attacker(c) {
			continue
		}
		deliver := m.Deliverer(r, c, app)
		for _, d := range t.Decisions {
			v := d.Admits(deliver)
			if !v.Admitted || v.Maybe {
				// Whether the joined value passes rests on the
				// certificate's own subject: the verified client is
				// judged by its own value, not this finding's.
				continue
			}
			for _, fh := range d.Flows {
				whole := !slices.Contains(d.Parsed, fh)
				if whole && (d.Lookup || slices.Contains(d.Keyed, fh)) {
					continue // a lookup of the whole joined value finds nothing
				}
				for _, val := range deliver(fh).Values {
					if val.Kind != rules.ValueJoined || !clientPart(val) || slices.Contains(d.Last, fh) && lastIsProxys(val) {
						continue
					}
					why := fmt.Sprintf("a verified client's %s arrives as %s and %s takes it as it is", rules.DisplayHeader(fh), val, d.Sink)
					if !whole {
						why = fmt.Sprintf("a verified client's %s arrives as %s and %s takes the identity from a part of it, which the client writes", rules.DisplayHeader(fh), val, d.Sink)
					}
					out = append(out, breach{class: c, verdict: v, value: val, why: why})
				}
			}
		}
	}
	sortBreaches(out)
	return out
}
