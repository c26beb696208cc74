package k8s

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/mtlslint/mtlslint/parsers/k8s/render"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// A repository's Kubernetes configuration is often not the manifests that
// reach the cluster: a kustomize base with an overlay per environment, a
// Helm chart with a values file per environment. Every kustomization that
// no other one builds on (an overlay, an environment), and every chart
// with each values file kept beside it, is rendered by mtlslint-render
// (package render) into its own deployment: a File whose objects are
// positioned in the sources that set their values, in a Cluster of its
// own named by the environment.

// kustInfo is what the loader knows of one kustomization.
type kustInfo struct {
	file *source.File
	root *yaml.Node
	dir  string
	// dirs are the resources, bases and components that are directories
	// (root-relative), which kustomize builds as kustomizations.
	dirs    []string
	patches []patchRef
}

// patchRef is one patch a kustomization applies: a file, or a patch
// written in the kustomization itself.
type patchRef struct {
	path string // root-relative; empty for an inline patch
	// inline is the block scalar of an inline patch, in the
	// kustomization file in.
	inline *yaml.Node
	in     *source.File
	// target selects the objects of a JSON6902 patch (or a patch entry
	// with a target); empty strings match anything.
	targetKind, targetName string
}

// readKustomization records the references of a kustomization.
func readKustomization(f *source.File, root *yaml.Node) *kustInfo {
	k := &kustInfo{file: f, root: root, dir: path.Dir(f.Path)}
	for _, key := range []string{"resources", "bases", "components"} {
		for _, it := range items(child(root, key)) {
			if !isScalar(it) || isRemoteRef(it.Value) {
				continue
			}
			k.dirs = append(k.dirs, path.Join(k.dir, it.Value))
		}
	}
	add := func(p *yaml.Node, target *yaml.Node) {
		if !isScalar(p) {
			return
		}
		ref := patchRef{targetKind: scalarValue(child(target, "kind")), targetName: scalarValue(child(target, "name"))}
		if strings.ContainsAny(p.Value, "\n:") {
			ref.inline, ref.in = p, f
		} else {
			ref.path = path.Clean(path.Join(k.dir, p.Value))
		}
		k.patches = append(k.patches, ref)
	}
	for _, it := range items(child(root, "patchesStrategicMerge")) {
		add(it, nil)
	}
	for _, key := range []string{"patches", "patchesJson6902"} {
		for _, it := range items(child(root, key)) {
			p := child(it, "path")
			if p == nil {
				p = child(it, "patch")
			}
			add(p, child(it, "target"))
		}
	}
	return k
}

// isRemoteRef reports whether a kustomization reference is remote (a git
// repository or a URL); the renderer refuses those and says so.
func isRemoteRef(ref string) bool {
	return strings.Contains(ref, "://") || strings.HasPrefix(ref, "git@") || strings.HasPrefix(ref, "github.com/") ||
		strings.HasPrefix(ref, "gitlab.com/") || strings.HasPrefix(ref, "bitbucket.org/") || strings.Contains(ref, "?ref=") ||
		strings.HasPrefix(ref, "git::")
}

// isChart reports whether rel is a Helm chart's Chart.yaml.
func isChart(rel string) bool { return path.Base(rel) == "Chart.yaml" }

// renderTimeout bounds one run of the renderer.
const renderTimeout = 2 * time.Minute

// maxRequestBytes caps the files sent to the renderer in one request.
const maxRequestBytes = 64 << 20

// environment is one rendering the loader asks for, with what it reads.
type environment struct {
	req   render.Environment
	root  *source.File // the kustomization or Chart.yaml
	files []string     // the files it may read
	// patchFiles are the patches of the kustomizations it builds on.
	patchFiles []string
}

// RenderStats counts what the loader rendered, for reports and tests.
type RenderStats struct {
	Kustomizations, Charts int // environments rendered
	// NotRendered maps each environment that fell back to reading the
	// files as written (K007) to why.
	NotRendered map[string]string
}

