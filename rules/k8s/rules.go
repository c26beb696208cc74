// Package k8s holds the Kubernetes rules (code prefix K): ingress-nginx's
// client-certificate annotations, the controller ConfigMap, and how the
// app's Service is exposed; and the route builder that turns Ingresses
// into the deployment model's routes, so that the cross-file rules see
// ingress-nginx like any other proxy.
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

const (
	annotationsDoc = "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#client-certificate-authentication"
	configmapDoc   = "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/"
	templateRef    = "ingress-nginx rootfs/etc/nginx/template/nginx.tmpl (\"Pass the extracted client certificate to the backend\")"
	networkDoc     = "https://kubernetes.io/docs/concepts/services-networking/network-policies/"
)

// VerifyOptional reports auth-tls-verify-client optional and
// optional_no_ca.
var VerifyOptional = &rules.Rule{
	Code: "K001", Name: "auth-tls-verify-optional", Severity: rules.High,
	CWE:     []string{"CWE-287", "CWE-295"},
	Summary: "auth-tls-verify-client is optional or optional_no_ca, so requests without a verified client certificate reach the app.",
	Doc: rules.Doc{
		What: "Reports an Ingress with `nginx.ingress.kubernetes.io/auth-tls-secret` whose `auth-tls-verify-client` is `optional` or `optional_no_ca` (the default is `on`). " +
			"A kustomize patch whose kustomization was not rendered is judged on its own lines: one that sets the annotations in whole (JSON6902 `add /metadata/annotations`) like an Ingress; " +
			"one that changes them one by one (a strategic-merge patch, a JSON6902 operation on a single annotation) and sets an optional mode without naming `auth-tls-secret` at high too: with the base's secret the mode lets unverified requests through, without one no certificate is requested at all.",
		Why: "With `optional`, a client that sends no certificate is let through and the app receives `ssl-client-verify: NONE`; the app is then the only thing that refuses it, on every view. " +
			"With `optional_no_ca`, any certificate is accepted, including a self-signed one whose subject the client chose, and its subject DN reaches the app in `ssl-client-subject-dn`: " +
			"an app that authenticates on that DN (or on the forwarded certificate) without requiring `ssl-client-verify == \"SUCCESS\"` accepts whoever the client claims to be (nginx still reports such a certificate as `FAILED:<reason>`). " +
			"That case is critical; when the app requires SUCCESS, or no app that trusts the DN is known, it is high.",
		Example: "metadata:\n  annotations:\n    nginx.ingress.kubernetes.io/auth-tls-secret: shop/client-ca\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional_no_ca",
		Fix: "Set `auth-tls-verify-client: \"on\"`. If some paths must work without a certificate, serve them on another host (the setting is per host); " +
			"with `optional`, the app must check `ssl-client-verify == \"SUCCESS\"` exactly on every request. `optional_no_ca` is only for apps that verify the forwarded certificate chain themselves.",
		References: []string{annotationsDoc, "https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_verify_client"},
	},
	Scope:    rules.ScopeDeployment,
	Requires: []*rules.Analysis{Clusters, rules.DeploymentModel},
	Check:    checkVerifyOptional,
}

// UnprotectedEntrance reports a Service that client certificates guard on
// one host and nothing guards on another.
var UnprotectedEntrance = &rules.Rule{
	Code: "K002", Name: "service-reachable-without-client-cert", Severity: rules.Critical,
	CWE:     []string{"CWE-290", "CWE-288"},
	Summary: "A Service that an Ingress guards with client certificates is also reached through a host, host-less rule or default backend without them.",
	Doc: rules.Doc{
		What: "Reports every way into a Service (an Ingress path on a host, a rule without a host, a default backend) whose host has no `auth-tls-secret`, when another Ingress requires client certificates for the same Service.",
		Why: "ingress-nginx sets `ssl-client-verify`, `ssl-client-subject-dn` and `ssl-client-issuer-dn` only for hosts with a CA (nginx.tmpl); elsewhere the client's own headers of those names pass through unchanged. " +
			"A client that sends `ssl-client-verify: SUCCESS` and a subject DN of its choice to the unprotected host reaches the same app, which cannot tell the two paths apart.",
		Example: "# api.example.com (auth-tls-secret set) and www.example.com (none) both route to Service api\n- host: www.example.com\n  http:\n    paths:\n    - path: /\n      backend:\n        service:\n          name: api",
		Fix: "Route the Service only through hosts with `auth-tls-secret`, or give the other host the same client-certificate annotations. " +
			"If it must stay reachable without certificates, make the app ignore the ssl-client-* headers on that host, and restrict direct access with a NetworkPolicy.",
		References: []string{annotationsDoc, templateRef, "https://github.com/kubernetes/ingress-nginx/issues/7133"},
	},
	Scope:    rules.ScopeDeployment,
	Requires: requiresClusters,
	Check:    checkUnprotectedEntrance,
}

// HostConflict reports Ingresses of one host that configure client
// certificates differently.
var HostConflict = &rules.Rule{
	Code: "K003", Name: "host-auth-tls-conflict", Severity: rules.Critical,
	CWE:     []string{"CWE-287", "CWE-1188"},
	Summary: "Ingresses for the same host disagree on client-certificate authentication, which ingress-nginx applies per host.",
	Doc: rules.Doc{
		What: "Reports an Ingress whose auth-tls annotations (secret, verify mode, passing the certificate upstream) differ from those of another Ingress with a rule for the same host.",
		Why: "Client-certificate verification is a server setting in nginx, so ingress-nginx applies one configuration to the whole host: that of the first Ingress with `auth-tls-secret` it reads, which depends on creation time, not on the manifests. " +
			"When two Ingresses name different CAs or modes, the weaker may be the one enforced (critical). An Ingress without auth-tls annotations on such a host is silently covered by the other's check, " +
			"so its owner's intent (per-path certificates, which nginx cannot do) is not what runs, and removing the other Ingress removes the check from its paths too (medium).",
		Example:    "# Ingress a: host api.example.com, auth-tls-verify-client: \"on\"\n# Ingress b: host api.example.com, auth-tls-verify-client: optional_no_ca",
		Fix:        "Give every Ingress of the host the same auth-tls annotations, or move paths that need different client-certificate handling to a separate host.",
		References: []string{annotationsDoc, "https://github.com/kubernetes/ingress-nginx/issues/7133", "https://github.com/kubernetes/ingress-nginx/pull/603"},
	},
	Scope:    rules.ScopeDeployment,
	Requires: requiresClusters,
	Check:    checkHostConflict,
}

