package apache

import (
	"strings"

	"github.com/mtlslint/mtlslint/parsers/apache"
	"github.com/mtlslint/mtlslint/rules"
)

// requestClasses empties the classes of a plain-HTTP route whose server
// answers every plain request with a mod_rewrite redirect before ProxyPass
// sees it. mod_proxy translates names after mod_rewrite, so a server-level
// `RewriteRule ^ https://... [R=301,L]` wins over `ProxyPass /`; mod_alias
// comes after mod_proxy, so `Redirect permanent / https://...` does not
// (both measured with httpd 2.4 on Debian 12: 301, and the request proxied).
func (r *route) requestClasses() {
	if !r.Listener.TLS && redirectsPlain(r.srv.d) {
		r.Classes = []rules.RequestClass{}
	}
}

// redirectsPlain reports whether the server's own rewrite rules redirect
// every plain-HTTP request: with the rewrite engine on, a rule for every
// path that redirects comes before any other rule, and its conditions (if
// any) all hold on plain HTTP.
func redirectsPlain(srv *apache.Directive) bool {
	ds := directivesOf(srv, "")
	engine := false
	for _, d := range ds {
		if d.Is("RewriteEngine") {
			engine = strings.EqualFold(d.Arg(0), "on")
		}
	}
	if !engine {
		return false
	}
	condsHold := true
	for _, d := range ds {
		switch {
		case d.Is("RewriteCond"):
			condsHold = condsHold && plainCondition(d)
		case d.Is("RewriteRule"):
			if len(d.Args) < 2 {
				return false
			}
			if condsHold && rules.MatchesEveryPath(d.Arg(0)) && rewriteRedirects(d) {
				return true
			}
			// Another rule first: what it does to the request is not
			// followed here.
			return false
		}
	}
	return false
}

// plainCondition reports whether a RewriteCond holds on every plain-HTTP
// request: %{HTTPS} off or !=on, %{REQUEST_SCHEME} http, %{SERVER_PORT} 80.
func plainCondition(d *apache.Directive) bool {
	if len(d.Args) < 2 || len(d.Args) > 2 && strings.Contains(strings.ToUpper(d.Arg(2)), "OR") {
		return false
	}
	pattern := strings.Trim(d.Arg(1), `"'`)
	switch strings.ToUpper(d.Arg(0)) {
	case "%{HTTPS}":
		switch strings.ToLower(pattern) {
		case "off", "=off", "!on", "!=on", "^off$", "!^on$":
			return true
		}
	case "%{REQUEST_SCHEME}":
		switch strings.ToLower(pattern) {
		case "http", "=http", "^http$", "!https", "!=https", "!^https$":
			return true
		}
	case "%{SERVER_PORT}":
		switch pattern {
		case "80", "=80", "^80$":
			return true
		}
	}
	return false
}

// rewriteRedirects reports whether a RewriteRule answers with a redirect:
// an R flag, or a substitution that is an absolute URL.
func rewriteRedirects(d *apache.Directive) bool {
	if len(d.Args) > 2 {
		for _, f := range strings.Split(strings.Trim(d.Arg(2), "[]"), ",") {
			f = strings.ToUpper(strings.TrimSpace(f))
			if f == "R" || strings.HasPrefix(f, "R=3") || f == "REDIRECT" || strings.HasPrefix(f, "REDIRECT=3") {
				return true
			}
		}
	}
	to := strings.ToLower(d.Arg(1))
	return strings.HasPrefix(to, "http://") || strings.HasPrefix(to, "https://")
}
