package caddy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/caddy"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Rules are the Caddy rules, in code order.
var Rules = []*rules.Rule{
	UnverifiedMode,
	VerifyIfGiven,
	PublicCABundle,
	HeaderFromClient,
	HeaderAppended,
	DeleteAfterSet,
	TrustedProxiesBroad,
	FamilyNotRemoved,
	UnderscoreSpellings,
}

var kinds = []string{parsers.KindCaddy}

const (
	refClientAuth   = "Caddyfile tls directive, client_auth (mode request | require | verify_if_given | require_and_verify): https://caddyserver.com/docs/caddyfile/directives/tls#client_auth"
	refReverseProxy = "Caddyfile reverse_proxy directive, header_up and defaults (X-Forwarded-*): https://caddyserver.com/docs/caddyfile/directives/reverse_proxy#headers"
	refHeaderOps    = "caddyserver/caddy modules/caddyhttp/headers/headers.go, HeaderOps.ApplyTo: add, then set, then delete, then replace"
	refPlaceholders = "Caddy placeholders {http.request.tls.client.*} and the {tls_client_*} shorthands: https://caddyserver.com/docs/json/apps/http/#docs"
	refTrusted      = "Global option servers { trusted_proxies } (Caddy ≥ 2.6.3; reverse_proxy's own trusted_proxies before): https://caddyserver.com/docs/caddyfile/options#trusted-proxies"
	refRuntime      = "mtlslint runtime notes (docs/verified.md): measured with Caddy 2.6.2 (Debian 12), gunicorn 20.1 and Django 3.2"
)

// siteView is the sites of a Caddy configuration and their routes,
// computed once per tree for every rule and the route builder.
var siteView = &rules.Analysis{
	Name:  "caddy-sites",
	Doc:   "The sites of a Caddyfile or Caddy JSON configuration and their routes (*view).",
	Scope: rules.ScopeTree,
	Build: func(p *rules.Pass) any {
		t, ok := p.Tree.(*caddy.Tree)
		if !ok {
			return (*view)(nil)
		}
		v := &view{sites: sitesOf(t)}
		v.routes = routesOf(t, v.sites)
		applyVersion(v.routes, deployedRelease(p, t.Root().Path))
		return v
	},
}

// requiresView is what every Caddy rule requires.
var requiresView = []*rules.Analysis{siteView}

// view is a Caddy tree's sites and routes (sorted by ID).
type view struct {
	sites  []*site
	routes []*route
}

func viewOf(p *rules.Pass) *view {
	v, _ := p.ResultOf(siteView).(*view)
	if v == nil {
		return &view{}
	}
	return v
}

// analyse returns the routes of the pass's tree (nil for other kinds).
func analyse(p *rules.Pass) []*route { return viewOf(p).routes }

// forwardedTLS returns the headers a route sets from client-certificate
// placeholders, sorted.
func (r *route) forwardedTLS() []string {
	var out []string
	for h, t := range r.Headers {
		if t.Action == rules.SetTLS {
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out
}

// byAuth groups TLS routes by the client authentication in effect.
func byAuth(rs []*route, pred func(clientAuth) bool) ([]*site, map[*site][]*route) {
	var order []*site
	groups := map[*site][]*route{}
	for _, r := range rs {
		if !r.Listener.TLS || !r.site.auth.present || !pred(r.site.auth) {
			continue
		}
		if _, ok := groups[r.site]; !ok {
			order = append(order, r.site)
		}
		groups[r.site] = append(groups[r.site], r)
	}
	return order, groups
}

func displayAll(hs []string) string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = rules.DisplayHeader(h)
	}
	return strings.Join(out, ", ")
}

