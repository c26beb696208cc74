package openapi

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	oas "github.com/mtlslint/mtlslint/parsers/openapi"
	"github.com/mtlslint/mtlslint/rules"
)

// Matching operations to routes. A route says where it accepts requests
// through Route.Hosts (nginx server_name; empty when the proxy family does
// not model host routing, as for HAProxy, whose ACLs are not turned into
// hosts) and Route.Path (an nginx location as written: "/api/", "= /x",
// "~ ^/re", "^~ /p"; empty when not modelled). An operation is matched
// through its server URLs: the URL's host against the route's hosts, the
// URL's base path plus the path template against the route's path. What is
// not modelled matches anything, and the finding says so.

// target is where an operation is served according to one server URL.
type target struct {
	host   string // lower case; "" when the URL names none
	path   string // base path + template
	server string // the server URL as written ("" when the spec has none)
}

func targets(op *oas.Operation) []target {
	if len(op.Servers) == 0 {
		return []target{{path: op.Path}}
	}
	var out []target
	for _, s := range op.Servers {
		t := target{server: s.URL}
		base := s.URL
		if u, err := url.Parse(s.URL); err == nil && (u.Host != "" || u.Scheme != "") {
			t.host = strings.ToLower(u.Hostname())
			base = u.Path
		} else if i := strings.IndexAny(base, "?#"); i >= 0 {
			base = base[:i]
		}
		if base != "" && !strings.HasPrefix(base, "/") {
			base = "/" + base
		}
		t.path = strings.TrimSuffix(base, "/") + op.Path
		out = append(out, t)
	}
	return out
}

// hostKind is how a route's hosts match a target host.
type hostKind int

const (
	hostNone  hostKind = iota
	hostCatch          // the route takes any host (no host modelled, or a catch-all / default server)
	hostNamed          // the route names the host
)

func matchHost(r *rules.Route, host string) (hostKind, string) {
	if len(r.Hosts) == 0 {
		if r.Proxy == "haproxy" {
			return hostCatch, "the route names no host (HAProxy host ACLs are not modelled)"
		}
		return hostCatch, "the route names no host"
	}
	catchAll := false
	for _, h := range r.Hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case h == "" || h == "_" || h == "*":
			catchAll = true
		case host == "":
		case h == host:
			return hostNamed, "server_name " + h
		case strings.HasPrefix(h, "~"):
			if re, err := regexp.Compile("(?i)" + strings.TrimPrefix(h, "~")); err == nil && re.MatchString(host) {
				return hostNamed, "server_name " + h
			}
		case strings.HasPrefix(h, "*.") && strings.HasSuffix(host, h[1:]):
			return hostNamed, "server_name " + h
		case strings.HasPrefix(h, ".") && (host == h[1:] || strings.HasSuffix(host, h)):
			return hostNamed, "server_name " + h
		case strings.HasSuffix(h, ".*") && strings.HasPrefix(host, h[:len(h)-1]):
			return hostNamed, "server_name " + h
		}
	}
	if host == "" {
		return hostCatch, "the spec's server URL names no host"
	}
	if catchAll || r.Listener.Default {
		return hostCatch, "the route is a catch-all for hosts no other server names"
	}
	return hostNone, ""
}

// pathKind is how a route's path matches a target path.
type pathKind int

const (
	pathNone     pathKind = iota
	pathPossible          // the route serves some instances of the template (a regex, a longer prefix)
	pathDefinite          // every request for the operation starts with the route's prefix
)

// exactSpecificity ranks an exact location above any prefix.
const exactSpecificity = 1 << 20

func matchPath(r *rules.Route, full string) (pathKind, int, string) {
	p := strings.TrimSpace(r.Path)
	if p == "" {
		if r.Proxy == "haproxy" {
			return pathDefinite, 0, "the route names no path (HAProxy path ACLs are not modelled)"
		}
		return pathDefinite, 0, "the route names no path"
	}
	mod, loc := "", p
	if f := strings.Fields(p); len(f) >= 2 {
		mod, loc = f[0], strings.Join(f[1:], " ")
	}
	lit := full
	if i := strings.IndexByte(full, '{'); i >= 0 {
		lit = full[:i]
	}
	switch mod {
	case "=":
		if templateMatches(full, loc) {
			if strings.Contains(full, "{") {
				// Only one instance of the template is that exact URI.
				return pathPossible, 0, "location = " + loc
			}
			return pathDefinite, exactSpecificity, "location = " + loc
		}
	case "~", "~*":
		expr := loc
		if mod == "~*" {
			expr = "(?i)" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return pathPossible, 0, "location " + p + " (a regex mtlslint cannot evaluate)"
		}
		if re.MatchString(sample(full)) {
			return pathPossible, 0, "location " + p
		}
	case "", "^~":
		if strings.HasPrefix(loc, "@") {
			return pathNone, 0, ""
		}
		if strings.HasPrefix(lit, loc) {
			return pathDefinite, len(loc), "location " + p
		}
		if prefixCompatible(loc, full) {
			return pathPossible, 0, "location " + p
		}
	}
	return pathNone, 0, ""
}

