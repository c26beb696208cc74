package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mtlslint/mtlslint/internal/config"
	"github.com/mtlslint/mtlslint/internal/graph"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/rules"
)

// Isolation runs each repository in a worker process of its own (the
// mtlslint binary re-executing itself), watched from outside: a
// repository that kills its analysis (a fatal stack overflow, the
// kernel's out-of-memory killer) or outgrows its memory or its time costs
// that repository only, and the audit goes on.
type Isolation struct {
	// Command starts a worker (argv): a process that serves one job on its
	// standard input and output with ServeWorker.
	Command []string
	// MaxMemory is the resident memory, in bytes, past which a worker is
	// killed (0: no ceiling). It is enforced from outside by reading the
	// worker's resident set size in /proc, which works without cgroups.
	MaxMemory int64
}

// WorkerEnv is set in the environment of every worker process. A worker
// never starts workers of its own: a binary that does not know the worker
// command (a test binary without the hook, which would run its whole
// suite again, audits included) cannot multiply itself.
const WorkerEnv = "MTLSLINT_AUDIT_WORKER"

// pollEvery is how often a worker's memory and time are checked.
const pollEvery = 50 * time.Millisecond

// maxWorkerOutput caps what the audit accepts from one worker: its result
// holds the repository's findings, each a few hundred bytes.
const maxWorkerOutput = 256 << 20

// softMemoryShare is the part of MaxMemory given to a worker's garbage
// collector as its soft limit (GOMEMLIMIT): it collects harder as it
// nears it, so that garbage alone does not reach the ceiling.
const softMemoryShare = 0.75

// The protocol is JSON, one job to the worker and one result back (not
// encoding/gob, whose initialisation every start of the binary pays). Where
// a type's JSON leaves a field out or cannot read it back, a wire type
// carries it (wireFinding); TestWorkerJobFields and TestWorkerResultFields
// check that every field arrives.

// workerJob is what the audit sends a worker.
type workerJob struct {
	Repo       Repo
	Lint       workerOptions
	RepoConfig bool
	Timeout    time.Duration
}

// workerOptions are the fields of lint.Options an audit sets.
// Settings.Base (an earlier revision to compare with, which only check
// sets) is an interface and does not cross.
type workerOptions struct {
	Select, ExtendSelect, Ignore, Exclude []string
	MaxFileSize                           int64
	MaxFiles                              int
	Settings                              rules.Settings
	Config                                *config.Config
	NoIgnore                              bool
	Tracked                               bool
}

// workerResult is what a worker sends back: one repository's result,
// whole.
type workerResult struct {
	Summary  Summary
	Findings []wireFinding
	Lines    []string
	Places   []*graph.Place // by finding; null where it touches no route
}

// wireFinding is a rules.Finding with the fields its JSON leaves out
// (Scope, the legacy fingerprint and message), its severity as a number
// (zero, the rule's default, has no name to read back) and its key whole
// (the JSON of a key is its text only). The fields here hide the
// finding's own of the same JSON name.
type wireFinding struct {
	rules.Finding
	Severity          int         `json:"severity"`
	Key               []byte      `json:"key"`
	Scope             rules.Scope `json:"scope"`
	LegacyFingerprint string      `json:"legacy_fingerprint"`
	LegacyMessage     string      `json:"legacy_message"`
}

func wireFindingOf(f rules.Finding) (wireFinding, error) {
	key, err := f.Key.MarshalBinary()
	return wireFinding{Finding: f, Severity: int(f.Severity), Key: key, Scope: f.Scope,
		LegacyFingerprint: f.LegacyFingerprint, LegacyMessage: f.LegacyMessage}, err
}

func (w wireFinding) finding() (rules.Finding, error) {
	f := w.Finding
	f.Severity, f.Scope, f.LegacyFingerprint, f.LegacyMessage = rules.Severity(w.Severity), w.Scope, w.LegacyFingerprint, w.LegacyMessage
	return f, f.Key.UnmarshalBinary(w.Key)
}

