package k8s

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
	tfrules "github.com/mtlslint/mtlslint/rules/terraform"
)

// The AWS Load Balancer Controller turns Ingresses of its class into an
// Application Load Balancer: one per IngressGroup, with a listener per
// port of alb.ingress.kubernetes.io/listen-ports and the mutual-TLS mode
// of alb.ingress.kubernetes.io/mutual-authentication. The listeners'
// headers are the ALB's, as the Terraform routes model them
// (tfrules.ALBMTLSHeaders).

// ALBAnnotationPrefix is the prefix of the AWS Load Balancer Controller's
// Ingress annotations.
const ALBAnnotationPrefix = "alb.ingress.kubernetes.io/"

// albController is the controller name of the AWS Load Balancer
// Controller in an IngressClass.
const albController = "ingress.k8s.aws/alb"

const (
	refLBCAnnotations = "AWS Load Balancer Controller: Ingress annotations (listen-ports, ssl-redirect, mutual-authentication) — https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/"
	refLBCSource      = "AWS Load Balancer Controller pkg/ingress/model_build_listener.go (computeIngressListenPorts, computeIngressMutualAuthentication, validateMutualAuthenticationConfig) — https://github.com/kubernetes-sigs/aws-load-balancer-controller"
	refALBmTLS        = "AWS: Mutual authentication with TLS in Application Load Balancer — https://docs.aws.amazon.com/elasticloadbalancing/latest/application/mutual-authentication.html"
)

// albPort is one listener port an Ingress asks for.
type albPort struct {
	port     string
	protocol string // HTTP or HTTPS
}

// albMTLS is one entry of the mutual-authentication annotation.
type albMTLS struct {
	Port         int32   `json:"port"`
	Mode         string  `json:"mode"`
	TrustStore   *string `json:"trustStore,omitempty"`
	IgnoreExpiry *bool   `json:"ignoreClientCertificateExpiry,omitempty"`
	Advertise    *string `json:"advertiseTrustStoreCaNames,omitempty"`
}

// albIngress is an Ingress the AWS Load Balancer Controller serves, with
// its annotations read as the controller reads them.
type albIngress struct {
	ing   *kube.Ingress
	group string // the IngressGroup: group.name, or the Ingress itself
	ports []albPort
	// portsErr says why listen-ports was rejected ("" when it was not).
	portsErr string
	mtls     map[string]*albMTLS // by port
	// mtlsErr says why mutual-authentication was rejected: the controller
	// then builds nothing for the group.
	mtlsErr     string
	mtlsAnn     kube.Scalar
	portsAnn    kube.Scalar
	sslRedirect kube.Scalar
	// dropInvalid is routing.http.drop_invalid_header_fields.enabled of
	// load-balancer-attributes (false when not set, the ALB's default).
	dropInvalid bool
	// xff is routing.http.xff_header_processing.mode ("append" when not set).
	xff string
}

// annotation returns an AWS Load Balancer Controller annotation given
// without its prefix.
func (a *albIngress) annotation(name string) kube.Scalar {
	return a.ing.Obj.Annotations[ALBAnnotationPrefix+name]
}

// isALBIngress reports whether the AWS Load Balancer Controller serves an
// Ingress: its class is "alb" (spec.ingressClassName or the
// kubernetes.io/ingress.class annotation), or an IngressClass of the
// cluster with that name names the controller.
func isALBIngress(c *kube.Cluster, in *kube.Ingress) bool {
	class := strings.TrimSpace(in.Class.Value)
	if class == "alb" {
		return true
	}
	for _, ic := range c.IngressClasses() {
		if ic.Obj.Name.Value == class && strings.TrimSpace(ic.Controller.Value) == albController {
			return true
		}
	}
	return false
}

