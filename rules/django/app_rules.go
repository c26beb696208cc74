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

// metaOf returns the META name of a read, and whether it is a request
// header (not a WSGI variable such as SSL_CLIENT_VERIFY or REMOTE_USER).
func metaOf(rd python.HeaderRead) (string, bool) {
	if rd.Via == python.ViaHeaders {
		return rules.MetaName(rd.Key), true
	}
	k := strings.ToUpper(rd.Key)
	return k, strings.HasPrefix(k, "HTTP_")
}

// isVerifyHeader reports whether a header carries the verification result.
func isVerifyHeader(meta string) bool {
	return strings.Contains(meta, "VERIF") || strings.Contains(meta, "AUTHENTICATED") || strings.HasSuffix(meta, "_SUCCESS")
}

func isUsedFlag(meta string) bool {
	return strings.Contains(meta, "USED") || strings.Contains(meta, "PRESENT") || strings.Contains(meta, "C_USED")
}

// strictVerify reports whether the scope compares a verify header exactly
// with SUCCESS (or 0 together with a used flag).
func strictVerify(app *python.AppCode, scope string) bool {
	used := false
	for _, rd := range app.Reads {
		if rd.Scope != scope {
			continue
		}
		if m, ok := metaOf(rd); ok && isUsedFlag(m) {
			used = true
		}
	}
	for _, rd := range app.Reads {
		if rd.Scope != scope {
			continue
		}
		m, ok := metaOf(rd)
		if !ok || !isVerifyHeader(m) {
			continue
		}
		for _, u := range rd.Uses {
			if u.Kind == python.UseEquals && len(u.Values) == 1 && (u.Values[0] == "SUCCESS" || u.Values[0] == "0" && used) {
				return true
			}
			if u.Kind == python.UseIn && onlySuccess(u.Values) {
				return true
			}
		}
	}
	return false
}

func onlySuccess(vals []string) bool {
	if len(vals) == 0 {
		return false
	}
	for _, v := range vals {
		if v != "SUCCESS" {
			return false
		}
	}
	return true
}

