package k8s

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// The Kubernetes Gateway API as the deployment model sees it: every
// HTTPRoute rule's backend, attached to every Gateway listener that
// accepts it, is a route from the listener to the Service's pods. The
// client-certificate validation of a listener is the Gateway's
// spec.tls.frontend (per port, or by default), or the listener-level
// tls.frontendValidation of Gateway API 1.1 to 1.3.

const (
	refGatewayTypes = "Gateway API apis/v1/gateway_types.go (FrontendTLSConfig, FrontendTLSValidation, FrontendValidationModeType) — https://github.com/kubernetes-sigs/gateway-api/blob/main/apis/v1/gateway_types.go"
	refGEP91        = "GEP-91: Client Certificate Validation for TLS terminating at the Gateway (Standard since v1.5) — https://gateway-api.sigs.k8s.io/geps/gep-91/"
	refGEP3567      = "GEP-3567: TLS connection coalescing and client certificate validation — https://gateway-api.sigs.k8s.io/geps/gep-3567/"
	refGatewayTLS   = "Gateway API TLS configuration guide — https://gateway-api.sigs.k8s.io/guides/user-guides/tls/"
	refHTTPRoute    = "Gateway API HTTPRoute: parentRefs, hostnames, RequestHeaderModifier — https://gateway-api.sigs.k8s.io/api-types/httproute/"
	refGateway14    = "Gateway API v1.4 CHANGELOG: client certificate validation moved from the listener to spec.tls.frontend; v1.5 CHANGELOG: moved to Standard — https://github.com/kubernetes-sigs/gateway-api/tree/main/CHANGELOG"
)

// Frontend validation modes (FrontendValidationModeType).
const (
	allowValidOnly        = "AllowValidOnly"
	allowInsecureFallback = "AllowInsecureFallback"
)

// gwAttachment is one way requests reach a Service through the Gateway
// API: an HTTPRoute rule's backend, on one listener of one Gateway.
type gwAttachment struct {
	gw       *kube.Gateway
	listener *kube.GatewayListener
	route    *kube.HTTPRoute
	ref      *kube.ObjectRef // the parentRef that attaches it
	rule     *kube.HTTPRouteRule
	ruleNo   int // 1-based
	backend  *kube.HTTPBackendRef
	hosts    []string
	// selector: the listener admits routes from namespaces a label
	// selector chooses, which the manifests may not decide.
	selector bool
	check    gwValidation
}

// gwValidation is the client-certificate validation that holds for a
// listener.
type gwValidation struct {
	v *kube.FrontendValidation // nil: none
	// where says which setting it is ("spec.tls.frontend.default", …).
	where string
	// legacy: the listener-level field of Gateway API 1.1 to 1.3.
	legacy bool
	// off is the per-port entry that turns validation off for the port,
	// when that is why there is none.
	off *kube.PortValidation
	rng source.Range
}

// verify maps the validation onto the model's modes.
func (c gwValidation) verify(l *kube.GatewayListener) rules.VerifyMode {
	if !isHTTPS(l) || c.v == nil {
		return rules.VerifyOff
	}
	if c.legacy {
		return rules.VerifyUnknown
	}
	switch strings.TrimSpace(c.v.Mode.Value) {
	case "", allowValidOnly:
		return rules.VerifyRequired
	case allowInsecureFallback:
		return rules.VerifyOptionalNoCA
	}
	return rules.VerifyUnknown
}

// validates reports whether the listener asks for client certificates in
// some way.
func (c gwValidation) validates() bool { return c.v != nil }

func isHTTPS(l *kube.GatewayListener) bool {
	return strings.EqualFold(strings.TrimSpace(l.Protocol.Value), "HTTPS")
}

