package lint

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/mtlslint/mtlslint/internal/config"
	"github.com/mtlslint/mtlslint/rules"
)

// ApplyConfig finds and loads the configuration file (unless opts carries
// one or NoConfig is set) and merges it into opts: values given in opts
// (the command line) win over the file's.
func ApplyConfig(opts Options) (Options, error) {
	if opts.Config == nil && !opts.NoConfig {
		p := opts.ConfigPath
		if p == "" {
			root := opts.Root
			if root == "" {
				root = "."
			}
			found, err := config.Find(root)
			if err != nil {
				return opts, err
			}
			p = found
		}
		if p != "" {
			cfg, err := config.Load(p)
			if err != nil {
				return opts, err
			}
			opts.Config = cfg
		}
	}
	c := opts.Config
	if c == nil {
		return opts, nil
	}
	if len(opts.Select) == 0 {
		opts.Select = c.Select
	}
	opts.ExtendSelect = append(append([]string{}, c.ExtendSelect...), opts.ExtendSelect...)
	opts.Ignore = append(append([]string{}, c.Ignore...), opts.Ignore...)
	opts.Exclude = append(append([]string{}, c.Exclude...), opts.Exclude...)
	s := &opts.Settings
	setIfEmpty(&s.NginxVersion, c.NginxVersion)
	setIfEmpty(&s.HAProxyVersion, c.HAProxyVersion)
	setIfEmpty(&s.DjangoVersion, c.DjangoVersion)
	setIfEmpty(&s.GunicornVersion, c.GunicornVersion)
	setIfEmpty(&s.SettingsModule, c.SettingsModule)
	s.DevSettings = append(s.DevSettings, c.DevSettings...)
	s.TrustedProxies = append(s.TrustedProxies, c.TrustedProxies...)
	for _, t := range c.Topology {
		s.Topology = append(s.Topology, rules.TopologyLink{Proxy: t.Proxy, App: t.App})
	}
	return opts, nil
}

func setIfEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// applySeverity applies the configuration's per-code severity overrides.
func applySeverity(diags []rules.Diagnostic, c *config.Config) []rules.Diagnostic {
	if c == nil || len(c.Severity) == 0 {
		return diags
	}
	for i := range diags {
		for code, sev := range c.Severity {
			if strings.EqualFold(code, diags[i].Code) {
				if s, err := rules.ParseSeverity(sev); err == nil {
					diags[i].Severity = s
				}
			}
		}
	}
	return diags
}

// perFileIgnores drops findings in files matched by the configuration's
// per-file-ignores globs (relative to the configuration file's directory
// as ruff does, falling back to the scanned root).
func perFileIgnores(diags []rules.Diagnostic, c *config.Config) []rules.Diagnostic {
	if c == nil || len(c.PerFileIgnores) == 0 {
		return diags
	}
	out := diags[:0:0]
	for _, d := range diags {
		if !ignoredInFile(d, c) {
			out = append(out, d)
		}
	}
	return out
}

func ignoredInFile(d rules.Diagnostic, c *config.Config) bool {
	for glob, codes := range c.PerFileIgnores {
		g := filepath.ToSlash(strings.TrimPrefix(glob, "./"))
		if ok, _ := path.Match(g, d.Range.File); !ok {
			if ok2, _ := path.Match(g, path.Base(d.Range.File)); !ok2 || strings.Contains(g, "/") {
				continue
			}
		}
		for _, code := range codes {
			if strings.HasPrefix(d.Code, strings.ToUpper(code)) || strings.EqualFold(code, "ALL") {
				return true
			}
		}
	}
	return false
}
