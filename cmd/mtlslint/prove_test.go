package main

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xeipuuv/gojsonschema"

	"github.com/mtlslint/mtlslint/internal/e2e"
	"github.com/mtlslint/mtlslint/internal/prove"
	"github.com/mtlslint/mtlslint/internal/supervise"
	"github.com/mtlslint/mtlslint/parsers"
)

// renderedScenario renders a real-server scenario as a user's repository
// would hold it, in a directory servers running as nobody can read.
func renderedScenario(t *testing.T, name string) string {
	t.Helper()
	sc := e2e.ScenarioNamed(name)
	if sc == nil {
		t.Fatalf("no scenario %s", name)
	}
	base, err := os.MkdirTemp("", "mtlslint-prove-cmd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	d, err := e2e.MaterializeAsRepository(sc, base)
	if err != nil {
		t.Fatal(err)
	}
	return d.Site
}

// needNginx skips a test that starts nginx and the stub app under
// gunicorn when either is missing or -short is given (fails under
// CI=true when one is missing).
func needNginx(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts real servers")
	}
	servers := prove.FindServers(context.Background(), nil)
	for _, k := range []string{parsers.KindNginx, prove.KindGunicorn} {
		if _, err := servers.For(k); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal(err)
			}
			t.Skip(err)
		}
	}
}

