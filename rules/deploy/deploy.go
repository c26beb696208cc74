// Package deploy holds the cross-file rules (code prefix X): every header
// an app trusts against what every route to it actually sends, and whether
// the app can be reached around the proxy. They read only the deployment
// model and import no family: what a header is set from, whether that is
// guarded by a client certificate, and how to fix a route in its proxy's
// own syntax are facts the route builders put in the model.
package deploy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Rules are the cross-file rules, in code order. They check the contract
// between the proxies and the app: every header the app trusts must be
// overwritten from TLS state on every route that reaches it, compared the
// way the proxy emits it, and not be reachable around the proxy.
var Rules = []*rules.Rule{SpoofableHeader, VerifySemantics, SchemeContract, DirectExposure, UnderscoreConflation, UnverifiedRoute}

// requiresModel is what the deployment-scope rules read.
var requiresModel = []*rules.Analysis{rules.DeploymentModel}

// routeHeaderRules are the proxy-side rules whose findings are about how
// one route treats one header (rules.RouteHeaderKey): a cross-file
// finding about the same route and header, which knows what the app
// trusts, replaces theirs.
var routeHeaderRules = []string{"N001", "N005", "N006", "H001", "H002", "H003", "H008", "H010", "H011",
	"A005", "A006", "A007", "A008", "C004", "C005", "C009", "V001", "V004", "R002"}

// verifyRules are the proxy-side rules whose findings are about a
// client-verification directive (rules.VerifyKey).
var verifyRules = []string{"N003", "N004", "K001", "A001", "A002", "C001", "C002", "V002", "V003", "V006", "R001"}

// underscoreRules are the proxy-side rules whose findings are about a
// directive that lets client header names with "_" through
// (rules.UnderscoreKey).
var underscoreRules = []string{"N007", "V005", "R003"}

func supersedes(groups ...[]string) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

const refRuntime = "docs/verified.md (runtime scenarios against nginx 1.22, HAProxy 2.6, gunicorn 20.1 and Django 3.2)"

// guessNote is appended to findings that rest on a guessed link.
func guessNote(l rules.Link) string {
	if l.How != "guess" {
		return ""
	}
	return " Nothing links this route to the app by address or topology, so every proxy of the repository is taken to front every app; declare [[topology]] in .mtlslint.toml if that is wrong."
}

// isSchemeTrust reports whether a trust decides the scheme, host or port
// (SECURE_PROXY_SSL_HEADER, gunicorn secure_scheme_headers,
// USE_X_FORWARDED_HOST/PORT) rather than the client's identity.
func isSchemeTrust(t rules.Trust) bool {
	return t.Scheme || rules.IsSchemeHeader(t.Header) && !rules.IsIdentityHeader(t.Header)
}

// trustNote describes a trust for messages: "app/mw.py:5 (app code, == "SUCCESS")".
func trustNote(t rules.Trust) string {
	return fmt.Sprintf("%s:%d (%s, %s)", t.Range.File, t.Range.Start.Line, t.Source, t.Check())
}

func trustRelated(t rules.Trust) source.Related {
	return source.Related{Range: t.Range, Message: fmt.Sprintf("the app trusts %s here (%s)", rules.DisplayHeader(t.Header), t.Source)}
}

func routeRelated(r *rules.Route) source.Related {
	return source.Related{Range: r.Range, Message: "route " + r.Desc}
}

// anchorOf is where a fix on the route belongs: the directive that treats
// the header, or the block that should.
func anchorOf(r *rules.Route, t rules.HeaderTreatment) source.Range {
	if t.Range.IsValid() {
		return t.Range
	}
	return r.Range
}

// blockSets records, per block (nginx server, HAProxy frontend) and header,
// whether some route of the block overwrites the header.
type blockSets map[placeKey]bool

// placeKey is a place in a file and a header name: equal where the
// range's String and the name are (file, line and column of a valid
// range; the file alone of an invalid one), without formatting either.
type placeKey struct {
	file      string
	line, col int
	header    string
}

func keyOf(r source.Range, header string) placeKey {
	if !r.IsValid() {
		return placeKey{file: r.File, header: header}
	}
	return placeKey{r.File, r.Start.Line, r.Start.Col, header}
}

func newBlockSets(m *rules.Model) blockSets {
	bs := blockSets{}
	for _, r := range m.Routes {
		for name, t := range r.Headers {
			if t.Action != rules.Passthrough {
				bs[keyOf(r.Block, name)] = true
			}
		}
	}
	return bs
}

// anchor is anchorOf, except that a header no route of the block sets is
// one defect of the block: reported once, at the line that opens it.
func (bs blockSets) anchor(r *rules.Route, t rules.HeaderTreatment, h string) source.Range {
	if t.Action == rules.Passthrough && !t.Range.IsValid() && r.Block.IsValid() && !bs[keyOf(r.Block, h)] {
		return r.Block
	}
	return anchorOf(r, t)
}

// spoofable reports whether the client's copy of a header can reach the
// app through the treatment.
func spoofable(a rules.HeaderAction) bool {
	switch a {
	case rules.Passthrough, rules.Conditional, rules.Appended, rules.SetClient:
		return true
	}
	return false
}

// finding gathers the routes that share one defect: the same header
// treated by the same directive (or missing from the same block). Several
// routes often pass through one directive (a frontend with two binds, a
// location reached from two listeners); they make one finding.
type finding struct {
	anchor source.Range
	header string
	tr     rules.HeaderTreatment
	trust  rules.Trust
	links  []rules.Link
	// breaches are the classes that get through, over every route of the
	// finding, certain ones first.
	breaches []breach
}

type findings struct {
	order []placeKey
	by    map[placeKey]*finding
	// severity, when set, overrides the rule's for these findings.
	severity rules.Severity
}

func (fs *findings) add(anchor source.Range, h string, tr rules.HeaderTreatment, t rules.Trust, l rules.Link, bs ...breach) {
	if fs.by == nil {
		fs.by = map[placeKey]*finding{}
	}
	k := keyOf(anchor, h)
	f := fs.by[k]
	if f == nil {
		f = &finding{anchor: anchor, header: h, tr: tr, trust: t}
		fs.by[k] = f
		fs.order = append(fs.order, k)
	}
	for _, have := range f.links {
		if have.Route == l.Route {
			return // another trust of the same header on the same route
		}
	}
	f.links = append(f.links, l)
	// Certain breaches before possible ones, over all routes.
	f.breaches = append(f.breaches, bs...)
	sortBreaches(f.breaches)
}