// UnderscoreHeaders reports a controller ConfigMap that admits header
// names with underscores or invalid characters.
var UnderscoreHeaders = &rules.Rule{
	Code: "K004", Name: "configmap-underscore-headers", Severity: rules.High,
	CWE:     []string{"CWE-436", "CWE-290"},
	Summary: "The ingress-nginx ConfigMap lets header names with underscores or invalid characters through to the apps.",
	Doc: rules.Doc{
		What: "Reports `enable-underscores-in-headers: \"true\"` or `ignore-invalid-headers: \"false\"` in the ingress-nginx controller's ConfigMap (defaults: disabled and enabled).",
		Why: "nginx overwrites a client header only when its name matches exactly, so a client's `ssl_client_verify: SUCCESS` passes next to the `ssl-client-verify` the controller sets. " +
			"App servers that map `_` like `-` into `HTTP_SSL_CLIENT_VERIFY` (gunicorn before 22.0 or with header_map dangerous, uWSGI's HTTP router, ASGI servers) may then hand the app the client's value.",
		Example:    "kind: ConfigMap\nmetadata:\n  name: ingress-nginx-controller\ndata:\n  enable-underscores-in-headers: \"true\"",
		Fix:        "Remove the key (or set `enable-underscores-in-headers: \"false\"`, `ignore-invalid-headers: \"true\"`) so that nginx drops such headers.",
		References: []string{configmapDoc + "#enable-underscores-in-headers", configmapDoc + "#ignore-invalid-headers", "https://nginx.org/en/docs/http/ngx_http_core_module.html#underscores_in_headers"},
	},
	Scope:    rules.ScopeTree,
	Kinds:    []string{kube.Kind},
	Requires: requiresClusters,
	Check:    checkUnderscoreHeaders,
}

// ServiceExposed reports the app's Service or pods reachable without the
// ingress controller.
var ServiceExposed = &rules.Rule{
	Code: "K005", Name: "app-service-exposed", Severity: rules.High,
	CWE:     []string{"CWE-668", "CWE-288"},
	Summary: "The app's Service or pods can be reached without going through ingress-nginx: NodePort, LoadBalancer, externalIPs, hostPort or hostNetwork.",
	Doc: rules.Doc{
		What: "Reports a Service of type NodePort or LoadBalancer or with externalIPs, and a pod with hostNetwork or a hostPort, when the Service is the app's: " +
			"an Ingress with `auth-tls-secret` routes to it, or its pods run Django or a Python app server. " +
			"The opening is also what decides the app's direct path in the deployment model: where the app trusts proxy headers and its app server's bind is in the repository, X004 reports the path with this line as a related location, naming the port a client connects to, and replaces this finding.",
		Why:        "The client-certificate check and the ssl-client-* headers come from the ingress controller. A client that connects to the node port, the load balancer or the host port talks to the app directly and sends whatever ssl-client-* or X-Forwarded-* headers it likes.",
		Example:    "kind: Service\nspec:\n  type: NodePort\n  selector: {app: web}",
		Fix:        "Use `type: ClusterIP` without externalIPs, drop hostPort and hostNetwork, and let only the ingress controller reach the pods (see K006).",
		References: []string{"https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types", networkDoc},
	},
	Scope:    rules.ScopeDeployment,
	Requires: requiresClusters,
	Check:    checkServiceExposed,
}

// NoNetworkPolicy reports the app's pods without a NetworkPolicy that
// limits incoming traffic to the ingress controller.
var NoNetworkPolicy = &rules.Rule{
	Code: "K006", Name: "app-service-no-network-policy", Severity: rules.High,
	CWE:     []string{"CWE-668", "CWE-923"},
	Summary: "No NetworkPolicy limits incoming traffic to the app's pods to the ingress controller's namespace.",
	Doc: rules.Doc{
		What: "Reports the app's Service (as in K005) when no NetworkPolicy of the repository selects its pods, or when one that does admits sources other than the ingress controller " +
			"(a rule without `from`, an ipBlock, a namespaceSelector that does not name the controller's namespace, a podSelector for other pods). " +
			"In a cluster with Gateway API Gateways, a Gateway's proxies count as the controller: a namespaceSelector for a Gateway's namespace other than the policy's own, or for an implementation's own namespace (`envoy-gateway-system`, `nginx-gateway`), " +
			"and a podSelector for the label implementations put on a Gateway's proxy pods (`gateway.networking.k8s.io/gateway-name`, Envoy Gateway's `gateway.envoyproxy.io/owning-gateway-name`) with a Gateway's name. " +
			"Behind an ALB Ingress (AWS Load Balancer Controller) the ALB connects from its addresses in its subnets, so an ipBlock narrower than every address may admit only the ALB or pods too: that is undecided and reported at medium. " +
			"The controller's namespace is that of a controller ConfigMap of the repository, or an installation's own (`ingress-nginx`, `nginx-ingress`). A source that selects the pods of an ingress controller the repository runs (a workload with Traefik's, ingress-nginx's, NGINX Inc's or HAProxy Technologies' controller image) is the controller: a namespaceSelector that selects its namespace (by `kubernetes.io/metadata.name` or the Namespace's labels), with a podSelector, if any, that selects its pods, or a podSelector alone for its pods in the policy's own namespace. " +
			"A namespace or label value that has only \"ingress\" in its name (`edge-ingress`) is assumed to be the controller's, and the policy is reported at medium, naming what it admits and the assumption (`the NetworkPolicy admits namespace \"edge-ingress\", assumed to be the ingress controller's from the name alone`). " +
			"Pods whose Istio sidecar refuses plain text (a PeerAuthentication with `mtls.mode: STRICT` and no port of `portLevelMtls` in another mode, the most specific one for the workload: selecting it, else its namespace's, else the mesh's in `istio-system`) are not reported: every connection reaches them through the sidecar, whose routes X001 judges. " +
			"Where the app trusts proxy headers and its app server's bind is in the repository, X004 reports the same opening as the app's direct path (at the same severity, medium when undecided) and replaces this finding.",
		Why:     "Without a policy every pod of the cluster can connect to the app and send its own ssl-client-* headers, skipping the controller's client-certificate check; one compromised or tenant-owned pod is enough.",
		Example: "# Service web fronted by an mTLS Ingress, and no NetworkPolicy in the repository",
		Fix: "Add a NetworkPolicy that selects the app's pods with `policyTypes: [Ingress]` and admits only the controller, e.g. `from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]`. " +
			"Policies that live outside this repository are not seen; suppress the finding with the reason if that is where it is enforced.",
		References: []string{networkDoc},
	},
	Scope:    rules.ScopeDeployment,
	Requires: []*rules.Analysis{Clusters, IstioResources},
	Check:    checkNetworkPolicy,
}

