package k8s

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
	tfrules "github.com/mtlslint/mtlslint/rules/terraform"
)

// The AWS Load Balancer Controller rules: the mutual-TLS mode of the ALB
// listeners its Ingresses make, with the facts and wording of the
// Terraform ALB rules (T001–T003).

var requiresALBModel = []*rules.Analysis{Clusters, albIngresses, rules.DeploymentModel}

// ALBPassthrough is K013.
var ALBPassthrough = &rules.Rule{
	Code: "K013", Name: "alb-ingress-mtls-passthrough", Severity: rules.High,
	CWE:     []string{"CWE-295"},
	Summary: "An ALB Ingress runs mutual TLS in passthrough mode: the load balancer forwards the client's certificate chain without verifying it.",
	Doc: rules.Doc{
		What: "Reports an Ingress of the AWS Load Balancer Controller whose `alb.ingress.kubernetes.io/mutual-authentication` sets `\"mode\": \"passthrough\"` for an HTTPS listen port. " +
			"The finding is critical when an app that the listener forwards to trusts an `X-Amzn-Mtls-*` header (in the deployment model), high otherwise.",
		Why: "In passthrough mode the load balancer asks for a client certificate but never checks it against a trust store: it sends whatever chain the client presented to the targets in `X-Amzn-Mtls-Clientcert`, " +
			"like nginx's optional_no_ca. Anyone can make a certificate with any subject, so an app that takes the header (or the subject in it) as proof of identity admits everyone. " +
			"The derived headers (`X-Amzn-Mtls-Clientcert-Subject`, `-Issuer`, …) are not set in passthrough mode at all; whether the ALB removes a copy the client sends is not documented, so an app reading them may read the client's own value.",
		Example: "metadata:\n  annotations:\n    alb.ingress.kubernetes.io/listen-ports: '[{\"HTTPS\": 443}]'\n    alb.ingress.kubernetes.io/mutual-authentication: '[{\"port\": 443, \"mode\": \"passthrough\"}]'",
		Fix: "Let the load balancer verify: `\"mode\": \"verify\"` with `\"trustStore\"` naming a trust store that holds your CA. " +
			"Keep passthrough only when every target validates the chain in `X-Amzn-Mtls-Clientcert` against a pinned CA itself (path validation, not a DN comparison).",
		References: []string{refLBCAnnotations, refALBmTLS, refLBCSource},
	},
	Scope:    rules.ScopeDeployment,
	Requires: requiresALBModel,
	Check:    checkALBPassthrough,
}

// ALBOff is K014.
var ALBOff = &rules.Rule{
	Code: "K014", Name: "alb-ingress-mtls-off-app-trusts", Severity: rules.Critical,
	CWE:     []string{"CWE-290", "CWE-287"},
	Summary: "An ALB Ingress listener without mutual TLS forwards to an app that trusts X-Amzn-Mtls-* headers.",
	Doc: rules.Doc{
		What: "Reports a listener of an AWS Load Balancer Controller Ingress whose mutual TLS is off (an HTTP listen port that `ssl-redirect` does not redirect, an HTTPS port without a `mutual-authentication` entry, or `\"mode\": \"off\"`) " +
			"that forwards to an app which, in the deployment model, trusts an `X-Amzn-Mtls-*` header.",
		Why: "With mutual TLS off the ALB sets none of the `X-Amzn-Mtls-*` headers. AWS does not document whether it removes a copy the client sends, " +
			"so mtlslint assumes the worst: a client that sends `X-Amzn-Mtls-Clientcert-Subject: CN=admin` is admin. A listen port without an entry in the annotation is off: the controller's default mode.",
		Example:    "alb.ingress.kubernetes.io/listen-ports: '[{\"HTTP\": 80}, {\"HTTPS\": 443}]'\nalb.ingress.kubernetes.io/mutual-authentication: '[{\"port\": 443, \"mode\": \"verify\", \"trustStore\": \"clients\"}]'\n# no ssl-redirect: port 80 forwards to the app",
		Fix:        "Give every HTTPS listen port that reaches the app `\"mode\": \"verify\"`, redirect plain HTTP (`alb.ingress.kubernetes.io/ssl-redirect: '443'`), or stop trusting the header in the app.",
		References: []string{refLBCAnnotations, refALBmTLS, refLBCSource},
	},
	Scope:    rules.ScopeDeployment,
	Requires: requiresALBModel,
	Check:    checkALBOff,
}

