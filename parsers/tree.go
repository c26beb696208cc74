// Package parsers discovers the configuration files of a workspace, detects
// their formats, and loads them into trees through the front ends under
// parsers/*.
package parsers

import "github.com/mtlslint/mtlslint/parsers/source"

// Kinds of trees. A rule names the kinds it inspects.
const (
	KindNginx     = "nginx"
	KindHAProxy   = "haproxy"
	KindPython    = "python"   // a Python module: settings or app code
	KindGunicorn  = "gunicorn" // a gunicorn configuration (file or command line)
	KindCompose   = "compose"
	KindK8s       = "k8s"
	KindTerraform = "terraform"
	KindOpenAPI   = "openapi"
	KindApache    = "apache"
	KindCaddy     = "caddy"
	KindEnvoy     = "envoy"
	KindTraefik   = "traefik"
)

// Tree is one configuration tree: an nginx main file with everything it
// includes, a HAProxy file set, a Python module with the modules it
// star-imports, a compose file. Front ends return their own tree types,
// which rules of their family type-assert.
type Tree interface {
	// Kind is one of the Kind constants.
	Kind() string
	// Root is the file the tree starts from.
	Root() *source.File
	// Files lists every file the tree comprises, root first.
	Files() []*source.File
}
