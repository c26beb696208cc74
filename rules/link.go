package rules

import (
	"path"
	"strings"
)

// LinkModel links routes to apps: by address first (an upstream server
// matches an app server's bind: the same UNIX socket, or the same port on a
// host that reaches the bind), then by the explicit topology in Settings.
// Only when nothing links at all is every route taken to reach every app
// (How "guess"), and so is a route whose upstream has no address; findings
// that rest on such a link say so.
func LinkModel(routes []*Route, apps []*App, s *Settings) []Link {
	var links []Link
	seen := map[[2]int]bool{}
	add := func(ri, ai int, how string) {
		k := [2]int{ri, ai}
		if seen[k] {
			return
		}
		seen[k] = true
		links = append(links, Link{Route: routes[ri], App: apps[ai], How: how})
	}
	for ri, r := range routes {
		for ai, a := range apps {
			if upstreamReaches(r.Upstream, a) {
				add(ri, ai, "address")
			}
		}
	}
	if s != nil {
		for _, t := range s.Topology {
			for ri, r := range routes {
				if !topologyProxyMatches(t.Proxy, r) {
					continue
				}
				for ai, a := range apps {
					if topologyAppMatches(t.App, a) {
						add(ri, ai, "topology")
					}
				}
			}
		}
	}
	if len(links) == 0 {
		return LinkByGuess(routes, apps, s)
	}
	// A route whose upstream has no address (an ALB target group, a
	// service whose endpoints are not in the repository) cannot be linked
	// by address; unless a topology is configured, it is taken to reach every
	// app, and findings that rest on that say so.
	linkedRoute := map[*Route]bool{}
	for _, l := range links {
		linkedRoute[l.Route] = true
	}
	explicit := s != nil && len(s.Topology) > 0
	for ri, r := range routes {
		if !explicit && len(r.Upstream.Servers) == 0 && !linkedRoute[r] {
			for ai := range apps {
				add(ri, ai, "guess")
			}
		}
	}
	return links
}

// upstreamReaches reports whether one of the upstream's servers is an
// address the app listens on.
func upstreamReaches(u Upstream, a *App) bool {
	for _, srv := range u.Servers {
		for _, b := range a.Binds {
			if endpointReaches(srv, b.Endpoint, a.Names) {
				return true
			}
		}
	}
	return false
}

// endpointReaches reports whether a connection to target arrives at a
// server bound to bind. names are the app's own host names.
func endpointReaches(target, bind Endpoint, names []string) bool {
	if target.Unix != "" || bind.Unix != "" {
		return target.Unix != "" && path.Clean(target.Unix) == path.Clean(bind.Unix)
	}
	if target.Port == "" || target.Port != bind.Port {
		return false
	}
	th := strings.ToLower(strings.Trim(target.Host, "[]"))
	bh := strings.ToLower(strings.Trim(bind.Host, "[]"))
	for _, n := range names {
		if strings.EqualFold(n, th) {
			return true
		}
	}
	switch {
	case th == bh:
		return true
	case bh == "" || bh == "0.0.0.0" || bh == "::" || bh == "*":
		// A wildcard bind accepts connections to any local address; the
		// target is this app if it names a local address or the app.
		return isLocalName(th)
	case isLoopbackName(th) && isLoopbackName(bh):
		return true
	}
	return false
}

func isLoopbackName(h string) bool {
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1"
}

func isLocalName(h string) bool { return isLoopbackName(h) || h == "0.0.0.0" }

func topologyProxyMatches(proxy string, r *Route) bool {
	proxy = strings.TrimPrefix(proxy, "./")
	if proxy == r.Upstream.Name {
		return true
	}
	file := r.Range.File
	return file == proxy || strings.HasPrefix(file, strings.TrimSuffix(proxy, "/")+"/")
}

func topologyAppMatches(app string, a *App) bool {
	app = strings.TrimPrefix(app, "./")
	if app == a.ID {
		return true
	}
	// A settings module named by dotted path matches its file, and a
	// directory matches apps below it.
	asPath := strings.ReplaceAll(app, ".", "/")
	file := a.Range.File
	return strings.TrimSuffix(file, ".py") == asPath || strings.TrimSuffix(file, "/__init__.py") == asPath ||
		strings.HasPrefix(file, strings.TrimSuffix(app, "/")+"/")
}
