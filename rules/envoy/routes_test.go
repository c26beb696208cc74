package envoy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/envoy"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// config is a bootstrap with one listener: hcm and vhost are spliced into
// the connection manager and the virtual host, tls is the
// DownstreamTlsContext's body ("" for a plain listener).
func config(hcm, vhost, tls string) string {
	s := `static_resources:
  listeners:
  - name: l
    address: { socket_address: { address: 0.0.0.0, port_value: 8443 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
` + hcm + `
          route_config:
            virtual_hosts:
            - name: v
              domains: ["*"]
` + vhost + `
              routes:
              - match: { prefix: "/" }
                route: { cluster: app }
`
	if tls != "" {
		s += `      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
` + tls + "\n"
	}
	return s
}

const (
	optionalCert = "          common_tls_context: { validation_context: { trusted_ca: { filename: /ca.pem } } }"
	requiredCert = "          require_client_certificate: true\n" + optionalCert
)

func routeOf(t *testing.T, content string) *route {
	t.Helper()
	f, probs := envoy.Parse(source.NewFile("envoy.yaml", []byte(content)))
	if len(probs) > 0 {
		t.Fatalf("problems: %v\n%s", probs, content)
	}
	v, _ := rules.Evaluate(fileView, &parsers.Workspace{Trees: []parsers.Tree{f}}, f, nil).(*view)
	rs := v.routes
	if len(rs) != 1 {
		t.Fatalf("%d routes", len(rs))
	}
	return rs[0]
}

// TestXFCCTreatment follows ConnectionManagerUtility::mutateXfccRequestHeader:
// only ALWAYS_FORWARD_ONLY keeps a client's XFCC on connections without a
// certificate.
func TestXFCCTreatment(t *testing.T) {
	for _, tc := range []struct {
		mode, tls string
		want      rules.HeaderAction
	}{
		{"", requiredCert, rules.Blanked},
		{"SANITIZE_SET", requiredCert, rules.SetTLS},
		{"SANITIZE_SET", "", rules.Blanked},
		{"FORWARD_ONLY", optionalCert, rules.Passthrough},
		{"FORWARD_ONLY", "", rules.Blanked},
		{"APPEND_FORWARD", requiredCert, rules.Appended},
		{"ALWAYS_FORWARD_ONLY", "", rules.Passthrough},
	} {
		hcm := ""
		if tc.mode != "" {
			hcm = "          forward_client_cert_details: " + tc.mode
		}
		r := routeOf(t, config(hcm, "", tc.tls))
		if got := r.Header(xfcc).Action; got != tc.want {
			t.Errorf("%s (tls %t): %v, want %v", tc.mode, tc.tls != "", got, tc.want)
		}
	}
}

// TestRequestHeaders follows HeaderParser::evaluateHeaders: removals
// first, an empty value skipped, and the append action.
func TestRequestHeaders(t *testing.T) {
	add := func(value, action string) string {
		s := fmt.Sprintf("              request_headers_to_add:\n              - header: { key: x-ssl-client-dn, value: %q }", value)
		if action != "" {
			s += "\n                append_action: " + action
		}
		return s
	}
	for _, tc := range []struct {
		name, vhost, tls string
		want             rules.HeaderAction
	}{
		{"default append", add("CN=x", ""), requiredCert, rules.Appended},
		{"overwrite constant", add("CN=x", "OVERWRITE_IF_EXISTS_OR_ADD"), requiredCert, rules.SetConst},
		{"add if absent", add("CN=x", "ADD_IF_ABSENT"), requiredCert, rules.Conditional},
		{"peer subject, certificate required", add("%DOWNSTREAM_PEER_SUBJECT%", "OVERWRITE_IF_EXISTS_OR_ADD"), requiredCert, rules.SetTLS},
		{"peer subject, certificate optional", add("%DOWNSTREAM_PEER_SUBJECT%", "OVERWRITE_IF_EXISTS_OR_ADD"), optionalCert, rules.Conditional},
		{"peer subject, removed first", "              request_headers_to_remove: [x-ssl-client-dn]\n" + add("%DOWNSTREAM_PEER_SUBJECT%", "OVERWRITE_IF_EXISTS_OR_ADD"), optionalCert, rules.SetTLS},
		{"peer subject on plain text", add("%DOWNSTREAM_PEER_SUBJECT%", "OVERWRITE_IF_EXISTS_OR_ADD"), "", rules.Passthrough},
		{"client data", add("%REQ(x-user)%", "OVERWRITE_IF_EXISTS_OR_ADD"), requiredCert, rules.SetClient},
	} {
		r := routeOf(t, config("", tc.vhost, tc.tls))
		if got := r.Header("x-ssl-client-dn").Action; got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestFactsAndHint: what a value carries is read from Envoy's command
// operators, and a fix is said in Envoy's terms.
func TestFactsAndHint(t *testing.T) {
	vhost := "              request_headers_to_remove: [x-ssl-client-dn]\n              request_headers_to_add:\n              - header: { key: x-ssl-client-dn, value: \"%DOWNSTREAM_PEER_SUBJECT%\" }\n                append_action: OVERWRITE_IF_EXISTS_OR_ADD"
	r := routeOf(t, config("          forward_client_cert_details: SANITIZE_SET\n          use_remote_address: true", vhost, requiredCert))
	if h := r.Header("x-ssl-client-dn"); h.Fact != rules.FactSubjectDN || !h.CertGuarded {
		t.Errorf("x-ssl-client-dn: fact %v, guarded %t; want the subject DN, set only with a certificate", h.Fact, h.CertGuarded)
	}
	if h := r.Header(xfcc); h.Fact != rules.FactCert || !h.CertGuarded {
		t.Errorf("XFCC under SANITIZE_SET: fact %v, guarded %t", h.Fact, h.CertGuarded)
	}
	if h := r.Header("x-forwarded-proto"); h.Fact != rules.FactScheme {
		t.Errorf("X-Forwarded-Proto with use_remote_address: fact %v", h.Fact)
	}
	for header, want := range map[string]string{
		"X-SSL-Client-DN": "`%DOWNSTREAM_PEER_SUBJECT%`",
		xfcc:              "SANITIZE_SET",
		"X-Client-Role":   "request_headers_to_remove",
	} {
		if got := r.FixHint(header, rules.TLSFactOf(header)); !strings.Contains(got, want) {
			t.Errorf("hint for %s: %q, want it to mention %s", header, got, want)
		}
	}
}

func TestVerifyModes(t *testing.T) {
	for _, tc := range []struct {
		tls  string
		want rules.VerifyMode
	}{
		{"          common_tls_context: {}", rules.VerifyOff},
		{optionalCert, rules.VerifyOptional},
		{requiredCert, rules.VerifyRequired},
		{"          require_client_certificate: true\n          common_tls_context: { validation_context: { match_typed_subject_alt_names: [ { san_type: DNS, matcher: { exact: a } } ] } }", rules.VerifyOptionalNoCA},
		{"          common_tls_context: { validation_context: { trusted_ca: { filename: /ca.pem }, trust_chain_verification: ACCEPT_UNTRUSTED } }", rules.VerifyOptionalNoCA},
	} {
		if got := routeOf(t, config("", "", tc.tls)).Listener.Verify; got != tc.want {
			t.Errorf("%q: %v, want %v", tc.tls, got, tc.want)
		}
	}
}
