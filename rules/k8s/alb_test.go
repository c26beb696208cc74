package k8s

import (
	"strings"
	"testing"

	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/rules"
)

// TestALBUpstreamExample reads the AWS Load Balancer Controller's 2048
// example: an internet-facing ALB without listen-ports or a certificate,
// so one plain HTTP:80 listener, and no ingress-nginx route.
func TestALBUpstreamExample(t *testing.T) {
	routes := buildRoutes(t, readTestdata(t, "aws-load-balancer-controller/2048_full.yaml"))
	if got, want := ids(routes), "alb-ingress:game-2048/ingress-2048:HTTP-80:/"; got != want {
		t.Fatalf("routes %q, want %q", got, want)
	}
	r := routes["alb-ingress:game-2048/ingress-2048:HTTP-80:/"]
	if r.Listener.TLS || r.Listener.Verify != rules.VerifyOff || r.Upstream.Name != "svc/game-2048/service-2048:80" || !r.AdmitsUnderscore {
		t.Errorf("route %+v", r)
	}
	if got := r.Header("X-Amzn-Mtls-Clientcert-Subject").Action; got != rules.Unknown {
		t.Errorf("a client's X-Amzn-Mtls-* on a listener without mutual TLS: %v, want unknown (not documented)", got)
	}
}

// TestALBListenPorts follows computeIngressListenPorts.
func TestALBListenPorts(t *testing.T) {
	cases := []struct {
		value  string
		set    bool
		cert   bool
		want   string
		hasErr bool
	}{
		{set: false, want: "HTTP:80"},
		{set: false, cert: true, want: "HTTPS:443"},
		{value: `[{"HTTP": 80}, {"HTTPS": 443}]`, set: true, want: "HTTP:80 HTTPS:443"},
		{value: `[{"HTTPS": 8443, "HTTP": 8080}]`, set: true, want: "HTTP:8080 HTTPS:8443"},
		{value: `[{"HTTPS": "443"}]`, set: true, hasErr: true},
		{value: `[{"TCP": 443}]`, set: true, hasErr: true},
		{value: `[{"HTTPS": 70000}]`, set: true, hasErr: true},
		{value: `[]`, set: true, hasErr: true},
		{value: `HTTPS:443`, set: true, hasErr: true},
	}
	for _, c := range cases {
		ports, err := albListenPorts(kube.Scalar{Value: c.value, Set: c.set}, c.cert)
		if (err != "") != c.hasErr {
			t.Errorf("%q: error %q, want error %v", c.value, err, c.hasErr)
			continue
		}
		var got []string
		for _, p := range ports {
			got = append(got, p.protocol+":"+p.port)
		}
		if !c.hasErr && strings.Join(got, " ") != c.want {
			t.Errorf("%q: %v, want %s", c.value, got, c.want)
		}
	}
}

// TestALBMutualAuth follows validateMutualAuthenticationConfig: what the
// controller rejects is an error here.
func TestALBMutualAuth(t *testing.T) {
	cases := []struct {
		value string
		ok    bool
	}{
		{`[{"port": 443, "mode": "verify", "trustStore": "clients"}]`, true},
		{`[{"port": 443, "mode": "verify", "trustStore": "clients", "ignoreClientCertificateExpiry": true}]`, true},
		{`[{"port": 80, "mode": "passthrough"}, {"port": 443, "mode": "off"}]`, true},
		{`[{"port": 443, "mode": "verify"}]`, false},                                                             // verify needs a trust store
		{`[{"port": 443, "mode": "passthrough", "trustStore": "clients"}]`, false},                               // only verify takes one
		{`[{"port": 443, "mode": "off", "ignoreClientCertificateExpiry": false}]`, false},                        // only verify takes it
		{`[{"port": 443, "mode": "passthrough", "advertiseTrustStoreCaNames": "on"}]`, false},                    // only verify takes it
		{`[{"port": 443, "mode": "Verify", "trustStore": "clients"}]`, false},                                    // modes are lower case
		{`[{"port": 443, "mode": ""}]`, false},                                                                   // empty mode
		{`[{"port": 0, "mode": "off"}]`, false},                                                                  // port out of range
		{`[{"port": 443, "mode": "verify", "trustStore": "c", "ignoreClientCertificateExpiry": "true"}]`, false}, // a string, not a boolean
		{`[]`, false},
		{`{"port": 443}`, false},
		{`[null]`, false},
	}
	for _, c := range cases {
		m, err := albMutualAuth(c.value)
		if (err == "") != c.ok {
			t.Errorf("%s: error %q, want ok %v", c.value, err, c.ok)
		}
		if c.ok && len(m) == 0 {
			t.Errorf("%s: no entries", c.value)
		}
	}
}

