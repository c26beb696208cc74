package audit

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/mtlslint/mtlslint/internal/config"
	"github.com/mtlslint/mtlslint/internal/graph"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/rules"
)

// Format is how records are written.
type Format int

const (
	// JSONL writes the JSON Lines records of docs/audit.md.
	JSONL Format = iota
	// Text writes one line per finding, prefixed with the repository, and
	// one line per repository that could not be analysed.
	Text
)

// Options say how to audit.
type Options struct {
	// Lint is the template of every repository's run: rule selection,
	// settings, a configuration applied to all, and the caps (MaxFileSize,
	// MaxFiles). Root and Paths are set per repository.
	Lint lint.Options
	// RepoConfig reads each repository's own .mtlslint.toml (or
	// pyproject.toml [tool.mtlslint]) at its top, never above it. Off by
	// default: an audited repository cannot deselect rules for itself.
	RepoConfig bool
	// Jobs is the number of repositories analysed at once (0: the number
	// of CPUs).
	Jobs int
	// Timeout limits the analysis of one repository (0: no limit).
	Timeout time.Duration
	// Skip lists the IDs of repositories already complete (--resume).
	Skip map[string]bool
	// Shard is recorded in the audit record (selection happens before Run).
	Shard Shard
	// Format of the records.
	Format Format
	// Progress is told about every repository; nil reports nothing.
	Progress Progress
	// Tool is the name and version written in the audit record.
	Tool Tool
	// Runner lints one repository; nil means lint.Run. Tests supply their
	// own front ends and rules through it. It runs in this process: with
	// Isolation, the workers run lint.Run.
	Runner func(context.Context, lint.Options) (*lint.Result, error)
	// Isolation, when set, analyses each repository in a worker process
	// watched from outside (memory ceiling, time limit, crashes).
	Isolation *Isolation
	// Retry lists the repositories whose analysis crashed in an earlier
	// run (--resume): they are analysed once more, and a second crash is
	// recorded as failed.
	Retry map[string]bool
	// GitTracked: files that git tracks (read from the repository's
	// index) are analysed whatever .gitignore says; the ignored files it
	// does not track are skipped and counted. Without it, .gitignore is
	// followed as check follows it.
	GitTracked bool
}

// Stats are the totals of one run.
type Stats struct {
	Repos       int // repositories given to Run
	Resumed     int // skipped by Options.Skip
	Completed   int // repositories with a summary written in this run
	Errors      int
	Timeouts    int
	Memory      int            // killed at the memory ceiling
	Crashes     int            // died (retried by --resume)
	Failed      int            // died again when retried
	Findings    int            // unsuppressed
	BySeverity  map[string]int // unsuppressed findings by severity
	Abandoned   int            // runs still going after their time limit and grace period
	Interrupted bool
	Duration    time.Duration
}

// Progress is told how the audit advances. Calls are serialised.
type Progress interface {
	Start(total int)
	RepoDone(s *Summary)
	Finish(st *Stats)
}

// grace is how long a run whose time limit ran out gets to notice it
// before the audit abandons it and goes on.
var grace = 2 * time.Second

// Run audits the repositories with a pool of workers and writes each
// repository's records to w as soon as the repository is done. One broken
// repository yields a summary with status "error" or "timeout" and the
// audit goes on. When ctx is cancelled, repositories in progress get no
// record (a resumed audit redoes them) and Run returns the stats with
// Interrupted set. The error is about writing w.
func Run(ctx context.Context, repos []Repo, w io.Writer, opts Options) (*Stats, error) {
	start := time.Now()
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	st := &Stats{Repos: len(repos), BySeverity: map[string]int{}}
	var todo []Repo
	for _, r := range repos {
		if opts.Skip[r.ID] {
			st.Resumed++
			continue
		}
		todo = append(todo, r)
	}
	a := &auditor{opts: opts, out: bufio.NewWriterSize(w, 64<<10), stats: st}
	// Check the selection once, rather than failing every repository.
	if _, err := lint.Selected(opts.Lint.Select, opts.Lint.ExtendSelect, opts.Lint.Ignore); err != nil {
		return st, err
	}
	a.helpURI = map[string]string{}
	for _, r := range lint.Registry() {
		a.helpURI[r.Code] = r.HelpURI()
	}
	if opts.Progress != nil {
		opts.Progress.Start(len(todo))
	}

	wctx, stopWriting := context.WithCancel(ctx)
	defer stopWriting()
	queue := make(chan Repo)
	var wg sync.WaitGroup
	for i := 0; i < jobs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range queue {
				res := a.one(wctx, r)
				if wctx.Err() != nil {
					// Interrupted (or a write failed): no record, so a
					// resumed audit redoes the repository.
					continue
				}
				if err := a.emit(res); err != nil {
					stopWriting()
				}
			}
		}()
	}
