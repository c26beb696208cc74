package k8s

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// loadTrees loads in-memory manifests as discovery would.
func loadTrees(t testing.TB, files map[string]string) []*kube.File {
	t.Helper()
	trees, probs := loadTreesAndProblems(t, files)
	for _, p := range probs {
		t.Fatalf("unexpected problem %v", p)
	}
	return trees
}

// loadTreesAndProblems loads in-memory manifests and returns what the
// loader reports too.
func loadTreesAndProblems(t testing.TB, files map[string]string) ([]*kube.File, []source.Problem) {
	t.Helper()
	overlay := map[string][]byte{}
	var paths []string
	for p, c := range files {
		overlay[p] = []byte(c)
		if kube.Detect(p, []byte(c)) {
			paths = append(paths, p)
		}
	}
	r, err := parsers.NewFSReader(t.TempDir(), 0, overlay)
	if err != nil {
		t.Fatal(err)
	}
	return kube.Load(r, paths)
}

// buildRoutes returns every route of the manifests, by ID.
func buildRoutes(t testing.TB, files map[string]string) map[string]*rules.Route {
	t.Helper()
	out := map[string]*rules.Route{}
	for _, tr := range loadTrees(t, files) {
		for _, r := range rules.BuildRoutes(Routes, tr) {
			if out[r.ID] != nil {
				t.Fatalf("duplicate route ID %s", r.ID)
			}
			out[r.ID] = r
		}
	}
	return out
}

