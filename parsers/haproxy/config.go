// Package haproxy reads HAProxy configurations: a lexer that follows
// HAProxy's own line parser (quotes, escapes, environment variables,
// comments, the 64-word limit), sections with keyword lines and exact
// ranges, conditional blocks with every branch kept, loading of file sets
// (haproxy.cfg with conf.d/, directories in C order), and a model of the
// proxies: binds with their TLS options, modes with defaults inheritance,
// http-request rules, backend selection and servers.
package haproxy

import (
	"bytes"
	"path"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Kind is the tree kind of a HAProxy configuration (parsers.KindHAProxy).
const Kind = "haproxy"

// Config is one HAProxy configuration: the files HAProxy would load
// together (one or more -f options), in load order. It is a parsers.Tree.
type Config struct {
	// Parsed are the files in load order.
	Parsed []*File
	// Sections are the sections of all files in load order.
	Sections []*Section
	// Proxies are the defaults, frontend, backend and listen sections.
	Proxies []*Proxy
	// Globals are the global sections (several are allowed).
	Globals []*Section
	// Extra are other files the configuration reads that were found in
	// the repository: crt-list files.
	Extra []*source.File

	// backends indexes the first backend or listen section of each name
	// (Build fills it): rules and checks look backends up for every
	// use_backend line.
	backends map[string]*Proxy
	// released is set by Release.
	released bool
}

// Release drops what was parsed (sections, proxies, lines and words),
// keeping the files: Kind, Root and Files still answer. The check
// command's engine calls it once the configuration's rules and routes are
// done, so that its tree can be freed while other configurations are
// checked; the routes keep nothing of it.
func (c *Config) Release() {
	for i, f := range c.Parsed {
		c.Parsed[i] = &File{Source: f.Source}
	}
	c.Sections, c.Proxies, c.Globals, c.backends = nil, nil, nil, nil
	c.released = true
}

// Released reports whether Release dropped what was parsed: an empty
// configuration then says nothing about the files, and reading it is a
// mistake.
func (c *Config) Released() bool { return c.released }

// Kind implements parsers.Tree.
func (c *Config) Kind() string { return Kind }

// Root implements parsers.Tree: the first file loaded.
func (c *Config) Root() *source.File { return c.Parsed[0].Source }

// Files implements parsers.Tree.
func (c *Config) Files() []*source.File {
	out := make([]*source.File, 0, len(c.Parsed)+len(c.Extra))
	for _, f := range c.Parsed {
		out = append(out, f.Source)
	}
	return append(out, c.Extra...)
}

// Backend returns the backend or listen section with the given name, or
// nil.
func (c *Config) Backend(name string) *Proxy {
	if c.backends != nil {
		return c.backends[name]
	}
	for _, p := range c.Proxies {
		if p.IsBackend() && p.Name == name {
			return p
		}
	}
	return nil
}

// Frontends returns the frontend and listen sections.
func (c *Config) Frontends() []*Proxy {
	var out []*Proxy
	for _, p := range c.Proxies {
		if p.IsFrontend() {
			out = append(out, p)
		}
	}
	return out
}

// GlobalLines returns the lines of all global sections with keyword kw.
func (c *Config) GlobalLines(kw string) []*Line {
	var out []*Line
	for _, g := range c.Globals {
		for _, l := range g.Lines {
			if l.Keyword() == kw {
				out = append(out, l)
			}
		}
	}
	return out
}

// BindOption returns a bind's effective value of an option that global
// ssl-default-bind-options may also set (ssl-min-ver, ssl-max-ver, ...),
// and the word that sets it (on the bind, or in the global section).
func (c *Config) BindOption(b *Bind, name string) (Word, bool) {
	if w, ok := b.Opt(name); ok {
		return w, true
	}
	var found Word
	ok := false
	for _, l := range c.GlobalLines("ssl-default-bind-options") {
		opts, _ := parseOptions(l.Args(), 1)
		if w, has := opts[name]; has {
			found, ok = w, true
		}
	}
	return found, ok
}

// BindCiphers returns the cipher string that applies to a bind: its own
// "ciphers", or the global ssl-default-bind-ciphers.
func (c *Config) BindCiphers(b *Bind) (Word, bool) {
	if w, ok := b.Opt("ciphers"); ok {
		return w, true
	}
	ls := c.GlobalLines("ssl-default-bind-ciphers")
	if len(ls) == 0 || len(ls[len(ls)-1].Args()) < 2 {
		return Word{}, false
	}
	return ls[len(ls)-1].Args()[1], true
}

// Build assembles a configuration from parsed files in load order.
func Build(files []*File) *Config {
	c := &Config{Parsed: files}
	for _, f := range files {
		for _, s := range f.Sections {
			s.Index = len(c.Sections)
			c.Sections = append(c.Sections, s)
			if s.Kind == "global" {
				c.Globals = append(c.Globals, s)
			}
		}
	}
	c.Proxies = buildProxies(c.Sections)
	c.backends = map[string]*Proxy{}
	for _, p := range c.Proxies {
		if _, ok := c.backends[p.Name]; !ok && p.IsBackend() {
			c.backends[p.Name] = p
		}
	}
	return c
}

// Candidate reports from the name alone whether a file may be a HAProxy
// configuration: *.cfg (haproxy.cfg, conf.d/*.cfg, ...).
func Candidate(rel string) bool {
	return strings.HasSuffix(strings.ToLower(rel), ".cfg")
}

// Detect decides from the name and the content: a haproxy*.cfg file, or a
// *.cfg file whose lines open HAProxy sections and use HAProxy keywords
// (and that does not look like an INI file such as setup.cfg).
func Detect(rel string, content []byte) bool {
	if !Candidate(rel) {
		return false
	}
	base := strings.ToLower(path.Base(rel))
	sections, keywords, ini := 0, 0, 0
	content = bytes.TrimPrefix(content, []byte("\xef\xbb\xbf")) // reported by the parser
	for line := range bytes.Lines(content) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if line[0] == '[' || bytes.Contains(line, []byte(" = ")) || bytes.HasSuffix(line, []byte("=")) {
			ini++
			continue
		}
		first := line
		if k := bytes.IndexAny(line, " \t"); k >= 0 {
			first = line[:k]
		}
		w := string(first)
		switch {
		case w == "global" || w == "defaults" || w == "frontend" || w == "backend" || w == "listen" || w == "userlist" || w == "peers" || w == "resolvers":
			sections++
		case detectKeywords[w]:
			keywords++
		}
	}
	if strings.HasPrefix(base, "haproxy") {
		return sections+keywords > 0
	}
	return sections > 0 && keywords > 0 && keywords+sections > ini
}

