package deploy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// The app's checks against what each route delivers: X002 and X006 ask
// the one judge (rules.Decision.Admits, through Trust.Admits) which
// request classes of a route get past the app's decisions, and report the
// classes that should not (a request without a verified certificate) and
// a route whose verified clients never get past (a lock-out). The same
// answers withdraw the single-side findings a route makes safe: the app's
// D019/D020, the proxy's N003/N004/H003/K001.

// deliverFor is what one request class of a route delivers, per header
// (rules.Model.Deliver). The app is not passed on: a client's underscore
// spelling joining the proxy's value is X005's finding, not a second one
// here.
func deliverFor(m *rules.Model, r *rules.Route, c rules.RequestClass) func(string) rules.Delivery {
	return deliverTo(m, r, c, nil)
}

// deliverTo is what one request class of a route delivers to app, per
// header; a WSGI variable the app server sets itself (environ:…) is no
// proxy header and arrives from no route.
func deliverTo(m *rules.Model, r *rules.Route, c rules.RequestClass, app *rules.App) func(string) rules.Delivery {
	deliver := m.Deliverer(r, c, app)
	return func(h string) rules.Delivery {
		if strings.HasPrefix(h, "environ:") {
			return rules.Delivery{Header: h, Class: c, Values: []rules.Value{rules.Absent}}
		}
		return deliver(h)
	}
}

// attacker reports whether requests of the class have no verified
// certificate: they must not get what a verified client gets.
func attacker(c rules.RequestClass) bool {
	return c.Transport != rules.TransportTLS || c.Cert != rules.CertVerified
}

// judgement is a trust judged on one route.
type judgement struct {
	model *rules.Model
	route *rules.Route
	link  rules.Link
	// admitted is the first class without a verified certificate that
	// gets through, with the verdict and the decision.
	admitted *rules.RequestClass
	verdict  rules.Verdict
	decision rules.Decision
	// lockout: the route admits verified clients, and the trust's check
	// on its own header refuses what they arrive with.
	lockout bool
	// verified: the route has a class of verified clients.
	verified bool
}

// judge judges a trust on one route: which classes get through.
func judge(m *rules.Model, t rules.Trust, l rules.Link) judgement {
	r := l.Route
	j := judgement{model: m, route: r, link: l}
	h := rules.HeaderName(t.Header)
	classes := slices.Clone(m.Classes(r))
	// the worst first: a certificate the client made, then none
	sort.SliceStable(classes, func(i, k int) bool {
		return classes[i].Cert == rules.CertUntrusted && classes[k].Cert != rules.CertUntrusted
	})
	for _, c := range classes {
		deliver := deliverFor(m, r, c)
		if !attacker(c) {
			// a lock-out when no verified client gets past
			refused := refusesOwn(t, h, deliver)
			j.lockout = refused && (j.lockout || !j.verified)
			j.verified = true
			continue
		}
		if j.admitted != nil {
			continue
		}
		if v, dec := t.Admits(deliver); v.Admitted {
			c := c
			j.admitted, j.verdict, j.decision = &c, v, dec
		}
	}
	return j
}

// refusesOwn reports whether every decision of the trust refuses, on the
// trust's own header, what the class delivers: the check itself never
// holds (not a check on another header that fails).
func refusesOwn(t rules.Trust, h string, deliver func(string) rules.Delivery) bool {
	if len(t.Decisions) == 0 {
		return false
	}
	for _, d := range t.Decisions {
		own := rules.Decision{Sink: d.Sink}
		for _, a := range d.Accepts {
			if a.Header == h {
				own.Accepts = append(own.Accepts, a)
			}
		}
		if len(own.Accepts) == 0 {
			return false
		}
		if v := own.Admits(deliver); v.Admitted {
			return false
		}
	}
	return true
}

