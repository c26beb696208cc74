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
	Rules []*Rule // every rule to run (load rules included)
	// Routes are the proxy families' route builders: ScopeTree analyses
	// whose result is the tree's routes ([]*Route, nil for trees of other
	// kinds). Apps are the app builders: ScopeDeployment analyses whose
	// result is the workspace's apps ([]*App). DeploymentModel reads both.
	Routes   []*Analysis
	Apps     []*Analysis
	Link     Linker // nil: LinkModel
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
	Model       *Model // nil when no rule required it and none was asked for
}

// Run lints the workspace. Load problems become diagnostics of the load
// rules, tree rules run in parallel over trees, deployment rules run once
// on the workspace; each analysis a rule requires is computed once. The
// result keeps one finding per Key and is sorted.
func (e *Engine) Run(ctx context.Context, ws *parsers.Workspace) Result {
	return e.run(ctx, ws, false)
}

// RunWithModel is Run, and it builds the model even when no selected rule
// requires it (for graph output).
func (e *Engine) RunWithModel(ctx context.Context, ws *parsers.Workspace) Result {
	return e.run(ctx, ws, true)
}

func (e *Engine) run(ctx context.Context, ws *parsers.Workspace, wantModel bool) Result {
	r := newRun(ws, e.Settings)
	r.treeSettings, r.routes, r.apps, r.link = e.TreeSettings, e.Routes, e.Apps, e.Link
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
	needModel := wantModel
	for _, rule := range e.Rules {
		byCode[rule.Code] = rule
		if rule.Scope == ScopeLoad {
			continue
		}
		if c := requirementCycle(rule.Requires); c != nil {
			collect(crashDiagnostic(rule, fmt.Sprintf("its analyses require each other in a cycle (%v)", c), nil))
			continue
		}
		needModel = needModel || needs(rule.Requires, DeploymentModel)
		switch rule.Scope {
		case ScopeTree:
			treeRules = append(treeRules, rule)
		case ScopeDeployment:
			deployRules = append(deployRules, rule)
		}
	}

	for _, p := range ws.Problems {
		if rule, ok := byCode[p.Code]; ok {
			collect(problemDiagnostic(rule, p))
		}
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
				for _, rule := range treeRules {
					if ctx.Err() != nil {
						return
					}
					if !appliesTo(rule, t.Kind()) {
						continue
					}
					check(&Pass{Rule: rule, Tree: t, Workspace: ws, Settings: r.settingsFor(t), run: r, report: collect}, t.Root())
				}
				if needModel {
					// The model needs every tree's routes: build them
					// here, in parallel, rather than one after another
					// when the model is built.
					e.warmRoutes(r, t)
				}
			}
		}()
	}
	for _, t := range ws.Trees {
		trees <- t
	}
	close(trees)
	wg.Wait()

	var anchor *source.File
	if len(ws.Trees) > 0 {
		anchor = ws.Trees[0].Root()
	}
	for _, rule := range deployRules {
		if ctx.Err() != nil {
			break
		}
		check(&Pass{Rule: rule, Workspace: ws, Settings: r.settings, run: r, report: collect, resolve: resolve}, anchor)
	}
	var model *Model
	if needModel && ctx.Err() == nil {
		model = e.model(r, collect, anchor)
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

// warmRoutes computes the route builders' results for one tree; a builder
// that fails is reported by the rules that read the model.
func (e *Engine) warmRoutes(r *run, t parsers.Tree) {
	for _, b := range e.Routes {
		func() {
			defer func() { _ = recover() }()
			r.resultOf(b, t)
		}()
	}
}

// model returns the run's deployment model for the result. When building
// it failed and no rule reported that, it is reported here.
func (e *Engine) model(r *run, collect func(Diagnostic), anchor *source.File) (m *Model) {
	defer func() {
		if v := recover(); v != nil {
			collect(crashDiagnostic(nil, fmt.Sprint(v), anchor))
			m = nil
		}
	}()
	m, _ = r.resultOf(DeploymentModel, nil).(*Model)
	return m
}

// check runs one rule and turns a panic into a diagnostic, so that one
// broken rule (or analysis) never takes the run (or the editor's server)
// down.
func check(p *Pass, anchor *source.File) {
	defer func() {
		if v := recover(); v != nil {
			p.report(crashDiagnostic(p.Rule, fmt.Sprintf("%v\n%s", v, firstFrames(debug.Stack())), anchor))
		}
	}()
	p.Rule.Check(p)
}

// crashDiagnostic reports that a rule failed (nil: building the model for
// the result failed), anchored on the first line of anchor.
func crashDiagnostic(rule *Rule, what string, anchor *source.File) Diagnostic {
	d := Diagnostic{Code: CodeRuleCrashed, Name: "rule-crashed", Severity: High, Key: "crash:"}
	if rule != nil {
		d.Message = fmt.Sprintf("rule %s (%s) failed and its findings are missing: %s", rule.Code, rule.Name, what)
		d.Key += rule.Code
	} else {
		d.Message = "the deployment model could not be built: " + what
		d.Key += "model"
	}
	if anchor != nil {
		d.Range = anchor.Range(0, 0)
		d.Key += ":" + anchor.Path
	}
	return d
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