// UnverifiedMode: C001.
var UnverifiedMode = &rules.Rule{
	Code: "C001", Name: "client-auth-unverified", Severity: rules.High, CWE: []string{"CWE-295", "CWE-287"},
	Summary: "client_auth mode request or require: client certificates are accepted without verification.",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What: "Finds `client_auth` whose mode is `request` or `require`, or that has no mode and no trusted CA (Caddy then uses `require`). Both accept any certificate without checking who issued it; `request` also accepts none. " +
			"Critical when the route forwards certificate data (`header_up X-SSL-Client-DN {tls_client_subject}`): the subject is whatever the client wrote into a certificate it made.",
		Why:        "Measured with Caddy 2.6.2: under `request` and `require` a certificate from an unknown CA with subject CN=admin reached the app as `X-SSL-Client-DN: CN=admin`; Caddy has no placeholder that says whether a certificate was verified, so the app cannot tell.",
		Example:    "tls cert.pem key.pem {\n    client_auth {\n        mode require\n        trusted_ca_cert_file ca.pem   # not used to verify in this mode\n    }\n}",
		Fix:        "Use `mode require_and_verify` (the default when trusted CAs are given) with your private CA, or `verify_if_given` with a gate in front of the routes that need a certificate.",
		References: []string{refClientAuth, "https://pkg.go.dev/crypto/tls#ClientAuthType", refRuntime},
	},
	Check: func(p *rules.Pass) {
		v := viewOf(p)
		_, groups := byAuth(v.routes, func(clientAuth) bool { return true })
		seen := map[source.Range]bool{}
		for _, st := range v.sites {
			mode := st.auth.effectiveMode()
			if !st.auth.present || (mode != "request" && mode != "require") || seen[st.auth.anchor()] {
				continue
			}
			seen[st.auth.anchor()] = true
			var fwd []string
			for _, r := range groups[st] {
				fwd = append(fwd, r.forwardedTLS()...)
			}
			fwd = uniq(fwd)
			sort.Strings(fwd)
			d := rules.Diagnostic{Range: st.auth.anchor(), Key: rules.VerifyKey(st.auth.anchor()),
				Message:  fmt.Sprintf("client_auth mode %s accepts client certificates without verifying them", mode),
				Detail:   "Caddy checks no issuer in this mode, and has no placeholder that would tell the app.",
				FixTitle: "Use `mode require_and_verify` with your private CA."}
			if len(fwd) > 0 {
				d.Severity = rules.Critical
				d.Message = fmt.Sprintf("client_auth mode %s accepts certificates from any CA, and their data is forwarded", mode)
				d.Detail = fmt.Sprintf("%s is forwarded from certificates nobody verified: anyone can claim any subject.", displayAll(fwd))
			}
			p.Report(d)
		}
	},
}

// VerifyIfGiven: C002.
var VerifyIfGiven = &rules.Rule{
	Code: "C002", Name: "client-auth-optional", Severity: rules.High, CWE: []string{"CWE-287"},
	Summary: "client_auth mode verify_if_given while certificate placeholders are forwarded: without a certificate the header carries the placeholder's text.",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What: "Finds `client_auth { mode verify_if_given }` on a site whose reverse_proxy forwards `{tls_client_*}` / `{http.request.tls.client.*}` placeholders.",
		Why: "A client that sends no certificate is let through. Caddy before 2.11.2 then does not replace the placeholder: the app receives the literal text `{http.request.tls.client.subject}` (measured with 2.6.2), a non-empty value that a presence check accepts; 2.11.2 and later send the empty certificate's field (an empty subject). " +
			"Caddy has no placeholder for the verification result, so the app cannot tell a verified client from an anonymous one.",
		Example:    "client_auth {\n    mode verify_if_given\n    trusted_ca_cert_file ca.pem\n}\n...\nheader_up X-SSL-Client-DN {tls_client_subject}",
		Fix:        "Use `mode require_and_verify` on the sites that forward certificate data, or keep anonymous clients away from those routes (a separate site or port without them).",
		References: []string{refClientAuth, refPlaceholders, refFixed, refRuntime},
	},
	Check: func(p *rules.Pass) {
		order, groups := byAuth(analyse(p), func(a clientAuth) bool { return a.effectiveMode() == "verify_if_given" })
		for _, st := range order {
			var fwd []string
			for _, r := range groups[st] {
				fwd = append(fwd, r.forwardedTLS()...)
			}
			if len(fwd) == 0 {
				continue
			}
			fwd = uniq(fwd)
			sort.Strings(fwd)
			p.Report(rules.Diagnostic{Range: st.auth.anchor(), Key: rules.VerifyKey(st.auth.anchor()),
				Message:  "verify_if_given lets clients without a certificate through to routes that forward its data",
				Detail:   fmt.Sprintf("Without a certificate %s carries the placeholder's own text before Caddy 2.11.2, which a presence check accepts (2.11.2 and later send the empty certificate's field).", displayAll(fwd)),
				FixTitle: "Use `mode require_and_verify` on the sites that forward certificate data."})
		}
	},
}

