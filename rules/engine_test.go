package rules

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
)

type fakeTree struct{ f *source.File }

func (t fakeTree) Kind() string            { return "fake" }
func (t fakeTree) Root() *source.File      { return t.f }
func (t fakeTree) Files() []*source.File   { return []*source.File{t.f} }
func (t fakeTree) line(n int) source.Range { return t.f.LineRange(n) }

func TestEngineKeysResolveAndCrashes(t *testing.T) {
	tree := fakeTree{source.NewFile("a.conf", []byte("one\ntwo\nthree\n"))}
	ws := &parsers.Workspace{Trees: []parsers.Tree{tree}}
	treeRule := &Rule{Code: "T001", Name: "tree", Severity: Medium, Scope: ScopeTree, Kinds: []string{"fake"},
		Check: func(p *Pass) {
			p.Report(Diagnostic{Range: tree.line(1), Message: "replaced", Key: TestKey("k1"),
				Fixes: []Fix{{Description: "edit", Safe: true, Edits: []Edit{{Range: tree.line(1), NewText: "x"}}}}})
			p.Report(Diagnostic{Range: tree.line(2), Message: "resolved", Key: TestKey("k2")})
			p.Report(Diagnostic{Range: tree.line(3), Message: "kept", Key: TestKey("k3")})
			p.Report(Diagnostic{Range: tree.line(3), Message: "later-same-key", Key: TestKey("k3")})
		}}
	// The replacing rule is less severe: the declaration decides, not the
	// severity.
	deployRule := &Rule{Code: "X001", Name: "deploy", Severity: Low, Scope: ScopeDeployment, Requires: []*Analysis{DeploymentModel}, Supersedes: []string{"T001"},
		Check: func(p *Pass) {
			p.Report(Diagnostic{Range: tree.line(1), Message: "cross-file", Key: TestKey("k1")})
			p.Resolve(TestKey("k2"))
		}}
	crash := &Rule{Code: "T002", Name: "crash", Severity: Low, Scope: ScopeTree, Kinds: []string{"fake"},
		Check: func(p *Pass) { panic("boom") }}
	other := &Rule{Code: "T003", Name: "other-kind", Scope: ScopeTree, Kinds: []string{"nginx"},
		Check: func(p *Pass) { t.Error("a rule ran on a tree of another kind") }}
	res := (&Engine{Rules: []*Rule{treeRule, deployRule, crash, other}}).Run(context.Background(), ws)
	var got []string
	for _, d := range res.Findings {
		got = append(got, d.Code+":"+strings.SplitN(d.Message, " ", 2)[0])
	}
	want := "M004:rule X001:cross-file T001:kept"
	if strings.Join(got, " ") != want {
		t.Errorf("diagnostics = %v, want %s", got, want)
	}
	if res.Model == nil {
		t.Error("a rule that requires the model ran, so the model must be built")
	}
	for _, d := range res.Findings {
		if d.Code == "X001" && (len(d.Fixes) != 1 || d.Fixes[0].Description != "edit") {
			t.Errorf("the replacing finding lost the replaced one's fix: %+v", d.Fixes)
		}
	}
	for _, d := range res.Findings {
		if d.Code == "M004" && (!strings.Contains(d.Message, "T002") || !strings.Contains(d.Detail, "boom") || d.Range.File != "a.conf") {
			t.Errorf("crash diagnostic: %+v", d)
		}
	}
}

func TestTreeRulesCannotResolve(t *testing.T) {
	tree := fakeTree{source.NewFile("a.conf", []byte("x\n"))}
	ws := &parsers.Workspace{Trees: []parsers.Tree{tree}}
	r := &Rule{Code: "T001", Scope: ScopeTree, Kinds: []string{"fake"}, Check: func(p *Pass) {
		p.Report(Diagnostic{Range: tree.line(1), Message: "m", Key: TestKey("k")})
		p.Resolve(TestKey("k"))
	}}
	if res := (&Engine{Rules: []*Rule{r}}).Run(context.Background(), ws); len(res.Findings) != 1 {
		t.Errorf("a tree rule withdrew a finding: %v", res.Findings)
	}
}

