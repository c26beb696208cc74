// Package compose reads docker-compose files (compose.yaml,
// docker-compose.yml and their overrides) with gopkg.in/yaml.v3, keeping
// exact positions: services with the ports they publish on the host, the
// ports they expose, their command and entrypoint, environment and network
// mode. The deployment model uses it to tell whether an app server can be
// reached without going through the proxy.
package compose

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Kind is the tree kind of compose files (parsers.KindCompose).
const Kind = "compose"

// Port is one entry of a service's `ports:` list: a container port
// published on the host.
type Port struct {
	HostIP        string // "" means all interfaces
	HostPort      string // "" means an ephemeral port
	ContainerPort string
	Protocol      string // tcp (default) or udp
	Range         source.Range
}

// Published reports whether the port is reachable from other hosts: it is
// not bound to a loopback address.
func (p Port) Published() bool {
	h := strings.Trim(p.HostIP, "[]")
	return !(h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1")
}

// Value is a scalar with its range.
type Value struct {
	Text  string
	Range source.Range
}

// Service is one service of a compose file.
type Service struct {
	Name        string
	NameRange   source.Range
	Range       source.Range // the whole service mapping, name included
	Image       string
	Command     []Value // split into words when given as a list; one element when a string
	Entrypoint  []Value
	Environment map[string]Value
	Ports       []Port
	Expose      []Value
	NetworkMode string
	// Build is the build context directory relative to the scanned root
	// ("" when the service uses a prebuilt image), and Dockerfile the
	// Dockerfile's path relative to the root.
	Build, Dockerfile string
}

// File is one compose file.
type File struct {
	file     *source.File
	Services []*Service
}

// Kind implements parsers.Tree.
func (f *File) Kind() string { return Kind }

// Root implements parsers.Tree.
func (f *File) Root() *source.File { return f.file }

// Files implements parsers.Tree.
func (f *File) Files() []*source.File { return []*source.File{f.file} }

// Candidate reports whether a path is named like a compose file.
func Candidate(rel string) bool {
	base := path.Base(rel)
	if !(strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".yaml")) {
		return false
	}
	return strings.HasPrefix(base, "docker-compose") || strings.HasPrefix(base, "compose") ||
		strings.Contains(base, ".compose.") || strings.HasSuffix(strings.TrimSuffix(strings.TrimSuffix(base, ".yml"), ".yaml"), "-compose")
}

// Detect reports whether the file is a compose file: named like one and
// with a top-level `services:` key, or in the first compose format, which
// has no `version:` or `services:` and lists the services at the top
// level (an indented `image:` or `build:` line, and no Kubernetes
// `apiVersion:`). Parse decides which keys are services: a file of
// `x-` extensions detected here has none.
func Detect(rel string, content []byte) bool {
	if !Candidate(rel) {
		return false
	}
	// A byte order mark before the first key is no part of it.
	content = bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
	serviceKeys, versioned := false, false
	for _, line := range bytes.Split(content, []byte("\n")) {
		switch {
		case bytes.HasPrefix(line, []byte("services:")):
			return true
		case bytes.HasPrefix(line, []byte("version:")), bytes.HasPrefix(line, []byte("apiVersion:")):
			versioned = true
		}
		if t := bytes.TrimLeft(line, " "); len(t) < len(line) && (bytes.HasPrefix(t, []byte("image:")) || bytes.HasPrefix(t, []byte("build:"))) {
			serviceKeys = true
		}
	}
	return serviceKeys && !versioned
}

// Load parses compose files.
func Load(r source.Reader, paths []string) ([]*File, []source.Problem) {
	var out []*File
	var probs []source.Problem
	for _, p := range paths {
		if source.Cancelled(r) != nil {
			break // the run was cancelled: stop working
		}
		f, err := r.ReadFile(p)
		if err != nil {
			probs = append(probs, source.Problem{Kind: source.ProblemSkipped, Range: source.Range{File: p, Start: source.Pos{Line: 1, Col: 1}, End: source.Pos{Line: 1, Col: 1}}, Message: fmt.Sprintf("cannot read: %v", err)})
			continue
		}
		cf, ps := Parse(f)
		probs = append(probs, ps...)
		if cf != nil {
			out = append(out, cf)
		}
	}
	return out, probs
}

