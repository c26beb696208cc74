// Package terraform holds the rules about mutual TLS in Terraform
// configurations (code prefix T) — AWS Application Load Balancer
// listeners, API Gateway custom domains, GCP server TLS policies, Azure
// Application Gateway SSL profiles — and turns ALB listeners into routes
// of the deployment model.
package terraform

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
	tf "github.com/mtlslint/mtlslint/parsers/terraform"
	"github.com/mtlslint/mtlslint/rules"
)

var kinds = []string{parsers.KindTerraform}

const (
	refALBmTLS    = "AWS: Mutual authentication with TLS in Application Load Balancer — https://docs.aws.amazon.com/elasticloadbalancing/latest/application/mutual-authentication.html"
	refTFListener = "Terraform AWS provider: aws_lb_listener, mutual_authentication — https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lb_listener"
	refTFLB       = "Terraform AWS provider: aws_lb, drop_invalid_header_fields — https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lb"
	refALBAttrs   = "AWS: Application Load Balancer attributes, routing.http.drop_invalid_header_fields.enabled — https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html"
)

// Rules are the family's rules, by code.
var Rules = []*rules.Rule{
	Passthrough,
	MTLSOff,
	IgnoreExpiry,
	Bypass,
	DropInvalid,
	ExecuteAPI,
	GCPAllowInvalid,
	AzurePassthrough,
}

// Passthrough is T001, alb-mtls-passthrough.
var Passthrough = &rules.Rule{
	Code: "T001", Name: "alb-mtls-passthrough", Severity: rules.High, CWE: []string{"CWE-295"},
	Scope:    rules.ScopeDeployment,
	Requires: []*rules.Analysis{treeALB, rules.DeploymentModel},
	Summary:  "An ALB listener runs mutual TLS in passthrough mode: it forwards the client's certificate chain without verifying it.",
	Doc: rules.Doc{
		What: "Reports an `aws_lb_listener` (or a listener passed to an ALB module) whose `mutual_authentication` `mode` is `passthrough`. " +
			"The finding is critical when an app that the listener forwards to trusts an `X-Amzn-Mtls-*` header (in the deployment model), high otherwise.",
		Why: "In passthrough mode the load balancer asks for a client certificate but never checks it against a trust store: it sends whatever chain the client " +
			"presented to the targets in `X-Amzn-Mtls-Clientcert`. Anyone can make a certificate with any subject (`openssl req -x509 -subj /CN=admin`), so an app " +
			"that takes the header (or the subject in it) as proof of identity admits everyone. The derived headers (`X-Amzn-Mtls-Clientcert-Subject`, `-Issuer`, …) " +
			"are not set in passthrough mode at all; whether the ALB removes a copy the client sends is not documented, so an app reading them may read the client's own value.",
		Example: `resource "aws_lb_listener" "api" {
  load_balancer_arn = aws_lb.api.arn
  port              = 443
  protocol          = "HTTPS"
  certificate_arn   = aws_acm_certificate.api.arn

  mutual_authentication {
    mode = "passthrough"
  }

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}`,
		Fix: "Let the load balancer verify: `mode = \"verify\"` with `trust_store_arn` naming an `aws_lb_trust_store` that holds your CA. " +
			"Keep passthrough only when every target really validates the chain in `X-Amzn-Mtls-Clientcert` against a pinned CA (path validation, not a DN comparison).",
		References: []string{refALBmTLS, refTFListener},
	},
	Check: checkPassthrough,
}

// MTLSOff is T002, alb-mtls-off-app-trusts.
var MTLSOff = &rules.Rule{
	Code: "T002", Name: "alb-mtls-off-app-trusts", Severity: rules.Critical, CWE: []string{"CWE-290", "CWE-287"},
	Scope:    rules.ScopeDeployment,
	Requires: []*rules.Analysis{treeALB, rules.DeploymentModel},
	Summary:  "An ALB listener without mutual TLS forwards to an app that trusts X-Amzn-Mtls-* headers.",
	Doc: rules.Doc{
		What: "Reports an ALB listener whose mutual TLS is off (an HTTP listener, `mode = \"off\"`, or no `mutual_authentication` at all) that forwards to an app " +
			"which, in the deployment model, trusts an `X-Amzn-Mtls-*` header.",
		Why: "With mutual TLS off the ALB sets none of the `X-Amzn-Mtls-*` headers. AWS does not document whether it removes a copy the client sends, " +
			"so mtlslint assumes the worst: a client that sends `X-Amzn-Mtls-Clientcert-Subject: CN=admin` is admin.",
		Example: `resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.api.arn
  port              = 443
  protocol          = "HTTPS"
  # no mutual_authentication: mode off
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}
# and the app: request.META["HTTP_X_AMZN_MTLS_CLIENTCERT_SUBJECT"]`,
		Fix: "Turn on `mutual_authentication { mode = \"verify\" trust_store_arn = … }` on every listener that reaches the app, and redirect plain HTTP to it; " +
			"or stop trusting the header in the app.",
		References: []string{refALBmTLS, refTFListener},
	},
	Check: checkOff,
}

