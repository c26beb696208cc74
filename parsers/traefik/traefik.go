// Package traefik reads Traefik's configuration with exact positions: the
// static configuration (entry points with their forwarded-headers trust,
// default TLS and underscore-header strategy) from a YAML or TOML file or
// from the command-line flags of a compose service, and the dynamic
// configuration (routers, services, middlewares such as passTLSClientCert
// and headers, TLS options with client authentication) from files of the
// file provider and from the Docker labels of compose services.
//
// Traefik's files of one deployment work together: each static
// configuration makes an installation, and every dynamic configuration
// belongs to the installation whose static file lives nearest to it.
package traefik

import (
	"bytes"
	"path"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/cfgnode"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/yamlutil"
)

// Kind is the tree kind of Traefik configurations (parsers.KindTraefik).
const Kind = "traefik"

// File is one file's Traefik configuration.
type File struct {
	file *source.File
	// Static is the file's static configuration (a traefik.yml, or a
	// compose service's command flags), nil when it has none.
	Static *Static
	// Dynamic are the file's dynamic configurations: one for a file of
	// the file provider, one per labelled service of a compose file.
	Dynamic []*Dynamic
	install *Installation
}

// Kind implements parsers.Tree.
func (t *File) Kind() string { return Kind }

// Root implements parsers.Tree.
func (t *File) Root() *source.File { return t.file }

// Files implements parsers.Tree.
func (t *File) Files() []*source.File { return []*source.File{t.file} }

// Installation is the Traefik deployment the file belongs to.
func (t *File) Installation() *Installation { return t.install }

// Installation is one Traefik deployment: its static configuration (nil
// when the repository has none) and every dynamic configuration that
// belongs to it.
type Installation struct {
	Static *Static
	Files  []*File
}

// Middleware returns the middleware a router names ("auth" or
// "auth@file"), or nil.
func (in *Installation) Middleware(ref string) *Middleware {
	return find(in, ref, func(d *Dynamic) []*Middleware { return d.Middlewares }, func(m *Middleware) string { return m.Name })
}

// Service returns the service a router names, or nil.
func (in *Installation) Service(ref string) *Service {
	return find(in, ref, func(d *Dynamic) []*Service { return d.Services }, func(s *Service) string { return s.Name })
}

// TLSOption returns the TLS options with the given name, or nil.
func (in *Installation) TLSOption(ref string) *TLSOption {
	return find(in, ref, func(d *Dynamic) []*TLSOption { return d.TLSOptions }, func(o *TLSOption) string { return o.Name })
}

// find looks an object up by name across the installation's files; a
// reference's provider suffix ("@file") is not needed to find it.
func find[T any](in *Installation, ref string, list func(*Dynamic) []*T, name func(*T) string) *T {
	want, _, _ := strings.Cut(ref, "@")
	for _, f := range in.Files {
		for _, d := range f.Dynamic {
			for _, x := range list(d) {
				if strings.EqualFold(name(x), want) {
					return x
				}
			}
		}
	}
	return nil
}

// Candidate reports whether a file may be Traefik configuration, from its
// name.
func Candidate(rel string) bool {
	switch strings.ToLower(path.Ext(rel)) {
	case ".yaml", ".yml", ".toml":
		return true
	}
	return false
}

var (
	tomlTables   = source.LazyRegexp(`(?mi)^[ \t]*\[\[?[ \t]*(entryPoints|http\.(routers|middlewares|services)|tls\.(options|certificates|stores))\b`)
	yamlStatic   = source.LazyRegexp(`(?mi)^entryPoints[ \t]*:`)
	yamlHTTP     = source.LazyRegexp(`(?m)^http[ \t]*:`)
	yamlSections = source.LazyRegexp(`(?mi)^[ \t]+(routers|middlewares|services)[ \t]*:`)
	yamlTLS      = source.LazyRegexp(`(?m)^tls[ \t]*:`)
	yamlTLSKeys  = source.LazyRegexp(`(?mi)^[ \t]+(options|certificates|stores)[ \t]*:`)
	manifest     = source.LazyRegexp(`(?m)^kind:[ \t]*\S`)
	labelOrFlag  = source.LazyRegexp(`(?i)["'\s-]traefik\.http\.|--entrypoints\.`)
)