// Parse reads one compose file. A file that is not valid YAML yields a
// positioned problem and no tree.
func Parse(f *source.File) (*File, []source.Problem) {
	var doc yaml.Node
	if err := yaml.Unmarshal(f.Content, &doc); err != nil {
		line := 1
		var te *yaml.TypeError
		msg := err.Error()
		if n, ok := yamlErrorLine(msg); ok {
			line = n
		} else if ok := asTypeError(err, &te); ok {
			msg = strings.Join(te.Errors, "; ")
		}
		return nil, []source.Problem{{Kind: source.ProblemSyntax, Range: f.LineRange(min(line, f.LineCount())), Message: "not valid YAML: " + msg}}
	}
	cf := &File{file: f}
	if len(doc.Content) == 0 {
		return cf, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return cf, nil
	}
	services, probs := serviceMapping(f, root)
	if services == nil {
		return cf, probs
	}
	for i := 0; i+1 < len(services.Content); i += 2 {
		k, v := services.Content[i], resolve(services.Content[i+1])
		s := &Service{Name: k.Value, NameRange: nodeRange(f, k), Environment: map[string]Value{}}
		s.Range = f.Range(offset(f, k), endOffset(f, services.Content[i+1]))
		if v.Kind == yaml.MappingNode {
			parseService(f, s, v)
		}
		cf.Services = append(cf.Services, s)
	}
	sort.SliceStable(cf.Services, func(i, j int) bool {
		return cf.Services[i].NameRange.Start.Offset < cf.Services[j].NameRange.Start.Offset
	})
	return cf, nil
}

// topLevelKeys are the top-level keys of today's compose specification
// besides `services` and the `x-` extensions.
var topLevelKeys = map[string]bool{"version": true, "networks": true, "volumes": true, "configs": true, "secrets": true, "name": true, "include": true}

// serviceMapping returns the mapping whose keys are the file's services,
// or nil when it has none. A file with `services:` lists them there. A
// file with any other key of today's specification (`version`,
// `networks`, `volumes`, `configs`, `secrets`, `name`, `include`, an
// `x-` extension) and no `services:` has no services: docker compose
// reads it so, and docker-compose 1.x took a file with `version`,
// `networks` or `volumes` for the versioned format. Only a file with
// none of these keys is in the first format, where every top-level key is
// a service; docker-compose 1.x required each to be a mapping with an
// `image` or a `build` (or an `extends` that brings one), so a key that
// is not makes the file no compose file of that format either: it
// yields no services and a problem that says which key.
func serviceMapping(f *source.File, root *yaml.Node) (*yaml.Node, []source.Problem) {
	if services := mapValue(root, "services"); services != nil {
		if services = resolve(services); services.Kind == yaml.MappingNode {
			return services, nil
		}
		return nil, nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i].Value; topLevelKeys[k] || strings.HasPrefix(k, "x-") {
			return nil, nil
		}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], resolve(root.Content[i+1])
		if v.Kind != yaml.MappingNode || !isService(v) {
			return nil, []source.Problem{{
				Kind: source.ProblemNotAnalysed, Range: nodeRange(f, k),
				Message: fmt.Sprintf("`%s` is neither a compose section nor a service (no image, build or extends): no service read", clip(k.Value, 25)),
				Detail:  "Without a `services:` key, a compose file of the first format lists its services at the top level, each with an `image` or a `build` (or an `extends` that brings one); docker compose refuses a file that is neither format, so no service of this file was read.",
			}}
		}
	}
	return root, nil
}

// isService reports whether a first-format top-level mapping is a
// service: it has an image, a build or an extends, its own or brought by
// a merge key (`worker: {<<: *web, command: celery}`).
func isService(m *yaml.Node) bool {
	pairs := servicePairs(m)
	for i := 0; i+1 < len(pairs); i += 2 {
		switch pairs[i].Value {
		case "image", "build", "extends":
			return true
		}
	}
	return false
}

// clip shortens a key as written to n characters for a message.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < maxMergeDepth; i++ {
		n = n.Alias
	}
	return n
}

// maxMergeDepth bounds the chains of aliases and merge keys followed, and
// maxMergedKeys the keys one service collects through merge keys: merges
// of merges can name each mapping many times.
const maxMergeDepth, maxMergedKeys = 32, 4096

