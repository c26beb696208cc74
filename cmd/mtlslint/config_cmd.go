package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/mtlslint/mtlslint/internal/config"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/internal/report"
	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/gunicorn"
)

// setting is one effective configuration value and where it came from.
type setting struct {
	Key    string   `json:"key"`
	Value  any      `json:"value"`          // null when unset, with a note saying what happens then
	Note   string   `json:"note,omitempty"` //
	Origin []string `json:"origin"`         // "default", "FILE:LINE", "command line (--flag)"
}

// effective is what `mtlslint config` prints.
type effective struct {
	Path     string    `json:"path"`          // the file or directory asked about
	File     string    `json:"config_file"`   // "" when none applies
	Settings []setting `json:"settings"`      // every key, in documentation order
	Enabled  []string  `json:"enabled_rules"` // codes
}

// runConfig prints the configuration that applies to a path: each value
// with the file and line (or the flag) it came from.
func runConfig(args []string, e *env) int {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var f checkFlags
	f.registerConfig(fs)
	f.registerOutput(fs, "text, json", "configuration")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: mtlslint config [flags] [PATH]\n\n"+
			"Prints the configuration that applies to PATH (a file or directory, default .):\n"+
			"the nearest .mtlslint.toml or pyproject.toml [tool.mtlslint] from PATH upwards\n"+
			"(or --config), with the command line's flags laid over it, and where each value\n"+
			"came from. --format json for a machine-readable form.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	if len(paths) > 1 {
		return e.errorf("usage: mtlslint config [flags] [PATH]")
	}
	root, rel, err := resolveRoot(f.root, paths)
	if err != nil {
		return e.errorf("%v", err)
	}
	resolver, err := config.NewResolver(root, f.configPath, f.isolated)
	if err != nil {
		return configError(e, err)
	}
	target := "."
	if len(rel) == 1 {
		target = rel[0]
	}
	var cfg *config.Config
	if isDir(filepath.Join(root, filepath.FromSlash(target))) {
		cfg = resolver.ForRelDir(target)
	} else {
		cfg = resolver.For(target)
	}
	if err := resolver.Err(); err != nil {
		return configError(e, err)
	}
	rootCfg, err := resolver.ForRoot()
	if err != nil {
		return configError(e, err)
	}
	var pinned gunicorn.PinnedVersion
	if r, err := parsers.NewFSReader(root, 0, nil); err == nil {
		pinned, _ = gunicorn.Version(r, "gunicorn")
	}
	eff := describe(&f, cfg, rootCfg, pinned)
	eff.Path = target
	if len(paths) == 1 {
		eff.Path = paths[0] // as named: the root may lie above the current directory
	}
	// The rules enabled there, as check computes them.
	selected, err := lint.Selection(cfg, f.sel, f.extend, f.ignore)
	if err != nil {
		return configError(e, err)
	}
	for _, r := range selected {
		eff.Enabled = append(eff.Enabled, r.Code)
	}
	if f.format != "text" && f.format != "json" && f.format != "" {
		return e.errorf("unknown format %q (want text or json)", f.format)
	}
	out, done, err := e.redirect(f.output)
	if err != nil {
		return e.errorf("%v", err)
	}
	defer done()
	e = out
	if f.format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(eff); err != nil {
			return e.errorf("%v", err)
		}
		return exitClean
	}
	if f.format != "text" && f.format != "" {
		return e.errorf("unknown format %q (want text or json)", f.format)
	}
	if eff.File == "" {
		fmt.Fprintf(e.stdout, "Configuration for %s: no configuration file applies (defaults and flags only)\n\n", report.Printable(eff.Path))
	} else {
		fmt.Fprintf(e.stdout, "Configuration for %s: %s\n\n", report.Printable(eff.Path), report.Printable(eff.File))
	}
	// Values, paths and origins come from files: each is made printable.
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tFROM")
	for _, s := range eff.Settings {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", report.Printable(s.Key), report.Printable(render(s)), report.Printable(strings.Join(s.Origin, ", ")))
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "\nEnabled rules (%d): %s\n", len(eff.Enabled), strings.Join(eff.Enabled, " "))
	return exitClean
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func configError(e *env, err error) int {
	var ce *config.Error
	if errors.As(err, &ce) {
		return e.errorf("configuration error: %v", ce)
	}
	return e.errorf("%v", err)
}

