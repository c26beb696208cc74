package k8s

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/rules"
)

// A base line that is wrong in several rendered environments is one
// finding that names them, and only them.
func TestFindingsNameTheirEnvironments(t *testing.T) {
	dir := t.TempDir()
	for p, c := range map[string]string{
		"base/kustomization.yaml": "resources:\n- ingress.yaml\n",
		"base/ingress.yaml": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n" +
			"    nginx.ingress.kubernetes.io/auth-tls-secret: shop/ca\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional\n" +
			"spec:\n  rules:\n  - host: api.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: api\n            port:\n              number: 80\n",
		"overlays/dev/kustomization.yaml":     "resources:\n- ../../base\n",
		"overlays/staging/kustomization.yaml": "resources:\n- ../../base\nnamePrefix: staging-\n",
		"overlays/prod/kustomization.yaml":    "resources:\n- ../../base\npatches:\n- path: on.yaml\n",
		"overlays/prod/on.yaml": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n" +
			"    nginx.ingress.kubernetes.io/auth-tls-verify-client: \"on\"\n",
	} {
		p = filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, _, res := lintDir(t, dir)
	var k001 []rules.Finding
	for _, d := range res.Findings {
		switch d.Code {
		case "K001":
			k001 = append(k001, d)
		case NotAnalysed.Code, "E001":
			t.Errorf("%s %s: %s", d.Code, d.Range, d.Message)
		}
	}
	if len(k001) != 1 {
		t.Fatalf("K001 reported %d times, want once: %v", len(k001), k001)
	}
	d := k001[0]
	if d.Range.File != "base/ingress.yaml" || d.Range.Start.Line != 7 {
		t.Errorf("K001 at %s, want base/ingress.yaml:7", d.Range)
	}
	if !strings.HasSuffix(d.Detail, "Rendered in overlays/dev, overlays/staging.") {
		t.Errorf("K001's detail says %q, want it to name overlays/dev and overlays/staging, not overlays/prod", d.Detail)
	}
	if len(d.Message) > rules.MaxMessage {
		t.Errorf("K001's message is longer than %d characters: %q", rules.MaxMessage, d.Message)
	}
	envs := map[string]int{}
	for _, r := range res.Model.Routes {
		if _, env, ok := strings.Cut(r.Desc, ", rendered in "); ok {
			envs[env]++
		}
	}
	if len(envs) != 3 || envs["overlays/dev"] != 2 {
		t.Errorf("routes by environment %v, want the HTTPS and plain HTTP routes of each overlay", envs)
	}
}
