package envoy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/cfgnode"
	"github.com/mtlslint/mtlslint/parsers/envoy"
	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
	k8srules "github.com/mtlslint/mtlslint/rules/k8s"
)

// Routes builds the deployment model's routes from Envoy configurations:
// listener × filter chain × virtual host × route → cluster, with the
// request headers as the HTTP connection manager and the route
// configuration treat them; and from Istio's resources in Kubernetes
// manifests (istio.go).
var Routes = rules.NewRouteBuilder("envoy-routes", []*rules.Analysis{fileView, k8srules.IstioResources, k8srules.Clusters}, func(p *rules.Pass) []*rules.Route {
	var rs []*route
	switch f := p.Tree.(type) {
	case *envoy.File:
		rs = fileOf(p).routes
	case *kube.File:
		rs = istioRoutes(p, f)
	}
	out := make([]*rules.Route, len(rs))
	for i, r := range rs {
		out[i] = r.Route
	}
	return out
})

// fileView is the HTTP filter chains of an Envoy file and its routes,
// computed once per tree for every rule and the route builder.
var fileView = &rules.Analysis{
	Name:  "envoy-chains",
	Doc:   "The HTTP filter chains of an Envoy file and its routes sorted by ID (*view).",
	Scope: rules.ScopeTree,
	Build: func(p *rules.Pass) any {
		f, ok := p.Tree.(*envoy.File)
		if !ok {
			return (*view)(nil)
		}
		v := &view{chains: chains(f)}
		for _, cv := range v.chains {
			v.routes = append(v.routes, cv.routes...)
		}
		sort.SliceStable(v.routes, func(i, j int) bool { return v.routes[i].ID < v.routes[j].ID })
		return v
	},
}

// requiresChains is what the rules on Envoy files require.
var requiresChains = []*rules.Analysis{fileView}

// view is an Envoy file's HTTP filter chains and routes.
type view struct {
	chains []*chainView
	routes []*route
}

// fileOf returns the view of the pass's Envoy file (empty for other
// trees).
func fileOf(p *rules.Pass) *view {
	v, _ := p.ResultOf(fileView).(*view)
	if v == nil {
		return &view{}
	}
	return v
}

// route is a rules.Route with the configuration objects it comes from.
type route struct {
	*rules.Route
	listener *envoy.Listener
	chain    *envoy.FilterChain
	vh       *envoy.VirtualHost
	rt       *envoy.Route
	// adds maps a lower-case header to the request_headers_to_add entry
	// whose effect the treatment shows.
	adds map[string]*envoy.HeaderAdd
}

// chainView is one filter chain with an HTTP connection manager: its
// routes (none when they come through RDS) and base, the treatment the
// connection manager alone gives the headers (no upstream).
type chainView struct {
	listener *envoy.Listener
	chain    *envoy.FilterChain
	base     *route
	routes   []*route
}

// chains enumerates the HTTP filter chains of a file.
func chains(f *envoy.File) []*chainView {
	var out []*chainView
	m := newMatchers()
	for li, l := range f.Listeners {
		for ci, c := range l.Chains {
			if c.HCM == nil {
				continue
			}
			id := fmt.Sprintf("envoy:%s:%s#%d", f.Root().Path, name(l.Name, li), ci)
			cv := &chainView{listener: l, chain: c, base: newRoute(f, l, c, nil, nil, id)}
			if rc := c.HCM.RouteConfig; rc != nil {
				for vi, vh := range rc.VirtualHosts {
					for ri, rt := range vh.Routes {
						if rt.Cluster == "" {
							continue // redirects, direct responses: nothing reaches an app
						}
						r := newRoute(f, l, c, vh, rt, fmt.Sprintf("%s>%s>%d", id, name(vh.Name, vi), ri))
						r.requestClasses(m, rc, vi)
						cv.routes = append(cv.routes, r)
					}
				}
			}
			out = append(out, cv)
		}
	}
	return out
}

// first is the route that findings about the chain's connection manager
// are keyed by: its first route, or the chain itself.
func (cv *chainView) first() *route {
	if len(cv.routes) > 0 {
		return cv.routes[0]
	}
	return cv.base
}

func name(n string, i int) string {
	if n != "" {
		return n
	}
	return strconv.Itoa(i)
}

