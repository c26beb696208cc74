package k8s

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// A JSON6902 patch that no kustomization of the tree applies (its
// kustomization lives elsewhere, or the file was copied on its own) cannot
// be rendered, but an operation that adds or replaces a whole field
// decides that field of whatever object it is applied to: after
// `add /metadata/annotations`, the object has exactly the annotations the
// patch lists. Those fields are read into an Ingress of its own, named
// after the patch, so that the rules see what the patch sets for certain.
// An operation on a single annotation decides that annotation only: the
// others stay unknown, and the rules say so where they need them.

// wholeFields are the Ingress fields an operation may set in whole, as
// JSON pointers, with where they go in the object.
var wholeFields = map[string][]string{
	"/metadata/annotations":  {"metadata", "annotations"},
	"/spec/rules":            {"spec", "rules"},
	"/spec/tls":              {"spec", "tls"},
	"/spec/ingressClassName": {"spec", "ingressClassName"},
}

// annotationPath is the JSON pointer prefix of a single annotation.
const annotationPath = "/metadata/annotations/"

// readOrphanPatch reads the whole-field operations of a JSON6902 patch
// into an Ingress, when they set its annotations; nil otherwise. An
// operation that adds or replaces a single annotation is read too: the
// object then knows only the annotations the patch names
// (PartialAnnotations), unless a whole-field operation set them all.
func readOrphanPatch(f *source.File, docs []document) *File {
	root := &yaml.Node{Kind: yaml.MappingNode}
	whole, single := false, false
	for _, d := range docs {
		for _, op := range items(d.root) {
			switch scalarValue(child(op, "op")) {
			case "add", "replace":
			default:
				continue
			}
			pathKey, pathValue := field(op, "path")
			value := child(op, "value")
			if value == nil {
				continue
			}
			if key, ok := annotationKey(scalarValue(pathValue)); ok {
				set(root, []string{"metadata", "annotations", key}, value, pathKey)
				single = true
				continue
			}
			dest, ok := wholeFields[scalarValue(pathValue)]
			if !ok {
				continue
			}
			set(root, dest, value, pathKey)
			whole = whole || dest[1] == "annotations"
		}
	}
	if !whole && !single {
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
		o.PartialAnnotations = !whole
	}
	return &File{file: f, Objects: objs, alone: true}
}

// annotationKey returns the annotation a JSON pointer names
// ("/metadata/annotations/nginx.ingress.kubernetes.io~1auth-tls-secret"),
// unescaped (RFC 6901: ~1 is "/", ~0 is "~").
func annotationKey(pointer string) (string, bool) {
	rest, ok := strings.CutPrefix(pointer, annotationPath)
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", false
	}
	return strings.ReplaceAll(strings.ReplaceAll(rest, "~1", "/"), "~0", "~"), true
}

// readUnrenderedPatch reads a patch whose kustomization is in the tree
// but was not rendered (a missing base or file, a remote base, no
// renderer): the annotations it sets are still what its author means to
// deploy. A JSON6902 patch is read as an orphan one; the Ingresses of a
// strategic-merge patch are read as written, knowing only the
// annotations they name, since the merge keeps the base's others (an
// annotation set to null is one the patch removes). Each is a cluster of
// its own, as the object it patches is not known. Nil when the patch
// touches no Ingress.
func readUnrenderedPatch(f *source.File, docs []document) *File {
	for _, d := range docs {
		if isPatchList(d.root) {
			return readOrphanPatch(f, docs)
		}
	}
	t := &File{file: f, alone: true}
	for _, d := range docs {
		for _, o := range objects(&doc{file: f}, d.root) {
			if o.Ingress == nil {
				continue
			}
			o.Patched = f.Path
			o.PartialAnnotations = true
			t.Objects = append(t.Objects, o)
		}
	}
	if len(t.Objects) == 0 {
		return nil
	}
	return t
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