// IgnoreExpiry is T003, alb-mtls-ignore-expiry.
var IgnoreExpiry = &rules.Rule{
	Code: "T003", Name: "alb-mtls-ignore-expiry", Severity: rules.Medium, CWE: []string{"CWE-298"},
	Scope: rules.ScopeTree, Kinds: kinds,
	Requires: requiresALB,
	Summary:  "An ALB listener accepts expired client certificates (ignore_client_certificate_expiry = true).",
	Doc: rules.Doc{
		What: "Reports `ignore_client_certificate_expiry = true` in the `mutual_authentication` of an ALB listener in verify mode (or a mode not known statically).",
		Why: "A certificate's validity period bounds how long a leaked key stays useful. With expiry ignored, a certificate that expired years ago still authenticates; " +
			"revocation lists are usually the only other limit, and they often are not kept.",
		Example: `mutual_authentication {
  mode                             = "verify"
  trust_store_arn                  = aws_lb_trust_store.clients.arn
  ignore_client_certificate_expiry = true
}`,
		Fix:        "Remove the attribute (it defaults to false) and renew client certificates before they expire.",
		References: []string{refALBmTLS, refTFListener},
	},
	Check: checkExpiry,
}

// Bypass is T004, alb-mtls-bypass-listener.
var Bypass = &rules.Rule{
	Code: "T004", Name: "alb-mtls-bypass-listener", Severity: rules.High, CWE: []string{"CWE-288", "CWE-290"},
	Scope: rules.ScopeTree, Kinds: kinds,
	Requires: requiresALB,
	Summary:  "Another listener forwards to a target group that a mutual-TLS listener protects, without mutual TLS.",
	Doc: rules.Doc{
		What: "Reports a listener action (default action or listener rule) that forwards to a target group which a listener with mutual TLS (verify or passthrough) " +
			"also forwards to, when this listener has mutual TLS off: a plain HTTP listener that forwards, or an HTTPS listener without `mutual_authentication`.",
		Why: "Mutual TLS is a property of the listener, not of the target: the same targets are reachable through the other listener without any certificate, " +
			"and the `X-Amzn-Mtls-*` headers there come from the client, if from anyone.",
		Example: `resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.api.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn   # also behind the mTLS listener
  }
}`,
		Fix:        "Make the plain listener redirect to HTTPS (`type = \"redirect\"`, `protocol = \"HTTPS\"`) and give every HTTPS listener that reaches the target group the same `mutual_authentication`.",
		References: []string{refALBmTLS, refTFListener},
	},
	Check: checkBypass,
}

// DropInvalid is T005, alb-invalid-headers-forwarded.
var DropInvalid = &rules.Rule{
	Code: "T005", Name: "alb-invalid-headers-forwarded", Severity: rules.Medium, CWE: []string{"CWE-436"},
	Scope: rules.ScopeTree, Kinds: kinds,
	Requires: requiresALB,
	Summary:  "An Application Load Balancer forwards header names that are not valid (drop_invalid_header_fields is false, the default).",
	Doc: rules.Doc{
		What: "Reports an `aws_lb` / `aws_alb` of type application that does not set `drop_invalid_header_fields = true`, and an ALB module call that sets it to false.",
		Why: "Without it the load balancer routes headers whose names contain characters outside `[-A-Za-z0-9]`, such as `X_Amzn_Mtls_Clientcert_Subject`, to the targets. " +
			"WSGI servers that map `_` like `-` (gunicorn before 22, uWSGI's HTTP router, ASGI servers) then hand the client's underscore variant to the app under the " +
			"same name as the header the load balancer sets.",
		Example: `resource "aws_lb" "api" {
  name               = "api"
  load_balancer_type = "application"
  # drop_invalid_header_fields defaults to false
}`,
		Fix:        "Set `drop_invalid_header_fields = true` on the load balancer.",
		References: []string{refTFLB, refALBAttrs},
	},
	Check: checkDropInvalid,
}

