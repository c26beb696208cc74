// Package rendertest builds the renderer, mtlslint-render, for the tests
// of packages that render kustomize overlays and Helm charts, so that
// they run against the renderer of the same source instead of skipping
// or finding an installed one of another version.
package rendertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/k8s/render"
)

// Main builds the renderer into a temporary directory, points
// $MTLSLINT_RENDER at it, runs the tests and removes the directory. Use it
// as a package's TestMain: func TestMain(m *testing.M) { rendertest.Main(m) }.
func Main(m interface{ Run() int }) {
	dir, err := os.MkdirTemp("", "mtlslint-render-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "rendertest:", err)
		os.Exit(2)
	}
	program, err := Build(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rendertest:", err)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	os.Setenv(render.EnvProgram, program)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Build compiles ./cmd/mtlslint-render of this module into dir and
// returns the program's path.
func Build(dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, render.Program)
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	cmd := exec.Command("go", "build", "-o", out, "./cmd/"+render.Program)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/%s: %v\n%s", render.Program, err, strings.TrimSpace(string(b)))
	}
	return out, nil
}

// moduleRoot finds the directory of go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}
