// Package sourcetest provides a source.Reader over files in memory, for
// tests and fuzz targets of the front ends.
package sourcetest

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
	"testing/fstest"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// MapReader is a source.Reader over files in memory; like the workspace's
// reader it refuses paths outside its root and globs only files.
type MapReader struct{ fs fstest.MapFS }

// NewMapReader returns a reader over the given files (path → content).
func NewMapReader(files map[string]string) MapReader {
	m := fstest.MapFS{}
	for p, s := range files {
		m[p] = &fstest.MapFile{Data: []byte(s)}
	}
	return MapReader{m}
}

func (m MapReader) clean(p string) (string, error) {
	c := path.Clean(p)
	if path.IsAbs(p) || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%s: %w", p, source.ErrOutsideRoot)
	}
	return c, nil
}

// ReadFile implements source.Reader.
func (m MapReader) ReadFile(p string) (*source.File, error) {
	c, err := m.clean(p)
	if err != nil {
		return nil, err
	}
	b, err := fs.ReadFile(m.fs, c)
	if err != nil {
		return nil, err
	}
	return source.NewFile(c, b), nil
}

// Glob implements source.Reader.
func (m MapReader) Glob(p string) ([]string, error) {
	c, err := m.clean(p)
	if err != nil {
		return nil, err
	}
	ms, err := fs.Glob(m.fs, c)
	var files []string
	for _, x := range ms {
		if st, err := fs.Stat(m.fs, x); err == nil && !st.IsDir() {
			files = append(files, x)
		}
	}
	return files, err
}

// Stat implements source.Reader.
func (m MapReader) Stat(p string) (fs.FileInfo, error) {
	c, err := m.clean(p)
	if err != nil {
		return nil, err
	}
	return fs.Stat(m.fs, c)
}