// identityTrusts are the app's trusts in identity headers that decide
// something: every read of every header, each judged.
func identityTrusts(a *rules.App) []rules.Trust {
	var out []rules.Trust
	for _, t := range a.Trusts {
		if !isSchemeTrust(t) && len(t.Decisions) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// safeRoutes returns the routes on which no app behind them lets a
// request without a verified certificate get past its checks on identity
// headers, while some app does decide on one: there the proxy-side
// warnings about optional verification are withdrawn.
func safeRoutes(m *rules.Model) map[*rules.Route]bool {
	decided := map[*rules.Route]bool{}
	unsafe := map[*rules.Route]bool{}
	for _, app := range m.Apps {
		for _, t := range identityTrusts(app) {
			for _, l := range m.RoutesTo(app) {
				if spoofable(l.Route.Header(rules.HeaderName(t.Header)).Action) {
					unsafe[l.Route] = true
					continue
				}
				decided[l.Route] = true
				if j := judge(m, t, l); j.admitted != nil {
					unsafe[l.Route] = true
				}
			}
		}
	}
	out := map[*rules.Route]bool{}
	for r := range decided {
		if !unsafe[r] {
			out[r] = true
		}
	}
	return out
}

// withdrawSafe withdraws the proxy-side findings about optional
// verification on routes the apps' checks make safe: X002 those of the
// routes that forward a verification result (and the findings about the
// verification code's header), X006 those of the routes that forward
// none.
func withdrawSafe(p *rules.Pass, m *rules.Model, forwarding bool) {
	safe := safeRoutes(m)
	routes := make([]*rules.Route, 0, len(safe))
	for r := range safe {
		if _, _, fw := verifyHeader(r); fw == forwarding {
			routes = append(routes, r)
		}
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].ID < routes[j].ID })
	for _, r := range routes {
		if r.Listener.VerifyRange.IsValid() {
			p.Resolve(rules.VerifyKey(r.Listener.VerifyRange))
		}
		for h, tr := range r.Headers {
			if tr.Fact == rules.FactVerifyCode {
				p.Resolve(rules.RouteHeaderKey(r.ID, h))
			}
		}
	}
}

// withdrawAppOnly withdraws the app-only findings about a trust's check
// once routes reach the app: the cross-file findings judge it against
// what they send, and replace or make them unnecessary.
func withdrawAppOnly(p *rules.Pass, t rules.Trust) {
	p.Resolve(rules.AppReadKey(t.Range, rules.CheckWeak, t.Header))
	p.Resolve(rules.AppReadKey(t.Range, rules.CheckZero, t.Header))
}

// withdrawVerifiedPEM withdraws the app-only finding about a forwarded
// certificate trusted by its names alone (D022) where every request class
// of every route to the app delivers, for that header, a certificate the
// proxy verified against its CA, or none: the names are then those of a
// certificate the CA issued. A direct path known to be open is a class
// whose headers are the client's; an undecided one is X004's finding.
func withdrawVerifiedPEM(p *rules.Pass, m *rules.Model, app *rules.App, links []rules.Link) {
	if len(links) == 0 {
		return
	}
	open, _ := m.DirectPaths(app)
	for _, d := range open {
		if !d.Maybe() {
			return
		}
	}
	for _, t := range app.Trusts {
		if strings.Contains(strings.ToUpper(t.Header), "CERT") && verifiedOrNone(m, app, links, rules.HeaderName(t.Header)) {
			p.Resolve(rules.AppReadKey(t.Range, rules.CheckPEM, t.Header))
		}
	}
}

// verifiedOrNone reports whether every class of every route delivers, for
// header h as app reads it, a value the proxy decides (none, or a
// constant) or a certificate fact of a verified handshake.
func verifiedOrNone(m *rules.Model, app *rules.App, links []rules.Link, h string) bool {
	for _, l := range links {
		for _, c := range m.Classes(l.Route) {
			for _, v := range m.Deliver(l.Route, c, h, app).Values {
				switch v.Kind {
				case rules.ValueAbsent, rules.ValueConst:
				case rules.ValueTLSFact:
					if c.Transport != rules.TransportTLS || c.Cert != rules.CertVerified || len(c.Undecided) > 0 {
						return false
					}
				default:
					return false
				}
			}
		}
	}
	return true
}

// verifyHeader returns the header a route sets from the verification
// result, if any.
func verifyHeader(r *rules.Route) (string, rules.HeaderTreatment, bool) {
	names := make([]string, 0, len(r.Headers))
	for h := range r.Headers {
		names = append(names, h)
	}
	sort.Strings(names)
	for _, h := range names {
		tr := r.Headers[h]
		if tr.Action.Overwrites() && (tr.Fact == rules.FactVerify || tr.Fact == rules.FactVerifyCode) {
			return h, tr, true
		}
	}
	return "", rules.HeaderTreatment{}, false
}