// Detect decides whether a file holds Traefik configuration: a static or
// dynamic configuration file, or a compose file whose services carry
// Traefik labels or run Traefik with entry-point flags. The expressions
// anchored at line starts run only on the lines a literal test lets
// through (yamlutil.MatchLines); the label expression only on files that
// hold the literal every match of it holds.
func Detect(rel string, content []byte) bool {
	if !Candidate(rel) {
		return false
	}
	if isCompose(rel) {
		return (yamlutil.ContainsFold(content, "traefi") || yamlutil.ContainsFold(content, "--entrypoint")) && labelOrFlag().Match(content)
	}
	if strings.EqualFold(path.Ext(rel), ".toml") {
		return yamlutil.MatchLines(content, 1, tomlTables(), opensTable)
	}
	if yamlutil.MatchLines(content, 1, manifest(), yamlutil.IsKindLine) {
		return false
	}
	return yamlutil.MatchLines(content, 1, yamlStatic(), isEntryPointsLine) ||
		(yamlutil.MatchLines(content, 1, yamlHTTP(), isHTTPLine) && yamlutil.MatchLines(content, 1, yamlSections(), maybeSection)) ||
		(yamlutil.MatchLines(content, 1, yamlTLS(), isTLSLine) && yamlutil.MatchLines(content, 1, yamlTLSKeys(), maybeTLSKey))
}

// The lines each detection expression may match (see Detect).

func opensTable(line []byte) bool {
	t := yamlutil.TrimBlanks(line)
	return len(t) > 0 && t[0] == '['
}

func isEntryPointsLine(line []byte) bool { return yamlutil.HasPrefixFold(line, "entrypoints") }

func isHTTPLine(line []byte) bool { return bytes.HasPrefix(line, []byte("http")) }

func isTLSLine(line []byte) bool { return bytes.HasPrefix(line, []byte("tls")) }

func maybeSection(line []byte) bool { return indentedFrom(line, "rms") }

func maybeTLSKey(line []byte) bool { return indentedFrom(line, "ocs") }

// indentedFrom reports whether a line is indented and its text begins
// with one of the (lower-case ASCII) letters, in any case.
func indentedFrom(line []byte, letters string) bool {
	if len(line) == 0 || (line[0] != ' ' && line[0] != '\t') {
		return false
	}
	t := yamlutil.TrimBlanks(line)
	for i := range letters {
		if yamlutil.HasPrefixFold(t, letters[i:i+1]) {
			return true
		}
	}
	return false
}

// isCompose reports whether a file is named like a compose file.
func isCompose(rel string) bool {
	base := strings.ToLower(path.Base(rel))
	stem := strings.TrimSuffix(strings.TrimSuffix(base, ".yml"), ".yaml")
	return strings.HasPrefix(base, "docker-compose") || strings.HasPrefix(base, "compose") || strings.Contains(base, ".compose.") || strings.HasSuffix(stem, "-compose")
}

// Load parses the detected files and groups them into installations.
func Load(r source.Reader, paths []string) ([]*File, []source.Problem) {
	files, probs := cfgnode.LoadFiles(r, paths, Parse)
	group(files)
	return files, probs
}

// Parse reads one file. A file that is not valid YAML or TOML yields a
// positioned problem and no tree.
func Parse(f *source.File) (*File, []source.Problem) {
	t := &File{file: f}
	if strings.EqualFold(path.Ext(f.Path), ".toml") {
		root, probs := cfgnode.ParseTOML(f)
		if root == nil {
			return nil, probs
		}
		t.read(root)
		return t, probs
	}
	docs, probs := cfgnode.ParseYAML(f)
	if cfgnode.Broken(probs) {
		return nil, probs
	}
	for _, root := range docs {
		if isCompose(f.Path) {
			t.readCompose(root)
		} else {
			t.read(root)
		}
	}
	return t, probs
}

func (t *File) read(root *cfgnode.Node) {
	if s := readStatic(root, t.file.LineRange(1)); s != nil && t.Static == nil {
		t.Static = s
	}
	if root.GetFold("http") != nil || root.GetFold("tls") != nil {
		t.Dynamic = append(t.Dynamic, readDynamic(root, "file", ""))
	}
}

// readCompose reads the Traefik labels of each service (the Docker
// provider) and the static configuration a Traefik service is given on
// its command line.
func (t *File) readCompose(root *cfgnode.Node) {
	for _, svc := range root.Get("services").Entries() {
		var labels []pathEntry
		for _, l := range keyValues(svc.Get("labels")) {
			if k, ok := strings.CutPrefix(l.key, "traefik."); ok {
				labels = append(labels, pathEntry{k, l.value, l.at})
			}
		}
		if len(labels) > 0 {
			d := readDynamic(fromPaths(labels), "docker", svc.Key)
			// A labelled container with routers but no service of its
			// own is the routers' service.
			if len(d.Services) == 0 && len(d.Routers) > 0 {
				d.Services = append(d.Services, &Service{Name: svc.Key, Container: svc.Key, Range: svc.Opening()})
			}
			for _, s := range d.Services {
				if s.Port == nil {
					s.Port = containerPort(svc)
				}
			}
			t.Dynamic = append(t.Dynamic, d)
		}
		var flags []pathEntry
		for _, w := range words(svc.Get("command")) {
			if e, ok := flag(w.Value, w.Range); ok {
				flags = append(flags, e)
			}
		}
		if s := readStatic(fromPaths(flags), svc.Opening()); s != nil && t.Static == nil {
			t.Static = s
		}
	}
}

