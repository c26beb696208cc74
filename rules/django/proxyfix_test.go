package django_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/rules"
	"github.com/mtlslint/mtlslint/rules/django"
)

// TestProxyMiddlewareTrusts reads the proxy middlewares wrapped around a
// Flask or ASGI app that a server loads, with their counts, peers and
// defaults.
func TestProxyMiddlewareTrusts(t *testing.T) {
	for _, c := range []struct {
		name, code string
		want       []string // header source hops peers
	}{
		{"ProxyFix defaults", "app.wsgi_app = ProxyFix(app.wsgi_app)\n",
			[]string{"HTTP_X_FORWARDED_FOR werkzeug ProxyFix 1 []", "HTTP_X_FORWARDED_PROTO werkzeug ProxyFix 1 []"}},
		{"ProxyFix counts", "app.wsgi_app = proxy_fix.ProxyFix(app.wsgi_app, x_for=2, x_proto=0, x_host=1)\n",
			[]string{"HTTP_X_FORWARDED_FOR werkzeug ProxyFix 2 []", "HTTP_X_FORWARDED_HOST werkzeug ProxyFix 1 []"}},
		{"ProxyFix positional", "app.wsgi_app = ProxyFix(app.wsgi_app, 1, 1, 1, 1, 1)\n",
			[]string{"HTTP_X_FORWARDED_FOR werkzeug ProxyFix 1 []", "HTTP_X_FORWARDED_HOST werkzeug ProxyFix 1 []",
				"HTTP_X_FORWARDED_PORT werkzeug ProxyFix 1 []", "HTTP_X_FORWARDED_PREFIX werkzeug ProxyFix 1 []", "HTTP_X_FORWARDED_PROTO werkzeug ProxyFix 1 []"}},
		{"uvicorn middleware", "app = ProxyHeadersMiddleware(app, trusted_hosts=\"*\")\n",
			[]string{"HTTP_X_FORWARDED_FOR uvicorn ProxyHeadersMiddleware 1 [*]", "HTTP_X_FORWARDED_PROTO uvicorn ProxyHeadersMiddleware 0 [*]"}},
		{"uvicorn middleware default", "app = ProxyHeadersMiddleware(app)\n",
			[]string{"HTTP_X_FORWARDED_FOR uvicorn ProxyHeadersMiddleware 1 [127.0.0.1]", "HTTP_X_FORWARDED_PROTO uvicorn ProxyHeadersMiddleware 0 [127.0.0.1]"}},
		{"hypercorn modern", "app = ProxyFixMiddleware(app, mode=\"modern\", trusted_hops=2)\n",
			[]string{"HTTP_FORWARDED hypercorn ProxyFixMiddleware 2 []"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "portal.py", "from flask import Flask\n\napp = Flask(__name__)\n"+c.code)
			writeFile(t, dir, "uwsgi.ini", "[uwsgi]\nmodule = portal:app\nhttp-socket = 127.0.0.1:8000\n")
			ws, err := parsers.Load(context.Background(), parsers.Options{Root: dir})
			if err != nil {
				t.Fatal(err)
			}
			apps := rules.BuildApps(django.Apps, ws, &rules.Settings{})
			if len(apps) != 1 || apps[0].ID != "portal" {
				t.Fatalf("apps %+v", apps)
			}
			var got []string
			for _, tr := range apps[0].Trusts {
				got = append(got, strings.Join([]string{tr.Header, tr.Source, strconv.Itoa(tr.Hops), "[" + strings.Join(tr.Peers, ",") + "]"}, " "))
			}
			sort.Strings(got)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("trusts\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
		})
	}
}

// writeFile writes content at rel under dir, making its directories.
func writeFile(t testing.TB, dir, rel, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, rel), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
