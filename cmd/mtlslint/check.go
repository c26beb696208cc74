package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/mtlslint/mtlslint/internal/config"
	"github.com/mtlslint/mtlslint/internal/gitdiff"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/internal/report"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// checkFlags are the flags of `check` (and of the commands that lint).
type checkFlags struct {
	format, output, failOn, configPath, root, color string
	isolated, quiet, statistics, showSuppressed     bool
	sel, extend, ignore, exclude                    listFlag
	nginxVersion, haproxyVersion, djangoVersion     string
	gunicornVersion, caddyVersion                   string
	specBase                                        string
	summary                                         string // check --summary
	maxFileSize                                     int64
	maxFiles, jobs                                  int
	wf                                              workflowFlags
}

// register adds the flags of check. The other commands that load a
// workspace register only the groups that mean something for them, so
// that a flag that would do nothing (graph --fix) is refused.
func (f *checkFlags) register(fs *flag.FlagSet) {
	f.registerConfig(fs)
	f.registerLimits(fs)
	f.registerOutput(fs, "text, json, sarif, github, junit", "report")
	fs.StringVar(&f.failOn, "fail-on", "", "lowest `SEVERITY` that makes the exit code 1 (info, low, medium, high, critical; default low)")
	fs.StringVar(&f.color, "color", "auto", "colour: auto, always, never (NO_COLOR is respected)")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the findings, no source lines or summary")
	fs.BoolVar(&f.quiet, "q", false, "shorthand for --quiet")
	fs.BoolVar(&f.statistics, "statistics", false, "print a count of findings per rule")
	fs.BoolVar(&f.showSuppressed, "show-suppressed", false, "list suppressed findings too")
	f.registerSpecBase(fs)
	f.wf.register(fs)
}

// registerSpecBase adds --spec-base: the revision O004 compares OpenAPI
// documents with (check and baseline record its findings).
func (f *checkFlags) registerSpecBase(fs *flag.FlagSet) {
	fs.StringVar(&f.specBase, "spec-base", "", "also compare each OpenAPI document with its version at git `REV` and report lost mutual-TLS requirements (O004)")
}

// registerConfig adds the flags that decide the configuration: which
// files, which rules, which versions.
func (f *checkFlags) registerConfig(fs *flag.FlagSet) {
	fs.StringVar(&f.configPath, "config", "", "configuration `FILE` (default: nearest .mtlslint.toml or pyproject.toml [tool.mtlslint])")
	fs.BoolVar(&f.isolated, "isolated", false, "ignore configuration files")
	fs.StringVar(&f.root, "root", "", "`DIR` the analysis is confined to (default: a directory argument; for files, the nearest directory with a configuration, else the git work tree, else their common directory)")
	fs.Var(&f.sel, "select", "rule `CODES` or prefixes to enable (replaces the default: all)")
	fs.Var(&f.extend, "extend-select", "rule `CODES` or prefixes to enable in addition")
	fs.Var(&f.ignore, "ignore", "rule `CODES` or prefixes to disable")
	fs.Var(&f.exclude, "exclude", "`GLOBS` of files and directories to skip")
	fs.StringVar(&f.nginxVersion, "nginx-version", "", "deployed nginx `VERSION` (default: unknown, rules assume the worst case)")
	fs.StringVar(&f.haproxyVersion, "haproxy-version", "", "deployed HAProxy `VERSION`")
	fs.StringVar(&f.djangoVersion, "django-version", "", "deployed Django `VERSION`")
	fs.StringVar(&f.gunicornVersion, "gunicorn-version", "", "deployed gunicorn `VERSION`")
	fs.StringVar(&f.caddyVersion, "caddy-version", "", "deployed Caddy `VERSION` (default: the repository's caddy images, else unknown)")
}

// registerLimits adds the flags that bound the loading of a workspace.
func (f *checkFlags) registerLimits(fs *flag.FlagSet) {
	fs.Int64Var(&f.maxFileSize, "max-file-size", 0, "skip files larger than `BYTES` (default 8 MiB)")
	fs.IntVar(&f.maxFiles, "max-files", 0, "examine at most `N` directory entries per repository")
	fs.IntVar(&f.jobs, "jobs", 0, "`N` CPUs to use: parallel workers, and the runtime's own threads (default: every CPU)")
}

// registerOutput adds --format (with the formats given) and --output/-o.
func (f *checkFlags) registerOutput(fs *flag.FlagSet, formats, what string) {
	if formats != "" {
		fs.StringVar(&f.format, "format", "text", "output format: "+formats)
	}
	fs.StringVar(&f.output, "output", "", "write the "+what+" to `FILE` instead of standard output")
	fs.StringVar(&f.output, "o", "", "shorthand for --output `FILE`")
}