// NotAnalysed documents the Kubernetes configuration that the front end
// recognises but cannot render or read.
var NotAnalysed = &rules.Rule{
	Code: "K007", Problem: kube.ProblemNotRendered, Name: "manifest-not-analysed", Severity: rules.Info, Scope: rules.ScopeLoad,
	Summary: "A kustomization, Helm chart, template or patch was recognised but could not be rendered, so it was not analysed.",
	Doc: rules.Doc{
		What: "Reports a kustomize overlay or Helm chart that could not be rendered (a remote base, which is not fetched; Helm chart inflation inside kustomize; a chart dependency missing from charts/; " +
			"values a chart requires and the environment does not give; a build error; the renderer mtlslint-render not installed), with the reason, and then each of its patches and templates, which are read as written: " +
			"a file that holds Go template expressions (`{{ … }}`) outside a chart, a chart template, a kustomize patch (a JSON6902 list, or a file a kustomization references as a patch). " +
			"What such a patch sets on an Ingress is still read on its own, for the other rules (K001, K008) to judge.",
		Why: "A template is not YAML until it is rendered, and a patch holds only the fields it changes; reading either as a manifest would report nonsense, or nothing where the rendered result is vulnerable. Its findings are unknown, not absent.",
		Fix: "Install the renderer beside mtlslint (`go install ./cmd/...`), vendor remote bases and chart dependencies into the repository, " +
			"or lint the rendered output: `kustomize build overlay > rendered.yaml` or `helm template . > rendered.yaml`, then `mtlslint check rendered.yaml`.",
	},
}

// AnnotationsWithoutSecret reports auth-tls annotations that take no
// effect because auth-tls-secret is missing.
var AnnotationsWithoutSecret = &rules.Rule{
	Code: "K008", Name: "auth-tls-without-secret", Severity: rules.High,
	CWE:     []string{"CWE-306", "CWE-290"},
	Summary: "auth-tls annotations without auth-tls-secret: ingress-nginx ignores them and requests no client certificate.",
	Doc: rules.Doc{
		What: "Reports an Ingress that sets `auth-tls-verify-client` (other than `off`), `auth-tls-verify-depth`, `auth-tls-pass-certificate-to-upstream`, `auth-tls-error-page` or `auth-tls-match-cn` but no `auth-tls-secret`.",
		Why: "ingress-nginx reads the client-certificate annotations only together with `auth-tls-secret`. Without it no certificate is requested and the ssl-client-* headers are not set, " +
			"so a client's own `ssl-client-verify: SUCCESS` reaches an app that was meant to sit behind mutual TLS.",
		Example:    "annotations:\n  nginx.ingress.kubernetes.io/auth-tls-verify-client: \"on\"\n  # auth-tls-secret missing",
		Fix:        "Add `nginx.ingress.kubernetes.io/auth-tls-secret: <namespace>/<secret with ca.crt>`.",
		References: []string{annotationsDoc},
	},
	Scope:    rules.ScopeTree,
	Kinds:    []string{kube.Kind},
	Requires: requiresClusters,
	Check:    checkWithoutSecret,
}

// Rules are the Kubernetes rules, in code order.
var Rules = append(append(append([]*rules.Rule{VerifyOptional, UnprotectedEntrance, HostConflict, UnderscoreHeaders, ServiceExposed, NoNetworkPolicy, NotAnalysed, AnnotationsWithoutSecret},
	GatewayRules...), ALBRules...), GatewayBackendCertWithoutTLS)

// objKey names an object for diagnostic keys: the file it is defined in,
// its kind, namespace and name. The file is part of it because the same
// object often appears once per environment, and each copy is a finding.
func objKey(o *kube.Object, aspect string) rules.Key {
	return rules.ObjectKey(o.File.Path, o.Kind, o.NamespacedName(), aspect)
}

func related(r source.Range, format string, args ...any) source.Related {
	return source.Related{Range: r, Message: fmt.Sprintf(format, args...)}
}

