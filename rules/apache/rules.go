package apache

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/apache"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Rules are the Apache httpd rules, in code order.
var Rules = []*rules.Rule{
	VerifyOptional,
	VerifyOptionalNoCA,
	PublicCABundle,
	NoRevocationCheck,
	HeaderFromClient,
	HeaderAppended,
	RouteHeaderGap,
	UnderscoreSpellings,
	EnvBehindProxy,
}

var kinds = []string{parsers.KindApache}

const (
	refSSL      = "mod_ssl, SSLVerifyClient, SSLOptions, SSLCARevocationCheck: https://httpd.apache.org/docs/2.4/mod/mod_ssl.html"
	refHeaders  = "mod_headers, RequestHeader (set, append, add, merge, early, env=, expr=): https://httpd.apache.org/docs/2.4/mod/mod_headers.html#requestheader"
	refProxy    = "mod_proxy, ProxyPass and the X-Forwarded-* headers: https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#x-headers"
	refSections = "How <Directory>, <Location> and <If> sections are merged: https://httpd.apache.org/docs/2.4/sections.html#merging"
	refRuntime  = "mtlslint runtime notes (docs/verified.md): measured with Apache httpd 2.4.71, mod_wsgi 4.9.4, gunicorn 20.1 and Django 3.2 on Debian 12"
)

// configView is the semantic view of an httpd tree and its routes,
// computed once per tree for every rule and the route builder.
var configView = &rules.Analysis{
	Name:  "apache-config",
	Doc:   "The servers of an httpd configuration and its routes (*view).",
	Scope: rules.ScopeTree,
	Build: func(p *rules.Pass) any {
		t, ok := p.Tree.(*apache.Tree)
		if !ok {
			return (*view)(nil)
		}
		c := newConfig(t)
		return &view{config: c, routes: c.routes()}
	},
}

// requiresView is what every httpd rule requires.
var requiresView = []*rules.Analysis{configView}

// view is an httpd tree's configuration and routes, sorted by ID.
type view struct {
	config *config
	routes []*route
}

// analyse returns the configuration and routes of the pass's tree (nil
// for other kinds).
func analyse(p *rules.Pass) (*config, []*route) {
	v, _ := p.ResultOf(configView).(*view)
	if v == nil {
		return nil, nil
	}
	return v.config, v.routes
}

// byVerifyDirective groups TLS routes by the SSLVerifyClient in effect.
func byVerifyDirective(rs []*route, mode rules.VerifyMode) ([]*apache.Directive, map[*apache.Directive][]*route) {
	var order []*apache.Directive
	groups := map[*apache.Directive][]*route{}
	for _, r := range rs {
		if r.verifyDir == nil || r.Listener.Verify != mode || !r.Listener.TLS {
			continue
		}
		if _, ok := groups[r.verifyDir]; !ok {
			order = append(order, r.verifyDir)
		}
		groups[r.verifyDir] = append(groups[r.verifyDir], r)
	}
	return order, groups
}

// forwardsVar reports whether the route hands an SSL variable matching pred
// to the app: a RequestHeader from it, or (mod_wsgi) the environment that
// SSLOptions +StdEnvVars exports.
func (r *route) forwardsVar(pred func(string) bool) *apache.Directive {
	for _, op := range r.ops {
		if op.action == "unset" {
			continue
		}
		for _, m := range sslVar().FindAllStringSubmatch(op.value, -1) {
			if pred(m[1]) {
				return op.d
			}
		}
	}
	if r.wsgi && r.envExport != nil && (pred("SSL_CLIENT_VERIFY") || pred("SSL_CLIENT_S_DN")) {
		return r.envExport
	}
	return nil
}

func isVerifyVar(v string) bool { return v == "SSL_CLIENT_VERIFY" }
func isIdentityVar(v string) bool {
	return strings.HasPrefix(v, "SSL_CLIENT_") && v != "SSL_CLIENT_VERIFY"
}