// report emits one diagnostic per finding: its key is the route-and-header
// key of the first route, and the proxy-side findings of the other routes
// are withdrawn, since this finding covers them.
// text is what a finding says: the short message, the detail and the fix.
type text struct{ msg, detail, fix string }

func (fs *findings) report(p *rules.Pass, say func(f *finding, desc string) text) {
	for _, k := range fs.order {
		f := fs.by[k]
		sort.SliceStable(f.links, func(i, j int) bool { return f.links[i].Route.ID < f.links[j].Route.ID })
		desc := f.links[0].Route.Desc
		if n := len(f.links); n > 1 {
			var others []string
			for _, l := range f.links[1:] {
				others = append(others, l.Route.Desc)
			}
			desc += fmt.Sprintf(" (and %d more: %s)", n-1, strings.Join(others, "; "))
		}
		guess := ""
		for _, l := range f.links {
			if g := guessNote(l); g != "" {
				guess = g
			}
		}
		related := []source.Related{trustRelated(f.trust)}
		for _, l := range f.links {
			if l.Route.Range != f.anchor { // the anchor says it already
				related = append(related, routeRelated(l.Route))
			}
		}
		txt := say(f, desc)
		sev := fs.severity
		if sev == 0 {
			sev = severityOf(p.Rule.Severity, f.breaches)
		}
		if len(f.breaches) > 0 {
			txt.msg = withClass(txt.msg, f.breaches)
			txt.detail += " Requests that get through: " + classesText(f.breaches) + "."
		}
		p.Report(rules.Diagnostic{
			Range:    f.anchor,
			Key:      rules.RouteHeaderKey(f.links[0].Route.ID, f.header),
			Message:  txt.msg,
			Detail:   txt.detail + guess,
			FixTitle: rules.Sentence(txt.fix),
			Related:  related,
			Severity: sev,
		})
		for _, l := range f.links[1:] {
			p.Resolve(rules.RouteHeaderKey(l.Route.ID, f.header))
		}
	}
}

// SpoofableHeader: X001.
var SpoofableHeader = &rules.Rule{
	Code: "X001", Name: "trusted-header-spoofable", Severity: rules.Critical, CWE: []string{"CWE-290", "CWE-348"},
	Summary: "A header the app trusts for the client's identity is not overwritten on a route that reaches the app.",
	Scope:   rules.ScopeDeployment, Requires: requiresModel, Supersedes: supersedes(routeHeaderRules, []string{"C008"}),
	Doc: rules.Doc{
		What: "For every identity header the app trusts (client-certificate verify, DN and certificate headers read in app code or middleware, RemoteUserMiddleware's header, django-mtls-auth / django-ssl-auth settings), and every proxy route that reaches the app, reports the route when it lets the client's own copy through: the header is not set on that route at all (passthrough), set only under a condition without an unconditional delete first, appended to the client's copy (HAProxy add-header), or set from client data ($http_*, %[req.hdr()]).\n\n" +
			"A header the app takes in place of an identity header (a fallback read when XFCC or the DN header is absent, whatever its name) is judged like it. An app that takes only the last comma-separated element of a header (`split(\",\")[-1]`, `rsplit(\",\", 1)[-1]`) receives the element a route appends after the client's copy (Envoy's `APPEND_FORWARD`, which removes XFCC on connections without a client certificate): such a route is not reported for that read.\n\n" +
			"This covers the header-name mismatch (the proxy sets `X-SSL-Client-Verify`, the app reads `HTTP_X_CLIENT_VERIFY`, which nobody sets), the nginx `proxy_set_header` inheritance trap, the second server block or plain-HTTP listener that forgets the headers, and HAProxy's conditional set. The finding is placed where the fix belongs (the proxy directive or block) and names the app code that trusts the header as a related location. It replaces the proxy-side finding for the same route and header, and withdraws Caddy's warning that the client's other headers of a family the route sets pass through (C008) when no app behind reads one.\n\n" +
			"Only requests that can take the route are judged, and the finding names the request class that gets through: a route that every request leaves before the pass (an nginx server-level `return` or redirect of every URI, `if ($scheme = http) { return ...; }` for plain HTTP, `deny all`, a regex location that a `^~` prefix of its level always takes first; HAProxy redirects, denies and ACLs before `use_backend`; an httpd server-level mod_rewrite redirect; an Envoy route after one that matches every path and redirects or answers directly, a virtual host with `require_tls: ALL` for plain HTTP, `match.tls_context` for certificate states; a Traefik router behind one of higher priority on the same entry point, or with a `redirectScheme` middleware for plain HTTP; a Caddy `reverse_proxy` after a `redir`, `respond` or another `reverse_proxy` that Caddy's directive order runs first, or in a `handle` block an earlier one takes) carries no finding, and a named nginx location that nothing but an upstream's X-Accel-Redirect can enter is reported at medium, naming that. A condition the model cannot evaluate (an Envoy match on dynamic metadata, a Traefik matcher or Caddy matcher it does not know, `require_tls: EXTERNAL_ONLY`) makes the finding medium at most and is named; headers and query parameters a route matches on are the client's choice.",
		Why:     "A proxy removes a client's header only when it sets the same name itself. On a route that does not, the client sends `X-SSL-Client-Verify: SUCCESS` and `X-SSL-Client-DN: CN=admin` and the app accepts it as a verified certificate. Measured against real servers: the location-level inheritance trap, a conditional-only HAProxy set and a header-name mismatch all let the spoof through; a regex location chosen over a plain prefix and a named location entered by try_files lose the headers, while one behind a `^~` prefix is never chosen (internal/e2e: nginx-location-regex-wins-vulnerable, nginx-named-location-try-files-vulnerable, nginx-location-prefix-stop-secure); httpd answers a server-level `RewriteRule ^ https://... [R=301,L]` before ProxyPass, but `Redirect permanent /` comes after it and the request is proxied (httpd 2.4.71); Caddy 2.6.2 runs a `redir` written after `reverse_proxy` first and redirects every plain request, while a `handle /whoami*` next to a catch-all `handle { redir … }` sends the client's own X-SSL-* headers to the app (internal/e2e caddy-plain-redir-secure, caddy-plain-path-vulnerable).",
		Example: "# nginx.conf\nlocation /api/ {\n    proxy_set_header Host $host;       # redefines the level: the server's X-SSL-* headers are lost\n    proxy_pass http://app;\n}\n# app/middleware.py\nif request.META.get('HTTP_X_SSL_CLIENT_VERIFY') == 'SUCCESS': ...",
		Fix:     "Overwrite every trusted header on every route: nginx `proxy_set_header X-SSL-Client-Verify $ssl_client_verify;` at every level that defines proxy_set_header (an include snippet keeps them together), `proxy_set_header X-SSL-Client-Verify \"\";` on plain-HTTP servers; HAProxy `http-request del-header ^x[-_]ssl[-_] -m reg` before the conditional sets, or set-header instead of add-header. Make the app read the header name the proxy sets.",
		References: []string{
			"https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header",
			"https://docs.haproxy.org/2.6/configuration.html#4.2-http-request%20set-header",
			"GHSA-4w7q-wwx4-6973 (VyOS: X-Client-Verify passed through when mTLS was off)",
			"CVE-2026-46579 / openshift/router#805 (spoofable X-SSL-* headers on plain-HTTP frontends)",
			"https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto (route match order, require_tls, tls_context)",
			"https://doc.traefik.io/traefik/routing/routers/ (rule, priority)",
			"https://caddyserver.com/docs/caddyfile/directives#directive-order",
			refRuntime,
		},
	},
	Check: func(p *rules.Pass) {
		m := rules.ModelOf(p)
		var fs findings
		bs := newBlockSets(m)
		for _, app := range m.Apps {
			for _, t := range identityTrusts(app) {
				h := rules.HeaderName(t.Header)
				for _, l := range m.RoutesTo(app) {
					tr := l.Route.Header(h)
					if got := breaches(m, l.Route, app, decisionsOf(t), h, false, nil); len(got) > 0 {
						fs.add(bs.anchor(l.Route, tr, h), h, tr, t, l, got...)
					} else if spoofable(tr.Action) {
						// No request the route carries gets a copy of the
						// client's past the app's check: the proxy-side
						// finding about the route and header goes too.
						p.Resolve(rules.RouteHeaderKey(l.Route.ID, h))
					}
				}
			}
		}
		resolveStray(p, m, func(t rules.Trust) bool { return !isSchemeTrust(t) })
		withdrawUnreadFamily(p, m)
		fs.report(p, func(f *finding, desc string) text {
			return spoofText(f.links[0].Route, desc, f.tr, f.trust, f.header)
		})
	},
}

