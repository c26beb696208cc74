// Package openapi holds the OpenAPI rules (code prefix O): operations whose
// security requires mutual TLS but that a proxy route serves without strict
// client-certificate verification, mutual TLS offered as one alternative
// among others, mutual-TLS schemes a document's OpenAPI version does not
// define, and spec changes that drop a mutual-TLS requirement.
package openapi

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	oas "github.com/mtlslint/mtlslint/parsers/openapi"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Rules are the OpenAPI rules.
var Rules = []*rules.Rule{RouteNotStrict, OptionalMTLS, SchemeVersion, Dropped}

var kinds = []string{parsers.KindOpenAPI}

const (
	refSecurityScheme = "OpenAPI 3.1.1, Security Scheme Object: type \"mutualTLS\" (https://spec.openapis.org/oas/v3.1.1.html#security-scheme-object)"
	refSecurityReq    = "OpenAPI 3.1.1, Operation Object `security` and Security Requirement Object: alternatives are OR'd, `{}` makes security optional, `[]` removes the top-level requirement (https://spec.openapis.org/oas/v3.1.1.html#security-requirement-object)"
)

// RouteNotStrict: O001.
var RouteNotStrict = &rules.Rule{
	Code: "O001", Name: "mtls-operation-route-not-strict", Severity: rules.High,
	CWE: []string{"CWE-306"}, Scope: rules.ScopeDeployment, Requires: []*rules.Analysis{rules.DeploymentModel},
	Summary: "An operation whose OpenAPI security requires mutual TLS is served through a proxy route that does not strictly verify client certificates.",
	Doc: rules.Doc{
		What: "For every operation whose effective `security` (its own, else the top-level one) names a mutual-TLS scheme in every alternative, finds the proxy routes that serve it, and reports each listener whose routes do not admit only verified client certificates. " +
			"Strict means nginx `ssl_verify_client on` (or `optional` with a `$ssl_client_verify != SUCCESS` → 403 gate), HAProxy `verify required` (or `optional` with a deny on `ssl_c_used`/`ssl_c_verify`), ingress-nginx `auth-tls-verify-client: on`, ALB mutual authentication `verify`. " +
			"Operations are matched to routes by the host of their server URLs against the route's server names and by the base path plus path template against its location; what a proxy family does not model (HAProxy host and path ACLs) matches every operation. The message says how each match was made.",
		Why:        "The spec promises that only clients with a certificate from the trusted CA can call the operation, and clients and reviewers rely on that. A gateway that verifies optionally, not at all, or on a plain-HTTP listener lets anyone call it; when the app also trusts a forwarded verify header, an attacker can forge it.",
		Example:    "# openapi.yaml\nsecurity:\n  - clientCert: []\ncomponents:\n  securitySchemes:\n    clientCert: {type: mutualTLS}\n\n# haproxy.cfg\nfrontend api\n    bind :443 ssl crt site.pem ca-file clients.pem verify optional\n    default_backend app",
		Fix:        "Verify strictly on every route that serves the operation (`verify required`, `ssl_verify_client on`), or refuse requests without a verified certificate before proxying; serve operations that allow other authentication from a separate host or listener.\n\n    bind :443 ssl crt site.pem ca-file clients.pem verify required",
		References: []string{refSecurityScheme, refSecurityReq, "nginx ngx_http_ssl_module `ssl_verify_client`", "HAProxy configuration manual, bind option `verify`"},
	},
	Check: checkRoutes,
}

// OptionalMTLS: O002.
var OptionalMTLS = &rules.Rule{
	Code: "O002", Name: "mtls-optional-alternative", Severity: rules.Info,
	CWE: []string{"CWE-306"}, Scope: rules.ScopeTree, Kinds: kinds,
	Summary: "Mutual TLS is only one alternative of an operation's security, or `{}` makes security optional.",
	Doc: rules.Doc{
		What:       "Reports an effective `security` list in which some alternatives name a mutual-TLS scheme and others do not, or that includes the empty requirement `{}` (anonymous access). It is reported once per list, on its `security` key, naming the operations it applies to.",
		Why:        "Security Requirement Objects are alternatives: a client that satisfies any one is admitted. With `- mtls: []` next to `- apiKey: []` or `- {}`, the client certificate is optional, so a gateway cannot enforce mutual TLS for these operations, and O001 does not apply to them. This is often intended (a migration, a second way in); it is reported so that it is a decision.",
		Example:    "security:\n  - clientCert: []\n  - {}",
		Fix:        "If mutual TLS is meant to be mandatory, make it part of every alternative (`- {clientCert: [], apiKey: []}`) or the only one, and remove `{}`.",
		References: []string{refSecurityReq},
	},
	Check: checkOptional,
}