func routeDescs(rs []*route) string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rs {
		if !seen[r.Desc] {
			seen[r.Desc] = true
			out = append(out, r.Desc)
		}
	}
	sort.Strings(out)
	if len(out) > 3 {
		return strings.Join(out[:3], "; ") + fmt.Sprintf(" and %d more", len(out)-3)
	}
	return strings.Join(out, "; ")
}

// VerifyOptional: A001.
var VerifyOptional = &rules.Rule{
	Code: "A001", Name: "sslverifyclient-optional", Severity: rules.High, CWE: []string{"CWE-287"},
	Summary: "SSLVerifyClient optional on routes that neither refuse unverified clients nor forward SSL_CLIENT_VERIFY.",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What: "Finds `SSLVerifyClient optional` in effect for a ProxyPass or WSGIScriptAlias route that neither refuses requests without a verified certificate " +
			"(`<If \"%{SSL_CLIENT_VERIFY} != 'SUCCESS'\"> Require all denied </If>`, `SSLRequire`, `Require expr %{SSL_CLIENT_VERIFY} == 'SUCCESS'`) " +
			"nor hands the verification result to the app (`RequestHeader set X-SSL-Client-Verify \"%{SSL_CLIENT_VERIFY}s\"`, or `SSLOptions +StdEnvVars` for mod_wsgi).",
		Why: "With `optional` a client that sends no certificate completes the handshake. Nothing tells the app, and an identity header set from " +
			"`%{SSL_CLIENT_S_DN}s` then carries the literal `(null)`, which an app that tests for presence accepts (measured with httpd 2.4.71).",
		Example: "SSLVerifyClient optional\nRequestHeader set X-SSL-Client-DN \"%{SSL_CLIENT_S_DN}s\"\nProxyPass / http://127.0.0.1:8000/",
		Fix: "Use `SSLVerifyClient require`, or refuse unverified clients:\n\n    <If \"%{SSL_CLIENT_VERIFY} != 'SUCCESS'\">\n        Require all denied\n    </If>\n\n" +
			"or forward `RequestHeader set X-SSL-Client-Verify \"%{SSL_CLIENT_VERIFY}s\"` and accept only the exact value `SUCCESS` in the app.",
		References: []string{refSSL, "https://httpd.apache.org/docs/2.4/mod/core.html#if", refRuntime},
	},
	Check: func(p *rules.Pass) {
		_, rs := analyse(p)
		order, groups := byVerifyDirective(rs, rules.VerifyOptional)
		for _, vd := range order {
			var bad []*route
			for _, r := range groups[vd] {
				if !r.Gated && r.forwardsVar(isVerifyVar) == nil {
					bad = append(bad, r)
				}
			}
			if len(bad) == 0 {
				continue
			}
			p.Report(rules.Diagnostic{
				Range: vd.Range, Key: rules.VerifyKey(vd.Range),
				Message:  "SSLVerifyClient optional: clients without a verified certificate reach the app",
				Detail:   fmt.Sprintf("They reach %s. Nothing refuses them and SSL_CLIENT_VERIFY is not forwarded, so the app cannot tell them apart.", routeDescs(bad)),
				FixTitle: "Require verification, add an `<If \"%{SSL_CLIENT_VERIFY} != 'SUCCESS'\"> Require all denied </If>` gate, or forward SSL_CLIENT_VERIFY.",
			})
		}
	},
}

