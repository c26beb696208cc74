package caddy

import (
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/caddy"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// route is a rules.Route with the Caddy facts the rules need.
type route struct {
	*rules.Route
	site *site
	px   *proxy
	// ops maps a lower-case header to the operation that decides it.
	ops map[string]headerOp
	// deletedAfterSet maps a header that header_up sets to the header_up
	// delete that removes it again: Caddy applies a handler's deletes
	// after its sets.
	deletedAfterSet map[string]headerOp
}

// RouteBuilder turns Caddy trees into routes of the deployment model.
type RouteBuilder struct{}

// Routes is the Caddy route builder the driver registers.
var Routes rules.RouteBuilder = RouteBuilder{}

// BuildRoutes implements rules.RouteBuilder: one route per site address and
// reverse_proxy handler.
func (RouteBuilder) BuildRoutes(t parsers.Tree, _ *rules.Settings) []*rules.Route {
	ct, ok := t.(*caddy.Tree)
	if !ok {
		return nil
	}
	var out []*rules.Route
	for _, r := range routesOf(ct) {
		out = append(out, r.Route)
	}
	return out
}

func routesOf(t *caddy.Tree) []*route {
	var out []*route
	ids := map[string]int{}
	for _, st := range sitesOf(t) {
		for _, px := range st.proxies {
			addrs := st.addrs
			if len(addrs) == 0 {
				addrs = []address{{ep: rules.Endpoint{Host: "*", Port: "443"}, tls: true}}
			}
			for _, a := range addrs {
				r := newRoute(t, st, px, a)
				if n := ids[r.ID]; n > 0 {
					r.ID = fmt.Sprintf("%s~%d", r.ID, n+1)
				}
				ids[r.ID]++
				out = append(out, r)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func newRoute(t *caddy.Tree, st *site, px *proxy, a address) *route {
	desc := "site " + st.head.String()
	if len(st.hosts) > 0 {
		desc = "site " + strings.Join(uniq(st.hosts), ", ")
	}
	desc += " on " + a.ep.String()
	if px.path != "" {
		desc += ", " + px.path
	}
	r := &route{
		Route: &rules.Route{
			ID:       fmt.Sprintf("caddy:%s@%s/%s#%s", t.Root().Path, st.head.String(), a.ep.String(), px.head.String()),
			Proxy:    "caddy",
			Desc:     desc + " (reverse_proxy)",
			Hosts:    uniq(st.hosts),
			Path:     px.path,
			Listener: rules.Listener{Endpoint: a.ep, TLS: a.tls, Range: st.head},
			Headers:  map[string]rules.HeaderTreatment{},
			Default:  rules.Passthrough,
			Range:    px.head,
			Block:    st.head,
			// Without a client certificate Caddy leaves a
			// {tls_client_*} placeholder unreplaced: the header carries
			// the placeholder's own text (measured with 2.6.2).
			OmitsEmpty: false,
			// Go's HTTP server and reverse_proxy pass header names with
			// "_" through as they came (measured with 2.6.2).
			AdmitsUnderscore: true,
		},
		site: st, px: px, ops: map[string]headerOp{}, deletedAfterSet: map[string]headerOp{},
	}
	if a.tls {
		r.Listener.Verify = st.auth.verify()
		if st.auth.present {
			r.Listener.VerifyRange = st.auth.anchor()
		}
		if len(st.auth.cas) > 0 {
			r.Listener.CA = st.auth.cas[0]
		}
	} else {
		r.Listener.Verify = rules.VerifyOff
	}
	r.Gated = r.Listener.Verify == rules.VerifyRequired
	r.Upstream = upstreamOf(px)
	// request_header handlers run before reverse_proxy, one at a time.
	for _, op := range px.reqOps {
		r.apply(op)
	}
	// reverse_proxy then sets X-Forwarded-For, -Proto and -Host, keeping
	// the client's values only from trusted_proxies (2.5 and later).
	trusted := len(px.trusted) > 0 || len(st.globalTrusted) > 0
	for _, h := range []string{"X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-For"} {
		t := rules.HeaderTreatment{Name: h, Action: rules.SetOther, Note: "set by reverse_proxy"}
		if trusted {
			t = rules.HeaderTreatment{Name: h, Action: rules.Conditional, When: "unless the client's address is in trusted_proxies (then the client's value is kept)", Range: r.trustedAt()}
			if h == "X-Forwarded-For" {
				t.Action = rules.Appended
			}
		}
		r.Headers[strings.ToLower(h)] = t
	}
	// header_up is one set of operations: adds, then sets, then deletes,
	// then replacements (caddyhttp/headers, HeaderOps.ApplyTo).
	set := map[string]headerOp{}
	for _, kind := range []byte{'a', 's', 'd', 'r'} {
		for _, op := range px.up {
			if op.kind != kind {
				continue
			}
			if kind == 'd' {
				for h := range set {
					if rules.PatternMatches(op.name, h) {
						r.deletedAfterSet[h] = op
					}
				}
			}
			if kind == 'a' || kind == 's' {
				set[strings.ToLower(op.name)] = op
			}
			r.apply(op)
		}
	}
	return r
}

// trustedAt is where trusted proxies are configured for the route.
func (r *route) trustedAt() source.Range {
	if r.px.trustedAt.IsValid() {
		return r.px.trustedAt
	}
	return r.site.globalTrustedAt
}

// apply records one header operation.
func (r *route) apply(op headerOp) {
	h := strings.ToLower(op.name)
	prev := r.Header(h)
	t := rules.HeaderTreatment{Name: op.name, Value: op.value, Range: op.rng}
	switch op.kind {
	case 's':
		a, v := valueAction(op.value)
		t.Action = a
		if a == rules.SetClient {
			t.Note = "from client data " + v
		}
	case 'a':
		if prev.Action.Overwrites() {
			return // the client's copy is gone already
		}
		t.Action = rules.Appended
	case 'd':
		if strings.Contains(op.name, "*") {
			r.Removed = append(r.Removed, strings.ToLower(op.name))
			for name, have := range r.Headers {
				if rules.PatternMatches(op.name, name) {
					have.Action, have.Range, have.Note = rules.Blanked, op.rng, "removed by the pattern "+op.name
					r.Headers[name] = have
				}
			}
			return
		}
		t.Action = rules.Blanked
	case 'r':
		if prev.Action.Overwrites() {
			return
		}
		t.Action, t.Note = rules.SetClient, "the client's value, edited"
	}
	r.Headers[h] = t
	r.ops[h] = op
}

func upstreamOf(px *proxy) rules.Upstream {
	u := rules.Upstream{Range: px.head}
	if len(px.upstreams) == 0 {
		return u
	}
	target := px.upstreams[0]
	u.Name = target
	if p, ok := strings.CutPrefix(target, "unix/"); ok {
		u.Servers = []rules.Endpoint{{Unix: p}}
		return u
	}
	def := "80"
	if s, rest, ok := strings.Cut(target, "://"); ok {
		if strings.EqualFold(s, "https") {
			def = "443"
		}
		target = rest
	}
	if strings.Contains(target, "{") {
		return u
	}
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		host, port = target, def
	}
	if host == "" {
		host = "localhost"
	}
	ep := rules.Endpoint{Host: host, Port: port}
	u.Name = ep.String()
	u.Servers = []rules.Endpoint{ep}
	return u
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