// newRoute builds the route through vh and rt, or with both nil the
// connection manager's view of the chain.
func newRoute(f *envoy.File, l *envoy.Listener, c *envoy.FilterChain, vh *envoy.VirtualHost, rt *envoy.Route, id string) *route {
	lst := listenerOf(l, c)
	where := fmt.Sprintf("listener %s on %s", name(l.Name, 0), lst.Endpoint)
	if len(c.ServerNames) > 0 {
		var sni []string
		for _, s := range c.ServerNames {
			sni = append(sni, s.Text())
		}
		where += " (SNI " + strings.Join(sni, ", ") + ")"
	}
	desc, match, rng, block := where, "", c.Range, c.Range
	var hosts []string
	up := rules.Upstream{Name: "(routes not in the file)"}
	if rt != nil {
		desc = fmt.Sprintf("%s, virtual host %s, %s", where, name(vh.Name, 0), rt.Match)
		match, rng, block, hosts, up = rt.Match, rt.Range, vh.Range, vh.Domains, upstreamOf(f, rt)
	}
	r := &route{
		Route: &rules.Route{
			ID:       id,
			Proxy:    "envoy",
			Desc:     desc,
			Hosts:    hosts,
			Path:     strings.TrimPrefix(strings.TrimPrefix(match, "prefix "), "path "),
			Listener: lst,
			Upstream: up,
			Headers:  map[string]rules.HeaderTreatment{},
			Default:  rules.Passthrough,
			// Envoy adds no header whose value is empty (unless
			// keep_empty_value), and removes XFCC from connections
			// without a client certificate.
			OmitsEmpty: true,
			Gated:      lst.Verify == rules.VerifyRequired,
			Range:      rng,
			Block:      block,
			SetHint:    envoyHint(lst.TLS),
		},
		listener: l, chain: c, vh: vh, rt: rt, adds: map[string]*envoy.HeaderAdd{},
	}
	hcm := c.HCM
	r.AdmitsUnderscore, r.UnderscoreRange = admitsUnderscore(hcm)
	r.connectionManagerHeaders(hcm)
	if rt != nil {
		for _, ops := range levels(hcm.RouteConfig, vh, rt) {
			r.apply(ops)
		}
	}
	return r
}

// admitsUnderscore: Envoy lets header names with "_" through unless
// headers_with_underscores_action rejects or drops them (default ALLOW).
func admitsUnderscore(h *envoy.HCM) (bool, source.Range) {
	a := h.HeadersWithUnderscores
	switch envoy.Enum(a) {
	case "REJECT_REQUEST", "DROP_HEADER":
		return false, source.Range{}
	case "":
		return true, h.Range
	}
	return true, a.Line()
}

// listenerOf describes the listener side of a chain: address, TLS and
// client-certificate verification.
func listenerOf(l *envoy.Listener, c *envoy.FilterChain) rules.Listener {
	ep := rules.Endpoint{Host: l.Address.Host, Port: l.Address.Port, Unix: l.Address.Pipe}
	lst := rules.Listener{Endpoint: ep, Range: l.Range, TLS: c.TLS != nil, Verify: rules.VerifyOff}
	if l.Address.Range.IsValid() {
		lst.Range = l.Address.Range
	}
	if c.TLS == nil {
		return lst
	}
	mode, ca, at := verifyOf(c.TLS)
	lst.Verify, lst.CA, lst.VerifyRange = mode, ca, at
	return lst
}

// verifyOf reads a DownstreamTlsContext's client verification: a
// certificate is requested only with a validation context, verified only
// against trusted_ca (or pinned hashes), and required only with
// require_client_certificate.
func verifyOf(t *envoy.TLSContext) (rules.VerifyMode, string, source.Range) {
	require, _ := t.RequireClientCertificate.Bool()
	v := t.Validation
	switch {
	case v == nil && !require:
		return rules.VerifyOff, "", source.Range{}
	case v == nil:
		return rules.VerifyOptionalNoCA, "", t.RequireClientCertificate.Line()
	case v.AcceptUntrusted != nil:
		return rules.VerifyOptionalNoCA, caOf(v), v.AcceptUntrusted.Line()
	case v.TrustedCA == nil && !v.Pinned && v.SDS == "":
		return rules.VerifyOptionalNoCA, "", v.Range
	case require:
		return rules.VerifyRequired, caOf(v), t.RequireClientCertificate.Line()
	}
	if t.RequireClientCertificate != nil {
		return rules.VerifyOptional, caOf(v), t.RequireClientCertificate.Line()
	}
	return rules.VerifyOptional, caOf(v), v.Range
}

