package k8s_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/yamlutil"
)

// memReader is a source.Reader over in-memory files, cheap enough to build
// for every fuzz input.
type memReader map[string][]byte

func (m memReader) ReadFile(p string) (*source.File, error) {
	b, ok := m[p]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return source.NewFile(p, b), nil
}

func (m memReader) Glob(string) ([]string, error) { return nil, nil }

func (m memReader) Stat(p string) (fs.FileInfo, error) {
	if _, ok := m[p]; ok {
		return fileInfo(p), nil
	}
	return nil, fs.ErrNotExist
}

type fileInfo string

func (f fileInfo) Name() string       { return filepath.Base(string(f)) }
func (f fileInfo) Size() int64        { return 0 }
func (f fileInfo) Mode() fs.FileMode  { return 0o644 }
func (f fileInfo) ModTime() time.Time { return time.Time{} }
func (f fileInfo) IsDir() bool        { return false }
func (f fileInfo) Sys() any           { return nil }

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
	f.Fuzz(func(t *testing.T, data []byte) {
		r := memReader{"in.yaml": data}
		file := source.NewFile("in.yaml", data)
		trees, probs := k8s.Load(r, []string{"in.yaml"})
		for _, p := range probs {
			if !p.Range.Start.IsValid() || p.Range.Start.Offset > len(data) || p.Range.End.Offset < p.Range.Start.Offset {
				t.Fatalf("problem with a bad range %+v", p)
			}
		}
		check := func(what string, r source.Range) {
			if r.File == "" {
				return
			}
			if r.Start.Offset > len(data) || r.End.Offset > len(data) || r.End.Offset < r.Start.Offset || r.Start != file.Pos(r.Start.Offset) {
				t.Fatalf("%s: bad range %+v", what, r)
			}
		}
		for _, tr := range trees {
			for _, o := range tr.Objects {
				check("object", o.Range)
				check("name", o.Name.Range)
				for k, a := range o.Annotations {
					check(k, a.Range)
					check(k, a.KeyRange)
				}
				if in := o.Ingress; in != nil {
					for _, rule := range in.Rules {
						check("host", rule.Host.Range)
						for _, p := range rule.Paths {
							check("path", p.Path.Range)
							check("backend", p.Backend.Service.Range)
						}
					}
				}
			}
		}
	})
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
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := memReader(files)
		k8s.Load(r, paths)
	}
	b.ReportMetric(float64(len(paths))*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
