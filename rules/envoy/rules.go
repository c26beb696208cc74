// Package envoy holds the Envoy rules (V codes) and turns Envoy
// configurations into routes of the deployment model (routes.go).
//
// Envoy has no Debian or npm package here to test against: every claim
// these rules make rests on Envoy's API protos and source, cited in each
// rule's References.
package envoy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/envoy"
	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
	k8srules "github.com/mtlslint/mtlslint/rules/k8s"
)

// Rules are the Envoy rules, in code order.
var Rules = []*rules.Rule{
	XFCCForwarded,
	CertOptional,
	CertUnverified,
	HeaderKeepsClient,
	UnderscoreHeaders,
	IstioOptionalMutual,
	IstioPermissiveXFCC,
}

var kinds = []string{parsers.KindEnvoy}

// Upstream sources the rules cite.
const (
	refHCMProto    = "envoyproxy/envoy api/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto (ForwardClientCertDetails, SetCurrentClientCertDetails, use_remote_address)"
	refXFCCSource  = "envoyproxy/envoy source/common/http/conn_manager_utility.cc (ConnectionManagerUtility::mutateXfccRequestHeader, mutateRequestHeaders)"
	refXFCCDocs    = "https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-client-cert"
	refTLSProto    = "envoyproxy/envoy api/envoy/extensions/transport_sockets/tls/v3/tls.proto (DownstreamTlsContext.require_client_certificate)"
	refCommonProto = "envoyproxy/envoy api/envoy/extensions/transport_sockets/tls/v3/common.proto (CertificateValidationContext.trusted_ca: \"If not specified and a peer certificate is presented it will not be verified\"; trust_chain_verification ACCEPT_UNTRUSTED)"
	refBaseProto   = "envoyproxy/envoy api/envoy/config/core/v3/base.proto (HeaderValueOption.append_action, default APPEND_IF_EXISTS_OR_ADD; keep_empty_value)"
	refHeaderParse = "envoyproxy/envoy source/common/router/header_parser.cc (HeaderParser::evaluateHeaders: removals first, then additions; an empty value is skipped unless keep_empty_value)"
	refIstioGW     = "istio/api networking/v1alpha3/gateway.proto (ServerTLSSettings.TLSmode: OPTIONAL_MUTUAL \"client is not required to send a certificate\")"
	refIstioPA     = "istio/api security/v1beta1/peer_authentication.proto (PeerAuthentication.MutualTLS.Mode: UNSET is PERMISSIVE, \"Connection can be either plaintext or mTLS tunnel\")"
	refIstioProxy  = "istio/api mesh/v1alpha1/proxy.proto (ForwardClientCertDetails: APPEND_FORWARD is the default for sidecars, SANITIZE_SET for gateways)"
	refProtocol    = "envoyproxy/envoy api/envoy/config/core/v3/protocol.proto (HttpProtocolOptions.headers_with_underscores_action: ALLOW is the default)"
)

// finding builds a diagnostic from a short message (what, where), its
// detail (why) and the fix in one line.
func finding(at source.Range, key rules.Key, msg, detail, fix string) rules.Diagnostic {
	return rules.Diagnostic{Range: at, Key: key, Message: msg, Detail: rules.Sentence(detail), FixTitle: rules.Sentence(fix)}
}