func checkVerifyOptional(pass *rules.Pass) {
	g := gather(pass)
	defer g.flush()
	for _, a := range clusters(pass) {
		for _, in := range a.ingresses {
			auth := readAuthTLS(in)
			if (auth.name != "optional" && auth.name != "optional_no_ca") || (!auth.hasCA() && !auth.secretUndecided()) {
				continue
			}
			d := rules.Diagnostic{
				Range: auth.verify.Line(),
				Key:   rules.VerifyKey(auth.verify.Line()),
				Fixes: []rules.Fix{{
					Description: "require a verified client certificate",
					Edits:       []rules.Edit{{Range: auth.verify.Range, NewText: `"on"`}},
				}},
			}
			if auth.secretUndecided() {
				// Whether the base holds auth-tls-secret is unknown, but
				// both outcomes let requests without a verified
				// certificate through: the finding is decided.
				d.Message = fmt.Sprintf("auth-tls-verify-client is %q in a patch: unverified requests get through with or without the base's secret", auth.name)
				d.Detail = fmt.Sprintf("%s does not set auth-tls-secret, and the kustomization that merges it into its base was not rendered. "+
					"With a secret from the base, %s; without one, no client certificate is requested at all.", in.Obj.Patched, auth.weakness())
				g.report(a, d)
				continue
			}
			if auth.name == "optional" {
				d.Message = "auth-tls-verify-client is \"optional\": requests without a client certificate reach the app"
				d.Detail = fmt.Sprintf("On %s, requests without a client certificate reach the app with ssl-client-verify: NONE, and only the app can refuse them.", in.Obj.Ref())
			} else {
				trust, gate := dnTrust(rules.ModelOf(pass), in)
				switch {
				case trust != nil && gate == nil:
					d.Severity = rules.Critical
					d.Message = fmt.Sprintf("optional_no_ca accepts any self-signed certificate, and the app trusts %s from it", rules.Clip(rules.HeaderName(trust.Header), 30))
					d.Detail = fmt.Sprintf("auth-tls-verify-client is \"optional_no_ca\" on %s, so a certificate with any subject is accepted, and the app trusts %s from it (%s) without requiring ssl-client-verify == \"SUCCESS\".", in.Obj.Ref(), rules.HeaderName(trust.Header), trust.Source)
					d.Related = append(d.Related, related(trust.Range, "the app trusts %s here", rules.HeaderName(trust.Header)))
				case trust != nil:
					d.Message = "auth-tls-verify-client is \"optional_no_ca\": any self-signed certificate is accepted"
					d.Detail = fmt.Sprintf("On %s, only the app's ssl-client-verify == \"SUCCESS\" check keeps it from trusting a client-chosen %s.", in.Obj.Ref(), rules.HeaderName(trust.Header))
					d.Related = append(d.Related, related(gate.Range, "the app requires ssl-client-verify == \"SUCCESS\" here"))
				default:
					d.Message = "auth-tls-verify-client is \"optional_no_ca\": any self-signed certificate is accepted"
					d.Detail = fmt.Sprintf("On %s, its client-chosen subject DN reaches the app in ssl-client-subject-dn.", in.Obj.Ref())
				}
			}
			d.Related = append(d.Related, related(auth.secret.Line(), "the CA that client certificates are verified against"))
			g.report(a, d)
		}
	}
}

// dnTrust returns a trust, by an app reached through the Ingress, in a
// header that carries the client-chosen subject (the subject DN, or the
// certificate itself), and the app's exact ssl-client-verify == "SUCCESS"
// check if it has one. With optional_no_ca an unverified certificate
// still yields FAILED:<reason> in ssl-client-verify, so an app that
// requires SUCCESS refuses it before the subject matters.
func dnTrust(m *rules.Model, in *kube.Ingress) (dn, gate *rules.Trust) {
	if m == nil {
		return nil, nil
	}
	prefix := "k8s:" + in.Obj.NamespacedName() + ":"
	for _, l := range m.Links {
		if l.Route == nil || l.App == nil || !strings.HasPrefix(l.Route.ID, prefix) {
			continue
		}
		var appDN, appGate *rules.Trust
		for i := range l.App.Trusts {
			t := &l.App.Trusts[i]
			switch rules.HeaderName(t.Header) {
			case "ssl-client-subject-dn", "ssl-client-cert":
				if appDN == nil {
					appDN = t
				}
			case "ssl-client-verify":
				if t.Requires("SUCCESS") && appGate == nil {
					appGate = t
				}
			}
		}
		switch {
		case appDN != nil && appGate == nil:
			return appDN, nil // the worst case wins
		case appDN != nil && dn == nil:
			dn, gate = appDN, appGate
		}
	}
	return dn, gate
}

func checkUnprotectedEntrance(pass *rules.Pass) {
	found := gather(pass)
	defer found.flush()
	for _, a := range clusters(pass) {
		for _, ref := range a.serviceRef {
			var guarded, open []*entrance
			for _, e := range a.entrances[ref] {
				if e.host.auth.hasCA() {
					guarded = append(guarded, e)
				} else {
					open = append(open, e)
				}
			}
			if len(guarded) == 0 || len(open) == 0 {
				continue
			}
			g := guarded[0]
			for _, e := range open {
				found.report(a, rules.Diagnostic{
					Range:   e.backend.Service.Line(),
					Message: fmt.Sprintf("Service %s is reached here without the client certificate it requires elsewhere", rules.Clip(ref, 40)),
					Detail: fmt.Sprintf("Service %s is reached through %s without client-certificate authentication, while %s requires it, so a client-sent ssl-client-verify: SUCCESS reaches the app here.",
						ref, e.where(), g.where()),
					Related: []source.Related{related(g.host.auth.secret.Line(), "%s requires client certificates for host %s", g.host.auth.ing.Obj.Ref(), g.host.name)},
					Key:     rules.EntranceKey(ref, e.ing.Obj.File.Path, e.ing.Obj.Kind, e.ing.Obj.NamespacedName(), e.host.name, entrancePath(e)),
				})
			}
		}
	}
}

func entrancePath(e *entrance) string {
	if e.isDefault {
		return "default"
	}
	return e.path.Path.Value
}

