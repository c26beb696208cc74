package lsp

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/mtlslint/mtlslint/internal/bench"
)

// largeNginx returns an nginx configuration of at least n lines: server
// blocks with TLS, client verification, headers and locations; every
// tenth one verifies optionally, so the lint has findings to publish.
func largeNginx(n int) string {
	var b strings.Builder
	b.WriteString("events {}\nhttp {\n    upstream app { server 127.0.0.1:8000; }\n")
	lines := 3
	for i := 0; lines < n-1; i++ {
		verify := "on"
		if i%10 == 0 {
			verify = "optional"
		}
		fmt.Fprintf(&b, `    server {
        listen %d ssl;
        server_name s%d.example.com;
        ssl_certificate /etc/ssl/server.pem;
        ssl_certificate_key /etc/ssl/server.key;
        ssl_client_certificate /etc/ssl/ca.pem;
        ssl_verify_client %s;
        ssl_crl /etc/ssl/ca.crl;
        ssl_protocols TLSv1.2 TLSv1.3;
        proxy_set_header X-SSL-Client-Verify $ssl_client_verify;
        proxy_set_header X-Forwarded-Proto $scheme;
        location / {
            proxy_pass http://app;
        }
        location /static/ {
            root /srv/static;
        }
    }
`, 10000+i, i, verify)
		lines += 17
	}
	b.WriteString("}\n")
	return b.String()
}

// largeSettings returns a Django settings module of at least n lines.
func largeSettings(n int) string {
	var b strings.Builder
	b.WriteString(deploySettings)
	lines := strings.Count(deploySettings, "\n")
	for i := 0; lines < n; i++ {
		fmt.Fprintf(&b, `
# Feature block %d.
FEATURE_%d_ENABLED = %t
FEATURE_%d_OPTIONS = {
    "name": "feature-%d",
    "timeout": %d,
    "hosts": ["a%d.example.com", "b%d.example.com"],
}


def feature_%d_hook(request):
    if request.META.get("HTTP_X_REQUEST_ID"):
        return FEATURE_%d_OPTIONS["timeout"]
    return None
`, i, i, i%2 == 0, i, i, i*10, i, i, i, i)
		lines += 15
	}
	return b.String()
}

// benchEdit measures, per iteration, the time from a one-character
// change in the document rel to the diagnostics published for that
// version. The debounce is zero, so the debounce window is not counted.
// GOGC=100 go test -bench ... measures Go's default collector setting.
func benchEdit(b *testing.B, rel, lang string, files map[string]string, needle string) {
	// As the lsp command runs.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(GCPercent))
	}
	dir := writeFiles(b, files)
	u := fileURI(dir, rel)
	c, _ := startServer(b, Options{}, nil, dir)
	text := files[rel]
	c.open(u, lang, text)
	c.waitVersion(u, 1)
	pos := utf16At(text, strings.Index(text, needle)+len(needle)-1)
	if lines := strings.Count(text, "\n"); lines < 1000 {
		b.Fatalf("only %d lines", lines)
	}
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	start, cpu := time.Now(), bench.CPUTime()
	for i := 0; i < b.N; i++ {
		// Toggle one character back and forth.
		ch := "0"
		if i%2 == 0 {
			ch = "9"
		}
		r := protocol.Range{Start: pos, End: protocol.Position{Line: pos.Line, Character: pos.Character + 1}}
		c.change(u, int32(i+2), r, ch)
		c.waitVersion(u, int32(i+2))
	}
	elapsed, used := time.Since(start), bench.CPUTime()-cpu
	b.StopTimer()
	b.ReportMetric(float64(elapsed.Microseconds())/1000/float64(b.N), "ms/edit")
	// CPU time of the whole process (server, client, GC) per edit: on a
	// shared machine it varies less than the wall time.
	b.ReportMetric(float64(used.Microseconds())/1000/float64(b.N), "cpu-ms/edit")
}

// BenchmarkEditToDiagnosticsNginx5000: a one-character change in a
// 5,000-line nginx.conf, next to a Django app, to published diagnostics.
func BenchmarkEditToDiagnosticsNginx5000(b *testing.B) {
	nginx := largeNginx(5000)
	benchEdit(b, "nginx.conf", "nginx", map[string]string{
		"nginx.conf": nginx, "app/settings.py": deploySettings, "app/middleware.py": deployMiddleware,
	}, "listen 10042")
}

// BenchmarkEditToDiagnosticsSettings2000: a one-character change in a
// 2,000-line settings module, behind an nginx proxy, to published
// diagnostics.
func BenchmarkEditToDiagnosticsSettings2000(b *testing.B) {
	settings := largeSettings(2000)
	benchEdit(b, "app/settings.py", "python", map[string]string{
		"nginx.conf": deployNginx, "app/settings.py": settings, "app/middleware.py": deployMiddleware,
	}, `"timeout": 420`)
}