// XFCCForwarded: V001.
var XFCCForwarded = &rules.Rule{
	Code:     "V001",
	Name:     "xfcc-forwards-client-copy",
	Severity: rules.High,
	CWE:      []string{"CWE-290"},
	Summary:  "forward_client_cert_details passes the client's own X-Forwarded-Client-Cert to the upstream.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresChains,
	Doc: rules.Doc{
		What: "Finds an HTTP connection manager whose `forward_client_cert_details` is `ALWAYS_FORWARD_ONLY` (critical: the client's XFCC passes on every connection), " +
			"or `FORWARD_ONLY` / `APPEND_FORWARD` on a TLS listener that requests client certificates (high: the client's XFCC passes on every connection with a certificate; " +
			"with `APPEND_FORWARD` Envoy's own element is appended after the client's).",
		Why: "Envoy removes a client's `x-forwarded-client-cert` only under `SANITIZE` and `SANITIZE_SET`, or when the connection has no client certificate. " +
			"With `FORWARD_ONLY` any client holding a certificate sends `x-forwarded-client-cert: Subject=\"CN=admin\"` and it reaches the app unchanged; " +
			"with `APPEND_FORWARD` the forged element comes first, and an app that reads the first element (or the whole header) takes it as the identity. " +
			"These modes are meant for an Envoy behind another proxy that already sanitized the header, never for the listener clients connect to.",
		Example: "forward_client_cert_details: APPEND_FORWARD\nset_current_client_cert_details: { subject: true }",
		Fix: "On the listener clients connect to, use `forward_client_cert_details: SANITIZE_SET` with `set_current_client_cert_details` (subject, uri, cert as needed). " +
			"If an Envoy behind a trusted proxy must keep the chain, suppress the finding with the reason, and have the app read the last element.",
		References: []string{refHCMProto, refXFCCSource, refXFCCDocs},
	},
	Check: checkXFCCForwarded,
}

func checkXFCCForwarded(p *rules.Pass) {
	for _, cv := range fileOf(p).chains {
		h := cv.chain.HCM
		mode := envoy.Enum(h.ForwardClientCertDetails)
		var sev rules.Severity
		switch {
		case mode == "ALWAYS_FORWARD_ONLY":
			sev = rules.Critical
		case (mode == "FORWARD_ONLY" || mode == "APPEND_FORWARD") && cv.base.certPossible():
			sev = rules.High
		default:
			continue
		}
		how := "passes the client's own XFCC upstream unchanged"
		if mode == "APPEND_FORWARD" {
			how = "keeps the client's own XFCC and appends Envoy's element after it"
		}
		d := finding(h.ForwardClientCertDetails.Line(), rules.RouteHeaderKey(cv.first().ID, xfcc),
			fmt.Sprintf("forward_client_cert_details %s %s", mode, how),
			fmt.Sprintf("a client that sends its own X-Forwarded-Client-Cert reaches the upstream with it (%s)", routeCount(cv)),
			"use SANITIZE_SET on the listener clients connect to")
		d.Severity = sev
		d.Fixes = []rules.Fix{{Description: "use SANITIZE_SET", Safe: false, Edits: []rules.Edit{{Range: h.ForwardClientCertDetails.Range, NewText: "SANITIZE_SET"}}}}
		p.Report(d)
	}
}

func routeCount(cv *chainView) string {
	switch len(cv.routes) {
	case 0:
		return cv.base.Desc
	case 1:
		return "route " + cv.routes[0].Desc
	}
	return fmt.Sprintf("%d routes, first %s", len(cv.routes), cv.routes[0].Desc)
}

// CertOptional: V002.
var CertOptional = &rules.Rule{
	Code:     "V002",
	Name:     "client-certificate-optional",
	Severity: rules.High,
	CWE:      []string{"CWE-287"},
	Summary:  "A DownstreamTlsContext verifies client certificates but does not require one, while client-certificate data is forwarded.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresChains,
	Doc: rules.Doc{
		What: "Finds a filter chain whose `DownstreamTlsContext` has a validation context (a `trusted_ca`) but no `require_client_certificate: true`, " +
			"while its HTTP connection manager forwards client-certificate data (XFCC, or a header from `%DOWNSTREAM_PEER_*%`). " +
			"A chain whose routes in the file all match only presented or validated certificates (`match.tls_context`) lets no request without one through and is not reported.",
		Why: "`require_client_certificate` defaults to false: Envoy asks for a certificate, verifies one if it is sent, and otherwise completes the handshake. " +
			"Requests without a certificate reach the app exactly like authenticated ones, minus the certificate headers; an app that does not insist on them, " +
			"or a route that lets a client's copy of them through, turns that into access.",
		Example:    "transport_socket:\n  typed_config:\n    \"@type\": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext\n    common_tls_context:\n      validation_context: { trusted_ca: { filename: /etc/envoy/client-ca.pem } }",
		Fix:        "Add `require_client_certificate: true` to the DownstreamTlsContext, or refuse requests without a certificate before they are routed.",
		References: []string{refTLSProto, refCommonProto},
	},
	Check: func(p *rules.Pass) { checkVerify(p, rules.VerifyOptional) },
}