// environments lists the renderings of the tree: the kustomizations no
// other one builds on, and every chart (not a subchart) with its values
// files.
func (l *loader) environments(charts []string) []*environment {
	based := map[string]bool{}
	for _, k := range l.kusts {
		for _, d := range k.dirs {
			based[d] = true
		}
	}
	var out []*environment
	var dirs []string
	for d := range l.kusts {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		if based[d] || scalarValue(child(l.kusts[d].root, "kind")) == "Component" {
			continue // built as part of others
		}
		k := l.kusts[d]
		env := &environment{req: render.Environment{Name: d, Kustomization: d}, root: k.file}
		seen := map[string]bool{}
		var walk func(k *kustInfo)
		walk = func(k *kustInfo) {
			if seen[k.dir] {
				return
			}
			seen[k.dir] = true
			env.files = append(env.files, l.filesBelow(k.dir, 4)...)
			for _, p := range k.patches {
				if p.path != "" {
					env.patchFiles = append(env.patchFiles, p.path)
				}
			}
			for _, sub := range k.dirs {
				if sk := l.kusts[sub]; sk != nil {
					walk(sk)
				} else if sk := l.kustomizationIn(sub); sk != nil {
					walk(sk)
				}
			}
		}
		walk(k)
		out = append(out, env)
	}
	for _, dir := range charts {
		f, err := l.r.ReadFile(path.Join(dir, "Chart.yaml"))
		if err != nil {
			continue
		}
		files := l.filesBelow(dir, 6)
		var configured []ChartEnvironment
		for _, c := range l.opts.Charts {
			if path.Clean(c.Chart) == dir {
				configured = append(configured, c)
			}
		}
		if len(configured) > 0 {
			for _, c := range configured {
				name := dir
				for _, v := range c.Values {
					name += " " + strings.TrimPrefix(v, dir+"/")
				}
				out = append(out, &environment{req: render.Environment{Name: name, Chart: dir, Values: c.Values, Namespace: c.Namespace, Release: c.Release}, root: f,
					files: append(append([]string(nil), files...), c.Values...)})
			}
			continue
		}
		out = append(out, &environment{req: render.Environment{Name: dir, Chart: dir}, root: f, files: files})
		for _, vf := range l.valuesFiles(dir) {
			name := dir + " " + strings.TrimPrefix(vf, dir+"/")
			out = append(out, &environment{req: render.Environment{Name: name, Chart: dir, Values: []string{vf}}, root: f, files: files})
		}
	}
	return out
}

// kustomizationIn reads the kustomization of a directory the tree's
// kustomizations build on.
func (l *loader) kustomizationIn(dir string) *kustInfo {
	for _, name := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		p := path.Join(dir, name)
		if _, err := l.r.Stat(p); err == nil {
			l.kustomization(p)
			return l.kusts[dir]
		}
	}
	return nil
}

// valuesFiles are the values files kept beside a chart: values-*.yaml and
// values/*.yaml.
func (l *loader) valuesFiles(dir string) []string {
	var out []string
	for _, pat := range []string{"values-*.yaml", "values-*.yml", "values/*.yaml", "values/*.yml"} {
		ms, _ := l.r.Glob(path.Join(dir, pat))
		out = append(out, ms...)
	}
	sort.Strings(out)
	return out
}

// filesBelow lists the files of dir and its subdirectories down to depth.
func (l *loader) filesBelow(dir string, depth int) []string {
	var out []string
	pat := dir
	for i := 0; i < depth; i++ {
		pat = path.Join(pat, "*")
		ms, _ := l.r.Glob(pat)
		out = append(out, ms...)
	}
	return out
}

// chartOf returns the chart directory of a template, or "".
func (l *loader) chartOf(p string) string {
	dir := path.Dir(p)
	for dir != "." && dir != "/" && dir != "" {
		if path.Base(dir) == "templates" && l.inChart(p) {
			return path.Dir(dir)
		}
		dir = path.Dir(dir)
	}
	return ""
}

// isSubchart reports whether a chart directory lies in another chart's
// charts/ directory: it is rendered as part of its parent.
func (l *loader) isSubchart(dir string) bool {
	parent := path.Dir(dir)
	if path.Base(parent) != "charts" {
		return false
	}
	_, err := l.r.Stat(path.Join(path.Dir(parent), "Chart.yaml"))
	return err == nil
}

