package lint

import (
	"fmt"
	"strings"
	"sync"

	"github.com/mtlslint/mtlslint/internal/config"
	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/rules"
	"github.com/mtlslint/mtlslint/rules/suppress"
)

// cliChoice is what the command line chose, before any configuration
// file: it is laid over the configuration nearest to each file.
type cliChoice struct {
	Select, ExtendSelect, Ignore []string
	Settings                     rules.Settings
}

// perFile resolves, for each file, the configuration that applies to it
// and what follows from it: the rules enabled there and the settings of
// the trees rooted there.
type perFile struct {
	resolver *config.Resolver
	cli      *cliChoice // nil: no per-file selection (RunWorkspace callers)
	fixed    map[string]bool

	mu       sync.Mutex
	enabled  map[*config.Config]map[string]bool
	settings map[*config.Config]*rules.Settings
}

func newPerFile(resolver *config.Resolver, cli *cliChoice, selected []*rules.Rule) *perFile {
	p := &perFile{resolver: resolver, cli: cli, enabled: map[*config.Config]map[string]bool{}, settings: map[*config.Config]*rules.Settings{}}
	if cli == nil {
		p.fixed = codeSet(selected)
	}
	return p
}

func codeSet(rs []*rules.Rule) map[string]bool {
	m := make(map[string]bool, len(rs))
	for _, r := range rs {
		m[r.Code] = true
	}
	return m
}

