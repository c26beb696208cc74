package prove

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mtlslint/mtlslint/internal/e2e"
	"github.com/mtlslint/mtlslint/rules"
)

// goal is what a finding claims gets through, and so what its request
// must show.
type goal int

const (
	// goalSpoof: a client's own copy of a header reaches the app (in
	// either spelling the finding names).
	goalSpoof goal = iota
	// goalReach: a request without a verified certificate reaches the app,
	// and the app's check, where the model knows it, admits what arrives.
	goalReach
	// goalLockout: a valid client does not get past the app's check (or
	// the proxy) with what it arrives with.
	goalLockout
)

// goalOf reads a finding's claim from its key: a header on a route is a
// client's copy getting through; a verification directive is a request
// without a verified certificate getting through; an app's read judged a
// lock-out (X002 at medium) is a valid client refused, else an attacker
// admitted. A finding whose key says neither (a directive in a route's
// block) claims what the mechanisms it describes in the real-server
// suite say (mechanisms). scheme: the headers to spoof are the scheme headers. ok is
// false for a claim prove cannot send (a direct connection to the app).
func goalOf(f rules.Finding, mechanisms []e2e.Mechanism) (g goal, scheme, ok bool) {
	switch f.Key.Kind() {
	case rules.KeyRoute, rules.KeyRouteHeader, rules.KeyVerify, rules.KeyUnderscore, rules.KeyAppRead, rules.KeyAppReadRoute, rules.KeyTrust:
		return keyGoal(f), false, true
	case rules.KeySchemeHeaders:
		return goalSpoof, true, true
	}
	for _, m := range mechanisms {
		switch m {
		case e2e.NoCert, e2e.UntrustedCert:
			return goalReach, false, true
		case e2e.ValidCert:
			return goalLockout, false, true
		case e2e.SpoofDash, e2e.SpoofUnderscore:
			return goalSpoof, false, true
		case e2e.ForwardedProto:
			return goalSpoof, true, true
		}
	}
	return goalSpoof, false, false
}

func keyGoal(f rules.Finding) goal {
	switch f.Key.Kind() {
	case rules.KeyVerify:
		return goalReach
	case rules.KeyAppRead, rules.KeyAppReadRoute:
		// X002's lock-out is a semantic check at medium; its bypass
		// (CheckWeak) is medium only when undecided.
		if check, _ := f.Key.AppRead(); check == rules.CheckSemantics && f.Severity <= rules.Medium {
			return goalLockout
		}
		return goalReach
	}
	return goalSpoof
}

// carriesClient reports whether a value the app may receive is, or holds,
// the client's own or cannot be decided.
func carriesClient(v rules.Value) bool {
	switch v.Kind {
	case rules.ValueClient, rules.ValueUnknown:
		return true
	case rules.ValueJoined:
		return slices.ContainsFunc(v.Parts, carriesClient)
	}
	return false
}

// spoofable reports whether the model says a client's copy of some header
// may reach the app on some class of the route: otherwise what the
// finding claims is about the value the proxy sets.
func (pv *prover) spoofable(r *rules.Route, headers []string) bool {
	var app *rules.App
	if apps := pv.appsBehind(r); len(apps) > 0 {
		app = apps[0]
	}
	for _, c := range pv.res.Model.Classes(r) {
		for _, h := range headers {
			if slices.ContainsFunc(pv.res.Model.Deliver(r, c, h, app).Values, carriesClient) {
				return true
			}
		}
	}
	return false
}

// headersOf returns the headers (dash form) a finding's request spoofs:
// the header its key names; for an underscore directive, the identity
// headers the apps behind the route trust.
func (pv *prover) headersOf(f rules.Finding, r *rules.Route, scheme bool) []string {
	if h := f.Key.Header(); h != "" {
		return []string{rules.HeaderName(h)}
	}
	if _, meta := f.Key.AppRead(); meta != "" && !strings.HasPrefix(meta, "environ:") {
		return []string{rules.HeaderName(meta)}
	}
	// the scheme headers an app server honours, or the identity headers
	// the apps read
	var out []string
	for _, a := range pv.appsBehind(r) {
		for _, t := range a.Trusts {
			h := rules.HeaderName(t.Header)
			if t.Scheme == scheme && !strings.HasPrefix(h, "environ:") && !slices.Contains(out, h) {
				out = append(out, h)
			}
		}
	}
	return out
}