// CertUnverified: V003.
var CertUnverified = &rules.Rule{
	Code:     "V003",
	Name:     "client-certificate-not-verified",
	Severity: rules.Critical,
	CWE:      []string{"CWE-295"},
	Summary:  "Client certificates are accepted without verification against a CA, while client-certificate data is forwarded.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresChains,
	Doc: rules.Doc{
		What: "Finds a filter chain that accepts client certificates it does not verify: a validation context without `trusted_ca` (and without pinned " +
			"`verify_certificate_spki`/`verify_certificate_hash`), `trust_chain_verification: ACCEPT_UNTRUSTED`, or `require_client_certificate: true` " +
			"without any validation context, while its HTTP connection manager forwards client-certificate data.",
		Why: "Envoy's API says of `trusted_ca`: \"If not specified and a peer certificate is presented it will not be verified.\" Subject alternative name " +
			"matchers alone are \"easily spoofable\" (the same proto). A client makes a self-signed certificate with any subject and SAN, and Envoy forwards it " +
			"in XFCC or `%DOWNSTREAM_PEER_SUBJECT%` as if it were verified.",
		Example:    "validation_context:\n  match_typed_subject_alt_names:\n  - san_type: DNS\n    matcher: { exact: client.example.com }",
		Fix:        "Set `trusted_ca` to the private CA that issues client certificates, remove `ACCEPT_UNTRUSTED`, and require the certificate.",
		References: []string{refCommonProto, refTLSProto},
	},
	Check: func(p *rules.Pass) { checkVerify(p, rules.VerifyOptionalNoCA) },
}

// checkVerify reports the chains with the given verification mode whose
// routes forward client-certificate data, once per chain.
func checkVerify(p *rules.Pass, mode rules.VerifyMode) {
	for _, cv := range fileOf(p).chains {
		r := cv.base
		if r.Listener.Verify != mode || !cv.forwardsCertData() {
			continue
		}
		refused := rules.CertNone // what the finding says gets through
		if mode == rules.VerifyOptionalNoCA {
			refused = rules.CertUntrusted
		}
		if !cv.admits(refused) {
			continue // the routes' own matches (tls_context) refuse it
		}
		at := r.Listener.VerifyRange
		if !at.IsValid() {
			at = cv.chain.TLS.Range
		}
		var msg, detail, fix string
		if mode == rules.VerifyOptional {
			msg = "client certificate is verified but not required on " + rules.Clip(listenerName(r), 60)
			detail = "require_client_certificate is not true, so requests without a certificate reach the upstream as well"
			fix = "set require_client_certificate: true"
		} else {
			msg = "client certificates are not verified against a CA on " + rules.Clip(listenerName(r), 60)
			detail = unverifiedWhy(cv.chain.TLS) + ", so a self-signed certificate with any subject is forwarded upstream as the client's identity"
			fix = "set trusted_ca to the client CA"
		}
		p.Report(finding(at, rules.VerifyKey(at), msg, detail, fix))
	}
}

// admits reports whether a request with the given certificate state
// reaches the chain's upstreams through some route: always when the
// routes are not in the file.
func (cv *chainView) admits(state rules.CertState) bool {
	if len(cv.routes) == 0 || cv.chain.HCM.RDS != "" {
		return true
	}
	for _, r := range cv.routes {
		cs := r.Classes
		if cs == nil {
			cs = rules.ListenerClasses(r.Route)
		}
		for _, c := range cs {
			if c.Transport == rules.TransportTLS && c.Cert == state {
				return true
			}
		}
	}
	return false
}

// forwardsCertData reports whether the chain passes client-certificate
// data upstream, through its connection manager or any route.
func (cv *chainView) forwardsCertData() bool {
	if cv.base.forwardsCertData() {
		return true
	}
	for _, r := range cv.routes {
		if r.forwardsCertData() {
			return true
		}
	}
	return false
}

func unverifiedWhy(t *envoy.TLSContext) string {
	switch v := t.Validation; {
	case v == nil:
		return "require_client_certificate is set without a validation context"
	case v.AcceptUntrusted != nil:
		return "trust_chain_verification is ACCEPT_UNTRUSTED"
	case len(v.SANMatchers) > 0:
		return "the validation context matches subject alternative names but has no trusted_ca"
	}
	return "the validation context has no trusted_ca"
}

