package rules

import (
	"context"
	"strings"
	"testing"

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
			p.Report(Diagnostic{Range: tree.line(1), Message: "replaced", Key: "k1",
				Fixes: []Fix{{Description: "edit", Safe: true, Edits: []Edit{{Range: tree.line(1), NewText: "x"}}}}})
			p.Report(Diagnostic{Range: tree.line(2), Message: "resolved", Key: "k2"})
			p.Report(Diagnostic{Range: tree.line(3), Message: "kept", Key: "k3"})
			p.Report(Diagnostic{Range: tree.line(3), Message: "later-same-key", Key: "k3"})
		}}
	deployRule := &Rule{Code: "X001", Name: "deploy", Severity: Critical, Scope: ScopeDeployment,
		Check: func(p *Pass) {
			p.Report(Diagnostic{Range: tree.line(1), Message: "cross-file", Key: "k1"})
			p.Resolve("k2")
		}}
	crash := &Rule{Code: "T002", Name: "crash", Severity: Low, Scope: ScopeTree, Kinds: []string{"fake"},
		Check: func(p *Pass) { panic("boom") }}
	other := &Rule{Code: "T003", Name: "other-kind", Scope: ScopeTree, Kinds: []string{"nginx"},
		Check: func(p *Pass) { t.Error("a rule ran on a tree of another kind") }}
	res := (&Engine{Rules: []*Rule{treeRule, deployRule, crash, other}}).Run(context.Background(), ws)
	var got []string
	for _, d := range res.Diagnostics {
		got = append(got, d.Code+":"+strings.SplitN(d.Message, " ", 2)[0])
	}
	want := "M004:rule X001:cross-file T001:kept"
	if strings.Join(got, " ") != want {
		t.Errorf("diagnostics = %v, want %s", got, want)
	}
	if res.Model == nil {
		t.Error("a deployment rule ran, so the model must be built")
	}
	for _, d := range res.Diagnostics {
		if d.Code == "X001" && (len(d.Fixes) != 1 || d.Fixes[0].Description != "edit") {
			t.Errorf("the replacing finding lost the replaced one's fix: %+v", d.Fixes)
		}
	}
	for _, d := range res.Diagnostics {
		if d.Code == "M004" && (!strings.Contains(d.Message, "T002") || !strings.Contains(d.Message, "boom") || d.Range.File != "a.conf") {
			t.Errorf("crash diagnostic: %+v", d)
		}
	}
}

func TestTreeRulesCannotResolve(t *testing.T) {
	tree := fakeTree{source.NewFile("a.conf", []byte("x\n"))}
	ws := &parsers.Workspace{Trees: []parsers.Tree{tree}}
	r := &Rule{Code: "T001", Scope: ScopeTree, Kinds: []string{"fake"}, Check: func(p *Pass) {
		p.Report(Diagnostic{Range: tree.line(1), Message: "m", Key: "k"})
		p.Resolve("k")
	}}
	if res := (&Engine{Rules: []*Rule{r}}).Run(context.Background(), ws); len(res.Diagnostics) != 1 {
		t.Errorf("a tree rule withdrew a finding: %v", res.Diagnostics)
	}
}