// PublicCABundle: C003.
var PublicCABundle = &rules.Rule{
	Code: "C003", Name: "client-auth-public-bundle", Severity: rules.Critical, CWE: []string{"CWE-295"},
	Summary: "Client certificates are verified against the operating system's public CA bundle.",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What:       "Finds `client_auth` trusting an operating-system CA bundle (`trusted_ca_cert_file /etc/ssl/certs/ca-certificates.crt`, `trust_pool file ...`, JSON `trusted_ca_certs_pem_files`).",
		Why:        "Every certificate a public CA issued then verifies as a client.",
		Example:    "client_auth {\n    trusted_ca_cert_file /etc/ssl/certs/ca-certificates.crt\n}",
		Fix:        "Trust only your private client CA.",
		References: []string{refClientAuth},
	},
	Check: func(p *rules.Pass) {
		for _, st := range viewOf(p).sites {
			for _, ca := range st.auth.cas {
				if publicBundle(ca) {
					p.Report(rules.Diagnostic{Range: st.auth.caAt, Key: rules.WrittenKey("C003", st.auth.caAt),
						Message:  "the client CA is the system's public CA bundle: any public CA's certificate verifies as a client",
						Detail:   fmt.Sprintf("%s trusts every CA of the operating system.", ca),
						FixTitle: "Trust only your private client CA."})
					break
				}
			}
		}
	},
}

// publicBundle reports an operating-system CA bundle or certifi's.
func publicBundle(p string) bool {
	switch strings.TrimSuffix(p, "/") {
	case "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem",
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem", "/usr/local/share/certs/ca-root-nss.crt",
		"/etc/ssl/certs/ca-bundle.crt", "/usr/lib/ssl/cert.pem", "/etc/pki/tls/cert.pem":
		return true
	}
	return strings.Contains(p, "certifi/cacert.pem")
}

// trustedOps calls fn once per header operation on a trusted header.
func trustedOps(rs []*route, fn func(r *route, h string, t rules.HeaderTreatment, op headerOp)) {
	seen := map[source.Range]bool{}
	for _, r := range rs {
		var hs []string
		for h := range r.ops {
			hs = append(hs, h)
		}
		sort.Strings(hs)
		for _, h := range hs {
			op := r.ops[h]
			if seen[op.rng] || !rules.IsTrustedHeader(h) {
				continue
			}
			seen[op.rng] = true
			fn(r, h, r.Headers[h], op)
		}
	}
}

// HeaderFromClient: C004.
var HeaderFromClient = &rules.Rule{
	Code: "C004", Name: "header-up-from-client", Severity: rules.Critical, CWE: []string{"CWE-290"},
	Summary: "An identity header is set from data the client controls ({http.request.header.*}, {header.*}, a query or cookie placeholder).",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What:       "Finds `header_up` or `request_header` that sets an identity or scheme header from a request placeholder: `{http.request.header.X-Client-DN}`, `{header.*}`, `{query.*}`, `{cookie.*}`; or rewrites the client's own value (`header_up X-SSL-Client-DN search replace`).",
		Why:        "The proxy is supposed to vouch for the value; copying it from the request lets the client choose its identity.",
		Example:    "header_up X-SSL-Client-DN {http.request.header.X-Client-DN}",
		Fix:        "Set identity headers only from `{tls_client_*}` placeholders, on sites that require and verify client certificates.",
		References: []string{refReverseProxy, refPlaceholders},
	},
	Check: func(p *rules.Pass) {
		trustedOps(analyse(p), func(r *route, h string, t rules.HeaderTreatment, op headerOp) {
			if t.Action == rules.SetClient {
				p.Report(rules.Diagnostic{Range: op.rng, Key: rules.RouteHeaderKey(r.ID, h),
					Message:  fmt.Sprintf("%s is set from client-controlled data: the client chooses the value", rules.Clip(rules.DisplayHeader(h), 40)),
					Detail:   fmt.Sprintf("The value %s comes from the request.", strings.TrimPrefix(t.Note, "from client data ")),
					FixTitle: "Set it only from `{tls_client_*}` placeholders, on a site that requires and verifies client certificates."})
			}
		})
	},
}