// attempt is one request of a proof.
type attempt struct {
	sent     *Sent
	observed *Observed
	reached  bool
	// received maps a header (dash form) to what the app received; absent
	// headers are missing.
	received map[string]string
	// environ is what the app server built, when one did.
	environ map[string]string
	// refusedContradiction: the app server answered 400 because the
	// scheme headers it trusts contradicted each other, so the client's
	// one arrived beside the proxy's.
	refusedContradiction bool
}

// attack sends a finding's requests on one route of a started plan.
func (pv *prover) attack(i int, r *rules.Route, l Listener) *Proof {
	f := pv.res.Findings[i]
	g, scheme, ok := goalOf(f, pv.mechanisms[i])
	if !ok {
		return notTestable("the finding's request is a direct connection to the app server, which prove does not run")
	}
	headers := pv.headersOf(f, r, scheme)
	trusts := pv.trustsFor(f, r, headers)
	matter := slices.Clone(headers)
	for _, t := range trusts {
		for _, d := range t.Decisions {
			for _, a := range d.Accepts {
				matter = appendNew(matter, a.Header)
			}
			for _, h := range d.Flows {
				matter = appendNew(matter, h)
			}
		}
	}
	// The goals to try, in order: the finding's own; a header the model
	// says the proxy sets is judged by what it sets (a request without a
	// verified certificate, and the app's check on what arrives).
	goals := []goal{g}
	switch {
	case goals[0] == goalSpoof && len(headers) == 0 && f.Key.Kind() == rules.KeyRoute:
		// a route's own defect (no header named): what gets through it
		goals = []goal{goalReach}
	case goals[0] == goalSpoof && len(headers) == 0:
		return notTestable("the model names no header the app behind the route reads, so there is nothing to spoof")
	case goals[0] == goalSpoof && !pv.spoofable(r, headers):
		goals = []goal{goalReach}
	case goals[0] == goalSpoof && len(trusts) > 0:
		goals = append(goals, goalReach)
	case goals[0] == goalReach && (f.Key.Kind() == rules.KeyAppRead || f.Key.Kind() == rules.KeyAppReadRoute) && len(headers) > 0:
		// the app's check may let a client's own copy through too (a
		// header read after a server-set variable that is not set)
		goals = append(goals, goalSpoof)
	}
	// A client's copy arriving is the claim itself only for a finding
	// about a header on a route; for one about the app's check, the check
	// must admit it.
	arrivalConfirms := goals[0] == goalSpoof
	// An app server's scheme headers (G004) claim that a client's header
	// passes the proxy while the server refuses the contradiction today:
	// that refusal shows the header arrived.
	contradictionConfirms := f.Key.Kind() == rules.KeySchemeHeaders
	pr := &Proof{}
	var misses []string
	bound, sent := false, false
	for _, g := range goals {
		for _, c := range pv.classesFor(g, r, l) {
			if sourceBound(c) {
				bound = true
				continue
			}
			sent = true
			var ok bool
			var why string
			var err error
			switch g {
			case goalSpoof:
				ok, why, err = pv.spoof(pr, r, l, c, headers, matter, trusts, arrivalConfirms, contradictionConfirms)
			case goalReach:
				ok, why, err = pv.reach(pr, r, l, c, matter, trusts, goals[0] != goalReach)
			case goalLockout:
				ok, why, err = pv.lockout(pr, r, l, c, matter, trusts)
			}
			if err != nil {
				pr.Status, pr.Reason = NotTestable, err.Error()
				return pr
			}
			if ok {
				pr.Status, pr.Reason = Confirmed, why
				return pr
			}
			if why != "" {
				misses = append(misses, why)
			}
		}
	}
	if pr.partial != nil {
		pr.Status, pr.Reason = Confirmed, pr.partialWhy
		pr.Request, pr.Observed = pr.partial.sent, pr.partial.observed
		return pr
	}
	switch {
	case !sent && bound:
		return notTestable("the requests that take the route must come from a source address; on loopback every request comes from 127.0.0.1")
	case !sent:
		return notTestable("no request class the finding needs takes the route (%s)", r.Desc)
	}
	pr.Status, pr.Reason = NotReproduced, describe(misses)
	return pr
}