func ids(routes map[string]*rules.Route) string {
	var out []string
	for id := range routes {
		out = append(out, id)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// wantHeaders checks the treatment of each listed header on a route.
func wantHeaders(t *testing.T, r *rules.Route, want map[string]rules.HeaderAction) {
	t.Helper()
	for h, a := range want {
		if got := r.Header(h); got.Action != a {
			t.Errorf("%s: %s is %s (%s), want %s", r.ID, h, got.Action, got.Note, a)
		}
	}
}

func ingress(name, host, annotations, extraSpec string) string {
	s := "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name + "\n  namespace: shop\n"
	if annotations != "" {
		s += "  annotations:\n" + annotations
	}
	s += "spec:\n  ingressClassName: nginx\n" + extraSpec
	if host != "-" {
		s += "  rules:\n  - host: " + host + "\n    http:\n      paths:\n      - path: /" + name + "\n        pathType: Prefix\n        backend:\n          service:\n            name: api\n            port:\n              number: 8080\n"
	}
	return s
}

const (
	caOn       = "    nginx.ingress.kubernetes.io/auth-tls-secret: shop/ca\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: \"on\"\n"
	caPassCert = caOn + "    nginx.ingress.kubernetes.io/auth-tls-pass-certificate-to-upstream: \"true\"\n"
	caNoCA     = "    nginx.ingress.kubernetes.io/auth-tls-secret: shop/other-ca\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional_no_ca\n"
	tlsFor     = "  tls:\n  - hosts: [api.example.com]\n    secretName: tls\n"
)

var certHeaders = []string{"ssl-client-verify", "ssl-client-subject-dn", "ssl-client-issuer-dn", "ssl-client-cert"}

func TestRoutesCertificateHeaders(t *testing.T) {
	cases := []struct {
		name        string
		annotations string
		want        map[string]rules.HeaderAction
		verify      rules.VerifyMode
	}{
		{"with CA and certificate passed", caPassCert, map[string]rules.HeaderAction{
			"ssl-client-verify": rules.SetTLS, "ssl-client-subject-dn": rules.SetTLS, "ssl-client-issuer-dn": rules.SetTLS, "ssl-client-cert": rules.SetTLS,
		}, rules.VerifyRequired},
		{"with CA, certificate not passed", caOn, map[string]rules.HeaderAction{
			"ssl-client-verify": rules.SetTLS, "ssl-client-subject-dn": rules.SetTLS, "ssl-client-issuer-dn": rules.SetTLS, "ssl-client-cert": rules.Passthrough,
		}, rules.VerifyRequired},
		{"without CA", "", map[string]rules.HeaderAction{
			"ssl-client-verify": rules.Passthrough, "ssl-client-subject-dn": rules.Passthrough, "ssl-client-issuer-dn": rules.Passthrough, "ssl-client-cert": rules.Passthrough,
		}, rules.VerifyOff},
		{"verify mode without CA is ignored", "    nginx.ingress.kubernetes.io/auth-tls-verify-client: \"on\"\n", map[string]rules.HeaderAction{
			"ssl-client-verify": rules.Passthrough,
		}, rules.VerifyOff},
		{"an unknown verify value means on", "    nginx.ingress.kubernetes.io/auth-tls-secret: shop/ca\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: required\n", map[string]rules.HeaderAction{
			"ssl-client-verify": rules.SetTLS,
		}, rules.VerifyRequired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			routes := buildRoutes(t, map[string]string{"ing.yaml": ingress("web", "api.example.com", c.annotations, tlsFor)})
			// TLS for the host: plain HTTP is redirected, so one route.
			if got := ids(routes); got != "k8s:shop/web:api.example.com/web:https" {
				t.Fatalf("routes %s", got)
			}
			r := routes["k8s:shop/web:api.example.com/web:https"]
			wantHeaders(t, r, c.want)
			if r.Listener.Verify != c.verify || !r.Listener.TLS || r.Listener.Endpoint.Port != "443" {
				t.Errorf("listener %+v", r.Listener)
			}
			if c.verify == rules.VerifyRequired && (r.Listener.CA != "shop/ca" || r.Listener.VerifyRange.Start.Line != 8) {
				t.Errorf("CA %q, verify range %v", r.Listener.CA, r.Listener.VerifyRange)
			}
			if r.Default != rules.Passthrough {
				t.Errorf("other headers: %s", r.Default)
			}
			if r.Header("proxy").Action != rules.Blanked || r.Header("x-forwarded-proto").Action != rules.SetOther {
				t.Errorf("proxy %s, x-forwarded-proto %s", r.Header("proxy").Action, r.Header("x-forwarded-proto").Action)
			}
		})
	}
}

// Client-certificate settings belong to the host: an Ingress without
// them shares those of another Ingress of the same host.
func TestRoutesHostLevelAuth(t *testing.T) {
	routes := buildRoutes(t, map[string]string{
		"a.yaml": ingress("guarded", "api.example.com", caPassCert, tlsFor),
		"b.yaml": ingress("plain", "api.example.com", "", ""),
	})
	r := routes["k8s:shop/plain:api.example.com/plain:https"]
	if r == nil {
		t.Fatalf("routes %s", ids(routes))
	}
	for _, h := range certHeaders {
		wantHeaders(t, r, map[string]rules.HeaderAction{h: rules.SetTLS})
	}
	if r.Listener.CA != "shop/ca" || r.Listener.VerifyRange.File != "a.yaml" || r.Header("ssl-client-verify").Range.File != "a.yaml" {
		t.Errorf("listener %+v, header range %v", r.Listener, r.Header("ssl-client-verify").Range)
	}
	// b has no TLS section, but the host has one through a: redirected.
	if routes["k8s:shop/plain:api.example.com/plain:http"] != nil {
		t.Error("plain HTTP route despite the host's TLS and ssl-redirect")
	}
}

// When CA-bearing Ingresses of a host disagree, the weakest is assumed.
func TestRoutesConflictingModesTakeTheWeakest(t *testing.T) {
	routes := buildRoutes(t, map[string]string{
		"a.yaml": ingress("strict", "api.example.com", caOn, tlsFor),
		"b.yaml": ingress("loose", "api.example.com", caNoCA, ""),
	})
	for _, id := range []string{"k8s:shop/strict:api.example.com/strict:https", "k8s:shop/loose:api.example.com/loose:https"} {
		r := routes[id]
		if r == nil {
			t.Fatalf("no route %s in %s", id, ids(routes))
		}
		if r.Listener.Verify != rules.VerifyOptionalNoCA || r.Listener.CA != "shop/other-ca" {
			t.Errorf("%s: verify %s CA %s", id, r.Listener.Verify, r.Listener.CA)
		}
		if n := r.Header("ssl-client-verify").Note; !strings.Contains(n, "first it reads") {
			t.Errorf("%s: note %q does not say the order decides", id, n)
		}
	}
}

func TestRoutesPlainHTTP(t *testing.T) {
	cases := []struct {
		name, annotations, spec string
		plain                   bool
		verify                  rules.HeaderAction
	}{
		{"no TLS section: plain HTTP is proxied, CA headers empty", caOn, "", true, rules.Blanked},
		{"no TLS, no CA: the client's header passes on plain HTTP", "", "", true, rules.Passthrough},
		{"ssl-redirect off", caOn + "    nginx.ingress.kubernetes.io/ssl-redirect: \"false\"\n", tlsFor, true, rules.Blanked},
		{"force-ssl-redirect without TLS", "    nginx.ingress.kubernetes.io/force-ssl-redirect: \"true\"\n", "", false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			routes := buildRoutes(t, map[string]string{"ing.yaml": ingress("web", "api.example.com", c.annotations, c.spec)})
			r := routes["k8s:shop/web:api.example.com/web:http"]
			if (r != nil) != c.plain {
				t.Fatalf("plain route present %v, want %v (%s)", r != nil, c.plain, ids(routes))
			}
			if r == nil {
				return
			}
			if r.Listener.TLS || r.Listener.Endpoint.Port != "80" || r.Listener.Verify != rules.VerifyOff {
				t.Errorf("listener %+v", r.Listener)
			}
			wantHeaders(t, r, map[string]rules.HeaderAction{"ssl-client-verify": c.verify, "ssl-client-subject-dn": c.verify})
		})
	}
}

