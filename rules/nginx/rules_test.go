package nginx

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/rules"
)

// Codes and names are checked with every family's (internal/lint
// TestRegistry); nginx rules also carry an example and references.
func TestRuleDocsComplete(t *testing.T) {
	for _, r := range Rules {
		d := r.Doc
		if r.Summary == "" || d.What == "" || d.Why == "" || d.Example == "" || d.Fix == "" || len(d.References) == 0 {
			t.Errorf("%s: incomplete documentation", r.Code)
		}
		if r.Severity < rules.Low || len(r.CWE) == 0 || r.Check == nil || r.Scope != rules.ScopeTree || len(r.Kinds) == 0 {
			t.Errorf("%s: severity, CWE, check, scope or kinds missing", r.Code)
		}
	}
}

const trapConfig = `events {}
http {
    server {
        listen 443 ssl;
        server_name app.example.com;
        ssl_client_certificate /etc/nginx/ca.pem;
        ssl_verify_client on;
        ssl_crl /etc/nginx/ca.crl;
        ssl_protocols TLSv1.2 TLSv1.3;
        proxy_set_header X-SSL-Client-Verify $ssl_client_verify;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Request-Id $request_id;
        location /ws {
            proxy_set_header Upgrade $http_upgrade; # websocket
            proxy_pass http://app;
        }
        location /one { proxy_set_header X-A 1; proxy_pass http://app; }
    }
}
`

func TestInheritanceFindingsAndFix(t *testing.T) {
	files := map[string]string{"nginx.conf": trapConfig}
	ds := lint(t, files, "", HeaderInheritance)
	// Two trusted headers lost in each of two locations; X-Request-Id
	// is lost too but is not an identity or scheme header.
	expectAt(t, ds, "N001 nginx.conf:13", "N001 nginx.conf:13", "N001 nginx.conf:17", "N001 nginx.conf:17")
	for _, d := range ds {
		if !strings.HasPrefix(d.Key.String(), "route:nginx.conf#server=app.example.com@*:443#location=") || !strings.Contains(d.Key.String(), "|header:x-") {
			t.Errorf("key %q", d.Key)
		}
		if len(d.Related) != 1 || d.Related[0].Range.Start.Line < 10 || d.Related[0].Range.Start.Line > 11 {
			t.Errorf("related %+v", d.Related)
		}
		if len(d.Fixes) != 1 || !d.Fixes[0].Safe {
			t.Errorf("want one safe fix: %+v", d.Fixes)
		}
	}
	fixed := applyFixes(t, files, ds)
	if !strings.Contains(fixed["nginx.conf"], "proxy_set_header Upgrade $http_upgrade; # websocket\n            proxy_set_header ") {
		t.Errorf("fix does not follow the last header line with its indentation:\n%s", fixed["nginx.conf"])
	}
	if !strings.Contains(fixed["nginx.conf"], "proxy_set_header X-A 1; proxy_set_header ") {
		t.Errorf("one-line block: fix not placed after the directive:\n%s", fixed["nginx.conf"])
	}
	if again := lint(t, fixed, "", HeaderInheritance); len(again) != 0 {
		t.Errorf("findings after the fix: %v\n%s", at(again), fixed["nginx.conf"])
	}
}

func TestRouteGapFixAndValues(t *testing.T) {
	files := map[string]string{"nginx.conf": `events {}
http {
    server {
        listen 443 ssl;
        ssl_verify_client on;
        ssl_client_certificate /etc/nginx/ca.pem;
        location / {
            proxy_set_header X-SSL-Client-Verify $ssl_client_verify;
            proxy_set_header X-Forwarded-Proto https;
            proxy_pass http://127.0.0.1:8000;
        }
    }
    server {
        listen 80;
        location / {
            proxy_pass http://127.0.0.1:8000/;
        }
    }
}
`}
	ds := lint(t, files, "", RouteGap)
	expectAt(t, ds, "N006 nginx.conf:15", "N006 nginx.conf:15")
	sev := map[string]rules.Severity{}
	for _, d := range ds {
		sev[d.Key.String()] = d.Severity
	}
	if sev["route:nginx.conf#server=_@*:80#location=/|header:x-ssl-client-verify"] != rules.Critical ||
		sev["route:nginx.conf#server=_@*:80#location=/|header:x-forwarded-proto"] != rules.High {
		t.Errorf("keys and severities: %v", sev)
	}
	fixed := applyFixes(t, files, ds)
	// The constant "https" would be a lie on port 80, and port 80 verifies
	// no certificate: the fix blanks both.
	for _, want := range []string{`proxy_set_header X-SSL-Client-Verify "";`, `proxy_set_header X-Forwarded-Proto "";`} {
		if !strings.Contains(fixed["nginx.conf"][strings.Index(fixed["nginx.conf"], "listen 80"):], want) {
			t.Errorf("fix did not add %s:\n%s", want, fixed["nginx.conf"])
		}
	}
	if again := lint(t, fixed, "", RouteGap, HeaderInheritance); len(again) != 0 {
		t.Errorf("findings after the fix: %v\n%s", at(again), fixed["nginx.conf"])
	}
}