func appendNew(list []string, h string) []string {
	h = rules.HeaderName(h)
	if strings.HasPrefix(h, "environ:") || slices.Contains(list, h) {
		return list
	}
	return append(list, h)
}

// classesFor returns the classes to try for a goal, the likeliest first.
// A spoof is tried on every class the model says travels the route; a
// request without a verified certificate on every such class of a TLS
// listener that is not a verified client's (and on an untrusted
// certificate even where the model says the listener refuses it: the run
// shows it); a lock-out on the verified class.
func (pv *prover) classesFor(g goal, r *rules.Route, l Listener) []rules.RequestClass {
	model := pv.res.Model.Classes(r)
	var out []rules.RequestClass
	add := func(c rules.RequestClass) {
		if (c.Transport == rules.TransportTLS) != l.TLS {
			return
		}
		for _, x := range out {
			if x.Transport == c.Transport && x.Cert == c.Cert {
				return
			}
		}
		out = append(out, c)
	}
	switch g {
	case goalSpoof:
		for _, want := range []rules.CertState{rules.CertNone, rules.CertUntrusted, rules.CertVerified} {
			for _, c := range model {
				if c.Cert == want {
					add(c)
				}
			}
		}
	case goalReach:
		order := []rules.CertState{rules.CertNone, rules.CertUntrusted}
		if r.Listener.Verify == rules.VerifyOptionalNoCA {
			order = []rules.CertState{rules.CertUntrusted, rules.CertNone}
		}
		for _, want := range order {
			for _, c := range model {
				if c.Cert == want && (c.Transport == rules.TransportTLS || want == rules.CertNone) {
					add(c)
				}
			}
		}
		if l.TLS && !slices.ContainsFunc(out, func(c rules.RequestClass) bool { return c.Cert == rules.CertUntrusted }) {
			c := rules.RequestClass{Transport: rules.TransportTLS, Cert: rules.CertUntrusted, Port: r.Listener.Endpoint.Port, Path: r.Path}
			add(c)
		}
	case goalLockout:
		for _, c := range model {
			if c.Transport == rules.TransportTLS && c.Cert == rules.CertVerified {
				add(c)
			}
		}
	}
	return out
}

// trustsFor returns the app checks that judge what a finding's request
// delivers: the one an app-read finding names, else the checks with
// decisions of the apps behind the route that read one of the headers
// (every one, for a finding that names none).
func (pv *prover) trustsFor(f rules.Finding, r *rules.Route, headers []string) []rules.Trust {
	if t := pv.trustOf(f, r); t != nil {
		return []rules.Trust{*t}
	}
	var out []rules.Trust
	for _, a := range pv.appsBehind(r) {
		for _, t := range a.Trusts {
			if len(t.Decisions) > 0 && (len(headers) == 0 || readsAny(t, headers)) {
				out = append(out, t)
			}
		}
	}
	return out
}

// readsAny reports whether a trust reads one of the headers: its own, or
// one its decisions compare or take.
func readsAny(t rules.Trust, headers []string) bool {
	if slices.Contains(headers, rules.HeaderName(t.Header)) {
		return true
	}
	for _, d := range t.Decisions {
		for _, a := range d.Accepts {
			if slices.Contains(headers, a.Header) {
				return true
			}
		}
		for _, h := range d.Flows {
			if slices.Contains(headers, h) {
				return true
			}
		}
	}
	return false
}

// judgeApp judges the app's checks on what arrived: the first that admits
// the request, else the first refusal. ok is false when no check has
// decisions.
func judgeApp(trusts []rules.Trust, at *attempt, c rules.RequestClass) (admitted bool, text string, ok bool) {
	deliver := func(h string) rules.Delivery {
		h = rules.HeaderName(h)
		d := rules.Delivery{Header: h, Class: c, Values: []rules.Value{rules.Absent}}
		key := rules.MetaName(h)
		if name, ok := strings.CutPrefix(h, "environ:"); ok {
			key = strings.ToUpper(name) // a variable the server sets (mod_ssl's SSL_CLIENT_S_DN)
		}
		if v, ok := at.received[h]; ok {
			d.Values = []rules.Value{rules.Const(v)}
		} else if v, ok := at.environ[key]; ok {
			d.Values = []rules.Value{rules.Const(v)}
		}
		return d
	}
	var refusal string
	for _, t := range trusts {
		if len(t.Decisions) == 0 {
			continue
		}
		ok = true
		v, d := t.Admits(deliver)
		if v.Admitted {
			text = fmt.Sprintf("the app's check at %s admits it (%s reaches %s)", t.Range, v.Witness, d.Sink)
			if v.Maybe {
				text += ", if " + v.Why
			}
			return true, text, true
		}
		if refusal == "" {
			refusal = fmt.Sprintf("the app's check at %s refuses it: %s", t.Range, v.Why)
		}
	}
	return false, refusal, ok
}