func caOf(v *envoy.Validation) string {
	switch {
	case v.TrustedCA != nil:
		return v.TrustedCA.Text()
	case v.SDS != "":
		return "sds:" + v.SDS
	case v.Pinned:
		return "(pinned certificate hashes)"
	}
	return ""
}

func upstreamOf(f *envoy.File, rt *envoy.Route) rules.Upstream {
	u := rules.Upstream{Name: rt.Cluster, Range: rt.ClusterRange}
	if c := f.Cluster(rt.Cluster); c != nil {
		for _, e := range c.Endpoints {
			u.Servers = append(u.Servers, rules.Endpoint{Host: e.Host, Port: e.Port, Unix: e.Pipe})
		}
	}
	return u
}

const xfcc = "x-forwarded-client-cert"

// certPossible reports whether a client certificate can be presented on
// the route's connections (Envoy requests one only with a validation
// context).
func (r *route) certPossible() bool {
	return r.Listener.TLS && r.Listener.Verify != rules.VerifyOff
}

// connectionManagerHeaders is what the HTTP connection manager does to
// the headers before routing: XFCC by forward_client_cert_details (see
// ConnectionManagerUtility::mutateXfccRequestHeader), X-Forwarded-Proto
// and X-Forwarded-For by use_remote_address.
func (r *route) connectionManagerHeaders(h *envoy.HCM) {
	t := xfccTreatment(h.ForwardClientCertDetails, r.certPossible())
	if h.ForwardClientCertMatcher.IsSet() {
		t = rules.HeaderTreatment{Name: "X-Forwarded-Client-Cert", Action: rules.Unknown, Range: h.ForwardClientCertMatcher.Line(), Value: "forward_client_cert_matcher",
			Note: "forward_client_cert_matcher chooses the XFCC handling per request, which is not analysed"}
	}
	r.Headers[xfcc] = t
	remote, _ := h.UseRemoteAddress.Bool()
	proto := rules.HeaderTreatment{Name: "X-Forwarded-Proto", Action: rules.SetOther, Value: "scheme of the connection", Fact: rules.FactScheme, Range: h.UseRemoteAddress.Line(),
		Note: "use_remote_address: Envoy overwrites X-Forwarded-Proto"}
	fwd := rules.HeaderTreatment{Name: "X-Forwarded-For", Action: rules.Appended, Value: "client address", Range: h.UseRemoteAddress.Line(),
		Note: "use_remote_address: Envoy appends the peer's address"}
	if !remote {
		proto = rules.HeaderTreatment{Name: "X-Forwarded-Proto", Action: rules.Conditional, Value: "scheme of the connection", Range: h.Range,
			When: "when the client sent none (use_remote_address is not true)",
			Note: "without use_remote_address Envoy keeps a client's X-Forwarded-Proto and sets it only when absent"}
		fwd = rules.HeaderTreatment{Name: "X-Forwarded-For", Action: rules.Passthrough, Range: h.Range,
			Note: "without use_remote_address Envoy passes the client's X-Forwarded-For on"}
	}
	r.Headers["x-forwarded-proto"] = proto
	r.Headers["x-forwarded-for"] = fwd
}

