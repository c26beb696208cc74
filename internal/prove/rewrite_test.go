package prove

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
)

// rewriteFiles writes a repository of files, rewrites its one proxy
// configuration, and returns the plan, the sandbox, and the rewritten
// files with the run's ports and directories named symbolically:
// {L *:443} for a listener, {U app:8000} for a stub port, {DEAD}, $SB for
// the sandbox, $PLAN for the plan's directory.
func rewriteFiles(t *testing.T, files map[string]string) (*Plan, *Sandbox, map[string]string) {
	t.Helper()
	repo := t.TempDir()
	for name, content := range files {
		p := filepath.Join(repo, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := parsers.Load(context.Background(), parsers.Options{Root: repo})
	if err != nil {
		t.Fatal(err)
	}
	sb, err := NewSandbox(t.TempDir(), HostNames(ws))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	var plan *Plan
	for _, tree := range ws.Trees {
		if !proxyKinds[tree.Kind()] {
			continue
		}
		if plan != nil {
			t.Fatalf("more than one proxy configuration: %s and %s", plan.Root, tree.Root().Path)
		}
		if plan, err = sb.Rewrite(ws, tree); err != nil {
			t.Fatal(err)
		}
	}
	if plan == nil {
		t.Fatal("no proxy configuration")
	}
	// The configuration is never modified in place.
	for name, content := range files {
		b, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(name)))
		if err != nil || string(b) != content {
			t.Errorf("%s was modified in the repository (%v)", name, err)
		}
	}
	out := map[string]string{}
	err = filepath.WalkDir(plan.Dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(plan.Dir, p)
		out[filepath.ToSlash(rel)] = symbolic(plan, sb, string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return plan, sb, out
}

// symbolic names the run's ports and directories in a rewritten text.
func symbolic(p *Plan, sb *Sandbox, text string) string {
	var pairs []string
	for _, l := range p.Listeners {
		pairs = append(pairs, fmt.Sprint(l.Port), "{L "+l.Original+"}")
	}
	for _, u := range sb.Upstreams() {
		pairs = append(pairs, fmt.Sprint(u.Port), "{U "+u.Target+"}")
	}
	pairs = append(pairs, fmt.Sprint(sb.DeadPort), "{DEAD}", p.Dir, "$PLAN", sb.Dir, "$SB")
	// Longer first, so that no replacement eats into another.
	type kv struct{ k, v string }
	var list []kv
	for i := 0; i+1 < len(pairs); i += 2 {
		list = append(list, kv{pairs[i], pairs[i+1]})
	}
	sort.SliceStable(list, func(i, j int) bool { return len(list[i].k) > len(list[j].k) })
	for _, x := range list {
		text = strings.ReplaceAll(text, x.k, x.v)
	}
	return text
}

func expectText(t *testing.T, got map[string]string, file, want string) {
	t.Helper()
	if got[file] != want {
		t.Errorf("%s:\n--- got\n%s\n--- want\n%s", file, got[file], want)
	}
}

func TestRewriteNginx(t *testing.T) {
	plan, _, got := rewriteFiles(t, map[string]string{
		"nginx/nginx.conf": `user www-data;
worker_processes auto;
events { worker_connections 1024; }
http {
    include /etc/nginx/conf.d/*.conf;
    include /etc/nginx/missing.conf;
    resolver 8.8.8.8 valid=30s;
    upstream app { server app:8000 max_fails=3; server unix:/run/app.sock; }
    server {
        listen 443 ssl http2;
        listen [::]:443 ssl ipv6only=on;
        server_name api.example.com;
        ssl_certificate /etc/letsencrypt/live/api/fullchain.pem;
        ssl_certificate_key /etc/letsencrypt/live/api/privkey.pem;
        ssl_client_certificate /etc/nginx/client-ca.pem;
        ssl_crl /etc/nginx/client.crl;
        ssl_verify_client optional;
        ssl_stapling on;
        access_log /var/log/nginx/api.log main;
        allow 10.0.0.0/8;
        location / { proxy_pass http://app; }
        location /direct/ { proxy_pass https://backend.internal:9000/v1/; }
        location /sock/ { proxy_pass http://unix:/run/gunicorn.sock:/x/; }
        location /var/ { proxy_pass http://$target$request_uri; }
        location /legacy/ { uwsgi_pass 127.0.0.1:3031; }
    }
}
`,
		"nginx/conf.d/plain.conf": `server {
    server_name example.com;
    return 301 https://$host$request_uri;
}
`,
	})
	expectText(t, got, "site/nginx/nginx.conf", `pid $PLAN/run/nginx.pid; error_log $PLAN/run/error.log;

worker_processes 1;
events { worker_connections 1024; }
http { access_log $PLAN/run/access.log; client_body_temp_path $PLAN/run/client_body_temp_path; proxy_temp_path $PLAN/run/proxy_temp_path; fastcgi_temp_path $PLAN/run/fastcgi_temp_path; uwsgi_temp_path $PLAN/run/uwsgi_temp_path; scgi_temp_path $PLAN/run/scgi_temp_path;
    include $PLAN/site/nginx/conf.d/*.conf;
    include $PLAN/not-in-repository/etc/nginx/missing.conf;
    resolver 127.0.0.1:{DEAD} valid=30s;
    upstream app { server 127.0.0.1:{U app:8000} max_fails=3; server 127.0.0.1:{U unix:/run/app.sock}; }
    server {
        listen 127.0.0.1:{L *:443} ssl http2;
        listen 127.0.0.1:{L [::]:443} ssl ;
        server_name api.example.com;
        ssl_certificate $SB/certs/server.pem;
        ssl_certificate_key $SB/certs/server.key;
        ssl_client_certificate $SB/certs/ca.pem;
        ssl_crl $SB/certs/crl.pem;
        ssl_verify_client optional;
        ssl_stapling off;
        access_log $PLAN/run/access.log main;
        allow 10.0.0.0/8;
        location / { proxy_pass http://app; }
        location /direct/ { proxy_pass http://127.0.0.1:{U backend.internal:9000}/v1/; }
        location /sock/ { proxy_pass http://127.0.0.1:{U unix:/run/gunicorn.sock}/x/; }
        location /var/ { proxy_pass http://127.0.0.1:{U $target$request_uri}; }
        location /legacy/ { uwsgi_pass 127.0.0.1:{U 127.0.0.1:3031}; }
    }
}
`)
	expectText(t, got, "site/nginx/conf.d/plain.conf", `server { listen 127.0.0.1:{L *:80};
    server_name example.com;
    return 301 https://$host$request_uri;
}
`)
	var listeners []string
	for _, l := range plan.Listeners {
		listeners = append(listeners, fmt.Sprintf("%s tls=%v", l.Original, l.TLS))
	}
	if want := "*:443 tls=true|*:80 tls=false|[::]:443 tls=true"; strings.Join(sorted(listeners), "|") != want {
		t.Errorf("listeners %v, want %s", listeners, want)
	}
	wantNotes(t, "limits", plan.Limits,
		"include: /etc/nginx/missing.conf: not found",
		"proxy_pass: TLS to the upstream replaced by plain text to the stub app",
		"proxy_pass: the upstream address $target$request_uri depends on variables",
		"ssl_stapling: turned off")
	wantNotes(t, "source conditions", plan.SourceConditions, "allow: decides on the client's address")
	for _, u := range plan.Upstreams {
		if u.Target == "127.0.0.1:3031" && u.Protocol != "uwsgi" {
			t.Errorf("uwsgi_pass upstream has protocol %q", u.Protocol)
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// wantNotes checks that each wanted text starts some note's
// "directive: reason".
func wantNotes(t *testing.T, what string, notes []Note, want ...string) {
	t.Helper()
	var have []string
	for _, n := range notes {
		have = append(have, n.Directive+": "+n.Reason)
	}
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || strings.HasPrefix(h, w)
		}
		if !found {
			t.Errorf("%s: none starts with %q; have %q", what, w, have)
		}
	}
	if len(have) != len(want) {
		t.Errorf("%s: %d notes, want %d: %q", what, len(have), len(want), have)
	}
}

func TestRewriteNginxFragment(t *testing.T) {
	plan, _, got := rewriteFiles(t, map[string]string{
		"conf.d/app.conf": `server {
    listen 8443 ssl;
    location / { proxy_pass http://web:8000; include proxy_params; }
}
`,
	})
	if !strings.HasSuffix(plan.Main, "prove-nginx.conf") {
		t.Errorf("Main = %s, want the generated wrapper", plan.Main)
	}
	expectText(t, got, "prove-nginx.conf", `# Generated by mtlslint prove: the context conf.d/app.conf is analysed in.
pid $PLAN/run/nginx.pid;
error_log $PLAN/run/error.log;
worker_processes 1;
events { worker_connections 512; }
http {
    access_log $PLAN/run/access.log; client_body_temp_path $PLAN/run/client_body_temp_path; proxy_temp_path $PLAN/run/proxy_temp_path; fastcgi_temp_path $PLAN/run/fastcgi_temp_path; uwsgi_temp_path $PLAN/run/uwsgi_temp_path; scgi_temp_path $PLAN/run/scgi_temp_path;
    include $PLAN/site/conf.d/app.conf;
}
`)
	// No certificate in the repository: the run's is added, and said so.
	expectText(t, got, "site/conf.d/app.conf", `server { ssl_certificate $SB/certs/server.pem; ssl_certificate_key $SB/certs/server.key;
    listen 127.0.0.1:{L *:8443} ssl;
    location / { proxy_pass http://127.0.0.1:{U web:8000}; include $PLAN/site/_system/etc/nginx/proxy_params; }
}
`)
	if _, ok := got["site/_system/etc/nginx/proxy_params"]; !ok {
		t.Error("the stock proxy_params was not written into the copy")
	}
	wantNotes(t, "limits", plan.Limits, "server: no ssl_certificate in the repository")
}

func TestRewriteRefusals(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string // directive: reason
	}{
		{"nginx load_module", map[string]string{"nginx.conf": "load_module modules/ngx_http_perl_module.so;\nevents {}\nhttp {}\n"}, []string{"load_module: loads a dynamic module"}},
		{"nginx perl", map[string]string{"nginx.conf": "events {}\nhttp { perl_modules perl; server { location / { perl hello::handler; } } }\n"}, []string{"perl_modules: runs Perl code", "perl: runs Perl code"}},
		{"nginx njs", map[string]string{"nginx.conf": "events {}\nhttp { js_import main.js; }\n"}, []string{"js_import: runs JavaScript (njs)"}},
		{"nginx lua", map[string]string{"nginx.conf": "events {}\nhttp { server { location / { content_by_lua_block { ngx.say(1) } } } }\n"}, []string{"content_by_lua_block: runs Lua code"}},
		{"haproxy lua-load", map[string]string{"haproxy.cfg": "global\n    lua-load /etc/haproxy/auth.lua\nfrontend fe\n    bind :80\n"}, []string{"lua-load: loads Lua code"}},
		{"haproxy lua action", map[string]string{"haproxy.cfg": "frontend fe\n    mode http\n    bind :80\n    http-request lua.auth\n"}, []string{"http-request: calls Lua code"}},
		{"haproxy external-check", map[string]string{"haproxy.cfg": "backend be\n    option external-check\n    external-check command /bin/true\n    server s 10.0.0.1:80 check\n"}, []string{"option: runs programs as health checks", "external-check: runs programs as health checks"}},
		{"haproxy program", map[string]string{"haproxy.cfg": "program api\n    command /usr/bin/dataplaneapi\nfrontend fe\n    bind :80\n"}, []string{"program: starts a program"}},
		{"httpd CGI", map[string]string{"httpd.conf": "ServerRoot /etc/httpd\nListen 80\nScriptAlias /cgi-bin/ /var/www/cgi-bin/\n"}, []string{"ScriptAlias: runs CGI scripts"}},
		{"httpd ExtFilterDefine", map[string]string{"httpd.conf": "ServerRoot /etc/httpd\nListen 80\nExtFilterDefine up mode=output cmd=/bin/tr\n"}, []string{"ExtFilterDefine: runs a filter program"}},
		{"httpd RewriteMap prg", map[string]string{"httpd.conf": "ServerRoot /etc/httpd\nListen 80\nRewriteMap m prg:/usr/local/bin/map.py\n"}, []string{"RewriteMap: runs a program as a rewrite map"}},
		{"caddy exec", map[string]string{"Caddyfile": "example.com {\n\texec /usr/bin/deploy\n}\n"}, []string{"exec: runs programs (a plugin)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan, _, _ := rewriteFiles(t, c.files)
			if plan.Testable() {
				t.Fatalf("testable, want refused with %q", c.want)
			}
			wantNotes(t, "refusals", plan.Refusals, c.want...)
			if _, err := plan.Start(context.Background(), &Server{Path: "/bin/false"}); err == nil || !strings.Contains(err.Error(), "is not started") {
				t.Errorf("Start() = %v, want a refusal", err)
			}
		})
	}
}

func TestRewriteHAProxy(t *testing.T) {
	plan, _, got := rewriteFiles(t, map[string]string{
		"haproxy/haproxy.cfg": `global
    daemon
    chroot /var/lib/haproxy
    user haproxy
    pidfile /run/haproxy.pid
    stats socket /run/haproxy/admin.sock mode 660 level admin user haproxy
    log /dev/log local0
    ssl-dh-param-file /etc/haproxy/dh.pem

resolvers dns
    nameserver ns1 10.0.0.2:53

defaults
    mode http
    log global
    errorfile 503 /etc/haproxy/errors/503.http

frontend fe
    bind :443,:8443 ssl crt /etc/haproxy/site.pem ca-file /etc/haproxy/ca.pem crl-file /etc/haproxy/ca.crl verify optional
    bind ipv6@:::80 v4v6
    bind quic4@:443 ssl crt /etc/haproxy/site.pem
    acl internal src 10.0.0.0/8
    acl allowed req.hdr(host) -f /etc/haproxy/hosts.lst
    use_backend %[req.hdr(host),lower,map(/etc/haproxy/maps/backends.map,app)]
    default_backend app

backend app
    server app1 app:8000 check ssl verify required ca-file /etc/haproxy/upstream-ca.pem cookie ssl
    server app2 unix@/run/app.sock send-proxy-v2
`,
		"haproxy/maps/backends.map": "example.com app\n",
	})
	expectText(t, got, "site/haproxy/haproxy.cfg", `global
    
    
    
    pidfile $PLAN/run/haproxy.pid
    stats socket $PLAN/run/stats-1.sock mode 660 level admin 
    log stdout local0
    ssl-dh-param-file $SB/certs/dhparam.pem

resolvers dns
    nameserver ns1 127.0.0.1:{DEAD}

defaults
    mode http
    log global
    errorfile 503 $PLAN/errors/503.http

frontend fe
    bind 127.0.0.1:{L *:443},127.0.0.1:{L *:8443} ssl crt $SB/certs/server-bundle.pem ca-file $SB/certs/ca.pem crl-file $SB/certs/crl.pem verify optional
    bind 127.0.0.1:{L [::]:80} 
    
    acl internal src 10.0.0.0/8
    acl allowed req.hdr(host) -f $PLAN/not-in-repository/etc/haproxy/hosts.lst
    use_backend %[req.hdr(host),lower,map($PLAN/site/haproxy/maps/backends.map,app)]
    default_backend app

backend app
    server app1 127.0.0.1:{U app:8000} check  verify required ca-file $SB/certs/ca.pem cookie ssl
    server app2 127.0.0.1:{U unix@/run/app.sock} 
`)
	wantNotes(t, "limits", plan.Limits,
		"errorfile: /etc/haproxy/errors/503.http is not in the repository",
		"bind: QUIC listener removed",
		"acl: /etc/haproxy/hosts.lst is not in the repository",
		"server: TLS to the server replaced by plain HTTP",
		"server: send-proxy-v2 removed")
	wantNotes(t, "source conditions", plan.SourceConditions, "acl: decides on the client's address")
}

func TestRewriteHAProxyCrtList(t *testing.T) {
	plan, _, got := rewriteFiles(t, map[string]string{
		"haproxy.cfg":  "frontend fe\n    mode http\n    bind :443 ssl crt-list /etc/haproxy/crt-list.txt\n",
		"crt-list.txt": "/etc/ssl/a.pem [ca-file /etc/ssl/ca-a.pem verify required] a.example.com\n/etc/ssl/b.pem b.example.com\n",
	})
	expectText(t, got, "site/haproxy.cfg", "frontend fe\n    mode http\n    bind 127.0.0.1:{L *:443} ssl crt-list $PLAN/site/crt-list.txt\n")
	expectText(t, got, "site/crt-list.txt", "$SB/certs/server-bundle.pem [ca-file $SB/certs/ca.pem verify required] a.example.com\n$SB/certs/server-bundle.pem b.example.com\n")
	if len(plan.Limits) != 0 {
		t.Errorf("limits %v", plan.Limits)
	}
}

func TestRewriteApache(t *testing.T) {
	plan, _, got := rewriteFiles(t, map[string]string{
		"apache2/sites-available/app.conf": `<VirtualHost *:443>
    ServerName app.example.com
    SSLEngine on
    SSLCertificateFile /etc/ssl/certs/app.pem
    SSLCertificateKeyFile /etc/ssl/private/app.key
    SSLCACertificatePath /etc/ssl/clients/
    SSLVerifyClient optional
    RequestHeader set X-SSL-Client-DN "%{SSL_CLIENT_S_DN}s"
    ProxyPass /api/ http://app:8000/api/
    ProxyPass /sock/ unix:/run/gunicorn.sock|http://localhost/
    ProxyPass /tls/ https://secure:8443/
    CustomLog ${APACHE_LOG_DIR}/access.log combined
    Require ip 10.0.0.0/8
    WSGIScriptAlias /wsgi /srv/app/app/wsgi.py process-group=app callable-object=app
    WSGIDaemonProcess app python-path=/srv/app user=www-data processes=2
</VirtualHost>
`,
	})
	expectText(t, got, "site/apache2/sites-available/app.conf", `<VirtualHost *:{L *:443}>
    ServerName app.example.com
    SSLEngine on
    SSLCertificateFile $SB/certs/server.pem
    SSLCertificateKeyFile $SB/certs/server.key
    SSLCACertificateFile $SB/certs/ca.pem
    SSLVerifyClient optional
    RequestHeader set X-SSL-Client-DN "%{SSL_CLIENT_S_DN}s"
    ProxyPass /api/ http://127.0.0.1:{U app:8000}/api/
    ProxyPass /sock/ http://127.0.0.1:{U unix:/run/gunicorn.sock}/
    ProxyPass /tls/ http://127.0.0.1:{U secure:8443}/
    CustomLog $PLAN/run/access.log combined
    Require ip 10.0.0.0/8
    WSGIScriptAlias /wsgi $PLAN/stub/mtlslint_prove_stub.wsgi process-group=app callable-object=app
    WSGIDaemonProcess app   processes=2
</VirtualHost>
`)
	pre := got["prove-apache-preamble.conf"]
	for _, want := range []string{
		"ServerRoot $PLAN/site/apache2\n",
		"LoadModule mpm_event_module",
		"<IfModule !proxy_module>\n    LoadModule proxy_module",
		"<IfModule !ssl_module>",
		"<IfModule !headers_module>",
		"<IfModule !wsgi_module>",
		"PidFile $PLAN/run/apache.pid\n",
		"Listen 127.0.0.1:{L *:443} https\n",
	} {
		if !strings.Contains(pre, want) {
			t.Errorf("the preamble lacks %q:\n%s", want, pre)
		}
	}
	if strings.Index(pre, "LoadModule proxy_module") > strings.Index(pre, "LoadModule proxy_http_module") {
		t.Errorf("mod_proxy_http is loaded before mod_proxy:\n%s", pre)
	}
	if !strings.Contains(got["stub/mtlslint_prove_stub.wsgi"], "\napp = application\n") {
		t.Errorf("the stub script does not define the callable the configuration names:\n%s", got["stub/mtlslint_prove_stub.wsgi"])
	}
	if !strings.Contains(got["prove-apache.conf"], "<Directory $PLAN/stub>\n    Require all granted\n</Directory>") {
		t.Errorf("the stub script's directory is not granted:\n%s", got["prove-apache.conf"])
	}
	wantNotes(t, "limits", plan.Limits, "ProxyPass: TLS to the upstream replaced by plain HTTP")
	wantNotes(t, "source conditions", plan.SourceConditions, "Require: decides on the client's address")
}

func TestRewriteCaddy(t *testing.T) {
	plan, _, got := rewriteFiles(t, map[string]string{
		"Caddyfile": `{
	email ops@example.com
	admin :2019
}

api.example.com, www.example.com {
	tls {
		client_auth {
			mode require_and_verify
			trusted_ca_cert_file /etc/caddy/ca.pem
		}
	}
	reverse_proxy /api/* app:8000 https://other:8443 {
		transport http {
			tls_insecure_skip_verify
		}
	}
}

http://plain.example.com {
	reverse_proxy 10.0.0.5:8000
}

:9000 {
	bind 0.0.0.0
	respond "ok"
}
`,
	})
	expectText(t, got, "site/Caddyfile", `{
	admin off
	default_bind 127.0.0.1
	http_port {L *:80}
	https_port {L *:443}
	storage file_system $PLAN/run/caddy-storage
	local_certs
	skip_install_trust
	
	
}

api.example.com:{L *:443}, www.example.com:{L *:443} {
	tls $SB/certs/server.pem $SB/certs/server.key {
		client_auth {
			mode require_and_verify
			trusted_ca_cert_file $SB/certs/ca.pem
		}
	}
	reverse_proxy /api/* 127.0.0.1:{U app:8000} 127.0.0.1:{U https://other:8443} {
		transport http {
			
		}
	}
}

http://plain.example.com:{L *:80} {
	reverse_proxy 127.0.0.1:{U 10.0.0.5:8000}
}

:{L *:9000} {
	bind 127.0.0.1
	respond "ok"
}
`)
	wantNotes(t, "limits", plan.Limits,
		"reverse_proxy: TLS to the upstream replaced by plain HTTP",
		"tls_insecure_skip_verify: TLS to the upstream replaced by plain HTTP")
}

func TestRewriteCaddyJSON(t *testing.T) {
	plan, sb, got := rewriteFiles(t, map[string]string{
		"caddy.json": `{
  "admin": {"listen": "0.0.0.0:2019"},
  "logging": {"logs": {"default": {"writer": {"output": "net", "address": "10.0.0.9:514"}}}},
  "apps": {
    "tls": {"certificates": {"load_files": [{"certificate": "/etc/c.pem", "key": "/etc/c.key", "tags": ["site"]}]}},
    "http": {
      "servers": {
        "srv0": {
          "listen": [":443"],
          "routes": [{"handle": [{"handler": "reverse_proxy",
            "transport": {"protocol": "http", "tls": {"insecure_skip_verify": true}},
            "upstreams": [{"dial": "app:8000"}]}]}],
          "tls_connection_policies": [{"certificate_selection": {"any_tag": ["site"]},
            "client_authentication": {"mode": "require_and_verify", "trusted_ca_certs": ["MIIB"]}}]
        }
      }
    }
  }
}
`,
	})
	ca := (&caddyConf{rw: &rewriter{sb: sb}}).derBase64("ca.pem")
	// The HTTP port only serves redirects here: it is no listener of a
	// route.
	got["site/caddy.json"] = regexp.MustCompile(`"http_port": \d+`).ReplaceAllString(got["site/caddy.json"], `"http_port": {P80}`)
	expectText(t, got, "site/caddy.json", `{"storage": {"module": "file_system", "root": "$PLAN/run/caddy-storage"},
  "admin": {"disabled": true},
  "logging": {"logs": {"default": {"writer": {"output": "file", "filename": "$PLAN/run/caddy.log"}}}},
  "apps": {"pki": {"certificate_authorities": {"local": {"install_trust": false}}},
    "tls": {"certificates": {"load_files": [{"certificate": "$SB/certs/server.pem", "key": "$SB/certs/server.key", "tags": ["site"]}]}, "automation": {"policies": [{"issuers": [{"module": "internal"}]}]}},
    "http": {"http_port": {P80}, "https_port": {L *:443},
      "servers": {
        "srv0": {
          "listen": ["127.0.0.1:{L *:443}"],
          "routes": [{"handle": [{"handler": "reverse_proxy",
            "transport": {"protocol": "http"},
            "upstreams": [{"dial": "127.0.0.1:{U app:8000}"}]}]}],
          "tls_connection_policies": [{"certificate_selection": {"any_tag": ["site"]},
            "client_authentication": {"mode": "require_and_verify", "trusted_ca_certs": ["`+ca+`"]}}]
        }
      }
    }
  }
}
`)
	wantNotes(t, "limits", plan.Limits, "transport tls: TLS to the upstream replaced by plain HTTP")
}

func TestNormalAddr(t *testing.T) {
	for _, c := range []struct{ in, def, want string }{
		{"443", "80", "*:443"},
		{":443", "80", "*:443"},
		{"*:443", "80", "*:443"},
		{"0.0.0.0:443", "80", "*:443"},
		{"[::]:443", "80", "[::]:443"},
		{":::443", "", "[::]:443"},
		{"[::1]", "80", "[::1]:80"},
		{"10.0.0.1", "80", "10.0.0.1:80"},
		{"localhost:8080", "80", "localhost:8080"},
	} {
		if got := normalAddr(c.in, c.def); got != c.want {
			t.Errorf("normalAddr(%q, %q) = %q, want %q", c.in, c.def, got, c.want)
		}
	}
	if got := nginxListenAddr("unix:/run/n.sock"); got != "unix:/run/n.sock" {
		t.Errorf("nginxListenAddr(unix) = %q", got)
	}
	if got, ok := haproxyBindAddr("quic4@:443"); ok {
		t.Errorf("haproxyBindAddr(quic4@:443) = %q, want none (UDP)", got)
	}
	if got, _ := haproxyBindAddr("ipv6@:::8443"); got != "[::]:8443" {
		t.Errorf("haproxyBindAddr(ipv6@:::8443) = %q", got)
	}
	if got := caddyListenAddr("tcp/:443"); got != "*:443" {
		t.Errorf("caddyListenAddr(tcp/:443) = %q", got)
	}
}
