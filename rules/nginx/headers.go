package nginx

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// HeaderInheritance is N001, proxy-header-inheritance.
var HeaderInheritance = &rules.Rule{
	Code:     "N001",
	Name:     "proxy-header-inheritance",
	Severity: rules.Critical,
	CWE:      []string{"CWE-290"},
	Summary:  "A block that defines its own proxy_set_header loses the identity headers set at an outer level, so the client's copy reaches the upstream.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresConfig,
	Doc: rules.Doc{
		What: "Finds a level (server, location, nested location) that defines at least one `proxy_set_header` — directly or through an include such as `include proxy_params;` — " +
			"while an identity or scheme header (X-SSL-*, X-Client-*, SSL-Client-*, X-Forwarded-Proto/Host/Port, X-Forwarded-Client-Cert, Remote-User, ...) is set only at an outer level, " +
			"and requests of that level are proxied. The same is checked for `grpc_set_header`, and for `uwsgi_param`, `fastcgi_param` and `scgi_param` with HTTP_* names.",
		Why: "nginx inherits these directives \"if and only if there are no directives defined on the current level\". One `proxy_set_header Upgrade ...` in a location " +
			"silently drops the server's `proxy_set_header X-SSL-Client-Verify $ssl_client_verify`. nginx then forwards the client's own `X-SSL-Client-Verify: SUCCESS` " +
			"(and `X-SSL-Client-DN: CN=admin`) untouched, and the app authenticates the attacker. Measured with nginx 1.22: valid clients are locked out and a client sending the header is accepted as admin.",
		Example: "server {\n    ssl_verify_client on;\n    proxy_set_header X-SSL-Client-Verify $ssl_client_verify;\n    location /ws {\n        proxy_set_header Upgrade $http_upgrade;   # drops X-SSL-Client-Verify\n        proxy_pass http://app;\n    }\n}",
		Fix: "Repeat every identity header at each level that defines its own headers (the fix does this), or keep all headers in one snippet and include it at every level:\n\n" +
			"    location /ws {\n        include snippets/mtls-headers.conf;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_pass http://app;\n    }",
		References: []string{
			"https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header",
			"https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_param",
		},
	},
	Check: checkInheritance,
}

func checkInheritance(p *rules.Pass) {
	c := analyse(p)
	if c == nil {
		return
	}
	type group struct {
		level  *nginx.Directive
		fam    family
		routes []*route
	}
	groups := map[*nginx.Directive]*group{}
	var order []*group
	for _, r := range c.routes {
		if r.level == nil || len(r.lost) == 0 {
			continue
		}
		g := groups[r.level]
		if g == nil || g.fam.set != r.fam.set {
			g = &group{level: r.level, fam: r.fam}
			groups[r.level] = g
			order = append(order, g)
		}
		g.routes = append(g.routes, r)
	}
	for _, g := range order {
		open := false
		for _, r := range g.routes {
			if r.Default != rules.Blanked {
				open = true
			}
		}
		if !open {
			continue // proxy_pass_request_headers off: no client header passes
		}
		lost := g.routes[0].lost
		var names []string
		for h := range lost {
			if rules.IsTrustedHeader(h) {
				names = append(names, h)
			}
		}
		sort.Strings(names)
		first := g.routes[0]
		for _, r := range g.routes {
			if r.ID < first.ID {
				first = r
			}
		}
		definer := g.level.First(g.fam.set)
		how := ""
		if definer != nil && definer.Via != nil {
			how = viaNote(definer)
		}
		for _, h := range names {
			outer := lost[h]
			hdr := outer.Arg(0)
			block := blockDesc(g.level)
			if g.level.File != first.server.d.File {
				// A block written in an included file can be part of
				// several servers: say which one this finding is about.
				block += " (in " + first.Desc[:strings.Index(first.Desc, ",")] + ")"
			}
			d := rules.Diagnostic{
				Range: g.level.Head(),
				Message: fmt.Sprintf("%s set at %s is not inherited: this block defines its own %s",
					rules.Clip(hdr, 35), rules.Clip(where(outer), 30), g.fam.set),
				Detail: fmt.Sprintf("%s defines its own %s%s, so %s set at %s is not inherited and a client's own %s reaches %s.",
					block, g.fam.set, how, hdr, where(outer), displayHeader(g.fam, hdr), first.Upstream.Name),
				Related: []source.Related{related(outer, fmt.Sprintf("%s is set here, at the outer level", hdr))},
				Key:     rules.RouteHeaderKey(first.ID, h),
			}
			if e, ok := addToLevel(g.level, g.fam, directiveText(outer)); ok {
				d.Fixes = []rules.Fix{{Description: fmt.Sprintf("Repeat %s in %s", hdr, blockDesc(g.level)), Safe: true, Edits: []rules.Edit{e}}}
			} else {
				d.FixTitle = fmt.Sprintf("Repeat `%s` in this block.", directiveText(outer))
			}
			p.Report(d)
		}
	}
}