func checkHostConflict(pass *rules.Pass) {
	g := gather(pass)
	defer g.flush()
	for _, a := range clusters(pass) {
		for _, name := range a.hostNames {
			h := a.hosts[name]
			// One member per Ingress: the same namespace/name in two files
			// is one object in two environments, not two Ingresses.
			var members []hostMember
			seen := map[string]bool{}
			for _, m := range h.members {
				id := m.ing.Obj.NamespacedName()
				if !seen[id] {
					seen[id] = true
					members = append(members, m)
				}
			}
			if len(members) < 2 {
				continue
			}
			sigs := map[string]bool{}
			ref := members[0]
			for _, m := range members {
				sigs[m.auth.signature()] = true
				if m.auth.strength() > ref.auth.strength() {
					ref = m
				}
			}
			if len(sigs) < 2 {
				continue
			}
			host := name
			if name == catchAll {
				host = "the catch-all server (rules without a host)"
			}
			for _, m := range members {
				if m.auth.signature() == ref.auth.signature() {
					continue
				}
				at := m.rule.Host.Line()
				if !m.rule.Host.Set {
					at = m.rule.Range
				}
				d := rules.Diagnostic{
					Range:   at,
					Related: []source.Related{related(ref.auth.secret.Line(), "%s: %s", ref.ing.Obj.Ref(), ref.auth.describe())},
					Key:     rules.HostKey(name, m.ing.Obj.File.Path, m.ing.Obj.Kind, m.ing.Obj.NamespacedName()),
				}
				if m.auth.hasCA() {
					d.Message = fmt.Sprintf("Ingresses of host %s configure client certificates differently", rules.Clip(host, 50))
					d.Detail = fmt.Sprintf("%s configures %s for %s while %s configures %s; ingress-nginx applies the first Ingress it reads to the whole host, so the weaker setting may be the one enforced.",
						m.ing.Obj.Ref(), m.auth.describe(), host, ref.ing.Obj.Ref(), ref.auth.describe())
				} else {
					d.Severity = rules.Medium
					d.Message = fmt.Sprintf("this Ingress has no auth-tls-secret for %s, but another Ingress of the host requires one", rules.Clip(host, 40))
					d.Detail = fmt.Sprintf("%s requires client certificates for %s, and ingress-nginx applies that to every path of the host, %s's included.",
						ref.ing.Obj.Ref(), host, m.ing.Obj.Ref())
				}
				g.report(a, d)
			}
		}
	}
}

func checkUnderscoreHeaders(pass *rules.Pass) { checkTrees(pass, checkUnderscoreHeadersOf) }

func checkUnderscoreHeadersOf(g *gathered, a *analysis, f *kube.File) {
	for _, cm := range a.controller.maps {
		if cm.Obj.File != f.Root() {
			continue
		}
		for _, c := range []struct {
			key, bad, good, what string
		}{
			{"enable-underscores-in-headers", "true", `"false"`, "header names with underscores such as ssl_client_verify"},
			{"ignore-invalid-headers", "false", `"true"`, "header names with invalid characters, underscores included,"},
		} {
			s, set := cm.Data[c.key]
			if !set {
				continue
			}
			if v, ok := boolValue(s); !ok || fmt.Sprint(v) != c.bad {
				continue
			}
			g.report(a, rules.Diagnostic{
				Range:   s.Line(),
				Message: fmt.Sprintf("%s is %q: %s reach the apps", c.key, rules.Clip(s.Value, 10), c.what),
				Detail:  fmt.Sprintf("In %s; they arrive next to the ssl-client-* headers the controller sets, and app servers that map _ like - may take the client's value.", cm.Obj.Ref()),
				Key:     objKey(cm.Obj, c.key),
				Fixes: []rules.Fix{{
					Description: "restore the default " + c.good,
					Safe:        true,
					Edits:       []rules.Edit{{Range: s.Range, NewText: c.good}},
				}},
			})
		}
	}
}

func checkServiceExposed(pass *rules.Pass) {
	g := gather(pass)
	defer g.flush()
	for _, a := range clusters(pass) {
		for _, as := range a.appServices() {
			s := as.svc
			why := as.why()
			rel := as.relatedWhy()
			switch t := s.Type.Value; t {
			case "NodePort", "LoadBalancer":
				g.report(a, rules.Diagnostic{
					Range:   s.Type.Line(),
					Message: fmt.Sprintf("Service of type %s: clients reach the app without ingress-nginx's client-certificate check", t),
					Detail:  fmt.Sprintf("%s is the app's Service because %s.", s.Obj.Ref(), why),
					Related: rel,
					Key:     objKey(s.Obj, "exposed:type"),
				})
			}
			if len(s.ExternalIPs) > 0 {
				g.report(a, rules.Diagnostic{
					Range:   s.ExternalIPs[0].Range,
					Message: fmt.Sprintf("externalIPs: clients reach the app at %s without passing through ingress-nginx", rules.Clip(s.ExternalIPs[0].Value, 40)),
					Detail:  fmt.Sprintf("%s is the app's Service because %s.", s.Obj.Ref(), why),
					Related: rel,
					Key:     objKey(s.Obj, "exposed:externalIPs"),
				})
			}
			for _, w := range a.workloads(s) {
				if v, ok := boolValue(w.HostNetwork); ok && v {
					g.report(a, rules.Diagnostic{
						Range:   w.HostNetwork.Line(),
						Message: "hostNetwork: the app's ports are open on the node's address, around ingress-nginx",
						Detail:  fmt.Sprintf("%s runs the pods of %s with hostNetwork.", w.Obj.Ref(), s.Obj.Ref()),
						Related: rel,
						Key:     objKey(w.Obj, "hostNetwork"),
					})
				}
				for _, c := range w.Containers {
					for _, p := range c.Ports {
						if p.HostPort.Set && p.HostPort.Value != "0" {
							g.report(a, rules.Diagnostic{
								Range:   p.HostPort.Line(),
								Message: fmt.Sprintf("hostPort %s publishes the app on the node's port, around ingress-nginx", rules.Clip(p.HostPort.Value, 10)),
								Detail:  fmt.Sprintf("%s publishes container port %s of %s's pods on the node's port %s.", w.Obj.Ref(), p.ContainerPort.Value, s.Obj.Ref(), p.HostPort.Value),
								Related: rel,
								Key:     objKey(w.Obj, "hostPort:"+p.HostPort.Value),
							})
						}
					}
				}
			}
		}
	}
}