// render renders the environments and returns their trees, and the files
// their renderings consumed (which are then not read as manifests).
func (l *loader) render(envs []*environment) ([]*File, map[string]bool) {
	consumed := map[string]bool{}
	if len(envs) == 0 {
		return nil, consumed
	}
	fail := func(env *environment, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		l.stats.NotRendered[env.req.Name] = msg
		l.notAnalysed(env.root, fmt.Sprintf("%s was not rendered; its files are read as written", env.req.Name), fmt.Sprintf("Rendering failed: %s.", strings.TrimSuffix(msg, ".")),
			fmt.Sprintf("%s was not rendered: %s; its files are read as written", env.req.Name, msg))
	}
	program, err := render.Find()
	if err != nil {
		for _, env := range envs {
			fail(env, "%v", err)
		}
		return nil, consumed
	}
	req := &render.Request{Files: map[string]string{}}
	size := 0
	for _, env := range envs {
		for _, p := range env.files {
			if _, ok := req.Files[p]; ok {
				continue
			}
			f, err := l.r.ReadFile(p)
			if err != nil || size+len(f.Content) > maxRequestBytes {
				continue
			}
			size += len(f.Content)
			req.Files[p] = string(f.Content)
		}
		req.Environments = append(req.Environments, env.req)
	}
	ctx, cancel := context.WithTimeout(context.Background(), renderTimeout)
	defer cancel()
	resp, err := render.Run(ctx, program, req)
	if err != nil {
		for _, env := range envs {
			fail(env, "%v", err)
		}
		return nil, consumed
	}
	var trees []*File
	for i, env := range envs {
		out := resp.Environments[i]
		for _, p := range out.Problems {
			l.renderProblem(env, p)
		}
		if len(out.Documents) == 0 {
			if len(out.Problems) == 0 {
				continue // nothing to deploy: an empty chart or kustomization
			}
			l.stats.NotRendered[env.req.Name] = out.Problems[0].Message
			continue
		}
		t := l.environmentTree(env, out)
		trees = append(trees, t)
		if env.req.Chart != "" {
			l.stats.Charts++
			for _, p := range env.files {
				consumed[p] = true
			}
		} else {
			l.stats.Kustomizations++
			for _, p := range env.patchFiles {
				consumed[p] = true
			}
			for _, d := range out.Documents {
				consumed[d.Origin] = true
			}
		}
	}
	return trees, consumed
}

// renderProblem reports a problem of the renderer at its place.
func (l *loader) renderProblem(env *environment, p render.Problem) {
	f := env.root
	if p.File != "" {
		if sf, err := l.r.ReadFile(p.File); err == nil {
			f = sf
		}
	}
	r := firstLine(f)
	if p.Line >= 1 && p.Line <= f.LineCount() {
		r = f.LineRange(p.Line)
	}
	kind, msg := ProblemNotRendered, fmt.Sprintf("not analysed in %s: %s", env.req.Name, p.Message)
	if p.Kind == render.Error {
		kind, msg = source.ProblemSyntax, fmt.Sprintf("%s does not render: %s", env.req.Name, p.Message)
	}
	l.problem(source.Problem{Kind: kind, Range: r, Message: msg})
}

// environmentTree reads the rendered documents of one environment into a
// tree of its own cluster.
func (l *loader) environmentTree(env *environment, out render.Rendered) *File {
	t := &File{file: env.root, environment: env.req.Name}
	sources := map[string]*source.File{env.root.Path: env.root}
	read := func(p string) *source.File {
		if f, ok := sources[p]; ok {
			return f
		}
		f, err := l.r.ReadFile(p)
		if err != nil {
			f = nil
		}
		sources[p] = f
		return f
	}
	for _, d := range out.Documents {
		rendered := source.NewFile(env.root.Path, []byte(d.YAML))
		docs, probs := parseDocuments(rendered)
		if len(probs) > 0 {
			l.problem(source.Problem{Kind: ProblemNotRendered, Range: firstLine(env.root),
				Message: fmt.Sprintf("not analysed in %s: a rendered document of %s does not parse: %s", env.req.Name, d.Origin, probs[0].Message)})
			continue
		}
		for _, rd := range docs {
			var p placer
			if env.req.Chart != "" {
				p = l.chartPlacer(rd.root, d, read)
			} else {
				p = l.kustomizePlacer(rd.root, d, read, env.files)
			}
			objs := objects(&doc{file: env.root, place: p, environment: env.req.Name}, rd.root)
			if pl, ok := p.(*placed); ok {
				for _, o := range objs {
					o.Removed = pl.removedAnnotations(o)
				}
			}
			t.Objects = append(t.Objects, objs...)
		}
	}
	for p, f := range sources {
		if f != nil && p != env.root.Path {
			t.sources = append(t.sources, f)
		}
	}
	sort.Slice(t.sources, func(i, j int) bool { return t.sources[i].Path < t.sources[j].Path })
	c := &Cluster{Environment: env.req.Name}
	c.add(t)
	c.Objects = t.Objects
	return t
}

// placed is the placer of one rendered document: its source documents,
// most recent first.
type placed struct {
	paths    map[*yaml.Node]nodePath
	sources  []sourceDoc
	origin   *sourceDoc // the document that defined the object
	open     source.Range
	read     func(string) *source.File
	template *source.File // a chart's template, searched by indentation
	values   []sourceDoc  // a chart's values files, the last applied first
	kind     string
}

