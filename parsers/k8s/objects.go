package k8s

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Scalar is a value of a manifest with where it is written.
type Scalar struct {
	Value string
	// Set reports whether the manifest gives the value at all.
	Set bool
	// Range is the value as written (quotes included); KeyRange is its key,
	// zero for sequence items.
	Range    source.Range
	KeyRange source.Range
}

// Line returns the range to anchor a finding about the value: the key
// when there is one (the line the reader looks for), else the value.
func (s Scalar) Line() source.Range {
	if s.KeyRange.IsValid() && !s.Range.IsValid() {
		return s.KeyRange
	}
	if s.KeyRange.IsValid() {
		return source.Range{File: s.KeyRange.File, Start: s.KeyRange.Start, End: s.Range.End}
	}
	return s.Range
}

// Object is one Kubernetes object of a manifest.
type Object struct {
	File       *source.File
	APIVersion string
	Kind       string
	Name       Scalar
	Namespace  Scalar
	Labels     map[string]string
	// Annotations maps an annotation key to its value.
	Annotations map[string]Scalar
	// Range is the object's opening line (the first key of its mapping):
	// findings about something the object lacks are anchored there.
	Range source.Range
	// KindRange is the "kind:" entry.
	KindRange source.Range
	// Node is the object's mapping node: line numbers relative to File
	// for a manifest as written; for a rendered object, the rendered
	// document, whose positions only SourceFile and the ranges tell.
	Node *yaml.Node
	// Environment names the rendered environment the object belongs to
	// ("overlays/prod"); empty for a manifest as written.
	Environment string
	// Removed maps the annotations of a rendered object's definition that
	// a patch removed to where it removes them.
	Removed map[string]source.Range
	// Patched names the kustomize patch the object is read from, when
	// the kustomization that applies it is not in the tree: only what the
	// patch sets in whole is known (see readOrphanPatch).
	Patched string
	// PartialAnnotations reports, for an object read from a patch, that
	// the patch changes annotations one by one (a strategic-merge patch,
	// or JSON6902 operations on single keys): an annotation it does not
	// name is whatever the base, which was not rendered, sets.
	PartialAnnotations bool

	pos *doc

	// At most one of these is set, according to Kind.
	Ingress          *Ingress
	Service          *Service
	NetworkPolicy    *NetworkPolicy
	ConfigMap        *ConfigMap
	Workload         *Workload
	Gateway          *Gateway
	HTTPRoute        *HTTPRoute
	BackendTLSPolicy *BackendTLSPolicy
	GatewayClass     *GatewayClass
	IngressClass     *IngressClass
}

// Ref names the object as "kind namespace/name" for messages.
func (o *Object) Ref() string {
	switch {
	case o.Patched != "" && o.Name.Value == "":
		return "the " + o.Kind + " that " + o.Patched + " patches"
	case o.Patched != "":
		// The namespace is the overlay's, which was not rendered: only
		// one the patch names is known.
		name := o.Name.Value
		if o.Namespace.Value != "" {
			name = o.Namespace.Value + "/" + name
		}
		return o.Kind + " " + name + " as " + o.Patched + " patches it"
	}
	return o.Kind + " " + o.NamespacedName()
}

// SourceFile returns the file a range of the object lies in: File for a
// manifest as written, one of the sources of a rendered object.
func (o *Object) SourceFile(r source.Range) *source.File {
	if r.File == o.File.Path || o.pos == nil || o.pos.place == nil {
		return o.File
	}
	if f := o.pos.place.source(r.File); f != nil {
		return f
	}
	return o.File
}

// NamespacedName is "namespace/name", with "default" for an object that
// names no namespace (kubectl applies it to the current namespace).
func (o *Object) NamespacedName() string {
	return o.NamespaceOrDefault() + "/" + o.Name.Value
}

// NamespaceOrDefault is the object's namespace, or "default" when the
// manifest names none.
func (o *Object) NamespaceOrDefault() string {
	if o.Namespace.Value == "" {
		return "default"
	}
	return o.Namespace.Value
}

