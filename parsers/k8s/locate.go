package k8s

import (
	"bytes"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Renderers keep no map from their output to source lines (kustomize's
// origin annotations name files, Helm names templates): a rendered value
// is found again in its sources by its YAML path, most recent source
// first: the patches that changed the object, then the file that defined
// it; for a chart, the values files, then the template.

// step is one element of a YAML path: a mapping key, or a sequence index
// with the element's identifying field ("name: web") when it has one.
type step struct {
	key     string
	index   int
	isIndex bool
	// identKey and identValue identify a sequence element across
	// renderings (a container by name, a rule by host).
	identKey, identValue string
}

// nodePath is where a node sits in its document.
type nodePath struct {
	steps []step
	isKey bool // the node is the key of the last step, not its value
}

// identKeys identify the elements of a sequence, in order of preference.
var identKeys = []string{"name", "host", "path", "containerPort", "port", "secretName"}

// pathsOf records the path of every node of a document.
func pathsOf(root *yaml.Node) map[*yaml.Node]nodePath {
	out := map[*yaml.Node]nodePath{}
	var walk func(n *yaml.Node, steps []step, depth int)
	walk = func(n *yaml.Node, steps []step, depth int) {
		if n == nil || depth > maxDepth {
			return
		}
		out[n] = nodePath{steps: steps}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				s := append(append([]step(nil), steps...), step{key: k.Value})
				out[k] = nodePath{steps: s, isKey: true}
				walk(v, s, depth+1)
			}
		case yaml.SequenceNode:
			for i, it := range n.Content {
				st := step{index: i, isIndex: true}
				for _, ik := range identKeys {
					if v := child(it, ik); isScalar(v) {
						st.identKey, st.identValue = ik, v.Value
						break
					}
				}
				walk(it, append(append([]step(nil), steps...), st), depth+1)
			}
		}
	}
	walk(root, nil, 0)
	return out
}

// walkSteps follows a path in a source document. It returns the key node
// of the last step (nil for a sequence element) and its value.
func walkSteps(n *yaml.Node, steps []step) (key, value *yaml.Node, ok bool) {
	cur := n
	for _, s := range steps {
		if cur == nil {
			return nil, nil, false
		}
		if s.isIndex {
			its := items(cur)
			var next *yaml.Node
			if s.identKey != "" {
				for _, it := range its {
					if v := child(it, s.identKey); isScalar(v) && v.Value == s.identValue {
						next = it
						break
					}
				}
			}
			if next == nil && s.index < len(its) {
				// The element changed its identifying value (a variable
				// substituted, a replacement): the same position.
				next = its[s.index]
			}
			if next == nil {
				return nil, nil, false
			}
			key, cur = nil, next
			continue
		}
		k, v := field(cur, s.key)
		if k == nil {
			return nil, nil, false
		}
		key, cur = k, v
	}
	return key, cur, true
}

// source is one source document that may have set a rendered value.
type sourceDoc struct {
	file *source.File
	root *yaml.Node
	kind sourceKind
	// patch: a strategic-merge patch, whose kind, name and namespace
	// select the object rather than set anything.
	patch bool
}

type sourceKind int

const (
	resourceDoc      sourceKind = iota // a manifest, or a strategic-merge patch
	opListDoc                          // a JSON6902 patch: a list of operations
	kustomizationDoc                   // a kustomization: commonAnnotations, commonLabels, namespace
)

// find looks for a path in the source document.
func (s sourceDoc) find(p nodePath) (source.Range, bool) {
	var key, value *yaml.Node
	var ok bool
	switch s.kind {
	case resourceDoc:
		if s.patch && selects(p.steps) {
			return source.Range{}, false
		}
		key, value, ok = walkSteps(s.root, p.steps)
	case opListDoc:
		key, value, ok = findInOps(s.root, p.steps)
	case kustomizationDoc:
		key, value, ok = findInKustomization(s.root, p.steps)
	}
	if !ok {
		return source.Range{}, false
	}
	n := value
	if p.isKey && key != nil {
		n = key
	}
	if n == nil {
		return source.Range{}, false
	}
	return nodeRange(s.file, n), true
}

// removes finds where a patch removes an annotation: the path of a
// JSON6902 remove operation, or a strategic-merge patch's null value.
func (s sourceDoc) removes(key string) (source.Range, bool) {
	switch {
	case s.kind == opListDoc:
		want := "/metadata/annotations/" + strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
		for _, op := range items(s.root) {
			if path := child(op, "path"); scalarValue(child(op, "op")) == "remove" && scalarValue(path) == want {
				return nodeRange(s.file, path), true
			}
		}
	case s.kind == resourceDoc && s.patch:
		if k, v := field(walkPath(s.root, "metadata", "annotations"), key); k != nil && (v == nil || v.Tag == "!!null") {
			return nodeRange(s.file, k), true
		}
	}
	return source.Range{}, false
}

// selects reports whether a path is one of the fields a strategic-merge
// patch names its target by (or one of its first-line keys).
func selects(steps []step) bool {
	switch {
	case len(steps) == 1:
		return steps[0].key == "apiVersion" || steps[0].key == "kind"
	case len(steps) == 2 && steps[0].key == "metadata":
		return steps[1].key == "name" || steps[1].key == "namespace"
	}
	return false
}

// findInOps finds a path in the values of a JSON6902 patch's add and
// replace operations, the last operation first.
func findInOps(ops *yaml.Node, steps []step) (key, value *yaml.Node, ok bool) {
	list := items(ops)
	for i := len(list) - 1; i >= 0; i-- {
		op := list[i]
		switch scalarValue(child(op, "op")) {
		case "add", "replace":
		default:
			continue
		}
		pathNode := child(op, "path")
		ptr := pointer(scalarValue(pathNode))
		if ptr == nil || len(ptr) > len(steps) || !pointerPrefix(ptr, steps) {
			continue
		}
		v := child(op, "value")
		if len(ptr) == len(steps) {
			return pathNode, v, v != nil
		}
		if k, val, found := walkSteps(v, steps[len(ptr):]); found {
			return k, val, true
		}
	}
	return nil, nil, false
}

