package k8s_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/k8s/render"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/yamlutil"
)

// fixtureFiles returns the YAML files of the k8s fixture scenarios.
func fixtureFiles(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	root := filepath.Join("..", "..", "fixtures", "k8s")
	_ = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !k8s.Candidate(filepath.ToSlash(p)) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err == nil {
			out[filepath.ToSlash(p)] = b
		}
		return nil
	})
	return out
}

func FuzzLoad(f *testing.F) {
	for _, b := range fixtureFiles(f) {
		f.Add(b)
	}
	f.Add([]byte(ingressV1))
	f.Add([]byte("kind: ConfigMap\ndata:\n  k: " + strings.Repeat("[", yamlutil.MaxDepth) + strings.Repeat("]", yamlutil.MaxDepth) + "\n"))
	f.Add([]byte("- op: add\n  path: /spec/rules\n  value: []\n"))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- {kind: Service, apiVersion: v1, spec: {ports: [{port: 80}]}}\n"))
	f.Add([]byte("kind: Ingress\nmetadata:\n  name: {{ .Values.name }}\n"))
	f.Add([]byte("apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nspec:\n  tls:\n    frontend:\n      default: {validation: {mode: AllowInsecureFallback, caCertificateRefs: [{name: ca}]}}\n      perPort: [{port: 8443, tls: {}}]\n  listeners:\n  - {name: https, protocol: HTTPS, port: 443, tls: {frontendValidation: {caCertificateRefs: [{name: ca}]}}}\n"))
	f.Add([]byte("apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  targetRefs: [{group: \"\", kind: Service, name: web, sectionName: https}]\n  targetRef: {kind: Service, name: web}\n  validation: {hostname: web, caCertificateRefs: [{kind: ConfigMap, name: ca}]}\n"))
	f.Add([]byte("apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nspec:\n  tls:\n    backend:\n      clientCertificateRef: {kind: Secret, group: \"\", name: gw-client}\n"))
	f.Add([]byte("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nspec:\n  parentRefs: [{name: gw, sectionName: https}]\n  rules:\n  - filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: a, value: b}], remove: [c]}}]\n    backendRefs: [{name: web, port: 80, filters: []}]\n"))
	f.Setenv(render.EnvProgram, filepath.Join(f.TempDir(), "absent")) // no rendering: one file at a time
	f.Fuzz(func(t *testing.T, data []byte) {
		checkLoad(t, k8s.MemFS{"in.yaml": string(data)}, data)
	})
}

// FuzzUnrenderedPatch loads the input as a patch that a kustomization
// applies, which does not render (its base is absent): the patch is read
// on its own.
func FuzzUnrenderedPatch(f *testing.F) {
	f.Add([]byte("- op: add\n  path: /metadata/annotations\n  value:\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional\n"))
	f.Add([]byte("- op: replace\n  path: /metadata/annotations/nginx.ingress.kubernetes.io~1auth-tls-secret\n  value: ns/ca\n"))
	f.Add([]byte("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations:\n    nginx.ingress.kubernetes.io/auth-tls-secret: null\n"))
	f.Add([]byte(ingressV1))
	f.Setenv(render.EnvProgram, filepath.Join(f.TempDir(), "absent"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkLoad(t, k8s.MemFS{"kustomization.yaml": "resources: [../base]\npatchesStrategicMerge: [in.yaml]\n", "in.yaml": string(data)}, data)
	})
}

// checkLoad loads the files of r, of which in.yaml holds data, and
// requires every range to lie in its file.
func checkLoad(t *testing.T, r k8s.MemFS, data []byte) {
	var paths []string
	for p := range r {
		paths = append(paths, p)
	}
	file := source.NewFile("in.yaml", data)
	trees, probs := k8s.Load(r, paths)
	for _, p := range probs {
		size := len(data)
		if p.Range.File != "in.yaml" {
			size = len(r[p.Range.File])
		}
		if !p.Range.Start.IsValid() || p.Range.Start.Offset > size || p.Range.End.Offset < p.Range.Start.Offset {
			t.Fatalf("problem with a bad range %+v", p)
		}
	}
	for _, tr := range trees {
		for _, o := range tr.Objects {
			k8s.CheckRanges(t, o, func(p string) *source.File {
				if p == "in.yaml" {
					return file
				}
				return nil
			})
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	files := fixtureFiles(b)
	var sb strings.Builder
	for i := 0; i < 20; i++ {
		sb.WriteString(ingressV1)
		sb.WriteString("---\n")
	}
	files["bench/big.yaml"] = []byte(sb.String())
	var paths []string
	size := 0
	for p, c := range files {
		if k8s.Detect(p, c) {
			paths = append(paths, p)
			size += len(c)
		}
	}
	b.SetBytes(int64(size))
	r := k8s.MemFS{}
	for p, c := range files {
		r[p] = string(c)
	}
	// The front end alone: the renderer has its own benchmark.
	b.Setenv(render.EnvProgram, filepath.Join(b.TempDir(), "absent"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k8s.Load(r, paths)
	}
	b.ReportMetric(float64(len(paths))*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
