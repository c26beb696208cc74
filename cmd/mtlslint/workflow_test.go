package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xeipuuv/gojsonschema"

	"github.com/mtlslint/mtlslint/internal/baseline"
	"github.com/mtlslint/mtlslint/internal/linttest"
)

// cli runs the command line and returns exit code, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const toyVulnerable = "server a {\n    guard;\n    vuln 1;\n    risky;\n}\n"

func TestFixAndDiff(t *testing.T) {
	defer linttest.Register()()
	dir := t.TempDir()
	write(t, dir, map[string]string{"a.toy": toyVulnerable})
	path := filepath.Join(dir, "a.toy")
	os.Chmod(path, 0o600)

	code, out, errs := cli(t, "check", "--isolated", "--diff", dir)
	if code != exitFindings || !strings.Contains(out, "--- a/a.toy\n+++ b/a.toy\n") || !strings.Contains(out, "-    vuln 1;\n+    safe 1;\n") || strings.Contains(out, "risky;\n+") {
		t.Fatalf("--diff: exit %d\n%s\n%s", code, out, errs)
	}
	if read(t, path) != toyVulnerable {
		t.Fatal("--diff wrote the file")
	}
	code, out, _ = cli(t, "check", "--isolated", "--diff", "--unsafe-fixes", dir)
	if code != exitFindings || !strings.Contains(out, "-    risky;\n") {
		t.Fatalf("--diff --unsafe-fixes: exit %d\n%s", code, out)
	}

	code, out, errs = cli(t, "check", "--isolated", "--fix", dir)
	if code != exitFindings || !strings.Contains(errs, "fixed 1 finding in 1 file, 1 remaining") || !strings.Contains(out, "Z902") || strings.Contains(out, "Z901") {
		t.Fatalf("--fix: exit %d\n%s\n%s", code, out, errs)
	}
	if got := read(t, path); got != "server a {\n    guard;\n    safe 1;\n    risky;\n}\n" {
		t.Fatalf("fixed file: %q", got)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode changed to %v", st.Mode().Perm())
	}
	code, _, errs = cli(t, "check", "--isolated", "--fix", "--unsafe-fixes", dir)
	if code != exitClean || !strings.Contains(errs, "0 remaining") {
		t.Fatalf("--fix --unsafe-fixes: exit %d %s", code, errs)
	}
	code, out, _ = cli(t, "check", "--isolated", "--diff", dir)
	if code != exitClean || out != "" {
		t.Fatalf("nothing left to fix: exit %d %q", code, out)
	}
}