// VerifyOptionalNoCA: A002.
var VerifyOptionalNoCA = &rules.Rule{
	Code: "A002", Name: "sslverifyclient-optional-no-ca", Severity: rules.Critical, CWE: []string{"CWE-295"},
	Summary: "SSLVerifyClient optional_no_ca while the client certificate's subject or PEM is handed to the app.",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What:       "Finds `SSLVerifyClient optional_no_ca` in effect for a route that hands certificate data to the app: a `RequestHeader` from `%{SSL_CLIENT_S_DN}s`, `%{SSL_CLIENT_CERT}s` and the like, or `SSLOptions +StdEnvVars` / `+ExportCertData` on a mod_wsgi route.",
		Why:        "`optional_no_ca` accepts a certificate from any CA: `SSL_CLIENT_VERIFY` reads `FAILED:...`, but `SSL_CLIENT_S_DN` holds whatever subject the client wrote into a certificate it made itself (measured with httpd 2.4.71). An app that takes the DN as the identity accepts `CN=admin` from anyone.",
		Example:    "SSLVerifyClient optional_no_ca\nRequestHeader set X-SSL-Client-DN \"%{SSL_CLIENT_S_DN}s\"",
		Fix:        "Use `SSLVerifyClient require` (or `optional` with a gate) and a private CA in `SSLCACertificateFile`. If the app validates certificates itself, forward the whole certificate and verify the chain there, never the DN alone.",
		References: []string{refSSL, refRuntime},
	},
	Check: func(p *rules.Pass) {
		_, rs := analyse(p)
		order, groups := byVerifyDirective(rs, rules.VerifyOptionalNoCA)
		for _, vd := range order {
			var fwd *apache.Directive
			var bad []*route
			for _, r := range groups[vd] {
				if d := r.forwardsVar(isIdentityVar); d != nil {
					fwd = d
					bad = append(bad, r)
				}
			}
			if fwd == nil {
				continue
			}
			p.Report(rules.Diagnostic{
				Range: vd.Range, Key: rules.VerifyKey(vd.Range),
				Message:  "SSLVerifyClient optional_no_ca: the app gets the subject of certificates from any CA",
				Detail:   fmt.Sprintf("optional_no_ca accepts certificates from any CA, and %s hands their subject to the app: anyone can claim any DN.", routeDescs(bad)),
				FixTitle: "Require verification against your CA (`SSLVerifyClient require`).",
				Related:  []source.Related{{Range: fwd.Range, Message: "certificate data handed to the app here"}},
			})
		}
	},
}

// PublicCABundle: A003.
var PublicCABundle = &rules.Rule{
	Code: "A003", Name: "sslcacertificatefile-public-bundle", Severity: rules.Critical, CWE: []string{"CWE-295"},
	Summary: "Client certificates are verified against the operating system's public CA bundle.",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What:       "Finds `SSLCACertificateFile` naming an operating-system CA bundle (`/etc/ssl/certs/ca-certificates.crt`, `/etc/pki/tls/certs/ca-bundle.crt`, certifi) or `SSLCACertificatePath` naming the system certificate directory (`/etc/ssl/certs`) in a context that verifies client certificates.",
		Why:        "Every certificate a public CA issued then verifies: `SSL_CLIENT_VERIFY` is `SUCCESS` for a certificate anyone can buy for their own domain, and its subject is theirs to choose within that CA's rules.",
		Example:    "SSLVerifyClient require\nSSLCACertificateFile /etc/ssl/certs/ca-certificates.crt",
		Fix:        "Point `SSLCACertificateFile` at your private client CA only, and check the issuer and subject the app relies on.",
		References: []string{refSSL + "#sslcacertificatefile"},
	},
	Check: func(p *rules.Pass) {
		t, ok := p.Tree.(*apache.Tree)
		if !ok {
			return
		}
		verifies := false
		t.Walk(func(d *apache.Directive) bool {
			if d.Is("SSLVerifyClient") && verifyOf(d) != rules.VerifyOff {
				verifies = true
			}
			return true
		})
		if !verifies {
			return
		}
		t.Walk(func(d *apache.Directive) bool {
			if (d.Is("SSLCACertificateFile") || d.Is("SSLCACertificatePath")) && publicBundle(d.Arg(0)) {
				p.Report(rules.Diagnostic{Range: d.Range, Key: rules.WrittenKey("A003", d.Range),
					Message:  fmt.Sprintf("%s is the system's public CA bundle: any public CA's certificate verifies as a client", rules.Clip(d.Name, 25)),
					Detail:   fmt.Sprintf("%s %s trusts every CA of the operating system.", d.Name, d.Arg(0)),
					FixTitle: "Trust only your private client CA."})
			}
			return true
		})
	},
}

