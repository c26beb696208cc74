package rules

import (
	"slices"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The deployment model: on the proxy side every route from a listener to an
// upstream with how it treats each request header, on the app side every
// header the app trusts, and the links between them. Proxy families build
// routes (a route builder: a ScopeTree Analysis whose result is []*Route),
// the app family builds apps (an app builder: a ScopeDeployment Analysis
// whose result is []*App); the DeploymentModel analysis puts them together
// once per run for the rules that require it.

// HeaderAction is how a route treats one request header.
type HeaderAction int

const (
	// Passthrough: the client's own copy reaches the upstream.
	Passthrough HeaderAction = iota
	// SetTLS: overwritten from TLS state ($ssl_client_verify, %[ssl_c_verify]).
	SetTLS
	// SetClient: overwritten from client-controlled data ($http_*, %[req.hdr]).
	SetClient
	// SetConst: overwritten with a constant.
	SetConst
	// SetOther: overwritten from something else ($scheme, $remote_addr,
	// an unknown variable).
	SetOther
	// Blanked: removed, or set to an empty value so nothing is sent.
	Blanked
	// Conditional: set only under a condition, with no unconditional
	// delete before, so the client's copy passes when the condition fails.
	Conditional
	// Appended: the proxy's value is added after the client's copy.
	Appended
	// Unknown: the treatment could not be determined statically.
	Unknown
)

var actionNames = [...]string{"passthrough", "set-tls", "set-client", "set-const", "set-other", "blanked", "conditional", "appended", "unknown"}

func (a HeaderAction) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "unknown"
}

// MarshalText writes the action's name.
func (a HeaderAction) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Overwrites reports whether the client's copy cannot reach the upstream.
func (a HeaderAction) Overwrites() bool {
	switch a {
	case SetTLS, SetConst, SetOther, Blanked:
		return true
	}
	return false
}

// Fact is a fact of the connection or the request that a proxy can put in
// a header. Route builders read it from the proxy's own syntax (nginx
// $ssl_client_verify, HAProxy %[ssl_c_verify]), so that cross-file rules
// judge what a route sends without knowing any proxy's syntax.
type Fact int

const (
	// FactNone: not a fact of the connection (a constant, client data,
	// something unknown).
	FactNone Fact = iota
	// FactVerify: the verification result in words: SUCCESS, NONE
	// without a certificate, FAILED:<reason> (nginx $ssl_client_verify).
	FactVerify
	// FactVerifyCode: the verification result as an error code, 0 for a
	// verified certificate and also for none at all (HAProxy
	// %[ssl_c_verify]).
	FactVerifyCode
	// FactCertUsed: whether the client presented a certificate (HAProxy
	// %[ssl_c_used]).
	FactCertUsed
	FactSubjectDN   // the client certificate's subject DN
	FactIssuerDN    // its issuer DN
	FactCert        // the certificate itself (PEM, escaped or not)
	FactFingerprint // its fingerprint
	FactSerial      // its serial number
	FactScheme      // the scheme the client used (nginx $scheme)
	FactHost        // the request's own Host (nginx $host)
)

var factNames = [...]string{"none", "verify", "verify-code", "cert-used", "subject-dn", "issuer-dn", "cert", "fingerprint", "serial", "scheme", "host"}

func (f Fact) String() string {
	if int(f) < len(factNames) {
		return factNames[f]
	}
	return "none"
}

// MarshalText writes the fact's name.
func (f Fact) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// IsTLS reports whether the fact comes from the TLS handshake.
func (f Fact) IsTLS() bool { return f >= FactVerify && f <= FactSerial }

// TLSFactOf returns the TLS fact an identity header is conventionally set
// from, by its name ("X-SSL-Client-Verify": the verification result,
// "X-SSL-Client-DN": the subject DN), or FactNone: what a fix sets it to.
func TLSFactOf(header string) Fact {
	n := HeaderName(header)
	switch {
	case strings.Contains(n, "verify") || strings.Contains(n, "authenticated") || strings.Contains(n, "success"):
		return FactVerify
	case strings.Contains(n, "issuer"):
		return FactIssuerDN
	case strings.Contains(n, "dn") || strings.Contains(n, "subject") || strings.Contains(n, "user"):
		return FactSubjectDN
	case strings.Contains(n, "cert"):
		return FactCert
	case strings.Contains(n, "fingerprint"):
		return FactFingerprint
	case strings.Contains(n, "serial"):
		return FactSerial
	}
	return FactNone
}

