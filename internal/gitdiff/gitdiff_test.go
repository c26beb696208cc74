package gitdiff

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

func TestParse(t *testing.T) {
	diff := `diff --git a/conf/nginx.conf b/conf/nginx.conf
--- a/conf/nginx.conf
+++ b/conf/nginx.conf
@@ -3,0 +4,2 @@ server {
+    listen 80;
+    location / {}
@@ -10 +12 @@
-    old
+    new
@@ -20,3 +21,0 @@
-gone
diff --git a/old.conf b/old.conf
--- a/old.conf
+++ /dev/null
@@ -1,2 +0,0 @@
-a
-b
`
	c := Parse([]byte(diff))
	for _, l := range []int{4, 5, 12} {
		if !c.Changed("conf/nginx.conf", l, l) {
			t.Errorf("line %d should be changed", l)
		}
	}
	for _, l := range []int{3, 6, 11, 13, 21, 22} {
		if c.Changed("conf/nginx.conf", l, l) {
			t.Errorf("line %d should not be changed", l)
		}
	}
	if !c.Changed("conf/nginx.conf", 1, 4) || c.Changed("old.conf", 1, 2) {
		t.Error("range checks")
	}
}

func run(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestSinceInARepository(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	run(t, dir, "init", "-q")
	sub := filepath.Join(dir, "deploy")
	os.MkdirAll(sub, 0o755)
	os.WriteFile(filepath.Join(sub, "nginx.conf"), []byte("a\nb\nc\n"), 0o644)
	run(t, dir, "add", ".")
	run(t, dir, "commit", "-q", "-m", "one")
	os.WriteFile(filepath.Join(sub, "nginx.conf"), []byte("a\nnew\nb\nc\n"), 0o644)
	os.WriteFile(filepath.Join(sub, "new.conf"), []byte("x\n"), 0o644)

	// Root is a subdirectory of the repository: paths are relative to it.
	c, err := Since(sub, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	f := source.NewFile("nginx.conf", []byte("a\nnew\nb\nc\n"))
	diag := func(file string, line int) rules.Finding {
		return rules.Finding{Code: "N001", Diagnostic: rules.Diagnostic{Range: source.Range{File: file, Start: source.Pos{Line: line, Col: 1}, End: source.Pos{Line: line, Col: 2}}}}
	}
	kept := c.Keep([]rules.Finding{diag(f.Path, 1), diag(f.Path, 2), diag(f.Path, 3), diag("new.conf", 1)}, nil)
	var got []string
	for _, d := range kept {
		got = append(got, d.Range.String())
	}
	if strings.Join(got, " ") != "nginx.conf:2:1 new.conf:1:1" {
		t.Errorf("kept %v", got)
	}
	if _, err := Since(sub, "no-such-rev"); err == nil || !strings.Contains(err.Error(), "not a revision") {
		t.Errorf("bad revision: %v", err)
	}
}

func TestSinceOutsideARepository(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	_, err := Since(dir, "HEAD")
	if err == nil || !strings.Contains(err.Error(), "not inside one") {
		t.Errorf("err = %v", err)
	}
}
