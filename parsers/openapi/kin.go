package openapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/yamlutil"
	"gopkg.in/yaml.v3"
)

// RefusedRefError is returned to kin-openapi for a reference that the
// reader does not follow: a URL, an absolute path, a path outside the
// scanned root.
type RefusedRefError struct {
	Ref    string
	Reason string
}

func (e *RefusedRefError) Error() string {
	return fmt.Sprintf("reference %s not followed: %s", e.Ref, e.Reason)
}

// ReaderLoader returns a kin-openapi loader that reads every referenced
// file through r and refuses network, absolute and out-of-root references
// (kin-openapi leaves that policy to a custom reader, see
// openapi3.Loader.ReadFromURIFunc).
func ReaderLoader(r source.Reader) *openapi3.Loader {
	l := openapi3.NewLoader()
	l.Context = context.Background()
	l.IsExternalRefsAllowed = true // enforced by ReadFromURIFunc below
	l.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		if u.Scheme != "" || u.Host != "" || u.Opaque != "" {
			return nil, &RefusedRefError{Ref: u.String(), Reason: "network and other non-file references are not followed"}
		}
		p := u.Path
		if path.IsAbs(p) {
			return nil, &RefusedRefError{Ref: p, Reason: "absolute paths are outside the scanned root"}
		}
		p = path.Clean(p)
		if p == ".." || strings.HasPrefix(p, "../") {
			return nil, &RefusedRefError{Ref: p, Reason: "the file is outside the scanned root"}
		}
		f, err := r.ReadFile(p)
		if err != nil {
			return nil, err
		}
		return f.Content, nil
	}
	return l
}

// loadKin loads a document with kin-openapi through r. kin-openapi is not
// trusted to survive every input: a panic becomes an error.
func loadKin(r source.Reader, rel string, content []byte) (doc *openapi3.T, err error) {
	defer func() {
		if v := recover(); v != nil {
			doc, err = nil, fmt.Errorf("kin-openapi failed: %v", v)
		}
	}()
	l := ReaderLoader(r)
	return l.LoadFromDataWithPath(content, &url.URL{Path: rel})
}

// kinProblem turns kin-openapi's load error into a problem. A refused or
// missing reference is placed on the $ref that names it; anything else is
// reported on the version key: the security analysis read the document's
// structure and still ran, but comparing versions with oasdiff cannot.
func (c *loadCtx) kinProblem(err error) {
	var refused *RefusedRefError
	ref := quotedRef(err.Error())
	at, found := c.findRef(ref)
	if !found {
		// kin-openapi names a line of the root document in some errors.
		if n, _ := yamlutil.ErrorLine(err); n >= 1 && n <= c.spec.root.LineCount() {
			at = c.spec.root.LineRange(n)
			for _, p := range c.problems {
				if p.Range.File == at.File && p.Range.Start.Line == n {
					return // already reported there by the structural walk
				}
			}
			found = true
		}
	}
	if !found {
		at = c.spec.VersionRange
		if !at.IsValid() {
			at = c.spec.root.Range(0, 0)
		}
	}
	for _, p := range c.problems {
		if found && p.Range == at && (p.Kind == source.ProblemIncludeOutside || p.Kind == source.ProblemIncludeMissing) {
			return // the structural walk already reported this reference
		}
	}
	switch {
	case errors.As(err, &refused):
		c.problem(source.ProblemIncludeOutside, at, "$ref %q not followed: %s", ref, refused.Reason)
	case errors.Is(err, source.ErrOutsideRoot):
		c.problem(source.ProblemIncludeOutside, at, "$ref %q not followed: the file is outside the scanned root", ref)
	case isNotExist(err):
		c.problem(source.ProblemIncludeMissing, at, "$ref %q: the referenced file does not exist", ref)
	default:
		c.problem(source.ProblemNotAnalysed, at, "kin-openapi (the loader oasdiff uses) cannot load this document: %v; the mutual-TLS rules read the document directly and ran, but spec-diff and --spec-base cannot compare it with oasdiff", trimErr(err))
	}
}

func isNotExist(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "file does not exist") || strings.Contains(e.Error(), "no such file") {
			return true
		}
	}
	return false
}

func trimErr(err error) string {
	s := err.Error()
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// quotedRef extracts the reference kin-openapi names in its error
// (`error resolving reference "x.yaml#/a": ...`).
func quotedRef(msg string) string {
	const marker = `reference "`
	i := strings.Index(msg, marker)
	if i < 0 {
		return ""
	}
	rest := msg[i+len(marker):]
	if j := strings.IndexByte(rest, '"'); j >= 0 {
		return rest[:j]
	}
	return ""
}

// findRef finds the position of a $ref with the given value in the files
// read so far.
func (c *loadCtx) findRef(ref string) (source.Range, bool) {
	if ref == "" {
		return source.Range{}, false
	}
	for _, f := range c.spec.files {
		d := c.docs[f.Path]
		if d == nil {
			continue
		}
		if n := findRefNode(d.root, ref, 0); n != nil {
			return d.rangeOf(n), true
		}
	}
	return source.Range{}, false
}

func findRefNode(n *yaml.Node, ref string, depth int) *yaml.Node {
	if n == nil || depth > yamlutil.MaxDepth {
		return nil
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "$ref" && n.Content[i+1].Kind == yaml.ScalarNode && n.Content[i+1].Value == ref {
				return n.Content[i+1]
			}
		}
	}
	for _, ch := range n.Content {
		if m := findRefNode(ch, ref, depth+1); m != nil {
			return m
		}
	}
	return nil
}
