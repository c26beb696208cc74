package k8s

import (
	"gopkg.in/yaml.v3"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// A JSON6902 patch that no kustomization of the tree applies (its
// kustomization lives elsewhere, or the file was copied on its own) cannot
// be rendered, but an operation that adds or replaces a whole field
// decides that field of whatever object it is applied to: after
// `add /metadata/annotations`, the object has exactly the annotations the
// patch lists. Those fields are read into an Ingress of its own, named
// after the patch, so that the rules see what the patch sets for certain;
// anything the patch changes only in part stays unknown (K007 says so).

// wholeFields are the Ingress fields an operation may set in whole, as
// JSON pointers, with where they go in the object.
var wholeFields = map[string][]string{
	"/metadata/annotations":  {"metadata", "annotations"},
	"/spec/rules":            {"spec", "rules"},
	"/spec/tls":              {"spec", "tls"},
	"/spec/ingressClassName": {"spec", "ingressClassName"},
}

// readOrphanPatch reads the whole-field operations of a JSON6902 patch
// into an Ingress, when they set its annotations; nil otherwise.
func readOrphanPatch(f *source.File, docs []document) *File {
	root := &yaml.Node{Kind: yaml.MappingNode}
	hasAnnotations := false
	for _, d := range docs {
		for _, op := range items(d.root) {
			switch scalarValue(child(op, "op")) {
			case "add", "replace":
			default:
				continue
			}
			pathKey, pathValue := field(op, "path")
			dest, ok := wholeFields[scalarValue(pathValue)]
			value := child(op, "value")
			if !ok || value == nil {
				continue
			}
			set(root, dest, value, pathKey)
			hasAnnotations = hasAnnotations || dest[1] == "annotations"
		}
	}
	if !hasAnnotations {
		return nil
	}
	// The first key is where the object opens: the patch's first line.
	first := firstLine(f)
	kind := &yaml.Node{Kind: yaml.ScalarNode, Value: "kind", Line: first.Start.Line, Column: first.Start.Col}
	api := &yaml.Node{Kind: yaml.ScalarNode, Value: "apiVersion", Line: first.Start.Line, Column: first.Start.Col}
	root.Content = append([]*yaml.Node{
		api, {Kind: yaml.ScalarNode, Value: "networking.k8s.io/v1", Tag: "!!str"},
		kind, {Kind: yaml.ScalarNode, Value: "Ingress", Tag: "!!str"},
	}, root.Content...)
	objs := objects(&doc{file: f}, root)
	for _, o := range objs {
		o.Patched = f.Path
	}
	return &File{file: f, Objects: objs, alone: true}
}

// set puts value at the path of keys in mapping n, creating the mappings
// on the way; the keys it creates take the position of at (the
// operation's path).
func set(n *yaml.Node, keys []string, value, at *yaml.Node) {
	for i, k := range keys {
		var next *yaml.Node
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == k {
				next = n.Content[j+1]
			}
		}
		if i == len(keys)-1 {
			if next != nil {
				for j := 0; j+1 < len(n.Content); j += 2 {
					if n.Content[j].Value == k {
						n.Content[j+1] = value // a later operation wins
					}
				}
				return
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k, Line: at.Line, Column: at.Column}, value)
			return
		}
		if next == nil {
			next = &yaml.Node{Kind: yaml.MappingNode, Line: at.Line, Column: at.Column}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k, Line: at.Line, Column: at.Column}, next)
		}
		n = next
	}
}