// flag reads a command-line flag ("--entrypoints.web.address=:80"; a flag
// without a value is true).
func flag(word string, at source.Range) (pathEntry, bool) {
	arg := strings.TrimLeft(word, "-")
	if arg == word {
		return pathEntry{}, false
	}
	k, v, hasValue := strings.Cut(arg, "=")
	if !hasValue {
		v = "true"
	}
	return pathEntry{k, v, at}, true
}

// keyValues reads labels given as a list of "key=value" or as a map.
func keyValues(n *cfgnode.Node) []pathEntry {
	var out []pathEntry
	switch {
	case n == nil:
	case n.Kind == cfgnode.List:
		for _, it := range n.Items {
			k, v, _ := strings.Cut(it.Text(), "=")
			out = append(out, pathEntry{strings.TrimSpace(k), strings.TrimSpace(v), it.Range})
		}
	case n.Kind == cfgnode.Map:
		for _, f := range n.Entries() {
			out = append(out, pathEntry{f.Key, f.Text(), f.Line()})
		}
	}
	return out
}

// words splits a compose command (a list, or one string) into words.
func words(n *cfgnode.Node) []*cfgnode.Node {
	if n != nil && n.Kind == cfgnode.List {
		return n.Items
	}
	var out []*cfgnode.Node
	for _, w := range strings.Fields(n.Text()) {
		out = append(out, &cfgnode.Node{Kind: cfgnode.Scalar, Value: w, Range: n.Range})
	}
	return out
}

// containerPort is the port Traefik uses for a container without a
// loadbalancer.server.port label: its only exposed (or published) port.
func containerPort(svc *cfgnode.Node) *cfgnode.Node {
	var ports []*cfgnode.Node
	for _, p := range svc.Get("expose").List() {
		ports = append(ports, &cfgnode.Node{Kind: cfgnode.Scalar, Value: strings.Split(p.Text(), "/")[0], Range: p.Range})
	}
	for _, p := range svc.Get("ports").List() {
		spec := p.Text()
		if t := p.Get("target"); t != nil {
			spec = t.Text()
		}
		spec = strings.Split(spec, "/")[0]
		ports = append(ports, &cfgnode.Node{Kind: cfgnode.Scalar, Value: spec[strings.LastIndexByte(spec, ':')+1:], Range: p.Range})
	}
	if len(ports) == 1 {
		return ports[0]
	}
	return nil
}

// group makes one installation per static configuration and gives every
// file the installation whose static configuration lives nearest to it
// (in the deepest directory above or beside it); files without any static
// configuration in the repository share one installation.
func group(files []*File) {
	var installs []*Installation
	byDir := map[*Installation]string{}
	for _, f := range files {
		if f.Static != nil {
			in := &Installation{Static: f.Static}
			installs = append(installs, in)
			byDir[in] = path.Dir(f.file.Path)
		}
	}
	var shared *Installation
	for _, f := range files {
		if f.Static != nil {
			f.install = installs[indexOf(installs, f.Static)]
		} else if len(installs) == 0 {
			if shared == nil {
				shared = &Installation{}
			}
			f.install = shared
		} else {
			f.install = nearest(installs, byDir, path.Dir(f.file.Path))
		}
		f.install.Files = append(f.install.Files, f)
	}
	for _, in := range installs {
		sort.SliceStable(in.Files, func(i, j int) bool { return in.Files[i].file.Path < in.Files[j].file.Path })
	}
}

func indexOf(installs []*Installation, s *Static) int {
	for i, in := range installs {
		if in.Static == s {
			return i
		}
	}
	return 0
}

// nearest is the installation whose directory shares the longest prefix
// with dir (the first of equals, in path order).
func nearest(installs []*Installation, byDir map[*Installation]string, dir string) *Installation {
	best, bestLen := installs[0], -1
	for _, in := range installs {
		if n := commonDirs(byDir[in], dir); n > bestLen {
			best, bestLen = in, n
		}
	}
	return best
}

func commonDirs(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	n := 0
	for n < len(as) && n < len(bs) && as[n] == bs[n] {
		n++
	}
	return n
}
