package gunicorn

import (
	"io/fs"
	"path"
	"strings"

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

func (m mapReader) Stat(p string) (fs.FileInfo, error) { return nil, fs.ErrNotExist }

func readerOf(m map[string]string) source.Reader { return mapReader(m) }

func cut(s string) (string, string, bool) { return strings.Cut(s, "\n") }