func spoofText(r *rules.Route, desc string, tr rules.HeaderTreatment, t rules.Trust, h string) text {
	name := rules.Clip(rules.DisplayHeader(h), 40)
	var msg, how string
	switch tr.Action {
	case rules.Passthrough:
		msg = name + " is not set on this route: the client's own copy reaches the app"
		how = "The route does not set the header, so a client's copy passes."
		if others := setIdentityHeaders(r); len(others) > 0 {
			how = fmt.Sprintf("The route sets %s, but not this name, so a client's copy of it passes.", strings.Join(others, ", "))
		}
	case rules.Conditional:
		verb := "set"
		if tr.Removes {
			verb = "removed"
		}
		msg = name + " is " + verb + " only under a condition: otherwise the client's copy reaches the app"
		how = fmt.Sprintf("The header is set only %s, with no unconditional delete before, so otherwise a client's copy passes.", tr.When)
		if tr.Removes {
			how = fmt.Sprintf("The header is removed only %s, so otherwise a client's copy passes.", tr.When)
		}
	case rules.Appended:
		msg = name + " is appended to the client's copy, which reaches the app first"
		how = "Django ≥ 4.1 and most code read the leftmost value, the client's."
	case rules.SetClient:
		msg = name + " is set from data the client chooses, and the app trusts it"
		how = fmt.Sprintf("The value is %s, which the client controls.", tr.Value)
	default:
		msg = name + " is not always overwritten on this route: the client's own copy reaches the app"
		how = "On some requests the route leaves the client's copy in place."
	}
	return text{msg: msg, detail: fmt.Sprintf("%s Route: %s. The app trusts the header at %s.", how, desc, trustNote(t)), fix: r.FixHint(h, rules.TLSFactOf(h))}
}

// setIdentityHeaders lists the identity headers a route overwrites from TLS
// state, for the header-name mismatch message.
func setIdentityHeaders(r *rules.Route) []string {
	var out []string
	for name, tr := range r.Headers {
		if rules.IsIdentityHeader(name) && tr.Action == rules.SetTLS {
			out = append(out, rules.DisplayHeader(name))
		}
	}
	sort.Strings(out)
	return out
}

// usedGuarded reports whether a verification code reaches the app only
// when a client certificate was presented: the route refuses clients
// without one, or the value is set only when one was (or says whether).
func usedGuarded(r *rules.Route, tr rules.HeaderTreatment) bool {
	return r.Gated || tr.CertGuarded
}

// VerifySemantics: X002.
var VerifySemantics = &rules.Rule{
	Code: "X002", Name: "verify-semantics-mismatch", Severity: rules.Critical, CWE: []string{"CWE-697", "CWE-287"},
	Summary: "The app compares a client-certificate header differently from what the proxy emits.",
	Scope:   rules.ScopeDeployment, Requires: requiresModel, Supersedes: supersedes(routeHeaderRules, verifyRules, []string{"D019", "D020", "D022"}),
	Doc: rules.Doc{
		What:    "Judges, for every read of a client-certificate header in app code and every route to the app that forwards a verification result, the conditions under which a request reaches the protected work the read guards (the view, `get_response`, `login()`, `request.user`, a lookup by the value; see D019) against what the route delivers for each request class: no certificate, a certificate nobody verified, a verified one (nginx's `$ssl_client_verify` is `SUCCESS`, `NONE` or `FAILED:<reason>`, HAProxy's `%[ssl_c_verify]` is `0` for a verified certificate and for none, a DN is absent, empty, verified or chosen by the client; the classes include the requests that reach a server through another server's TLS handshake on the same port, named by their SNI and Host, when the server Host selects verifies nothing itself and nginx so does not answer 421). Reports (critical) a check that lets a request without a verified certificate through, at the check (or at the verification directive when the app takes the subject of a certificate nobody verified, or at the header when HAProxy's code is 0 without a certificate); medium when that rests on something the analysis could not decide. Reports (medium) a check that no verified client passes: a lock-out. Every read is judged on its own: a strict check in one view does not excuse a weak one in another. A forwarded certificate the app trusts by its names (D022) is left alone where every request class of every route delivers a certificate the proxy verified against its CA, or none",
		Why:     "The app's check is the only authentication left once the proxy forwards without refusing. A check written for one proxy is wrong for the other: HAProxy sends `0` for an anonymous client under `verify optional`, and nginx under `optional_no_ca` forwards the DN of a self-signed certificate the attacker made.",
		Example: "# haproxy.cfg: bind … verify optional\n    http-request set-header X-SSL-Client-Verify %[ssl_c_verify]\n# app: if request.META.get('HTTP_X_SSL_CLIENT_VERIFY') == '0': accept",
		Fix:     "nginx: compare `== \"SUCCESS\"` exactly. HAProxy: forward `%[ssl_c_used]` too and require `used == \"1\" and verify == \"0\"`, or set the header only `if { ssl_c_used }`. Behind `optional_no_ca`, check the verify header before trusting any DN, or use `ssl_verify_client on`.",
		References: []string{
			"https://nginx.org/en/docs/http/ngx_http_ssl_module.html#var_ssl_client_verify",
			"https://docs.haproxy.org/2.6/configuration.html#7.3.4-ssl_c_verify",
			refRuntime,
		},
	},
	Check: checkSemantics,
}

