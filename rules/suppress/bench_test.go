package suppress

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// bigNginx is a generated configuration of n server blocks, with a
// suppression comment in every tenth.
func bigNginx(n int) []byte {
	var b strings.Builder
	b.WriteString("http {\n")
	for i := 0; i < n; i++ {
		if i%10 == 0 {
			b.WriteString("    # mtlslint: ignore[N010] -- generated\n")
		}
		fmt.Fprintf(&b, "    server {\n        listen %d ssl;\n        server_name s%d.example;  # a comment\n        location / {\n            proxy_set_header X-SSL-Client-Verify $ssl_client_verify;\n            proxy_pass http://u%d;\n        }\n    }\n", 8000+i, i, i)
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

// BenchmarkScan measures outlining a file and reading its directives.
func BenchmarkScan(b *testing.B) {
	content := bigNginx(2000)
	b.SetBytes(int64(len(content)))
	for i := 0; i < b.N; i++ {
		f := source.NewFile("nginx.conf", content)
		o := NewOutline(f, parsers.KindNginx)
		cover(o, Scan(o))
	}
}

// BenchmarkApplyAndFingerprint measures the whole stage on one finding per
// location, reporting findings/s.
func BenchmarkApplyAndFingerprint(b *testing.B) {
	content := bigNginx(2000)
	f := source.NewFile("nginx.conf", content)
	var diags []rules.Finding
	for l := 1; l <= f.LineCount(); l++ {
		if strings.Contains(string(f.Line(l)), "location") {
			diags = append(diags, rules.Finding{Code: "N010", Diagnostic: rules.Diagnostic{Range: f.LineRange(l), Key: rules.TestKey(fmt.Sprint(l))}})
		}
	}
	testRule := &rules.Rule{Code: "N010", Name: "x", Severity: rules.High}
	opts := Options{Rule: func(c string) *rules.Rule {
		if c == "N010" {
			return testRule
		}
		return nil
	}}
	b.SetBytes(int64(len(content)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src := NewSources([]Source{{File: f, Kind: parsers.KindNginx}}, nil)
		out := Apply(src, append([]rules.Finding{}, diags...), opts)
		Fingerprints(src, out)
	}
	b.ReportMetric(float64(len(diags))*float64(b.N)/b.Elapsed().Seconds(), "findings/s")
}
