package nginx

import "testing"

func TestCandidate(t *testing.T) {
	for path, want := range map[string]bool{
		"nginx.conf":                          true,
		"deploy/nginx.conf.template":          true,
		"ops/app.conf":                        true,
		"sites-available/example.com":         true,
		"etc/nginx/snippets/headers":          true,
		"docker/nginx/Dockerfile":             false,
		"docker/nginx/cert.pem":               false,
		"nginx/README.md":                     false,
		"app/settings.py":                     false,
		"proxy_params":                        true,
		"conf.d/.default.conf":                true,
		"src/main.go":                         false,
		"contrib/ralph.conf.nginx":            true,
		"linuxserver/x.subdomain.conf.sample": true,
	} {
		if got := Candidate(path); got != want {
			t.Errorf("Candidate(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		path, content string
		want          bool
	}{
		{"nginx.conf", "events {}\nhttp { server { listen 80; } }\n", true},
		{"app.conf", "server {\n  listen 443 ssl;\n  location / { proxy_pass http://app; }\n}\n", true},
		{"conf.d/broken.conf", "server {\n  listen 443 ssl\n  location / { proxy_pass http://app; }\n", true},
		{"snippets/tokens.conf", "server_tokens off;\n", true},
		{"other/tokens.conf", "server_tokens off;\n", false},
		{"supervisord.conf", "[program:web]\ncommand=gunicorn app:app\n", false},
		{"haproxy.conf", "global\n  maxconn 100\nfrontend fe\n  bind :443 ssl crt /x.pem\n  default_backend be\n", false},
		{"apache.conf", "<VirtualHost *:80>\n  ServerName x\n  ProxyPass / http://app/\n</VirtualHost>\n", false},
		{"nginx.conf.j2", "server { listen {{ port }}; }\n", false},
		{"redis.conf", "bind 127.0.0.1\nport 6379\n", false},
		{"empty.conf", "", false},
		{"comments.conf", "# nothing here\n", false},
	}
	for _, tt := range tests {
		if got := Detect(tt.path, []byte(tt.content)); got != tt.want {
			t.Errorf("Detect(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}
