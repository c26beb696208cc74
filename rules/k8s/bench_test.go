package k8s

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/rules"
)

// BenchmarkCheck loads the k8s fixture scenarios and runs the family's
// rules and route builder over them, as one workspace each.
func BenchmarkCheck(b *testing.B) {
	root := filepath.Join("..", "..", "fixtures", "k8s")
	dirs, err := os.ReadDir(root)
	if err != nil {
		b.Fatal(err)
	}
	format := parsers.Format{Kind: kube.Kind, Candidate: kube.Candidate, Detect: kube.Detect, Load: parsers.LoadAs(kube.Load)}
	eng := &rules.Engine{Rules: Rules, Routes: []*rules.Analysis{Routes}, Jobs: 1}
	files, size := 0, int64(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range dirs {
			ws, err := parsers.Load(context.Background(), parsers.Options{Root: filepath.Join(root, d.Name()), Formats: []parsers.Format{format}})
			if err != nil {
				b.Fatal(err)
			}
			eng.Run(context.Background(), ws)
			if i == 0 {
				for _, f := range ws.Files() {
					files++
					size += int64(len(f.Content))
				}
			}
		}
	}
	b.SetBytes(size)
	b.ReportMetric(float64(files)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkFrontDoors lints a generated cluster with 200 HTTPRoutes on a
// Gateway of five listeners and 200 AWS Load Balancer Controller Ingresses
// in 20 IngressGroups: loading, the family's rules and its routes (1,000).
func BenchmarkFrontDoors(b *testing.B) {
	root := b.TempDir()
	files := map[string]string{"gw.yaml": strings.ReplaceAll(testGateway, "%MODE%", "AllowValidOnly"), "app.yaml": albApp}
	for i := 0; i < 200; i++ {
		n := strconv.Itoa(i)
		files["routes/r"+n+".yaml"] = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r" + n + ", namespace: app}\nspec:\n  parentRefs: [{name: gw, namespace: infra}]\n  hostnames: [h" + n + ".example.com]\n  rules:\n  - matches: [{path: {value: /" + n + "}}]\n    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {remove: [X-SSL-Client-DN]}}]\n    backendRefs: [{name: web, port: 80}]\n"
		files["alb/i"+n+".yaml"] = albIngressYAML("i"+n, map[string]string{"group.name": "g" + strconv.Itoa(i%20), "listen-ports": `[{"HTTP": 80}, {"HTTPS": 443}]`,
			"mutual-authentication": `[{"port": 443, "mode": "verify", "trustStore": "clients"}]`}, "alb")
	}
	size := 0
	for p, c := range files {
		size += len(c)
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(c), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	format := parsers.Format{Kind: kube.Kind, Candidate: kube.Candidate, Detect: kube.Detect, Load: parsers.LoadAs(kube.Load)}
	eng := &rules.Engine{Rules: Rules, Routes: []*rules.Analysis{Routes}, Jobs: 1}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ws, err := parsers.Load(context.Background(), parsers.Options{Root: root, Formats: []parsers.Format{format}})
		if err != nil {
			b.Fatal(err)
		}
		eng.Run(context.Background(), ws)
	}
	b.ReportMetric(float64(len(files))*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