// Every analysis is computed once per run: once per tree for tree-scope
// analyses, whichever of the parallel workers asks first, and once for
// deployment-scope ones; a rule's requirements reach the analyses they
// require in turn.
func TestAnalysesAreComputedOncePerRun(t *testing.T) {
	var trees []parsers.Tree
	for i := 0; i < 12; i++ {
		trees = append(trees, fakeTree{source.NewFile(fmt.Sprintf("t%02d.conf", i), []byte("x\n"))})
	}
	ws := &parsers.Workspace{Trees: trees}
	var perTree, whole atomic.Int64
	view := &Analysis{Name: "view", Scope: ScopeTree, Build: func(p *Pass) any {
		perTree.Add(1)
		return p.Tree.Root().Path
	}}
	everything := &Analysis{Name: "everything", Scope: ScopeDeployment, Requires: []*Analysis{view}, Build: func(p *Pass) any {
		whole.Add(1)
		var paths []string
		for _, tr := range p.Workspace.Trees {
			paths = append(paths, p.ResultFor(view, tr).(string))
		}
		return len(paths)
	}}
	var rs []*Rule
	for i := 0; i < 5; i++ {
		rs = append(rs, &Rule{Code: fmt.Sprintf("T%03d", i), Scope: ScopeTree, Kinds: []string{"fake"}, Requires: []*Analysis{view, everything},
			Check: func(p *Pass) {
				if got := p.ResultOf(view).(string); got != p.Tree.Root().Path {
					t.Errorf("view of %s is %s", p.Tree.Root().Path, got)
				}
				if n := p.ResultOf(everything).(int); n != len(trees) {
					t.Errorf("everything saw %d trees", n)
				}
			}})
	}
	deploy := &Rule{Code: "X001", Scope: ScopeDeployment, Requires: []*Analysis{everything}, Check: func(p *Pass) { p.ResultOf(everything) }}
	for range 3 {
		perTree.Store(0)
		whole.Store(0)
		res := (&Engine{Rules: append(rs, deploy), Jobs: 4}).Run(context.Background(), ws)
		if len(res.Findings) != 0 {
			t.Fatalf("unexpected findings: %+v", res.Findings)
		}
		if perTree.Load() != int64(len(trees)) || whole.Load() != 1 {
			t.Errorf("tree analysis built %d times for %d trees, workspace analysis %d times", perTree.Load(), len(trees), whole.Load())
		}
		if res.Model != nil {
			t.Errorf("no rule requires the model, yet it was built")
		}
	}
}

// A rule that reads an analysis it does not require, an analysis that
// fails, and requirements in a cycle each become a rule-crashed finding
// for the rules concerned; the others run.
func TestAnalysisFailuresAreReported(t *testing.T) {
	tree := fakeTree{source.NewFile("a.conf", []byte("x\n"))}
	ws := &parsers.Workspace{Trees: []parsers.Tree{tree}}
	ok := &Analysis{Name: "ok", Scope: ScopeTree, Build: func(*Pass) any { return 1 }}
	broken := &Analysis{Name: "broken", Scope: ScopeTree, Build: func(*Pass) any { panic("bad input") }}
	a := &Analysis{Name: "a", Scope: ScopeDeployment}
	b := &Analysis{Name: "b", Scope: ScopeDeployment, Requires: []*Analysis{a}}
	a.Requires = []*Analysis{b}
	ran := false
	rs := []*Rule{
		{Code: "T001", Name: "undeclared", Scope: ScopeTree, Kinds: []string{"fake"}, Check: func(p *Pass) { p.ResultOf(ok) }},
		{Code: "T002", Name: "uses-broken", Scope: ScopeTree, Kinds: []string{"fake"}, Requires: []*Analysis{broken}, Check: func(p *Pass) { p.ResultOf(broken) }},
		{Code: "T003", Name: "also-broken", Scope: ScopeTree, Kinds: []string{"fake"}, Requires: []*Analysis{broken}, Check: func(p *Pass) { p.ResultOf(broken) }},
		{Code: "X001", Name: "cycle", Scope: ScopeDeployment, Requires: []*Analysis{a}, Check: func(p *Pass) { p.ResultOf(a) }},
		{Code: "T004", Name: "fine", Scope: ScopeTree, Kinds: []string{"fake"}, Requires: []*Analysis{ok}, Check: func(p *Pass) { ran = p.ResultOf(ok) == 1 }},
	}
	res := (&Engine{Rules: rs, Jobs: 1}).Run(context.Background(), ws)
	var got []string
	for _, d := range res.Findings {
		if d.Code != CodeRuleCrashed {
			t.Errorf("unexpected %s", d.Code)
			continue
		}
		text := d.Message + " " + d.Detail
		switch {
		case strings.Contains(text, "T001") && strings.Contains(text, "without requiring it"):
			got = append(got, "undeclared")
		case strings.Contains(text, "analysis broken failed: bad input"):
			got = append(got, "broken")
		case strings.Contains(text, "X001") && strings.Contains(text, "cycle"):
			got = append(got, "cycle")
		default:
			t.Errorf("unexpected crash: %s", text)
		}
	}
	sort.Strings(got)
	if strings.Join(got, " ") != "broken broken cycle undeclared" {
		t.Errorf("crashes: %v", got)
	}
	if !ran {
		t.Error("the rule whose analysis works did not run")
	}
}

