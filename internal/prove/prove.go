package prove

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/internal/e2e"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/internal/supervise"
	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Status is the outcome of proving one finding.
type Status string

const (
	// Confirmed: the request the finding describes got through the
	// repository's own proxy configuration, and the app received what the
	// finding says it receives.
	Confirmed Status = "confirmed"
	// NotReproduced: the request was sent and did not get through as the
	// finding says (the proxy refused it, the header arrived overwritten).
	NotReproduced Status = "not-reproduced"
	// NotTestable: no request could be sent here, for the reason given.
	NotTestable Status = "not-testable"
)

// Proof is what proving one finding showed.
type Proof struct {
	Status Status `json:"status"`
	// Reason says in one line what got through (confirmed), what happened
	// instead (not reproduced) or why nothing was sent (not testable).
	Reason string `json:"reason"`
	// Request is the request that confirmed the finding, or the last one
	// tried.
	Request *Sent `json:"request,omitempty"`
	// Observed is what came of it.
	Observed *Observed `json:"observed,omitempty"`
	// Tried counts the requests sent for the finding, controls included.
	Tried int `json:"tried,omitempty"`

	// partial is a request that showed what the finding says (the
	// client's copy arrived) although the app's check refused the value
	// as it arrived: the proof when no request gets further.
	partial    *attempt
	partialWhy string
}

// Sent is one request as the prover sent it.
type Sent struct {
	// Attack names the request in the real-server suite's vocabulary: its
	// class and what the client added ("tls no-cert spoof-underscore").
	Attack string `json:"attack"`
	// Class is the request class, in words ("TLS without a client
	// certificate on :443").
	Class string `json:"class"`
	// Listener is the listener as the configuration declares it
	// ("*:443", at nginx.conf:12).
	Listener string `json:"listener"`
	At       string `json:"at"`
	// Cert is the certificate offered: "none", "valid" (from the CA the
	// configuration trusts, which the run replaced with its own) or
	// "untrusted" (from another CA).
	Cert    string   `json:"cert"`
	SNI     string   `json:"sni,omitempty"`
	Host    string   `json:"host"`
	Path    string   `json:"path"`
	Headers []Header `json:"headers,omitempty"`
}

// Observed is what came of one request.
type Observed struct {
	// Answer is what the client got ("HTTP 403 from the proxy", "TLS
	// handshake refused: ...", "HTTP 200 from the app").
	Answer string `json:"answer"`
	// ReachedApp: the request reached the stub app.
	ReachedApp bool `json:"reached_app"`
	// Received are the finding's headers as the app received them: the
	// WSGI environ gunicorn built (HTTP_X_SSL_CLIENT_DN), else the headers
	// as the proxy sent them. A header that did not arrive is absent.
	Received []Header `json:"received,omitempty"`
	// App is the app's check judged on what arrived, when the model knows
	// it ("admitted: x-ssl-client-verify: \"SUCCESS\"").
	App string `json:"app,omitempty"`
}

// Options configure a prove run.
type Options struct {
	// Lint are the options of the static run; the deployment model is
	// always built.
	Lint lint.Options
	// ServerPaths are executables given on the command line, by kind
	// (parsers.KindNginx, ..., KindGunicorn); the others are looked up.
	ServerPaths map[string]string
	// Servers, when set, are used instead of looking the programs up.
	Servers Servers
	// Limits bound the run (DefaultLimits when zero).
	Limits Limits
	// TempDir is where the run's temporary directory is made ("" = the
	// system's).
	TempDir string
	// StartAll starts every configuration that can be run, not only
	// those a finding needs (the tests check what each listens on).
	StartAll bool
	// Started, when set, is called after each server has started, while
	// it runs and before any request is sent (the tests check what it
	// listens on).
	Started func(run *Run, p *Plan, pid int)
}

// PlanOutcome says what became of one proxy configuration of the
// repository.
type PlanOutcome struct {
	Kind string `json:"kind"`
	Root string `json:"root"`
	// Started: the configuration passed its test and the server ran.
	Started bool `json:"started"`
	// Reason is why it was not started: a directive that would execute
	// something, a missing program, a failed configuration test.
	Reason string `json:"reason,omitempty"`
	// Limits and SourceConditions are where the copy may behave otherwise
	// than the deployment.
	Limits           []string `json:"limits,omitempty"`
	SourceConditions []string `json:"source_conditions,omitempty"`
}

