package apache

import "testing"

func TestPlainRedirectClasses(t *testing.T) {
	for _, tc := range []struct {
		name, vhost string
		none        bool // no request takes the plain route
	}{
		{"rewrite of every path with R", "RewriteEngine On\nRewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]", true},
		{"absolute substitution redirects without R", "RewriteEngine On\nRewriteRule ^/?(.*)$ https://app.example.com/$1 [L]", true},
		{"condition on HTTPS off", "RewriteEngine On\nRewriteCond %{HTTPS} off\nRewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]", true},
		{"condition on the host is not decided", "RewriteEngine On\nRewriteCond %{HTTP_HOST} ^www\\.\nRewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]", false},
		{"engine off", "RewriteEngine Off\nRewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]", false},
		{"rewrite of some paths", "RewriteEngine On\nRewriteRule ^/old/(.*)$ https://%{HTTP_HOST}/new/$1 [R=301,L]", false},
		{"another rule first", "RewriteEngine On\nRewriteRule ^/api/ - [L]\nRewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]", false},
		// mod_alias runs after mod_proxy: ProxyPass wins.
		{"Redirect loses to ProxyPass", "Redirect permanent / https://app.example.com/", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := routesFor(t, "Listen 80\n<VirtualHost *:80>\nServerName app.example.com\n"+tc.vhost+"\nProxyPass / http://127.0.0.1:8000/\n</VirtualHost>\n")
			if len(rs) != 1 {
				t.Fatalf("%d routes, want 1", len(rs))
			}
			r := rs[0]
			if got := r.Classes != nil && len(r.Classes) == 0; got != tc.none {
				t.Errorf("no request takes the route: %v, want %v (classes %v)", got, tc.none, r.Classes)
			}
		})
	}
	// The TLS side of a server is not touched by a plain-HTTP redirect.
	rs := routesFor(t, "Listen 443\n<VirtualHost *:443>\nSSLEngine on\nRewriteEngine On\nRewriteCond %{HTTPS} off\nRewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]\nProxyPass / http://127.0.0.1:8000/\n</VirtualHost>\n")
	if len(rs) != 1 || rs[0].Classes != nil {
		t.Errorf("TLS route: classes %v, want the listener's", rs[0].Classes)
	}
}