// relatedWhy points at what makes the Service the app's.
func (as appService) relatedWhy() []source.Related {
	if as.mtls != nil {
		return []source.Related{related(as.mtls.backend.Service.Line(), "%s routes to it with client certificates required", as.mtls.ing.Obj.Ref())}
	}
	if len(as.servers) > 0 {
		return []source.Related{related(as.servers[0].srv.Range, "the app server of %s", as.servers[0].w.Obj.Ref())}
	}
	return nil
}

func checkNetworkPolicy(pass *rules.Pass) {
	g := gather(pass)
	defer g.flush()
	for _, a := range clusters(pass) {
		istio := IstioOf(pass, a.cluster)
		for _, as := range a.appServices() {
			s := as.svc
			if !s.SelectorSet || len(s.Selector) == 0 {
				continue // no pods to guard: endpoints are managed by hand
			}
			ws := a.workloads(s)
			if istio != nil && len(ws) > 0 && !slices.ContainsFunc(ws, func(w *kube.Workload) bool { return istio.StrictFor(w) == nil }) {
				// Istio's sidecar refuses every connection without mutual
				// TLS to these pods: no pod reaches the app around it, and
				// what the sidecar forwards is judged on its routes.
				continue
			}
			labelSets := []map[string]string{}
			for _, w := range ws {
				labelSets = append(labelSets, w.PodLabels)
			}
			if len(labelSets) == 0 {
				labelSets = append(labelSets, s.Selector)
			}
			d, open := a.policyGap(s, labelSets)
			if !open {
				continue
			}
			d.Key = objKey(s.Obj, "network-policy")
			d.Related = append(d.Related, as.relatedWhy()...)
			g.report(a, d)
		}
	}
}

// policyGap checks the policies that select the pods: none, or one that
// admits more than the ingress controller, leaves the pods open.
func (a *analysis) policyGap(s *kube.Service, labelSets []map[string]string) (rules.Diagnostic, bool) {
	var policies []*kube.NetworkPolicy
	for _, np := range a.cluster.NetworkPolicies() {
		if !kube.SameNamespace(np.Obj, s.Obj) || !np.IsolatesIngress() {
			continue
		}
		for _, ls := range labelSets {
			if np.PodSelector.Matches(ls) {
				policies = append(policies, np)
				break
			}
		}
	}
	if len(policies) == 0 {
		return rules.Diagnostic{
			Range:   s.Obj.Range,
			Message: "no NetworkPolicy in the repository limits incoming traffic to the app's pods",
			Detail:  fmt.Sprintf("Any pod in the cluster can reach the pods of %s directly with its own ssl-client-* and X-Forwarded-* headers.", s.Obj.Ref()),
		}, true
	}
	sort.SliceStable(policies, func(i, j int) bool { return policies[i].Obj.Range.Less(policies[j].Obj.Range) })
	alb := a.albBackend(s)
	var undecided *rules.Diagnostic
	for _, np := range policies {
		for _, r := range np.IngressRules {
			if len(r.From) == 0 {
				return rules.Diagnostic{
					Range:   r.Range,
					Message: "this NetworkPolicy admits traffic from every source to the app's pods",
					Detail:  fmt.Sprintf("%s admits every source to the pods of %s, so any pod or client can reach the app directly with its own ssl-client-* and X-Forwarded-* headers.", np.Obj.Ref(), s.Obj.Ref()),
				}, true
			}
			for _, p := range r.From {
				if alb != nil && p.IPBlock.Set && !allAddresses(p.IPBlock.Value) {
					// An ALB reaches the pods from its own addresses in its
					// subnets: whether the block holds only those, or pods
					// too, is the VPC's layout, which the manifests do not
					// show.
					if undecided == nil {
						undecided = &rules.Diagnostic{
							Range:    p.Range,
							Severity: rules.Medium,
							Message:  fmt.Sprintf("whether %s admits only the ALB to the app's pods is not decided", rules.Clip(describePeer(p), 40)),
							Detail: fmt.Sprintf("%s admits %s to the pods of %s, which %s sends to through an ALB. The ALB connects from its addresses in its subnets; if pods or other hosts have addresses in the block too, they reach the app directly with their own X-Amzn-Mtls-* and X-Forwarded-* headers. Which addresses the block holds is not in the repository.",
								np.Obj.Ref(), describePeer(p), s.Obj.Ref(), alb.Obj.Ref()),
						}
					}
					continue
				}
				ok, assumed := a.controllerPeer(np, p)
				if ok && assumed != "" && undecided == nil {
					undecided = &rules.Diagnostic{
						Range:    p.Range,
						Severity: rules.Medium,
						Message:  fmt.Sprintf("the NetworkPolicy admits %s, assumed to be the ingress controller's from the name alone", rules.Clip(assumedPeer(np, p, assumed), 60)),
						Detail: fmt.Sprintf("%s admits %s to the pods of %s, and only the word \"ingress\" in %q says that the ingress controller runs there: no controller ConfigMap or controller Deployment of the repository is in that namespace or has those labels, and it is not an installation's own namespace (%s). If other pods run there, they reach the app directly with their own ssl-client-* and X-Forwarded-* headers.",
							np.Obj.Ref(), assumedPeer(np, p, assumed), s.Obj.Ref(), assumed, strings.Join(installNamespaces, ", ")),
					}
				}
				if !ok {
					return rules.Diagnostic{
						Range:   p.Range,
						Message: fmt.Sprintf("this NetworkPolicy admits %s to the app's pods, not only the ingress controller", rules.Clip(describePeer(p), 40)),
						Detail:  fmt.Sprintf("%s admits %s to the pods of %s, so those clients reach the app directly with their own ssl-client-* and X-Forwarded-* headers.", np.Obj.Ref(), describePeer(p), s.Obj.Ref()),
					}, true
				}
			}
		}
	}
	if undecided != nil {
		return *undecided, true
	}
	return rules.Diagnostic{}, false
}

// allAddresses reports whether a CIDR holds every address.
func allAddresses(cidr string) bool {
	c := strings.TrimSpace(cidr)
	return c == "0.0.0.0/0" || c == "::/0"
}

