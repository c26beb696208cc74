package k8s

import (
	"fmt"
	"sort"
	"strings"

	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// The Gateway API rules: how a Gateway validates client certificates, and
// which HTTPRoutes reach a Service around that validation.

var requiresGateways = []*rules.Analysis{Clusters, gatewayAPI}

// GatewayInsecureFallback is K009.
var GatewayInsecureFallback = &rules.Rule{
	Code: "K009", Name: "gateway-client-cert-insecure-fallback", Severity: rules.High,
	CWE:     []string{"CWE-295", "CWE-287"},
	Summary: "A Gateway validates client certificates in AllowInsecureFallback mode: connections without a certificate, or with one that fails validation, are accepted.",
	Doc: rules.Doc{
		What: "Reports `mode: AllowInsecureFallback` in a Gateway's client-certificate validation (`spec.tls.frontend.default.validation` or a `perPort` entry's `tls.validation`).",
		Why: "In this mode the Gateway accepts the connection \"even if the client certificate is not presented or fails verification\" (Gateway API, FrontendValidationModeType): it delegates client authorization to the backend. " +
			"The specification itself calls it a significant security risk meant for testing. Any certificate a client makes itself, with any subject, gets through to the app.",
		Example:    "spec:\n  tls:\n    frontend:\n      default:\n        validation:\n          mode: AllowInsecureFallback\n          caCertificateRefs:\n          - {kind: ConfigMap, group: \"\", name: client-ca}",
		Fix:        "Remove the mode (it defaults to `AllowValidOnly`), or move the clients that cannot present a certificate to another port with its own `perPort` entry, and keep the app from trusting certificate headers there.",
		References: []string{refGatewayTypes, refGEP91},
	},
	Scope:    rules.ScopeDeployment,
	Requires: requiresGateways,
	Check:    checkGatewayFallback,
}

// GatewayLegacyValidation is K010.
var GatewayLegacyValidation = &rules.Rule{
	Code: "K010", Name: "gateway-listener-frontend-validation", Severity: rules.High,
	CWE:     []string{"CWE-295", "CWE-1188"},
	Summary: "A Gateway listener sets tls.frontendValidation, which only Gateway API 1.1 to 1.3 (experimental) had; later releases drop it and validate nothing.",
	Doc: rules.Doc{
		What: "Reports `tls.frontendValidation` on a Gateway listener. Without `spec.tls.frontend` the finding is high: on Gateway API 1.4 or later the field does not exist, so the listener asks for no client certificate; " +
			"with `spec.tls.frontend` beside it, it is medium: the Gateway is written for 1.4 or later and the listener field has no effect.",
		Why: "Client-certificate validation was a listener field in the experimental channel of Gateway API 1.1 to 1.3. Release 1.4 moved it to the Gateway (`spec.tls.frontend.default` and `perPort`, GEP-91) because HTTP/2 connection coalescing " +
			"lets one connection serve several listeners of a port (GEP-3567), and 1.5 made that Standard. Against current CRDs the field is unknown: strict field validation (kubectl's default) refuses the manifest, and an apply without it has the API server prune the field, so the listener validates nothing. " +
			"Which CRDs a cluster runs is not in the repository: mtlslint assumes the current ones.",
		Example:    "listeners:\n- name: https\n  protocol: HTTPS\n  port: 443\n  tls:\n    certificateRefs: [{name: web-tls}]\n    frontendValidation:\n      caCertificateRefs: [{kind: ConfigMap, group: \"\", name: client-ca}]",
		Fix:        "Move the CA references to `spec.tls.frontend.default.validation.caCertificateRefs` (or a `perPort` entry for the listener's port) and remove the listener field.",
		References: []string{refGatewayTypes, refGEP91, refGEP3567, refGateway14},
	},
	Scope:    rules.ScopeDeployment,
	Requires: requiresGateways,
	Check:    checkGatewayLegacy,
}

// GatewayUnvalidatedListener is K011.
var GatewayUnvalidatedListener = &rules.Rule{
	Code: "K011", Name: "gateway-route-without-client-cert", Severity: rules.Critical,
	CWE:     []string{"CWE-290", "CWE-288"},
	Summary: "An HTTPRoute reaches a Service through a Gateway listener that does not validate client certificates, while another listener validates them for the same Service.",
	Doc: rules.Doc{
		What: "Reports each attachment of an HTTPRoute to a listener without client-certificate validation (a plain HTTP listener, an HTTPS listener that `spec.tls.frontend` does not cover, or whose `perPort` entry has no validation) " +
			"when the same Service is also reached through a listener that validates them. A `parentRef` without `sectionName` or `port` attaches the route to every listener of the Gateway.",
		Why: "Client-certificate validation belongs to the listener, not to the route or the Service. The same app answers on the unvalidated listener, where no certificate is asked for and a client's own client-certificate headers reach it; " +
			"an app that cannot tell the two listeners apart accepts them.",
		Example:    "parentRefs:\n- name: web          # no sectionName: the http listener on :80 too\nrules:\n- backendRefs:\n  - {name: shop-web, port: 80}",
		Fix:        "Name the validating listener in the parentRef (`sectionName: https`), or validate on every listener that reaches the Service; redirect plain HTTP with a separate HTTPRoute that has only a `RequestRedirect` filter.",
		References: []string{refHTTPRoute, refGatewayTypes, refGEP91},
	},
	Scope:    rules.ScopeDeployment,
	Requires: requiresGateways,
	Check:    checkGatewayUnvalidated,
}

// GatewayImplementationHeader is K012.
var GatewayImplementationHeader = &rules.Rule{
	Code: "K012", Name: "gateway-client-cert-header-implementation-specific", Severity: rules.Medium,
	CWE:     []string{"CWE-290", "CWE-345"},
	Summary: "An app behind a Gateway trusts a client-certificate or forwarding header, and whether the Gateway's implementation sets it (and removes a client's copy) is implementation specific.",
	Doc: rules.Doc{
		What: "Reports a Gateway listener whose routes reach an app that trusts a header the Gateway API leaves to the implementation, and that no HTTPRoute filter on the way sets or removes: " +
			"a client-certificate or other identity header (`X-Forwarded-Client-Cert`, `X-SSL-Client-*` …) on a listener that validates client certificates, and the forwarding headers (`X-Forwarded-Client-Cert`, `X-Forwarded-Proto`, `-Host`, `-Port`, `-For`, `Forwarded`) on any listener.",
		Why: "The Gateway API validates client certificates but defines no header that tells the backend about them. Envoy Gateway, Istio, Contour, NGINX Gateway Fabric and others each decide, by their own policy resources, " +
			"whether they forward the certificate (Envoy's X-Forwarded-Client-Cert: sanitize, forward, append …) and whether they remove a header of the same name the client sent. mtlslint cannot see that policy in the Gateway API objects, " +
			"so what the app receives is undecided: the finding stays at medium and says so. If the implementation passes a client's copy through, the app accepts a forged identity.",
		Example: "# Gateway validates client certificates; the app reads\nrequest.META[\"HTTP_X_FORWARDED_CLIENT_CERT\"]\n# which the GatewayClass's implementation may or may not set and sanitize",
		Fix: "Check the implementation's documentation for the header it sets from the verified certificate, configure it to overwrite (Envoy: SANITIZE_SET), and make the app read exactly that header; " +
			"or remove the client's copy on every HTTPRoute with a `RequestHeaderModifier` filter and suppress this finding with the reason once the implementation is configured.",
		References: []string{refGEP91, refHTTPRoute, "Envoy: x-forwarded-client-cert and forward_client_cert_details — https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-client-cert"},
	},
	Scope:    rules.ScopeDeployment,
	Requires: []*rules.Analysis{Clusters, gatewayAPI, rules.DeploymentModel},
	Check:    checkGatewayImplementation,
}

// GatewayRules are the Gateway API rules, in code order.
var GatewayRules = []*rules.Rule{GatewayInsecureFallback, GatewayLegacyValidation, GatewayUnvalidatedListener, GatewayImplementationHeader}

// eachGateway calls fn for every Gateway of every cluster, with the
// cluster's analysis for gathering findings.
func eachGateway(p *rules.Pass, fn func(a *analysis, g *kube.Gateway)) {
	for _, a := range clusters(p) {
		for _, g := range a.cluster.Gateways() {
			fn(a, g)
		}
	}
}

// eachGatewayAPI calls fn for the Gateway API of every cluster that has
// one, with the cluster's analysis for gathering findings.
func eachGatewayAPI(p *rules.Pass, fn func(a *analysis, gc *gatewayCluster)) {
	gs := gatewaysOf(p)
	for _, a := range clusters(p) {
		if gc := gs[a.cluster]; gc != nil {
			fn(a, gc)
		}
	}
}

func checkGatewayFallback(p *rules.Pass) {
	found := gather(p)
	defer found.flush()
	eachGateway(p, func(a *analysis, g *kube.Gateway) {
		ft := g.Frontend
		if ft == nil {
			return
		}
		check := func(v *kube.FrontendValidation, where string) {
			if v == nil || strings.TrimSpace(v.Mode.Value) != allowInsecureFallback {
				return
			}
			found.report(a, rules.Diagnostic{
				Range:   v.Mode.Line(),
				Key:     objKey(g.Obj, "insecure-fallback:"+where),
				Message: "AllowInsecureFallback: connections without a valid client certificate are accepted",
				Detail:  fmt.Sprintf("%s validates client certificates in %s with mode AllowInsecureFallback, so a client that sends none, or one that fails validation, reaches the backends.", g.Obj.Ref(), where),
				Fixes: []rules.Fix{{Description: "accept only valid client certificates", Safe: false,
					Edits: []rules.Edit{{Range: v.Mode.Range, NewText: allowValidOnly}}}},
			})
		}
		check(ft.Default, "spec.tls.frontend.default")
		for _, pp := range ft.PerPort {
			check(pp.Validation, "the perPort entry for port "+pp.Port.Value)
		}
	})
}

func checkGatewayLegacy(p *rules.Pass) {
	found := gather(p)
	defer found.flush()
	eachGateway(p, func(a *analysis, g *kube.Gateway) {
		for _, l := range g.Listeners {
			if l.LegacyValidation == nil {
				continue
			}
			d := rules.Diagnostic{
				Range: l.LegacyValidation.Range,
				Key:   objKey(g.Obj, "frontendValidation:"+l.Name.Value),
			}
			if g.Frontend != nil {
				d.Severity = rules.Medium
				d.Message = "tls.frontendValidation on a listener has no effect beside spec.tls.frontend"
				d.Detail = fmt.Sprintf("Listener %s of %s sets the listener-level field of Gateway API 1.1–1.3; the Gateway also sets spec.tls.frontend (1.4 and later), which alone decides validation.", l.Name.Value, g.Obj.Ref())
				d.FixTitle = "Remove the listener's tls.frontendValidation; spec.tls.frontend decides."
			} else {
				d.Message = "tls.frontendValidation was removed in Gateway API 1.4: this listener may validate no client certificate"
				d.Detail = fmt.Sprintf("Listener %s of %s configures client-certificate validation with the experimental field of Gateway API 1.1–1.3; CRDs of 1.4 or later do not have it: the API server refuses the manifest or prunes the field, and the listener then asks for no certificate. The installed CRD version is not known; the worst case is assumed.", l.Name.Value, g.Obj.Ref())
				d.FixTitle = "Move the CA references to spec.tls.frontend.default.validation (or a perPort entry)."
			}
			found.report(a, d)
		}
	})
}

func checkGatewayUnvalidated(p *rules.Pass) {
	found := gather(p)
	defer found.flush()
	eachGatewayAPI(p, func(a *analysis, gc *gatewayCluster) {
		refs, by := gc.byService()
		for _, ref := range refs {
			var guarded *gwAttachment
			for _, at := range by[ref] {
				if at.check.validates() && guarded == nil {
					guarded = at
				}
			}
			if guarded == nil {
				continue
			}
			reported := map[string]bool{}
			for _, at := range by[ref] {
				if at.check.validates() {
					continue
				}
				k := fmt.Sprintf("%p|%p", at.ref, at.listener)
				if reported[k] {
					continue
				}
				reported[k] = true
				why := "a plain HTTP listener"
				switch {
				case isHTTPS(at.listener) && at.check.off != nil:
					why = "its port's spec.tls.frontend.perPort entry has no validation"
				case isHTTPS(at.listener):
					why = "no client-certificate validation covers it"
				}
				g := guarded
				for _, other := range by[ref] {
					if other.check.validates() && other.gw == at.gw {
						g = other
						break
					}
				}
				rel := []source.Related{related(g.check.rng, "%s validates client certificates for %s", g.gw.Obj.Ref(), rules.Clip(g.listenerName(), 40))}
				found.report(a, rules.Diagnostic{
					Range:   at.ref.Range,
					Key:     rules.EntranceKey(ref, at.route.Obj.File.Path, at.route.Obj.Kind, at.route.Obj.NamespacedName(), at.gw.Obj.NamespacedName()+"/"+at.listener.Name.Value, "parentRef"),
					Related: rel,
					Message: fmt.Sprintf("Service %s is reached on listener %s without the client certificate it requires elsewhere", rules.Clip(ref, 30), rules.Clip(at.listener.Name.Value, 20)),
					Detail: fmt.Sprintf("%s attaches to listener %s (%s), so Service %s is reached without client-certificate validation, while %s validates for it; a client's own certificate headers reach the app here.",
						at.route.Obj.Ref(), at.listenerName(), why, ref, g.where()),
					FixTitle: "Attach the route only to validating listeners (sectionName), or validate client certificates on this one.",
				})
			}
		}
	})
}

func checkGatewayImplementation(p *rules.Pass) {
	m := rules.ModelOf(p)
	if m == nil {
		return
	}
	type hit struct {
		r     *rules.Route
		trust rules.Trust
		app   *rules.App
		h     string
	}
	var order []string
	hits := map[string][]hit{}
	for _, l := range m.Links {
		r := l.Route
		if r == nil || l.App == nil || !strings.HasPrefix(r.ID, "gateway:") {
			continue
		}
		for _, t := range l.App.Trusts {
			h := rules.HeaderName(t.Header)
			if !rules.IsTrustedHeader(h) || r.Header(h).Action != rules.Unknown {
				continue
			}
			if t.Scheme && r.Listener.TLS {
				continue // a client on HTTPS that claims https tells the truth
			}
			k := r.Listener.Range.String() + "|" + h
			if hits[k] == nil {
				order = append(order, k)
			}
			hits[k] = append(hits[k], hit{r, t, l.App, h})
		}
	}
	sort.Strings(order)
	for _, k := range order {
		hs := hits[k]
		first := hs[0]
		name := rules.DisplayHeader(first.h)
		var descs []string
		seen := map[string]bool{}
		rel := []source.Related{related(first.trust.Range, "app %s trusts %s here", first.app.ID, name)}
		for _, x := range hs {
			if !seen[x.r.ID] {
				seen[x.r.ID] = true
				descs = append(descs, x.r.Desc)
			}
		}
		fixTitle := "Configure the implementation to overwrite the header from the verified certificate, or remove the client's copy with a RequestHeaderModifier."
		if rules.IsSchemeHeader(first.h) {
			fixTitle = "Configure the implementation to overwrite the header from the connection, or attach the route only to HTTPS listeners."
		}
		note := first.r.Header(first.h).Note
		if note != "" {
			note = strings.ToUpper(note[:1]) + note[1:] + "."
		}
		p.Report(rules.Diagnostic{
			Range:    first.r.Listener.Range,
			Key:      rules.DirectiveKey("K012", first.r.Listener.Range, first.h),
			Related:  rel,
			Message:  fmt.Sprintf("the app trusts %s, which only the Gateway's implementation can set: not decided here", rules.Clip(name, 40)),
			Detail:   fmt.Sprintf("%s On %s. The app trusts the header at %s.", note, strings.Join(descs, "; "), first.trust.Range),
			FixTitle: fixTitle,
		})
	}
}

const (
	refBackendTLSPolicy = "Gateway API BackendTLSPolicy (Standard since v1.4) — https://gateway-api.sigs.k8s.io/api-types/backendtlspolicy/"
	refGEP3155          = "GEP-3155: Complete Backend mutual TLS Configuration (GatewayBackendTLS: \"does not imply behavior about how to choose which backend should get a TLS connection. That is determined by the presence of a BackendTLSPolicy\") — https://gateway-api.sigs.k8s.io/geps/gep-3155/"
)

// GatewayBackendCertWithoutTLS is K017.
var GatewayBackendCertWithoutTLS = &rules.Rule{
	Code: "K017", Name: "gateway-backend-client-cert-without-tls", Severity: rules.Medium,
	CWE:     []string{"CWE-319", "CWE-923"},
	Summary: "A Gateway presents a client certificate to its backends, but no BackendTLSPolicy targets a Service its HTTPRoutes reach: that Service gets plain HTTP and no certificate.",
	Doc: rules.Doc{
		What: "Reports an HTTPRoute backendRef to a Service, attached to a Gateway that sets `spec.tls.backend.clientCertificateRef`, when no BackendTLSPolicy in the Service's namespace targets the Service " +
			"(a `targetRefs` entry of kind Service with its name, and a `sectionName`, if any, that names the Service port the backendRef uses). " +
			"When the policy's `sectionName` cannot be matched to a port because the Service is not in the repository, the finding says that this was not decided.",
		Why: "The Gateway's client certificate is what lets the app (or the proxy beside it) tell the Gateway from any other pod of the cluster, the backend half of mutual TLS. " +
			"Gateway API sets it on the Gateway but decides per Service whether the connection uses TLS at all: only a BackendTLSPolicy does (GEP-3155). " +
			"A Service without one gets plain HTTP from the Gateway, no certificate is presented and nothing is encrypted, so the backend either refuses the Gateway or, more often, accepts plain requests from anyone who reaches its pods, with whatever identity headers they carry.",
		Example: "kind: Gateway\nspec:\n  tls:\n    backend:\n      clientCertificateRef: {kind: Secret, group: \"\", name: gateway-client}\n---\nkind: HTTPRoute\nspec:\n  rules:\n  - backendRefs:\n    - {name: web, port: 8443}   # no BackendTLSPolicy targets Service web",
		Fix: "Add a BackendTLSPolicy in the Service's namespace whose `targetRefs` names the Service (and the port, with `sectionName`), with `validation.caCertificateRefs` and `validation.hostname` for the app's server certificate; " +
			"make the app's server require the Gateway's client certificate.",
		References: []string{refBackendTLSPolicy, refGEP3155, refGatewayTypes},
	},
	Scope:    rules.ScopeDeployment,
	Requires: requiresGateways,
	Check:    checkGatewayBackendTLS,
}

func checkGatewayBackendTLS(p *rules.Pass) {
	found := gather(p)
	defer found.flush()
	eachGatewayAPI(p, func(a *analysis, gc *gatewayCluster) {
		policies := a.cluster.BackendTLSPolicies()
		reported := map[string]bool{}
		for _, at := range gc.attachments {
			cert := at.gw.BackendClientCert
			if cert == nil {
				continue
			}
			k := fmt.Sprintf("%p|%p", at.gw, at.backend)
			if reported[k] {
				continue
			}
			reported[k] = true
			covered, undecided := backendTLSCovers(a.cluster, policies, at)
			if covered {
				continue
			}
			svc := at.serviceRef()
			detail := fmt.Sprintf("%s presents client certificate %s to backends it reaches over TLS, and %s sends to Service %s port %s, which no BackendTLSPolicy targets: the Gateway connects to it in plain HTTP and presents no certificate.",
				at.gw.Obj.Ref(), cert.Name.Value, at.route.Obj.Ref(), svc, at.backend.Port.Value)
			if undecided != nil {
				detail = fmt.Sprintf("%s presents client certificate %s to backends it reaches over TLS; %s targets Service %s only on port %q, and whether that is port %s, which %s uses, is not decided: the Service is not in the repository.",
					at.gw.Obj.Ref(), cert.Name.Value, undecided.pol.Obj.Ref(), svc, undecided.ref.SectionName.Value, at.backend.Port.Value, at.route.Obj.Ref())
			}
			if elsewhere := misplacedPolicy(policies, at); elsewhere != nil {
				detail += fmt.Sprintf(" %s targets a Service %s, but in namespace %s: a BackendTLSPolicy applies only to Services of its own namespace.",
					elsewhere.Obj.Ref(), at.backend.Name.Value, elsewhere.Obj.NamespaceOrDefault())
			}
			found.report(a, rules.Diagnostic{
				Range:    at.backend.Name.Line(),
				Key:      objKey(at.route.Obj, fmt.Sprintf("backend-tls:%s:%s:%s", at.gw.Obj.NamespacedName(), svc, at.backend.Port.Value)),
				Related:  []source.Related{related(cert.Range, "%s sets its backend client certificate here", at.gw.Obj.Ref())},
				Message:  fmt.Sprintf("Service %s gets plain HTTP: no BackendTLSPolicy, so no Gateway client certificate", rules.Clip(svc, 40)),
				Detail:   detail,
				FixTitle: "Add a BackendTLSPolicy that targets the Service (and port) with the app's server CA and hostname.",
			})
		}
	})
}

// policyTarget is one targetRef of a BackendTLSPolicy.
type policyTarget struct {
	pol *kube.BackendTLSPolicy
	ref *kube.ObjectRef
}

// backendTLSCovers reports whether a BackendTLSPolicy turns on TLS for the
// attachment's Service and port: a targetRef of kind Service with its name
// in its namespace, without sectionName or with the name of the Service
// port the backendRef uses. undecided is a target whose sectionName could
// not be matched because the Service is not in the cluster.
func backendTLSCovers(c *kube.Cluster, policies []*kube.BackendTLSPolicy, at *gwAttachment) (covered bool, undecided *policyTarget) {
	ns := at.serviceNamespace()
	for _, pol := range policies {
		if !kube.NamespacesMatch(pol.Obj.Namespace.Value, ns) {
			continue
		}
		for i := range pol.TargetRefs {
			t := &pol.TargetRefs[i]
			if !isServiceRef(*t) || strings.TrimSpace(t.Name.Value) != at.backend.Name.Value {
				continue
			}
			section := strings.TrimSpace(t.SectionName.Value)
			if section == "" {
				return true, nil
			}
			svc := findService(c, ns, at.backend.Name.Value)
			if svc == nil {
				undecided = &policyTarget{pol, t}
				continue
			}
			for _, sp := range svc.Ports {
				if strings.TrimSpace(sp.Port.Value) == strings.TrimSpace(at.backend.Port.Value) && strings.TrimSpace(sp.Name.Value) == section {
					return true, nil
				}
			}
		}
	}
	return false, undecided
}

// misplacedPolicy returns a BackendTLSPolicy in another namespace whose
// targetRefs name the attachment's Service, or nil.
func misplacedPolicy(policies []*kube.BackendTLSPolicy, at *gwAttachment) *kube.BackendTLSPolicy {
	for _, pol := range policies {
		if kube.NamespacesMatch(pol.Obj.Namespace.Value, at.serviceNamespace()) {
			continue
		}
		for _, t := range pol.TargetRefs {
			if isServiceRef(t) && strings.TrimSpace(t.Name.Value) == at.backend.Name.Value {
				return pol
			}
		}
	}
	return nil
}

// findService returns the Service namespace/name of the cluster, or nil.
func findService(c *kube.Cluster, ns, name string) *kube.Service {
	for _, s := range c.Services() {
		if s.Obj.Name.Value == name && kube.NamespacesMatch(s.Obj.Namespace.Value, ns) {
			return s
		}
	}
	return nil
}