// checkSemantics is X002: on routes that forward a verification result,
// a check that lets a request without a verified certificate through, or
// that never lets a verified client through.
func checkSemantics(p *rules.Pass) {
	m := rules.ModelOf(p)
	withdrawSafe(p, m, true)
	reported := map[string]bool{}
	for _, app := range m.Apps {
		links := m.RoutesTo(app)
		withdrawVerifiedPEM(p, m, app, links)
		for _, t := range identityTrusts(app) {
			if len(links) > 0 {
				withdrawAppOnly(p, t)
			}
			h := rules.HeaderName(t.Header)
			for _, l := range links {
				r := l.Route
				tr := r.Header(h)
				if spoofable(tr.Action) {
					continue // X001's
				}
				vh, vtr, forwards := verifyHeader(r)
				j := judge(m, t, l)
				// a check that refuses verified clients and admits the
				// others is inverted: the bypass below is the finding
				if j.lockout && j.admitted == nil && tr.Action.Overwrites() {
					k := "lockout|" + r.ID + "|" + t.Range.String()
					if !reported[k] {
						reported[k] = true
						p.Report(lockoutDiagnostic(t, j, tr))
					}
				}
				if j.admitted == nil || !forwards && !forgedIdentity(j) {
					continue // X006's when the route forwards no verification result
				}
				k := "bypass|" + r.ID + "|" + j.decision.Range.String() + "|" + j.decision.Sink
				if reported[k] {
					continue
				}
				reported[k] = true
				p.Report(bypassDiagnostic(t, j, h, tr, vh, vtr))
			}
		}
	}
}

// bypassDiagnostic places a bypass where its fix belongs: the proxy's
// directive when the proxy forwards what no check can tell apart (the
// subject of a certificate it did not verify, a verification code that is
// 0 without a certificate), else the app's read.
// weakKey is the key of a bypass: that of the app-only finding (D019) on
// the read whose check lets the request through, the verification
// header's when the decision tests it, else the trust's.
func weakKey(j judgement, t rules.Trust, vh string) rules.Key {
	if vh != "" {
		for _, o := range j.link.App.Trusts {
			if rules.HeaderName(o.Header) != vh {
				continue
			}
			for _, d := range o.Decisions {
				if d.Range == j.decision.Range && d.Sink == j.decision.Sink {
					return rules.AppReadKey(o.Range, rules.CheckWeak, o.Header)
				}
			}
		}
	}
	return rules.AppReadKey(t.Range, rules.CheckWeak, t.Header)
}

// checkAt is where the decision tests the first of the headers that it
// tests (the verification header before the identity), else at.
func checkAt(d rules.Decision, at source.Range, headers ...string) source.Range {
	for _, h := range headers {
		for _, a := range d.Accepts {
			if h != "" && a.Header == h && a.Range.IsValid() {
				return a.Range
			}
		}
	}
	return at
}

// forgedIdentity reports whether the judgement admits a client with a
// certificate nobody verified, whose subject (which the client chose) the
// app takes: critical whether or not the route forwards a verification
// result, and placed at the verification directive.
func forgedIdentity(j judgement) bool {
	r := j.route
	return j.admitted != nil && j.admitted.Cert == rules.CertUntrusted && r.Listener.VerifyRange.IsValid() && untrustedIdentity(j.decision, r)
}