// A front end's text longer than a message may be is split at a clause
// boundary into message and detail, and baselines keep hashing the whole.
func TestLongProblemsAreSplit(t *testing.T) {
	long := "include \"a/b.conf\": " + strings.Repeat("x", 60) + " is not in the repository; its directives were not checked"
	rule := &Rule{Code: "E002", Name: "missing", Scope: ScopeLoad, Problem: source.ProblemIncludeMissing}
	f := problemDiagnostic(rule, source.Problem{Kind: source.ProblemIncludeMissing, Message: long})
	if !strings.HasSuffix(f.Message, "is not in the repository") || f.Detail != "Its directives were not checked." || f.LegacyMessage != long {
		t.Errorf("split into %q / %q / %q", f.Message, f.Detail, f.LegacyMessage)
	}
	noBoundary := strings.Repeat("y", 200)
	if m, rest := splitMessage(noBoundary); len([]rune(m)) != MaxMessage || rest != noBoundary {
		t.Errorf("clipped to %d characters, rest %d", len([]rune(m)), len(rest))
	}
	short := source.Problem{Kind: source.ProblemIncludeMissing, Message: "short"}
	if f := problemDiagnostic(rule, short); f.Message != "short" || f.Detail != "" || f.LegacyMessage != "" {
		t.Errorf("a short text is kept: %+v", f)
	}
}

// TestDeploymentAnalysesStartFirst: the deployment-scope analyses the rules
// read (here an app builder, read through the model) are begun before the
// trees' rules run, whatever the number of jobs, so that with several
// jobs the longest work runs beside the trees' instead of after them. The
// tree rule waits (at most a minute) for the app builder to have begun:
// built after the trees, as before, it never would have.
func TestDeploymentAnalysesStartFirst(t *testing.T) {
	var trees []parsers.Tree
	for i := range 4 {
		trees = append(trees, fakeTree{source.NewFile(fmt.Sprintf("f%02d.conf", i), []byte("x\n"))})
	}
	ws := &parsers.Workspace{Trees: trees}
	for _, jobs := range []int{1, 2} {
		begun := make(chan struct{})
		apps := NewAppBuilder("apps", nil, func(p *Pass) []*App {
			close(begun)
			return nil
		})
		var waited sync.Once
		sawApps := false
		treeRule := &Rule{Code: "T001", Name: "waits", Severity: Low, Scope: ScopeTree, Kinds: []string{"fake"},
			Check: func(p *Pass) {
				waited.Do(func() {
					select {
					case <-begun:
						sawApps = true
					case <-time.After(time.Minute):
					}
				})
			}}
		modelRule := &Rule{Code: "X001", Name: "reads-model", Severity: Low, Scope: ScopeDeployment, Requires: []*Analysis{DeploymentModel},
			Check: func(p *Pass) { ModelOf(p) }}
		res := (&Engine{Rules: []*Rule{treeRule, modelRule}, Apps: []*Analysis{apps}, Jobs: jobs}).Run(context.Background(), ws)
		if !sawApps {
			t.Errorf("jobs=%d: the trees' rules ran before the app builder began", jobs)
		}
		if res.Model == nil {
			t.Errorf("jobs=%d: no model", jobs)
		}
	}
}