// sample instantiates a path template with "1" for every parameter.
func sample(tmpl string) string {
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] == '{' {
			if j := strings.IndexByte(tmpl[i:], '}'); j > 0 {
				b.WriteByte('1')
				i += j
				continue
			}
		}
		b.WriteByte(tmpl[i])
	}
	return b.String()
}

// prefixCompatible reports whether some instance of the template tmpl
// starts with prefix (a parameter stands for one or more characters other
// than "/").
func prefixCompatible(prefix, tmpl string) bool {
	return compat(prefix, tmpl, 0)
}

func compat(p, t string, depth int) bool {
	if depth > 64 {
		return false
	}
	for {
		if p == "" {
			return true
		}
		if t == "" {
			return false
		}
		if t[0] == '{' {
			j := strings.IndexByte(t, '}')
			if j < 0 {
				return p[0] == t[0] && compat(p[1:], t[1:], depth+1)
			}
			rest := t[j+1:]
			for k := 1; k <= len(p); k++ {
				if p[k-1] == '/' {
					break
				}
				if k == len(p) || compat(p[k:], rest, depth+1) {
					return true
				}
			}
			return false
		}
		if p[0] != t[0] {
			return false
		}
		p, t = p[1:], t[1:]
	}
}

// templateMatches reports whether the concrete path s is an instance of
// the template tmpl.
func templateMatches(tmpl, s string) bool {
	var b strings.Builder
	b.WriteByte('^')
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] == '{' {
			if j := strings.IndexByte(tmpl[i:], '}'); j > 0 {
				b.WriteString("[^/]+")
				i += j
				continue
			}
		}
		b.WriteString(regexp.QuoteMeta(tmpl[i : i+1]))
	}
	b.WriteByte('$')
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(s)
}

// serving is one route that serves an operation, and how that was
// established.
type serving struct {
	route *rules.Route
	how   string
}

// routeIndex is what matching needs of a workspace's routes, computed once
// for all its operations: a target host is compared only with the routes
// that name it exactly and with those that may take any host, instead of
// with every route.
type routeIndex struct {
	routes []indexedRoute
	byHost map[string][]int // lower-case exact server name → positions in routes, ascending
	// anyHost are the positions of routes a host can reach without being
	// named exactly: no hosts, a catch-all name, a default listener, or a
	// name pattern (regex, wildcard).
	anyHost []int
}

type indexedRoute struct {
	route    *rules.Route
	group    string // the server block: proxy, listener, endpoint and names
	listener string // listenerKey
	bare     bool   // the route names no host and no path
}

func indexRoutes(routes []*rules.Route) *routeIndex {
	ix := &routeIndex{routes: make([]indexedRoute, len(routes)), byHost: map[string][]int{}}
	for i, r := range routes {
		ix.routes[i] = indexedRoute{
			route:    r,
			group:    r.Proxy + "|" + r.Listener.Range.String() + "|" + r.Listener.Endpoint.String() + "|" + strings.Join(r.Hosts, " "),
			listener: listenerKey(r),
			bare:     len(r.Hosts) == 0 && strings.TrimSpace(r.Path) == "",
		}
		if len(r.Hosts) == 0 || r.Listener.Default {
			ix.anyHost = append(ix.anyHost, i)
			continue
		}
		var names []string
		for _, h := range r.Hosts {
			h = strings.ToLower(strings.TrimSpace(h))
			if h == "" || h == "_" || h == "*" || strings.HasPrefix(h, "~") || strings.HasPrefix(h, "*.") || strings.HasPrefix(h, ".") || strings.HasSuffix(h, ".*") {
				names = nil
				ix.anyHost = append(ix.anyHost, i)
				break
			}
			names = append(names, h)
		}
		for j, h := range names {
			if !slices.Contains(names[:j], h) {
				ix.byHost[h] = append(ix.byHost[h], i)
			}
		}
	}
	return ix
}