// readALBIngress reads an Ingress's annotations as the controller does
// (pkg/ingress/model_build_listener.go).
func readALBIngress(in *kube.Ingress) *albIngress {
	a := &albIngress{ing: in, group: "ingress " + in.Obj.NamespacedName(), xff: "append"}
	if g := strings.TrimSpace(a.annotation("group.name").Value); g != "" {
		a.group = "group " + g
	}
	a.portsAnn = a.annotation("listen-ports")
	a.mtlsAnn = a.annotation("mutual-authentication")
	a.sslRedirect = a.annotation("ssl-redirect")
	a.ports, a.portsErr = albListenPorts(a.portsAnn, strings.TrimSpace(a.annotation("certificate-arn").Value) != "")
	if a.mtlsAnn.Set {
		a.mtls, a.mtlsErr = albMutualAuth(a.mtlsAnn.Value)
	}
	for _, kv := range strings.Split(a.annotation("load-balancer-attributes").Value, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch strings.TrimSpace(k) {
		case "routing.http.drop_invalid_header_fields.enabled":
			a.dropInvalid = strings.TrimSpace(v) == "true"
		case "routing.http.xff_header_processing.mode":
			a.xff = strings.TrimSpace(v)
		}
	}
	return a
}

// albListenPorts reads listen-ports: without it, HTTPS:443 when a
// certificate ARN is given and HTTP:80 otherwise.
func albListenPorts(s kube.Scalar, tlsCert bool) ([]albPort, string) {
	if !s.Set {
		if tlsCert {
			return []albPort{{"443", "HTTPS"}}, ""
		}
		return []albPort{{"80", "HTTP"}}, ""
	}
	var entries []map[string]int32
	if err := json.Unmarshal([]byte(s.Value), &entries); err != nil {
		return nil, "listen-ports is not a JSON list of {\"HTTP\"|\"HTTPS\": port}: " + jsonError(err)
	}
	if len(entries) == 0 {
		return nil, "listen-ports is empty"
	}
	var out []albPort
	seen := map[string]bool{}
	for _, e := range entries {
		protocols := make([]string, 0, len(e))
		for p := range e {
			protocols = append(protocols, p)
		}
		sort.Strings(protocols)
		for _, proto := range protocols {
			port := e[proto]
			if port < 1 || port > 65535 {
				return nil, fmt.Sprintf("listen port %d is not within [1, 65535]", port)
			}
			if proto != "HTTP" && proto != "HTTPS" {
				return nil, fmt.Sprintf("listen protocol %q is neither HTTP nor HTTPS", proto)
			}
			ps := strconv.Itoa(int(port))
			if !seen[ps] {
				seen[ps] = true
				out = append(out, albPort{ps, proto})
			}
		}
	}
	return out, ""
}

// albMutualAuth reads mutual-authentication and validates it as the
// controller does; a rejected annotation fails the whole IngressGroup.
func albMutualAuth(raw string) (map[string]*albMTLS, string) {
	var entries []*albMTLS
	if err := json.Unmarshal([]byte(raw), &entries); err != nil {
		return nil, "it is not a JSON list of {port, mode, trustStore, ignoreClientCertificateExpiry}: " + jsonError(err)
	}
	if len(entries) == 0 {
		return nil, "it is an empty list"
	}
	out := map[string]*albMTLS{}
	for _, e := range entries {
		if e == nil {
			return nil, "an entry is null"
		}
		if e.Port < 1 || e.Port > 65535 {
			return nil, fmt.Sprintf("port %d is not within [1, 65535]", e.Port)
		}
		store := ""
		if e.TrustStore != nil {
			store = *e.TrustStore
		}
		switch {
		case e.Mode == "":
			return nil, fmt.Sprintf("the mode of port %d is empty", e.Port)
		case e.Mode != tfrules.ALBModeOff && e.Mode != tfrules.ALBModePassthrough && e.Mode != tfrules.ALBModeVerify:
			return nil, fmt.Sprintf("mode %q of port %d is not off, passthrough or verify", rules.Clip(e.Mode, 20), e.Port)
		case e.Mode == tfrules.ALBModeVerify && store == "":
			return nil, fmt.Sprintf("verify mode on port %d has no trustStore", e.Port)
		case e.Mode != tfrules.ALBModeVerify && store != "":
			return nil, fmt.Sprintf("mode %s on port %d does not take a trustStore", e.Mode, e.Port)
		case e.Mode != tfrules.ALBModeVerify && e.IgnoreExpiry != nil:
			return nil, fmt.Sprintf("mode %s on port %d does not take ignoreClientCertificateExpiry", e.Mode, e.Port)
		case e.Mode != tfrules.ALBModeVerify && e.Advertise != nil:
			return nil, fmt.Sprintf("mode %s on port %d does not take advertiseTrustStoreCaNames", e.Mode, e.Port)
		}
		out[strconv.Itoa(int(e.Port))] = e
	}
	return out, ""
}