// TestProveCommand runs `mtlslint prove` on a deployment whose valid
// clients can claim any identity (the nginx inheritance trap): the
// cross-file finding is confirmed in every output format, and the exit
// code says so.
func TestProveCommand(t *testing.T) {
	needNginx(t)
	site := renderedScenario(t, "inherit-on-vulnerable")

	code, out, stderr := runCmd(t, "prove", "--format", "json", "--time", "1m", site)
	if code != exitFindings {
		t.Fatalf("exit %d, want %d\n%s", code, exitFindings, stderr)
	}
	var doc struct {
		Diagnostics []struct {
			Code  string       `json:"code"`
			Proof *prove.Proof `json:"proof"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	matchesSchema(t, out)
	confirmed := 0
	for _, d := range doc.Diagnostics {
		if d.Proof == nil {
			t.Errorf("%s has no proof", d.Code)
			continue
		}
		if d.Code == "X001" && d.Proof.Status == prove.Confirmed {
			confirmed++
			if d.Proof.Request == nil || d.Proof.Request.Cert != "valid" || len(d.Proof.Request.Headers) == 0 || d.Proof.Observed == nil || !d.Proof.Observed.ReachedApp {
				t.Errorf("X001 confirmed without the request and what arrived: %+v", d.Proof)
			}
		}
	}
	if confirmed == 0 {
		t.Errorf("no X001 confirmed:\n%s", out)
	}
	if !strings.Contains(stderr, "nginx.conf (nginx): started") || !strings.Contains(stderr, "confirmed,") {
		t.Errorf("summary:\n%s", stderr)
	}

	code, out, _ = runCmd(t, "prove", "--format", "sarif", site)
	if code != exitFindings || !strings.Contains(out, `"proof": {`) || !strings.Contains(out, `"status": "confirmed"`) {
		t.Errorf("sarif: exit %d\n%.2000s", code, out)
	}
	code, out, _ = runCmd(t, "prove", site)
	if code != exitFindings || !strings.Contains(out, "= proof: confirmed: ") {
		t.Errorf("text: exit %d\n%s", code, out)
	}

	// The audit's records, rendered with the confirmed findings first.
	tmp := t.TempDir()
	records, page := filepath.Join(tmp, "proved.jsonl"), filepath.Join(tmp, "report.html")
	if code, _, stderr := runCmd(t, "prove", "--format", "jsonl", "--output", records, site); code != exitFindings {
		t.Fatalf("jsonl: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCmd(t, "report", "--html", page, records); code != exitClean {
		t.Fatalf("report: exit %d\n%s", code, stderr)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	list := string(html)
	if i := strings.Index(list, `<ul class="findings">`); i >= 0 {
		list = list[i:]
	}
	first, _, _ := strings.Cut(strings.TrimSpace(strings.SplitN(list, "<li>", 3)[1]), "</li>")
	if !strings.Contains(first, `<span class="proof confirmed">confirmed</span>`) || !strings.Contains(string(html), "Proof: ") {
		t.Errorf("the report does not list a confirmed finding first: %s", first)
	}
}

// TestProveCommandUsage: prove takes one repository and never writes to
// it.
func TestProveCommandUsage(t *testing.T) {
	for _, args := range [][]string{{"prove", "a", "b"}, {"prove", "--fix", "."}, {"prove", "--format", "html", "."}} {
		if code, _, stderr := runCmd(t, args...); code != exitError || stderr == "" {
			t.Errorf("%v: exit %d, want %d with a message", args, code, exitError)
		}
	}
}

// TestProveCommandMissingServer: a configuration whose server is not
// there is not testable, and the command says what to install and exits
// 2.
func TestProveCommandMissingServer(t *testing.T) {
	site := renderedScenario(t, "inherit-on-vulnerable")
	code, out, stderr := runCmd(t, "prove", "--format", "json", "--nginx", filepath.Join(site, "no-such-nginx"), site)
	if code != exitError {
		t.Errorf("exit %d, want %d\n%s", code, exitError, stderr)
	}
	if !strings.Contains(stderr, "not installed") || !strings.Contains(stderr, "no-such-nginx is not an executable file") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if !strings.Contains(out, `"status": "not-testable"`) || strings.Contains(out, `"status": "confirmed"`) {
		t.Errorf("output:\n%s", out)
	}
	matchesSchema(t, out)
}

// matchesSchema validates prove's JSON output against the schema the
// documentation publishes, the "proof" property included.
func matchesSchema(t *testing.T, out string) {
	t.Helper()
	abs, err := filepath.Abs("../../docs/json-output.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	schema, err := gojsonschema.NewSchema(gojsonschema.NewReferenceLoader("file://" + filepath.ToSlash(abs)))
	if err != nil {
		t.Fatal(err)
	}
	v, err := schema.Validate(gojsonschema.NewStringLoader(out))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range v.Errors() {
		t.Errorf("prove's JSON output: %s", e)
	}
	if !strings.Contains(out, `"proof": {`) {
		t.Error("no proof in the output: the schema's proof was not exercised")
	}
}

// TestProveCommandTerminated: `mtlslint prove` told to end while its
// servers run (SIGTERM, as a CI job's timeout sends) stops every server
// and the stub app before it exits, exits 2 saying it was interrupted,
// and leaves nothing in its temporary directory. Killed outright
// (SIGKILL), it cannot stop anything itself: the kernel ends what it
// started (supervise's and the stub's death signals) within moments.
func TestProveCommandTerminated(t *testing.T) {
	needNginx(t)
	site := renderedScenario(t, "inherit-on-vulnerable")
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			tmp := t.TempDir()
			if err := os.Chmod(tmp, 0o755); err != nil {
				t.Fatal(err)
			}
			stderr := signalWhileServing(t, site, tmp, sig)
			if sig == syscall.SIGKILL {
				var left []supervise.Proc
				var err error
				for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
					if left, err = supervise.Leftovers(nil, tmp); err == nil && len(left) == 0 {
						break
					}
				}
				if err != nil || len(left) > 0 {
					t.Errorf("left behind 3 s after mtlslint was killed: %v %v", left, err)
				}
				return
			}
			if !strings.Contains(stderr, "interrupted") {
				t.Errorf("the command does not say it was interrupted:\n%s", stderr)
			}
			if left, err := supervise.Leftovers(nil, tmp); err != nil || len(left) > 0 {
				t.Errorf("left behind: %v %v", left, err)
			}
			if entries, err := os.ReadDir(tmp); err != nil || len(entries) > 0 {
				t.Errorf("the temporary directory holds %v (%v)", entries, err)
			}
		})
	}
}

// signalWhileServing runs `mtlslint prove` on site with TMPDIR=tmp and,
// once nginx runs, sends it sig; it returns the command's standard error
// and checks its exit (2, or killed).
func signalWhileServing(t *testing.T, site, tmp string, sig syscall.Signal) string {
	t.Helper()
	var stdout, stderr strings.Builder
	cmd := exec.Command(os.Args[0], "prove", "--time", "1m", site)
	cmd.Env = append(os.Environ(), asCommandEnv+"=1", "TMPDIR="+tmp)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Once nginx runs, the command is stopped (SIGSTOP) so that it cannot
	// finish first; the signal is delivered when it continues.
	running := false
	for deadline := time.Now().Add(time.Minute); !running && time.Now().Before(deadline); {
		table, err := supervise.Table()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range table {
			if strings.Contains(p.Cmdline, tmp) && strings.Contains(p.Cmdline, "nginx") {
				running = true
			}
		}
		if !running {
			time.Sleep(5 * time.Millisecond)
		}
	}
	for _, s := range []syscall.Signal{syscall.SIGSTOP, sig, syscall.SIGCONT} {
		if err := cmd.Process.Signal(s); err != nil && sig != syscall.SIGKILL {
			t.Fatal(err)
		}
	}
	err := cmd.Wait()
	if !running {
		t.Fatalf("nginx never ran (%v):\n%s", err, stderr.String())
	}
	code := cmd.ProcessState.ExitCode()
	if sig == syscall.SIGKILL && code != -1 || sig != syscall.SIGKILL && code != exitError {
		t.Errorf("%v: exit %d (%v)\n%s", sig, code, err, stderr.String())
	}
	return stderr.String()
}

// TestProveCommandWritesNothing: a whole `mtlslint prove` run writes
// nothing outside its temporary directory, which it removes: not in the
// repository, not in the home directory (where tools keep caches and
// state), not in the working directory.
func TestProveCommandWritesNothing(t *testing.T) {
	needNginx(t)
	site := renderedScenario(t, "inherit-on-vulnerable")
	before, err := e2e.TreeState(site)
	if err != nil {
		t.Fatal(err)
	}
	home, cwd, tmp := t.TempDir(), t.TempDir(), t.TempDir()
	for _, d := range []string{home, cwd, tmp} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(os.Args[0], "prove", "--format", "json", site)
	cmd.Dir = cwd
	cmd.Env = append(os.Environ(), asCommandEnv+"=1", "TMPDIR="+tmp, "HOME="+home, "XDG_CACHE_HOME=", "XDG_CONFIG_HOME=", "XDG_DATA_HOME=")
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != exitFindings {
		t.Fatalf("exit %d (%v), want %d:\n%s", code, err, exitFindings, out)
	}
	for name, d := range map[string]string{"home": home, "working": cwd, "temporary": tmp} {
		if entries, err := os.ReadDir(d); err != nil || len(entries) > 0 {
			t.Errorf("the %s directory holds %v (%v)", name, entries, err)
		}
	}
	if after, err := e2e.TreeState(site); err != nil || !maps.Equal(before, after) {
		t.Errorf("the repository changed (%v):\nbefore %v\nafter  %v", err, before, after)
	}
}
