package nginx

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/rules"
)

// classesServer wraps a server body in a configuration that listens on
// :80 and :443 and passes location / (or what body defines) upstream.
func classesServer(body string) map[string]string {
	return map[string]string{"nginx.conf": `events {}
http {
    map $scheme $plain { default 0; http 1; }
    map $http_user_agent $bot { default 0; ~*bot 1; }
    map $scheme $dyn { default $http_x_flag; }
    server {
        listen 80;
        listen 443 ssl;
        server_name app.example.com;
        ssl_verify_client on;
        ssl_client_certificate /etc/nginx/ca.pem;
` + body + `
    }
}
`}
}

// classText renders a route's classes as the graph does: "none" when no
// request takes it, "listener" when nginx's phases change nothing.
func classText(r *rules.Route) string {
	if r.Classes == nil {
		return "listener"
	}
	if len(r.Classes) == 0 {
		return "none"
	}
	var out []string
	for _, c := range r.Classes {
		out = append(out, c.String())
	}
	return strings.Join(out, " | ")
}

func TestRequestClasses(t *testing.T) {
	const pass = "proxy_pass http://127.0.0.1:8000;"
	for _, tc := range []struct {
		name, body string
		want       map[string]string // route ID suffix (after the server) → classes
	}{
		{"no condition", "location / { " + pass + " }", map[string]string{
			"@*:80#location=/":  "listener",
			"@*:443#location=/": "listener",
		}},
		{"server-level return answers every request", "return 301 https://$host$request_uri;\nlocation / { " + pass + " }", map[string]string{
			"@*:80#location=/":  "none",
			"@*:443#location=/": "none",
		}},
		{"a break before the return keeps the location", "break;\nreturn 404;\nlocation / { " + pass + " }", map[string]string{
			"@*:80#location=/": "listener",
		}},
		{"server-level rewrite of every URI that redirects", "rewrite ^(.*)$ https://app.example.com$1 permanent;\nlocation / { " + pass + " }", map[string]string{
			"@*:80#location=/": "none",
		}},
		{"a rewrite of some URIs is not terminal", "rewrite ^/old/(.*)$ /new/$1 permanent;\nlocation / { " + pass + " }", map[string]string{
			"@*:80#location=/": "listener",
		}},
		{"if on the scheme redirects plain requests", "if ($scheme = http) { return 301 https://$host$request_uri; }\nlocation / { " + pass + " }", map[string]string{
			"@*:80#location=/":  "none",
			"@*:443#location=/": "listener",
		}},
		{"if ($https != on) in the location", "location / { if ($https != \"on\") { return 403; } " + pass + " }", map[string]string{
			"@*:80#location=/": "none",
		}},
		{"if on the scheme without a return decides nothing", "if ($scheme = http) { set $x 1; }\nlocation / { " + pass + " }", map[string]string{
			"@*:80#location=/": "listener",
		}},
		{"a return in the location itself", "location / { return 404; " + pass + " }", map[string]string{
			"@*:80#location=/": "none",
		}},
		{"deny all", "location / { deny all; " + pass + " }", map[string]string{
			"@*:80#location=/": "none",
		}},
		{"allow then deny all names the source", "allow 10.0.0.0/8;\ndeny all;\nlocation / { " + pass + " }", map[string]string{
			"@*:80#location=/": "plain HTTP on :80 to / from 10.0.0.0/8",
		}},
		{"satisfy any lets authentication stand in for the address", "satisfy any;\nallow 10.0.0.0/8;\ndeny all;\nauth_basic x;\nlocation / { " + pass + " }", map[string]string{
			"@*:80#location=/": "listener",
		}},
		{"a location's own allow list replaces the server's", "deny all;\nlocation / { allow all; " + pass + " }", map[string]string{
			"@*:80#location=/": "listener",
		}},
		{"regex location behind a ^~ prefix", "location ^~ /admin/ { return 404; }\nlocation ~ ^/admin/reports/ { " + pass + " }", map[string]string{
			"@*:80#location=~ ^/admin/reports/": "none",
		}},
		{"regex location behind a plain prefix", "location /admin/ { return 404; }\nlocation ~ ^/admin/reports/ { " + pass + " }", map[string]string{
			"@*:80#location=~ ^/admin/reports/": "listener",
		}},
		{"a longer plain prefix lets the regex search go on", "location ^~ /admin/ { return 404; }\nlocation /admin/reports/ { return 404; }\nlocation ~ ^/admin/reports/x { " + pass + " }", map[string]string{
			"@*:80#location=~ ^/admin/reports/x": "listener",
		}},
		{"an optional character ends the regex's literal", "location ^~ /admin/ { return 404; }\nlocation ~ ^/admin/?reports { " + pass + " }", map[string]string{
			"@*:80#location=~ ^/admin/?reports": "listener",
		}},
		{"an alternation has no common literal", "location ^~ /admin/ { return 404; }\nlocation ~ ^/admin/x|^/public/ { " + pass + " }", map[string]string{
			"@*:80#location=~ ^/admin/x|^/public/": "listener",
		}},
		{"case-insensitive regex is not covered by a prefix", "location ^~ /admin/ { return 404; }\nlocation ~* ^/admin/reports/ { " + pass + " }", map[string]string{
			"@*:80#location=~* ^/admin/reports/": "listener",
		}},
		{"named location reached by try_files", "location / { try_files $uri @app; }\nlocation @app { " + pass + " }", map[string]string{
			"@*:80#location=@app": "listener",
		}},
		{"limit_except GET denies the other methods", "location / { limit_except GET { deny all; } " + pass + " }", map[string]string{
			"@*:80#location=/": "plain HTTP on :80, GET, HEAD to /",
		}},
		{"limit_except with an allow list names the source", "location / { limit_except GET { allow 10.0.0.0/8; deny all; } " + pass + " }", map[string]string{
			"@*:80#location=/": "plain HTTP on :80 to /, other methods only from 10.0.0.0/8",
		}},
		{"if on the method refuses it", "if ($request_method = OPTIONS) { return 204; }\nlocation / { " + pass + " }", map[string]string{
			"@*:80#location=/": "plain HTTP on :80, not OPTIONS to /",
		}},
		{"if on the method by regex", "location / { if ($request_method !~ ^(GET|POST)$) { return 405; } " + pass + " }", map[string]string{
			"@*:80#location=/": "plain HTTP on :80, GET, POST to /",
		}},
		{"a map on the scheme refuses plain HTTP", "if ($plain) { return 301 https://$host$request_uri; }\nlocation / { " + pass + " }", map[string]string{
			"@*:80#location=/":  "none",
			"@*:443#location=/": "listener",
		}},
		{"a map on a client header refuses nothing an attacker must send", "if ($bot) { return 403; }\nlocation / { " + pass + " }", map[string]string{
			"@*:80#location=/": "listener",
		}},
		{"a map the model cannot evaluate is undecided", "if ($dyn) { return 403; }\nlocation / { " + pass + " }", map[string]string{
			"@*:80#location=/": "plain HTTP on :80 to / (if the condition `if ($dyn)` could not be evaluated)",
		}},
		{"named location nothing names is undecided", "location @app { " + pass + " }", map[string]string{
			"@*:80#location=@app": "plain HTTP on :80 to @app (if an internal redirect (an upstream's X-Accel-Redirect) enters the named location @app, which no error_page or try_files names)",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := routesOf(t, classesServer(tc.body), "nginx.conf")
			for suffix, want := range tc.want {
				r := mustRoute(t, rs, "nginx.conf#server=app.example.com"+suffix)
				if got := classText(r); got != want {
					t.Errorf("%s: classes %q, want %q", suffix, got, want)
				}
			}
		})
	}
}

