package config

import (
	"os"
	"path/filepath"
)

// WorkspaceRoot finds the directory a run over start belongs to, the way
// ruff finds a project: the nearest directory from start upwards that holds
// a configuration (.mtlslint.toml, or pyproject.toml with [tool.mtlslint]);
// else the top of the git work tree holding start; else start itself. The
// command line, the pre-commit hook and the editor server all confine a
// run to it, so that the cross-file rules see the same deployment whatever
// the working directory. how says which of the three it was.
func WorkspaceRoot(start string) (root, how string, err error) {
	abs, err := filepath.Abs(start)
	if err != nil {
		return "", "", err
	}
	found, err := Find(abs)
	if err != nil {
		return "", "", err
	}
	if found != "" {
		return filepath.Dir(found), "configuration " + found, nil
	}
	if top := gitTop(abs); top != "" {
		return top, "git work tree", nil
	}
	return abs, "common directory", nil
}

// gitTop returns the nearest directory from dir upwards holding .git (a
// directory, or the file a linked work tree or a submodule has), without
// running git.
func gitTop(dir string) string {
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