// Result is a prove run: the static findings, and a proof for each one
// that is not suppressed (Proofs[i] is Lint.Findings[i]'s; nil for a
// suppressed one).
type Result struct {
	Lint    *lint.Result
	Proofs  []*Proof
	Servers Servers
	Plans   []PlanOutcome
	// Missing lists the programs the repository's configurations need
	// that are not installed, with what to install.
	Missing []string
	// Left is what the run left in the process table: nothing, unless a
	// process escaped its process group.
	Left []supervise.Proc
	// PIDs are the processes (and process groups) the run started.
	PIDs []int
	// Dir was the run's temporary directory (removed when the run ends).
	Dir string
}

// Counts returns how many findings got each status.
func (r *Result) Counts() map[Status]int {
	out := map[Status]int{}
	for _, p := range r.Proofs {
		if p != nil {
			out[p.Status]++
		}
	}
	return out
}

// Prove runs the static check on opts.Lint, then the repository's proxy
// configurations on loopback, and tries each finding's request.
func Prove(ctx context.Context, opts Options) (*Result, error) {
	servers := opts.Servers
	if servers == nil {
		servers = FindServers(ctx, opts.ServerPaths)
	}
	lo := opts.Lint
	lo.WithModel = true
	setVersions(&lo.Settings, servers)
	res, err := lint.Run(ctx, lo)
	if err != nil {
		return nil, err
	}
	out := &Result{Lint: res, Proofs: make([]*Proof, len(res.Findings)), Servers: servers}
	pv := &prover{res: res, out: out, started: map[*Plan]string{}, onStart: opts.Started, startAll: opts.StartAll}
	for i, f := range res.Findings {
		if f.Suppression == nil {
			pv.wanted = append(pv.wanted, i)
		}
	}
	pv.mechanisms = map[int][]e2e.Mechanism{}
	for _, f := range e2e.Findings(res) {
		pv.mechanisms[f.Index] = e2e.MechanismsOf(f, 0)
	}
	if len(pv.wanted) == 0 && !opts.StartAll {
		return out, nil
	}

	dir, err := os.MkdirTemp(opts.TempDir, "mtlslint-prove-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	// Servers started as root hand their workers to nobody, which must
	// reach the run's files.
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	sb, err := NewSandbox(dir, HostNames(res.Workspace))
	if err != nil {
		return nil, err
	}
	defer sb.Close()
	pv.sb = sb
	pv.plan()
	need := pv.needed()
	if len(need) == 0 {
		// nothing to send: no server, no stub app
		pv.start(need)
		for _, i := range pv.wanted {
			out.Proofs[i] = pv.prove(i)
		}
		return out, nil
	}

	run, err := NewRun(ctx, sb, servers, pv.stubOptions(), opts.Limits)
	if err != nil {
		return nil, err
	}
	// Whatever happens below, every server stops (Close runs once; the
	// call below reads its outcome).
	defer func() { _, _ = run.Close() }()
	pv.run = run
	pv.start(need)
	for _, i := range pv.wanted {
		out.Proofs[i] = pv.prove(i)
	}
	left, err := run.Close()
	out.Left, out.PIDs, out.Dir = left, run.PIDs(), dir
	if err != nil && !onlyForced(err) {
		return out, err
	}
	return out, nil
}

// onlyForced reports whether every error joined in err is a server that
// had to be killed after its grace period: stopped by its PID all the
// same, which the check of the process table confirms.
func onlyForced(err error) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !onlyForced(e) {
				return false
			}
		}
		return true
	}
	return errors.Is(err, supervise.ErrKilled)
}

// setVersions tells the rules the versions of the servers that will run
// the configuration, where the options do not say them.
func setVersions(s *rules.Settings, servers Servers) {
	v := func(kind string) string {
		if srv := servers[kind]; srv != nil {
			if _, after, ok := strings.Cut(srv.Version, "/"); ok {
				after, _, _ = strings.Cut(after, "-")
				return after
			}
		}
		return ""
	}
	if s.NginxVersion == "" {
		s.NginxVersion = v(parsers.KindNginx)
	}
	if s.HAProxyVersion == "" {
		s.HAProxyVersion = v(parsers.KindHAProxy)
	}
	if s.GunicornVersion == "" {
		s.GunicornVersion = v(KindGunicorn)
	}
}

