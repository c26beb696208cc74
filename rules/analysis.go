package rules

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"sort"
	"sync"

	"github.com/mtlslint/mtlslint/parsers"
)

// Analysis is work that several rules need, computed once per engine run:
// a family's semantic view of a configuration tree, the routes a proxy
// configuration makes, the apps of a workspace, the deployment model. A
// rule (or another analysis) lists the analyses it reads in Requires and
// reads each with Pass.ResultOf, as golang.org/x/tools/go/analysis does.
//
// A ScopeTree analysis is computed once per tree, on the first request,
// whichever worker asks; a ScopeDeployment analysis once per run, over the
// whole workspace. Results live as long as the run: an editor server that
// lints every edit keeps nothing of past runs.
type Analysis struct {
	Name string // "nginx-config"; unique among analyses
	Doc  string // what the result is, and its Go type
	// Scope is ScopeTree or ScopeDeployment.
	Scope    Scope
	Requires []*Analysis
	// Build computes the result from the pass's tree (ScopeTree) or
	// workspace, its settings and the results of Requires. It reports
	// nothing; what it finds wrong is for rules to report. Every reader
	// gets the same value and must not change it.
	Build func(*Pass) any
}

func (a *Analysis) String() string { return a.Name }

// DeploymentModel is the deployment model of the workspace (a *Model):
// the routes every route builder of the engine finds in every tree, the
// apps every app builder finds, and the links between them. Rules that
// read it require it and call ModelOf.
var DeploymentModel = &Analysis{
	Name:  "deployment-model",
	Doc:   "The deployment model (*Model): proxy routes of every tree, the apps, and the links between them.",
	Scope: ScopeDeployment,
	// Requires is the engine's route and app builders, which differ from
	// engine to engine; buildModel reads them from the run.
	Build: func(p *Pass) any { return p.run.buildModel() },
}

// NewRouteBuilder returns a proxy family's route builder: a ScopeTree
// analysis whose result is the routes build finds in the pass's tree
// ([]*Route; nil for trees of kinds it does not know).
func NewRouteBuilder(name string, requires []*Analysis, build func(*Pass) []*Route) *Analysis {
	return &Analysis{Name: name, Doc: "The routes of a tree ([]*rules.Route).", Scope: ScopeTree, Requires: requires,
		Build: func(p *Pass) any { return build(p) }}
}

// NewAppBuilder returns an app family's app builder: a ScopeDeployment
// analysis whose result is the apps build finds in the workspace.
func NewAppBuilder(name string, requires []*Analysis, build func(*Pass) []*App) *Analysis {
	return &Analysis{Name: name, Doc: "The apps of the workspace ([]*rules.App).", Scope: ScopeDeployment, Requires: requires,
		Build: func(p *Pass) any { return build(p) }}
}

// ModelOf returns the deployment model of a pass whose rule requires
// DeploymentModel.
func ModelOf(p *Pass) *Model {
	m, _ := p.ResultOf(DeploymentModel).(*Model)
	return m
}

// run holds the results of one engine run's analyses.
type run struct {
	// ctx is the run's context: once it is done, no analysis is built
	// any more (readers fail as when a Build fails; the run's result is
	// discarded), and the model stops between trees.
	ctx      context.Context
	ws       *parsers.Workspace
	settings *Settings
	// treeSettings gives a tree's settings (nil: settings).
	treeSettings func(parsers.Tree) *Settings
	routes       []*Analysis // tree analyses whose results are []*Route
	apps         []*Analysis // deployment analyses whose results are []*App
	link         Linker

	mu         sync.Mutex
	deployment map[*Analysis]*result
	// perTree holds each tree's results as a short list (a tree has the
	// route builders' results and its own family's few views), so that
	// releasing a tree's results is one deletion.
	perTree map[parsers.Tree][]treeResult
}

type treeResult struct {
	a   *Analysis
	res *result
}

type result struct {
	once  sync.Once
	value any
	// failure is set when Build panicked: every reader fails the same way.
	failure string
}

func newRun(ws *parsers.Workspace, s *Settings) *run {
	if s == nil {
		s = &Settings{}
	}
	return &run{ctx: context.Background(), ws: ws, settings: s, deployment: map[*Analysis]*result{}, perTree: map[parsers.Tree][]treeResult{}}
}

// slot returns the result of a for tree t (nil: a deployment-scope
// analysis), adding an empty one on the first request. r.mu is held.
func (r *run) slot(a *Analysis, t parsers.Tree) *result {
	if t == nil {
		res := r.deployment[a]
		if res == nil {
			res = &result{}
			r.deployment[a] = res
		}
		return res
	}
	rs := r.perTree[t]
	for _, x := range rs {
		if x.a == a {
			return x.res
		}
	}
	if rs == nil {
		// Every tree gets the route builders' results, and a few more.
		rs = make([]treeResult, 0, len(r.routes)+4)
	}
	res := &result{}
	r.perTree[t] = append(rs, treeResult{a, res})
	return res
}

// release forgets the results of tree t: after its last reader, so that
// what only they keep alive can be collected. A later request computes a
// result again (analyses are functions of the tree and the settings).
func (r *run) release(t parsers.Tree) {
	r.mu.Lock()
	delete(r.perTree, t)
	r.mu.Unlock()
}

func (r *run) settingsFor(t parsers.Tree) *Settings {
	if t != nil && r.treeSettings != nil {
		if s := r.treeSettings(t); s != nil {
			return s
		}
	}
	return r.settings
}