// SameNamespace reports whether two objects are in the same namespace. A
// manifest without a namespace is applied wherever kubectl or kustomize
// puts it, usually with the rest of its deployment, so it matches any.
func SameNamespace(a, b *Object) bool { return NamespacesMatch(a.Namespace.Value, b.Namespace.Value) }

// NamespacesMatch is SameNamespace for two namespaces as written (an
// object's, one a reference names): an empty one matches any.
func NamespacesMatch(a, b string) bool { return a == "" || b == "" || a == b }

// Ingress is an Ingress (networking.k8s.io/v1, v1beta1 or
// extensions/v1beta1).
type Ingress struct {
	Obj *Object
	// Class is spec.ingressClassName or the kubernetes.io/ingress.class
	// annotation.
	Class          Scalar
	DefaultBackend *Backend // spec.defaultBackend (v1) or spec.backend (v1beta1)
	Rules          []IngressRule
	TLS            []IngressTLS
}

// Annotation returns the value of an ingress-nginx annotation given
// without its prefix ("auth-tls-secret"). The prefix of releases before
// 0.9, still accepted with --annotations-prefix, counts when the current
// one is absent.
func (in *Ingress) Annotation(name string) Scalar {
	if s, ok := in.Obj.Annotations[NginxAnnotationPrefix+name]; ok {
		return s
	}
	return in.Obj.Annotations[legacyAnnotationPrefix+name]
}

// NginxAnnotationPrefix is the prefix of ingress-nginx's annotations.
const NginxAnnotationPrefix = "nginx.ingress.kubernetes.io/"

const legacyAnnotationPrefix = "ingress.kubernetes.io/"

// IngressRule is one entry of spec.rules.
type IngressRule struct {
	Host  Scalar // empty: every host (the catch-all server)
	Range source.Range
	// HTTP reports whether the rule has an http section.
	HTTP  bool
	Paths []IngressPath
}

// IngressPath is one entry of a rule's http.paths.
type IngressPath struct {
	Path     Scalar
	PathType Scalar
	Backend  Backend
	Range    source.Range
}

// Backend is the Service (or resource) an Ingress sends requests to.
type Backend struct {
	Service Scalar // the Service's name
	// Port is the port number or name (v1 port.number / port.name,
	// v1beta1 servicePort).
	Port Scalar
	// PortIsName: the port is given by name.
	PortIsName bool
	// Resource: the backend is a resource, not a Service.
	Resource bool
	Range    source.Range
}

// IngressTLS is one entry of spec.tls.
type IngressTLS struct {
	Hosts      []Scalar
	SecretName Scalar
	Range      source.Range
}

// Service is a Service.
type Service struct {
	Obj         *Object
	Type        Scalar // ClusterIP when not set
	Selector    map[string]string
	SelectorSet bool
	Ports       []ServicePort
	ExternalIPs []Scalar
}

// ServicePort is one entry of a Service's spec.ports.
type ServicePort struct {
	Name       Scalar
	Port       Scalar
	TargetPort Scalar
	NodePort   Scalar
	Range      source.Range
}

// NetworkPolicy is a NetworkPolicy.
type NetworkPolicy struct {
	Obj         *Object
	PodSelector LabelSelector
	// PolicyTypes as written; when absent, Kubernetes infers Ingress (and
	// Egress if egress rules exist).
	PolicyTypes []string
	// IngressRules are the spec.ingress entries; nil with IngressSet false
	// when the policy has none.
	IngressRules []NetworkPolicyRule
	IngressSet   bool
}

// IsolatesIngress reports whether the policy restricts incoming traffic
// of the pods it selects.
func (np *NetworkPolicy) IsolatesIngress() bool {
	if len(np.PolicyTypes) == 0 {
		return true // Kubernetes defaults policyTypes to include Ingress
	}
	for _, t := range np.PolicyTypes {
		if t == "Ingress" {
			return true
		}
	}
	return false
}

// NetworkPolicyRule is one entry of spec.ingress.
type NetworkPolicyRule struct {
	// From lists the allowed peers; empty means every source.
	From  []NetworkPolicyPeer
	Range source.Range
}