func TestRouteGapSkipsTrapsAndGatedVerify(t *testing.T) {
	ds := lint(t, map[string]string{"nginx.conf": trapConfig}, "", RouteGap)
	if len(ds) != 0 {
		t.Errorf("gaps caused by the inheritance trap are N001's: %v", at(ds))
	}
}

func TestVersionAwareRules(t *testing.T) {
	twoVhosts := map[string]string{"nginx.conf": `events {}
http {
    ssl_client_certificate /etc/nginx/ca.pem;
    ssl_crl /etc/nginx/ca.crl;
    server {
        listen 443 ssl default_server;
        server_name a;
        ssl_verify_client optional;
        if ($ssl_client_verify != SUCCESS) { return 403; }
    }
    server {
        listen 443 ssl;
        server_name b;
        ssl_verify_client on;
    }
}
`}
	for v, want := range map[string]int{"": 1, "1.22.1": 0, "1.24.0": 1, "1.26.2": 1, "1.26.3": 0, "1.27.3": 1, "1.27.4": 0, "1.11.3": 0} {
		ds := lint(t, twoVhosts, v, Resumption)
		if len(ds) != want {
			t.Errorf("N013 with nginx %q: %d findings, want %d", v, len(ds), want)
		}
		// 1.22.1 is affected, but its default protocols lack TLSv1.3.
		if v == "" && len(ds) == 1 && !strings.Contains(ds[0].Text(), "version is unknown") {
			t.Errorf("unknown version not said: %s", ds[0].Text())
		}
	}
	for v, want := range map[string]int{"": 1, "1.22.1": 1, "1.23.4": 0} {
		ds := lint(t, twoVhosts, v, WeakTLS)
		if len(ds) != want {
			t.Errorf("N010 with nginx %q: %d findings, want %d", v, len(ds), want)
			continue
		}
		if want == 1 && (ds[0].Severity != rules.Low || ds[0].Range.Start.Line != 5) {
			t.Errorf("default protocols: %s at %v", ds[0].Severity, ds[0].Range)
		}
	}
	noCRL := map[string]string{"nginx.conf": "events {}\nhttp { server { listen 443 ssl; ssl_client_certificate ca.pem; ssl_verify_client on; } }\n"}
	if ds := lint(t, noCRL, "1.18.0", Revocation); len(ds) != 1 || !strings.Contains(ds[0].Text(), "needs nginx 1.19.0") {
		t.Errorf("N009 on 1.18: %v", ds)
	}
	if ds := lint(t, noCRL, "", Revocation); len(ds) != 1 || !strings.Contains(ds[0].Text(), "ssl_ocsp on") {
		t.Errorf("N009 unknown version: %v", ds)
	}
}

func TestCertVarFix(t *testing.T) {
	files := map[string]string{"nginx.conf": "events {}\nhttp { server { location / {\n proxy_set_header X-Cert \"$ssl_client_cert\";\n proxy_set_header X-Raw $ssl_client_raw_cert;\n proxy_pass http://a; } } }\n"}
	ds := lint(t, files, "", CertVar)
	expectAt(t, ds, "N011 nginx.conf:3")
	if len(ds) != 1 || len(ds[0].Fixes) != 1 || ds[0].Fixes[0].Safe {
		t.Fatalf("want one unsafe fix: %+v", ds)
	}
	if got := applyFixes(t, files, ds)["nginx.conf"]; !strings.Contains(got, `proxy_set_header X-Cert "$ssl_client_escaped_cert";`) {
		t.Errorf("fixed: %s", got)
	}
	if ds := lint(t, files, "1.12.2", CertVar); len(ds) != 1 || len(ds[0].Fixes) != 0 || !strings.Contains(ds[0].Text(), "Upgrade nginx") {
		t.Errorf("before 1.13.5 there is no $ssl_client_escaped_cert: %+v", ds)
	}
}

