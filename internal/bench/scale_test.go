package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/lint"
)

// The scaling benchmarks print a cost per unit (per 1,000 files, per
// 1,000 servers) for inputs of growing size: a flat cost is linear growth.
//
//	go test ./internal/bench -run '^$' -bench 'Scaling' -benchtime 1x
//	go test ./internal/bench -run '^$' -bench 'Jobs' -benchtime 3x

// bigNginx writes one nginx configuration with n TLS servers (about 1 KB
// each: a mutual-TLS server with its own upstream and locations that set
// the certificate headers), as a large generated or hand-grown file does.
func bigNginx(tb testing.TB, n int) string {
	return generate(tb, fmt.Sprintf("nginx-servers-%d", n), func(dir string) error {
		var b strings.Builder
		b.WriteString("events {}\nhttp {\n")
		for i := range n {
			fmt.Fprintf(&b, "    upstream app%d {\n        server 10.%d.%d.%d:8000;\n    }\n", i, i>>16&255, i>>8&255, i&255)
			fmt.Fprintf(&b, "    server {\n        listen 443 ssl;\n        server_name s%d.example.com;\n", i)
			b.WriteString("        ssl_certificate /etc/nginx/tls/server.crt;\n        ssl_certificate_key /etc/nginx/tls/server.key;\n")
			b.WriteString("        ssl_client_certificate /etc/nginx/tls/ca.crt;\n")
			if i%7 == 0 {
				b.WriteString("        ssl_verify_client optional;\n")
			} else {
				b.WriteString("        ssl_verify_client on;\n")
			}
			for _, loc := range []string{"/", "/api/"} {
				fmt.Fprintf(&b, "        location %s {\n            proxy_pass http://app%d;\n", loc, i)
				b.WriteString("            proxy_set_header Host $host;\n            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n")
				b.WriteString("            proxy_set_header X-SSL-Client-Verify $ssl_client_verify;\n")
				b.WriteString("            proxy_set_header X-SSL-Client-DN $ssl_client_s_dn;\n        }\n")
			}
			b.WriteString("    }\n")
		}
		b.WriteString("}\n")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(b.String()), 0o644)
	})
}

// BenchmarkNginxServersScaling lints one nginx file of 1,000 to 8,000
// servers and reports the time per 1,000 servers.
func BenchmarkNginxServersScaling(b *testing.B) {
	for _, n := range []int{1000, 2000, 4000, 8000} {
		b.Run(fmt.Sprintf("servers=%d", n), func(b *testing.B) {
			benchCheck(b, bigNginx(b, n))
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n)*1000/1e6, "ms/1k-servers")
		})
	}
}

// BenchmarkMonorepoScaling lints generated monorepos of 1,000 to 10,000
// files (without the rules in scalesBadly, as BenchmarkCheckMonorepo) and
// reports the time per 1,000 files.
func BenchmarkMonorepoScaling(b *testing.B) {
	for _, n := range []int{1000, 2500, 5000, 10000} {
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			benchCheck(b, monorepo(b, n), scalesBadly...)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n)*1000/1e6, "ms/1k-files")
		})
	}
}

// BenchmarkJobs lints the whole corpus (every rule) and the 10,000-file
// monorepo (as BenchmarkCheckMonorepo) with one job and with two, and
// reports how many cores were busy on average (CPU time over wall time):
// the speed-up of --jobs 2 is the ratio of the
// two ns/op on a machine with two idle cores.
func BenchmarkJobs(b *testing.B) {
	inputs := []struct {
		name   string
		dir    func(testing.TB) string
		ignore []string
	}{
		{"corpus", func(tb testing.TB) string {
			d := corpusDir()
			if d == "" {
				tb.Skip("no corpus (set MTLSLINT_CORPUS)")
			}
			return d
		}, nil},
		{"monorepo-10000", func(tb testing.TB) string { return monorepo(tb, 10000) }, scalesBadly},
	}
	for _, in := range inputs {
		for _, jobs := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/jobs=%d", in.name, jobs), func(b *testing.B) {
				root := in.dir(b)
				cpu0 := CPUTime()
				for b.Loop() {
					if _, err := lint.Run(context.Background(), lint.Options{Root: root, NoConfig: true, Jobs: jobs, Ignore: in.ignore}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(CPUTime()-cpu0)/float64(b.Elapsed()), "cores-busy")
			})
		}
	}
}
