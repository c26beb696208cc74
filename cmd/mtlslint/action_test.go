package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// action is the part of action.yml the test reads.
type action struct {
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			Name  string            `yaml:"name"`
			ID    string            `yaml:"id"`
			Uses  string            `yaml:"uses"`
			Shell string            `yaml:"shell"`
			Env   map[string]string `yaml:"env"`
			Run   string            `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// expression matches the ${{ ... }} expressions the action's shell steps
// use: inputs, the runner's temporary directory, earlier steps' outputs.
var expression = regexp.MustCompile(`\$\{\{\s*(inputs\.[a-z-]+|runner\.temp|steps\.[a-z-]+\.outputs\.[a-z-]+)\s*\}\}`)

// runAction runs the shell steps of action.yml the way GitHub's runner
// does (bash --noprofile --norc -eo pipefail, GITHUB_ACTION_PATH,
// GITHUB_OUTPUT, GITHUB_PATH), in workspace, with the given inputs over the
// defaults. The steps that use other actions (setup-go, upload-sarif) are
// listed, not run: Go is already here, and code scanning is GitHub's.
func runAction(t *testing.T, a *action, top, workspace string, inputs map[string]string) (run actionRun) {
	t.Helper()
	values := map[string]string{"runner.temp": t.TempDir()}
	for name, in := range a.Inputs {
		values["inputs."+name] = in.Default
	}
	for name, v := range inputs {
		if _, ok := a.Inputs[name]; !ok {
			t.Fatalf("action.yml has no input %q", name)
		}
		values["inputs."+name] = v
	}
	eval := func(s string) string {
		return expression.ReplaceAllStringFunc(s, func(e string) string {
			return values[strings.TrimSpace(e[3:len(e)-2])]
		})
	}
	pathDirs := []string{}
	run.outputs = map[string]map[string]string{}
	var log strings.Builder
	defer func() { run.log = log.String() }()
	for _, st := range a.Runs.Steps {
		if st.Uses != "" {
			run.used = append(run.used, st.Uses)
			continue
		}
		if st.Shell != "bash" {
			t.Fatalf("step %q: shell %q (the test runs bash steps)", st.Name, st.Shell)
		}
		if leftover := regexp.MustCompile(`\$\{\{`).FindString(expression.ReplaceAllString(st.Run, "")); leftover != "" {
			t.Fatalf("step %q runs an expression the test cannot evaluate:\n%s", st.Name, st.Run)
		}
		dir := t.TempDir()
		script := filepath.Join(dir, "step.sh")
		outFile, pathFile, summaryFile := filepath.Join(dir, "output"), filepath.Join(dir, "path"), filepath.Join(dir, "summary")
		for _, f := range []string{script, outFile, pathFile, summaryFile} {
			content := ""
			if f == script {
				content = eval(st.Run)
			}
			if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		env := append(os.Environ(),
			"GITHUB_ACTION_PATH="+top, "GITHUB_WORKSPACE="+workspace,
			"GITHUB_OUTPUT="+outFile, "GITHUB_PATH="+pathFile, "GITHUB_STEP_SUMMARY="+summaryFile,
			"PATH="+strings.Join(append(append([]string{}, pathDirs...), os.Getenv("PATH")), string(os.PathListSeparator)),
		)
		for k, v := range st.Env {
			env = append(env, k+"="+eval(v))
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir, cmd.Env = workspace, env
		out, err := cmd.CombinedOutput()
		log.WriteString("== " + st.Name + "\n" + string(out))
		run.summary += read(t, summaryFile)
		if st.ID != "" {
			run.outputs[st.ID] = readKeyValues(t, outFile)
			for k, v := range run.outputs[st.ID] {
				values["steps."+st.ID+".outputs."+k] = v
			}
		}
		if b, err := os.ReadFile(pathFile); err == nil {
			for _, p := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				if p != "" {
					pathDirs = append([]string{p}, pathDirs...)
				}
			}
		}
		if err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				run.code = ee.ExitCode()
				return run
			}
			t.Fatalf("step %q: %v", st.Name, err)
		}
	}
	return run
}

// actionRun is what running the action's shell steps gave: the exit code
// of the first step that failed (0 when none did), the log, the outputs
// of the steps by ID, the actions the steps use (not run), and what the
// steps appended to the job summary.
type actionRun struct {
	code    int
	log     string
	outputs map[string]map[string]string
	used    []string
	summary string
}

func readKeyValues(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			out[k] = v
		}
	}
	return out
}

// TestGitHubAction runs the reusable action's shell steps locally: it
// builds mtlslint from the action's checkout, writes a SARIF report that
// validates, and fails the job on findings unless told not to.
func TestGitHubAction(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module; skipped with -short")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	top := moduleRoot(t)
	b, err := os.ReadFile(filepath.Join(top, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", a.Runs.Using)
	}
	// The README documents every input.
	readme, err := os.ReadFile(filepath.Join(top, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for name := range a.Inputs {
		if !strings.Contains(string(readme), "| `"+name+"` |") {
			t.Errorf("README.md does not document the action's input %q", name)
		}
	}

	vulnerable := t.TempDir()
	copyTree(t, filepath.Join(top, "fixtures", "crossfile", "demo-vulnerable"), vulnerable)
	run := runAction(t, &a, top, vulnerable, nil)
	if run.code != 1 || run.outputs["check"]["exit-code"] != "1" {
		t.Fatalf("findings must fail the job: exit %d, outputs %v\n%s", run.code, run.outputs, run.log)
	}
	if !strings.Contains(run.log, "::error title=mtlslint::findings at or above low") {
		t.Errorf("no annotation says why the job failed:\n%s", run.log)
	}
	// --format github: an annotation on the finding's line, paths relative
	// to the workspace; the job summary with the counts and the diagram.
	if !strings.Contains(run.log, "::error file=nginx.conf,line=26,col=9,endLine=26,endColumn=25,title=mtlslint (X001)::") {
		t.Errorf("no annotation on the demo's X001:\n%s", run.log)
	}
	if !strings.HasPrefix(run.summary, "## mtlslint: ") || !strings.Contains(run.summary, "```mermaid") || !strings.Contains(run.summary, "X001") {
		t.Errorf("the job summary lacks the counts, the diagram or the findings:\n%s", run.summary)
	}
	sarif := filepath.Join(vulnerable, run.outputs["check"]["sarif-file"])
	validateSARIF(t, read(t, sarif))
	if !strings.Contains(read(t, sarif), `"X001"`) {
		t.Errorf("the SARIF report lacks the demo's X001")
	}
	if len(run.used) != 2 || !strings.HasPrefix(run.used[0], "actions/setup-go@") || !strings.HasPrefix(run.used[1], "github/codeql-action/upload-sarif@") {
		t.Errorf("the action uses %v; want setup-go, then upload-sarif", run.used)
	}

	// fail-on none: the report is written, the job passes.
	run = runAction(t, &a, top, vulnerable, map[string]string{"fail-on": "none", "sarif-file": "report.sarif"})
	if run.code != 0 || run.outputs["check"]["exit-code"] != "1" || !strings.Contains(read(t, filepath.Join(vulnerable, "report.sarif")), `"X001"`) {
		t.Errorf("fail-on none: exit %d, outputs %v\n%s", run.code, run.outputs, run.log)
	}

	// A usage error stops the action with mtlslint's exit code 2.
	run = runAction(t, &a, top, vulnerable, map[string]string{"args": "--select NOPE"})
	if run.code != 2 || !strings.Contains(run.log, "unknown rule code") {
		t.Errorf("a bad argument: exit %d\n%s", run.code, run.log)
	}

	secure := t.TempDir()
	copyTree(t, filepath.Join(top, "fixtures", "crossfile", "unverified-nginx-secure"), secure)
	if run = runAction(t, &a, top, secure, nil); run.code != 0 || run.outputs["check"]["exit-code"] != "0" || !strings.HasPrefix(run.summary, "## mtlslint: no findings") {
		t.Errorf("a secure deployment: exit %d, summary %q\n%s", run.code, run.summary, run.log)
	}
}