// prover holds one run's state.
type prover struct {
	res    *lint.Result
	out    *Result
	sb     *Sandbox
	run    *Run
	wanted []int // indexes of the findings to prove
	plans  []*Plan
	// started maps a plan to "" when its server runs, else to why not.
	started map[*Plan]string
	// failed are the configuration trees that could not be rewritten, by
	// root, with the reason.
	failed map[string]string
	// mechanisms are, by finding, the ways in of the real-server suite
	// that the finding describes (e2e.AttackCodes): what a finding whose
	// key names no route or header claims.
	mechanisms map[int][]e2e.Mechanism
	probes     int
	onStart    func(run *Run, p *Plan, pid int)
	startAll   bool
}

// plan rewrites every runnable proxy configuration of the workspace.
func (pv *prover) plan() {
	pv.failed = map[string]string{}
	for _, tree := range pv.res.Workspace.Trees {
		if !Runnable(tree) {
			continue
		}
		p, err := pv.sb.Rewrite(pv.res.Workspace, tree)
		if err != nil {
			pv.failed[tree.Root().Path] = err.Error()
			pv.out.Plans = append(pv.out.Plans, PlanOutcome{Kind: tree.Kind(), Root: tree.Root().Path, Reason: err.Error()})
			continue
		}
		pv.plans = append(pv.plans, p)
	}
}

// stubOptions gives the stub's gunicorn the repository's
// forwarded_allow_ips when every app that sets it agrees.
func (pv *prover) stubOptions() StubOptions {
	var allow []string
	seen := map[string]bool{}
	if pv.res.Model != nil {
		for _, a := range pv.res.Model.Apps {
			if len(a.ForwardedAllow) == 0 {
				continue
			}
			k := strings.Join(a.ForwardedAllow, ",")
			if !seen[k] {
				seen[k] = true
				allow = a.ForwardedAllow
			}
		}
	}
	if len(seen) != 1 {
		return StubOptions{}
	}
	return StubOptions{ForwardedAllowIPs: strings.Join(allow, ",")}
}

// needed returns the plans a finding's route goes through that can be
// started (all of them with StartAll).
func (pv *prover) needed() map[*Plan]bool {
	need := map[*Plan]bool{}
	for _, p := range pv.plans {
		if pv.startAll && p.Testable() {
			need[p] = true
		}
	}
	for _, i := range pv.wanted {
		for _, r := range pv.routesOf(i) {
			if p := pv.planOf(r); p != nil && p.Testable() {
				need[p] = true
			}
		}
	}
	return need
}

// start starts the server of every plan that a finding needs: each once,
// a failed configuration test reported and never retried.
func (pv *prover) start(need map[*Plan]bool) {
	for _, p := range pv.plans {
		o := PlanOutcome{Kind: p.Kind, Root: p.Root}
		for _, n := range p.Limits {
			o.Limits = append(o.Limits, n.String())
		}
		for _, n := range p.SourceConditions {
			o.SourceConditions = append(o.SourceConditions, n.String())
		}
		switch {
		case !p.Testable():
			o.Reason = "not started: " + p.Refusals[0].String() + " (it would execute something)"
		case !need[p]:
			o.Reason = "not started: no finding needs it"
		default:
			if proc, err := pv.run.Start(p); err != nil {
				o.Reason = startFailure(err)
				if errors.Is(err, ErrMissing) && !slices.Contains(pv.out.Missing, o.Reason) {
					pv.out.Missing = append(pv.out.Missing, o.Reason)
				}
			} else {
				o.Started = true
				if pv.onStart != nil {
					pv.onStart(pv.run, p, proc.PID())
				}
			}
		}
		pv.started[p] = o.Reason
		pv.out.Plans = append(pv.out.Plans, o)
	}
}

// startFailure says in one line why a server did not start.
func startFailure(err error) string {
	var ce *ConfigError
	if errors.As(err, &ce) {
		return fmt.Sprintf("the rewritten configuration fails %s: %s", configTestName(ce.Kind), ce.Reason)
	}
	if errors.Is(err, ErrMissing) {
		return err.Error()
	}
	return "the server did not start: " + err.Error()
}

func configTestName(kind string) string {
	switch kind {
	case parsers.KindNginx:
		return "nginx -t"
	case parsers.KindHAProxy:
		return "haproxy -c"
	case parsers.KindApache:
		return "apache2 -t"
	case parsers.KindCaddy:
		return "caddy validate"
	}
	return "its configuration test"
}

// planOf returns the plan whose copy holds a route's listener.
func (pv *prover) planOf(r *rules.Route) *Plan {
	for _, p := range pv.plans {
		if _, ok := p.ListenerFor(r.Listener); ok {
			return p
		}
	}
	return nil
}