// resultOf computes a's result for tree t (nil for a deployment-scope
// analysis) once, and returns it to every caller. Concurrent callers wait
// for the first; a Build that panics makes every caller panic with its
// message, so that each rule that needed it reports the crash.
func (r *run) resultOf(a *Analysis, t parsers.Tree) any {
	if a.Scope != ScopeTree {
		t = nil
	} else if t == nil {
		panic(fmt.Sprintf("analysis %s is computed per tree, and the pass has none", a.Name))
	}
	r.mu.Lock()
	res := r.slot(a, t)
	r.mu.Unlock()
	res.once.Do(func() {
		if err := r.ctx.Err(); err != nil {
			res.failure = fmt.Sprintf("analysis %s was not computed: %v", a.Name, err)
			return
		}
		defer func() {
			if v := recover(); v != nil {
				res.failure = fmt.Sprintf("analysis %s failed: %v\n%s", a.Name, v, firstFrames(debug.Stack()))
			}
		}()
		res.value = a.Build(&Pass{Analysis: a, Tree: t, Workspace: r.ws, Settings: r.settingsFor(t), run: r})
	})
	if res.failure != "" {
		panic(res.failure)
	}
	return res.value
}

// buildModel builds the deployment model from the run's builders.
func (r *run) buildModel() *Model {
	m := &Model{}
	if r.ws != nil {
		for _, t := range r.ws.Trees {
			if r.ctx.Err() != nil {
				break // cancelled: the run's result is discarded
			}
			for _, b := range r.routes {
				rs, _ := r.resultOf(b, t).([]*Route)
				m.Routes = append(m.Routes, rs...)
			}
		}
	}
	SortRoutes(m.Routes)
	m.Routes = MergeDualStack(m.Routes)
	for _, b := range r.apps {
		as, _ := r.resultOf(b, nil).([]*App)
		m.Apps = append(m.Apps, as...)
	}
	sort.SliceStable(m.Apps, func(i, j int) bool { return m.Apps[i].ID < m.Apps[j].ID })
	link := r.link
	if link == nil {
		link = LinkModel
	}
	m.Links = link(m.Routes, m.Apps, r.settings)
	m.IndexLinks()
	return m
}

// ResultOf returns the result of an analysis the pass's rule (or
// analysis) requires: for a ScopeTree analysis, its result for the pass's
// tree. Reading an analysis that is not required is a programming error
// and panics, as in x/tools: Requires is what the engine plans with.
func (p *Pass) ResultOf(a *Analysis) any {
	p.mustRequire(a)
	return p.run.resultOf(a, p.Tree)
}

// ResultFor returns a required ScopeTree analysis's result for another
// tree of the workspace (a deployment-scope rule that reads every tree's
// view).
func (p *Pass) ResultFor(a *Analysis, t parsers.Tree) any {
	p.mustRequire(a)
	return p.run.resultOf(a, t)
}

func (p *Pass) mustRequire(a *Analysis) {
	var req []*Analysis
	who := ""
	switch {
	case p.Rule != nil:
		req, who = p.Rule.Requires, "rule "+p.Rule.Code
	case p.Analysis != nil:
		req, who = p.Analysis.Requires, "analysis "+p.Analysis.Name
	}
	if !slices.Contains(req, a) {
		panic(fmt.Sprintf("%s reads analysis %s without requiring it", who, a.Name))
	}
}

// Evaluate computes one analysis outside an engine run (tests and tools):
// for a ScopeTree analysis on tree t, else on the workspace. It has no
// route or app builders, so DeploymentModel is empty there.
func Evaluate(a *Analysis, ws *parsers.Workspace, t parsers.Tree, s *Settings) any {
	r := newRun(ws, s)
	return r.resultOf(a, t)
}

// BuildRoutes evaluates a route builder on one tree (tests and tools).
func BuildRoutes(b *Analysis, t parsers.Tree) []*Route {
	rs, _ := Evaluate(b, &parsers.Workspace{Trees: []parsers.Tree{t}}, t, nil).([]*Route)
	return rs
}

// BuildApps evaluates an app builder on a workspace (tests and tools).
func BuildApps(b *Analysis, ws *parsers.Workspace, s *Settings) []*App {
	as, _ := Evaluate(b, ws, nil, s).([]*App)
	return as
}

// requirementCycle returns the chain of analyses that leads from a back to
// itself, or nil: such a chain would wait for itself forever.
func requirementCycle(req []*Analysis) []*Analysis {
	var path []*Analysis
	done := map[*Analysis]bool{}
	var visit func(a *Analysis) []*Analysis
	visit = func(a *Analysis) []*Analysis {
		if i := slices.Index(path, a); i >= 0 {
			return append(append([]*Analysis{}, path[i:]...), a)
		}
		if done[a] {
			return nil
		}
		path = append(path, a)
		for _, b := range a.Requires {
			if c := visit(b); c != nil {
				return c
			}
		}
		path = path[:len(path)-1]
		done[a] = true
		return nil
	}
	for _, a := range req {
		if c := visit(a); c != nil {
			return c
		}
	}
	return nil
}

// needs reports whether a rule requires a, directly or through the
// analyses it requires.
func needs(req []*Analysis, a *Analysis) bool {
	seen := map[*Analysis]bool{}
	var visit func([]*Analysis) bool
	visit = func(as []*Analysis) bool {
		for _, b := range as {
			if b == a {
				return true
			}
			if !seen[b] {
				seen[b] = true
				if visit(b.Requires) {
					return true
				}
			}
		}
		return false
	}
	return visit(req)
}
