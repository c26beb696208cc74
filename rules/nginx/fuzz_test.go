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
	f.Add([]byte(selectionConfig))
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

// selectionConfig seeds server selection, map gates and method
// conditions: two servers on one TLS port, a map over $ssl_client_verify
// with a regex key, an if on the method and a limit_except.
const selectionConfig = `events {}
http {
    map $ssl_client_verify $refused { default 1; SUCCESS 0; ~^FAILED:(.*) 1; }
    map $scheme $plain { default 0; http 1; }
    server {
        listen 443 ssl default_server;
        server_name partner.example;
        ssl_verify_client optional_no_ca;
        location / { return 200; }
    }
    server {
        listen 443 ssl;
        server_name admin.example;
        if ($refused) { return 403; }
        if ($request_method !~* ^(GET|POST)$) { return 405; }
        location / {
            limit_except GET { allow 10.0.0.0/8; deny all; }
            proxy_set_header X-SSL-Client-DN $ssl_client_s_dn;
            proxy_pass http://127.0.0.1:8000;
        }
    }
}
`