// servicePairs returns the keys and values of a service mapping with YAML
// merge keys (`<<: *defaults`, `<<: [*a, *b]`) applied, as docker compose
// applies them: the mapping's own keys win over merged ones, and an
// earlier merged mapping over a later one.
func servicePairs(m *yaml.Node) []*yaml.Node {
	if !hasMergeKey(m) {
		return m.Content // most services: nothing to merge
	}
	var pairs []*yaml.Node
	seen := map[string]bool{}
	visited := map[*yaml.Node]bool{}
	var add func(m *yaml.Node, depth int)
	add = func(m *yaml.Node, depth int) {
		if visited[m] || depth > maxMergeDepth {
			return
		}
		visited[m] = true
		var merged []*yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if isMerge(k) {
				merged = append(merged, v)
				continue
			}
			if !seen[k.Value] && len(seen) < maxMergedKeys {
				seen[k.Value] = true
				pairs = append(pairs, k, v)
			}
		}
		for _, v := range merged {
			v = resolve(v)
			switch v.Kind {
			case yaml.MappingNode:
				add(v, depth+1)
			case yaml.SequenceNode:
				for _, e := range v.Content {
					if e = resolve(e); e.Kind == yaml.MappingNode {
						add(e, depth+1)
					}
				}
			}
		}
	}
	add(m, 0)
	return pairs
}

func hasMergeKey(m *yaml.Node) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if isMerge(m.Content[i]) {
			return true
		}
	}
	return false
}

// isMerge reports whether a key is a merge key: a plain `<<` (a quoted
// one is an ordinary key).
func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

func asTypeError(err error, te **yaml.TypeError) bool {
	t, ok := err.(*yaml.TypeError)
	if ok {
		*te = t
	}
	return ok
}

// yamlErrorLine extracts "line N" from a yaml.v3 error message.
func yamlErrorLine(msg string) (int, bool) {
	i := strings.Index(msg, "line ")
	if i < 0 {
		return 0, false
	}
	j := i + 5
	for j < len(msg) && msg[j] >= '0' && msg[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(msg[i+5 : j])
	return n, err == nil && n > 0
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func parseService(f *source.File, s *Service, m *yaml.Node) {
	pairs := servicePairs(m)
	for i := 0; i+1 < len(pairs); i += 2 {
		k, v := pairs[i], resolve(pairs[i+1])
		switch k.Value {
		case "image":
			s.Image = v.Value
		case "command":
			s.Command = words(f, v)
		case "entrypoint":
			s.Entrypoint = words(f, v)
		case "network_mode", "net": // net: the first format's name
			s.NetworkMode = v.Value
		case "build":
			s.Build, s.Dockerfile = buildContext(f.Path, v)
		case "environment":
			parseEnv(f, s, v)
		case "expose":
			for _, e := range v.Content {
				s.Expose = append(s.Expose, Value{e.Value, nodeRange(f, e)})
			}
		case "ports":
			for _, e := range v.Content {
				s.Ports = append(s.Ports, parsePorts(f, e)...)
			}
		}
	}
}

// buildContext resolves a service's build (a context path, or a mapping
// with context and dockerfile) against the compose file's directory.
// Contexts outside the repository (a URL, "..") resolve to nothing.
func buildContext(composePath string, v *yaml.Node) (string, string) {
	ctx, dockerfile := "", "Dockerfile"
	switch v.Kind {
	case yaml.ScalarNode:
		ctx = v.Value
	case yaml.MappingNode:
		ctx = "."
		for i := 0; i+1 < len(v.Content); i += 2 {
			switch v.Content[i].Value {
			case "context":
				ctx = v.Content[i+1].Value
			case "dockerfile":
				dockerfile = v.Content[i+1].Value
			}
		}
	default:
		return "", ""
	}
	if strings.Contains(ctx, "://") || path.IsAbs(ctx) {
		return "", ""
	}
	dir := path.Clean(path.Join(path.Dir(composePath), ctx))
	if dir == ".." || strings.HasPrefix(dir, "../") {
		return "", ""
	}
	return dir, path.Clean(path.Join(dir, dockerfile))
}

func words(f *source.File, v *yaml.Node) []Value {
	switch v.Kind {
	case yaml.SequenceNode:
		var out []Value
		for _, e := range v.Content {
			out = append(out, Value{e.Value, nodeRange(f, e)})
		}
		return out
	case yaml.ScalarNode:
		return []Value{{v.Value, nodeRange(f, v)}}
	}
	return nil
}

func parseEnv(f *source.File, s *Service, v *yaml.Node) {
	switch v.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(v.Content); i += 2 {
			s.Environment[v.Content[i].Value] = Value{v.Content[i+1].Value, nodeRange(f, v.Content[i+1])}
		}
	case yaml.SequenceNode:
		for _, e := range v.Content {
			name, val, _ := strings.Cut(e.Value, "=")
			s.Environment[name] = Value{val, nodeRange(f, e)}
		}
	}
}

// parsePorts reads a short-syntax port ("8000", "8000:8000",
// "127.0.0.1:8000:8000", "8000-8001:8000-8001/tcp") or a long-syntax
// mapping (target, published, host_ip, protocol).
func parsePorts(f *source.File, n *yaml.Node) []Port {
	r := nodeRange(f, n)
	if n.Kind == yaml.MappingNode {
		p := Port{Protocol: "tcp", Range: r}
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch n.Content[i].Value {
			case "target":
				p.ContainerPort = n.Content[i+1].Value
			case "published":
				p.HostPort = n.Content[i+1].Value
			case "host_ip":
				p.HostIP = n.Content[i+1].Value
			case "protocol":
				p.Protocol = n.Content[i+1].Value
			}
		}
		return []Port{p}
	}
	spec := n.Value
	proto := "tcp"
	if i := strings.LastIndexByte(spec, '/'); i >= 0 {
		proto, spec = spec[i+1:], spec[:i]
	}
	var hostIP, hostPort, container string
	// An IPv6 host address is written in brackets: "[::1]:8000:8000".
	if strings.HasPrefix(spec, "[") {
		if j := strings.Index(spec, "]:"); j > 0 {
			hostIP, spec = spec[1:j], spec[j+2:]
		}
	}
	parts := strings.Split(spec, ":")
	switch len(parts) {
	case 1:
		container = parts[0]
	case 2:
		hostPort, container = parts[0], parts[1]
	default:
		hostIP, hostPort, container = strings.Join(parts[:len(parts)-2], ":"), parts[len(parts)-2], parts[len(parts)-1]
	}
	// Ranges publish each container port of the range.
	cs, ce, okC := portRange(container)
	hs, _, okH := portRange(hostPort)
	if !okC || ce-cs > 64 {
		return []Port{{HostIP: hostIP, HostPort: hostPort, ContainerPort: container, Protocol: proto, Range: r}}
	}
	var out []Port
	for c := cs; c <= ce; c++ {
		hp := ""
		if okH {
			hp = strconv.Itoa(hs + c - cs)
		}
		out = append(out, Port{HostIP: hostIP, HostPort: hp, ContainerPort: strconv.Itoa(c), Protocol: proto, Range: r})
	}
	return out
}