// SchemeVersion: O003.
var SchemeVersion = &rules.Rule{
	Code: "O003", Name: "mtls-scheme-not-in-version", Severity: rules.Low,
	CWE: []string{"CWE-306"}, Scope: rules.ScopeTree, Kinds: kinds,
	Summary: "A mutual-TLS security scheme that the document's OpenAPI version does not define.",
	Doc: rules.Doc{
		What:       "Reports `type: mutualTLS` in a document whose `openapi` version is below 3.1.0 (or a Swagger 2.0 document), and mutual TLS spelled `type: http, scheme: mutual`, which some 3.0 documents use.",
		Why:        "`mutualTLS` was added in OpenAPI 3.1.0; 3.0 validators reject it and 3.0 tools drop it, so the requirement silently disappears from generated clients, gateways and documentation. `http` + `mutual` names the HTTP authentication scheme \"Mutual\" of RFC 8120, a password protocol, not TLS client certificates: no tool reads it as mutual TLS.",
		Example:    "openapi: 3.0.3\ncomponents:\n  securitySchemes:\n    clientCert:\n      type: mutualTLS",
		Fix:        "Declare `openapi: 3.1.0` (or later) and use `type: mutualTLS`.",
		References: []string{refSecurityScheme, "RFC 8120, Mutual Authentication Protocol for HTTP"},
	},
	Check: checkSchemes,
}

// Dropped: O004. It compares each document with its version in the
// settings' base revision (`mtlslint check --spec-base REV`), and does
// nothing without one; `mtlslint spec-diff OLD NEW` compares two files
// with the same Diff.
var Dropped = &rules.Rule{
	Code: "O004", Name: "spec-mtls-dropped", Severity: rules.High,
	CWE: []string{"CWE-306"}, Scope: rules.ScopeTree, Kinds: kinds,
	Summary: "A spec change removes the mutual-TLS requirement of an operation, or makes it one alternative among others.",
	Doc: rules.Doc{
		What:       "Compares two versions of an OpenAPI document (`mtlslint spec-diff OLD NEW`, or `mtlslint check --spec-base REV` against the version at a git revision) and reports every operation whose effective security required mutual TLS in every alternative before and no longer does: the requirement was removed, `[]` or `{}` now allows anonymous access, another scheme replaced it, or it became one alternative among others. The message includes what oasdiff's checker reports for the operation.",
		Why:        "oasdiff classifies dropping an operation's only security requirement as `api-security-anonymous-access-added` at level INFO, and adding an alternative as `api-security-added` at INFO: both widen what clients may do, so `oasdiff breaking` shows nothing. For a client-certificate API this is the most important change a review can see: the gateway configuration generated or checked from the spec stops enforcing mutual TLS.",
		Example:    "# before\nsecurity:\n  - clientCert: []\n# after\nsecurity:\n  - clientCert: []\n  - {}",
		Fix:        "Restore the requirement, or, if the change is intended, make sure every route still verifies client certificates where needed and record the decision (suppress the finding with a reason).",
		References: []string{refSecurityReq, "oasdiff checker ids api-security-anonymous-access-added, api-security-added, api-security-removed, api-global-security-removed"},
	},
	Check: checkDropped,
}

