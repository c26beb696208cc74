package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/baseline"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

const pairs = "../../rules/openapi/testdata/diff/"

func TestSpecDiffFiles(t *testing.T) {
	code, out, stderr := runCmd(t, "spec-diff", pairs+"dropped-entirely/old.yaml", pairs+"dropped-entirely/new.yaml")
	if code != exitFindings || !strings.Contains(out, "O004") || !strings.Contains(out, "api-security-anonymous-access-added (INFO)") {
		t.Errorf("exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCmd(t, "spec-diff", "--format", "json", pairs+"unchanged-secure/old.yaml", pairs+"unchanged-secure/new.yaml")
	if code != exitClean || strings.Contains(out, "O004") || !strings.Contains(out, `"diagnostics"`) {
		t.Errorf("exit %d\n%s%s", code, out, stderr)
	}
	if code, _, _ := runCmd(t, "spec-diff", pairs+"dropped-entirely/old.yaml"); code != exitError {
		t.Errorf("one argument: exit %d", code)
	}
}

// gitRepo makes a repository with api.yaml committed as old, then
// overwritten (uncommitted) with new.
func gitRepo(t *testing.T, old, new string) string {
	t.Helper()
	dir := t.TempDir()
	gitc := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	gitc("init", "-q")
	if err := os.WriteFile(filepath.Join(dir, "api.yaml"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	gitc("add", "api.yaml")
	gitc("commit", "-q", "-m", "spec")
	if err := os.WriteFile(filepath.Join(dir, "api.yaml"), []byte(new), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readPair(t *testing.T, name string) (string, string) {
	t.Helper()
	o, err := os.ReadFile(pairs + name + "/old.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n, err := os.ReadFile(pairs + name + "/new.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(o), string(n)
}

func TestCheckSpecBase(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	old, new := readPair(t, "became-alternative")
	dir := gitRepo(t, old, new)
	code, out, stderr := runCmd(t, "check", "--isolated", "--spec-base", "HEAD", dir)
	if code != exitFindings || strings.Count(out, "high O004") != 2 || !strings.Contains(out, "in HEAD") {
		t.Errorf("exit %d\n%s%s", code, out, stderr)
	}
	// Without --spec-base, nothing about the change.
	if code, out, _ := runCmd(t, "check", "--isolated", dir); strings.Contains(out, "high O004") {
		t.Errorf("O004 without --spec-base (exit %d)\n%s", code, out)
	}
	// Deselected.
	if _, out, _ := runCmd(t, "check", "--isolated", "--ignore", "O004", "--spec-base", "HEAD", dir); strings.Contains(out, "high O004") {
		t.Errorf("O004 reported while ignored\n%s", out)
	}
	// A bad revision is a usage error, not a clean result.
	if code, _, stderr := runCmd(t, "check", "--isolated", "--spec-base", "no-such-rev", dir); code != exitError || !strings.Contains(stderr, "no-such-rev") {
		t.Errorf("bad revision: exit %d: %s", code, stderr)
	}
	if code, _, _ := runCmd(t, "check", "--isolated", "--spec-base", "--upload-pack=x", dir); code != exitError {
		t.Errorf("option-like revision: exit %d", code)
	}

	// O004 is an ordinary rule: a suppression in the spec applies (and is
	// not reported unused), and so does a baseline.
	suppressed := "# mtlslint: ignore-file[O004] -- the alternative is a planned migration\n" + new
	if err := os.WriteFile(filepath.Join(dir, "api.yaml"), []byte(suppressed), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCmd(t, "check", "--isolated", "--spec-base", "HEAD", dir); strings.Contains(out, "high O004") || strings.Contains(out, "M001") {
		t.Errorf("the suppression of O004 must apply and be used (exit %d)\n%s", code, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "api.yaml"), []byte(new), 0o644); err != nil {
		t.Fatal(err)
	}
	// Inside the root: a baseline is read from the repository it judges.
	bl := filepath.Join(dir, baseline.FileName)
	if code, _, stderr := runCmd(t, "baseline", "--isolated", "--spec-base", "HEAD", "--output", bl, dir); code != exitClean {
		t.Fatalf("baseline: exit %d: %s", code, stderr)
	}
	if code, out, _ := runCmd(t, "check", "--isolated", "--spec-base", "HEAD", "--baseline", bl, dir); code != exitClean || strings.Contains(out, "high O004") {
		t.Errorf("the baseline must accept the O004 findings (exit %d)\n%s", code, out)
	}

	// spec-diff REV:PATH NEW, from inside the repository.
	t.Chdir(dir)
	code, out, stderr = runCmd(t, "spec-diff", "HEAD:api.yaml", "api.yaml")
	if code != exitFindings || strings.Count(out, "high O004") != 2 {
		t.Errorf("spec-diff HEAD:api.yaml: exit %d\n%s%s", code, out, stderr)
	}
}
