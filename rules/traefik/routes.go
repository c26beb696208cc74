package traefik

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/cfgnode"
	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/traefik"
	"github.com/mtlslint/mtlslint/rules"
	k8srules "github.com/mtlslint/mtlslint/rules/k8s"
)

// Routes builds the deployment model's routes from Traefik
// configurations: entry point × router → service, with the request
// headers as the entry point's forwarded-headers handling and the
// router's middlewares treat them. Each tree gives the routes of the
// routers it defines.
var Routes = rules.NewRouteBuilder("traefik-routes", requiresInstallations, func(p *rules.Pass) []*rules.Route {
	sc := scopeOf(p)
	if sc == nil {
		return nil
	}
	var out []*rules.Route
	for _, r := range sc.routes {
		// A router to one of Traefik's own services (noop@internal behind
		// a redirect, api@internal) answers itself: it reaches no app.
		if r.router.Range.File == sc.file && !strings.HasSuffix(r.Upstream.Name, "@internal") {
			out = append(out, r.Route)
		}
	}
	return out
})

// installations is every Traefik installation of the workspace with its
// routes, computed once per run: an installation's files are separate
// trees (and the custom resources of a cluster are spread over its
// manifests), and every rule and the route builder read the same routes.
var installations = &rules.Analysis{
	Name:     "traefik-installations",
	Doc:      "The Traefik installations of the workspace and their routes (*installationSet).",
	Scope:    rules.ScopeDeployment,
	Requires: []*rules.Analysis{k8srules.Clusters},
	Build: func(p *rules.Pass) any {
		set := &installationSet{files: map[*traefik.Installation][]*route{}, clusters: map[*kube.Cluster]*crdInstallation{}}
		if p.Workspace == nil {
			return set
		}
		for _, t := range p.Workspace.Trees {
			switch f := t.(type) {
			case *traefik.File:
				if in := f.Installation(); set.files[in] == nil {
					set.files[in] = analyse(in)
				}
			case *kube.File:
				if c := f.Cluster(); c != nil && set.clusters[c] == nil {
					set.clusters[c] = readCRDs(p, c)
				}
			}
		}
		return set
	},
}

// requiresInstallations is what the Traefik rules require.
var requiresInstallations = []*rules.Analysis{installations}

// installationSet holds the routes of every installation: those of
// Traefik's own files, and those of each cluster's custom resources.
type installationSet struct {
	files    map[*traefik.Installation][]*route
	clusters map[*kube.Cluster]*crdInstallation
}

// crdInstallation is the installation a cluster's Traefik custom
// resources make, and its routes.
type crdInstallation struct {
	in     *traefik.Installation
	routes []*route
}

// readCRDs reads a cluster's Traefik custom resources. An IngressRoute
// sends to a Kubernetes Service: its pods are the upstream.
func readCRDs(p *rules.Pass, c *kube.Cluster) *crdInstallation {
	crds := traefik.ReadCRDs(c.Objects)
	ci := &crdInstallation{in: crds.Installation, routes: analyse(crds.Installation)}
	for _, r := range ci.routes {
		for _, kr := range crds.Routes {
			if kr.Router == r.router {
				rng := r.Upstream.Range
				r.Upstream = k8srules.ServiceUpstream(p, c, kr.Obj, kr.Service, kr.Port)
				r.Upstream.Range = rng
			}
		}
	}
	return ci
}

// scope is what one tree contributes to its installation, and the
// installation's routes.
type scope struct {
	file    string
	static  *traefik.Static
	dynamic []*traefik.Dynamic
	routes  []*route
}

// scopeOf returns what the pass's tree contributes to its installation: a
// Traefik file, or the Traefik custom resources of a Kubernetes
// manifest's cluster; nil for other trees.
func scopeOf(p *rules.Pass) *scope {
	set, _ := p.ResultOf(installations).(*installationSet)
	if set == nil {
		return nil
	}
	switch f := p.Tree.(type) {
	case *traefik.File:
		return &scope{file: f.Root().Path, static: f.Static, dynamic: f.Dynamic, routes: set.files[f.Installation()]}
	case *kube.File:
		ci := set.clusters[f.Cluster()]
		if ci == nil || ci.in == nil {
			return nil
		}
		sc := &scope{file: f.Root().Path, dynamic: ci.in.Files[0].Dynamic, routes: ci.routes}
		if ci.in.Static != nil && ci.in.Static.Range.File == sc.file {
			sc.static = ci.in.Static
		}
		return sc
	}
	return nil
}

