// Package k8s reads Kubernetes manifests: the ingress-nginx Ingresses with
// their auth-tls annotations, the controller's ConfigMap, Services,
// NetworkPolicies, and the workloads behind the Services, from multi-document
// YAML with exact positions. Helm templates and kustomize patches are not
// manifests until they are rendered; they are recognised and reported as not
// analysed instead of being read as broken YAML.
package k8s

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/yamlutil"
)

// Kind is the tree kind of Kubernetes manifests (parsers.KindK8s).
const Kind = "k8s"

// ProblemNotRendered is the kind of problem of a file that is a Helm
// template or a kustomize patch: not a manifest until it is rendered, so
// not analysed.
const ProblemNotRendered source.ProblemKind = "not-rendered"

// File is the tree of one manifest file: its objects, and the cluster they
// are applied to together with the other manifests of the workspace.
type File struct {
	file    *source.File
	Objects []*Object
	cluster *Cluster
	// environment names the rendered environment the tree is (empty for
	// a manifest as written); sources are the files its rendering read.
	environment string
	sources     []*source.File
	// alone: the tree is a cluster of its own (an orphan patch, whose
	// object is not one of the repository's).
	alone bool
}

// Kind implements parsers.Tree.
func (t *File) Kind() string { return Kind }

// Root implements parsers.Tree.
func (t *File) Root() *source.File { return t.file }

// Files implements parsers.Tree: the file, and for a rendered environment
// every source its objects are positioned in.
func (t *File) Files() []*source.File { return append([]*source.File{t.file}, t.sources...) }

// Environment names the rendered environment the tree is ("overlays/prod",
// "charts/web values-prod.yaml"), or "" for a manifest as written.
func (t *File) Environment() string { return t.environment }

// Cluster is the cluster the file's objects are applied to, with the
// manifests applied together with them. A file shared by several
// deployments of the repository returns the first.
func (t *File) Cluster() *Cluster { return t.cluster }

// Cluster is the set of manifests applied together: ingress-nginx merges
// every Ingress of a host, and a Service, the pods it selects and the
// policies that guard them are often in different files.
type Cluster struct {
	Files   []*File
	Objects []*Object
	// Environment names the rendered environment the cluster is; empty
	// for the manifests of the repository as written.
	Environment string
}

// Ingresses returns every Ingress of the cluster, in file order.
func (c *Cluster) Ingresses() []*Ingress {
	var out []*Ingress
	for _, o := range c.Objects {
		if o.Ingress != nil {
			out = append(out, o.Ingress)
		}
	}
	return out
}

// Services returns every Service of the cluster, in file order.
func (c *Cluster) Services() []*Service {
	var out []*Service
	for _, o := range c.Objects {
		if o.Service != nil {
			out = append(out, o.Service)
		}
	}
	return out
}

// NetworkPolicies returns every NetworkPolicy of the cluster.
func (c *Cluster) NetworkPolicies() []*NetworkPolicy {
	var out []*NetworkPolicy
	for _, o := range c.Objects {
		if o.NetworkPolicy != nil {
			out = append(out, o.NetworkPolicy)
		}
	}
	return out
}

// ConfigMaps returns every ConfigMap of the cluster.
func (c *Cluster) ConfigMaps() []*ConfigMap {
	var out []*ConfigMap
	for _, o := range c.Objects {
		if o.ConfigMap != nil {
			out = append(out, o.ConfigMap)
		}
	}
	return out
}

// Workloads returns every Pod and pod-template owner of the cluster.
func (c *Cluster) Workloads() []*Workload {
	var out []*Workload
	for _, o := range c.Objects {
		if o.Workload != nil {
			out = append(out, o.Workload)
		}
	}
	return out
}

// Candidate reports whether a file may be a manifest, from its name.
func Candidate(rel string) bool {
	if isKustomization(rel) {
		return true
	}
	ext := strings.ToLower(path.Ext(rel))
	return ext == ".yaml" || ext == ".yml"
}

func isKustomization(rel string) bool {
	switch path.Base(rel) {
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
		return true
	}
	return false
}

// kindLine matches a top-level "kind:" of an object this package reads.
var kindLine = source.LazyRegexp(`(?m)^kind:[ \t]*["']?(Ingress|IngressClass|Gateway|GatewayClass|HTTPRoute|BackendTLSPolicy|Service|NetworkPolicy|ConfigMap|Deployment|StatefulSet|DaemonSet|ReplicaSet|ReplicationController|Pod|Job|CronJob|List|IngressList|ServiceList)["']?[ \t]*(#.*)?\r?$`)

// patchOp matches the first operation of a JSON6902 patch list.
var patchOp = source.LazyRegexp(`(?m)^-[ \t]+op:[ \t]`)

