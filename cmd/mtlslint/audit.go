package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mtlslint/mtlslint/internal/audit"
	"github.com/mtlslint/mtlslint/internal/config"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/rules"
)

type auditFlags struct {
	depth, jobs, maxFiles                       int
	reposFrom, format, output, resume, shard    string
	configPath, failOn, maxMemory               string
	nginxVersion, haproxyVersion, djangoVersion string
	gunicornVersion                             string
	repoConfig, quiet, list, inProcess          bool
	noIgnore                                    bool
	timeout, interval                           time.Duration
	maxFileSize                                 int64
	sel, extend, ignore, exclude                listFlag
}

// auditWorkerCommand is the hidden command with which audit re-executes
// the binary to analyse one repository in a process of its own.
const auditWorkerCommand = "__audit-worker"

// defaultMaxMemory is the memory ceiling of one repository's analysis:
// far above what real repositories need (tens of megabytes), low enough
// that several run at once on a small machine.
const defaultMaxMemory = "2GiB"

func runAuditWorker(e *env) int {
	if err := audit.ServeWorker(e.stdin, e.stdout); err != nil {
		return e.errorf("audit worker: %v", err)
	}
	return exitClean
}

func (f *auditFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.depth, "depth", 0, "0: a repository is a directory containing .git; `N` > 0: every directory N levels below DIR is one")
	fs.StringVar(&f.reposFrom, "repos-from", "", "read repository paths from `FILE`, one a line (- for standard input)")
	fs.IntVar(&f.jobs, "jobs", 0, "repositories analysed at once (default: number of CPUs)")
	fs.DurationVar(&f.timeout, "timeout", 2*time.Minute, "time limit per repository (0: none)")
	fs.StringVar(&f.maxMemory, "max-memory", defaultMaxMemory, "memory ceiling per repository (`SIZE`: bytes, or with KiB, MiB, GiB; 0: none): the analysis is killed past it")
	fs.BoolVar(&f.inProcess, "in-process", false, "analyse the repositories in this process instead of one worker process each (no memory ceiling, and a crash stops the audit)")
	fs.BoolVar(&f.noIgnore, "no-ignore", false, "disregard inline suppression comments (the suppressions are listed either way)")
	fs.Int64Var(&f.maxFileSize, "max-file-size", 0, "skip files larger than `BYTES` (default 8 MiB)")
	fs.IntVar(&f.maxFiles, "max-files", 0, "examine at most `N` directory entries per repository (default 200000)")
	fs.StringVar(&f.format, "format", "text", "output format: text or jsonl (JSON Lines, docs/audit.md)")
	fs.StringVar(&f.output, "output", "", "write records to `FILE` instead of standard output")
	fs.StringVar(&f.output, "o", "", "shorthand for --output")
	fs.StringVar(&f.resume, "resume", "", "skip repositories complete in the JSON Lines `FILE`, and append to it unless --output names another file")
	fs.StringVar(&f.shard, "shard", "", "audit only shard `I/N` (0 ≤ I < N) of the repositories; default from JOB_COMPLETION_INDEX and MTLSLINT_SHARD_COUNT when set")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress on standard error")
	fs.BoolVar(&f.list, "list", false, "print the repositories this run would audit (after --shard and --resume), one a line, to standard output or --output, and stop")
	fs.DurationVar(&f.interval, "progress-interval", 10*time.Second, "how often to print a progress line when standard error is not a terminal")
	fs.StringVar(&f.configPath, "config", "", "configuration `FILE` applied to every repository")
	fs.BoolVar(&f.repoConfig, "repo-config", false, "honour each repository's own .mtlslint.toml or pyproject.toml [tool.mtlslint] (off: a repository cannot deselect rules for itself)")
	fs.StringVar(&f.failOn, "fail-on", "", "exit 1 when a finding has at least this `SEVERITY` (default: exit 0 once the audit completes)")
	fs.Var(&f.sel, "select", "rule `CODES` or prefixes to enable (replaces the default: all)")
	fs.Var(&f.extend, "extend-select", "rule `CODES` or prefixes to enable in addition")
	fs.Var(&f.ignore, "ignore", "rule `CODES` or prefixes to disable")
	fs.Var(&f.exclude, "exclude", "`GLOBS` of files and directories to skip in every repository")
	fs.StringVar(&f.nginxVersion, "nginx-version", "", "deployed nginx `VERSION`")
	fs.StringVar(&f.haproxyVersion, "haproxy-version", "", "deployed HAProxy `VERSION`")
	fs.StringVar(&f.djangoVersion, "django-version", "", "deployed Django `VERSION`")
	fs.StringVar(&f.gunicornVersion, "gunicorn-version", "", "deployed gunicorn `VERSION`")
}

