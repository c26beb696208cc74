package gunicorn

import (
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/mtlslint/mtlslint/parsers/source"
)

type mapReader map[string]string

func (m mapReader) ReadFile(p string) (*source.File, error) {
	c, ok := m[p]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return source.NewFile(p, []byte(c)), nil
}

func (m mapReader) Glob(pattern string) ([]string, error) {
	var out []string
	for p := range m {
		if ok, _ := path.Match(pattern, p); ok {
			out = append(out, p)
		}
	}
	return out, nil
}

func (m mapReader) Stat(p string) (fs.FileInfo, error) {
	if _, ok := m[p]; ok {
		return fileInfo(path.Base(p)), nil
	}
	return nil, fs.ErrNotExist
}

type fileInfo string

func (f fileInfo) Name() string       { return string(f) }
func (f fileInfo) Size() int64        { return 0 }
func (f fileInfo) Mode() fs.FileMode  { return 0o644 }
func (f fileInfo) ModTime() time.Time { return time.Time{} }
func (f fileInfo) IsDir() bool        { return false }
func (f fileInfo) Sys() any           { return nil }

func readerOf(m map[string]string) source.Reader { return mapReader(m) }

func cut(s string) (string, string, bool) { return strings.Cut(s, "\n") }