// SchemeContract: X003.
var SchemeContract = &rules.Rule{
	Code: "X003", Name: "scheme-header-not-overwritten", Severity: rules.High, CWE: []string{"CWE-348"},
	Summary: "SECURE_PROXY_SSL_HEADER (or another scheme/host header the app trusts) is not overwritten on a route that reaches the app.",
	Scope:   rules.ScopeDeployment, Requires: requiresModel, Supersedes: supersedes(routeHeaderRules, []string{"D002", "D003"}),
	Doc: rules.Doc{
		What: "For `SECURE_PROXY_SSL_HEADER`, gunicorn `secure_scheme_headers` set explicitly, and `USE_X_FORWARDED_HOST` / `USE_X_FORWARDED_PORT`, reports every route to the app that does not overwrite the header (for the scheme headers, every plain-HTTP route: on a TLS listener a client that claims https tells the truth) (passthrough, conditional such as HAProxy `if { ssl_fc }` without a delete, or add-header). When every route overwrites the header and the app is not reachable around the proxy, the single-file warning about the setting (D002/D003) is withdrawn; when a route does not, this finding replaces it. On a TLS route that does not send the header at all the finding is a medium lock-out: Django takes the HTTPS requests for plain HTTP, and with `SECURE_SSL_REDIRECT = True` redirects every one of them to itself (a Flask or FastAPI app takes them for plain HTTP too, and the detail names the app rather than Django). " +
			"When every app a route is linked to (not by guess) has a known app server and none honours a scheme header from that route (uvicorn with `--no-proxy-headers` and no app code reading it), the proxy-side findings about that header on the route (N006 and the like) are withdrawn: what a client sends in it decides nothing. " +
			"Routes are judged per request class: a route no plain request takes (HAProxy redirecting every plain request before routing but ACME challenges, which go to another backend) has nothing to report, and the finding names the class that gets through (\"plain HTTP on :80, path not under /account/\"); a class that rests on a condition the model cannot decide makes it medium at most. Measured with HAProxy 2.6.12 and gunicorn 20.1.0 (internal/e2e haproxy-acme-redirect-secure and -vulnerable): a redirect before routing answers 301 and the client's header never reaches the app; a redirect that covers only some paths lets the others through with it.",
		Why:     "Django decides `request.is_secure()` from the header alone: a plain-HTTP client that sends `X-Forwarded-Proto: https` gets secure-only cookies over HTTP and skips SECURE_SSL_REDIRECT. With HAProxy's add-header both values arrive joined by a comma, client first, and Django ≥ 4.1 uses the leftmost.",
		Example: "# settings.py\nSECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')\n# nginx.conf: a server { listen 80; location / { proxy_pass http://app; } } that never sets X-Forwarded-Proto",
		Fix:     "Set the header on every route (`proxy_set_header X-Forwarded-Proto $scheme;`, HAProxy `http-request set-header X-Forwarded-Proto https if { ssl_fc }` after `http-request del-header X-Forwarded-Proto`), or drop the setting and rely on gunicorn's IP-gated secure_scheme_headers.",
		References: []string{
			"https://docs.djangoproject.com/en/stable/ref/settings/#secure-proxy-ssl-header",
			"https://www.djangoproject.com/weblog/2019/jul/01/security-releases/ (CVE-2019-12781)",
			refRuntime,
		},
	},
	Check: func(p *rules.Pass) {
		m := rules.ModelOf(p)
		var fs findings
		lockout := findings{severity: rules.Medium}
		// A client that chooses the address or path prefix the app sees
		// misleads its logs and address checks, not its scheme.
		address := findings{severity: rules.Medium}
		bs := newBlockSets(m)
		for _, app := range m.Apps {
			links := m.RoutesTo(app)
			// Django's own settings first: they are what the finding names.
			trusts := append([]rules.Trust(nil), app.Trusts...)
			sort.SliceStable(trusts, func(i, j int) bool { return !trusts[i].PeerGated && trusts[j].PeerGated })
			for _, t := range trusts {
				if !isSchemeTrust(t) {
					continue
				}
				h := rules.HeaderName(t.Header)
				if t.ServerDefault && h != "x-forwarded-proto" {
					continue // the three defaults are judged together below
				}
				for _, l := range links {
					if !app.Honours(t, l.Route) {
						continue // the app server ignores the header from this proxy
					}
					r := l.Route
					tr := r.Header(h)
					if h == "x-forwarded-host" && tr.Fact == rules.FactHost {
						// The Host the client sent, which nginx matched
						// against server_name and Django checks against
						// ALLOWED_HOSTS like Host itself: no other header
						// gets through.
						continue
					}
					classes := m.Classes(r)
					if t.Value != "" && tr.Action == rules.Passthrough && !t.ServerDefault && slices.ContainsFunc(classes, isTLS) {
						// The client is on HTTPS here: claiming https is
						// the truth. But when the route does not send the
						// header at all, Django takes HTTPS requests for
						// plain HTTP: valid clients are redirected in a
						// loop or refused, which is worth a medium finding.
						lockout.add(bs.anchor(r, tr, h), h, tr, t, l)
					}
					if tr.Action == rules.Appended && t.Hops == 1 {
						// The app takes the last value, the one this proxy
						// appended after the client's.
						continue
					}
					// With its default secure_scheme_headers gunicorn
					// answers 400 when they contradict each other, so a
					// route that overwrites any of the three keeps a client
					// from flipping the scheme (G004 covers the rest);
					// a route that overwrites none lets it.
					if t.ServerDefault && len(t.Peers) == 0 && overwritesAnyDefault(r) {
						continue
					}
					if t.Address {
						// The client's address (X-Forwarded-For): spoofed
						// where the route lets the client's own value through.
						if !tr.Action.Overwrites() && tr.Action != rules.Unknown {
							address.add(bs.anchor(r, tr, h), h, tr, t, l)
						}
						continue
					}
					var keep func(rules.RequestClass) bool
					if t.Value != "" {
						// On TLS a client that claims https tells the truth.
						keep = func(c rules.RequestClass) bool { return !isTLS(c) }
					}
					if got := breaches(m, r, app, decisionsOf(t), h, false, keep); len(got) > 0 {
						fs.add(bs.anchor(r, tr, h), h, tr, t, l, got...)
					} else if spoofable(tr.Action) && !slices.ContainsFunc(classes, isTLS) {
						p.Resolve(rules.RouteHeaderKey(r.ID, h))
					}
				}
				// With routes analysed, the single-file warning has been
				// proven unnecessary or replaced: by the findings above, or
				// by X004 when the app can be reached around the proxy.
				if len(links) > 0 && !t.PeerGated {
					p.Resolve(rules.TrustKey(app.Range.File, t.Header))
				}
			}
		}
		// Several trusts of one header (SECURE_PROXY_SSL_HEADER and
		// gunicorn's secure_scheme_headers) on one directive are one
		// finding: findings.add keys by anchor and header, keeping the
		// first trust as the one named.
		resolveStray(p, m, isSchemeTrust)
		resolveUntrusted(p, m)
		fs.report(p, func(f *finding, desc string) text {
			return schemeText(f.links[0].Route, desc, f.tr, f.trust, f.header)
		})
		address.report(p, func(f *finding, desc string) text {
			t := schemeText(f.links[0].Route, desc, f.tr, f.trust, f.header)
			// no proxy fact holds the client's address: say what to do
			// in words rather than set the header from the scheme
			t.fix = fmt.Sprintf("overwrite %s with the client's address on this route, or make %s trust as many values as there are proxies in front of it",
				rules.DisplayHeader(f.header), f.trust.Source)
			return t
		})
		lockout.report(p, func(f *finding, desc string) text {
			return text{
				msg: rules.Clip(rules.DisplayHeader(f.header), 40) + " is not set on this HTTPS route, so the app takes its requests for plain HTTP",
				detail: fmt.Sprintf("Route %s does not send the header the app decides the scheme from (%s). %s",
					desc, trustNote(f.trust), takenForPlain(f)),
				fix: f.links[0].Route.FixHint(f.header, rules.FactScheme),
			}
		})
	},
}