// options turns the flags and positional paths into driver options.
func (f *checkFlags) options(paths []string) (lint.Options, error) {
	switch f.format {
	case "", "text", "json", "sarif", "github", "junit":
	default:
		return lint.Options{}, fmt.Errorf("unknown format %q (want text, json, sarif, github or junit)", f.format)
	}
	root, rel, err := resolveRoot(f.root, paths)
	if err != nil {
		return lint.Options{}, err
	}
	opts := lint.Options{
		Root: root, Paths: rel,
		Select: f.sel, ExtendSelect: f.extend, Ignore: f.ignore, Exclude: f.exclude,
		ConfigPath: f.configPath, NoConfig: f.isolated,
		MaxFileSize: f.maxFileSize, MaxFiles: f.maxFiles, Jobs: f.jobs,
		Settings: rules.Settings{
			NginxVersion: f.nginxVersion, HAProxyVersion: f.haproxyVersion,
			DjangoVersion: f.djangoVersion, GunicornVersion: f.gunicornVersion,
			CaddyVersion: f.caddyVersion,
		},
	}
	// Named files are checked in the context of their workspace, so that
	// the cross-file rules see the other side of the deployment.
	opts.Context = true
	if err := f.wf.apply(&opts); err != nil {
		return lint.Options{}, err
	}
	if f.specBase != "" {
		// O004 compares each OpenAPI document with its version here.
		base, err := gitdiff.NewReader(root, f.specBase)
		if err != nil {
			return lint.Options{}, fmt.Errorf("--spec-base: %v", err)
		}
		opts.Settings.Base, opts.Settings.BaseRevision = base, f.specBase
	}
	if f.wf.baselineRev != "" {
		// Last: the revision is linted with the options check uses.
		b, err := lint.BaselineAt(context.Background(), opts, f.wf.baselineRev)
		if err != nil {
			return lint.Options{}, fmt.Errorf("--baseline-rev: %v", err)
		}
		opts.Baseline = b
	}
	return opts, nil
}

// resolveRoot decides the directory the analysis is confined to: --root;
// else a single directory argument (default: the current directory), which
// is one deployment of its own; else the workspace root of the paths'
// common directory (config.WorkspaceRoot: the nearest configuration, else
// the git work tree, else the common directory), so that a file named from
// anywhere is checked with the rest of its deployment.
func resolveRoot(rootFlag string, paths []string) (string, []string, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	abs := make([]string, len(paths))
	for i, p := range paths {
		a, err := filepath.Abs(p)
		if err != nil {
			return "", nil, err
		}
		if _, err := os.Lstat(a); err != nil {
			return "", nil, fmt.Errorf("%s: no such file or directory", p)
		}
		abs[i] = a
	}
	root := rootFlag
	if root == "" && len(abs) == 1 {
		// One directory is one workspace: its own files decide versions,
		// compose services and the rest of the deployment.
		if st, err := os.Stat(abs[0]); err == nil && st.IsDir() {
			root = abs[0]
		}
	}
	if root == "" {
		var err error
		if root, _, err = config.WorkspaceRoot(commonDir(abs)); err != nil {
			return "", nil, err
		}
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return "", nil, err
	}
	rel := make([]string, len(abs))
	for i, a := range abs {
		if !within(root, a) {
			return "", nil, fmt.Errorf("%s is outside the root %s", paths[i], root)
		}
		r, _ := filepath.Rel(root, a)
		rel[i] = filepath.ToSlash(r)
	}
	return root, rel, nil
}

func within(dir, p string) bool {
	r, err := filepath.Rel(dir, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

func commonDir(paths []string) string {
	dir := paths[0]
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		dir = filepath.Dir(dir)
	}
	for _, p := range paths[1:] {
		for !within(dir, p) {
			dir = filepath.Dir(dir)
		}
	}
	return dir
}

func runCheck(args []string, e *env) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var f checkFlags
	f.register(fs)
	fs.StringVar(&f.summary, "summary", "", "append a Markdown job summary (counts, a Mermaid diagram of the routes with findings, the findings) to `FILE`; with --format github, $GITHUB_STEP_SUMMARY when set")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: mtlslint check [flags] [PATH...]\n\nLints nginx, HAProxy, Django and gunicorn configurations below PATH (default .).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	defer useCPUs(f.jobs)()
	opts, err := f.options(paths)
	if err != nil {
		return e.errorf("%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if f.wf.fix || f.wf.diff {
		return runFix(ctx, &f, opts, e)
	}
	if f.summaryPath() != "" {
		opts.WithModel = true // the summary's diagram
	} else {
		// The report reads only the files of the trees: each tree can go
		// once its rules are done.
		opts.ReleaseTrees = true
	}
	res, err := lint.Run(ctx, opts)
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			return e.errorf("configuration error: %v", ce)
		}
		return e.errorf("%v", err)
	}
	if len(res.Workspace.Discovered) == 0 && len(res.Workspace.Problems) == 0 {
		// Not an error (a repository may hold nothing to check yet), but
		// not silence either.
		fmt.Fprintf(e.stderr, "mtlslint: no file below %s is in a format mtlslint reads (nginx, Apache httpd, Caddy, HAProxy, Envoy, Traefik, Python, compose, Kubernetes, Terraform, OpenAPI); nothing was checked\n", strings.Join(displayPaths(paths), ", "))
	}
	return f.finish(e, res)
}