// HeaderTreatment is how a route treats one header, and where that is said.
type HeaderTreatment struct {
	Name   string       `json:"name"` // as written in the configuration
	Action HeaderAction `json:"action"`
	Value  string       `json:"value,omitempty"` // the value expression as written
	// Fact is what the value carries (for a value made of several parts,
	// the verification result when it is one of them).
	Fact Fact `json:"fact,omitzero"`
	// CertGuarded: the value is set only when the client presented a
	// certificate, or itself says whether one was (HAProxy
	// `if { ssl_c_used }`, %[ssl_c_used]).
	CertGuarded bool `json:"cert_guarded,omitempty"`
	// Composite: Value is the fact with other text around it
	// (`verify=$ssl_client_verify`), not the fact alone, so what arrives
	// is known only in part.
	Composite bool         `json:"composite,omitempty"`
	Range     source.Range `json:"range,omitempty"` // the directive; zero for passthrough
	Note      string       `json:"note,omitempty"`  // e.g. "from the stock proxy_params"
	// Otherwise is the treatment that holds when When does not (the
	// unconditional delete or set before it), when known.
	Otherwise *HeaderTreatment `json:"otherwise,omitempty"`
	// When is the condition under which Value is set (HAProxy "if {
	// ssl_c_used }"), when the client's copy was removed unconditionally
	// before; empty when the value is set unconditionally.
	When string `json:"when,omitempty"`
	// Removes: under When the client's copy is removed and nothing is
	// set in its place (Traefik outside a partial trustedIPs), so the
	// findings' words say removed, not set.
	Removes bool `json:"removes,omitempty"`
	// Missing is what the proxy writes for a TLS fact that has no value
	// (no client certificate, or plain HTTP): empty unless set. httpd's
	// mod_headers writes "(null)" for an SSL variable that is unset or
	// empty (header_request_ssl_var), so a presence check passes.
	Missing string `json:"missing,omitempty"`
	// NoCert is what a certificate fact is on a TLS connection without a
	// client certificate where the proxy's version changed it (Caddy:
	// the unreplaced placeholder, Missing, before 2.11.2; the fields of
	// an empty certificate since): zero where no version changed it.
	NoCert NoCertValue `json:"no_cert,omitzero"`
}

// NoCertValue is the value of a certificate fact without a client
// certificate in the versions of a proxy since the one that changed it,
// and which of the two values arrives.
type NoCertValue struct {
	// Text is the value since the change (Missing before it).
	Text string `json:"text"`
	// Newer: the version the repository pins sends Text.
	Newer bool `json:"newer,omitempty"`
	// OlderIf and NewerIf say when each value arrives, where the
	// repository pins no version: both may (Value.If); empty when a
	// pinned version decides it.
	OlderIf string `json:"older_if,omitempty"`
	NewerIf string `json:"newer_if,omitempty"`
}

// Undecided reports whether both values may arrive: the repository pins
// no version that decides it.
func (n NoCertValue) Undecided() bool { return n.NewerIf != "" }

// SetsWithCert reports whether the proxy overwrites the header, at least
// for a client that presents a certificate: a header set only then
// (Traefik's passTLSClientCert where forwardedHeaders trusts some
// clients, HAProxy's and Apache's set under ssl_c_used) still joins a
// verified client's underscore copy of it.
func (t HeaderTreatment) SetsWithCert() bool {
	return t.Action.Overwrites() || t.Action == Conditional && t.CertGuarded
}

// VerifyMode is a listener's client-certificate verification.
type VerifyMode int

const (
	VerifyUnknown VerifyMode = iota
	VerifyOff
	VerifyOptional
	VerifyOptionalNoCA // nginx optional_no_ca, HAProxy ignore-err all, ALB passthrough
	VerifyRequired
)