func TestVhostCAMixConditions(t *testing.T) {
	base := func(defVerify, defCA, extra string) map[string]string {
		return map[string]string{"nginx.conf": `events {}
http {
    server {
        listen 443 ssl default_server;
        ` + defVerify + `
        ` + defCA + `
    }
    server {
        listen 443 ssl;
        server_name admin;
        ssl_client_certificate /etc/nginx/admin-ca.pem;
        ssl_verify_client on;
        ` + extra + `
    }
}
`}
	}
	tests := []struct {
		name                    string
		defVerify, defCA, extra string
		want                    int
	}{
		{"default verifies another CA", "ssl_verify_client optional;", "ssl_client_certificate /etc/nginx/partner-ca.pem;", "", 1},
		{"default does not verify", "", "ssl_client_certificate /etc/nginx/partner-ca.pem;", "", 0},
		{"same CA", "ssl_verify_client on;", "ssl_client_certificate /etc/nginx/admin-ca.pem;", "", 0},
		{"SNI checked", "ssl_verify_client on;", "ssl_client_certificate /etc/nginx/partner-ca.pem;", "if ($ssl_server_name != $host) { return 421; }", 0},
		{"handshake rejected", "ssl_verify_client on; ssl_reject_handshake on;", "ssl_client_certificate /etc/nginx/partner-ca.pem;", "", 0},
	}
	for _, tt := range tests {
		ds := lint(t, base(tt.defVerify, tt.defCA, tt.extra), "", VhostCAMix)
		if len(ds) != tt.want {
			t.Errorf("%s: %d findings, want %d: %v", tt.name, len(ds), tt.want, at(ds))
		}
	}
}

func TestWeakCiphers(t *testing.T) {
	tests := map[string][]string{
		"HIGH:!aNULL:!MD5": nil,
		"HIGH:!MD5":        {"anonymous suites (no !aNULL)"},
		"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384": nil,
		"EECDH+AESGCM:EDH+AESGCM":                                   nil,
		"AES256+EECDH:AES256+EDH:!aNULL":                            nil,
		"ALL:!aNULL:!eNULL":                                         {"3DES", "DES", "EXPORT", "LOW", "MD5", "RC4"},
		"ALL:!aNULL:!LOW:!MEDIUM:!EXP:!MD5":                         nil,
		"RC4-SHA:HIGH:!aNULL":                                       {"RC4"},
		"ECDHE-RSA-DES-CBC3-SHA:!aNULL":                             {"3DES"},
		"DEFAULT:@SECLEVEL=0":                                       {"@SECLEVEL=0"},
		"HIGH:!aNULL:+3DES":                                         nil,
		"kEDH+AESGCM:!aNULL":                                        nil,
		"kEDH+AESGCM":                                               {"anonymous suites (no !aNULL)"},
	}
	for spec, want := range tests {
		if got := weakCiphers(spec); !reflect.DeepEqual(got, want) {
			t.Errorf("weakCiphers(%q) = %v, want %v", spec, got, want)
		}
	}
}

func TestIsBundle(t *testing.T) {
	for p, want := range map[string]bool{
		"/etc/ssl/certs/ca-certificates.crt":                true,
		"/etc/pki/tls/certs/ca-bundle.crt":                  true,
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem": true,
		"/etc/ssl/cert.pem":                                 true,
		"/usr/local/etc/openssl@3/cert.pem":                 true,
		"/usr/lib/python3/dist-packages/certifi/cacert.pem": true,
		"/usr/local/share/certs/ca-root-nss.crt":            true,
		"/etc/ssl/certs/internal-client-ca.pem":             false,
		"/etc/nginx/certs/cert.pem":                         false,
		"/etc/nginx/cacert.pem":                             false,
		"ca.pem":                                            false,
	} {
		if got := isBundle(p); got != want {
			t.Errorf("isBundle(%q) = %v", p, got)
		}
	}
}