// describe lists every key with its effective value and origin: from c,
// the configuration nearest to the path, except for fail-on and the
// topology, which hold for the whole run and come from rootCfg, the
// configuration of the workspace root.
func describe(f *checkFlags, c, rootCfg *config.Config, pinned gunicorn.PinnedVersion) effective {
	eff := effective{}
	if c != nil {
		eff.File = c.Path
	}
	origin := func(c *config.Config, key string) []string {
		if c == nil {
			return nil
		}
		if _, ok := c.Lines[key]; !ok {
			return nil
		}
		return []string{c.Origin(key)}
	}
	at := func(key string) []string { return origin(c, key) }
	add := func(key string, value any, origin []string) {
		if len(origin) == 0 {
			origin = []string{"default"}
		}
		s := setting{Key: key, Value: value, Origin: origin}
		if n, ok := value.(unset); ok {
			s.Value, s.Note = nil, string(n)
		}
		eff.Settings = append(eff.Settings, s)
	}
	cfg := c
	if cfg == nil {
		cfg = &config.Config{}
	}
	root := rootCfg
	if root == nil {
		root = &config.Config{}
	}
	flagOrigin := func(name string, set bool) []string {
		if set {
			return []string{"command line (--" + name + ")"}
		}
		return nil
	}
	list := func(key, flagName string, fromFile, fromFlag []string) {
		v := append(append([]string{}, fromFile...), fromFlag...)
		add(key, v, append(at(key), flagOrigin(flagName, len(fromFlag) > 0)...))
	}
	// select: the command line replaces the file's.
	switch {
	case len(f.sel) > 0:
		add("select", []string(f.sel), flagOrigin("select", true))
	case len(cfg.Select) > 0:
		add("select", cfg.Select, at("select"))
	default:
		add("select", unset("all rules"), nil)
	}
	list("extend-select", "extend-select", cfg.ExtendSelect, f.extend)
	list("ignore", "ignore", cfg.Ignore, f.ignore)
	list("exclude", "exclude", cfg.Exclude, f.exclude)
	add("per-file-ignores", nonNilMap(cfg.PerFileIgnores), at("per-file-ignores"))
	switch {
	case f.failOn != "":
		add("fail-on", f.failOn, flagOrigin("fail-on", true))
	case root.FailOn != "":
		add("fail-on", root.FailOn, origin(rootCfg, "fail-on"))
	default:
		add("fail-on", unset("low"), nil)
	}
	add("severity", nonNilMap(cfg.Severity), at("severity"))
	version := func(key, flagValue, fileValue string) {
		switch {
		case flagValue != "":
			add(key, flagValue, flagOrigin(key, true))
		case fileValue != "":
			add(key, fileValue, at(key))
		default:
			add(key, unset("unknown: rules assume the worst case"), nil)
		}
	}
	version("nginx-version", f.nginxVersion, cfg.NginxVersion)
	version("haproxy-version", f.haproxyVersion, cfg.HAProxyVersion)
	version("django-version", f.djangoVersion, cfg.DjangoVersion)
	version("caddy-version", f.caddyVersion, cfg.CaddyVersion)
	if pinned.Version != "" {
		// check takes gunicorn's version from the repository's
		// requirements or lock files before the configuration.
		add("gunicorn-version", pinned.Version, []string{fmt.Sprintf("%s:%d (pinned in the repository)", pinned.Range.File, pinned.Range.Start.Line)})
	} else {
		version("gunicorn-version", f.gunicornVersion, cfg.GunicornVersion)
	}
	if cfg.SettingsModule != "" {
		add("settings-module", cfg.SettingsModule, at("settings-module"))
	} else {
		add("settings-module", unset("detected from the repository"), nil)
	}
	add("dev-settings", nonNil(cfg.DevSettings), at("dev-settings"))
	add("trusted-proxies", nonNil(cfg.TrustedProxies), at("trusted-proxies"))
	var topo []map[string]string
	var topoOrigin []string
	for _, t := range root.Topology {
		topo = append(topo, map[string]string{"proxy": t.Proxy, "app": t.App})
		topoOrigin = append(topoOrigin, fmt.Sprintf("%s:%d", root.Path, t.Line))
	}
	if topo == nil {
		add("topology", unset("linked by address, else every proxy fronts every app"), nil)
	} else {
		add("topology", topo, topoOrigin)
	}
	var helm []map[string]any
	var helmOrigin []string
	for _, h := range root.Helm {
		helm = append(helm, map[string]any{"chart": h.Chart, "values": nonNil(h.Values), "namespace": h.Namespace, "release": h.Release})
		helmOrigin = append(helmOrigin, fmt.Sprintf("%s:%d", root.Path, h.Line))
	}
	if helm == nil {
		add("helm", unset("each chart with its values.yaml, and once more with each values-*.yaml and values/*.yaml beside it"), nil)
	} else {
		add("helm", helm, helmOrigin)
	}
	return eff
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilMap[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

// unset describes the behaviour when a key is not set.
type unset string

// render prints a value in TOML-like notation.
func render(s setting) string {
	if s.Value == nil {
		return "(" + s.Note + ")"
	}
	return renderValue(s.Value)
}

// renderList prints a list of tables.
func renderList[T any](x []T) string {
	parts := make([]string, len(x))
	for i, m := range x {
		parts[i] = renderValue(m)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func renderValue(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case []string:
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case map[string]string:
		return renderMap(len(x), func(yield func(string, string)) {
			for k, v := range x {
				yield(k, strconv.Quote(v))
			}
		})
	case map[string][]string:
		return renderMap(len(x), func(yield func(string, string)) {
			for k, v := range x {
				yield(k, renderValue(v))
			}
		})
	case []map[string]string:
		return renderList(x)
	case map[string]any:
		return renderMap(len(x), func(yield func(string, string)) {
			for k, v := range x {
				yield(k, renderValue(v))
			}
		})
	case []map[string]any:
		return renderList(x)
	default:
		return fmt.Sprint(v)
	}
}

func renderMap(n int, each func(func(k, v string))) string {
	parts := make([]string, 0, n)
	each(func(k, v string) { parts = append(parts, strconv.Quote(k)+" = "+v) })
	sort.Strings(parts)
	return "{" + strings.Join(parts, ", ") + "}"
}
