package envoy

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mtlslint/mtlslint/parsers/cfgnode"
	"github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// IstioKinds are the Istio custom resources this package reads from
// manifests; parsers/k8s recognises files holding them (k8s.DetectKinds).
var IstioKinds = map[string]bool{"Gateway": true, "VirtualService": true, "EnvoyFilter": true, "PeerAuthentication": true, "IstioOperator": true}

// Istio is the Istio configuration of one cluster of manifests.
type Istio struct {
	Gateways        []*Gateway
	VirtualServices []*VirtualService
	PeerAuths       []*PeerAuthentication
	// GatewayXFCC are the settings of how gateways handle XFCC: an
	// EnvoyFilter patching the gateways' HTTP connection manager, the
	// proxy.istio.io/config annotation of a gateway's pods, or the mesh
	// configuration's gatewayTopology (an IstioOperator, the istio
	// ConfigMap), in that order of precedence.
	GatewayXFCC []*XFCCSetting
	// SidecarXFCC are EnvoyFilters that patch the sidecars' inbound
	// connection manager.
	SidecarXFCC []*XFCCSetting
}

// Gateway is an Istio Gateway (networking.istio.io).
type Gateway struct {
	Obj      *k8s.Object
	Selector map[string]string
	Servers  []*GatewayServer
}

// GatewayServer is one server of a Gateway.
type GatewayServer struct {
	Port     string
	Protocol string
	Hosts    []string
	// TLSMode is tls.mode: SIMPLE, MUTUAL, OPTIONAL_MUTUAL, ISTIO_MUTUAL,
	// PASSTHROUGH, AUTO_PASSTHROUGH (nil: plain, unless the protocol is
	// HTTPS).
	TLSMode *cfgnode.Node
	// CA is tls.caCertificates, or the credentialName whose -cacert the
	// gateway reads.
	CA            string
	HTTPSRedirect bool
	Range         source.Range
}

// VirtualService is an Istio VirtualService.
type VirtualService struct {
	Obj      *k8s.Object
	Hosts    []string
	Gateways []string // "mesh" for sidecars; "ns/name" or "name"
	HTTP     []*HTTPRoute
}

// HTTPRoute is one http route of a VirtualService.
type HTTPRoute struct {
	Name         string
	Match        string
	Destinations []Destination
	// Set, Add and Remove are headers.request.set/add/remove.
	Set, Add []*cfgnode.Node
	Remove   []*cfgnode.Node
	// Terminal: a redirect or a direct response instead of a
	// destination.
	Terminal bool
	Range    source.Range
}

// Destination is a route's destination service.
type Destination struct {
	Host, Port string
	Range      source.Range
}

// PeerAuthentication is a PeerAuthentication (security.istio.io): the
// sidecars' mutual TLS mode.
type PeerAuthentication struct {
	Obj *k8s.Object
	// Selector selects workloads (nil: the namespace, or the mesh in
	// the root namespace).
	Selector map[string]string
	Mode     *cfgnode.Node // mtls.mode: UNSET, DISABLE, PERMISSIVE, STRICT
	// PortLevel is portLevelMtls: modes for single ports, which override
	// Mode on them.
	PortLevel *cfgnode.Node
	Range     source.Range
}

// XFCCSetting is a forward_client_cert_details value Istio applies.
type XFCCSetting struct {
	Obj *k8s.Object
	// Mode is the value (SANITIZE_SET, APPEND_FORWARD, …).
	Mode *cfgnode.Node
	// Selector selects the proxies it applies to (nil: all of them in
	// its scope); Pods are the labels of the pods it is set on (a pod
	// annotation).
	Selector, Pods map[string]string
	// Source says where it is set ("EnvoyFilter", "proxy.istio.io/config
	// annotation", "IstioOperator meshConfig").
	Source string
}

// ReadIstio decodes the Istio objects among a cluster's objects.
func ReadIstio(objs []*k8s.Object) *Istio {
	in := &Istio{}
	for _, o := range objs {
		if o.Node == nil || o.File == nil {
			continue
		}
		group := o.APIVersion
		if i := strings.IndexByte(group, '/'); i >= 0 {
			group = group[:i]
		}
		kind := istioKind(o, group)
		if kind == "" {
			continue // converting its tree would be wasted: most objects are not read
		}
		root := cfgnode.FromYAML(o.File, o.Node)
		spec := root.Get("spec")
		switch kind {
		case "Gateway":
			in.Gateways = append(in.Gateways, readGateway(o, spec))
		case "VirtualService":
			in.VirtualServices = append(in.VirtualServices, readVirtualService(o, spec))
		case "PeerAuthentication":
			pa := &PeerAuthentication{Obj: o, Mode: spec.Path("mtls", "mode"), PortLevel: spec.Get("portLevelMtls"), Range: o.Range}
			if sel := spec.Path("selector", "matchLabels"); sel != nil {
				pa.Selector = labels(sel)
			}
			in.PeerAuths = append(in.PeerAuths, pa)
		case "EnvoyFilter":
			in.readEnvoyFilter(o, spec)
		case "IstioOperator":
			if m := spec.Path("meshConfig", "defaultConfig", "gatewayTopology", "forwardClientCertDetails"); m.IsSet() {
				in.GatewayXFCC = append(in.GatewayXFCC, &XFCCSetting{Obj: o, Mode: m, Source: "IstioOperator meshConfig.defaultConfig.gatewayTopology"})
			}
		case workloadKind:
			in.readProxyConfig(o, root)
		}
	}
	return in
}

