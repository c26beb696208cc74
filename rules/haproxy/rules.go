// Package haproxy holds the HAProxy rules (codes H001–H013) and the
// builder that turns HAProxy configurations into routes of the deployment
// model.
package haproxy

import (
	"fmt"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	hap "github.com/mtlslint/mtlslint/parsers/haproxy"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Rules are the HAProxy rules, in code order.
var Rules = []*rules.Rule{
	AddHeader, ConditionalIdentity, VerifyOptionalZero, IgnoreErr, SystemCA, NoCRL,
	ModeTCP, SchemeSSLFC, ForwardforIfNone, DelHeaderUnderscore, FrontendGap, Legacy, WeakTLS,
}

const (
	refHTTPRequest = "HAProxy configuration manual, \"http-request add-header\" / \"set-header\" / \"del-header\": https://docs.haproxy.org/2.6/configuration.html#4.2-http-request"
	refBind        = "HAProxy configuration manual, bind options (verify, ca-file, crl-file, ca-ignore-err, crt-ignore-err): https://docs.haproxy.org/2.6/configuration.html#5.1"
	refSSLCVerify  = "HAProxy configuration manual, ssl_c_verify and ssl_c_used sample fetches: https://docs.haproxy.org/2.6/configuration.html#7.3.4"
	refRuntime     = "mtlslint runtime notes: measured against HAProxy 2.6.12, gunicorn 20.1 and Django 3.2"
)

func tree(p *rules.Pass) *hap.Config {
	c, _ := p.Tree.(*hap.Config)
	if c != nil && c.Released() {
		// The engine released it after its last reader: reading it
		// again would find it empty and report nothing.
		panic("the HAProxy configuration " + c.Root().Path + " was read after its release")
	}
	return c
}

var kinds = []string{parsers.KindHAProxy}

// lineKey is the key of a finding about one line, by what the line is,
// and an aspect of it.
func lineKey(what string, l *hap.Line, aspect string) rules.Key {
	return rules.ConfigLineKey(what, l.File.Path, l.Num(), aspect)
}

// lineID names a line for a rule's own bookkeeping (reported once).
func lineID(l *hap.Line) string { return fmt.Sprintf("%s:%d", l.File.Path, l.Num()) }

// priorOverwrite reports whether, before rule index i of the chain, an
// unconditional del-header or set-header removed the client's copy of h.
func priorOverwrite(chain []*hap.HTTPRule, i int, h string) bool {
	for _, r := range chain[:i] {
		if !unconditional(r) {
			continue
		}
		if r.Action == "del-header" && deleteCovers(r, h) {
			return true
		}
		if r.Action == "set-header" && names(r, h) {
			return true
		}
	}
	return false
}

// httpRoutes returns the routes of HTTP-mode frontends.
func httpRoutes(p *rules.Pass) []*routeInfo {
	var out []*routeInfo
	for _, ri := range routeInfos(p) {
		// A route no request takes (every plain request redirected, say)
		// carries no finding about what reaches the app through it.
		if ri.Mode == "http" && len(ri.Classes) > 0 {
			out = append(out, ri)
		}
	}
	return out
}

// clientCopyOn returns the first class of a route on which the client's
// own copy of header h reaches the upstream, after the rules' conditions.
func clientCopyOn(ri *routeInfo, h string) (rules.RequestClass, bool) {
	for _, c := range ri.Classes {
		d, _ := ri.Emit(c, strings.ToLower(h))
		for _, v := range d.Values {
			if hasClientCopy(v) {
				return c, true
			}
		}
	}
	return rules.RequestClass{}, false
}

// hasClientCopy reports whether a value is, or contains, a copy of the
// header the client sent.
func hasClientCopy(v rules.Value) bool {
	switch v.Kind {
	case rules.ValueClient:
		return !v.FromCert
	case rules.ValueJoined:
		for _, p := range v.Parts {
			if hasClientCopy(p) {
				return true
			}
		}
	}
	return false
}

// once remembers reported lines.
type once map[string]bool

func (o once) first(k string) bool {
	if o[k] {
		return false
	}
	o[k] = true
	return true
}

// AddHeader: H001.
var AddHeader = &rules.Rule{
	Code: "H001", Name: "add-header-keeps-client-copy", Severity: rules.Critical,
	CWE: []string{"CWE-290", "CWE-348"}, Scope: rules.ScopeTree, Kinds: kinds, Requires: requiresRoutes,
	Summary: "http-request add-header of an identity or scheme header keeps the client's own copy of it.",
	Doc: rules.Doc{
		What:       "Reports `http-request add-header` of a header that apps trust (X-SSL-Client-*, X-Client-Verify, X-Forwarded-Proto, Remote-User, ...) when no earlier unconditional `del-header` or `set-header` of the same header removed what the client sent.",
		Why:        "add-header appends: a client that sends `X-SSL-Client-Verify: SUCCESS` itself gets both copies to the app, its own first. A WSGI server joins them as `SUCCESS,0`; code that reads the first value, or Django ≥ 4.1 where it takes the leftmost value, trusts the client's.",
		Example:    "frontend fe\n    bind :443 ssl crt site.pem ca-file ca.pem verify required\n    http-request add-header X-SSL-Client-DN %[ssl_c_s_dn]",
		Fix:        "Use `http-request set-header`, which removes every copy first:\n\n    http-request set-header X-SSL-Client-DN %[ssl_c_s_dn]",
		References: []string{refHTTPRequest, refRuntime + ": add-header delivered `SUCCESS,0` with the client's value first"},
	},
	Check: checkAddHeader,
}

func checkAddHeader(p *rules.Pass) {
	seen := once{}
	for _, ri := range httpRoutes(p) {
		for i, r := range ri.Chain {
			if r.Action != "add-header" || r.Header == nil || r.Header.Symbolic() || !rules.IsTrustedHeader(r.Header.Value()) {
				continue
			}
			h := r.Header.Value()
			if priorOverwrite(ri.Chain, i, h) || !seen.first(lineID(r.Line)) {
				continue
			}
			action := r.Line.Args()[1]
			p.Report(rules.Diagnostic{
				Range:    r.Line.Range(),
				Message:  fmt.Sprintf("add-header keeps the client's own %s, which reaches the app first", rules.Clip(h, 40)),
				FixTitle: fmt.Sprintf("Replace `add-header %s` with `set-header %s`.", h, h),
				Key:      rules.RouteHeaderKey(ri.ID, h),
				Fixes: []rules.Fix{{Description: "use set-header, which removes the client's copy", Safe: true,
					Edits: []rules.Edit{{Range: action.Range(), NewText: "set-header"}}}},
			})
		}
	}
}

// ConditionalIdentity: H002.
var ConditionalIdentity = &rules.Rule{
	Code: "H002", Name: "identity-header-set-conditionally", Severity: rules.Critical,
	CWE: []string{"CWE-290"}, Scope: rules.ScopeTree, Kinds: kinds, Requires: requiresRoutes,
	Summary: "An identity header is set only under a condition, and the client's copy passes when the condition is false.",
	Doc: rules.Doc{
		What:       "Reports `http-request set-header` of an identity header (X-SSL-Client-*, X-Client-Verify, Remote-User, ...) that carries `if`/`unless` (or sits in a `.if` block) when no earlier unconditional `del-header` or `set-header` of the header removed the client's copy.",
		Why:        "set-header replaces the header only when it runs. When the condition is false (no client certificate, a plain-HTTP connection), HAProxy forwards whatever the client sent, so a client without a certificate sends `X-SSL-Client-Verify: SUCCESS` and `X-SSL-Client-DN: CN=admin` itself.",
		Example:    "    http-request set-header X-SSL-Client-Verify SUCCESS if { ssl_c_used } { ssl_c_verify 0 }",
		Fix:        "Remove the client's copy unconditionally first, then set it under the condition:\n\n    http-request set-header X-SSL-Client-Verify NONE\n    http-request set-header X-SSL-Client-Verify SUCCESS if { ssl_c_used } { ssl_c_verify 0 }\n\nor `http-request del-header ^x[-_]ssl[-_] -m reg` before the conditional rules.",
		References: []string{refHTTPRequest, "openshift/router#805 (spoofable X-SSL-* headers on plain-HTTP frontends)", refRuntime + ": a conditional-only set let dash and underscore spoofs through"},
	},
	Check: checkConditionalIdentity,
}

func checkConditionalIdentity(p *rules.Pass) {
	seen := once{}
	for _, ri := range httpRoutes(p) {
		for i, r := range ri.Chain {
			if r.Action != "set-header" || unconditional(r) || r.Header == nil || r.Header.Symbolic() || !rules.IsIdentityHeader(r.Header.Value()) {
				continue
			}
			h := r.Header.Value()
			if priorOverwrite(ri.Chain, i, h) {
				continue
			}
			if t := treatment(ri.Chain, h); t.Action.Overwrites() {
				continue // a later unconditional set replaces it anyway
			}
			class, ok := clientCopyOn(ri, h)
			if !ok {
				continue // the condition holds for every request the route takes
			}
			if !seen.first(lineID(r.Line)) {
				continue
			}
			indent := leadingSpace(r.Line)
			del := "http-request del-header " + underscorePattern(h) + " -m reg"
			// The delete must hold in every build: inside a .if block it
			// would be as conditional as the set, so it goes before the
			// outermost block.
			at := unconditionalLine(r.Line)
			p.Report(rules.Diagnostic{
				Range:    r.Line.Range(),
				Message:  fmt.Sprintf("%s is set only under a condition: otherwise the client's own value reaches the app", rules.Clip(h, 35)),
				Detail:   fmt.Sprintf("It is set only %s, and nothing removes the client's copy before: on %s the client's own copy reaches the app.", condText(r), class),
				FixTitle: fmt.Sprintf("Add `%s` before this line.", del),
				Key:      rules.RouteHeaderKey(ri.ID, h),
				Fixes: []rules.Fix{{Description: "delete the client's copy (both spellings) unconditionally before the conditional set", Safe: false,
					Edits: []rules.Edit{{Range: r.Line.File.Range(r.Line.File.LineStart(at), r.Line.File.LineStart(at)),
						NewText: indent + del + "\n"}}}},
			})
		}
	}
}

// unconditionalLine returns the number of the line before which an
// insertion holds in every build: the line itself, or the ".if" that opens
// the outermost conditional block around it.
func unconditionalLine(l *hap.Line) int {
	if len(l.Cond()) == 0 {
		return l.Num()
	}
	d := l.Cond()[0].Directive
	if d.Keyword() == ".if" {
		return d.Num()
	}
	// An .elif/.else branch: walk back to the .if at the same depth.
	depth := 0
	for n := d.Num() - 1; n >= 1; n-- {
		switch word := firstWord(d.File.Line(n)); word {
		case ".endif":
			depth++
		case ".if":
			if depth == 0 {
				return n
			}
			depth--
		}
	}
	return d.Num()
}

func firstWord(line []byte) string {
	f := strings.Fields(string(line))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

func leadingSpace(l *hap.Line) string {
	text := l.File.Line(l.Num())
	n := 0
	for n < len(text) && (text[n] == ' ' || text[n] == '\t') {
		n++
	}
	return string(text[:n])
}

// VerifyOptionalZero: H003.
var VerifyOptionalZero = &rules.Rule{
	Code: "H003", Name: "ssl-c-verify-zero-without-certificate", Severity: rules.Critical,
	CWE: []string{"CWE-287", "CWE-697"}, Scope: rules.ScopeTree, Kinds: kinds, Requires: requiresRoutes,
	Summary: "With verify optional, %[ssl_c_verify] is 0 when no certificate was sent, and it is forwarded without ssl_c_used.",
	Doc: rules.Doc{
		What:       "Reports a header set from `%[ssl_c_verify]` on a route whose bind has `verify optional`, when neither the value, the rule's condition nor a deny rule involves `ssl_c_used`.",
		Why:        "ssl_c_verify is OpenSSL's verify result, and that is 0 (X509_V_OK) when the client sent no certificate at all. An app that accepts `== \"0\"` admits every anonymous client.",
		Example:    "    bind :443 ssl crt site.pem ca-file ca.pem verify optional\n    http-request set-header X-SSL-Client-Verify %[ssl_c_verify]",
		Fix:        "Set the header only for a verified certificate, and forward whether one was used:\n\n    http-request set-header X-SSL-Client-Used %[ssl_c_used]\n    http-request set-header X-SSL-Client-Verify %[ssl_c_verify] if { ssl_c_used }\n\nor refuse anonymous clients: `http-request deny unless { ssl_c_used } { ssl_c_verify 0 }`, or `verify required`.",
		References: []string{refSSLCVerify, "OpenSSL SSL_get_verify_result(3): X509_V_OK is returned when no peer certificate was presented", refRuntime + ": Django saw 0 for a valid certificate and for none"},
	},
	Check: checkVerifyOptionalZero,
}

func checkVerifyOptionalZero(p *rules.Pass) {
	seen := once{}
	for _, ri := range httpRoutes(p) {
		if ri.Listener.Verify != rules.VerifyOptional || !takesNoCert(ri) || forwardsCertUsed(ri) {
			// No request without a certificate takes the route, or the
			// route tells the app whether one was presented: what the
			// app makes of it is the cross-file rules' to judge.
			continue
		}
		for _, r := range ri.Chain {
			if (r.Action != "set-header" && r.Action != "add-header") || r.Value == nil || r.Header == nil {
				continue
			}
			if !strings.Contains(r.Value.Value(), "ssl_c_verify") || strings.Contains(r.Value.Value(), "ssl_c_used") {
				continue
			}
			if r.Cond != nil && strings.Contains(r.Cond.Text(), "ssl_c_used") {
				continue
			}
			if !seen.first(lineID(r.Line)) {
				continue
			}
			p.Report(rules.Diagnostic{
				Range:    r.Value.Range(),
				Message:  "with verify optional, %[ssl_c_verify] is 0 also when the client sent no certificate",
				Detail:   fmt.Sprintf("%s carries it, so it says \"verified\" for clients without a certificate.", r.Header.Value()),
				FixTitle: fmt.Sprintf("Set %s only `if { ssl_c_used }` (and forward %%[ssl_c_used]).", r.Header.Value()),
				Key:      rules.RouteHeaderKey(ri.ID, r.Header.Value()),
				Related:  []source.Related{{Range: ri.Listener.VerifyRange, Message: "verify optional"}},
			})
		}
	}
}

// takesNoCert reports whether a TLS request without a client certificate
// takes the route.
func takesNoCert(ri *routeInfo) bool {
	for _, c := range ri.Classes {
		if c.Transport == rules.TransportTLS && c.Cert == rules.CertNone {
			return true
		}
	}
	return false
}

// forwardsCertUsed reports whether the route sends the app whether a
// client certificate was presented (%[ssl_c_used] in some header).
func forwardsCertUsed(ri *routeInfo) bool {
	for _, t := range ri.Headers {
		if t.Fact == rules.FactCertUsed && t.Action == rules.SetTLS {
			return true
		}
	}
	return false
}

// trustBreaking are OpenSSL verify errors whose tolerance accepts
// certificates from anyone: by number and by name.
var trustBreaking = map[string]bool{
	"2": true, "4": true, "7": true, "18": true, "19": true, "20": true, "21": true, "27": true, "28": true,
	"X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT": true, "X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE": true,
	"X509_V_ERR_CERT_SIGNATURE_FAILURE": true, "X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT": true,
	"X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN": true, "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY": true,
	"X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE": true, "X509_V_ERR_CERT_UNTRUSTED": true, "X509_V_ERR_CERT_REJECTED": true,
}

// IgnoreErr: H004.
var IgnoreErr = &rules.Rule{
	Code: "H004", Name: "ignore-err-breaks-trust", Severity: rules.Critical,
	CWE: []string{"CWE-295"}, Scope: rules.ScopeTree, Kinds: kinds,
	Summary: "ca-ignore-err/crt-ignore-err accepts certificates that do not chain to the CA.",
	Doc: rules.Doc{
		What:       "Reports `ca-ignore-err all`, `crt-ignore-err all`, and ignore lists containing errors that mean the certificate is not trusted: self-signed (18, 19), unable to get the issuer (2, 20), unable to verify the leaf signature (21), signature failure (4, 7), untrusted or rejected (27, 28).",
		Why:        "A presented certificate is checked against ca-file; ignoring these errors lets any self-made certificate through, and the subject DN an app reads from `%[ssl_c_s_dn]` is then whatever the attacker wrote into it.",
		Example:    "    bind :443 ssl crt site.pem ca-file ca.pem verify required ca-ignore-err all",
		Fix:        "Remove the option (or keep only errors that do not concern trust, such as an expired CRL), and gate on `ssl_c_verify 0` where verification is optional.",
		References: []string{refBind, "OpenSSL verify(1) error codes"},
	},
	Check: checkIgnoreErr,
}

func checkIgnoreErr(p *rules.Pass) {
	c := tree(p)
	for _, fe := range c.Frontends() {
		for _, b := range fe.Binds {
			if _, ok := verifies(b); !ok {
				continue // no client certificate is requested
			}
			for _, opt := range []string{"ca-ignore-err", "crt-ignore-err"} {
				w, ok := b.Opt(opt)
				if !ok || w.Symbolic() {
					continue
				}
				var bad []string
				for _, e := range strings.Split(w.Value(), ",") {
					e = strings.TrimSpace(e)
					if strings.EqualFold(e, "all") || trustBreaking[strings.ToUpper(e)] {
						bad = append(bad, e)
					}
				}
				if len(bad) == 0 {
					continue
				}
				kw := b.OptionWords[opt]
				p.Report(rules.Diagnostic{
					Range:    b.Line.File.Range(kw.Start(), w.End()),
					Message:  fmt.Sprintf("%s %s accepts client certificates that do not chain to the CA", opt, rules.Clip(w.Value(), 30)),
					Detail:   fmt.Sprintf("Ignoring errors %s accepts certificates that do not chain to the CA, with attacker-chosen subjects.", strings.Join(bad, ",")),
					FixTitle: fmt.Sprintf("Remove `%s %s`.", opt, w.Value()),
					Key:      lineKey("bind", b.Line, opt),
				})
			}
		}
	}
}

// verifies reports whether a bind verifies client certificates.
func verifies(b *hap.Bind) (hap.Word, bool) {
	w, ok := b.Opt("verify")
	if !ok || !b.SSL() {
		return w, false
	}
	v := w.Lower()
	return w, v == "optional" || v == "required" || w.Symbolic()
}

var systemBundles = []string{"@system-ca", "ca-certificates.crt", "ca-bundle.crt", "ca-bundle.trust.crt", "tls-ca-bundle.pem", "/etc/ssl/cert.pem", "certifi/cacert.pem"}

// SystemCA: H005.
var SystemCA = &rules.Rule{
	Code: "H005", Name: "client-ca-is-system-bundle", Severity: rules.High,
	CWE: []string{"CWE-295"}, Scope: rules.ScopeTree, Kinds: kinds,
	Summary: "Client certificates are verified against the operating system's public CA bundle.",
	Doc: rules.Doc{
		What:       "Reports a bind that verifies client certificates with `ca-file @system-ca` or an operating-system bundle (ca-certificates.crt, ca-bundle.crt, cert.pem, certifi).",
		Why:        "Every publicly trusted CA can then issue a client certificate that verifies: anyone can obtain one for a domain they control, and ssl_c_verify reads 0. HAProxy's manual calls @system-ca for client verification extremely insecure.",
		Example:    "    bind :443 ssl crt site.pem ca-file @system-ca verify required",
		Fix:        "Use a private CA that issues only your clients' certificates, and also check the issuer (`ssl_c_i_dn`).",
		References: []string{refBind + " (ca-file @system-ca)"},
	},
	Check: checkSystemCA,
}

func checkSystemCA(p *rules.Pass) {
	c := tree(p)
	for _, fe := range c.Frontends() {
		for _, b := range fe.Binds {
			if _, ok := verifies(b); !ok {
				continue
			}
			ca, ok := b.Opt("ca-file")
			if !ok || ca.Symbolic() {
				continue
			}
			for _, s := range systemBundles {
				if ca.Value() == s || strings.HasSuffix(ca.Value(), "/"+strings.TrimPrefix(s, "/")) {
					p.Report(rules.Diagnostic{
						Range:    ca.Range(),
						Message:  "ca-file is a public CA bundle: every public CA can issue a client certificate that verifies",
						Detail:   fmt.Sprintf("ca-file %s is the operating system's bundle of public CAs.", ca.Value()),
						FixTitle: "Replace it with the private CA that issues your client certificates.",
						Key:      lineKey("bind", b.Line, "ca-file"),
					})
					break
				}
			}
		}
	}
}

// NoCRL: H006.
var NoCRL = &rules.Rule{
	Code: "H006", Name: "client-verify-without-crl", Severity: rules.Low,
	CWE: []string{"CWE-299"}, Scope: rules.ScopeTree, Kinds: kinds,
	Summary: "Client certificates are verified without a revocation list.",
	Doc: rules.Doc{
		What:       "Reports a bind with `verify optional` or `verify required` and no `crl-file`.",
		Why:        "A revoked client certificate (a lost laptop, a departed employee) keeps verifying until it expires.",
		Example:    "    bind :443 ssl crt site.pem ca-file ca.pem verify required",
		Fix:        "Add `crl-file /etc/haproxy/client-ca.crl` (one file with the CRLs of the whole chain) and keep it current.",
		References: []string{refBind + " (crl-file)"},
	},
	Check: checkNoCRL,
}

func checkNoCRL(p *rules.Pass) {
	c := tree(p)
	for _, fe := range c.Frontends() {
		for _, b := range fe.Binds {
			w, ok := verifies(b)
			if !ok || b.Has("crl-file") {
				continue
			}
			kw := b.OptionWords["verify"]
			p.Report(rules.Diagnostic{
				Range:    b.Line.File.Range(kw.Start(), w.End()),
				Message:  "this bind verifies client certificates without a crl-file",
				Detail:   "Revoked client certificates are accepted until they expire.",
				FixTitle: "Add `crl-file` to this bind.",
				Key:      lineKey("bind", b.Line, "crl-file"),
			})
		}
	}
}

// ModeTCP: H007.
var ModeTCP = &rules.Rule{
	Code: "H007", Name: "client-verify-in-tcp-mode", Severity: rules.Critical,
	CWE: []string{"CWE-290"}, Scope: rules.ScopeTree, Kinds: kinds,
	Summary: "A bind verifies client certificates in a TCP-mode proxy that is meant to pass identity headers, which tcp mode never processes.",
	Doc: rules.Doc{
		What:       "Reports a frontend or listen section whose effective `mode` is tcp (HAProxy's default when neither the section nor its defaults set `mode http`) with a bind that verifies client certificates, while the section or a backend it reaches has http-request rules for identity or scheme headers.",
		Why:        "In tcp mode HAProxy does no HTTP processing: http-request rules do not run, so the identity headers are never set and every header the client sends, `X-SSL-Client-Verify: SUCCESS` included, reaches the app unchanged.",
		Example:    "frontend fe\n    bind :443 ssl crt site.pem ca-file ca.pem verify optional\n    http-request set-header X-SSL-Client-Verify %[ssl_c_verify]\n    default_backend app",
		Fix:        "Add `mode http` to the section (or its defaults).",
		References: []string{"HAProxy configuration manual, \"mode\": https://docs.haproxy.org/2.6/configuration.html#4.2-mode"},
	},
	Check: checkModeTCP,
}

func checkModeTCP(p *rules.Pass) {
	c := tree(p)
	for _, fe := range c.Frontends() {
		mode, modeLine := fe.Mode()
		if mode != "tcp" {
			continue
		}
		var verifyBind *hap.Bind
		for _, b := range fe.Binds {
			if _, ok := verifies(b); ok {
				verifyBind = b
				break
			}
		}
		if verifyBind == nil {
			continue
		}
		hint := headerRule(fe.AllHTTPRequest())
		if hint == nil {
			for _, u := range append(append([]*hap.UseBackend(nil), fe.UseBackends...), fe.DefaultBackend) {
				if u == nil {
					continue
				}
				if be := c.Backend(u.Backend); be != nil && be != fe {
					if hint = headerRule(be.AllHTTPRequest()); hint != nil {
						break
					}
				}
			}
		}
		if hint == nil {
			continue
		}
		d := rules.Diagnostic{
			Range:    fe.Section.Header.Range(),
			Message:  fmt.Sprintf("in tcp mode http-request rules never run, so the client's own %s reaches the app", rules.Clip(hint.Header.Value(), 30)),
			Detail:   fmt.Sprintf("%s %s verifies client certificates and sets headers with http-request rules, which tcp mode skips.", fe.Kind, fe.Name),
			FixTitle: fmt.Sprintf("Add `mode http` to %s %s.", fe.Kind, fe.Name),
			Key:      lineKey("proxy", fe.Section.Header, "mode"),
			Related:  []source.Related{{Range: hint.Line.Range(), Message: "this rule does not run in tcp mode"}, {Range: verifyBind.Line.Range(), Message: "client certificates are verified here"}},
		}
		if modeLine != nil && modeLine.Section == fe.Section {
			d.Range = modeLine.Range()
			d.Fixes = []rules.Fix{{Description: "switch the section to mode http", Safe: false,
				Edits: []rules.Edit{{Range: modeLine.Args()[1].Range(), NewText: "http"}}}}
		}
		p.Report(d)
	}
}

// headerRule returns the first rule that sets or adds a trusted header.
func headerRule(chain []*hap.HTTPRule) *hap.HTTPRule {
	for _, r := range chain {
		if (r.Action == "set-header" || r.Action == "add-header") && r.Header != nil && rules.IsTrustedHeader(r.Header.Value()) {
			return r
		}
	}
	return nil
}

// SchemeSSLFC: H008.
var SchemeSSLFC = &rules.Rule{
	Code: "H008", Name: "scheme-header-set-conditionally", Severity: rules.High,
	CWE: []string{"CWE-348"}, Scope: rules.ScopeTree, Kinds: kinds, Requires: requiresRoutes,
	Summary: "X-Forwarded-Proto (or another scheme header) is set only if { ssl_fc }, so plain-HTTP clients choose its value.",
	Doc: rules.Doc{
		What:       "Reports a scheme header (X-Forwarded-Proto, X-Forwarded-Ssl, X-Forwarded-Host, ...) set only under a condition without an earlier unconditional delete or set, when some request the route takes gets the client's copy: the route's request classes follow the frontend's terminal actions (a redirect of every plain request before routing leaves the :80 route with none) and use_backend, and the finding names the class.",
		Why:        "On the plain-HTTP bind `{ ssl_fc }` is false, the rule does not run, and the client's own `X-Forwarded-Proto: https` reaches the app, which then believes the request was secure (Django's is_secure(), gunicorn's url_scheme, secure cookies, redirects).",
		Example:    "frontend fe\n    bind :80\n    bind :443 ssl crt site.pem\n    http-request set-header X-Forwarded-Proto https if { ssl_fc }",
		Fix:        "Set the header on both branches, or unconditionally:\n\n    http-request set-header X-Forwarded-Proto https if { ssl_fc }\n    http-request set-header X-Forwarded-Proto http unless { ssl_fc }",
		References: []string{refHTTPRequest + " (the ssl_fc example)", "Django SECURE_PROXY_SSL_HEADER: https://docs.djangoproject.com/en/stable/ref/settings/#secure-proxy-ssl-header"},
	},
	Check: checkSchemeSSLFC,
}

func checkSchemeSSLFC(p *rules.Pass) {
	seen := once{}
	for _, ri := range httpRoutes(p) {
		for i, r := range ri.Chain {
			if r.Action != "set-header" || unconditional(r) || r.Header == nil || r.Header.Symbolic() || !rules.IsSchemeHeader(r.Header.Value()) {
				continue
			}
			h := r.Header.Value()
			if priorOverwrite(ri.Chain, i, h) || treatment(ri.Chain, h).Action.Overwrites() || bothSSLBranches(ri.Chain, h) {
				continue
			}
			class, ok := clientCopyOn(ri, h)
			if !ok {
				continue // every request the route takes gets the proxy's value
			}
			if !seen.first(lineID(r.Line)) {
				continue
			}
			p.Report(rules.Diagnostic{Range: r.Line.Range(), Key: rules.RouteHeaderKey(ri.ID, h),
				Message:  fmt.Sprintf("%s is set only under a condition: on a plain-HTTP bind the client's own value reaches the app", rules.Clip(h, 25)),
				Detail:   fmt.Sprintf("It is set only %s, so on bind %s the client's own value reaches the app (%s).", condText(r), strings.Join(ri.Bind.Addresses, ","), class),
				FixTitle: fmt.Sprintf("Set %s on every request (or delete it unconditionally first).", h),
				Related:  []source.Related{{Range: ri.Bind.Line.Range(), Message: "plain-HTTP bind"}}})
		}
	}
}

// bothSSLBranches reports whether h is set both if ssl_fc and unless
// ssl_fc (or if !ssl_fc).
func bothSSLBranches(chain []*hap.HTTPRule, h string) bool {
	pos, neg := false, false
	for _, r := range chain {
		if r.Action != "set-header" || !names(r, h) || r.Cond == nil || r.Line.Conditional() {
			continue
		}
		t := strings.ReplaceAll(r.Cond.Text(), " ", "")
		negated := strings.HasPrefix(t, "!")
		if r.Cond.Kind == "unless" {
			negated = !negated
		}
		if strings.Contains(t, "ssl_fc") {
			if negated {
				neg = true
			} else {
				pos = true
			}
		}
	}
	return pos && neg
}

// ForwardforIfNone: H009.
var ForwardforIfNone = &rules.Rule{
	Code: "H009", Name: "forwardfor-if-none", Severity: rules.Medium,
	CWE: []string{"CWE-348"}, Scope: rules.ScopeTree, Kinds: kinds,
	Summary: "option forwardfor if-none keeps the X-Forwarded-For the client sent.",
	Doc: rules.Doc{
		What:       "Reports `option forwardfor ... if-none`.",
		Why:        "With if-none HAProxy adds its own X-Forwarded-For only when the request has none, so a client picks the address the app logs, rate-limits or authorises by.",
		Example:    "defaults\n    option forwardfor if-none",
		Fix:        "Drop `if-none`, and have the app use the last X-Forwarded-For value (the one HAProxy adds), or only trust it from HAProxy's address.",
		References: []string{"HAProxy configuration manual, \"option forwardfor\": https://docs.haproxy.org/2.6/configuration.html#4.2-option%20forwardfor"},
	},
	Check: checkForwardforIfNone,
}

func checkForwardforIfNone(p *rules.Pass) {
	c := tree(p)
	for _, px := range c.Proxies {
		for _, l := range px.Lines("option") {
			if l.Mod() != "" || l.Arg(1) != "forwardfor" {
				continue
			}
			for k := 2; k < len(l.Args()); k++ {
				if l.Args()[k].Value() == "if-none" {
					p.Report(rules.Diagnostic{
						Range:    l.Args()[k].Range(),
						Message:  "with `if-none` HAProxy keeps the X-Forwarded-For the client sent",
						Detail:   "HAProxy then does not add the client's real address.",
						FixTitle: "Remove `if-none`.",
						Key:      lineKey("line", l, ""),
					})
				}
			}
		}
	}
}

// DelHeaderUnderscore: H010.
var DelHeaderUnderscore = &rules.Rule{
	Code: "H010", Name: "del-header-misses-underscore-spelling", Severity: rules.High,
	CWE: []string{"CWE-436", "CWE-290"}, Scope: rules.ScopeTree, Kinds: kinds, Requires: requiresRoutes,
	Summary: "del-header removes an identity header by its exact name only; the underscore spelling still reaches the app.",
	Doc: rules.Doc{
		What:       "Reports `http-request del-header <identity header>` (exact-name match) on a route where no pattern delete covers the same name spelled with underscores, and no later unconditional set-header replaces the header.",
		Why:        "HAProxy forwards header names with underscores. gunicorn before 22.0, uWSGI's HTTP router and ASGI servers map `X_SSL_Client_Verify` to the same HTTP_X_SSL_CLIENT_VERIFY as `X-SSL-Client-Verify`, so the client's underscore copy arrives whenever HAProxy does not set the header itself.",
		Example:    "    http-request del-header X-SSL-Client-Verify\n    http-request set-header X-SSL-Client-Verify SUCCESS if { ssl_c_used } { ssl_c_verify 0 }",
		Fix:        "Delete both spellings with a regular expression:\n\n    http-request del-header ^x[-_]ssl[-_]client[-_]verify$ -m reg\n\n(or `^x[-_]ssl[-_] -m reg` for the whole family), or run gunicorn ≥ 22 (header_map drop).",
		References: []string{refHTTPRequest + " (del-header -m)", "gunicorn 22.0.0 header_map (CVE-2024-1135 follow-up)", refRuntime + ": exact-name del-header let the underscore spoof through under gunicorn 20.1"},
	},
	Check: checkDelHeaderUnderscore,
}

func checkDelHeaderUnderscore(p *rules.Pass) {
	seen := once{}
	for _, ri := range httpRoutes(p) {
		for i, r := range ri.Chain {
			if r.Action != "del-header" || r.Match != "str" || !unconditional(r) || r.Header == nil || r.Header.Symbolic() {
				continue
			}
			h := strings.ToLower(r.Header.Value())
			if !rules.IsTrustedHeader(h) || !strings.Contains(h, "-") || underscoreDeleted(ri.Chain, h) {
				continue
			}
			if laterUnconditionalSet(ri.Chain[i+1:], h) || !seen.first(lineID(r.Line)) {
				continue
			}
			pattern := underscorePattern(h)
			p.Report(rules.Diagnostic{
				Range:    r.Line.Range(),
				Message:  fmt.Sprintf("deleting %s by its exact name leaves the client's %s", rules.Clip(r.Header.Value(), 35), rules.Clip(strings.ReplaceAll(r.Header.Value(), "-", "_"), 35)),
				Detail:   fmt.Sprintf("gunicorn < 22, uWSGI and ASGI servers read %s as %s.", strings.ReplaceAll(r.Header.Value(), "-", "_"), r.Header.Value()),
				FixTitle: fmt.Sprintf("Delete %s with `del-header %s -m reg`.", r.Header.Value(), pattern),
				Key:      rules.RouteHeaderKey(ri.ID, h),
				Fixes: []rules.Fix{{Description: "delete both spellings with a regular expression", Safe: true,
					Edits: []rules.Edit{{Range: r.Header.Range(), NewText: pattern + " -m reg"}}}},
			})
		}
	}
}

// underscorePattern is a del-header -m reg pattern matching h spelled
// with dashes or underscores.
func underscorePattern(h string) string {
	return "^" + strings.ReplaceAll(regexpQuote(strings.ToLower(h)), "-", "[-_]") + "$"
}

func regexpQuote(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func laterUnconditionalSet(chain []*hap.HTTPRule, h string) bool {
	for _, r := range chain {
		if r.Action == "set-header" && unconditional(r) && names(r, h) {
			return true
		}
	}
	return false
}

// FrontendGap: H011.
var FrontendGap = &rules.Rule{
	Code: "H011", Name: "header-missing-on-other-frontend", Severity: rules.Critical,
	CWE: []string{"CWE-290"}, Scope: rules.ScopeTree, Kinds: kinds, Requires: requiresRoutes,
	Summary: "A backend is reached from one frontend that overwrites an identity header and from another that passes the client's copy.",
	Doc: rules.Doc{
		What:       "Reports a route (frontend/listen × bind × backend) in HTTP mode that never sets, replaces or deletes a trusted header which another route to the same backend sets.",
		Why:        "The app cannot tell which frontend a request came through. A client that connects to the frontend that forgets the header (typically a plain-HTTP one) sends `X-SSL-Client-Verify: SUCCESS` or `X-SSL-Client-DN: CN=admin` itself and is believed.",
		Example:    "frontend https\n    bind :443 ssl crt site.pem ca-file ca.pem verify required\n    http-request set-header X-SSL-Client-DN %[ssl_c_s_dn]\n    default_backend app\nfrontend http\n    bind :80\n    default_backend app",
		Fix:        "Delete (or set) the header in every frontend that reaches the backend, or delete it in the backend itself:\n\n    backend app\n        http-request del-header ^x[-_]ssl[-_] -m reg   # then set it in the TLS frontend only",
		References: []string{"openshift/router#805, CVE-2026-46579 (plain-HTTP frontends passing X-SSL-*)", refHTTPRequest},
	},
	Check: checkFrontendGap,
}

func checkFrontendGap(p *rules.Pass) {
	routes := httpRoutes(p)
	// The routes of one frontend to one backend pass the same rules and
	// treat headers alike: the first of them stands for the others, on
	// either side of the comparison.
	type pair struct{ fe, be *hap.Proxy }
	first := map[pair]bool{}
	var reps []*routeInfo
	for _, ri := range routes {
		if k := (pair{ri.Frontend, ri.Backend}); ri.Backend != nil && !first[k] {
			first[k] = true
			reps = append(reps, ri)
		}
	}
	// What each route sets of the trusted headers, found once per route.
	type setHeader struct {
		h string
		t rules.HeaderTreatment
	}
	sets := map[*routeInfo][]setHeader{}
	byBackend := map[*hap.Proxy][]*routeInfo{}
	for _, ri := range reps {
		byBackend[ri.Backend] = append(byBackend[ri.Backend], ri)
		for h, t := range ri.Headers {
			if rules.IsTrustedHeader(h) && t.Action.Overwrites() && t.Action != rules.Blanked {
				sets[ri] = append(sets[ri], setHeader{h, t})
			}
		}
	}
	seen := once{}
	for _, ri := range reps {
		for _, other := range byBackend[ri.Backend] {
			if other.Frontend == ri.Frontend {
				continue
			}
			for _, s := range sets[other] {
				h, t := s.h, s.t
				if mine, ok := ri.Headers[h]; ok && mine.Action != rules.Passthrough {
					continue // another rule reports it
				}
				if !seen.first(ri.Frontend.Name + "|" + h + "|" + ri.Backend.Name) {
					continue
				}
				p.Report(rules.Diagnostic{
					Range:    ri.Frontend.Section.Header.Range(),
					Message:  fmt.Sprintf("%s is not set here, but another frontend sets it for backend %s", rules.Clip(t.Name, 35), rules.Clip(ri.Backend.Name, 30)),
					Detail:   fmt.Sprintf("%s %s reaches backend %s, where %s %s sets this header, so the client's own %s arrives through here.", ri.Frontend.Kind, ri.Frontend.Name, ri.Backend.Name, other.Frontend.Kind, other.Frontend.Name, t.Name),
					FixTitle: fmt.Sprintf("Set or delete %s in %s %s as well.", t.Name, ri.Frontend.Kind, ri.Frontend.Name),
					Key:      rules.RouteHeaderKey(ri.ID, h),
					Related:  []source.Related{{Range: t.Range, Message: "set here on the other route"}},
				})
			}
		}
	}
}

var legacyKeywords = map[string]string{
	"reqadd": "http-request add-header", "reqdel": "http-request del-header", "reqidel": "http-request del-header",
	"reqrep": "http-request replace-header", "reqirep": "http-request replace-header",
	"reqallow": "http-request allow", "reqiallow": "http-request allow", "reqdeny": "http-request deny",
	"reqideny": "http-request deny", "reqpass": "http-request allow", "reqipass": "http-request allow",
	"reqtarpit": "http-request tarpit", "reqitarpit": "http-request tarpit", "reqsetbe": "use_backend",
	"reqisetbe": "use_backend", "rspadd": "http-response add-header", "rspdel": "http-response del-header",
	"rspidel": "http-response del-header", "rsprep": "http-response replace-header",
	"rspirep": "http-response replace-header", "rspdeny": "http-response deny", "rspideny": "http-response deny",
	"block": "http-request deny",
}

// Legacy: H012.
var Legacy = &rules.Rule{
	Code: "H012", Name: "legacy-req-rsp-keyword", Severity: rules.Medium,
	CWE: []string{"CWE-1104"}, Scope: rules.ScopeTree, Kinds: kinds,
	Summary: "req*/rsp* keywords were removed in HAProxy 2.1; the configuration no longer loads.",
	Doc: rules.Doc{
		What:       "Reports reqadd, reqdel, reqrep, reqsetbe, rspadd, rspdel and the other req*/rsp* keywords, and `block`.",
		Why:        "HAProxy 2.1 and later refuse them with a fatal error. A configuration that still uses them is either not deployed as written or runs an unsupported HAProxy; `reqadd` also appended headers like add-header does.",
		Example:    "    reqadd X-Forwarded-Proto:\\ https",
		Fix:        "Use the http-request / http-response equivalents, e.g. `http-request set-header X-Forwarded-Proto https`.",
		References: []string{"HAProxy 2.1 release notes: removal of the req*/rsp* keywords"},
	},
	Check: checkLegacy,
}

func checkLegacy(p *rules.Pass) {
	c := tree(p)
	for _, s := range c.Sections {
		if s.Kind != "frontend" && s.Kind != "backend" && s.Kind != "listen" && s.Kind != "defaults" {
			continue
		}
		for _, l := range s.Lines {
			if repl, ok := legacyKeywords[l.Keyword()]; ok {
				p.Report(rules.Diagnostic{
					Range:    l.Args()[0].Range(),
					Message:  fmt.Sprintf("HAProxy 2.1 and later refuse `%s`", l.Keyword()),
					FixTitle: fmt.Sprintf("Replace `%s` with `%s`.", l.Keyword(), repl),
					Key:      lineKey("line", l, ""),
				})
			}
		}
	}
}

var weakVersions = map[string]bool{"sslv3": true, "tlsv1.0": true, "tlsv1.1": true}

var weakCipherTokens = []string{"RC4", "DES", "MD5", "EXP", "NULL", "LOW", "ADH", "AECDH", "ANULL", "ENULL", "ALL"}

// WeakTLS: H013.
var WeakTLS = &rules.Rule{
	Code: "H013", Name: "weak-tls", Severity: rules.Medium,
	CWE: []string{"CWE-327"}, Scope: rules.ScopeTree, Kinds: kinds,
	Summary: "A bind (or the global defaults) allows TLS versions or ciphers below today's baseline.",
	Doc: rules.Doc{
		What:       "Reports `ssl-min-ver` SSLv3, TLSv1.0 or TLSv1.1 and `force-sslv3`/`force-tlsv10`/`force-tlsv11` on binds or in `ssl-default-bind-options`, and cipher strings (`ciphers`, `ssl-default-bind-ciphers`) that enable RC4, DES/3DES, MD5, export, NULL, anonymous or LOW ciphers, or ALL.",
		Why:        "Old protocol versions and weak ciphers allow downgrade and decryption attacks. HAProxy's default minimum is TLSv1.2; on OpenSSL 3 TLS 1.0/1.1 handshakes fail anyway unless the security level is lowered, so the setting is at best dead and at worst lowered security.",
		Example:    "global\n    ssl-default-bind-options ssl-min-ver TLSv1.0",
		Fix:        "Remove the option (HAProxy defaults to TLSv1.2), or set `ssl-min-ver TLSv1.2`; use a modern cipher list such as Mozilla's intermediate profile.",
		References: []string{refBind + " (ssl-min-ver, ciphers)", "Mozilla Server Side TLS guidelines"},
	},
	Check: checkWeakTLS,
}

func checkWeakTLS(p *rules.Pass) {
	c := tree(p)
	report := func(w hap.Word, l *hap.Line, msg, fix string) {
		p.Report(rules.Diagnostic{Range: w.Range(), Message: msg, FixTitle: fix, Key: lineKey("tls", l, w.Value())})
	}
	checkOpts := func(args []hap.Word, from int, l *hap.Line) {
		for k := from; k < len(args); k++ {
			name := args[k].Value()
			switch {
			case (name == "ssl-min-ver") && k+1 < len(args):
				if v := args[k+1]; weakVersions[v.Lower()] {
					report(v, l, fmt.Sprintf("ssl-min-ver %s allows broken protocol versions", rules.Clip(v.Value(), 20)), "Raise ssl-min-ver to TLSv1.2.")
				}
				k++
			case name == "force-sslv3" || name == "force-tlsv10" || name == "force-tlsv11":
				report(args[k], l, fmt.Sprintf("%s limits the bind to an obsolete protocol version", name), fmt.Sprintf("Remove %s.", name))
			case (name == "ciphers" || name == "ssl-default-bind-ciphers") && k+1 < len(args):
				if weak := weakCiphers(args[k+1].Value()); weak != "" {
					report(args[k+1], l, fmt.Sprintf("the cipher list enables %s, weak or unauthenticated", rules.Clip(weak, 30)), fmt.Sprintf("Remove %s from the cipher list.", weak))
				}
				k++
			}
		}
	}
	for _, l := range c.GlobalLines("ssl-default-bind-options") {
		checkOpts(l.Args(), 1, l)
	}
	for _, l := range c.GlobalLines("ssl-default-bind-ciphers") {
		checkOpts(l.Args(), 0, l)
	}
	for _, fe := range c.Frontends() {
		for _, b := range fe.Binds {
			checkOpts(b.Line.Args(), 2, b.Line)
		}
	}
}

// weakCiphers returns the first enabled weak token of an OpenSSL cipher
// string, or "".
func weakCiphers(s string) string {
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
		if strings.HasPrefix(tok, "!") || strings.HasPrefix(tok, "-") || strings.HasPrefix(tok, "@") {
			continue
		}
		up := strings.ToUpper(strings.TrimPrefix(tok, "+"))
		for _, part := range strings.Split(up, "+") {
			for _, w := range weakCipherTokens {
				if part == w || (w != "ALL" && w != "LOW" && strings.Contains(part, w)) {
					return tok
				}
			}
		}
	}
	return ""
}
