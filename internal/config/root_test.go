package config

import (
	"os"
	"path/filepath"
	"testing"
)

// WorkspaceRoot: the nearest configuration (a pyproject.toml only with
// [tool.mtlslint]), else the top of the git work tree (.git a directory or
// a linked work tree's file), else the start itself.
func TestWorkspaceRoot(t *testing.T) {
	top := t.TempDir()
	deep := filepath.Join(top, "svc", "deploy", "nginx")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	put := func(rel, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(top, rel), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	check := func(want, wantHow string) {
		t.Helper()
		root, how, err := WorkspaceRoot(deep)
		if err != nil || root != want || how != wantHow {
			t.Errorf("WorkspaceRoot = %q (%s), %v; want %q (%s)", root, how, err, want, wantHow)
		}
	}
	if found, _ := Find(top); found != "" || gitTop(top) != "" {
		t.Skipf("the temporary directory %s lies in a git work tree or below a configuration", top)
	}
	check(deep, "common directory")
	put("svc/.git", "gitdir: /elsewhere/.git/worktrees/svc\n")
	check(filepath.Join(top, "svc"), "git work tree")
	put("svc/deploy/pyproject.toml", "[tool.ruff]\nline-length = 100\n")
	check(filepath.Join(top, "svc"), "git work tree")
	put("svc/deploy/pyproject.toml", "[tool.mtlslint]\nignore = [\"D\"]\n")
	check(filepath.Join(top, "svc", "deploy"), "configuration "+filepath.Join(top, "svc", "deploy", "pyproject.toml"))
	put("svc/deploy/nginx/"+FileName, "")
	check(deep, "configuration "+filepath.Join(deep, FileName))
}
