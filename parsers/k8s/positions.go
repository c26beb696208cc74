package k8s

import (
	"gopkg.in/yaml.v3"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// doc is one YAML document being read into objects, and where its nodes
// are written: in the document's own file for a manifest as written; for
// a rendered one, in the source file that set each value (the base or
// patch of a kustomization, a chart's values file or template).
type doc struct {
	// file is the file the objects belong to: the manifest, or the
	// kustomization or Chart.yaml of a rendered environment.
	file  *source.File
	place placer // nil: the nodes are positioned in file
	// environment names the rendered environment, if any.
	environment string
}

// placer finds the source of the nodes of a rendered document.
type placer interface {
	// place returns where node n is written in the sources; ok is false
	// when no source holds it.
	place(n *yaml.Node) (r source.Range, ok bool)
	// fallback is the range of the object as a whole in its source: the
	// opening line of its document, or of its file.
	fallback() source.Range
	// source returns a source file by path.
	source(path string) *source.File
}

// nodeRange is where n is written (see the function nodeRange).
func (d *doc) nodeRange(n *yaml.Node) source.Range {
	if d.place == nil {
		return nodeRange(d.file, n)
	}
	if n == nil {
		return source.Range{}
	}
	if r, ok := d.place.place(n); ok {
		return r
	}
	return d.place.fallback()
}

// openingRange is the first line of mapping n, from its first key.
func (d *doc) openingRange(n *yaml.Node) source.Range {
	if d.place == nil {
		return openingRange(d.file, n)
	}
	first := n
	if n.Kind == yaml.MappingNode && len(n.Content) > 0 {
		first = n.Content[0]
	}
	return d.restOfLine(d.nodeRange(first))
}

// lineRange is the line n is written on.
func (d *doc) lineRange(n *yaml.Node) source.Range {
	if d.place == nil {
		return d.file.LineRange(n.Line)
	}
	r := d.nodeRange(n)
	if f := d.place.source(r.File); f != nil && r.Start.Line >= 1 {
		return f.LineRange(r.Start.Line)
	}
	return r
}

// restOfLine extends r to the end of its line.
func (d *doc) restOfLine(r source.Range) source.Range {
	f := d.place.source(r.File)
	if f == nil || r.Start.Line < 1 {
		return r
	}
	return f.Range(r.Start.Offset, f.LineEnd(r.Start.Line))
}