func TestBaselineCommand(t *testing.T) {
	defer linttest.Register()()
	dir := t.TempDir()
	write(t, dir, map[string]string{"a.toy": toyVulnerable})
	code, out, errs := cli(t, "baseline", "--isolated", "--root", dir, dir)
	bl := filepath.Join(dir, baseline.FileName)
	if code != exitClean || !strings.Contains(out, "recorded 2 findings in "+bl) {
		t.Fatalf("baseline: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = cli(t, "check", "--isolated", "--baseline", bl, dir)
	if code != exitClean || !strings.Contains(out, "No findings") || !strings.Contains(out, "2 suppressed") {
		t.Fatalf("check --baseline: exit %d\n%s", code, out)
	}
	code, out, _ = cli(t, "check", "--isolated", "--baseline", bl, "--show-suppressed", dir)
	if code != exitClean || !strings.Contains(out, "[suppressed: accepted in the baseline .mtlslint-baseline.json]") {
		t.Fatalf("--show-suppressed: %s", out)
	}
	code, out, _ = cli(t, "check", "--isolated", "--baseline", bl, "--format", "sarif", dir)
	if code != exitClean || strings.Count(out, `"kind": "external"`) != 2 {
		t.Fatalf("sarif with a baseline: exit %d\n%s", code, out)
	}
	validateSARIF(t, out)
	// Lines above: still accepted. A new block with the same defect: new.
	write(t, dir, map[string]string{"a.toy": "# header\n\n" + toyVulnerable + "server b {\n    guard;\n    vuln 1;\n}\n"})
	code, out, _ = cli(t, "check", "--isolated", "--baseline", bl, "--quiet", dir)
	if code != exitFindings || strings.Count(out, "Z901") != 1 || !strings.Contains(out, "a.toy:10:5") || strings.Contains(out, "Z902") {
		t.Fatalf("after edits: exit %d\n%s", code, out)
	}
	if code, _, errs = cli(t, "check", "--baseline", filepath.Join(dir, "missing.json"), dir); code != exitError || !strings.Contains(errs, "not found") {
		t.Fatalf("missing baseline: %d %s", code, errs)
	}
	if code, _, errs = cli(t, "baseline", "--baseline", bl, dir); code != exitError {
		t.Fatalf("baseline --baseline must be refused: %d %s", code, errs)
	}
}

func TestNewFromRev(t *testing.T) {
	defer linttest.Register()()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	write(t, dir, map[string]string{"a.toy": toyVulnerable})
	code, _, errs := cli(t, "check", "--isolated", "--new-from-rev", "HEAD", dir)
	if code != exitError || !strings.Contains(errs, "needs a git repository") {
		t.Fatalf("outside git: %d %s", code, errs)
	}
	gitc := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	gitc("init", "-q")
	gitc("add", ".")
	gitc("commit", "-q", "-m", "x")
	write(t, dir, map[string]string{"a.toy": toyVulnerable + "server b {\n    guard;\n    vuln 2;\n}\n", "b.toy": "vuln 3;\n"})
	code, out, errs := cli(t, "check", "--isolated", "--new-from-rev", "HEAD", "--quiet", dir)
	if code != exitFindings || strings.Count(out, "Z9") != 2 || !strings.Contains(out, "a.toy:8:5") || !strings.Contains(out, "b.toy:1:1") {
		t.Fatalf("--new-from-rev: exit %d\n%s\n%s", code, out, errs)
	}
}

func TestOutputFormatsAndStatistics(t *testing.T) {
	defer linttest.Register()()
	dir := t.TempDir()
	write(t, dir, map[string]string{"a.toy": toyVulnerable})
	t.Setenv("GITHUB_WORKSPACE", filepath.Dir(dir))
	code, out, _ := cli(t, "check", "--isolated", "--format", "github", dir)
	want := "::error file=" + filepath.Base(dir) + "/a.toy,line=3,col=5,endLine=3,endColumn=11,title=mtlslint (Z901)::"
	if code != exitFindings || !strings.Contains(out, want) || !strings.Contains(out, "::warning file=") {
		t.Fatalf("github: exit %d\n%s", code, out)
	}
	outFile := filepath.Join(t.TempDir(), "report.xml")
	code, out, errs := cli(t, "check", "--isolated", "--format", "junit", "--output", outFile, "--statistics", dir)
	if code != exitFindings || out != "" || !strings.Contains(read(t, outFile), `<testsuite name="a.toy" tests="2" failures="2"`) {
		t.Fatalf("junit: exit %d %q\n%s", code, out, read(t, outFile))
	}
	if !strings.Contains(errs, "Z901") || !strings.Contains(errs, "Z902") {
		t.Errorf("--statistics with junit goes to stderr: %q", errs)
	}
	code, out, _ = cli(t, "check", "--isolated", "--format", "json", "--statistics", dir)
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != exitFindings {
		t.Errorf("--statistics corrupted the JSON: %v", err)
	}
	if code, _, errs = cli(t, "check", "--format", "xml", dir); code != exitError || !strings.Contains(errs, "unknown format") {
		t.Errorf("bad format: %d %s", code, errs)
	}
}

func TestSuppressionFlags(t *testing.T) {
	defer linttest.Register()()
	dir := t.TempDir()
	write(t, dir, map[string]string{"a.toy": "server a {  # mtlslint: ignore[Z903] -- tested elsewhere\n    vuln 1;  # mtlslint: ignore[Z901, Z902] -- lab\n}\n"})
	code, out, _ := cli(t, "check", "--isolated", "--quiet", dir)
	if code != exitFindings || !strings.Contains(out, "a.toy:2:14: low M001 unused-suppression: unused suppression: no Z902 finding on this line") || strings.Contains(out, "Z901 toy") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	code, out, _ = cli(t, "check", "--isolated", "--quiet", "--no-ignore", dir)
	if code != exitFindings || !strings.Contains(out, "Z901") || !strings.Contains(out, "Z903") || strings.Contains(out, "M001") {
		t.Fatalf("--no-ignore:\n%s", out)
	}
	// The M001 fix removes only the unused code.
	cli(t, "check", "--isolated", "--fix", dir)
	if got := read(t, filepath.Join(dir, "a.toy")); !strings.Contains(got, "# mtlslint: ignore[Z901] -- lab\n") {
		t.Fatalf("after --fix: %q", got)
	}
	code, out, _ = cli(t, "check", "--isolated", "--format", "sarif", dir)
	if code != exitClean || strings.Count(out, `"kind": "inSource"`) != 2 || !strings.Contains(out, `"justification": "lab"`) || !strings.Contains(out, "mtlslintFingerprint/v1") {
		t.Fatalf("sarif: exit %d\n%s", code, out)
	}
	validateSARIF(t, out)
}

// validateSARIF checks a log against the SARIF 2.1.0 schema in the
// project's shared folder (MTLSLINT_SARIF_SCHEMA overrides), when present.
func validateSARIF(t *testing.T, log string) {
	t.Helper()
	schema := os.Getenv("MTLSLINT_SARIF_SCHEMA")
	if schema == "" {
		for dir, _ := os.Getwd(); dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
			p := filepath.Join(dir, "shared", "schemas", "sarif-schema-2.1.0.json")
			if _, err := os.Stat(p); err == nil {
				schema = p
				break
			}
		}
	}
	if schema == "" {
		t.Log("SARIF schema not found; the report package validates against the library's copy")
		return
	}
	res, err := gojsonschema.Validate(gojsonschema.NewReferenceLoader("file://"+schema), gojsonschema.NewStringLoader(log))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors() {
		t.Errorf("SARIF schema: %s", e)
	}
}

func TestPreCommitStyleInvocation(t *testing.T) {
	defer linttest.Register()()
	dir := t.TempDir()
	write(t, dir, map[string]string{
		".mtlslint.toml":    "exclude = [\"vendor-conf/**\"]\n",
		"a.toy":             toyVulnerable,
		"vendor-conf/b.toy": toyVulnerable,
		"README.md":         "# readme\n",
	})
	t.Chdir(dir)
	code, out, _ := cli(t, "check", "--quiet", "a.toy", "vendor-conf/b.toy", "README.md")
	if code != exitFindings || !strings.Contains(out, "vendor-conf/b.toy") || !strings.Contains(out, "README.md") {
		t.Fatalf("plain: exit %d\n%s", code, out)
	}
	code, out, _ = cli(t, "check", "--quiet", "--force-exclude", "--skip-undetected", "a.toy", "vendor-conf/b.toy", "README.md")
	if code != exitFindings || strings.Contains(out, "vendor-conf") || strings.Contains(out, "README") || !strings.Contains(out, "a.toy:3") {
		t.Fatalf("hook flags: exit %d\n%s", code, out)
	}
	code, out, _ = cli(t, "check", "--quiet", "--force-exclude", "--skip-undetected", "README.md")
	if code != exitClean || out != "" {
		t.Fatalf("nothing to check: exit %d %q", code, out)
	}
}

func TestConfigCommand(t *testing.T) {
	defer linttest.Register()()
	dir := t.TempDir()
	write(t, dir, map[string]string{
		".mtlslint.toml":     "ignore = [\"Z902\"]\nfail-on = \"high\"\n",
		"svc/.mtlslint.toml": "fail-on = \"medium\"\nselect = [\"Z9\"]\nnginx-version = \"1.22.1\"\n\n[severity]\nZ901 = \"low\"\n",
		"svc/a.toy":          "vuln;\n",
	})
	t.Chdir(dir)
	code, out, errs := cli(t, "config", "--ignore", "Z903", "svc/a.toy")
	svc := filepath.Join(dir, "svc", ".mtlslint.toml")
	for _, want := range []string{
		"Configuration for svc/a.toy: " + svc,
		`select            ["Z9"]`, svc + ":2",
		`ignore            ["Z903"]`, "command line (--ignore)",
		// svc/ holds a configuration: it is a.toy's workspace, whose
		// configuration decides the run-wide keys.
		`fail-on           "medium"`, svc + ":1",
		`nginx-version     "1.22.1"`, svc + ":3",
		`severity          {"Z901" = "low"}`, svc + ":5",
		"Enabled rules (4): E001 M004 Z901 Z902",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s%s", want, out, errs)
		}
	}
	if code != exitClean {
		t.Errorf("exit %d", code)
	}
	code, out, _ = cli(t, "config", "--format", "json", ".")
	var eff effective
	if err := json.Unmarshal([]byte(out), &eff); err != nil || code != exitClean {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if eff.File != filepath.Join(dir, ".mtlslint.toml") || eff.Settings[1].Key != "extend-select" {
		t.Errorf("json: %+v", eff)
	}
	for _, s := range eff.Settings {
		if s.Key == "fail-on" && (s.Value != "high" || s.Origin[0] != filepath.Join(dir, ".mtlslint.toml")+":2") {
			t.Errorf("fail-on: %+v", s)
		}
	}
	write(t, dir, map[string]string{"svc/.mtlslint.toml": "selecct = 1\n"})
	if code, _, errs = cli(t, "config", "svc/a.toy"); code != exitError || !strings.Contains(errs, ".mtlslint.toml:1: unknown key") {
		t.Errorf("bad nested config: %d %s", code, errs)
	}
}