// checkDropped compares the pass's document with its version at the base
// revision. A document the base does not have lost nothing; one whose old
// version cannot be read is reported, so that the comparison is never
// silently skipped.
func checkDropped(p *rules.Pass) {
	s := specOf(p)
	if s == nil || p.Settings == nil || p.Settings.Base == nil {
		return
	}
	base, rev, path := p.Settings.Base, p.Settings.BaseRevision, s.Root().Path
	if _, err := base.Stat(path); err != nil {
		return
	}
	old, probs := oas.LoadSpec(base, path)
	if old == nil {
		why := "it does not load"
		if len(probs) > 0 {
			why = probs[0].Message
		}
		p.Report(rules.Diagnostic{Range: s.Root().Range(0, 0), Severity: rules.Low, Key: rules.SpecKey(s.Root().Range(0, 0), "base-unreadable"),
			Message: fmt.Sprintf("the version at %s cannot be compared with this one", rules.Clip(rev, 40)),
			Detail:  fmt.Sprintf("%s at %s: %s", path, rev, why)})
		return
	}
	for _, d := range Diff(DiffInput{Old: old, New: s, OldLabel: rev}) {
		p.Report(d)
	}
}

func specOf(p *rules.Pass) *oas.Spec {
	s, _ := p.Tree.(*oas.Spec)
	return s
}

// opList names operations: "GET /a, POST /b" (at most five, then a count).
func opList(ops []*oas.Operation) string {
	var names []string
	for i, o := range ops {
		if i == 5 {
			names = append(names, fmt.Sprintf("and %d more", len(ops)-5))
			break
		}
		names = append(names, o.String())
	}
	return strings.Join(names, ", ")
}

// describe renders a security list: "{mtls} or {apiKey} or {} (anonymous)".
func describe(l *oas.SecurityList) string {
	if l == nil || len(l.Alternatives) == 0 {
		return "no security"
	}
	var alts []string
	for _, a := range l.Alternatives {
		if len(a.Schemes) == 0 {
			alts = append(alts, "{} (anonymous)")
			continue
		}
		alts = append(alts, "{"+strings.Join(a.Schemes, ", ")+"}")
	}
	return strings.Join(alts, " or ")
}

func checkOptional(p *rules.Pass) {
	s := specOf(p)
	if s == nil {
		return
	}
	// Group operations by the list that applies to them.
	byList := map[*oas.SecurityList][]*oas.Operation{}
	var order []*oas.SecurityList
	for _, op := range s.Operations {
		l := s.Effective(op)
		if l == nil || s.MTLS(l) != oas.MTLSOptional {
			continue
		}
		if _, ok := byList[l]; !ok {
			order = append(order, l)
		}
		byList[l] = append(byList[l], op)
	}
	for _, l := range order {
		ops := byList[l]
		anon := false
		for _, a := range l.Alternatives {
			anon = anon || len(a.Schemes) == 0
		}
		why := "a client without a certificate is admitted through the other alternatives"
		if anon {
			why = "`{}` admits clients without any credentials"
		}
		scope := "applies to " + opList(ops)
		if l == s.Security {
			scope = "the top-level security, inherited by " + opList(ops)
		}
		p.Report(rules.Diagnostic{
			Range:   l.Range,
			Message: fmt.Sprintf("mutual TLS is optional here: %s", rules.Clip(describe(l), 80)),
			Detail:  rules.Sentence(fmt.Sprintf("%s, so no gateway can require a client certificate for these operations (%s)", why, scope)),
			Key:     rules.SpecKey(l.Range, "mtls-optional"),
		})
	}
}

func checkSchemes(p *rules.Pass) {
	s := specOf(p)
	if s == nil {
		return
	}
	major, minor, ok := s.MinorVersion()
	for _, name := range s.SchemeNames() {
		sc := s.Scheme(name)
		at := sc.TypeRange
		if !at.IsValid() {
			at = sc.Range
		}
		switch {
		case sc.Standard() && ok && (major < 3 || major == 3 && minor < 1):
			what := "openapi " + s.Version
			if s.Swagger {
				what = "swagger " + s.Version
			}
			p.Report(rules.Diagnostic{
				Range:   at,
				Message: fmt.Sprintf("type mutualTLS is defined from OpenAPI 3.1.0, but this document declares %s", rules.Clip(what, 25)),
				Detail:  fmt.Sprintf("Security scheme %s: validators reject it and tools for that version drop the requirement.", name),
				Key:     rules.SpecKey(sc.Range, "scheme"),
			})
		case sc.NonStandard():
			p.Report(rules.Diagnostic{
				Range:    at,
				Message:  "`type: http, scheme: mutual` is RFC 8120's password authentication, not mutual TLS",
				Detail:   fmt.Sprintf("Security scheme %s: no tool reads it as a client-certificate requirement.", name),
				FixTitle: "Use `type: mutualTLS` (OpenAPI 3.1.0 and later).",
				Key:      rules.SpecKey(sc.Range, "scheme"),
			})
		}
	}
}

