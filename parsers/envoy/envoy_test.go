package envoy_test

import (
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/envoy"
	"github.com/mtlslint/mtlslint/parsers/source"
)

const bootstrap = `static_resources:
  listeners:
  - name: edge
    address:
      socket_address: { address: 0.0.0.0, port_value: 8443 }
    filter_chains:
    - filter_chain_match: { server_names: [app.example.com] }
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          forward_client_cert_details: sanitize_set
          route_config:
            virtual_hosts:
            - name: app
              domains: ["*"]
              request_headers_to_remove: [x-ssl-client-dn]
              request_headers_to_add:
              - header: { key: x-ssl-client-dn, value: "%DOWNSTREAM_PEER_SUBJECT%" }
                append_action: OVERWRITE_IF_EXISTS_OR_ADD
              routes:
              - match: { prefix: "/api/" }
                route: { cluster: app }
              - match: { prefix: "/" }
                redirect: { https_redirect: true }
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          requireClientCertificate: true
          common_tls_context:
            validation_context: { trusted_ca: { filename: /etc/ca.pem } }
  clusters:
  - name: app
    load_assignment:
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: web, port_value: 8000 } } }
`

func TestParseBootstrap(t *testing.T) {
	f := source.NewFile("envoy.yaml", []byte(bootstrap))
	if !envoy.Detect("envoy.yaml", f.Content) {
		t.Fatal("bootstrap not detected")
	}
	tree, probs := envoy.Parse(f)
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	if len(tree.Listeners) != 1 || len(tree.Listeners[0].Chains) != 1 {
		t.Fatalf("listeners: %+v", tree.Listeners)
	}
	l := tree.Listeners[0]
	if l.Address.Host != "0.0.0.0" || l.Address.Port != "8443" {
		t.Errorf("address %+v", l.Address)
	}
	c := l.Chains[0]
	if len(c.ServerNames) != 1 || c.ServerNames[0].Text() != "app.example.com" {
		t.Errorf("server names %+v", c.ServerNames)
	}
	// camelCase JSON names are read like the proto names.
	if v, ok := c.TLS.RequireClientCertificate.Bool(); !ok || !v {
		t.Errorf("requireClientCertificate not read: %+v", c.TLS.RequireClientCertificate)
	}
	if got := c.TLS.Validation.TrustedCA.Text(); got != "/etc/ca.pem" {
		t.Errorf("trusted_ca %q", got)
	}
	// Enum names are accepted in any case, as Envoy does.
	if got := envoy.Enum(c.HCM.ForwardClientCertDetails); got != "SANITIZE_SET" {
		t.Errorf("forward_client_cert_details %q", got)
	}
	at := c.HCM.ForwardClientCertDetails.Line()
	if at.Start.Line != 12 || string(f.Content[at.Start.Offset:at.End.Offset]) != "forward_client_cert_details: sanitize_set" {
		t.Errorf("range %v = %q", at, f.Content[at.Start.Offset:at.End.Offset])
	}
	vh := c.HCM.RouteConfig.VirtualHosts[0]
	if len(vh.Routes) != 2 || vh.Routes[0].Cluster != "app" || vh.Routes[1].Terminal != "redirect" {
		t.Errorf("routes %+v %+v", vh.Routes[0], vh.Routes[1])
	}
	if len(vh.Headers.Add) != 1 || vh.Headers.Add[0].Action() != "OVERWRITE_IF_EXISTS_OR_ADD" || len(vh.Headers.Remove) != 1 {
		t.Errorf("header ops %+v", vh.Headers)
	}
	cl := tree.Cluster("app")
	if cl == nil || len(cl.Endpoints) != 1 || cl.Endpoints[0].Host != "web" || cl.Endpoints[0].Port != "8000" {
		t.Errorf("cluster %+v", cl)
	}
}

func TestParseProblems(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string
		line                int
	}{
		{"unknown field", "static_resources:\n  listeners:\n  - filter_chains:\n    - filters:\n      - name: envoy.filters.network.http_connection_manager\n        typed_config:\n          forward_client_cert_detail: SANITIZE_SET\n", `HttpConnectionManager has no field "forward_client_cert_detail"`, 7},
		{"bad enum", "static_resources:\n  listeners:\n  - filter_chains:\n    - filters:\n      - name: envoy.filters.network.http_connection_manager\n        typed_config:\n          forward_client_cert_details: SANITISE\n", `"SANITISE" is not one of Envoy's values`, 7},
		{"syntax", "static_resources:\n  listeners: [\n", "YAML syntax error", 2},
		{"template", "{\n  \"node\": {\n    {{ if .ID }}\"id\": \"{{ .ID }}\",{{ end }}\n  },\n  \"static_resources\": {}\n}\n", "template expressions", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, probs := envoy.Parse(source.NewFile("envoy.yaml", []byte(tc.content)))
			if len(probs) != 1 || !strings.Contains(probs[0].Message, tc.want) || probs[0].Range.Start.Line != tc.line {
				t.Errorf("problems %+v, want one on line %d containing %q", probs, tc.line, tc.want)
			}
		})
	}
}

func TestParseResourceFiles(t *testing.T) {
	lds := `resources:
- name: l
  resource:
    "@type": type.googleapis.com/envoy.config.listener.v3.Listener
    address: { socket_address: { address: 127.0.0.1, port_value: 10000 } }
    filter_chains: []
- "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
  name: c
`
	if !envoy.Detect("lds.yaml", []byte(lds)) {
		t.Fatal("LDS file not detected")
	}
	tree, probs := envoy.Parse(source.NewFile("lds.yaml", []byte(lds)))
	if len(probs) > 0 || len(tree.Listeners) != 1 || len(tree.Clusters) != 1 || tree.Listeners[0].Address.Port != "10000" {
		t.Fatalf("tree %+v, problems %v", tree, probs)
	}
	for _, notEnvoy := range []string{
		"apiVersion: v1\nkind: ConfigMap\ndata:\n  envoy.yaml: |\n    static_resources:\n      listeners: []\n",
		"services:\n  web: {}\n",
	} {
		if envoy.Detect("x.yaml", []byte(notEnvoy)) {
			t.Errorf("detected as Envoy: %q", notEnvoy)
		}
	}
}

// TestNestingLimit: a value nested deeper than the YAML limit is reported
// (E006) and cut, and the rest of the file is still analysed, its
// listeners included.
func TestNestingLimit(t *testing.T) {
	src := bootstrap + "layered_runtime: " + strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n"
	tree, probs := envoy.Parse(source.NewFile("envoy.yaml", []byte(src)))
	if tree == nil || len(tree.Listeners) != 1 {
		t.Fatalf("the file around the deep value was not analysed: %v", probs)
	}
	if len(probs) != 1 || probs[0].Kind != source.ProblemTooDeep || probs[0].Range.Start.Line != strings.Count(bootstrap, "\n")+1 {
		t.Errorf("problems %v, want one E006 on the deep line", probs)
	}
}
