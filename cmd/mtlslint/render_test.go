package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/rendertest"
	k8srender "github.com/mtlslint/mtlslint/parsers/k8s/render"
)

// mtlslint does not link the renderers: Go initialises every linked
// package at start-up, and kustomize's and Helm's (client-go's scheme
// among them) would cost every run, `mtlslint version` included, more
// than its whole start-up budget. They live in mtlslint-render.
func TestRenderersNotLinked(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, heavy := range []string{"sigs.k8s.io/kustomize/", "helm.sh/helm/", "k8s.io/client-go/", "k8s.io/apimachinery/"} {
			if strings.HasPrefix(dep, heavy) {
				t.Errorf("mtlslint links %s", dep)
			}
		}
	}
}

// The installed pair: mtlslint finds mtlslint-render next to itself, and
// says the renderer is not installed when it is not there.
func TestRendererNextToBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds both programs")
	}
	dir := t.TempDir()
	if _, err := rendertest.Build(dir); err != nil {
		t.Fatal(err)
	}
	self := filepath.Join(dir, "mtlslint")
	if b, err := exec.Command("go", "build", "-o", self, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	check := func() string {
		cmd := exec.Command(self, "check", "helm-values-vulnerable")
		cmd.Dir = filepath.Join("..", "..", "fixtures", "k8s")
		cmd.Env = append(withoutEnv(os.Environ(), k8srender.EnvProgram, "PATH"), "PATH="+t.TempDir())
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	out := check()
	if !strings.Contains(out, "chart/values-prod.yaml:4:3: high K001") || !strings.Contains(out, "Rendered in chart values-prod.yaml.") {
		t.Errorf("with the renderer beside mtlslint:\n%s", out)
	}
	if err := os.Remove(filepath.Join(dir, k8srender.Program)); err != nil {
		t.Fatal(err)
	}
	out = check()
	if !strings.Contains(out, "chart/Chart.yaml:1:1: info K007") || !strings.Contains(out, "mtlslint-render is not installed") || strings.Contains(out, "K001") {
		t.Errorf("without the renderer:\n%s", out)
	}
}

func withoutEnv(env []string, names ...string) []string {
	var out []string
	for _, e := range env {
		keep := true
		for _, n := range names {
			keep = keep && !strings.HasPrefix(e, n+"=")
		}
		if keep {
			out = append(out, e)
		}
	}
	return out
}
