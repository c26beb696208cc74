package openapi

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/yamlutil"
	"gopkg.in/yaml.v3"
)

// maxRefChain bounds how many $refs are followed from one node.
const maxRefChain = 32

// Load reads each document and the files its references name into a Spec.
// Problems are syntax errors (E001), references to missing files or
// targets (E002), refused references (network, absolute or out-of-root
// paths, E003), unreadable files (E004), reference cycles (E005), and
// documents that kin-openapi cannot load (M002, with the reason).
func Load(r source.Reader, paths []string) ([]*Spec, []source.Problem) {
	var specs []*Spec
	var problems []source.Problem
	for _, p := range paths {
		if source.Cancelled(r) != nil {
			break // the run was cancelled: stop working
		}
		s, probs := LoadSpec(r, p)
		problems = append(problems, probs...)
		if s != nil {
			specs = append(specs, s)
		}
	}
	return specs, problems
}

// LoadSpec reads one document. It returns nil when the document itself
// cannot be read or parsed (the problems say why).
func LoadSpec(r source.Reader, rel string) (*Spec, []source.Problem) {
	c := &loadCtx{r: r, docs: map[string]*document{}, failed: map[string]error{}, seen: map[string]bool{}}
	f, err := r.ReadFile(rel)
	if err != nil {
		c.readProblem(rel, source.Range{File: rel, Start: source.Pos{Line: 1, Col: 1}, End: source.Pos{Line: 1, Col: 1}}, err)
		return nil, c.problems
	}
	d, prob := parseDocument(f)
	if prob != nil {
		return nil, []source.Problem{*prob}
	}
	c.docs[rel] = d
	c.spec = &Spec{root: f, files: []*source.File{f}, Schemes: map[string]*Scheme{}}
	c.depthProblem(d)
	c.build(d)
	if c.spec.Swagger {
		c.spec.DocErr = errors.New("kin-openapi's OpenAPI 3 loader does not read Swagger 2.0 documents")
	} else {
		c.spec.Doc, c.spec.DocErr = loadKin(r, rel, f.Content)
		if c.spec.DocErr != nil {
			c.kinProblem(c.spec.DocErr)
		}
	}
	return c.spec, c.problems
}

type loadCtx struct {
	r        source.Reader
	spec     *Spec
	docs     map[string]*document
	failed   map[string]error // files that could not be read (nil: did not parse)
	seen     map[string]bool  // problems already reported (code, range, message)
	problems []source.Problem
}

func (c *loadCtx) problem(code source.ProblemKind, rg source.Range, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	k := string(code) + "|" + rg.String() + "|" + msg
	if c.seen[k] {
		return
	}
	c.seen[k] = true
	c.problems = append(c.problems, source.Problem{Kind: code, Range: rg, Message: msg})
}

func (c *loadCtx) readProblem(rel string, at source.Range, err error) {
	switch {
	case errors.Is(err, source.ErrOutsideRoot):
		c.problem(source.ProblemIncludeOutside, at, "reference to %s not followed: %v", rel, err)
	case errors.Is(err, fs.ErrNotExist):
		c.problem(source.ProblemIncludeMissing, at, "referenced file %s does not exist", rel)
	case errors.Is(err, source.ErrTooLarge), errors.Is(err, source.ErrBinary):
		c.problem(source.ProblemSkipped, at, "referenced file %s skipped: %v", rel, err)
	default:
		c.problem(source.ProblemSkipped, at, "cannot read %s: %v", rel, err)
	}
}

// open returns the parsed document at rel, reading it on first use; nil
// (with a problem at at) when it cannot be read or parsed.
func (c *loadCtx) open(rel string, at source.Range) *document {
	if d, ok := c.docs[rel]; ok {
		return d
	}
	if err, ok := c.failed[rel]; ok {
		// Every reference to an unreadable file is reported where it is.
		if err != nil {
			c.readProblem(rel, at, err)
		}
		return nil
	}
	f, err := c.r.ReadFile(rel)
	if err != nil {
		c.failed[rel] = err
		c.readProblem(rel, at, err)
		return nil
	}
	d, prob := parseDocument(f)
	if prob != nil {
		c.failed[rel] = nil // the syntax error is reported once, in the file
		c.problems = append(c.problems, *prob)
		c.spec.files = append(c.spec.files, f)
		return nil
	}
	c.docs[rel] = d
	c.spec.files = append(c.spec.files, f)
	c.depthProblem(d)
	return d
}

// depthProblem reports a document that nests deeper than the walks over
// it follow (E006).
func (c *loadCtx) depthProblem(d *document) {
	if d.root == nil {
		return
	}
	if n := yamlutil.Deeper(d.root, yamlutil.MaxDepth); n != nil {
		c.problems = append(c.problems, yamlutil.TooDeep(d.rangeOf(n)))
	}
}

