package nginx

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// largeConfig generates a main file with n servers of ten locations each,
// in the shapes real configurations have (headers, maps, quoted values,
// comments), plus one conf.d file per server for the include benchmark.
func largeConfig(n int) (main string, confd map[string]string) {
	var b strings.Builder
	b.WriteString("user www-data;\nworker_processes auto;\nevents { worker_connections 1024; }\nhttp {\n")
	b.WriteString("  map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n")
	b.WriteString("  log_format main '$remote_addr - $remote_user [$time_local] \"$request\" $status';\n")
	confd = map[string]string{}
	for i := 0; i < n; i++ {
		var s strings.Builder
		fmt.Fprintf(&s, "server {\n  listen 443 ssl; # vhost %d\n  server_name host%d.example.com;\n", i, i)
		s.WriteString("  ssl_certificate /etc/ssl/a.pem;\n  ssl_client_certificate /etc/nginx/ca.pem;\n  ssl_verify_client on;\n")
		s.WriteString("  proxy_set_header X-SSL-Client-Verify $ssl_client_verify;\n  proxy_set_header X-SSL-Client-DN \"$ssl_client_s_dn\";\n")
		for j := 0; j < 10; j++ {
			fmt.Fprintf(&s, "  location /api/v%d/ {\n    proxy_pass http://backend%d;\n    proxy_read_timeout 30s;\n    if ($request_method = POST) { return 405; }\n  }\n", j, i%7)
		}
		s.WriteString("}\n")
		b.WriteString(s.String())
		confd[fmt.Sprintf("conf.d/site%05d.conf", i)] = s.String()
	}
	b.WriteString("}\n")
	return b.String(), confd
}

func BenchmarkParseLarge(b *testing.B) {
	src, _ := largeConfig(2000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f := source.NewFile("nginx.conf", []byte(src))
		if _, probs := Parse(f); len(probs) > 0 {
			b.Fatal(probs)
		}
	}
}

func BenchmarkLoadIncludes(b *testing.B) {
	_, confd := largeConfig(2000)
	files := map[string]string{"nginx.conf": "events {}\nhttp { include conf.d/*.conf; }\n"}
	size := 0
	for k, v := range confd {
		files[k] = v
		size += len(v)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		trees, probs := Load(newMem(files), []string{"nginx.conf"})
		if len(probs) > 0 || len(trees) != 1 {
			b.Fatal(probs)
		}
	}
	b.ReportMetric(float64(len(files))*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