func portRange(s string) (int, int, bool) {
	a, b, isRange := strings.Cut(s, "-")
	x, err := strconv.Atoi(a)
	if err != nil {
		return 0, 0, false
	}
	if !isRange {
		return x, x, true
	}
	y, err := strconv.Atoi(b)
	if err != nil || y < x {
		return 0, 0, false
	}
	return x, y, true
}

// offset converts a node's 1-based line and column (counted in code
// points by yaml.v3, after any byte order mark) into a byte offset.
func offset(f *source.File, n *yaml.Node) int {
	if n.Line < 1 {
		return 0
	}
	return f.Offset(n.Line-1, n.Column-1, source.UTF32)
}

// nodeRange is the range of a scalar node's text on its line (quotes
// included), or of the node's first line for collections.
func nodeRange(f *source.File, n *yaml.Node) source.Range {
	start := offset(f, n)
	end := f.LineEnd(f.Pos(start).Line)
	if n.Kind == yaml.ScalarNode && n.Style == 0 && !strings.Contains(n.Value, "\n") {
		if e := start + len(n.Value); e <= end {
			end = e
		}
	} else if n.Kind == yaml.ScalarNode && (n.Style == yaml.DoubleQuotedStyle || n.Style == yaml.SingleQuotedStyle) {
		if i := bytes.IndexByte(f.Content[start+1:end], f.Content[start]); i >= 0 {
			end = start + i + 2
		}
	}
	return f.Range(start, end)
}

// endOffset is the end of the last line that belongs to node n.
func endOffset(f *source.File, n *yaml.Node) int {
	last := n
	for len(last.Content) > 0 {
		last = last.Content[len(last.Content)-1]
	}
	return f.LineEnd(f.Pos(offset(f, last)).Line)
}
