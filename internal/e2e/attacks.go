package e2e

import (
	"context"
	"crypto/tls"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mtlslint/mtlslint/rules"
)

// AttackID names one attack of the fixed set.
type AttackID string

// The fixed attack set.
const (
	NoCert          AttackID = "no-cert"
	ValidCert       AttackID = "valid-cert"
	UntrustedCert   AttackID = "untrusted-cert"
	SpoofDash       AttackID = "spoof-dash"
	SpoofUnderscore AttackID = "spoof-underscore"
	ForwardedProto  AttackID = "forwarded-proto"
	DirectApp       AttackID = "direct-app"
)

// Attack describes one attack: what the client does and what counts as a
// breach.
type Attack struct {
	ID     AttackID
	Does   string
	Breach string
	// MinSeverity is the severity a finding needs to cover a breach. A
	// valid client locked out is a defect, not a way in: medium suffices.
	MinSeverity rules.Severity
}

// Attacks is the fixed set, in report order.
var Attacks = []Attack{
	{NoCert, "connects without a client certificate (every TLS and plain-HTTP listener)",
		"the app accepts an identity", rules.High},
	{ValidCert, "connects with a certificate from the trusted CA (CN=" + ValidClientCN + ") to the main TLS listener",
		"the app does not accept CN=" + ValidClientCN + " (a valid client is locked out)", rules.Medium},
	{UntrustedCert, "connects with a certificate from a CA the proxy does not trust (CN=" + UntrustedClientCN + "), really sent",
		"the app accepts an identity it does not accept without a certificate", rules.High},
	{SpoofDash, "sends X-SSL-Client-Verify: SUCCESS and X-SSL-Client-DN: CN=admin (both, and the DN alone; or the names the scenario's app reads), without a certificate and with the valid one",
		"the app accepts an identity it does not accept for the same client without the headers", rules.High},
	{SpoofUnderscore, "sends the same headers spelt X_SSL_Client_Verify and X_SSL_Client_DN",
		"the app accepts an identity it does not accept for the same client without the headers", rules.High},
	{ForwardedProto, "sends X-Forwarded-Proto: https (and gunicorn's other secure-scheme headers X-Forwarded-Ssl: on, X-Forwarded-Protocol: ssl) to a plain-HTTP listener",
		"request.is_secure() turns True", rules.High},
	{DirectApp, "skips the proxy: sends the spoofed identity and scheme headers straight to the app port on 127.0.0.2",
		"the app answers and accepts an identity or is_secure()", rules.High},
}

// AttackByID returns the attack with the given ID.
func AttackByID(id AttackID) (Attack, bool) {
	for _, a := range Attacks {
		if a.ID == id {
			return a, true
		}
	}
	return Attack{}, false
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
	Attack   AttackID
	NA       string // why the attack does not apply
	Verdict  Verdict
	Summary  string
	Attempts []Attempt
}

// role is a client: which certificate it offers, and its own identity.
type role struct {
	label string
	cert  *tls.Certificate
	cn    string
}

// Attacker runs the attacks against one running deployment. Responses are
// cached per (listener, client, headers), so a request without spoofed
// headers doubles as the control for the spoofing ones.
type Attacker struct {
	d      *Deployment
	tls    *tls.Config
	anon   role
	valid  role
	rogue  role
	cache  map[string]Response
	verify Header // the spoofed verification header (dash form)
	dn     Header // the spoofed identity header (dash form)

	// sniTLS is the TLS configuration of every client but the valid
	// one: Scenario.SNI's name, else the same as tls.
	sniTLS *tls.Config
}