// route is a rules.Route with the configuration it comes from.
type route struct {
	*rules.Route
	router *traefik.Router
	ep     *traefik.EntryPoint // nil when the repository has no static configuration
	option *traefik.TLSOption  // the TLS options in effect, nil when none is defined
	// missingOption is the name of TLS options the router asks for that no
	// analysed file defines (nil when found, or when it asks for none).
	missingOption *cfgnode.Node
	// pass is the passTLSClientCert middleware of the route, if any.
	pass *traefik.Middleware
	// trust is the forwardedHeaders setting that makes Traefik keep the
	// client's X-Forwarded-* headers (insecure, or a trustedIPs range
	// that covers every address), nil when it removes them.
	trust *cfgnode.Node
	// trustedIPs is the forwardedHeaders.trustedIPs list when it covers
	// only some addresses: a client from them keeps its X-Forwarded-*
	// headers as every client does under trust (Route.Emit tells the
	// classes from those addresses apart). Nil when every client is
	// treated alike.
	trustedIPs *trustedRange
}

// trustedRange is a forwardedHeaders.trustedIPs list that covers some
// addresses but not all.
type trustedRange struct {
	at         source.Range // the first address's line
	text       string       // the addresses, as written
	atom       *rules.Atom  // nil when an address is not one (err says why)
	err        error
	entryPoint string
}