// spoof sends, on one class, a control request and then the header in its
// dash and (where the name has one) underscore spelling: confirmed when
// the client's value arrives where the control's did not, and the app's
// check, where the model knows it, admits the request.
func (pv *prover) spoof(pr *Proof, r *rules.Route, l Listener, c rules.RequestClass, headers, matter []string, trusts []rules.Trust, arrivalConfirms, contradictionConfirms bool) (bool, string, error) {
	control, err := pv.send(pr, r, l, e2e.Attack{Class: c}, nil, matter)
	if err != nil {
		return false, "", err
	}
	if !control.reached && control.observed.Answer != "" && !strings.HasPrefix(control.observed.Answer, "HTTP") {
		// refused in the handshake: no header changes that
		return false, fmt.Sprintf("%s: %s", c, control.observed.Answer), nil
	}
	var misses []string
	for _, h := range headers {
		for _, underscore := range []bool{false, true} {
			if underscore && !strings.Contains(h, "-") {
				continue
			}
			claim := e2e.Claim(h, underscore)
			name, value := claim.Name, claim.Value
			adds := e2e.AddsSpoofDash
			switch {
			case underscore:
				adds = e2e.AddsSpoofUnderscore
			case rules.IsSchemeHeader(h) && !rules.IsIdentityHeader(h):
				adds = e2e.AddsSpoofScheme
			}
			// the header alone, then with the other headers the app
			// reads claimed too (a verdict and a DN go together)
			variants := [][]e2e.Header{{claim}}
			if len(matter) > 1 {
				var all []e2e.Header
				for _, m := range matter {
					all = append(all, e2e.Claim(m, underscore))
				}
				variants = append(variants, all)
			}
			var at *attempt
			for _, v := range variants {
				if at, err = pv.send(pr, r, l, e2e.Attack{Class: c, Adds: adds}, v, matter); err != nil {
					return false, "", err
				}
				if admitted, _, ok := judgeApp(trusts, at, c); !ok || admitted {
					break
				}
			}
			got, arrived := at.received[h]
			before, had := control.received[h]
			switch {
			case !at.reached && contradictionConfirms && at.refusedContradiction && !control.refusedContradiction:
				pr.Request, pr.Observed = at.sent, at.observed
				return true, fmt.Sprintf("%s: the client's %s: %s passed the proxy; the app server found it contradicting the proxy's scheme header and answered 400, the guard the finding says holds today", c, name, value), nil
			case !at.reached:
				misses = append(misses, fmt.Sprintf("%s, %s: %s", c, name, at.observed.Answer))
				continue
			case !arrived:
				misses = append(misses, fmt.Sprintf("%s, %s: the header did not reach the app", c, name))
				continue
			case !strings.Contains(got, value) || had && got == before:
				misses = append(misses, fmt.Sprintf("%s, %s: it arrived as %q, the proxy's value", c, name, got))
				continue
			}
			why := fmt.Sprintf("%s: the client's %s: %s reached the app as %s: %q", c, name, value, rules.DisplayHeader(h), got)
			if admitted, text, ok := judgeApp(trusts, at, c); ok {
				at.observed.App = text
				if !admitted {
					// What the finding says got through; whether some
					// other request gets past the app's check too is
					// tried next.
					if arrivalConfirms && pr.partial == nil {
						pr.partial, pr.partialWhy = at, why+" (as it arrived, "+text+")"
					}
					misses = append(misses, why+", but "+text)
					continue
				}
				why += "; " + text
			}
			pr.Request, pr.Observed = at.sent, at.observed
			return true, why, nil
		}
	}
	return false, describe(misses), nil
}

