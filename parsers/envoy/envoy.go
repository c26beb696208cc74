// Package envoy reads Envoy's static configuration (a bootstrap file's
// static_resources, or an LDS/CDS file of resources) in YAML or JSON, with
// exact positions: listeners and their filter chains, the downstream TLS
// context (client-certificate requirement and validation), the HTTP
// connection manager's XFCC handling, its inline route configuration with
// the request headers each level adds and removes, and the clusters with
// their endpoints. It also reads Istio's custom resources (Gateway,
// VirtualService, EnvoyFilter, PeerAuthentication) from Kubernetes
// manifests that parsers/k8s has decoded.
//
// Envoy's own types (github.com/envoyproxy/go-control-plane) would give
// exact proto types but no positions, and link protobuf and gRPC into the
// binary; the fields read here are checked against the names the API's
// protos document instead (fields.go).
package envoy

import (
	"bytes"
	"path"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/cfgnode"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/yamlutil"
)

// Kind is the tree kind of Envoy configurations (parsers.KindEnvoy).
const Kind = "envoy"

// File is one Envoy configuration file.
type File struct {
	file      *source.File
	Listeners []*Listener
	Clusters  []*Cluster
}

// Kind implements parsers.Tree.
func (t *File) Kind() string { return Kind }

// Root implements parsers.Tree.
func (t *File) Root() *source.File { return t.file }

// Files implements parsers.Tree.
func (t *File) Files() []*source.File { return []*source.File{t.file} }

// Cluster returns the cluster with the given name, or nil.
func (t *File) Cluster(name string) *Cluster {
	for _, c := range t.Clusters {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Candidate reports whether a file may be an Envoy configuration, from its
// name.
func Candidate(rel string) bool {
	switch strings.ToLower(path.Ext(rel)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

var (
	yamlBootstrap = source.LazyRegexp(`(?m)^["']?static_resources["']?[ \t]*:`)
	jsonBootstrap = source.LazyRegexp(`"static_resources"\s*:`)
	listenerList  = source.LazyRegexp(`(?m)^-?[ \t]*["']?(filter_chains|filterChains)["']?[ \t]*:`)
	resourceTypes = source.LazyRegexp(`type\.googleapis\.com/envoy\.(config\.listener\.v3\.Listener|config\.cluster\.v3\.Cluster|api\.v2\.Listener|api\.v2\.Cluster)\b`)
	manifestKind  = source.LazyRegexp(`(?m)^kind:[ \t]*\S`)
)

// Detect decides whether a file is an Envoy configuration: a bootstrap
// with static_resources at its top level, or a file of xDS resources
// (listeners or clusters). A Kubernetes manifest that embeds one (a
// ConfigMap) is not. The expressions anchored at line starts run only on
// the lines a literal test lets through (yamlutil.MatchLines).
func Detect(rel string, content []byte) bool {
	if !Candidate(rel) {
		return false
	}
	if yamlutil.MatchLines(content, 1, yamlBootstrap(), isBootstrapLine) || (strings.EqualFold(path.Ext(rel), ".json") && jsonBootstrap().Match(content)) {
		return true
	}
	if yamlutil.MatchLines(content, 1, manifestKind(), yamlutil.IsKindLine) {
		return false
	}
	if bytes.Contains(content, []byte("resources")) && resourceTypes().Match(content) {
		return true
	}
	// A bare list of listeners with an HTTP connection manager.
	return bytes.Contains(content, []byte("envoy.filters.network.http_connection_manager")) && bytes.HasPrefix(bytes.TrimSpace(content), []byte("-")) &&
		yamlutil.MatchLines(content, 1, listenerList(), mentionsFilter)
}

// isBootstrapLine is true of the lines yamlBootstrap may match.
func isBootstrapLine(line []byte) bool {
	if len(line) > 0 && (line[0] == '"' || line[0] == '\'') {
		line = line[1:]
	}
	return bytes.HasPrefix(line, []byte("static_resources"))
}

// mentionsFilter is true of the lines listenerList may match.
func mentionsFilter(line []byte) bool { return bytes.Contains(line, []byte("filter")) }

// Load parses the detected files.
func Load(r source.Reader, paths []string) ([]*File, []source.Problem) {
	return cfgnode.LoadFiles(r, paths, Parse)
}

// Parse reads one Envoy configuration file. A file that is not valid YAML
// or JSON yields a positioned problem and no tree.
func Parse(f *source.File) (*File, []source.Problem) {
	docs, probs := cfgnode.ParseYAML(f)
	if cfgnode.Broken(probs) {
		if bytes.Contains(f.Content, []byte("{{")) {
			// A template (Istio ships its bootstrap as one) is not a
			// configuration until it is rendered.
			return nil, []source.Problem{{Kind: source.ProblemNotAnalysed, Range: probs[0].Range,
				Message: "not analysed: the file holds template expressions ({{ … }}) and does not parse as YAML or JSON; lint the rendered configuration"}}
		}
		return nil, probs
	}
	d := decoder{f: f}
	t := &File{file: f}
	for _, root := range docs {
		d.bootstrap(t, root)
	}
	sort.SliceStable(t.Listeners, func(i, j int) bool { return t.Listeners[i].Range.Start.Offset < t.Listeners[j].Range.Start.Offset })
	return t, append(probs, d.probs...)
}