// workloadKind stands for any workload in istioKind.
const workloadKind = "workload"

// istioKind is what ReadIstio reads an object as: its kind when it is one
// of Istio's resources ReadIstio reads, workloadKind for a workload (its
// proxy configuration annotations), "" for anything else.
func istioKind(o *k8s.Object, group string) string {
	switch {
	case group == "networking.istio.io" && (o.Kind == "Gateway" || o.Kind == "VirtualService" || o.Kind == "EnvoyFilter"),
		group == "security.istio.io" && o.Kind == "PeerAuthentication",
		o.Kind == "IstioOperator":
		return o.Kind
	case o.Workload != nil:
		return workloadKind
	}
	return ""
}

func labels(n *cfgnode.Node) map[string]string {
	m := map[string]string{}
	for _, f := range n.Entries() {
		m[f.Key] = f.Text()
	}
	return m
}

func texts(ns []*cfgnode.Node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Text())
	}
	return out
}

func readGateway(o *k8s.Object, spec *cfgnode.Node) *Gateway {
	g := &Gateway{Obj: o, Selector: labels(spec.Get("selector"))}
	for _, s := range spec.Get("servers").List() {
		srv := &GatewayServer{
			Port:     s.Path("port", "number").Text(),
			Protocol: strings.ToUpper(s.Path("port", "protocol").Text()),
			Hosts:    texts(s.Get("hosts").List()),
			TLSMode:  s.Path("tls", "mode"),
			Range:    s.Opening(),
		}
		srv.HTTPSRedirect, _ = s.Path("tls", "httpsRedirect").Bool()
		srv.CA = s.Path("tls", "caCertificates").Text()
		if srv.CA == "" && s.Path("tls", "credentialName").Text() != "" {
			srv.CA = s.Path("tls", "credentialName").Text() + "-cacert"
		}
		g.Servers = append(g.Servers, srv)
	}
	return g
}

func readVirtualService(o *k8s.Object, spec *cfgnode.Node) *VirtualService {
	vs := &VirtualService{Obj: o, Hosts: texts(spec.Get("hosts").List()), Gateways: texts(spec.Get("gateways").List())}
	for _, h := range spec.Get("http").List() {
		r := &HTTPRoute{Name: h.Get("name").Text(), Range: h.Opening()}
		var ms []string
		for _, m := range h.Get("match").List() {
			for _, k := range []string{"prefix", "exact", "regex"} {
				if v := m.Path("uri", k); v.IsSet() {
					ms = append(ms, k+" "+v.Text())
				}
			}
		}
		r.Match = strings.Join(ms, " or ")
		if r.Match == "" {
			r.Match = "any path"
		}
		for _, d := range h.Get("route").List() {
			dst := d.Get("destination")
			r.Destinations = append(r.Destinations, Destination{Host: dst.Get("host").Text(), Port: dst.Path("port", "number").Text(), Range: dst.Get("host").Line()})
		}
		r.Terminal = h.Get("redirect").IsSet() || h.Get("directResponse").IsSet()
		req := h.Path("headers", "request")
		r.Set, r.Add, r.Remove = req.Get("set").Entries(), req.Get("add").Entries(), req.Get("remove").List()
		vs.HTTP = append(vs.HTTP, r)
	}
	return vs
}

// readEnvoyFilter finds the patches that set forward_client_cert_details
// on an HTTP connection manager: of the gateways (context GATEWAY) or of
// the sidecars' inbound listeners (SIDECAR_INBOUND).
func (in *Istio) readEnvoyFilter(o *k8s.Object, spec *cfgnode.Node) {
	sel := labels(spec.Path("workloadSelector", "labels"))
	if len(sel) == 0 {
		sel = nil
	}
	for _, p := range spec.Get("configPatches").List() {
		ctx := strings.ToUpper(p.Path("match", "context").Text())
		v := p.Path("patch", "value")
		mode := v.Path("typed_config", "forward_client_cert_details")
		if mode == nil {
			mode = v.Path("typedConfig", "forwardClientCertDetails")
		}
		if mode == nil {
			mode = field(v, "forward_client_cert_details")
		}
		if !mode.IsSet() {
			continue
		}
		s := &XFCCSetting{Obj: o, Mode: mode, Selector: sel, Source: "EnvoyFilter " + o.NamespacedName()}
		switch ctx {
		case "GATEWAY":
			in.GatewayXFCC = append([]*XFCCSetting{s}, in.GatewayXFCC...)
		case "SIDECAR_INBOUND", "ANY", "":
			in.SidecarXFCC = append(in.SidecarXFCC, s)
			if ctx != "SIDECAR_INBOUND" {
				in.GatewayXFCC = append([]*XFCCSetting{s}, in.GatewayXFCC...)
			}
		}
	}
}

