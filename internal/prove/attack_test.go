package prove

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/e2e"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// TestGoalOf: what a finding claims is read from its key, and for a key
// that names no route or header from the attacks its rule describes.
func TestGoalOf(t *testing.T) {
	at := source.Range{File: "app/identity.py"}
	for _, tc := range []struct {
		name       string
		f          rules.Finding
		mechanisms []e2e.Mechanism
		goal       goal
		scheme     bool
		ok         bool
	}{
		{"header on a route", rules.Finding{Diagnostic: rules.Diagnostic{Key: rules.RouteHeaderKey("r", "X-SSL-Client-DN")}}, nil, goalSpoof, false, true},
		{"verification directive", rules.Finding{Diagnostic: rules.Diagnostic{Key: rules.VerifyKey(at)}}, nil, goalReach, false, true},
		{"weak app check", rules.Finding{Diagnostic: rules.Diagnostic{Key: rules.AppReadKey(at, rules.CheckWeak, "HTTP_X_SSL_CLIENT_VERIFY"), Severity: rules.Critical}}, nil, goalReach, false, true},
		{"weak app check, undecided", rules.Finding{Diagnostic: rules.Diagnostic{Key: rules.AppReadKey(at, rules.CheckWeak, "HTTP_X_SSL_CLIENT_VERIFY"), Severity: rules.Medium}}, nil, goalReach, false, true},
		{"lock-out on a route", rules.Finding{Diagnostic: rules.Diagnostic{Key: rules.AppReadRouteKey(at, rules.CheckSemantics, "HTTP_X_SSL_CLIENT_VERIFY", "r"), Severity: rules.Medium}}, nil, goalLockout, false, true},
		{"scheme headers", rules.Finding{Diagnostic: rules.Diagnostic{Key: rules.SchemeHeadersKey(at, "r")}}, nil, goalSpoof, true, true},
		{"directive: lock-out", rules.Finding{Diagnostic: rules.Diagnostic{Key: rules.WrittenKey("C006", at)}}, []e2e.Mechanism{e2e.ValidCert}, goalLockout, false, true},
		{"directive: scheme", rules.Finding{Diagnostic: rules.Diagnostic{Key: rules.WrittenKey("C007", at)}}, []e2e.Mechanism{e2e.ForwardedProto}, goalSpoof, true, true},
		{"the app server's port", rules.Finding{Diagnostic: rules.Diagnostic{Key: rules.PublicBindKey("gunicorn.conf.py", rules.Endpoint{Port: "8000"})}}, []e2e.Mechanism{e2e.DirectApp}, goalSpoof, false, false},
	} {
		g, scheme, ok := goalOf(tc.f, tc.mechanisms)
		if g != tc.goal || scheme != tc.scheme || ok != tc.ok {
			t.Errorf("%s: goal %d scheme %v ok %v, want %d %v %v", tc.name, g, scheme, ok, tc.goal, tc.scheme, tc.ok)
		}
	}
}

// TestRequestShape: the values an attacker claims, the path and Host a
// class's request carries.
func TestRequestShape(t *testing.T) {
	for h, want := range map[string]string{
		"x-ssl-client-verify": "SUCCESS", "x-ssl-client-dn": "CN=" + e2e.UntrustedClientCN,
		"x-forwarded-proto": "https", "x-forwarded-ssl": "on", "x-forwarded-host": "attacker.example",
	} {
		if got := e2e.Claim(h, false); got.Value != want {
			t.Errorf("e2e.Claim(%s) = %q, want %q", h, got.Value, want)
		}
	}
	if got := e2e.Claim("x-ssl-client-dn", true); got.Name != "X_SSL_Client_DN" {
		t.Errorf("underscore spelling: %q", got.Name)
	}
	r := &rules.Route{Path: "/api/", Hosts: []string{"~^www\\.", "*.example.com", "api.example.com"}}
	l := Listener{Port: 8443, TLS: true}
	for path, want := range map[string]string{"": "/api/", "/exact": "/exact", "~ \\.php$": "/", "^~ /static/": "/static/",
		"= /login": "/login", "=/login": "/login", "~ ^/whoami": "/whoami", "~^/whoami$": "/whoami", "~* ^/Admin/": "/Admin/",
		"~* ^/api/v[0-9]+/": "/", "~ ^/ab+": "/ab", "~ ^/ab{2}": "/", "~ ^/(a|b)": "/", "@fallback": "/", "^~/x": "/", "~^/~guido(.*)": "/~guido", "~ ^/v\\d+/": "/"} {
		if got := classRequest(r, l, rules.RequestClass{Path: path}, e2e.Clients{}, nil).Path; got != want {
			t.Errorf("the request's path for %q = %q, want %q", path, got, want)
		}
	}
	// every sample is one the location's expression matches, as nginx
	// would: case-insensitively for ~*
	for _, loc := range []string{"~ ^/whoami", "~*^/API/", "~ ^/ab?", "~ ^/static/.*", "= /x"} {
		p, ok := e2e.SamplePath(loc)
		if !ok {
			t.Errorf("SamplePath(%q): none", loc)
			continue
		}
		mod, expr, _ := strings.Cut(strings.Replace(loc, "~*", "~* ", 1), " ")
		expr = strings.TrimSpace(expr)
		switch mod {
		case "=":
			expr = "^" + regexp.QuoteMeta(expr) + "$"
		case "~*":
			expr = "(?i)" + expr
		}
		if !regexp.MustCompile(expr).MatchString(p) {
			t.Errorf("SamplePath(%q) = %q, which the location does not match", loc, p)
		}
	}
	tlsClass := rules.RequestClass{Transport: rules.TransportTLS}
	if req := classRequest(r, l, tlsClass, e2e.Clients{}, nil); req.Host != "api.example.com" || req.TLS == nil || req.TLS.ServerName != req.Host {
		t.Errorf("the request's Host and SNI: %+v", req)
	}
	// A catch-all or a name with "_" is no name a request carries: the
	// route's next one is taken, not localhost.
	for _, hosts := range [][]string{{"_", "api.example.com"}, {"app_1.internal", "api.example.com"}} {
		named := &rules.Route{Path: "/", Hosts: hosts}
		if req := classRequest(named, l, tlsClass, e2e.Clients{}, nil); req.Host != "api.example.com" || req.TLS.ServerName != req.Host {
			t.Errorf("route names %q: Host %q, SNI %q, want api.example.com", hosts, req.Host, req.TLS.ServerName)
		}
	}
	tlsClass.Host, tlsClass.SNI = "a.example", "b.example"
	if req := classRequest(r, l, tlsClass, e2e.Clients{}, nil); req.Host != "a.example" || req.TLS == nil || req.TLS.ServerName != "b.example" {
		t.Errorf("the request of a class that differs in SNI and Host: %+v", req)
	}
	if !carriesClient(rules.Joined(rules.Const("NONE"), rules.ClientValue)) || carriesClient(rules.Const("SUCCESS")) {
		t.Error("carriesClient")
	}
}
