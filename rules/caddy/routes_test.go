package caddy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/caddy"
	"github.com/mtlslint/mtlslint/rules"
)

func routesFor(t *testing.T, name, text string) []*route {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := parsers.NewFSReader(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	trees, probs := caddy.Load(r, []string{name})
	if len(probs) > 0 || len(trees) != 1 {
		t.Fatalf("trees %d, problems: %v", len(trees), probs)
	}
	return routesOf(trees[0], sitesOf(trees[0]))
}

// header_up applies adds, then sets, then deletes: a delete written first
// still removes what the block sets (measured with Caddy 2.6.2).
func TestHeaderOpsOrder(t *testing.T) {
	rs := routesFor(t, "Caddyfile", `https://app.example.com:8443 {
	tls a.pem a.key {
		client_auth {
			mode verify_if_given
			trusted_ca_cert_file ca.pem
		}
	}
	request_header -*Ssl*
	reverse_proxy /api/* 127.0.0.1:8000 {
		header_up -X-Client-*
		header_up X-Client-DN {tls_client_subject}
		header_up +X-Trace 1
		header_up X-Name {http.request.header.X-Name}
		trusted_proxies private_ranges
	}
}
`)
	if len(rs) != 1 {
		t.Fatalf("routes: %d", len(rs))
	}
	r := rs[0]
	for h, want := range map[string]rules.HeaderAction{
		"x-client-dn":         rules.Blanked,
		"x-ssl-client-verify": rules.Blanked, // by request_header -*Ssl*
		"x-trace":             rules.Appended,
		"x-name":              rules.SetClient,
		"x-forwarded-proto":   rules.Conditional,
		"x-other":             rules.Passthrough,
	} {
		if got := r.Header(h).Action; got != want {
			t.Errorf("%s: got %v, want %v", h, got, want)
		}
	}
	if _, ok := r.deletedAfterSet["x-client-dn"]; !ok {
		t.Error("the delete after the set is not recorded")
	}
	if r.AdmitsUnderscoreOf("X-SSL-Client-DN") || !r.AdmitsUnderscoreOf("X-Client-DN") {
		t.Error("underscore spellings: *Ssl* removes them all, X-Client-* only the dash one")
	}
	if r.Listener.Verify != rules.VerifyOptional || r.Listener.Endpoint.Port != "8443" || !r.Listener.TLS || r.Path != "/api/*" {
		t.Errorf("listener: %+v path %q", r.Listener, r.Path)
	}
}

func TestJSONRoutes(t *testing.T) {
	rs := routesFor(t, "caddy.json", `{"apps": {"http": {"servers": {"s": {
		"listen": [":443"],
		"routes": [{"match": [{"host": ["a.example.com"]}], "handle": [{"handler": "subroute", "routes": [{"handle": [
			{"handler": "reverse_proxy", "upstreams": [{"dial": "app:8000"}],
			 "headers": {"request": {"set": {"X-SSL-Client-DN": ["{http.request.tls.client.subject}"]}, "delete": ["X-SSL-Client-Verify"]}}}
		]}]}]}],
		"tls_connection_policies": [{"client_authentication": {"mode": "require", "trusted_ca_certs_pem_files": ["/ca.pem"]}}]
	}}}}}`)
	if len(rs) != 1 {
		t.Fatalf("routes: %d", len(rs))
	}
	r := rs[0]
	if r.Header("X-SSL-Client-DN").Action != rules.SetTLS || r.Header("X-SSL-Client-Verify").Action != rules.Blanked {
		t.Errorf("headers: %+v", r.Headers)
	}
	if r.Listener.Verify != rules.VerifyOptionalNoCA || r.Upstream.Servers[0].Host != "app" || len(r.Hosts) != 1 {
		t.Errorf("route: %+v", r.Route)
	}
}

// TestFactsAndHint: what a value carries is read from Caddy's
// placeholders, and a fix is said in Caddy's syntax.
func TestFactsAndHint(t *testing.T) {
	rs := routesFor(t, "Caddyfile", `https://app.example.com {
	tls a.pem a.key {
		client_auth {
			mode require_and_verify
			trusted_ca_cert_file ca.pem
		}
	}
	reverse_proxy 127.0.0.1:8000 {
		header_up X-SSL-Client-DN {http.request.tls.client.subject}
		header_up X-SSL-Client-Cert {tls_client_certificate_pem}
		header_up X-Both "{tls_client_subject} {tls_client_issuer}"
	}
}
`)
	if len(rs) != 1 {
		t.Fatalf("routes: %d", len(rs))
	}
	r := rs[0]
	for h, want := range map[string]rules.Fact{
		"x-ssl-client-dn":   rules.FactSubjectDN,
		"x-ssl-client-cert": rules.FactCert,
		"x-both":            rules.FactNone,
		"x-forwarded-proto": rules.FactScheme, // set by reverse_proxy: no trusted_proxies
		"x-forwarded-host":  rules.FactHost,
	} {
		if got := r.Header(h).Fact; got != want {
			t.Errorf("%s: fact %v, want %v", h, got, want)
		}
	}
	for fact, want := range map[rules.Fact]string{
		rules.FactSubjectDN: "header_up X-SSL-Client-DN {tls_client_subject}",
		rules.FactVerify:    "request_header -X-SSL-Client-DN",
		rules.FactNone:      "request_header -X-SSL-Client-DN",
	} {
		if got := r.FixHint("x-ssl-client-dn", fact); !strings.Contains(got, want) {
			t.Errorf("hint for %v: %q, want it to contain %s", fact, got, want)
		}
	}
}

// TestUnreplaced: what Caddy sends for a client-certificate placeholder
// without a value is the placeholder, in the long form the adapter writes.
func TestUnreplaced(t *testing.T) {
	for value, want := range map[string]string{
		"{tls_client_subject}":                       "{http.request.tls.client.subject}",
		"{http.request.tls.client.fingerprint}":      "{http.request.tls.client.fingerprint}",
		" {tls_client_certificate_der_base64} ":      "{http.request.tls.client.certificate_der_base64}",
		"{http.request.scheme}":                      "", // not a certificate fact
		"CN={tls_client_subject}":                    "", // not the placeholder alone
		"{http.request.header.X-SSL-Client-Subject}": "",
	} {
		if got := unreplaced(value, factOf(value)); got != want {
			t.Errorf("%q: got %q, want %q", value, got, want)
		}
	}
}