// HeaderAppended: C005.
var HeaderAppended = &rules.Rule{
	Code: "C005", Name: "header-up-appended", Severity: rules.Critical, CWE: []string{"CWE-290", "CWE-348"},
	Summary: "header_up +Name (add) on an identity header keeps the client's copy.",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What:       "Finds `header_up +X-SSL-Client-DN ...` or `request_header +...` (add) on an identity or scheme header that nothing removed before.",
		Why:        "Adding keeps the client's own header; the app server joins both values, the client's first, and most code reads the first.",
		Example:    "header_up +X-SSL-Client-Verify SUCCESS",
		Fix:        "Set the header (`header_up X-SSL-Client-DN {tls_client_subject}`), which replaces the client's copy.",
		References: []string{refReverseProxy},
	},
	Check: func(p *rules.Pass) {
		trustedOps(analyse(p), func(r *route, h string, t rules.HeaderTreatment, op headerOp) {
			if t.Action == rules.Appended && op.kind == 'a' {
				p.Report(rules.Diagnostic{Range: op.rng, Key: rules.RouteHeaderKey(r.ID, h),
					Message:  fmt.Sprintf("+%s adds to the client's own copy of the header", rules.Clip(rules.DisplayHeader(h), 40)),
					Detail:   "The app server joins both values, the client's first, and most code reads the first.",
					FixTitle: fmt.Sprintf("Set it instead: `header_up %s ...` replaces the client's copy.", rules.DisplayHeader(h))})
			}
		})
	},
}

// DeleteAfterSet: C006.
var DeleteAfterSet = &rules.Rule{
	Code: "C006", Name: "header-up-delete-after-set", Severity: rules.High, CWE: []string{"CWE-290", "CWE-670"},
	Summary: "A header_up delete in the same reverse_proxy removes the identity header that header_up sets: Caddy applies deletes after sets.",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What: "Finds a `reverse_proxy` whose `header_up -Pattern` (for example `-X-Ssl-*`) matches a header that another `header_up` line of the same block sets. Caddy applies one block's operations as adds, then sets, then deletes, then replacements, whatever order they are written in.",
		Why: "The header the proxy meant to set is removed again: valid clients arrive without their identity. Worse, the wildcard matches only the dash spelling, so a client's `X_SSL_Client_DN` survives and arrives alone, which an app server that maps `_` like `-` (gunicorn < 22) reads as the identity. " +
			"Measured with Caddy 2.6.2: `header_up -X-Ssl-*` with `header_up X-SSL-Client-DN {tls_client_subject}` sent no DN for a verified client, only the client's underscore copy.",
		Example:    "reverse_proxy app:8000 {\n    header_up -X-Ssl-*\n    header_up X-SSL-Client-DN {tls_client_subject}\n}",
		Fix:        "Delete the client's headers in a handler that runs first, at site level: `request_header -X-Ssl-*`, and keep `header_up` for the sets.",
		References: []string{refHeaderOps, refReverseProxy, refRuntime},
	},
	Check: func(p *rules.Pass) {
		seen := map[source.Range]bool{}
		for _, r := range analyse(p) {
			var hs []string
			for h := range r.deletedAfterSet {
				hs = append(hs, h)
			}
			sort.Strings(hs)
			for _, h := range hs {
				del := r.deletedAfterSet[h]
				if seen[del.rng] {
					continue
				}
				seen[del.rng] = true
				p.Report(rules.Diagnostic{Range: del.rng, Key: rules.WrittenKey("C006", del.rng),
					Message:  fmt.Sprintf("header_up -%s runs after the sets of its block and removes %s again", rules.Clip(del.name, 30), rules.Clip(rules.DisplayHeader(h), 30)),
					Detail:   "Caddy applies one block's adds, then sets, then deletes: valid clients arrive without the header, and a client's underscore spelling survives.",
					FixTitle: fmt.Sprintf("Delete with `request_header -%s` at site level, which runs first.", del.name)})
			}
		}
	},
}