func (p *placed) source(path string) *source.File { return p.read(path) }
func (p *placed) fallback() source.Range          { return p.open }

func (p *placed) place(n *yaml.Node) (source.Range, bool) {
	np, ok := p.paths[n]
	if !ok {
		return source.Range{}, false
	}
	for _, s := range p.sources {
		if r, ok := s.find(np); ok {
			return r, true
		}
	}
	if p.template == nil {
		return source.Range{}, false
	}
	var keys []string
	for _, s := range np.steps {
		if !s.isIndex {
			keys = append(keys, s.key)
		}
	}
	tl := findTemplateKey(p.template, p.kind, keys)
	if tl.line == 0 {
		return source.Range{}, false
	}
	for _, ref := range tl.refs {
		var steps []step
		for _, k := range ref {
			steps = append(steps, step{key: k})
		}
		steps = append(steps, keySteps(np.steps, tl.depth)...)
		for _, v := range p.values {
			if r, ok := v.find(nodePath{steps: steps, isKey: np.isKey}); ok {
				return r, true
			}
		}
	}
	key, value := keyRangeOnLine(p.template, tl.line)
	if np.isKey || tl.depth < len(keys) {
		return key, true
	}
	return value, true
}

// keySteps returns the steps after the first depth key steps (sequence
// indices included, as the values file writes them).
func keySteps(steps []step, depth int) []step {
	for i, s := range steps {
		if depth == 0 {
			return steps[i:]
		}
		if !s.isIndex {
			depth--
		}
	}
	return nil
}

// kustomizePlacer places a document kustomize built: the patches of the
// kustomizations that transformed it (the last applied first), the
// kustomizations themselves, then the document that defined it.
func (l *loader) kustomizePlacer(root *yaml.Node, d render.Document, read func(string) *source.File, files []string) placer {
	p := &placed{paths: pathsOf(root), read: read}
	kind := scalarValue(child(root, "kind"))
	name := scalarValue(walkPath(root, "metadata", "name"))
	origin := read(d.Origin)
	transformers := d.Transformers
	if origin != nil && isKustomization(origin.Path) {
		// A generated object, or one whose origin a transformer reset
		// (kustomize does for some JSON6902 patches): its kustomization
		// is one of the transformers, and its definition, if any, is
		// found by kind and name.
		transformers = append(append([]string(nil), transformers...), origin.Path)
		if f := findDefinition(read, files, kind, name); f != nil {
			origin = f
		}
	}
	var originDoc *yaml.Node
	if origin != nil {
		originDoc = pickDocument(origin, kind, name)
		if originDoc != nil {
			p.open = openingRange(origin, originDoc)
			if n := scalarValue(walkPath(originDoc, "metadata", "name")); n != "" {
				name = n // the name before prefixes and suffixes
			}
		} else {
			p.open = firstLine(origin)
		}
	}
	for i := len(transformers) - 1; i >= 0; i-- {
		kf := read(transformers[i])
		if kf == nil {
			continue
		}
		k := l.kusts[path.Dir(kf.Path)]
		if k == nil {
			continue
		}
		for j := len(k.patches) - 1; j >= 0; j-- {
			p.sources = append(p.sources, patchDocs(read, k.patches[j], kind, name)...)
		}
		p.sources = append(p.sources, sourceDoc{file: kf, root: k.root, kind: kustomizationDoc})
	}
	if originDoc != nil {
		p.origin = &sourceDoc{file: origin, root: originDoc}
		p.sources = append(p.sources, *p.origin)
	}
	return p
}

// removedAnnotations finds the annotations the object's definition has
// and the rendered object lacks, and where a patch removes each: a
// JSON6902 remove operation, or a strategic-merge patch that sets it to
// null.
func (p *placed) removedAnnotations(o *Object) map[string]source.Range {
	if p.origin == nil {
		return nil
	}
	var out map[string]source.Range
	for _, kv := range pairs(walkPath(p.origin.root, "metadata", "annotations")) {
		key := kv.key.Value
		if _, kept := o.Annotations[key]; kept || !isScalar(kv.key) {
			continue
		}
		at := p.fallback()
		for _, s := range p.sources {
			if r, ok := s.removes(key); ok {
				at = r
				break
			}
		}
		if out == nil {
			out = map[string]source.Range{}
		}
		out[key] = at
	}
	return out
}