// NoRevocationCheck: A004.
var NoRevocationCheck = &rules.Rule{
	Code: "A004", Name: "sslcarevocationcheck-none", Severity: rules.Low, CWE: []string{"CWE-299"},
	Summary: "Client certificates are verified without a revocation check (SSLCARevocationCheck is none by default).",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What: "Finds a virtual host (or the main server) that verifies client certificates (`SSLVerifyClient require` or `optional`) while revocation is not checked: no `SSLCARevocationCheck chain|leaf` and no `SSLOCSPEnable on|leaf`. " +
			"`SSLCARevocationFile` alone does not turn checking on: `SSLCARevocationCheck` defaults to `none` in httpd 2.4.",
		Why:        "A revoked certificate (a lost laptop, a departed employee) keeps verifying until it expires.",
		Example:    "SSLVerifyClient require\nSSLCARevocationFile /etc/apache2/crl.pem   # not checked: SSLCARevocationCheck none",
		Fix:        "`SSLCARevocationFile /etc/apache2/client-crl.pem` with `SSLCARevocationCheck chain` (every CA of the chain needs a CRL), or `SSLOCSPEnable leaf`.",
		References: []string{refSSL + "#sslcarevocationcheck", refSSL + "#sslocspenable"},
	},
	Check: func(p *rules.Pass) {
		c, _ := analyse(p)
		if c == nil {
			return
		}
		for _, srv := range c.servers {
			if !c.tls(srv) {
				continue
			}
			check := c.last(srv.levels, "SSLCARevocationCheck")
			ocsp := c.last(srv.levels, "SSLOCSPEnable")
			if check != nil && !strings.EqualFold(check.Arg(0), "none") || ocsp != nil && !strings.EqualFold(ocsp.Arg(0), "off") {
				continue
			}
			d := rules.Diagnostic{
				Message:  "client certificates are verified here without a revocation check",
				Detail:   "A revoked certificate keeps verifying until it expires.",
				FixTitle: "Add SSLCARevocationFile with SSLCARevocationCheck chain, or SSLOCSPEnable leaf.",
			}
			if c.last(srv.levels, "SSLCARevocationFile") != nil || c.last(srv.levels, "SSLCARevocationPath") != nil {
				d.Message = "SSLCARevocationFile is set, but SSLCARevocationCheck is none (the default): the CRL is never read"
				d.FixTitle = "Add SSLCARevocationCheck chain."
			}
			// The server's own SSLVerifyClient and those of its sections
			// (<Location>, <Directory>): each verifies with its settings.
			var verifies []*apache.Directive
			if d := c.last(srv.levels, "SSLVerifyClient"); d != nil {
				verifies = append(verifies, d)
			}
			srv.d.Walk(func(d *apache.Directive) bool {
				if d.Section && d.Is("VirtualHost") && srv.d != d {
					return false
				}
				if d.Is("SSLVerifyClient") && d.Parent != nil && d.Parent.Section && !isConditional(d.Parent) && d.Parent != srv.d {
					verifies = append(verifies, d)
				}
				return true
			})
			for _, vd := range verifies {
				if m := verifyOf(vd); m != rules.VerifyRequired && m != rules.VerifyOptional {
					continue
				}
				d.Range, d.Key = vd.Range, rules.WrittenKey("A004", vd.Range)
				p.Report(d)
			}
		}
	},
}

// trustedOps yields, once per directive, the RequestHeader ops on trusted
// headers of the tree's routes.
func trustedOps(rs []*route, fn func(op headerOp, r *route)) {
	seen := map[*apache.Directive]bool{}
	for _, r := range rs {
		for _, op := range r.ops {
			if seen[op.d] || !rules.IsTrustedHeader(op.name) {
				continue
			}
			seen[op.d] = true
			fn(op, r)
		}
	}
}