// TrustedProxiesBroad: C007.
var TrustedProxiesBroad = &rules.Rule{
	Code: "C007", Name: "trusted-proxies-broad", Severity: rules.High, CWE: []string{"CWE-348"},
	Summary: "trusted_proxies admits clients (private_ranges, 0.0.0.0/0): their X-Forwarded-Proto, -Host and -For are kept.",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What: "Finds `trusted_proxies` (the `reverse_proxy` subdirective, the global `servers { trusted_proxies static ... }` option, or JSON `trusted_proxies`) with a range that clients are in: `private_ranges`, `0.0.0.0/0`, `::/0`, or a /8 or wider.",
		Why: "From a trusted address Caddy keeps the client's `X-Forwarded-Proto` and `X-Forwarded-Host` and appends to its `X-Forwarded-For`. Measured with Caddy 2.6.2: with `trusted_proxies private_ranges` a client on 127.0.0.1 sent `X-Forwarded-Proto: https` over plain HTTP and the app saw https; without it Caddy wrote `http`. " +
			"Caddy 2.6.2 refuses the global form (`unrecognized servers option 'trusted_proxies'`): it takes only the reverse_proxy subdirective; later versions read the global option.",
		Example:    "reverse_proxy app:8000 {\n    trusted_proxies private_ranges\n}",
		Fix:        "List only the addresses of the proxies (a load balancer) in front of Caddy, or leave trusted_proxies out when clients connect to Caddy directly.",
		References: []string{refTrusted, refReverseProxy, refRuntime},
	},
	Check: func(p *rules.Pass) {
		seen := map[source.Range]bool{}
		report := func(vals []string, at source.Range) {
			for _, v := range vals {
				if broadRange(v) && !seen[at] {
					seen[at] = true
					p.Report(rules.Diagnostic{Range: at, Key: rules.WrittenKey("C007", at),
						Message:  fmt.Sprintf("trusted_proxies %s includes client addresses: their X-Forwarded-* headers are kept", rules.Clip(v, 30)),
						Detail:   "From a trusted address Caddy keeps the client's X-Forwarded-Proto and X-Forwarded-Host and appends to its X-Forwarded-For.",
						FixTitle: "List only the addresses of your proxies in trusted_proxies."})
				}
			}
		}
		for _, st := range viewOf(p).sites {
			report(st.globalTrusted, st.globalTrustedAt)
			for _, px := range st.proxies {
				report(px.trusted, px.trustedAt)
			}
		}
	},
}

// FamilyNotRemoved: C008.
var FamilyNotRemoved = &rules.Rule{
	Code: "C008", Name: "identity-headers-not-removed", Severity: rules.Medium, CWE: []string{"CWE-290"},
	Summary: "A reverse_proxy sets some X-SSL-* headers from the certificate but lets the client's others of the same family through.",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What: "Finds a `reverse_proxy` that sets an identity header from `{tls_client_*}` (`X-SSL-Client-DN`) while no `request_header -X-Ssl-*` (or JSON `headers` handler delete) removes the client's other headers of that family first. " +
			"Medium: the harm depends on what the app reads; the cross-file rule X001 reports the header the app trusts on this route, and withdraws this finding when apps are linked to every route of the `reverse_proxy` and none of them reads a header of the family that the route leaves to the client.",
		Why:        "Caddy forwards every request header it does not set. A client adds `X-SSL-Client-Verify: SUCCESS` or `X-SSL-Client-Cert` next to the DN the proxy sets, and an app that reads one of those believes it.",
		Example:    "reverse_proxy app:8000 {\n    header_up X-SSL-Client-DN {tls_client_subject}   # X-SSL-Client-Verify from the client passes\n}",
		Fix:        "Remove the whole family first, at site level, then set what the app needs:\n\n    request_header -X-Ssl-*\n    reverse_proxy app:8000 {\n        header_up X-SSL-Client-DN {tls_client_subject}\n    }",
		References: []string{refReverseProxy, "https://caddyserver.com/docs/caddyfile/directives/request_header", refRuntime},
	},
	Check: func(p *rules.Pass) {
		seen := map[source.Range]bool{}
		for _, r := range analyse(p) {
			if seen[r.px.head] {
				continue
			}
			for _, h := range r.forwardedTLS() {
				fam := rules.HeaderFamily(h)
				if fam == "" || !rules.IsIdentityHeader(h) {
					continue
				}
				removed := false
				for _, pat := range r.Removed {
					if rules.PatternMatches(pat, fam+"zz") {
						removed = true
					}
				}
				if removed {
					continue
				}
				seen[r.px.head] = true
				word := strings.Split(strings.TrimSuffix(fam, "-"), "-")
				pat := "*" + rules.DisplayHeader(word[len(word)-1]) + "*"
				p.Report(rules.Diagnostic{Range: r.px.head, Key: rules.WrittenKey("C008", r.px.head),
					Message:  fmt.Sprintf("%s is set from the certificate, but the client's other %s* headers pass through", rules.Clip(rules.DisplayHeader(h), 35), rules.Clip(rules.DisplayHeader(fam), 20)),
					Detail:   "Caddy forwards every request header it does not set, so an app that reads another header of the family believes the client.",
					FixTitle: fmt.Sprintf("Add `request_header -%s` at site level.", pat)})
				break
			}
		}
	},
}

