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
	ruleVerifyOptional,
	ruleVerifyNoCA,
	ruleCABundle,
	ruleRevocation,
	ruleHeaderFromClient,
	ruleHeaderAppended,
	ruleRouteGap,
	ruleUnderscores,
	ruleEnvBehindProxy,
}

var kinds = []string{parsers.KindApache}

const (
	refSSL      = "mod_ssl, SSLVerifyClient, SSLOptions, SSLCARevocationCheck: https://httpd.apache.org/docs/2.4/mod/mod_ssl.html"
	refHeaders  = "mod_headers, RequestHeader (set, append, add, merge, early, env=, expr=): https://httpd.apache.org/docs/2.4/mod/mod_headers.html#requestheader"
	refProxy    = "mod_proxy, ProxyPass and the X-Forwarded-* headers: https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#x-headers"
	refSections = "How <Directory>, <Location> and <If> sections are merged: https://httpd.apache.org/docs/2.4/sections.html#merging"
	refRuntime  = "mtlslint runtime notes (docs/verified.md): measured with Apache httpd 2.4.71, mod_wsgi 4.9.4, gunicorn 20.1 and Django 3.2 on Debian 12"
)

// analyse returns the routes of the pass's tree (nil for other kinds).
func analyse(p *rules.Pass) (*config, []*route) {
	t, ok := p.Tree.(*apache.Tree)
	if !ok {
		return nil, nil
	}
	c := newConfig(t)
	return c, c.routes()
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
		for _, m := range sslVar.FindAllStringSubmatch(op.value, -1) {
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

var ruleVerifyOptional = &rules.Rule{
	Code: "A001", Name: "verify-client-optional", Severity: rules.High, CWE: []string{"CWE-287"},
	Summary: "SSLVerifyClient optional on routes that neither refuse unverified clients nor forward SSL_CLIENT_VERIFY.",
	Scope:   rules.ScopeTree, Kinds: kinds,
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
				Message: fmt.Sprintf("SSLVerifyClient optional lets clients without a verified certificate reach %s. Nothing refuses them and SSL_CLIENT_VERIFY is not forwarded, so the app cannot tell them apart; require verification, add an <If \"%%{SSL_CLIENT_VERIFY} != 'SUCCESS'\"> Require all denied gate, or forward SSL_CLIENT_VERIFY.", routeDescs(bad)),
			})
		}
	},
}

var ruleVerifyNoCA = &rules.Rule{
	Code: "A002", Name: "verify-client-optional-no-ca", Severity: rules.Critical, CWE: []string{"CWE-295"},
	Summary: "SSLVerifyClient optional_no_ca while the client certificate's subject or PEM is handed to the app.",
	Scope:   rules.ScopeTree, Kinds: kinds,
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
				Message: fmt.Sprintf("SSLVerifyClient optional_no_ca accepts certificates from any CA, and %s hands their subject to the app: anyone can claim any DN; require verification against your CA.", routeDescs(bad)),
				Related: []source.Related{{Range: fwd.Range, Message: "certificate data handed to the app here"}},
			})
		}
	},
}

var ruleCABundle = &rules.Rule{
	Code: "A003", Name: "client-ca-public-bundle", Severity: rules.Critical, CWE: []string{"CWE-295"},
	Summary: "Client certificates are verified against the operating system's public CA bundle.",
	Scope:   rules.ScopeTree, Kinds: kinds,
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
				p.Report(rules.Diagnostic{Range: d.Range, Key: "A003|" + d.Range.String(),
					Message: fmt.Sprintf("%s %s is the system's public CA bundle: a certificate from any public CA verifies as a client; use your private client CA.", d.Name, d.Arg(0))})
			}
			return true
		})
	},
}