var verifyNames = [...]string{"unknown", "off", "optional", "optional_no_ca", "required"}

func (v VerifyMode) String() string {
	if int(v) < len(verifyNames) {
		return verifyNames[v]
	}
	return "unknown"
}

// MarshalText writes the mode's name.
func (v VerifyMode) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// Endpoint is a network address: host and port, or a UNIX socket path.
type Endpoint struct {
	Host string `json:"host,omitempty"`
	Port string `json:"port,omitempty"`
	Unix string `json:"unix,omitempty"`
}

func (e Endpoint) String() string {
	if e.Unix != "" {
		return "unix:" + e.Unix
	}
	if strings.Contains(e.Host, ":") {
		return "[" + e.Host + "]:" + e.Port
	}
	return e.Host + ":" + e.Port
}

// IsLoopback reports whether the endpoint is reachable only from the host
// itself (a UNIX socket or a loopback address).
func (e Endpoint) IsLoopback() bool {
	if e.Unix != "" {
		return true
	}
	h := strings.Trim(e.Host, "[]")
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1"
}

// Listener is where a route accepts connections.
type Listener struct {
	Endpoint Endpoint     `json:"endpoint"`
	TLS      bool         `json:"tls"`
	Verify   VerifyMode   `json:"verify"`
	CA       string       `json:"ca,omitempty"`
	Default  bool         `json:"default,omitempty"` // default server of its socket
	Range    source.Range `json:"range"`             // listen / bind line
	// VerifyRange is where the verify mode is configured, if anywhere.
	VerifyRange source.Range `json:"verify_range,omitempty"`
	// Also are further sockets of the same route (MergeDualStack).
	Also []AlsoListening `json:"also,omitempty"`
}

// Upstream is where a route sends requests.
type Upstream struct {
	Name    string       `json:"name"` // upstream block / backend name, or the literal address
	Servers []Endpoint   `json:"servers,omitempty"`
	Range   source.Range `json:"range"` // proxy_pass / use_backend line
	// Workloads are what the configuration says runs behind the upstream
	// (the pods a Kubernetes Service selects), for linking it to an app.
	Workloads []Workload `json:"workloads,omitempty"`
}

// Workload is a process behind an upstream that the proxy's own
// configuration describes: where its app server listens and which
// settings module it loads.
type Workload struct {
	Name           string       `json:"name"`                      // "deployment default/web"
	Server         string       `json:"server,omitempty"`          // gunicorn, uwsgi, runserver, daphne, uvicorn
	Binds          []Endpoint   `json:"binds,omitempty"`           // where the app server listens
	SettingsModule string       `json:"settings_module,omitempty"` // DJANGO_SETTINGS_MODULE
	Range          source.Range `json:"range"`                     // the container
	// Reach is who else can connect to the workload's app server, as the
	// configuration around it says (a Kubernetes Service and the
	// NetworkPolicies selecting its pods, an ECS service's security
	// groups); ReachWhy says it in words and ReachRange where it is
	// decided.
	Reach      Reach        `json:"reach,omitempty"`
	ReachWhy   string       `json:"reach_why,omitempty"`
	ReachRange source.Range `json:"reach_range,omitempty"`
	// ReachVia names what opens the workload in a few words ("NodePort",
	// "hostPort", "no NetworkPolicy", "security group aws_security_group.app"),
	// and ReachPort is the port a client connects to there (the node
	// port, the host port), when the configuration says: what a finding
	// names as the direct request class.
	ReachVia  string `json:"reach_via,omitempty"`
	ReachPort string `json:"reach_port,omitempty"`
	// ReachKey is the key of the finding the workload's own family gives
	// the opening (K005 on a NodePort Service, K006 on a missing
	// NetworkPolicy): a finding about the direct path through it is the
	// same defect, and replaces it.
	ReachKey Key `json:"-"`
}

// Reach is who can connect to a workload's app server besides the proxy
// in front of it.
type Reach int