feed:
	for _, r := range todo {
		select {
		case queue <- r:
		case <-wctx.Done():
			break feed
		}
	}
	close(queue)
	wg.Wait()

	st.Interrupted = ctx.Err() != nil
	st.Duration = time.Since(start)
	if a.writeErr == nil {
		a.writeErr = a.writeAuditRecord()
	}
	if opts.Progress != nil {
		opts.Progress.Finish(st)
	}
	return st, a.writeErr
}

type auditor struct {
	opts    Options
	helpURI map[string]string

	mu       sync.Mutex // guards out, stats, writeErr and Progress calls
	out      *bufio.Writer
	stats    *Stats
	writeErr error
	buf      []byte
}

// result is what is kept of one repository once its analysis is done: no
// trees, no file contents beyond the lines the findings point at.
type result struct {
	summary Summary
	diags   []rules.Finding
	lines   []string
	places  []*graph.Place // by diagnostic; nil where it touches no route
	// abandoned is set when the run did not stop after its time limit.
	abandoned bool
}

func (a *auditor) one(ctx context.Context, repo Repo) *result {
	if a.opts.Isolation == nil {
		return a.inProcess(ctx, repo)
	}
	start := time.Now()
	res := newResult(repo)
	a.isolated(ctx, repo, res)
	res.summary.DurationMS = time.Since(start).Milliseconds()
	if res.summary.Status == StatusCrash && a.opts.Retry[repo.ID] {
		res.summary.Status = StatusFailed
		res.summary.Error = "crashed again when retried: " + res.summary.Error
	}
	return res
}

func newResult(repo Repo) *result {
	return &result{summary: Summary{
		Type: TypeRepo, Version: SchemaVersion, Repo: repo.ID, Status: StatusOK,
		BySeverity: map[string]int{}, ByCode: map[string]int{},
	}}
}

// inProcess analyses repo in this process.
func (a *auditor) inProcess(ctx context.Context, repo Repo) *result {
	start := time.Now()
	res := newResult(repo)
	defer func() { res.summary.DurationMS = time.Since(start).Milliseconds() }()

	rctx, cancel := ctx, context.CancelFunc(func() {})
	if a.opts.Timeout > 0 {
		rctx, cancel = context.WithTimeout(ctx, a.opts.Timeout)
	}
	defer cancel()

	opts, err := a.repoOptions(repo)
	if err != nil {
		res.fail(StatusError, err)
		return res
	}
	type outcome struct {
		res *lint.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- outcome{err: fmt.Errorf("internal error: %v", v)}
			}
		}()
		runner := a.opts.Runner
		if runner == nil {
			runner = lint.Run
		}
		r, err := runner(rctx, opts)
		done <- outcome{r, err}
	}()
	var out outcome
	select {
	case out = <-done:
	case <-rctx.Done():
		select {
		case out = <-done:
		case <-time.After(grace):
			// The run ignores its context (a front end stuck in a loop).
			// Leave it behind: the audit goes on without it.
			res.abandoned = true
			out.err = rctx.Err()
		}
	}
	if out.err != nil || out.res == nil {
		switch {
		case errors.Is(out.err, context.DeadlineExceeded) && ctx.Err() == nil:
			res.fail(StatusTimeout, fmt.Errorf("not finished within %s", a.opts.Timeout))
		case out.err == nil:
			res.fail(StatusError, errors.New("no result"))
		default:
			res.fail(StatusError, out.err)
		}
		return res
	}
	res.collect(out.res)
	return res
}

func (r *result) fail(status string, err error) {
	r.summary.Status = status
	r.summary.Error = err.Error()
}

// collect keeps the diagnostics, the lines they start on and the counts;
// the workspace is dropped with lr.
func (r *result) collect(lr *lint.Result) {
	s := &r.summary
	if lr.Workspace != nil {
		s.FilesChecked = len(lr.Workspace.Files())
		s.IgnoredUntracked = lr.Workspace.IgnoredUntracked
	}
	r.diags = lr.Findings
	r.lines = make([]string, len(r.diags))
	for i, d := range r.diags {
		if lr.Workspace != nil && d.Range.File != "" && d.Range.Start.IsValid() {
			if f := lr.Workspace.File(d.Range.File); f != nil {
				r.lines[i] = lineText(f.Line(d.Range.Start.Line))
			}
		}
		if d.Suppression != nil {
			s.Suppressed++
			s.Suppressions = append(s.Suppressions, SuppressionRecord{
				Location: location(d.Range, ""), Code: d.Code, Severity: d.Severity.String(),
				Kind: d.Suppression.Kind, Justification: d.Suppression.Justification})
			continue
		}
		s.Findings++
		s.BySeverity[d.Severity.String()]++
		s.ByCode[d.Code]++
	}
	r.graph(lr)
}

