package openapi

import (
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// Spec is one OpenAPI (or Swagger) document with the files its $refs
// read. It is a parsers.Tree of kind "openapi".
type Spec struct {
	root  *source.File
	files []*source.File

	// Version is the value of the `openapi` (or, with Swagger set, the
	// `swagger`) key as written: "3.0.3", "3.1.0", "2.0".
	Version      string
	VersionRange source.Range
	Swagger      bool

	// Servers are the top-level server URLs, variables replaced by their
	// defaults.
	Servers []Server
	// Security is the top-level security; nil when the key is absent.
	Security *SecurityList
	// Schemes are the security schemes by name (components.securitySchemes,
	// or securityDefinitions in Swagger 2.0).
	Schemes map[string]*Scheme
	// Operations are every operation under paths, in document order.
	Operations []*Operation

	// Doc is the document as kin-openapi (oasdiff's loader) loads it; nil
	// when it could not, with the reason in DocErr.
	Doc    *openapi3.T
	DocErr error
}

// Kind implements parsers.Tree.
func (s *Spec) Kind() string { return "openapi" }

// Root implements parsers.Tree.
func (s *Spec) Root() *source.File { return s.root }

// Files implements parsers.Tree: the document first, then the files its
// references read.
func (s *Spec) Files() []*source.File { return s.files }

// Server is a server URL and where it is declared.
type Server struct {
	URL   string // variables replaced by their defaults
	Range source.Range
}

// SecurityList is a `security` value: alternatives of which one must be
// satisfied.
type SecurityList struct {
	Alternatives []Requirement
	Range        source.Range // the `security` key
}

// Requirement is one Security Requirement Object: schemes that must all be
// satisfied. No schemes (`{}`) means anonymous access.
type Requirement struct {
	Schemes []string // names, in document order
	Range   source.Range
}

// Scheme is a security scheme.
type Scheme struct {
	Name        string
	Type        string // as written: "mutualTLS", "http", ...
	HTTPScheme  string // the `scheme` of type http, lower case
	Description string
	Range       source.Range // the scheme's name in components
	TypeRange   source.Range // the `type` value
}

// MutualTLS reports whether the scheme asks for a client certificate: the
// standard `type: mutualTLS` (OpenAPI 3.1 and later), or `type: http` with
// `scheme: mutual` in a scheme whose name or description speaks of TLS or
// certificates (how some 3.0 documents spell it).
func (s *Scheme) MutualTLS() bool {
	return s != nil && (s.Standard() || s.NonStandard())
}

// Standard reports whether the scheme is `type: mutualTLS`.
func (s *Scheme) Standard() bool {
	return s != nil && strings.EqualFold(s.Type, "mutualTLS")
}

// NonStandard reports whether the scheme spells mutual TLS as `type: http,
// scheme: mutual` (the HTTP authentication scheme "Mutual" of RFC 8120 is
// a password protocol, not TLS client certificates).
func (s *Scheme) NonStandard() bool {
	if s == nil || !strings.EqualFold(s.Type, "http") || s.HTTPScheme != "mutual" {
		return false
	}
	text := strings.ToLower(s.Name + " " + s.Description)
	return strings.Contains(text, "tls") || strings.Contains(text, "certificate") || strings.Contains(text, "x.509") || strings.Contains(text, "x509")
}

// Operation is one operation of a path item.
type Operation struct {
	Method string // upper case: GET, POST, ...
	Path   string // the path template as written
	Range  source.Range
	// Security is the operation's own security; nil when it inherits the
	// top-level one.
	Security *SecurityList
	// Servers are the operation's effective servers: its own, else its
	// path item's, else the document's.
	Servers []Server
}

// String names the operation: "GET /users/{id}".
func (o *Operation) String() string { return o.Method + " " + o.Path }

// Effective returns the security that applies to op: its own, else the
// top-level one; nil when neither is declared (no security).
func (s *Spec) Effective(op *Operation) *SecurityList {
	if op.Security != nil {
		return op.Security
	}
	return s.Security
}

// Scheme returns the scheme of that name, or nil.
func (s *Spec) Scheme(name string) *Scheme { return s.Schemes[name] }

// MTLSUse says how a security list involves mutual TLS.
type MTLSUse int

const (
	// MTLSNone: no alternative names a mutual-TLS scheme.
	MTLSNone MTLSUse = iota
	// MTLSRequired: every alternative names a mutual-TLS scheme.
	MTLSRequired
	// MTLSOptional: some alternatives do, others (or `{}`) do not.
	MTLSOptional
)

// MTLS classifies a security list.
func (s *Spec) MTLS(l *SecurityList) MTLSUse {
	if l == nil || len(l.Alternatives) == 0 {
		return MTLSNone
	}
	with := 0
	for _, alt := range l.Alternatives {
		if s.AltMTLS(alt) {
			with++
		}
	}
	switch with {
	case 0:
		return MTLSNone
	case len(l.Alternatives):
		return MTLSRequired
	}
	return MTLSOptional
}

// AltMTLS reports whether one alternative requires a mutual-TLS scheme.
func (s *Spec) AltMTLS(r Requirement) bool {
	for _, name := range r.Schemes {
		if s.Scheme(name).MutualTLS() {
			return true
		}
	}
	return false
}

// MinorVersion returns the OpenAPI major and minor version (3, 1), or
// (2, 0) for Swagger; ok is false when the version is not a number.
func (s *Spec) MinorVersion() (major, minor int, ok bool) {
	v := strings.TrimSpace(s.Version)
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, ok1 := atoi(parts[0])
	minor, ok2 := atoi(parts[1])
	return major, minor, ok1 && ok2
}

func atoi(s string) (int, bool) {
	if s == "" || len(s) > 6 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// SchemeNames returns the names of the schemes, sorted.
func (s *Spec) SchemeNames() []string {
	out := make([]string, 0, len(s.Schemes))
	for n := range s.Schemes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