// ExecuteAPI is T006, apigw-mtls-execute-api-endpoint.
var ExecuteAPI = &rules.Rule{
	Code: "T006", Name: "apigw-mtls-execute-api-endpoint", Severity: rules.High, CWE: []string{"CWE-288"},
	Scope: rules.ScopeTree, Kinds: kinds,
	Summary: "An API Gateway custom domain requires mutual TLS, but the API keeps its default execute-api endpoint, which does not.",
	Doc: rules.Doc{
		What: "Reports an `aws_api_gateway_rest_api` or `aws_apigatewayv2_api` that a base path mapping or API mapping attaches to a custom domain with " +
			"`mutual_tls_authentication`, while the API does not set `disable_execute_api_endpoint = true`.",
		Why: "Mutual TLS applies to the custom domain only. By default clients can still invoke the API through its `execute-api` endpoint " +
			"(`https://{api-id}.execute-api.{region}.amazonaws.com`), where no client certificate is asked for.",
		Example: `resource "aws_api_gateway_rest_api" "api" {
  name = "api"
}
resource "aws_api_gateway_domain_name" "api" {
  domain_name = "api.example.com"
  mutual_tls_authentication {
    truststore_uri = "s3://bucket/truststore.pem"
  }
}
resource "aws_api_gateway_base_path_mapping" "api" {
  api_id      = aws_api_gateway_rest_api.api.id
  domain_name = aws_api_gateway_domain_name.api.domain_name
}`,
		Fix:        "Set `disable_execute_api_endpoint = true` on the API.",
		References: []string{"AWS: Configuring mutual TLS authentication for a REST API — https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mutual-tls.html", "AWS: Disabling the default endpoint for a REST API — https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-disable-default-endpoint.html"},
	},
	Check: checkExecuteAPI,
}

// GCPAllowInvalid is T007, gcp-mtls-allow-invalid-cert.
var GCPAllowInvalid = &rules.Rule{
	Code: "T007", Name: "gcp-mtls-allow-invalid-cert", Severity: rules.High, CWE: []string{"CWE-295"},
	Scope: rules.ScopeTree, Kinds: kinds,
	Summary: "A GCP server TLS policy lets connections through with an invalid or missing client certificate.",
	Doc: rules.Doc{
		What: "Reports `client_validation_mode = \"ALLOW_INVALID_OR_MISSING_CLIENT_CERT\"` (in `google_network_security_server_tls_policy` `mtls_policy`, or anywhere a resource or module call passes it).",
		Why: "In this mode the load balancer forwards connections whose certificate chain failed validation, or that sent no certificate. " +
			"Google's documentation says the backend must then authenticate the peer itself from the certificate data; a backend that trusts the forwarded " +
			"certificate headers as a verified identity admits anyone.",
		Example: `resource "google_network_security_server_tls_policy" "mtls" {
  name = "mtls"
  mtls_policy {
    client_validation_mode         = "ALLOW_INVALID_OR_MISSING_CLIENT_CERT"
    client_validation_trust_config = google_certificate_manager_trust_config.clients.id
  }
}`,
		Fix:        "Use `client_validation_mode = \"REJECT_INVALID\"` with a trust config, or make sure the backend validates the chain and rejects requests without one.",
		References: []string{"Google Cloud: Mutual TLS overview — https://cloud.google.com/load-balancing/docs/mtls", "Google Cloud: ServerTlsPolicy MTLSPolicy ClientValidationMode"},
	},
	Check: checkGCP,
}

