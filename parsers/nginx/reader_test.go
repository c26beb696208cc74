package nginx

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// memReader is a source.Reader over an in-memory repository, with the same
// contract as the workspace reader: relative slash paths, ErrOutsideRoot for
// paths that leave the root, sorted globs of files.
type memReader struct {
	files map[string]string
	// unreadable paths fail with the given error.
	unreadable map[string]error
}

func newMem(files map[string]string) *memReader {
	return &memReader{files: files, unreadable: map[string]error{}}
}

func (m *memReader) clean(p string) (string, error) {
	if path.IsAbs(p) {
		return "", fmt.Errorf("%s: %w", p, source.ErrOutsideRoot)
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%s: %w", p, source.ErrOutsideRoot)
	}
	return c, nil
}

func (m *memReader) isDir(p string) bool {
	if p == "." || p == "" {
		return true
	}
	for f := range m.files {
		if strings.HasPrefix(f, p+"/") {
			return true
		}
	}
	return false
}

func (m *memReader) ReadFile(p string) (*source.File, error) {
	c, err := m.clean(p)
	if err != nil {
		return nil, err
	}
	if err := m.unreadable[c]; err != nil {
		return nil, fmt.Errorf("%s: %w", c, err)
	}
	s, ok := m.files[c]
	if !ok {
		if m.isDir(c) {
			return nil, fmt.Errorf("%s is a directory", c)
		}
		return nil, &fs.PathError{Op: "open", Path: c, Err: fs.ErrNotExist}
	}
	return source.NewFile(c, []byte(s)), nil
}

func (m *memReader) Glob(pattern string) ([]string, error) {
	c, err := m.clean(pattern)
	if err != nil {
		return nil, err
	}
	var out []string
	for f := range m.files {
		if ok, _ := path.Match(c, f); ok {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (m *memReader) Stat(p string) (fs.FileInfo, error) {
	c, err := m.clean(p)
	if err != nil {
		return nil, err
	}
	if s, ok := m.files[c]; ok {
		return memInfo{name: path.Base(c), size: int64(len(s))}, nil
	}
	if m.isDir(c) {
		return memInfo{name: path.Base(c), dir: true}, nil
	}
	return nil, &fs.PathError{Op: "stat", Path: c, Err: fs.ErrNotExist}
}

type memInfo struct {
	name string
	size int64
	dir  bool
}

func (i memInfo) Name() string { return i.name }
func (i memInfo) Size() int64  { return i.size }
func (i memInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return i.dir }
func (i memInfo) Sys() any           { return nil }