func TestRoutesControllerConfigMap(t *testing.T) {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ingress-nginx-controller\n  namespace: ingress-nginx\ndata:\n" +
		"  use-forwarded-headers: \"true\"\n  compute-full-forwarded-for: \"true\"\n  enable-underscores-in-headers: \"true\"\n"
	routes := buildRoutes(t, map[string]string{
		"ing.yaml": ingress("web", "api.example.com", caOn, tlsFor),
		"cm.yaml":  cm,
	})
	r := routes["k8s:shop/web:api.example.com/web:https"]
	if r == nil {
		t.Fatalf("routes %s", ids(routes))
	}
	if !r.AdmitsUnderscore {
		t.Error("enable-underscores-in-headers did not make the route admit underscores")
	}
	wantHeaders(t, r, map[string]rules.HeaderAction{
		"x-forwarded-proto": rules.SetClient, "x-forwarded-host": rules.SetClient, "x-forwarded-port": rules.SetClient,
		"x-real-ip": rules.SetClient, "x-forwarded-for": rules.Appended, "ssl-client-verify": rules.SetTLS,
	})
	if rng := r.Header("x-forwarded-proto").Range; rng.File != "cm.yaml" || rng.Start.Line != 7 {
		t.Errorf("x-forwarded-proto range %v", rng)
	}

	narrowed := buildRoutes(t, map[string]string{
		"ing.yaml": ingress("web", "api.example.com", caOn, tlsFor),
		"cm.yaml":  cm + "  proxy-real-ip-cidr: 10.0.0.0/16\n",
	})
	wantHeaders(t, narrowed["k8s:shop/web:api.example.com/web:https"], map[string]rules.HeaderAction{"x-real-ip": rules.SetOther, "x-forwarded-proto": rules.SetClient})

	plain := buildRoutes(t, map[string]string{"ing.yaml": ingress("web", "api.example.com", caOn, tlsFor)})
	r = plain["k8s:shop/web:api.example.com/web:https"]
	if r.AdmitsUnderscore {
		t.Error("default controller admits underscores")
	}
	wantHeaders(t, r, map[string]rules.HeaderAction{
		"x-forwarded-proto": rules.SetOther, "x-forwarded-host": rules.SetOther, "x-forwarded-for": rules.SetOther,
		"x-real-ip": rules.SetOther, "x-request-id": rules.SetClient, "x-original-forwarded-for": rules.SetClient,
	})
}

func TestRoutesDefaultBackendsAndCatchAll(t *testing.T) {
	onlyDefault := "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: fallback\n  namespace: shop\nspec:\n  defaultBackend:\n    service:\n      name: api\n      port:\n        number: 8080\n"
	hostless := "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: any\n  namespace: shop\nspec:\n  rules:\n  - http:\n      paths:\n      - path: /any\n        pathType: Prefix\n        backend:\n          service:\n            name: api\n            port:\n              number: 8080\n"
	withRules := ingress("web", "api.example.com", "", tlsFor+"  defaultBackend:\n    service:\n      name: api\n      port:\n        number: 8080\n")
	routes := buildRoutes(t, map[string]string{"d.yaml": onlyDefault, "h.yaml": hostless, "w.yaml": withRules})
	want := "k8s:shop/any:_/any:https k8s:shop/fallback:_:default:https k8s:shop/web:api.example.com/web:https k8s:shop/web:api.example.com:default:https"
	if got := ids(routes); got != want {
		t.Fatalf("routes\n got %s\nwant %s", got, want)
	}
	r := routes["k8s:shop/fallback:_:default:https"]
	if !r.Listener.Default || r.Hosts != nil || r.Path != "/" || r.Range.Start.Line != 8 {
		t.Errorf("catch-all default backend: %+v", r)
	}
	if d := routes["k8s:shop/web:api.example.com:default:https"]; d.Hosts[0] != "api.example.com" || d.Listener.Default {
		t.Errorf("host default backend: %+v", d)
	}
}

