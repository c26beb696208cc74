package caddy

import (
	"net"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/caddy"
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
			if ca == nil {
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
			st.auth = a
			break
		}
		if tp, tk := get(srv, "trusted_proxies"); tp != nil {
			st.globalTrusted, st.globalTrustedAt = strs(path(tp, "ranges")), t.NodeRange(tk)
		}
		jsonRoutes(t, st, items(path(srv, "routes")), "", nil)
		out = append(out, st)
	}
	return out
}

// jsonRoutes walks a route list: match paths and hosts, headers handlers
// and reverse_proxy handlers, subroutes.
func jsonRoutes(t *caddy.Tree, st *site, routes []*yaml.Node, p string, ops []headerOp) {
	for _, r := range routes {
		rp := p
		for _, m := range items(path(r, "match")) {
			if ps := strs(path(m, "path")); len(ps) > 0 {
				rp = ps[0]
			}
			st.hosts = append(st.hosts, strs(path(m, "host"))...)
		}
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
				jsonRoutes(t, st, items(path(h, "routes")), rp, local)
			case "reverse_proxy":
				px := &proxy{path: rp, reqOps: local, rng: t.NodeRange(handler), head: t.NodeRange(handler)}
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
		}
	}
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