// listenerValidation is the validation of one listener: the per-port
// entry of spec.tls.frontend for its port, else the default; without
// spec.tls.frontend, the legacy listener field. Only HTTPS listeners are
// validated (GEP-91: "all Listeners handling HTTPS traffic").
func listenerValidation(g *kube.Gateway, l *kube.GatewayListener) gwValidation {
	if !isHTTPS(l) {
		return gwValidation{}
	}
	if ft := g.Frontend; ft != nil {
		for i := range ft.PerPort {
			pp := &ft.PerPort[i]
			if strings.TrimSpace(pp.Port.Value) == strings.TrimSpace(l.Port.Value) {
				c := gwValidation{v: pp.Validation, where: "spec.tls.frontend.perPort (port " + pp.Port.Value + ")", rng: pp.Range}
				if pp.Validation == nil {
					c.off = pp
				} else {
					c.rng = pp.Validation.Range
				}
				return c
			}
		}
		if ft.Default != nil {
			return gwValidation{v: ft.Default, where: "spec.tls.frontend.default", rng: ft.Default.Range}
		}
		return gwValidation{where: "spec.tls.frontend", rng: ft.Range}
	}
	if l.LegacyValidation != nil {
		return gwValidation{v: l.LegacyValidation, where: "the listener's tls.frontendValidation", legacy: true, rng: l.LegacyValidation.Range}
	}
	return gwValidation{}
}

// gatewayCluster is the Gateway API of one cluster.
type gatewayCluster struct {
	cluster     *kube.Cluster
	attachments []*gwAttachment
}

// gatewayAPI attaches the HTTPRoutes of every cluster to the Gateways'
// listeners, once per run for the rules and the route builder.
var gatewayAPI = clusterAnalysis("k8s-gateway-api",
	"The Gateway API HTTPRoutes of every cluster attached to the Gateways' listeners, with each listener's client-certificate validation (clusterViews[*gatewayCluster]).",
	attachRoutes)

// gatewaysOf returns the Gateway API of every cluster.
func gatewaysOf(p *rules.Pass) clusterViews[*gatewayCluster] {
	return viewsOf[*gatewayCluster](p, gatewayAPI)
}

// clusterViews is a view of each cluster of the workspace.
type clusterViews[T any] map[*kube.Cluster]T

// clusterAnalysis declares a deployment-scope analysis that computes a
// view of each cluster.
func clusterAnalysis[T any](name, doc string, view func(*kube.Cluster) T) *rules.Analysis {
	return &rules.Analysis{Name: name, Doc: doc, Scope: rules.ScopeDeployment, Requires: requiresClusters,
		Build: func(p *rules.Pass) any {
			vs := clusterViews[T]{}
			for _, a := range clusters(p) {
				vs[a.cluster] = view(a.cluster)
			}
			return vs
		},
	}
}

// viewsOf returns the views an analysis declared with clusterAnalysis
// computed (empty when there are none).
func viewsOf[T any](p *rules.Pass, a *rules.Analysis) clusterViews[T] {
	vs, _ := p.ResultOf(a).(clusterViews[T])
	return vs
}

// attachRoutes attaches every HTTPRoute of a cluster to the listeners it
// names, as the Gateway API defines attachment: the parent Gateway (in
// the route's namespace unless named), the listener by sectionName or
// port or all of them, the listener's allowedRoutes, and hostnames that
// intersect.
func attachRoutes(c *kube.Cluster) *gatewayCluster {
	gc := &gatewayCluster{cluster: c}
	gws := c.Gateways()
	for _, hr := range c.HTTPRoutes() {
		seen := map[*kube.GatewayListener]bool{}
		for pi := range hr.ParentRefs {
			ref := &hr.ParentRefs[pi]
			if g := strings.TrimSpace(ref.Group.Value); ref.Group.Set && g != kube.GatewayGroup {
				continue
			}
			if k := strings.TrimSpace(ref.Kind.Value); ref.Kind.Set && k != "Gateway" {
				continue
			}
			for _, g := range gws {
				if g.Obj.Name.Value != ref.Name.Value || !parentNamespace(hr, *ref, g) {
					continue
				}
				for i := range g.Listeners {
					l := &g.Listeners[i]
					if seen[l] || !acceptsRoute(hr, *ref, g, l) {
						continue
					}
					hosts, ok := intersectHosts(l, hr)
					if !ok {
						continue
					}
					seen[l] = true
					check := listenerValidation(g, l)
					for ri := range hr.Rules {
						rule := &hr.Rules[ri]
						for bi := range rule.BackendRefs {
							b := &rule.BackendRefs[bi]
							if !isServiceRef(b.ObjectRef) {
								continue
							}
							gc.attachments = append(gc.attachments, &gwAttachment{
								gw: g, listener: l, route: hr, ref: ref, rule: rule, ruleNo: ri + 1, backend: b, hosts: hosts,
								selector: strings.TrimSpace(l.AllowedFrom.Value) == "Selector", check: check,
							})
						}
					}
				}
			}
		}
	}
	return gc
}