// jsonError shortens a JSON decoding error for a message.
func jsonError(err error) string {
	return rules.Clip(strings.TrimPrefix(err.Error(), "json: "), 60)
}

// albListener is one listener of an IngressGroup's load balancer.
type albListener struct {
	id       string
	group    string
	port     string
	protocol string
	// mode is off, passthrough or verify; "" when not known (an Ingress
	// of the group has a mutual-authentication the controller rejects).
	mode string
	// from is the Ingress whose mutual-authentication gives the mode, and
	// entry its entry; nil when none does (mode off).
	from  *albIngress
	entry *albMTLS
	// redirect: ssl-redirect makes the HTTP listener redirect to HTTPS.
	redirect bool
}

// modeRange is where the listener's mode is written: the annotation.
func (l *albListener) modeRange(fallback source.Range) source.Range {
	if l.from != nil {
		return l.from.mtlsAnn.Line()
	}
	return fallback
}

func (l *albListener) describe() string {
	return fmt.Sprintf("%s:%s of the ALB of %s", l.protocol, l.port, l.group)
}

// albCluster is what the AWS Load Balancer Controller makes of a
// cluster's Ingresses.
type albCluster struct {
	ingresses []*albIngress
	// listeners by group and port.
	listeners map[string]map[string]*albListener
}

// albIngresses reads the Ingresses the AWS Load Balancer Controller
// serves in every cluster, once per run for the rules and the route
// builder.
var albIngresses = clusterAnalysis("k8s-alb-ingresses",
	"The Ingresses of every cluster that the AWS Load Balancer Controller serves, with their load balancers' listeners and mutual-TLS modes (clusterViews[*albCluster]).",
	readALBCluster)

// albsOf returns the ALB Ingresses of every cluster.
func albsOf(p *rules.Pass) clusterViews[*albCluster] { return viewsOf[*albCluster](p, albIngresses) }

func readALBCluster(c *kube.Cluster) *albCluster {
	ac := &albCluster{listeners: map[string]map[string]*albListener{}}
	for _, in := range c.Ingresses() {
		if isALBIngress(c, in) {
			ac.ingresses = append(ac.ingresses, readALBIngress(in))
		}
	}
	for _, a := range ac.ingresses {
		ls := ac.listeners[a.group]
		if ls == nil {
			ls = map[string]*albListener{}
			ac.listeners[a.group] = ls
		}
		for _, p := range a.ports {
			if ls[p.port] == nil {
				ls[p.port] = &albListener{id: "alb-ingress:" + a.group + ":" + p.port, group: a.group, port: p.port, protocol: p.protocol, mode: tfrules.ALBModeOff}
			}
		}
	}
	// Mutual authentication and ssl-redirect hold for the whole group
	// ("Exclusive" annotations): the listener of a port takes the entry
	// of whichever Ingress of the group gives one.
	for _, a := range ac.ingresses {
		ls := ac.listeners[a.group]
		for _, l := range ls {
			if a.sslRedirect.Set && strings.TrimSpace(a.sslRedirect.Value) != "" && l.protocol == "HTTP" {
				l.redirect = true
			}
			switch {
			case a.mtlsErr != "":
				if l.protocol == "HTTPS" {
					l.mode, l.from, l.entry = "", a, nil
				}
			case a.mtls[l.port] != nil && l.protocol == "HTTPS" && l.from == nil && l.mode != "":
				l.mode, l.from, l.entry = a.mtls[l.port].Mode, a, a.mtls[l.port]
			}
		}
	}
	return ac
}

// albRoutes are the model's routes of the ALB Ingresses in one file.
func albRoutes(p *rules.Pass, f *kube.File) []*rules.Route {
	c := f.Cluster()
	ac := albsOf(p)[c]
	if ac == nil {
		return nil
	}
	var out []*rules.Route
	for _, a := range ac.ingresses {
		if a.ing.Obj.File != f.Root() {
			continue
		}
		for _, port := range a.ports {
			l := ac.listeners[a.group][port.port]
			if l == nil || l.redirect {
				continue
			}
			out = append(out, albListenerRoutes(p, c, a, l)...)
		}
	}
	rules.SortRoutes(out)
	return out
}

