// Package render asks the renderer, the separate program mtlslint-render,
// to turn kustomize overlays and Helm charts into the manifests they
// deploy, and defines the protocol between the two.
//
// The renderers (kustomize's API and Helm's engine) live in their own
// executable because linking them would make every run of mtlslint pay for
// their package initialisation and triple the binary's size; docs/k8s.md
// has the numbers. This package imports neither.
//
// # Protocol (version 1)
//
// mtlslint starts the renderer without arguments, writes one Request as
// JSON on its standard input and closes it; the renderer writes one
// Response as JSON on its standard output and exits 0. Anything else (a
// non-zero exit, output that does not decode, another protocol number) is
// an error of the renderer, reported as such. The renderer reads no file
// and opens no connection: every file it may need is in the request, read
// by mtlslint through the workspace's reader (confined to the scanned root,
// with unsaved editor buffers), and the renderer loads them into
// kustomize's in-memory file system or Helm's in-memory chart loader.
// Paths are slash-separated and relative to the scanned root.
//
// `mtlslint-render -version` prints the protocol version and the versions
// of the renderers it links.
package render

// Protocol is the version of the request and response formats. A renderer
// answers only requests of its own version.
const Protocol = 1

// Request asks for the rendering of environments.
type Request struct {
	Protocol int `json:"protocol"`
	// Files maps root-relative paths to their contents: everything the
	// environments may read.
	Files map[string]string `json:"files"`
	// Environments are rendered independently, in order.
	Environments []Environment `json:"environments"`
}

// Environment is one deployment to render: a kustomization directory, or a
// Helm chart with values files.
type Environment struct {
	// Name is how findings name the environment ("overlays/prod",
	// "charts/web values-prod.yaml").
	Name string `json:"name"`
	// Kustomization is the directory of a kustomization to build.
	Kustomization string `json:"kustomization,omitempty"`
	// Chart is the directory of a Helm chart (with Chart.yaml).
	Chart string `json:"chart,omitempty"`
	// Values are the values files applied over the chart's values.yaml,
	// in order (later ones win, as with helm -f).
	Values []string `json:"values,omitempty"`
	// Namespace and Release name the Helm release (.Release.Namespace,
	// .Release.Name); "default" and the chart's name when empty.
	Namespace string `json:"namespace,omitempty"`
	Release   string `json:"release,omitempty"`
}

// Response is the renderer's answer: one Rendered per requested
// environment, in the same order.
type Response struct {
	Protocol int `json:"protocol"`
	// Renderer names the program and the renderers it links.
	Renderer     string     `json:"renderer"`
	Environments []Rendered `json:"environments"`
}

// Rendered is the output of one environment.
type Rendered struct {
	Name string `json:"name"`
	// Documents are the rendered manifests. Empty with Problems when the
	// environment could not be rendered.
	Documents []Document `json:"documents"`
	// Problems are errors with their place in the source (a template
	// error, a missing file) and what could not be rendered (a remote
	// base, an exec plugin). An environment with a problem of kind
	// NotRendered has no documents.
	Problems []Problem `json:"problems,omitempty"`
}

// Document is one rendered manifest and where it came from.
type Document struct {
	// YAML is the manifest as rendered, without the annotations the
	// renderer adds to trace origins.
	YAML string `json:"yaml"`
	// Origin is the file that defined the object: the kustomize resource
	// file (or kustomization, for a generated object), or the Helm
	// template.
	Origin string `json:"origin"`
	// Transformers are the kustomizations whose transformers (patches,
	// common annotations, name prefixes) changed the object, in the order
	// they were applied (kustomize only).
	Transformers []string `json:"transformers,omitempty"`
	// Values are the values files that were applied, values.yaml first
	// (Helm only).
	Values []string `json:"values,omitempty"`
}

// Problem kinds.
const (
	// NotRendered: the environment cannot be rendered here (a remote
	// base, an exec plugin, helmCharts inflation, a chart dependency that
	// is not in the tree); it is reported as not analysed (K007).
	NotRendered = "not-rendered"
	// Error: the input is wrong (a template error, a kustomization that
	// does not build, a file that does not parse); reported as a syntax
	// error at its place.
	Error = "error"
)

// Problem is an error or limit of rendering, with its place when known.
type Problem struct {
	Kind    string `json:"kind"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}