const albApp = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80}]
`

func albIngressYAML(name string, annotations map[string]string, class string) string {
	var b strings.Builder
	b.WriteString("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name + "\n  namespace: shop\n  annotations:\n")
	for k, v := range annotations {
		b.WriteString("    alb.ingress.kubernetes.io/" + k + ": '" + v + "'\n")
	}
	b.WriteString("spec:\n  ingressClassName: " + class + "\n  rules:\n  - host: " + name + ".example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: web\n            port: {name: http}\n")
	return b.String()
}

// TestALBGroup: the listeners of an IngressGroup are shared, and the
// mutual-authentication entry of one Ingress holds for the others on the
// same port; ssl-redirect turns HTTP into a redirect; an IngressClass of
// the controller with another name is the ALB's, not ingress-nginx's.
func TestALBGroup(t *testing.T) {
	routes := buildRoutes(t, map[string]string{
		"app.yaml":   albApp,
		"class.yaml": "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: public}\nspec: {controller: ingress.k8s.aws/alb}\n",
		"a.yaml": albIngressYAML("a", map[string]string{"group.name": "shop", "listen-ports": `[{"HTTP": 80}, {"HTTPS": 443}]`,
			"mutual-authentication": `[{"port": 443, "mode": "verify", "trustStore": "clients"}]`, "ssl-redirect": "443"}, "public"),
		"b.yaml": albIngressYAML("b", map[string]string{"group.name": "shop", "listen-ports": `[{"HTTPS": 443}]`}, "alb"),
		"c.yaml": albIngressYAML("c", map[string]string{"listen-ports": `[{"HTTPS": 443}]`, "mutual-authentication": `[{"port": 443, "mode": "passthrough"}]`,
			"load-balancer-attributes": "routing.http.drop_invalid_header_fields.enabled=true,routing.http.xff_header_processing.mode=preserve"}, "alb"),
	})
	want := "alb-ingress:shop/a:HTTPS-443:a.example.com/ alb-ingress:shop/b:HTTPS-443:b.example.com/ alb-ingress:shop/c:HTTPS-443:c.example.com/"
	if got := ids(routes); got != want {
		t.Fatalf("routes:\n got %s\nwant %s", got, want)
	}
	b := routes["alb-ingress:shop/b:HTTPS-443:b.example.com/"]
	if b.Listener.Verify != rules.VerifyRequired || b.Listener.CA != "clients" || b.Header("X-Amzn-Mtls-Clientcert-Subject").Action != rules.SetTLS {
		t.Errorf("b shares a's verify listener: %+v", b.Listener)
	}
	c := routes["alb-ingress:shop/c:HTTPS-443:c.example.com/"]
	if c.Listener.Verify != rules.VerifyOptionalNoCA || c.Header("X-Amzn-Mtls-Clientcert").Action != rules.SetTLS || c.Header("X-Amzn-Mtls-Clientcert-Subject").Action != rules.Unknown {
		t.Errorf("passthrough: %+v", c.Listener)
	}
	if c.AdmitsUnderscore || c.Header("X-Forwarded-For").Action != rules.Passthrough {
		t.Errorf("load-balancer-attributes not read: underscore %v, XFF %v", c.AdmitsUnderscore, c.Header("X-Forwarded-For").Action)
	}
}

// FuzzALBAnnotations: the annotation readers never panic, and what they
// accept is what the controller accepts.
func FuzzALBAnnotations(f *testing.F) {
	f.Add(`[{"port": 443, "mode": "verify", "trustStore": "clients", "ignoreClientCertificateExpiry": true}]`)
	f.Add(`[{"HTTP": 80}, {"HTTPS": 443}]`)
	f.Add(`[{"port": 80, "mode": "passthrough"}]`)
	f.Add(`[null, {}]`)
	f.Fuzz(func(t *testing.T, s string) {
		if m, err := albMutualAuth(s); err == "" {
			for port, e := range m {
				store := e.TrustStore != nil && *e.TrustStore != ""
				if port == "" || e.Mode == "" || (e.Mode == "verify") != store {
					t.Fatalf("accepted a bad entry %+v for %q", e, port)
				}
			}
		}
		if ports, err := albListenPorts(kube.Scalar{Value: s, Set: true}, false); err == "" {
			for _, p := range ports {
				if p.protocol != "HTTP" && p.protocol != "HTTPS" {
					t.Fatalf("accepted protocol %q", p.protocol)
				}
			}
		}
	})
}

// TestALBNetworkPolicyAddressBlock: an ALB reaches the pods from its own
// addresses, so a NetworkPolicy ipBlock for an ALB-fronted app may be
// exactly right or admit pods too: undecided, K006 at medium. Every address
// stays high, and so does a block in front of ingress-nginx.
func TestALBNetworkPolicyAddressBlock(t *testing.T) {
	app := `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8000}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: shop:1
        command: [gunicorn, shop.wsgi, --bind, 0.0.0.0:8000]
        env: [{name: DJANGO_SETTINGS_MODULE, value: shop.settings}]
`
	policy := func(cidr string) string {
		return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n  ingress:\n  - from:\n    - ipBlock: {cidr: " + cidr + "}\n"
	}
	mtls := map[string]string{"listen-ports": `[{"HTTPS": 443}]`, "certificate-arn": "arn:aws:acm:eu-west-1:1:certificate/a", "mutual-authentication": `[{"port": 443, "mode": "verify", "trustStore": "ts"}]`}
	for _, c := range []struct {
		name, class, cidr string
		want              rules.Severity
	}{
		{"ALB subnets", "alb", "10.0.0.0/24", rules.Medium},
		{"every address behind an ALB", "alb", "0.0.0.0/0", rules.High},
		{"a block in front of ingress-nginx", "nginx", "10.0.0.0/24", rules.High},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{"app.yaml": app, "np.yaml": policy(c.cidr), "ing.yaml": albIngressYAML("api", mtls, c.class)}
			got := only(run(t, files, nil), "K006")
			if len(got) != 1 {
				t.Fatalf("K006 findings %+v", got)
			}
			if got[0].Severity != c.want || got[0].Range.File != "np.yaml" || got[0].Range.Start.Line != 9 {
				t.Errorf("%v at %s, want %v at np.yaml:9: %s", got[0].Severity, got[0].Range, c.want, got[0].Message)
			}
			if undecided := strings.Contains(got[0].Message, "not decided"); undecided != (c.want == rules.Medium) {
				t.Errorf("message %q: says undecided %v", got[0].Message, undecided)
			}
		})
	}
}