func runAudit(args []string, e *env) int {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var f auditFlags
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: mtlslint audit [flags] DIR...\n\nAudits every repository below DIR (or listed by --repos-from), each as its own\nworkspace, and streams the results (docs/audit.md).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	dirs, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	return f.run(dirs, e)
}

func (f *auditFlags) run(dirs []string, e *env) int {
	var format audit.Format
	switch f.format {
	case "text", "":
		format = audit.Text
	case "jsonl":
		format = audit.JSONL
	default:
		return e.errorf("unknown format %q (want text or jsonl)", f.format)
	}
	if f.resume != "" && format != audit.JSONL {
		return e.errorf("--resume reads and writes JSON Lines: add --format jsonl")
	}
	failOn := rules.Severity(0)
	if f.failOn != "" {
		s, err := rules.ParseSeverity(f.failOn)
		if err != nil {
			return e.errorf("%v", err)
		}
		failOn = s
	}
	shard, err := f.shardSetting()
	if err != nil {
		return e.errorf("%v", err)
	}

	repos, err := f.repositories(dirs, e)
	if err != nil {
		return e.errorf("%v", err)
	}
	total := len(repos)
	repos = shard.Select(repos)

	maxMemory, err := parseSize(f.maxMemory)
	if err != nil {
		return e.errorf("--max-memory: %v", err)
	}
	opts := audit.Options{
		GitTracked: true,
		Lint: lint.Options{
			Select: f.sel, ExtendSelect: f.extend, Ignore: f.ignore, Exclude: f.exclude,
			MaxFileSize: f.maxFileSize, MaxFiles: f.maxFiles, NoIgnore: f.noIgnore,
			Settings: rules.Settings{
				NginxVersion: f.nginxVersion, HAProxyVersion: f.haproxyVersion,
				DjangoVersion: f.djangoVersion, GunicornVersion: f.gunicornVersion,
			},
		},
		RepoConfig: f.repoConfig,
		Jobs:       f.jobs,
		Timeout:    f.timeout,
		Shard:      shard,
		Format:     format,
		Tool:       audit.Tool{Name: "mtlslint", Version: toolVersion()},
	}
	if f.configPath != "" {
		cfg, err := config.Load(f.configPath)
		if err != nil {
			return e.errorf("configuration error: %v", err)
		}
		opts.Lint.Config = cfg
	}
	// Each repository's run resolves its configuration; check the command
	// line and --config once here.
	if _, err := lint.Selection(opts.Lint.Config, opts.Lint.Select, opts.Lint.ExtendSelect, opts.Lint.Ignore); err != nil {
		return e.errorf("%v", err)
	}
	if !f.inProcess {
		exe, err := os.Executable()
		if err != nil {
			return e.errorf("cannot find this program to run its workers (use --in-process): %v", err)
		}
		opts.Isolation = &audit.Isolation{Command: []string{exe, auditWorkerCommand}, MaxMemory: maxMemory}
	}
	if f.resume != "" {
		if opts.Skip, opts.Retry, err = audit.Completed(f.resume); err != nil {
			return e.errorf("--resume: %v", err)
		}
	}

	if f.list {
		// To --output when given: a container without a shell cannot
		// redirect standard output.
		err := writeTo(e, f.output, func(w io.Writer) error {
			for _, r := range repos {
				if !opts.Skip[r.ID] {
					if _, err := fmt.Fprintln(w, audit.Printable(r.ID)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return e.errorf("%v", err)
		}
		return exitClean
	}

	out, closeOut, err := f.openOutput(e)
	if err != nil {
		return e.errorf("%v", err)
	}
	if !f.quiet {
		if isTTY(e.stderr) {
			opts.Progress = audit.NewBar(e.stderr)
		} else {
			opts.Progress = audit.NewLines(e.stderr, f.interval)
		}
		if shard.Count > 1 {
			fmt.Fprintf(e.stderr, "mtlslint audit: shard %s: %d of %d repositories\n", shard, len(repos), total)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, err := audit.Run(ctx, repos, out, opts)
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	if err != nil {
		return e.errorf("%v", err)
	}
	if st.Interrupted {
		return e.errorf("interrupted; rerun with --resume to finish")
	}
	if failOn != 0 {
		for name, n := range st.BySeverity {
			if s, err := rules.ParseSeverity(name); err == nil && s >= failOn && n > 0 {
				return exitFindings
			}
		}
	}
	return exitClean
}

// parseSize reads a size: bytes, or a number with KiB, MiB or GiB.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		shift  uint
	}{{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"K", 10}, {"M", 20}, {"G", 30}}
	shift := uint(0)
	num := strings.TrimSpace(s)
	for _, u := range units {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, shift = strings.TrimSpace(n), u.shift
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64>>shift {
		return 0, fmt.Errorf("%q is not a size (bytes, or a number with KiB, MiB or GiB)", s)
	}
	return n << shift, nil
}

// shardSetting is --shard, or the Indexed Job's environment.
func (f *auditFlags) shardSetting() (audit.Shard, error) {
	if f.shard != "" {
		return audit.ParseShard(f.shard)
	}
	s, _, err := audit.ShardFromEnv(os.Getenv)
	return s, err
}

func (f *auditFlags) repositories(dirs []string, e *env) ([]audit.Repo, error) {
	if f.reposFrom != "" {
		if len(dirs) > 0 {
			return nil, errors.New("give either DIR arguments or --repos-from, not both")
		}
		var r io.Reader = e.stdin
		if f.reposFrom != "-" {
			fh, err := os.Open(f.reposFrom)
			if err != nil {
				return nil, err
			}
			defer fh.Close()
			r = fh
		}
		return audit.ReadList(r)
	}
	if len(dirs) == 0 {
		return nil, errors.New("usage: mtlslint audit [flags] DIR... (or --repos-from FILE)")
	}
	if f.depth < 0 {
		return nil, fmt.Errorf("--depth %d: want 0 or more", f.depth)
	}
	repos, warnings, err := audit.Discover(dirs, f.depth)
	if !f.quiet {
		for _, w := range warnings {
			fmt.Fprintf(e.stderr, "mtlslint audit: %s\n", audit.Printable(w.Error()))
		}
	}
	if err != nil {
		return nil, err
	}
	if len(repos) == 0 {
		how := "no directory containing .git"
		if f.depth > 0 {
			how = fmt.Sprintf("no directory %d levels down", f.depth)
		}
		return nil, fmt.Errorf("no repositories found: %s (use --depth 1 to take every subdirectory as one)", how)
	}
	return repos, nil
}

// openOutput opens where records go: standard output, --output, or the
// --resume file to append to.
func (f *auditFlags) openOutput(e *env) (io.Writer, func() error, error) {
	target := f.output
	appendTo := false
	if f.resume != "" && (target == "" || samePath(target, f.resume)) {
		target, appendTo = f.resume, true
	}
	if target == "" {
		return e.stdout, func() error { return nil }, nil
	}
	var fh *os.File
	var err error
	if appendTo {
		fh, err = audit.OpenAppend(target)
	} else {
		fh, err = os.Create(target)
	}
	if err != nil {
		return nil, nil, err
	}
	return fh, fh.Close, nil
}

func samePath(a, b string) bool {
	if sa, err := os.Stat(a); err == nil {
		if sb, err := os.Stat(b); err == nil {
			return os.SameFile(sa, sb)
		}
	}
	aa, _ := filepath.Abs(a)
	bb, _ := filepath.Abs(b)
	return aa == bb
}
