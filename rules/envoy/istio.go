package envoy

import (
	"fmt"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/cfgnode"
	"github.com/mtlslint/mtlslint/parsers/envoy"
	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/rules"
	k8srules "github.com/mtlslint/mtlslint/rules/k8s"
)

// Istio's routes: for an ingress gateway, Gateway server × bound
// VirtualService × http route × destination → Service; for the sidecars
// of the workloads a PeerAuthentication selects, the connections the
// sidecar accepts (mutual TLS, and plain text unless STRICT) → the
// workload's app server.

// Istio's defaults for forward_client_cert_details (istio/api
// mesh/v1alpha1/proxy.proto, ForwardClientCertDetails).
const (
	gatewayDefaultXFCC = "SANITIZE_SET"
	sidecarDefaultXFCC = "APPEND_FORWARD"
)

// istioRoutes builds the routes of the Gateways and PeerAuthentications
// that a manifest file defines.
func istioRoutes(p *rules.Pass, f *kube.File) []*route {
	c := f.Cluster()
	ist := k8srules.IstioOf(p, c)
	if ist == nil {
		return nil
	}
	var out []*route
	for _, gw := range ist.Gateways {
		if gw.Obj.File == f.Root() {
			out = append(out, gatewayRoutes(p, c, ist, gw)...)
		}
	}
	for _, pa := range ist.PeerAuths {
		if pa.Obj.File == f.Root() {
			out = append(out, sidecarRoutes(c, ist, pa)...)
		}
	}
	return out
}

// bound reports whether a VirtualService applies to a Gateway.
func isBound(vs *envoy.VirtualService, gw *envoy.Gateway) bool {
	for _, g := range vs.Gateways {
		ns, name, ok := strings.Cut(g, "/")
		if !ok {
			ns, name = vs.Obj.NamespaceOrDefault(), g
		}
		if name == gw.Obj.Name.Value && (ns == gw.Obj.NamespaceOrDefault() || gw.Obj.Namespace.Value == "") {
			return true
		}
	}
	return false
}

// gatewayXFCC is the forward_client_cert_details the gateway's proxies
// use, and where it is set (zero for Istio's default).
func gatewayXFCC(ist *envoy.Istio, gw *envoy.Gateway) (*cfgnode.Node, string) {
	for _, s := range ist.GatewayXFCC {
		if s.AppliesTo(gw.Selector) {
			return s.Mode, s.Source
		}
	}
	return &cfgnode.Node{Kind: cfgnode.Scalar, Value: gatewayDefaultXFCC}, "Istio's default for gateways"
}