func TestRoutesSnippetHeaders(t *testing.T) {
	snippet := "    nginx.ingress.kubernetes.io/configuration-snippet: |\n" +
		"      proxy_set_header X-Client-Verify $ssl_client_verify;\n" +
		"      proxy_set_header X-Forwarded-User $http_x_user;\n" +
		"      more_set_input_headers \"X-Env: prod\";\n" +
		"      more_clear_input_headers ssl-client-verify;\n"
	routes := buildRoutes(t, map[string]string{"ing.yaml": ingress("web", "api.example.com", snippet, tlsFor)})
	r := routes["k8s:shop/web:api.example.com/web:https"]
	wantHeaders(t, r, map[string]rules.HeaderAction{
		"x-client-verify": rules.SetTLS, "x-forwarded-user": rules.SetClient, "x-env": rules.SetConst,
		"ssl-client-verify": rules.Blanked, "ssl-client-subject-dn": rules.Passthrough,
	})
	if rng := r.Header("x-client-verify").Range; rng.Start.Line != 8 || rng.Start.Col != 7 {
		t.Errorf("snippet header range %v", rng)
	}
}

func TestRoutesUpstreamAndWorkloads(t *testing.T) {
	svc := `apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports:
  - {name: http, port: 8080, targetPort: 8000}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api, tier: web}}
    spec:
      containers:
      - name: web
        command: ["/bin/sh", "-c", "python manage.py migrate && exec gunicorn shop.wsgi --bind=0.0.0.0:8000 --workers 3"]
        env:
        - {name: DJANGO_SETTINGS_MODULE, value: shop.settings.prod}
      - name: sidecar
        image: envoy
`
	named := strings.Replace(ingress("web", "api.example.com", "", tlsFor), "number: 8080", "name: http", 1)
	routes := buildRoutes(t, map[string]string{"ing.yaml": named, "svc.yaml": svc})
	r := routes["k8s:shop/web:api.example.com/web:https"]
	if r == nil {
		t.Fatalf("routes %s", ids(routes))
	}
	u := r.Upstream
	if u.Name != "svc/shop/api:8080" || len(u.Servers) != 1 || u.Servers[0].String() != "api.shop.svc.cluster.local:8080" {
		t.Errorf("upstream %+v", u)
	}
	if u.Range.File != "ing.yaml" || u.Range.Start.Line != 19 {
		t.Errorf("upstream range %v", u.Range)
	}
	if len(u.Workloads) != 1 {
		t.Fatalf("workloads %+v", u.Workloads)
	}
	w := u.Workloads[0]
	if w.Name != "deployment shop/api" || w.Server != "gunicorn" || len(w.Binds) != 1 || w.Binds[0].String() != "0.0.0.0:8000" || w.SettingsModule != "shop.settings.prod" || w.Range.File != "svc.yaml" || w.Range.Start.Line != 18 {
		t.Errorf("workload %+v", w)
	}
}

func TestRoutesSkipOtherControllersAndGate(t *testing.T) {
	traefik := strings.Replace(ingress("web", "api.example.com", caOn, tlsFor), "ingressClassName: nginx", "ingressClassName: traefik", 1)
	if routes := buildRoutes(t, map[string]string{"ing.yaml": traefik}); len(routes) != 0 {
		t.Errorf("routes for a traefik Ingress: %s", ids(routes))
	}
	gated := "    nginx.ingress.kubernetes.io/auth-tls-secret: shop/ca\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional\n    nginx.ingress.kubernetes.io/auth-tls-match-cn: \"CN=client\"\n"
	routes := buildRoutes(t, map[string]string{"ing.yaml": ingress("web", "api.example.com", gated, tlsFor)})
	if r := routes["k8s:shop/web:api.example.com/web:https"]; r == nil || !r.Gated || r.Listener.Verify != rules.VerifyOptional {
		t.Errorf("optional with auth-tls-match-cn: %+v", r)
	}
	loose := strings.Replace(gated, "optional\n", "optional_no_ca\n", 1)
	routes = buildRoutes(t, map[string]string{"ing.yaml": ingress("web", "api.example.com", loose, tlsFor)})
	if r := routes["k8s:shop/web:api.example.com/web:https"]; r == nil || r.Gated {
		t.Errorf("optional_no_ca with auth-tls-match-cn counts as gated: the DN is the client's choice")
	}
}

