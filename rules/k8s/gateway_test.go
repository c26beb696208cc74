package k8s

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/rules"
)

// readTestdata reads testdata files into a manifest set under their own
// names.
func readTestdata(t *testing.T, names ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		out[n] = string(b)
	}
	return out
}

// TestGatewayUpstreamExamples builds routes from the Gateway API's own
// examples: the HTTP/HTTPS gateway with routes bound to the HTTPS listener
// by sectionName, and the frontend validation example with a route added
// that names no listener.
func TestGatewayUpstreamExamples(t *testing.T) {
	routes := buildRoutes(t, readTestdata(t, "gateway-api/simple-http-https.yaml"))
	want := "gateway:default/example-gateway/https:default/bar:rule1:default/bar-app gateway:default/example-gateway/https:default/foo:rule1:default/foo-app gateway:default/example-gateway/https:default/foo:rule2:default/foo-orders-app"
	if got := ids(routes); got != want {
		t.Fatalf("routes:\n got %s\nwant %s", got, want)
	}
	foo := routes["gateway:default/example-gateway/https:default/foo:rule2:default/foo-orders-app"]
	if !foo.Listener.TLS || foo.Listener.Verify != rules.VerifyOff || foo.Listener.Endpoint.Port != "443" || foo.Path != "/orders" || strings.Join(foo.Hosts, ",") != "foo.example.com" {
		t.Errorf("foo orders route: %+v", foo)
	}
	if foo.Identity != nil {
		t.Errorf("a listener without validation leaves identity headers to pass through, got %+v", foo.Identity)
	}
	if got := foo.Header("X-SSL-Client-DN").Action; got != rules.Passthrough {
		t.Errorf("X-SSL-Client-DN on an unvalidated listener: %v", got)
	}

	files := readTestdata(t, "gateway-api/frontend-cert-validation.yaml")
	files["route.yaml"] = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: all\nspec:\n  parentRefs:\n  - name: client-validation-basic\n  rules:\n  - backendRefs:\n    - name: web\n      port: 80\n"
	routes = buildRoutes(t, files)
	if len(routes) != 2 {
		t.Fatalf("want a route on each listener, got %s", ids(routes))
	}
	for id, r := range routes {
		ca := "foo-example-com-ca-cert"
		if strings.Contains(id, "bar-https") {
			ca = "bar-example-com-ca-cert" // the perPort entry for 8443
		}
		if r.Listener.Verify != rules.VerifyRequired || r.Listener.CA != ca {
			t.Errorf("%s: verify %v CA %q, want required %q", id, r.Listener.Verify, r.Listener.CA, ca)
		}
		if r.Identity == nil || r.Header("X-Forwarded-Client-Cert").Action != rules.Unknown || r.Header("X-SSL-Client-Verify").Action != rules.Unknown {
			t.Errorf("%s: identity headers on a validating listener must be unknown", id)
		}
		if r.Header("X-Request-Id").Action != rules.Passthrough {
			t.Errorf("%s: other headers pass through", id)
		}
		if len(r.Hosts) != 1 {
			t.Errorf("%s: the listener's hostname is the route's host, got %v", id, r.Hosts)
		}
	}
}

const testGateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: gw
  namespace: infra
spec:
  gatewayClassName: eg
  tls:
    frontend:
      default:
        validation:
          mode: %MODE%
          caCertificateRefs: [{kind: ConfigMap, group: "", name: ca}]
      perPort:
      - port: 8443
        tls: {}
  listeners:
  - name: http
    protocol: HTTP
    port: 80
    allowedRoutes: {namespaces: {from: All}}
  - name: https
    protocol: HTTPS
    port: 443
    hostname: "*.example.com"
    allowedRoutes: {namespaces: {from: All}}
    tls: {certificateRefs: [{name: tls}]}
  - name: open
    protocol: HTTPS
    port: 8443
    allowedRoutes: {namespaces: {from: All}}
    tls: {certificateRefs: [{name: tls}]}
  - name: same
    protocol: HTTPS
    port: 9443
    tls: {certificateRefs: [{name: tls}]}
  - name: passthrough
    protocol: TLS
    port: 6443
    tls: {mode: Passthrough}