func gatewayRoutes(p *rules.Pass, c *kube.Cluster, ist *envoy.Istio, gw *envoy.Gateway) []*route {
	var out []*route
	mode, source := gatewayXFCC(ist, gw)
	for _, srv := range gw.Servers {
		tlsMode := envoy.Enum(srv.TLSMode)
		if tlsMode == "PASSTHROUGH" || tlsMode == "AUTO_PASSTHROUGH" || srv.HTTPSRedirect {
			continue // TLS not terminated here, or every request redirected
		}
		lst := rules.Listener{Endpoint: rules.Endpoint{Port: srv.Port}, TLS: tlsMode != "" || srv.Protocol == "HTTPS", Verify: rules.VerifyOff, Range: srv.Range, CA: srv.CA}
		switch tlsMode {
		case "MUTUAL", "ISTIO_MUTUAL":
			lst.Verify, lst.VerifyRange = rules.VerifyRequired, srv.TLSMode.Line()
		case "OPTIONAL_MUTUAL":
			lst.Verify, lst.VerifyRange = rules.VerifyOptional, srv.TLSMode.Line()
		}
		for _, vs := range ist.VirtualServices {
			if !isBound(vs, gw) {
				continue
			}
			for i, hr := range vs.HTTP {
				if hr.Terminal {
					continue
				}
				for j, d := range hr.Destinations {
					r := &route{Route: &rules.Route{
						ID:         fmt.Sprintf("istio:gateway:%s:%s>%s>%d>%d", gw.Obj.NamespacedName(), srv.Port, vs.Obj.NamespacedName(), i, j),
						Proxy:      "istio-gateway",
						Desc:       fmt.Sprintf("Gateway %s port %s, VirtualService %s, %s", gw.Obj.NamespacedName(), srv.Port, vs.Obj.NamespacedName(), hr.Match),
						Hosts:      vs.Hosts,
						Path:       hr.Match,
						Listener:   lst,
						Upstream:   k8srules.ServiceUpstream(p, c, vs.Obj, d.Host, d.Port),
						Headers:    map[string]rules.HeaderTreatment{},
						Default:    rules.Passthrough,
						OmitsEmpty: true,
						Gated:      lst.Verify == rules.VerifyRequired,
						Range:      hr.Range,
						Block:      srv.Range,
						SetHint:    gatewayHint,
					}, adds: map[string]*envoy.HeaderAdd{}}
					r.Upstream.Range = d.Range
					x := xfccTreatment(mode, r.certPossible())
					x.Note = strings.TrimSpace(x.Note + " (" + source + ")")
					r.Headers[xfcc] = x
					// Istio's gateways use the remote address: Envoy
					// overwrites X-Forwarded-Proto.
					r.Headers["x-forwarded-proto"] = rules.HeaderTreatment{Name: "X-Forwarded-Proto", Action: rules.SetOther, Value: "scheme of the connection", Fact: rules.FactScheme, Note: "set by the Istio gateway"}
					r.apply(virtualServiceHeaders(hr))
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// virtualServiceHeaders are an http route's headers.request as the
// header operations Istio gives Envoy: remove, set (overwrite), add
// (append).
func virtualServiceHeaders(hr *envoy.HTTPRoute) envoy.HeaderOps {
	ops := envoy.HeaderOps{Remove: hr.Remove}
	overwrite := &cfgnode.Node{Kind: cfgnode.Scalar, Value: "OVERWRITE_IF_EXISTS_OR_ADD"}
	for _, group := range []struct {
		entries []*cfgnode.Node
		action  *cfgnode.Node
	}{{hr.Set, overwrite}, {hr.Add, nil}} {
		for _, e := range group.entries {
			name := &cfgnode.Node{Kind: cfgnode.Scalar, Value: e.Key, Range: e.KeyRange}
			ops.Add = append(ops.Add, &envoy.HeaderAdd{Name: name, Value: e, AppendAction: group.action, Range: e.Line()})
		}
	}
	return ops
}

// sidecarRoutes are the connections the sidecars of the workloads a
// PeerAuthentication selects accept: mutual TLS, and plain text unless
// the mode is STRICT.
func sidecarRoutes(c *kube.Cluster, ist *envoy.Istio, pa *envoy.PeerAuthentication) []*route {
	mode := envoy.Enum(pa.Mode)
	at := pa.Mode.Line()
	if !at.IsValid() {
		at = pa.Range
	}
	var out []*route
	for _, w := range c.Workloads() {
		if !kube.SameNamespace(pa.Obj, w.Obj) && pa.Obj.Namespace.Value != "istio-system" {
			continue
		}
		if !envoy.Selects(pa.Selector, w.PodLabels) {
			continue
		}
		servers := k8srules.WorkloadServers(w)
		if len(servers) == 0 {
			continue
		}
		xfccMode, source := &cfgnode.Node{Kind: cfgnode.Scalar, Value: sidecarDefaultXFCC}, "Istio's default for sidecars"
		for _, s := range ist.SidecarXFCC {
			if envoy.Selects(s.Selector, w.PodLabels) {
				xfccMode, source = s.Mode, s.Source
				break
			}
		}
		for _, mtls := range []bool{true, false} {
			if (mtls && mode == "DISABLE") || (!mtls && mode == "STRICT") {
				continue
			}
			kind, verify := "mutual TLS", rules.VerifyRequired
			if !mtls {
				kind, verify = "plain text", rules.VerifyOff
			}
			r := &route{Route: &rules.Route{
				ID:       fmt.Sprintf("istio:sidecar:%s:%s:%t", pa.Obj.NamespacedName(), w.Obj.NamespacedName(), mtls),
				Proxy:    "istio-sidecar",
				Desc:     fmt.Sprintf("Istio sidecar of %s, %s (PeerAuthentication %s %s)", w.Obj.Ref(), kind, pa.Obj.NamespacedName(), modeName(mode)),
				Listener: rules.Listener{TLS: mtls, Verify: verify, Range: at, VerifyRange: at, CA: "the mesh CA"},
				Upstream: rules.Upstream{Name: w.Obj.Ref(), Workloads: servers, Range: w.Obj.Range},
				Headers:  map[string]rules.HeaderTreatment{},
				Default:  rules.Passthrough,
				Range:    at,
				Block:    pa.Range,
				SetHint:  sidecarHint,
			}}
			x := xfccTreatment(xfccMode, mtls)
			x.Note = strings.TrimSpace(x.Note + " (" + source + ")")
			r.Headers[xfcc] = x
			r.Headers["x-forwarded-proto"] = rules.HeaderTreatment{Name: "X-Forwarded-Proto", Action: rules.Unknown, Note: "the sidecar's X-Forwarded-Proto handling is not analysed"}
			out = append(out, r)
		}
	}
	return out
}

func modeName(mode string) string {
	if mode == "" || mode == "UNSET" {
		return "without a mode (PERMISSIVE)"
	}
	return mode
}

// gatewayHint says how a route of an Istio gateway overwrites a header:
// XFCC by the gateway's proxy configuration, anything else in the
// VirtualService's http route.
func gatewayHint(header string, _ rules.Fact) string {
	if rules.HeaderName(header) == xfcc {
		return "set `forwardClientCertDetails: SANITIZE_SET` in the gateway's proxy configuration (`gatewayTopology`)"
	}
	return fmt.Sprintf("remove the client's copy with `headers: { request: { remove: [%s] } }` in the VirtualService's http route", rules.DisplayHeader(header))
}

// sidecarHint says how a sidecar's route overwrites a header: XFCC by the
// workload's proxy configuration and mutual TLS only; the sidecar sets no
// other header.
func sidecarHint(header string, _ rules.Fact) string {
	if rules.HeaderName(header) == xfcc {
		return "use `mtls.mode: STRICT` and `forwardClientCertDetails: SANITIZE_SET` in the workload's `proxy.istio.io/config` annotation"
	}
	return fmt.Sprintf("remove the client's copy with `headers: { request: { remove: [%s] } }` in a VirtualService of the app", rules.DisplayHeader(header))
}
