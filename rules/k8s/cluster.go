package k8s

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/envoy"
	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// analysis is what ingress-nginx makes of a cluster's manifests: the
// controller's configuration, one server per host with the client
// certificate settings the controller applies to it, and every way
// requests reach each Service.
type analysis struct {
	cluster    *kube.Cluster
	controller controllerConfig
	ingresses  []*kube.Ingress // those ingress-nginx serves
	hosts      map[string]*hostInfo
	hostNames  []string
	entrances  map[string][]*entrance // Service reference -> entrances
	serviceRef []string               // keys of entrances, sorted
}

// catchAll is ingress-nginx's name for the server of rules without a host
// (and of requests for hosts no rule names).
const catchAll = "_"

// Clusters is what ingress-nginx makes of each cluster of the workspace,
// computed once per run: the files of one cluster are separate trees, and
// every rule and route builder read the same analysis (the Istio and
// Traefik route builders too, through ServiceUpstream).
var Clusters = &rules.Analysis{
	Name:  "k8s-clusters",
	Doc:   "The analysis of every cluster of the workspace's manifests (*clusterSet).",
	Scope: rules.ScopeDeployment,
	Build: func(p *rules.Pass) any {
		cs := &clusterSet{by: map[*kube.Cluster]*analysis{}}
		if p.Workspace == nil {
			return cs
		}
		for _, t := range p.Workspace.Trees {
			f, ok := t.(*kube.File)
			if !ok || f.Cluster() == nil || cs.by[f.Cluster()] != nil {
				continue
			}
			a := newAnalysis(f.Cluster())
			cs.by[f.Cluster()] = a
			cs.order = append(cs.order, a)
		}
		return cs
	},
}

// requiresClusters is what every Kubernetes rule requires.
var requiresClusters = []*rules.Analysis{Clusters}

// IstioResources is Istio's resources in each cluster of the workspace,
// read once per run: the files of a cluster are separate trees, and each
// asks for the resources it defines.
var IstioResources = &rules.Analysis{
	Name:  "istio-resources",
	Doc:   "Istio's resources (*envoy.Istio) of every cluster of the workspace's manifests (map[*k8s.Cluster]*envoy.Istio).",
	Scope: rules.ScopeDeployment,
	Build: func(p *rules.Pass) any {
		out := map[*kube.Cluster]*envoy.Istio{}
		if p.Workspace == nil {
			return out
		}
		for _, t := range p.Workspace.Trees {
			if f, ok := t.(*kube.File); ok && f.Cluster() != nil && out[f.Cluster()] == nil {
				out[f.Cluster()] = envoy.ReadIstio(f.Cluster().Objects)
			}
		}
		return out
	},
}

// IstioOf returns Istio's resources in a cluster, or nil; the pass's rule
// requires IstioResources.
func IstioOf(p *rules.Pass, c *kube.Cluster) *envoy.Istio {
	m, _ := p.ResultOf(IstioResources).(map[*kube.Cluster]*envoy.Istio)
	return m[c]
}

// clusterSet is the analysis of every cluster, in the order of their
// first files.
type clusterSet struct {
	order []*analysis
	by    map[*kube.Cluster]*analysis
}

// clusters returns the analyses of the workspace's clusters.
func clusters(p *rules.Pass) []*analysis {
	cs, _ := p.ResultOf(Clusters).(*clusterSet)
	if cs == nil {
		return nil
	}
	return cs.order
}

// clusterOf returns the analysis of the cluster a manifest file belongs
// to, or nil.
func clusterOf(p *rules.Pass, f *kube.File) *analysis {
	return analysisOf(p, f.Cluster())
}

// analysisOf returns the analysis of a cluster, or nil.
func analysisOf(p *rules.Pass, c *kube.Cluster) *analysis {
	cs, _ := p.ResultOf(Clusters).(*clusterSet)
	if cs == nil || c == nil {
		return nil
	}
	return cs.by[c]
}