// graph puts the repository's deployment graph in its summary and each
// finding's place on it in the finding, when a finding is on the graph.
func (r *result) graph(lr *lint.Result) {
	if lr.Model == nil || len(lr.Model.Routes)+len(lr.Model.Apps) == 0 {
		return
	}
	g := graph.Build(lr.Model, graph.FromDiagnostics(r.diags))
	if len(g.Marks) == 0 {
		return // nothing on it to show; the records stay small
	}
	if g.Routes() > MaxGraphRoutes {
		g = g.Only(g.MarkedRoutes())
	}
	r.summary.Graph = g
	ix := graph.NewIndex(lr.Model)
	r.places = make([]*graph.Place, len(r.diags))
	for i, d := range r.diags {
		if p := ix.Locate(graph.FromDiagnostic(d)); !p.Empty() {
			r.places[i] = &p
		}
	}
}

// repoOptions is the lint template for one repository.
func (a *auditor) repoOptions(repo Repo) (lint.Options, error) {
	o := a.opts.Lint
	o.Root = repo.Dir
	o.Paths = nil
	o.Context = false
	o.WithModel = true // the summary's graph
	if a.opts.GitTracked {
		o.Tracked = parsers.ReadTracked(repo.Dir)
	}
	if o.Jobs == 0 {
		// The pool already keeps every CPU busy with whole repositories.
		o.Jobs = 1
	}
	if a.opts.RepoConfig && o.Config == nil {
		cfg, err := repoConfig(repo.Dir)
		if err != nil {
			return o, err
		}
		o.Config = cfg
	}
	if o.Config == nil {
		o.NoConfig = true
	}
	return o, nil
}

// repoConfig reads the configuration at the top of a repository: a regular
// file named .mtlslint.toml, or a pyproject.toml with a [tool.mtlslint]
// table, not leading out of the repository through a symbolic link.
// Nothing above the repository is looked at. One that cannot be read (a
// named pipe, a device, a link out) is an error of the repository, never
// silently absent.
func repoConfig(dir string) (*config.Config, error) {
	for _, name := range []string{config.FileName, "pyproject.toml"} {
		p := filepath.Join(dir, name)
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		b, err := parsers.ReadSettingsFile(p, dir, config.MaxFileSize)
		if err != nil {
			return nil, fmt.Errorf("configuration: %w", err)
		}
		if name == "pyproject.toml" && !bytes.Contains(b, []byte("mtlslint")) {
			continue
		}
		cfg, err := config.Parse(p, b)
		if err != nil {
			return nil, err
		}
		if name == "pyproject.toml" && len(cfg.Lines) == 0 {
			continue // no [tool.mtlslint] table
		}
		return cfg, nil
	}
	return nil, nil
}

// emit writes one repository's records and tells the progress reporter.
func (a *auditor) emit(r *result) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.writeErr != nil {
		return a.writeErr
	}
	buf, err := a.encode(a.buf[:0], r)
	a.buf = buf[:0]
	if err == nil {
		_, err = a.out.Write(buf)
	}
	if err == nil {
		err = a.out.Flush()
	}
	if err != nil {
		a.writeErr = err
		return err
	}
	if cap(a.buf) > 1<<20 {
		a.buf = nil // one huge repository need not pin its buffer
	}
	st := a.stats
	st.Completed++
	switch r.summary.Status {
	case StatusError:
		st.Errors++
	case StatusTimeout:
		st.Timeouts++
	case StatusMemory:
		st.Memory++
	case StatusCrash:
		st.Crashes++
	case StatusFailed:
		st.Failed++
	}
	if r.abandoned {
		st.Abandoned++
	}
	st.Findings += r.summary.Findings
	for k, v := range r.summary.BySeverity {
		st.BySeverity[k] += v
	}
	if a.opts.Progress != nil {
		a.opts.Progress.RepoDone(&r.summary)
	}
	return nil
}

func (a *auditor) encode(buf []byte, r *result) ([]byte, error) {
	var err error
	switch a.opts.Format {
	case Text:
		return appendText(buf, r), nil
	default:
		for i, d := range r.diags {
			var place *graph.Place
			if r.places != nil {
				place = r.places[i]
			}
			if buf, err = appendFinding(buf, r.summary.Repo, d, a.helpURI[d.Code], r.lines[i], place); err != nil {
				return buf, err
			}
		}
		return appendJSONLine(buf, &r.summary)
	}
}

func (a *auditor) writeAuditRecord() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.opts.Format != JSONL {
		return a.out.Flush()
	}
	st := a.stats
	rec := AuditRecord{
		Type: TypeAudit, Version: SchemaVersion, Tool: a.opts.Tool, Shard: a.opts.Shard.String(),
		Repos: st.Repos, Completed: st.Completed, Resumed: st.Resumed,
		Errors: st.Errors, Timeouts: st.Timeouts, Memory: st.Memory, Crashes: st.Crashes, Failed: st.Failed, Findings: st.Findings,
		Interrupted: st.Interrupted, DurationMS: st.Duration.Milliseconds(),
	}
	buf, err := appendJSONLine(nil, &rec)
	if err != nil {
		return err
	}
	if _, err := a.out.Write(buf); err != nil {
		return err
	}
	return a.out.Flush()
}
