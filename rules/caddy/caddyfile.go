package caddy

import (
	"strings"

	"github.com/mtlslint/mtlslint/parsers/caddy"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// sitesOf reads the sites of a tree: Caddyfile site blocks, or the servers
// and routes of a JSON configuration.
func sitesOf(t *caddy.Tree) []*site {
	if t.JSON != nil {
		return jsonSites(t)
	}
	var globalTrusted []string
	var globalAt source.Range
	if g := t.Global(); g != nil {
		g.Walk(func(d *caddy.Directive) bool {
			if d.Name == "trusted_proxies" && d.Parent != nil && d.Parent.Name == "servers" {
				globalTrusted, globalAt = trustedRanges(d), d.Range
			}
			return true
		})
	}
	var out []*site
	for _, s := range t.Sites {
		if s.Global {
			continue
		}
		st := &site{head: s.Head, rng: s.Range, globalTrusted: globalTrusted, globalTrustedAt: globalAt}
		hasTLS := len(s.Find("tls")) > 0
		for _, k := range s.Keys {
			a := addressOf(k.Text, hasTLS)
			st.addrs = append(st.addrs, a)
			if a.ep.Host != "*" {
				st.hosts = append(st.hosts, a.ep.Host)
			}
		}
		for _, tl := range s.Find("tls") {
			if ca := tl.First("client_auth"); ca != nil {
				st.auth = readClientAuth(ca)
			}
		}
		collectProxies(st, s.Directives, "", nil, newBuilder(s.Directives), &way{}, false)
		out = append(out, st)
	}
	return out
}

func readClientAuth(ca *caddy.Directive) clientAuth {
	a := clientAuth{present: true, at: ca.Head}
	for _, c := range ca.Children {
		switch c.Name {
		case "mode":
			a.mode, a.modeAt = strings.ToLower(c.Arg(0)), c.Range
		case "trusted_ca_cert_file", "trusted_ca_cert":
			a.cas = append(a.cas, c.Arg(0))
			a.caAt = c.Range
		case "trust_pool":
			// trust_pool file /path/ca.pem (Caddy ≥ 2.8); other pools are
			// CAs too, by reference.
			if len(c.Args) > 1 {
				a.cas = append(a.cas, c.Args[1].Text)
			} else {
				a.cas = append(a.cas, c.Arg(0))
			}
			a.caAt = c.Range
			for _, p := range c.Find("pem_file") {
				a.cas = append(a.cas, p.Arg(0))
			}
		}
	}
	return a
}

func trustedRanges(d *caddy.Directive) []string {
	var out []string
	for _, a := range d.Args {
		if a.Text != "static" {
			out = append(out, a.Text)
		}
	}
	return out
}

// collectProxies finds reverse_proxy handlers in a block, with the path
// they sit behind, the request_header operations that run before them and
// the way a request takes to them (w; nil where it is not followed, as in
// handle_errors). literal: a route block, which keeps the order written.
func collectProxies(st *site, ds []*caddy.Directive, path string, ops []headerOp, b *builder, w *way, literal bool) {
	var mine []headerOp
	for _, d := range ds {
		if d.Name == "request_header" {
			if op, ok := readOp(d); ok {
				mine = append(mine, op)
			}
		}
	}
	ops = append(append([]headerOp(nil), ops...), mine...)
	for _, d := range ds {
		switch d.Name {
		case "reverse_proxy":
			px := readProxy(d, path, ops)
			if w != nil {
				px.way = ptr(b.wayInBlock(*w, ds, d, literal))
			}
			st.proxies = append(st.proxies, px)
		case "handle", "handle_path", "route", "handle_errors":
			p := path
			if a := d.Arg(0); strings.HasPrefix(a, "/") {
				p = a
			}
			var inner *way
			if w != nil && d.Name != "handle_errors" {
				inner = ptr(b.wayInBlock(*w, ds, d, literal))
			}
			collectProxies(st, d.Children, p, ops, b, inner, d.Name == "route")
		}
	}
}

func readProxy(d *caddy.Directive, path string, ops []headerOp) *proxy {
	px := &proxy{path: path, reqOps: ops, rng: d.Range, head: d.Head}
	args := d.ArgTexts()
	if len(args) > 0 && (strings.HasPrefix(args[0], "/") || strings.HasPrefix(args[0], "@") || args[0] == "*") {
		if strings.HasPrefix(args[0], "/") {
			px.path = args[0]
		}
		args = args[1:]
	}
	px.upstreams = append(px.upstreams, args...)
	for _, c := range d.Children {
		switch c.Name {
		case "to":
			px.upstreams = append(px.upstreams, c.ArgTexts()...)
		case "header_up":
			if op, ok := readOp(c); ok {
				px.up = append(px.up, op)
			}
		case "trusted_proxies":
			px.trusted, px.trustedAt = trustedRanges(c), c.Range
		}
	}
	return px
}