// ALBNotApplied is K015.
var ALBNotApplied = &rules.Rule{
	Code: "K015", Name: "alb-ingress-mtls-not-applied", Severity: rules.High,
	CWE:     []string{"CWE-1188", "CWE-295"},
	Summary: "The mutual-authentication annotation of an ALB Ingress is rejected by the controller, or names a port that is not an HTTPS listen port, where it is ignored.",
	Doc: rules.Doc{
		What: "Reports `alb.ingress.kubernetes.io/mutual-authentication` when the AWS Load Balancer Controller would reject it (not a JSON list, an empty mode, a mode other than off, passthrough or verify, verify without `trustStore`, " +
			"`trustStore` or `ignoreClientCertificateExpiry` with off or passthrough), or `listen-ports` is rejected, and an entry whose port is not an HTTPS port of `listen-ports` " +
			"(without `listen-ports`, the only listener is HTTPS:443 with `certificate-arn` and HTTP:80 without).",
		Why: "The controller applies an entry only to an HTTPS listen port of the Ingress: an entry for any other port is dropped without an error, so the listener meant to verify certificates runs with mutual TLS off. " +
			"A rejected annotation stops the controller from reconciling the whole IngressGroup: the load balancer keeps its previous configuration, which the repository does not show.",
		Example:    "alb.ingress.kubernetes.io/listen-ports: '[{\"HTTPS\": 8443}]'\nalb.ingress.kubernetes.io/mutual-authentication: '[{\"port\": 443, \"mode\": \"verify\", \"trustStore\": \"clients\"}]'   # 443 is not a listen port",
		Fix:        "Name the HTTPS listen port in the entry, and keep the annotation a JSON list the controller accepts (`trustStore` only with verify).",
		References: []string{refLBCAnnotations, refLBCSource},
	},
	Scope:    rules.ScopeDeployment,
	Requires: []*rules.Analysis{Clusters, albIngresses},
	Check:    checkALBNotApplied,
}

// ALBIgnoreExpiry is K016.
var ALBIgnoreExpiry = &rules.Rule{
	Code: "K016", Name: "alb-ingress-mtls-ignore-expiry", Severity: rules.Medium,
	CWE:     []string{"CWE-298"},
	Summary: "An ALB Ingress accepts expired client certificates (ignoreClientCertificateExpiry: true).",
	Doc: rules.Doc{
		What:       "Reports `\"ignoreClientCertificateExpiry\": true` in an entry of `alb.ingress.kubernetes.io/mutual-authentication` in verify mode.",
		Why:        "A certificate's validity period bounds how long a leaked key stays useful. With expiry ignored, a certificate that expired years ago still authenticates; revocation lists are usually the only other limit, and they often are not kept.",
		Example:    "alb.ingress.kubernetes.io/mutual-authentication: '[{\"port\": 443, \"mode\": \"verify\", \"trustStore\": \"clients\", \"ignoreClientCertificateExpiry\": true}]'",
		Fix:        "Remove the field (it defaults to false) and renew client certificates before they expire.",
		References: []string{refLBCAnnotations, refALBmTLS},
	},
	Scope:    rules.ScopeDeployment,
	Requires: []*rules.Analysis{Clusters, albIngresses},
	Check:    checkALBExpiry,
}

// ALBRules are the AWS Load Balancer Controller rules, in code order.
var ALBRules = []*rules.Rule{ALBPassthrough, ALBOff, ALBNotApplied, ALBIgnoreExpiry}

// albTrust is a header an app behind an ALB listener trusts.
type albTrust struct {
	app   *rules.App
	trust rules.Trust
	how   string
}

// albTrustsBehind returns the X-Amzn-Mtls-* headers that apps reached
// through the listener trust, one per app and header.
func albTrustsBehind(m *rules.Model, ac *albCluster, l *albListener) []albTrust {
	if m == nil {
		return nil
	}
	var prefixes []string
	for _, a := range ac.ingresses {
		if a.group == l.group {
			prefixes = append(prefixes, fmt.Sprintf("alb-ingress:%s:%s-%s:", a.ing.Obj.NamespacedName(), l.protocol, l.port))
		}
	}
	var out []albTrust
	seen := map[string]bool{}
	for _, link := range m.Links {
		if link.Route == nil || link.App == nil || !hasAnyPrefix(link.Route.ID, prefixes) {
			continue
		}
		for _, t := range link.App.Trusts {
			h := rules.HeaderName(t.Header)
			if !tfrules.IsALBMTLSHeader(h) || seen[link.App.ID+"\x00"+h] {
				continue
			}
			seen[link.App.ID+"\x00"+h] = true
			out = append(out, albTrust{link.App, t, link.How})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].app.ID != out[j].app.ID {
			return out[i].app.ID < out[j].app.ID
		}
		return rules.HeaderName(out[i].trust.Header) < rules.HeaderName(out[j].trust.Header)
	})
	return out
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// albTrustSummary names the trusted headers and apps for a detail, and
// says when the link between the load balancer and the apps is a guess.
func albTrustSummary(ts []albTrust) (text, guess string, rel []source.Related) {
	var parts []string
	for i, t := range ts {
		h := rules.DisplayHeader(t.trust.Header)
		if i < 3 {
			parts = append(parts, fmt.Sprintf("%s (app %s)", h, t.app.ID))
		}
		rel = append(rel, source.Related{Range: t.trust.Range, Message: fmt.Sprintf("app %s trusts %s here", t.app.ID, h)})
		if t.how == "guess" {
			guess = " This assumes the load balancer fronts the app, since nothing links them by address."
		}
	}
	if len(ts) > 3 {
		parts = append(parts, fmt.Sprintf("and %d more", len(ts)-3))
	}
	return strings.Join(parts, ", "), guess, rel
}