// parentNamespace reports whether a parentRef names the Gateway's
// namespace: its own namespace field, or the route's namespace. A
// manifest without a namespace matches any (kube.SameNamespace).
func parentNamespace(hr *kube.HTTPRoute, ref kube.ObjectRef, g *kube.Gateway) bool {
	if ns := strings.TrimSpace(ref.Namespace.Value); ns != "" {
		return g.Obj.Namespace.Value == "" || g.Obj.Namespace.Value == ns
	}
	return kube.SameNamespace(hr.Obj, g.Obj)
}

// acceptsRoute reports whether the listener takes the HTTPRoute: the
// parentRef's sectionName and port select it, it serves HTTP or HTTPS,
// allows the HTTPRoute kind, and routes from the route's namespace.
func acceptsRoute(hr *kube.HTTPRoute, ref kube.ObjectRef, g *kube.Gateway, l *kube.GatewayListener) bool {
	if s := strings.TrimSpace(ref.SectionName.Value); s != "" && s != l.Name.Value {
		return false
	}
	if p := strings.TrimSpace(ref.Port.Value); p != "" && p != strings.TrimSpace(l.Port.Value) {
		return false
	}
	switch strings.ToUpper(strings.TrimSpace(l.Protocol.Value)) {
	case "HTTP", "HTTPS":
	default:
		return false // TLS, TCP, UDP listeners take other route kinds
	}
	if len(l.AllowedKinds) > 0 && !slices.Contains(l.AllowedKinds, "HTTPRoute") {
		return false
	}
	switch strings.TrimSpace(l.AllowedFrom.Value) {
	case "", "Same":
		return kube.SameNamespace(hr.Obj, g.Obj)
	case "None":
		return false
	}
	return true // All, or Selector (taken to admit it: the worst case)
}

// intersectHosts is the host names the route is served for on the
// listener: the route's hostnames that match the listener's hostname. ok
// is false when they do not intersect (the route does not attach).
func intersectHosts(l *kube.GatewayListener, hr *kube.HTTPRoute) (hosts []string, ok bool) {
	lh := strings.TrimSpace(l.Hostname.Value)
	var rhs []string
	for _, h := range hr.Hostnames {
		if v := strings.TrimSpace(h.Value); v != "" {
			rhs = append(rhs, v)
		}
	}
	switch {
	case lh == "" && len(rhs) == 0:
		return nil, true
	case lh == "":
		return rhs, true
	case len(rhs) == 0:
		return []string{lh}, true
	}
	for _, h := range rhs {
		if hostMatches(lh, h) || hostMatches(h, lh) {
			hosts = append(hosts, h)
		}
	}
	return hosts, len(hosts) > 0
}

// hostMatches reports whether host name h falls under pattern p, which may
// start with a "*." wildcard label.
func hostMatches(p, h string) bool {
	p, h = strings.ToLower(p), strings.ToLower(h)
	if p == h {
		return true
	}
	if rest, ok := strings.CutPrefix(p, "*"); ok {
		return strings.HasSuffix(h, rest) && len(h) > len(rest)
	}
	return false
}

func isServiceRef(r kube.ObjectRef) bool {
	g, k := strings.TrimSpace(r.Group.Value), strings.TrimSpace(r.Kind.Value)
	return g == "" && (k == "" || k == "Service") && r.Name.Value != ""
}

// where names the attachment for messages.
func (at *gwAttachment) where() string {
	return fmt.Sprintf("%s rule %d on listener %s of %s", at.route.Obj.Ref(), at.ruleNo, at.listenerName(), at.gw.Obj.Ref())
}

func (at *gwAttachment) listenerName() string {
	return fmt.Sprintf("%s (%s :%s)", at.listener.Name.Value, strings.ToUpper(at.listener.Protocol.Value), at.listener.Port.Value)
}

