package traefik

import (
	"strings"

	"github.com/mtlslint/mtlslint/parsers/cfgnode"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// Static is Traefik's static configuration (install configuration): the
// entry points.
type Static struct {
	EntryPoints []*EntryPoint
	Range       source.Range // where it is written (the file, or the command)
}

// EntryPoint returns the entry point with the given name (case-insensitive,
// as Traefik's configuration keys are), or nil.
func (s *Static) EntryPoint(name string) *EntryPoint {
	if s == nil {
		return nil
	}
	for _, ep := range s.EntryPoints {
		if strings.EqualFold(ep.Name, name) {
			return ep
		}
	}
	return nil
}

// EntryPoint is one entry point.
type EntryPoint struct {
	Name    string
	Address *cfgnode.Node
	// Insecure is forwardedHeaders.insecure and TrustedIPs
	// forwardedHeaders.trustedIPs: whose X-Forwarded-* headers (the client
	// certificate ones included) Traefik keeps.
	Insecure   *cfgnode.Node
	TrustedIPs []*cfgnode.Node
	// TLS is http.tls: TLS for every router of the entry point; TLSOptions
	// its options name.
	TLS, TLSOptions *cfgnode.Node
	// Middlewares are http.middlewares, applied to every router of the
	// entry point before its own.
	Middlewares []*cfgnode.Node
	// Underscores is http.underscoreHeadersStrategy (keep, delete,
	// reject; nil: keep).
	Underscores *cfgnode.Node
	// RedirectTo is http.redirections.entryPoint.to: every request is
	// redirected there instead of routed.
	RedirectTo *cfgnode.Node
	AsDefault  bool
	Range      source.Range // the entry point's key
}

// Port is the entry point's port (":443", "0.0.0.0:443/tcp" → "443").
func (ep *EntryPoint) Port() (host, port string) {
	a := strings.TrimSpace(ep.Address.Text())
	if i := strings.IndexByte(a, '/'); i >= 0 {
		a = a[:i]
	}
	if i := strings.LastIndexByte(a, ':'); i >= 0 {
		return strings.Trim(a[:i], "[]"), a[i+1:]
	}
	return "", ""
}

// Dynamic is Traefik's dynamic (routing) configuration from one source: a
// file of the file provider, the labels of one container, or a custom
// resource.
type Dynamic struct {
	Routers     []*Router
	Services    []*Service
	Middlewares []*Middleware
	TLSOptions  []*TLSOption
	// Provider is "file", "docker" or "kubernetescrd": the suffix a
	// reference from another provider names it with ("auth@file").
	Provider string
}

// Router is one HTTP router.
type Router struct {
	Name        string
	Rule        *cfgnode.Node
	Service     *cfgnode.Node
	EntryPoints []*cfgnode.Node
	Middlewares []*cfgnode.Node
	// TLS is the router's tls section (set: the router serves HTTPS), and
	// TLSOptions its options name (nil: "default").
	TLS, TLSOptions *cfgnode.Node
	// Priority is the router's priority (nil: the length of its rule).
	Priority *cfgnode.Node
	Range    source.Range
	// Container is the compose service whose labels define the router
	// ("" otherwise): its default service.
	Container string
}

// Service is one HTTP service.
type Service struct {
	Name string
	// Servers are loadBalancer.servers[].url.
	Servers []*cfgnode.Node
	// Port is loadBalancer.server.port (labels: the container's port).
	Port      *cfgnode.Node
	Container string
	Range     source.Range
}

// Middleware is one HTTP middleware.
type Middleware struct {
	Name string
	// PassTLSClientCert is the passTLSClientCert section; PEM and Info
	// say what it forwards (X-Forwarded-Tls-Client-Cert, -Info).
	PassTLSClientCert *cfgnode.Node
	PEM               bool
	Info              bool
	// RequestHeaders are headers.customRequestHeaders (an empty value
	// removes the header).
	RequestHeaders []*cfgnode.Node
	// AuthResponseHeaders are forwardAuth.authResponseHeaders: headers
	// replaced with the authentication server's answer.
	AuthResponseHeaders []*cfgnode.Node
	// Chain lists chain.middlewares.
	Chain []*cfgnode.Node
	// RedirectScheme is the redirectScheme section: requests not already
	// on its scheme are redirected.
	RedirectScheme *cfgnode.Node
	// SourceRange is ipAllowList.sourceRange (ipWhiteList before v3):
	// requests from other addresses are refused; SourceRangeStrategy its
	// ipStrategy, which takes the address from X-Forwarded-For.
	SourceRange         []*cfgnode.Node
	SourceRangeStrategy *cfgnode.Node
	Range               source.Range
}

// TLSOption is one entry of tls.options.
type TLSOption struct {
	Name           string
	ClientAuthType *cfgnode.Node // nil: RequireAndVerifyClientCert with CAs, else NoClientCert
	CAFiles        []*cfgnode.Node
	Range          source.Range
}

// ClientAuth is the client authentication in effect, as Traefik's TLS
// manager resolves it: with CA files and no type it requires and
// verifies.
func (o *TLSOption) ClientAuth() string {
	if t := strings.TrimSpace(o.ClientAuthType.Text()); t != "" {
		return t
	}
	if len(o.CAFiles) > 0 {
		return "RequireAndVerifyClientCert"
	}
	return "NoClientCert"
}

// readStatic reads the entry points of a static configuration.
func readStatic(root *cfgnode.Node, at source.Range) *Static {
	eps := root.GetFold("entryPoints")
	if eps == nil {
		return nil
	}
	s := &Static{Range: at}
	for _, n := range eps.Entries() {
		ep := &EntryPoint{Name: n.Key, Range: n.Opening(), Address: n.GetFold("address")}
		fh := n.GetFold("forwardedHeaders")
		ep.Insecure = fh.GetFold("insecure")
		ep.TrustedIPs = fh.GetFold("trustedIPs").List()
		http := n.GetFold("http")
		if tls := http.GetFold("tls"); tls != nil {
			ep.TLS, ep.TLSOptions = tls, tls.GetFold("options")
			if v, ok := tls.Bool(); ok && !v {
				ep.TLS = nil
			}
		}
		ep.Middlewares = http.GetFold("middlewares").List()
		ep.Underscores = http.GetFold("underscoreHeadersStrategy")
		ep.RedirectTo = http.PathFold("redirections", "entryPoint", "to")
		ep.AsDefault, _ = n.GetFold("asDefault").Bool()
		s.EntryPoints = append(s.EntryPoints, ep)
	}
	return s
}

// readDynamic reads the HTTP routers, services, middlewares and TLS
// options of a dynamic configuration.
func readDynamic(root *cfgnode.Node, provider, container string) *Dynamic {
	d := &Dynamic{Provider: provider}
	http := root.GetFold("http")
	for _, n := range http.GetFold("routers").Entries() {
		r := &Router{Name: n.Key, Range: n.Opening(), Rule: n.GetFold("rule"), Service: n.GetFold("service"),
			EntryPoints: n.GetFold("entryPoints").List(), Middlewares: n.GetFold("middlewares").List(), Container: container,
			Priority: n.GetFold("priority")}
		if tls := n.GetFold("tls"); tls != nil {
			if v, ok := tls.Bool(); !ok || v {
				r.TLS, r.TLSOptions = tls, tls.GetFold("options")
			}
		}
		d.Routers = append(d.Routers, r)
	}
	for _, n := range http.GetFold("services").Entries() {
		lb := n.GetFold("loadBalancer")
		s := &Service{Name: n.Key, Range: n.Opening(), Port: lb.PathFold("server", "port"), Container: container}
		for _, srv := range lb.GetFold("servers").List() {
			if u := srv.GetFold("url"); u != nil {
				s.Servers = append(s.Servers, u)
			}
		}
		if u := lb.PathFold("server", "url"); u != nil {
			s.Servers = append(s.Servers, u)
		}
		d.Services = append(d.Services, s)
	}
	for _, n := range http.GetFold("middlewares").Entries() {
		d.Middlewares = append(d.Middlewares, readMiddleware(n.Key, n))
	}
	for _, n := range root.PathFold("tls", "options").Entries() {
		d.TLSOptions = append(d.TLSOptions, readTLSOption(n.Key, n))
	}
	return d
}

func readMiddleware(name string, n *cfgnode.Node) *Middleware {
	m := &Middleware{Name: name, Range: n.Opening()}
	if p := n.GetFold("passTLSClientCert"); p != nil {
		m.PassTLSClientCert = p
		m.PEM, _ = p.GetFold("pem").Bool()
		// info forwards X-Forwarded-Tls-Client-Cert-Info when any of
		// its fields is set.
		p.GetFold("info").Walk(func(x *cfgnode.Node) bool {
			if v, ok := x.Bool(); ok && v {
				m.Info = true
			}
			return true
		})
	}
	m.RequestHeaders = n.PathFold("headers", "customRequestHeaders").Entries()
	m.AuthResponseHeaders = n.PathFold("forwardAuth", "authResponseHeaders").List()
	m.Chain = n.PathFold("chain", "middlewares").List()
	m.RedirectScheme = n.GetFold("redirectScheme")
	for _, k := range []string{"ipAllowList", "ipWhiteList"} {
		if a := n.GetFold(k); a != nil {
			m.SourceRange = a.GetFold("sourceRange").List()
			m.SourceRangeStrategy = a.GetFold("ipStrategy")
		}
	}
	return m
}

func readTLSOption(name string, n *cfgnode.Node) *TLSOption {
	ca := n.GetFold("clientAuth")
	o := &TLSOption{Name: name, Range: n.Opening(), ClientAuthType: ca.GetFold("clientAuthType")}
	o.CAFiles = ca.GetFold("caFiles").List()
	o.CAFiles = append(o.CAFiles, ca.GetFold("secretNames").List()...)
	return o
}

// fromPaths builds a map node from dotted keys ("http.routers.r.rule"),
// each with the range it is written at: Traefik's labels and command-line
// flags.
//
// Children are found through an index (a service may carry tens of
// thousands of labels: looking each up among its siblings was quadratic),
// and a key of more than cfgnode.MaxDepth parts is cut there, as deeper
// nodes are not walked.
func fromPaths(entries []pathEntry) *cfgnode.Node {
	root := &cfgnode.Node{Kind: cfgnode.Map}
	type childKey struct {
		parent *cfgnode.Node
		key    string
	}
	children := map[childKey]*cfgnode.Node{}
	for _, e := range entries {
		parts := strings.Split(e.key, ".")
		if len(parts) > cfgnode.MaxDepth {
			parts = parts[:cfgnode.MaxDepth]
		}
		n := root
		for i, p := range parts {
			k := childKey{n, strings.ToLower(p)}
			child := children[k]
			if child == nil || (child.Kind != cfgnode.Map && i < len(parts)-1) {
				child = &cfgnode.Node{Kind: cfgnode.Map, Key: p, KeyRange: e.at, Range: e.at}
				n.Fields = append(n.Fields, child)
				children[k] = child
			}
			n = child
		}
		if len(n.Fields) == 0 {
			n.Kind, n.Value = cfgnode.Scalar, e.value
			n.Range = e.at
			// A list option ("entrypoints=web,websecure") is a list.
			if listOptions[strings.ToLower(parts[len(parts)-1])] && strings.Contains(e.value, ",") {
				n.Kind = cfgnode.List
				for _, v := range strings.Split(e.value, ",") {
					n.Items = append(n.Items, &cfgnode.Node{Kind: cfgnode.Scalar, Value: strings.TrimSpace(v), Range: e.at})
				}
			}
		}
	}
	return root
}

// listOptions are the options whose label or flag value is a
// comma-separated list.
var listOptions = map[string]bool{"entrypoints": true, "middlewares": true, "trustedips": true, "cafiles": true, "secretnames": true, "sourcerange": true}

type pathEntry struct {
	key, value string
	at         source.Range
}