// HeaderFromClient: A005.
var HeaderFromClient = &rules.Rule{
	Code: "A005", Name: "requestheader-from-client", Severity: rules.Critical, CWE: []string{"CWE-290"},
	Summary: "An identity header is set from data the client controls (%{...}i, %{HTTP_...}e, expr=%{HTTP:...}).",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What:       "Finds `RequestHeader set` of an identity or scheme header whose value comes from the request: `%{X-Client-DN}i` (a request header), `%{HTTP_...}e` (an environment variable copied from a header), `expr=%{HTTP:...}` or `%{req:...}`.",
		Why:        "The proxy is supposed to vouch for the value; copying it from the request lets the client choose its own identity.",
		Example:    "RequestHeader set X-SSL-Client-DN \"%{X-Client-DN}i\"",
		Fix:        "Set identity headers only from mod_ssl's variables: `RequestHeader set X-SSL-Client-DN \"%{SSL_CLIENT_S_DN}s\"`.",
		References: []string{refHeaders},
	},
	Check: func(p *rules.Pass) {
		_, rs := analyse(p)
		trustedOps(rs, func(op headerOp, r *route) {
			if op.action != "set" && op.action != "setifempty" {
				return
			}
			if a, v := valueAction(op.value); a == rules.SetClient {
				p.Report(rules.Diagnostic{Range: op.d.Range, Key: rules.RouteHeaderKey(r.ID, op.name),
					Message:  fmt.Sprintf("%s is set from client-controlled data: the client chooses the value", rules.Clip(rules.DisplayHeader(op.name), 40)),
					Detail:   fmt.Sprintf("The value %s comes from the request.", v),
					FixTitle: "Set it from mod_ssl's variables (`%{SSL_CLIENT_S_DN}s`)."})
			}
		})
	},
}

// HeaderAppended: A006.
var HeaderAppended = &rules.Rule{
	Code: "A006", Name: "requestheader-appended", Severity: rules.Critical, CWE: []string{"CWE-290", "CWE-348"},
	Summary: "RequestHeader append, add, merge, setifempty or edit on an identity header keeps the client's copy.",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What:       "Finds `RequestHeader append|add|merge|setifempty|edit` on an identity or scheme header that no earlier unconditional `set` or `unset` overwrote on the same route.",
		Why:        "`append` and `merge` join the proxy's value to the client's (`CN=admin, CN=alice`), `add` sends a second header that the app server joins the same way, `setifempty` keeps a client's value, `edit` rewrites it. The client's copy comes first, and most code reads the first value.",
		Example:    "RequestHeader append X-SSL-Client-DN \"%{SSL_CLIENT_S_DN}s\"",
		Fix:        "Use `RequestHeader set`, which replaces the client's copy (or `unset` first).",
		References: []string{refHeaders},
	},
	Check: func(p *rules.Pass) {
		_, rs := analyse(p)
		reported := map[*apache.Directive]bool{}
		for _, r := range rs {
			for h, t := range r.Headers {
				op, ok := r.sets[h]
				if !ok || reported[op.d] || !rules.IsTrustedHeader(h) || (t.Action != rules.Appended && !(t.Action == rules.Conditional && op.action == "setifempty") && !(t.Action == rules.SetClient && strings.HasPrefix(op.action, "edit"))) {
					continue
				}
				reported[op.d] = true
				p.Report(rules.Diagnostic{Range: op.d.Range, Key: rules.RouteHeaderKey(r.ID, h),
					Message:  fmt.Sprintf("RequestHeader %s %s keeps the client's own copy of the header", op.action, rules.Clip(rules.DisplayHeader(h), 40)),
					Detail:   fmt.Sprintf("On %s the client's value comes first, and most code reads the first.", r.Desc),
					FixTitle: "Use `RequestHeader set`, which replaces the client's copy."})
			}
		}
	},
}