// AzurePassthrough is T008, azure-appgw-mtls-passthrough.
var AzurePassthrough = &rules.Rule{
	Code: "T008", Name: "azure-appgw-mtls-passthrough", Severity: rules.High, CWE: []string{"CWE-295"},
	Scope: rules.ScopeTree, Kinds: kinds,
	Summary: "An Azure Application Gateway SSL profile verifies client certificates in Passthrough mode, which forwards them unverified.",
	Doc: rules.Doc{
		What: "Reports `verify_client_auth_mode = \"Passthrough\"` (or `verifyClientAuthMode` in an AzAPI body) in an Application Gateway SSL profile's client authentication configuration.",
		Why: "In Passthrough mode the gateway requests the client certificate and forwards it to the backend without verifying it, leaving client certificate " +
			"authentication to the backend; a backend that trusts it as verified admits any self-made certificate.",
		Example: `ssl_profiles = [{
  name = "mtls"
  client_auth_configuration = {
    verify_client_auth_mode = "Passthrough"
  }
}]`,
		Fix:        "Use `Strict` with trusted client CA certificates on the SSL profile, or validate the chain in the backend.",
		References: []string{"Microsoft: Set-AzApplicationGatewayClientAuthConfiguration -VerifyClientAuthMode — https://learn.microsoft.com/powershell/module/az.network/set-azapplicationgatewayclientauthconfiguration"},
	},
	Check: checkAzure,
}

// modules returns the Terraform trees of the workspace.
func modules(p *rules.Pass) []*tf.Module {
	if p.Tree != nil {
		if m, ok := p.Tree.(*tf.Module); ok {
			return []*tf.Module{m}
		}
		return nil
	}
	if p.Workspace == nil {
		return nil
	}
	var out []*tf.Module
	for _, t := range p.Workspace.Trees {
		if m, ok := t.(*tf.Module); ok {
			out = append(out, m)
		}
	}
	return out
}

// appTrust is a header an app behind a listener trusts.
type appTrust struct {
	App   *rules.App
	Trust rules.Trust
	How   string // how the route was linked to the app
}

// trustsBehind returns the X-Amzn-Mtls-* headers that apps reached
// through the listener trust, one per app and header.
func trustsBehind(m *rules.Model, l *listener) []appTrust {
	if m == nil {
		return nil
	}
	names := mtlsNames(l)
	prefix := routeIDPrefix(l)
	var out []appTrust
	seen := map[string]bool{}
	for _, link := range m.Links {
		if link.Route == nil || link.App == nil || !strings.HasPrefix(link.Route.ID, prefix) {
			continue
		}
		for _, t := range link.App.Trusts {
			h := rules.HeaderName(t.Header)
			if !strings.HasPrefix(h, mtlsHeaderStem) && !names[h] {
				continue
			}
			k := link.App.ID + "\x00" + h
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, appTrust{App: link.App, Trust: t, How: link.How})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].App.ID != out[j].App.ID {
			return out[i].App.ID < out[j].App.ID
		}
		return rules.HeaderName(out[i].Trust.Header) < rules.HeaderName(out[j].Trust.Header)
	})
	return out
}

// mtlsNames are the names (dash form) under which the listener sends its
// mutual-TLS headers, renamed ones included.
func mtlsNames(l *listener) map[string]bool {
	names := map[string]bool{}
	for attr := range renameAttrs {
		if v, ok := l.Renamed[attr]; ok {
			if s, known := v.Str(); known && s != "" {
				names[strings.ToLower(s)] = true
			}
		}
	}
	return names
}

// trustSummary names the trusted headers and apps for a message, and
// says when the link between the load balancer and the apps is a guess.
func trustSummary(ts []appTrust) (text, guess string, related []source.Related) {
	var parts []string
	for i, t := range ts {
		h := rules.DisplayHeader(t.Trust.Header)
		if i < maxNamed {
			parts = append(parts, fmt.Sprintf("%s (app %s)", h, t.App.ID))
		}
		related = append(related, source.Related{Range: t.Trust.Range, Message: fmt.Sprintf("app %s trusts %s here", t.App.ID, h)})
		if t.How == "guess" {
			guess = " This assumes the load balancer fronts the app, since nothing links them by address."
		}
	}
	if len(ts) > maxNamed {
		parts = append(parts, fmt.Sprintf("and %d more", len(ts)-maxNamed))
	}
	return strings.Join(parts, ", "), guess, related
}

// maxNamed caps how many trusted headers a message names; the related
// locations list them all.
const maxNamed = 3

// replaceFix replaces a literal value written at the finding. Every such
// fix changes what the deployment accepts, so none is safe.
func replaceFix(v *tf.Value, newText, desc string) []rules.Fix {
	if v == nil {
		return nil
	}
	r, ok := v.Literal()
	if !ok {
		return nil
	}
	return []rules.Fix{{Description: desc, Safe: false, Edits: []rules.Edit{{Range: r, NewText: newText}}}}
}

