package caddy

import (
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/caddy"
	"github.com/mtlslint/mtlslint/rules"
	"gopkg.in/yaml.v3"
)

// get returns the value of key in a mapping node, and its key node.
func get(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) { return caddy.Field(m, key) }

// path follows keys through mappings.
func path(m *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		m, _ = get(m, k)
	}
	return m
}

func items(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

func strs(n *yaml.Node) []string {
	var out []string
	for _, c := range items(n) {
		if c.Kind == yaml.ScalarNode {
			out = append(out, c.Value)
		}
	}
	return out
}

// jsonSites reads apps.http.servers of a JSON configuration: one site per
// server, with the reverse_proxy handlers of its routes.
func jsonSites(t *caddy.Tree) []*site {
	servers := path(t.JSON, "apps", "http", "servers")
	if servers == nil || servers.Kind != yaml.MappingNode {
		return nil
	}
	var names []string
	byName := map[string]*yaml.Node{}
	keyOf := map[string]*yaml.Node{}
	for i := 0; i+1 < len(servers.Content); i += 2 {
		n := servers.Content[i].Value
		names = append(names, n)
		byName[n], keyOf[n] = servers.Content[i+1], servers.Content[i]
	}
	sort.Strings(names)
	var out []*site
	for _, name := range names {
		srv := byName[name]
		st := &site{head: t.NodeRange(keyOf[name]), rng: t.NodeRange(keyOf[name])}
		policies := items(path(srv, "tls_connection_policies"))
		hasTLS := len(policies) > 0
		for _, l := range strs(path(srv, "listen")) {
			a := addressOf(l, hasTLS)
			if _, p, err := net.SplitHostPort(strings.TrimPrefix(l, "tcp/")); err == nil && p == "443" {
				a.tls = true
			}
			st.addrs = append(st.addrs, a)
		}
		for _, pol := range policies {
			ca, caKey := get(pol, "client_authentication")
			sp := sniPolicy{sni: strs(path(pol, "match", "sni")), at: t.NodeRange(pol)}
			if ca == nil {
				st.policies = append(st.policies, sp)
				continue
			}
			a := clientAuth{present: true, at: t.NodeRange(caKey)}
			if m, mk := get(ca, "mode"); m != nil {
				a.mode, a.modeAt = strings.ToLower(m.Value), t.NodeRange(mk)
			}
			for _, k := range []string{"trusted_ca_certs_pem_files", "trusted_ca_certs"} {
				if v, vk := get(ca, k); v != nil {
					a.cas = append(a.cas, strs(v)...)
					a.caAt = t.NodeRange(vk)
				}
			}
			if v, vk := get(ca, "ca"); v != nil {
				a.cas = append(a.cas, strs(path(v, "pem_files"))...)
				a.caAt = t.NodeRange(vk)
			}
			sp.auth = a
			st.policies = append(st.policies, sp)
			// The weakest policy stands for the server in the rules that
			// read one client authentication.
			if !st.auth.present || weaker(a, st.auth) {
				st.auth = a
			}
		}
		if tp, tk := get(srv, "trusted_proxies"); tp != nil {
			st.globalTrusted, st.globalTrustedAt = strs(path(tp, "ranges")), t.NodeRange(tk)
		}
		jb := &jsonBuilder{t: t, sets: map[*yaml.Node]matchers{}}
		jb.routes(st, items(path(srv, "routes")), "", nil, &way{})
		out = append(out, st)
	}
	return out
}

// jsonBuilder reads the routes of one JSON server; it reads each match
// once, so that a matcher shared by the steps of several handlers is one
// test.
type jsonBuilder struct {
	t    *caddy.Tree
	sets map[*yaml.Node]matchers
}

// answering are the JSON handlers that write a response and end the
// request.
var answering = map[string]bool{"static_response": true, "reverse_proxy": true, "file_server": true, "error": true, "acme_server": true, "copy_response": true}

// routes walks a route list: match paths and hosts, headers handlers and
// reverse_proxy handlers, subroutes, with the way a request takes to each
// (Caddy tries the routes in order; a matching route's handlers run in
// order, and one that answers ends the request, as does a matching route
// marked terminal).
func (jb *jsonBuilder) routes(st *site, routes []*yaml.Node, p string, ops []headerOp, w *way) {
	t := jb.t
	for i, r := range routes {
		rp := p
		for _, m := range items(path(r, "match")) {
			if ps := strs(path(m, "path")); len(ps) > 0 {
				rp = ps[0]
			}
			st.hosts = append(st.hosts, strs(path(m, "host"))...)
		}
		// The earlier routes of the list that may end the request.
		rw := *w
		for _, e := range routes[:i] {
			if term := path(e, "terminal"); term != nil && term.Value == "true" || jb.answers(e) {
				rw = rw.with(true, fmt.Sprintf("the route at line %d", e.Line), orAll(jb.match(e)))
			}
		}
		rw = rw.with(false, fmt.Sprintf("the route at line %d", r.Line), jb.match(r))
		local := append([]headerOp(nil), ops...)
		for _, h := range items(path(r, "handle")) {
			handler, _ := get(h, "handler")
			if handler == nil {
				continue
			}
			switch handler.Value {
			case "headers":
				local = append(local, jsonOps(t, path(h, "request"))...)
			case "subroute":
				jb.routes(st, items(path(h, "routes")), rp, local, ptr(rw))
			case "reverse_proxy":
				px := &proxy{path: rp, reqOps: local, rng: t.NodeRange(handler), head: t.NodeRange(handler), way: ptr(rw)}
				for _, u := range items(path(h, "upstreams")) {
					if d, _ := get(u, "dial"); d != nil {
						px.upstreams = append(px.upstreams, d.Value)
					}
				}
				px.up = jsonOps(t, path(h, "headers", "request"))
				if tp, tk := get(h, "trusted_proxies"); tp != nil {
					px.trusted, px.trustedAt = strs(tp), t.NodeRange(tk)
				}
				st.proxies = append(st.proxies, px)
			}
			if answering[handler.Value] {
				// Nothing after an answering handler runs.
				rw = rw.with(true, fmt.Sprintf("the %s handler at line %d", handler.Value, handler.Line), matchers{{text: "every request"}})
			}
		}
	}
}

// answers reports whether a route answers every request it matches: one
// of its handlers answers.
func (jb *jsonBuilder) answers(r *yaml.Node) bool {
	for _, h := range items(path(r, "handle")) {
		if handler, _ := get(h, "handler"); handler != nil && answering[handler.Value] {
			return true
		}
	}
	return false
}

// match reads a route's match: any of its matcher sets; nil when it has
// none (every request).
func (jb *jsonBuilder) match(r *yaml.Node) matchers {
	n := path(r, "match")
	if n == nil {
		return nil
	}
	if m, ok := jb.sets[n]; ok {
		return m
	}
	var m matchers
	for _, set := range items(n) {
		m = append(m, &matcherSet{text: fmt.Sprintf("the match at line %d", set.Line), tests: jsonTests(set)})
	}
	if m == nil {
		m = matchers{}
	}
	jb.sets[n] = m
	return m
}

// jsonTests reads one JSON matcher set into the tests a Caddyfile matcher
// makes.
func jsonTests(set *yaml.Node) []test {
	if set == nil || set.Kind != yaml.MappingNode {
		return []test{{undecided: "a matcher set that is not an object holds"}}
	}
	var lines []*caddy.Directive
	var out []test
	for i := 0; i+1 < len(set.Content); i += 2 {
		k, v := set.Content[i].Value, set.Content[i+1]
		line := func(args ...string) *caddy.Directive {
			d := &caddy.Directive{Name: k}
			for _, a := range args {
				d.Args = append(d.Args, caddy.Token{Text: a})
			}
			d.Head.Start.Line = set.Content[i].Line
			return d
		}
		switch k {
		case "path", "host", "method":
			lines = append(lines, line(strs(v)...))
		case "remote_ip", "client_ip":
			lines = append(lines, line(strs(path(v, "ranges"))...))
		case "protocol":
			lines = append(lines, line(v.Value))
		case "path_regexp":
			lines = append(lines, line(path(v, "pattern").Value))
		case "header", "query", "header_regexp":
			lines = append(lines, line(k))
		case "not":
			for _, inner := range items(v) {
				out = append(out, test{not: &matcherSet{text: "not", tests: jsonTests(inner)}})
			}
		default:
			lines = append(lines, line())
		}
	}
	return append(out, matcherTests(lines)...)
}

// jsonOps reads a header operations object: set, add, delete, replace.
func jsonOps(t *caddy.Tree, n *yaml.Node) []headerOp {
	var out []headerOp
	if n == nil {
		return nil
	}
	for _, kind := range []struct {
		key string
		k   byte
	}{{"add", 'a'}, {"set", 's'}} {
		m, _ := get(n, kind.key)
		if m == nil || m.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			out = append(out, headerOp{kind: kind.k, name: m.Content[i].Value, value: strings.Join(strs(m.Content[i+1]), ","), rng: t.NodeRange(m.Content[i])})
		}
	}
	for _, d := range items(path(n, "delete")) {
		out = append(out, headerOp{kind: 'd', name: d.Value, rng: t.NodeRange(d)})
	}
	if m, _ := get(n, "replace"); m != nil && m.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(m.Content); i += 2 {
			out = append(out, headerOp{kind: 'r', name: m.Content[i].Value, rng: t.NodeRange(m.Content[i])})
		}
	}
	return out
}

// weaker reports whether client authentication a admits more than b:
// unverified certificates, then none, then an undecided mode.
func weaker(a, b clientAuth) bool {
	rank := map[rules.VerifyMode]int{rules.VerifyOptionalNoCA: 0, rules.VerifyOptional: 1, rules.VerifyUnknown: 2, rules.VerifyRequired: 3}
	return rank[a.verify()] < rank[b.verify()]
}