// routesOf returns the routes a finding is about, by ID: the route its key
// names; the routes a verification or underscore directive configures; the
// routes to the app whose read it judges.
func (pv *prover) routesOf(i int) []*rules.Route {
	f := pv.res.Findings[i]
	m := pv.res.Model
	if m == nil {
		return nil
	}
	var out []*rules.Route
	k := f.Key
	for _, r := range m.Routes {
		switch {
		case k.Route() != "" && r.ID == k.Route():
		case k.Kind() == rules.KeyVerify && r.Listener.VerifyRange.String() == k.Directive():
		case k.Kind() == rules.KeyUnderscore && r.UnderscoreRange.String() == k.Directive():
		case k.Kind() == rules.KeyAppRead && pv.trustOf(f, r) != nil:
		case k.Kind() == rules.KeyTrust && pv.trusted(r, k.Header()):
		default:
			continue
		}
		out = append(out, r)
	}
	if len(out) == 0 && len(pv.mechanisms[i]) > 0 {
		// a directive of a route's own (a Caddy header_up, a
		// trusted_proxies option): the routes whose block or proxy
		// directive comes last before it in its file
		best := -1
		for _, r := range m.Routes {
			for _, at := range []source.Range{r.Range, r.Block} {
				if at.File == f.Range.File && at.Start.Offset <= f.Range.Start.Offset && at.Start.Offset >= best {
					if at.Start.Offset > best {
						best, out = at.Start.Offset, nil
					}
					if !slices.Contains(out, r) {
						out = append(out, r)
					}
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// appReadAt is the read's range in an app-read key ("app:<range>|…").
func appReadAt(k rules.Key) string {
	at, _, _ := strings.Cut(strings.TrimPrefix(k.String(), "app:"), "|")
	return at
}

// trustOf returns, for an app-read finding, the trust it judges on an app
// behind route r, or nil.
func (pv *prover) trustOf(f rules.Finding, r *rules.Route) *rules.Trust {
	if f.Key.Kind() != rules.KeyAppRead && f.Key.Kind() != rules.KeyAppReadRoute {
		return nil
	}
	at := appReadAt(f.Key)
	for _, a := range pv.appsBehind(r) {
		for i := range a.Trusts {
			if a.Trusts[i].Range.String() == at {
				return &a.Trusts[i]
			}
		}
	}
	return nil
}

// trusted reports whether an app behind the route trusts the header.
func (pv *prover) trusted(r *rules.Route, h string) bool {
	for _, a := range pv.appsBehind(r) {
		for _, t := range a.Trusts {
			if rules.HeaderName(t.Header) == rules.HeaderName(h) {
				return true
			}
		}
	}
	return false
}

// appsBehind returns the apps a route is linked to.
func (pv *prover) appsBehind(r *rules.Route) []*rules.App {
	var out []*rules.App
	for _, l := range pv.res.Model.Links {
		if l.Route == r && l.App != nil {
			out = append(out, l.App)
		}
	}
	return out
}

// notTestable makes a proof that nothing could be sent.
func notTestable(format string, args ...any) *Proof {
	return &Proof{Status: NotTestable, Reason: fmt.Sprintf(format, args...)}
}

// runnableProxies are the proxies whose configurations prove runs.
var runnableProxies = map[string]bool{parsers.KindNginx: true, parsers.KindHAProxy: true, parsers.KindApache: true, parsers.KindCaddy: true}

// prove proves one finding on the routes it is about: confirmed on the
// first route where its request gets through, not reproduced when it was
// sent everywhere and got through nowhere, else not testable with the
// first reason.
func (pv *prover) prove(i int) *Proof {
	f := pv.res.Findings[i]
	routes := pv.routesOf(i)
	if len(routes) == 0 {
		return notTestable("%s", noRouteReason(f))
	}
	var last *Proof
	var why []string
	tried := 0
	for _, r := range routes {
		p := pv.proveOn(i, r)
		tried += p.Tried
		switch p.Status {
		case Confirmed:
			p.Tried = tried
			return p
		case NotReproduced:
			last = p
		default:
			why = append(why, p.Reason)
		}
	}
	if last != nil {
		last.Tried = tried
		return last
	}
	return notTestable("%s", why[0])
}

// noRouteReason says why a finding names no route to send a request on.
func noRouteReason(f rules.Finding) string {
	switch f.Key.Kind() {
	case rules.KeyPublicBind, rules.KeyPublish:
		return "it is about where the app server listens; prove runs only the proxies, in front of a stub app"
	case rules.KeyAppRead, rules.KeyTrust:
		return "no proxy route in the repository reaches the app that reads the header"
	case rules.KeyVerify, rules.KeyUnderscore:
		return "no route of the deployment model goes through the directive"
	case rules.KeyRoute, rules.KeyRouteHeader:
		return "the route is not in the deployment model"
	}
	if f.Key.IsZero() {
		return "the finding names no request (no key)"
	}
	return fmt.Sprintf("it is about %s, not a request through a proxy", keyNouns[f.Key.Kind()])
}

// keyNouns say what a finding of each kind of key is about, for a finding
// that names no request.
var keyNouns = map[rules.KeyKind]string{
	rules.KeyAppServerOption: "an app-server option", rules.KeyConfigLine: "a configuration line",
	rules.KeyCrash: "a rule that failed", rules.KeyDirective: "a directive", rules.KeyEntrance: "a Kubernetes entrance",
	rules.KeyHost: "a host name", rules.KeyListener: "a listener's settings", rules.KeyListenerSpec: "an API specification",
	rules.KeyObject: "a Kubernetes object", rules.KeyProblem: "a file that could not be read", rules.KeyResource: "a cloud resource",
	rules.KeyRouter: "a router", rules.KeyServer: "a server's settings", rules.KeySetting: "an app setting",
	rules.KeySocket: "a socket", rules.KeySpec: "an API specification", rules.KeySpecOperation: "an API operation",
	rules.KeySuppression: "a suppression comment", rules.KeyTargetBypass: "a load balancer target", rules.KeyTest: "a test",
	rules.KeyWritten: "how a directive is written",
}

// proveOn proves a finding on one route.
func (pv *prover) proveOn(i int, r *rules.Route) *Proof {
	if !runnableProxies[r.Proxy] {
		return notTestable("the route is %s's; prove runs nginx, HAProxy, httpd and Caddy configurations", r.Proxy)
	}
	p := pv.planOf(r)
	if p == nil {
		if why, ok := pv.failed[r.Listener.Range.File]; ok {
			return notTestable("the configuration could not be rewritten: %s", why)
		}
		return notTestable("no listener of the rewritten configuration is at %s", r.Listener.Range)
	}
	if why := pv.started[p]; why != "" {
		return notTestable("%s", why)
	}
	for _, n := range p.Limits {
		if n.Directive == "internal" && n.At == r.Range {
			return notTestable("%s", n.Reason)
		}
	}
	if _, ok := e2e.SamplePath(r.Path); r.Proxy == parsers.KindNginx && strings.HasPrefix(r.Path, "~") && !ok {
		// "/" would try another location. (A named location keeps "/":
		// the usual way in is try_files or error_page of location /.)
		return notTestable("no path is known that the location %q matches", r.Path)
	}
	l, _ := p.ListenerFor(r.Listener)
	if r.Upstream.Name != "" || len(r.Upstream.Servers) > 0 {
		for _, u := range p.Upstreams {
			if u.Protocol != "http" && upstreamOf(r, u) {
				return notTestable("the proxy speaks %s to the app, which the stub app does not", u.Protocol)
			}
		}
	}
	pr := pv.attack(i, r, l)
	if pr.Status != NotTestable && len(p.SourceConditions) > 0 {
		n := p.SourceConditions[0]
		pr.Reason += fmt.Sprintf(" (every request came from 127.0.0.1, and %s at %s decides on the client's address)", n.Directive, n.At)
	}
	return pr
}

// upstreamOf reports whether an upstream of a plan is a route's.
func upstreamOf(r *rules.Route, u *Upstream) bool {
	if r.Upstream.Name != "" && strings.Contains(u.Target, r.Upstream.Name) {
		return true
	}
	for _, s := range r.Upstream.Servers {
		if strings.Contains(u.Target, s.String()) {
			return true
		}
	}
	return false
}

// sourceBound reports whether requests of the class must come from a
// source the loopback run cannot be.
func sourceBound(c rules.RequestClass) bool { return c.Source != "" }

// describe is a proof's one-line listing of attempts that did not get
// through, once each.
func describe(results []string) string {
	seen := map[string]bool{}
	var out []string
	for _, r := range results {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return strings.Join(out, "; ")
}

// Line is the proof in one line, for text reports.
func (p *Proof) Line() string {
	s := string(p.Status) + ": " + p.Reason
	if p.Request != nil && p.Status == Confirmed {
		s += fmt.Sprintf(" [listener %s at %s, Host %s]", p.Request.Listener, p.Request.At, p.Request.Host)
	}
	return s
}
