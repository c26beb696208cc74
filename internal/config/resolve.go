package config

import (
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Resolver finds the configuration that applies to each file: the nearest
// `.mtlslint.toml` (or `pyproject.toml` with a [tool.mtlslint] table) from
// the file's directory upwards, so that a subproject of a monorepo can
// carry its own. The nearest file wins as a whole; files are not merged.
// With a fixed configuration (--config) every file gets that one; an
// isolated resolver (--isolated) gives none. Safe for concurrent use.
type Resolver struct {
	root     string  // absolute
	fixed    *Config // non-nil: one configuration for everything
	isolated bool

	mu     sync.Mutex
	byDir  map[string]*Config // absolute directory → nearest config (nil: none)
	loaded map[string]*Config // path → config
	err    error
}

// NewResolver returns a resolver for files below root. override names a
// configuration file that applies to every file (--config); isolated
// ignores configuration files.
func NewResolver(root, override string, isolated bool) (*Resolver, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	r := &Resolver{root: abs, isolated: isolated, byDir: map[string]*Config{}, loaded: map[string]*Config{}}
	if override != "" && !isolated {
		c, err := Load(override)
		if err != nil {
			return nil, err
		}
		r.fixed = c
		r.loaded[c.Path] = c
	}
	return r, nil
}

// Fixed returns a resolver that gives c (which may be nil) to every file.
func Fixed(root string, c *Config) *Resolver {
	abs, _ := filepath.Abs(root)
	r := &Resolver{root: abs, fixed: c, isolated: c == nil, byDir: map[string]*Config{}, loaded: map[string]*Config{}}
	if c != nil {
		r.loaded[c.Path] = c
	}
	return r
}

// Root is the absolute directory that relative paths start from.
func (r *Resolver) Root() string { return r.root }

// Single reports whether every file gets the same configuration.
func (r *Resolver) Single() bool { return r.fixed != nil || r.isolated }

// ForRoot returns the configuration of the root directory itself (nil
// when there is none).
func (r *Resolver) ForRoot() (*Config, error) { return r.ForDir(r.root) }

// For returns the configuration for the file at a root-relative,
// slash-separated path. Errors loading a configuration are kept and
// returned by Err; the file then gets no configuration.
func (r *Resolver) For(rel string) *Config {
	return r.ForRelDir(path.Dir(rel))
}

// ForRelDir returns the configuration for the directory at a
// root-relative, slash-separated path.
func (r *Resolver) ForRelDir(rel string) *Config {
	c, err := r.ForDir(filepath.Join(r.root, filepath.FromSlash(rel)))
	if err != nil {
		r.mu.Lock()
		if r.err == nil {
			r.err = err
		}
		r.mu.Unlock()
	}
	return c
}

// ForDir returns the configuration nearest to the absolute directory dir.
func (r *Resolver) ForDir(dir string) (*Config, error) {
	if r.isolated {
		return nil, nil
	}
	if r.fixed != nil {
		return r.fixed, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.forDir(filepath.Clean(dir))
}

func (r *Resolver) forDir(dir string) (*Config, error) {
	if c, ok := r.byDir[dir]; ok {
		return c, nil
	}
	// A file inside the root must not lead out of it; one above the root
	// (the search goes upwards) must not lead out of its own directory.
	tree := r.root
	if rel, err := filepath.Rel(r.root, dir); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		tree = dir
	}
	var found string
	if p := filepath.Join(dir, FileName); exists(p) {
		found = p
	} else if b, ok, err := readCandidate(filepath.Join(dir, "pyproject.toml"), tree); err != nil {
		return nil, err
	} else if ok && hasToolTable(b) {
		found = filepath.Join(dir, "pyproject.toml")
	}
	if found != "" {
		c, err := loadIn(found, tree)
		if err != nil {
			return nil, err
		}
		r.byDir[dir] = c
		r.loaded[c.Path] = c
		return c, nil
	}
	parent := filepath.Dir(dir)
	if parent == dir {
		r.byDir[dir] = nil
		return nil, nil
	}
	c, err := r.forDir(parent)
	if err != nil {
		return nil, err
	}
	r.byDir[dir] = c
	return c, nil
}

// exists reports whether there is something at p (Load says if it is not
// a regular file: a configuration that cannot be read is an error, never
// silently absent).
func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// Err returns the first error met while loading configurations for For.
func (r *Resolver) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Configs lists the configurations loaded so far, sorted by path.
func (r *Resolver) Configs() []*Config {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Config, 0, len(r.loaded))
	for _, c := range r.loaded {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Dir is the directory of the configuration file; globs in it are
// relative to it.
func (c *Config) Dir() string {
	if c == nil || c.Path == "" {
		return ""
	}
	abs, err := filepath.Abs(c.Path)
	if err != nil {
		return filepath.Dir(c.Path)
	}
	return filepath.Dir(abs)
}

// RelPath converts a root-relative path into a path relative to the
// configuration's directory, the base of its globs. ok is false when the
// path lies outside that directory.
func (c *Config) RelPath(root, rel string) (string, bool) {
	dir := c.Dir()
	if dir == "" {
		return rel, true
	}
	full := filepath.Join(root, filepath.FromSlash(rel))
	p, err := filepath.Rel(dir, full)
	if err != nil || p == ".." || len(p) > 2 && p[:3] == ".."+string(filepath.Separator) {
		return "", false
	}
	return filepath.ToSlash(p), true
}
