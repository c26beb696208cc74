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

// decisionsOf are the decisions an app's trust makes on its header alone,
// read from the comparison the app builder recorded: the accept set of the
// one check, and where the app reads only the leftmost of several values,
// the alternative that the leftmost is accepted (Django ≥ 4.1 reads
// SECURE_PROXY_SSL_HEADER's leftmost value; an unknown version is taken to
// be one of those). A request gets through when one of them admits it. An
// app whose builder records decisions per sink replaces this.
func decisionsOf(t rules.Trust) []rules.Decision {
	d := decisionOf(t)
	if t.Comparison == rules.CompareScheme && t.Source == "SECURE_PROXY_SSL_HEADER" {
		first := d
		first.Accepts = []rules.AcceptSet{{Header: rules.HeaderName(t.Header), Kind: rules.AcceptPrefix, Values: []string{t.Value + ","}, Range: t.Range}}
		return []rules.Decision{d, first}
	}
	return []rules.Decision{d}
}

func decisionOf(t rules.Trust) rules.Decision {
	a := rules.AcceptSet{Header: rules.HeaderName(t.Header), Range: t.Range}
	switch t.Comparison {
	case rules.CompareEquals, rules.CompareScheme:
		a.Kind, a.Values = rules.AcceptExactly, []string{t.Value}
	case rules.CompareNotEqual:
		a.Kind, a.Values, a.AcceptsAbsent = rules.AcceptAllExcept, []string{t.Value}, true
	case rules.ComparePrefix:
		a.Kind, a.Values = rules.AcceptPrefix, []string{t.Value}
	case rules.ComparePresence, rules.CompareIdentity, rules.CompareFirstOfList:
		a.Kind = rules.AcceptNonEmpty
	default:
		a.Kind = rules.AcceptUnknown
	}
	return rules.Decision{Sink: t.Source, Range: t.Range, Accepts: []rules.AcceptSet{a}}
}

// breach is a class of a route on which a value the client chose gets
// past the app's check.
type breach struct {
	class   rules.RequestClass
	verdict rules.Verdict
	value   rules.Value // the value that gets through
}

// maybe reports whether the breach rests on something undecided.
func (b breach) maybe() bool { return b.verdict.Maybe || b.class.Maybe() }

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

// breaches judges decision d on every class of route r: a class is a
// breach when a value with a part the client chose, among those that
// arrive for header h, gets past the check. With twin, only the values a
// client's underscore spelling makes (joined by app's server) count;
// without, only the proxy's own emission under the dash name. Certain
// breaches come first, then the classes in the route's order.
func breaches(m *rules.Model, r *rules.Route, app *rules.App, ds []rules.Decision, h string, twin bool, keep func(rules.RequestClass) bool) []breach {
	var certain, possible []breach
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
				verdict := d.Admits(func(x string) rules.Delivery {
					del := m.Deliver(r, c, x, app)
					if rules.HeaderName(x) == h {
						del.Values = []rules.Value{v}
					}
					return del
				})
				if !verdict.Admitted {
					continue
				}
				b := breach{class: c, verdict: verdict, value: v}
				if !found || best.maybe() && !b.maybe() {
					best, found = b, true
				}
			}
		}
		if !found {
			continue
		}
		if best.maybe() {
			possible = append(possible, best)
		} else {
			certain = append(certain, best)
		}
	}
	return append(certain, possible...)
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