func workerResultOf(res *result) (workerResult, error) {
	wr := workerResult{Summary: res.summary, Lines: res.lines, Places: res.places}
	if res.diags != nil {
		wr.Findings = make([]wireFinding, len(res.diags))
		for i, f := range res.diags {
			var err error
			if wr.Findings[i], err = wireFindingOf(f); err != nil {
				return wr, fmt.Errorf("finding %d: %w", i, err)
			}
		}
	}
	return wr, nil
}

// into puts what a worker sent into res.
func (wr workerResult) into(res *result) error {
	var diags []rules.Finding
	if wr.Findings != nil {
		diags = make([]rules.Finding, len(wr.Findings))
		for i, w := range wr.Findings {
			var err error
			if diags[i], err = w.finding(); err != nil {
				return fmt.Errorf("finding %d: %w", i, err)
			}
		}
	}
	res.summary, res.diags, res.lines, res.places = wr.Summary, diags, wr.Lines, wr.Places
	// The records write the counts as {} when there are none.
	if res.summary.BySeverity == nil {
		res.summary.BySeverity = map[string]int{}
	}
	if res.summary.ByCode == nil {
		res.summary.ByCode = map[string]int{}
	}
	return nil
}

func jobOptions(o lint.Options, tracked bool) workerOptions {
	return workerOptions{Select: o.Select, ExtendSelect: o.ExtendSelect, Ignore: o.Ignore, Exclude: o.Exclude,
		MaxFileSize: o.MaxFileSize, MaxFiles: o.MaxFiles, Settings: o.Settings, Config: o.Config, NoIgnore: o.NoIgnore,
		Tracked: tracked}
}

func (w workerOptions) lint() lint.Options {
	return lint.Options{Select: w.Select, ExtendSelect: w.ExtendSelect, Ignore: w.Ignore, Exclude: w.Exclude,
		MaxFileSize: w.MaxFileSize, MaxFiles: w.MaxFiles, Settings: w.Settings, Config: w.Config, NoIgnore: w.NoIgnore}
}

// ServeWorker is the worker's side: it reads one job from in, analyses the
// repository in this process and writes the result to out. The audit that
// started it watches its memory and time from outside.
func ServeWorker(in io.Reader, out io.Writer) error {
	var job workerJob
	if err := json.NewDecoder(in).Decode(&job); err != nil {
		return fmt.Errorf("reading the job: %w", err)
	}
	a := &auditor{opts: Options{Lint: job.Lint.lint(), RepoConfig: job.RepoConfig, Timeout: job.Timeout, GitTracked: job.Lint.Tracked}}
	res := a.inProcess(context.Background(), job.Repo)
	wr, err := workerResultOf(res)
	if err != nil {
		return fmt.Errorf("writing the result: %w", err)
	}
	bw := bufio.NewWriter(out)
	if err := json.NewEncoder(bw).Encode(wr); err != nil {
		return fmt.Errorf("writing the result: %w", err)
	}
	return bw.Flush()
}