// TestDeploymentAnalysesOrder: each deployment analysis comes after those
// it requires, the model's app builders come with it, and tree-scope
// analyses and the model itself are left out.
func TestDeploymentAnalysesOrder(t *testing.T) {
	perTree := &Analysis{Name: "per-tree", Scope: ScopeTree}
	base := &Analysis{Name: "base", Scope: ScopeDeployment, Requires: []*Analysis{perTree}}
	top := &Analysis{Name: "top", Scope: ScopeDeployment, Requires: []*Analysis{base}}
	apps := &Analysis{Name: "apps", Scope: ScopeDeployment, Requires: []*Analysis{base}}
	rs := []*Rule{
		{Code: "T001", Scope: ScopeTree, Requires: []*Analysis{perTree, top}},
		{Code: "X001", Scope: ScopeDeployment, Requires: []*Analysis{DeploymentModel, top}},
	}
	name := func(as []*Analysis) string {
		var s []string
		for _, a := range as {
			s = append(s, a.Name)
		}
		return strings.Join(s, " ")
	}
	if got, want := name(deploymentAnalyses(rs, []*Analysis{apps}, true)), "base top apps"; got != want {
		t.Errorf("with the model: %q, want %q", got, want)
	}
	if got, want := name(deploymentAnalyses(rs[:1], []*Analysis{apps}, false)), "base top"; got != want {
		t.Errorf("without the model: %q, want %q", got, want)
	}
}

// AfterTree runs once per tree, after that tree's rules, with exactly the
// findings they reported, and what it sets on them is in the result.
func TestAfterTreeSeesItsTreesFindings(t *testing.T) {
	var trees []parsers.Tree
	for i := range 20 {
		trees = append(trees, fakeTree{source.NewFile(fmt.Sprintf("t%02d.conf", i), []byte("one\ntwo\n"))})
	}
	ws := &parsers.Workspace{Trees: trees}
	rule := func(code string) *Rule {
		return &Rule{Code: code, Severity: Medium, Scope: ScopeTree, Kinds: []string{"fake"}, Check: func(p *Pass) {
			p.Report(Diagnostic{Range: p.Tree.Root().LineRange(1), Message: "m", Key: TestKey(code + p.Tree.Root().Path)})
		}}
	}
	var mu sync.Mutex
	calls := map[string]int{}
	eng := &Engine{Rules: []*Rule{rule("T001"), rule("T002")}, Jobs: 4, AfterTree: func(tr parsers.Tree, found []Finding) {
		mu.Lock()
		calls[tr.Root().Path]++
		mu.Unlock()
		if len(found) != 2 {
			t.Errorf("%s: AfterTree got %d findings, want its rules' 2", tr.Root().Path, len(found))
		}
		for i := range found {
			if found[i].Range.File != tr.Root().Path {
				t.Errorf("%s: AfterTree got a finding of %s", tr.Root().Path, found[i].Range.File)
			}
			found[i].Fingerprint = "after:" + found[i].Code
		}
	}}
	res := eng.Run(context.Background(), ws)
	if len(calls) != len(trees) {
		t.Errorf("AfterTree ran for %d trees, want %d", len(calls), len(trees))
	}
	for p, n := range calls {
		if n != 1 {
			t.Errorf("AfterTree ran %d times for %s", n, p)
		}
	}
	if len(res.Findings) != 2*len(trees) {
		t.Fatalf("%d findings, want %d", len(res.Findings), 2*len(trees))
	}
	for _, d := range res.Findings {
		if d.Fingerprint != "after:"+d.Code {
			t.Errorf("%s %s: AfterTree's field was lost: %q", d.Code, d.Range.File, d.Fingerprint)
		}
	}
}

// releasingTree records when the engine releases it.
type releasingTree struct {
	fakeTree
	mu       *sync.Mutex
	events   *[]string
	released int
}