// Detect decides whether a file is Kubernetes configuration this package
// reads: a manifest with an Ingress, Service, NetworkPolicy, ConfigMap or
// workload; a kustomization; or a kustomize patch that touches what the
// ingress rules read.
func Detect(rel string, content []byte) bool {
	if isKustomization(rel) {
		return true
	}
	if isChart(rel) {
		return bytes.Contains(content, []byte("name:"))
	}
	if !Candidate(rel) {
		return false
	}
	if bytes.Contains(content, []byte("kind:")) && bytes.Contains(content, []byte("apiVersion:")) && yamlutil.MatchLines(content, 1, kindLine(), yamlutil.IsKindLine) {
		return true
	}
	return isIngressPatch(content)
}

// isListItem is true of the lines patchOp may match.
func isListItem(line []byte) bool { return len(line) > 0 && line[0] == '-' }

func isIngressPatch(content []byte) bool {
	if !bytes.Contains(content, []byte("op:")) || !yamlutil.MatchLines(content, 1, patchOp(), isListItem) {
		return false
	}
	for _, marker := range []string{NginxAnnotationPrefix, "nginx.ingress.kubernetes.io~1", "/spec/rules", "/spec/tls", "/spec/backend", "/spec/defaultBackend"} {
		if bytes.Contains(content, []byte(marker)) {
			return true
		}
	}
	return false
}

// Reader is what Load reads through (source.Reader).
type Reader = source.Reader

// Load reads the detected files: every kustomize environment and Helm
// chart rendered into a tree and cluster of its own (see environments),
// every other manifest into one tree each, sharing clusters. What cannot
// be rendered is reported as not analysed (K007), and its files are read
// as written.
func Load(r Reader, paths []string) ([]*File, []source.Problem) {
	trees, probs, _ := LoadStats(r, paths, Options{})
	return trees, probs
}

// Options are the settings of the front end from the configuration.
type Options struct {
	// Charts name Helm charts' environments explicitly ([[helm]] in
	// .mtlslint.toml); a chart named here is rendered with these values
	// files only, not with the values-*.yaml found beside it.
	Charts []ChartEnvironment
}

// ChartEnvironment is one rendering of a chart: its directory and the
// values files applied over its values.yaml (root-relative paths).
type ChartEnvironment struct {
	Chart, Namespace, Release string
	Values                    []string
}

// LoadStats is Load with options, and it counts what was rendered.
func LoadStats(r Reader, paths []string, opts Options) ([]*File, []source.Problem, RenderStats) {
	l := &loader{r: r, patches: map[string]string{}, searched: map[string]bool{}, kustomizations: map[string]bool{}, charts: map[string]bool{},
		kusts: map[string]*kustInfo{}, stats: RenderStats{NotRendered: map[string]string{}}, opts: opts}
	paths = append([]string(nil), paths...)
	sort.Strings(paths)
	// Kustomizations first: they say which of the other files are patches.
	for _, p := range paths {
		if isKustomization(p) {
			l.kustomization(p)
		}
	}
	for _, p := range paths {
		l.kustomizationsAbove(path.Dir(p))
	}
	chartSet := map[string]bool{}
	for _, p := range paths {
		dir := ""
		if isChart(p) {
			dir = path.Dir(p)
		} else {
			dir = l.chartOf(p)
		}
		if dir != "" && !l.isSubchart(dir) {
			chartSet[dir] = true
		}
	}
	for _, c := range opts.Charts {
		chartSet[path.Clean(c.Chart)] = true
	}
	var charts []string
	for d := range chartSet {
		charts = append(charts, d)
	}
	sort.Strings(charts)
	rendered, consumed := l.render(l.environments(charts))
	var trees []*File
	for _, p := range paths {
		if source.Cancelled(r) != nil {
			break // the run was cancelled: stop working
		}
		if isKustomization(p) || isChart(p) || consumed[p] {
			continue
		}
		if t := l.manifest(p); t != nil {
			trees = append(trees, t)
		}
	}
	group(trees)
	return append(trees, rendered...), l.problems, l.stats
}

