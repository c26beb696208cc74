package django

import (
	"fmt"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// appTree returns the pass's tree when it has app code.
func appTree(p *rules.Pass) *python.Tree {
	t, ok := p.Tree.(*python.Tree)
	if !ok || t.App == nil {
		return nil
	}
	return t
}

// isVerifyHeader reports whether a header carries the verification result.
func isVerifyHeader(meta string) bool {
	return strings.Contains(meta, "VERIF") || strings.Contains(meta, "AUTHENTICATED") || strings.HasSuffix(meta, "_SUCCESS")
}

func isUsedFlag(meta string) bool {
	return strings.Contains(meta, "USED") || strings.Contains(meta, "PRESENT")
}

// appOnlyAssumption names what the app-only rules assume when nothing in
// the workspace says which proxy fronts the app.
const appOnlyAssumption = "a proxy that verifies client certificates optionally (nginx: NONE without a certificate, FAILED:<reason> and the certificate's own subject for one it does not verify)"

// appOnlyClasses are the requests without a verified certificate that
// the app-only rules judge the app's checks against: no certificate, and
// a certificate the proxy forwards without verifying it (nginx
// optional_no_ca); deliver says what each header carries.
func appOnlyClasses() []struct {
	class   rules.RequestClass
	deliver func(h string) rules.Delivery
} {
	mk := func(c rules.CertState) func(h string) rules.Delivery {
		class := rules.RequestClass{Transport: rules.TransportTLS, Cert: c}
		return func(h string) rules.Delivery {
			meta := rules.MetaName(h)
			var v rules.Value
			switch {
			case strings.HasPrefix(h, "environ:"):
				v = rules.Absent // the server sets it; nothing to assume
			case isVerifyHeader(meta) && c == rules.CertNone:
				v = rules.Const("NONE")
			case isVerifyHeader(meta):
				v = rules.ConstPrefix("FAILED:")
			case isUsedFlag(meta) && c == rules.CertNone:
				v = rules.Const("0")
			case isUsedFlag(meta):
				v = rules.Const("1")
			case rules.IsIdentityHeader(meta) && c == rules.CertNone:
				v = rules.Absent
			default:
				v = rules.ClientValue // the subject of a certificate the client made
			}
			return rules.Delivery{Header: h, Class: class, Values: []rules.Value{v}}
		}
	}
	return []struct {
		class   rules.RequestClass
		deliver func(h string) rules.Delivery
	}{
		{rules.RequestClass{Transport: rules.TransportTLS, Cert: rules.CertNone}, mk(rules.CertNone)},
		{rules.RequestClass{Transport: rules.TransportTLS, Cert: rules.CertUntrusted}, mk(rules.CertUntrusted)},
	}
}

// haproxyNoCert is what HAProxy's verification code and certificate-used
// flag say for a client without a certificate: 0, and 0 (or nothing).
func haproxyNoCert(h string) rules.Delivery {
	meta := rules.MetaName(h)
	v := rules.Absent
	switch {
	case isVerifyHeader(meta), isUsedFlag(meta):
		v = rules.Const("0")
	case strings.HasPrefix(h, "environ:"):
	case rules.IsIdentityHeader(meta):
		v = rules.Const("") // HAProxy sends an empty header
	default:
		v = rules.ClientValue
	}
	return rules.Delivery{Header: h, Class: rules.RequestClass{Transport: rules.TransportTLS}, Values: []rules.Value{v}}
}

// appRead is a read of an identity header that decides on something,
// with its META name and the decisions it takes part in.
type appRead struct {
	rd   *python.Read
	meta string
	decs []rules.Decision
}

// decidingReads is an app tree's reads of identity headers that decide on
// something ([]appRead): D019 and D020 both judge them, and working out a
// read's decisions is the costly part, so it is done once per tree.
var decidingReads = &rules.Analysis{
	Name:  "django-identity-reads",
	Doc:   "The reads of identity headers of an app tree that decide on something, with their META names and decisions ([]appRead).",
	Scope: rules.ScopeTree,
	Build: func(p *rules.Pass) any {
		t := appTree(p)
		if t == nil {
			return []appRead(nil)
		}
		return appReads(t)
	},
}

// requiresDecidingReads is what D019 and D020 require.
var requiresDecidingReads = []*rules.Analysis{decidingReads}

// appReads returns the tree's reads of identity headers that decide on
// something, with their META name (literal names and settings defaults:
// the settings of the entry point are the cross-file rules' to apply).
func appReads(t *python.Tree) []appRead {
	var out []appRead
	lookup := settingsLookup(nil)
	for _, rd := range t.App.ReadSites {
		if rd.Unanalysed != "" || rd.Via == python.ViaRemoteUserHeader {
			continue
		}
		decs := readDecisions(rd, lookup, nil)
		if len(decs) == 0 {
			continue
		}
		for _, key := range keysOf(rd, lookup) {
			meta, isHeader := metaKey(rd, key)
			if isHeader && rules.IsIdentityHeader(meta) {
				out = append(out, appRead{rd, meta, decs})
				break
			}
		}
	}
	return out
}

// decisionKey identifies a way to a sink, whichever read it was found
// from: one weak check, one finding.
func decisionKey(d rules.Decision) string {
	k := d.Sink + "|" + d.Range.String()
	for _, a := range d.Accepts {
		k += "|" + a.Header + ":" + a.String()
	}
	return k
}

// ownCheck returns where a decision tests the header itself; false when
// it does not, while it tests another header (whose read the finding is
// about: a DN used under a weak check of the verification result).
func ownCheck(dec rules.Decision, meta string) (source.Range, bool) {
	h := rules.HeaderName(meta)
	for _, a := range dec.Accepts {
		if a.Header == h {
			return a.Range, true
		}
	}
	return source.Range{}, len(dec.Accepts) == 0
}

// firstAdmitted returns the first decision some request of the classes
// certainly gets through, with the verdict and the class.
func firstAdmitted(decs []rules.Decision, deliver ...func(string) rules.Delivery) (rules.Decision, rules.Verdict, int, bool) {
	for ci, d := range deliver {
		for _, dec := range decs {
			if v := dec.Admits(d); v.Admitted && !v.Maybe {
				return dec, v, ci, true
			}
		}
	}
	return rules.Decision{}, rules.Verdict{}, 0, false
}

// CertHeaderWeakCheck reports app code whose check on a client-certificate
// header lets a request without a verified certificate through.
var CertHeaderWeakCheck = &rules.Rule{
	Code: "D019", Name: "cert-header-weak-check", Severity: rules.Medium, CWE: []string{"CWE-697", "CWE-287"},
	Summary: "App code's check on a client-certificate header lets a request without a verified certificate reach protected work.",
	Scope:   rules.ScopeTree, Kinds: pyKinds, Requires: requiresDecidingReads,
	Doc: rules.Doc{
		What:       "Follows each read of a client-certificate or identity header (`request.META['HTTP_X_SSL_CLIENT_VERIFY']`, `request.headers['X-SSL-Client-DN']`, through variables, helpers, constants and settings) to the protected work it guards (the view, `get_response`, `login()`, `request.user`, a lookup by the value) and judges the tests on the way against what a proxy that verifies optionally sends for a client without a verified certificate: `NONE` without one, `FAILED:<reason>` and the certificate's own subject for one it lets through unverified. Presence or truthiness, `!= 'FAILED'`, `startswith`, a subject trusted without a verification result admit such a client. Logging, echoing into a response and exception messages are not checks. When the workspace holds the proxy in front of the app, the cross-file rules judge the check against what each route sends instead: this finding is withdrawn where the routes make the check safe (a DN behind `ssl_verify_client on`), and replaced where they make it exploitable.",
		Why:        "nginx sends `NONE` when no certificate was presented and `FAILED:<reason>` when verification failed; both are present and truthy, neither equals `FAILED`. A header that the client also sent arrives comma-joined (`SUCCESS,NONE`), and `split(',')[0]` picks the client's copy. A DN header is present whenever the proxy forwards it, verified or not (optional_no_ca).",
		Example:    "if request.META.get('HTTP_X_SSL_CLIENT_VERIFY') != 'FAILED':\n    login_as(request.META['HTTP_X_SSL_CLIENT_DN'])",
		Fix:        "Compare the verification header exactly: `request.META.get('HTTP_X_SSL_CLIENT_VERIFY') == 'SUCCESS'` (nginx, ingress-nginx); for HAProxy forward `%[ssl_c_used]` too and require used == '1' and verify == '0'. Reject values that contain a comma, and authorise on an allowlist of issuer and subject.",
		References: []string{"https://nginx.org/en/docs/http/ngx_http_ssl_module.html#var_ssl_client_verify", "https://bishopfox.com/blog/api-authentication-bypass-in-forticlient-ems-7-4-5-7-4-6-cve-2026-35616"},
	},
	Check: func(p *rules.Pass) {
		classes := appOnlyClasses()
		seen := map[string]bool{}
		for _, r := range p.ResultOf(decidingReads).([]appRead) {
			dec, v, ci, ok := firstAdmitted(r.decs, classes[0].deliver, classes[1].deliver)
			if !ok {
				continue
			}
			at, ok := ownCheck(dec, r.meta)
			if !ok || seen[decisionKey(dec)] {
				continue // the check on another header decides: its read is reported
			}
			seen[decisionKey(dec)] = true
			if !at.IsValid() {
				at = r.rd.Range
			}
			p.Report(rules.Diagnostic{Range: at, Key: rules.AppReadKey(r.rd.Range, rules.CheckWeak, r.meta),
				Message: rules.Reaches(rules.DisplayHeader(r.meta)+" check", classes[ci].class.String(), dec.Sink),
				Detail:  fmt.Sprintf("%s. This assumes %s; with the proxy in the workspace the cross-file rules judge the check against what it sends.", v.Why, appOnlyAssumption),
				Related: []source.Related{{Range: r.rd.Range, Message: "header read here"}, {Range: dec.Range, Message: "protected work reached here"}}})
		}
	},
}

// VerifyZeroWithoutUsed reports a check that admits HAProxy's
// verification code 0 without knowing whether a certificate was sent.
var VerifyZeroWithoutUsed = &rules.Rule{
	Code: "D020", Name: "verify-zero-without-used", Severity: rules.Medium, CWE: []string{"CWE-697", "CWE-287"},
	Summary: "App code accepts a verify header equal to \"0\" without checking that a certificate was presented.",
	Scope:   rules.ScopeTree, Kinds: pyKinds, Requires: requiresDecidingReads,
	Doc: rules.Doc{
		What:       "Reports a check on a verification header that lets a request through when the header is `0` and nothing says a certificate was used (HAProxy's `%[ssl_c_verify]` and `%[ssl_c_used]` for a client without a certificate), but not for nginx's `NONE` (that is D019's).",
		Why:        "HAProxy's ssl_c_verify is the OpenSSL verify result, and it is 0 (X509_V_OK) when the client sent no certificate at all. Behind `verify optional`, an anonymous client passes `== '0'`.",
		Example:    "if request.META.get('HTTP_X_SSL_CLIENT_VERIFY') == '0':",
		Fix:        "Forward `%[ssl_c_used]` as well and require both: `used == '1' and verify == '0'`; or set the headers only `if { ssl_c_used } { ssl_c_verify 0 }` in HAProxy.",
		References: []string{"https://docs.haproxy.org/2.6/configuration.html#7.3.4-ssl_c_verify"},
	},
	Check: func(p *rules.Pass) {
		classes := appOnlyClasses()
		for _, r := range p.ResultOf(decidingReads).([]appRead) {
			if !isVerifyHeader(r.meta) {
				continue
			}
			if _, _, _, weak := firstAdmitted(r.decs, classes[0].deliver, classes[1].deliver); weak {
				continue // D019's
			}
			dec, _, _, ok := firstAdmitted(r.decs, haproxyNoCert)
			if !ok {
				continue
			}
			at, own := ownCheck(dec, r.meta)
			if !own {
				continue
			}
			if !at.IsValid() {
				at = r.rd.Range
			}
			p.Report(rules.Diagnostic{Range: at, Key: rules.AppReadKey(r.rd.Range, rules.CheckZero, r.meta),
				Message: fmt.Sprintf("%s == \"0\" also holds when no certificate was sent", rules.Clip(rules.DisplayHeader(r.meta), 40)),
				Detail:  fmt.Sprintf("HAProxy's ssl_c_verify is 0 without a certificate too, and nothing on the way to %s checks that one was.", dec.Sink),
				Related: []source.Related{{Range: dec.Range, Message: "protected work reached here"}}})
		}
	},
}

// twinKey strips HTTP_ and X_ so that SSL_CLIENT_VERIFY, HTTP_SSL_CLIENT_VERIFY
// and HTTP_X_SSL_CLIENT_VERIFY compare equal; mod_ssl's SSL_CLIENT_S_DN is
// conventionally forwarded as X-SSL-Client-DN, so the two are twins too.
func twinKey(k string) string {
	k = strings.TrimPrefix(strings.ToUpper(k), "HTTP_")
	k = strings.TrimPrefix(k, "X_")
	if k == "SSL_CLIENT_S_DN" {
		return "SSL_CLIENT_DN"
	}
	return k
}

// DualSource reports code that accepts either a WSGI environ value or its
// HTTP_ twin.
var DualSource = &rules.Rule{
	Code: "D021", Name: "dual-source-identity", Severity: rules.Critical, CWE: []string{"CWE-348"},
	Summary: "App code accepts a WSGI environ value (SSL_CLIENT_*, REMOTE_USER) or the request header of the same name.",
	Scope:   rules.ScopeTree, Kinds: pyKinds,
	Doc: rules.Doc{
		What:       "Reports a class or function that reads both a server-set WSGI variable (`SSL_CLIENT_VERIFY`, `SSL_CLIENT_S_DN`, `REMOTE_USER`) and the `HTTP_` variable of the same name (`HTTP_X_SSL_CLIENT_VERIFY`, `HTTP_REMOTE_USER`) and decides on the header, typically as a fallback.",
		Why:        "The WSGI variable is set by the server (mod_ssl, uWSGI); the HTTP_ twin is whatever the client sent. Falling back to the header lets any client supply the identity the server would have verified (the FortiClient EMS bypass, CVE-2026-35616, had this shape).",
		Example:    "verify = request.META.get('SSL_CLIENT_VERIFY') or request.META.get('HTTP_X_SSL_CLIENT_VERIFY')",
		Fix:        "Read exactly one trusted source: the variable your server sets, or a header your proxy overwrites on every route.",
		References: []string{"https://bishopfox.com/blog/api-authentication-bypass-in-forticlient-ems-7-4-5-7-4-6-cve-2026-35616"},
	},
	Check: func(p *rules.Pass) {
		t := appTree(p)
		if t == nil {
			return
		}
		lookup := settingsLookup(nil)
		env := map[string]*python.Read{}
		for _, rd := range t.App.ReadSites {
			for _, key := range keysOf(rd, lookup) {
				if _, isHeader := metaKey(rd, key); !isHeader && rd.Via != python.ViaRemoteUserHeader {
					env[rd.Scope+"|"+twinKey(key)] = rd
				}
			}
		}
		for _, rd := range t.App.ReadSites {
			if len(rd.Decisions) == 0 && rd.Unanalysed == "" {
				continue // logged or echoed only
			}
			for _, key := range keysOf(rd, lookup) {
				meta, isHeader := metaKey(rd, key)
				if !isHeader {
					continue
				}
				e, ok := env[rd.Scope+"|"+twinKey(meta)]
				if !ok {
					continue
				}
				server := strings.ToUpper(e.Key())
				p.Report(rules.Diagnostic{Range: rd.Range, Key: rules.AppReadKey(rd.Range, rules.CheckDual, meta),
					Message: fmt.Sprintf("%s (client-controlled) is read next to the server-set %s", rules.Clip(meta, 40), rules.Clip(server, 30)),
					Detail:  "The header can stand in for the verified value.",
					Related: []source.Related{{Range: e.Range, Message: "server-set " + server + " read here"}}})
				break
			}
		}
	},
}

// PEMDNOnly reports a forwarded certificate checked by DN strings only.
var PEMDNOnly = &rules.Rule{
	Code: "D022", Name: "pem-dn-only", Severity: rules.High, CWE: []string{"CWE-295"},
	Summary: "A forwarded client certificate is trusted after comparing DN strings, without verifying its signature or chain.",
	Scope:   rules.ScopeTree, Kinds: pyKinds,
	Doc: rules.Doc{
		What:    "Reports a class or function that reads a forwarded certificate header (`HTTP_X_SSL_CLIENT_CERT`, `X-Forwarded-Client-Cert`, ...) and compares its subject or issuer names, but never verifies a signature or chain (no `verify`, `verify_directly_issued_by`, `X509Store`).",
		Why:     "Anyone can make a certificate with any subject and issuer name (`openssl req -x509 -subj '/CN=admin'`); names are not proof of issuance.",
		Example: "cert = x509.load_pem_x509_certificate(unquote(pem).encode())\nif cert.issuer.rfc4514_string() == TRUSTED_ISSUER: ...",
		Fix:     "Let the proxy verify (`ssl_verify_client on` with a private CA) and trust only its verify result, or validate the chain against the pinned CA in the app.",
	},
	Check: func(p *rules.Pass) {
		t := appTree(p)
		if t == nil {
			return
		}
		seen := map[string]bool{}
		lookup := settingsLookup(nil)
		for _, rd := range t.App.ReadSites {
			for _, key := range keysOf(rd, lookup) {
				meta, isHeader := metaKey(rd, key)
				if !isHeader || !strings.Contains(meta, "CERT") || isVerifyHeader(meta) || seen[rd.Scope] {
					continue
				}
				info := t.App.Scope(rd.Scope)
				if info == nil || !(info.ChecksDN && info.LoadsCert) || info.VerifiesSig {
					continue
				}
				seen[rd.Scope] = true
				p.Report(rules.Diagnostic{Range: rd.Range, Key: rules.AppReadKey(rd.Range, rules.CheckPEM, meta),
					Message: fmt.Sprintf("the certificate from %s is trusted by its subject and issuer names alone", rules.Clip(rules.HeaderName(meta), 40)),
					Detail:  fmt.Sprintf("%s never verifies the certificate's signature or chain.", info.Name)})
			}
		}
	},
}

// LoginWithoutLogout reports certificate middleware that logs users in
// and never out.
var LoginWithoutLogout = &rules.Rule{
	Code: "D023", Name: "login-without-logout", Severity: rules.Medium, CWE: []string{"CWE-613", "CWE-287"},
	Summary: "Middleware logs in from a client-certificate header and never logs out when the header is missing.",
	Scope:   rules.ScopeTree, Kinds: pyKinds,
	Doc: rules.Doc{
		What:       "Reports a middleware (class or function) that reads an identity header and calls `login()`, but never calls `logout()`.",
		Why:        "After one authenticated request the session cookie carries the identity: later requests without a certificate (or with a failed one) stay logged in, so certificate authentication degrades to a bearer cookie.",
		Example:    "if request.META.get('HTTP_X_SSL_CLIENT_VERIFY') == 'SUCCESS':\n    login(request, user)",
		Fix:        "Authenticate per request, or log out when the header is missing or not SUCCESS, as RemoteUserMiddleware does (`auth.logout(request)`).",
		References: []string{"https://docs.djangoproject.com/en/stable/howto/auth-remote-user/"},
	},
	Check: func(p *rules.Pass) {
		t := appTree(p)
		if t == nil {
			return
		}
		lookup := settingsLookup(nil)
		check := func(info *python.ClassInfo, scope string) {
			if len(info.Login) == 0 || len(info.Logout) > 0 {
				return
			}
			for _, rd := range t.App.ReadSites {
				if rd.Scope != scope {
					continue
				}
				for _, key := range keysOf(rd, lookup) {
					if m, ok := metaKey(rd, key); ok && rules.IsIdentityHeader(m) {
						p.Report(rules.Diagnostic{Range: info.Login[0], Key: rules.AppReadKey(info.Login[0], rules.CheckLogin, ""),
							Message: fmt.Sprintf("%s logs in from %s but never calls logout(): the session outlives the certificate.", info.Name, rules.HeaderName(m))})
						return
					}
				}
			}
		}
		for i := range t.App.Classes {
			check(&t.App.Classes[i], "class:"+t.App.Classes[i].Name)
		}
		for i := range t.App.Funcs {
			check(&t.App.Funcs[i], "func:"+t.App.Funcs[i].Name)
		}
	},
}

// RemoteUserHTTPHeader reports a RemoteUserMiddleware subclass that trusts
// an HTTP header.
var RemoteUserHTTPHeader = &rules.Rule{
	Code: "D018", Name: "remote-user-http-header", Severity: rules.High, CWE: []string{"CWE-290"},
	Summary: "A RemoteUserMiddleware subclass takes the user name from a request header.",
	Scope:   rules.ScopeTree, Kinds: pyKinds,
	Doc: rules.Doc{
		What:       "Reports a subclass of `RemoteUserMiddleware` (or `PersistentRemoteUserMiddleware`) whose `header` is an `HTTP_…` name. When the proxy side is analysed, the cross-file rule decides whether every route overwrites that header.",
		Why:        "Django's documentation warns that such a header is only safe if the proxy strips it from every incoming request, including spellings with underscores (`X-Auth_User`); the warning applies under ASGI in all configurations. Any client that reaches the app unproxied, or through a route that forgets the header, logs in as whomever it names.",
		Example:    "class ProxyRemoteUser(RemoteUserMiddleware):\n    header = 'HTTP_X_REMOTE_USER'",
		Fix:        "Use the server-set `REMOTE_USER`, or prove (and keep proving) that every proxy route overwrites the header, and bind the app server to loopback.",
		References: []string{"https://docs.djangoproject.com/en/stable/howto/auth-remote-user/"},
	},
	Check: func(p *rules.Pass) {
		t := appTree(p)
		if t == nil {
			return
		}
		for _, c := range t.App.Classes {
			if !c.RemoteUser || c.Header == nil || !strings.HasPrefix(strings.ToUpper(c.Header.Value), "HTTP_") {
				continue
			}
			p.Report(rules.Diagnostic{Range: c.Header.Range, Key: rules.TrustKey(t.Root().Path, c.Header.Value),
				Message: fmt.Sprintf("%s logs in whoever %s names; every proxy route must overwrite that header.", c.Name, rules.HeaderName(c.Header.Value))})
		}
	},
}
