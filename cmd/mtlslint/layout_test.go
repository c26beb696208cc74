package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// copyTree copies a fixture scenario, symbolic links as links.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case e.IsDir():
			return os.MkdirAll(target, 0o755)
		case e.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, 0o644)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSymlinkedSiteFixedOnce: Debian's sites-enabled/shop.conf →
// ../sites-available/shop.conf is one file. Its fixes are counted once,
// the diff names the file git tracks (the link is a blob holding its
// target's name), and both git apply and patch -p1 take it.
func TestSymlinkedSiteFixedOnce(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	copyTree(t, "../../fixtures/crossfile/debian-symlink-vulnerable", dir)
	gitRun(t, dir, "init", "-q")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "layout")

	code, diff, errs := cli(t, "check", "--isolated", "--diff", dir)
	if code != exitFindings {
		t.Fatalf("--diff: exit %d\n%s", code, errs)
	}
	if !strings.Contains(errs, "3 fixes in 1 file") {
		t.Errorf("--diff counts the fixes of one file twice: %s", errs)
	}
	if n := strings.Count(diff, "+++ "); n != 1 || !strings.Contains(diff, "+++ b/etc/nginx/sites-available/shop.conf\n") {
		t.Fatalf("the diff should hold the site once, under its own path:\n%s", diff)
	}
	apply := func(name string, args ...string) {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Stdin = strings.NewReader(diff)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s %v refuses the diff: %v\n%s\n%s", name, args, err, out, diff)
		}
	}
	apply("git", "apply", "--check")
	if _, err := exec.LookPath("patch"); err == nil {
		apply("patch", "-p1", "--dry-run")
	}

	code, _, errs = cli(t, "check", "--isolated", "--fix", dir)
	if !strings.Contains(errs, "fixed 3 findings in 1 file, 0 remaining") {
		t.Errorf("--fix: exit %d: %s", code, errs)
	}
	link := filepath.Join(dir, "etc/nginx/sites-enabled/shop.conf")
	if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("--fix replaced the sites-enabled link by a file: %v", err)
	}
	if got := read(t, filepath.Join(dir, "etc/nginx/sites-available/shop.conf")); strings.Count(got, "proxy_set_header X-SSL-Client-DN") != 2 {
		t.Errorf("the fix was not written to the site, or written twice:\n%s", got)
	}
}

// TestNamedFileFindsItsWorkspace: a file named from a subdirectory, or by
// an absolute path from elsewhere, is checked with the rest of its
// deployment: the root is the nearest directory with a configuration, else
// the git work tree, else the common directory, whatever the working
// directory.
func TestNamedFileFindsItsWorkspace(t *testing.T) {
	const spoofable = "X001 trusted-header-spoofable"
	demo, err := filepath.Abs("../../fixtures/crossfile/demo-vulnerable")
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	copyTree(t, demo, filepath.Join(repo, "deploy"))
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(repo, "deploy"))
	_, out, errs := cli(t, "check", "--isolated", "--quiet", "nginx.conf")
	if !strings.Contains(out, "nginx.conf:26:9: critical "+spoofable) {
		t.Errorf("cd deploy && check nginx.conf lost the app side:\n%s%s", out, errs)
	}
	t.Chdir(filepath.Join(repo, "deploy", "app"))
	_, out, errs = cli(t, "check", "--isolated", "--quiet", "../nginx.conf")
	if !strings.Contains(out, "../nginx.conf:26:9: critical "+spoofable) {
		t.Errorf("check ../nginx.conf lost the app side, or prints paths that do not open from here:\n%s%s", out, errs)
	}
	t.Chdir(t.TempDir())
	_, out, errs = cli(t, "check", "--isolated", "--quiet", filepath.Join(repo, "deploy", "nginx.conf"))
	if !strings.Contains(out, spoofable) {
		t.Errorf("an absolute path from elsewhere lost the app side:\n%s%s", out, errs)
	}

	// No git: the nearest configuration decides; without one, the file's
	// own directory is all there is.
	plain := t.TempDir()
	copyTree(t, filepath.Join(demo, "app"), filepath.Join(plain, "deploy", "app"))
	write(t, plain, map[string]string{"deploy/proxy/nginx.conf": read(t, filepath.Join(demo, "nginx.conf"))})
	named := filepath.Join(plain, "deploy", "proxy", "nginx.conf")
	if _, out, _ = cli(t, "check", "--quiet", named); strings.Contains(out, spoofable) {
		t.Fatalf("without a configuration or git, the root is the file's directory; yet the app was seen:\n%s", out)
	}
	write(t, plain, map[string]string{"deploy/.mtlslint.toml": "fail-on = \"low\"\n"})
	if _, out, errs = cli(t, "check", "--quiet", named); !strings.Contains(out, spoofable) {
		t.Errorf("the directory holding .mtlslint.toml is the workspace; the app side was lost:\n%s%s", out, errs)
	}
	// --root still decides.
	if _, out, errs = cli(t, "check", "--quiet", "--root", filepath.Dir(named), named); strings.Contains(out, spoofable) || !strings.Contains(out, "N001") {
		t.Errorf("--root names the proxy's directory alone; yet the app was seen, or nothing was checked:\n%s%s", out, errs)
	}
}
