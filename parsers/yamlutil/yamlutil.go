// Package yamlutil holds what the front ends that read YAML (and JSON
// through the YAML parser) share about node trees.
package yamlutil

import "gopkg.in/yaml.v3"

// MaxDepth is how deeply the front ends follow a YAML node tree: their
// walks recurse once per level. The YAML library itself accepts 10,000
// levels; Kubernetes manifests, compose files and OpenAPI documents nest
// a few dozen at most.
const MaxDepth = 200

// Deeper returns the first node (in document order) that sits deeper than
// limit levels below root (root is level 1), or nil. Aliases are not
// followed: the node they name is in the tree already. It does not
// recurse, so any tree the library returns can be measured.
func Deeper(root *yaml.Node, limit int) *yaml.Node {
	type entry struct {
		n     *yaml.Node
		depth int
	}
	stack := []entry{{root, 1}}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if e.n == nil {
			continue
		}
		if e.depth > limit {
			return e.n
		}
		for i := len(e.n.Content) - 1; i >= 0; i-- {
			stack = append(stack, entry{e.n.Content[i], e.depth + 1})
		}
	}
	return nil
}