const (
	// ReachUnknown: the configuration does not say.
	ReachUnknown Reach = iota
	// ReachProxyOnly: only the proxy (the ingress controller's pods, the
	// load balancer's security group) can connect.
	ReachProxyOnly
	// ReachNetwork: any host or pod of the private network can connect
	// (no NetworkPolicy selects the pods, a security group admits an
	// address range).
	ReachNetwork
	// ReachPublic: clients outside reach it directly (a NodePort or
	// LoadBalancer Service, a hostPort, a security group open to the
	// internet on a public address).
	ReachPublic
)

var reachNames = [...]string{"unknown", "proxy-only", "network", "public"}

func (r Reach) String() string {
	if int(r) < len(reachNames) {
		return reachNames[r]
	}
	return "unknown"
}

// MarshalText writes the reach's name.
func (r Reach) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// Runs reports whether the workload runs the app: its settings module is
// the app's, or, when the configuration names none, its app server
// listens on the port of one of the app's binds.
func (w Workload) Runs(a *App) bool {
	if w.SettingsModule != "" {
		return settingsModuleIs(w.SettingsModule, a)
	}
	for _, we := range w.Binds {
		for _, b := range a.Binds {
			if we.Port != "" && we.Port == b.Endpoint.Port {
				return true
			}
		}
	}
	return false
}

// Route is one path from a listener to an upstream.
type Route struct {
	// ID is stable across runs and unrelated edits; it is the route part of
	// diagnostic keys.
	ID       string   `json:"id"`
	Proxy    string   `json:"proxy"` // "nginx", "haproxy", ...
	Desc     string   `json:"desc"`  // human-readable: server and location
	Hosts    []string `json:"hosts,omitempty"`
	Path     string   `json:"path,omitempty"`
	Listener Listener `json:"listener"`
	Upstream Upstream `json:"upstream"`
	// Headers maps a lower-case header name to its treatment. Headers not
	// listed get Default.
	Headers map[string]HeaderTreatment `json:"headers"`
	Default HeaderAction               `json:"default"`
	// Removed are header-name patterns the route deletes, with "*" at
	// either end as a wildcard (Caddy's `request_header -X-Ssl-*`): a
	// header that Headers does not list and a pattern matches is removed
	// rather than given Default.
	Removed []string `json:"removed,omitempty"`
	// OmitsEmpty: the proxy leaves out a header whose value is empty
	// (nginx, and so ingress-nginx), so without a certificate the
	// certificate headers are absent rather than empty (HAProxy sends them
	// empty).
	OmitsEmpty bool `json:"omits_empty,omitempty"`
	// Gated: the route refuses requests without a verified client
	// certificate before proxying (nginx 403 gate, HAProxy deny).
	Gated bool `json:"gated,omitempty"`
	// AdmitsUnderscore: client headers with "_" in their names reach the
	// upstream (nginx underscores_in_headers on, HAProxy by default).
	AdmitsUnderscore bool `json:"admits_underscore,omitempty"`
	// UnderscoreRange is the directive that lets them through (nginx
	// underscores_in_headers on), when one does.
	UnderscoreRange source.Range `json:"underscore_range,omitempty"`
	// UnderscoreRemoved lists headers (lower-case dash form) whose
	// underscore spelling the route removes although it admits others
	// (an HAProxy `del-header ^x[-_]ssl[-_] -m reg`).
	UnderscoreRemoved []string `json:"underscore_removed,omitempty"`
	// UnderscoreKept, when set, says on which request classes a client's
	// underscore spelling of a header that AdmitsUnderscoreOf admits
	// reaches the upstream: Traefik removes those of its X-Forwarded-*
	// headers from clients outside forwardedHeaders.trustedIPs only.
	UnderscoreKept func(c RequestClass, header string) bool `json:"-"`
	// Range anchors findings about something missing on this route (the
	// block that opens the location or frontend).
	Range source.Range `json:"range"`
	// Block is the block the route belongs to (the nginx server, the
	// HAProxy frontend): a header missing on every route of the block is
	// one defect, reported there.
	Block source.Range `json:"block,omitempty"`
	// FamilyKey is the key of the route's own warning that the client's
	// other headers of an identity-header family the route sets (X-SSL-*)
	// pass through (Caddy's C008): what harm that does depends on the
	// headers the apps behind read, so the deployment rules withdraw it
	// when no app behind reads such a header.
	FamilyKey Key `json:"-"`
	// SetHint, set by the route builder, says in the proxy's own syntax
	// how to make this route send the header from fact (FactNone: how to
	// remove the client's copy), as an imperative clause for a finding's
	// fix ("set it from TLS state with `proxy_set_header ...;`").
	SetHint func(header string, fact Fact) string `json:"-"`
	// Identity, when set, is how the route treats the identity headers
	// (IsIdentityHeader) that Headers and Removed do not name, instead of
	// Default: a proxy whose implementation the configuration does not
	// tell (a Gateway API Gateway) may set or remove them by a policy of
	// its own, which leaves them unknown rather than passed through.
	Identity *HeaderTreatment `json:"identity,omitempty"`

	// Classes are the request classes that travel the route, after the
	// proxy's terminal actions (redirects, denies) and its matching
	// (locations, ACLs, server selection), when the route builder follows
	// them; nil lets the model derive them from the listener (see
	// Model.Classes). An empty, non-nil list: no request takes the route.
	Classes []RequestClass `json:"classes,omitempty"`
	// Emit, when the route builder sets it, says what the proxy sends
	// upstream under a header's name (dash form, lower case) on one class,
	// following conditions the header treatment cannot express (a value
	// set to NONE, then to SUCCESS if the certificate was verified); false
	// falls back to the derivation from Headers (see Model.Deliver).
	Emit func(c RequestClass, header string) (Delivery, bool) `json:"-"`
	// ProxyFirst: the proxy writes its own headers before the client's
	// (nginx), so where the app server joins a client's underscore
	// spelling with the proxy's value the proxy's comes first; HAProxy's
	// set-header appends its value after the client's headers.
	ProxyFirst bool `json:"proxy_first,omitempty"`
}