// group puts the files into clusters. One repository often holds several
// deployments as full copies (dev/ and prod/, one directory per cluster,
// old versions kept around): the same object, kind, namespace and name,
// defined in two files means two deployments, which must not be merged
// into one set of hosts. Files whose objects collide are spread over
// clusters so that no cluster holds an object twice; every other file is
// shared by all clusters.
func group(trees []*File) {
	owners := map[string]map[*File]bool{}
	for _, t := range trees {
		for _, id := range t.identities() {
			if owners[id] == nil {
				owners[id] = map[*File]bool{}
			}
			owners[id][t] = true
		}
	}
	var clusters []*Cluster
	var taken []map[string]bool
	var shared []*File
	for _, t := range trees {
		if t.alone {
			c := &Cluster{}
			c.add(t)
			c.Objects = t.Objects
			continue
		}
		ids := t.identities()
		collides := false
		for _, id := range ids {
			collides = collides || len(owners[id]) > 1
		}
		if !collides {
			shared = append(shared, t)
			continue
		}
		i := 0
		for ; i < len(clusters); i++ {
			free := true
			for _, id := range ids {
				free = free && !taken[i][id]
			}
			if free {
				break
			}
		}
		if i == len(clusters) {
			clusters = append(clusters, &Cluster{})
			taken = append(taken, map[string]bool{})
		}
		for _, id := range ids {
			taken[i][id] = true
		}
		clusters[i].add(t)
	}
	if len(clusters) == 0 {
		clusters = []*Cluster{{}}
	}
	for _, t := range shared {
		for _, c := range clusters {
			c.add(t)
		}
	}
	// Keep each cluster in path order, as the files were loaded.
	for _, c := range clusters {
		sort.SliceStable(c.Files, func(i, j int) bool { return c.Files[i].file.Path < c.Files[j].file.Path })
		c.Objects = c.Objects[:0]
		for _, f := range c.Files {
			c.Objects = append(c.Objects, f.Objects...)
		}
	}
}

func (c *Cluster) add(t *File) {
	if t.cluster == nil {
		t.cluster = c
	}
	c.Files = append(c.Files, t)
}

