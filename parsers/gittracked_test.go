package parsers

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// gitRepo makes a repository with files committed by the real git (the
// reader never runs git; the test uses it to write real indexes).
func gitRepo(t *testing.T, files map[string]string, args ...[]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := writeTree(t, files)
	for _, a := range append([][]string{{"init", "-q"}, {"add", "-A", "-f"}}, args...) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "core.hooksPath=/dev/null"}, a...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", a, err, out)
		}
	}
	return dir
}

// TestTrackedFilesAreNotHidden: a repository cannot hide a committed
// configuration behind .gitignore from an audit; what it ignores and does
// not track is skipped and counted.
func TestTrackedFilesAreNotHidden(t *testing.T) {
	for _, version := range []string{"2", "3", "4"} {
		t.Run("index v"+version, func(t *testing.T) {
			dir := gitRepo(t, map[string]string{
				".gitignore":       "*\n",
				"haproxy.cfg":      "global\n    maxconn 1\nfrontend fe\n    bind :80\n",
				"deep/dir/app.cfg": "frontend fe\n    bind :81\n",
			}, []string{"update-index", "--index-version", version})
			// Untracked and ignored: skipped and counted.
			if err := os.WriteFile(filepath.Join(dir, "local.cfg"), []byte("frontend x\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if version == "3" {
				// An intent-to-add entry carries extended flags.
				if err := os.WriteFile(filepath.Join(dir, "new.cfg"), []byte("frontend n\n    bind :82\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command("git", "add", "-N", "-f", "new.cfg")
				cmd.Dir = dir
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
			}
			tr := ReadTracked(dir)
			if tr.All || !tr.IsTracked("haproxy.cfg", false) || !tr.IsTracked("deep/dir", true) || tr.IsTracked("local.cfg", false) {
				t.Fatalf("tracked: %+v", tr)
			}
			ws, err := Load(context.Background(), Options{Root: dir, Tracked: tr})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, ps := range ws.Discovered {
				for _, p := range ps {
					got[p] = true
				}
			}
			if !got["haproxy.cfg"] || !got["deep/dir/app.cfg"] || got["local.cfg"] {
				t.Errorf("discovered %v", got)
			}
			if version == "3" && !got["new.cfg"] {
				t.Errorf("intent-to-add file not discovered: %v", got)
			}
			if ws.IgnoredUntracked != 1 {
				t.Errorf("%d ignored untracked entries, want 1 (local.cfg)", ws.IgnoredUntracked)
			}
			// Without the index, check follows .gitignore.
			ws, _ = Load(context.Background(), Options{Root: dir})
			if len(ws.Discovered) != 0 {
				t.Errorf("check discovered %v despite .gitignore", ws.Discovered)
			}
		})
	}
}

// TestUnreadableIndex: when the index cannot be read (none, or .git is a
// link), .gitignore hides nothing in an audit.
func TestUnreadableIndex(t *testing.T) {
	dir := writeTree(t, map[string]string{".gitignore": "*\n", "haproxy.cfg": "global\n    maxconn 1\n"})
	if err := os.Symlink(t.TempDir(), filepath.Join(dir, ".git")); err != nil {
		t.Fatal(err)
	}
	tr := ReadTracked(dir)
	if !tr.All {
		t.Fatal("a .git link was followed")
	}
	ws, err := Load(context.Background(), Options{Root: dir, Tracked: tr})
	if err != nil {
		t.Fatal(err)
	}
	if len(ws.Discovered) == 0 {
		t.Error("haproxy.cfg hidden by .gitignore")
	}
}

// FuzzParseIndex: the git index reader never panics on any bytes, and
// what it accepts is a set of relative paths.
func FuzzParseIndex(f *testing.F) {
	f.Add([]byte("DIRC\x00\x00\x00\x02\x00\x00\x00\x00"))
	f.Add([]byte("DIRC\x00\x00\x00\x04\x00\x00\x00\x01" + string(make([]byte, 62)) + "\x00a\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, hash := range []int{20, 32} {
			tr, err := parseIndex(b, hash)
			if err != nil {
				continue
			}
			for p := range tr.files {
				if p == "" || filepath.IsAbs(p) {
					t.Fatalf("path %q", p)
				}
			}
		}
	})
}