// eachALBListener calls fn for every listener of every cluster's ALB
// Ingresses, in group and port order.
func eachALBListener(p *rules.Pass, fn func(a *analysis, ac *albCluster, l *albListener)) {
	s := albsOf(p)
	for _, a := range clusters(p) {
		ac := s[a.cluster]
		if ac == nil {
			continue
		}
		var groups []string
		for g := range ac.listeners {
			groups = append(groups, g)
		}
		sort.Strings(groups)
		for _, g := range groups {
			var ports []string
			for port := range ac.listeners[g] {
				ports = append(ports, port)
			}
			sort.Strings(ports)
			for _, port := range ports {
				fn(a, ac, ac.listeners[g][port])
			}
		}
	}
}

// anchorOf is where a finding about a listener goes: the annotation that
// sets its mode, else listen-ports of the group's first Ingress, else
// that Ingress.
func (ac *albCluster) anchorOf(l *albListener) source.Range {
	if l.from != nil {
		return l.from.mtlsAnn.Line()
	}
	for _, a := range ac.ingresses {
		if a.group != l.group {
			continue
		}
		if a.portsAnn.Set {
			return a.portsAnn.Line()
		}
		return a.ing.Obj.Range
	}
	return source.Range{}
}

func checkALBPassthrough(p *rules.Pass) {
	found := gather(p)
	defer found.flush()
	m := rules.ModelOf(p)
	eachALBListener(p, func(a *analysis, ac *albCluster, l *albListener) {
		if l.mode != tfrules.ALBModePassthrough || l.protocol != "HTTPS" {
			return
		}
		d := rules.Diagnostic{Range: ac.anchorOf(l), Key: rules.ListenerKey(l.id, "mtls-passthrough")}
		if ts := albTrustsBehind(m, ac, l); len(ts) > 0 {
			text, guess, rel := albTrustSummary(ts)
			d.Severity = rules.Critical
			d.Related = rel
			d.Message = "mutual TLS in passthrough mode verifies no client certificate, yet the app trusts its headers"
			d.Detail = fmt.Sprintf("Listener %s runs passthrough mode (set by %s), so the ALB never verifies the client certificate, yet the app trusts %s: a self-made certificate (or, for the derived headers, a header the client sends itself) authenticates.%s",
				l.describe(), l.from.ing.Obj.Ref(), text, guess)
		} else {
			d.Message = "mutual TLS in passthrough mode forwards the client's certificate chain unverified"
			d.Detail = fmt.Sprintf("Listener %s runs passthrough mode (set by %s): the ALB sends the chain in X-Amzn-Mtls-Clientcert without verifying it, so every target must validate the chain itself.",
				l.describe(), l.from.ing.Obj.Ref())
		}
		d.FixTitle = "Use \"mode\": \"verify\" with a trustStore that holds the client CA."
		found.report(a, d)
	})
}

func checkALBOff(p *rules.Pass) {
	found := gather(p)
	defer found.flush()
	m := rules.ModelOf(p)
	eachALBListener(p, func(a *analysis, ac *albCluster, l *albListener) {
		if l.redirect || tfrules.ALBVerify(l.protocol, l.mode) != rules.VerifyOff {
			return
		}
		why := "mode off"
		switch {
		case l.protocol == "HTTP":
			why = "plain HTTP, not redirected by ssl-redirect"
		case l.from == nil:
			why = "no mutual-authentication entry for the port"
		}
		byHeader := map[string][]albTrust{}
		var headers []string
		for _, t := range albTrustsBehind(m, ac, l) {
			h := rules.HeaderName(t.trust.Header)
			if byHeader[h] == nil {
				headers = append(headers, h)
			}
			byHeader[h] = append(byHeader[h], t)
		}
		sort.Strings(headers)
		for _, h := range headers {
			text, guess, rel := albTrustSummary(byHeader[h])
			found.report(a, rules.Diagnostic{
				Range:   ac.anchorOf(l),
				Key:     rules.ListenerKey(l.id, "header:"+h),
				Related: rel,
				Message: fmt.Sprintf("listener %s:%s does not verify client certificates, yet the app trusts %s", l.protocol, l.port, rules.Clip(rules.DisplayHeader(h), 40)),
				Detail: fmt.Sprintf("Listener %s forwards without verifying client certificates (%s), and the app trusts %s, a header the ALB does not set here; %s, so the client's own copy is assumed to reach the app.%s",
					l.describe(), why, text, tfrules.ALBUnconfirmedStrip, guess),
				FixTitle: "Verify client certificates on every listener that reaches the app, and redirect plain HTTP.",
			})
		}
	})
}