// TestServerSelectionClasses: a request reaches a server through another
// server's handshake on the same port (SNI picks the TLS settings, Host the
// server block); nginx answers 421 when the Host-chosen server verifies.
func TestServerSelectionClasses(t *testing.T) {
	conf := func(partner, admin string) map[string]string {
		return map[string]string{"nginx.conf": `events {}
http {
    server {
        listen 443 ssl default_server;
        server_name partner.example;
        ssl_client_certificate /etc/nginx/partner-ca.pem;
` + partner + `
        location / { return 200; }
    }
    server {
        listen 443 ssl;
        server_name admin.example;
        ssl_client_certificate /etc/nginx/admin-ca.pem;
` + admin + `
        location / { proxy_pass http://127.0.0.1:8000; }
    }
}
`}
	}
	const id = "nginx.conf#server=admin.example@*:443#location=/"
	for _, tc := range []struct{ name, partner, admin, want string }{
		{"the Host-chosen server verifies: 421, and no SNI takes the default server's CA", "ssl_verify_client optional;", "ssl_verify_client on;",
			"TLS with a verified client certificate on :443 to / | TLS with a verified client certificate on :443, SNI none, Host admin.example to /, the handshake under server partner.example's ssl_verify_client optional, a certificate verified against /etc/nginx/partner-ca.pem"},
		{"same CA: nothing new", "ssl_verify_client optional;\nssl_client_certificate /etc/nginx/admin-ca.pem;", "ssl_verify_client on;", "listener"},
		{"the Host-chosen server verifies nothing: the other handshake's states", "ssl_verify_client optional_no_ca;", "",
			"TLS without a client certificate on :443 to / | " +
				"TLS with a verified client certificate on :443, SNI partner.example or none, Host admin.example to /, the handshake under server partner.example's ssl_verify_client optional_no_ca | " +
				"TLS with an unverified client certificate on :443, SNI partner.example or none, Host admin.example to /, the handshake under server partner.example's ssl_verify_client optional_no_ca"},
		{"a SNI check refuses them all", "ssl_verify_client optional_no_ca;", "if ($ssl_server_name != $host) { return 421; }", "listener"},
		{"a default server that rejects handshakes still serves its own name", "ssl_verify_client on;\nssl_reject_handshake on;", "",
			"TLS without a client certificate on :443 to / | " +
				"TLS with a verified client certificate on :443, SNI partner.example, Host admin.example to /, the handshake under server partner.example's ssl_verify_client on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRoute(t, routesOf(t, conf(tc.partner, tc.admin), "nginx.conf"), id)
			if got := classText(r); got != tc.want {
				t.Errorf("classes\n %q\nwant\n %q", got, tc.want)
			}
		})
	}
}

