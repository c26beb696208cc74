package nginx

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// serverTLS reports whether any socket of a server speaks TLS.
func (c *config) serverTLS(s *server) bool {
	for _, l := range s.listens {
		if c.socketOf(l).tls {
			return true
		}
	}
	return false
}

// forwarded returns the header-setting directives in effect on route r whose
// value refers to one of the variables (directly or through map and set).
func (c *config) forwarded(r *route, vars ...string) []*nginx.Directive {
	var out []*nginx.Directive
	var hs []string
	for h := range r.sets {
		hs = append(hs, h)
	}
	sort.Strings(hs)
	for _, h := range hs {
		d := r.sets[h]
		if c.refersTo(d.Arg(1), r.block, vars...) {
			out = append(out, d)
		}
	}
	return out
}

// forwardedPrefix is forwarded for every variable starting with prefix.
func (c *config) forwardedPrefix(r *route, prefix string) []*nginx.Directive {
	var out []*nginx.Directive
	var hs []string
	for h := range r.sets {
		hs = append(hs, h)
	}
	sort.Strings(hs)
	for _, h := range hs {
		d := r.sets[h]
		for _, v := range c.classify(d.Arg(1), r.block).tlsVars {
			if strings.HasPrefix(v, prefix) {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// byVerifyDirective groups the servers with the given verify mode by the
// ssl_verify_client directive in effect (one directive at http level can
// apply to many servers; each finding is reported once, where it is
// written).
func (c *config) byVerifyDirective(mode rules.VerifyMode) (map[*nginx.Directive][]*server, []*nginx.Directive) {
	groups := map[*nginx.Directive][]*server{}
	var order []*nginx.Directive
	for _, s := range c.servers {
		m, d := verifyMode(s)
		if m != mode || d == nil || !c.serverTLS(s) {
			continue
		}
		w := d.Written()
		if _, ok := groups[w]; !ok {
			order = append(order, w)
		}
		groups[w] = append(groups[w], s)
	}
	return groups, order
}

// VerifyOff is N002, verify-client-off.
var VerifyOff = &rules.Rule{
	Code:     "N002",
	Name:     "verify-client-off",
	Severity: rules.High,
	CWE:      []string{"CWE-306"},
	Summary:  "A TLS server forwards client-certificate variables but does not verify client certificates.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresConfig,
	Doc: rules.Doc{
		What: "Finds a server with a TLS listener whose `ssl_verify_client` is absent or `off` (at server or http level) while one of its routes forwards a `$ssl_client_*` variable to the upstream. " +
			"Plain-HTTP servers are not reported: there the variables are empty, so nginx sends no header and removes the client's copy. " +
			"The finding is high when another TLS server on the same address and port asks for certificates: a client that handshakes with that server's name (SNI) and sends this server's name as Host reaches this server with the variables set from a certificate nobody here verified (nginx answers 421 only when the Host-selected server verifies). " +
			"It is low when none does: the variables are then always empty, certificate login never works, and what an app makes of `NONE` is judged by the cross-file rules. " +
			"The routes of such a server carry those requests as request classes (\"TLS with an unverified client certificate on :443, SNI partner.example, Host admin.example\"), which the cross-file rules judge against the app's check.",
		Why: "nginx never asks for a certificate, so `$ssl_client_verify` is always `NONE` and every DN variable is empty. The upstream was written for mutual TLS and receives " +
			"requests from anyone; an app that checks only for the presence of a DN header, or a missing gate on a route that forgets the header, " +
			"turns that into a full bypass (VyOS GHSA-4w7q-wwx4-6973).",
		Example: "server {\n    listen 443 ssl;\n    proxy_set_header X-SSL-Client-Verify $ssl_client_verify;   # always NONE\n    location / { proxy_pass http://app; }\n}",
		Fix:     "Verify client certificates: `ssl_client_certificate /etc/nginx/client-ca.pem;` and `ssl_verify_client on;`. If the server is not meant to use mutual TLS, stop forwarding `$ssl_client_*`.",
		References: []string{
			"https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_verify_client",
			"https://github.com/vyos/vyos-1x/pull/5464",
			"https://github.com/nginx/nginx/blob/master/src/http/ngx_http_request.c (ngx_http_set_virtual_server: 421 only when SNI was sent and the Host-selected server has ssl_verify_client; ngx_http_process_request: the selected server's mode checked against the handshake's result)",
			"docs/verified.md, scenarios nginx-sni-host-421-secure and nginx-sni-host-unverified-vulnerable (nginx 1.22: 421 when admin.example verifies; no 421, and the subject of a certificate from any CA forwarded, when it does not)",
		},
	},
	Check: checkVerifyOff,
}

func checkVerifyOff(p *rules.Pass) {
	c := analyse(p)
	if c == nil {
		return
	}
	reportedAt := map[*nginx.Directive]bool{}
	for _, s := range c.servers {
		mode, vd := verifyMode(s)
		if mode != rules.VerifyOff || !c.serverTLS(s) {
			continue
		}
		var fwd []*nginx.Directive
		var rs []*route
		for _, r := range uniqueBlocks(s.routes) {
			if f := c.forwardedPrefix(r, "ssl_client_"); len(f) > 0 {
				fwd = append(fwd, f...)
				rs = append(rs, r)
			}
		}
		if len(fwd) == 0 {
			continue
		}
		vars := strings.Join(uniqueStrings(tlsVarsOf(c, fwd, rs[0].block)), ", $")
		d := rules.Diagnostic{
			Related: []source.Related{related(fwd[0], fmt.Sprintf("%s forwarded here", fwd[0].Arg(0)))},
		}
		if vd != nil {
			w := vd.Written()
			if reportedAt[w] {
				continue
			}
			reportedAt[w] = true
			d.Range = w.Range()
			d.Key = atKey("N002", vd, "")
		} else {
			d.Range = s.d.Head()
			d.Key = rules.ServerKey("N002", s.id, "")
		}
		if sib := c.requestingSiblings(s); len(sib) > 0 {
			// A client handshakes with a sibling's name (SNI), which asks
			// for a certificate, and sends this server's name as Host:
			// nginx routes the request here by Host, and since this server
			// does not verify, it does not answer 421; the variables hold
			// whatever certificate the client presented (measured).
			o := sib[0]
			m, _ := verifyMode(o)
			d.Message = fmt.Sprintf("a client with SNI %s (which asks for certificates) and Host %s gets its DN forwarded unverified",
				rules.Clip(serverName(o), 30), rules.Clip(serverName(s), 30))
			d.Detail = fmt.Sprintf("%s has ssl_verify_client off and forwards $%s to %s. %s shares its port and asks for a certificate (verify %s): a request whose TLS SNI is %s and whose Host is %s reaches this server, which does not verify and so does not answer 421, with the variables set from the certificate the client chose.",
				blockDesc(s.d), vars, rs[0].Upstream.Name, blockDesc(o.d), m, serverName(o), serverName(s))
			d.Related = append(d.Related, related(o.d, fmt.Sprintf("%s asks for client certificates on the same port", blockDesc(o.d))))
			d.FixTitle = "Verify client certificates on this server too (ssl_verify_client on with your client CA), or stop forwarding client-certificate variables."
		} else {
			// Nothing on the port asks for a certificate: the variables
			// are always empty (nginx then sends no header and drops the
			// client's copy) and the verify result is NONE. Certificate
			// login never works; what an app makes of NONE is the
			// cross-file rules' judgement.
			d.Severity = rules.Low
			if vd != nil {
				d.Message = "ssl_verify_client is off, so the forwarded client-certificate variables are always empty"
			} else {
				d.Message = "this server forwards client-certificate variables but has no ssl_verify_client"
			}
			d.Detail = fmt.Sprintf("%s forwards $%s to %s, but nginx never asks for a certificate and no other server on the port does, so the value is always NONE or empty: certificate login through it never works.",
				blockDesc(s.d), vars, rs[0].Upstream.Name)
			d.FixTitle = "Set ssl_verify_client on with your client CA, or stop forwarding client-certificate variables."
		}
		// No fix: verification needs a CA file, a revocation list and
		// protocol settings that only the operator can supply.
		p.Report(d)
	}
}

// requestingSiblings returns the other TLS servers on a socket of s that
// ask clients for a certificate (ssl_verify_client other than off).
func (c *config) requestingSiblings(s *server) []*server {
	var out []*server
	seen := map[*server]bool{}
	for _, l := range s.listens {
		so := c.socketOf(l)
		if so == nil || !so.tls {
			continue
		}
		for _, o := range so.servers {
			if o == s || seen[o] {
				continue
			}
			if m, _ := verifyMode(o); m != rules.VerifyOff {
				seen[o] = true
				out = append(out, o)
			}
		}
	}
	return out
}

// serverName is a server's first name, or its description.
func serverName(s *server) string {
	if n := clientName(s); n != "" {
		return n
	}
	return blockDesc(s.d)
}

func tlsVarsOf(c *config, ds []*nginx.Directive, scope *nginx.Directive) []string {
	var out []string
	for _, d := range ds {
		for _, v := range c.classify(d.Arg(1), scope).tlsVars {
			if strings.HasPrefix(v, "ssl_client_") {
				out = append(out, v)
			}
		}
	}
	return out
}

func uniqueStrings(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// VerifyOptional is N003, verify-client-optional.
var VerifyOptional = &rules.Rule{
	Code:     "N003",
	Name:     "verify-client-optional",
	Severity: rules.High,
	CWE:      []string{"CWE-287"},
	Summary:  "ssl_verify_client optional on a server that proxies, with neither a SUCCESS gate nor $ssl_client_verify forwarded.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresConfig,
	Doc: rules.Doc{
		What: "Finds `ssl_verify_client optional` in effect for a server with a route that passes requests upstream and that neither refuses unverified clients " +
			"(`if ($ssl_client_verify != SUCCESS) { return 403; }` at server level or in the route's location, or the same through a map: " +
			"`map $ssl_client_verify $mtls_refused { default 1; SUCCESS 0; }` with `if ($mtls_refused) { return 403; }`) nor forwards `$ssl_client_verify` for the app to check.",
		Why: "With `optional`, a client that sends no certificate completes the handshake and `$ssl_client_verify` is `NONE`. If nothing checks that value, " +
			"anonymous requests look exactly like authenticated ones to the upstream; DN headers are simply empty, which many apps treat as \"no restriction\".",
		Example: "ssl_verify_client optional;\nlocation /admin {\n    proxy_set_header X-SSL-Client-DN $ssl_client_s_dn;\n    proxy_pass http://app;\n}",
		Fix: "Refuse unverified clients in nginx:\n\n    if ($ssl_client_verify != SUCCESS) { return 403; }\n\n" +
			"or forward `proxy_set_header X-SSL-Client-Verify $ssl_client_verify;` and have the app accept only the exact value `SUCCESS`, or use `ssl_verify_client on`.",
		References: []string{"https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_verify_client", "https://nginx.org/en/docs/http/ngx_http_ssl_module.html#var_ssl_client_verify"},
	},
	Check: checkVerifyOptional,
}

func checkVerifyOptional(p *rules.Pass) {
	c := analyse(p)
	if c == nil {
		return
	}
	groups, order := c.byVerifyDirective(rules.VerifyOptional)
	for _, vd := range order {
		var bad []*route
		for _, s := range groups[vd] {
			for _, r := range uniqueBlocks(s.routes) {
				if r.Gated || len(c.forwarded(r, "ssl_client_verify")) > 0 || losesIdentity(r) {
					continue
				}
				bad = append(bad, r)
			}
		}
		if len(bad) == 0 {
			continue
		}
		d := rules.Diagnostic{
			Range:   vd.Range(),
			Message: "ssl_verify_client optional admits clients without a certificate, and nothing refuses them",
			Detail: fmt.Sprintf("%s neither refuses requests without a verified certificate nor forwards $ssl_client_verify for the app to check.",
				routeList(bad)),
			FixTitle: "Add `if ($ssl_client_verify != SUCCESS) { return 403; }` there, forward $ssl_client_verify and accept only SUCCESS in the app, or use ssl_verify_client on.",
			Key:      rules.VerifyKey(vd.Written().Range()),
		}
		for i, r := range bad {
			if i == 3 {
				break
			}
			d.Related = append(d.Related, source.Related{Range: r.block.Head(), Message: "proxies without a gate or a forwarded verify result"})
		}
		if e, ok := replaceArg(vd, 0, "on"); ok {
			d.Fixes = []rules.Fix{{Description: "Require a client certificate (clients without one are refused)", Safe: false, Edits: []rules.Edit{e}}}
		}
		p.Report(d)
	}
}

// losesIdentity reports whether the route loses identity headers set at an
// outer level (the proxy_set_header inheritance trap). Then no certificate
// result reaches the app at all, and the trap (N001) is the defect to
// report: a request without a certificate looks no different from one with.
func losesIdentity(r *route) bool {
	for h := range r.lost {
		if rules.IsIdentityHeader(h) {
			return true
		}
	}
	return false
}

// identityVars are the client-certificate variables that name the client.
var identityVars = []string{
	"ssl_client_s_dn", "ssl_client_i_dn", "ssl_client_s_dn_legacy", "ssl_client_i_dn_legacy",
	"ssl_client_cert", "ssl_client_raw_cert", "ssl_client_escaped_cert", "ssl_client_fingerprint", "ssl_client_serial",
}

// wholeCertVars are the variables that carry the whole certificate: an
// upstream can verify its chain, which it cannot do with a subject.
var wholeCertVars = []string{"ssl_client_cert", "ssl_client_raw_cert", "ssl_client_escaped_cert"}

// namesClient reports whether a variable names the client by a field of
// the certificate (a DN, a fingerprint, a serial) rather than carrying
// the certificate itself.
func namesClient(v string) bool { return !slices.Contains(wholeCertVars, v) }

// VerifyNoCA is N004, verify-client-optional-no-ca.
var VerifyNoCA = &rules.Rule{
	Code:     "N004",
	Name:     "verify-client-optional-no-ca",
	Severity: rules.Critical,
	CWE:      []string{"CWE-295"},
	Summary:  "ssl_verify_client optional_no_ca while DN, certificate or fingerprint variables are forwarded.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresConfig,
	Doc: rules.Doc{
		What: "Finds `ssl_verify_client optional_no_ca` in effect for a server with a route that forwards `$ssl_client_s_dn`, `$ssl_client_i_dn`, `$ssl_client_cert`, " +
			"`$ssl_client_escaped_cert`, `$ssl_client_fingerprint` or `$ssl_client_serial` without refusing requests whose `$ssl_client_verify` is not `SUCCESS` " +
			"(directly or through a map over `$ssl_client_verify`; a map that refuses only `NONE` lets `FAILED:...` through). " +
			"Critical when a field that names the client (a DN, the fingerprint, the serial) is forwarded; medium when only the whole certificate is " +
			"(`$ssl_client_cert`, `$ssl_client_raw_cert`, `$ssl_client_escaped_cert`): that is the use nginx documents for `optional_no_ca`, a service behind nginx " +
			"verifying the chain itself, and whether it does is not in the proxy's configuration. When the app behind the route is analysed, the cross-file rule (X002) judges its check instead.",
		Why: "`optional_no_ca` accepts certificates that fail verification because of an unknown or untrusted issuer (nginx's ngx_ssl_verify_error_optional). " +
			"Anyone can make a self-signed certificate with `-subj /CN=admin`; `$ssl_client_verify` reads `FAILED:...`, but the DN header still says CN=admin. " +
			"nginx's documentation says the mode \"is intended for the use in cases when a service that is external to nginx performs the actual certificate verification\": " +
			"a forwarded certificate lets that service verify its chain against its own roots; a forwarded subject does not.",
		Example: "ssl_verify_client optional_no_ca;\nproxy_set_header X-SSL-Client-DN $ssl_client_s_dn;",
		Fix: "Use `ssl_verify_client on` (or `optional` plus a gate) with `ssl_client_certificate` naming your CA. Keep `optional_no_ca` only when the app " +
			"validates the full forwarded certificate chain itself, and then say so in a suppression.",
		References: []string{"https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_verify_client"},
	},
	Check: checkVerifyNoCA,
}

func checkVerifyNoCA(p *rules.Pass) {
	c := analyse(p)
	if c == nil {
		return
	}
	groups, order := c.byVerifyDirective(rules.VerifyOptionalNoCA)
	for _, vd := range order {
		var fwd []*nginx.Directive
		var vars []string
		caSet := false
		for _, s := range groups[vd] {
			if ca, _ := clientCA(s); ca != "" {
				caSet = true
			}
			for _, r := range uniqueBlocks(s.routes) {
				if r.Gated {
					continue
				}
				for _, d := range c.forwarded(r, identityVars...) {
					fwd = append(fwd, d)
					for _, v := range c.classify(d.Arg(1), r.block).tlsVars {
						for _, iv := range identityVars {
							if v == iv {
								vars = append(vars, v)
							}
						}
					}
				}
			}
		}
		if len(fwd) == 0 {
			continue
		}
		vars = uniqueStrings(vars)
		if !slices.ContainsFunc(vars, namesClient) {
			// Only the whole certificate goes upstream: what optional_no_ca
			// is for, a service behind nginx verifying the chain itself.
			// Whether it does is not in this configuration.
			d := rules.Diagnostic{
				Range:    vd.Range(),
				Severity: rules.Medium,
				Message:  fmt.Sprintf("optional_no_ca forwards $%s unverified: the upstream must verify its chain", rules.Clip(strings.Join(vars, ", $"), 40)),
				Detail: fmt.Sprintf("ssl_verify_client optional_no_ca accepts certificates from any issuer, and $%s is forwarded (%s). That is what optional_no_ca is for when the service behind nginx verifies the chain against its own roots; "+
					"whether it does is not decided here (undecided: the upstream's own verification), and if it only reads the subject, a self-signed certificate names whoever the client claims to be.",
					strings.Join(vars, ", $"), where(fwd[0])),
				FixTitle: "Verify the forwarded certificate's chain in the upstream, or use ssl_verify_client on with your CA.",
				Related:  []source.Related{related(fwd[0], "the unverified certificate is forwarded here")},
				Key:      rules.VerifyKey(vd.Written().Range()),
			}
			p.Report(d)
			continue
		}
		d := rules.Diagnostic{
			Range:   vd.Range(),
			Message: fmt.Sprintf("optional_no_ca accepts certificates from any issuer, yet $%s is forwarded", rules.Clip(strings.Join(vars, ", $"), 40)),
			Detail: fmt.Sprintf("ssl_verify_client optional_no_ca accepts certificates from any issuer, and $%s is forwarded (%s), so a self-signed certificate names whoever the client claims to be.",
				strings.Join(vars, ", $"), where(fwd[0])),
			FixTitle: "Use ssl_verify_client on with your CA, or refuse requests unless $ssl_client_verify is SUCCESS.",
			Related:  []source.Related{related(fwd[0], "the attacker-chosen value is forwarded here")},
			Key:      rules.VerifyKey(vd.Written().Range()),
		}
		if caSet {
			if e, ok := replaceArg(vd, 0, "on"); ok {
				d.Fixes = []rules.Fix{{Description: "Verify certificates against the configured CA and require one", Safe: false, Edits: []rules.Edit{e}}}
			}
		}
		p.Report(d)
	}
}

// Underscores is N007, underscore-headers.
var Underscores = &rules.Rule{
	Code:     "N007",
	Name:     "underscore-headers",
	Severity: rules.High,
	CWE:      []string{"CWE-436", "CWE-290"},
	Summary:  "underscores_in_headers on or ignore_invalid_headers off where identity headers are forwarded.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresConfig,
	Doc: rules.Doc{
		What: "Finds `underscores_in_headers on` or `ignore_invalid_headers off` in effect for a server — its own value or that of its socket's default server, " +
			"which nginx uses until the Host header selects the virtual server — that proxies with `proxy_set_header` (or `grpc_set_header`) for an identity header.",
		Why: "nginx replaces a client header only on an exact name match: `X_SSL_Client_DN` is a different header from `X-SSL-Client-DN` and is forwarded. " +
			"gunicorn before 22, uWSGI's HTTP router and ASGI servers map `_` like `-`, so the app sees `HTTP_X_SSL_CLIENT_DN` from the client. " +
			"Worse, nginx sends no header at all for an empty value: with no client certificate `$ssl_client_s_dn` is empty, so the client's `X_SSL_Client_DN: CN=admin` " +
			"is the only copy that arrives (measured with nginx 1.22 and gunicorn 20.1). uwsgi_pass and fastcgi_pass are not affected: nginx drops the underscore twin of a parameter it sets.",
		Example: "http {\n    underscores_in_headers on;\n    server {\n        proxy_set_header X-SSL-Client-DN $ssl_client_s_dn;\n        location / { proxy_pass http://app; }\n    }\n}",
		Fix:     "Remove the directive (the defaults are `underscores_in_headers off` and `ignore_invalid_headers on`). If an API really needs underscore headers, serve it from a separate socket that forwards no identity headers.",
		References: []string{
			"https://nginx.org/en/docs/http/ngx_http_core_module.html#underscores_in_headers",
			"https://www.djangoproject.com/weblog/2015/jan/13/security/",
		},
	},
	Check: checkUnderscores,
}

func checkUnderscores(p *rules.Pass) {
	c := analyse(p)
	if c == nil {
		return
	}
	// The directive that makes a server admit underscore headers.
	admitter := func(s *server) []*nginx.Directive {
		var out []*nginx.Directive
		if d := effective(s.d, "underscores_in_headers"); d != nil && strings.EqualFold(d.Arg(0), "on") {
			out = append(out, d.Written())
		}
		if d := effective(s.d, "ignore_invalid_headers"); d != nil && strings.EqualFold(d.Arg(0), "off") {
			out = append(out, d.Written())
		}
		return out
	}
	affected := map[*nginx.Directive][]*route{}
	var order []*nginx.Directive
	add := func(d *nginx.Directive, r *route) {
		if _, ok := affected[d]; !ok {
			order = append(order, d)
		}
		affected[d] = append(affected[d], r)
	}
	for _, r := range c.routes {
		if r.fam.params {
			continue
		}
		seen := map[*nginx.Directive]bool{}
		for _, sv := range []*server{r.server, r.sock.def} {
			if sv == nil {
				continue
			}
			for _, d := range admitter(sv) {
				if !seen[d] {
					seen[d] = true
					add(d, r)
				}
			}
		}
	}
	for _, ad := range order {
		var hdr *nginx.Directive
		for _, r := range affected[ad] {
			// Headers set on the route, and headers configured at an outer
			// level but lost to the inheritance trap: with either, a
			// client's underscore spelling reaches the app server.
			var hs []string
			for h := range r.sets {
				if rules.IsIdentityHeader(h) {
					hs = append(hs, h)
				}
			}
			if len(hs) == 0 {
				for h := range r.lost {
					if rules.IsIdentityHeader(h) {
						hs = append(hs, h)
					}
				}
			}
			if len(hs) == 0 {
				continue
			}
			sort.Strings(hs)
			if hdr == nil {
				if d := r.sets[hs[0]]; d != nil {
					hdr = d
				} else {
					hdr = r.lost[hs[0]]
				}
			}
		}
		if hdr == nil {
			continue
		}
		name := hdr.Arg(0)
		twin := strings.ReplaceAll(name, "-", "_")
		what := "underscores_in_headers on"
		fixTo := "off"
		if ad.Name == "ignore_invalid_headers" {
			what = "ignore_invalid_headers off"
			fixTo = "on"
		}
		d := rules.Diagnostic{
			Range:   ad.Range(),
			Message: fmt.Sprintf("%s lets a client send %s next to the %s nginx sets", what, rules.Clip(twin, 30), rules.Clip(name, 30)),
			Detail: fmt.Sprintf("nginx replaces only the exact name %s (%s). When its value is empty (no certificate) nginx sends nothing, so the client's %s is all an app server that maps _ like - sees.",
				name, where(hdr), twin),
			Related: []source.Related{related(hdr, name+" is set here; its underscore twin is not replaced")},
			Key:     rules.UnderscoreKey(ad.Range()),
		}
		if e, ok := replaceArg(ad, 0, fixTo); ok {
			d.Fixes = []rules.Fix{{Description: fmt.Sprintf("Set %s %s (clients that really send underscore headers lose them)", ad.Name, fixTo), Safe: false, Edits: []rules.Edit{e}}}
		}
		p.Report(d)
	}
}