// controllerConfig is the ingress-nginx controller ConfigMap's settings
// that change which headers reach an upstream.
type controllerConfig struct {
	maps []*kube.ConfigMap
	// underscores and invalidHeaders are where the ConfigMap admits
	// underscored or invalid header names (nil: the defaults, off/on).
	underscores    *setting
	invalidHeaders *setting
	// forwardedHeaders: use-forwarded-headers is true, so X-Forwarded-*
	// from the client are trusted.
	forwardedHeaders *setting
	fullForwardedFor bool
	// realIPFrom is proxy-real-ip-cidr when it narrows the default
	// 0.0.0.0/0: only those peers may then set the client address.
	realIPFrom  string
	sslRedirect bool
	namespaces  []string
}

// setting is one key of a controller ConfigMap.
type setting struct {
	cm    *kube.ConfigMap
	key   string
	value kube.Scalar
}

// controllerKeys are ConfigMap keys that only the ingress-nginx controller
// reads: a ConfigMap with one of them is taken for its configuration.
var controllerKeys = []string{
	"enable-underscores-in-headers", "ignore-invalid-headers", "use-forwarded-headers",
	"compute-full-forwarded-for", "proxy-real-ip-cidr", "forwarded-for-header",
	"use-proxy-protocol", "allow-snippet-annotations", "ssl-redirect", "proxy-set-headers",
	"enable-real-ip", "hsts", "server-tokens", "proxy-body-size", "ssl-protocols",
}

func isControllerConfigMap(cm *kube.ConfigMap) bool {
	name := strings.ToLower(cm.Obj.Name.Value + " " + cm.Obj.Namespace.Value)
	if strings.Contains(name, "ingress-nginx") || strings.Contains(name, "nginx-configuration") || strings.Contains(name, "nginx-ingress") {
		return true
	}
	for _, k := range controllerKeys[:4] {
		if _, ok := cm.Data[k]; ok {
			return true
		}
	}
	return false
}

// boolValue parses a ConfigMap or annotation boolean as the controller
// does (Go's strconv.ParseBool); ok is false when it is not one.
func boolValue(s kube.Scalar) (v, ok bool) {
	b, err := strconv.ParseBool(strings.TrimSpace(s.Value))
	return b, err == nil
}

func readController(c *kube.Cluster) controllerConfig {
	cfg := controllerConfig{sslRedirect: true}
	for _, cm := range c.ConfigMaps() {
		if !isControllerConfigMap(cm) {
			continue
		}
		cfg.maps = append(cfg.maps, cm)
		if ns := cm.Obj.Namespace.Value; ns != "" {
			cfg.namespaces = append(cfg.namespaces, ns)
		}
		// Several controller ConfigMaps (one per environment, say): the
		// worst of them holds for the analysis.
		if v, ok := boolValue(cm.Data["enable-underscores-in-headers"]); ok && v && cfg.underscores == nil {
			cfg.underscores = &setting{cm, "enable-underscores-in-headers", cm.Data["enable-underscores-in-headers"]}
		}
		if v, ok := boolValue(cm.Data["ignore-invalid-headers"]); ok && !v && cfg.invalidHeaders == nil {
			cfg.invalidHeaders = &setting{cm, "ignore-invalid-headers", cm.Data["ignore-invalid-headers"]}
		}
		if v, ok := boolValue(cm.Data["use-forwarded-headers"]); ok && v && cfg.forwardedHeaders == nil {
			cfg.forwardedHeaders = &setting{cm, "use-forwarded-headers", cm.Data["use-forwarded-headers"]}
		}
		if v, ok := boolValue(cm.Data["compute-full-forwarded-for"]); ok && v {
			cfg.fullForwardedFor = true
		}
		if v := strings.TrimSpace(cm.Data["proxy-real-ip-cidr"].Value); v != "" && v != "0.0.0.0/0" {
			cfg.realIPFrom = v
		}
		if v, ok := boolValue(cm.Data["ssl-redirect"]); ok && !v {
			cfg.sslRedirect = false
		}
	}
	return cfg
}

// otherControllers are ingress classes of controllers other than
// ingress-nginx: they ignore nginx.ingress.kubernetes.io annotations.
var otherControllers = []string{
	"traefik", "alb", "gce", "gce-internal", "kong", "haproxy", "istio", "contour",
	"ambassador", "emissary", "azure/application-gateway", "azure-application-gateway",
	"openshift-default", "cilium", "caddy", "skipper", "apisix", "voyager", "citrix",
}

