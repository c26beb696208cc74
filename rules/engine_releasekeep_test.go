package rules

import (
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// TestReleaseKeepsRoutes checks what a release forgets: the results of
// the tree's analyses, but not its route builders', which the model reads
// after.
func TestReleaseKeepsRoutes(t *testing.T) {
	tr := &releasableTree{f: source.NewFile("a.conf", []byte("x\n"))}
	other := fakeTree{source.NewFile("b.conf", []byte("x\n"))}
	ws := &parsers.Workspace{Trees: []parsers.Tree{tr, other}}
	view := &Analysis{Name: "view", Scope: ScopeTree, Build: func(p *Pass) any { return p.Tree.Root().Path }}
	routes := NewRouteBuilder("fake-routes", []*Analysis{view}, func(p *Pass) []*Route {
		return []*Route{{ID: p.ResultOf(view).(string)}}
	})
	rule := &Rule{Code: "T001", Scope: ScopeTree, Kinds: []string{"fake"}, Requires: []*Analysis{view}}
	r := newRun(ws, nil)
	r.routes = []*Analysis{routes}
	for _, x := range ws.Trees {
		r.resultOf(routes, x)
	}
	done := r.releaseAfter(ws.Trees, 2, treeAnalyses([]*Rule{rule}, r.routes))
	done(tr)
	if tr.released.Load() != 0 || r.results[resultKey{view, tr}] == nil {
		t.Fatal("released before its last reader")
	}
	done(tr)
	done(other) // not a TreeReleaser: kept whole
	if tr.released.Load() != 1 {
		t.Errorf("released %d times after its last reader, want once", tr.released.Load())
	}
	if r.results[resultKey{view, tr}] != nil {
		t.Error("the released tree's analysis is still held")
	}
	if r.results[resultKey{routes, tr}] == nil {
		t.Error("the released tree's routes were dropped")
	}
	if r.results[resultKey{view, other}] == nil {
		t.Error("a tree that is no TreeReleaser lost its analysis")
	}
}