// RouteHeaderGap: A007.
var RouteHeaderGap = &rules.Rule{
	Code: "A007", Name: "location-header-gap", Severity: rules.Critical, CWE: []string{"CWE-290", "CWE-348"},
	Summary: "An identity header is set in some <Location> sections only; another route to the same backend passes the client's copy.",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What:       "For every backend, finds identity headers that some routes to it overwrite (from mod_ssl's variables, a constant, or `unset`) while another route to the same backend leaves the client's copy alone: the `RequestHeader` sits in one `<Location>` and not the other, or in one virtual host and not the plain-HTTP one.",
		Why:        "mod_headers applies only the `RequestHeader` lines of the contexts that match the request. On the route without them, the client sends `X-SSL-Client-Verify: SUCCESS` itself and the backend believes it.",
		Example:    "<Location /api>\n    RequestHeader set X-SSL-Client-DN \"%{SSL_CLIENT_S_DN}s\"\n    ProxyPass http://app:8000/api\n</Location>\nProxyPass /admin http://app:8000/admin   # no RequestHeader here",
		Fix:        "Set (or `unset`) every identity header at the virtual-host level, so that every route gets it, and on plain-HTTP virtual hosts `RequestHeader unset X-SSL-Client-DN early`.",
		References: []string{refHeaders, refSections},
	},
	Check: func(p *rules.Pass) {
		_, rs := analyse(p)
		byUpstream := map[string][]*route{}
		for _, r := range rs {
			byUpstream[r.Upstream.Name] = append(byUpstream[r.Upstream.Name], r)
		}
		reported := map[string]bool{}
		var names []string
		for n := range byUpstream {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			group := byUpstream[n]
			setters := map[string]*route{}
			for _, r := range group {
				for h, t := range r.Headers {
					if rules.IsIdentityHeader(h) && t.Action.Overwrites() {
						if _, ok := setters[h]; !ok {
							setters[h] = r
						}
					}
				}
			}
			var hs []string
			for h := range setters {
				hs = append(hs, h)
			}
			sort.Strings(hs)
			for _, h := range hs {
				for _, r := range group {
					if t := r.Header(h); t.Action != rules.Passthrough || reported[r.Range.String()+h] {
						continue
					}
					reported[r.Range.String()+h] = true
					s := setters[h]
					p.Report(rules.Diagnostic{Range: r.Range, Key: rules.RouteHeaderKey(r.ID, h),
						Message:  fmt.Sprintf("%s is not set on this route, while another route to the same backend sets it", rules.Clip(rules.DisplayHeader(h), 40)),
						Detail:   fmt.Sprintf("%s does not set it, while %s does: here the client's own copy reaches the backend.", r.Desc, s.Desc),
						FixTitle: "Set it at the virtual-host level, so that every route gets it.",
						Related:  []source.Related{{Range: s.sets[h].d.Range, Message: "set here for another route"}}})
				}
			}
		}
	},
}