func listenerName(r *route) string {
	return fmt.Sprintf("listener %s (%s)", name(r.listener.Name, 0), r.Listener.Endpoint)
}

// HeaderKeepsClient: V004.
var HeaderKeepsClient = &rules.Rule{
	Code:     "V004",
	Name:     "request-header-keeps-client-copy",
	Severity: rules.Critical,
	CWE:      []string{"CWE-290", "CWE-348"},
	Summary:  "request_headers_to_add sets an identity or scheme header in a way that keeps the client's own copy.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresChains,
	Doc: rules.Doc{
		What: "Finds a `request_headers_to_add` entry (route, virtual host or route configuration) for an identity header (X-SSL-Client-*, XFCC, " +
			"X-Client-*, …) or a scheme header (X-Forwarded-Proto, -Host, …) that leaves the client's copy in place: the default append action " +
			"`APPEND_IF_EXISTS_OR_ADD` (the client's value comes first), `ADD_IF_ABSENT` (the client's value wins), or a value from the client " +
			"certificate (`%DOWNSTREAM_PEER_SUBJECT%`, …) on a listener where the certificate is optional, without the header in " +
			"`request_headers_to_remove` and without `keep_empty_value`.",
		Why: "Envoy applies `request_headers_to_remove` first, then the additions, and skips an addition whose value is empty. Without a client " +
			"certificate `%DOWNSTREAM_PEER_SUBJECT%` is empty, so the client's own `X-SSL-Client-DN: CN=admin` stays; with the default append action " +
			"both values arrive joined by a comma, the client's first (Django ≥ 4.1 and most code read the leftmost value).",
		Example: "request_headers_to_add:\n- header: { key: x-ssl-client-dn, value: \"%DOWNSTREAM_PEER_SUBJECT%\" }",
		Fix: "List the header in `request_headers_to_remove` at the same level and set `append_action: OVERWRITE_IF_EXISTS_OR_ADD`; require client " +
			"certificates (`require_client_certificate: true`) where the value comes from the certificate.",
		References: []string{refBaseProto, refHeaderParse},
	},
	Check: checkHeaderKeepsClient,
}

func checkHeaderKeepsClient(p *rules.Pass) {
	type hit struct {
		add *envoy.HeaderAdd
		rs  []*route
		t   rules.HeaderTreatment
	}
	var order []*envoy.HeaderAdd
	hits := map[*envoy.HeaderAdd]*hit{}
	for _, r := range fileOf(p).routes {
		hs := make([]string, 0, len(r.adds))
		for h := range r.adds {
			hs = append(hs, h)
		}
		sort.Strings(hs)
		for _, h := range hs {
			t := r.Headers[h]
			if !rules.IsTrustedHeader(h) || (t.Action != rules.Appended && t.Action != rules.Conditional) {
				continue
			}
			a := r.adds[h]
			if hits[a] == nil {
				hits[a] = &hit{add: a, t: t}
				order = append(order, a)
			}
			hits[a].rs = append(hits[a].rs, r)
		}
	}
	for _, a := range order {
		h := hits[a]
		name := rules.DisplayHeader(a.Name.Text())
		name = rules.Clip(name, 40)
		var msg, detail, fix string
		switch {
		case h.t.Action == rules.Appended:
			msg = name + " is appended to the client's own copy"
			detail = "append_action APPEND_IF_EXISTS_OR_ADD (the default) keeps the client's value first"
			fix = "list the header in request_headers_to_remove and use OVERWRITE_IF_EXISTS_OR_ADD"
		case strings.Contains(h.t.When, "ADD_IF_ABSENT"):
			msg = name + " is added only when the client sent none"
			detail = "append_action ADD_IF_ABSENT lets the client's own value win"
			fix = "list the header in request_headers_to_remove"
		default:
			msg = name + " keeps the client's copy when no certificate is presented"
			detail = fmt.Sprintf("%s is empty without a client certificate and Envoy then skips the entry", a.Value.Text())
			fix = "list the header in request_headers_to_remove"
		}
		where := "route " + h.rs[0].Desc
		if len(h.rs) > 1 {
			where = fmt.Sprintf("%d routes, first %s", len(h.rs), h.rs[0].Desc)
		}
		p.Report(finding(a.Range, rules.RouteHeaderKey(h.rs[0].ID, a.Name.Text()), msg, detail+" ("+where+")", fix))
	}
}