// reach sends one request of the class, with no header of its own:
// confirmed when it reaches the app and the app's check, where the model
// knows it, admits what arrives.
//
// needJudge: reaching the app is not the finding's claim by itself (it is
// about a header), so only the app's check admitting what arrives
// confirms it.
func (pv *prover) reach(pr *Proof, r *rules.Route, l Listener, c rules.RequestClass, matter []string, trusts []rules.Trust, needJudge bool) (bool, string, error) {
	if needJudge && len(trusts) == 0 {
		return false, "", nil
	}
	at, err := pv.send(pr, r, l, e2e.Attack{Class: c}, nil, matter)
	if err != nil {
		return false, "", err
	}
	if !at.reached {
		return false, fmt.Sprintf("%s: %s", c, at.observed.Answer), nil
	}
	why := fmt.Sprintf("%s reached the app", c)
	if len(at.observed.Received) > 0 {
		why += " with " + receivedText(at.observed.Received)
	}
	if admitted, text, ok := judgeApp(trusts, at, c); ok {
		at.observed.App = text
		if !admitted {
			return false, why + ", but " + text, nil
		}
		why += "; " + text
	}
	pr.Request, pr.Observed = at.sent, at.observed
	return true, why, nil
}

// lockout sends a valid client's request: confirmed when the proxy or the
// app's check refuses it.
func (pv *prover) lockout(pr *Proof, r *rules.Route, l Listener, c rules.RequestClass, matter []string, trusts []rules.Trust) (bool, string, error) {
	at, err := pv.send(pr, r, l, e2e.Attack{Class: c}, nil, matter)
	if err != nil {
		return false, "", err
	}
	if !at.reached {
		pr.Request, pr.Observed = at.sent, at.observed
		return true, fmt.Sprintf("a valid client (%s) did not reach the app: %s", c, at.observed.Answer), nil
	}
	admitted, text, ok := judgeApp(trusts, at, c)
	if !ok {
		return false, "", errors.New("the model knows no check of the app to judge what a valid client arrives with")
	}
	at.observed.App = text
	if admitted {
		return false, fmt.Sprintf("a valid client (%s) got through: %s", c, text), nil
	}
	pr.Request, pr.Observed = at.sent, at.observed
	return true, fmt.Sprintf("a valid client (%s) arrived with %s, and %s", c, receivedText(at.observed.Received), text), nil
}

func receivedText(hs []Header) string {
	var parts []string
	for _, h := range hs {
		parts = append(parts, fmt.Sprintf("%s: %q", h.Name, h.Value))
	}
	if len(parts) == 0 {
		return "none of the headers"
	}
	return strings.Join(parts, ", ")
}

// classRequest builds the request of class c on listener l through the
// attack vocabulary the real-server suite uses (e2e.Attack): the class's
// Host and SNI, else the route's first plain server name, else localhost;
// a path the class's (else the route's) path matches, else "/".
func classRequest(r *rules.Route, l Listener, c rules.RequestClass, clients e2e.Clients, headers []e2e.Header) e2e.Request {
	if c.Path == "" {
		c.Path = r.Path
	}
	// The route's first name a request can carry (not "_", a wildcard or
	// a pattern), chosen as the request's own Host is.
	host := e2e.FirstName(r.Hosts...)
	return e2e.Attack{Class: c}.Request(e2e.Target{Addr: l.Addr(), Host: host, Path: "/"}, clients, headers)
}

// refusesContradiction says whether an app server's own answer is
// gunicorn's refusal of scheme headers that contradict each other.
func refusesContradiction(status int, page string) bool {
	return status == 400 && strings.Contains(page, "Contradictory scheme headers")
}

// runEnded says why a finding's requests stopped when the run's context
// ended: its time was up, or the run was interrupted.
func runEnded(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("the run's time is up: %w", err)
	}
	return fmt.Errorf("the run was interrupted: %w", err)
}