func bypassDiagnostic(t rules.Trust, j judgement, h string, tr rules.HeaderTreatment, vh string, vtr rules.HeaderTreatment) rules.Diagnostic {
	r := j.route
	shown := []string{vh, h}
	if vh == "" {
		shown = shown[1:]
	}
	sev := rules.Critical
	if j.verdict.Maybe {
		sev = rules.Medium
	}
	d := rules.Diagnostic{
		Severity: sev,
		Range:    checkAt(j.decision, t.Range, vh, h),
		Key:      weakKey(j, t, vh),
		Message:  rules.Reaches(checkName(t), j.admitted.String(), j.decision.Sink),
		Detail: fmt.Sprintf("On route %s, %s; the app's check at %s:%d (%s) lets it through.",
			r.Desc, deliveryText(j.model, r, *j.admitted, shown...), t.Range.File, t.Range.Start.Line, j.verdict.Why) + guessNote(j.link),
		Related: []source.Related{{Range: anchorOf(r, vtr), Message: "route " + r.Desc + " sets " + rules.DisplayHeader(vh) + " from " + vtr.Value},
			{Range: j.decision.Range, Message: "protected work reached here"}},
		FixTitle: "compare the verification result exactly (== \"SUCCESS\"; HAProxy: a certificate-used flag and == \"0\")",
	}
	switch {
	case forgedIdentity(j):
		// the proxy forwards the subject of a certificate nobody verified
		d.Range = r.Listener.VerifyRange
		if !j.verdict.Maybe || j.admitted.Maybe() {
			d.Key = rules.VerifyKey(r.Listener.VerifyRange)
		}
		// else the proxy's part is decided and only the app's own checks
		// are not: the finding keeps its own key, so that it does not
		// replace the proxy-side finding (R001, C001, ...), which is certain.
		d.Related = []source.Related{trustRelated(t), {Range: j.decision.Range, Message: "protected work reached here"}}
		d.FixTitle = "require verification, or check the verification result before trusting the subject"
	case vtr.Fact == rules.FactVerifyCode && !usedGuarded(r, vtr) && j.admitted.Cert == rules.CertNone:
		// HAProxy's code is 0 for a verified certificate and for none
		d.Range, d.Key = anchorOf(r, vtr), rules.RouteHeaderKey(r.ID, vh)
		d.Related = []source.Related{trustRelated(t), {Range: j.decision.Range, Message: "protected work reached here"}}
		d.FixTitle = "set the header only when a certificate was used, or forward whether one was and check it"
	}
	return d
}

// untrustedIdentity reports whether the decision takes a header the route
// sets from an unverified certificate.
func untrustedIdentity(d rules.Decision, r *rules.Route) bool {
	for _, h := range d.Flows {
		if tr := r.Header(h); tr.Action == rules.SetTLS && tr.Fact != rules.FactVerify && tr.Fact != rules.FactVerifyCode {
			return true
		}
	}
	for _, a := range d.Accepts {
		if tr := r.Header(a.Header); tr.Action == rules.SetTLS && tr.Fact != rules.FactVerify && tr.Fact != rules.FactVerifyCode && tr.Fact != rules.FactCertUsed {
			return true
		}
	}
	return false
}

func lockoutDiagnostic(t rules.Trust, j judgement, tr rules.HeaderTreatment) rules.Diagnostic {
	r := j.route
	return rules.Diagnostic{
		Severity: rules.Medium,
		Range:    t.Range,
		Key:      rules.AppReadRouteKey(t.Range, rules.CheckSemantics, t.Header, r.ID),
		Message:  fmt.Sprintf("%s never holds for verified clients of route %s: a lock-out", rules.Clip(checkName(t), 45), rules.Clip(shortDesc(r), 30)),
		Detail: fmt.Sprintf("Route %s sets %s from %s, and the app's check at %s:%d (%s) refuses what a verified client arrives with.",
			r.Desc, rules.DisplayHeader(t.Header), tr.Value, t.Range.File, t.Range.Start.Line, t.Check()) + guessNote(j.link),
		Related:  []source.Related{{Range: anchorOf(r, tr), Message: "route " + r.Desc + " sets " + rules.DisplayHeader(t.Header) + " = " + tr.Value}},
		FixTitle: "compare with what the proxy sends for a verified certificate",
	}
}

// checkName names a trust's check: "X-SSL-Client-Verify != \"FAILED\"".
func checkName(t rules.Trust) string {
	c := t.Check()
	if c == "taken as the identity" {
		return rules.DisplayHeader(t.Header) + " taken as identity"
	}
	return rules.DisplayHeader(t.Header) + " " + c
}

// shortDesc is the route's description up to its first comma.
func shortDesc(r *rules.Route) string {
	d, _, _ := strings.Cut(r.Desc, ",")
	return d
}

