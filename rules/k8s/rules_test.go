package k8s

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// fakeApps stands in for the Django family: one app that trusts the given
// headers, ssl-client-verify by == "SUCCESS" and the others as identities.
type fakeApps []string

func (f fakeApps) builder() *rules.Analysis {
	return rules.NewAppBuilder("fake-apps", nil, func(*rules.Pass) []*rules.App { return f.apps() })
}

func (f fakeApps) apps() []*rules.App {
	app := &rules.App{ID: "shop.settings", Range: source.Range{File: "app/middleware.py", Start: source.Pos{Line: 3, Col: 1}}}
	for _, h := range f {
		t := rules.Trust{Header: rules.MetaName(h), Source: "app code", Range: app.Range, Decisions: []rules.Decision{rules.IdentityDecision("request.user", h)}}
		if h == "ssl-client-verify" {
			t.Decisions = []rules.Decision{rules.RequireDecision("the view", h, "SUCCESS")}
		}
		app.Trusts = append(app.Trusts, t)
	}
	return []*rules.App{app}
}

// run lints in-memory manifests with the family's rules and builders.
func run(t *testing.T, files map[string]string, apps fakeApps) []rules.Finding {
	t.Helper()
	return runTrees(loadTrees(t, files), apps)
}

// runTrees lints loaded trees with the family's rules and builders.
func runTrees(trees []*kube.File, apps fakeApps) []rules.Finding {
	ws := &parsers.Workspace{}
	for _, tr := range trees {
		ws.Trees = append(ws.Trees, tr)
	}
	eng := &rules.Engine{Rules: Rules, Routes: []*rules.Analysis{Routes}, Jobs: 1}
	if apps != nil {
		eng.Apps = []*rules.Analysis{apps.builder()}
	}
	return eng.Run(context.Background(), ws).Findings
}

func only(diags []rules.Finding, code string) []rules.Finding {
	var out []rules.Finding
	for _, d := range diags {
		if d.Code == code {
			out = append(out, d)
		}
	}
	return out
}

func TestVerifyOptionalNoCASeverityFollowsTheApp(t *testing.T) {
	files := map[string]string{"ing.yaml": ingress("web", "api.example.com", caNoCA, tlsFor)}
	for _, c := range []struct {
		name string
		apps fakeApps
		want rules.Severity
	}{
		{"no app known", nil, rules.High},
		{"app reads only the verify result", fakeApps{"ssl-client-verify"}, rules.High},
		{"app trusts the subject DN", fakeApps{"ssl-client-subject-dn"}, rules.Critical},
		{"app trusts the forwarded certificate", fakeApps{"ssl-client-cert"}, rules.Critical},
		{"app trusts the subject DN after requiring SUCCESS", fakeApps{"ssl-client-verify", "ssl-client-subject-dn"}, rules.High},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds := only(run(t, files, c.apps), "K001")
			if len(ds) != 1 {
				t.Fatalf("K001 findings: %v", ds)
			}
			d := ds[0]
			if d.Severity != c.want || d.Range.Start.Line != 8 {
				t.Errorf("severity %s on line %d, want %s on 8: %s", d.Severity, d.Range.Start.Line, c.want, d.Message)
			}
			if c.want == rules.Critical && (len(d.Related) != 2 || d.Related[0].Range.File != "app/middleware.py") {
				t.Errorf("related %v: want the app's trust first", d.Related)
			}
		})
	}
}

// The same Ingress copied into two environments is two findings.
func TestCopiesInEnvironmentsAreSeparateFindings(t *testing.T) {
	ing := ingress("web", "api.example.com", caNoCA, tlsFor)
	ds := run(t, map[string]string{"dev/ing.yaml": ing, "prod/ing.yaml": ing}, nil)
	k1 := only(ds, "K001")
	if len(k1) != 2 || k1[0].Range.File == k1[1].Range.File {
		t.Errorf("K001 findings %v", k1)
	}
	if k3 := only(ds, "K003"); len(k3) != 0 {
		t.Errorf("copies of one Ingress reported as conflicting: %v", k3)
	}
}

// Environments kept as full copies are separate clusters: dev's open
// Ingress does not make prod's mTLS Service reachable without certificates.
func TestEnvironmentsDoNotMix(t *testing.T) {
	guarded := ingress("api", "api.example.com", caOn, tlsFor)
	open := strings.Replace(ingress("api", "dev.example.com", "", ""), "name: api\n  namespace", "name: api\n  namespace", 1)
	ds := run(t, map[string]string{"prod/ingress.yaml": guarded, "dev/ingress.yaml": open}, nil)
	if k2 := only(ds, "K002"); len(k2) != 0 {
		t.Errorf("K002 across environments: %v", k2)
	}
	// In one environment, the same pair is a finding.
	one := strings.Replace(open, "name: api\n", "name: api-dev\n", 1)
	ds = run(t, map[string]string{"prod/ingress.yaml": guarded, "prod/dev-ingress.yaml": one}, nil)
	if k2 := only(ds, "K002"); len(k2) != 1 || k2[0].Range.File != "prod/dev-ingress.yaml" || len(k2[0].Related) != 1 || k2[0].Related[0].Range.File != "prod/ingress.yaml" {
		t.Errorf("K002 in one environment: %v", k2)
	}
}