var ruleRevocation = &rules.Rule{
	Code: "A004", Name: "client-cert-no-revocation", Severity: rules.Low, CWE: []string{"CWE-299"},
	Summary: "Client certificates are verified without a revocation check (SSLCARevocationCheck is none by default).",
	Scope:   rules.ScopeTree, Kinds: kinds,
	Doc: rules.Doc{
		What: "Finds a virtual host (or the main server) that verifies client certificates (`SSLVerifyClient require` or `optional`) while revocation is not checked: no `SSLCARevocationCheck chain|leaf` and no `SSLOCSPEnable on|leaf`. " +
			"`SSLCARevocationFile` alone does not turn checking on: `SSLCARevocationCheck` defaults to `none` in httpd 2.4.",
		Why:        "A revoked certificate (a lost laptop, a departed employee) keeps verifying until it expires.",
		Example:    "SSLVerifyClient require\nSSLCARevocationFile /etc/apache2/crl.pem   # not checked: SSLCARevocationCheck none",
		Fix:        "`SSLCARevocationFile /etc/apache2/client-crl.pem` with `SSLCARevocationCheck chain` (every CA of the chain needs a CRL), or `SSLOCSPEnable leaf`.",
		References: []string{refSSL + "#sslcarevocationcheck", refSSL + "#sslocspenable"},
	},
	Check: func(p *rules.Pass) {
		t, ok := p.Tree.(*apache.Tree)
		if !ok {
			return
		}
		c := newConfig(t)
		for _, srv := range c.servers {
			if !c.tls(srv) {
				continue
			}
			check := c.last(srv.levels, "SSLCARevocationCheck")
			ocsp := c.last(srv.levels, "SSLOCSPEnable")
			if check != nil && !strings.EqualFold(check.Arg(0), "none") || ocsp != nil && !strings.EqualFold(ocsp.Arg(0), "off") {
				continue
			}
			msg := "Client certificates are verified here without a revocation check; add SSLCARevocationFile with SSLCARevocationCheck chain, or SSLOCSPEnable leaf."
			if c.last(srv.levels, "SSLCARevocationFile") != nil || c.last(srv.levels, "SSLCARevocationPath") != nil {
				msg = "SSLCARevocationFile is set, but SSLCARevocationCheck is none (the default), so the CRL is never consulted; add SSLCARevocationCheck chain."
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
				p.Report(rules.Diagnostic{Range: vd.Range, Key: "A004|" + vd.Range.String(), Message: msg})
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

var ruleHeaderFromClient = &rules.Rule{
	Code: "A005", Name: "identity-header-from-client", Severity: rules.Critical, CWE: []string{"CWE-290"},
	Summary: "An identity header is set from data the client controls (%{...}i, %{HTTP_...}e, expr=%{HTTP:...}).",
	Scope:   rules.ScopeTree, Kinds: kinds,
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
					Message: fmt.Sprintf("%s is set from client-controlled data (%s): the client chooses the value; set it from mod_ssl's variables.", rules.DisplayHeader(op.name), v)})
			}
		})
	},
}

var ruleHeaderAppended = &rules.Rule{
	Code: "A006", Name: "identity-header-appended", Severity: rules.Critical, CWE: []string{"CWE-290", "CWE-348"},
	Summary: "RequestHeader append, add, merge, setifempty or edit on an identity header keeps the client's copy.",
	Scope:   rules.ScopeTree, Kinds: kinds,
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
					Message: fmt.Sprintf("RequestHeader %s %s keeps the client's own copy of the header on %s; use RequestHeader set.", op.action, rules.DisplayHeader(h), r.Desc)})
			}
		}
	},
}

var ruleRouteGap = &rules.Rule{
	Code: "A007", Name: "route-header-gap", Severity: rules.Critical, CWE: []string{"CWE-290", "CWE-348"},
	Summary: "An identity header is set in some <Location> sections only; another route to the same backend passes the client's copy.",
	Scope:   rules.ScopeTree, Kinds: kinds,
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
						Message: fmt.Sprintf("%s is not set on %s, while %s sets it for the same backend: here the client's own copy reaches it; set it at the virtual-host level.", rules.DisplayHeader(h), r.Desc, s.Desc),
						Related: []source.Related{{Range: s.sets[h].d.Range, Message: "set here for another route"}}})
				}
			}
		}
	},
}

var ruleUnderscores = &rules.Rule{
	Code: "A008", Name: "underscore-spellings-forwarded", Severity: rules.Medium, CWE: []string{"CWE-436", "CWE-290"},
	Summary: "mod_proxy_http forwards X_SSL_Client_DN and X-SSL_Client-DN unchanged next to the identity header RequestHeader sets.",
	Scope:   rules.ScopeTree, Kinds: kinds,
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
					Message: fmt.Sprintf("%s is overwritten, but httpd forwards the client's %s (and mixed spellings) unchanged on %s; an app server that maps \"_\" like \"-\" reads them as this header.", rules.DisplayHeader(h), strings.ReplaceAll(rules.DisplayHeader(h), "-", "_"), r.Desc)})
			}
		}
	},
}

var ruleEnvBehindProxy = &rules.Rule{
	Code: "A009", Name: "ssl-env-behind-proxy", Severity: rules.Low, CWE: []string{"CWE-1188"},
	Summary: "SSLOptions +StdEnvVars / +ExportCertData on a route that mod_proxy serves: the SSL_CLIENT_* variables never reach the backend.",
	Scope:   rules.ScopeTree, Kinds: kinds,
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
			p.Report(rules.Diagnostic{Range: r.envExport.Range, Key: "A009|" + r.envExport.Range.String(),
				Message: fmt.Sprintf("SSLOptions exports SSL_CLIENT_* to httpd's environment, but %s is proxied: the backend never sees these variables; forward the values it needs as headers.", r.Desc)})
		}
	},
}