// displayPaths are the paths as named, "." when none was.
func displayPaths(paths []string) []string {
	if len(paths) == 0 {
		return []string{"."}
	}
	return paths
}

// finish writes the report and decides the exit code.
func (f *checkFlags) finish(e *env, res *lint.Result) int {
	failOn, err := f.failOnSeverity(res.Config)
	if err != nil {
		return e.errorf("%v", err)
	}
	if err := f.write(e, res); err != nil {
		return e.errorf("%v", err)
	}
	switch {
	case res.BaselineStale > 0 && f.wf.baselineRev != "":
		fmt.Fprintf(e.stderr, "mtlslint: %d %s at %s %s no longer reported\n", res.BaselineStale, plural(res.BaselineStale, "finding", "findings"), f.wf.baselineRev, plural(res.BaselineStale, "is", "are"))
	case res.BaselineStale > 0:
		fmt.Fprintf(e.stderr, "mtlslint: %d baseline %s matched no finding (fixed?); refresh it with `mtlslint baseline`\n", res.BaselineStale, plural(res.BaselineStale, "entry", "entries"))
	}
	for _, d := range res.Findings {
		if d.Suppression == nil && d.Severity >= failOn {
			return exitFindings
		}
	}
	return exitClean
}

func (f *checkFlags) failOnSeverity(c *config.Config) (rules.Severity, error) {
	name := f.failOn
	if name == "" && c != nil {
		name = c.FailOn
	}
	if name == "" {
		return rules.Low, nil
	}
	return rules.ParseSeverity(name)
}

// input builds the report input of a run.
func input(res *lint.Result) report.Input {
	ws := res.Workspace
	return report.Input{
		Findings: res.Findings,
		File: func(p string) *source.File {
			return ws.File(p)
		},
		Rules:        lint.Registry(),
		Root:         ws.Root,
		Version:      toolVersion(),
		FilesChecked: len(ws.Files()),
		Display:      displayPrefix(ws.Root),
		Here:         hereInRoot(ws.Root),
	}
}

// hereInRoot is the current directory relative to the root when the root
// was found above it (`cd deploy && mtlslint check nginx/site.conf`), so
// that locations are printed relative to where the command ran.
func hereInRoot(root string) string {
	cwd, err := os.Getwd()
	if err != nil || !within(root, cwd) {
		return ""
	}
	rel, err := filepath.Rel(root, cwd)
	if err != nil || rel == "." {
		return ""
	}
	return filepath.ToSlash(rel)
}

// displayPrefix is the path from the current directory to the root, so
// that locations printed for people open from where they ran the command.
func displayPrefix(root string) string {
	cwd, err := os.Getwd()
	if err != nil {
		return ""
	}
	rel, err := filepath.Rel(cwd, root)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return ""
	}
	return filepath.ToSlash(rel)
}

func (f *checkFlags) write(e *env, res *lint.Result) error {
	in := input(res)
	err := f.writeInput(e, in)
	if err == nil {
		err = f.writeSummary(in, res)
	}
	if err == nil && f.statistics {
		// Machine-readable output stays clean: the counts go to the log.
		report.Statistics(e.stderr, in)
	}
	return err
}

// writeInput writes the report in the chosen format.
func (f *checkFlags) writeInput(e *env, in report.Input) error {
	var w io.Writer = e.stdout
	isTerminal := isTTY(e.stdout)
	if f.output != "" {
		fh, err := os.Create(f.output)
		if err != nil {
			return err
		}
		defer fh.Close()
		w, isTerminal = fh, false
	}
	var err error
	switch f.format {
	case "text", "":
		color := f.color == "always" || (f.color == "auto" && isTerminal && os.Getenv("NO_COLOR") == "")
		return report.Text(w, in, report.TextOptions{Color: color, Quiet: f.quiet, ShowSuppressed: f.showSuppressed, Statistics: f.statistics})
	case "json":
		err = report.JSON(w, in, f.showSuppressed)
	case "sarif":
		err = report.SARIF(w, in)
	case "github":
		err = report.GitHub(w, in, report.GitHubOptions{Base: githubBase()})
	case "junit":
		err = report.JUnit(w, in, f.showSuppressed)
	default:
		return fmt.Errorf("unknown format %q (want text, json, sarif, github or junit)", f.format)
	}
	return err
}

func isTTY(w io.Writer) bool {
	fh, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := fh.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