// xfccTreatment is what forward_client_cert_details (nil: SANITIZE) does
// to the client's XFCC, on connections that may or may not carry a client
// certificate.
func xfccTreatment(setting *cfgnode.Node, certPossible bool) rules.HeaderTreatment {
	mode := envoy.Enum(setting)
	t := rules.HeaderTreatment{Name: "X-Forwarded-Client-Cert", Value: "forward_client_cert_details " + mode, Range: setting.Line()}
	switch {
	case mode == "ALWAYS_FORWARD_ONLY":
		t.Action, t.Note = rules.Passthrough, "ALWAYS_FORWARD_ONLY: Envoy forwards the client's own XFCC, with or without a client certificate"
	case mode == "" || mode == "SANITIZE":
		t.Action, t.Value, t.Note = rules.Blanked, "forward_client_cert_details SANITIZE", "SANITIZE (the default): Envoy removes the client's XFCC"
	case !certPossible:
		t.Action, t.Note = rules.Blanked, "no client certificate is requested here, so Envoy removes the client's XFCC"
	case mode == "FORWARD_ONLY":
		t.Action, t.Note = rules.Passthrough, "FORWARD_ONLY: on connections with a client certificate Envoy forwards the client's own XFCC unchanged"
	case mode == "APPEND_FORWARD":
		t.Action, t.Note = rules.Appended, "APPEND_FORWARD: on connections with a client certificate Envoy appends its element after the client's own XFCC"
	case mode == "SANITIZE_SET":
		t.Action, t.Note = rules.SetTLS, "SANITIZE_SET: set from the client certificate, removed on connections without one"
		t.Fact, t.CertGuarded = rules.FactCert, true
	}
	return t
}

// levels lists the header operations in the order Envoy applies them:
// route, virtual host, route configuration, or the reverse with
// most_specific_header_mutations_wins.
func levels(rc *envoy.RouteConfig, vh *envoy.VirtualHost, rt *envoy.Route) []envoy.HeaderOps {
	out := []envoy.HeaderOps{rt.Headers, vh.Headers, rc.Headers}
	if rc.MostSpecificWins {
		out[0], out[2] = out[2], out[0]
	}
	return out
}

// apply applies one level's request_headers_to_remove, then its
// request_headers_to_add, as Envoy's HeaderParser::evaluateHeaders does.
func (r *route) apply(ops envoy.HeaderOps) {
	for _, rm := range ops.Remove {
		h := strings.ToLower(rm.Text())
		r.Headers[h] = rules.HeaderTreatment{Name: rm.Text(), Action: rules.Blanked, Range: rm.Line(), Note: "request_headers_to_remove"}
		delete(r.adds, h)
	}
	for _, a := range ops.Add {
		h := strings.ToLower(a.Name.Text())
		prev := r.Header(h)
		next, ok := r.added(a, prev)
		if ok {
			r.Headers[h] = next
			r.adds[h] = a
		}
	}
}

var (
	peerVar   = source.LazyRegexp(`%DOWNSTREAM_(PEER|TLS)_[A-Z0-9_]+(\([^%]*\))?%`)
	clientVar = source.LazyRegexp(`%REQ(_WITHOUT_QUERY)?\([^%]*\)%`)
	anyVar    = source.LazyRegexp(`%[A-Z][A-Z0-9_]*(\([^%]*\))?%`)
)

// added is a header's treatment after one request_headers_to_add entry,
// given its treatment before; ok is false when the entry never changes
// anything.
func (r *route) added(a *envoy.HeaderAdd, prev rules.HeaderTreatment) (rules.HeaderTreatment, bool) {
	value := a.Value.Text()
	t := rules.HeaderTreatment{Name: a.Name.Text(), Value: value, Range: a.Range}
	stripped := anyVar().ReplaceAllString(value, "")
	switch {
	case value == "":
		if !a.KeepEmptyValue {
			return prev, false // Envoy adds no empty value
		}
		t.Action = rules.SetConst
	case clientVar().MatchString(value):
		t.Action = rules.SetClient
	case peerVar().MatchString(value):
		t.Action = rules.SetTLS
	case !anyVar().MatchString(value):
		t.Action = rules.SetConst
	default:
		t.Action = rules.SetOther
	}
	// A value made only of client-certificate fields is empty without a
	// certificate, and Envoy then skips the entry: the header stays as
	// it was (the client's copy, unless removed before).
	if t.Action == rules.SetTLS {
		t.Fact = peerFactOf(value)
		// Made only of client-certificate fields, the value is empty
		// without a certificate, and Envoy skips the entry.
		t.CertGuarded = strings.TrimSpace(stripped) == "" && !a.KeepEmptyValue
	}
	emptyWithoutCert := t.Action == rules.SetTLS && strings.TrimSpace(stripped) == "" && !a.KeepEmptyValue && r.Listener.Verify != rules.VerifyRequired
	if emptyWithoutCert && !r.certPossible() {
		prev.Note = strings.TrimSpace(prev.Note + fmt.Sprintf("; %s is always empty here (no client certificate is requested), so Envoy never adds it", value))
		return prev, true
	}
	keeps := !prev.Action.Overwrites() // the client's copy is still there
	switch action := a.Action(); {
	case action == "OVERWRITE_IF_EXISTS" && !keeps:
		return prev, false // nothing to overwrite
	case action == "ADD_IF_ABSENT" && keeps:
		t.Action, t.When = rules.Conditional, "when the client sent none (append_action ADD_IF_ABSENT)"
	case action == "APPEND_IF_EXISTS_OR_ADD" && keeps:
		t.Action, t.Note = rules.Appended, "append_action APPEND_IF_EXISTS_OR_ADD (the default) appends to the client's copy"
	case emptyWithoutCert && keeps:
		t.Action, t.When = rules.Conditional, "when the client presents a certificate (without one the value is empty and Envoy skips the entry)"
	case action == "APPEND_IF_EXISTS_OR_ADD" && prev.Action != rules.Blanked:
		// Appended to a value Envoy set itself.
		t.Note = "appended to the value set before"
	}
	return t, true
}