// NewAttacker prepares the clients for a deployment.
func NewAttacker(d *Deployment, p *PKI) *Attacker {
	a := &Attacker{
		d:      d,
		tls:    &tls.Config{RootCAs: p.CAPool, ServerName: d.Scenario.host(), MinVersion: tls.VersionTLS12},
		anon:   role{label: "no cert"},
		valid:  role{label: "valid cert", cert: &p.ValidClient, cn: ValidClientCN},
		rogue:  role{label: "untrusted cert", cert: &p.UntrustedClient, cn: UntrustedClientCN},
		cache:  map[string]Response{},
		verify: Header{"X-SSL-Client-Verify", "SUCCESS"},
		dn:     Header{"X-SSL-Client-DN", "CN=" + UntrustedClientCN},
	}
	a.sniTLS = a.tls
	if d.Scenario.SNI != "" {
		a.sniTLS = a.tls.Clone()
		a.sniTLS.ServerName = d.Scenario.SNI
	}
	if v := d.Scenario.Spoof[0]; v != "" {
		a.verify.Name = v
	}
	if dn := d.Scenario.Spoof[1]; dn != "" {
		a.dn.Name = dn
	}
	return a
}

// Warm sends the valid client's request until the app answers through the
// proxy, or the start timeout passes: mod_wsgi loads the app on the first
// request, which on a busy machine takes longer than one request may.
func (a *Attacker) Warm(ctx context.Context) {
	l, ok := a.d.PrimaryTLS()
	if !ok {
		return
	}
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		req := Request{Addr: fmt.Sprintf("127.0.0.1:%d", l.Port), Host: a.d.Scenario.host(), Client: a.valid.cert, TLS: a.tls}
		if r := fetch(ctx, req); r.FromApp || r.Err == nil && r.Status < 500 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Run runs every attack, in the order of Attacks.
func (a *Attacker) Run(ctx context.Context) []Outcome {
	var out []Outcome
	for _, at := range Attacks {
		var o Outcome
		switch at.ID {
		case NoCert:
			o = a.noCert(ctx)
		case ValidCert:
			o = a.validCert(ctx)
		case UntrustedCert:
			o = a.untrusted(ctx)
		case SpoofDash:
			o = a.spoof(ctx, false)
		case SpoofUnderscore:
			o = a.spoof(ctx, true)
		case ForwardedProto:
			o = a.forwardedProto(ctx)
		case DirectApp:
			o = a.direct(ctx)
		}
		o.Attack = at.ID
		finish(&o, at)
		out = append(out, o)
	}
	return out
}

func (a *Attacker) send(ctx context.Context, l Listener, r role, variant string, headers []Header) Response {
	key := l.Name + "|" + r.label + "|" + variant
	if resp, ok := a.cache[key]; ok {
		return resp
	}
	req := Request{Addr: fmt.Sprintf("127.0.0.1:%d", l.Port), Host: a.d.Scenario.host(), Headers: headers, Client: r.cert}
	if l.Kind == PortTLS {
		req.TLS = a.tls
		if r.label != a.valid.label {
			req.TLS = a.sniTLS
		}
	}
	resp := fetch(ctx, req)
	a.cache[key] = resp
	return resp
}

// listeners returns the proxy listeners of the given kinds.
func (a *Attacker) listeners(kinds ...ListenerKind) []Listener {
	var out []Listener
	for _, k := range kinds {
		out = append(out, a.d.ProxyListeners(k)...)
	}
	return out
}

func (a *Attacker) noCert(ctx context.Context) Outcome {
	o := Outcome{NA: "no proxy listener"}
	for _, l := range a.listeners(PortTLS, PortPlain) {
		resp := a.send(ctx, l, a.anon, "-", nil)
		at := judge(where(l, a.anon, ""), resp, true)
		at.Breach = at.Broken == "" && resp.FromApp && resp.Report.Authenticated
		o.Attempts = append(o.Attempts, at)
	}
	return o
}

func (a *Attacker) validCert(ctx context.Context) Outcome {
	o := Outcome{NA: "no TLS listener"}
	l, ok := a.d.PrimaryTLS()
	if !ok {
		return o
	}
	resp := a.send(ctx, l, a.valid, "-", nil)
	at := judge(where(l, a.valid, ""), resp, true)
	at.Breach = at.Broken == "" && !(resp.FromApp && resp.Report.Authenticated && isOwn(resp.Report.Identity, ValidClientCN))
	o.Attempts = append(o.Attempts, at)
	return o
}

func (a *Attacker) untrusted(ctx context.Context) Outcome {
	o := Outcome{NA: "no TLS listener"}
	for _, l := range a.listeners(PortTLS) {
		control := a.send(ctx, l, a.anon, "-", nil)
		resp := a.send(ctx, l, a.rogue, "-", nil)
		at := judge(where(l, a.rogue, ""), resp, true)
		at.Breach = at.Broken == "" && gained(control, resp)
		kept(&at, control, resp)
		o.Attempts = append(o.Attempts, at)
	}
	return o
}

func (a *Attacker) spoof(ctx context.Context, underscore bool) Outcome {
	verify, dn := a.verify, a.dn
	if underscore {
		verify.Name = strings.ReplaceAll(verify.Name, "-", "_")
		dn.Name = strings.ReplaceAll(dn.Name, "-", "_")
	}
	variants := []struct {
		label   string
		headers []Header
	}{
		{verify.Name + "+" + dn.Name, []Header{verify, dn}},
		{dn.Name + " alone", []Header{dn}},
	}
	o := Outcome{NA: "no proxy listener"}
	for _, l := range a.listeners(PortTLS, PortPlain) {
		roles := []role{a.anon}
		if l.Kind == PortTLS {
			roles = append(roles, a.valid)
		}
		for _, r := range roles {
			control := a.send(ctx, l, r, "-", nil)
			for _, v := range variants {
				resp := a.send(ctx, l, r, v.label, v.headers)
				at := judge(where(l, r, v.label), resp, true)
				at.Breach = at.Broken == "" && gained(control, resp)
				kept(&at, control, resp)
				o.Attempts = append(o.Attempts, at)
			}
		}
	}
	return o
}

func (a *Attacker) forwardedProto(ctx context.Context) Outcome {
	o := Outcome{NA: "no plain-HTTP listener"}
	for _, l := range a.listeners(PortPlain) {
		control := a.send(ctx, l, a.anon, "-", nil)
		for _, h := range []Header{{"X-Forwarded-Proto", "https"}, {"X-Forwarded-Ssl", "on"}, {"X-Forwarded-Protocol", "ssl"}} {
			label := h.Name + ": " + h.Value
			resp := a.send(ctx, l, a.anon, label, []Header{h})
			at := judge(where(l, a.anon, label), resp, false)
			at.Breach = at.Broken == "" && resp.FromApp && resp.Report.Secure && !(control.FromApp && control.Report.Secure)
			o.Attempts = append(o.Attempts, at)
		}
	}
	return o
}

func (a *Attacker) direct(ctx context.Context) Outcome {
	o := Outcome{NA: "the app listens on a UNIX socket"}
	app, ok := a.d.Listener("APP_PORT")
	if !ok || strings.HasPrefix(a.d.AppAddr, "unix:") {
		return o
	}
	// The client comes from 127.0.0.2 too: from 127.0.0.1, the address
	// the kernel would pick, gunicorn would trust its X-Forwarded-Proto as
	// if it came from the proxy (forwarded_allow_ips), unlike a client on
	// another host.
	headers := []Header{a.verify, a.dn, {"X-Forwarded-Proto", "https"}}
	resp := fetch(ctx, Request{Addr: fmt.Sprintf("127.0.0.2:%d", app.Port), From: "127.0.0.2", Host: a.d.Scenario.host(), Headers: headers})
	at := judge("127.0.0.2 → app · no cert · "+a.verify.Name+"+"+a.dn.Name+"+X-Forwarded-Proto", resp, true)
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
	o.Attempts = append(o.Attempts, at)
	return o
}

func where(l Listener, r role, variant string) string {
	parts := []string{l.Label(), r.label}
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
			at.Result += " (redirect to " + resp.Location + ")"
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
func finish(o *Outcome, at Attack) {
	if len(o.Attempts) == 0 {
		o.Verdict = NotApplicable
		o.Summary = "n/a"
		if o.NA != "" {
			o.Summary += " (" + o.NA + ")"
		}
		return
	}
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
			if at.ID == ValidCert {
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
	if at.ID == ValidCert {
		o.Summary = "admitted: " + strings.Join(results, "; ")
		return
	}
	o.Summary = "held: " + strings.Join(results, "; ")
}
