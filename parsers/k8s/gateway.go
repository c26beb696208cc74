package k8s

import (
	"gopkg.in/yaml.v3"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The Kubernetes Gateway API (gateway.networking.k8s.io): Gateways with
// their listeners and client-certificate validation, the HTTPRoutes that
// attach to them, the BackendTLSPolicies that turn on TLS to a Service, and
// GatewayClasses; and IngressClasses, which say which controller serves an
// Ingress.

// GatewayGroup is the API group of the Gateway API.
const GatewayGroup = "gateway.networking.k8s.io"

// Gateway is a Gateway API Gateway.
type Gateway struct {
	Obj       *Object
	ClassName Scalar // spec.gatewayClassName
	Listeners []GatewayListener
	// Frontend is spec.tls.frontend (Gateway API 1.4 experimental,
	// standard since 1.5): client-certificate validation for every HTTPS
	// listener, by default and per port. Nil when not written.
	Frontend *FrontendTLS
	// BackendClientCert is spec.tls.backend.clientCertificateRef: the
	// certificate the Gateway presents to backends it connects to over
	// TLS (Gateway API 1.4). Nil when not written.
	BackendClientCert *ObjectRef
}

// GatewayListener is one entry of spec.listeners.
type GatewayListener struct {
	Name     Scalar
	Hostname Scalar
	Port     Scalar
	Protocol Scalar // HTTP, HTTPS, TLS, TCP, UDP
	// TLS reports whether the listener has a tls section; TLSMode is
	// tls.mode (Terminate when not written).
	TLS             bool
	TLSMode         Scalar
	CertificateRefs []ObjectRef
	// LegacyValidation is tls.frontendValidation, the listener-level
	// field of Gateway API 1.1 to 1.3 (experimental channel), removed in
	// 1.4 in favour of spec.tls.frontend.
	LegacyValidation *FrontendValidation
	// AllowedFrom is allowedRoutes.namespaces.from (Same when not written).
	AllowedFrom Scalar
	// AllowedKinds are the kinds of allowedRoutes.kinds (empty: the kinds
	// the protocol supports).
	AllowedKinds []string
	Range        source.Range
}

// FrontendTLS is a Gateway's spec.tls.frontend.
type FrontendTLS struct {
	// Default is default.validation; nil when not written.
	Default *FrontendValidation
	PerPort []PortValidation
	Range   source.Range // the "frontend:" line
}

// PortValidation is one entry of spec.tls.frontend.perPort.
type PortValidation struct {
	Port Scalar
	// Validation is tls.validation; nil when the entry has none, which
	// turns validation off for the port.
	Validation *FrontendValidation
	Range      source.Range
}

// FrontendValidation is a client-certificate validation: the CAs and the
// mode.
type FrontendValidation struct {
	CACertificateRefs []ObjectRef
	// Mode is AllowValidOnly (the default) or AllowInsecureFallback;
	// unset in the legacy listener field, which had no mode.
	Mode  Scalar
	Range source.Range // the "validation:" or "frontendValidation:" line
}

// ObjectRef is a reference to another object (certificateRefs,
// caCertificateRefs, parentRefs, backendRefs).
type ObjectRef struct {
	Group, Kind, Name, Namespace Scalar
	// SectionName and Port select part of a parent (parentRefs), or the
	// port of a backend (backendRefs).
	SectionName, Port Scalar
	Range             source.Range
}

// HTTPRoute is a Gateway API HTTPRoute.
type HTTPRoute struct {
	Obj        *Object
	ParentRefs []ObjectRef
	Hostnames  []Scalar
	Rules      []HTTPRouteRule
}

// HTTPRouteRule is one entry of spec.rules.
type HTTPRouteRule struct {
	// Paths are the path values of the rule's matches (empty: "/").
	Paths       []Scalar
	Filters     []HTTPFilter
	BackendRefs []HTTPBackendRef
	Range       source.Range
}

// HTTPBackendRef is one entry of a rule's backendRefs, with its own
// filters.
type HTTPBackendRef struct {
	ObjectRef
	Filters []HTTPFilter
}

// HTTPFilter is one filter of a rule or a backendRef.
type HTTPFilter struct {
	Type Scalar
	// Set, Add and Remove are requestHeaderModifier's (only for type
	// RequestHeaderModifier).
	Set, Add []HeaderValue
	Remove   []Scalar
	Range    source.Range
}

// HeaderValue is one entry of a header modifier's set or add.
type HeaderValue struct {
	Name, Value Scalar
	Range       source.Range
}

// BackendTLSPolicy is a Gateway API BackendTLSPolicy: a Gateway connects
// over TLS to the Services (or their ports) it targets.
type BackendTLSPolicy struct {
	Obj *Object
	// TargetRefs are spec.targetRefs (v1alpha3 and v1), or the single
	// spec.targetRef of v1alpha2 (Gateway API 1.0).
	TargetRefs []ObjectRef
}

// GatewayClass is a Gateway API GatewayClass.
type GatewayClass struct {
	Obj            *Object
	ControllerName Scalar
}

// IngressClass is a networking.k8s.io IngressClass.
type IngressClass struct {
	Obj        *Object
	Controller Scalar // spec.controller, e.g. ingress.k8s.aws/alb
}

// Gateways returns every Gateway API Gateway of the cluster.
func (c *Cluster) Gateways() []*Gateway {
	var out []*Gateway
	for _, o := range c.Objects {
		if o.Gateway != nil {
			out = append(out, o.Gateway)
		}
	}
	return out
}

// HTTPRoutes returns every HTTPRoute of the cluster.
func (c *Cluster) HTTPRoutes() []*HTTPRoute {
	var out []*HTTPRoute
	for _, o := range c.Objects {
		if o.HTTPRoute != nil {
			out = append(out, o.HTTPRoute)
		}
	}
	return out
}

// BackendTLSPolicies returns every BackendTLSPolicy of the cluster.
func (c *Cluster) BackendTLSPolicies() []*BackendTLSPolicy {
	var out []*BackendTLSPolicy
	for _, o := range c.Objects {
		if o.BackendTLSPolicy != nil {
			out = append(out, o.BackendTLSPolicy)
		}
	}
	return out
}

// GatewayClasses returns every GatewayClass of the cluster.
func (c *Cluster) GatewayClasses() []*GatewayClass {
	var out []*GatewayClass
	for _, o := range c.Objects {
		if o.GatewayClass != nil {
			out = append(out, o.GatewayClass)
		}
	}
	return out
}

// IngressClasses returns every IngressClass of the cluster.
func (c *Cluster) IngressClasses() []*IngressClass {
	var out []*IngressClass
	for _, o := range c.Objects {
		if o.IngressClass != nil {
			out = append(out, o.IngressClass)
		}
	}
	return out
}

func parseGateway(f *doc, o *Object) *Gateway {
	spec := child(o.Node, "spec")
	g := &Gateway{Obj: o, ClassName: scalar(f, spec, "gatewayClassName")}
	for _, l := range items(child(spec, "listeners")) {
		gl := GatewayListener{
			Name:        scalar(f, l, "name"),
			Hostname:    scalar(f, l, "hostname"),
			Port:        scalar(f, l, "port"),
			Protocol:    scalar(f, l, "protocol"),
			AllowedFrom: scalar(f, walkPath(l, "allowedRoutes", "namespaces"), "from"),
			Range:       f.openingRange(l),
		}
		for _, k := range items(walkPath(l, "allowedRoutes", "kinds")) {
			gl.AllowedKinds = append(gl.AllowedKinds, scalarValue(child(k, "kind")))
		}
		if k, tls := field(l, "tls"); k != nil {
			gl.TLS = true
			gl.TLSMode = scalar(f, tls, "mode")
			for _, r := range items(child(tls, "certificateRefs")) {
				gl.CertificateRefs = append(gl.CertificateRefs, parseRef(f, r))
			}
			gl.LegacyValidation = parseValidation(f, tls, "frontendValidation")
		}
		g.Listeners = append(g.Listeners, gl)
	}
	if k, fr := field(child(spec, "tls"), "frontend"); k != nil {
		ft := &FrontendTLS{Range: f.lineRange(k), Default: parseValidation(f, child(fr, "default"), "validation")}
		for _, pp := range items(child(fr, "perPort")) {
			ft.PerPort = append(ft.PerPort, PortValidation{
				Port:       scalar(f, pp, "port"),
				Validation: parseValidation(f, child(pp, "tls"), "validation"),
				Range:      f.openingRange(pp),
			})
		}
		g.Frontend = ft
	}
	if k, ref := field(walkPath(spec, "tls", "backend"), "clientCertificateRef"); k != nil {
		r := parseRef(f, ref)
		r.Range = f.lineRange(k)
		g.BackendClientCert = &r
	}
	return g
}

func parseBackendTLSPolicy(f *doc, o *Object) *BackendTLSPolicy {
	spec := child(o.Node, "spec")
	bp := &BackendTLSPolicy{Obj: o}
	for _, r := range items(child(spec, "targetRefs")) {
		bp.TargetRefs = append(bp.TargetRefs, parseRef(f, r))
	}
	if r := child(spec, "targetRef"); r != nil {
		bp.TargetRefs = append(bp.TargetRefs, parseRef(f, r))
	}
	return bp
}

// parseValidation reads the validation under key of n, or nil.
func parseValidation(f *doc, n *yaml.Node, key string) *FrontendValidation {
	k, v := field(n, key)
	if k == nil {
		return nil
	}
	fv := &FrontendValidation{Mode: scalar(f, v, "mode"), Range: f.lineRange(k)}
	for _, r := range items(child(v, "caCertificateRefs")) {
		fv.CACertificateRefs = append(fv.CACertificateRefs, parseRef(f, r))
	}
	return fv
}

func parseRef(f *doc, n *yaml.Node) ObjectRef {
	return ObjectRef{
		Group:       scalar(f, n, "group"),
		Kind:        scalar(f, n, "kind"),
		Name:        scalar(f, n, "name"),
		Namespace:   scalar(f, n, "namespace"),
		SectionName: scalar(f, n, "sectionName"),
		Port:        scalar(f, n, "port"),
		Range:       f.openingRange(n),
	}
}

func parseHTTPRoute(f *doc, o *Object) *HTTPRoute {
	spec := child(o.Node, "spec")
	hr := &HTTPRoute{Obj: o}
	for _, p := range items(child(spec, "parentRefs")) {
		hr.ParentRefs = append(hr.ParentRefs, parseRef(f, p))
	}
	for _, h := range items(child(spec, "hostnames")) {
		hr.Hostnames = append(hr.Hostnames, scalarOf(f, h))
	}
	for _, r := range items(child(spec, "rules")) {
		rule := HTTPRouteRule{Range: f.openingRange(r), Filters: parseFilters(f, child(r, "filters"))}
		for _, m := range items(child(r, "matches")) {
			if v := scalar(f, child(m, "path"), "value"); v.Set {
				rule.Paths = append(rule.Paths, v)
			}
		}
		for _, b := range items(child(r, "backendRefs")) {
			rule.BackendRefs = append(rule.BackendRefs, HTTPBackendRef{ObjectRef: parseRef(f, b), Filters: parseFilters(f, child(b, "filters"))})
		}
		hr.Rules = append(hr.Rules, rule)
	}
	return hr
}

func parseFilters(f *doc, n *yaml.Node) []HTTPFilter {
	var out []HTTPFilter
	for _, it := range items(n) {
		hf := HTTPFilter{Type: scalar(f, it, "type"), Range: f.openingRange(it)}
		mod := child(it, "requestHeaderModifier")
		for _, key := range []string{"set", "add"} {
			for _, h := range items(child(mod, key)) {
				hv := HeaderValue{Name: scalar(f, h, "name"), Value: scalar(f, h, "value"), Range: f.openingRange(h)}
				if key == "set" {
					hf.Set = append(hf.Set, hv)
				} else {
					hf.Add = append(hf.Add, hv)
				}
			}
		}
		for _, r := range items(child(mod, "remove")) {
			hf.Remove = append(hf.Remove, scalarOf(f, r))
		}
		out = append(out, hf)
	}
	return out
}