// albBackend returns an Ingress of the AWS Load Balancer Controller that
// sends to the Service, or nil.
func (a *analysis) albBackend(s *kube.Service) *kube.Ingress {
	for _, in := range a.cluster.Ingresses() {
		if !kube.SameNamespace(in.Obj, s.Obj) || !isALBIngress(a.cluster, in) {
			continue
		}
		if b := in.DefaultBackend; b != nil && b.Service.Value == s.Obj.Name.Value {
			return in
		}
		for _, r := range in.Rules {
			for _, p := range r.Paths {
				if p.Backend.Service.Value == s.Obj.Name.Value {
					return in
				}
			}
		}
	}
	return nil
}

// controllerPeer reports whether a peer stands for the ingress controller
// or a Gateway's proxies: a namespace selector that names the controller's
// namespace (or a Gateway's, other than the policy's own), or, in the
// policy's own namespace, a pod selector for the controller's pods or a
// Gateway's. assumed is the name it rests on when only a name with
// "ingress" in it makes the peer the controller.
func (a *analysis) controllerPeer(np *kube.NetworkPolicy, p kube.NetworkPolicyPeer) (ok bool, assumed string) {
	if a.peerIs(np, p, a.isControllerNamespace) || a.selectsControllerPods(np, p) {
		return true, ""
	}
	byName := func(v string) bool {
		if v != "" && strings.Contains(strings.ToLower(v), "ingress") {
			assumed = v
			return true
		}
		return false
	}
	if a.peerIs(np, p, byName) {
		return true, assumed
	}
	return false, ""
}

// controllerImages are what the images of ingress controllers' own
// releases have in their names (Traefik's docker.io/traefik, ingress-nginx's
// registry.k8s.io/ingress-nginx/controller, NGINX Inc's nginx/nginx-ingress,
// HAProxy Technologies' haproxytech/kubernetes-ingress). A plain nginx or
// haproxy image is an app's own proxy as often as an ingress controller.
var controllerImages = []string{"traefik", "ingress-nginx/controller", "nginx-ingress", "kubernetes-ingress"}

// isController reports whether a workload of the repository runs an
// ingress controller's image.
func isController(w *kube.Workload) bool {
	for _, c := range w.Containers {
		// image references are lower case (the OCI distribution spec's
		// repository names)
		for _, name := range controllerImages {
			if strings.Contains(c.Image.Value, name) {
				return true
			}
		}
	}
	return false
}

// selectsControllerPods reports whether a peer admits the pods of an
// ingress controller that the repository itself runs (a Traefik
// Deployment): its namespace selector selects the controller's namespace,
// by the namespace's labels or the kubernetes.io/metadata.name label
// Kubernetes puts on every namespace, and its pod selector, when it has
// one, the controller's pod labels. A pod selector alone selects in the
// policy's own namespace, which must be the controller's.
func (a *analysis) selectsControllerPods(np *kube.NetworkPolicy, p kube.NetworkPolicyPeer) bool {
	if p.IPBlock.Set || (p.NamespaceSelector == nil && p.PodSelector == nil) {
		return false
	}
	for _, w := range a.cluster.Workloads() {
		if !isController(w) {
			continue
		}
		ns := w.Obj.NamespaceOrDefault()
		if p.NamespaceSelector == nil {
			if ns != np.Obj.NamespaceOrDefault() {
				continue
			}
		} else if p.NamespaceSelector.Empty() || !p.NamespaceSelector.Matches(a.namespaceLabels(ns)) {
			continue
		}
		if p.PodSelector == nil || (!p.PodSelector.Empty() && p.PodSelector.Matches(w.PodLabels)) {
			return true
		}
	}
	return false
}

// namespaceLabels are the labels of a namespace: those its Namespace
// object in the repository gives, and kubernetes.io/metadata.name, which
// the API server sets on every namespace to its name.
func (a *analysis) namespaceLabels(ns string) map[string]string {
	labels := map[string]string{}
	for _, o := range a.cluster.Objects {
		if o.Kind == "Namespace" && o.Name.Value == ns {
			for k, v := range o.Labels {
				labels[k] = v
			}
		}
	}
	labels["kubernetes.io/metadata.name"] = ns
	return labels
}

// assumedPeer names what a peer admits, for the name it is assumed to be
// the controller's by: a namespace (by name or by a label), the policy's
// own namespace, or pods by a label.
func assumedPeer(np *kube.NetworkPolicy, p kube.NetworkPolicyPeer, assumed string) string {
	labelled := func(sel *kube.LabelSelector, what string) string {
		for k, v := range sel.MatchLabels {
			if v != assumed {
				continue
			}
			if k == "kubernetes.io/metadata.name" && what == "namespaces" {
				return fmt.Sprintf("namespace %q", assumed)
			}
			return fmt.Sprintf("%s labelled %s=%s", what, k, v)
		}
		return fmt.Sprintf("%s labelled %q", what, assumed)
	}
	switch {
	case p.NamespaceSelector != nil:
		return labelled(p.NamespaceSelector, "namespaces")
	case assumed == np.Obj.Namespace.Value:
		return fmt.Sprintf("the pods of its own namespace %q", assumed)
	case p.PodSelector != nil:
		return labelled(p.PodSelector, "pods")
	}
	return fmt.Sprintf("%q", assumed)
}

// peerIs is controllerPeer with controller telling the names of the
// controller and its namespace.
func (a *analysis) peerIs(np *kube.NetworkPolicy, p kube.NetworkPolicyPeer, controller func(string) bool) bool {
	if p.IPBlock.Set {
		return false
	}
	if p.NamespaceSelector != nil {
		own := np.Obj.Namespace.Value
		return selectorNames(p.NamespaceSelector, controller) ||
			selectorNames(p.NamespaceSelector, func(v string) bool { return v != own && a.isGatewayNamespace(v) })
	}
	if p.PodSelector != nil {
		return controller(np.Obj.Namespace.Value) || selectorNames(p.PodSelector, controller) || a.namesGatewayPods(p.PodSelector)
	}
	return false
}

