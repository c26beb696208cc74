package k8s

import (
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/rules"
)

// A rendered environment (a kustomize overlay, a chart with a values
// file) is a cluster of its own, and its objects are positioned in the
// sources that set their values: a base that every overlay uses yields
// the same finding, at the same line, once per environment. gathered
// holds a rule's findings back until every cluster is seen, and reports
// one finding per source line that names the environments it holds in.
type gathered struct {
	pass  *rules.Pass
	order []string
	found map[string]*gatheredFinding
}

type gatheredFinding struct {
	d    rules.Diagnostic
	envs []string
}

func gather(pass *rules.Pass) *gathered {
	return &gathered{pass: pass, found: map[string]*gatheredFinding{}}
}

// report reports d, found in the cluster of a, or holds it back when the
// cluster is a rendered environment.
func (g *gathered) report(a *analysis, d rules.Diagnostic) {
	env := a.cluster.Environment
	if env == "" {
		g.pass.Report(d)
		return
	}
	at := d.Range.String()
	f := g.found[at]
	if f == nil {
		f = &gatheredFinding{d: d}
		g.found[at] = f
		g.order = append(g.order, at)
	}
	for _, e := range f.envs {
		if e == env {
			return
		}
	}
	f.envs = append(f.envs, env)
}

// flush reports the findings held back, each naming its environments in
// its detail (the message stays what is wrong, where).
func (g *gathered) flush() {
	for _, at := range g.order {
		f := g.found[at]
		sort.Strings(f.envs)
		f.d.Detail = strings.TrimSpace(f.d.Detail + " Rendered in " + strings.Join(f.envs, ", ") + ".")
		g.pass.Report(f.d)
	}
}

// checkTrees runs a tree-scope check on the trees treesToCheck gives for
// the pass's tree, each with the analysis of its cluster, gathering their
// findings.
func checkTrees(pass *rules.Pass, check func(*gathered, *analysis, *kube.File)) {
	f, ok := pass.Tree.(*kube.File)
	if !ok || clusterOf(pass, f) == nil {
		return
	}
	g := gather(pass)
	defer g.flush()
	for _, t := range treesToCheck(pass.Workspace, f) {
		if a := clusterOf(pass, t); a != nil {
			check(g, a, t)
		}
	}
}

// treesToCheck returns the trees a tree-scope rule checks when called for
// f: f itself for a manifest as written; for the first rendered
// environment of the workspace every rendered one, so that their findings
// are gathered (see gathered); none for the other rendered ones.
func treesToCheck(ws *parsers.Workspace, f *kube.File) []*kube.File {
	if f.Environment() == "" {
		return []*kube.File{f}
	}
	if ws == nil {
		return []*kube.File{f}
	}
	var out []*kube.File
	for _, t := range ws.Trees {
		if r, ok := t.(*kube.File); ok && r.Environment() != "" && r.Cluster() != nil {
			out = append(out, r)
		}
	}
	if len(out) == 0 || out[0] != f {
		return nil
	}
	return out
}
