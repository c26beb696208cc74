package rules

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// Engine applies rules to a workspace.
type Engine struct {
	Rules    []*Rule           // every rule to run (load rules included)
	Routes   []RouteBuilder    // proxy families
	Apps     []AppTrustBuilder // app family
	Link     Linker            // nil: LinkModel
	Settings *Settings
	// TreeSettings, when set, gives the settings for one tree (a nested
	// configuration file's versions apply to the trees below it); nil
	// from it means Settings.
	TreeSettings func(parsers.Tree) *Settings
	Jobs         int // parallel trees; 0: GOMAXPROCS
}

// Result is what a run produces.
type Result struct {
	Diagnostics []Diagnostic
	Model       *Model // nil when no deployment-scope rule ran and none was asked for
}

// Run lints the workspace. Load problems become diagnostics of the load
// rules, tree rules run in parallel over trees, deployment rules run on the
// model. The result keeps one finding per Key and is sorted.
func (e *Engine) Run(ctx context.Context, ws *parsers.Workspace) Result {
	return e.run(ctx, ws, false)
}

// RunWithModel is Run, and it builds the model even when no deployment rule
// is selected (for graph output).
func (e *Engine) RunWithModel(ctx context.Context, ws *parsers.Workspace) Result {
	return e.run(ctx, ws, true)
}

func (e *Engine) run(ctx context.Context, ws *parsers.Workspace, wantModel bool) Result {
	settings := e.Settings
	if settings == nil {
		settings = &Settings{}
	}
	var (
		mu    sync.Mutex
		diags []Diagnostic
	)
	collect := func(d Diagnostic) {
		mu.Lock()
		diags = append(diags, d)
		mu.Unlock()
	}
	resolved := map[string]bool{}
	resolve := func(key string) { resolved[key] = true }

	byCode := map[string]*Rule{}
	var treeRules, deployRules []*Rule
	for _, r := range e.Rules {
		byCode[r.Code] = r
		switch r.Scope {
		case ScopeTree:
			treeRules = append(treeRules, r)
		case ScopeDeployment:
			deployRules = append(deployRules, r)
		}
	}

	for _, p := range ws.Problems {
		if r, ok := byCode[p.Code]; ok {
			collect(problemDiagnostic(r, p))
		}
	}

	// The model is built once, before the tree rules when one of them
	// reads it.
	var model *Model
	needModel := len(deployRules) > 0 || wantModel
	earlyModel := false
	for _, r := range treeRules {
		if r.UsesModel {
			needModel, earlyModel = true, true
		}
	}
	if earlyModel && ctx.Err() == nil {
		model = e.buildModel(ctx, ws)
	}

	jobs := e.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	trees := make(chan parsers.Tree)
	var wg sync.WaitGroup
	for i := 0; i < jobs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range trees {
				for _, r := range treeRules {
					if ctx.Err() != nil {
						return
					}
					if !appliesTo(r, t.Kind()) {
						continue
					}
					s := settings
					if e.TreeSettings != nil {
						if ts := e.TreeSettings(t); ts != nil {
							s = ts
						}
					}
					e.check(&Pass{Rule: r, Tree: t, Model: model, Workspace: ws, Settings: s, report: collect}, t.Root())
				}
			}
		}()
	}
feed:
	for _, t := range ws.Trees {
		select {
		case trees <- t:
		case <-ctx.Done():
			// The workers have stopped taking trees: sending more would
			// wait for ever.
			break feed
		}
	}
	close(trees)
	wg.Wait()

	if needModel && ctx.Err() == nil {
		if model == nil {
			model = e.buildModel(ctx, ws)
		}
		for _, r := range deployRules {
			if ctx.Err() != nil {
				break
			}
			var anchor *source.File
			if len(ws.Trees) > 0 {
				anchor = ws.Trees[0].Root()
			}
			e.check(&Pass{Rule: r, Model: model, Workspace: ws, Settings: settings, report: collect, resolve: resolve}, anchor)
		}
	}
	if len(resolved) > 0 {
		kept := diags[:0]
		for _, d := range diags {
			if d.Scope == ScopeTree && resolved[d.Key] {
				continue
			}
			kept = append(kept, d)
		}
		diags = kept
	}
	return Result{Diagnostics: Dedupe(diags), Model: model}
}

// BuildModel builds the deployment model of the workspace.
func (e *Engine) BuildModel(ws *parsers.Workspace) *Model {
	return e.buildModel(context.Background(), ws)
}

