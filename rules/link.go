package rules

import (
	"path"
	"slices"
	"sort"
	"strings"
)

// LinkModel links routes to apps: by address first (an upstream server
// matches an app server's bind: the same UNIX socket, or the same port on a
// host that reaches the bind), by the settings module of the workloads the
// proxy's configuration puts behind an upstream, then by the explicit
// topology in Settings. When an address matches apps in several places,
// the apps nearest to the proxy's file in the directory tree are taken (a
// monorepo whose services all listen on 127.0.0.1:8000).
//
// Only when nothing links at all is a route taken to reach the apps nearest
// to it (How "guess"), and so is a route whose upstream has no address;
// findings that rest on such a link say so. A guess that would have to pick
// among more than maxGuess apps is not made: that is a collection of
// unrelated projects, not one deployment, and the topology must say.
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
	// Apps by the port or socket they listen on, so that matching stays
	// linear in the routes of a large monorepo.
	byPort := map[string][]int{}
	bySocket := map[string][]int{}
	for ai, a := range apps {
		for _, b := range a.Binds {
			if b.Endpoint.Unix != "" {
				k := path.Clean(b.Endpoint.Unix)
				bySocket[k] = appendOnce(bySocket[k], ai)
			} else {
				byPort[b.Endpoint.Port] = appendOnce(byPort[b.Endpoint.Port], ai)
			}
		}
	}
	for ri, r := range routes {
		var matched []int
		for _, srv := range r.Upstream.Servers {
			cands := byPort[srv.Port]
			if srv.Unix != "" {
				cands = bySocket[path.Clean(srv.Unix)]
			}
			for _, ai := range cands {
				if !slices.Contains(matched, ai) && upstreamReaches(oneServer(srv), apps[ai]) {
					matched = append(matched, ai)
				}
			}
		}
		sort.Ints(matched)
		// Many apps on one address at the same distance are unrelated
		// projects that happen to use the same port, not one deployment.
		if near := nearest(r.Range.File, apps, matched); len(near) <= maxGuess {
			for _, ai := range near {
				add(ri, ai, "address")
			}
		}
	}
	// A proxy configuration that names what runs behind an upstream (a
	// Kubernetes Service's pods with their DJANGO_SETTINGS_MODULE) links
	// the route to the app with that settings module.
	for ri, r := range routes {
		for _, w := range r.Upstream.Workloads {
			if w.SettingsModule == "" {
				continue
			}
			for ai, a := range apps {
				if settingsModuleIs(w.SettingsModule, a) {
					add(ri, ai, "workload")
				}
			}
		}
	}
	explicit := s != nil && len(s.Topology) > 0
	if explicit {
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
	// Guesses: every route when nothing linked; otherwise, unless a
	// topology is configured, routes whose upstream has no address (an ALB
	// target group, a service whose endpoints are not in the repository),
	// which cannot be linked by address.
	nothing := len(links) == 0
	linkedRoute := map[*Route]bool{}
	for _, l := range links {
		linkedRoute[l.Route] = true
	}
	all := make([]int, len(apps))
	for i := range apps {
		all[i] = i
	}
	for ri, r := range routes {
		if !(nothing || (!explicit && len(r.Upstream.Servers) == 0 && !linkedRoute[r])) {
			continue
		}
		if near := nearest(r.Range.File, apps, all); len(near) <= maxGuess {
			for _, ai := range near {
				add(ri, ai, "guess")
			}
		}
	}
	return links
}

func appendOnce(xs []int, x int) []int {
	if len(xs) > 0 && xs[len(xs)-1] == x {
		return xs
	}
	return append(xs, x)
}

// oneServer is an upstream with the one server srv.
func oneServer(srv Endpoint) Upstream { return Upstream{Servers: []Endpoint{srv}} }

// maxGuess is the most apps a guessed link may choose among.
const maxGuess = 3

// NearestApps returns the apps that live nearest to file in the directory
// tree (below the deepest directory of file that holds any of them), or
// nil when that means choosing among more than maxGuess: what a file
// without other evidence (a gunicorn configuration without
// DJANGO_SETTINGS_MODULE, a proxy without matching addresses) most
// plausibly belongs to.
func NearestApps(file string, apps []*App) []*App {
	all := make([]int, len(apps))
	for i := range apps {
		all[i] = i
	}
	near := nearest(file, apps, all)
	if len(near) > maxGuess {
		return nil
	}
	out := make([]*App, len(near))
	for i, ai := range near {
		out[i] = apps[ai]
	}
	return out
}

// nearest returns the candidates (indexes into apps) that live nearest to
// file: below the deepest directory of file that holds any of them.
func nearest(file string, apps []*App, candidates []int) []int {
	if len(candidates) <= 1 {
		return candidates
	}
	dir := path.Dir(file)
	for {
		var under []int
		for _, ai := range candidates {
			if dir == "." || strings.HasPrefix(apps[ai].Range.File, dir+"/") {
				under = append(under, ai)
			}
		}
		if len(under) > 0 || dir == "." || dir == "/" {
			return under
		}
		dir = path.Dir(dir)
	}
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

// settingsModuleIs reports whether the app is the settings module a
// process loads. The module is relative to the process's Python path (the
// container's working directory), which may lie below the scanned root.
func settingsModuleIs(module string, a *App) bool {
	module = strings.TrimSpace(module)
	if module == "" {
		return false
	}
	if a.ID == module || strings.HasSuffix(a.ID, "."+module) {
		return true
	}
	file := strings.TrimSuffix(strings.TrimSuffix(a.Range.File, ".py"), "/__init__")
	asPath := strings.ReplaceAll(module, ".", "/")
	return file == asPath || strings.HasSuffix(file, "/"+asPath)
}

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