// listenerFinding collects what one listener serves that needs mutual TLS.
type listenerFinding struct {
	at     source.Range
	routes []*rules.Route
	ops    []*oas.Operation
	hows   []string
	seenOp map[*oas.Operation]bool
}

func checkRoutes(p *rules.Pass) {
	m := rules.ModelOf(p)
	if len(m.Routes) == 0 || p.Workspace == nil {
		return
	}
	var ix *routeIndex
	for _, t := range p.Workspace.Trees {
		s, ok := t.(*oas.Spec)
		if !ok {
			continue
		}
		if ix == nil {
			ix = indexRoutes(m.Routes)
		}
		byListener := map[string]*listenerFinding{}
		for _, op := range s.Operations {
			if s.MTLS(s.Effective(op)) != oas.MTLSRequired {
				continue
			}
			for _, sv := range routesServing(ix, op) {
				r := sv.route
				if strict(r) {
					continue
				}
				at := r.Listener.VerifyRange
				if !at.IsValid() || !r.Listener.TLS {
					at = r.Listener.Range
				}
				if !at.IsValid() {
					at = r.Range
				}
				k := at.String()
				lf := byListener[k]
				if lf == nil {
					lf = &listenerFinding{at: at, seenOp: map[*oas.Operation]bool{}}
					byListener[k] = lf
				}
				if !containsRoute(lf.routes, r) {
					lf.routes = append(lf.routes, r)
				}
				if !lf.seenOp[op] {
					lf.seenOp[op] = true
					lf.ops = append(lf.ops, op)
					lf.hows = append(lf.hows, sv.how)
				}
			}
		}
		keys := make([]string, 0, len(byListener))
		for k := range byListener {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			lf := byListener[k]
			r := lf.routes[0]
			var descs []string
			for _, rr := range lf.routes {
				descs = append(descs, rr.Desc)
			}
			sev := rules.Severity(0)
			if r.Listener.TLS && r.Listener.Verify == rules.VerifyUnknown {
				sev = rules.Medium
			}
			var related []source.Related
			for i, op := range lf.ops {
				if i == 10 {
					break
				}
				sec := s.Effective(op)
				related = append(related, source.Related{Range: op.Range,
					Message: fmt.Sprintf("%s requires mutual TLS (security at %s)", op, sec.Range)})
			}
			p.Report(rules.Diagnostic{
				Range:    lf.at,
				Severity: sev,
				Message:  fmt.Sprintf("this listener serves %d operation(s) that require mutual TLS, without strict verification", len(lf.ops)),
				Detail: fmt.Sprintf("%s: %s, yet it serves %d operation(s) of %s whose security requires mutual TLS in every alternative: %s. How the match was made: %s",
					strings.Join(descs, "; "), weakness(r), len(lf.ops), s.Root().Path, opList(lf.ops), matchSummary(lf.hows)),
				Related: related,
				Key:     rules.ListenerSpecKey(k, s.Root().Path),
			})
		}
	}
}

func containsRoute(rs []*rules.Route, r *rules.Route) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// matchSummary lists how the matches were made (at most three).
func matchSummary(hows []string) string {
	seen := map[string]bool{}
	var out []string
	for _, h := range hows {
		if seen[h] {
			continue
		}
		seen[h] = true
		if len(out) == 3 {
			out = append(out, "…")
			break
		}
		out = append(out, h)
	}
	return strings.Join(out, "; ")
}