// Routes come from the file that defines the Ingress, once.
func TestRoutesPerFile(t *testing.T) {
	trees := loadTrees(t, map[string]string{
		"a.yaml": ingress("a", "one.example.com", "", ""),
		"b.yaml": ingress("b", "two.example.com", "", ""),
		"c.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop}\n",
	})
	for _, tr := range trees {
		rs := rules.BuildRoutes(Routes, tr)
		for _, r := range rs {
			if r.Range.File != tr.Root().Path {
				t.Errorf("%s: route %s anchored in %s", tr.Root().Path, r.ID, r.Range.File)
			}
		}
		if want := map[string]int{"a.yaml": 2, "b.yaml": 2, "c.yaml": 0}[tr.Root().Path]; len(rs) != want {
			t.Errorf("%s: %d routes, want %d", tr.Root().Path, len(rs), want)
		}
	}
}

// The cross-format fixture: what the routes tell the cross-file rules
// about the app behind them.
func TestRoutesOfTheDjangoFixture(t *testing.T) {
	ws, err := parsers.Load(context.Background(), parsers.Options{
		Root:    filepath.Join("..", "..", "fixtures", "k8s", "ingress-django-vulnerable"),
		Formats: []parsers.Format{{Kind: kube.Kind, Candidate: kube.Candidate, Detect: kube.Detect, Load: parsers.LoadAs(kube.Load)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]*rules.Route{}
	for _, tr := range ws.Trees {
		for _, r := range rules.BuildRoutes(Routes, tr) {
			routes[r.ID] = r
		}
	}
	want := "k8s:shop/shop-api:api.example.com/:https k8s:shop/shop-www:www.example.com/:https k8s:shop/shop-www:www.example.com/api/:https"
	if got := ids(routes); got != want {
		t.Fatalf("routes\n got %s\nwant %s", got, want)
	}
	guarded, open := routes["k8s:shop/shop-api:api.example.com/:https"], routes["k8s:shop/shop-www:www.example.com/api/:https"]
	wantHeaders(t, guarded, map[string]rules.HeaderAction{"ssl-client-verify": rules.SetTLS, "ssl-client-subject-dn": rules.SetTLS, "ssl-client-cert": rules.SetTLS})
	wantHeaders(t, open, map[string]rules.HeaderAction{"ssl-client-verify": rules.Passthrough, "ssl-client-subject-dn": rules.Passthrough, "ssl-client-cert": rules.Passthrough})
	for _, r := range []*rules.Route{guarded, open} {
		u := r.Upstream
		if u.Name != "svc/shop/shop-web:80" || len(u.Workloads) != 1 || u.Workloads[0].SettingsModule != "shop.settings" || u.Workloads[0].Binds[0].String() != "0.0.0.0:8000" {
			t.Errorf("%s: upstream %+v", r.ID, u)
		}
	}
	if open.Listener.Verify != rules.VerifyOff || guarded.Listener.Verify != rules.VerifyRequired {
		t.Errorf("verify: open %s, guarded %s", open.Listener.Verify, guarded.Listener.Verify)
	}
}

// TestRoutesFixHints: a fix is said in ingress-nginx's terms: the
// controller's own ssl-client-* headers come with auth-tls-secret, other
// headers through the configuration-snippet annotation.
func TestRoutesFixHints(t *testing.T) {
	routes := buildRoutes(t, map[string]string{"ing.yaml": ingress("web", "api.example.com", caOn, tlsFor)})
	r := routes["k8s:shop/web:api.example.com/web:https"]
	if r == nil {
		t.Fatalf("routes %s", ids(routes))
	}
	for header, want := range map[string]string{
		"ssl-client-verify":   "nginx.ingress.kubernetes.io/auth-tls-secret",
		"X-SSL-Client-DN":     "proxy_set_header X-SSL-Client-DN $ssl_client_s_dn;` in the Ingress's `nginx.ingress.kubernetes.io/configuration-snippet`",
		"X-Client-Role":       "proxy_set_header X-Client-Role \"\";",
		"X-Forwarded-Proto":   "configuration-snippet",
		"X-SSL-Client-Verify": "$ssl_client_verify",
	} {
		if got := r.FixHint(header, rules.TLSFactOf(header)); !strings.Contains(got, want) {
			t.Errorf("hint for %s: %q, want it to contain %s", header, got, want)
		}
	}
}
