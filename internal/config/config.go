// Package config loads mtlslint's configuration from `.mtlslint.toml` or
// the `[tool.mtlslint]` table of `pyproject.toml`.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/cfgnode"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// FileName is the dedicated configuration file.
const FileName = ".mtlslint.toml"

// Config is the content of one configuration file.
type Config struct {
	Select         []string            `toml:"select"`
	ExtendSelect   []string            `toml:"extend-select"`
	Ignore         []string            `toml:"ignore"`
	PerFileIgnores map[string][]string `toml:"per-file-ignores"`
	Exclude        []string            `toml:"exclude"`
	FailOn         string              `toml:"fail-on"`
	Severity       map[string]string   `toml:"severity"`

	NginxVersion    string `toml:"nginx-version"`
	HAProxyVersion  string `toml:"haproxy-version"`
	DjangoVersion   string `toml:"django-version"`
	GunicornVersion string `toml:"gunicorn-version"`
	CaddyVersion    string `toml:"caddy-version"`

	SettingsModule string     `toml:"settings-module"`
	DevSettings    []string   `toml:"dev-settings"`
	TrustedProxies []string   `toml:"trusted-proxies"`
	Topology       []Topology `toml:"topology"`
	Helm           []Helm     `toml:"helm"`

	// Path is the file the configuration came from; empty for defaults.
	Path string `toml:"-"`
	// Lines maps each top-level key set in the file to its line, for
	// `mtlslint config` and error messages.
	Lines map[string]int `toml:"-"`
}

// Topology says which proxy fronts which app.
type Topology struct {
	// Proxy is a proxy configuration file (relative to the configuration
	// file's directory) or an upstream / backend name.
	Proxy string `toml:"proxy"`
	// App is a settings module ("proj.settings.prod") or an app directory.
	App  string `toml:"app"`
	Line int    `toml:"-"`
}

// Helm names the environments of a Helm chart: each [[helm]] table is one
// rendering of the chart with the values files it lists (over the chart's
// values.yaml, later ones winning). Paths are relative to the
// configuration file's directory.
type Helm struct {
	Chart     string   `toml:"chart"`
	Values    []string `toml:"values"`
	Namespace string   `toml:"namespace"`
	Release   string   `toml:"release"`
	Line      int      `toml:"-"`
}

// Error is a configuration error with its file and line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Find looks for the nearest configuration from dir upwards: a
// `.mtlslint.toml`, or a `pyproject.toml` with a [tool.mtlslint] table. It
// returns "" when there is none.
func Find(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(abs, FileName)
		if _, err := os.Lstat(p); err == nil {
			return p, nil // Load refuses it if it is not a regular file
		}
		p = filepath.Join(abs, "pyproject.toml")
		if b, found, err := readCandidate(p, abs); err != nil {
			return "", err
		} else if found && hasToolTable(b) {
			return p, nil
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return "", nil
		}
		abs = parent
	}
}

var toolTable = source.LazyRegexp(`(?m)^\s*\[\s*tool\s*\.\s*(mtlslint|"mtlslint")\s*[\].]`)

func hasToolTable(b []byte) bool { return toolTable().Match(b) }

// MaxFileSize caps a configuration file: real ones are a few kilobytes.
const MaxFileSize = 1 << 20

// Load reads a configuration file named on the command line: a regular
// file of at most MaxFileSize bytes (a link is followed: the user named
// it).
func Load(path string) (*Config, error) {
	return loadIn(path, "")
}

// loadIn reads a configuration file found in a directory: a regular file
// that does not lead out of tree through a symbolic link.
func loadIn(path, tree string) (*Config, error) {
	b, err := parsers.ReadSettingsFile(path, tree, MaxFileSize)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &Error{File: path, Msg: "configuration file not found"}
		}
		return nil, &Error{File: path, Msg: "cannot read the configuration: " + err.Error()}
	}
	return Parse(path, b)
}

// readCandidate reads a file that may be a configuration (pyproject.toml
// may hold one): found is false when there is no such file.
func readCandidate(path, tree string) (b []byte, found bool, err error) {
	if _, err := os.Lstat(path); err != nil {
		return nil, false, nil
	}
	b, err = parsers.ReadSettingsFile(path, tree, MaxFileSize)
	if err != nil {
		return nil, true, &Error{File: path, Msg: "cannot read the configuration: " + err.Error()}
	}
	return b, true, nil
}