// displayHeader names the header a directive sets as a client would send
// it: the name itself for proxy_set_header, the dash form of an HTTP_*
// parameter.
func displayHeader(f family, name string) string {
	if !f.params {
		return name
	}
	h := rules.HeaderName(name)
	parts := strings.Split(h, "-")
	for i, s := range parts {
		if len(s) <= 3 && (s == "ssl" || s == "dn" || s == "x") {
			parts[i] = strings.ToUpper(s)
		} else if s != "" {
			parts[i] = strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return strings.Join(parts, "-")
}

// addToLevel returns an edit that adds a header-setting directive to level b
// of family f: after the last one written in b itself (or the include that
// brings them), else as the first line of b.
func addToLevel(b *nginx.Directive, f family, text string) (rules.Edit, bool) {
	var anchor *nginx.Directive
	for _, ch := range b.Children {
		if ch.Via != nil {
			continue
		}
		if ch.Name == f.set {
			anchor = ch
			continue
		}
		if ch.Name == "include" && includesFamily(b, ch, f) {
			anchor = ch
		}
	}
	if anchor != nil && anchor.File == b.File {
		return insertAfter(anchor, text), true
	}
	return insertInto(b, text)
}

// includesFamily reports whether include directive inc brought f.set
// directives into b.
func includesFamily(b, inc *nginx.Directive, f family) bool {
	for _, ch := range b.Children {
		if ch.Name != f.set {
			continue
		}
		for v := ch.Via; v != nil; v = v.Via {
			if v == inc {
				return true
			}
		}
	}
	return false
}

// RouteGap is N006, route-header-gap.
var RouteGap = &rules.Rule{
	Code:     "N006",
	Name:     "route-header-gap",
	Severity: rules.Critical,
	CWE:      []string{"CWE-290", "CWE-348"},
	Summary:  "An identity header that some routes to an upstream set is not set on another route to the same upstream, where the client's copy passes through.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresConfig,
	Doc: rules.Doc{
		What: "Groups the routes (listen × server × location) that pass requests to the same upstream. When some of them set or blank an identity header " +
			"(X-SSL-*, X-Client-*, SSL-Client-*, Remote-User, ...) or a scheme header (X-Forwarded-Proto, -Host, -Port) and another does not, the route that does not is reported: " +
			"another location, another server block, a `listen 80` server, the default server, a named location or `error_page` target that proxies. " +
			"Identity headers are critical, scheme headers high. When the cross-file rules prove that the app trusts the header, their finding replaces this one; " +
			"when every app the route is linked to (by address, topology or workload, not by guess) has a known app server and none of them honours a scheme header from this route " +
			"(uvicorn with `--no-proxy-headers`, gunicorn's defaults from a peer outside forwarded_allow_ips, no app code or setting reading it), the finding about that header is withdrawn.",
		Why: "nginx removes a client's header only when a same-named `proxy_set_header` (or `uwsgi_param HTTP_*`) is in effect. On the route that forgets it, " +
			"a client sends `X-SSL-Client-Verify: SUCCESS` itself and the upstream, which trusts the header because the other routes set it, believes it. " +
			"VyOS (GHSA-4w7q-wwx4-6973) and the OpenShift router (CVE-2026-46579) had exactly this gap.",
		Example: "server {\n    listen 443 ssl;\n    ssl_verify_client on;\n    location / {\n        proxy_set_header X-SSL-Client-Verify $ssl_client_verify;\n        proxy_pass http://app;\n    }\n}\nserver {\n    listen 80;\n    location / { proxy_pass http://app; }   # X-SSL-Client-Verify passes through\n}",
		Fix: "Set or blank every trusted header on every route to the upstream (the fix adds it to the route's header level). On a plain-HTTP route, " +
			"`proxy_set_header X-SSL-Client-Verify $ssl_client_verify;` sends nothing and still removes the client's copy; so does `proxy_set_header X-SSL-Client-Verify \"\";`.",
		References: []string{
			"https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header",
			"https://github.com/vyos/vyos-1x/pull/5464",
			"https://github.com/openshift/router/pull/805",
		},
	},
	Check: checkRouteGap,
}

func checkRouteGap(p *rules.Pass) {
	c := analyse(p)
	if c == nil {
		return
	}
	byUpstream := map[string][]*route{}
	var ups []string
	for _, r := range c.routes {
		if _, ok := byUpstream[r.Upstream.Name]; !ok {
			ups = append(ups, r.Upstream.Name)
		}
		byUpstream[r.Upstream.Name] = append(byUpstream[r.Upstream.Name], r)
	}
	for _, u := range ups {
		rs := byUpstream[u]
		// Headers some route of this upstream overwrites, with the first
		// such route as the reference.
		setters := map[string]*route{}
		for _, r := range rs {
			for h, t := range r.Headers {
				if t.Note == "nginx default" || !rules.IsTrustedHeader(h) || !t.Action.Overwrites() {
					continue
				}
				if s, ok := setters[h]; !ok || r.ID < s.ID {
					setters[h] = r
				}
			}
		}
		var hs []string
		for h := range setters {
			hs = append(hs, h)
		}
		sort.Strings(hs)
		reported := map[string]bool{}
		for _, h := range hs {
			ref := setters[h]
			for _, r := range rs {
				if _, set := r.Headers[h]; set || r.Default != rules.Passthrough {
					continue
				}
				if _, lost := r.lost[h]; lost {
					continue // the inheritance trap (N001) reports this defect
				}
				if r.Gated && strings.TrimSpace(ref.Headers[h].Value) == "$ssl_client_verify" {
					// Only verified clients reach this route, so the
					// value the other routes set would be SUCCESS here
					// anyway: a client's copy gains nothing.
					continue
				}
				bk := fmt.Sprintf("%p|%s", r.block, h)
				if reported[bk] {
					continue // the same location on another listen
				}
				reported[bk] = true
				p.Report(gapDiagnostic(r, ref, h))
			}
		}
	}
}

func gapDiagnostic(r, ref *route, h string) rules.Diagnostic {
	t := ref.Headers[h]
	refDir := ref.sets[h]
	shown := displayHeader(ref.fam, t.Name)
	how := "sets it"
	switch t.Action {
	case rules.SetTLS:
		how = "sets it from TLS state"
	case rules.Blanked:
		how = "blanks it"
	}
	text := setText(r.fam, shown, fixValue(t, r))
	d := rules.Diagnostic{
		Range:   r.block.Head(),
		Message: fmt.Sprintf("%s is not set on this route, though another route to %s %s", rules.Clip(shown, 35), rules.Clip(r.Upstream.Name, 25), how),
		Detail: fmt.Sprintf("%s passes requests to %s without setting %s, which %s %s (%s), so a client's own %s reaches %s through this route.",
			r.Desc, r.Upstream.Name, shown, ref.Desc, how, where(refDir), shown, r.Upstream.Name),
		Related: []source.Related{related(refDir, fmt.Sprintf("%s is set here for %s", shown, ref.Desc))},
		Key:     rules.RouteHeaderKey(r.ID, h),
	}
	if rules.IsSchemeHeader(h) && !rules.IsIdentityHeader(h) {
		d.Severity = rules.High
	}
	target := r.level
	if target == nil {
		target = r.block
	}
	var e rules.Edit
	ok := false
	if r.level != nil {
		e, ok = addToLevel(r.level, r.fam, text)
	} else {
		e, ok = insertInto(r.block, text)
	}
	if ok {
		d.Fixes = []rules.Fix{{Description: fmt.Sprintf("Set %s in %s", shown, blockDesc(target)), Safe: true, Edits: []rules.Edit{e}}}
	} else {
		d.FixTitle = fmt.Sprintf("Add `%s` to this route.", text)
	}
	return d
}

// fixValue is the value a fix sets on route r, which forgot a header: the
// reference route's value when it comes from nginx ($scheme), or from TLS
// state and r verifies client certificates too; else "" (nothing is sent
// and the client's copy is removed; a constant such as "https" would be a
// lie on another listener, and a certificate variable on a route without
// verification would only ever say NONE).
func fixValue(t rules.HeaderTreatment, r *route) string {
	verifies := r.Listener.Verify != rules.VerifyOff && r.Listener.Verify != rules.VerifyUnknown
	if t.Action == rules.SetOther || t.Action == rules.SetTLS && verifies {
		return quoteIfNeeded(t.Value)
	}
	return `""`
}

func quoteIfNeeded(v string) string {
	if v == "" || strings.ContainsAny(v, " \t;{}#'\"") {
		return `"` + strings.ReplaceAll(v, `"`, `\"`) + `"`
	}
	return v
}

// setText renders the directive that sets header h in family f.
func setText(f family, h, value string) string {
	if f.params {
		return fmt.Sprintf("%s %s %s;", f.set, rules.MetaName(h), value)
	}
	return fmt.Sprintf("%s %s %s;", f.set, h, value)
}

// HeaderFromClient is N005, identity-header-from-client.
var HeaderFromClient = &rules.Rule{
	Code:     "N005",
	Name:     "identity-header-from-client",
	Severity: rules.Critical,
	CWE:      []string{"CWE-290"},
	Summary:  "An identity header is set from data the client controls ($http_*, $arg_*, $cookie_*, a map over them).",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresConfig,
	Doc: rules.Doc{
		What: "Finds `proxy_set_header` (and `grpc_set_header`, `uwsgi_param`/`fastcgi_param`/`scgi_param` HTTP_*) for an identity header " +
			"(X-SSL-*, X-Client-*, SSL-Client-*, Remote-User, X-Forwarded-User, ...) whose value comes from the client: `$http_*`, `$arg_*`, `$cookie_*`, " +
			"`$request_uri`, `$host`, `$proxy_add_x_forwarded_for`, `$ssl_server_name` (the SNI the client chose), `$remote_user` without `auth_basic`, " +
			"or a `map`/`set` variable computed from any of them. Only routes that pass requests upstream are considered.",
		Why: "The header tells the app who the client is, and the client writes it. `proxy_set_header X-SSL-Client-DN $http_x_ssl_client_dn` " +
			"is a common leftover from a setup where another proxy in front terminated TLS; once nginx is reachable directly, anyone is anyone.",
		Example: "proxy_set_header X-SSL-Client-Verify $http_x_ssl_client_verify;",
		Fix: "Set the header from TLS state (`$ssl_client_verify`, `$ssl_client_s_dn`, `$ssl_client_escaped_cert`), or blank it (`\"\"`). " +
			"If a trusted proxy in front really supplies it, restrict nginx to that proxy (`allow`/`deny`, a private listen address) and say so in a suppression.",
		References: []string{"https://nginx.org/en/docs/http/ngx_http_core_module.html#variables"},
	},
	Check: checkHeaderFromClient,
}

func checkHeaderFromClient(p *rules.Pass) {
	c := analyse(p)
	if c == nil {
		return
	}
	type finding struct {
		d      *nginx.Directive
		h      string
		vc     valueClass
		routes []*route
	}
	found := map[string]*finding{}
	var order []*finding
	for _, r := range c.routes {
		for h, d := range r.sets {
			if !rules.IsIdentityHeader(h) {
				continue
			}
			w := d.Written().Range().String() + "|" + h
			f := found[w]
			if f == nil {
				vc := c.classify(d.Arg(1), r.block)
				if vc.action != rules.SetClient {
					continue
				}
				f = &finding{d: d, h: h, vc: vc}
				found[w] = f
				order = append(order, f)
			}
			f.routes = append(f.routes, r)
		}
	}
	for _, f := range order {
		first := f.routes[0]
		for _, r := range f.routes {
			if r.ID < first.ID {
				first = r
			}
		}
		through := ""
		if !strings.Contains(f.d.Arg(1), f.vc.clientVar) {
			through = fmt.Sprintf(" (through %s)", strings.Join(variables(f.d.Arg(1)), ", $"))
			through = strings.Replace(through, "(through ", "(through $", 1)
		}
		p.Report(rules.Diagnostic{
			Range:   f.d.Written().Range(),
			Message: fmt.Sprintf("%s is set from client data %s: any client chooses its value", rules.Clip(f.d.Arg(0), 35), rules.Clip(f.vc.clientVar, 30)),
			Detail: fmt.Sprintf("%s is set from client data %s%s%s, so any client chooses its value on %s.",
				f.d.Arg(0), f.vc.clientVar, through, viaNote(f.d), routeList(uniqueBlocks(f.routes))),
			FixTitle: "Set it from TLS state (such as $ssl_client_verify or $ssl_client_s_dn) or blank it with \"\".",
			Key:      rules.RouteHeaderKey(first.ID, f.h),
		})
	}
}
