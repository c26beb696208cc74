package k8s

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/parsers/k8s/render"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// MemFS is a source.Reader over in-memory files, for the tests of this
// package and of package k8s_test.
type MemFS map[string]string

func (m MemFS) ReadFile(p string) (*source.File, error) {
	b, ok := m[p]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return source.NewFile(p, []byte(b)), nil
}

func (m MemFS) Glob(pattern string) ([]string, error) {
	var out []string
	for p := range m {
		if ok, _ := path.Match(pattern, p); ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (m MemFS) Stat(p string) (fs.FileInfo, error) {
	if _, ok := m[p]; ok {
		return info(p), nil
	}
	return nil, fs.ErrNotExist
}

type info string

func (f info) Name() string       { return path.Base(string(f)) }
func (f info) Size() int64        { return 0 }
func (f info) Mode() fs.FileMode  { return 0o644 }
func (f info) ModTime() time.Time { return time.Time{} }
func (f info) IsDir() bool        { return false }
func (f info) Sys() any           { return nil }

// renderedTree reads a renderer's answer for one environment the way
// Load does, without running the renderer.
func renderedTree(t testing.TB, fs MemFS, env render.Environment, docs ...render.Document) *File {
	t.Helper()
	l := &loader{r: fs, patches: map[string]string{}, searched: map[string]bool{}, kustomizations: map[string]bool{}, charts: map[string]bool{}, kusts: map[string]*kustInfo{}}
	root := path.Join(env.Kustomization+env.Chart, "Chart.yaml")
	if env.Kustomization != "" {
		root = path.Join(env.Kustomization, "kustomization.yaml")
	}
	for p := range fs {
		if isKustomization(p) {
			l.kustomization(p)
		}
	}
	rootFile, err := fs.ReadFile(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for p := range fs {
		names = append(names, p)
	}
	sort.Strings(names)
	return l.environmentTree(&environment{req: env, root: rootFile, files: names}, render.Rendered{Name: env.Name, Documents: docs})
}

// at is "file:line" of a range, the line in three digits.
func at(r source.Range) string { return fmt.Sprintf("%s:%03d", r.File, r.Start.Line) }

func TestKustomizePlacement(t *testing.T) {
	fs := MemFS{
		"base/kustomization.yaml": "resources:\n- ingress.yaml\ncommonAnnotations:\n  team: shop\n",
		"base/ingress.yaml": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n" +
			"    nginx.ingress.kubernetes.io/auth-tls-secret: shop/ca\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: \"on\"\n" +
			"spec:\n  rules:\n  - host: a.example.com\n  - host: b.example.com\n",
		"prod/kustomization.yaml": "resources:\n- ../base\nnamePrefix: prod-\npatches:\n- path: smp.yaml\n- path: ops.yaml\n  target: {kind: Ingress, name: api}\n",
		"prod/smp.yaml":           "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional\n",
		"prod/ops.yaml":           "- op: replace\n  path: /spec/rules/1/host\n  value: b.shop.example\n",
	}
	rendered := "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: prod-api\n  annotations:\n    team: shop\n" +
		"    nginx.ingress.kubernetes.io/auth-tls-secret: shop/ca\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional\n" +
		"spec:\n  rules:\n  - host: a.example.com\n  - host: b.shop.example\n"
	tree := renderedTree(t, fs, render.Environment{Name: "prod", Kustomization: "prod"}, render.Document{
		YAML: rendered, Origin: "base/ingress.yaml", Transformers: []string{"base/kustomization.yaml", "prod/kustomization.yaml"},
	})
	if len(tree.Objects) != 1 || tree.Objects[0].Ingress == nil {
		t.Fatalf("objects %+v", tree.Objects)
	}
	o := tree.Objects[0]
	in := o.Ingress
	if o.Environment != "prod" || tree.Cluster().Environment != "prod" || o.File.Path != "prod/kustomization.yaml" {
		t.Errorf("environment %q, cluster %q, file %s", o.Environment, tree.Cluster().Environment, o.File.Path)
	}
	for _, c := range []struct {
		what string
		got  source.Range
		want string
	}{
		{"verify-client, set by the strategic-merge patch", in.Annotation("auth-tls-verify-client").Line(), "prod/smp.yaml:006"},
		{"secret, from the base", in.Annotation("auth-tls-secret").Line(), "base/ingress.yaml:006"},
		{"team, a common annotation", o.Annotations["team"].Line(), "base/kustomization.yaml:004"},
		{"host a, from the base", in.Rules[0].Host.Line(), "base/ingress.yaml:010"},
		{"host b, replaced by the JSON6902 patch", in.Rules[1].Host.Range, "prod/ops.yaml:003"},
		{"name, prefixed", o.Name.Line(), "base/ingress.yaml:004"},
		{"the object", o.Range, "base/ingress.yaml:001"},
	} {
		if got := at(c.got); got != c.want {
			t.Errorf("%s: at %s, want %s", c.what, got, c.want)
		}
	}
	if v := in.Annotation("auth-tls-verify-client"); v.Value != "optional" || v.Range.Start.Col != 57 {
		t.Errorf("verify-client %q at column %d, want the rendered value at the patch's value", v.Value, v.Range.Start.Col)
	}
	var sources []string
	for _, f := range tree.Files()[1:] {
		sources = append(sources, f.Path)
	}
	if got := strings.Join(sources, " "); got != "base/ingress.yaml base/kustomization.yaml prod/ops.yaml prod/smp.yaml" {
		t.Errorf("sources %s", got)
	}
}

func TestChartPlacement(t *testing.T) {
	fs := MemFS{
		"chart/Chart.yaml":       "apiVersion: v2\nname: web\nversion: 1.0.0\n",
		"chart/values.yaml":      "ingress:\n  annotations:\n    nginx.ingress.kubernetes.io/auth-tls-secret: web/ca\n  verify: \"on\"\n  host: web.example.com\n",
		"chart/values-prod.yaml": "ingress:\n  verify: optional\n",
		"chart/templates/ingress.yaml": "{{- if true }}\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {{ .Release.Name }}\n" +
			"  {{- with .Values.ingress.annotations }}\n  annotations:\n    {{- toYaml . | nindent 4 }}\n" +
			"    nginx.ingress.kubernetes.io/auth-tls-verify-client: {{ .Values.ingress.verify | quote }}\n  {{- end }}\n" +
			"spec:\n  rules:\n  - host: {{ .Values.ingress.host }}\n    http:\n      paths:\n      - path: /\n{{- end }}\n",
	}
	rendered := "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations:\n" +
		"    nginx.ingress.kubernetes.io/auth-tls-secret: web/ca\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: \"optional\"\n" +
		"spec:\n  rules:\n  - host: web.example.com\n    http:\n      paths:\n      - path: /\n"
	tree := renderedTree(t, fs, render.Environment{Name: "chart values-prod.yaml", Chart: "chart", Values: []string{"chart/values-prod.yaml"}}, render.Document{
		YAML: rendered, Origin: "chart/templates/ingress.yaml", Values: []string{"chart/values.yaml", "chart/values-prod.yaml"},
	})
	if len(tree.Objects) != 1 || tree.Objects[0].Ingress == nil {
		t.Fatalf("objects %+v", tree.Objects)
	}
	o := tree.Objects[0]
	in := o.Ingress
	for _, c := range []struct {
		what string
		got  source.Range
		want string
	}{
		{"verify-client, from values-prod.yaml", in.Annotation("auth-tls-verify-client").Line(), "chart/values-prod.yaml:002"},
		{"secret, from values.yaml through with and toYaml", in.Annotation("auth-tls-secret").Line(), "chart/values.yaml:003"},
		{"host, from values.yaml", in.Rules[0].Host.Line(), "chart/values.yaml:005"},
		{"path, written in the template", in.Rules[0].Paths[0].Path.Line(), "chart/templates/ingress.yaml:016"},
		{"name, written in the template", o.Name.Line(), "chart/templates/ingress.yaml:005"},
	} {
		if got := at(c.got); got != c.want {
			t.Errorf("%s: at %s, want %s", c.what, got, c.want)
		}
	}
	// A value written in the template: its range is the template's
	// expression, which a fix may replace.
	if r := o.Name.Range; r.File != "chart/templates/ingress.yaml" || r.Start.Col != 9 || r.End.Col != 28 {
		t.Errorf("name range %+v, want the expression after the key", r)
	}
}

func TestTemplateKeyLines(t *testing.T) {
	tpl := source.NewFile("t.yaml", []byte("kind: Service\nmetadata:\n  name: a\n---\nkind: Ingress\nmetadata:\n  name: b\n  annotations:\n    x: y\n"))
	if tl := findTemplateKey(tpl, "Ingress", []string{"metadata", "name"}); tl.line != 7 || tl.depth != 2 {
		t.Errorf("metadata.name of the Ingress: line %d depth %d, want 7 2", tl.line, tl.depth)
	}
	if tl := findTemplateKey(tpl, "Ingress", []string{"metadata", "annotations", "z"}); tl.line != 8 || tl.depth != 2 {
		t.Errorf("a missing annotation: line %d depth %d, want the annotations line 8, depth 2", tl.line, tl.depth)
	}
	if tl := findTemplateKey(tpl, "Ingress", []string{"spec"}); tl.line != 0 {
		t.Errorf("a key the template does not write: line %d", tl.line)
	}
}

// FuzzRenderedPlacement feeds arbitrary rendered documents, templates,
// values files and patches to the placement of rendered objects: it must
// not panic, and every range it gives lies in the source file it names.
func FuzzRenderedPlacement(f *testing.F) {
	f.Add("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: a\n  annotations:\n    x: y\nspec:\n  rules:\n  - host: h\n",
		"metadata:\n  annotations:\n    x: {{ .Values.x }}\n", "x: y\n", "- op: add\n  path: /metadata/annotations\n  value: {x: z}\n")
	f.Add("kind: Ingress\napiVersion: v1\nmetadata: {name: [}\n", "  - host: {{", "a: &a [*a]\n", "- op: replace\n  path: /spec/rules/0\n  value: [1]\n")
	f.Fuzz(func(t *testing.T, rendered, template, values, patch string) {
		fs := MemFS{
			"c/Chart.yaml":             "name: c\n",
			"c/templates/t.yaml":       template,
			"c/values.yaml":            values,
			"k/kustomization.yaml":     "resources: [r.yaml]\npatches:\n- path: p.yaml\n- patch: |-\n    " + strings.ReplaceAll(patch, "\n", "\n    ") + "\n",
			"k/r.yaml":                 template,
			"k/p.yaml":                 patch,
			"k/commonAnnotations.yaml": values,
		}
		trees := []*File{
			renderedTree(t, fs, render.Environment{Name: "c", Chart: "c"}, render.Document{YAML: rendered, Origin: "c/templates/t.yaml", Values: []string{"c/values.yaml"}}),
			renderedTree(t, fs, render.Environment{Name: "k", Kustomization: "k"}, render.Document{YAML: rendered, Origin: "k/r.yaml", Transformers: []string{"k/kustomization.yaml"}}),
		}
		for _, tree := range trees {
			for _, o := range tree.Objects {
				CheckRanges(t, o, func(p string) *source.File {
					if src, ok := fs[p]; ok {
						return source.NewFile(p, []byte(src))
					}
					return nil
				})
			}
		}
	})
}

// CheckRanges fails t when a range of the object does not lie in the
// source file it names (sourceOf returns nil for a file that is none).
func CheckRanges(t testing.TB, o *Object, sourceOf func(path string) *source.File) {
	t.Helper()
	check := func(what string, r source.Range) {
		if r.File == "" {
			return
		}
		file := sourceOf(r.File)
		if file == nil {
			t.Fatalf("%s: range in %s, which is not a source", what, r.File)
		}
		n := len(file.Content)
		if r.Start.Offset > n || r.End.Offset > n || r.End.Offset < r.Start.Offset || r.Start != file.Pos(r.Start.Offset) {
			t.Fatalf("%s: bad range %+v in %q", what, r, file.Content)
		}
	}
	check("object", o.Range)
	check("name", o.Name.Range)
	for k, a := range o.Annotations {
		check(k, a.Range)
		check(k, a.KeyRange)
	}
	if g := o.Gateway; g != nil {
		for _, l := range g.Listeners {
			check("listener", l.Range)
			check("listener name", l.Name.Range)
			if v := l.LegacyValidation; v != nil {
				check("frontendValidation", v.Range)
			}
		}
		if ft := g.Frontend; ft != nil {
			check("frontend", ft.Range)
			if ft.Default != nil {
				check("default validation", ft.Default.Range)
				check("mode", ft.Default.Mode.Range)
			}
			for _, pp := range ft.PerPort {
				check("perPort", pp.Range)
			}
		}
	}
	if hr := o.HTTPRoute; hr != nil {
		for _, ref := range hr.ParentRefs {
			check("parentRef", ref.Range)
		}
		for _, r := range hr.Rules {
			check("rule", r.Range)
			for _, b := range r.BackendRefs {
				check("backendRef", b.Range)
				check("backend name", b.Name.Range)
			}
			for _, f := range r.Filters {
				check("filter", f.Range)
				for _, h := range append(append([]HeaderValue{}, f.Set...), f.Add...) {
					check("header", h.Range)
				}
				for _, h := range f.Remove {
					check("remove", h.Range)
				}
			}
		}
	}
	if in := o.Ingress; in != nil {
		for _, rule := range in.Rules {
			check("host", rule.Host.Range)
			check("rule", rule.Range)
			for _, p := range rule.Paths {
				check("path", p.Path.Range)
				check("backend", p.Backend.Service.Range)
			}
		}
	}
}

// BenchmarkRenderedPlacement reads a rendered Ingress of an overlay into
// objects, placing every value in the base or the patch.
func BenchmarkRenderedPlacement(b *testing.B) {
	fs := MemFS{
		"base/kustomization.yaml": "resources:\n- ingress.yaml\n",
		"base/ingress.yaml":       "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n    nginx.ingress.kubernetes.io/auth-tls-secret: shop/ca\nspec:\n  rules:\n  - host: a.example.com\n    http:\n      paths:\n      - path: /\n        backend:\n          service:\n            name: api\n            port:\n              number: 80\n",
		"prod/kustomization.yaml": "resources:\n- ../base\npatches:\n- path: smp.yaml\n",
		"prod/smp.yaml":           "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional\n",
	}
	rendered := "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n    nginx.ingress.kubernetes.io/auth-tls-secret: shop/ca\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional\nspec:\n  rules:\n  - host: a.example.com\n    http:\n      paths:\n      - path: /\n        backend:\n          service:\n            name: api\n            port:\n              number: 80\n"
	doc := render.Document{YAML: rendered, Origin: "base/ingress.yaml", Transformers: []string{"prod/kustomization.yaml"}}
	for i := 0; i < b.N; i++ {
		renderedTree(b, fs, render.Environment{Name: "prod", Kustomization: "prod"}, doc)
	}
}

func TestInlinePatchPlacement(t *testing.T) {
	fs := MemFS{
		"base/kustomization.yaml": "resources:\n- ingress.yaml\n",
		"base/ingress.yaml":       "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: \"on\"\n",
		"prod/kustomization.yaml": "resources:\n- ../base\npatches:\n- target: {kind: Ingress, name: api}\n  patch: |-\n    - op: replace\n      path: /metadata/annotations/nginx.ingress.kubernetes.io~1auth-tls-verify-client\n      value: optional\n" +
			"patchesStrategicMerge:\n- |-\n  apiVersion: networking.k8s.io/v1\n  kind: Ingress\n  metadata:\n    name: api\n    annotations:\n      team: shop\n",
	}
	rendered := "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional\n    team: shop\n"
	tree := renderedTree(t, fs, render.Environment{Name: "prod", Kustomization: "prod"}, render.Document{
		YAML: rendered, Origin: "base/ingress.yaml", Transformers: []string{"prod/kustomization.yaml"},
	})
	o := tree.Objects[0]
	if got := o.Ingress.Annotation("auth-tls-verify-client"); at(got.Range) != "prod/kustomization.yaml:008" || got.Range.Start.Col != 14 {
		t.Errorf("verify-client, set by the inline JSON6902 patch: at %s col %d, want prod/kustomization.yaml:008 col 14", at(got.Range), got.Range.Start.Col)
	}
	if got := o.Annotations["team"]; at(got.Line()) != "prod/kustomization.yaml:016" || got.KeyRange.Start.Col != 7 {
		t.Errorf("team, set by the inline strategic-merge patch: at %s col %d, want prod/kustomization.yaml:016 col 7", at(got.Line()), got.KeyRange.Start.Col)
	}
}
