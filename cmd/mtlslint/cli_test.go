package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnknownCommandSuggestsOne(t *testing.T) {
	code, out, errs := cli(t, "chek", ".")
	if code != exitError || out != "" || strings.TrimSpace(errs) != `mtlslint: unknown command "chek"; did you mean check? (mtlslint help lists the commands)` {
		t.Errorf("exit %d\nstdout %q\nstderr %q", code, out, errs)
	}
	// A directory of that name is a path for check, not a typo.
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "chek"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if code, _, errs := cli(t, "chek"); code != exitClean || strings.Contains(errs, "did you mean") {
		t.Errorf("an existing directory named like a command: exit %d: %s", code, errs)
	}
}

// A flag that is unknown to a command, or that would do nothing for it, is
// one line and a pointer to -h, not the whole usage.
func TestUnknownFlagIsOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"check", "--bogus", demo},
		{"graph", "--fix", demo},
		{"graph", "--baseline", "b.json", demo},
		{"config", "--max-files", "10", demo},
		{"config", "--new-from-rev", "HEAD", demo},
		{"baseline", "--fix", demo},
		{"baseline", "--format", "sarif", demo},
		{"rules", "--select", "N"},
	} {
		code, out, errs := cli(t, args...)
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		if code != exitError || out != "" || len(lines) != 2 || !strings.Contains(lines[0], "flag provided but not defined") ||
			lines[1] != "Run 'mtlslint "+args[0]+" -h' for its flags." {
			t.Errorf("mtlslint %s: exit %d\nstdout %q\nstderr:\n%s", strings.Join(args, " "), code, out, errs)
		}
	}
}

func TestHelpRendersEveryFlag(t *testing.T) {
	code, _, errs := cli(t, "check", "-h")
	if code != exitClean {
		t.Fatalf("check -h: exit %d", code)
	}
	if !strings.Contains(errs, "  -no-ignore\n    \tdisregard inline \"mtlslint: ignore\" comments (audits)\n") {
		t.Errorf("the -no-ignore line is garbled:\n%s", errs)
	}
	for _, f := range []string{"-o FILE", "-q\tshorthand for --quiet", "-output FILE", "-root DIR"} {
		if !strings.Contains(errs, "  "+f) {
			t.Errorf("check -h lacks %q", f)
		}
	}
}

// Every command that writes a report takes --output and -o.
func TestOutputFlagOnEveryReport(t *testing.T) {
	for _, args := range [][]string{
		{"check", "--isolated", "--format", "json"},
		{"graph", "--isolated", "--format", "json"},
		{"config", "--isolated", "--format", "json"},
		{"baseline", "--isolated"},
		{"spec-diff", "../../rules/openapi/testdata/diff/unchanged-secure/old.yaml", "../../rules/openapi/testdata/diff/unchanged-secure/new.yaml"},
	} {
		for _, flag := range []string{"--output", "-o"} {
			path := filepath.Join(t.TempDir(), "out")
			full := append(append([]string{}, args...), flag, path)
			if args[0] != "spec-diff" {
				full = append(full, demo)
			}
			code, out, errs := cli(t, full...)
			b, err := os.ReadFile(path)
			if code == exitError || strings.Contains(out, "{") || err != nil || len(b) == 0 {
				t.Errorf("mtlslint %s: exit %d, stdout %q, file: %v %d bytes\n%s", strings.Join(full, " "), code, out, err, len(b), errs)
			}
		}
	}
}

func TestNothingToCheckIsSaid(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"README.md": "# nothing here\n"})
	code, out, errs := cli(t, "check", "--isolated", dir)
	if code != exitClean || !strings.Contains(out, "No findings (0 files checked).") || !strings.Contains(errs, "is in a format mtlslint reads") {
		t.Errorf("exit %d\nstdout %q\nstderr %q", code, out, errs)
	}
	if _, _, errs := cli(t, "check", "--isolated", demo); strings.Contains(errs, "nothing was checked") {
		t.Errorf("said for a directory that holds files: %s", errs)
	}
}