// TestMapGate: a map over $ssl_client_verify decides the certificate
// states like the direct if forms.
func TestMapGate(t *testing.T) {
	conf := func(mode, m string) map[string]string {
		return map[string]string{"nginx.conf": `events {}
http {
    ` + m + `
    server {
        listen 443 ssl;
        server_name app.example.com;
        ssl_client_certificate /etc/nginx/ca.pem;
        ssl_verify_client ` + mode + `;
        if ($mtls_refused) { return 403; }
        location / { proxy_pass http://127.0.0.1:8000; }
    }
}
`}
	}
	const id = "nginx.conf#server=app.example.com@*:443#location=/"
	for _, tc := range []struct {
		name, mode, m, want string
		gated               bool
	}{
		{"default refused, SUCCESS admitted", "optional_no_ca", "map $ssl_client_verify $mtls_refused { default 1; SUCCESS 0; }",
			"listener", true},
		{"only NONE refused under optional: FAILED never gets here", "optional", "map $ssl_client_verify $mtls_refused { default 0; NONE 1; }",
			"listener", true},
		{"only NONE refused under optional_no_ca", "optional_no_ca", "map $ssl_client_verify $mtls_refused { default 0; NONE 1; }",
			"TLS with a verified client certificate on :443 to / | TLS with an unverified client certificate on :443 to /", false},
		{"keys match in any case", "optional_no_ca", "map $ssl_client_verify $mtls_refused { default 1; success 0; }",
			"listener", true},
		{"a map over the map", "optional_no_ca", "map $ssl_client_verify $mtls_v { default 0; SUCCESS 1; }\n    map $mtls_v $mtls_refused { default 1; 1 0; }",
			"listener", true},
		{"a regex key", "optional_no_ca", "map $ssl_client_verify $mtls_refused { default 0; ~^(NONE|FAILED) 1; }",
			"listener", true},
		{"the inverse refuses verified clients", "optional", "map $ssl_client_verify $mtls_refused { default 1; NONE 0; }",
			"TLS without a client certificate on :443 to /", false},
		{"a map over another variable decides nothing", "optional", "map $http_x_verify $mtls_refused { default 1; SUCCESS 0; }",
			"listener", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRoute(t, routesOf(t, conf(tc.mode, tc.m), "nginx.conf"), id)
			if got := classText(r); got != tc.want {
				t.Errorf("classes %q, want %q", got, tc.want)
			}
			if r.Gated != tc.gated {
				t.Errorf("gated %v, want %v", r.Gated, tc.gated)
			}
		})
	}
}