// FixHint says how to make the route overwrite a header from fact, in the
// proxy's own syntax when its builder knows it.
func (r *Route) FixHint(header string, fact Fact) string {
	if r.SetHint != nil {
		if h := r.SetHint(header, fact); h != "" {
			return h
		}
	}
	return "overwrite or remove it on this route"
}

// AdmitsUnderscoreOf reports whether a client's copy of the header spelled
// with "_" instead of "-" reaches the upstream.
func (r *Route) AdmitsUnderscoreOf(header string) bool {
	if !r.AdmitsUnderscore {
		return false
	}
	h := HeaderName(header)
	for _, x := range r.UnderscoreRemoved {
		if x == h {
			return false
		}
	}
	return !r.removesEverySpelling(h)
}

// AdmitsUnderscoreOn reports whether a client's copy of the header spelled
// with "_" instead of "-" reaches the upstream on request class c.
func (r *Route) AdmitsUnderscoreOn(c RequestClass, header string) bool {
	return r.AdmitsUnderscoreOf(header) && (r.UnderscoreKept == nil || r.UnderscoreKept(c, HeaderName(header)))
}

// removesEverySpelling reports whether the Removed patterns delete every
// spelling of h with "_" in place of one or more "-" (X_SSL_Client_DN,
// X-SSL_Client-DN, ...): each reaches an app server that maps "_" like "-".
func (r *Route) removesEverySpelling(h string) bool {
	if len(r.Removed) == 0 {
		return false
	}
	var dashes []int
	for i := 0; i < len(h); i++ {
		if h[i] == '-' {
			dashes = append(dashes, i)
		}
	}
	if len(dashes) == 0 || len(dashes) > 8 {
		return false
	}
	b := []byte(h)
	for mask := 1; mask < 1<<len(dashes); mask++ {
		for j, at := range dashes {
			b[at] = '-'
			if mask&(1<<j) != 0 {
				b[at] = '_'
			}
		}
		removed := false
		for _, p := range r.Removed {
			if PatternMatches(p, string(b)) {
				removed = true
				break
			}
		}
		if !removed {
			return false
		}
	}
	return true
}