// NetworkPolicyPeer is one entry of a rule's from list.
type NetworkPolicyPeer struct {
	PodSelector       *LabelSelector
	NamespaceSelector *LabelSelector
	IPBlock           Scalar // the CIDR
	Range             source.Range
}

// LabelSelector is a label selector.
type LabelSelector struct {
	MatchLabels      map[string]string
	MatchExpressions []LabelRequirement
	Range            source.Range
}

// LabelRequirement is one entry of matchExpressions.
type LabelRequirement struct {
	Key      string
	Operator string // In, NotIn, Exists, DoesNotExist
	Values   []string
}

// Empty reports whether the selector selects everything.
func (s *LabelSelector) Empty() bool {
	return len(s.MatchLabels) == 0 && len(s.MatchExpressions) == 0
}

// Matches reports whether labels satisfy the selector.
func (s *LabelSelector) Matches(labels map[string]string) bool {
	for k, v := range s.MatchLabels {
		if labels[k] != v {
			return false
		}
	}
	for _, e := range s.MatchExpressions {
		v, has := labels[e.Key]
		switch e.Operator {
		case "In":
			if !has || !contains(e.Values, v) {
				return false
			}
		case "NotIn":
			if has && contains(e.Values, v) {
				return false
			}
		case "Exists":
			if !has {
				return false
			}
		case "DoesNotExist":
			if has {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ConfigMap is a ConfigMap.
type ConfigMap struct {
	Obj  *Object
	Data map[string]Scalar
}

// Workload is a Pod, or an object with a pod template (Deployment,
// StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob).
type Workload struct {
	Obj *Object
	// PodLabels are the labels of the pods it runs.
	PodLabels   map[string]string
	HostNetwork Scalar
	Containers  []Container
}

// Container is one container of a pod spec (init containers excluded).
type Container struct {
	Name    Scalar
	Image   Scalar
	Command []Scalar
	Args    []Scalar
	Env     []EnvVar
	Ports   []ContainerPort
	Range   source.Range
}

// EnvVar is one entry of a container's env.
type EnvVar struct {
	Name  Scalar
	Value Scalar
	// FromSource: the value comes from a ConfigMap, Secret or field
	// reference and is not known.
	FromSource bool
}

// ContainerPort is one entry of a container's ports.
type ContainerPort struct {
	Name          Scalar
	ContainerPort Scalar
	HostPort      Scalar
	Range         source.Range
}

// workloadKinds maps a workload kind to the path of its pod template.
var workloadKinds = map[string][]string{
	"Pod":                   nil,
	"Deployment":            {"spec", "template"},
	"StatefulSet":           {"spec", "template"},
	"DaemonSet":             {"spec", "template"},
	"ReplicaSet":            {"spec", "template"},
	"ReplicationController": {"spec", "template"},
	"Job":                   {"spec", "template"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template"},
}

// objects turns a document's root into objects: one, the items of a List,
// or none when the document is not a Kubernetes object.
func objects(f *doc, root *yaml.Node) []*Object {
	root = resolve(root)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	kind := scalarValue(child(root, "kind"))
	if strings.HasSuffix(kind, "List") && child(root, "items") != nil {
		var out []*Object
		for _, it := range items(child(root, "items")) {
			out = append(out, objects(f, it)...)
		}
		return out
	}
	if kind == "" {
		return nil
	}
	o := &Object{
		File:        f.file,
		Environment: f.environment,
		pos:         f,
		APIVersion:  scalarValue(child(root, "apiVersion")),
		Kind:        kind,
		Node:        root,
		Range:       f.openingRange(root),
	}
	if k, _ := field(root, "kind"); k != nil {
		o.KindRange = f.lineRange(k)
	}
	meta := child(root, "metadata")
	o.Name = scalar(f, meta, "name")
	o.Namespace = scalar(f, meta, "namespace")
	o.Labels = stringMap(child(meta, "labels"))
	o.Annotations = scalarMap(f, child(meta, "annotations"))
	if !builtIn(kind, o.APIVersion) {
		// A custom resource that shares a kind name (a Knative Service,
		// a Voyager Ingress) means something else.
		return []*Object{o}
	}
	switch {
	case kind == "Ingress":
		o.Ingress = parseIngress(f, o)
	case kind == "Service":
		o.Service = parseService(f, o)
	case kind == "NetworkPolicy":
		o.NetworkPolicy = parseNetworkPolicy(f, o)
	case kind == "ConfigMap":
		o.ConfigMap = &ConfigMap{Obj: o, Data: scalarMap(f, child(root, "data"))}
	case kind == "Gateway":
		o.Gateway = parseGateway(f, o)
	case kind == "HTTPRoute":
		o.HTTPRoute = parseHTTPRoute(f, o)
	case kind == "BackendTLSPolicy":
		o.BackendTLSPolicy = parseBackendTLSPolicy(f, o)
	case kind == "GatewayClass":
		o.GatewayClass = &GatewayClass{Obj: o, ControllerName: scalar(f, child(root, "spec"), "controllerName")}
	case kind == "IngressClass":
		o.IngressClass = &IngressClass{Obj: o, Controller: scalar(f, child(root, "spec"), "controller")}
	default:
		if tpl, ok := workloadKinds[kind]; ok {
			o.Workload = parseWorkload(f, o, tpl)
		}
	}
	return []*Object{o}
}

// apiGroups lists, per kind, the API groups (apiVersion without the
// version) of the built-in resource; "" is the core group ("v1").
var apiGroups = map[string][]string{
	"Ingress":               {"networking.k8s.io", "extensions"},
	"NetworkPolicy":         {"networking.k8s.io", "extensions"},
	"Service":               {""},
	"ConfigMap":             {""},
	"Pod":                   {""},
	"ReplicationController": {""},
	"Deployment":            {"apps", "extensions"},
	"StatefulSet":           {"apps"},
	"DaemonSet":             {"apps", "extensions"},
	"ReplicaSet":            {"apps", "extensions"},
	"Job":                   {"batch"},
	"CronJob":               {"batch"},
	"IngressClass":          {"networking.k8s.io"},
	"Gateway":               {GatewayGroup},
	"HTTPRoute":             {GatewayGroup},
	"GatewayClass":          {GatewayGroup},
	"BackendTLSPolicy":      {GatewayGroup},
}

// builtIn reports whether kind and apiVersion name a built-in resource.
func builtIn(kind, apiVersion string) bool {
	if apiVersion == "" {
		return false
	}
	group := ""
	if i := strings.LastIndexByte(apiVersion, '/'); i >= 0 {
		group = apiVersion[:i]
	}
	for _, g := range apiGroups[kind] {
		if g == group {
			return true
		}
	}
	return false
}

// openingRange is the first line of a mapping: where its first key is.
func openingRange(f *source.File, n *yaml.Node) source.Range {
	line := n.Line
	if len(n.Content) > 0 && n.Content[0].Line > 0 {
		line = n.Content[0].Line
	}
	if line < 1 {
		line = 1
	}
	r := f.LineRange(line)
	if n.Column > 1 {
		r = f.Range(f.Offset(line-1, n.Column-1, source.UTF32), r.End.Offset)
	}
	return r
}

func scalarValue(n *yaml.Node) string {
	if isScalar(n) {
		return n.Value
	}
	return ""
}

// scalar reads key of mapping n.
func scalar(f *doc, n *yaml.Node, key string) Scalar {
	k, v := field(n, key)
	if k == nil {
		return Scalar{}
	}
	s := Scalar{KeyRange: f.nodeRange(k)}
	if v == nil {
		return s
	}
	s.Range = f.nodeRange(v)
	if isScalar(v) {
		s.Value, s.Set = v.Value, true
	}
	return s
}

func scalarOf(f *doc, n *yaml.Node) Scalar {
	if !isScalar(n) {
		return Scalar{Range: f.nodeRange(n)}
	}
	return Scalar{Value: n.Value, Set: true, Range: f.nodeRange(n)}
}

func stringMap(n *yaml.Node) map[string]string {
	ps := pairs(n)
	if len(ps) == 0 {
		return nil
	}
	m := make(map[string]string, len(ps))
	for _, p := range ps {
		if v := resolve(p.value); isScalar(p.key) && isScalar(v) {
			m[p.key.Value] = v.Value
		}
	}
	return m
}

func scalarMap(f *doc, n *yaml.Node) map[string]Scalar {
	ps := pairs(n)
	if len(ps) == 0 {
		return nil
	}
	m := make(map[string]Scalar, len(ps))
	for _, p := range ps {
		if !isScalar(p.key) {
			continue
		}
		s := scalarOf(f, resolve(p.value))
		s.KeyRange = f.nodeRange(p.key)
		m[p.key.Value] = s
	}
	return m
}

func parseIngress(f *doc, o *Object) *Ingress {
	spec := child(o.Node, "spec")
	in := &Ingress{Obj: o}
	in.Class = scalar(f, spec, "ingressClassName")
	if !in.Class.Set {
		if a, ok := o.Annotations["kubernetes.io/ingress.class"]; ok {
			in.Class = a
		}
	}
	if b := child(spec, "defaultBackend"); b != nil {
		in.DefaultBackend = parseBackend(f, b)
	} else if b := child(spec, "backend"); b != nil {
		in.DefaultBackend = parseBackend(f, b)
	}
	for _, r := range items(child(spec, "rules")) {
		rule := IngressRule{Host: scalar(f, r, "host"), Range: f.openingRange(r)}
		if http := child(r, "http"); http != nil {
			rule.HTTP = true
			for _, p := range items(child(http, "paths")) {
				ip := IngressPath{
					Path:     scalar(f, p, "path"),
					PathType: scalar(f, p, "pathType"),
					Range:    f.openingRange(p),
				}
				if b := child(p, "backend"); b != nil {
					ip.Backend = *parseBackend(f, b)
				}
				rule.Paths = append(rule.Paths, ip)
			}
		}
		in.Rules = append(in.Rules, rule)
	}
	for _, t := range items(child(spec, "tls")) {
		tls := IngressTLS{SecretName: scalar(f, t, "secretName"), Range: f.openingRange(t)}
		for _, h := range items(child(t, "hosts")) {
			tls.Hosts = append(tls.Hosts, scalarOf(f, h))
		}
		in.TLS = append(in.TLS, tls)
	}
	return in
}

// parseBackend reads a v1 backend (service.name, service.port.number or
// .name) or a v1beta1 one (serviceName, servicePort).
func parseBackend(f *doc, n *yaml.Node) *Backend {
	b := &Backend{Range: f.openingRange(n)}
	if svc := child(n, "service"); svc != nil {
		b.Service = scalar(f, svc, "name")
		port := child(svc, "port")
		if num := scalar(f, port, "number"); num.Set {
			b.Port = num
		} else if name := scalar(f, port, "name"); name.Set {
			b.Port, b.PortIsName = name, true
		}
		return b
	}
	if child(n, "resource") != nil {
		b.Resource = true
		return b
	}
	b.Service = scalar(f, n, "serviceName")
	b.Port = scalar(f, n, "servicePort")
	if b.Port.Set && !isNumber(b.Port.Value) {
		b.PortIsName = true
	}
	return b
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func parseService(f *doc, o *Object) *Service {
	spec := child(o.Node, "spec")
	s := &Service{Obj: o, Type: scalar(f, spec, "type")}
	if sel := child(spec, "selector"); sel != nil {
		s.SelectorSet = true
		s.Selector = stringMap(sel)
	}
	for _, p := range items(child(spec, "ports")) {
		s.Ports = append(s.Ports, ServicePort{
			Name:       scalar(f, p, "name"),
			Port:       scalar(f, p, "port"),
			TargetPort: scalar(f, p, "targetPort"),
			NodePort:   scalar(f, p, "nodePort"),
			Range:      f.openingRange(p),
		})
	}
	for _, ip := range items(child(spec, "externalIPs")) {
		s.ExternalIPs = append(s.ExternalIPs, scalarOf(f, ip))
	}
	return s
}

func parseSelector(f *doc, n *yaml.Node) *LabelSelector {
	if n == nil {
		return nil
	}
	s := &LabelSelector{MatchLabels: stringMap(child(n, "matchLabels")), Range: f.nodeRange(n)}
	for _, e := range items(child(n, "matchExpressions")) {
		req := LabelRequirement{Key: scalarValue(child(e, "key")), Operator: scalarValue(child(e, "operator"))}
		for _, v := range items(child(e, "values")) {
			req.Values = append(req.Values, scalarValue(v))
		}
		s.MatchExpressions = append(s.MatchExpressions, req)
	}
	return s
}

func parseNetworkPolicy(f *doc, o *Object) *NetworkPolicy {
	spec := child(o.Node, "spec")
	np := &NetworkPolicy{Obj: o}
	if sel := parseSelector(f, child(spec, "podSelector")); sel != nil {
		np.PodSelector = *sel
	}
	for _, t := range items(child(spec, "policyTypes")) {
		np.PolicyTypes = append(np.PolicyTypes, scalarValue(t))
	}
	if k, _ := field(spec, "ingress"); k != nil {
		np.IngressSet = true
	}
	for _, r := range items(child(spec, "ingress")) {
		rule := NetworkPolicyRule{Range: f.openingRange(r)}
		for _, p := range items(child(r, "from")) {
			peer := NetworkPolicyPeer{
				PodSelector:       parseSelector(f, child(p, "podSelector")),
				NamespaceSelector: parseSelector(f, child(p, "namespaceSelector")),
				Range:             f.openingRange(p),
			}
			if ipb := child(p, "ipBlock"); ipb != nil {
				peer.IPBlock = scalar(f, ipb, "cidr")
				if !peer.IPBlock.Set {
					peer.IPBlock = Scalar{Value: "?", Set: true, Range: f.nodeRange(ipb)}
				}
			}
			rule.From = append(rule.From, peer)
		}
		np.IngressRules = append(np.IngressRules, rule)
	}
	return np
}

func parseWorkload(f *doc, o *Object, templatePath []string) *Workload {
	w := &Workload{Obj: o}
	tpl := o.Node
	if templatePath != nil {
		tpl = walkPath(o.Node, templatePath...)
	}
	if tpl == nil {
		return w
	}
	if templatePath == nil {
		w.PodLabels = o.Labels
	} else {
		w.PodLabels = stringMap(walkPath(tpl, "metadata", "labels"))
	}
	spec := child(tpl, "spec")
	w.HostNetwork = scalar(f, spec, "hostNetwork")
	for _, c := range items(child(spec, "containers")) {
		ct := Container{
			Name:  scalar(f, c, "name"),
			Image: scalar(f, c, "image"),
			Range: f.openingRange(c),
		}
		ct.Command = stringList(f, child(c, "command"))
		ct.Args = stringList(f, child(c, "args"))
		for _, e := range items(child(c, "env")) {
			ev := EnvVar{Name: scalar(f, e, "name"), Value: scalar(f, e, "value")}
			if child(e, "valueFrom") != nil {
				ev.FromSource = true
			}
			ct.Env = append(ct.Env, ev)
		}
		for _, p := range items(child(c, "ports")) {
			ct.Ports = append(ct.Ports, ContainerPort{
				Name:          scalar(f, p, "name"),
				ContainerPort: scalar(f, p, "containerPort"),
				HostPort:      scalar(f, p, "hostPort"),
				Range:         f.openingRange(p),
			})
		}
		w.Containers = append(w.Containers, ct)
	}
	return w
}

// stringList reads a list of strings; a single string counts as a
// one-element list.
func stringList(f *doc, n *yaml.Node) []Scalar {
	if n == nil {
		return nil
	}
	if isScalar(n) {
		return []Scalar{scalarOf(f, n)}
	}
	var out []Scalar
	for _, it := range items(n) {
		out = append(out, scalarOf(f, it))
	}
	return out
}
