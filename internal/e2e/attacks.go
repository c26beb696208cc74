package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// MechanismInfo describes one mechanism for the report: what its attacks do and
// what counts as a breach.
type MechanismInfo struct {
	Mechanism Mechanism
	Does      string
	Breach    string
	// MinSeverity is the severity a finding needs to cover a breach. A
	// valid client locked out is a defect, not a way in: medium suffices.
	MinSeverity rules.Severity
}

// Mechanisms are the mechanisms, in report order.
var Mechanisms = []MechanismInfo{
	{NoCert, "`tls no-cert`, `plain-http`: connects without a client certificate",
		"the app accepts an identity", rules.High},
	{ValidCert, "`tls valid-cert`: connects with a certificate from the trusted CA (CN=" + ValidClientCN + ") to the listener valid clients use",
		"the app does not accept CN=" + ValidClientCN + " (a valid client is locked out)", rules.Medium},
	{UntrustedCert, "`tls untrusted-cert`: connects with a certificate from a CA the proxy does not trust (CN=" + UntrustedClientCN + "), really sent",
		"the app accepts an identity it does not accept without a certificate", rules.High},
	{SpoofDash, "`… spoof-dash`: sends X-SSL-Client-Verify: SUCCESS and X-SSL-Client-DN: CN=" + UntrustedClientCN + " (both, and the DN alone; or the names the scenario's app reads) on a class's request",
		"the app accepts an identity it does not accept for the same request without the headers", rules.High},
	{SpoofUnderscore, "`… spoof-underscore`: sends the same headers spelt X_SSL_Client_Verify and X_SSL_Client_DN",
		"the app accepts an identity it does not accept for the same request without the headers", rules.High},
	{ForwardedProto, "`plain-http spoof-scheme`: sends X-Forwarded-Proto: https (and gunicorn's other secure-scheme headers X-Forwarded-Ssl: on, X-Forwarded-Protocol: ssl) over plain HTTP",
		"request.is_secure() turns True", rules.High},
	{DirectApp, "`direct`: skips the proxy: sends the spoofed identity and scheme headers straight to the app port on 127.0.0.2",
		"the app answers and accepts an identity or is_secure()", rules.High},
}

// InfoOf returns the description of a mechanism.
func InfoOf(m Mechanism) (MechanismInfo, bool) {
	for _, a := range Mechanisms {
		if a.Mechanism == m {
			return a, true
		}
	}
	return MechanismInfo{}, false
}

// Verdict is the runtime result of one attack on one deployment.
type Verdict int

const (
	// NotApplicable: the deployment has nothing to aim the attack at.
	NotApplicable Verdict = iota
	// Held: the attack failed.
	Held
	// Breached: the attack worked (for valid-cert: the valid client was
	// locked out).
	Breached
	// Broken: a server failed, so the attack's result is unknown.
	Broken
)

func (v Verdict) String() string {
	return [...]string{"n/a", "held", "BREACHED", "BROKEN"}[v]
}

// Attempt is one request of an attack.
type Attempt struct {
	Where  string // listener · client · headers
	Result string // what happened, in words
	Breach bool
	Broken string // why the harness cannot tell, if it cannot
	Resp   Response
}

// Outcome is the result of one attack on one deployment.
type Outcome struct {
	Attack    string // the attack's name
	Mechanism Mechanism
	Verdict   Verdict
	Summary   string
	Attempts  []Attempt
}

// aimed is one class of an attack on one listener.
type aimed struct {
	attack   Attack
	listener Listener
}

// Attacker runs the attacks against one running deployment. Responses are
// cached per (listener, class, headers), so a request without spoofed
// headers doubles as the control for the spoofing ones.
type Attacker struct {
	d       *Deployment
	clients Clients
	cache   map[string]Response
	claims  []string // the identity headers a spoof claims: the verdict and the DN (dash form)
	aims    []aimed
}

// NewAttacker prepares the clients for a deployment and derives its
// attacks from the classes of the routes the model built for it (nil: the
// adversary's repertoire alone).
func NewAttacker(d *Deployment, p *PKI, m *rules.Model) *Attacker {
	a := &Attacker{
		d: d,
		clients: Clients{
			TLS:       ChainOnly(p.CAPool),
			Valid:     &p.ValidClient,
			Untrusted: &p.UntrustedClient,
		},
		cache:  map[string]Response{},
		claims: []string{"X-SSL-Client-Verify", "X-SSL-Client-DN"},
	}
	for i, h := range d.Scenario.Spoof {
		if h != "" {
			a.claims[i] = h
		}
	}
	a.aims = aim(d, m)
	return a
}