// servedByIngressNginx reports whether ingress-nginx serves the Ingress:
// any class except those of other controllers (the class name of an
// ingress-nginx installation is free, "nginx" by default).
func servedByIngressNginx(in *kube.Ingress) bool {
	class := strings.ToLower(in.Class.Value)
	for _, o := range otherControllers {
		if class == o || strings.HasPrefix(class, o+"-") {
			return false
		}
	}
	return true
}

// authTLS is one Ingress's client-certificate annotations, read as
// ingress-nginx reads them.
type authTLS struct {
	ing     *kube.Ingress
	secret  kube.Scalar
	verify  kube.Scalar // as written
	mode    rules.VerifyMode
	name    string // on, off, optional, optional_no_ca
	pass    bool   // auth-tls-pass-certificate-to-upstream
	matchCN kube.Scalar
}

func readAuthTLS(in *kube.Ingress) authTLS {
	a := authTLS{
		ing:     in,
		secret:  in.Annotation("auth-tls-secret"),
		verify:  in.Annotation("auth-tls-verify-client"),
		matchCN: in.Annotation("auth-tls-match-cn"),
	}
	if v, ok := boolValue(in.Annotation("auth-tls-pass-certificate-to-upstream")); ok {
		a.pass = v
	}
	// Anything but the four values falls back to the default, "on"
	// (internal/ingress/annotations/authtls).
	a.name = "on"
	switch v := strings.TrimSpace(a.verify.Value); v {
	case "off", "optional", "optional_no_ca", "on":
		a.name = v
	}
	a.mode = verifyModes[a.name]
	return a
}

var verifyModes = map[string]rules.VerifyMode{
	"on": rules.VerifyRequired, "optional": rules.VerifyOptional,
	"optional_no_ca": rules.VerifyOptionalNoCA, "off": rules.VerifyOff,
}

// hasCA reports whether the annotations configure a CA: only then does
// the controller verify client certificates and set the ssl-client-*
// headers.
func (a authTLS) hasCA() bool { return strings.TrimSpace(a.secret.Value) != "" }

// secretUndecided reports whether the Ingress is read from a patch that
// changes annotations one by one and does not name auth-tls-secret: the
// base it is merged into decides, and it was not rendered.
func (a authTLS) secretUndecided() bool {
	return a.ing.Obj.PartialAnnotations && !a.secret.KeyRange.IsValid()
}

// weakness says what an optional mode lets through.
func (a authTLS) weakness() string {
	if a.name == "optional" {
		return "requests without a client certificate reach the app"
	}
	return "any self-signed certificate is accepted and its client-chosen subject DN reaches the app"
}

// strength orders configurations: no CA, then off < optional_no_ca <
// optional < on.
func (a authTLS) strength() int {
	if !a.hasCA() {
		return 0
	}
	return map[string]int{"off": 1, "optional_no_ca": 2, "optional": 3, "on": 4}[a.name]
}

// signature is what must agree between the Ingresses of one host.
func (a authTLS) signature() string {
	if !a.hasCA() {
		return "none"
	}
	return a.secret.Value + "|" + a.name + "|" + strconv.FormatBool(a.pass)
}

// describe says in words what the annotations configure.
func (a authTLS) describe() string {
	if !a.hasCA() {
		return "no auth-tls-secret"
	}
	s := "auth-tls-secret " + a.secret.Value + ", auth-tls-verify-client " + a.name
	if a.pass {
		s += ", certificate passed upstream"
	}
	return s
}

// hostInfo is one server of the controller: every Ingress rule for the
// host, and the client-certificate settings the controller applies to it.
type hostInfo struct {
	name    string
	members []hostMember
	// auth is the configuration that holds for the host; when CA-bearing
	// Ingresses disagree, the controller takes the first it reads (by
	// creation time), which the manifests do not tell, so this is the
	// weakest of them.
	auth authTLS
	// decided: auth does not depend on the order the controller reads the
	// Ingresses in.
	decided bool
	tls     bool // some Ingress has a TLS section for the host
}