func checkPassthrough(p *rules.Pass) {
	for _, m := range modules(p) {
		_, ls := albOf(p, m)
		for _, l := range ls {
			if l.Mode != modePassthrough || l.Protocol == "HTTP" {
				continue
			}
			d := rules.Diagnostic{Range: l.modeRange(), Key: rules.ListenerKey(l.ID, "mtls-passthrough")}
			if l.TrustArn != "" {
				d.Fixes = replaceFix(l.ModeValue, `"verify"`, "verify client certificates against the trust store in trust_store_arn")
			}
			if l.L4 {
				d.Message = "mutual TLS in passthrough mode verifies no client certificate"
				d.Detail = fmt.Sprintf("Listener %s sets passthrough mode%s; network load balancers support only verify, so AWS also rejects it there.",
					l.describe(), viaVars(l.ModeValue))
				p.Report(d)
				continue
			}
			if ts := trustsBehind(rules.ModelOf(p), l); len(ts) > 0 {
				text, guess, rel := trustSummary(ts)
				d.Severity = rules.Critical
				d.Related = rel
				d.Message = "mutual TLS in passthrough mode verifies no client certificate, yet the app trusts its headers"
				d.Detail = fmt.Sprintf("Listener %s runs passthrough mode%s, so the ALB never verifies the client certificate, yet the app trusts %s: a self-made certificate (or, for the derived headers, a header the client sends itself) authenticates.%s",
					l.describe(), viaVars(l.ModeValue), text, guess)
			} else {
				d.Message = "mutual TLS in passthrough mode forwards the client's certificate chain unverified"
				d.Detail = fmt.Sprintf("Listener %s runs passthrough mode%s: the ALB sends the chain in X-Amzn-Mtls-Clientcert without verifying it, so every target must validate the chain itself.",
					l.describe(), viaVars(l.ModeValue))
			}
			p.Report(d)
		}
	}
}

func checkOff(p *rules.Pass) {
	for _, m := range modules(p) {
		_, ls := albOf(p, m)
		for _, l := range ls {
			if l.verify() != rules.VerifyOff {
				continue
			}
			why := "mode is off"
			switch {
			case l.Protocol == "HTTP":
				why = "plain HTTP"
			case l.MTLS == nil:
				why = "no mutual_authentication"
			}
			byHeader := map[string][]appTrust{}
			var headers []string
			for _, t := range trustsBehind(rules.ModelOf(p), l) {
				h := rules.HeaderName(t.Trust.Header)
				if byHeader[h] == nil {
					headers = append(headers, h)
				}
				byHeader[h] = append(byHeader[h], t)
			}
			sort.Strings(headers)
			for _, h := range headers {
				text, guess, rel := trustSummary(byHeader[h])
				p.Report(rules.Diagnostic{
					Range:   l.modeRange(),
					Key:     rules.ListenerKey(l.ID, "header:"+h),
					Related: rel,
					Message: fmt.Sprintf("this listener does not verify client certificates, yet the app trusts %s", rules.Clip(rules.DisplayHeader(h), 40)),
					Detail: fmt.Sprintf("Listener %s forwards without verifying client certificates (%s%s), and the app trusts %s, a header the ALB does not set here; AWS does not document whether the ALB strips client-sent X-Amzn-Mtls-* headers, so the client's own copy is assumed to reach the app.%s",
						l.describe(), why, viaVars(l.ModeValue), text, guess),
				})
			}
		}
	}
}

func checkExpiry(p *rules.Pass) {
	for _, m := range modules(p) {
		_, ls := albOf(p, m)
		for _, l := range ls {
			if l.Expiry == nil || (l.Mode != modeVerify && l.Mode != modeUnknown) {
				continue
			}
			if b, ok := l.Expiry.Bool(); !ok || !b {
				continue
			}
			p.Report(rules.Diagnostic{
				Range:   l.Expiry.Range,
				Key:     rules.ListenerKey(l.ID, "ignore-expiry"),
				Fixes:   replaceFix(l.Expiry, "false", "reject expired client certificates"),
				Message: "this listener accepts expired client certificates",
				Detail: fmt.Sprintf("Listener %s sets ignore_client_certificate_expiry = true%s, so a certificate past its validity period still authenticates.",
					l.describe(), viaVars(l.Expiry)),
			})
		}
	}
}