// ChainOnly is a client's TLS settings that accept the proxy's certificate
// when it chains to a CA of pool, whatever names it carries: a class's
// server name is one the deployment routes on (mtls.example.com), which
// the suite's server certificate need not carry, and what a test proves
// is what the proxy does with the request, not its certificate's names.
func ChainOnly(pool *x509.CertPool) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		// The chain is verified below, without the name.
		InsecureSkipVerify: true, //nolint:gosec
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("the server sent no certificate")
			}
			opts := x509.VerifyOptions{Roots: pool, Intermediates: x509.NewCertPool()}
			for _, c := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(c)
			}
			_, err := cs.PeerCertificates[0].Verify(opts)
			return err
		},
	}
}

// aim derives the attacks on a deployment. For each proxy listener, the
// adversary's repertoire and the classes the model's routes carry on its
// port: on TLS every certificate state (a valid client only on the listener valid clients use, as a
// lock-out; and with what the client adds), a TLS server name that
// differs from the Host where the listener's routes name several hosts;
// on plain HTTP the spoofed identity and scheme headers. Then the direct
// path to the app server, when it listens on TCP.
func aim(d *Deployment, m *rules.Model) []aimed {
	var out []aimed
	seen := map[string]bool{}
	add := func(l Listener, c rules.RequestClass, adds ...Adds) {
		// What decides the request: the rest of the class (its
		// conditions in words, its range) does not change what is sent.
		c = rules.RequestClass{Transport: c.Transport, Cert: c.Cert, Port: strconv.Itoa(l.Port), SNI: c.SNI, Host: c.Host, Path: ClassPath(c.Path, ""), Witness: c.Witness}
		for _, x := range adds {
			p := Attack{Class: c, Adds: x}
			key := fmt.Sprintf("%s|%s|%s|%s|%s|%+v", l.Name, p.Name(), c.SNI, c.Host, c.Path, c.Witness)
			if !seen[key] {
				seen[key] = true
				out = append(out, aimed{p, l})
			}
		}
	}
	primary, _ := d.PrimaryTLS()
	for _, l := range d.ProxyListeners(PortTLS) {
		model := modelClasses(m, l, rules.TransportTLS)
		repertoire := func(state rules.CertState) []Adds {
			switch {
			case state == rules.CertUntrusted:
				return []Adds{AddsNothing}
			case state == rules.CertVerified && l.Name != primary.Name:
				return []Adds{AddsSpoofDash, AddsSpoofUnderscore}
			}
			return []Adds{AddsNothing, AddsSpoofDash, AddsSpoofUnderscore}
		}
		for _, state := range []rules.CertState{rules.CertNone, rules.CertVerified, rules.CertUntrusted} {
			for _, c := range classesOf(model, rules.RequestClass{Transport: rules.TransportTLS, Cert: state}) {
				add(l, c, repertoire(state)...)
			}
			// The scenario names another server's name for the attackers'
			// handshake: every client but the valid one sends it too.
			if sni := d.Scenario.SNI; sni != "" && state != rules.CertVerified {
				add(l, rules.RequestClass{Transport: rules.TransportTLS, Cert: state, SNI: sni, Host: d.Scenario.host()}, repertoire(state)...)
			}
		}
		hosts := routeHosts(m, l)
		for i, sni := range hosts {
			for j, host := range hosts {
				if i != j {
					for _, state := range []rules.CertState{rules.CertNone, rules.CertUntrusted} {
						add(l, rules.RequestClass{Transport: rules.TransportTLS, Cert: state, SNI: sni, Host: host}, AddsNothing)
					}
				}
			}
		}
	}
	for _, l := range d.ProxyListeners(PortPlain) {
		for _, c := range classesOf(modelClasses(m, l, rules.TransportPlain), rules.RequestClass{Transport: rules.TransportPlain}) {
			add(l, c, AddsNothing, AddsSpoofDash, AddsSpoofUnderscore, AddsSpoofScheme)
		}
	}
	if app, ok := d.Listener("APP_PORT"); ok && !strings.HasPrefix(d.AppAddr, "unix:") {
		out = append(out, aimed{Attack{Class: rules.RequestClass{Transport: rules.TransportDirect, Port: strconv.Itoa(app.Port)}}, app})
	}
	return out
}