func TestNetworkPolicyPeers(t *testing.T) {
	svc := "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop}\nspec:\n  selector: {app: api}\n  ports: [{port: 8080}]\n"
	ing := ingress("web", "api.example.com", caOn, tlsFor)
	policy := func(from string) string {
		return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  policyTypes: [Ingress]\n  ingress:\n  - from:\n" + from
	}
	gateway := func(ns string) string {
		return "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: " + ns + "}\nspec:\n  listeners: [{name: http, protocol: HTTP, port: 80}]\n"
	}
	cases := []struct {
		name, policy string
		line         int    // 0: no finding
		gateway      string // a Gateway in the cluster, when set
	}{
		{"no policy", "", 1, ""},
		{"controller namespace by name label", policy("    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}\n"), 0, ""},
		{"controller namespace by expression", policy("    - namespaceSelector:\n        matchExpressions: [{key: name, operator: In, values: [ingress-nginx]}]\n"), 0, ""},
		{"every namespace", policy("    - namespaceSelector: {}\n"), 9, ""},
		{"address block", policy("    - namespaceSelector: {matchLabels: {name: ingress-nginx}}\n    - ipBlock: {cidr: 0.0.0.0/0}\n"), 10, ""},
		{"pods of the namespace", policy("    - podSelector: {matchLabels: {role: frontend}}\n"), 9, ""},
		{"rule without from", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: 8080}]\n", 7, ""},
		{"policy for other pods", strings.Replace(policy("    - namespaceSelector: {matchLabels: {name: ingress-nginx}}\n"), "app: api", "app: db", 1), 1, ""},
		{"egress-only policy", strings.Replace(policy("    - namespaceSelector: {matchLabels: {name: ingress-nginx}}\n"), "[Ingress]", "[Egress]", 1), 1, ""},
		{"a Gateway's namespace", policy("    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: edge}}\n"), 0, gateway("edge")},
		{"a namespace named after a Gateway implementation", policy("    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: envoy-gateway-system}}\n"), 0, gateway("edge")},
		{"a namespace that merely has gateway in its name", policy("    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: payments-gateway}}\n"), 9, gateway("edge")},
		{"a gateway-named namespace without Gateways", policy("    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: envoy-gateway-system}}\n"), 9, ""},
		{"the app's own namespace, where the Gateway is", policy("    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}\n"), 9, gateway("shop")},
		{"a Gateway's proxy pods", policy("    - podSelector: {matchLabels: {gateway.networking.k8s.io/gateway-name: gw}}\n"), 0, gateway("shop")},
		{"pods labelled for another Gateway", policy("    - podSelector: {matchLabels: {gateway.networking.k8s.io/gateway-name: other}}\n"), 9, gateway("shop")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{"svc.yaml": svc, "ing.yaml": ing}
			if c.policy != "" {
				files["np.yaml"] = c.policy
			}
			if c.gateway != "" {
				files["gw.yaml"] = c.gateway
			}
			ds := only(run(t, files, nil), "K006")
			if c.line == 0 {
				if len(ds) != 0 {
					t.Errorf("unexpected %v", ds)
				}
				return
			}
			if len(ds) != 1 {
				t.Fatalf("K006 findings %v", ds)
			}
			wantFile := "np.yaml"
			if c.line == 1 {
				wantFile = "svc.yaml"
			}
			if ds[0].Range.File != wantFile || ds[0].Range.Start.Line != c.line {
				t.Errorf("reported at %s, want %s:%d: %s", ds[0].Range, wantFile, c.line, ds[0].Message)
			}
		})
	}
}

func TestUnrenderedPatchIsReadAlone(t *testing.T) {
	// The overlay names a base that is not in the tree, so it does not
	// render; each patch is read on its own terms.
	const kustomization = "resources:\n- ../base\npatches:\n- path: patch.yaml\n  target: {kind: Ingress, name: api}\n"
	smp := func(annotations string) string {
		return "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n" + annotations
	}
	const prefix = "    nginx.ingress.kubernetes.io/"
	for _, c := range []struct {
		name, patch string
		want        string // code severity line, or "" for nothing
	}{
		{"JSON6902 sets the annotations in whole",
			"- op: add\n  path: /metadata/annotations\n  value:\n" + prefix + "auth-tls-secret: shop/ca\n" + prefix + "auth-tls-verify-client: optional_no_ca\n",
			"K001 high 5"},
		{"JSON6902 sets the mode alone",
			"- op: replace\n  path: /metadata/annotations/nginx.ingress.kubernetes.io~1auth-tls-verify-client\n  value: optional\n",
			"K001 high 2"},
		{"strategic merge without the secret", smp(prefix + "auth-tls-verify-client: optional\n"), "K001 high 6"},
		{"strategic merge with the secret", smp(prefix + "auth-tls-secret: shop/ca\n" + prefix + "auth-tls-verify-client: optional\n"), "K001 high 7"},
		{"strategic merge requiring a certificate, secret left to the base", smp(prefix + "auth-tls-verify-client: \"on\"\n"), ""},
		{"strategic merge removing the secret", smp(prefix + "auth-tls-secret: null\n" + prefix + "auth-tls-verify-client: \"on\"\n"), "K008 high 7"},
	} {
		t.Run(c.name, func(t *testing.T) {
			trees, probs := loadTreesAndProblems(t, map[string]string{"overlay/kustomization.yaml": kustomization, "overlay/patch.yaml": c.patch})
			var reported []string
			for _, p := range probs {
				reported = append(reported, p.Range.File)
			}
			if strings.Join(reported, " ") != "overlay/kustomization.yaml overlay/patch.yaml" {
				t.Errorf("not analysed: %v, want the overlay and its patch", probs)
			}
			var got []string
			for _, d := range runTrees(trees, nil) {
				if d.Range.File != "overlay/patch.yaml" {
					t.Errorf("%s at %s, want it on the patch", d.Code, d.Range)
				}
				got = append(got, fmt.Sprintf("%s %s %d", d.Code, d.Severity, d.Range.Start.Line))
			}
			if strings.Join(got, "; ") != c.want {
				t.Errorf("findings %q, want %q", got, c.want)
			}
		})
	}
}
