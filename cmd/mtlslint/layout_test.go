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
