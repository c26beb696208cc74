package django

import (
	"fmt"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

var pyKinds = []string{parsers.KindPython}

const djangoChecks = "https://docs.djangoproject.com/en/stable/ref/checks/#security"
const djangoSettingsRef = "https://docs.djangoproject.com/en/stable/ref/settings/"

var metaForm = source.LazyRegexp(`^HTTP_[A-Z0-9_]+$`)

// spsh returns SECURE_PROXY_SSL_HEADER's certain value as (header, value)
// when it is a well-formed pair of strings.
func spsh(t *python.Tree) (s setting, o outcome, header, value string, pair, ok bool) {
	s = get(t, "SECURE_PROXY_SSL_HEADER")
	o, ok = certainOutcome(s.value())
	if !ok {
		return
	}
	seq, isSeq := o.obj.(*python.SeqObj)
	if !isSeq || seq.Type == python.Set || len(seq.Elems) != 2 {
		return
	}
	h, ok1 := seq.Elems[0].Str()
	v, ok2 := seq.Elems[1].Str()
	if ok1 && ok2 {
		return s, o, h, v, true, true
	}
	return
}

// SPSHMalformed reports a SECURE_PROXY_SSL_HEADER Django cannot use.
var SPSHMalformed = &rules.Rule{
	Code: "D001", Name: "secure-proxy-ssl-header-malformed", Severity: rules.Medium, CWE: []string{"CWE-348"},
	Summary: "SECURE_PROXY_SSL_HEADER is not a pair of a META header name (HTTP_X_FORWARDED_PROTO) and a value.",
	Scope:   rules.ScopeTree, Kinds: pyKinds,
	Doc: rules.Doc{
		What:       "Reports a `SECURE_PROXY_SSL_HEADER` that is not a 2-tuple, or whose header is not written in the form Django looks up in `request.META`: `HTTP_` followed by the upper-case name with `_` for `-` (`HTTP_X_FORWARDED_PROTO`).",
		Why:        "Django compares the first element verbatim with the keys of `request.META`. A name such as `X-Forwarded-Proto` never matches, so `request.is_secure()` is always False: secure cookies and HTTPS redirects misbehave, and teams then \"fix\" it with broader trust elsewhere. A value that is not a pair raises ImproperlyConfigured on the first request.",
		Example:    "SECURE_PROXY_SSL_HEADER = ('X-Forwarded-Proto', 'https')",
		Fix:        "Write the META form: `SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')` (the fix rewrites the name; it is marked unsafe because Django then starts trusting the header).",
		References: []string{djangoSettingsRef + "#secure-proxy-ssl-header"},
	},
	Check: func(p *rules.Pass) {
		t := settingsTree(p)
		if t == nil {
			return
		}
		s := get(t, "SECURE_PROXY_SSL_HEADER")
		o, ok := certainOutcome(s.value())
		if !ok {
			return
		}
		if _, isNone := o.obj.(python.NoneObj); isNone {
			return
		}
		seq, isSeq := o.obj.(*python.SeqObj)
		if !isSeq || seq.Type == python.Set || len(seq.Elems) != 2 {
			p.Report(rules.Diagnostic{Range: s.rng(), Key: s.key(),
				Message: fmt.Sprintf("SECURE_PROXY_SSL_HEADER is %s, not a (header, value) pair; Django raises ImproperlyConfigured on the first request.", python.Repr(o.obj))})
			return
		}
		h, ok := seq.Elems[0].Str()
		if !ok || metaForm().MatchString(h) {
			return
		}
		want := rules.MetaName(h)
		d := rules.Diagnostic{Range: seq.Elems[0].Range, Key: s.key(),
			Message: fmt.Sprintf("SECURE_PROXY_SSL_HEADER names %q, which never matches a request.META key", rules.Clip(h, 35)), FixTitle: fmt.Sprintf("Write %q.", want)}
		if seq.Elems[0].Range.IsValid() && s.inTree(seq.Elems[0].Range) {
			d.Fixes = []rules.Fix{{Description: "Use the META form " + want + " (review: Django then trusts the header, so every proxy route must overwrite it)", Safe: false,
				Edits: []rules.Edit{{Range: seq.Elems[0].Range, NewText: "'" + want + "'"}}}}
		}
		p.Report(d)
	},
}

// SPSHNeedsProxy reports that SECURE_PROXY_SSL_HEADER trusts a header the
// proxy must overwrite.
var SPSHNeedsProxy = &rules.Rule{
	Code: "D002", Name: "secure-proxy-ssl-header-trust", Severity: rules.Medium, CWE: []string{"CWE-348"},
	Summary: "SECURE_PROXY_SSL_HEADER trusts a header that every proxy route must overwrite.",
	Scope:   rules.ScopeTree, Kinds: pyKinds, Requires: requiresEntries,
	Doc: rules.Doc{
		What:       "Reports a `SECURE_PROXY_SSL_HEADER` setting. Django then decides `request.is_secure()` from a request header alone (CVE-2019-12781 semantics; from Django 4.1 the leftmost of comma-joined values counts). When the proxy side of the deployment is analysed too, the cross-file rule replaces this finding: it is withdrawn when every route overwrites the header, and raised to high when some route passes the client's copy.",
		Why:        "A client that reaches the app with `X-Forwarded-Proto: https` (a plain-HTTP listener, a route that does not set the header, a directly exposed app server) makes Django treat the request as HTTPS: secure-only cookies are sent over HTTP and `SECURE_SSL_REDIRECT` is bypassed.",
		Example:    "SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')",
		Fix:        "Make every proxy route overwrite the header (`proxy_set_header X-Forwarded-Proto $scheme;`, `http-request set-header X-Forwarded-Proto https if { ssl_fc }` plus an unconditional delete), or drop the setting and rely on gunicorn's IP-gated `secure_scheme_headers`.",
		References: []string{djangoSettingsRef + "#secure-proxy-ssl-header", "https://www.djangoproject.com/weblog/2019/jul/01/security-releases/"},
	},
	Check: func(p *rules.Pass) {
		t := deployTree(p)
		if t == nil {
			return
		}
		s, o, h, v, pair, ok := spsh(t)
		if !ok || !pair || !metaForm().MatchString(h) {
			return
		}
		p.Report(rules.Diagnostic{Range: s.rng(), Key: rules.TrustKey(t.Root().Path, h),
			Message: fmt.Sprintf("SECURE_PROXY_SSL_HEADER trusts %s = %q%s", rules.Clip(h, 35), rules.Clip(v, 15), o.whenUnset()),
			Detail:  fmt.Sprintf("This is safe only if every proxy route overwrites %s and no client reaches the app directly.", rules.HeaderName(h))})
	},
}

// ForwardedHost reports USE_X_FORWARDED_HOST / USE_X_FORWARDED_PORT.
var ForwardedHost = &rules.Rule{
	Code: "D003", Name: "use-x-forwarded-host", Severity: rules.Medium, CWE: []string{"CWE-346", "CWE-644"},
	Summary: "USE_X_FORWARDED_HOST or USE_X_FORWARDED_PORT makes Django build URLs from client-controllable headers.",
	Scope:   rules.ScopeTree, Kinds: pyKinds, Requires: requiresEntries,
	Doc: rules.Doc{
		What:       "Reports `USE_X_FORWARDED_HOST = True` or `USE_X_FORWARDED_PORT = True` (both default False) in a settings module that is not for development.",
		Why:        "Django then takes the host (or port) of absolute URLs, password-reset links and CSRF origin checks from `X-Forwarded-Host`/`X-Forwarded-Port`. Unless the proxy overwrites those headers on every route, a client poisons the links Django generates; with `ALLOWED_HOSTS = ['*']` nothing stops it.",
		Example:    "USE_X_FORWARDED_HOST = True",
		Fix:        "Leave both False unless the proxy sets the header on every route (`proxy_set_header X-Forwarded-Host $host;`), and keep `ALLOWED_HOSTS` explicit.",
		References: []string{djangoSettingsRef + "#use-x-forwarded-host"},
	},
	Check: func(p *rules.Pass) {
		t := deployTree(p)
		if t == nil {
			return
		}
		for _, name := range []string{"USE_X_FORWARDED_HOST", "USE_X_FORWARDED_PORT"} {
			s := get(t, name)
			o, ok := certainOutcome(s.value())
			if !ok || truthy(o.obj) != truthTrue {
				continue
			}
			hdr := "HTTP_X_FORWARDED_HOST"
			if name == "USE_X_FORWARDED_PORT" {
				hdr = "HTTP_X_FORWARDED_PORT"
			}
			d := rules.Diagnostic{Range: s.rng(), Key: rules.TrustKey(t.Root().Path, hdr),
				Message: fmt.Sprintf("%s is True%s: Django trusts the client-controllable %s header.", name, o.whenUnset(), rules.HeaderName(hdr))}
			if c, ok := o.obj.(python.Bool); ok && bool(c) && o.env == "" && s.inTree(s.rng()) {
				d.Fixes = []rules.Fix{{Description: "Set " + name + " = False", Edits: []rules.Edit{{Range: s.rng(), NewText: "False"}}}}
			}
			p.Report(d)
		}
	},
}

// AllowedHostsWildcard reports "*" in ALLOWED_HOSTS.
var AllowedHostsWildcard = &rules.Rule{
	Code: "D004", Name: "allowed-hosts-wildcard", Severity: rules.Medium, CWE: []string{"CWE-346"},
	Summary: "ALLOWED_HOSTS (or Starlette's TrustedHostMiddleware) accepts every Host header.",
	Scope:   rules.ScopeTree, Kinds: pyKinds, Requires: requiresEntries,
	Doc: rules.Doc{
		What:       "Reports `'*'` in `ALLOWED_HOSTS` of a settings module that is not for development (including the default of an environment read), and the same Host allow-list of a Starlette or FastAPI app: a `TrustedHostMiddleware` whose literal `allowed_hosts` contains `'*'` or that is installed without `allowed_hosts` (its default is `['*']`).",
		Why:        "Host validation is the last line of defence against Host-header poisoning of password-reset links and caches. With `*`, any Host (and, with USE_X_FORWARDED_HOST, or hypercorn's ProxyFixMiddleware rewriting Host from X-Forwarded-Host, any X-Forwarded-Host) is accepted.",
		Example:    "ALLOWED_HOSTS = ['*']\n# FastAPI\napp.add_middleware(TrustedHostMiddleware, allowed_hosts=['*'])",
		Fix:        "List the host names the site serves: `ALLOWED_HOSTS = ['app.example.com']`, `allowed_hosts=['app.example.com']`.",
		References: []string{djangoSettingsRef + "#allowed-hosts", "https://www.starlette.io/middleware/#trustedhostmiddleware"},
	},
	Check: func(p *rules.Pass) {
		if t, ok := p.Tree.(*python.Tree); ok && t.Role == python.RoleApp {
			for _, d := range trustedHostWildcards(t) {
				p.Report(d)
			}
			return
		}
		t := deployTree(p)
		if t == nil {
			return
		}
		s := get(t, "ALLOWED_HOSTS")
		o, ok := certainOutcome(s.value())
		if !ok {
			return
		}
		seq, isSeq := o.obj.(*python.SeqObj)
		if !isSeq {
			return
		}
		for _, e := range seq.Elems {
			if h, ok := e.Str(); ok && h == "*" {
				r := e.Range
				if !r.IsValid() || !s.inTree(r) {
					r = s.rng()
				}
				p.Report(rules.Diagnostic{Range: r, Key: s.key(), Message: "ALLOWED_HOSTS contains '*'" + o.whenUnset() + ": any Host header is accepted."})
				return
			}
		}
	},
}

// DebugTrue reports DEBUG = True outside development settings (W018).
var DebugTrue = &rules.Rule{
	Code: "D005", Name: "debug-true", Severity: rules.High, CWE: []string{"CWE-489", "CWE-215"},
	Summary: "DEBUG is True in a settings module that is not for development (check --deploy W018).",
	Scope:   rules.ScopeTree, Kinds: pyKinds, Requires: requiresEntries,
	Doc: rules.Doc{
		What:       "Reports `DEBUG` that is True, or that defaults to True when its environment variable is unset, in a settings module not recognised as development (`dev`, `development`, `local`, `test`, `tests`, `ci`, `*_dev`, `*_local`, `*_test`, or a `dev-settings` glob of the configuration), nor judged by its entry points to be one: a module that no deployment entry point names (the app server's environment, compose, Kubernetes, `wsgi.py`/`asgi.py`) and that sits in a demo or test directory (`example/`, `demo/`, `tests/`, `testapp/`, ...) or that only `manage.py` or a test runner's configuration (pytest's `DJANGO_SETTINGS_MODULE`) names. The effective production module is never treated as development. Django's `check --deploy` reports the same as security.W018.",
		Why:        "Debug pages disclose settings, source snippets, SQL and the request's headers (including forwarded client-certificate data) to anyone who triggers an error; DEBUG also disables ALLOWED_HOSTS protection when the list is empty.",
		Example:    "DEBUG = os.environ.get('DJANGO_DEBUG', 'True') == 'True'",
		Fix:        "Default to False and enable debugging explicitly in development: `DEBUG = os.environ.get('DJANGO_DEBUG') == '1'`.",
		References: []string{djangoChecks, djangoSettingsRef + "#debug"},
	},
	Check: func(p *rules.Pass) {
		t := deployTree(p)
		if t == nil {
			return
		}
		s := get(t, "DEBUG")
		o, ok := certainOutcome(s.value())
		if !ok || truthy(o.obj) != truthTrue {
			return
		}
		msg := "DEBUG is True in a settings module not marked for development"
		if o.env != "" {
			msg = "DEBUG defaults to True when " + rules.Clip(o.env, 30) + " is not set"
		}
		d := rules.Diagnostic{Range: s.rng(), Key: s.key(), Message: msg, Detail: t.Root().Path + " is a settings module not marked for development."}
		if b, ok := o.obj.(python.Bool); ok && bool(b) && o.env == "" && s.inTree(s.rng()) {
			d.Fixes = []rules.Fix{{Description: "Set DEBUG = False", Edits: []rules.Edit{{Range: s.rng(), NewText: "False"}}}}
		}
		p.Report(d)
	},
}

// deployCheck builds a rule that mirrors one of Django's check --deploy
// warnings.
func deployCheck(code, name, wcode string, sev rules.Severity, cwe []string, summary string, doc rules.Doc, check func(p *rules.Pass, t *python.Tree)) *rules.Rule {
	doc.References = append([]string{djangoChecks}, doc.References...)
	return &rules.Rule{Code: code, Name: name, Severity: sev, CWE: cwe, Summary: summary + " (check --deploy " + wcode + ")",
		Scope: rules.ScopeTree, Kinds: pyKinds, Doc: doc, Requires: requiresEntries,
		Check: func(p *rules.Pass) {
			if t := deployTree(p); t != nil {
				check(p, t)
			}
		}}
}

// securityMiddleware reports whether SecurityMiddleware is certainly in
// MIDDLEWARE (known), certainly not, or unknown.
func securityMiddleware(t *python.Tree) (present, known bool) {
	entries, _, ok := middleware(t)
	if !ok {
		return false, false
	}
	return indexOf(entries, securityMW) >= 0, true
}

// notTrue reports whether a setting is certainly not True (Django's "is
// True" tests), with its default when unset.
func notTrue(t *python.Tree, name string) (setting, outcome, bool) {
	s := get(t, name)
	if s.unsetForSure() {
		return s, outcome{}, true
	}
	o, ok := certainOutcome(s.value())
	if !ok {
		return s, o, false
	}
	b, isBool := o.obj.(python.Bool)
	return s, o, !(isBool && bool(b))
}

// falsy reports whether a setting is certainly falsy (Django's "not
// settings.X" tests); unset uses the default.
func falsy(t *python.Tree, name string, defaultFalsy bool) (setting, outcome, bool) {
	s := get(t, name)
	if s.unsetForSure() {
		return s, outcome{}, defaultFalsy
	}
	o, ok := certainOutcome(s.value())
	if !ok {
		return s, o, false
	}
	return s, o, truthy(o.obj) == truthFalse
}

func report(p *rules.Pass, t *python.Tree, s setting, o outcome, msg string, fix *rules.Fix) {
	reportAt(p, t, s, o, msg, fix, anchor(t))
}

// reportAt is report with the anchor for an unset setting.
func reportAt(p *rules.Pass, t *python.Tree, s setting, o outcome, msg string, fix *rules.Fix, missing source.Range) {
	r := s.rng()
	if s.binding == nil || !r.IsValid() {
		r = missing
	}
	d := rules.Diagnostic{Range: r, Key: s.key(), Message: msg + o.whenUnset() + "."}
	if fix != nil && s.binding != nil && s.inTree(r) && o.env == "" {
		d.Fixes = []rules.Fix{*fix}
	}
	p.Report(d)
}

// SecurityMiddlewareMissing mirrors W001.
var SecurityMiddlewareMissing = deployCheck("D006", "security-middleware-missing", "W001", rules.Medium, []string{"CWE-693"},
	"SecurityMiddleware is not in MIDDLEWARE",
	rules.Doc{
		What:    "Reports a MIDDLEWARE list (known statically) without `django.middleware.security.SecurityMiddleware`, as Django's security.W001 does.",
		Why:     "Without it, HSTS, SSL redirects, the referrer policy and nosniff headers are never set, whatever the settings say.",
		Example: "MIDDLEWARE = ['django.contrib.sessions.middleware.SessionMiddleware']",
		Fix:     "Put `django.middleware.security.SecurityMiddleware` first in MIDDLEWARE.",
	},
	func(p *rules.Pass, t *python.Tree) {
		entries, s, ok := middleware(t)
		if !ok || indexOf(entries, securityMW) >= 0 {
			return
		}
		o, _ := certainOutcome(s.value())
		report(p, t, s, o, "MIDDLEWARE does not contain django.middleware.security.SecurityMiddleware (W001)", nil)
	})

// HSTSMissing mirrors W004.
var HSTSMissing = deployCheck("D007", "hsts-missing", "W004", rules.Medium, []string{"CWE-319", "CWE-523"},
	"SECURE_HSTS_SECONDS is not set",
	rules.Doc{
		What:    "Reports a settings module with SecurityMiddleware whose `SECURE_HSTS_SECONDS` is unset or 0, as security.W004 does.",
		Why:     "Without HTTP Strict Transport Security a browser's first request (or any link with http://) goes over plain HTTP, where it can be intercepted or downgraded.",
		Example: "SECURE_HSTS_SECONDS = 0",
		Fix:     "Set `SECURE_HSTS_SECONDS = 31536000` once the whole site is served over HTTPS.",
	},
	func(p *rules.Pass, t *python.Tree) {
		if present, known := securityMiddleware(t); !present || !known {
			return
		}
		if s, o, ok := falsy(t, "SECURE_HSTS_SECONDS", true); ok {
			report(p, t, s, o, "SECURE_HSTS_SECONDS is not set, so browsers are never told to use HTTPS only (W004)", nil)
		}
	})

func hstsOn(t *python.Tree) bool {
	if present, known := securityMiddleware(t); !present || !known {
		return false
	}
	s := get(t, "SECURE_HSTS_SECONDS")
	o, ok := certainOutcome(s.value())
	return ok && truthy(o.obj) == truthTrue
}

// HSTSSubdomains mirrors W005.
var HSTSSubdomains = deployCheck("D008", "hsts-subdomains-missing", "W005", rules.Low, []string{"CWE-319"},
	"SECURE_HSTS_INCLUDE_SUBDOMAINS is not True",
	rules.Doc{
		What:    "Reports HSTS without `SECURE_HSTS_INCLUDE_SUBDOMAINS = True`, as security.W005 does.",
		Why:     "Subdomains stay reachable over plain HTTP, where a network attacker can set cookies for the parent domain.",
		Example: "SECURE_HSTS_SECONDS = 31536000",
		Fix:     "Add `SECURE_HSTS_INCLUDE_SUBDOMAINS = True` when every subdomain serves HTTPS.",
	},
	func(p *rules.Pass, t *python.Tree) {
		if !hstsOn(t) {
			return
		}
		if s, o, ok := notTrue(t, "SECURE_HSTS_INCLUDE_SUBDOMAINS"); ok {
			reportAt(p, t, s, o, "SECURE_HSTS_INCLUDE_SUBDOMAINS is not True (W005)", &rules.Fix{Description: "Set it to True", Edits: []rules.Edit{{Range: s.rng(), NewText: "True"}}}, get(t, "SECURE_HSTS_SECONDS").rng())
		}
	})

// HSTSPreload mirrors W021.
var HSTSPreload = deployCheck("D009", "hsts-preload-missing", "W021", rules.Low, []string{"CWE-319"},
	"SECURE_HSTS_PRELOAD is not True",
	rules.Doc{
		What:    "Reports HSTS without `SECURE_HSTS_PRELOAD = True`, as security.W021 does.",
		Why:     "Without preloading, a browser's very first visit is still unprotected.",
		Example: "SECURE_HSTS_SECONDS = 31536000",
		Fix:     "Set `SECURE_HSTS_PRELOAD = True` and submit the domain to the preload list, if that suits the site.",
	},
	func(p *rules.Pass, t *python.Tree) {
		if !hstsOn(t) {
			return
		}
		if s, o, ok := notTrue(t, "SECURE_HSTS_PRELOAD"); ok {
			reportAt(p, t, s, o, "SECURE_HSTS_PRELOAD is not True (W021)", &rules.Fix{Description: "Set it to True", Edits: []rules.Edit{{Range: s.rng(), NewText: "True"}}}, get(t, "SECURE_HSTS_SECONDS").rng())
		}
	})

// SSLRedirect mirrors W008.
var SSLRedirect = deployCheck("D010", "ssl-redirect-off", "W008", rules.Medium, []string{"CWE-319"},
	"SECURE_SSL_REDIRECT is not True",
	rules.Doc{
		What:    "Reports a settings module with SecurityMiddleware whose `SECURE_SSL_REDIRECT` is not True, as security.W008 does.",
		Why:     "Plain-HTTP requests are served instead of redirected, so credentials and session cookies may travel unencrypted. (With SECURE_PROXY_SSL_HEADER, the redirect also depends on a header the proxy must set; see D002.)",
		Example: "SECURE_SSL_REDIRECT = False",
		Fix:     "Set `SECURE_SSL_REDIRECT = True`, or redirect at the proxy and say so in a suppression.",
	},
	func(p *rules.Pass, t *python.Tree) {
		if present, known := securityMiddleware(t); !present || !known {
			return
		}
		if s, o, ok := notTrue(t, "SECURE_SSL_REDIRECT"); ok {
			report(p, t, s, o, "SECURE_SSL_REDIRECT is not True, so plain-HTTP requests are served (W008)", &rules.Fix{Description: "Set it to True", Edits: []rules.Edit{{Range: s.rng(), NewText: "True"}}})
		}
	})

// SecretKeyWeak mirrors W009.
var SecretKeyWeak = deployCheck("D011", "secret-key-weak", "W009", rules.High, []string{"CWE-321", "CWE-798"},
	"SECRET_KEY is short, repetitive or a django-insecure- key",
	rules.Doc{
		What:    "Reports a `SECRET_KEY` literal (or the default of its environment read) shorter than 50 characters, with fewer than 5 distinct characters, or starting with `django-insecure-`, as security.W009 does.",
		Why:     "The key signs sessions, password-reset tokens and signed cookies; a weak or published key lets anyone forge them.",
		Example: "SECRET_KEY = 'django-insecure-abc'",
		Fix:     "Read a long random key from the environment with no default: `SECRET_KEY = os.environ['DJANGO_SECRET_KEY']`.",
	},
	func(p *rules.Pass, t *python.Tree) {
		s := get(t, "SECRET_KEY")
		o, ok := certainOutcome(s.value())
		if !ok {
			return
		}
		key, isStr := o.obj.(python.Str)
		if !isStr {
			return
		}
		k := string(key)
		distinct := map[rune]bool{}
		for _, c := range k {
			distinct[c] = true
		}
		var why string
		switch {
		case strings.HasPrefix(k, "django-insecure-"):
			why = "starts with django-insecure-"
		case len([]rune(k)) < 50:
			why = fmt.Sprintf("has %d characters (fewer than 50)", len([]rune(k)))
		case len(distinct) < 5:
			why = "has fewer than 5 distinct characters"
		default:
			return
		}
		report(p, t, s, o, "SECRET_KEY "+why+" (W009)", nil)
	})

// SessionCookieInsecure mirrors W010/W011/W012.
var SessionCookieInsecure = deployCheck("D012", "session-cookie-insecure", "W010/W011/W012", rules.Medium, []string{"CWE-614"},
	"SESSION_COOKIE_SECURE is not True while sessions are used",
	rules.Doc{
		What:    "Reports `SESSION_COOKIE_SECURE` that is not set to a true value while `django.contrib.sessions` is installed (W010), SessionMiddleware is in MIDDLEWARE (W011), or both (W012).",
		Why:     "The session cookie is then also sent over plain HTTP, where it can be stolen; with certificate-based login a stolen session bypasses the certificate entirely.",
		Example: "SESSION_COOKIE_SECURE = False",
		Fix:     "Set `SESSION_COOKIE_SECURE = True`.",
	},
	func(p *rules.Pass, t *python.Tree) {
		s, o, ok := falsy(t, "SESSION_COOKIE_SECURE", true)
		if !ok {
			return
		}
		entries, _, mwKnown := middleware(t)
		app, appKnown := inList(t, "INSTALLED_APPS", "django.contrib.sessions")
		mw := mwKnown && indexOf(entries, sessionMW) >= 0
		var code string
		switch {
		case app && mw:
			code = "W012"
		case app && mwKnown:
			code = "W010"
		case mw && appKnown:
			code = "W011"
		default:
			return
		}
		report(p, t, s, o, "SESSION_COOKIE_SECURE is not True, so the session cookie is sent over HTTP ("+code+")", &rules.Fix{Description: "Set it to True", Edits: []rules.Edit{{Range: s.rng(), NewText: "True"}}})
	})

// inList reports whether a list setting certainly contains item; known is
// false when the list is not statically known.
func inList(t *python.Tree, name, item string) (found, known bool) {
	s := get(t, name)
	if s.unsetForSure() {
		return false, true
	}
	o, ok := certainOutcome(s.value())
	if !ok {
		return false, false
	}
	seq, isSeq := o.obj.(*python.SeqObj)
	if !isSeq {
		return false, false
	}
	for _, e := range seq.Elems {
		str, ok := e.Str()
		if !ok {
			return false, false
		}
		if str == item {
			return true, true
		}
	}
	return false, true
}

// CSRFCookieInsecure mirrors W016.
var CSRFCookieInsecure = deployCheck("D013", "csrf-cookie-insecure", "W016", rules.Medium, []string{"CWE-614"},
	"CSRF_COOKIE_SECURE is not True while CsrfViewMiddleware is used",
	rules.Doc{
		What:    "Reports `CSRF_COOKIE_SECURE` that is not set to a true value while CsrfViewMiddleware is in MIDDLEWARE and CSRF_USE_SESSIONS is off, as security.W016 does.",
		Why:     "The CSRF cookie is sent over plain HTTP, where a network attacker can read or plant it.",
		Example: "CSRF_COOKIE_SECURE = False",
		Fix:     "Set `CSRF_COOKIE_SECURE = True`.",
	},
	func(p *rules.Pass, t *python.Tree) {
		entries, _, ok := middleware(t)
		if !ok || indexOf(entries, csrfMW) < 0 {
			return
		}
		if _, _, off := falsy(t, "CSRF_USE_SESSIONS", true); !off {
			return
		}
		if s, o, ok := falsy(t, "CSRF_COOKIE_SECURE", true); ok {
			report(p, t, s, o, "CSRF_COOKIE_SECURE is not True, so the CSRF cookie is sent over HTTP (W016)", &rules.Fix{Description: "Set it to True", Edits: []rules.Edit{{Range: s.rng(), NewText: "True"}}})
		}
	})

// AllowedHostsEmpty mirrors W020.
var AllowedHostsEmpty = deployCheck("D014", "allowed-hosts-empty", "W020", rules.Low, []string{"CWE-346"},
	"ALLOWED_HOSTS is empty",
	rules.Doc{
		What:    "Reports an empty or unset `ALLOWED_HOSTS`, as security.W020 does.",
		Why:     "With DEBUG off Django refuses every request; the usual \"fix\" under pressure is `['*']`. With DEBUG on, any Host is accepted.",
		Example: "ALLOWED_HOSTS = []",
		Fix:     "List the site's host names.",
	},
	func(p *rules.Pass, t *python.Tree) {
		if s, o, ok := falsy(t, "ALLOWED_HOSTS", true); ok {
			report(p, t, s, o, "ALLOWED_HOSTS is empty (W020)", nil)
		}
	})

// ReferrerPolicy mirrors W022.
var ReferrerPolicy = deployCheck("D015", "referrer-policy-missing", "W022", rules.Low, []string{"CWE-200"},
	"SECURE_REFERRER_POLICY is None",
	rules.Doc{
		What:    "Reports `SECURE_REFERRER_POLICY = None` in a settings module with SecurityMiddleware, as security.W022 does (the default, 'same-origin', passes).",
		Why:     "Full URLs, which may carry tokens, leak to other sites through the Referer header.",
		Example: "SECURE_REFERRER_POLICY = None",
		Fix:     "Remove the line (the default is 'same-origin') or choose a policy.",
	},
	func(p *rules.Pass, t *python.Tree) {
		if present, known := securityMiddleware(t); !present || !known {
			return
		}
		s := get(t, "SECURE_REFERRER_POLICY")
		o, ok := certainOutcome(s.value())
		if !ok {
			return
		}
		if _, isNone := o.obj.(python.NoneObj); isNone {
			report(p, t, s, o, "SECURE_REFERRER_POLICY is None, so no Referrer-Policy header is sent (W022)", &rules.Fix{Description: "Use 'same-origin'", Edits: []rules.Edit{{Range: s.rng(), NewText: "'same-origin'"}}})
		}
	})