// isTLS reports whether a class reaches the proxy over TLS.
func isTLS(c rules.RequestClass) bool { return c.Transport == rules.TransportTLS }

// schemeFact is what a scheme or host header should be set from.
func schemeFact(h string) rules.Fact {
	if strings.Contains(h, "host") {
		return rules.FactHost
	}
	return rules.FactScheme
}

// overwritesAnyDefault reports whether the route overwrites one of
// gunicorn's default secure_scheme_headers.
func overwritesAnyDefault(r *rules.Route) bool {
	for _, h := range rules.GunicornSchemeHeaders {
		if r.Header(h.Name).Action.Overwrites() {
			return true
		}
	}
	return false
}

func schemeText(r *rules.Route, desc string, tr rules.HeaderTreatment, t rules.Trust, h string) text {
	name := rules.Clip(rules.DisplayHeader(h), 40)
	var msg, how string
	switch tr.Action {
	case rules.Passthrough:
		msg = name + " is not set on this route: the client's own value reaches the app"
	case rules.Conditional:
		msg = name + " is set only under a condition: otherwise the client's value reaches the app"
		how = fmt.Sprintf(" The header is set only %s.", tr.When)
	case rules.Appended:
		msg = name + " is appended to the client's value, which the app reads first"
		how = " Both values arrive joined by a comma, the client's first; Django ≥ 4.1 uses the leftmost."
		if t.Hops > 1 {
			msg = fmt.Sprintf("%s is appended once, but the app takes the value %d places from the end: the client's", name, t.Hops)
			how = fmt.Sprintf(" %s trusts %d values of the header, one per proxy in front of it, but one proxy is on this route, so the value it takes is one the client sent.", t.Source, t.Hops)
		} else if t.Address {
			msg = name + " is appended to the client's value, and the app takes the first: the client's"
			how = fmt.Sprintf(" %s takes the leftmost value, which the client wrote.", t.Source)
		}
	case rules.SetClient:
		msg = name + " is set from data the client chooses, and the app trusts it"
		how = fmt.Sprintf(" The value is %s.", tr.Value)
	}
	detail := fmt.Sprintf("Route %s does not overwrite the header.%s The app trusts it at %s.", desc, how, trustNote(t))
	if t.ServerDefault {
		detail = fmt.Sprintf("Route %s does not overwrite the header.%s gunicorn honours its default secure_scheme_headers from this proxy (%s), so a client's X-Forwarded-Proto: https makes request.is_secure() true.", desc, how, trustNote(t))
		if strings.HasPrefix(t.Source, "uvicorn") {
			detail = fmt.Sprintf("Route %s does not overwrite the header.%s uvicorn honours X-Forwarded-Proto from this proxy by default (%s), so a client's X-Forwarded-Proto: https becomes the request's scheme.", desc, how, trustNote(t))
		}
	}
	return text{msg: msg, detail: detail, fix: r.FixHint(h, schemeFact(h))}
}

// takenForPlain says what an app that takes HTTPS requests for plain HTTP
// does with them. Django: with SECURE_SSL_REDIRECT on, SecurityMiddleware
// answers each with a redirect to the URL it asked for, a loop (measured
// with nginx 1.22, gunicorn 20.1 and Django 3.2); without it, it serves
// them. An app of another framework (Flask, FastAPI, Starlette) is not
// named after Django's settings.
func takenForPlain(f *finding) string {
	for _, l := range f.links {
		if !isDjango(l.App) {
			return "The app takes these requests for plain HTTP: a redirect to HTTPS in it would send valid clients into a loop, and the URLs it builds say http."
		}
	}
	loop := "turning SECURE_SSL_REDIRECT on would send valid clients into a redirect loop"
	for _, l := range f.links {
		if at := l.App.HTTPSRedirect; at != nil {
			loop = fmt.Sprintf("SECURE_SSL_REDIRECT (%s:%d) redirects every request to the URL it asked for, a loop that locks valid clients out", at.File, at.Start.Line)
			break
		}
	}
	return "Django takes these requests for plain HTTP: " + loop + ", and secure cookies and CSRF origin checks fail."
}

// isDjango reports whether the app is a Django project: one the model
// knows by its settings module, not a module an app server loads (Package,
// a Flask, FastAPI or Starlette app) nor app code without settings (".").
func isDjango(a *rules.App) bool { return a.Package == "" && a.ID != "." }

