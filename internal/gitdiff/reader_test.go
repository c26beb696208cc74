package gitdiff

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
)

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func writeAll(t *testing.T, dir string, files map[string]string) {
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

// A Reader reads a revision's files below a directory from git's objects:
// what was committed, not what the work tree holds now; links inside the
// tree read as their targets; nothing outside the directory is listed or
// read.
func TestReaderReadsTheRevision(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	gitIn(t, repo, "init", "-q")
	writeAll(t, repo, map[string]string{
		"deploy/nginx/nginx.conf":                  "events {}\nhttp {\n    include sites-enabled/*;\n}\n",
		"deploy/nginx/sites-available/shop.conf":   "server {\n    listen 443 ssl;\n}\n",
		"deploy/nginx/sites-available/unused.conf": "server {\n    listen 8443 ssl;\n}\n",
		"deploy/node_modules/x/nginx.conf":         "events {}\n",
		"elsewhere/secret.conf":                    "secret\n",
	})
	if err := os.Symlink("nowhere.conf", filepath.Join(repo, "deploy/nginx/dangling.conf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../elsewhere/secret.conf", filepath.Join(repo, "deploy/nginx/out.conf")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(repo, "deploy/nginx/sites-enabled"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../sites-available/shop.conf", filepath.Join(repo, "deploy/nginx/sites-enabled/shop.conf")); err != nil {
		t.Fatal(err)
	}
	gitIn(t, repo, "add", "-A")
	gitIn(t, repo, "commit", "-q", "-m", "base")
	// The work tree moves on; the revision does not.
	writeAll(t, repo, map[string]string{"deploy/nginx/sites-available/shop.conf": "changed\n", "deploy/new.conf": "new\n"})

	tr, err := NewReader(filepath.Join(repo, "deploy"), "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	want := []string{"nginx/nginx.conf", "nginx/out.conf", "nginx/sites-available/shop.conf", "nginx/sites-available/unused.conf", "nginx/sites-enabled/shop.conf", "node_modules/x/nginx.conf"}
	if got := tr.Files(); !reflect.DeepEqual(got, want) {
		t.Errorf("files %q\nwant %q", got, want)
	}
	f, err := tr.ReadFile("nginx/sites-enabled/shop.conf")
	if err != nil || string(f.Content) != "server {\n    listen 443 ssl;\n}\n" || f.Path != "nginx/sites-enabled/shop.conf" {
		t.Errorf("the link reads %v %+v", err, f)
	}
	if id := tr.Identity("nginx/sites-enabled/shop.conf"); id != "nginx/sites-available/shop.conf" {
		t.Errorf("identity %q", id)
	}
	if _, err := tr.ReadFile("nginx/out.conf"); !errors.Is(err, source.ErrOutsideRoot) {
		t.Errorf("a link out of the tree: %v", err)
	}
	if _, err := tr.ReadFile("../elsewhere/secret.conf"); !errors.Is(err, source.ErrOutsideRoot) {
		t.Errorf("a path out of the tree: %v", err)
	}
	if _, err := tr.ReadFile("new.conf"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file the revision lacks: %v", err)
	}
	if got, _ := tr.Glob("nginx/sites-enabled/*"); !reflect.DeepEqual(got, []string{"nginx/sites-enabled/shop.conf"}) {
		t.Errorf("glob %q", got)
	}
	if st, err := tr.Stat("nginx/sites-enabled"); err != nil || !st.IsDir() {
		t.Errorf("stat of a directory: %v %v", st, err)
	}

	// A workspace loads from it as from a directory: one nginx tree that
	// includes the site through its link; the vendored directory is
	// skipped.
	ws, err := parsers.LoadFiles(context.Background(), tr, parsers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ws.Discovered["nginx"]; !reflect.DeepEqual(got, []string{"nginx/nginx.conf", "nginx/sites-available/shop.conf", "nginx/sites-available/unused.conf"}) {
		t.Errorf("discovered %q", got)
	}
	var roots []string
	for _, tree := range ws.Trees {
		roots = append(roots, tree.Root().Path)
	}
	if !reflect.DeepEqual(roots, []string{"nginx/nginx.conf", "nginx/sites-available/unused.conf"}) {
		t.Errorf("tree roots %q: the site enabled through its link is no root of its own", roots)
	}
}