// analyse enumerates the routes of an installation, sorted by ID.
func analyse(in *traefik.Installation) []*route {
	if in == nil {
		return nil
	}
	var out []*route
	for _, f := range in.Files {
		for _, d := range f.Dynamic {
			for _, r := range d.Routers {
				for _, ep := range entryPoints(in, r) {
					if ep != nil && ep.RedirectTo != nil {
						continue // every request is redirected, none routed
					}
					out = append(out, newRoute(in, d, r, ep))
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	requestClasses(in, out)
	return out
}

// entryPoints are the entry points a router listens on: those it names,
// else the default ones (asDefault, else all). nil stands for an entry
// point the repository does not configure.
func entryPoints(in *traefik.Installation, r *traefik.Router) []*traefik.EntryPoint {
	var out []*traefik.EntryPoint
	for _, n := range r.EntryPoints {
		ep := in.Static.EntryPoint(n.Text())
		if ep == nil {
			// Named but not in the repository's static configuration:
			// Traefik's defaults (no forwarded-headers trust, no TLS).
			ep = &traefik.EntryPoint{Name: n.Text(), Range: n.Line()}
		}
		out = append(out, ep)
	}
	if len(r.EntryPoints) > 0 {
		return out
	}
	if in.Static == nil {
		return []*traefik.EntryPoint{nil}
	}
	for _, ep := range in.Static.EntryPoints {
		if ep.AsDefault {
			out = append(out, ep)
		}
	}
	if len(out) == 0 {
		out = in.Static.EntryPoints
	}
	return out
}

func newRoute(in *traefik.Installation, d *traefik.Dynamic, r *traefik.Router, ep *traefik.EntryPoint) *route {
	epName, addr := "(not configured)", rules.Endpoint{}
	lr := r.Range
	if ep != nil {
		epName, lr = ep.Name, ep.Range
		addr.Host, addr.Port = ep.Port()
	}
	rt := &route{router: r, ep: ep}
	rule := r.Rule.Text()
	rt.Route = &rules.Route{
		ID:       fmt.Sprintf("traefik:%s:%s:%s@%s", r.Range.File, d.Provider, r.Name, epName),
		Proxy:    "traefik",
		Desc:     fmt.Sprintf("router %s on entry point %s", r.Name, epName),
		Hosts:    hostsOf(rule),
		Path:     rule,
		Listener: rules.Listener{Endpoint: addr, Range: lr, Verify: rules.VerifyOff},
		Upstream: upstreamOf(in, r),
		Headers:  map[string]rules.HeaderTreatment{},
		Default:  rules.Passthrough,
		// passTLSClientCert sets nothing without a certificate.
		OmitsEmpty: true,
		// Go's HTTP client writes a request's headers sorted by name, and
		// "-" sorts before "_": Traefik's dash-spelled header goes out
		// before a client's underscore spelling of it.
		ProxyFirst: true,
		Range:      r.Range,
		Block:      r.Range,
		SetHint:    setHint,
	}
	rt.tls(in, ep)
	rt.middlewares(in)
	rt.forwardedHeaders(ep)
	rt.underscores(ep)
	return rt
}

// tls works out whether the route is HTTPS and which client
// authentication its TLS options ask for.
func (rt *route) tls(in *traefik.Installation, ep *traefik.EntryPoint) {
	r := rt.router
	var optName *cfgnode.Node
	switch {
	case r.TLS != nil:
		optName = r.TLSOptions
	case ep != nil && ep.TLS != nil:
		optName = ep.TLSOptions
	default:
		return
	}
	rt.Listener.TLS = true
	name := "default"
	if optName.Text() != "" {
		name = optName.Text()
	}
	o := in.TLSOption(name)
	if o == nil {
		if name != "default" {
			rt.missingOption = optName
		}
		return
	}
	rt.option = o
	rt.Listener.VerifyRange = verifyAnchor(o)
	switch o.ClientAuth() {
	case "RequireAndVerifyClientCert":
		rt.Listener.Verify, rt.Gated = rules.VerifyRequired, true
	case "VerifyClientCertIfGiven":
		rt.Listener.Verify = rules.VerifyOptional
	case "RequireAnyClientCert", "RequestClientCert":
		// Go's crypto/tls verifies a presented certificate only from
		// VerifyClientCertIfGiven on: these accept any certificate.
		rt.Listener.Verify = rules.VerifyOptionalNoCA
	}
	var cas []string
	for _, c := range o.CAFiles {
		cas = append(cas, c.Text())
	}
	rt.Listener.CA = strings.Join(cas, ", ")
}

// verifyAnchor is where a TLS option's client authentication is written.
func verifyAnchor(o *traefik.TLSOption) source.Range {
	switch {
	case o.ClientAuthType != nil:
		return o.ClientAuthType.Line()
	case len(o.CAFiles) > 0:
		return o.CAFiles[0].Line()
	}
	return o.Range
}

// certPossible reports whether a client certificate can be presented on
// the route.
func (rt *route) certPossible() bool {
	return rt.Listener.TLS && rt.Listener.Verify != rules.VerifyOff
}

const (
	certHeader = "x-forwarded-tls-client-cert"
	infoHeader = "x-forwarded-tls-client-cert-info"
)

// managedHeaders are the headers Traefik's forwarded-headers middleware
// removes from untrusted clients (forwardedheaders.XHeadersSet), with
// their underscore spellings (since v2.11.43 and v3.6.14).
var managedHeaders = []string{"x-forwarded-proto", "x-forwarded-scheme", "x-forwarded-for", "x-forwarded-host", "x-forwarded-port",
	"x-forwarded-server", "x-forwarded-uri", "x-forwarded-method", "x-forwarded-prefix", certHeader, infoHeader, "x-scheme", "x-real-ip"}

// middlewareList returns the entry point's and the router's middlewares
// in the order they run, chains expanded.
func (rt *route) middlewareList(in *traefik.Installation) []*traefik.Middleware {
	var refs []*cfgnode.Node
	if rt.ep != nil {
		refs = append(refs, rt.ep.Middlewares...)
	}
	refs = append(refs, rt.router.Middlewares...)
	var out []*traefik.Middleware
	seen := map[*traefik.Middleware]bool{}
	var expand func(refs []*cfgnode.Node, depth int)
	expand = func(refs []*cfgnode.Node, depth int) {
		for _, ref := range refs {
			m := in.Middleware(ref.Text())
			if m == nil || seen[m] || depth > 10 {
				continue
			}
			seen[m] = true
			out = append(out, m)
			expand(m.Chain, depth+1)
		}
	}
	expand(refs, 0)
	return out
}

// middlewares applies the entry point's and the router's middlewares in
// order, chains expanded.
func (rt *route) middlewares(in *traefik.Installation) {
	for _, m := range rt.middlewareList(in) {
		if m.PassTLSClientCert != nil && (m.PEM || m.Info) {
			rt.pass = m
		}
		for _, h := range m.RequestHeaders {
			t := rules.HeaderTreatment{Name: h.Key, Action: rules.SetConst, Value: h.Text(), Range: h.Line(), Note: "headers.customRequestHeaders of middleware " + m.Name}
			if h.Text() == "" {
				t.Action, t.Note = rules.Blanked, "removed by headers.customRequestHeaders (empty value) of middleware "+m.Name
			}
			rt.Headers[strings.ToLower(h.Key)] = t
		}
		for _, h := range m.AuthResponseHeaders {
			rt.Headers[strings.ToLower(h.Text())] = rules.HeaderTreatment{Name: h.Text(), Action: rules.SetOther, Value: "forward-auth response", Range: h.Range,
				Note: "forwardAuth of middleware " + m.Name + " removes the client's copy and sets the authentication server's"}
		}
	}
}

// forwardedHeaders is what the entry point does to the X-Forwarded-*
// headers, and then what passTLSClientCert sets: the middleware overwrites
// X-Forwarded-Tls-Client-Cert(-Info) only when a certificate was
// presented, and leaves the header as it came otherwise.
func (rt *route) forwardedHeaders(ep *traefik.EntryPoint) {
	rt.trust = trusting(ep)
	var before map[string]rules.HeaderTreatment
	if rt.trust == nil {
		if rt.trustedIPs = trustedPart(ep); rt.trustedIPs != nil {
			before = maps.Clone(rt.Headers)
		}
	}
	rt.treatForwarded(rt.Headers, rt.trust)
	t := rt.trustedIPs
	if t == nil {
		return
	}
	// A client from the trusted addresses is treated as every client
	// is under trust, any other as under no trust: what the route sends
	// depends on the class's source address, which Emit reads. The
	// route's own treatment says both, for the findings' words.
	inRange, outRange := before, maps.Clone(rt.Headers)
	rt.treatForwarded(inRange, ep.TrustedIPs[0])
	for h, in := range inRange {
		if in != outRange[h] {
			rt.Headers[h] = t.either(in, outRange[h])
		}
	}
	rt.Emit = func(c rules.RequestClass, h string) (rules.Delivery, bool) {
		tr, ok := outRange[h]
		if !ok {
			return rules.Delivery{}, false
		}
		if t.holds(c) {
			tr = inRange[h]
		}
		return rt.Treated(tr, c), true
	}
}

// holds reports whether request class c comes from the trusted addresses.
func (t *trustedRange) holds(c rules.RequestClass) bool {
	return t.atom != nil && c.Witness.Source != "" && t.atom.Match(c.Witness.Source)
}

// either is the treatment of a header that a client from the trusted
// addresses gets as in, any other as out: in, set only under the
// condition that the client is not one of them.
func (t *trustedRange) either(in, out rules.HeaderTreatment) rules.HeaderTreatment {
	from := fmt.Sprintf("forwardedHeaders.trustedIPs (%s)", t.text)
	e := in
	e.Range = t.at
	e.Note = fmt.Sprintf("%s; for a client outside %s, %s", in.Note, from, out.Note)
	switch in.Action {
	case rules.Passthrough:
		e.Action, e.Value, e.Fact = rules.Conditional, out.Value, out.Fact
		e.When = "when the client's address is outside " + from
		e.Removes = out.Action == rules.Blanked
	case rules.Conditional:
		if in.CertGuarded {
			e.When = fmt.Sprintf("when the client presents a certificate (without one passTLSClientCert leaves the copy of a client from %s)", from)
		} else {
			e.When = fmt.Sprintf("when the client's address is outside %s or it sent none", from)
		}
	}
	return e
}

// treatForwarded sets in headers what the entry point does to the
// X-Forwarded-* headers when it trusts the client (trust non-nil, the
// setting that makes it) or not, and then what passTLSClientCert sets.
func (rt *route) treatForwarded(headers map[string]rules.HeaderTreatment, trust *cfgnode.Node) {
	for _, h := range managedHeaders {
		if _, set := headers[h]; set {
			continue // a headers middleware runs after the entry point
		}
		t := rules.HeaderTreatment{Name: rules.DisplayHeader(h), Action: rules.SetOther, Value: "set by Traefik", Fact: forwardedFacts[h], Note: "the entry point's forwarded-headers handling replaces the client's copy"}
		if h == certHeader || h == infoHeader {
			t = rules.HeaderTreatment{Name: rules.DisplayHeader(h), Action: rules.Blanked, Note: "the entry point removes the client's copy (forwardedHeaders trusts no client)"}
		}
		if trust != nil {
			t = rules.HeaderTreatment{Name: rules.DisplayHeader(h), Action: rules.Passthrough, Range: trust.Line(), Note: "forwardedHeaders trusts the client, so its copy passes"}
			switch h {
			case "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port":
				t.Action, t.Value, t.When = rules.Conditional, "set by Traefik", "when the client sent none (forwardedHeaders trusts the client)"
			case "x-forwarded-for":
				t.Action, t.Value = rules.Appended, "client address"
			}
		}
		headers[h] = t
	}
	if rt.pass == nil || !rt.certPossible() {
		return
	}
	for _, h := range []string{certHeader, infoHeader} {
		if (h == certHeader && !rt.pass.PEM) || (h == infoHeader && !rt.pass.Info) {
			continue
		}
		t := rules.HeaderTreatment{Name: rules.DisplayHeader(h), Action: rules.SetTLS, Value: "passTLSClientCert", Range: rt.pass.PassTLSClientCert.Line(),
			Fact: passFacts[h], CertGuarded: true,
			Note: "passTLSClientCert of middleware " + rt.pass.Name + ": set from the client certificate, removed by the entry point without one"}
		if headers[h].Action != rules.Blanked {
			t.Action, t.Range = rules.Conditional, headers[h].Range
			t.When = "when the client presents a certificate (without one passTLSClientCert leaves the client's copy, which forwardedHeaders trusts)"
		}
		headers[h] = t
	}
}

// trustedPart returns the entry point's forwardedHeaders.trustedIPs when
// they cover some addresses (not every one: see trusting), nil else.
// Traefik's command line writes the list comma-separated.
func trustedPart(ep *traefik.EntryPoint) *trustedRange {
	if ep == nil || len(ep.TrustedIPs) == 0 {
		return nil
	}
	var vals []string
	for _, ip := range ep.TrustedIPs {
		for _, v := range strings.Split(ip.Text(), ",") {
			if v = strings.TrimSpace(v); v != "" {
				vals = append(vals, v)
			}
		}
	}
	if len(vals) == 0 {
		return nil
	}
	t := &trustedRange{at: ep.TrustedIPs[0].Line(), text: strings.Join(vals, ", "), entryPoint: ep.Name}
	t.atom, t.err = rules.NewAtom(rules.DimSource, rules.MatchIP, vals, false)
	return t
}

// fromTrusted says whether request q comes from an address whose
// X-Forwarded-* headers the route's entry point keeps: yes for every
// client under trust, by the source address under a partial trustedIPs.
func (rt *route) fromTrusted(q rules.Request) rules.Holds {
	switch {
	case rt.trust != nil:
		return rules.HoldsYes
	case rt.trustedIPs == nil:
		return rules.HoldsNo
	case rt.trustedIPs.atom == nil:
		return rules.HoldsMaybe
	}
	return rules.AtomHolds(q, rt.trustedIPs.atom)
}

// trusting returns the forwardedHeaders setting that makes an entry point
// keep every client's X-Forwarded-* headers: insecure, or a trustedIPs
// range that covers every address.
func trusting(ep *traefik.EntryPoint) *cfgnode.Node {
	if ep == nil {
		return nil
	}
	if v, ok := ep.Insecure.Bool(); ok && v {
		return ep.Insecure
	}
	for _, ip := range ep.TrustedIPs {
		switch strings.TrimSpace(ip.Text()) {
		case "0.0.0.0/0", "::/0", "0/0":
			return ip
		}
	}
	return nil
}

// underscores: Traefik keeps header names with "_" unless the entry
// point's underscoreHeadersStrategy deletes or rejects them (the option
// exists since v2.11.51, v3.6.22 and v3.7.6; keep is the default). The
// forwarded-headers middleware removes the underscore spellings of the
// headers it manages from untrusted clients: from every client when it
// trusts none, from those outside a partial trustedIPs only.
func (rt *route) underscores(ep *traefik.EntryPoint) {
	rt.AdmitsUnderscore = true
	if ep == nil {
		return
	}
	switch strings.ToLower(ep.Underscores.Text()) {
	case "delete", "reject":
		rt.AdmitsUnderscore = false
		return
	case "keep":
		rt.UnderscoreRange = ep.Underscores.Line()
	default:
		rt.UnderscoreRange = ep.Range
	}
	switch t := rt.trustedIPs; {
	case rt.trust != nil:
	case t == nil:
		rt.UnderscoreRemoved = managedHeaders
	default:
		rt.UnderscoreKept = func(c rules.RequestClass, h string) bool {
			return t.holds(c) || !slices.Contains(managedHeaders, h)
		}
	}
}

// upstreamOf resolves the router's service to the addresses it sends to:
// the service's server URLs, or for a container's labels the container
// (its compose service name) and port.
func upstreamOf(in *traefik.Installation, r *traefik.Router) rules.Upstream {
	name := r.Service.Text()
	if name == "" {
		name = r.Container
	}
	u := rules.Upstream{Name: name, Range: r.Service.Line()}
	if !u.Range.IsValid() {
		u.Range = r.Range
	}
	s := in.Service(name)
	if s == nil {
		return u
	}
	for _, srv := range s.Servers {
		if p, err := url.Parse(srv.Text()); err == nil && p.Hostname() != "" {
			port := p.Port()
			if port == "" {
				port = map[string]string{"https": "443"}[p.Scheme]
				if port == "" {
					port = "80"
				}
			}
			u.Servers = append(u.Servers, rules.Endpoint{Host: p.Hostname(), Port: port})
		}
	}
	if s.Container != "" && s.Port.Text() != "" {
		u.Servers = append(u.Servers, rules.Endpoint{Host: s.Container, Port: s.Port.Text()})
	}
	return u
}

// hostsOf reads the host names of Host(`a`, `b`) matchers in a rule.
func hostsOf(rule string) []string {
	var out []string
	for rest := rule; ; {
		i := strings.Index(rest, "Host(")
		if i < 0 {
			return out
		}
		rest = rest[i+5:]
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return out
		}
		for _, h := range strings.Split(rest[:end], ",") {
			if h = strings.Trim(strings.TrimSpace(h), "`\"'"); h != "" {
				out = append(out, h)
			}
		}
		rest = rest[end:]
	}
}

// forwardedFacts are what the entry point sets its X-Forwarded-* headers
// to when it does not trust the client's.
var forwardedFacts = map[string]rules.Fact{"x-forwarded-proto": rules.FactScheme, "x-forwarded-scheme": rules.FactScheme, "x-scheme": rules.FactScheme, "x-forwarded-host": rules.FactHost}

// passFacts are what passTLSClientCert sets its headers from: the
// certificate (PEM), and its details (subject, issuer, ...).
var passFacts = map[string]rules.Fact{certHeader: rules.FactCert, infoHeader: rules.FactSubjectDN}

// setHint says how a router overwrites a header in Traefik's terms:
// certificate data only through passTLSClientCert, the X-Forwarded-*
// headers by the entry point when it trusts no client, anything else
// removed by a headers middleware.
func setHint(header string, fact rules.Fact) string {
	h, name := rules.HeaderName(header), rules.DisplayHeader(header)
	switch {
	case h == certHeader || h == infoHeader:
		return "use passTLSClientCert on a router whose TLS options use `clientAuthType: RequireAndVerifyClientCert`, and let forwardedHeaders trust no client"
	case slices.Contains(managedHeaders, h):
		return fmt.Sprintf("remove `forwardedHeaders.insecure` and list only your load balancers in `trustedIPs`, so that Traefik sets %s itself", name)
	case fact.IsTLS():
		return fmt.Sprintf("remove the client's copy with a headers middleware (`customRequestHeaders: { %s: \"\" }`), and read the certificate from passTLSClientCert's X-Forwarded-Tls-Client-Cert", name)
	}
	return fmt.Sprintf("remove the client's copy with a headers middleware (`customRequestHeaders: { %s: \"\" }`)", name)
}