type hostMember struct {
	ing  *kube.Ingress
	rule *kube.IngressRule
	auth authTLS
}

// entrance is one way requests reach a Service: an Ingress path, or an
// Ingress's default backend, on one host.
type entrance struct {
	ing       *kube.Ingress
	host      *hostInfo
	path      *kube.IngressPath // nil for a default backend
	backend   *kube.Backend
	isDefault bool
}

func (e *entrance) where() string {
	host := e.host.name
	if host == catchAll {
		host = "every host (catch-all)"
	}
	if e.isDefault {
		return "the default backend of Ingress " + e.ing.Obj.NamespacedName() + " on " + host
	}
	return "Ingress " + e.ing.Obj.NamespacedName() + " on " + host + " path " + e.path.Path.Value
}

func newAnalysis(c *kube.Cluster) *analysis {
	a := &analysis{cluster: c, controller: readController(c), hosts: map[string]*hostInfo{}, entrances: map[string][]*entrance{}}
	for _, in := range c.Ingresses() {
		if servedByIngressNginx(in) && !isALBIngress(c, in) {
			a.ingresses = append(a.ingresses, in)
		}
	}
	host := func(name string) *hostInfo {
		h := a.hosts[name]
		if h == nil {
			h = &hostInfo{name: name}
			a.hosts[name] = h
			a.hostNames = append(a.hostNames, name)
		}
		return h
	}
	for _, in := range a.ingresses {
		auth := readAuthTLS(in)
		for i := range in.Rules {
			r := &in.Rules[i]
			name := hostName(r)
			// A rule without http is skipped by the controller, except
			// for the catch-all server.
			if !r.HTTP && name != catchAll {
				continue
			}
			h := host(name)
			h.members = append(h.members, hostMember{ing: in, rule: r, auth: auth})
		}
		for _, t := range in.TLS {
			for _, th := range t.Hosts {
				host(th.Value).tls = true
			}
		}
		if db := in.DefaultBackend; db != nil && len(in.Rules) == 0 {
			host(catchAll)
		}
	}
	// The catch-all server always has the controller's default certificate.
	if h := a.hosts[catchAll]; h != nil {
		h.tls = true
	}
	for _, h := range a.hosts {
		sigs := map[string]bool{}
		for _, m := range h.members {
			if !m.auth.hasCA() {
				continue
			}
			sigs[m.auth.signature()] = true
			if !h.auth.hasCA() || m.auth.strength() < h.auth.strength() || (m.auth.strength() == h.auth.strength() && h.auth.pass && !m.auth.pass) {
				h.auth = m.auth
			}
		}
		h.decided = len(sigs) <= 1
	}
	sort.Strings(a.hostNames)
	for _, in := range a.ingresses {
		for i := range in.Rules {
			r := &in.Rules[i]
			h := a.hosts[hostName(r)]
			if h == nil {
				continue
			}
			for j := range r.Paths {
				p := &r.Paths[j]
				if p.Backend.Resource || !p.Backend.Service.Set {
					continue
				}
				a.addEntrance(&entrance{ing: in, host: h, path: p, backend: &p.Backend})
			}
		}
		db := in.DefaultBackend
		if db == nil || db.Resource || !db.Service.Set {
			continue
		}
		if len(in.Rules) == 0 {
			a.addEntrance(&entrance{ing: in, host: a.hosts[catchAll], backend: db, isDefault: true})
			continue
		}
		seen := map[string]bool{}
		for i := range in.Rules {
			h := a.hosts[hostName(&in.Rules[i])]
			if h == nil || seen[h.name] || a.hasRootPath(h) {
				continue
			}
			seen[h.name] = true
			a.addEntrance(&entrance{ing: in, host: h, backend: db, isDefault: true})
		}
	}
	for k := range a.entrances {
		a.serviceRef = append(a.serviceRef, k)
	}
	sort.Strings(a.serviceRef)
	return a
}

func hostName(r *kube.IngressRule) string {
	if h := strings.TrimSpace(r.Host.Value); h != "" {
		return h
	}
	return catchAll
}

