package apache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/apache"
	"github.com/mtlslint/mtlslint/rules"
)

func routesFor(t *testing.T, text string) []*route {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "httpd.conf"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := parsers.NewFSReader(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	trees, probs := apache.Load(r, []string{"httpd.conf"})
	if len(probs) > 0 || len(trees) != 1 {
		t.Fatalf("trees %d, problems: %v", len(trees), probs)
	}
	return newConfig(trees[0]).routes()
}

func TestHeaderTreatments(t *testing.T) {
	rs := routesFor(t, `ProxyAddHeaders On
<VirtualHost 127.0.0.1:8443>
    SSLEngine on
    SSLVerifyClient optional
    RequestHeader set X-SSL-Client-DN "%{SSL_CLIENT_S_DN}s"
    RequestHeader append X-SSL-Client-DN "again"
    RequestHeader unset X-SSL-Client-Cert early
    RequestHeader set X-Client-Name "%{X-Name}i"
    RequestHeader set X-SSL-Client-Verify "%{SSL_CLIENT_VERIFY}s" env=HAVE_CERT
    <If "%{SSL_CLIENT_VERIFY} != 'SUCCESS'">
        Require all denied
    </If>
    <Location /api>
        RequestHeader set X-Api "1"
    </Location>
    ProxyPass /api http://127.0.0.1:8000/api
    ProxyPass /other unix:/run/app.sock|http://localhost/other
    WSGIScriptAlias /w /srv/app/wsgi.py process-group=app
</VirtualHost>
`)
	if len(rs) != 3 {
		t.Fatalf("routes: %d", len(rs))
	}
	byPath := map[string]*route{}
	for _, r := range rs {
		byPath[r.Path] = r
	}
	api := byPath["/api"]
	for h, want := range map[string]rules.HeaderAction{
		"x-ssl-client-dn":     rules.SetTLS, // append after set keeps the overwrite
		"x-ssl-client-cert":   rules.Blanked,
		"x-client-name":       rules.SetClient,
		"x-ssl-client-verify": rules.Conditional,
		"x-api":               rules.SetConst,
		"x-forwarded-host":    rules.Appended,
	} {
		if got := api.Header(h).Action; got != want {
			t.Errorf("/api %s: got %v, want %v", h, got, want)
		}
	}
	// mod_headers writes "(null)" for an SSL variable without a value
	if got := api.Header("x-ssl-client-dn").Missing; got != "(null)" {
		t.Errorf("/api x-ssl-client-dn without a certificate: %q, want (null)", got)
	}
	if got := api.Header("x-api").Missing; got != "" {
		t.Errorf("/api x-api missing text: %q, want none", got)
	}
	if byPath["/other"].Header("x-api").Action != rules.Passthrough {
		t.Error("the <Location /api> header applies to /other")
	}
	if !api.Gated || api.Listener.Verify != rules.VerifyOptional || !api.Listener.TLS || api.Listener.Endpoint.Port != "8443" {
		t.Errorf("listener: %+v gated %v", api.Listener, api.Gated)
	}
	if api.OmitsEmpty || !api.AdmitsUnderscore || api.Upstream.Servers[0].Port != "8000" {
		t.Errorf("facts: %+v", api.Route)
	}
	if u := byPath["/other"].Upstream; u.Servers[0].Unix != "/run/app.sock" {
		t.Errorf("unix upstream: %+v", u)
	}
	w := byPath["/w"]
	if w.AdmitsUnderscore || len(w.Upstream.Workloads) != 1 || w.Upstream.Workloads[0].Name != "mod_wsgi app" {
		t.Errorf("mod_wsgi route: %+v", w.Route)
	}
}

// TestFactsAndHint: what a value carries is read from mod_ssl's variables,
// and a fix is said in httpd's syntax.
func TestFactsAndHint(t *testing.T) {
	rs := routesFor(t, `<VirtualHost *:443>
    SSLEngine on
    SSLVerifyClient optional
    RequestHeader set X-SSL-Client-Verify "%{SSL_CLIENT_VERIFY}s"
    RequestHeader set X-SSL-Client-DN "%{SSL_CLIENT_S_DN}s" env=SSL_CLIENT_S_DN
    RequestHeader set X-Both "%{SSL_CLIENT_S_DN}s/%{SSL_CLIENT_I_DN}s"
    RequestHeader set X-Forwarded-Proto "expr=%{REQUEST_SCHEME}"
    ProxyPass / http://127.0.0.1:8000/
</VirtualHost>
`)
	if len(rs) != 1 {
		t.Fatalf("routes: %d", len(rs))
	}
	r := rs[0]
	for h, want := range map[string]rules.Fact{
		"x-ssl-client-verify": rules.FactVerify, // SUCCESS, NONE, FAILED:<reason>
		"x-ssl-client-dn":     rules.FactSubjectDN,
		"x-both":              rules.FactNone, // two facts in one value
		"x-forwarded-proto":   rules.FactScheme,
	} {
		if got := r.Header(h).Fact; got != want {
			t.Errorf("%s: fact %v, want %v", h, got, want)
		}
	}
	if !r.Header("x-ssl-client-dn").CertGuarded || r.Header("x-ssl-client-verify").CertGuarded {
		t.Error("env=SSL_CLIENT_S_DN guards the DN by a certificate; the verify header is set always")
	}
	for fact, want := range map[rules.Fact]string{
		rules.FactVerify:    `RequestHeader set X-SSL-Client-Verify "%{SSL_CLIENT_VERIFY}s"`,
		rules.FactSubjectDN: `RequestHeader set X-SSL-Client-Verify "%{SSL_CLIENT_S_DN}s"`,
		rules.FactNone:      "RequestHeader unset X-SSL-Client-Verify early",
	} {
		if got := r.FixHint("x-ssl-client-verify", fact); !strings.Contains(got, want) {
			t.Errorf("hint for %v: %q, want it to contain %s", fact, got, want)
		}
	}
}