func checkBypass(p *rules.Pass) {
	for _, m := range modules(p) {
		_, ls := albOf(p, m)
		protected := map[string]*listener{}
		for _, l := range ls {
			if v := l.verify(); l.L4 || (v != rules.VerifyRequired && v != rules.VerifyOptionalNoCA) {
				continue
			}
			for _, t := range l.Targets {
				if t.Group != "" && protected[t.Group] == nil {
					protected[t.Group] = l
				}
			}
		}
		for _, l := range ls {
			if l.L4 || l.verify() != rules.VerifyOff {
				continue
			}
			why := "mode is off"
			switch {
			case l.Protocol == "HTTP":
				why = "plain HTTP"
			case l.MTLS == nil:
				why = "no mutual_authentication"
			}
			for _, t := range l.Targets {
				mtls := protected[t.Group]
				if t.Group == "" || mtls == nil {
					continue
				}
				p.Report(rules.Diagnostic{
					Range:   t.Range,
					Key:     rules.TargetBypassKey(t.Group, l.ID, t.Via),
					Related: []source.Related{{Range: mtls.modeRange(), Message: fmt.Sprintf("listener %s requires mutual TLS (%s) for the same target group", mtls.Addr, mtls.Mode)}},
					Message: fmt.Sprintf("this listener reaches %s without the client certificate another listener requires", rules.Clip(t.Group, 40)),
					Detail: fmt.Sprintf("Listener %s forwards to %s through its %s without mutual TLS (%s), so clients reach the targets that %s protects without a client certificate.",
						l.describe(), t.Group, t.Via, why, mtls.Addr),
				})
			}
		}
	}
}

func checkDropInvalid(p *rules.Pass) {
	for _, m := range modules(p) {
		lbs, _ := albOf(p, m)
		for _, lb := range lbs {
			admits, known := lb.admitsUnderscore()
			if !admits || !known {
				continue
			}
			d := rules.Diagnostic{Key: rules.ResourceKey("alb", m.Dir, lb.Addr, "drop-invalid-header-fields")}
			if lb.HasDropInvalid && !lb.DropInvalid.IsNull() {
				d.Range = lb.DropInvalid.Range
				d.Fixes = replaceFix(&lb.DropInvalid, "true", "drop header fields whose names are not valid")
				d.Message = "drop_invalid_header_fields = false: header names with \"_\" reach the targets"
				d.Detail = fmt.Sprintf("Load balancer %s passes names such as X_Amzn_Mtls_Clientcert_Subject%s, and WSGI servers may read them as the dash-named header.",
					lb.Addr, viaVars(&lb.DropInvalid))
			} else {
				d.Range = lb.Obj.Header
				d.Message = "drop_invalid_header_fields is not set (false): header names with \"_\" reach the targets"
				d.Detail = fmt.Sprintf("Load balancer %s passes names such as X_Amzn_Mtls_Clientcert_Subject, and WSGI servers may read them as the dash-named header.",
					lb.Addr)
				d.FixTitle = "Set drop_invalid_header_fields = true."
			}
			p.Report(d)
		}
	}
}

// API Gateway resource types.
var (
	domainTypes  = []string{"aws_api_gateway_domain_name", "aws_apigatewayv2_domain_name"}
	mappingTypes = []string{"aws_api_gateway_base_path_mapping", "aws_apigatewayv2_api_mapping"}
	apiTypes     = map[string]bool{"aws_api_gateway_rest_api": true, "aws_apigatewayv2_api": true}
)