// refTarget resolves a $ref string written in file base into a file path
// (relative to the root) and a JSON pointer. refused explains why a
// reference is not followed.
func refTarget(base, ref string) (file, pointer string, refused string) {
	filePart, frag := ref, ""
	if i := strings.IndexByte(ref, '#'); i >= 0 {
		filePart, frag = ref[:i], ref[i+1:]
	}
	if filePart == "" {
		return base, frag, ""
	}
	if u, err := url.Parse(filePart); err == nil && (u.Scheme != "" || u.Host != "") || strings.HasPrefix(filePart, "//") {
		return "", "", "network and other non-file references are not followed"
	} else if err != nil {
		return "", "", "malformed reference: " + err.Error()
	}
	if p, err := url.PathUnescape(filePart); err == nil {
		filePart = p
	}
	if path.IsAbs(filePart) || strings.HasPrefix(filePart, "\\") {
		return "", "", "absolute paths are outside the scanned root"
	}
	target := path.Clean(path.Join(path.Dir(base), filePart))
	if target == ".." || strings.HasPrefix(target, "../") {
		return "", "", "the file is outside the scanned root"
	}
	return target, frag, ""
}

// resolve follows a chain of $refs from node n of document d and returns
// the node it ends at, with its document. It returns nil (after reporting
// a problem) when a reference cannot be followed.
func (c *loadCtx) resolve(d *document, n *yaml.Node) (*document, *yaml.Node) {
	visited := map[string]bool{}
	for i := 0; i < maxRefChain; i++ {
		_, refNode := mapGet(n, "$ref")
		if refNode == nil {
			return d, n
		}
		ref := scalar(refNode)
		at := d.rangeOf(refNode)
		file, pointer, refused := refTarget(d.file.Path, ref)
		if refused != "" {
			c.problem(source.ProblemIncludeOutside, at, "$ref %q not followed: %s", ref, refused)
			return nil, nil
		}
		key := file + "#" + pointer
		if visited[key] {
			c.problem(source.ProblemIncludeCycle, at, "$ref %q leads back to itself", ref)
			return nil, nil
		}
		visited[key] = true
		td := c.open(file, at)
		if td == nil {
			return nil, nil
		}
		target, ok := lookup(td.root, pointer)
		if !ok {
			c.problem(source.ProblemIncludeMissing, at, "$ref %q: %s has nothing at #%s", ref, file, pointer)
			return nil, nil
		}
		d, n = td, target
	}
	c.problem(source.ProblemIncludeCycle, d.rangeOf(n), "more than %d chained $refs", maxRefChain)
	return nil, nil
}

// structural reports a value of the wrong shape where the security
// analysis needs it: the document cannot be analysed there.
func (c *loadCtx) structural(d *document, n *yaml.Node, format string, args ...any) {
	c.problem(source.ProblemSyntax, d.rangeOf(n), format, args...)
}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace", "query"}

func (c *loadCtx) build(d *document) {
	s := c.spec
	root := deref(d.root)
	if root == nil || root.Kind != yaml.MappingNode {
		c.structural(d, root, "an OpenAPI document must be a mapping at the top level")
		return
	}
	if k, v := mapGet(root, "openapi"); k != nil {
		s.Version, s.VersionRange = scalar(v), d.rangeOf(v)
	} else if k, v := mapGet(root, "swagger"); k != nil {
		s.Version, s.VersionRange, s.Swagger = scalar(v), d.rangeOf(v), true
	} else {
		c.structural(d, root, "no top-level openapi or swagger key")
	}
	if s.Swagger {
		s.Servers = swaggerServers(d, root)
		if _, v := mapGet(root, "securityDefinitions"); v != nil {
			c.schemes(d, v)
		}
	} else {
		_, sv := mapGet(root, "servers")
		s.Servers = c.servers(d, sv)
		_, comps := mapGet(root, "components")
		if _, v := mapGet(comps, "securitySchemes"); v != nil {
			c.schemes(d, v)
		}
	}
	if k, v := mapGet(root, "security"); k != nil {
		s.Security = c.securityList(d, k, v)
	}
	_, paths := mapGet(root, "paths")
	if paths != nil && paths.Kind != yaml.MappingNode && !(paths.Kind == yaml.ScalarNode && paths.Tag == "!!null") {
		c.structural(d, paths, "paths must be a mapping")
	}
	for _, kv := range pairs(paths) {
		tmpl := kv[0].Value
		if strings.HasPrefix(tmpl, "x-") {
			continue
		}
		pd, item := c.resolve(d, kv[1])
		if item == nil {
			continue
		}
		c.pathItem(pd, tmpl, item)
	}
}

