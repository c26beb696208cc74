package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/k8s/render"
)

func roundTrip(t *testing.T, req render.Request) render.Response {
	t.Helper()
	req.Protocol = render.Protocol
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := serve(context.Background(), bytes.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	resp, err := render.Decode(out.Bytes(), len(req.Environments))
	if err != nil {
		t.Fatal(err)
	}
	return *resp
}

const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    nginx.ingress.kubernetes.io/auth-tls-secret: shop/ca
    nginx.ingress.kubernetes.io/auth-tls-verify-client: "on"
spec:
  rules:
  - host: shop.example.com
`

// overlay is a base and a production overlay that patches it.
func overlay() map[string]string {
	return map[string]string{
		"base/kustomization.yaml": "resources:\n- ingress.yaml\n",
		"base/ingress.yaml":       ingress,
		"prod/kustomization.yaml": "resources:\n- ../base\nnamePrefix: prod-\npatches:\n- path: patch.yaml\n",
		"prod/patch.yaml":         "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations:\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional\n",
	}
}

func TestKustomizeOverlay(t *testing.T) {
	files := overlay()
	files["remote/kustomization.yaml"] = "resources:\n- github.com/example/repo//deploy?ref=v1\n"
	resp := roundTrip(t, render.Request{Files: files, Environments: []render.Environment{
		{Name: "prod", Kustomization: "prod"},
		{Name: "remote", Kustomization: "remote"},
	}})
	prod := resp.Environments[0]
	if len(prod.Problems) > 0 || len(prod.Documents) != 1 {
		t.Fatalf("prod: %+v", prod)
	}
	d := prod.Documents[0]
	if d.Origin != "base/ingress.yaml" {
		t.Errorf("origin %q, want base/ingress.yaml", d.Origin)
	}
	if strings.Join(d.Transformers, ",") != "prod/kustomization.yaml" {
		t.Errorf("transformers %q", d.Transformers)
	}
	for _, want := range []string{"name: prod-web", "auth-tls-verify-client: optional", "auth-tls-secret: shop/ca"} {
		if !strings.Contains(d.YAML, want) {
			t.Errorf("rendered YAML lacks %q:\n%s", want, d.YAML)
		}
	}
	if strings.Contains(d.YAML, "config.kubernetes.io") {
		t.Errorf("origin annotations left in the output:\n%s", d.YAML)
	}
	remote := resp.Environments[1]
	if len(remote.Documents) != 0 || len(remote.Problems) != 1 || remote.Problems[0].Kind != render.NotRendered || remote.Problems[0].Line != 2 {
		t.Errorf("remote base: %+v", remote)
	}
}

func TestHelmChart(t *testing.T) {
	files := map[string]string{
		"chart/Chart.yaml":             "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"chart/values.yaml":            "verify: \"on\"\n",
		"chart/values-prod.yaml":       "verify: optional\n",
		"chart/templates/ingress.yaml": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\n  annotations:\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: {{ .Values.verify | quote }}\n    x: {{ lookup \"v1\" \"Secret\" \"ns\" \"s\" | len | quote }}\n",
		"chart/templates/_helpers.tpl": "{{ define \"x\" }}x{{ end }}",
		"bad/Chart.yaml":               "apiVersion: v2\nname: bad\nversion: 0.1.0\n",
		"bad/templates/a.yaml":         "kind: ConfigMap\n\nmetadata:\n  name: {{ .Values.missing.key }}\n",
		"broken/Chart.yaml":            "apiVersion: v2\nname: broken\nversion: 0.1.0\n",
		"broken/templates/a.yaml":      "kind: ConfigMap\nmetadata:\n  name: {{ .Values.x | nosuchfunction }}\n",
		"dep/Chart.yaml":               "apiVersion: v2\nname: dep\nversion: 0.1.0\ndependencies:\n- name: redis\n  version: 1.0.0\n  repository: https://charts.example.com\n",
	}
	resp := roundTrip(t, render.Request{Files: files, Environments: []render.Environment{
		{Name: "chart", Chart: "chart"},
		{Name: "chart values-prod.yaml", Chart: "chart", Values: []string{"chart/values-prod.yaml"}, Namespace: "shop"},
		{Name: "bad", Chart: "bad"},
		{Name: "dep", Chart: "dep"},
		{Name: "broken", Chart: "broken"},
	}})
	for i, want := range []string{`auth-tls-verify-client: "on"`, `auth-tls-verify-client: "optional"`} {
		e := resp.Environments[i]
		if len(e.Problems) > 0 || len(e.Documents) != 1 {
			t.Fatalf("%s: %+v", e.Name, e)
		}
		d := e.Documents[0]
		if !strings.Contains(d.YAML, want) || !strings.Contains(d.YAML, "name: web") || !strings.Contains(d.YAML, `x: "0"`) {
			t.Errorf("%s: rendered YAML lacks %q:\n%s", e.Name, want, d.YAML)
		}
		if d.Origin != "chart/templates/ingress.yaml" {
			t.Errorf("%s: origin %q", e.Name, d.Origin)
		}
	}
	if got := resp.Environments[1].Documents[0]; !strings.Contains(got.YAML, "namespace: shop") || strings.Join(got.Values, ",") != "chart/values.yaml,chart/values-prod.yaml" {
		t.Errorf("namespace or values: %+v", got)
	}
	// A value the environment lacks is not a broken template.
	bad := resp.Environments[2]
	if len(bad.Problems) != 1 || bad.Problems[0].Kind != render.NotRendered || bad.Problems[0].File != "bad/templates/a.yaml" || bad.Problems[0].Line != 4 ||
		!strings.HasPrefix(bad.Problems[0].Message, "values are missing") {
		t.Errorf("missing value: %+v", bad.Problems)
	}
	broken := resp.Environments[4]
	if len(broken.Problems) != 1 || broken.Problems[0].Kind != render.Error || broken.Problems[0].File != "broken/templates/a.yaml" || broken.Problems[0].Line != 3 {
		t.Errorf("template error: %+v", broken.Problems)
	}
	dep := resp.Environments[3]
	if len(dep.Problems) != 1 || dep.Problems[0].Kind != render.NotRendered || dep.Problems[0].Line != 4 || !strings.Contains(dep.Problems[0].Message, "redis") {
		t.Errorf("missing dependency: %+v", dep.Problems)
	}
}

func TestBadRequest(t *testing.T) {
	var out bytes.Buffer
	if err := serve(context.Background(), strings.NewReader(`{"protocol": 99}`), &out); err == nil {
		t.Error("a request of another protocol was answered")
	}
	if err := serve(context.Background(), strings.NewReader(`{`), &out); err == nil {
		t.Error("a truncated request was answered")
	}
}

// FuzzServe renders arbitrary kustomizations, resources, charts and
// values: the renderer answers (problems are part of the answer) and
// never fails or panics on its input.
func FuzzServe(f *testing.F) {
	f.Add("resources:\n- r.yaml\n", ingress, "verify: on\n", "kind: Ingress\nmetadata:\n  name: {{ .Values.verify }}\n")
	f.Add("patches:\n- path: r.yaml\n", "- op: remove\n  path: /x\n", "a: &a [*a]\n", "{{ template \"x\" }}")
	f.Fuzz(func(t *testing.T, kustomization, resource, values, template string) {
		files := map[string]string{
			"k/kustomization.yaml": kustomization,
			"k/r.yaml":             resource,
			"c/Chart.yaml":         "apiVersion: v2\nname: c\nversion: 0.1.0\n",
			"c/values.yaml":        values,
			"c/templates/t.yaml":   template,
			"c/templates/_h.tpl":   template,
			"c/values-prod.yaml":   resource,
		}
		resp := roundTrip(t, render.Request{Files: files, Environments: []render.Environment{
			{Name: "k", Kustomization: "k"},
			{Name: "c", Chart: "c", Values: []string{"c/values-prod.yaml"}},
		}})
		for _, e := range resp.Environments {
			for _, p := range e.Problems {
				if p.Kind != render.Error && p.Kind != render.NotRendered {
					t.Fatalf("problem of kind %q", p.Kind)
				}
			}
		}
	})
}

// BenchmarkServe renders a base with two overlays and a chart with two
// values files: what one run of mtlslint asks of the renderer for a small
// repository.
func BenchmarkServe(b *testing.B) {
	files := overlay()
	for p, c := range map[string]string{
		"staging/kustomization.yaml":      "resources:\n- ../base\nnamePrefix: staging-\n",
		"chart/Chart.yaml":                "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"chart/values.yaml":               "verify: \"on\"\n",
		"chart/values-prod.yaml":          "verify: optional\n",
		"chart/templates/ingress.yaml":    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {{ .Release.Name }}\n  annotations:\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: {{ .Values.verify | quote }}\n",
		"chart/templates/service.yaml":    "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  ports:\n  - port: 80\n",
		"chart/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web\n",
	} {
		files[p] = c
	}
	req := render.Request{Protocol: render.Protocol, Files: files, Environments: []render.Environment{
		{Name: "staging", Kustomization: "staging"}, {Name: "prod", Kustomization: "prod"},
		{Name: "chart", Chart: "chart"}, {Name: "chart values-prod.yaml", Chart: "chart", Values: []string{"chart/values-prod.yaml"}},
	}}
	in, err := json.Marshal(req)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out bytes.Buffer
		if err := serve(context.Background(), bytes.NewReader(in), &out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(req.Environments))*float64(b.N)/b.Elapsed().Seconds(), "environments/s")
}