// hasRootPath reports whether some Ingress routes "/" of the host, which
// replaces the default backend there.
func (a *analysis) hasRootPath(h *hostInfo) bool {
	for _, m := range h.members {
		for _, p := range m.rule.Paths {
			if p.Path.Value == "/" || (!p.Path.Set && !p.Backend.Resource) {
				return true
			}
		}
	}
	return false
}

func (a *analysis) addEntrance(e *entrance) {
	ref := serviceRef(e.ing.Obj, e.backend)
	a.entrances[ref] = append(a.entrances[ref], e)
}

// serviceRef names the Service a backend sends to: "namespace/name" in the
// Ingress's namespace.
func serviceRef(ing *kube.Object, b *kube.Backend) string {
	return ing.NamespaceOrDefault() + "/" + b.Service.Value
}

// services returns the Service objects a backend of ing names.
func (a *analysis) services(ing *kube.Object, b *kube.Backend) []*kube.Service {
	var out []*kube.Service
	for _, s := range a.cluster.Services() {
		if s.Obj.Name.Value == b.Service.Value && kube.SameNamespace(ing, s.Obj) {
			out = append(out, s)
		}
	}
	return out
}

// workloads returns the workloads whose pods a Service selects.
func (a *analysis) workloads(s *kube.Service) []*kube.Workload {
	if len(s.Selector) == 0 {
		return nil
	}
	var out []*kube.Workload
	for _, w := range a.cluster.Workloads() {
		if !kube.SameNamespace(s.Obj, w.Obj) {
			continue
		}
		match := true
		for k, v := range s.Selector {
			if w.PodLabels[k] != v {
				match = false
				break
			}
		}
		if match {
			out = append(out, w)
		}
	}
	return out
}

// servicePort resolves a backend's port against the Service: the port
// number, and the Service port entry when the manifests have it.
func servicePort(svcs []*kube.Service, b *kube.Backend) (string, *kube.ServicePort) {
	for _, s := range svcs {
		for i := range s.Ports {
			p := &s.Ports[i]
			if (b.PortIsName && p.Name.Value == b.Port.Value) || (!b.PortIsName && p.Port.Value == b.Port.Value) {
				return p.Port.Value, p
			}
		}
		// A backend without a port uses the Service's only port.
		if !b.Port.Set && len(s.Ports) == 1 {
			return s.Ports[0].Port.Value, &s.Ports[0]
		}
	}
	return b.Port.Value, nil
}

// djangoServers returns the app servers of the containers a Service's
// workloads run that look like a Django app.
func (a *analysis) djangoServers(s *kube.Service) []workloadServer {
	var out []workloadServer
	for _, w := range a.workloads(s) {
		for i := range w.Containers {
			if srv := containerServer(&w.Containers[i]); srv.isDjango() {
				out = append(out, workloadServer{w, &w.Containers[i], srv})
			}
		}
	}
	return out
}

type workloadServer struct {
	w   *kube.Workload
	c   *kube.Container
	srv appServer
}

// appService says why a Service counts as the app's: a Service behind an
// Ingress that checks client certificates relies on the controller's
// check, and one whose pods run Django or a Python app server may trust
// the headers the controller sets.
type appService struct {
	svc     *kube.Service
	mtls    *entrance // an entrance through a host with a CA, if any
	servers []workloadServer
}

func (a *analysis) appServices() []appService {
	var out []appService
	for _, s := range a.cluster.Services() {
		as := appService{svc: s, servers: a.djangoServers(s)}
		for _, ref := range a.serviceRef {
			for _, e := range a.entrances[ref] {
				if e.backend.Service.Value == s.Obj.Name.Value && kube.SameNamespace(e.ing.Obj, s.Obj) && e.host.auth.hasCA() {
					as.mtls = e
					break
				}
			}
			if as.mtls != nil {
				break
			}
		}
		if as.mtls != nil || len(as.servers) > 0 {
			out = append(out, as)
		}
	}
	return out
}