func TestRulesJSONAndExplainByName(t *testing.T) {
	code, out, errs := cli(t, "rules", "--format", "json")
	var list []ruleDoc
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != exitClean {
		t.Fatalf("rules --format json: exit %d, %v\n%s", code, err, errs)
	}
	byCode := map[string]ruleDoc{}
	for _, r := range list {
		byCode[r.Code] = r
	}
	if r := byCode["N003"]; r.Name != "verify-client-optional" || r.Severity != "high" || r.Scope != "tree" || !strings.HasSuffix(r.HelpURI, "#n003") || r.What == "" {
		t.Errorf("N003: %+v", r)
	}
	if len(list) < 100 {
		t.Errorf("only %d rules", len(list))
	}
	code, out, _ = cli(t, "explain", "trusted-header-spoofable")
	if code != exitClean || !strings.HasPrefix(out, "X001 trusted-header-spoofable") {
		t.Errorf("explain by name: exit %d\n%.200s", code, out)
	}
	if _, out, _ = cli(t, "explain", "VERIFY-CLIENT-OPTIONAL"); !strings.HasPrefix(out, "N003 verify-client-optional") {
		t.Errorf("explain by name, in capitals:\n%.200s", out)
	}
	if code, _, errs := cli(t, "explain", "no-such-rule"); code != exitError || !strings.Contains(errs, "no rule with the code or name") {
		t.Errorf("unknown rule: exit %d %s", code, errs)
	}
}

// The completion scripts are valid in their shell, and bash's completes a
// command and a command's flags.
func TestCompletionScripts(t *testing.T) {
	for _, sh := range []struct{ shell, check string }{{"bash", "-n"}, {"zsh", "-n"}, {"fish", "--no-execute"}} {
		code, script, errs := cli(t, "completion", sh.shell)
		if code != exitClean || !strings.Contains(script, "new-from-rev") || !strings.Contains(script, "spec-diff") {
			t.Errorf("completion %s: exit %d %s\n%.300s", sh.shell, code, errs, script)
			continue
		}
		bin, err := exec.LookPath(sh.shell)
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Errorf("%s is not installed; CI installs it (.ci/run) to check its completion script", sh.shell)
			}
			t.Logf("%s is not installed: its script is not syntax-checked", sh.shell)
			continue
		}
		path := filepath.Join(t.TempDir(), "completion")
		if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(bin, sh.check, path).CombinedOutput(); err != nil {
			t.Errorf("%s %s rejects the script: %v\n%s", sh.shell, sh.check, err, out)
		}
		if sh.shell != "bash" {
			continue
		}
		complete := func(words string) string {
			probe := `source "$1"; COMP_WORDS=(` + words + `); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _mtlslint; echo "${COMPREPLY[*]}"`
			out, err := exec.Command(bin, "-c", probe, "bash", path).CombinedOutput()
			if err != nil {
				t.Fatalf("bash completion %q: %v\n%s", words, err, out)
			}
			return string(out)
		}
		if got := complete("mtlslint ch"); !strings.Contains(got, "check") {
			t.Errorf("completing \"ch\": %q", got)
		}
		if got := complete("mtlslint graph --li"); strings.TrimSpace(got) != "--link-prefix" {
			t.Errorf("completing graph's flags: %q", got)
		}
	}
	if code, _, _ := cli(t, "completion", "powershell"); code != exitError {
		t.Errorf("an unknown shell: exit %d", code)
	}
}

func TestVersionCommand(t *testing.T) {
	code, out, _ := cli(t, "version")
	if code != exitClean || !strings.HasPrefix(out, "mtlslint ") || !strings.Contains(out, "built with go") {
		t.Errorf("exit %d: %q", code, out)
	}
	if _, out2, _ := cli(t, "--version"); out2 != out {
		t.Errorf("--version %q differs from version %q", out2, out)
	}
}

// config shows the version check uses, and where it comes from: gunicorn's
// is pinned in the demo's requirements, which check reads first.
func TestConfigShowsPinnedVersions(t *testing.T) {
	code, out, errs := cli(t, "config", "--isolated", demo)
	if code != exitClean || !strings.Contains(out, `gunicorn-version  "22.0.0"`) || !strings.Contains(out, "app/requirements.txt:2 (pinned in the repository)") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
	_, out, _ = cli(t, "config", "--isolated", "--gunicorn-version", "20.1.0", demo)
	if !strings.Contains(out, `"22.0.0"`) {
		t.Errorf("the pinned version is what check uses, even over the flag:\n%s", out)
	}
}
