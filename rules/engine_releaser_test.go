package rules

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// releasableTree is a tree that counts its releases.
type releasableTree struct {
	f        *source.File
	released atomic.Int32
}

func (t *releasableTree) Kind() string          { return "fake" }
func (t *releasableTree) Root() *source.File    { return t.f }
func (t *releasableTree) Files() []*source.File { return []*source.File{t.f} }
func (t *releasableTree) Release()              { t.released.Add(1) }

// TestReleaseTreesAfterLastReader checks that with Release each
// TreeReleaser is released once, after its route builder and its rules have
// read it, that the model keeps the routes built before, and that without
// it nothing is released.
func TestReleaseTreesAfterLastReader(t *testing.T) {
	for _, release := range []bool{false, true} {
		var trees []*releasableTree
		ws := &parsers.Workspace{}
		for i := range 20 {
			tr := &releasableTree{f: source.NewFile(fmt.Sprintf("t%02d.conf", i), []byte("x\n"))}
			trees = append(trees, tr)
			ws.Trees = append(ws.Trees, tr)
		}
		var built atomic.Int32
		view := &Analysis{Name: "view", Scope: ScopeTree, Build: func(p *Pass) any {
			built.Add(1)
			if p.Tree.(*releasableTree).released.Load() > 0 {
				t.Errorf("%s: analysed after its release", p.Tree.Root().Path)
			}
			return p.Tree.Root().Path
		}}
		routes := NewRouteBuilder("fake-routes", []*Analysis{view}, func(p *Pass) []*Route {
			return []*Route{{ID: p.ResultOf(view).(string)}}
		})
		treeRule := &Rule{Code: "T001", Name: "tree", Scope: ScopeTree, Kinds: []string{"fake"}, Requires: []*Analysis{view},
			Check: func(p *Pass) {
				_ = p.ResultOf(view)
				if p.Tree.(*releasableTree).released.Load() > 0 {
					t.Errorf("%s: its rule ran after its release", p.Tree.Root().Path)
				}
			}}
		var model *Model
		deployRule := &Rule{Code: "X001", Name: "deploy", Scope: ScopeDeployment, Requires: []*Analysis{DeploymentModel},
			Check: func(p *Pass) { model = ModelOf(p) }}
		(&Engine{Rules: []*Rule{treeRule, deployRule}, Routes: []*Analysis{routes}, Jobs: 2, Release: release}).Run(context.Background(), ws)
		if model == nil || len(model.Routes) != len(trees) {
			t.Fatalf("release=%v: the model has %v, want a route per tree", release, model)
		}
		if n := built.Load(); n != int32(len(trees)) {
			t.Errorf("release=%v: the view was built %d times for %d trees", release, n, len(trees))
		}
		for _, tr := range trees {
			want := int32(0)
			if release {
				want = 1
			}
			if got := tr.released.Load(); got != want {
				t.Errorf("release=%v: %s released %d times, want %d", release, tr.f.Path, got, want)
			}
		}
	}
}
