package nginx

import (
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/rules"
)

func routeIDs(rs map[string]*rules.Route) []string {
	var out []string
	for id := range rs {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func mustRoute(t *testing.T, rs map[string]*rules.Route, id string) *rules.Route {
	t.Helper()
	r := rs[id]
	if r == nil {
		t.Fatalf("no route %s; routes: %v", id, routeIDs(rs))
	}
	return r
}

func expectHeaders(t *testing.T, r *rules.Route, want map[string]rules.HeaderAction) {
	t.Helper()
	for h, a := range want {
		if got := r.Header(h).Action; got != a {
			t.Errorf("route %s header %s: %s, want %s", r.ID, h, got, a)
		}
	}
}

func TestRouteHeaderTreatment(t *testing.T) {
	rs := routesOf(t, map[string]string{"nginx.conf": `events {}
http {
    upstream app { server 127.0.0.1:8000; server unix:/run/app.sock; }
    map $http_x_client $who { default $http_x_client; }
    map $ssl_client_s_dn $cn { default $ssl_client_s_dn; }
    server {
        listen 443 ssl;
        server_name example.com www.example.com;
        ssl_verify_client optional;
        ssl_client_certificate /etc/nginx/ca.pem;
        proxy_set_header X-SSL-Client-Verify $ssl_client_verify;
        proxy_set_header X-SSL-Client-DN "$ssl_client_s_dn";
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-User $http_x_user;
        proxy_set_header X-Remote-User $who;
        proxy_set_header X-CN $cn;
        proxy_set_header X-Blank "";
        proxy_set_header X-Const yes;
        proxy_set_header X-Sni $ssl_server_name;
        location / {
            proxy_pass http://app;
        }
        location /ws {
            proxy_set_header Upgrade $http_upgrade;
            proxy_pass http://app/ws/;
        }
        location /off {
            proxy_pass_request_headers off;
            proxy_pass http://127.0.0.1:9000;
        }
    }
}
`}, "nginx.conf")
	if len(rs) != 3 {
		t.Fatalf("routes %v", routeIDs(rs))
	}
	root := mustRoute(t, rs, "nginx.conf#server=example.com@*:443#location=/")
	expectHeaders(t, root, map[string]rules.HeaderAction{
		"X-SSL-Client-Verify": rules.SetTLS,
		"x-ssl-client-dn":     rules.SetTLS,
		"X-Forwarded-Proto":   rules.SetOther,
		"X-User":              rules.SetClient,
		"X-Remote-User":       rules.SetClient,
		"X-CN":                rules.SetTLS,
		"X-Blank":             rules.Blanked,
		"X-Const":             rules.SetConst,
		"X-Sni":               rules.SetClient,
		"X-Other":             rules.Passthrough,
		"Host":                rules.SetOther,
		"Connection":          rules.SetConst,
	})
	if h := root.Header("X-SSL-Client-DN"); h.Value != "$ssl_client_s_dn" || h.Range.Start.Line != 12 {
		t.Errorf("treatment value %q at line %d", h.Value, h.Range.Start.Line)
	}
	l := root.Listener
	if !l.TLS || l.Verify != rules.VerifyOptional || l.CA != "/etc/nginx/ca.pem" || !l.Default || l.Endpoint.String() != "*:443" || l.Range.Start.Line != 7 || l.VerifyRange.Start.Line != 9 {
		t.Errorf("listener %+v", l)
	}
	if root.Upstream.Name != "app" || len(root.Upstream.Servers) != 2 || root.Upstream.Servers[1].Unix != "/run/app.sock" {
		t.Errorf("upstream %+v", root.Upstream)
	}
	if root.Path != "/" || strings.Join(root.Hosts, ",") != "example.com,www.example.com" || root.Range.Start.Line != 20 {
		t.Errorf("path %q hosts %v range %v", root.Path, root.Hosts, root.Range)
	}

	// The location that defines its own header loses every outer one.
	ws := mustRoute(t, rs, "nginx.conf#server=example.com@*:443#location=/ws")
	expectHeaders(t, ws, map[string]rules.HeaderAction{
		"X-SSL-Client-Verify": rules.Passthrough,
		"X-Forwarded-Proto":   rules.Passthrough,
		"Upgrade":             rules.SetClient,
	})
	if ws.Upstream.Name != "app" {
		t.Errorf("proxy_pass with a URI: upstream %q", ws.Upstream.Name)
	}

	off := mustRoute(t, rs, "nginx.conf#server=example.com@*:443#location=/off")
	if off.Default != rules.Blanked || off.Header("X-SSL-Client-Verify").Action != rules.SetTLS || off.Header("X-Anything").Action != rules.Blanked {
		t.Errorf("proxy_pass_request_headers off: default %s", off.Default)
	}
	if off.Upstream.Name != "127.0.0.1:9000" {
		t.Errorf("literal upstream %q", off.Upstream.Name)
	}
}

func TestRouteNestedNamedErrorPageAndIf(t *testing.T) {
	rs := routesOf(t, map[string]string{"nginx.conf": `events {}
http {
    server {
        listen 80;
        listen [::]:80;
        server_name _;
        proxy_set_header X-Forwarded-Proto $scheme;
        error_page 502 @fallback;
        location /a {
            proxy_set_header X-A 1;
            location /a/b {
                proxy_pass http://b;
            }
        }
        location @fallback {
            proxy_pass http://fallback;
        }
        location /c {
            if ($http_x_beta) {
                proxy_pass http://beta;
            }
            proxy_pass http://c;
        }
    }
}
`}, "nginx.conf")
	want := []string{
		"nginx.conf#server=_@*:80#location=/a>location=/a/b",
		"nginx.conf#server=_@*:80#location=/c",
		"nginx.conf#server=_@*:80#location=/c>if=($http_x_beta)",
		"nginx.conf#server=_@*:80#location=@fallback",
		"nginx.conf#server=_@[::]:80#location=/a>location=/a/b",
		"nginx.conf#server=_@[::]:80#location=/c",
		"nginx.conf#server=_@[::]:80#location=/c>if=($http_x_beta)",
		"nginx.conf#server=_@[::]:80#location=@fallback",
	}
	if got := routeIDs(rs); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("routes\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	nested := rs["nginx.conf#server=_@*:80#location=/a>location=/a/b"]
	expectHeaders(t, nested, map[string]rules.HeaderAction{"X-A": rules.SetConst, "X-Forwarded-Proto": rules.Passthrough})
	fb := rs["nginx.conf#server=_@*:80#location=@fallback"]
	expectHeaders(t, fb, map[string]rules.HeaderAction{"X-Forwarded-Proto": rules.SetOther})
	if !strings.Contains(fb.Desc, "error_page target") || fb.Listener.TLS {
		t.Errorf("fallback desc %q tls %v", fb.Desc, fb.Listener.TLS)
	}
	// proxy_set_header is not allowed in if: the location's apply.
	beta := rs["nginx.conf#server=_@*:80#location=/c>if=($http_x_beta)"]
	expectHeaders(t, beta, map[string]rules.HeaderAction{"X-Forwarded-Proto": rules.SetOther})
	if beta.Upstream.Name != "beta:80" || beta.Path != "/c" {
		t.Errorf("if route upstream %q path %q", beta.Upstream.Name, beta.Path)
	}
}

func TestRouteCGIParamsAndStock(t *testing.T) {
	rs := routesOf(t, map[string]string{"nginx.conf": `events {}
http {
    underscores_in_headers on;
    server {
        listen 443 ssl;
        ssl_verify_client on;
        location / {
            include uwsgi_params;
            uwsgi_param HTTP_X_SSL_CLIENT_VERIFY $ssl_client_verify;
            uwsgi_param REMOTE_USER $ssl_client_s_dn;
            uwsgi_pass unix:/run/app.sock;
        }
        location /p {
            include proxy_params;
            proxy_pass http://127.0.0.1:8000;
        }
        location /php {
            fastcgi_param HTTP_X_CLIENT_DN $http_x_client_dn;
            fastcgi_pass 127.0.0.1:9000;
        }
    }
}
`}, "nginx.conf")
	u := mustRoute(t, rs, "nginx.conf#server=_@*:443#location=/")
	expectHeaders(t, u, map[string]rules.HeaderAction{
		"X-SSL-Client-Verify": rules.SetTLS,
		"Host":                rules.SetClient, // stock uwsgi_params: HTTP_HOST $host
		"Remote-User":         rules.Passthrough,
	})
	if u.Upstream.Name != "unix:/run/app.sock" || u.AdmitsUnderscore {
		t.Errorf("uwsgi upstream %q admits underscore %v", u.Upstream.Name, u.AdmitsUnderscore)
	}
	if !u.Gated || u.Listener.Verify != rules.VerifyRequired {
		t.Errorf("verify on counts as gated")
	}
	p := mustRoute(t, rs, "nginx.conf#server=_@*:443#location=/p")
	fp := p.Header("X-Forwarded-Proto")
	if fp.Action != rules.SetOther || !strings.Contains(fp.Note, "stock Debian proxy_params") || fp.Range.Start.Line != 14 {
		t.Errorf("stock header %+v", fp)
	}
	if !p.AdmitsUnderscore {
		t.Error("underscores_in_headers on: proxy route admits underscore headers")
	}
	php := mustRoute(t, rs, "nginx.conf#server=_@*:443#location=/php")
	expectHeaders(t, php, map[string]rules.HeaderAction{"X-Client-DN": rules.SetClient})
}

func TestRouteDefaultServerSettings(t *testing.T) {
	rs := routesOf(t, map[string]string{
		"nginx.conf": "events {}\nhttp { include conf.d/*.conf; }\n",
		"conf.d/a.conf": `server {
    listen 443 ssl;
    server_name a.example;
    location / { proxy_pass http://app; }
}
`,
		"conf.d/b.conf": `server {
    listen 443 ssl default_server;
    server_name b.example;
    ignore_invalid_headers off;
    location / { proxy_pass http://app; }
}
`,
	}, "nginx.conf")
	a := mustRoute(t, rs, "nginx.conf>conf.d/a.conf#server=a.example@*:443#location=/")
	b := mustRoute(t, rs, "nginx.conf>conf.d/b.conf#server=b.example@*:443#location=/")
	if a.Listener.Default || !b.Listener.Default {
		t.Errorf("default_server: a %v b %v", a.Listener.Default, b.Listener.Default)
	}
	// Headers are read with the default server's settings until Host
	// selects a.example.
	if !a.AdmitsUnderscore || !b.AdmitsUnderscore {
		t.Errorf("admits underscore: a %v b %v", a.AdmitsUnderscore, b.AdmitsUnderscore)
	}
}

func TestRouteGate(t *testing.T) {
	rs := routesOf(t, map[string]string{"nginx.conf": `events {}
http {
    server {
        listen 443 ssl;
        server_name gated;
        ssl_verify_client optional;
        if ($ssl_client_verify != SUCCESS) { return 403; }
        location / { proxy_pass http://app; }
    }
    server {
        listen 443 ssl;
        server_name partial;
        ssl_verify_client optional;
        location /in { if ($ssl_client_verify != "SUCCESS") { return 403; } proxy_pass http://app; }
        location /out { proxy_pass http://app; }
        location /none { if ($ssl_client_verify = NONE) { return 403; } proxy_pass http://app; }
        location /outer {
            if ($ssl_client_verify != SUCCESS) { return 403; }
            location /outer/inner { proxy_pass http://app; }
        }
    }
    server {
        listen 443 ssl;
        server_name noca;
        ssl_verify_client optional_no_ca;
        location / { if ($ssl_client_verify = NONE) { return 403; } proxy_pass http://app; }
    }
}
`}, "nginx.conf")
	for id, want := range map[string]bool{
		"nginx.conf#server=gated@*:443#location=/":                              true,
		"nginx.conf#server=partial@*:443#location=/in":                          true,
		"nginx.conf#server=partial@*:443#location=/out":                         false,
		"nginx.conf#server=partial@*:443#location=/none":                        true,
		"nginx.conf#server=partial@*:443#location=/outer>location=/outer/inner": false,
		"nginx.conf#server=noca@*:443#location=/":                               false,
	} {
		if got := mustRoute(t, rs, id).Gated; got != want {
			t.Errorf("%s: gated %v, want %v", id, got, want)
		}
	}
}

func TestRouteIDsStableAcrossEdits(t *testing.T) {
	cfg := "events {}\nhttp {\n  server { listen 443 ssl; server_name a; location /x { proxy_pass http://u; } }\n  server { listen 443 ssl; server_name a; location /x { proxy_pass http://u; } }\n}\n"
	edited := "# header comment\n\n" + strings.Replace(cfg, "location /x", "\n\n  # moved\n  location /x", 2)
	before := routeIDs(routesOf(t, map[string]string{"nginx.conf": cfg}, "nginx.conf"))
	after := routeIDs(routesOf(t, map[string]string{"nginx.conf": edited}, "nginx.conf"))
	if strings.Join(before, " ") != strings.Join(after, " ") || len(before) != 2 {
		t.Errorf("IDs changed or collided: %v vs %v", before, after)
	}
}

func TestRoutesOfFragment(t *testing.T) {
	rs := routesOf(t, map[string]string{"sites-available/app": "server {\n  listen 80;\n  location / { proxy_pass http://127.0.0.1:8000; }\n}\n"}, "sites-available/app")
	if len(rs) != 1 || mustRoute(t, rs, "sites-available/app#server=_@*:80#location=/").Upstream.Name != "127.0.0.1:8000" {
		t.Fatalf("routes %v", routeIDs(rs))
	}
}
