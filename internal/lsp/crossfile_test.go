package lsp

import (
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// A small deployment: a proxy in front of a Django app whose settings
// trust X-Forwarded-Proto and whose middleware trusts X-SSL-Client-Verify.
const (
	deploySettings = `SECRET_KEY = "k3J9xQ2mV8pL5wR7tY1uZ4aB6cD0eF3gH5iJ7kL9mN2oP4qR6sT8"
DEBUG = False
ALLOWED_HOSTS = ["example.com"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "app.middleware.CertMiddleware",
]
`
	deployMiddleware = `class CertMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS":
            request.cert_ok = True
        return self.get_response(request)
`
	deployNginx = `events {}
http {
    upstream app {
        server 127.0.0.1:8000;
    }
    server {
        listen 443 ssl;
        server_name example.com;
        ssl_certificate /etc/ssl/server.pem;
        ssl_certificate_key /etc/ssl/server.key;
        ssl_client_certificate /etc/ssl/ca.pem;
        ssl_verify_client on;
        ssl_crl /etc/ssl/ca.crl;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-SSL-Client-Verify $ssl_client_verify;
            proxy_pass http://app;
        }
    }
}
`
	deployHAProxy = `global
    log stdout format raw local0

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe
    bind :8443 ssl crt /etc/haproxy/site.pem ca-file /etc/haproxy/client-ca.pem crl-file /etc/haproxy/client-ca.crl verify required
    http-request set-header X-SSL-Client-Verify %[ssl_c_verify]
    http-request set-header X-Forwarded-Proto https
    default_backend app

backend app
    server app1 127.0.0.1:8000
`
)

// replaceLine returns the change that replaces the first line containing
// needle with text (UTF-16 positions computed by the test).
func replaceLine(t *testing.T, doc, needle, text string) (protocol.Range, string) {
	t.Helper()
	i := strings.Index(doc, needle)
	if i < 0 {
		t.Fatalf("%q not in the document", needle)
	}
	start := strings.LastIndex(doc[:i], "\n") + 1
	end := start + strings.Index(doc[start:], "\n") + 1
	return protocol.Range{Start: utf16At(doc, start), End: utf16At(doc, end)}, doc[:start] + text + doc[end:]
}

// Editing nginx.conf re-evaluates the deployment: the settings module (open,
// unchanged) gains and loses a finding, and a cross-file finding in the
// proxy names the app code as related information.
func TestCrossFileRepublishNginx(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"nginx.conf": deployNginx, "app/settings.py": deploySettings, "app/middleware.py": deployMiddleware,
	})
	nginx, settings, middleware := fileURI(dir, "nginx.conf"), fileURI(dir, "app/settings.py"), fileURI(dir, "app/middleware.py")
	c, _ := startServer(t, Options{}, map[string]any{
		"textDocument": map[string]any{"publishDiagnostics": map[string]any{"relatedInformation": true}},
	}, dir)
	c.open(nginx, "nginx", deployNginx)
	c.open(settings, "python", deploySettings)
	c.waitVersion(nginx, 1)
	c.waitVersion(settings, 1)
	if got := codesOf(c.diagsOf(nginx)) + "|" + codesOf(c.diagsOf(settings)); got != "|" {
		t.Fatalf("the secure deployment has findings: %s", got)
	}

	// Without proxy_pass no route reaches the app: the settings' trust in
	// X-Forwarded-Proto is no longer backed by a proxy (D002).
	rng, text := replaceLine(t, deployNginx, "proxy_pass", "            root /srv;\n")
	c.change(nginx, 2, rng, "            root /srv;\n")
	c.waitVersion(nginx, 2)
	ds := c.waitCodes(settings, "D002")
	if ds[0].Range.Start.Line != 3 {
		t.Errorf("D002 on line %d, want 3", ds[0].Range.Start.Line)
	}
	c.mu.Lock()
	if v := c.latest[settings].Version; v != 1 {
		t.Errorf("settings.py republished with version %d, want its unchanged version 1", v)
	}
	c.mu.Unlock()

	// Back: the finding in settings.py clears.
	c.replaceAll(nginx, 3, deployNginx)
	c.waitCodes(settings)

	// The route stops setting X-SSL-Client-Verify: X001 on the proxy, with
	// the middleware that trusts the header as related information.
	rng, _ = replaceLine(t, deployNginx, "X-SSL-Client-Verify", "")
	c.change(nginx, 4, rng, "")
	ds = c.waitCodes(nginx, "X001")
	// No route of the server sets the header any more: the finding sits
	// on the line that opens the server (0-based line 5).
	if ds[0].Range.Start.Line != 5 {
		t.Errorf("X001 on line %d, want 5 (the server block)", ds[0].Range.Start.Line)
	}
	found := false
	for _, ri := range ds[0].RelatedInformation {
		if ri.Location.URI == middleware && ri.Location.Range.Start.Line == 5 {
			found = true
		}
	}
	if !found {
		t.Errorf("X001 lacks the middleware (line 6) as related information: %+v", ds[0].RelatedInformation)
	}
	_ = text
}

// Editing haproxy.cfg changes findings in files that are not open: the
// middleware's comparison finding (X002) disappears when no route reaches
// the app any more, and the settings module gains D002.
func TestCrossFileRepublishHAProxyClosedFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"haproxy.cfg": deployHAProxy, "app/settings.py": deploySettings, "app/middleware.py": deployMiddleware,
	})
	haproxy, settings, middleware := fileURI(dir, "haproxy.cfg"), fileURI(dir, "app/settings.py"), fileURI(dir, "app/middleware.py")
	c, _ := startServer(t, Options{}, nil, dir)
	c.open(haproxy, "haproxy", deployHAProxy)
	ds := c.waitCodes(middleware, "X002")
	if ds[0].Range.Start.Line != 5 {
		t.Errorf("X002 on line %d, want 5", ds[0].Range.Start.Line)
	}
	// Without relatedInformation support the other end is in the message.
	if !strings.Contains(ds[0].Message, "haproxy.cfg:") {
		t.Errorf("X002 message does not name the proxy: %q", ds[0].Message)
	}

	rng, _ := replaceLine(t, deployHAProxy, "default_backend", "")
	c.change(haproxy, 2, rng, "")
	c.waitCodes(middleware) // cleared: published empty
	c.waitCodes(settings, "D002")

	c.replaceAll(haproxy, 3, deployHAProxy)
	c.waitCodes(middleware, "X002")
	c.waitCodes(settings) // cleared: published empty
}
