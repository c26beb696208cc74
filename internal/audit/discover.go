// Package audit checks many repositories, each as its own workspace and
// deployment, with a bounded pool of workers, and streams the results as
// JSON Lines records (docs/audit.md) as each repository finishes.
package audit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Repo is one repository to audit.
type Repo struct {
	// ID names the repository in the records: its path relative to the
	// directory it was discovered below (with that directory's name in
	// front when several were given), or its path as listed
	// (slash-separated, cleaned). Shards and --resume key on it, so it
	// must not depend on the machine: the same organisation checked out
	// under another directory gets the same IDs.
	ID string
	// Dir is the directory on disk.
	Dir string
}

func newRepo(p string) Repo {
	c := filepath.Clean(p)
	return Repo{ID: filepath.ToSlash(c), Dir: c}
}

// discovered is the repository at p, found below dir: named by its path
// relative to dir, with dir's own name in front when several directories
// are audited together (and as its whole name when it is dir itself).
func discovered(dir, p string, several bool) Repo {
	r := newRepo(p)
	rel, err := filepath.Rel(filepath.Clean(dir), r.Dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return r
	}
	base := filepath.Base(filepath.Clean(dir))
	switch {
	case rel == ".":
		rel = base
	case several:
		rel = filepath.Join(base, rel)
	}
	r.ID = filepath.ToSlash(rel)
	return r
}

// Discover finds the repositories below dirs, named relative to the
// directory they were found below (see Repo.ID). With depth 0 a repository is
// a directory that contains .git (a directory, or a file as in worktrees
// and submodules), dirs themselves included; the search does not descend
// into a repository it found. With depth n > 0 every directory exactly n
// levels below a dir is a repository. Hidden directories and symbolic links
// are never taken (a link could point anywhere on the host). Problems with
// parts of the tree are returned as warnings; an unreadable dir is an
// error. The result is sorted by ID, without duplicates.
func Discover(dirs []string, depth int) (repos []Repo, warnings []error, err error) {
	seen := map[string]bool{}
	several := len(dirs) > 1
	for _, dir := range dirs {
		add := func(p string) {
			r := discovered(dir, p, several)
			if !seen[r.ID] {
				seen[r.ID] = true
				repos = append(repos, r)
			}
		}
		st, err := os.Stat(dir)
		if err != nil {
			return nil, warnings, err
		}
		if !st.IsDir() {
			return nil, warnings, fmt.Errorf("%s is not a directory", dir)
		}
		if depth > 0 {
			w := atDepth(dir, depth, add)
			warnings = append(warnings, w...)
			continue
		}
		// A trailing separator enters dir even when it is a symbolic link
		// (the user named it); links below it are not followed.
		top := filepath.Clean(dir) + string(filepath.Separator)
		err = filepath.WalkDir(top, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				warnings = append(warnings, err)
				if e != nil && e.IsDir() && p != top {
					return fs.SkipDir
				}
				return nil
			}
			if !e.IsDir() {
				return nil
			}
			if p != top && strings.HasPrefix(e.Name(), ".") {
				return fs.SkipDir
			}
			if _, err := os.Lstat(filepath.Join(p, ".git")); err == nil {
				add(p)
				return fs.SkipDir
			}
			return nil
		})
		if err != nil {
			return nil, warnings, err
		}
	}
	sort.Slice(repos, func(i, j int) bool { return repos[i].ID < repos[j].ID })
	return repos, warnings, nil
}

// atDepth calls add for each directory exactly depth levels below dir.
func atDepth(dir string, depth int, add func(string)) (warnings []error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return []error{err}
	}
	for _, e := range entries {
		// DirEntry types come from Lstat: a symbolic link is not a
		// directory here, whatever it points to.
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if depth == 1 {
			add(p)
			continue
		}
		warnings = append(warnings, atDepth(p, depth-1, add)...)
	}
	return warnings
}

// ReadList reads repository paths, one a line; blank lines and lines
// starting with # are skipped. Relative paths are taken as they are
// (relative to the working directory), so that the IDs match across the
// runners of a sharded audit.
func ReadList(r io.Reader) ([]Repo, error) {
	var repos []Repo
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rp := newRepo(line)
		if !seen[rp.ID] {
			seen[rp.ID] = true
			repos = append(repos, rp)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(repos) == 0 {
		return nil, errors.New("the list names no repository")
	}
	return repos, nil
}
