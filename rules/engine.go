package rules

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

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
	// Enabled, when set, says whether a rule is enabled for a file (a
	// nested configuration, an ignore list): a finding of a rule not
	// enabled where it sits, or where the finding it would replace sits,
	// replaces and outranks nothing (see settle). nil: every rule
	// everywhere.
	Enabled func(code, file string) bool
	// Release releases each tree that is a TreeReleaser once its last
	// reader in the run is done (its route builders and its rules), so
	// that the collector can free it while other trees are checked. For a
	// caller that reads nothing of the trees after the run but their
	// files (check); graph, prove and the editor's server read them.
	Release bool
}

// TreeReleaser is a tree that can drop what it parsed once its rules and its
// route builders have read it, keeping its files (Kind, Root and Files
// still answer: the report, suppressions and fingerprints read them).
// The routes the builders made must not point into what is dropped.
type TreeReleaser interface {
	Release()
}

// Result is what a run produces.
type Result struct {
	Findings []Finding
	Model    *Model // nil when no rule required it and none was asked for
	// Replaced are the findings that rules superseding theirs replaced or
	// withdrew; Resolved are the keys rules resolved. Both say why a
	// finding is not reported (and let tests check the declarations).
	Replaced []Replacement
	Resolved []Resolution
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
	r.ctx = ctx
	r.treeSettings, r.routes, r.apps, r.link = e.TreeSettings, e.Routes, e.Apps, e.Link
	var (
		mu    sync.Mutex
		diags []Finding
	)
	collect := func(d Finding) {
		mu.Lock()
		diags = append(diags, d)
		mu.Unlock()
	}
	var resolved []Resolution

	byCode := map[string]*Rule{}
	byProblem := map[source.ProblemKind]*Rule{}
	var treeRules, deployRules []*Rule
	needModel := wantModel
	for _, rule := range e.Rules {
		byCode[rule.Code] = rule
		if rule.Scope == ScopeLoad {
			if rule.Problem != "" {
				byProblem[rule.Problem] = rule
			}
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
		if rule, ok := byProblem[p.Kind]; ok {
			collect(problemDiagnostic(rule, p))
		}
	}

	jobs := e.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	// The work is a list of tasks that jobs workers take in order:
	//  1. the deployment-scope analyses the rules read (a family's apps),
	//     the longest tasks;
	//  2. each tree's routes, largest tree first, when the model is needed;
	//  3. the model, and the deployment rules;
	//  4. each tree's rules, largest tree first.
	// The model and a deployment rule that reads it (O001 over every
	// route) run one after the other on one worker: placed before the
	// tree rules, they run beside them instead of after them, when the
	// other workers would wait. A task that reads what another task is
	// still computing waits for it (resultOf); nothing waits on a task
	// placed after it.
	deployAnalyses := deploymentAnalyses(slices.Concat(treeRules, deployRules), e.Apps, needModel)
	trees := largestFirst(ws.Trees)
	readers := 1 // a tree's tasks: its rules, and its routes when the model is built
	if needModel {
		readers = 2
	}
	var done func(parsers.Tree)
	if e.Release {
		done = r.releaseAfter(trees, readers, treeAnalyses(slices.Concat(treeRules, deployRules), e.Routes))
	} else {
		done = func(parsers.Tree) {}
	}
	var tasks []func()
	for _, a := range deployAnalyses {
		tasks = append(tasks, func() { warm(r, a, nil) })
	}
	if needModel {
		// The model needs every tree's routes: build them here, in
		// parallel, rather than one after another when the model is
		// built.
		for _, t := range trees {
			tasks = append(tasks, func() {
				defer done(t)
				e.warmRoutes(r, t)
			})
		}
		tasks = append(tasks, func() { warm(r, DeploymentModel, nil) })
	}
	var anchor *source.File
	if len(ws.Trees) > 0 {
		anchor = ws.Trees[0].Root()
	}
	// Each deployment rule reports into its own list, merged in the
	// rules' order, so that the result does not depend on which rule
	// finished first.
	type deployed struct {
		findings []Finding
		resolved []Resolution
	}
	byRule := make([]deployed, len(deployRules))
	for i, rule := range deployRules {
		out := &byRule[i]
		tasks = append(tasks, func() {
			check(&Pass{Rule: rule, Workspace: ws, Settings: r.settings, run: r,
				report:  func(d Finding) { out.findings = append(out.findings, d) },
				resolve: func(by string, k Key) { out.resolved = append(out.resolved, Resolution{By: by, Key: k}) },
			}, anchor)
		})
	}
	for _, t := range trees {
		tasks = append(tasks, func() {
			defer done(t)
			for _, rule := range treeRules {
				if ctx.Err() != nil {
					return
				}
				if appliesTo(rule, t.Kind()) {
					check(&Pass{Rule: rule, Tree: t, Workspace: ws, Settings: r.settingsFor(t), run: r, report: collect}, t.Root())
				}
			}
		})
	}
	source.Each(jobs, len(tasks), func(i int) {
		if ctx.Err() == nil {
			tasks[i]()
		}
	})
	for _, d := range byRule {
		diags = append(diags, d.findings...)
		resolved = append(resolved, d.resolved...)
	}
	var model *Model
	if needModel && ctx.Err() == nil {
		model = e.model(r, collect, anchor)
	}
	kept, replaced := settle(diags, byCode, resolved, e.Enabled)
	return Result{Findings: kept, Model: model, Replaced: replaced, Resolved: resolved}
}

// releaseAfter returns what a tree's task calls when it is done with the
// tree: once its readers tasks are all done, a tree that is a TreeReleaser is
// released, and the results of the analyses among dropped for it are
// forgotten (the route builders' stay: the model reads them). Nothing
// else of the run reads such a tree: the deployment rules read routes,
// and a released tree's analyses are not asked for again.
func (r *run) releaseAfter(trees []parsers.Tree, readers int, dropped []*Analysis) func(parsers.Tree) {
	left := map[parsers.Tree]*atomic.Int32{}
	for _, t := range trees {
		if _, ok := t.(TreeReleaser); ok {
			n := &atomic.Int32{}
			n.Store(int32(readers))
			left[t] = n
		}
	}
	return func(t parsers.Tree) {
		n := left[t]
		if n == nil || n.Add(-1) != 0 {
			return
		}
		r.mu.Lock()
		for _, a := range dropped {
			delete(r.results, resultKey{a, t})
		}
		r.mu.Unlock()
		t.(TreeReleaser).Release()
	}
}

// treeAnalyses returns the tree-scope analyses the rules and the route
// builders require, directly or through other analyses, but the builders
// themselves.
func treeAnalyses(rs []*Rule, builders []*Analysis) []*Analysis {
	return requiredAnalyses(rs, builders, nil, func(a *Analysis) bool {
		return a.Scope == ScopeTree && !slices.Contains(builders, a)
	})
}

// largestFirst returns the trees ordered by the size of their files,
// largest first (ties in the workspace's order): a large tree taken last
// would keep one worker busy after the others are done.
func largestFirst(trees []parsers.Tree) []parsers.Tree {
	order := make([]int, len(trees))
	size := make([]int, len(trees))
	for i, t := range trees {
		order[i] = i
		for _, f := range t.Files() {
			size[i] += len(f.Content)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return size[b] - size[a] })
	out := make([]parsers.Tree, len(trees))
	for i, j := range order {
		out[i] = trees[j]
	}
	return out
}

// warmRoutes computes the route builders' results for one tree.
func (e *Engine) warmRoutes(r *run, t parsers.Tree) {
	for _, b := range e.Routes {
		warm(r, b, t)
	}
}

// warm computes an analysis's result ahead of its readers (for tree t, or
// nil for a deployment-scope analysis); an analysis that fails is
// reported by the rules that read it, as the failure is kept for them.
func warm(r *run, a *Analysis, t parsers.Tree) {
	defer func() { _ = recover() }()
	r.resultOf(a, t)
}

// deploymentAnalyses returns the deployment-scope analyses the rules
// require, directly or through other analyses, each after those it
// requires, and with the model the app builders it reads; the model
// itself is left out.
func deploymentAnalyses(rs []*Rule, apps []*Analysis, withModel bool) []*Analysis {
	var model []*Analysis
	if withModel {
		model = []*Analysis{DeploymentModel}
	}
	return requiredAnalyses(rs, model, apps, func(a *Analysis) bool {
		return a.Scope == ScopeDeployment && a != DeploymentModel
	})
}

// requiredAnalyses returns the analyses among more and those the rules
// and more require, directly or through other analyses (with the model,
// the app builders apps), that keep accepts, each after those it
// requires.
func requiredAnalyses(rs []*Rule, more, apps []*Analysis, keep func(*Analysis) bool) []*Analysis {
	var out []*Analysis
	seen := map[*Analysis]bool{}
	var visit func(as []*Analysis)
	visit = func(as []*Analysis) {
		for _, a := range as {
			if seen[a] {
				continue
			}
			seen[a] = true
			visit(a.Requires)
			if a == DeploymentModel {
				visit(apps)
			}
			if keep(a) {
				out = append(out, a)
			}
		}
	}
	for _, rule := range rs {
		visit(rule.Requires)
	}
	visit(more)
	return out
}

// model returns the run's deployment model for the result. When building
// it failed and no rule reported that, it is reported here.
func (e *Engine) model(r *run, collect func(Finding), anchor *source.File) (m *Model) {
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
func crashDiagnostic(rule *Rule, what string, anchor *source.File) Finding {
	d := Finding{Code: CodeRuleCrashed, Name: "rule-crashed", Diagnostic: Diagnostic{Severity: High, Detail: what}}
	subject, file := "model", ""
	if rule != nil {
		d.Message = fmt.Sprintf("rule %s (%s) failed; its findings are missing", rule.Code, rule.Name)
		subject = rule.Code
	} else {
		d.Message = "the deployment model could not be built"
	}
	if anchor != nil {
		d.Range = anchor.Range(0, 0)
		file = anchor.Path
	}
	d.Key = crashKey(subject, file)
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

// ProblemDiagnostics turns load problems into diagnostics of the rules
// among rs that document their kinds; a problem of a kind no rule of rs
// documents is left out (its rule is not selected).
func ProblemDiagnostics(rs []*Rule, probs []source.Problem) []Finding {
	var out []Finding
	for _, p := range probs {
		for _, r := range rs {
			if r.Scope == ScopeLoad && r.Problem == p.Kind {
				out = append(out, problemDiagnostic(r, p))
				break
			}
		}
	}
	return out
}

func problemDiagnostic(r *Rule, p source.Problem) Finding {
	msg, detail, legacy := p.Message, p.Detail, p.LegacyMessage
	if utf8.RuneCountInString(msg) > MaxMessage && detail == "" {
		// A front end's long text: the message is its first part, the
		// detail the rest, and baselines keep matching the whole.
		legacy = msg
		msg, detail = splitMessage(msg)
		detail = Sentence(detail)
	}
	f := r.Finding(Diagnostic{Range: p.Range, Message: msg, Detail: detail, Related: p.Related, Key: ProblemKey(p)})
	f.LegacyMessage = legacy
	return f
}

// splitMessage splits a long text into the longest first part that ends
// at a clause boundary ("; ", ": ", ", ") within MaxMessage characters,
// and the rest; without such a boundary, into the text clipped and the
// whole text.
func splitMessage(s string) (string, string) {
	for _, sep := range []string{"; ", ": ", ", "} {
		best := -1
		for i := strings.Index(s, sep); i >= 0; {
			if utf8.RuneCountInString(s[:i]) > MaxMessage {
				break
			}
			best = i
			next := strings.Index(s[i+len(sep):], sep)
			if next < 0 {
				break
			}
			i += len(sep) + next
		}
		if best > 0 {
			return s[:best], s[best+len(sep):]
		}
	}
	return Clip(s, MaxMessage), s
}

// Replacement records a finding that a finding of another rule replaced
// (same Key, the other rule Supersedes this one) or that a rule withdrew
// with Pass.Resolve.
type Replacement struct {
	Finding   Finding
	By        string // the code of the rule that replaced or withdrew it
	Withdrawn bool
}

// Resolution records one Pass.Resolve call.
type Resolution struct {
	By  string // the rule's code
	Key Key
}

// settle keeps one finding per defect. First the declared relations: a
// finding of a rule that Supersedes another replaces that rule's findings
// with the same Key (and takes their fixes when it has none), and a
// resolved key withdraws the findings of the resolving rule's superseded
// rules. Then, of the findings left with one Key, the most severe stays
// (the first in order on a tie), with the fixes of the others when it has
// none. Findings without a Key are all kept. The result is sorted.
//
// A rule settles only where it is enabled: a finding of a rule not
// enabled for its own file is dropped first (it would be after the run),
// and a finding or a resolution replaces another only when its rule is
// enabled for the other's file too. Ignoring the replacing rule so gives
// back the finding it would have replaced, and the result does not depend
// on which configuration the run starts from.
func settle(diags []Finding, byCode map[string]*Rule, resolved []Resolution, enabled func(code, file string) bool) ([]Finding, []Replacement) {
	if enabled == nil {
		enabled = func(string, string) bool { return true }
	}
	diags = slices.DeleteFunc(diags, func(d Finding) bool { return !enabled(d.Code, d.Range.File) })
	SortFindings(diags)
	var replaced []Replacement
	dropped := make([]bool, len(diags))
	byKey := map[Key][]int{}
	var keys []Key // in the order of their first finding, so that Replaced's order is fixed
	for i := range diags {
		if k := diags[i].Key; !k.IsZero() {
			if _, seen := byKey[k]; !seen {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], i)
		}
	}
	supersedes := func(code, other string) bool {
		r := byCode[code]
		return r != nil && slices.Contains(r.Supersedes, other)
	}
	replaces := func(code string, j int) bool {
		return supersedes(code, diags[j].Code) && enabled(code, diags[j].Range.File)
	}
	inherited := map[int][]Fix{}
	for _, k := range keys {
		same := byKey[k]
		for _, i := range same {
			for _, j := range same {
				if i == j || dropped[j] || !replaces(diags[i].Code, j) {
					continue
				}
				dropped[j] = true
				replaced = append(replaced, Replacement{Finding: diags[j], By: diags[i].Code})
				if len(diags[j].Fixes) > 0 && len(inherited[i]) == 0 {
					inherited[i] = diags[j].Fixes
				}
			}
		}
	}
	for _, res := range resolved {
		for _, j := range byKey[res.Key] {
			if !dropped[j] && replaces(res.By, j) {
				dropped[j] = true
				replaced = append(replaced, Replacement{Finding: diags[j], By: res.By, Withdrawn: true})
			}
		}
	}
	best := map[Key]int{}
	for i := range diags {
		k := diags[i].Key
		if k.IsZero() || dropped[i] {
			continue
		}
		if j, seen := best[k]; !seen || diags[i].Severity > diags[j].Severity {
			best[k] = i
		}
	}
	// The finding that stays keeps the fixes of those it replaces when it
	// has none of its own: they are about the same defect (the cross-file
	// finding knows the app, the proxy-side one knew the edit).
	fixes := map[Key][]Fix{}
	for i := range diags {
		if k := diags[i].Key; !k.IsZero() && !dropped[i] && best[k] != i && len(diags[i].Fixes) > 0 && len(fixes[k]) == 0 {
			fixes[k] = diags[i].Fixes
		}
	}
	out := diags[:0:0]
	for i := range diags {
		k := diags[i].Key
		if dropped[i] || !k.IsZero() && best[k] != i {
			continue
		}
		d := diags[i]
		if len(d.Fixes) == 0 {
			d.Fixes = inherited[i]
		}
		if len(d.Fixes) == 0 && !k.IsZero() {
			d.Fixes = fixes[k]
		}
		out = append(out, d)
	}
	return out, replaced
}

// SortFindings sorts in place, deterministically (stable: findings equal
// by Less keep their order). A Finding is a few hundred bytes, so the sort
// orders their indices and moves each finding once, instead of swapping
// whole findings through reflection at every merge step.
func SortFindings(diags []Finding) {
	order := make([]int32, len(diags))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(i, j int32) int { return diags[i].Compare(&diags[j]) })
	sorted := make([]Finding, len(diags))
	for k, i := range order {
		sorted[k] = diags[i]
	}
	copy(diags, sorted)
}

// FindingsSorted reports whether diags are in SortFindings' order (a
// stable sort leaves such a list as it is).
func FindingsSorted(diags []Finding) bool {
	for i := 1; i < len(diags); i++ {
		if diags[i-1].Compare(&diags[i]) > 0 {
			return false
		}
	}
	return true
}
