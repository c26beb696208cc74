package nginx

import (
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/rules"
)

// classesServer wraps a server body in a configuration that listens on
// :80 and :443 and passes location / (or what body defines) upstream.
func classesServer(body string) map[string]string {
	return map[string]string{"nginx.conf": `events {}
http {
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