`

// TestGatewayAttachment checks which listeners a route attaches to and
// what validation holds on each.
func TestGatewayAttachment(t *testing.T) {
	route := func(parent, hostnames string) string {
		return "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\n  namespace: app\nspec:\n  parentRefs:\n  - " + parent + "\n" + hostnames +
			"  rules:\n  - filters:\n    - type: RequestHeaderModifier\n      requestHeaderModifier:\n        set: [{name: X-Client-Verify, value: SUCCESS}, {name: X-Env, value: '%REQ(x)%'}]\n        add: [{name: X-Forwarded-Proto, value: https}]\n        remove: [X-SSL-Client-DN]\n    backendRefs:\n    - name: web\n      port: 80\n"
	}
	listeners := func(routes map[string]*rules.Route) string {
		var out []string
		for id := range routes {
			out = append(out, strings.Split(strings.TrimPrefix(id, "gateway:infra/gw/"), ":")[0])
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	cases := []struct {
		name, parent, hostnames, mode, want string
	}{
		{"every HTTP and HTTPS listener that admits the namespace", "{name: gw, namespace: infra}", "", "AllowValidOnly", "http https open"},
		{"by section name", "{name: gw, namespace: infra, sectionName: open}", "", "AllowValidOnly", "open"},
		{"by port", "{name: gw, namespace: infra, port: 443}", "", "AllowValidOnly", "https"},
		{"hostnames must meet the listener's", "{name: gw, namespace: infra}", "  hostnames: [api.other.org]\n", "AllowValidOnly", "http open"},
		{"wildcard hostname", "{name: gw, namespace: infra}", "  hostnames: [api.example.com]\n", "AllowValidOnly", "http https open"},
		{"another namespace's gateway unless named", "{name: gw}", "", "AllowValidOnly", ""},
		{"a Service is not a parent", "{name: gw, namespace: infra, kind: Service, group: \"\"}", "", "AllowValidOnly", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			routes := buildRoutes(t, map[string]string{
				"gw.yaml":    strings.ReplaceAll(testGateway, "%MODE%", c.mode),
				"route.yaml": route(c.parent, c.hostnames),
			})
			if got := listeners(routes); got != c.want {
				t.Fatalf("attached to %q, want %q", got, c.want)
			}
		})
	}
	routes := buildRoutes(t, map[string]string{
		"gw.yaml":    strings.ReplaceAll(testGateway, "%MODE%", "AllowInsecureFallback"),
		"route.yaml": route("{name: gw, namespace: infra}", ""),
	})
	verify := map[string]rules.VerifyMode{"http": rules.VerifyOff, "https": rules.VerifyOptionalNoCA, "open": rules.VerifyOff}
	for id, r := range routes {
		l := strings.Split(strings.TrimPrefix(id, "gateway:infra/gw/"), ":")[0]
		if r.Listener.Verify != verify[l] {
			t.Errorf("%s: verify %v, want %v", l, r.Listener.Verify, verify[l])
		}
		for h, want := range map[string]rules.HeaderAction{
			"x-client-verify": rules.SetConst, "x-env": rules.Unknown, "x-forwarded-proto": rules.Appended,
			"x-ssl-client-dn": rules.Blanked, "x-forwarded-for": rules.Unknown,
		} {
			if got := r.Header(h).Action; got != want {
				t.Errorf("%s: %s is %v, want %v", l, h, got, want)
			}
		}
		if r.Upstream.Name != "svc/app/web:80" {
			t.Errorf("%s: upstream %s", l, r.Upstream.Name)
		}
	}
}

// TestGatewayLegacyValidation: the listener field of Gateway API 1.1–1.3
// leaves the verify mode unknown.
func TestGatewayLegacyValidation(t *testing.T) {
	routes := buildRoutes(t, map[string]string{"gw.yaml": `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  listeners:
  - name: https
    protocol: HTTPS
    port: 443
    tls:
      certificateRefs: [{name: tls}]
      frontendValidation:
        caCertificateRefs: [{kind: ConfigMap, group: "", name: ca}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
`})
	if len(routes) != 1 {
		t.Fatalf("routes: %s", ids(routes))
	}
	for _, r := range routes {
		if r.Listener.Verify != rules.VerifyUnknown || r.Listener.CA != "ca" {
			t.Errorf("verify %v CA %q", r.Listener.Verify, r.Listener.CA)
		}
	}
}

// TestGatewayBackendTLS: a Gateway with a backend client certificate
// presents it only to Services a BackendTLSPolicy of their namespace
// targets (K017), by name, and by port name when sectionName is given.
func TestGatewayBackendTLS(t *testing.T) {
	gateway := `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  tls:
    backend:
      clientCertificateRef: {kind: Secret, group: "", name: gw-client}
  listeners:
  - {name: https, protocol: HTTPS, port: 443, allowedRoutes: {namespaces: {from: All}}, tls: {certificateRefs: [{name: tls}]}}
`
	route := `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: app}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules: [{backendRefs: [{name: web, port: 8443}]}]