var detectKeywords = map[string]bool{
	"bind": true, "server": true, "mode": true, "balance": true, "default_backend": true,
	"use_backend": true, "timeout": true, "maxconn": true, "option": true, "http-request": true,
	"acl": true, "log": true, "stats": true, "default-server": true, "tcp-request": true,
	"http-response": true, "daemon": true, "nbthread": true, "user": true, "chroot": true,
}

// Load parses the detected files into configurations. A haproxy*.cfg file
// with a conf.d/ (or haproxy.d/) directory beside it is loaded with that
// directory, as "-f haproxy.cfg -f conf.d" does; the remaining files of a
// directory whose name ends in ".d" form one configuration in C (byte)
// order of their names, as "-f dir" loads them; every other file is a
// configuration of its own.
func Load(r source.Reader, paths []string) ([]*Config, []source.Problem) {
	var (
		configs  []*Config
		problems []source.Problem
		used     = map[string]bool{}
	)
	pre := preparse(r, paths)
	// Configurations are built several at once once every group of files
	// is known; each one's problems go where they would if it were built
	// at once, after its files' parse problems.
	type group struct {
		files    []*File
		at       int // len(problems) when the group was complete
		config   *Config
		rejected []source.Problem
	}
	var groups []*group
	add := func(files []*File) {
		groups = append(groups, &group{files: files, at: len(problems)})
	}
	parse := func(rel string) *File {
		if source.Cancelled(r) != nil {
			return nil // the run was cancelled: stop working
		}
		if p, ok := pre[rel]; ok {
			problems = append(problems, p.problems...)
			return p.file
		}
		f, err := r.ReadFile(rel)
		if err != nil {
			problems = append(problems, source.Problem{Kind: source.ProblemSkipped,
				Range:   source.Range{File: rel, Start: source.Pos{Line: 1, Col: 1}, End: source.Pos{Line: 1, Col: 1}},
				Message: "cannot read: " + err.Error()})
			return nil
		}
		pf, probs := ParseFile(f)
		problems = append(problems, probs...)
		return pf
	}
	sorted := append([]string(nil), paths...)
	sort.Strings(sorted)
	// Main files with a conf.d first.
	for _, rel := range sorted {
		base := strings.ToLower(path.Base(rel))
		if !strings.HasPrefix(base, "haproxy") || used[rel] {
			continue
		}
		dir := path.Dir(rel)
		var extra []string
		for _, sub := range []string{"conf.d", "haproxy.d"} {
			matches, err := r.Glob(path.Join(dir, sub, "*.cfg"))
			if err != nil {
				continue
			}
			for _, m := range matches {
				if !strings.HasPrefix(path.Base(m), ".") && !used[m] {
					extra = append(extra, m)
				}
			}
		}
		if len(extra) == 0 {
			continue
		}
		used[rel] = true
		var files []*File
		if f := parse(rel); f != nil {
			files = append(files, f)
		}
		for _, m := range extra {
			used[m] = true
			if f := parse(m); f != nil {
				files = append(files, f)
			}
		}
		if len(files) > 0 {
			add(files)
		}
	}
	// Directories loaded with -f dir.
	byDir := map[string][]string{}
	var dirs []string
	for _, rel := range sorted {
		dir := path.Dir(rel)
		if used[rel] || !strings.HasSuffix(dir, ".d") {
			continue
		}
		if _, ok := byDir[dir]; !ok {
			dirs = append(dirs, dir)
		}
		byDir[dir] = append(byDir[dir], rel)
	}
	for _, dir := range dirs {
		var files []*File
		for _, rel := range byDir[dir] {
			used[rel] = true
			if f := parse(rel); f != nil {
				files = append(files, f)
			}
		}
		if len(files) > 0 {
			add(files)
		}
	}
	for _, rel := range sorted {
		if used[rel] {
			continue
		}
		used[rel] = true
		if f := parse(rel); f != nil {
			add([]*File{f})
		}
	}
	source.Each(source.Jobs(r), len(groups), func(i int) {
		if source.Cancelled(r) != nil {
			return
		}
		g := groups[i]
		c := Build(g.files)
		g.rejected = Rejected(c)
		g.config = withCrtLists(r, c)
	})
	var merged []source.Problem
	from := 0
	for _, g := range groups {
		if g.config == nil {
			continue // cancelled
		}
		merged = append(append(merged, problems[from:g.at]...), g.rejected...)
		from = g.at
		configs = append(configs, g.config)
	}
	problems = append(merged, problems[from:]...)
	sort.SliceStable(configs, func(i, j int) bool { return configs[i].Root().Path < configs[j].Root().Path })
	return configs, problems
}