// UnderscoreSpellings: A008.
var UnderscoreSpellings = &rules.Rule{
	Code: "A008", Name: "mod-proxy-underscore-spellings", Severity: rules.Medium, CWE: []string{"CWE-436", "CWE-290"},
	Summary: "mod_proxy_http forwards X_SSL_Client_DN and X-SSL_Client-DN unchanged next to the identity header RequestHeader sets.",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What: "Finds an identity header that a `ProxyPass` route overwrites with `RequestHeader set` (or `unset`). httpd replaces only that spelling; `X_SSL_Client_DN` and mixed spellings such as `X-SSL_Client-DN` travel through mod_proxy_http as the client wrote them. " +
			"Reported at medium because the harm depends on the app server; the cross-file rule X005 replaces this finding when the app server behind maps `_` like `-` (gunicorn < 22, uWSGI's HTTP router, ASGI servers) and withdraws it when every app server behind drops such names.",
		Why: "Measured with httpd 2.4.71 and gunicorn 20.1: without a certificate the app received `HTTP_X_SSL_CLIENT_DN = CN=admin,CN=mixed,(null)` — the client's two copies first, httpd's `(null)` last. `RequestHeader unset X_SSL_Client_DN` removes one spelling (any case) but not the mixed ones. " +
			"mod_wsgi is not affected: httpd leaves such names out of the WSGI environ it builds.",
		Example:    "RequestHeader set X-SSL-Client-DN \"%{SSL_CLIENT_S_DN}s\"\nProxyPass / http://127.0.0.1:8000/   # gunicorn 20.1 behind",
		Fix:        "Run an app server that drops header names with `_` (gunicorn ≥ 22 with its default `header_map = \"drop\"`, or mod_wsgi inside httpd), and have the app reject identity values that contain a comma.",
		References: []string{refProxy, "https://docs.gunicorn.org/en/stable/settings.html#header-map", refRuntime},
	},
	Check: func(p *rules.Pass) {
		_, rs := analyse(p)
		reported := map[string]bool{}
		for _, r := range rs {
			if !r.AdmitsUnderscore {
				continue
			}
			var hs []string
			for h, t := range r.Headers {
				if rules.IsIdentityHeader(h) && t.Action.Overwrites() {
					hs = append(hs, h)
				}
			}
			sort.Strings(hs)
			for _, h := range hs {
				op := r.sets[h]
				if k := op.d.Range.String() + "|" + h; reported[k] {
					continue // one finding per directive, on its first route
				} else {
					reported[k] = true
				}
				p.Report(rules.Diagnostic{Range: op.d.Range, Key: rules.RouteHeaderKey(r.ID, h),
					Message:  fmt.Sprintf("%s is overwritten, but httpd forwards the client's %s unchanged", rules.Clip(rules.DisplayHeader(h), 35), rules.Clip(rules.UnderscoreTwin(h), 35)),
					Detail:   fmt.Sprintf("On %s mixed spellings pass too, and an app server that maps \"_\" like \"-\" reads them as this header.", r.Desc),
					FixTitle: "Run an app server that drops header names with \"_\" (gunicorn ≥ 22), or mod_wsgi."})
			}
		}
	},
}

// EnvBehindProxy: A009.
var EnvBehindProxy = &rules.Rule{
	Code: "A009", Name: "ssl-env-behind-proxy", Severity: rules.Low, CWE: []string{"CWE-1188"},
	Summary: "SSLOptions +StdEnvVars / +ExportCertData on a route that mod_proxy serves: the SSL_CLIENT_* variables never reach the backend.",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What: "Finds `SSLOptions +StdEnvVars` or `+ExportCertData` in effect for a `ProxyPass` route. These options fill httpd's own environment (for CGI, SSI and mod_wsgi); nothing of it is sent to a proxied backend. " +
			"An app behind mod_proxy that reads `SSL_CLIENT_S_DN` or `SSL_CLIENT_VERIFY` from its WSGI environ finds nothing there, and code that then falls back to the `HTTP_` header (D021) trusts what the client sent.",
		Why:        "The configuration suggests that the app gets the certificate from the server, while it gets only headers. Measured with httpd 2.4.71: under mod_wsgi, +StdEnvVars exports SSL_CLIENT_* (SSL_CLIENT_S_DN only when a certificate was sent); behind ProxyPass the app saw none of them.",
		Example:    "SSLOptions +StdEnvVars\nProxyPass / http://127.0.0.1:8000/",
		Fix:        "Forward what the app needs with `RequestHeader set X-SSL-Client-Verify \"%{SSL_CLIENT_VERIFY}s\"` (and the DN), make the app read exactly those headers, and drop the option; or serve the app with mod_wsgi.",
		References: []string{refSSL + "#ssloptions", refRuntime},
	},
	Check: func(p *rules.Pass) {
		_, rs := analyse(p)
		seen := map[*apache.Directive]bool{}
		for _, r := range rs {
			if r.wsgi || r.envExport == nil || seen[r.envExport] || !r.Listener.TLS {
				continue
			}
			seen[r.envExport] = true
			p.Report(rules.Diagnostic{Range: r.envExport.Range, Key: rules.WrittenKey("A009", r.envExport.Range),
				Message:  "SSLOptions exports SSL_CLIENT_* to httpd's environment, but this route is proxied",
				Detail:   fmt.Sprintf("The backend of %s never sees these variables.", r.Desc),
				FixTitle: "Forward the values the app needs as headers (`RequestHeader set X-SSL-Client-Verify \"%{SSL_CLIENT_VERIFY}s\"`)."})
		}
	},
}
