// Package lint is the driver: it wires the front ends and rule families
// together and runs the whole pipeline (discover, parse, lint, select,
// dedupe, sort) for the command line, the editor server, the audit and the
// tests.
package lint

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/internal/baseline"
	"github.com/mtlslint/mtlslint/internal/config"
	"github.com/mtlslint/mtlslint/internal/gitdiff"
	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/rules"
)

// Options say what to lint and how.
type Options struct {
	Root  string   // directory the workspace is confined to ("" = ".")
	Paths []string // files or directories below Root (empty = Root)

	// Rule selection by code or prefix ("N", "N00", "N003"), as in ruff:
	// Select replaces the default (all rules), ExtendSelect adds to it,
	// Ignore removes. E001 and M004 cannot be deselected: an unparsable
	// file or a failed rule is never reported as clean.
	Select       []string
	ExtendSelect []string
	Ignore       []string

	Settings rules.Settings
	// ConfigPath names the configuration file; empty means the nearest
	// .mtlslint.toml or pyproject.toml [tool.mtlslint] from Root upwards.
	// NoConfig ignores configuration files.
	ConfigPath string
	NoConfig   bool
	// Config, when set, is used as is (already loaded).
	Config *config.Config

	MaxFileSize int64
	MaxFiles    int
	Exclude     []string
	Overlay     map[string][]byte
	// Context: when Paths name files, load the rest of Root for the
	// cross-file rules, reporting only findings in (or related to) them.
	Context bool
	Jobs    int
	// WithModel builds the deployment model even when no deployment rule
	// is selected (graph output).
	WithModel bool
	// ReleaseTrees lets the engine release each tree after its last
	// reader (rules.Engine.Release): for a caller that reads only the
	// files of the result's workspace, not its trees (check).
	ReleaseTrees bool

	// NoIgnore disregards inline suppression comments (audits).
	NoIgnore bool
	// Tracked, when set, is what git tracks: tracked files are analysed
	// whatever .gitignore says (audits; see parsers.Options.Tracked).
	Tracked *parsers.Tracked
	// Baseline, when set, marks the findings it accepts as suppressed.
	Baseline *baseline.Baseline
	// Changed, when set, keeps only findings on changed lines
	// (--new-from-rev).
	Changed *gitdiff.Changes
	// ForceExclude and SkipUndetected apply to files named explicitly
	// (see parsers.Options): what a pre-commit hook needs.
	ForceExclude   bool
	SkipUndetected bool
	// At, when set, holds the files to lint instead of Root on disk: a git
	// revision's tree (gitdiff.Reader, for --baseline-rev). The configuration
	// is still Root's on disk, so that both runs judge alike. Overlay and
	// Context do not apply.
	At parsers.ListReader

	// Set by Run: the configuration of each file and the command line's
	// own choices, laid over it.
	resolver *config.Resolver
	cli      *cliChoice
}

// Result is the outcome of one run.
type Result struct {
	Config    *config.Config // the root's configuration; nil when none applied
	Workspace *parsers.Workspace
	Findings  []rules.Finding
	Model     *rules.Model
	// Resolver gives the configuration of each file (nested ones).
	Resolver *config.Resolver
	// BaselineStale counts baseline entries that matched no finding.
	BaselineStale int
	// Replaced and Resolved say which findings rules that supersede
	// others replaced or withdrew (rules.Result).
	Replaced []rules.Replacement
	Resolved []rules.Resolution
}