// candidates returns, in ascending order, the positions of the routes
// whose hosts may match host: every route when the target names no host.
func (ix *routeIndex) candidates(host string) []int {
	if host == "" {
		all := make([]int, len(ix.routes))
		for i := range all {
			all[i] = i
		}
		return all
	}
	named := ix.byHost[host]
	if len(named) == 0 {
		return ix.anyHost
	}
	// Merge two ascending lists; a route is in only one of them.
	out := make([]int, 0, len(named)+len(ix.anyHost))
	a, b := named, ix.anyHost
	for len(a) > 0 && len(b) > 0 {
		if a[0] < b[0] {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// routesServing returns the routes that serve an operation: for every
// listener, the routes whose host matches (a route naming the host wins
// over catch-alls of the same listener) and, among those of one server
// block, the most specific definite path match and every possible one.
func routesServing(ix *routeIndex, op *oas.Operation) []serving {
	type cand struct {
		ir         *indexedRoute
		host       hostKind
		path       pathKind
		spec       int
		hhow, phow string
	}
	found := map[*rules.Route]string{}
	namesHost := map[*rules.Route]bool{} // the route's server names the host
	for _, t := range targets(op) {
		var cands []cand
		for _, i := range ix.candidates(t.host) {
			ir := &ix.routes[i]
			hk, hhow := matchHost(ir.route, t.host)
			if hk == hostNone {
				continue
			}
			pk, spec, phow := matchPath(ir.route, t.path)
			if pk == pathNone {
				continue
			}
			cands = append(cands, cand{ir, hk, pk, spec, hhow, phow})
		}
		// A listener whose servers name the host: its catch-alls do not
		// receive requests for it.
		named := map[string]bool{}
		for _, c := range cands {
			if c.host == hostNamed {
				named[c.ir.listener] = true
			}
		}
		best := map[string]int{}
		for _, c := range cands {
			if c.path == pathDefinite && c.spec > best[c.ir.group] {
				best[c.ir.group] = c.spec
			}
		}
		for _, c := range cands {
			r := c.ir.route
			if c.host == hostCatch && named[c.ir.listener] && len(r.Hosts) > 0 {
				continue
			}
			if c.path == pathDefinite && c.spec < best[c.ir.group] {
				continue
			}
			if _, ok := found[r]; !ok {
				found[r] = matchHow(op, t, c.ir, c.host, c.hhow, c.phow)
			}
			if c.host == hostNamed {
				namesHost[r] = true
			}
		}
	}
	// A route that matched without naming the host (a catch-all server, a
	// HAProxy frontend) serves the operation only if it is among the proxy
	// configurations nearest to the spec in the directory tree, and those
	// are few: a directory of many unrelated proxy configurations does not
	// serve every spec next to it.
	specFile := op.Range.File
	depth := map[string]int{} // proxy file → directories shared with the spec
	best := -1
	for c := range found {
		if _, ok := depth[c.Range.File]; ok {
			continue
		}
		d := sharedDepth(c.Range.File, specFile)
		depth[c.Range.File] = d
		best = max(best, d)
	}
	nearFiles := 0
	for _, d := range depth {
		if d == best {
			nearFiles++
		}
	}
	out := make([]serving, 0, len(found))
	for r, how := range found {
		if !namesHost[r] && (depth[r.Range.File] != best || nearFiles > maxUnnamed) {
			continue
		}
		out = append(out, serving{r, how})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].route.ID < out[j].route.ID })
	return out
}

// matchHow says how a route was found to serve an operation through one
// of its targets.
func matchHow(op *oas.Operation, t target, ir *indexedRoute, hk hostKind, hhow, phow string) string {
	how := fmt.Sprintf("%s %s: %s; %s", op.Method, t.path, hhow, phow)
	if ir.bare {
		how = "the route names no host or path"
		if ir.route.Proxy == "haproxy" {
			how += " (HAProxy host and path ACLs are not modelled)"
		}
		how += ", so it is taken to serve every operation"
	}
	if t.server != "" || hk == hostNamed {
		server := "no server URL"
		if t.server != "" {
			server = "server " + t.server
		}
		how += " (" + server + ")"
	}
	return how
}

// maxUnnamed is the most proxy files whose catch-all routes may be taken to
// serve an operation when none of them names its host.
const maxUnnamed = 3

// sharedDepth is the number of leading directories two paths share.
func sharedDepth(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	n := 0
	for n < len(as)-1 && n < len(bs)-1 && as[n] == bs[n] {
		n++
	}
	return n
}

func listenerKey(r *rules.Route) string {
	return r.Proxy + "|" + r.Listener.Endpoint.String()
}

// strict reports whether a route admits only requests with a verified
// client certificate.
func strict(r *rules.Route) bool {
	switch r.Listener.Verify {
	case rules.VerifyRequired:
		return true
	case rules.VerifyOptional:
		return r.Gated
	}
	return false
}

// weakness says why a route is not strict.
func weakness(r *rules.Route) string {
	if !r.Listener.TLS {
		return "a plain-HTTP listener: no client certificate can be presented"
	}
	switch r.Listener.Verify {
	case rules.VerifyOff:
		return "client certificates are not requested (verify off)"
	case rules.VerifyOptional:
		return "client certificates are optional and nothing refuses a request without a verified one"
	case rules.VerifyOptionalNoCA:
		return "client certificates are accepted without verification against a CA"
	}
	return "client-certificate verification could not be determined"
}