// readProxyConfig reads a workload's proxy.istio.io/config pod annotation
// for gatewayTopology.forwardClientCertDetails. The annotation is YAML (or
// JSON) in a string: findings point at the annotation.
func (in *Istio) readProxyConfig(o *k8s.Object, root *cfgnode.Node) {
	ann := root.Path("spec", "template", "metadata", "annotations", "proxy.istio.io/config")
	if ann == nil {
		ann = root.Path("metadata", "annotations", "proxy.istio.io/config")
	}
	if ann.Text() == "" {
		return
	}
	var cfg struct {
		GatewayTopology struct {
			ForwardClientCertDetails string `yaml:"forwardClientCertDetails"`
		} `yaml:"gatewayTopology"`
	}
	if yaml.Unmarshal([]byte(ann.Text()), &cfg) != nil || cfg.GatewayTopology.ForwardClientCertDetails == "" {
		return
	}
	mode := &cfgnode.Node{Kind: cfgnode.Scalar, Value: cfg.GatewayTopology.ForwardClientCertDetails, Key: ann.Key, KeyRange: ann.KeyRange, Range: ann.Range}
	in.GatewayXFCC = append(in.GatewayXFCC, &XFCCSetting{Obj: o, Mode: mode, Pods: o.Workload.PodLabels, Source: "proxy.istio.io/config annotation of " + o.Ref()})
}

// AppliesTo reports whether the setting applies to the proxies a
// Gateway's selector picks.
func (s *XFCCSetting) AppliesTo(gatewaySelector map[string]string) bool {
	if s.Pods != nil {
		return len(gatewaySelector) > 0 && Selects(gatewaySelector, s.Pods)
	}
	return Selects(s.Selector, gatewaySelector)
}

// Selects reports whether a selector (nil: everything) matches labels.
func Selects(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// IstioRootNamespace is the mesh's root namespace (meshConfig.rootNamespace
// by default): a PeerAuthentication there without a selector applies to
// the whole mesh.
const IstioRootNamespace = "istio-system"

// StrictFor returns the PeerAuthentication that makes the sidecar of a
// workload refuse every connection without mutual TLS, on every port, or
// nil. Istio applies the most specific policy (one selecting the
// workload, then its namespace's, then the mesh's), and a mode UNSET
// inherits the next one's; a level whose policies disagree (Istio takes
// the oldest, which the manifests do not tell) or that sets a port a mode
// other than STRICT does not count as strict.
func (in *Istio) StrictFor(w *k8s.Workload) *PeerAuthentication {
	levels := [3][]*PeerAuthentication{}
	for _, pa := range in.PeerAuths {
		switch {
		case pa.Selector != nil && k8s.SameNamespace(pa.Obj, w.Obj) && Selects(pa.Selector, w.PodLabels):
			levels[0] = append(levels[0], pa)
		case pa.Selector == nil && k8s.SameNamespace(pa.Obj, w.Obj):
			levels[1] = append(levels[1], pa)
		case pa.Selector == nil && pa.Obj.Namespace.Value == IstioRootNamespace:
			levels[2] = append(levels[2], pa)
		}
	}
	for _, level := range levels {
		var set []*PeerAuthentication
		for _, pa := range level {
			if m := Enum(pa.Mode); m != "" && m != "UNSET" || pa.PortLevel.IsSet() {
				set = append(set, pa)
			}
		}
		if len(set) == 0 {
			continue // nothing decided here: the next level's mode applies
		}
		for _, pa := range set {
			if Enum(pa.Mode) != "STRICT" || weakensPort(pa.PortLevel) {
				return nil
			}
		}
		return set[0]
	}
	return nil
}

// weakensPort reports whether portLevelMtls gives a port a mode other than
// STRICT; UNSET, or no mode, keeps the policy's own. A value that is no
// map of ports is undecided and counts as weakening.
func weakensPort(portLevel *cfgnode.Node) bool {
	if !portLevel.IsSet() {
		return false
	}
	if portLevel.Kind != cfgnode.Map {
		return true
	}
	for _, port := range portLevel.Entries() {
		if m := Enum(port.Get("mode")); port.Kind != cfgnode.Map || m != "" && m != "UNSET" && m != "STRICT" {
			return true
		}
	}
	return false
}