// pointer splits a JSON pointer into its unescaped segments.
func pointer(p string) []string {
	if !strings.HasPrefix(p, "/") {
		return nil
	}
	segs := strings.Split(p[1:], "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return segs
}

func pointerPrefix(ptr []string, steps []step) bool {
	for i, seg := range ptr {
		s := steps[i]
		if s.isIndex {
			if seg != strconv.Itoa(s.index) {
				return false
			}
		} else if seg != s.key {
			return false
		}
	}
	return true
}

// findInKustomization finds the kustomization fields that set metadata
// of every object: commonAnnotations, commonLabels, namespace.
func findInKustomization(k *yaml.Node, steps []step) (key, value *yaml.Node, ok bool) {
	if len(steps) < 2 || steps[0].key != "metadata" {
		return nil, nil, false
	}
	switch {
	case len(steps) == 2 && steps[1].key == "namespace":
		return walkSteps(k, []step{{key: "namespace"}})
	case len(steps) == 3 && steps[1].key == "annotations":
		return walkSteps(k, []step{{key: "commonAnnotations"}, steps[2]})
	case len(steps) == 3 && steps[1].key == "labels":
		return walkSteps(k, []step{{key: "commonLabels"}, steps[2]})
	}
	return nil, nil, false
}

// templateLine is where a template writes a key: Helm templates are not
// YAML, so keys are found by their indentation, line by line.
type templateLine struct {
	line  int // 1-based
	depth int // how many key steps of the path matched
	// refs are the .Values paths the key's line, the block under it or a
	// `with` just above it read.
	refs [][]string
}

var (
	templateKey = source.LazyRegexp(`^(\s*)(?:-\s+)?(["']?)([^\s:#{"'][^:#]*?)(["']?):(?:\s|$)`)
	valuesRef   = source.LazyRegexp(`\.Values((?:\.[A-Za-z_][\w-]*)+)`)
	kindLineRe  = source.LazyRegexp(`^kind:\s*["']?(\w+)`)
)

// findTemplateKey finds the line of a template that writes the deepest
// prefix of the key steps, preferring documents of kind.
func findTemplateKey(f *source.File, kind string, keys []string) (best templateLine) {
	type open struct {
		indent int
		key    string
	}
	var stack []open
	docKind := ""
	bestKindMatch := false
	for n := 1; n <= f.LineCount(); n++ {
		text := string(f.Line(n))
		trim := strings.TrimSpace(text)
		if strings.HasPrefix(trim, "---") {
			stack, docKind = nil, ""
			continue
		}
		if m := kindLineRe().FindStringSubmatch(text); m != nil {
			docKind = m[1]
		}
		m := templateKey().FindStringSubmatch(text)
		if m == nil || strings.HasPrefix(trim, "#") {
			continue
		}
		indent := len(m[1])
		if dash := strings.Index(text[len(m[1]):], "-"); dash == 0 {
			indent = len(text) - len(strings.TrimLeft(text[len(m[1])+1:], " \t")) // the key after "- "
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, open{indent, m[3]})
		depth := 0
		for depth < len(stack) && depth < len(keys) && stack[depth].key == keys[depth] {
			depth++
		}
		if depth < len(stack) {
			continue // the line is not on the path
		}
		kindMatch := docKind == kind
		if depth > best.depth || (depth == best.depth && kindMatch && !bestKindMatch) {
			best = templateLine{line: n, depth: depth}
			bestKindMatch = kindMatch
		}
	}
	if best.line > 0 {
		best.refs = templateRefs(f, best.line)
	}
	return best
}

// templateRefs collects the .Values paths that may have produced what the
// key at line writes: on the line, in the block under it, or in a `with`
// on the line above.
func templateRefs(f *source.File, line int) [][]string {
	var refs [][]string
	add := func(text string) {
		for _, m := range valuesRef().FindAllStringSubmatch(text, -1) {
			refs = append(refs, strings.Split(m[1][1:], "."))
		}
	}
	text := f.Line(line)
	add(string(text))
	indent := len(text) - len(bytes.TrimLeft(text, " \t-"))
	for n := line + 1; n <= f.LineCount(); n++ {
		l := f.Line(n)
		t := bytes.TrimSpace(l)
		if len(t) == 0 {
			continue
		}
		if len(l)-len(bytes.TrimLeft(l, " \t")) <= indent {
			break
		}
		add(string(l))
	}
	for n := line - 1; n >= 1; n-- {
		t := bytes.TrimSpace(f.Line(n))
		if len(t) == 0 {
			continue
		}
		if bytes.Contains(t, []byte("with ")) {
			add(string(t))
		}
		break
	}
	return refs
}

// keyRangeOnLine returns the key and the value of a template line: the
// key up to the colon, and what follows it.
func keyRangeOnLine(f *source.File, line int) (key, value source.Range) {
	text := f.Line(line)
	start := f.LineStart(line)
	m := templateKey().FindSubmatchIndex(text)
	if m == nil {
		r := f.LineRange(line)
		return r, r
	}
	key = f.Range(start+m[4], start+m[9]) // quotes included
	rest := text[m[9]+1:]
	lead := len(rest) - len(bytes.TrimLeft(rest, " \t"))
	end := len(bytes.TrimRight(text, " \t\r\n"))
	if m[9]+1+lead >= end {
		return key, key
	}
	return key, f.Range(start+m[9]+1+lead, start+end)
}