// deliveryText says what a class delivers for the headers that matter.
func deliveryText(m *rules.Model, r *rules.Route, c rules.RequestClass, headers ...string) string {
	var parts []string
	seen := map[string]bool{}
	for _, h := range headers {
		if h == "" || seen[h] {
			continue
		}
		seen[h] = true
		d := deliverFor(m, r, c)(h)
		parts = append(parts, fmt.Sprintf("%s arrives as %s", rules.DisplayHeader(h), valuesText(d.Values)))
	}
	return fmt.Sprintf("%s: %s", c, strings.Join(parts, ", "))
}

func valuesText(vs []rules.Value) string {
	if len(vs) == 0 {
		return "an undecided value"
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	return strings.Join(parts, " or ")
}

// versionDecides reports whether what header h carries on class c of
// route r depends on a proxy version the repository does not pin (Caddy's
// certificate placeholders without a certificate): a possible admission
// that X006 reports at medium, saying which versions admit.
func versionDecides(r *rules.Route, c rules.RequestClass, h string) bool {
	return r.Header(h).NoCert.Undecided() && c.Transport == rules.TransportTLS && c.Cert == rules.CertNone
}

// checkUnverified is X006: a route that lets requests without a verified
// certificate through, forwards no verification result, and sets an
// identity header the app's check then lets through.
func checkUnverified(p *rules.Pass) {
	m := rules.ModelOf(p)
	withdrawSafe(p, m, false)
	type hit struct {
		j judgement
		t rules.Trust
	}
	var order []string
	byDirective := map[string][]hit{}
	for _, app := range m.Apps {
		for _, t := range identityTrusts(app) {
			h := rules.HeaderName(t.Header)
			for _, l := range m.RoutesTo(app) {
				r := l.Route
				if !r.Listener.TLS || spoofable(r.Header(h).Action) {
					continue
				}
				if _, _, forwards := verifyHeader(r); forwards {
					continue // X002's
				}
				j := judge(m, t, l)
				if j.admitted == nil || j.verdict.Maybe && !versionDecides(r, *j.admitted, h) || forgedIdentity(j) {
					continue // forged identities are X002's
				}
				k := r.Listener.VerifyRange.String()
				if !r.Listener.VerifyRange.IsValid() {
					k = r.Range.String()
				}
				if c := j.admitted; c.SNI != "" && c.Range.IsValid() {
					k = c.Range.String() // the TLS server name's own settings (a crt-list entry)
				}
				if _, ok := byDirective[k]; !ok {
					order = append(order, k)
				}
				byDirective[k] = append(byDirective[k], hit{j, t})
			}
		}
	}
	for _, k := range order {
		hits := byDirective[k]
		j, t := hits[0].j, hits[0].t
		r := j.route
		at, key := r.Range, rules.RouteKey(r.ID, "unverified")
		verify := "verify " + r.Listener.Verify.String()
		if r.Listener.VerifyRange.IsValid() {
			at, key = r.Listener.VerifyRange, rules.VerifyKey(r.Listener.VerifyRange)
		}
		if c := j.admitted; c.SNI != "" && c.Range.IsValid() {
			// the server name selects settings of its own (a crt-list
			// entry): the fix belongs there
			at, key, verify = c.Range, rules.VerifyKey(c.Range), "the entry for SNI "+c.SNI
		}
		var descs []string
		seen := map[string]bool{}
		related := []source.Related{trustRelated(t)}
		for _, h := range hits {
			if !seen[h.j.route.ID] {
				seen[h.j.route.ID] = true
				descs = append(descs, h.j.route.Desc)
				related = append(related, routeRelated(h.j.route))
			}
		}
		var sev rules.Severity
		if j.verdict.Maybe {
			sev = rules.Medium // what arrives depends on a version the repository does not pin
		}
		p.Report(rules.Diagnostic{
			Range: at, Key: key, Related: related, Severity: sev,
			Message: rules.Reaches(verify, j.admitted.String(), j.decision.Sink),
			Detail: fmt.Sprintf("Route %s neither refuses clients without a verified certificate nor forwards a verification result; %s, and the app's check at %s:%d (%s) lets it through.",
				strings.Join(descs, "; "), deliveryText(m, r, *j.admitted, rules.HeaderName(t.Header)), t.Range.File, t.Range.Start.Line, j.verdict.Why) + guessNote(j.link),
			FixTitle: "require verification, gate in the proxy, or forward the verification result and check it in the app",
		})
	}
}