func TestParseVersion(t *testing.T) {
	for s, want := range map[string]string{"1.22.1": "1.22.1", "nginx/1.27.4": "1.27.4", "1.24": "1.24.0"} {
		v, ok := parseVersion(s)
		if !ok || v.String() != want {
			t.Errorf("parseVersion(%q) = %v %v", s, v, ok)
		}
	}
	for _, s := range []string{"", "latest", "1.x", "1.2.3.4", "-1.0"} {
		if _, ok := parseVersion(s); ok {
			t.Errorf("parseVersion(%q) accepted", s)
		}
	}
}

func TestUnderscoresOnlyWhereIdentityHeadersAreProxied(t *testing.T) {
	cfg := func(loc string) map[string]string {
		return map[string]string{"nginx.conf": "events {}\nhttp {\n    ignore_invalid_headers off;\n    server {\n        listen 80;\n        location / {\n            " + loc + "\n        }\n    }\n}\n"}
	}
	if ds := lint(t, cfg("proxy_set_header X-Forwarded-Proto $scheme; proxy_pass http://a;"), "", Underscores); len(ds) != 0 {
		t.Errorf("no identity header: %v", at(ds))
	}
	ds := lint(t, cfg("proxy_set_header X-Client-DN $ssl_client_s_dn; proxy_pass http://a;"), "", Underscores)
	expectAt(t, ds, "N007 nginx.conf:3")
	if len(ds) == 1 && (!strings.Contains(ds[0].Text(), "X_Client_DN") || len(ds[0].Fixes) != 1 || ds[0].Fixes[0].Safe) {
		t.Errorf("message or fix: %+v", ds[0])
	}
}

func TestVerifyOptionalForwardedThroughMap(t *testing.T) {
	ds := lint(t, map[string]string{"nginx.conf": `events {}
http {
    map $ssl_client_verify $mtls_ok { default 0; SUCCESS 1; }
    server {
        listen 443 ssl;
        ssl_verify_client optional;
        location / {
            proxy_set_header X-Mtls-Ok $mtls_ok;
            proxy_pass http://a;
        }
    }
}
`}, "", VerifyOptional)
	if len(ds) != 0 {
		t.Errorf("the verify result is forwarded through a map: %v", at(ds))
	}
}

// N002's severity depends on the port's other servers (issue 16 item 8):
// alone, a verify-off server's DN variables are always empty (low); next
// to a server that asks for certificates, a client with that server's SNI
// and this server's Host gets its own certificate's DN forwarded (high).
func TestVerifyOffSeverityBySibling(t *testing.T) {
	wiki := `
    server {
        listen 443 ssl default_server;
        server_name wiki.example.com;
        ssl_verify_client off;
        location / {
            proxy_set_header X-SSL-Client-DN $ssl_client_s_dn;
            proxy_pass http://127.0.0.1:8000;
        }
    }`
	enroll := `
    server {
        listen 443 ssl;
        server_name enroll.example.com;
        ssl_verify_client optional_no_ca;
        location / { proxy_pass http://127.0.0.1:9400; }
    }`
	alone := lint(t, map[string]string{"nginx.conf": "events {}\nhttp {" + wiki + "\n}\n"}, "", VerifyOff)
	if len(alone) != 1 || alone[0].Severity != rules.Low || !strings.Contains(alone[0].Detail, "no other server on the port") {
		t.Fatalf("alone: %+v", alone)
	}
	both := lint(t, map[string]string{"nginx.conf": "events {}\nhttp {" + wiki + enroll + "\n}\n"}, "", VerifyOff)
	if len(both) != 1 || both[0].Severity != 0 && both[0].Severity != rules.High {
		t.Fatalf("with a sibling: %+v", both)
	}
	if !strings.Contains(both[0].Message, "SNI enroll.example.com") || !strings.Contains(both[0].Message, "Host wiki.example.com") {
		t.Errorf("the message must name the SNI≠Host request: %s", both[0].Message)
	}
	other := strings.Replace(enroll, "listen 443 ssl;", "listen 8443 ssl;", 1)
	apart := lint(t, map[string]string{"nginx.conf": "events {}\nhttp {" + wiki + other + "\n}\n"}, "", VerifyOff)
	if len(apart) != 1 || apart[0].Severity != rules.Low {
		t.Errorf("a sibling on another port does not share the handshake: %+v", apart)
	}
}