// send sends one request of an attack (its class c, on listener l) with
// the headers that make what the client adds, and reads what the app
// received of the headers that matter.
func (pv *prover) send(pr *Proof, r *rules.Route, l Listener, attack e2e.Attack, extra []e2e.Header, matter []string) (*attempt, error) {
	c := attack.Class
	if err := pv.run.Spend(1); err != nil {
		return nil, err
	}
	if err := pv.run.Context().Err(); err != nil {
		return nil, runEnded(err)
	}
	pr.Tried++
	pv.probes++
	probe := fmt.Sprintf("p%d", pv.probes)
	req := classRequest(r, l, c, e2e.Clients{
		// The proxy's certificate is the run's; which certificate it
		// presents is not what is proved, so it is not verified.
		TLS:       &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}, //nolint:gosec
		Valid:     &pv.sb.PKI.ValidClient,
		Untrusted: &pv.sb.PKI.UntrustedClient,
	}, append(slices.Clone(extra), e2e.Header{Name: ProbeHeader, Value: probe}))
	sent := &Sent{Attack: attack.Name(), Class: c.String(), Listener: l.Original, At: l.At.String(), Host: req.Host, Path: req.Path, Cert: c.Cert.String()}
	switch {
	case req.TLS == nil:
		sent.Cert = "none"
	case c.Cert == rules.CertVerified:
		sent.SNI, sent.Cert = req.TLS.ServerName, "valid"
	default:
		sent.SNI = req.TLS.ServerName
	}
	for _, h := range extra {
		sent.Headers = append(sent.Headers, Header{Name: h.Name, Value: h.Value})
	}
	ans := e2e.Exchange(pv.run.Context(), req)
	if err := pv.run.Context().Err(); err != nil && (ans.Err != nil || ans.DialErr != nil) {
		// cut short by the run's end, not answered by the proxy
		return nil, runEnded(err)
	}
	at := &attempt{sent: sent, observed: &Observed{}, received: map[string]string{}}
	recs := pv.run.Stub.ByProbe(probe)
	switch {
	case len(recs) > 0 && recs[0].Status == 0:
		at.reached = true
		at.environ = recs[0].Environ
		pv.readReceived(at, r, recs[0].Headers, matter)
	case len(recs) > 0:
		page := e2e.PageText(recs[0].Body)
		at.observed.Answer = fmt.Sprintf("the app server answered %d itself (%s)", recs[0].Status, page)
		at.refusedContradiction = refusesContradiction(recs[0].Status, page)
	default:
		var body struct {
			App     string            `json:"app"`
			Environ map[string]string `json:"environ"`
		}
		if ans.Err == nil && json.Unmarshal(ans.Body, &body) == nil && body.App == StubMarker {
			// the stub ran inside the proxy (mod_wsgi)
			at.reached = true
			at.environ = body.Environ
			pv.readReceived(at, r, nil, matter)
		}
	}
	at.observed.ReachedApp = at.reached
	switch {
	case at.observed.Answer != "":
	case ans.DialErr != nil:
		at.observed.Answer = "cannot connect: " + ans.DialErr.Error()
	case ans.Err != nil && ans.Status == 0:
		at.observed.Answer = "refused: " + ans.Err.Error()
	case at.reached:
		at.observed.Answer = fmt.Sprintf("HTTP %d from the app", ans.Status)
	default:
		at.observed.Answer = fmt.Sprintf("HTTP %d from the proxy", ans.Status)
		if ans.Location != "" {
			at.observed.Answer += " (redirect to " + ans.Location + ")"
		} else if t := e2e.PageText(string(ans.Body)); t != "" {
			at.observed.Answer += " (" + t + ")"
		}
	}
	return at, nil
}

// readReceived fills what the app received of the headers that matter:
// the environ the app server built when there is one; else the headers as
// the proxy sent them, the underscore spelling counted as the header
// where an app behind the route has a server that maps it so.
func (pv *prover) readReceived(at *attempt, r *rules.Route, raw []Header, matter []string) {
	conflates := false
	for _, a := range pv.appsBehind(r) {
		conflates = conflates || a.ConflatesUnderscore
	}
	for _, h := range matter {
		if at.environ != nil {
			if v, ok := at.environ[rules.MetaName(h)]; ok {
				at.received[h] = v
			}
		} else {
			var vs []string
			for _, x := range raw {
				// not rules.HeaderName: it also drops a leading "HTTP_",
				// which an app server keeps in a header's name
				name := strings.ToLower(x.Name)
				if name == h || conflates && strings.ReplaceAll(name, "_", "-") == h {
					vs = append(vs, x.Value)
				}
			}
			if len(vs) > 0 {
				at.received[h] = strings.Join(vs, ",")
			}
		}
		if v, ok := at.received[h]; ok {
			name := rules.DisplayHeader(h)
			if at.environ != nil {
				name = rules.MetaName(h)
			}
			at.observed.Received = append(at.observed.Received, Header{Name: name, Value: v})
		}
	}
}