// bindKey is the key G001 gives a public bind.
func bindKey(b rules.Bind) rules.Key { return rules.PublicBindKey(b.Range.File, b.Endpoint) }

// dedupe keeps the first of each string, in order.
func dedupe(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// DirectExposure: X004.
var DirectExposure = &rules.Rule{
	Code: "X004", Name: "app-reachable-without-proxy", Severity: rules.Critical, CWE: []string{"CWE-668", "CWE-290"},
	Summary: "The app server can be reached without the proxy while the app trusts headers only the proxy should set.",
	Scope:   rules.ScopeDeployment, Requires: []*rules.Analysis{rules.DirectAccess}, Supersedes: []string{"G001", "K005", "K006"},
	Doc: rules.Doc{
		What:    "Reports an app that trusts proxy headers (identity headers, SECURE_PROXY_SSL_HEADER, USE_X_FORWARDED_HOST) when its app server can be reached directly: gunicorn, uWSGI or runserver bound to a non-loopback address on the host, or a compose service that publishes the app port (`ports: \"8000:8000\"`). A bind to 0.0.0.0 inside a container whose port is not published is reachable only from the compose network, and the single-file bind warning (G001) is withdrawn for it. A bind inside a container image that no compose service runs is judged by the workloads that run the app behind the routes to it: a Kubernetes Deployment reached only through ClusterIP Services whose pods NetworkPolicies open to the ingress controller alone, or an ECS service whose security groups admit the port only from the load balancer's, is not reported; one that other hosts of the private network reach is reported at high, one that clients outside reach (NodePort, LoadBalancer, hostPort, a security group open to all on public addresses) at critical; where nothing in the repository says, or a NetworkPolicy's reach is itself undecided (an ipBlock behind an ALB), at medium, naming what is undecided (binding every interface is how a container is reached at all). The message names the direct request class (\"a client on the network connects to :30080 (NodePort)\"), the related locations the facts that decide it (the published port, the Service's type, the NetworkPolicy, the security-group rule), and the detail every header that becomes spoofable. G001, which reads the same direct paths, is superseded on the same line; where X004 is ignored, G001 reports the same binds (in a gunicorn configuration, a Dockerfile `CMD`, a compose service's `command:`) at the bind.",
		Why:     "A client that connects to the app server directly skips the proxy's certificate verification and header stripping, and sends `X-SSL-Client-Verify: SUCCESS` itself. gunicorn's forwarded_allow_ips gates only its scheme headers, never X-SSL-*; Django's SECURE_PROXY_SSL_HEADER is not gated at all.",
		Example: "services:\n  web:\n    command: gunicorn --bind 0.0.0.0:8000 proj.wsgi\n    ports: [\"8000:8000\"]",
		Fix:     "Do not publish the app port (use `expose:` or nothing; the proxy reaches the service on the compose network), bind to loopback or a UNIX socket shared with the proxy, and firewall the app host.",
		References: []string{
			"https://docs.gunicorn.org/en/stable/settings.html#bind",
			"https://docs.docker.com/reference/compose-file/services/#ports",
			"https://kubernetes.io/docs/concepts/services-networking/network-policies/",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-network.html",
			refRuntime,
		},
	},
	Check: func(p *rules.Pass) {
		d := rules.DirectOf(p)
		for _, app := range d.Model.Apps {
			var hdrs []string
			var first rules.Trust
			for _, t := range app.Trusts {
				if !app.OpenToAll(t) {
					continue
				}
				if len(hdrs) == 0 {
					first = t
				}
				hdrs = append(hdrs, rules.HeaderName(t.Header))
			}
			hdrs = dedupe(hdrs)
			if len(hdrs) == 0 {
				continue
			}
			paths, closed := d.Paths(app), d.Closed(app)
			for _, b := range closed {
				// the boundary closes it: the single-file bind warning
				// is withdrawn
				p.Resolve(bindKey(b))
			}
			for _, b := range app.Binds {
				if b.Service != "" {
					// a compose service's bind: its published ports carry
					// the findings
					p.Resolve(bindKey(b))
				}
			}
			for _, e := range paths {
				for _, k := range e.Settles {
					// the cluster's own finding on the opening: this
					// one names the class and relates the same fact
					p.Resolve(k)
				}
				rel := []source.Related{trustRelated(first)}
				if e.At != e.Bind.Range {
					rel = append(rel, source.Related{Range: e.Bind.Range, Message: fmt.Sprintf("%s binds %s", rules.ServerNameOf(app), e.Bind.Endpoint)})
				}
				for _, f := range e.Facts {
					if f.Range != e.At && f.Range != e.Bind.Range {
						rel = append(rel, f)
					}
				}
				p.Report(rules.Diagnostic{
					Range: e.At, Key: e.Key, Related: rel, Severity: e.Severity(),
					Message:  fmt.Sprintf("%s on %s: %s, around the proxy", rules.ServerNameOf(app), rules.Clip(e.Bind.Endpoint.String(), 30), rules.Clip(e.String(), 140)),
					Detail:   fmt.Sprintf("%s Clients that connect to it skip the proxy and send %s themselves, and the app trusts them.", e.Why, strings.Join(canonicalAll(hdrs), ", ")),
					FixTitle: "Keep the app server on loopback, a UNIX socket or an unpublished container port.",
				})
			}
		}
	},
}

// headerReader names what maps a header's "_" like "-" for app: the app
// server, or Django's ASGI handler when a Django project runs under an
// ASGI server (the server passes names as they came).
func headerReader(app *rules.App) string {
	switch app.Server {
	case "uvicorn", "daphne", "hypercorn":
		if app.Package == "" {
			return "Django under " + app.Server
		}
	}
	return rules.ServerNameOf(app)
}

func canonicalAll(hs []string) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = rules.DisplayHeader(h)
	}
	return out
}