// forwardsCertData reports whether a route passes client-certificate data
// to the upstream: XFCC set or appended, or a header from the peer
// certificate.
func (r *route) forwardsCertData() bool {
	for h, t := range r.Headers {
		if t.Action == rules.SetTLS || (h == xfcc && (t.Action == rules.Appended || t.Action == rules.Passthrough) && t.Range.IsValid()) {
			return true
		}
		if t.Action == rules.Conditional && peerVar().MatchString(t.Value) {
			return true
		}
	}
	return false
}

// peerFacts are Envoy's client-certificate command operators by the fact
// they carry. Envoy has none for a verification result: a certificate it
// did not verify is refused, unless nothing verifies it at all.
var peerFacts = map[string]rules.Fact{
	"%DOWNSTREAM_PEER_SUBJECT%":         rules.FactSubjectDN,
	"%DOWNSTREAM_PEER_ISSUER%":          rules.FactIssuerDN,
	"%DOWNSTREAM_PEER_CERT%":            rules.FactCert,
	"%DOWNSTREAM_PEER_FINGERPRINT_256%": rules.FactFingerprint,
	"%DOWNSTREAM_PEER_FINGERPRINT_1%":   rules.FactFingerprint,
	"%DOWNSTREAM_PEER_SERIAL%":          rules.FactSerial,
}

// peerFactOf says what fact a request_headers_to_add value carries: the
// one client-certificate operator it consists of.
func peerFactOf(value string) rules.Fact {
	return peerFacts[strings.TrimSpace(value)]
}

// peerOperatorOf is Envoy's command operator for a fact, or "".
func peerOperatorOf(f rules.Fact) string {
	for _, op := range []string{"%DOWNSTREAM_PEER_SUBJECT%", "%DOWNSTREAM_PEER_ISSUER%", "%DOWNSTREAM_PEER_CERT%", "%DOWNSTREAM_PEER_FINGERPRINT_256%", "%DOWNSTREAM_PEER_SERIAL%"} {
		if peerFacts[op] == f {
			return op
		}
	}
	return ""
}

// envoyHint says how a route of an Envoy file overwrites a header in
// Envoy's syntax: XFCC by SANITIZE_SET, X-Forwarded-Proto by
// use_remote_address, a certificate field from its command operator, and
// anything else by request_headers_to_remove.
func envoyHint(tls bool) func(header string, fact rules.Fact) string {
	return func(header string, fact rules.Fact) string {
		name := rules.DisplayHeader(header)
		op := peerOperatorOf(fact)
		switch {
		case rules.HeaderName(header) == xfcc:
			return "use `forward_client_cert_details: SANITIZE_SET` with `set_current_client_cert_details` on the listener clients connect to"
		case fact == rules.FactScheme && rules.HeaderName(header) == "x-forwarded-proto":
			return "set `use_remote_address: true` on the HTTP connection manager, so that Envoy sets X-Forwarded-Proto itself"
		case op != "" && tls:
			return fmt.Sprintf("list %s in `request_headers_to_remove` and add it from `%s` with `append_action: OVERWRITE_IF_EXISTS_OR_ADD`", name, op)
		}
		return fmt.Sprintf("remove the client's copy by listing %s in `request_headers_to_remove` of the route configuration", name)
	}
}