func quoteAll(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// CertHeaderWeakCheck reports identity decided on a client-certificate
// header by anything but an exact comparison.
var CertHeaderWeakCheck = &rules.Rule{
	Code: "D019", Name: "cert-header-weak-check", Severity: rules.Critical, CWE: []string{"CWE-697", "CWE-287"},
	Summary: "App code decides on a client-certificate header by presence, prefix, substring, inequality or the first list element.",
	Scope:   rules.ScopeTree, Kinds: pyKinds,
	Doc: rules.Doc{
		What:       "Reports code that reads a client-certificate or identity header (`request.META['HTTP_X_SSL_CLIENT_VERIFY']`, `request.headers['X-SSL-Client-DN']`, ...) and decides on it by presence or truthiness, `!= 'FAILED'`, `startswith`, `in`, or `split(',')[0]`. A presence test on a DN or certificate header is reported only when the same class or function never compares a verification header exactly with `SUCCESS`.",
		Why:        "nginx sends `NONE` when no certificate was presented and `FAILED:<reason>` when verification failed; both are present and truthy, neither equals `FAILED`. A header that the client also sent arrives comma-joined (`SUCCESS,NONE`), and `split(',')[0]` picks the client's copy. A DN header is present whenever the proxy forwards it, verified or not (optional_no_ca).",
		Example:    "if request.META.get('HTTP_X_SSL_CLIENT_VERIFY') != 'FAILED':\n    login_as(request.META['HTTP_X_SSL_CLIENT_DN'])",
		Fix:        "Compare the verification header exactly: `request.META.get('HTTP_X_SSL_CLIENT_VERIFY') == 'SUCCESS'` (nginx, ingress-nginx); for HAProxy forward `%[ssl_c_used]` too and require used == '1' and verify == '0'. Reject values that contain a comma, and authorise on an allowlist of issuer and subject.",
		References: []string{"https://nginx.org/en/docs/http/ngx_http_ssl_module.html#var_ssl_client_verify", "https://bishopfox.com/blog/api-authentication-bypass-in-forticlient-ems-7-4-5-7-4-6-cve-2026-35616"},
	},
	Check: func(p *rules.Pass) {
		t := appTree(p)
		if t == nil {
			return
		}
		for _, rd := range t.App.Reads {
			meta, isHeader := metaOf(rd)
			if !isHeader || !rules.IsIdentityHeader(meta) || rd.Via == python.ViaRemoteUserHeader {
				continue
			}
			verify := isVerifyHeader(meta)
			for _, u := range rd.Uses {
				var msg, detail string
				hdr := rules.Clip(rules.HeaderName(meta), 40)
				values := rules.Clip(quoteAll(u.Values), 30)
				switch u.Kind {
				case python.UseFirstOfList:
					msg, detail = fmt.Sprintf("%s is split on ',' and the first element trusted", hdr), "A client's own copy of the header comes first."
				case python.UseNotEqual:
					if verify {
						msg, detail = fmt.Sprintf("%s is accepted when it is not %s", hdr, values), "NONE (no certificate) and FAILED:<reason> pass."
					}
				case python.UsePrefix, python.UseContains:
					msg, detail = fmt.Sprintf("%s is matched by prefix or substring (%s) instead of compared exactly", hdr, values), "Only SUCCESS, compared exactly, means a verified certificate."
				case python.UseIn:
					if verify && !onlySuccess(u.Values) {
						msg, detail = fmt.Sprintf("%s is accepted when it is one of %s", hdr, values), "Only SUCCESS means a verified certificate."
					}
				case python.UsePresence:
					if verify {
						msg, detail = fmt.Sprintf("%s is only tested for presence", hdr), "NONE (no certificate) and FAILED:<reason> pass the test."
					} else if !strictVerify(t.App, rd.Scope) {
						msg, detail = fmt.Sprintf("identity is decided by the presence of %s", hdr), "Nothing here checks that the certificate was verified."
					}
				}
				if msg == "" {
					continue
				}
				r := u.Range
				if !r.IsValid() {
					r = rd.Range
				}
				p.Report(rules.Diagnostic{Range: r, Message: msg, Detail: detail, Key: rules.AppReadKey(rd.Range, rules.CheckWeak, meta),
					Related: []source.Related{{Range: rd.Range, Message: "header read here"}}})
			}
		}
	},
}

// VerifyZeroWithoutUsed reports == "0" on a verify header without a
// certificate-used flag.
var VerifyZeroWithoutUsed = &rules.Rule{
	Code: "D020", Name: "verify-zero-without-used", Severity: rules.Critical, CWE: []string{"CWE-697", "CWE-287"},
	Summary: "App code accepts a verify header equal to \"0\" without checking that a certificate was presented.",
	Scope:   rules.ScopeTree, Kinds: pyKinds,
	Doc: rules.Doc{
		What:       "Reports a comparison of a verification header with `\"0\"` (HAProxy's `%[ssl_c_verify]`) when the same class or function reads no certificate-used flag (`%[ssl_c_used]`, a header whose name contains USED).",
		Why:        "HAProxy's ssl_c_verify is the OpenSSL verify result, and it is 0 (X509_V_OK) when the client sent no certificate at all. Behind `verify optional`, an anonymous client passes `== '0'`.",
		Example:    "if request.META.get('HTTP_X_SSL_CLIENT_VERIFY') == '0':",
		Fix:        "Forward `%[ssl_c_used]` as well and require both: `used == '1' and verify == '0'`; or set the headers only `if { ssl_c_used } { ssl_c_verify 0 }` in HAProxy.",
		References: []string{"https://docs.haproxy.org/2.6/configuration.html#7.3.4-ssl_c_verify"},
	},
	Check: func(p *rules.Pass) {
		t := appTree(p)
		if t == nil {
			return
		}
		for _, rd := range t.App.Reads {
			meta, isHeader := metaOf(rd)
			if !isHeader || !isVerifyHeader(meta) {
				continue
			}
			for _, u := range rd.Uses {
				if u.Kind != python.UseEquals || len(u.Values) != 1 || u.Values[0] != "0" {
					continue
				}
				used := false
				for _, o := range t.App.Reads {
					if m, ok := metaOf(o); ok && o.Scope == rd.Scope && isUsedFlag(m) {
						used = true
					}
				}
				if used {
					continue
				}
				p.Report(rules.Diagnostic{Range: u.Range, Key: rules.AppReadKey(rd.Range, rules.CheckZero, meta),
					Message: fmt.Sprintf("%s == \"0\" also holds when no certificate was sent", rules.Clip(rules.HeaderName(meta), 40)),
					Detail:  "HAProxy's ssl_c_verify is 0 without a certificate too, and nothing here checks a certificate-used flag."})
			}
		}
	},
}

// appKey is the Key of a finding about how app code decides on a header it
// reads at read: the single-file rules (D019–D022) and the cross-file rule
// that judges the same check against the proxy's routes share it.
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
		What:       "Reports a class or function that reads both a server-set WSGI variable (`SSL_CLIENT_VERIFY`, `SSL_CLIENT_S_DN`, `REMOTE_USER`) and the `HTTP_` variable of the same name (`HTTP_X_SSL_CLIENT_VERIFY`, `HTTP_REMOTE_USER`), typically as a fallback.",
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
		env := map[string]python.HeaderRead{}
		for _, rd := range t.App.Reads {
			if _, isHeader := metaOf(rd); !isHeader && rd.Via != python.ViaRemoteUserHeader {
				env[rd.Scope+"|"+twinKey(rd.Key)] = rd
			}
		}
		for _, rd := range t.App.Reads {
			meta, isHeader := metaOf(rd)
			if !isHeader {
				continue
			}
			e, ok := env[rd.Scope+"|"+twinKey(meta)]
			if !ok {
				continue
			}
			p.Report(rules.Diagnostic{Range: rd.Range, Key: rules.AppReadKey(rd.Range, rules.CheckDual, meta),
				Message: fmt.Sprintf("%s (client-controlled) is read next to the server-set %s", rules.Clip(meta, 40), rules.Clip(strings.ToUpper(e.Key), 30)),
				Detail:  "The header can stand in for the verified value.",
				Related: []source.Related{{Range: e.Range, Message: "server-set " + strings.ToUpper(e.Key) + " read here"}}})
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
		for _, rd := range t.App.Reads {
			meta, isHeader := metaOf(rd)
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
		check := func(info *python.ClassInfo, scope string) {
			if len(info.Login) == 0 || len(info.Logout) > 0 {
				return
			}
			for _, rd := range t.App.Reads {
				if m, ok := metaOf(rd); ok && rd.Scope == scope && rules.IsIdentityHeader(m) {
					p.Report(rules.Diagnostic{Range: info.Login[0], Key: rules.AppReadKey(info.Login[0], rules.CheckLogin, ""),
						Message: fmt.Sprintf("%s logs in from %s but never calls logout(): the session outlives the certificate.", info.Name, rules.HeaderName(m))})
					return
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
