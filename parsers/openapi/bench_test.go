package openapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/openapi"
)

// bigSpec is a document with n paths of two operations each.
func bigSpec(n int) []byte {
	var b strings.Builder
	b.WriteString("openapi: 3.1.0\ninfo: {title: bench, version: '1'}\nservers:\n  - url: https://api.example.com/v1\nsecurity:\n  - clientCert: []\npaths:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  /items%d/{id}:\n    get:\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Item'}\n", i)
		fmt.Fprintf(&b, "    delete:\n      security:\n        - clientCert: []\n        - apiKey: []\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '204': {description: deleted}\n")
	}
	b.WriteString("components:\n  schemas:\n    Item:\n      type: object\n      properties:\n        id: {type: string}\n        name: {type: string}\n  securitySchemes:\n    clientCert: {type: mutualTLS}\n    apiKey: {type: apiKey, in: header, name: X-Api-Key}\n")
	return []byte(b.String())
}

// BenchmarkLoad measures a full load: the structural walk and
// kin-openapi's load of a 500-path document.
func BenchmarkLoad(b *testing.B) {
	data := bigSpec(500)
	dir := b.TempDir()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := parsers.NewFSReader(dir, 0, map[string][]byte{"api.yaml": data})
		if err != nil {
			b.Fatal(err)
		}
		specs, probs := openapi.Load(r, []string{"api.yaml"})
		if len(specs) != 1 || len(probs) != 0 || len(specs[0].Operations) != 1000 {
			b.Fatalf("specs %d problems %v", len(specs), probs)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkDetect measures content detection, which runs on every YAML and
// JSON file of a repository.
func BenchmarkDetect(b *testing.B) {
	yamlDoc := append([]byte("apiVersion: v1\nkind: ConfigMap\ndata:\n"), bigSpec(50)[60:]...)
	jsonDoc := []byte(`{"name": "x", "dependencies": {"a": "1"}, "nested": {"openapi": "3"}, "list": [1, 2, 3]}`)
	b.SetBytes(int64(len(yamlDoc) + len(jsonDoc)))
	for b.Loop() {
		if openapi.Detect("a.yaml", yamlDoc) || openapi.Detect("a.json", jsonDoc) {
			b.Fatal("detected")
		}
	}
	b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "files/s")
}