// serviceRef is "namespace/name" of the backend Service.
func (at *gwAttachment) serviceRef() string {
	ns := at.backend.Namespace.Value
	if ns == "" {
		ns = at.route.Obj.NamespaceOrDefault()
	}
	return ns + "/" + at.backend.Name.Value
}

// serviceNamespace is the backend Service's namespace as written: the
// backendRef's, else the route's ("" when neither says, which matches any
// namespace).
func (at *gwAttachment) serviceNamespace() string {
	if ns := strings.TrimSpace(at.backend.Namespace.Value); ns != "" {
		return ns
	}
	return at.route.Obj.Namespace.Value
}

// serviceName names the backend Service for ServiceUpstream: its name,
// with ".namespace" when the backendRef names another namespace.
func (at *gwAttachment) serviceName() string {
	if ns := strings.TrimSpace(at.backend.Namespace.Value); ns != "" {
		return at.backend.Name.Value + "." + ns
	}
	return at.backend.Name.Value
}

// gatewayRoutes are the model's routes of the HTTPRoutes in one file.
func gatewayRoutes(p *rules.Pass, f *kube.File) []*rules.Route {
	c := f.Cluster()
	gc := gatewaysOf(p)[c]
	if gc == nil {
		return nil
	}
	ids := map[string]int{}
	var out []*rules.Route
	for _, at := range gc.attachments {
		if at.route.Obj.File != f.Root() {
			continue
		}
		out = append(out, gatewayRoute(p, c, at, ids))
	}
	rules.SortRoutes(out)
	return out
}

func gatewayRoute(p *rules.Pass, c *kube.Cluster, at *gwAttachment, ids map[string]int) *rules.Route {
	l := at.listener
	path := "/"
	if len(at.rule.Paths) > 0 {
		path = at.rule.Paths[0].Value
	}
	id := fmt.Sprintf("gateway:%s/%s:%s:rule%d:%s", at.gw.Obj.NamespacedName(), l.Name.Value, at.route.Obj.NamespacedName(), at.ruleNo, at.serviceRef())
	if n := ids[id]; n > 0 {
		ids[id] = n + 1
		id = fmt.Sprintf("%s#%d", id, n+1)
	} else {
		ids[id] = 1
	}
	port := at.backend.Port.Value
	verify := at.check.verify(l)
	r := &rules.Route{
		ID:    id,
		Proxy: "gateway-api",
		Desc:  fmt.Sprintf("%s, rule %d → Service %s, on listener %s of %s", at.route.Obj.Ref(), at.ruleNo, at.serviceRef(), at.listenerName(), at.gw.Obj.Ref()) + renderedIn(at.route.Obj),
		Hosts: at.hosts,
		Path:  path,
		Listener: rules.Listener{
			Endpoint: rules.Endpoint{Port: l.Port.Value},
			TLS:      isHTTPS(l),
			Verify:   verify,
			CA:       caNames(at.check.v),
			Range:    l.Name.Line(),
		},
		Upstream: ServiceUpstream(p, c, at.route.Obj, at.serviceName(), port),
		Default:  rules.Passthrough,
		Range:    at.rule.Range,
		Block:    at.route.Obj.Range,
		SetHint:  gatewaySetHint,
	}
	if !r.Listener.Range.IsValid() {
		r.Listener.Range = l.Range
	}
	if at.check.rng.IsValid() {
		r.Listener.VerifyRange = at.check.rng
	}
	r.Upstream.Range = at.backend.Name.Line()
	r.Headers = gatewayHeaders(at)
	if at.check.validates() {
		r.Identity = &rules.HeaderTreatment{Action: rules.Unknown, Note: "Gateway API defines no client-certificate header: " + implementationNote(at.gw)}
	}
	return r
}

func caNames(v *kube.FrontendValidation) string {
	if v == nil {
		return ""
	}
	var names []string
	for _, r := range v.CACertificateRefs {
		names = append(names, r.Name.Value)
	}
	return strings.Join(names, ",")
}

