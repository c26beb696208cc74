package prove

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/mtlslint/mtlslint/internal/supervise"
)

// Limits bound one run.
type Limits struct {
	// Time bounds the whole run: when it passes, every server is stopped.
	Time time.Duration
	// Requests bounds the requests the run sends.
	Requests int
}

// DefaultLimits are generous for a repository with a few proxies.
var DefaultLimits = Limits{Time: 5 * time.Minute, Requests: 2000}

// ErrBudget is returned when a run has sent all the requests it may.
var ErrBudget = errors.New("the run's request budget is exhausted")

// Run is one prove run: the sandbox, the stub app, and the servers started
// for the plans. Close stops everything it started, by PID, and checks the
// process table for anything left behind.
type Run struct {
	Sandbox *Sandbox
	Stub    *Stub
	Servers Servers

	limits Limits
	cancel context.CancelFunc
	ctx    context.Context

	mu     sync.Mutex
	procs  []*supervise.Process
	pids   []int
	sent   int
	closed bool

	closeOnce sync.Once
	left      []supervise.Proc
	closeErr  error
}

// NewRun starts a run in sb: the stub app for the sandbox's upstreams
// (under gunicorn when the servers include it). Call it after every plan
// of the run has been rewritten, so that the stub knows every upstream.
// The run ends when Limits.Time passes or ctx ends, whichever is first.
func NewRun(ctx context.Context, sb *Sandbox, servers Servers, stub StubOptions, limits Limits) (*Run, error) {
	if limits.Time <= 0 {
		limits.Time = DefaultLimits.Time
	}
	if limits.Requests <= 0 {
		limits.Requests = DefaultLimits.Requests
	}
	r := &Run{Sandbox: sb, Servers: servers, limits: limits}
	r.ctx, r.cancel = context.WithTimeout(ctx, limits.Time)
	if g, err := servers.For(KindGunicorn); err == nil && stub.Gunicorn == "" {
		stub.Gunicorn = g.Path
	}
	s, err := StartStub(r.ctx, filepath.Join(sb.Dir, "stub"), sb.Upstreams(), stub)
	if err != nil {
		r.cancel()
		return nil, err
	}
	r.Stub = s
	if pid := s.GunicornPID(); pid != 0 {
		r.pids = append(r.pids, pid)
	}
	go func() {
		<-r.ctx.Done()
		r.Close()
	}()
	return r, nil
}

// Context ends when the run does.
func (r *Run) Context() context.Context { return r.ctx }

// Start runs the plan's configuration test and, when it passes, starts
// the server. A failed configuration test is returned as a *ConfigError,
// once: it is not retried.
func (r *Run) Start(p *Plan) (*supervise.Process, error) {
	srv, err := r.Servers.For(p.Kind)
	if err != nil {
		return nil, err
	}
	if !p.Testable() {
		return nil, fmt.Errorf("%s is not started: %s", p.Root, p.Refusals[0])
	}
	if _, err := p.ConfigTest(r.ctx, srv); err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, errors.New("the run has ended")
	}
	r.mu.Unlock()
	proc, err := p.Start(r.ctx, srv)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.procs = append(r.procs, proc)
	r.pids = append(r.pids, proc.PID())
	if r.closed { // closed while starting
		_ = proc.Stop()
		return nil, errors.New("the run has ended")
	}
	return proc, nil
}

// Spend takes n requests from the run's budget; ErrBudget when they would
// exceed it.
func (r *Run) Spend(n int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sent+n > r.limits.Requests {
		return ErrBudget
	}
	r.sent += n
	return nil
}

// PIDs are the process IDs (and process groups) the run started.
func (r *Run) PIDs() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.pids...)
}

// Close stops the servers (the last started first) and the stub app, by
// PID, and returns what is left in the process table of what the run
// started: nothing, unless a process escaped its process group. The run
// closes itself when its time is up; Close then returns that outcome.
func (r *Run) Close() ([]supervise.Proc, error) {
	r.closeOnce.Do(func() { r.left, r.closeErr = r.close() })
	return r.left, r.closeErr
}

func (r *Run) close() ([]supervise.Proc, error) {
	r.mu.Lock()
	r.closed = true
	procs := r.procs
	r.mu.Unlock()
	var errs []error
	for i := len(procs) - 1; i >= 0; i-- {
		if err := procs[i].Stop(); err != nil {
			errs = append(errs, err)
		}
	}
	if r.Stub != nil {
		if err := r.Stub.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	r.cancel()
	left, err := supervise.Leftovers(r.PIDs(), r.Sandbox.Dir)
	if err != nil {
		errs = append(errs, err)
	}
	if len(left) > 0 {
		errs = append(errs, fmt.Errorf("processes left behind: %v", left))
	}
	return left, errors.Join(errs...)
}
