package nginx

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	pnginx "github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// oneFileReader serves one in-memory nginx.conf.
type oneFileReader struct{ f *source.File }

func (r oneFileReader) ReadFile(p string) (*source.File, error) {
	if p == r.f.Path {
		return r.f, nil
	}
	return nil, os.ErrNotExist
}
func (r oneFileReader) Glob(string) ([]string, error) { return nil, nil }
func (r oneFileReader) Stat(p string) (os.FileInfo, error) {
	return nil, os.ErrNotExist
}

// FuzzRules runs every nginx rule and the route builder on arbitrary input:
// no rule may crash, and every finding has a position in the file.
func FuzzRules(f *testing.F) {
	_, file, _, _ := runtime.Caller(0)
	fixtures := filepath.Join(filepath.Dir(file), "..", "..", "fixtures", "nginx")
	_ = filepath.Walk(fixtures, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && (strings.HasSuffix(p, ".conf") || strings.Contains(p, "sites-")) {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
		return nil
	})
	f.Add([]byte(trapConfig))
	f.Fuzz(func(t *testing.T, b []byte) {
		sf := source.NewFile("nginx.conf", b)
		trees, _ := pnginx.Load(oneFileReader{sf}, []string{"nginx.conf"})
		ws := &parsers.Workspace{}
		for _, tr := range trees {
			ws.Trees = append(ws.Trees, tr)
			rules.BuildRoutes(Routes, tr)
		}
		e := rules.Engine{Rules: Rules, Settings: &rules.Settings{}, Jobs: 1}
		for _, d := range e.Run(context.Background(), ws).Findings {
			if d.Code == rules.CodeRuleCrashed {
				t.Fatalf("%s", d.Message)
			}
			if !d.Range.IsValid() || d.Range.End.Offset > len(b) {
				t.Fatalf("%s without a valid position: %+v", d.Code, d.Range)
			}
		}
	})
}
