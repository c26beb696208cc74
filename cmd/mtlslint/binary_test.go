package main

import (
	"debug/buildinfo"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// staticELF reports why the executable at path is not static, or "" when
// it is: no program interpreter, no dynamic section, no library it needs.
func staticELF(path string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_INTERP:
			return "it names a program interpreter (PT_INTERP)", nil
		case elf.PT_DYNAMIC:
			return "it has a dynamic section (PT_DYNAMIC)", nil
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		return "it needs " + strings.Join(libs, ", "), nil
	}
	return "", nil
}

// goBuilds are the commands that build or install mtlslint in the files
// users and CI run: each must build it static.
var goBuilds = regexp.MustCompile(`(?m)^.*\bgo (?:build|install)\b.*cmd/(?:mtlslint|\.\.\.).*$`)

// TestBuiltStatic: everywhere mtlslint is built for use (the README's
// install command, CI, the GitHub Action, the pre-commit hook, the docs
// that say how to install it) it is built
// with CGO_ENABLED=0, and that build has no dynamic section. A plain
// `go build` links the C library as soon as a C compiler is present: the
// net package then uses cgo.
func TestBuiltStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("checks an ELF executable")
	}
	top := moduleRoot(t)
	var readmeCmd string
	for _, file := range []string{"README.md", ".ci/run", "action.yml", "scripts/pre-commit-hook", "docs/audit.md", "docs/editors.md", "docs/k8s.md"} {
		b, err := os.ReadFile(filepath.Join(top, file))
		if err != nil {
			t.Fatal(err)
		}
		cmds := goBuilds.FindAllString(string(b), -1)
		if len(cmds) == 0 {
			t.Errorf("%s builds mtlslint nowhere: where does it?", file)
		}
		for _, c := range cmds {
			if !strings.Contains(c, "CGO_ENABLED=0") {
				t.Errorf("%s builds mtlslint without CGO_ENABLED=0: %s", file, strings.TrimSpace(c))
			}
			if file == "README.md" && readmeCmd == "" {
				readmeCmd = strings.TrimSpace(c)
			}
		}
	}
	// The README's command, into a directory of the test's own.
	bin := t.TempDir()
	m := regexp.MustCompile(`CGO_ENABLED=0 go install (\S+)`).FindStringSubmatch(readmeCmd)
	if m == nil {
		t.Fatalf("the README's install command is not `CGO_ENABLED=0 go install PACKAGE`: %q", readmeCmd)
	}
	cmd := exec.Command("go", "install", m[1])
	cmd.Dir = top
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOBIN="+bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", readmeCmd, err, out)
	}
	exe := filepath.Join(bin, "mtlslint")
	for _, name := range []string{"mtlslint", "mtlslint-render"} {
		why, err := staticELF(filepath.Join(bin, name))
		if err != nil {
			t.Fatal(err)
		}
		if why != "" {
			t.Errorf("%s gives a %s that is not static: %s", readmeCmd, name, why)
		}
	}
	out, err := exec.Command(exe, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "static (CGO_ENABLED=0)") {
		t.Errorf("mtlslint version: %v\n%s", err, out)
	}
	// It names the revision its build information records (go stamps it
	// when it builds in a git clone; not in a linked work tree, nor with
	// -buildvcs=false).
	bi, err := buildinfo.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && !strings.Contains(string(out), "revision "+s.Value) {
			t.Errorf("mtlslint version does not name the revision %s:\n%s", s.Value, out)
		}
	}
}

func TestVersionNamesTheRevision(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Settings: []debug.BuildSetting{
		{Key: "CGO_ENABLED", Value: "0"}, {Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-12-07T04:00:00Z"}, {Key: "vcs.modified", Value: "true"},
	}}
	want := "mtlslint v0.3.0\nrevision 0123456789abcdef0123456789abcdef01234567 (2026-12-07T04:00:00Z, modified)\nbuilt with go1.26.8, static (CGO_ENABLED=0)\n"
	if got := versionOf("v0.3.0", bi); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	bi.Settings = []debug.BuildSetting{{Key: "CGO_ENABLED", Value: "1"}}
	if got := versionOf("dev", bi); got != "mtlslint dev\nbuilt with go1.26.8\n" {
		t.Errorf("without VCS information: %q", got)
	}
}