// albListenerRoutes are the routes of one Ingress on one listener: every
// rule path, and the default backend.
func albListenerRoutes(p *rules.Pass, c *kube.Cluster, a *albIngress, l *albListener) []*rules.Route {
	in := a.ing
	var out []*rules.Route
	add := func(host, path string, b *kube.Backend, rng source.Range) {
		if b == nil || b.Resource || !b.Service.Set {
			return
		}
		svcs := (&analysis{cluster: c}).services(in.Obj, b)
		port, _ := servicePort(svcs, b)
		shown := host
		if shown == "" {
			shown = "every host"
		}
		listenerRange := a.portsAnn.Line()
		if !a.portsAnn.Set {
			listenerRange = in.Obj.Range
		}
		r := &rules.Route{
			ID:    fmt.Sprintf("alb-ingress:%s:%s-%s:%s%s", in.Obj.NamespacedName(), l.protocol, l.port, host, path),
			Proxy: "alb",
			Desc:  fmt.Sprintf("%s, listener %s, %s %s", in.Obj.Ref(), l.describe(), shown, path) + renderedIn(in.Obj),
			Path:  path,
			Listener: rules.Listener{
				Endpoint:    rules.Endpoint{Port: l.port},
				TLS:         l.protocol == "HTTPS",
				Verify:      tfrules.ALBVerify(l.protocol, l.mode),
				Range:       listenerRange,
				VerifyRange: l.modeRange(listenerRange),
			},
			Upstream:         ServiceUpstream(p, c, in.Obj, b.Service.Value, port),
			Headers:          albHeaders(a, l, listenerRange),
			Default:          rules.Passthrough,
			AdmitsUnderscore: !a.dropInvalid,
			Range:            rng,
			SetHint:          albSetHint,
		}
		if l.entry != nil && l.entry.TrustStore != nil {
			r.Listener.CA = *l.entry.TrustStore
		}
		r.Upstream.Range = b.Service.Line()
		if host != "" {
			r.Hosts = []string{host}
		}
		out = append(out, r)
	}
	for i := range in.Rules {
		rule := &in.Rules[i]
		for j := range rule.Paths {
			pt := &rule.Paths[j]
			path := pt.Path.Value
			if path == "" {
				path = "/"
			}
			add(strings.TrimSpace(rule.Host.Value), path, &pt.Backend, pt.Range)
		}
	}
	if in.DefaultBackend != nil {
		add("", "default backend", in.DefaultBackend, in.DefaultBackend.Range)
	}
	return out
}

// albHeaders is how a listener treats the headers: the mutual-TLS headers
// by mode (the same model as the Terraform ALB routes), X-Forwarded-For
// by the load balancer's xff_header_processing mode, X-Forwarded-Proto
// and -Port as the ALB adds them.
func albHeaders(a *albIngress, l *albListener, listenerRange source.Range) map[string]rules.HeaderTreatment {
	hs := tfrules.ALBMTLSHeaders(l.protocol, l.mode, l.modeRange(listenerRange), "K014")
	hs["x-forwarded-for"] = tfrules.ALBForwardedFor(a.xff, true, "routing.http.xff_header_processing.mode")
	for _, h := range []string{"X-Forwarded-Proto", "X-Forwarded-Port"} {
		hs[strings.ToLower(h)] = rules.HeaderTreatment{Name: h, Action: rules.Unknown, Note: tfrules.ALBForwardedNote}
	}
	return hs
}

// albSetHint says how an ALB Ingress gets a header the app can trust, in
// the controller's annotations.
func albSetHint(header string, _ rules.Fact) string {
	if tfrules.IsALBMTLSHeader(header) {
		return "set `alb.ingress.kubernetes.io/mutual-authentication: '[{\"port\": 443, \"mode\": \"verify\", \"trustStore\": \"…\"}]'` on the Ingress, so that the ALB sets it from a verified certificate"
	}
	return fmt.Sprintf("the ALB forwards a client's %s as sent: have the app read the X-Amzn-Mtls-Clientcert-* headers of a listener in verify mode", rules.DisplayHeader(header))
}