// UnderscoreHeaders: V005.
var UnderscoreHeaders = &rules.Rule{
	Code:     "V005",
	Name:     "underscore-headers-allowed",
	Severity: rules.High,
	CWE:      []string{"CWE-436", "CWE-290"},
	Summary:  "Envoy lets client headers with underscores through where identity headers are forwarded.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresChains,
	Doc: rules.Doc{
		What: "Finds an HTTP connection manager that forwards identity headers (XFCC set from the certificate, or `request_headers_to_add` of an " +
			"identity header) while `common_http_protocol_options.headers_with_underscores_action` is `ALLOW`, the default.",
		Why: "Envoy sets and removes headers by their exact lower-case name: `x_forwarded_client_cert` or `X_SSL_Client_DN` from the client passes " +
			"untouched, and app servers that map `_` like `-` (gunicorn before 22.0, uWSGI's HTTP router, ASGI servers) hand it to the app under " +
			"the name of the header Envoy set.",
		Example:    "forward_client_cert_details: SANITIZE_SET   # no common_http_protocol_options",
		Fix:        "Set `common_http_protocol_options: { headers_with_underscores_action: REJECT_REQUEST }` (or `DROP_HEADER`), and run an app server that drops such headers (gunicorn ≥ 22.0).",
		References: []string{refProtocol, refXFCCSource},
	},
	Check: checkUnderscores,
}