// isolated analyses repo in a worker process and records how it ended.
func (a *auditor) isolated(ctx context.Context, repo Repo, res *result) {
	iso := a.opts.Isolation
	if os.Getenv(WorkerEnv) != "" {
		res.fail(StatusError, errors.New("an audit worker does not start workers of its own"))
		return
	}
	var job bytes.Buffer
	if err := json.NewEncoder(&job).Encode(workerJob{Repo: repo, Lint: jobOptions(a.opts.Lint, a.opts.GitTracked),
		RepoConfig: a.opts.RepoConfig, Timeout: a.opts.Timeout}); err != nil {
		res.fail(StatusError, err)
		return
	}
	cmd := exec.Command(iso.Command[0], iso.Command[1:]...)
	cmd.Stdin = &job
	out := &cappedBuffer{max: maxWorkerOutput}
	stderr := &headBuffer{max: 8 << 10}
	cmd.Stdout, cmd.Stderr = out, stderr
	cmd.Env = append(os.Environ(), WorkerEnv+"=1")
	if iso.MaxMemory > 0 {
		cmd.Env = append(cmd.Env, "GOMEMLIMIT="+strconv.FormatInt(int64(float64(iso.MaxMemory)*softMemoryShare), 10))
	}
	// Its own process group: the whole group is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		res.fail(StatusError, fmt.Errorf("cannot start a worker: %w", err))
		return
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	start := time.Now()
	limit := a.opts.Timeout
	if limit > 0 {
		limit += grace // the worker's own time limit gets to fire first
	}
	var killed string // why the audit killed the worker, if it did
	var peak int64
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var waitErr error
wait:
	for {
		select {
		case waitErr = <-exited:
			break wait
		case <-ctx.Done():
			killGroup(cmd)
			<-exited
			res.fail(StatusError, ctx.Err()) // interrupted: no record is written
			return
		case <-tick.C:
			rss := residentMemory(cmd.Process.Pid)
			peak = max(peak, rss)
			switch {
			case killed != "":
			case iso.MaxMemory > 0 && rss > iso.MaxMemory:
				killed = StatusMemory
				killGroup(cmd)
			case limit > 0 && time.Since(start) > limit:
				killed = StatusTimeout
				killGroup(cmd)
			}
		}
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		peak = max(peak, ru.Maxrss<<10) // KiB on Linux
	}
	res.summary.MaxRSS = peak
	switch killed {
	case StatusMemory:
		res.fail(StatusMemory, fmt.Errorf("the analysis passed the memory ceiling of %s (resident %s) and was killed", mib(iso.MaxMemory), mib(peak)))
		return
	case StatusTimeout:
		res.fail(StatusTimeout, fmt.Errorf("not finished within %s; the analysis was killed", a.opts.Timeout))
		return
	}
	if waitErr == nil && !out.over {
		var wr workerResult
		if err := json.Unmarshal(out.buf.Bytes(), &wr); err == nil && wr.into(res) == nil {
			res.summary.MaxRSS = peak
			return
		}
	}
	if out.over {
		res.fail(StatusError, fmt.Errorf("the worker's result is larger than %s", mib(maxWorkerOutput)))
		return
	}
	res.fail(StatusCrash, errors.New(crashCause(cmd.ProcessState, stderr.String())))
}

// killGroup kills the worker and anything it started.
func killGroup(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}

// residentMemory returns a process's resident set size in bytes (0 when
// it cannot be read: the process is gone).
func residentMemory(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}

// crashCause says how a worker died: the Go runtime's fatal error or
// panic when it printed one, else the signal or exit status.
func crashCause(ps *os.ProcessState, stderr string) string {
	how := "the worker ended without a result"
	if ps != nil {
		if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			how = "the worker was killed by signal " + ws.Signal().String()
			if ws.Signal() == syscall.SIGKILL {
				how += " (by the kernel's out-of-memory killer, most likely)"
			}
		} else {
			how = fmt.Sprintf("the worker exited with status %d", ps.ExitCode())
		}
	}
	// The runtime's own words, most telling first; then the worker's own
	// error (a result it could not write).
	lines := strings.Split(stderr, "\n")
	for _, p := range []string{"fatal error: ", "panic: ", "runtime: ", "mtlslint: audit worker: "} {
		for _, l := range lines {
			if l = strings.TrimSpace(l); strings.HasPrefix(l, p) {
				return Printable(shortText(l, 200)) + " (" + how + ")"
			}
		}
	}
	return how
}

func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

func shortText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// cappedBuffer keeps at most max bytes; over reports that more came.
type cappedBuffer struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if c.buf.Len()+len(p) > c.max {
		c.over = true
		return len(p), nil
	}
	return c.buf.Write(p)
}

// headBuffer keeps the first max bytes written: the Go runtime says why it
// died first, then prints every goroutine's stack.
type headBuffer struct {
	b   []byte
	max int
}

func (h *headBuffer) Write(p []byte) (int, error) {
	if room := h.max - len(h.b); room > 0 {
		h.b = append(h.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (h *headBuffer) String() string { return string(h.b) }