// selectorNames reports whether a selector requires a label value that
// names holds for: a matchLabels value, or every value of an In expression.
func selectorNames(sel *kube.LabelSelector, names func(string) bool) bool {
	if sel.Empty() {
		return false
	}
	for _, v := range sel.MatchLabels {
		if names(v) {
			return true
		}
	}
	for _, e := range sel.MatchExpressions {
		if e.Operator != "In" || len(e.Values) == 0 {
			continue
		}
		all := true
		for _, v := range e.Values {
			all = all && names(v)
		}
		if all {
			return true
		}
	}
	return false
}

// gatewayPodLabels are the labels Gateway API implementations put on the
// proxy pods they run for a Gateway, with the Gateway's name as the value
// (Istio, NGINX Gateway Fabric: the Gateway API's own label; Envoy Gateway:
// its owning-gateway label).
var gatewayPodLabels = []string{"gateway.networking.k8s.io/gateway-name", "gateway.envoyproxy.io/owning-gateway-name"}

// namesGatewayPods reports whether a pod selector requires the label that
// names a Gateway of the cluster on its proxy pods.
func (a *analysis) namesGatewayPods(sel *kube.LabelSelector) bool {
	for _, k := range gatewayPodLabels {
		if v, ok := sel.MatchLabels[k]; ok {
			for _, g := range a.cluster.Gateways() {
				if g.Obj.Name.Value == v {
					return true
				}
			}
		}
	}
	return false
}

// gatewayImplementationNamespaces are the namespaces Gateway API
// implementations install their proxies in by default: Envoy Gateway's
// envoy-gateway-system, NGINX Gateway Fabric's nginx-gateway. Only these
// names count: a namespace that merely has "gateway" in its name (an app's
// api-gateway) holds ordinary pods.
var gatewayImplementationNamespaces = []string{"envoy-gateway-system", "nginx-gateway"}

// isGatewayNamespace reports whether, in a cluster with Gateways, a
// namespace is where a Gateway's proxies may run: the namespace of a
// Gateway (Istio, NGINX Gateway Fabric and Envoy Gateway's namespace mode
// deploy them there), or an implementation's own namespace.
func (a *analysis) isGatewayNamespace(v string) bool {
	gws := a.cluster.Gateways()
	if v == "" || len(gws) == 0 {
		return false
	}
	for _, g := range gws {
		if g.Obj.Namespace.Value == v {
			return true
		}
	}
	return slices.Contains(gatewayImplementationNamespaces, v)
}

// installNamespaces are the namespaces the ingress controllers' own
// installation manifests and charts create and label: ingress-nginx's
// (kubernetes/ingress-nginx deploy/static), NGINX Inc's (nginx-ingress).
var installNamespaces = []string{"ingress-nginx", "nginx-ingress"}

// isControllerNamespace reports whether v names the ingress controller's
// namespace (or the controller, as a label value): that of a controller
// ConfigMap of the repository, or an installation's own. Any other name
// with "ingress" in it is only assumed to (controllerPeer).
func (a *analysis) isControllerNamespace(v string) bool {
	return v != "" && (slices.Contains(a.controller.namespaces, v) || slices.Contains(installNamespaces, v))
}

func describePeer(p kube.NetworkPolicyPeer) string {
	switch {
	case p.IPBlock.Set:
		return "the address block " + p.IPBlock.Value
	case p.NamespaceSelector != nil && p.NamespaceSelector.Empty():
		return "every namespace"
	case p.NamespaceSelector != nil && p.PodSelector != nil && !p.PodSelector.Empty():
		return "pods that are not the controller's"
	case p.NamespaceSelector != nil:
		return "namespaces that are not the controller's"
	case p.PodSelector != nil:
		return "other pods of its namespace"
	}
	return "an unrecognised source"
}

// authTLSAnnotations are the client-certificate annotations that mean
// nothing without auth-tls-secret.
var authTLSAnnotations = []string{"auth-tls-verify-client", "auth-tls-verify-depth", "auth-tls-pass-certificate-to-upstream", "auth-tls-error-page", "auth-tls-match-cn"}

func checkWithoutSecret(pass *rules.Pass) { checkTrees(pass, checkWithoutSecretOf) }

func checkWithoutSecretOf(g *gathered, a *analysis, f *kube.File) {
	for _, in := range a.ingresses {
		// A patch that leaves auth-tls-secret alone does not remove it:
		// whether the base sets it is for the base's own lines (K001
		// reports a weak mode the patch sets).
		if auth := readAuthTLS(in); in.Obj.File != f.Root() || auth.hasCA() || auth.secretUndecided() {
			continue
		}
		var first *kube.Scalar
		var names []string
		for _, n := range authTLSAnnotations {
			s := in.Annotation(n)
			if !s.KeyRange.IsValid() || (n == "auth-tls-verify-client" && strings.TrimSpace(s.Value) == "off") {
				continue
			}
			names = append(names, n)
			if first == nil || s.KeyRange.Less(first.KeyRange) {
				s := s
				first = &s
			}
		}
		if first == nil {
			continue
		}
		d := rules.Diagnostic{
			Range:   first.Line(),
			Message: "auth-tls annotations without auth-tls-secret: no client certificate is requested",
			Detail:  fmt.Sprintf("%s sets %s but no auth-tls-secret, so ingress-nginx requests no client certificate and the client's own ssl-client-* headers reach the app.", in.Obj.Ref(), strings.Join(names, ", ")),
			Key:     objKey(in.Obj, "auth-tls-secret"),
		}
		for _, prefix := range []string{kube.NginxAnnotationPrefix, "ingress.kubernetes.io/"} {
			if r, ok := in.Obj.Removed[prefix+"auth-tls-secret"]; ok && r.IsValid() {
				d.Related = append(d.Related, related(r, "a patch removes auth-tls-secret here"))
			}
		}
		g.report(a, d)
	}
}
