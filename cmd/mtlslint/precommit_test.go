package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPreCommitHook runs the real pre-commit against this repository's
// .pre-commit-hooks.yaml, as a user's `pre-commit` would: it installs the
// hook with `go install ./...` from a git clone of the committed tree, then
// runs it on a scratch repository holding a vulnerable and a clean
// configuration.
func TestPreCommitHook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module through pre-commit; skipped with -short")
	}
	preCommit, err := exec.LookPath("pre-commit")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pre-commit is not installed; CI installs it (Debian package pre-commit, see .ci/run)")
		}
		t.Skip("pre-commit is not installed (Debian package pre-commit); skipping the hook test")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed for the hook test")
	}
	top := moduleRoot(t)
	tmp := t.TempDir()

	// The hook repository: a clone of the committed tree (what pre-commit
	// users get), or, outside a git checkout, the source tree committed
	// into a fresh repository.
	hookRepo := filepath.Join(tmp, "hook")
	if out, err := exec.Command("git", "-C", top, "rev-parse", "--verify", "HEAD").CombinedOutput(); err == nil && len(bytes.TrimSpace(out)) > 0 {
		gitRun(t, tmp, "clone", "--quiet", "--no-hardlinks", top, hookRepo)
	} else {
		if err := copySource(top, hookRepo); err != nil {
			t.Fatal(err)
		}
		gitRun(t, hookRepo, "init", "-q")
		gitRun(t, hookRepo, "add", "-A")
		gitRun(t, hookRepo, "commit", "-q", "-m", "source")
	}

	work := filepath.Join(tmp, "work")
	writeFile(t, work, "vulnerable/haproxy.cfg", `frontend fe
    mode http
    bind :8443 ssl crt /etc/haproxy/site.pem ca-file /etc/haproxy/client-ca.pem crl-file /etc/haproxy/client-ca.crl verify required
    http-request add-header X-SSL-Client-DN %[ssl_c_s_dn]
    default_backend app

backend app
    mode http
    server app1 127.0.0.1:8000
`)
	writeFile(t, work, "clean/haproxy.cfg", `frontend fe
    mode http
    bind :8443 ssl crt /etc/haproxy/site.pem ca-file /etc/haproxy/client-ca.pem crl-file /etc/haproxy/client-ca.crl verify required
    http-request set-header X-SSL-Client-DN %[ssl_c_s_dn]
    default_backend app

backend app
    mode http
    server app1 127.0.0.1:8000
`)
	writeFile(t, work, "README.md", "scratch\n")
	// A deployment in a subdirectory of another repository: the hook is
	// passed the proxy only, and still reads the app beside it (the
	// workspace root is the git work tree, as for check).
	deploy := filepath.Join(tmp, "deploy")
	copyTree(t, filepath.Join(top, "fixtures", "crossfile", "demo-vulnerable"), filepath.Join(deploy, "deploy"))
	gitRun(t, deploy, "init", "-q")
	gitRun(t, deploy, "add", "-A")
	gitRun(t, work, "init", "-q")
	gitRun(t, work, "add", "-A")

	goEnv := func(name string) string {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", name, err)
		}
		return strings.TrimSpace(string(out))
	}
	env := append(os.Environ(),
		"PRE_COMMIT_HOME="+filepath.Join(tmp, "pre-commit-cache"),
		// pre-commit points GOPATH at its own environment; keep the module
		// and build caches this machine already has, so the install works
		// offline once the tests' dependencies are downloaded.
		"GOMODCACHE="+goEnv("GOMODCACHE"),
		"GOCACHE="+goEnv("GOCACHE"),
		"NO_COLOR=1",
		// Where the hook's script keeps the binary it builds.
		"XDG_CACHE_HOME="+filepath.Join(tmp, "cache"),
	)
	tryRepoIn := func(dir string, files ...string) (string, error) {
		args := append([]string{"try-repo", hookRepo, "mtlslint", "--files"}, files...)
		cmd := exec.Command(preCommit, args...)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	tryRepo := func(files ...string) (string, error) { return tryRepoIn(work, files...) }

	out, err := tryRepo("vulnerable/haproxy.cfg", "README.md")
	if err == nil {
		t.Fatalf("the hook passed on a vulnerable configuration:\n%s", out)
	}
	if !strings.Contains(out, "Failed") || !strings.Contains(out, "vulnerable/haproxy.cfg:4:5") || !strings.Contains(out, "H001") {
		t.Fatalf("the hook failed without reporting the finding:\n%s", out)
	}
	if strings.Contains(out, "clean/haproxy.cfg") || strings.Contains(out, "README.md:") {
		t.Errorf("findings outside the passed files, or about a file mtlslint does not read:\n%s", out)
	}

	out, err = tryRepoIn(deploy, "deploy/nginx.conf")
	if err == nil || !strings.Contains(out, "deploy/nginx.conf:26:9: critical X001") {
		t.Errorf("the hook lost the app side of the changed proxy configuration:\n%s", out)
	}

	out, err = tryRepo("clean/haproxy.cfg")
	if err != nil {
		t.Fatalf("the hook failed on a clean configuration: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Passed") {
		t.Fatalf("the hook did not run on the clean configuration:\n%s", out)
	}

	// The README's example configuration, with the repository as a local
	// path: its hooks exist, and its rev is a branch or tag of this
	// repository (a user's pre-commit fetches it from the project).
	readme, err := os.ReadFile(filepath.Join(top, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)# .pre-commit-config.yaml\n(repos:.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no .pre-commit-config.yaml example")
	}
	example := string(m[1])
	rm := regexp.MustCompile(`(?m)^\s*rev:\s*(\S+)`).FindStringSubmatch(example)
	if rm == nil {
		t.Fatalf("the README's example names no rev:\n%s", example)
	}
	rev := rm[1]
	if refs, _ := exec.Command("git", "-C", top, "for-each-ref", "--format=%(refname)").Output(); len(bytes.TrimSpace(refs)) > 0 {
		found := false
		for _, ref := range []string{"refs/heads/" + rev, "refs/tags/" + rev, "refs/remotes/origin/" + rev} {
			if exec.Command("git", "-C", top, "rev-parse", "--verify", "--quiet", ref+"^{commit}").Run() == nil {
				found = true
			}
		}
		if !found {
			t.Errorf("the README's pre-commit example names rev %q, which is no branch or tag of this repository", rev)
		}
	} else {
		t.Logf("the checkout has no branches or tags (a detached shallow clone): rev %q not looked up", rev)
	}
	// this commit, as the project's rev; detached first, since git refuses
	// to move the branch that is checked out (a clone's main is)
	gitRun(t, hookRepo, "checkout", "-q", "--detach")
	gitRun(t, hookRepo, "branch", "-f", rev, "HEAD")
	config := strings.Replace(example, "https://github.com/mtlslint/mtlslint", hookRepo, 1)
	writeFile(t, deploy, ".pre-commit-config.yaml", config)
	runConfig := exec.Command(preCommit, "run", "--files", "deploy/nginx.conf")
	runConfig.Dir, runConfig.Env = deploy, env
	if out, err := runConfig.CombinedOutput(); err == nil || !strings.Contains(string(out), "X001") {
		t.Errorf("the README's configuration does not run the hook on the changed proxy: %v\n%s", err, out)
	}

	// The hook's script built mtlslint static, once for this commit, in
	// its cache.
	hook := exec.Command(filepath.Join(hookRepo, "scripts", "pre-commit-hook"), "version")
	hook.Dir = work
	hook.Env = env
	if out, err := hook.CombinedOutput(); err != nil || !strings.Contains(string(out), "static (CGO_ENABLED=0)") {
		t.Fatalf("scripts/pre-commit-hook version: %v\n%s", err, out)
	}
	head, err := exec.Command("git", "-C", hookRepo, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	if why, err := staticELF(filepath.Join(tmp, "cache", "mtlslint", "pre-commit", strings.TrimSpace(string(head)), "mtlslint")); err != nil || why != "" {
		t.Errorf("the hook's binary is not static: %s %v", why, err)
	}
}

// moduleRoot finds the directory holding go.mod above the test's
// directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	full := append([]string{"-c", "user.name=mtlslint test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}, args...)
	cmd := exec.Command("git", full...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func writeFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// copySource copies the module's files (not .git) for a hook repository
// made from a source tree that is not a git checkout.
func copySource(src, dst string) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			if info.Name() == ".git" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, info.Mode().Perm())
	})
}