// TestDirectGate: an if on $ssl_client_verify itself gates a route as the
// map forms do; under optional refusing NONE is enough, under
// optional_no_ca it is not (FAILED:... reaches the rewrite phase).
func TestDirectGate(t *testing.T) {
	conf := func(mode, gate string) map[string]string {
		return map[string]string{"nginx.conf": `events {}
http {
    server {
        listen 443 ssl;
        server_name app.example.com;
        ssl_client_certificate /etc/nginx/ca.pem;
        ssl_verify_client ` + mode + `;
        ` + gate + `
        location / { proxy_pass http://127.0.0.1:8000; }
    }
}
`}
	}
	const id = "nginx.conf#server=app.example.com@*:443#location=/"
	for _, tc := range []struct {
		mode, gate string
		gated      bool
	}{
		{"optional_no_ca", "if ($ssl_client_verify != SUCCESS) { return 403; }", true},
		{"optional_no_ca", "if ($ssl_client_verify !~ ^SUCCESS$) { return 403; }", true},
		{"optional_no_ca", "if ($ssl_client_verify != SUCCESS) { rewrite ^ https://login.example/ permanent; }", true},
		{"optional", "if ($ssl_client_verify = NONE) { return 403; }", true},
		{"optional_no_ca", "if ($ssl_client_verify = NONE) { return 403; }", false},
		{"optional_no_ca", "if ($ssl_client_verify != SUCCESS) { add_header X-Refused 1; }", false},
		{"optional_no_ca", "if ($ssl_client_verify = SUCCESS) { return 403; }", false},
	} {
		t.Run(tc.mode+" "+tc.gate, func(t *testing.T) {
			r := mustRoute(t, routesOf(t, conf(tc.mode, tc.gate), "nginx.conf"), id)
			if r.Gated != tc.gated {
				t.Errorf("gated %v, want %v", r.Gated, tc.gated)
			}
		})
	}
}

// BenchmarkManyServersOnOnePort builds the routes and classes of a
// configuration with many servers on one TLS port, a third of which ask
// for client certificates: server selection looks at every pair.
func BenchmarkManyServersOnOnePort(b *testing.B) {
	var conf strings.Builder
	conf.WriteString("events {}\nhttp {\n    map $ssl_client_verify $refused { default 1; SUCCESS 0; }\n")
	for i := 0; i < 300; i++ {
		verify := ""
		switch i % 3 {
		case 1:
			verify = "ssl_verify_client optional;\n        if ($refused) { return 403; }"
		case 2:
			verify = "ssl_verify_client optional_no_ca;"
		}
		fmt.Fprintf(&conf, `    server {
        listen 443 ssl;
        server_name s%d.example;
        ssl_client_certificate /etc/nginx/ca%d.pem;
        %s
        location / { limit_except GET { deny all; } proxy_set_header X-SSL-Client-DN $ssl_client_s_dn; proxy_pass http://127.0.0.1:8000; }
    }
`, i, i%5, verify)
	}
	conf.WriteString("}\n")
	files := map[string]string{"nginx.conf": conf.String()}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ws := workspace(b, files)
		b.StartTimer()
		n := 0
		for _, tr := range ws.Trees {
			n += len(rules.BuildRoutes(Routes, tr))
		}
		if n != 300 {
			b.Fatalf("%d routes, want 300", n)
		}
	}
}

// TestServerSelectionGroups: the servers whose handshakes give the same
// certificate state make one class, named after the first of them.
func TestServerSelectionGroups(t *testing.T) {
	var conf strings.Builder
	conf.WriteString("events {}\nhttp {\n    server {\n        listen 443 ssl default_server;\n        server_name admin.example;\n        location / { proxy_pass http://127.0.0.1:8000; }\n    }\n")
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&conf, "    server {\n        listen 443 ssl;\n        server_name p%d.example;\n        ssl_client_certificate /etc/nginx/ca.pem;\n        ssl_verify_client optional_no_ca;\n    }\n", i)
	}
	conf.WriteString("}\n")
	r := mustRoute(t, routesOf(t, map[string]string{"nginx.conf": conf.String()}, "nginx.conf"), "nginx.conf#server=admin.example@*:443#location=/")
	want := "TLS without a client certificate on :443 to / | " +
		"TLS with a verified client certificate on :443, SNI p1.example, Host admin.example to /, the handshake under server p1.example's ssl_verify_client optional_no_ca (or under 2 other servers') | " +
		"TLS with an unverified client certificate on :443, SNI p1.example, Host admin.example to /, the handshake under server p1.example's ssl_verify_client optional_no_ca (or under 2 other servers')"
	if got := classText(r); got != want {
		t.Errorf("classes\n %q\nwant\n %q", got, want)
	}
	if w := r.Classes[1].Witness; w.SNI != "p1.example" || w.Host != "admin.example" {
		t.Errorf("witness %+v, want SNI p1.example and Host admin.example", w)
	}

	// The default server's handshake joins a group it does not name: the
	// class still says that no SNI leads here too.
	moved := strings.Replace(strings.Replace(conf.String(), "443 ssl default_server;", "443 ssl;", 1), "server_name p3.example;", "server_name p3.example;\n        listen 443 ssl default_server;", 1)
	r = mustRoute(t, routesOf(t, map[string]string{"nginx.conf": moved}, "nginx.conf"), "nginx.conf#server=admin.example@*:443#location=/")
	if got := classText(r); !strings.Contains(got, "SNI p1.example or none, Host admin.example") {
		t.Errorf("classes\n %q\nwant the way without SNI named", got)
	}
}
