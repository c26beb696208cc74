package caddy

import (
	"fmt"
	"net"
	"sort"
	"strings"

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

// Routes is the Caddy route builder: one route per site address and
// reverse_proxy handler.
var Routes = rules.NewRouteBuilder("caddy-routes", requiresView, func(p *rules.Pass) []*rules.Route {
	var out []*rules.Route
	for _, r := range analyse(p) {
		out = append(out, r.Route)
	}
	return out
})

// routesOf builds the routes of a tree's sites, sorted by ID.
func routesOf(t *caddy.Tree, sites []*site) []*route {
	var out []*route
	ids := map[string]int{}
	for _, st := range sites {
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
			// C008's, about this reverse_proxy
			FamilyKey: rules.WrittenKey("C008", px.head),
			// Without a client certificate Caddy before 2.11.2
			// leaves a {tls_client_*} placeholder unreplaced: the
			// header carries the placeholder's own text (measured with
			// 2.6.2); 2.11.2 and later send it empty (version.go).
			OmitsEmpty: false,
			// Go's HTTP server and reverse_proxy pass header names with
			// "_" through as they came (measured with 2.6.2).
			AdmitsUnderscore: true,
			SetHint:          setHint(a.tls, len(px.trusted) > 0 || len(st.globalTrusted) > 0),
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
	r.classesOf()
	r.Upstream = upstreamOf(px)
	// request_header handlers run before reverse_proxy, one at a time.
	for _, op := range px.reqOps {
		r.apply(op)
	}
	// reverse_proxy then sets X-Forwarded-For, -Proto and -Host, keeping
	// the client's values only from trusted_proxies (2.5 and later).
	trusted := len(px.trusted) > 0 || len(st.globalTrusted) > 0
	for _, h := range []string{"X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-For"} {
		t := rules.HeaderTreatment{Name: h, Action: rules.SetOther, Fact: forwardedFacts[h], Note: "set by reverse_proxy"}
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
		t.Action, t.Fact = a, factOf(op.value)
		t.Missing = unreplaced(op.value, t.Fact)
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

// forwardedFacts are what reverse_proxy sets its X-Forwarded-* headers to
// when it does not keep the client's.
var forwardedFacts = map[string]rules.Fact{"X-Forwarded-Proto": rules.FactScheme, "X-Forwarded-Host": rules.FactHost}

// placeholderFacts are the client-certificate placeholders, in both
// spellings, by the fact they carry. Caddy has none for the verification
// result.
var placeholderFacts = map[string]rules.Fact{
	"subject": rules.FactSubjectDN, "issuer": rules.FactIssuerDN,
	"certificate_pem": rules.FactCert, "certificate_der_base64": rules.FactCert,
	"fingerprint": rules.FactFingerprint, "serial": rules.FactSerial,
}

// factOf says what fact a header_up value carries: the one client
// certificate placeholder it consists of ({tls_client_subject},
// {http.request.tls.client.subject}), or the request's scheme or Host.
func factOf(value string) rules.Fact {
	v := strings.TrimSpace(value)
	switch v {
	case "{http.request.scheme}", "{scheme}":
		return rules.FactScheme
	case "{http.request.host}", "{host}", "{hostport}", "{http.request.hostport}":
		return rules.FactHost
	}
	if !strings.HasPrefix(v, "{") || !strings.HasSuffix(v, "}") || strings.Count(v, "{") != 1 {
		return rules.FactNone
	}
	name := strings.TrimSuffix(strings.TrimPrefix(v, "{"), "}")
	if n, ok := strings.CutPrefix(name, "http.request.tls.client."); ok {
		return placeholderFacts[n]
	}
	if n, ok := strings.CutPrefix(name, "tls_client_"); ok {
		return placeholderFacts[n]
	}
	return rules.FactNone
}

// unreplaced is the text Caddy sends for a client-certificate placeholder
// that has no value: the placeholder itself, in its long form (the
// Caddyfile adapter writes {tls_client_subject} as
// {http.request.tls.client.subject}), because header_up replaces only
// known placeholders. That holds on plain HTTP in every version, and
// without a client certificate before 2.11.2 (measured with 2.6.2);
// 2.11.2 evaluates the client.* placeholders of an empty certificate
// instead (caddyhttp/replacer.go, getReqTLSReplacement, #7530): the
// route builder sets which the pinned version sends (applyVersion).
func unreplaced(value string, f rules.Fact) string {
	if !f.IsTLS() {
		return ""
	}
	name := strings.Trim(strings.TrimSpace(value), "{}")
	if n, ok := strings.CutPrefix(name, "tls_client_"); ok {
		name = "http.request.tls.client." + n
	}
	return "{" + name + "}"
}

// placeholderOf is the client-certificate placeholder for a fact, or "".
func placeholderOf(f rules.Fact) string {
	for _, n := range []string{"subject", "issuer", "certificate_pem", "fingerprint", "serial"} {
		if placeholderFacts[n] == f {
			return "{tls_client_" + n + "}"
		}
	}
	return ""
}

// setHint says how a route overwrites a header in Caddy's syntax: from the
// fact's placeholder (on a site that verifies client certificates; Caddy
// has no placeholder for the verification result), the scheme and host
// headers by reverse_proxy itself, else a delete at site level, which runs
// before reverse_proxy.
func setHint(tls, trusted bool) func(header string, fact rules.Fact) string {
	return func(header string, fact rules.Fact) string {
		name := rules.DisplayHeader(header)
		ph := placeholderOf(fact)
		switch {
		case (fact == rules.FactScheme || fact == rules.FactHost) && trusted:
			return fmt.Sprintf("list only your proxies in trusted_proxies, so that reverse_proxy sets %s itself", name)
		case ph != "" && tls:
			return fmt.Sprintf("set it with `header_up %s %s` on a site with `client_auth { mode require_and_verify }`", name, ph)
		case fact == rules.FactVerify && tls:
			return fmt.Sprintf("require verified certificates (`client_auth { mode require_and_verify }`) and remove the client's copy with `request_header -%s` at site level", name)
		}
		return fmt.Sprintf("remove the client's copy with `request_header -%s` at site level", name)
	}
}