`
	service := `apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec:
  selector: {app: web}
  ports: [{name: https, port: 8443}, {name: http, port: 8000}]
`
	policy := func(ns, target string) string {
		return "apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\nmetadata: {name: p, namespace: " + ns + "}\nspec:\n" + target +
			"  validation: {caCertificateRefs: [{group: \"\", kind: ConfigMap, name: ca}], hostname: web.app.svc}\n"
	}
	cases := []struct {
		name   string
		files  map[string]string
		want   int
		detail string
	}{
		{"no policy", map[string]string{"svc.yaml": service}, 1, "which no BackendTLSPolicy targets"},
		{"policy by name", map[string]string{"svc.yaml": service, "p.yaml": policy("app", "  targetRefs: [{group: \"\", kind: Service, name: web}]\n")}, 0, ""},
		{"policy by port name", map[string]string{"svc.yaml": service, "p.yaml": policy("app", "  targetRefs: [{group: \"\", kind: Service, name: web, sectionName: https}]\n")}, 0, ""},
		{"policy for another port", map[string]string{"svc.yaml": service, "p.yaml": policy("app", "  targetRefs: [{group: \"\", kind: Service, name: web, sectionName: http}]\n")}, 1, "which no BackendTLSPolicy targets"},
		{"v1alpha2 targetRef", map[string]string{"svc.yaml": service, "p.yaml": strings.Replace(policy("app", "  targetRef: {group: \"\", kind: Service, name: web}\n"), "/v1\n", "/v1alpha2\n", 1)}, 0, ""},
		{"policy in the Gateway's namespace", map[string]string{"svc.yaml": service, "p.yaml": policy("infra", "  targetRefs: [{group: \"\", kind: Service, name: web}]\n")}, 1, "but in namespace infra"},
		{"another Service", map[string]string{"svc.yaml": service, "p.yaml": policy("app", "  targetRefs: [{group: \"\", kind: Service, name: api}]\n")}, 1, "which no BackendTLSPolicy targets"},
		{"port name undecided without the Service", map[string]string{"p.yaml": policy("app", "  targetRefs: [{group: \"\", kind: Service, name: web, sectionName: https}]\n")}, 1, "is not decided"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.files["gw.yaml"], c.files["route.yaml"] = gateway, route
			got := only(run(t, c.files, nil), "K017")
			if len(got) != c.want {
				t.Fatalf("%d K017 findings, want %d: %+v", len(got), c.want, got)
			}
			for _, d := range got {
				if d.Range.File != "route.yaml" || d.Range.Start.Line != 6 || d.Severity != rules.Medium {
					t.Errorf("at %s (%v), want route.yaml:6 medium", d.Range, d.Severity)
				}
				if len(d.Related) != 1 || d.Related[0].Range.File != "gw.yaml" || d.Related[0].Range.Start.Line != 7 {
					t.Errorf("related %+v, want the clientCertificateRef at gw.yaml:7", d.Related)
				}
				if !strings.Contains(d.Detail, c.detail) {
					t.Errorf("detail %q does not say %q", d.Detail, c.detail)
				}
				if c.detail != "but in namespace infra" && strings.Contains(d.Detail, "but in namespace") {
					t.Errorf("detail %q blames a namespace", d.Detail)
				}
			}
		})
	}
	// Without a backend client certificate there is nothing to present.
	files := map[string]string{"svc.yaml": service, "gw.yaml": strings.Replace(gateway, "  tls:\n    backend:\n      clientCertificateRef: {kind: Secret, group: \"\", name: gw-client}\n", "", 1), "route.yaml": route}
	if got := only(run(t, files, nil), "K017"); len(got) != 0 {
		t.Errorf("K017 without spec.tls.backend: %+v", got)
	}
}
