package rules

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// TestEngineStopsWhenCancelled: a run cancelled while its rules work
// returns, without running the rules on the trees after (the workers used
// to stop taking trees while the engine waited for ever to hand them the
// next one).
func TestEngineStopsWhenCancelled(t *testing.T) {
	var trees []parsers.Tree
	for i := range 20 {
		trees = append(trees, fakeTree{source.NewFile(fmt.Sprintf("f%02d.conf", i), []byte("x\n"))})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := 0
	rule := &Rule{Code: "T001", Name: "cancels", Severity: Low, Scope: ScopeTree, Kinds: []string{"fake"},
		Check: func(p *Pass) {
			ran++
			cancel() // as a time limit running out would
		}}
	done := make(chan struct{})
	go func() {
		(&Engine{Rules: []*Rule{rule, rule}, Jobs: 1}).Run(ctx, &parsers.Workspace{Trees: trees})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the engine did not return after its run was cancelled")
	}
	if ran != 1 {
		t.Errorf("the rule ran %d times after the cancellation", ran-1)
	}
}

// TestAnalysesStopWhenCancelled: analyses run under the run's context
// too. Building the model stops between trees once the run is cancelled
// (here by the first tree's route builder, as a time limit running out
// would), an analysis not computed yet is not built any more, and an
// engine run so cancelled returns without a model.
func TestAnalysesStopWhenCancelled(t *testing.T) {
	var trees []parsers.Tree
	for i := range 20 {
		trees = append(trees, fakeTree{source.NewFile(fmt.Sprintf("f%02d.conf", i), []byte("x\n"))})
	}
	ws := &parsers.Workspace{Trees: trees}
	var mu sync.Mutex
	built := 0
	var cancel context.CancelFunc
	routes := NewRouteBuilder("cancelling-routes", nil, func(p *Pass) []*Route {
		mu.Lock()
		built++
		mu.Unlock()
		cancel()
		return nil
	})

	r := newRun(ws, nil)
	r.ctx, cancel = context.WithCancel(context.Background())
	r.routes = []*Analysis{routes}
	r.buildModel()
	if built != 1 {
		t.Errorf("the model built the routes of %d trees after the cancellation", built-1)
	}
	func() {
		defer func() {
			if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "was not computed: context canceled") {
				t.Errorf("an analysis read after the cancellation: %v", v)
			}
		}()
		r.resultOf(routes, trees[5])
	}()
	if built != 1 {
		t.Error("an analysis was built after the cancellation")
	}

	built = 0
	var ctx context.Context
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	modelRule := &Rule{Code: "T002", Name: "reads-model", Severity: Low, Scope: ScopeDeployment, Requires: []*Analysis{DeploymentModel},
		Check: func(p *Pass) { t.Error("a deployment rule ran after the cancellation") }}
	done := make(chan Result)
	go func() {
		done <- (&Engine{Rules: []*Rule{modelRule}, Routes: []*Analysis{routes}, Jobs: 2}).Run(ctx, ws)
	}()
	select {
	case res := <-done:
		if res.Model != nil {
			t.Error("the model was built after the cancellation")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the engine did not return after its run was cancelled")
	}
	if built > 2 {
		t.Errorf("the route builder ran on %d trees after the cancellation", built-1)
	}
}