// implementationNote says that a client-certificate header is the
// implementation's business, naming the Gateway's class.
func implementationNote(g *kube.Gateway) string {
	class := "its GatewayClass"
	if c := strings.TrimSpace(g.ClassName.Value); c != "" {
		class = "GatewayClass " + c
	}
	return "whether the implementation behind " + class + " sets this header (from the connection or the verified certificate) and removes a client's copy is implementation specific"
}

// gatewayForwarded are headers every Gateway implementation may set or
// pass on its own terms: the Gateway API leaves them to the implementation.
var gatewayForwarded = []string{"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded", "x-forwarded-client-cert"}

// gatewayHeaders is how an attachment treats request headers: what the
// implementation does with the forwarding and XFCC headers is its own
// (unknown), and the RequestHeaderModifier filters of the rule and then of
// the backendRef set, add and remove headers. Every other header reaches
// the Service as the client sent it.
func gatewayHeaders(at *gwAttachment) map[string]rules.HeaderTreatment {
	h := map[string]rules.HeaderTreatment{}
	for _, name := range gatewayForwarded {
		h[name] = rules.HeaderTreatment{Name: name, Action: rules.Unknown, Note: "the Gateway API leaves it to the implementation: " + implementationNote(at.gw)}
	}
	apply := func(filters []kube.HTTPFilter, level string) {
		for _, f := range filters {
			if strings.TrimSpace(f.Type.Value) != "RequestHeaderModifier" {
				continue
			}
			for _, hv := range f.Set {
				name := strings.ToLower(strings.TrimSpace(hv.Name.Value))
				t := rules.HeaderTreatment{Name: hv.Name.Value, Action: rules.SetConst, Value: hv.Value.Value, Range: hv.Range, Note: "set by the RequestHeaderModifier of the " + level}
				if strings.Contains(hv.Value.Value, "%") {
					t.Action = rules.Unknown
					t.Note += "; some implementations read %…% in the value as a variable, which the Gateway API does not define"
				}
				h[name] = t
			}
			for _, hv := range f.Add {
				name := strings.ToLower(strings.TrimSpace(hv.Name.Value))
				t := rules.HeaderTreatment{Name: hv.Name.Value, Action: rules.Appended, Value: hv.Value.Value, Range: hv.Range, Note: "added after the client's copy by the RequestHeaderModifier of the " + level}
				if old, ok := h[name]; ok && (old.Action == rules.SetConst || old.Action == rules.Blanked) {
					t.Action = rules.SetConst
					t.Note = "set again by the RequestHeaderModifier of the " + level
				}
				h[name] = t
			}
			for _, rm := range f.Remove {
				name := strings.ToLower(strings.TrimSpace(rm.Value))
				h[name] = rules.HeaderTreatment{Name: rm.Value, Action: rules.Blanked, Range: rm.Range, Note: "removed by the RequestHeaderModifier of the " + level}
			}
		}
	}
	apply(at.rule.Filters, "HTTPRoute rule")
	apply(at.backend.Filters, "backendRef")
	return h
}

// gatewaySetHint says how an HTTPRoute treats a header in the Gateway
// API's terms: the route can remove or set a constant; a value from the
// client certificate is the implementation's.
func gatewaySetHint(header string, fact rules.Fact) string {
	name := rules.DisplayHeader(header)
	if fact == rules.FactNone || fact == rules.FactScheme || fact == rules.FactHost {
		return fmt.Sprintf("remove the client's copy with a `RequestHeaderModifier` filter (`remove: [%s]`) on the HTTPRoute rule", name)
	}
	return fmt.Sprintf("remove the client's copy with a `RequestHeaderModifier` filter (`remove: [%s]`) on the HTTPRoute rule, and attach the route only to listeners that validate client certificates; setting it from the certificate is implementation specific", name)
}

// gatewayEntrances groups a cluster's attachments by the Service they
// reach, in Service order.
func (gc *gatewayCluster) byService() (refs []string, by map[string][]*gwAttachment) {
	by = map[string][]*gwAttachment{}
	for _, at := range gc.attachments {
		ref := at.serviceRef()
		if by[ref] == nil {
			refs = append(refs, ref)
		}
		by[ref] = append(by[ref], at)
	}
	sort.Strings(refs)
	return refs, by
}