func (c *loadCtx) pathItem(d *document, tmpl string, item *yaml.Node) {
	s := c.spec
	if item.Kind != yaml.MappingNode {
		if !(item.Kind == yaml.ScalarNode && item.Tag == "!!null") {
			c.structural(d, item, "path item %s must be a mapping", tmpl)
		}
		return
	}
	servers := s.Servers
	if _, v := mapGet(item, "servers"); v != nil {
		if ps := c.servers(d, v); len(ps) > 0 {
			servers = ps
		}
	}
	add := func(method string, k, v *yaml.Node) {
		od, op := c.resolve(d, v)
		if op == nil {
			return
		}
		if op.Kind != yaml.MappingNode {
			c.structural(od, op, "operation %s %s must be a mapping", method, tmpl)
			return
		}
		o := &Operation{Method: method, Path: tmpl, Range: d.rangeOf(k), Servers: servers}
		if sk, sv := mapGet(op, "security"); sk != nil {
			o.Security = c.securityList(od, sk, sv)
		}
		if _, v := mapGet(op, "servers"); v != nil {
			if own := c.servers(od, v); len(own) > 0 {
				o.Servers = own
			}
		}
		s.Operations = append(s.Operations, o)
	}
	for _, kv := range pairs(item) {
		name := kv[0].Value
		for _, m := range methods {
			if name == m {
				add(strings.ToUpper(m), kv[0], kv[1])
			}
		}
		if name == "additionalOperations" { // OpenAPI 3.2
			for _, ao := range pairs(kv[1]) {
				add(strings.ToUpper(ao[0].Value), ao[0], ao[1])
			}
		}
	}
}

func (c *loadCtx) securityList(d *document, k, v *yaml.Node) *SecurityList {
	l := &SecurityList{Range: d.rangeOf(k)}
	if v == nil || v.Kind != yaml.SequenceNode {
		c.structural(d, v, "security must be a list of security requirements")
		return l
	}
	for _, item := range v.Content {
		it := deref(item)
		if it == nil || it.Kind != yaml.MappingNode {
			c.structural(d, item, "a security requirement must be a mapping of scheme names to scopes")
			continue
		}
		r := Requirement{Range: d.rangeOf(item)}
		for _, kv := range pairs(it) {
			r.Schemes = append(r.Schemes, kv[0].Value)
		}
		l.Alternatives = append(l.Alternatives, r)
	}
	return l
}

func (c *loadCtx) schemes(d *document, m *yaml.Node) {
	for _, kv := range pairs(m) {
		name := kv[0].Value
		sd, v := c.resolve(d, kv[1])
		if v == nil {
			// Unknown: the reference problem says why. Keep the name so
			// that requirements naming it are not taken as undefined.
			c.spec.Schemes[name] = &Scheme{Name: name, Range: d.rangeOf(kv[0])}
			continue
		}
		if v.Kind != yaml.MappingNode {
			c.structural(sd, v, "security scheme %s must be a mapping", name)
			continue
		}
		sc := &Scheme{Name: name, Range: d.rangeOf(kv[0])}
		_, t := mapGet(v, "type")
		sc.Type, sc.TypeRange = scalar(t), sd.rangeOf(t)
		_, hs := mapGet(v, "scheme")
		sc.HTTPScheme = strings.ToLower(scalar(hs))
		_, desc := mapGet(v, "description")
		sc.Description = scalar(desc)
		c.spec.Schemes[name] = sc
	}
}

func (c *loadCtx) servers(d *document, v *yaml.Node) []Server {
	if v == nil || v.Kind != yaml.SequenceNode {
		return nil
	}
	var out []Server
	for _, item := range v.Content {
		_, u := mapGet(item, "url")
		if u == nil {
			continue
		}
		raw := scalar(u)
		_, vars := mapGet(item, "variables")
		for _, kv := range pairs(vars) {
			_, def := mapGet(kv[1], "default")
			raw = strings.ReplaceAll(raw, "{"+kv[0].Value+"}", scalar(def))
		}
		out = append(out, Server{URL: raw, Range: d.rangeOf(u)})
	}
	return out
}

// swaggerServers builds the server URLs of a Swagger 2.0 document from
// host, basePath and schemes.
func swaggerServers(d *document, root *yaml.Node) []Server {
	hk, host := mapGet(root, "host")
	_, base := mapGet(root, "basePath")
	if hk == nil {
		if base == nil {
			return nil
		}
		return []Server{{URL: scalar(base), Range: d.rangeOf(base)}}
	}
	scheme := "https"
	if _, sch := mapGet(root, "schemes"); sch != nil && sch.Kind == yaml.SequenceNode && len(sch.Content) > 0 {
		scheme = scalar(sch.Content[0])
	}
	return []Server{{URL: scheme + "://" + scalar(host) + scalar(base), Range: d.rangeOf(host)}}
}