type parsed struct {
	file     *File
	problems []source.Problem
}

// preparse parses the files that were read without error, up to
// source.Jobs(r) at once; Load takes them in its own order, with their
// problems.
func preparse(r source.Reader, paths []string) map[string]parsed {
	out := make([]parsed, len(paths))
	ok := make([]bool, len(paths))
	source.ReadEach(r, paths, func(i int, f *source.File) {
		out[i].file, out[i].problems = ParseFile(f)
		ok[i] = true
	})
	m := make(map[string]parsed, len(paths))
	for i, rel := range paths {
		if ok[i] {
			m[rel] = out[i]
		}
	}
	return m
}

// withCrtLists reads the crt-list files that binds name, when the
// repository holds them, and attaches their entries to the binds. A
// crt-list that is not found is not an error: like certificates, it
// usually lives only on the deployed host.
func withCrtLists(r source.Reader, c *Config) *Config {
	read := map[string]*source.File{}
	for _, p := range c.Frontends() {
		for _, b := range p.Binds {
			w, ok := b.Opt("crt-list")
			if !ok || w.Symbolic() || w.Value() == "" {
				continue
			}
			f := findCrtList(r, path.Dir(b.Line.File.Path), w.Value())
			if f == nil {
				continue
			}
			if _, seen := read[f.Path]; !seen {
				read[f.Path] = f
				c.Extra = append(c.Extra, f)
			}
			b.CrtList = ParseCrtList(f)
		}
	}
	return c
}

// findCrtList looks for a crt-list named in a bind: relative to the
// configuration's directory, relative to the root, and for an absolute
// path, its location under the root and its base name beside the
// configuration.
func findCrtList(r source.Reader, dir, name string) *source.File {
	var cands []string
	if strings.HasPrefix(name, "/") {
		cands = append(cands, strings.TrimPrefix(name, "/"), path.Join(dir, path.Base(name)))
	} else {
		cands = append(cands, path.Join(dir, name), name)
	}
	for _, c := range cands {
		if f, err := r.ReadFile(c); err == nil {
			return f
		}
	}
	return nil
}

// ParseCrtList reads a crt-list file: per line a certificate, optional
// SSL options in brackets, and SNI filters.
func ParseCrtList(f *source.File) []CrtListEntry {
	var out []CrtListEntry
	lx := newLexer(f)
	for ln := 1; ln <= f.LineCount(); ln++ {
		start, end := f.LineStart(ln), f.LineEnd(ln)
		words, _ := lx.line(start, end)
		if len(words) == 0 {
			continue
		}
		l := &Line{File: f, num: int32(ln), Words: words}
		e := CrtListEntry{Line: l, Cert: words[0].Value(), Options: map[string]Word{}}
		k := 1
		if k < len(words) && strings.HasPrefix(words[k].Value(), "[") {
			var opts []Word
			for ; k < len(words); k++ {
				w := words[k]
				closing := strings.HasSuffix(w.Value(), "]")
				w = w.withValue(strings.TrimSuffix(strings.TrimPrefix(w.Value(), "["), "]"))
				if w.Value() != "" {
					opts = append(opts, w)
				}
				if closing {
					k++
					break
				}
			}
			e.Options, _ = parseOptions(opts, 0)
		}
		for ; k < len(words); k++ {
			e.SNI = append(e.SNI, words[k].Value())
		}
		out = append(out, e)
	}
	return out
}

// FindFile looks for a file a configuration in dir names (a crt-list, a
// map or pattern file, an error page) the way crt-lists are found: relative
// to the configuration's directory, relative to the root, and for an
// absolute path, its location under the root and its base name beside the
// configuration. It returns nil when the repository does not have it.
func FindFile(r source.Reader, dir, name string) *source.File { return findCrtList(r, dir, name) }