// UnderscoreSpellings: C009.
var UnderscoreSpellings = &rules.Rule{
	Code: "C009", Name: "header-up-underscore-spellings", Severity: rules.Medium, CWE: []string{"CWE-436", "CWE-290"},
	Summary: "Caddy forwards X_SSL_Client_DN unchanged next to the identity header header_up sets.",
	Scope:   rules.ScopeTree, Kinds: kinds, Requires: requiresView,
	Doc: rules.Doc{
		What: "Finds an identity header that a reverse_proxy overwrites while some spelling with `_` survives: Caddy replaces only the dash spelling, and a wildcard delete matches names by prefix or suffix, so `-X-Ssl-*` misses `X_SSL_Client_DN` and even `-X_Ssl_*` misses `X-SSL_Client-DN`; only a pattern such as `-*Ssl*` removes them all. " +
			"Medium because the harm depends on the app server: the cross-file rule X005 replaces this finding when the app server behind maps `_` like `-`, and withdraws it when every app server behind drops such names.",
		Why:        "Measured with Caddy 2.6.2 and gunicorn 20.1: `header_up X-SSL-Client-DN {tls_client_subject}` and a client's `X_SSL_Client_DN: CN=under` reached the app as `HTTP_X_SSL_CLIENT_DN = CN=alice,CN=under`.",
		Example:    "header_up X-SSL-Client-DN {tls_client_subject}   # gunicorn 20.1 behind",
		Fix:        "Run an app server that drops header names with `_` (gunicorn ≥ 22 with `header_map = \"drop\"`), or delete the underscore spelling too (`request_header -X_Ssl_*`).",
		References: []string{refReverseProxy, "https://docs.gunicorn.org/en/stable/settings.html#header-map", refRuntime},
	},
	Check: func(p *rules.Pass) {
		seen := map[string]bool{}
		for _, r := range analyse(p) {
			var hs []string
			for h, t := range r.Headers {
				if rules.IsIdentityHeader(h) && t.Action.Overwrites() && t.Range.IsValid() {
					hs = append(hs, h)
				}
			}
			sort.Strings(hs)
			for _, h := range hs {
				t := r.Headers[h]
				if !r.AdmitsUnderscoreOf(h) {
					continue
				}
				if k := t.Range.String() + "|" + h; seen[k] {
					continue
				} else {
					seen[k] = true
				}
				p.Report(rules.Diagnostic{Range: t.Range, Key: rules.RouteHeaderKey(r.ID, h),
					Message:  fmt.Sprintf("%s is overwritten, but Caddy forwards the client's %s unchanged", rules.Clip(rules.DisplayHeader(h), 35), rules.Clip(rules.UnderscoreTwin(h), 35)),
					Detail:   "An app server that maps \"_\" like \"-\" reads it as this header.",
					FixTitle: "Run an app server that drops header names with \"_\" (gunicorn ≥ 22), or delete that spelling too (`request_header -X_Ssl_*`)."})
			}
		}
	},
}