// Header returns the route's treatment of a header, in any letter case.
// The dash and underscore spellings stay distinct headers: they are on the
// wire, and a proxy may overwrite one and pass the other.
func (r *Route) Header(name string) HeaderTreatment {
	if t, ok := r.Headers[strings.ToLower(name)]; ok {
		return t
	}
	for _, p := range r.Removed {
		if PatternMatches(p, name) {
			return HeaderTreatment{Name: name, Action: Blanked, Note: "removed by the pattern " + p}
		}
	}
	if r.Identity != nil && IsIdentityHeader(name) {
		t := *r.Identity
		t.Name = name
		return t
	}
	return HeaderTreatment{Name: name, Action: r.Default}
}

// PatternMatches reports whether a header-name pattern with "*" at either
// end (or both) matches a header name; names compare without regard to
// case.
func PatternMatches(pattern, name string) bool {
	p, h := strings.ToLower(pattern), strings.ToLower(name)
	switch {
	case p == "*":
		return true
	case len(p) > 1 && strings.HasPrefix(p, "*") && strings.HasSuffix(p, "*"):
		return strings.Contains(h, p[1:len(p)-1])
	case strings.HasPrefix(p, "*"):
		return strings.HasSuffix(h, p[1:])
	case strings.HasSuffix(p, "*"):
		return strings.HasPrefix(h, p[:len(p)-1])
	}
	return p == h
}

// Trust is one header the app trusts.
type Trust struct {
	Header string       `json:"header"` // META form: HTTP_X_SSL_CLIENT_VERIFY
	Source string       `json:"source"` // "SECURE_PROXY_SSL_HEADER", "app code", ...
	Range  source.Range `json:"range"`  // where the app reads or names it
	// Decisions are, for a header the app decides on (app code, an
	// authentication package), every way a request reaches protected work
	// through that check: the judge, Decision.Admits, says which request
	// classes get through.
	Decisions []Decision `json:"decisions,omitempty"`
	// Value is, for a scheme header, the value that means HTTPS.
	Value string `json:"value,omitempty"`
	// Scheme: the header decides the scheme, host or port the app sees
	// (SECURE_PROXY_SSL_HEADER, USE_X_FORWARDED_HOST, an app server's
	// scheme headers), not who the client is.
	Scheme bool `json:"scheme,omitempty"`
	// PeerGated: the app server honours the header only from the peers it
	// trusts (gunicorn's secure_scheme_headers, from forwarded_allow_ips).
	PeerGated bool `json:"peer_gated,omitempty"`
	// ServerDefault: the app server trusts the header by default, not
	// because it was configured to (gunicorn's default
	// secure_scheme_headers, uvicorn's proxy headers).
	ServerDefault bool `json:"server_default,omitempty"`
	// Peers are the peers a PeerGated header is honoured from, as
	// configured for this trust or by its server's default (uvicorn's
	// --forwarded-allow-ips, 127.0.0.1 by default); empty for gunicorn's
	// own headers, which App.ForwardedAllow gates.
	Peers []string `json:"peers,omitempty"`
	// UnixPeers: the server honours the header from peers on a UNIX
	// socket (gunicorn does; uvicorn does not: such a peer has no
	// address to be trusted by).
	UnixPeers bool `json:"unix_peers,omitempty"`
	// Hops: the app takes the value this many places from the right of a
	// comma-separated list (werkzeug ProxyFix x_for=, hypercorn's
	// trusted_hops, uvicorn's X-Forwarded-For: the last address that is
	// not a trusted peer), so each proxy in front of it must append one
	// value; 0: it takes the whole value, or its leftmost element
	// (Django, daphne).
	Hops int `json:"hops,omitempty"`
	// Address: the header decides the client's address the app sees
	// (REMOTE_ADDR, request.client), or the path prefix it builds URLs
	// with, rather than the scheme or host.
	Address bool `json:"address,omitempty"`
}

// OpenToAll reports whether the app server honours a PeerGated header
// from any peer (forwarded_allow_ips or trusted_hosts "*").
func (a *App) OpenToAll(t Trust) bool {
	if !t.PeerGated {
		return true
	}
	if len(t.Peers) == 0 {
		return slices.Contains(a.ForwardedAllow, "*") // gunicorn's own headers
	}
	return slices.Contains(t.Peers, "*")
}

