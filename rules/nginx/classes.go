package nginx

import (
	"strings"

	"github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/rules"
)

// Request classes of an nginx route: which of the requests its listener
// admits nginx's own phases let reach the pass directive. The server-level
// rewrite directives run first (a bare return or redirect there answers
// every request; an if on $scheme with a return answers one transport),
// then location matching (a regex location whose matches all start with a
// ^~ prefix location of its level is never chosen; a named location is
// entered only by an internal redirect), then the location's own rewrite
// directives and its access rules (allow/deny). Before all of them, the
// server selection: a request may reach the server through another
// server's TLS handshake (sni.go).
//
// A route whose classes equal the listener's keeps Classes nil; an empty,
// non-nil list says no request takes the route.
func (c *config) requestClasses(r *route, referenced map[string]bool) {
	base := rules.ListenerClasses(r.Route)
	for i := range base {
		// The listen line differs between a server's IPv4 and IPv6
		// sockets; the block decides the class here.
		base[i].Range = r.block.Head()
	}
	loc := r.block
	for loc != nil && loc.Name == "if" {
		loc = loc.Parent
	}
	if answersAll(r.server.d) || loc != nil && loc.Name == "location" && (answersAll(loc) || shadowedRegex(loc)) {
		r.Classes = []rules.RequestClass{}
		return
	}
	cross := c.crossServerClasses(r, handshakeStates(r.Listener.Verify))
	base = append(base, cross...)
	out, changed := base, len(cross) > 0
	// The rewrite phase's if blocks: on the scheme (if ($scheme = http)
	// { return 301 ...; }), the certificate state, the method.
	if filtered, ch := c.filterByConditions(r, out); ch {
		out, changed = filtered, true
	}
	if loc != nil && loc.Name == "location" {
		if allow, denyAll := accessRules(loc); denyAll {
			if len(allow) == 0 {
				r.Classes = []rules.RequestClass{}
				return
			}
			for i := range out {
				out[i].Source = strings.Join(allow, " or ")
			}
			changed = true
		}
		if name := loc.Arg(0); strings.HasPrefix(name, "@") && len(loc.Args) == 1 && !referenced[name] {
			// An upstream's X-Accel-Redirect may still name it.
			for i := range out {
				out[i].Undecided = append(out[i].Undecided, "an internal redirect (an upstream's X-Accel-Redirect) enters the named location "+name+", which no error_page or try_files names")
			}
			changed = true
		}
	}
	if changed {
		r.Classes = out
	}
}

// namedTargets lists the named locations error_page and try_files send
// requests to.
func namedTargets(s *server) map[string]bool {
	out := map[string]bool{}
	s.d.Walk(func(d *nginx.Directive) bool {
		switch d.Name {
		case "error_page", "try_files":
			if n := len(d.Args); n > 1 && strings.HasPrefix(d.Args[n-1].Value, "@") {
				out[d.Args[n-1].Value] = true
			}
		}
		return true
	})
	return out
}

// answersAll reports whether block b's rewrite directives answer every
// request before a location (or the content phase) is reached: a return,
// or a rewrite of every URI that redirects, not preceded by a break or a
// rewrite that stops the block's rewrite directives.
func answersAll(b *nginx.Directive) bool {
	for _, d := range b.Children {
		switch d.Name {
		case "return":
			return true
		case "break":
			return false
		case "rewrite":
			if len(d.Args) < 2 {
				return false
			}
			if redirects(d) && rules.MatchesEveryPath(d.Arg(0)) {
				return true
			}
			if f := d.Arg(2); f == "last" || f == "break" {
				return false
			}
		}
	}
	return false
}

// redirects reports whether a rewrite answers with a redirect: its flag
// says so, or the replacement is an absolute URL.
func redirects(d *nginx.Directive) bool {
	switch d.Arg(2) {
	case "redirect", "permanent":
		return true
	}
	to := d.Arg(1)
	return strings.HasPrefix(to, "http://") || strings.HasPrefix(to, "https://") || strings.HasPrefix(to, "$scheme://")
}

// accessRules reads the allow/deny rules in effect at location loc (nginx
// inherits the whole list from the nearest level that has one): the
// addresses allowed before a final "deny all", and whether the list ends
// so. Other lists (a deny of some addresses, satisfy any) say nothing here.
func accessRules(loc *nginx.Directive) (allow []string, denyAll bool) {
	if d := effective(loc, "satisfy"); d != nil && strings.EqualFold(d.Arg(0), "any") {
		return nil, false
	}
	for b := loc; b != nil; b = b.Parent {
		var list []*nginx.Directive
		// Last answers from the block's index of names: an http block of
		// thousands of servers is scanned only when it has an access list.
		if b.Last("allow") != nil || b.Last("deny") != nil {
			for _, d := range b.Children {
				if d.Name == "allow" || d.Name == "deny" {
					list = append(list, d)
				}
			}
		}
		if len(list) > 0 {
			for _, d := range list {
				switch {
				case d.Name == "allow" && d.Arg(0) == "all":
					return nil, false
				case d.Name == "allow":
					allow = append(allow, d.Arg(0))
				case d.Arg(0) == "all":
					return allow, true
				default:
					return nil, false
				}
			}
			return nil, false
		}
		if b.Name == "http" || b.Synthetic && b.Name == "" {
			break
		}
	}
	return nil, false
}

// shadowedRegex reports whether regex location loc is never chosen: its
// expression is anchored at "^" and starts with a literal that a ^~ prefix
// location of the same level covers, with no longer prefix location there
// (which would let the regex search go on). nginx then stops the regex
// search at the ^~ location for every URI the expression can match.
func shadowedRegex(loc *nginx.Directive) bool {
	if len(loc.Args) != 2 || loc.Arg(0) != "~" || loc.Parent == nil {
		return false
	}
	re := loc.Arg(1)
	if !strings.HasPrefix(re, "^/") {
		return false
	}
	lit := rules.RegexLiteralPrefix(re)
	shadow := ""
	var prefixes []string
	for _, l := range loc.Parent.Find("location") {
		switch {
		case len(l.Args) == 2 && l.Arg(0) == "^~":
			if strings.HasPrefix(lit, l.Arg(1)) && len(l.Arg(1)) > len(shadow) {
				shadow = l.Arg(1)
			}
		case len(l.Args) == 1 && !strings.HasPrefix(l.Arg(0), "@"):
			prefixes = append(prefixes, l.Arg(0))
		}
	}
	if shadow == "" {
		return false
	}
	for _, p := range prefixes {
		// A longer plain prefix that some of the regex's URIs match.
		if len(p) > len(shadow) && strings.HasPrefix(p, shadow) && (strings.HasPrefix(p, lit) || strings.HasPrefix(lit, p)) {
			return false
		}
	}
	return true
}