func checkALBNotApplied(p *rules.Pass) {
	found := gather(p)
	defer found.flush()
	s := albsOf(p)
	for _, a := range clusters(p) {
		ac := s[a.cluster]
		if ac == nil {
			continue
		}
		for _, ai := range ac.ingresses {
			in := ai.ing
			if ai.portsErr != "" {
				found.report(a, rules.Diagnostic{
					Range:    ai.portsAnn.Line(),
					Key:      objKey(in.Obj, "alb-listen-ports"),
					Message:  "the controller rejects listen-ports: " + rules.Clip(ai.portsErr, 70),
					Detail:   fmt.Sprintf("The AWS Load Balancer Controller does not reconcile the IngressGroup of %s while the annotation is invalid, so the load balancer keeps a configuration the repository does not show.", in.Obj.Ref()),
					FixTitle: "Write listen-ports as a JSON list such as '[{\"HTTPS\": 443}]'.",
				})
			}
			if !ai.mtlsAnn.Set {
				continue
			}
			if ai.mtlsErr != "" {
				found.report(a, rules.Diagnostic{
					Range:    ai.mtlsAnn.Line(),
					Key:      objKey(in.Obj, "alb-mutual-authentication"),
					Message:  "the controller rejects mutual-authentication: " + rules.Clip(ai.mtlsErr, 70),
					Detail:   fmt.Sprintf("The AWS Load Balancer Controller does not reconcile the IngressGroup of %s while the annotation is invalid, so whether its listeners verify client certificates is not known.", in.Obj.Ref()),
					FixTitle: "Fix the annotation: a JSON list of {port, mode, trustStore} with trustStore only in verify mode.",
				})
				continue
			}
			if ai.portsErr != "" {
				continue
			}
			https := map[string]bool{}
			for _, pt := range ai.ports {
				if pt.protocol == "HTTPS" {
					https[pt.port] = true
				}
			}
			var ignored []string
			for port, e := range ai.mtls {
				if !https[port] && e.Mode != tfrules.ALBModeOff {
					ignored = append(ignored, port)
				}
			}
			sort.Strings(ignored)
			for _, port := range ignored {
				e := ai.mtls[port]
				found.report(a, rules.Diagnostic{
					Range:    ai.mtlsAnn.Line(),
					Key:      objKey(in.Obj, "alb-mutual-authentication:"+port),
					Message:  fmt.Sprintf("mutual-authentication for port %s is ignored: it is not an HTTPS listen port of this Ingress", port),
					Detail:   fmt.Sprintf("%s asks for %s mode on port %s, but its listen ports are %s; the controller applies an entry only to an HTTPS listen port and drops this one without an error.", in.Obj.Ref(), e.Mode, port, describePorts(ai)),
					FixTitle: "Name an HTTPS port of listen-ports in the entry, or add the port to listen-ports as HTTPS.",
				})
			}
		}
	}
}

// describePorts lists an Ingress's listen ports ("HTTP:80, HTTPS:443"),
// saying when they are the default.
func describePorts(ai *albIngress) string {
	var parts []string
	for _, pt := range ai.ports {
		parts = append(parts, pt.protocol+":"+pt.port)
	}
	s := strings.Join(parts, ", ")
	if !ai.portsAnn.Set {
		s += " (the default without listen-ports)"
	}
	return s
}

func checkALBExpiry(p *rules.Pass) {
	found := gather(p)
	defer found.flush()
	s := albsOf(p)
	for _, a := range clusters(p) {
		ac := s[a.cluster]
		if ac == nil {
			continue
		}
		for _, ai := range ac.ingresses {
			var ports []string
			for port, e := range ai.mtls {
				if e.Mode == tfrules.ALBModeVerify && e.IgnoreExpiry != nil && *e.IgnoreExpiry {
					ports = append(ports, port)
				}
			}
			sort.Strings(ports)
			for _, port := range ports {
				found.report(a, rules.Diagnostic{
					Range:    ai.mtlsAnn.Line(),
					Key:      objKey(ai.ing.Obj, "alb-ignore-expiry:"+port),
					Message:  fmt.Sprintf("port %s accepts expired client certificates (ignoreClientCertificateExpiry)", port),
					Detail:   fmt.Sprintf("%s sets ignoreClientCertificateExpiry: true for port %s, so a certificate past its validity period still authenticates.", ai.ing.Obj.Ref(), port),
					FixTitle: "Remove ignoreClientCertificateExpiry (false by default).",
				})
			}
		}
	}
}