// UnderscoreConflation: X005.
var UnderscoreConflation = &rules.Rule{
	Code: "X005", Name: "underscore-header-conflation", Severity: rules.High, CWE: []string{"CWE-436", "CWE-290"},
	Summary: "A route lets client headers with underscores through to an app server that reads them like the dash name the proxy sets.",
	Scope:   rules.ScopeDeployment, Requires: requiresModel, Supersedes: supersedes(routeHeaderRules, underscoreRules),
	Doc: rules.Doc{
		What: "Reports a route that admits header names with `_` (nginx `underscores_in_headers on` or `ignore_invalid_headers off`, HAProxy without a `-m reg` delete covering both spellings, Traefik with `http.underscoreHeadersStrategy: keep`, the default, for a header its forwarded-headers middleware does not remove from that client) in front of an app server that maps `_` like `-` into the WSGI environ (gunicorn before 22.0 or with `header_map = \"dangerous\"`, uWSGI's HTTP router; under an ASGI server, Django's ASGI handler, which builds META the same way, but not Starlette or FastAPI, whose headers keep the name as sent; uvicorn `--interface wsgi`, whose WSGI adapter builds the environ the same way for any app), when the app trusts a header the proxy overwrites only under its dash name (Traefik's `passTLSClientCert` sets X-Forwarded-Tls-Client-Cert only when the client presents a certificate, and only under that name), and the joined value does harm: a request without a verified certificate gets past the app's check with the client's copy (a presence or prefix test on `SUCCESS,NONE`, a DN that arrives alone), or a verified client's identity is taken from a part of the joined value the client wrote (the first element of a split, a regular expression's group). An exact comparison or a lookup by the whole joined value fails closed and is not reported. The single-file warnings about a route's underscore spellings (A008, C009, H010) are withdrawn when every app behind the route drops such names or keeps them apart, for every header the route overwrites, whether the app reads it or not",
		Why: "The proxy overwrites `X-SSL-Client-DN` but not `X_SSL_Client_DN`; the app server turns both into `HTTP_X_SSL_CLIENT_DN`. Without a client certificate nginx sends no DN header at all (the value is empty), so the client's underscore copy arrives alone and is taken as the identity. Measured with nginx 1.22 and gunicorn 20.1. " +
			"gunicorn 20.1 joins the two copies with a comma in the order they arrive: nginx writes its own headers first (`NONE,SUCCESS`, `CN=alice,CN=admin`), HAProxy's set-header appends after the client's (`SUCCESS,NONE`, `CN=admin,/CN=alice`), and HAProxy sends an empty DN without a certificate where nginx sends none. " +
			"So an exact comparison, and a lookup by the whole value, fail closed, while a presence test, a prefix test or the first `CN=` of the joined value do not (internal/e2e: nginx-underscore-lookup-secure, nginx-underscore-presence-vulnerable, haproxy-underscore-lookup-secure, haproxy-underscore-first-cn-vulnerable).",
		Example: "# nginx.conf\nunderscores_in_headers on;\nproxy_set_header X-SSL-Client-DN $ssl_client_s_dn;\n# gunicorn 20.1; app: user = request.META.get('HTTP_X_SSL_CLIENT_DN')",
		Fix:     "Keep nginx's defaults (`underscores_in_headers off`, `ignore_invalid_headers on`); in HAProxy delete both spellings (`http-request del-header ^x[-_]ssl[-_] -m reg`); upgrade gunicorn to ≥ 22.0 (header_map drop).",
		References: []string{
			"https://nginx.org/en/docs/http/ngx_http_core_module.html#underscores_in_headers",
			"https://docs.gunicorn.org/en/stable/settings.html#header-map",
			"https://github.com/encode/uvicorn/blob/master/uvicorn/middleware/wsgi.py (build_environ)",
			"https://www.djangoproject.com/weblog/2015/jan/13/security/ (CVE-2015-0219)",
			refRuntime,
		},
	},
	Check: func(p *rules.Pass) {
		m := rules.ModelOf(p)
		// One finding per admitting directive (nginx underscores_in_headers
		// on: where the fix belongs), or per route where admitting is the
		// proxy's default (HAProxy).
		type group struct {
			at       source.Range
			key      rules.Key
			headers  []string
			trust    rules.Trust
			routes   []*rules.Route
			server   string
			guess    string
			breaches []breach
		}
		var order []rules.Key
		groups := map[rules.Key]*group{}
		for _, app := range m.Apps {
			for _, t := range identityTrusts(app) {
				h := rules.HeaderName(t.Header)
				for _, l := range m.RoutesTo(app) {
					r := l.Route
					if !r.AdmitsUnderscoreOf(h) || !r.Header(h).SetsWithCert() {
						continue
					}
					at, key := r.Range, rules.RouteHeaderKey(r.ID, h)
					if r.UnderscoreRange.IsValid() {
						at, key = r.UnderscoreRange, rules.UnderscoreKey(r.UnderscoreRange)
					}
					g := groups[key]
					if g == nil {
						g = &group{at: at, key: key, trust: t}
						groups[key] = g
						order = append(order, key)
					}
					// The values a client's underscore spelling makes,
					// joined by the app server with the proxy's, against
					// the app's check.
					bs := underscoreBreaches(m, t, l, h)
					if len(bs) == 0 {
						continue
					}
					if !slices.Contains(g.headers, h) {
						g.headers = append(g.headers, h)
					}
					if !slices.Contains(g.routes, r) {
						g.routes = append(g.routes, r)
					}
					if len(g.breaches) == 0 || g.breaches[0].maybe() && !bs[0].maybe() {
						g.trust, g.server = t, headerReader(app)
					}
					g.breaches = append(g.breaches, bs...)
					if n := guessNote(l); n != "" {
						g.guess = n
					}
				}
			}
		}
		withdrawDropped(p, m)
		for _, key := range order {
			g := groups[key]
			if len(g.breaches) == 0 {
				// No request gets a client's underscore spelling past the
				// app's check (the app server drops such names, or the
				// joined value fails the check): the proxy-side warning is
				// withdrawn.
				p.Resolve(key)
				continue
			}
			sortBreaches(g.breaches)
			var descs, twins []string
			related := []source.Related{trustRelated(g.trust)}
			for _, r := range g.routes {
				descs = append(descs, r.Desc)
				related = append(related, routeRelated(r))
			}
			for _, h := range g.headers {
				twins = append(twins, rules.UnderscoreTwin(h))
			}
			more := ""
			if len(twins) > 1 {
				more = fmt.Sprintf(" (and %d more)", len(twins)-1)
			}
			first := g.breaches[0]
			overwritten := strings.Join(canonicalAll(g.headers), ", ")
			if certGuarded(g.routes, g.headers) {
				// passTLSClientCert, a set under ssl_c_used: nothing is
				// set for a client without a certificate.
				overwritten += " when the client presents a certificate"
			}
			p.Report(rules.Diagnostic{
				Range: g.at, Key: g.key, Related: related, Severity: severityOf(p.Rule.Severity, g.breaches),
				Message: withClass(fmt.Sprintf("a client's %s%s gets through, and %s reads it as %s", rules.Clip(twins[0], 35), more, g.server, rules.Clip(rules.DisplayHeader(g.headers[0]), 35)), g.breaches),
				Detail: fmt.Sprintf("Route %s overwrites %s but lets a client's %s through, and %s reads them as the same headers, joined with a comma in the order they arrive: %s. Requests that get through: %s.",
					strings.Join(descs, "; "), overwritten, strings.Join(twins, ", "), g.server, first.how(trustNote(g.trust)), classesText(g.breaches)) + g.guess,
				FixTitle: "Keep header names with underscores out at the proxy, or upgrade the app server.",
			})
		}
	},
}