// Parse reads configuration from content; path decides the layout
// (pyproject.toml reads [tool.mtlslint]).
func Parse(path string, content []byte) (*Config, error) {
	cfg := &Config{Path: path, Lines: map[string]int{}}
	if at := cfgnode.TOMLDeeper(content, cfgnode.MaxDepth); at >= 0 {
		// Before decoding: the TOML library takes minutes on deep
		// inline tables.
		return nil, &Error{File: path, Line: 1 + bytes.Count(content[:at], []byte("\n")),
			Msg: fmt.Sprintf("arrays and inline tables nested more than %d deep", cfgnode.MaxDepth)}
	}
	prefix := []string{}
	var md toml.MetaData
	var err error
	if filepath.Base(path) == "pyproject.toml" {
		var doc struct {
			Tool struct {
				Mtlslint *Config `toml:"mtlslint"`
			} `toml:"tool"`
		}
		doc.Tool.Mtlslint = cfg
		md, err = toml.Decode(string(content), &doc)
		prefix = []string{"tool", "mtlslint"}
	} else {
		md, err = toml.Decode(string(content), cfg)
	}
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: path, Line: pe.Position.Line, Msg: pe.Message}
		}
		return nil, &Error{File: path, Msg: err.Error()}
	}
	lines := keyLines(content)
	for _, k := range md.Undecoded() {
		if len(k) <= len(prefix) || !hasPrefix(k, prefix) {
			continue // other tools' tables in pyproject.toml
		}
		return nil, &Error{File: path, Line: lines[k.String()], Msg: fmt.Sprintf("unknown key %q", strings.Join(k[len(prefix):], "."))}
	}
	for _, k := range md.Keys() {
		if len(k) == len(prefix)+1 && hasPrefix(k, prefix) {
			cfg.Lines[k[len(prefix)]] = lines[k.String()]
		}
	}
	cfg.Path = path
	if err := cfg.validate(lines, prefix); err != nil {
		return nil, err
	}
	topo := 0
	for _, l := range arrayLines(content, topologyHeader()) {
		if topo < len(cfg.Topology) {
			cfg.Topology[topo].Line = l
			topo++
		}
	}
	for i, l := range arrayLines(content, helmHeader()) {
		if i < len(cfg.Helm) {
			cfg.Helm[i].Line = l
		}
	}
	return cfg, nil
}

func hasPrefix(k toml.Key, prefix []string) bool {
	for i, p := range prefix {
		if k[i] != p {
			return false
		}
	}
	return true
}

var severities = map[string]bool{"info": true, "low": true, "medium": true, "high": true, "critical": true}

func (c *Config) validate(lines map[string]int, prefix []string) error {
	at := func(key string) int { return lines[strings.Join(append(append([]string{}, prefix...), key), ".")] }
	if c.FailOn != "" && !severities[strings.ToLower(c.FailOn)] {
		return &Error{File: c.Path, Line: at("fail-on"), Msg: fmt.Sprintf("fail-on = %q: want info, low, medium, high or critical", c.FailOn)}
	}
	codes := make([]string, 0, len(c.Severity))
	for code := range c.Severity {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		if !severities[strings.ToLower(c.Severity[code])] {
			return &Error{File: c.Path, Line: at("severity"), Msg: fmt.Sprintf("severity.%s = %q: want info, low, medium, high or critical", code, c.Severity[code])}
		}
	}
	for i, t := range c.Topology {
		if t.Proxy == "" || t.App == "" {
			return &Error{File: c.Path, Line: at("topology"), Msg: fmt.Sprintf("topology entry %d needs both proxy and app", i+1)}
		}
	}
	for i, h := range c.Helm {
		if strings.TrimSpace(h.Chart) == "" {
			return &Error{File: c.Path, Line: at("helm"), Msg: fmt.Sprintf("helm entry %d needs chart, the chart's directory", i+1)}
		}
	}
	return nil
}

var tableHeader = source.LazyRegexp(`^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$`)
var keyLine = source.LazyRegexp(`^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=`)

// keyLines maps every dotted key path to the line where it is set, by a
// light scan of the TOML text (the decoder does not expose key positions).
func keyLines(content []byte) map[string]int {
	out := map[string]int{}
	table := ""
	for i, line := range bytes.Split(content, []byte("\n")) {
		s := string(line)
		if m := tableHeader().FindStringSubmatch(s); m != nil && !strings.Contains(s, "=") {
			table = normKey(m[1])
			if _, ok := out[table]; !ok {
				out[table] = i + 1
			}
			continue
		}
		if m := keyLine().FindStringSubmatch(s); m != nil {
			k := normKey(m[1])
			if table != "" {
				k = table + "." + k
			}
			if _, ok := out[k]; !ok {
				out[k] = i + 1
			}
		}
	}
	return out
}

func normKey(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

var (
	topologyHeader = source.LazyRegexp(`^\s*\[\[\s*(tool\s*\.\s*mtlslint\s*\.\s*)?topology\s*\]\]`)
	helmHeader     = source.LazyRegexp(`^\s*\[\[\s*(tool\s*\.\s*mtlslint\s*\.\s*)?helm\s*\]\]`)
)

// arrayLines returns the lines of the headers of an array of tables.
func arrayLines(content []byte, header *regexp.Regexp) []int {
	var out []int
	for i, line := range bytes.Split(content, []byte("\n")) {
		if header.Match(line) {
			out = append(out, i+1)
		}
	}
	return out
}

// Origin says where a top-level key's value came from.
func (c *Config) Origin(key string) string {
	if c == nil || c.Path == "" {
		return "default"
	}
	if l, ok := c.Lines[key]; ok {
		return fmt.Sprintf("%s:%d", c.Path, l)
	}
	return "default"
}