// selection returns the codes enabled under cfg, the command line laid
// over it: --select replaces the file's select; extend-select and ignore
// add up.
func (p *perFile) selection(cfg *config.Config) (map[string]bool, error) {
	if p.fixed != nil {
		return p.fixed, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.enabled[cfg]; ok {
		return s, nil
	}
	rs, err := Selection(cfg, p.cli.Select, p.cli.ExtendSelect, p.cli.Ignore)
	if err != nil {
		return nil, err
	}
	s := codeSet(rs)
	p.enabled[cfg] = s
	return s, nil
}

// validateCodes reports an unknown code in a configuration file with its
// file and line.
func validateCodes(cfg *config.Config) error {
	all := Registry()
	lists := []struct {
		key  string
		vals []string
	}{{"select", cfg.Select}, {"extend-select", cfg.ExtendSelect}, {"ignore", cfg.Ignore}}
	for _, l := range lists {
		for _, v := range l.vals {
			if !matchesAny(all, v) {
				return &config.Error{File: cfg.Path, Line: cfg.Lines[l.key], Msg: fmt.Sprintf("%s: unknown rule code or prefix %q (see `mtlslint rules`)", l.key, v)}
			}
		}
	}
	for _, codes := range cfg.PerFileIgnores {
		for _, v := range codes {
			if !matchesAny(all, v) {
				return &config.Error{File: cfg.Path, Line: cfg.Lines["per-file-ignores"], Msg: fmt.Sprintf("per-file-ignores: unknown rule code or prefix %q", v)}
			}
		}
	}
	return nil
}

// enabledIn reports whether the rule with code is enabled for file.
func (p *perFile) enabledIn(code, file string) bool {
	if alwaysOn[code] {
		return true
	}
	s, err := p.selection(p.resolver.For(file))
	if err != nil {
		return false
	}
	return s[code]
}

// treeSettings gives a tree the settings of its nearest configuration.
func (p *perFile) treeSettings(t parsers.Tree) *rules.Settings {
	cfg := p.resolver.For(t.Root().Path)
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.settings[cfg]; ok {
		return s
	}
	s := mergeSettings(p.cli.Settings, cfg)
	p.settings[cfg] = &s
	return &s
}

// union returns the rules to run: every rule enabled for some file of the
// workspace, so that a nested configuration can enable a rule the root
// one leaves out.
func (p *perFile) union(ws *parsers.Workspace, base []*rules.Rule) ([]*rules.Rule, error) {
	if p.fixed != nil || p.resolver.Single() {
		return base, nil
	}
	want := codeSet(base)
	seen := map[*config.Config]bool{}
	visit := func(path string) error {
		cfg := p.resolver.For(path)
		if seen[cfg] {
			return nil
		}
		seen[cfg] = true
		s, err := p.selection(cfg)
		for c := range s {
			want[c] = true
		}
		return err
	}
	for _, f := range ws.Files() {
		if err := visit(f.Path); err != nil {
			return nil, err
		}
	}
	for _, pr := range ws.Problems {
		if err := visit(pr.Range.File); err != nil {
			return nil, err
		}
	}
	var out []*rules.Rule
	for _, r := range Registry() {
		if want[r.Code] {
			out = append(out, r)
		}
	}
	return out, nil
}

// excludeHook applies each configuration's exclude globs, relative to its
// own directory, during discovery.
func excludeHook(resolver *config.Resolver) func(rel string, isDir bool) bool {
	return func(rel string, isDir bool) bool {
		var cfg *config.Config
		if isDir {
			cfg = resolver.ForRelDir(rel)
		} else {
			cfg = resolver.For(rel)
		}
		if cfg == nil || len(cfg.Exclude) == 0 {
			return false
		}
		p, ok := cfg.RelPath(resolver.Root(), rel)
		if !ok {
			return false
		}
		for _, g := range cfg.Exclude {
			if parsers.ExcludeMatch(g, p) {
				return true
			}
		}
		return false
	}
}

// postProcess is the stage between the engine and the report: per-file
// selection, inline suppressions, severity overrides, per-file ignores,
// fingerprints, the baseline, the named files and the changed lines.
//
// The engine's findings arrive settled: selected with pf.enabledIn (the
// engine's Enabled) and sorted; every step here keeps the order, so the
// final sort is needed only when a step did not.
func postProcess(ws *parsers.Workspace, src *suppress.Sources, diags []rules.Finding, pf *perFile, opts Options) ([]rules.Finding, int) {
	if !opts.NoIgnore {
		registry := map[string]*rules.Rule{}
		for _, r := range Registry() {
			registry[r.Code] = r
		}
		diags = suppress.Apply(src, diags, suppress.Options{
			Rule:    func(code string) *rules.Rule { return registry[code] },
			Enabled: pf.enabledIn,
		})
	}
	for i := range diags {
		cfg := pf.resolver.For(diags[i].Range.File)
		applySeverity(&diags[i], cfg)
		perFileIgnore(&diags[i], cfg, pf.resolver.Root())
	}
	suppress.Fingerprints(src, diags)
	stale := 0
	if opts.Baseline != nil {
		stale = opts.Baseline.Apply(diags)
	}
	if ws.Targets != nil {
		diags = onlyTargets(ws, diags)
	}
	if opts.Changed != nil {
		diags = opts.Changed.Keep(diags, ws.Identity)
	}
	if !rules.FindingsSorted(diags) {
		rules.SortFindings(diags)
	}
	return diags, stale
}

// applySeverity applies the configuration's per-code severity overrides
// (by code or prefix, the longest prefix winning).
func applySeverity(d *rules.Finding, c *config.Config) {
	if c == nil || len(c.Severity) == 0 {
		return
	}
	best := -1
	for code, sev := range c.Severity {
		up := strings.ToUpper(code)
		if !strings.HasPrefix(d.Code, up) || len(up) <= best {
			continue
		}
		if s, err := rules.ParseSeverity(sev); err == nil {
			d.Severity = s
			best = len(up)
		}
	}
}

// perFileIgnore marks a finding in a file that the configuration's
// per-file-ignores cover (globs relative to the configuration file's
// directory) as suppressed by the configuration.
func perFileIgnore(d *rules.Finding, c *config.Config, root string) {
	if c == nil || len(c.PerFileIgnores) == 0 || d.Suppression != nil {
		return
	}
	rel, ok := c.RelPath(root, d.Range.File)
	if !ok {
		return
	}
	for glob, codes := range c.PerFileIgnores {
		if !parsers.ExcludeMatch(glob, rel) {
			continue
		}
		for _, code := range codes {
			if strings.HasPrefix(d.Code, strings.ToUpper(code)) || strings.EqualFold(code, "ALL") {
				where := "the configuration"
				if c.Path != "" {
					where = c.Path
					if l := c.Lines["per-file-ignores"]; l > 0 {
						where = fmt.Sprintf("%s:%d", c.Path, l)
					}
				}
				d.Suppression = &rules.Suppression{Kind: "external", Justification: fmt.Sprintf("per-file-ignores %q in %s", glob, where)}
				return
			}
		}
	}
}

// mergeSettings lays the command line's settings over a configuration's.
func mergeSettings(cli rules.Settings, c *config.Config) rules.Settings {
	s := cli
	if c == nil {
		return s
	}
	setIfEmpty(&s.NginxVersion, c.NginxVersion)
	setIfEmpty(&s.HAProxyVersion, c.HAProxyVersion)
	setIfEmpty(&s.DjangoVersion, c.DjangoVersion)
	setIfEmpty(&s.GunicornVersion, c.GunicornVersion)
	setIfEmpty(&s.CaddyVersion, c.CaddyVersion)
	setIfEmpty(&s.SettingsModule, c.SettingsModule)
	s.DevSettings = append(append([]string{}, cli.DevSettings...), c.DevSettings...)
	s.TrustedProxies = append(append([]string{}, cli.TrustedProxies...), c.TrustedProxies...)
	s.Topology = append([]rules.TopologyLink{}, cli.Topology...)
	for _, t := range c.Topology {
		s.Topology = append(s.Topology, rules.TopologyLink{Proxy: t.Proxy, App: t.App})
	}
	return s
}