func checkExecuteAPI(p *rules.Pass) {
	for _, m := range modules(p) {
		mtlsDomains := map[string]*tf.Object{} // address → mutual_tls_authentication
		for _, d := range m.ResourcesOf(domainTypes...) {
			for _, mt := range d.Objects("mutual_tls_authentication") {
				if !mt.Maybe {
					mtlsDomains[d.Address()] = mt
				}
			}
		}
		if len(mtlsDomains) == 0 {
			continue
		}
		reported := map[string]bool{}
		for _, mp := range m.ResourcesOf(mappingTypes...) {
			dn, ok := mp.Attr("domain_name")
			if !ok {
				continue
			}
			var mtls *tf.Object
			var domain string
			for _, ref := range dn.Refs() {
				if ob := mtlsDomains[ref.Type+"."+ref.Name]; ob != nil {
					mtls, domain = ob, ref.Type+"."+ref.Name
				}
			}
			if mtls == nil {
				continue
			}
			id, ok := mp.Attr("api_id")
			if !ok {
				continue
			}
			for _, ref := range id.Refs() {
				api := m.Resource(ref.Type, ref.Name)
				if !apiTypes[ref.Type] || api == nil || reported[api.Address()] {
					continue
				}
				rng := api.Header
				state := "does not set disable_execute_api_endpoint"
				var fixes []rules.Fix
				if v, ok := api.Attr("disable_execute_api_endpoint"); ok && !v.IsNull() {
					b, known := v.Bool()
					if !known || b {
						continue
					}
					rng = v.Range
					state = "sets disable_execute_api_endpoint = false" + viaVars(&v)
					fixes = replaceFix(&v, "true", "disable the default execute-api endpoint")
				}
				reported[api.Address()] = true
				p.Report(rules.Diagnostic{
					Range:   rng,
					Key:     rules.ResourceKey("apigw", m.Dir, api.Address(), "execute-api"),
					Fixes:   fixes,
					Related: []source.Related{{Range: mtls.Header, Message: fmt.Sprintf("custom domain %s requires mutual TLS here", domain)}},
					Message: "the default execute-api endpoint serves this mutual-TLS API without a client certificate",
					Detail: fmt.Sprintf("API %s is served on custom domain %s with mutual TLS, but it %s, so clients can call it through the execute-api endpoint instead.",
						api.Address(), domain, state),
				})
			}
		}
	}
}

// walkSettings calls fn for every attribute called one of names of every
// resource and module call of the module, however deeply nested.
func walkSettings(m *tf.Module, names []string, fn func(owner string, name string, v tf.Value)) {
	for _, r := range m.Resources {
		r.WalkNamed(names, func(name string, v tf.Value) { fn(r.Address(), name, v) })
	}
	for _, c := range m.Calls {
		c.WalkNamed(names, func(name string, v tf.Value) { fn("module."+c.Name, name, v) })
	}
}

func checkGCP(p *rules.Pass) {
	reportSetting(p, setting{
		names: []string{"client_validation_mode", "clientValidationMode"}, value: "ALLOW_INVALID_OR_MISSING_CLIENT_CERT", key: "gcp-mtls",
		fix: `"REJECT_INVALID"`, fixDesc: "reject invalid and missing client certificates (needs client_validation_trust_config)",
		message: "client_validation_mode = ALLOW_INVALID_OR_MISSING_CLIENT_CERT",
		detail:  "%s sets it%s, so connections with an invalid or no client certificate reach the backend, which must authenticate the client itself.",
	})
}

func checkAzure(p *rules.Pass) {
	reportSetting(p, setting{
		names: []string{"verify_client_auth_mode", "verifyClientAuthMode"}, value: "Passthrough", key: "azure-mtls",
		fix: `"Strict"`, fixDesc: "verify client certificates at the gateway (needs trusted client CA certificates)",
		message: "the Application Gateway forwards client certificates without verifying them (Passthrough)",
		detail:  "%s sets the client authentication mode to Passthrough%s, so the backend must validate client certificates itself.",
	})
}

// setting is one attribute value a rule reports wherever a resource or a
// module call sets it.
type setting struct {
	names        []string // the attribute, in HCL and in an AzAPI/JSON body
	value        string   // the value reported (case-insensitive)
	key          string   // key prefix
	fix, fixDesc string   // the replacement literal and what it does
	message      string   // the finding's message
	detail       string   // format with the owner and the variables the value rests on
}

func reportSetting(p *rules.Pass, st setting) {
	for _, m := range modules(p) {
		walkSettings(m, st.names, func(owner, name string, v tf.Value) {
			if s, ok := v.Str(); !ok || !strings.EqualFold(s, st.value) {
				return
			}
			p.Report(rules.Diagnostic{
				Range:   v.Range,
				Key:     rules.ResourceKey(st.key, m.Dir, owner, v.Range.String()),
				Fixes:   replaceFix(&v, st.fix, st.fixDesc),
				Message: st.message,
				Detail:  fmt.Sprintf(st.detail, owner, viaVars(&v)),
			})
		})
	}
}