// findDefinition looks through the files of an environment for the
// manifest that defines an object of kind and name.
func findDefinition(read func(string) *source.File, files []string, kind, name string) *source.File {
	for _, p := range files {
		if isKustomization(p) || !Candidate(p) {
			continue
		}
		f := read(p)
		if f == nil || !bytes.Contains(f.Content, []byte(name)) || !bytes.Contains(f.Content, []byte(kind)) {
			continue
		}
		docs, _ := parseDocuments(f)
		for _, d := range docs {
			if scalarValue(child(d.root, "kind")) == kind && scalarValue(walkPath(d.root, "metadata", "name")) == name {
				return f
			}
		}
	}
	return nil
}

// pickDocument returns the document of f that defines the object: the
// same kind and name, else a name the rendered one contains (kustomize
// adds prefixes and suffixes), else the first of the kind.
func pickDocument(f *source.File, kind, name string) *yaml.Node {
	docs, _ := parseDocuments(f)
	var contained, sameKind *yaml.Node
	for _, d := range docs {
		if scalarValue(child(d.root, "kind")) != kind {
			continue
		}
		n := scalarValue(walkPath(d.root, "metadata", "name"))
		switch {
		case n == name:
			return d.root
		case n != "" && strings.Contains(name, n) && contained == nil:
			contained = d.root
		case sameKind == nil:
			sameKind = d.root
		}
	}
	if contained != nil {
		return contained
	}
	if sameKind != nil {
		return sameKind
	}
	if len(docs) > 0 {
		return docs[0].root
	}
	return nil
}

// patchDocs returns the documents of a patch that apply to the object.
func patchDocs(read func(string) *source.File, ref patchRef, kind, name string) []sourceDoc {
	if (ref.targetKind != "" && ref.targetKind != kind) || !nameMatches(ref.targetName, name) {
		return nil
	}
	var f *source.File
	var docs []document
	if ref.inline != nil {
		f, docs = ref.in, inlineDocuments(ref.in, ref.inline)
	} else if f = read(ref.path); f != nil {
		docs, _ = parseDocuments(f)
	}
	if f == nil {
		return nil
	}
	var out []sourceDoc
	for i := len(docs) - 1; i >= 0; i-- {
		d := docs[i]
		if isPatchList(d.root) {
			out = append(out, sourceDoc{file: f, root: d.root, kind: opListDoc})
			continue
		}
		k := scalarValue(child(d.root, "kind"))
		n := scalarValue(walkPath(d.root, "metadata", "name"))
		if (k == "" || k == kind) && (n == "" || n == name || ref.targetName != "") {
			out = append(out, sourceDoc{file: f, root: d.root, patch: true})
		}
	}
	return out
}

// inlineDocuments parses a patch written as a literal block scalar in a
// kustomization, with positions in the kustomization: the block's lines
// follow its indicator, indented. Other scalar styles do not keep the
// text as written and are not placed.
func inlineDocuments(f *source.File, n *yaml.Node) []document {
	if n.Style != yaml.LiteralStyle {
		return nil
	}
	first := n.Line + 1
	for first <= f.LineCount() && len(bytes.TrimSpace(f.Line(first))) == 0 {
		first++
	}
	if first > f.LineCount() {
		return nil
	}
	text := f.Line(first)
	indent := len(text) - len(bytes.TrimLeft(text, " "))
	docs, _ := parseDocuments(source.NewFile(f.Path, []byte(n.Value)))
	for _, d := range docs {
		shift(d.root, first-1, indent, 0)
	}
	return docs
}

// nameMatches applies a patch target's name, which kustomize reads as a
// regular expression.
func nameMatches(target, name string) bool {
	if target == "" || target == name {
		return true
	}
	re, err := regexp.Compile("^(?:" + target + ")$")
	return err == nil && re.MatchString(name)
}

// chartPlacer places a document Helm rendered: the values files (the last
// applied first) where the template reads the value from them, else the
// template line that writes the key.
func (l *loader) chartPlacer(root *yaml.Node, d render.Document, read func(string) *source.File) placer {
	p := &placed{paths: pathsOf(root), read: read, kind: scalarValue(child(root, "kind"))}
	p.template = read(d.Origin)
	if p.template != nil {
		p.open = firstLine(p.template)
	}
	for i := len(d.Values) - 1; i >= 0; i-- {
		f := read(d.Values[i])
		if f == nil {
			continue
		}
		docs, _ := parseDocuments(f)
		for _, vd := range docs {
			p.values = append(p.values, sourceDoc{file: f, root: vd.root})
		}
	}
	return p
}