// Honours reports whether the app server honours a header it trusts on
// requests the route sends: always for a header not gated by peer; for a
// PeerGated one, when the peers include the proxy. An explicit list is
// assumed to name the proxy; the default admits loopback only (and, for
// gunicorn, UNIX-socket peers), so a proxy in another container is not
// trusted.
func (a *App) Honours(t Trust, r *Route) bool {
	if !t.PeerGated {
		return true
	}
	if len(t.Peers) == 0 {
		return a.SchemeHeadersHonoured(r) // gunicorn's forwarded_allow_ips
	}
	if slices.Contains(t.Peers, "*") || !(len(t.Peers) == 1 && isLoopbackAddr(t.Peers[0])) {
		return true
	}
	for _, s := range r.Upstream.Servers {
		if s.Unix == "" && s.IsLoopback() || s.Unix != "" && t.UnixPeers {
			return true
		}
	}
	return false
}

func isLoopbackAddr(ip string) bool {
	return Endpoint{Host: ip, Port: "0"}.IsLoopback()
}

// App is one application behind the proxies.
type App struct {
	ID string `json:"id"` // settings module, the app module a server loads, or directory
	// Entry is the application an app server loads, as its command line
	// or configuration names it ("proj.wsgi:application",
	// "enroll.app:app"), when one does.
	Entry string `json:"entry,omitempty"`
	// Package is the directory holding the code of an app that is not a
	// Django project (a Flask or FastAPI app a server loads by module):
	// request-handling code below it belongs to this app.
	Package string `json:"package,omitempty"`
	// Names are host names under which the app server is reachable from a
	// proxy: a compose service name, a Kubernetes Service DNS name.
	Names  []string     `json:"names,omitempty"`
	Server string       `json:"server"` // gunicorn, uwsgi, runserver, asgi, unknown
	Binds  []Bind       `json:"binds"`  // where the app server listens
	Trusts []Trust      `json:"trusts"` // headers the app trusts
	Range  source.Range `json:"range"`  // anchor: the settings module
	// ForwardedAllow is gunicorn's forwarded_allow_ips as configured: the
	// peers whose scheme headers gunicorn honours. Empty means gunicorn's
	// default (127.0.0.1 and ::1; UNIX-socket peers are always trusted).
	ForwardedAllow []string `json:"forwarded_allow,omitempty"`
	// ConflatesUnderscore: the app server maps "_" in header names like "-"
	// (gunicorn < 22 or header_map dangerous, uWSGI http, Django's ASGI
	// handler; not Starlette or FastAPI under an ASGI server).
	ConflatesUnderscore bool `json:"conflates_underscore,omitempty"`
	// HTTPSRedirect is where the app is told to redirect every request it
	// does not see as HTTPS (Django's SECURE_SSL_REDIRECT = True with
	// SecurityMiddleware installed); nil when it does not, or when that is
	// not known statically.
	HTTPSRedirect *source.Range `json:"https_redirect,omitempty"`
}

// Bind is an address an app server listens on, and where that is said.
type Bind struct {
	Endpoint Endpoint     `json:"endpoint"`
	Range    source.Range `json:"range"`
	Source   string       `json:"source"` // "gunicorn.conf.py", "compose ports", ...
	// Protocol is what the server speaks there when it is not HTTP:
	// "uwsgi" (uWSGI's socket, and FastCGI or SCGI sockets), a protocol in
	// which the peer sends the CGI variables itself (HTTPS, REMOTE_USER,
	// SSL_CLIENT_*, any HTTP_*), so whoever reaches the socket sets them.
	Protocol string `json:"protocol,omitempty"`
	// Service is the compose service that runs the app server, if any.
	// The bind is then inside the container's network: other hosts reach
	// it only through Published ports (unless the service uses the host's
	// network, in which case Service is empty and the bind is the host's).
	Service   string      `json:"service,omitempty"`
	Published []Published `json:"published,omitempty"`
	// Image is the Dockerfile of the container the app server runs in
	// when no compose service in the repository runs that image: the bind
	// is inside the container, and whether its port is published is not
	// in the repository.
	Image string `json:"image,omitempty"`
}