// Registry returns every rule, sorted by code.
func Registry() []*rules.Rule {
	var out []*rules.Rule
	for _, f := range allFamilies() {
		out = append(out, f.Rules...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Lookup returns the rule with the given code (case-insensitive), or nil.
func Lookup(code string) *rules.Rule {
	for _, r := range Registry() {
		if strings.EqualFold(r.Code, code) || strings.EqualFold(r.Name, code) {
			return r
		}
	}
	return nil
}

// alwaysOn are codes that selection cannot remove.
var alwaysOn = map[string]bool{rules.CodeSyntax: true, rules.CodeRuleCrashed: true}

// Selected returns the rules that the selection keeps.
func Selected(sel, extend, ignore []string) ([]*rules.Rule, error) {
	all := Registry()
	for _, list := range [][]string{sel, extend, ignore} {
		for _, p := range list {
			if !matchesAny(all, p) {
				return nil, fmt.Errorf("unknown rule code or prefix %q (see `mtlslint rules`)", p)
			}
		}
	}
	var out []*rules.Rule
	for _, r := range all {
		keep := len(sel) == 0 || hasPrefix(r.Code, sel)
		if hasPrefix(r.Code, extend) {
			keep = true
		}
		if hasPrefix(r.Code, ignore) && longest(r.Code, ignore) >= longest(r.Code, append(sel, extend...)) {
			keep = false
		}
		if keep || alwaysOn[r.Code] {
			out = append(out, r)
		}
	}
	return out, nil
}

func matchesAny(all []*rules.Rule, prefix string) bool {
	if strings.EqualFold(prefix, "ALL") {
		return true
	}
	for _, r := range all {
		if strings.HasPrefix(r.Code, strings.ToUpper(prefix)) {
			return true
		}
	}
	return false
}

func hasPrefix(code string, prefixes []string) bool { return longest(code, prefixes) > 0 }

// longest returns the length of the longest prefix in prefixes that code
// starts with ("ALL" counts as length 0.5 → 1 with everything more specific
// winning), or 0.
func longest(code string, prefixes []string) int {
	n := 0
	for _, p := range prefixes {
		up := strings.ToUpper(p)
		if up == "ALL" && n == 0 {
			n = 1
			continue
		}
		if strings.HasPrefix(code, up) && len(up)+1 > n {
			n = len(up) + 1
		}
	}
	return n
}

// Run lints according to opts. Each file gets the configuration nearest
// to it (a nested .mtlslint.toml wins for the files below it), with the
// command line laid over it; the root's configuration supplies the
// deployment-wide settings.
func Run(ctx context.Context, opts Options) (*Result, error) {
	root := opts.Root
	if root == "" {
		root = "."
	}
	var resolver *config.Resolver
	switch {
	case opts.Config != nil:
		resolver = config.Fixed(root, opts.Config)
	case opts.NoConfig:
		resolver = config.Fixed(root, nil)
	default:
		var err error
		if resolver, err = config.NewResolver(root, opts.ConfigPath, false); err != nil {
			return nil, err
		}
	}
	rootCfg, err := resolver.ForRoot()
	if err != nil {
		return nil, err
	}
	opts.cli = &cliChoice{Select: opts.Select, ExtendSelect: opts.ExtendSelect, Ignore: opts.Ignore, Settings: opts.Settings}
	opts.resolver = resolver
	opts.Config = rootCfg
	opts = mergeConfig(opts, rootCfg)
	pf := newPerFile(resolver, opts.cli, nil)
	if _, err := pf.selection(rootCfg); err != nil {
		return nil, err
	}
	selected, err := Selected(opts.Select, opts.ExtendSelect, opts.Ignore)
	if err != nil {
		return nil, err
	}
	load := parsers.Load
	if opts.At != nil {
		load = func(ctx context.Context, o parsers.Options) (*parsers.Workspace, error) {
			return parsers.LoadFiles(ctx, opts.At, o)
		}
	}
	ws, err := load(ctx, parsers.Options{
		Root:           opts.Root,
		Paths:          opts.Paths,
		MaxFileSize:    opts.MaxFileSize,
		MaxFiles:       opts.MaxFiles,
		Overlay:        opts.Overlay,
		Exclude:        opts.Exclude,
		Context:        opts.Context,
		Skip:           excludeHook(resolver),
		ForceExclude:   opts.ForceExclude,
		SkipUndetected: opts.SkipUndetected,
		Tracked:        opts.Tracked,
		Formats:        allFormats(),
		K8s:            k8sOptions(resolver.Root(), rootCfg),
		Jobs:           opts.Jobs,
	})
	if err != nil {
		return nil, err
	}
	if err := resolver.Err(); err != nil {
		return nil, err
	}
	if selected, err = pf.union(ws, selected); err != nil {
		return nil, err
	}
	res, err := RunWorkspace(ctx, ws, selected, opts)
	if res != nil {
		res.Config = rootCfg
	}
	return res, err
}

// RunWorkspace lints an already loaded workspace with the given rules.
// Called directly (not through Run), opts.Config applies to every file.
func RunWorkspace(ctx context.Context, ws *parsers.Workspace, selected []*rules.Rule, opts Options) (*Result, error) {
	settings := opts.Settings
	resolver := opts.resolver
	if resolver == nil {
		resolver = config.Fixed(ws.Root, opts.Config)
	}
	pf := newPerFile(resolver, opts.cli, selected)
	eng := Engine(selected, &settings, opts.Jobs)
	eng.Enabled = pf.enabledIn // a rule replaces findings only where it is enabled
	eng.Release = opts.ReleaseTrees
	if opts.cli != nil && !resolver.Single() {
		eng.TreeSettings = pf.treeSettings
	}
	var res rules.Result
	if opts.WithModel {
		res = eng.RunWithModel(ctx, ws)
	} else {
		res = eng.Run(ctx, ws)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	diags, stale := postProcess(ws, res.Findings, pf, opts)
	if err := resolver.Err(); err != nil {
		return nil, err
	}
	return &Result{Workspace: ws, Findings: diags, Model: res.Model, Resolver: resolver, BaselineStale: stale,
		Replaced: res.Replaced, Resolved: res.Resolved}, nil
}

// Engine returns an engine with every family's builders and the given
// rules.
func Engine(selected []*rules.Rule, settings *rules.Settings, jobs int) *rules.Engine {
	eng := &rules.Engine{Rules: selected, Settings: settings, Jobs: jobs}
	for _, f := range allFamilies() {
		if f.Routes != nil {
			eng.Routes = append(eng.Routes, f.Routes)
		}
		if f.Apps != nil {
			eng.Apps = append(eng.Apps, f.Apps)
		}
	}
	return eng
}

// onlyTargets keeps the findings located in, or related to, the files that
// were named explicitly: the rest of the repository was loaded for context
// only. A file named through a symbolic link and its target are one file.
func onlyTargets(ws *parsers.Workspace, diags []rules.Finding) []rules.Finding {
	targets := map[string]bool{}
	for t := range ws.Targets {
		targets[ws.Identity(t)] = true
	}
	out := diags[:0:0]
	for _, d := range diags {
		keep := targets[ws.Identity(d.Range.File)]
		for _, r := range d.Related {
			keep = keep || targets[ws.Identity(r.Range.File)]
		}
		if keep {
			out = append(out, d)
		}
	}
	return out
}

// k8sOptions turns the [[helm]] tables of the configuration into the
// Kubernetes front end's chart environments, with root-relative paths.
func k8sOptions(root string, c *config.Config) k8s.Options {
	var o k8s.Options
	if c == nil {
		return o
	}
	rel := func(p string) string {
		full := filepath.Join(c.Dir(), filepath.FromSlash(p))
		if c.Dir() == "" {
			full = filepath.Join(root, filepath.FromSlash(p))
		}
		r, err := filepath.Rel(root, full)
		if err != nil {
			return p
		}
		return filepath.ToSlash(r)
	}
	for _, h := range c.Helm {
		env := k8s.ChartEnvironment{Chart: rel(h.Chart), Namespace: h.Namespace, Release: h.Release}
		for _, v := range h.Values {
			env.Values = append(env.Values, rel(v))
		}
		o.Charts = append(o.Charts, env)
	}
	return o
}

// BaselineAt lints the tree of the git revision rev below opts.Root, read
// from git's objects (nothing is checked out), with opts' rules,
// configuration and settings, and returns its findings as a baseline:
// check --baseline-rev reports only the findings whose fingerprints rev does
// not have. The whole root is linted, whatever opts.Paths name: a
// finding's fingerprint is what is compared, wherever it sits.
func BaselineAt(ctx context.Context, opts Options, rev string) (*baseline.Baseline, error) {
	tree, err := gitdiff.NewReader(opts.Root, rev)
	if err != nil {
		return nil, err
	}
	defer tree.Close()
	tree.WithMaxFileSize(opts.MaxFileSize)
	o := opts
	o.At, o.Paths, o.Context, o.Overlay = tree, nil, false, nil
	o.Baseline, o.Changed, o.ForceExclude, o.SkipUndetected = nil, nil, false, false
	res, err := Run(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("at %s: %w", rev, err)
	}
	return baseline.New(res.Findings), nil
}
