package rules

import (
	"context"
	"fmt"
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