// Published is a container port that a compose service publishes on the
// host's network.
type Published struct {
	Host  Endpoint     `json:"host"` // host address ("" = all interfaces) and port
	Range source.Range `json:"range"`
}

// SchemeHeadersHonoured reports whether gunicorn honours its
// secure_scheme_headers on requests the route sends: the proxy's address
// must be in forwarded_allow_ips. The default admits loopback and UNIX
// sockets only, so a proxy in another container is not trusted; an explicit
// list is assumed to name the proxy.
func (a *App) SchemeHeadersHonoured(r *Route) bool {
	for _, ip := range a.ForwardedAllow {
		if ip == "*" {
			return true
		}
	}
	if len(a.ForwardedAllow) > 0 {
		return true
	}
	for _, s := range r.Upstream.Servers {
		if s.IsLoopback() {
			return true
		}
	}
	for _, b := range a.Binds {
		if b.Service == "" && (b.Endpoint.Unix != "" || b.Endpoint.IsLoopback()) {
			return true
		}
	}
	return false
}

// Link says that a route reaches an app, and how that was established.
type Link struct {
	Route *Route `json:"-"`
	App   *App   `json:"-"`
	// How: "address" (upstream matches a bind), "workload" (the proxy's
	// configuration names the settings module behind the upstream, as a
	// Kubernetes Service's pods do), "topology" (configuration file), or
	// "guess" (nothing linked; every proxy is taken to front every app of
	// the repository, and findings say so).
	How string `json:"how"`
}

// Model is the deployment model of one workspace.
type Model struct {
	Routes []*Route
	Apps   []*App
	Links  []Link

	// byApp indexes Links by app (IndexLinks) while Links still has
	// indexed entries.
	byApp   map[*App][]Link
	indexed int
}

// IndexLinks indexes the links by app, so that RoutesTo does not scan them
// all for every app: where many routes reach many apps (services of a
// monorepo that share a socket path or port), the scans made the
// deployment rules cubic in the number of services.
func (m *Model) IndexLinks() {
	m.byApp = make(map[*App][]Link, len(m.Apps))
	for _, l := range m.Links {
		m.byApp[l.App] = append(m.byApp[l.App], l)
	}
	m.indexed = len(m.Links)
}

// RoutesTo returns the routes that reach app, with how each link was made.
func (m *Model) RoutesTo(app *App) []Link {
	if m.byApp != nil && m.indexed == len(m.Links) {
		return append([]Link(nil), m.byApp[app]...)
	}
	var out []Link
	for _, l := range m.Links {
		if l.App == app {
			out = append(out, l)
		}
	}
	return out
}

// ContainerReach returns, of the workloads that run the app behind the
// routes to it (Workload.Runs), the one reached most widely: one that the
// private network or clients outside are decided to reach, else one whose
// reach is unknown (it may be open), else one only the proxy reaches. A
// decided opening goes before an unknown one: a workload that a NodePort
// opens stays critical beside another whose NetworkPolicy is undecided.
// ok is false when no workload runs the app. A bind inside a container
// image is reachable as that workload is.
func (m *Model) ContainerReach(a *App) (widest Workload, ok bool) {
	for _, l := range m.RoutesTo(a) {
		for _, w := range l.Route.Upstream.Workloads {
			if !w.Runs(a) {
				continue
			}
			if !ok || reachRank(w.Reach) > reachRank(widest.Reach) {
				widest, ok = w, true
			}
		}
	}
	return widest, ok
}

// reachRank orders reaches by how widely they may open a workload: only
// the proxy, unknown (maybe anyone), the private network, clients outside.
func reachRank(r Reach) int {
	switch r {
	case ReachProxyOnly:
		return 0
	case ReachUnknown:
		return 1
	}
	return int(r)
}

// Linker links routes to apps. The default links by address, then by the
// topology in Settings, and guesses only when nothing links.
type Linker func(routes []*Route, apps []*App, s *Settings) []Link

// SortRoutes orders routes by ID for deterministic output.
func SortRoutes(rs []*Route) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
}