// why says in words why the Service is the app's.
func (as appService) why() string {
	if as.mtls != nil {
		return "it is reached through " + as.mtls.where() + ", which checks client certificates"
	}
	srv := as.servers[0]
	if srv.srv.Server != "" {
		return "its pods run " + srv.srv.Server + " (" + srv.w.Obj.Ref() + ")"
	}
	return "its pods run the Django settings " + srv.srv.SettingsModule + " (" + srv.w.Obj.Ref() + ")"
}

// reach says who besides the ingress controller can connect to the pods
// of w, as K005 and K006 judge it, for the model's direct path: any
// Service that selects them and publishes them (NodePort, LoadBalancer,
// externalIPs), a hostPort or hostNetwork, else the NetworkPolicies that
// select them. A policy whose reach the manifests leave open (an ipBlock
// behind an ALB, K006 at medium) leaves the reach unknown, with why.
func (a *analysis) reach(w *kube.Workload) rules.Workload {
	out := func(r rules.Reach, via, port, why string, at source.Range, k rules.Key) rules.Workload {
		return rules.Workload{Reach: r, ReachVia: via, ReachPort: port, ReachWhy: why, ReachRange: at, ReachKey: k}
	}
	if v, ok := boolValue(w.HostNetwork); ok && v {
		// on the node's network the app server's own port is the node's
		return out(rules.ReachPublic, "hostNetwork", "", w.Obj.Ref()+" runs its pods with hostNetwork", w.HostNetwork.Line(), objKey(w.Obj, "hostNetwork"))
	}
	for _, c := range w.Containers {
		for _, p := range c.Ports {
			if p.HostPort.Set && p.HostPort.Value != "0" {
				return out(rules.ReachPublic, "hostPort", p.HostPort.Value, fmt.Sprintf("%s publishes hostPort %s", w.Obj.Ref(), p.HostPort.Value), p.HostPort.Line(), objKey(w.Obj, "hostPort:"+p.HostPort.Value))
			}
		}
	}
	var selecting []*kube.Service
	for _, s := range a.cluster.Services() {
		if !slices.Contains(a.workloads(s), w) {
			continue
		}
		selecting = append(selecting, s)
		switch t := s.Type.Value; t {
		case "NodePort", "LoadBalancer":
			return out(rules.ReachPublic, t, nodePort(s), fmt.Sprintf("%s, of type %s, selects its pods", s.Obj.Ref(), t), s.Type.Line(), objKey(s.Obj, "exposed:type"))
		}
		if len(s.ExternalIPs) > 0 {
			return out(rules.ReachPublic, "externalIPs", "", s.Obj.Ref()+" selects its pods and has externalIPs", s.ExternalIPs[0].Range, objKey(s.Obj, "exposed:externalIPs"))
		}
	}
	if len(selecting) == 0 {
		return rules.Workload{}
	}
	d, open := a.policyGap(selecting[0], []map[string]string{w.PodLabels})
	why, _, _ := strings.Cut(d.Detail, ", so ")
	why = strings.TrimSuffix(why, ".")
	k := objKey(selecting[0].Obj, "network-policy") // K006's
	switch {
	case open && d.Severity == rules.Medium:
		return out(rules.ReachUnknown, "NetworkPolicy", "", d.Message, d.Range, k)
	case open && strings.HasPrefix(d.Message, "no NetworkPolicy"):
		return out(rules.ReachNetwork, "no NetworkPolicy", "", fmt.Sprintf("no NetworkPolicy in the repository selects the pods of %s", selecting[0].Obj.Ref()), d.Range, k)
	case open:
		return out(rules.ReachNetwork, "NetworkPolicy", "", why, d.Range, k)
	}
	return out(rules.ReachProxyOnly, "", "", fmt.Sprintf("%s is reached through ClusterIP Services only, and NetworkPolicies admit only the ingress controller to its pods", w.Obj.Ref()), w.Obj.Range, rules.Key{})
}

// nodePort is the node port a NodePort or LoadBalancer Service opens, when
// its one port names it ("" when Kubernetes allocates it, or several
// ports leave it open which).
func nodePort(s *kube.Service) string {
	if len(s.Ports) == 1 {
		return s.Ports[0].NodePort.Value
	}
	return ""
}