// buildModel is BuildModel, stopping between trees once ctx is done (the
// model is then incomplete, and the run's result is discarded).
func (e *Engine) buildModel(ctx context.Context, ws *parsers.Workspace) *Model {
	settings := e.Settings
	if settings == nil {
		settings = &Settings{}
	}
	m := &Model{}
	for _, t := range ws.Trees {
		if ctx.Err() != nil {
			break
		}
		for _, b := range e.Routes {
			m.Routes = append(m.Routes, b.BuildRoutes(t, settings)...)
		}
	}
	SortRoutes(m.Routes)
	for _, b := range e.Apps {
		m.Apps = append(m.Apps, b.BuildApps(ws, settings)...)
	}
	sort.SliceStable(m.Apps, func(i, j int) bool { return m.Apps[i].ID < m.Apps[j].ID })
	link := e.Link
	if link == nil {
		link = LinkModel
	}
	m.Links = link(m.Routes, m.Apps, settings)
	m.IndexLinks()
	return m
}

// check runs one rule and turns a panic into a diagnostic, so that one
// broken rule never takes the run (or the editor's server) down.
func (e *Engine) check(p *Pass, anchor *source.File) {
	defer func() {
		if v := recover(); v != nil {
			d := Diagnostic{
				Code:     CodeRuleCrashed,
				Name:     "rule-crashed",
				Severity: High,
				Message:  fmt.Sprintf("rule %s (%s) failed and its findings are missing: %v\n%s", p.Rule.Code, p.Rule.Name, v, firstFrames(debug.Stack())),
				Key:      "crash:" + p.Rule.Code,
			}
			if anchor != nil {
				d.Range = anchor.Range(0, 0)
				d.Key += ":" + anchor.Path
			}
			p.report(d)
		}
	}()
	p.Rule.Check(p)
}

func firstFrames(stack []byte) string {
	const max = 1500
	if len(stack) > max {
		stack = stack[:max]
	}
	return string(stack)
}

func appliesTo(r *Rule, kind string) bool {
	for _, k := range r.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

func problemDiagnostic(r *Rule, p source.Problem) Diagnostic {
	return Diagnostic{
		Code:     r.Code,
		Name:     r.Name,
		Severity: r.Severity,
		CWE:      r.CWE,
		Range:    p.Range,
		Message:  p.Message,
		Related:  p.Related,
		Key:      "problem:" + p.Range.String() + ":" + p.Message,
		Scope:    ScopeLoad,
	}
}

// Dedupe keeps one finding per Key: a deployment-scope finding replaces
// tree-scope ones with the same Key; otherwise the most severe (then the
// first in order) stays, with the fixes of the others when it has none.
// Findings without a Key are all kept. The result is sorted.
func Dedupe(diags []Diagnostic) []Diagnostic {
	SortDiagnostics(diags)
	best := map[string]int{}
	for i := range diags {
		k := diags[i].Key
		if k == "" {
			continue
		}
		j, seen := best[k]
		if !seen || better(&diags[i], &diags[j]) {
			best[k] = i
		}
	}
	// The finding that stays keeps the fixes of those it replaces when it
	// has none of its own: they are about the same defect (the cross-file
	// finding knows the app, the proxy-side one knew the edit).
	fixes := map[string][]Fix{}
	for i := range diags {
		if k := diags[i].Key; k != "" && best[k] != i && len(diags[i].Fixes) > 0 && len(fixes[k]) == 0 {
			fixes[k] = diags[i].Fixes
		}
	}
	out := diags[:0:0]
	for i := range diags {
		if k := diags[i].Key; k == "" || best[k] == i {
			d := diags[i]
			if len(d.Fixes) == 0 && k != "" {
				d.Fixes = fixes[k]
			}
			out = append(out, d)
		}
	}
	return out
}

func better(a, b *Diagnostic) bool {
	if (a.Scope == ScopeDeployment) != (b.Scope == ScopeDeployment) {
		return a.Scope == ScopeDeployment
	}
	if a.Severity != b.Severity {
		return a.Severity > b.Severity
	}
	return false // keep the first in sorted order
}

// SortDiagnostics sorts in place, deterministically.
func SortDiagnostics(diags []Diagnostic) {
	sort.SliceStable(diags, func(i, j int) bool { return diags[i].Less(&diags[j]) })
}