func (t *releasingTree) Release() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.released++
	*t.events = append(*t.events, "release "+t.f.Path)
}

// With Release, each tree is released once, after its own rules and after
// the whole deployment phase; after the run the workspace keeps shells
// with the trees' kinds and files, and the model only when asked for.
func TestReleaseAfterLastReader(t *testing.T) {
	for _, withModel := range []bool{false, true} {
		var mu sync.Mutex
		var events []string
		record := func(e string) {
			mu.Lock()
			events = append(events, e)
			mu.Unlock()
		}
		var trees []parsers.Tree
		var orig []*releasingTree
		for i := range 8 {
			rt := &releasingTree{fakeTree: fakeTree{source.NewFile(fmt.Sprintf("t%d.conf", i), []byte("x\n"))}, mu: &mu, events: &events}
			trees, orig = append(trees, rt), append(orig, rt)
		}
		ws := &parsers.Workspace{Trees: slices.Clone(trees)}
		builds := map[parsers.Tree]int{}
		view := &Analysis{Name: "view", Scope: ScopeTree, Build: func(p *Pass) any {
			mu.Lock()
			builds[p.Tree]++
			mu.Unlock()
			return p.Tree.Root().Path
		}}
		treeRule := &Rule{Code: "T001", Scope: ScopeTree, Kinds: []string{"fake"}, Requires: []*Analysis{view}, Check: func(p *Pass) {
			p.ResultOf(view)
			record("rules " + p.Tree.Root().Path)
		}}
		deployRule := &Rule{Code: "X001", Scope: ScopeDeployment, Requires: []*Analysis{DeploymentModel, view}, Check: func(p *Pass) {
			time.Sleep(20 * time.Millisecond) // tree rules finish meanwhile
			for _, tr := range p.Workspace.Trees {
				p.ResultFor(view, tr)
			}
			record("deployment")
		}}
		eng := &Engine{Rules: []*Rule{treeRule, deployRule}, Jobs: 3, Release: true}
		var res Result
		if withModel {
			res = eng.RunWithModel(context.Background(), ws)
		} else {
			res = eng.Run(context.Background(), ws)
		}
		deployAt := slices.Index(events, "deployment")
		if deployAt < 0 {
			t.Fatalf("the deployment rule did not run: %v", events)
		}
		for _, rt := range orig {
			p := rt.f.Path
			rel, own := slices.Index(events, "release "+p), slices.Index(events, "rules "+p)
			if rt.released != 1 || own < 0 || rel < own || rel < deployAt {
				t.Errorf("%s released %d times, at %d (its rules at %d, the deployment rule at %d): %v", p, rt.released, rel, own, deployAt, events)
			}
			if builds[rt] != 1 {
				t.Errorf("%s: its view was built %d times, want once (released only after its last reader)", p, builds[rt])
			}
		}
		for i, tr := range ws.Trees {
			if tr == trees[i] || tr.Kind() != "fake" || tr.Root() != trees[i].Root() || len(tr.Files()) != 1 || tr.Files()[0] != trees[i].Root() {
				t.Errorf("tree %d after the run: %#v, want a shell with the kind and files of %s", i, tr, trees[i].Root().Path)
			}
		}
		if (res.Model != nil) != withModel {
			t.Errorf("withModel %v: model %v", withModel, res.Model)
		}
	}
}

// Without Release the trees are left as they are.
func TestNoReleaseByDefault(t *testing.T) {
	var mu sync.Mutex
	var events []string
	rt := &releasingTree{fakeTree: fakeTree{source.NewFile("a.conf", []byte("x\n"))}, mu: &mu, events: &events}
	ws := &parsers.Workspace{Trees: []parsers.Tree{rt}}
	r := &Rule{Code: "X001", Scope: ScopeDeployment, Requires: []*Analysis{DeploymentModel}, Check: func(*Pass) {}}
	res := (&Engine{Rules: []*Rule{r}}).Run(context.Background(), ws)
	if rt.released != 0 || ws.Trees[0] != rt || res.Model == nil {
		t.Errorf("released %d times, tree %#v, model %v", rt.released, ws.Trees[0], res.Model)
	}
}