func checkUnderscores(p *rules.Pass) {
	reported := map[source.Range]bool{}
	for _, cv := range fileOf(p).chains {
		base := cv.base
		if !base.AdmitsUnderscore || reported[base.UnderscoreRange] {
			continue
		}
		var ids []string
		for _, r := range append([]*route{base}, cv.routes...) {
			for hd, t := range r.Headers {
				if rules.IsIdentityHeader(hd) && (t.Action == rules.SetTLS || t.Action == rules.SetConst || t.Action == rules.SetOther) && !contains(ids, hd) {
					ids = append(ids, hd)
				}
			}
		}
		if len(ids) == 0 {
			continue
		}
		reported[base.UnderscoreRange] = true
		sort.Strings(ids)
		var twins []string
		for _, id := range ids {
			twins = append(twins, rules.UnderscoreTwin(id))
		}
		at := base.UnderscoreRange
		p.Report(finding(at, rules.UnderscoreKey(at), "headers with underscores pass this connection manager",
			fmt.Sprintf("headers_with_underscores_action is ALLOW, so a client's %s reaches the upstream beside the header Envoy sets", strings.Join(twins, ", ")),
			"set headers_with_underscores_action to REJECT_REQUEST"))
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// IstioOptionalMutual: V006.
var IstioOptionalMutual = &rules.Rule{
	Code:     "V006",
	Name:     "istio-gateway-optional-mutual",
	Severity: rules.High,
	CWE:      []string{"CWE-287"},
	Summary:  "An Istio Gateway server uses tls.mode OPTIONAL_MUTUAL: clients without a certificate reach the services behind it.",
	Scope:    rules.ScopeTree,
	Kinds:    []string{parsers.KindK8s},
	Requires: []*rules.Analysis{k8srules.IstioResources},
	Doc: rules.Doc{
		What: "Finds a server of an Istio `Gateway` whose `tls.mode` is `OPTIONAL_MUTUAL`.",
		Why: "Istio's API: \"Similar to MUTUAL mode, except that the client certificate is optional. … A client certificate will still be explicitly requested " +
			"during handshake, but the client is not required to send a certificate.\" " +
			"Requests without a certificate reach the destination with no `x-forwarded-client-cert` at all; every service behind the gateway has to tell " +
			"them apart itself, and any route that lets a client's own identity header through turns that into access.",
		Example:    "servers:\n- port: { number: 443, name: https, protocol: HTTPS }\n  tls: { mode: OPTIONAL_MUTUAL, credentialName: app-cert }",
		Fix:        "Use `tls.mode: MUTUAL` for hosts whose services rely on client certificates, and serve anonymous hosts from a separate server.",
		References: []string{refIstioGW, refIstioProxy},
	},
	Check: checkIstioOptionalMutual,
}

func checkIstioOptionalMutual(p *rules.Pass) {
	f, ok := p.Tree.(*kube.File)
	if !ok {
		return
	}
	ist := k8srules.IstioOf(p, f.Cluster())
	if ist == nil {
		return
	}
	for _, gw := range ist.Gateways {
		if gw.Obj.File != f.Root() {
			continue
		}
		for _, srv := range gw.Servers {
			if envoy.Enum(srv.TLSMode) != "OPTIONAL_MUTUAL" {
				continue
			}
			var bound []string
			for _, vs := range ist.VirtualServices {
				if isBound(vs, gw) {
					bound = append(bound, vs.Obj.NamespacedName())
				}
			}
			to := "the services its VirtualServices route to"
			if len(bound) > 0 {
				to = "the services of VirtualService " + strings.Join(bound, ", ")
			}
			at := srv.TLSMode.Line()
			p.Report(finding(at, rules.VerifyKey(at), fmt.Sprintf("Gateway %s port %s accepts clients without a certificate (OPTIONAL_MUTUAL)", rules.Clip(gw.Obj.NamespacedName(), 40), rules.Clip(srv.Port, 8)),
				"requests without a client certificate reach "+to, "use tls.mode MUTUAL"))
		}
	}
}

// IstioPermissiveXFCC: V007.
var IstioPermissiveXFCC = &rules.Rule{
	Code:     "V007",
	Name:     "istio-permissive-xfcc-app",
	Severity: rules.Medium,
	CWE:      []string{"CWE-287", "CWE-306"},
	Summary:  "A PeerAuthentication lets plain-text clients reach a workload whose app authenticates callers by X-Forwarded-Client-Cert.",
	Scope:    rules.ScopeDeployment,
	Requires: []*rules.Analysis{rules.DeploymentModel},
	Doc: rules.Doc{
		What: "Finds a `PeerAuthentication` in `PERMISSIVE` mode (or without a mode, which is PERMISSIVE) that selects a workload whose app trusts " +
			"`X-Forwarded-Client-Cert` for the caller's identity.",
		Why: "PERMISSIVE accepts \"either plaintext or mTLS\": any pod, or anything that reaches the pod network, connects in plain text without a mesh " +
			"identity. The sidecar removes XFCC from such connections, so the app receives requests without it; the app's check is then the only thing " +
			"between an anonymous caller and the service (and mesh AuthorizationPolicies on principals never match them).",
		Example:    "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nspec:\n  selector: { matchLabels: { app: web } }\n  mtls: { mode: PERMISSIVE }",
		Fix:        "Use `mtls.mode: STRICT` for workloads that authenticate callers by their certificate.",
		References: []string{refIstioPA, refIstioProxy, refXFCCSource},
	},
	Check: checkIstioPermissive,
}

func checkIstioPermissive(p *rules.Pass) {
	seen := map[string]bool{}
	m := rules.ModelOf(p)
	for _, app := range m.Apps {
		var trust *rules.Trust
		for i, t := range app.Trusts {
			if rules.HeaderName(t.Header) == xfcc {
				trust = &app.Trusts[i]
				break
			}
		}
		if trust == nil {
			continue
		}
		for _, l := range m.RoutesTo(app) {
			r := l.Route
			at := r.Listener.VerifyRange
			if r.Proxy != "istio-sidecar" || r.Listener.TLS || seen[at.String()] {
				continue
			}
			seen[at.String()] = true
			d := finding(at, rules.DirectiveKey("V007", at, ""), "PeerAuthentication admits plain-text callers to an app that trusts XFCC",
				fmt.Sprintf("on %s callers without a mesh identity reach the app at %s:%d, which takes X-Forwarded-Client-Cert as the caller's identity",
					r.Desc, trust.Range.File, trust.Range.Start.Line), "use mtls mode STRICT")
			d.Related = []source.Related{{Range: trust.Range, Message: "the app trusts X-Forwarded-Client-Cert here"}}
			p.Report(d)
		}
	}
}