// certGuarded reports whether every one of the headers is overwritten
// only for a client that presents a certificate, on every route.
func certGuarded(routes []*rules.Route, headers []string) bool {
	for _, r := range routes {
		for _, h := range headers {
			if t := r.Header(h); t.Action.Overwrites() || !t.CertGuarded {
				return false
			}
		}
	}
	return true
}

// withdrawDropped withdraws the proxy-side warnings about the underscore
// spelling of a header a route overwrites (A008, C009, H010: keyed by
// route and header) when every app behind the route drops such names or
// keeps them apart (gunicorn >= 22, Starlette): the client's spelling
// never arrives as the header, whether or not the app reads it today. A
// route no app is linked to keeps its warnings: what runs behind it is not
// known. Other findings under such a key are about a header the client's
// copy reaches under its own name (not one the route overwrites), or about
// HAProxy's verification code, which is left to X002.
func withdrawDropped(p *rules.Pass, m *rules.Model) {
	behind := appsBehind(m)
	for _, r := range m.Routes {
		apps := behind[r]
		if len(apps) == 0 || slices.ContainsFunc(apps, func(a *rules.App) bool { return a.ConflatesUnderscore }) {
			continue
		}
		for h, tr := range r.Headers {
			if tr.Action.Overwrites() && tr.Fact != rules.FactVerifyCode && r.AdmitsUnderscoreOf(h) {
				p.Resolve(rules.RouteHeaderKey(r.ID, h))
			}
		}
	}
}

// appsBehind maps each route to the apps it is linked to.
func appsBehind(m *rules.Model) map[*rules.Route][]*rules.App {
	behind := map[*rules.Route][]*rules.App{}
	for _, app := range m.Apps {
		for _, l := range m.RoutesTo(app) {
			behind[l.Route] = append(behind[l.Route], app)
		}
	}
	return behind
}

// withdrawUnreadFamily withdraws a route's own warning that the client's
// other headers of an identity family it sets pass through
// (Route.FamilyKey) when no app behind any route under that key reads a
// header of the family that the route leaves to the client: the client's
// copies arrive, but nothing believes them. A header an app does read is
// this rule's finding on the route; a route no app is linked to keeps the
// warning, since what runs behind it is not known.
func withdrawUnreadFamily(p *rules.Pass, m *rules.Model) {
	behind := appsBehind(m)
	read := map[rules.Key]bool{}
	var keys []rules.Key
	for _, r := range m.Routes {
		k := r.FamilyKey
		if k.IsZero() {
			continue
		}
		if _, seen := read[k]; !seen {
			keys = append(keys, k)
		}
		read[k] = read[k] || readsLeftFamily(r, behind[r])
	}
	for _, k := range keys {
		if !read[k] {
			p.Resolve(k)
		}
	}
}

// readsLeftFamily reports whether an app behind r trusts a header of a
// family r sets identity headers of, under a name r does not overwrite;
// true when no app is linked to r.
func readsLeftFamily(r *rules.Route, apps []*rules.App) bool {
	if len(apps) == 0 {
		return true
	}
	families := map[string]bool{}
	for h, tr := range r.Headers {
		if tr.Action.Overwrites() && rules.IsIdentityHeader(h) {
			families[rules.HeaderFamily(h)] = true
		}
	}
	for _, app := range apps {
		for _, t := range app.Trusts {
			h := rules.HeaderName(t.Header)
			if f := rules.HeaderFamily(h); f != "" && families[f] && !r.Header(h).Action.Overwrites() {
				return true
			}
		}
	}
	return false
}

// UnverifiedRoute: X006.
var UnverifiedRoute = &rules.Rule{
	Code: "X006", Name: "identity-from-unverified-route", Severity: rules.High, CWE: []string{"CWE-287", "CWE-306"},
	Summary: "An app that trusts a client-certificate header is reached by a route that accepts connections without a verified certificate.",
	Scope:   rules.ScopeDeployment, Requires: requiresModel, Supersedes: verifyRules,
	Doc: rules.Doc{
		What:       "Reports a TLS route whose client verification is not required (nginx `optional` or off, HAProxy `verify none` or `optional`, the equivalents of the other proxies) that neither refuses unverified clients (an nginx `if ($ssl_client_verify != SUCCESS) { return 403; }` gate, an HAProxy deny) nor forwards a verification result, when the app's check on a client-certificate header it sets lets such a client reach protected work (judged per read, as in X002): a presence test on a header the proxy sends empty without a certificate (HAProxy) or as a text that is not empty (Apache: `(null)`, which mod_headers writes for an SSL variable that is unset; Caddy before 2.11.2: the unreplaced placeholder, `{http.request.tls.client.subject}`; 2.11.2 and later send it empty, so where no Caddy image, Dockerfile `FROM` or `xcaddy build` in the repository pins the version the finding is medium and says so), an identity stored from a header read with a default. A header nginx leaves out when it is empty arrives absent, and code that stores it gets None: not reported, and the single-file warning (N003) is withdrawn. A subject of a certificate nobody verified (`optional_no_ca`) taken as identity is X002's",
		Why:        "The app cannot tell an authenticated request from an anonymous one: it gets whatever certificate data the handshake produced (possibly none, possibly unverified) and no verdict. Combined with an app that accepts any non-empty DN, an unverified or missing certificate becomes access.",
		Example:    "ssl_verify_client optional;\nproxy_set_header X-SSL-Client-DN $ssl_client_s_dn;   # no verify header, no gate",
		Fix:        "Require verification (`ssl_verify_client on`, HAProxy `verify required`), or gate in the proxy, or forward the verify result and make the app check `== \"SUCCESS\"` (nginx) / used and `== \"0\"` (HAProxy).",
		References: []string{"https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_verify_client", "https://docs.haproxy.org/2.6/configuration.html#5.1-verify", "https://github.com/apache/httpd/blob/2.4.x/modules/metadata/mod_headers.c", "https://github.com/caddyserver/caddy/blob/master/modules/caddyhttp/replacer.go", "https://github.com/caddyserver/caddy/pull/7534"},
	},
	Check: checkUnverified,
}