// identities names the objects of the file: kind, namespace and name.
func (t *File) identities() []string {
	var out []string
	seen := map[string]bool{}
	for _, o := range t.Objects {
		if o.Name.Value == "" {
			continue
		}
		id := o.Kind + "/" + o.Namespace.Value + "/" + o.Name.Value
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

type loader struct {
	r              Reader
	problems       []source.Problem
	patches        map[string]string    // patch file -> kustomization naming it
	searched       map[string]bool      // directories searched for kustomizations
	kustomizations map[string]bool      // kustomization files read
	charts         map[string]bool      // directory -> has Chart.yaml
	kusts          map[string]*kustInfo // directory -> its kustomization
	stats          RenderStats
	opts           Options
}

func (l *loader) problem(p source.Problem) { l.problems = append(l.problems, p) }

// notAnalysed reports a file that is not a manifest until it is
// rendered; legacy is the text earlier releases reported (for baselines).
func (l *loader) notAnalysed(f *source.File, msg, detail, legacy string) {
	l.problem(source.Problem{
		Kind:          ProblemNotRendered,
		Range:         firstLine(f),
		Message:       msg,
		Detail:        detail,
		LegacyMessage: legacy,
	})
}

// firstLine is the first non-blank, non-comment line of f, or line 1.
func firstLine(f *source.File) source.Range {
	for n := 1; n <= f.LineCount(); n++ {
		t := bytes.TrimSpace(f.Line(n))
		if len(t) > 0 && t[0] != '#' {
			return f.LineRange(n)
		}
	}
	return f.LineRange(1)
}

// kustomizationsAbove reads the kustomization files of dir and of the
// directories above it, so that a patch is recognised even when its
// kustomization was not among the detected files.
func (l *loader) kustomizationsAbove(dir string) {
	for {
		if l.searched[dir] {
			return
		}
		l.searched[dir] = true
		for _, name := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
			p := path.Join(dir, name)
			if _, err := l.r.Stat(p); err == nil {
				l.kustomization(p)
			}
		}
		if dir == "." || dir == "/" || dir == "" {
			return
		}
		dir = path.Dir(dir)
	}
}

// kustomization records the patch files a kustomization references.
func (l *loader) kustomization(p string) {
	if l.kustomizations[p] {
		return
	}
	l.kustomizations[p] = true
	f, err := l.r.ReadFile(p)
	if err != nil {
		return
	}
	docs, probs := parseDocuments(f)
	l.problems = append(l.problems, probs...)
	dir := path.Dir(p)
	if len(docs) > 0 {
		if _, seen := l.kusts[dir]; !seen {
			l.kusts[dir] = readKustomization(f, docs[0].root)
		}
	}
	add := func(n *yaml.Node) {
		if !isScalar(n) || strings.ContainsAny(n.Value, "\n:") {
			return // an inline patch, not a file
		}
		l.patches[path.Clean(path.Join(dir, n.Value))] = p
	}
	for _, d := range docs {
		for _, it := range items(child(d.root, "patchesStrategicMerge")) {
			add(it)
		}
		for _, key := range []string{"patches", "patchesJson6902"} {
			for _, it := range items(child(d.root, key)) {
				add(child(it, "path"))
			}
		}
	}
}

// inChart reports whether p lies in the templates directory of a Helm
// chart (a directory with Chart.yaml above it).
func (l *loader) inChart(p string) bool {
	dir := path.Dir(p)
	for dir != "." && dir != "/" && dir != "" {
		if path.Base(dir) == "templates" {
			chart := path.Dir(dir)
			has, seen := l.charts[chart]
			if !seen {
				_, err := l.r.Stat(path.Join(chart, "Chart.yaml"))
				has = err == nil
				l.charts[chart] = has
			}
			if has {
				return true
			}
		}
		dir = path.Dir(dir)
	}
	return false
}

// manifest parses one file, or reports why it is not analysed.
func (l *loader) manifest(p string) *File {
	f, err := l.r.ReadFile(p)
	if err != nil {
		l.problem(source.Problem{
			Kind:    source.ProblemSkipped,
			Range:   source.Range{File: p, Start: source.Pos{Line: 1, Col: 1}, End: source.Pos{Line: 1, Col: 1}},
			Message: fmt.Sprintf("cannot read: %v", err),
		})
		return nil
	}
	if k, ok := l.patches[p]; ok {
		why := "its finding says why"
		if reason, ok := l.stats.NotRendered[path.Dir(k)]; ok {
			why = strings.TrimSuffix(reason, ".")
		}
		l.notAnalysed(f, "not analysed: a kustomize patch holds only the fields it changes",
			fmt.Sprintf("It is referenced from %s, which was not rendered (%s); only the Ingress annotations the patch sets are read.", k, why),
			fmt.Sprintf("not analysed: a kustomize patch (referenced from %s) holds only the fields it changes and is merged into its base at build time; lint the output of `kustomize build` to check the result", k))
		docs, probs := parseDocuments(f)
		l.problems = append(l.problems, probs...)
		return readUnrenderedPatch(f, docs)
	}
	if l.inChart(p) {
		l.notAnalysed(f, "not analysed: a Helm chart template is not YAML until it is rendered", "The chart was not rendered (its finding says why).",
			"not analysed: a Helm chart template is not YAML until it is rendered; lint the output of `helm template` to check it")
		return nil
	}
	hasTemplate := bytes.Contains(f.Content, []byte("{{"))
	docs, probs := parseDocuments(f)
	if hasTemplate && (len(probs) > 0 || templated(docs)) {
		l.notAnalysed(f, "not analysed: the file holds Go template expressions ({{ … }}), so it is a template, not YAML", "It is a template (Helm or similar); lint the rendered output to check it.",
			"not analysed: the file holds Go template expressions ({{ … }}), so it is a template (Helm or similar) rather than YAML; lint the rendered output to check it")
		return nil
	}
	for _, d := range docs {
		if isPatchList(d.root) {
			l.notAnalysed(f, "not analysed: a kustomize JSON6902 patch lists changes to an object defined elsewhere", "No kustomization in the tree applies it; only what it sets in whole is read.",
				"not analysed: a kustomize JSON6902 patch lists changes to an object defined elsewhere; lint the output of `kustomize build` to check the result")
			return readOrphanPatch(f, docs)
		}
	}
	l.problems = append(l.problems, probs...)
	t := &File{file: f}
	for _, d := range docs {
		t.Objects = append(t.Objects, objects(&doc{file: f}, d.root)...)
	}
	return t
}

// templated reports whether a template expression appears in a scalar
// that is not a block scalar: there it stands for a value (a name, a
// host, an annotation) that only rendering provides. Block scalars may
// carry templates of their own (alerting or configuration templates in a
// ConfigMap) without the file being a template.
func templated(docs []document) bool {
	for _, d := range docs {
		if hasTemplateScalar(d.root, 0) {
			return true
		}
	}
	return false
}

func hasTemplateScalar(n *yaml.Node, depth int) bool {
	if n == nil || depth > maxDepth {
		return false
	}
	if n.Kind == yaml.ScalarNode {
		return n.Style != yaml.LiteralStyle && n.Style != yaml.FoldedStyle && strings.Contains(n.Value, "{{")
	}
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		// A template in flow position ("name: {{ .Values.name }}") parses
		// as nested flow mappings.
		if n.Style&yaml.FlowStyle != 0 && len(n.Content) > 0 && resolve(n.Content[0]) != nil && resolve(n.Content[0]).Kind == yaml.MappingNode {
			return true
		}
	}
	for _, c := range n.Content {
		if hasTemplateScalar(c, depth+1) {
			return true
		}
	}
	return false
}

// isPatchList reports whether a document is a JSON6902 patch: a sequence
// of mappings with "op" and "path".
func isPatchList(n *yaml.Node) bool {
	its := items(n)
	if len(its) == 0 {
		return false
	}
	for _, it := range its {
		if child(it, "op") == nil || child(it, "path") == nil {
			return false
		}
	}
	return true
}