// modelClasses returns the classes of the model's routes on a listener's
// port with the given transport.
func modelClasses(m *rules.Model, l Listener, t rules.Transport) []rules.RequestClass {
	if m == nil {
		return nil
	}
	var out []rules.RequestClass
	for _, r := range m.Routes {
		for _, c := range m.Classes(r) {
			if c.Port == strconv.Itoa(l.Port) && c.Transport == t {
				out = append(out, c)
			}
		}
	}
	return out
}

// classesOf returns want, the adversary's plain request of a transport
// and certificate state (to the default Host and path), then the model's
// classes of the same transport and state: the adversary tries what the
// model says no request does, too, and every request the model says
// differs.
func classesOf(model []rules.RequestClass, want rules.RequestClass) []rules.RequestClass {
	out := []rules.RequestClass{want}
	for _, c := range model {
		if c.Transport == want.Transport && c.Cert == want.Cert {
			out = append(out, c)
		}
	}
	return out
}

// routeHosts returns the server names (no wildcard, no pattern) of the
// model's routes on a TLS listener's port, when there are several.
func routeHosts(m *rules.Model, l Listener) []string {
	if m == nil {
		return nil
	}
	var out []string
	for _, r := range m.Routes {
		if !r.Listener.TLS || r.Listener.Endpoint.Port != strconv.Itoa(l.Port) {
			continue
		}
		for _, h := range r.Hosts {
			h = strings.ToLower(h)
			if plainHost().MatchString(h) && !slices.Contains(out, h) {
				out = append(out, h)
			}
		}
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// withoutPort writes a redirect target with "PORT" for its port: the
// ports are the run's, and the report holds nothing that changes from run
// to run.
func withoutPort(location string) string {
	return urlPort().ReplaceAllString(location, "${1}:PORT")
}

var urlPort = source.LazyRegexp(`^([a-z]+://[^/:]+):[0-9]+`)

var plainHost = source.LazyRegexp(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$`)

// Warm sends the valid client's request until the app answers through the
// proxy, or the start timeout passes: mod_wsgi loads the app on the first
// request, which on a busy machine takes longer than one request may.
func (a *Attacker) Warm(ctx context.Context) {
	l, ok := a.d.PrimaryTLS()
	if !ok {
		return
	}
	valid := Attack{Class: rules.RequestClass{Transport: rules.TransportTLS, Cert: rules.CertVerified}}
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		if r := fetch(ctx, valid.Request(a.target(l), a.clients, nil)); r.FromApp || r.Err == nil && r.Status < 500 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (a *Attacker) target(l Listener) Target {
	return Target{Addr: fmt.Sprintf("127.0.0.1:%d", l.Port), Host: a.d.Scenario.host()}
}

// Run runs every attack, grouped by name, in the order of Attacks.
func (a *Attacker) Run(ctx context.Context) []Outcome {
	var out []Outcome
	index := map[string]int{}
	for _, x := range a.aims {
		name := x.attack.Name()
		i, ok := index[name]
		if !ok {
			i = len(out)
			index[name] = i
			out = append(out, Outcome{Attack: name, Mechanism: x.attack.Mechanism()})
		}
		out[i].Attempts = append(out[i].Attempts, a.attempt(ctx, x)...)
	}
	rank := map[Mechanism]int{}
	for i, at := range Mechanisms {
		rank[at.Mechanism] = i
	}
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i].Mechanism] < rank[out[j].Mechanism] })
	for i := range out {
		finish(&out[i])
	}
	return out
}

// attempt sends one aimed attack's requests.
func (a *Attacker) attempt(ctx context.Context, x aimed) []Attempt {
	p, l := x.attack, x.listener
	plain := Attack{Class: p.Class}
	switch p.Mechanism() {
	case NoCert:
		resp := a.send(ctx, l, p, "-", nil)
		at := judge(a.where(l, p, ""), resp, true)
		at.Breach = at.Broken == "" && resp.FromApp && resp.Report.Authenticated
		return []Attempt{at}
	case ValidCert:
		resp := a.send(ctx, l, p, "-", nil)
		at := judge(a.where(l, p, ""), resp, true)
		at.Breach = at.Broken == "" && !(resp.FromApp && resp.Report.Authenticated && isOwn(resp.Report.Identity, ValidClientCN))
		return []Attempt{at}
	case UntrustedCert:
		anon := plain
		anon.Class.Cert = rules.CertNone
		control := a.send(ctx, l, anon, "-", nil)
		resp := a.send(ctx, l, p, "-", nil)
		at := judge(a.where(l, p, ""), resp, true)
		at.Breach = at.Broken == "" && gained(control, resp)
		kept(&at, control, resp)
		return []Attempt{at}
	case SpoofDash, SpoofUnderscore:
		underscore := p.Adds == AddsSpoofUnderscore
		verify, dn := Claim(a.claims[0], underscore), Claim(a.claims[1], underscore)
		variants := []struct {
			label   string
			headers []Header
		}{
			{verify.Name + "+" + dn.Name, []Header{verify, dn}},
			{dn.Name + " alone", []Header{dn}},
		}
		control := a.send(ctx, l, plain, "-", nil)
		var out []Attempt
		for _, v := range variants {
			resp := a.send(ctx, l, plain, v.label, v.headers)
			at := judge(a.where(l, p, v.label), resp, true)
			at.Breach = at.Broken == "" && gained(control, resp)
			kept(&at, control, resp)
			out = append(out, at)
		}
		return out
	case ForwardedProto:
		control := a.send(ctx, l, plain, "-", nil)
		var out []Attempt
		// gunicorn's default secure-scheme headers, one at a time, by
		// name: X-Forwarded-Proto, the one findings name, first
		claims := slices.Clone(rules.GunicornSchemeHeaders)
		slices.SortFunc(claims, func(a, b rules.HeaderValue) int { return strings.Compare(a.Name, b.Name) })
		for _, h := range claims {
			claim := Claim(h.Name, false)
			label := claim.Name + ": " + claim.Value
			resp := a.send(ctx, l, plain, label, []Header{claim})
			at := judge(a.where(l, p, label), resp, false)
			at.Breach = at.Broken == "" && resp.FromApp && resp.Report.Secure && !(control.FromApp && control.Report.Secure)
			out = append(out, at)
		}
		return out
	}
	return []Attempt{a.direct(ctx, p, l)}
}

// send sends an attack's request without what the attack adds (the caller
// passes the headers), cached per listener, class and variant.
func (a *Attacker) send(ctx context.Context, l Listener, p Attack, variant string, headers []Header) Response {
	c := p.Class
	key := fmt.Sprintf("%s|%s|%s|%s|%s|%+v|%s", l.Name, c.Cert, c.SNI, c.Host, c.Path, c.Witness, variant)
	if resp, ok := a.cache[key]; ok {
		return resp
	}
	resp := fetch(ctx, p.Request(a.target(l), a.clients, headers))
	a.cache[key] = resp
	return resp
}

// direct sends the spoofed identity and scheme headers straight to the
// app server's port.
func (a *Attacker) direct(ctx context.Context, p Attack, app Listener) Attempt {
	// The client comes from 127.0.0.2 too: from 127.0.0.1, the address
	// the kernel would pick, gunicorn would trust its X-Forwarded-Proto as
	// if it came from the proxy (forwarded_allow_ips), unlike a client on
	// another host.
	verify, dn, proto := Claim(a.claims[0], false), Claim(a.claims[1], false), Claim("x-forwarded-proto", false)
	t := Target{Addr: fmt.Sprintf("127.0.0.2:%d", app.Port), From: "127.0.0.2", Host: a.d.Scenario.host()}
	resp := fetch(ctx, p.Request(t, a.clients, []Header{verify, dn, proto}))
	at := judge("127.0.0.2 → app · no cert · "+verify.Name+"+"+dn.Name+"+"+proto.Name, resp, true)
	switch {
	case resp.DialErr != nil:
		at.Broken = ""
		at.Result = "connection refused"
	case at.Broken == "" && resp.FromApp:
		at.Breach = resp.Report.Authenticated || resp.Report.Secure
		at.Result = fmt.Sprintf("%s, is_secure()=%s", at.Result, pyBool(resp.Report.Secure))
		if !at.Breach {
			at.Result = "reached the app, which " + strings.TrimPrefix(at.Result, "app ")
		}
	}
	return at
}

// where describes an attempt: the listener, the client's certificate, the
// class's SNI, Host and path where they are not the defaults, and the
// variant of what the client adds.
func (a *Attacker) where(l Listener, p Attack, variant string) string {
	c := p.Class
	parts := []string{l.Label()}
	if c.Transport == rules.TransportTLS {
		parts = append(parts, strings.ReplaceAll(certWords[c.Cert], "-", " "))
	}
	if c.SNI != "" {
		parts = append(parts, "SNI "+c.SNI)
	}
	if c.Host != "" {
		parts = append(parts, "Host "+c.Host)
	}
	if c.Path != "" {
		parts = append(parts, c.Path)
	}
	if variant != "" {
		parts = append(parts, variant)
	}
	return strings.Join(parts, " · ")
}

// gained reports whether resp shows the app accepting an identity that it
// did not accept for the same client in control (no identity, or another
// one).
func gained(control, resp Response) bool {
	if !resp.FromApp || !resp.Report.Authenticated {
		return false
	}
	if !control.FromApp || !control.Report.Authenticated {
		return true
	}
	return ident(control.Report.Identity) != ident(resp.Report.Identity)
}

// kept rewords an answer that accepted the same identity as the control
// did: the client is who it was without the attack.
func kept(at *Attempt, control, resp Response) {
	if at.Broken == "" && !at.Breach && resp.FromApp && resp.Report.Authenticated {
		at.Result = fmt.Sprintf("app kept the client's own identity %q", ident(resp.Report.Identity))
	}
}

func ident(p *string) string {
	if p == nil {
		return "<none>"
	}
	return *p
}

// isOwn reports whether an identity is the DN of a certificate with common
// name cn, in nginx's (CN=x) or HAProxy's (/CN=x) format.
func isOwn(identity *string, cn string) bool {
	return identity != nil && strings.TrimPrefix(*identity, "/") == "CN="+cn
}

// judge describes a response. A proxy that cannot be reached or answers
// 5xx, and an error page of the app, mean a server failed: the attack's
// result is unknown, never "held".
func judge(where string, resp Response, identity bool) Attempt {
	at := Attempt{Where: where, Resp: resp}
	switch {
	case resp.DialErr != nil:
		at.Broken = "cannot connect: " + resp.DialErr.Error()
		at.Result = at.Broken
	case resp.Err != nil:
		at.Result = "refused: " + shortTLSError(resp.Err)
	case !resp.FromApp && resp.Status >= 500:
		at.Broken = fmt.Sprintf("proxy answered %d (%s): is the app down?", resp.Status, resp.Body)
		at.Result = at.Broken
	case !resp.FromApp:
		at.Result = fmt.Sprintf("HTTP %d", resp.Status)
		switch {
		case resp.Location != "" && resp.Location == resp.URL:
			at.Result += " (redirect to the URL requested: a loop)"
		case resp.Location != "":
			at.Result += " (redirect to " + withoutPort(resp.Location) + ")"
		case resp.Body != "":
			at.Result += " (" + resp.Body + ")"
		}
	case resp.Report.Error != "":
		at.Broken = fmt.Sprintf("app error %d: %s", resp.Status, resp.Report.Error)
		at.Result = at.Broken
	case !identity:
		at.Result = fmt.Sprintf("is_secure()=%s", pyBool(resp.Report.Secure))
	case resp.Report.Authenticated:
		at.Result = fmt.Sprintf("app accepted %q", ident(resp.Report.Identity))
	default:
		at.Result = "app refused" + seenVerify(resp.Report)
	}
	return at
}

// seenVerify shows the verification headers the app saw when it refused,
// which tells "the proxy overwrote the header" from "gunicorn joined two
// copies".
func seenVerify(r AppReport) string {
	var parts []string
	for _, k := range sortedKeys(r.Headers) {
		if strings.Contains(k, "VERIFY") {
			parts = append(parts, fmt.Sprintf("%s=%q", strings.TrimPrefix(k, "HTTP_"), r.Headers[k]))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (saw " + strings.Join(parts, ", ") + ")"
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func shortTLSError(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, "tls: "); i >= 0 {
		return "TLS " + s[i+len("tls: "):]
	}
	return s
}

// finish sets the verdict and the one-line summary.
func finish(o *Outcome) {
	for _, x := range o.Attempts {
		if x.Broken != "" {
			o.Verdict = Broken
			o.Summary = "BROKEN: " + x.Where + ": " + x.Broken
			return
		}
	}
	for _, x := range o.Attempts {
		if x.Breach {
			o.Verdict = Breached
			label := "BREACH"
			if o.Mechanism == ValidCert {
				label = "LOCKED OUT"
			}
			o.Summary = label + ": " + x.Where + " → " + x.Result
			return
		}
	}
	o.Verdict = Held
	seen := map[string]bool{}
	var results []string
	for _, x := range o.Attempts {
		if !seen[x.Result] {
			seen[x.Result] = true
			results = append(results, x.Result)
		}
	}
	sort.Strings(results)
	if o.Mechanism == ValidCert {
		o.Summary = "admitted: " + strings.Join(results, "; ")
		return
	}
	o.Summary = "held: " + strings.Join(results, "; ")
}
