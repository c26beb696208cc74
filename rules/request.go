package rules

import (
	"fmt"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The request-class contract. A route carries the classes of requests
// that travel it (the proxy side: which requests a listener admits, after
// its terminal actions and its location or ACL matching), and for each
// class and header what the app receives (a Delivery). The app side says,
// for each piece of protected work, which header values let a request
// reach it (a Decision of AcceptSets). One judge, Decision.Admits, puts
// the two together, so that app-only and cross-file rules cannot disagree
// about what gets through. Route builders fill the classes, app builders
// the decisions.

// Transport is how a request reaches the app server.
type Transport int

const (
	// TransportTLS: through the proxy, over TLS.
	TransportTLS Transport = iota
	// TransportPlain: through the proxy, over plain HTTP.
	TransportPlain
	// TransportDirect: straight to the app server's port, around the
	// proxy, where the network boundary lets a client through.
	TransportDirect
)

var transportNames = [...]string{"tls", "plain", "direct"}

func (t Transport) String() string {
	if int(t) < len(transportNames) {
		return transportNames[t]
	}
	return "unknown"
}

// MarshalText writes the transport's name.
func (t Transport) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// CertState is the client certificate of a TLS request as the proxy saw
// it. It is what decides whether certificate facts are the client's
// choice: the subject of a verified certificate is not, the subject of a
// certificate nobody verified (nginx optional_no_ca) is.
type CertState int

const (
	// CertNone: no client certificate (and every request that is not
	// TLS).
	CertNone CertState = iota
	// CertVerified: a certificate that chains to the configured CA.
	CertVerified
	// CertUntrusted: a certificate the proxy let through without
	// verifying it (any issuer, self-signed, expired).
	CertUntrusted
)

var certNames = [...]string{"none", "verified", "untrusted"}

func (c CertState) String() string {
	if int(c) < len(certNames) {
		return certNames[c]
	}
	return "unknown"
}

// MarshalText writes the state's name.
func (c CertState) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// RequestClass is a set of requests that a route treats alike: one
// transport and certificate state, and the conditions under which a
// request of the class travels the route. An empty condition field means
// any value. A finding that claims an attack names the class that carries
// it ("plain HTTP on :80 to /api/").
type RequestClass struct {
	Transport Transport `json:"transport"`
	Cert      CertState `json:"cert"` // for TLS; CertNone otherwise
	// Port is the listener's port the requests arrive on.
	Port string `json:"port,omitempty"`
	// SNI and Host are the TLS server name and the Host header: they may
	// differ, and which server block answers depends on both.
	SNI    string `json:"sni,omitempty"`
	Host   string `json:"host,omitempty"`
	Path   string `json:"path,omitempty"`   // path prefix
	Method string `json:"method,omitempty"` // "GET"
	Source string `json:"source,omitempty"` // client address or network
	// Where are further conditions on the class's requests, in words,
	// that the fields above cannot say ("path not under
	// /.well-known/acme-challenge/").
	Where []string `json:"where,omitempty"`
	// Witness is one request of the class, with the attributes the
	// proxy's conditions test filled in: what a real-server test sends.
	Witness Witness `json:"witness,omitzero"`
	// Undecided lists the conditions the model could not decide (an ACL
	// it cannot evaluate, a map it cannot read): the class may or may not
	// travel the route, and a finding that rests on it is at most medium
	// and names them.
	Undecided []string `json:"undecided,omitempty"`
	// Range is the directive that admits or decides the class (the listen
	// or bind line, the use_backend condition, the location).
	Range source.Range `json:"range,omitzero"`
}

// Maybe reports whether the class rests on conditions the model could not
// decide.
func (c RequestClass) Maybe() bool { return len(c.Undecided) > 0 }

// String describes the class for a finding: "plain HTTP on :80 to /api/",
// "TLS without a client certificate", "a direct connection to the app
// server's port".
func (c RequestClass) String() string {
	var b strings.Builder
	switch c.Transport {
	case TransportDirect:
		b.WriteString("a direct connection to the app server's port")
		if c.Port != "" {
			fmt.Fprintf(&b, " %s", c.Port)
		}
	case TransportPlain:
		b.WriteString("plain HTTP")
	default:
		b.WriteString("TLS")
		switch c.Cert {
		case CertVerified:
			b.WriteString(" with a verified client certificate")
		case CertUntrusted:
			b.WriteString(" with an unverified client certificate")
		default:
			b.WriteString(" without a client certificate")
		}
	}
	if c.Transport != TransportDirect && c.Port != "" {
		fmt.Fprintf(&b, " on :%s", c.Port)
	}
	if c.SNI != "" {
		fmt.Fprintf(&b, ", SNI %s", c.SNI)
	}
	if c.Host != "" {
		fmt.Fprintf(&b, ", Host %s", c.Host)
	}
	if c.Method != "" {
		fmt.Fprintf(&b, ", %s", c.Method)
	}
	if c.Path != "" {
		fmt.Fprintf(&b, " to %s", c.Path)
	}
	if c.Source != "" {
		fmt.Fprintf(&b, " from %s", c.Source)
	}
	for _, w := range c.Where {
		fmt.Fprintf(&b, ", %s", w)
	}
	if c.Maybe() {
		fmt.Fprintf(&b, " (if %s)", strings.Join(c.Undecided, "; "))
	}
	return b.String()
}

// ValueKind says where a header value the app receives comes from.
type ValueKind int

const (
	// ValueAbsent: the header does not arrive (nginx leaves out a header
	// whose value is empty; a proxy deletes the client's copy).
	ValueAbsent ValueKind = iota
	// ValueConst: a value the proxy decides, the same for every request of
	// the class: "SUCCESS", "NONE", "0", "" (HAProxy sends an empty
	// header), or, with Prefix, only its beginning ("FAILED:" followed by
	// the reason).
	ValueConst
	// ValueTLSFact: a fact of the handshake the client cannot choose (the
	// subject of a verified certificate); Text is empty when the value is
	// not known statically.
	ValueTLSFact
	// ValueClient: whatever the client sends: its own copy of the header,
	// client data the proxy copies, the subject of a certificate nobody
	// verified.
	ValueClient
	// ValueJoined: several values in one (Parts), as the app sees them:
	// gunicorn joins the dash and underscore spellings of a header with a
	// comma, in the order they arrived.
	ValueJoined
	// ValueUnknown: what arrives could not be decided.
	ValueUnknown
)

var valueKindNames = [...]string{"absent", "const", "tls-fact", "client", "joined", "unknown"}

func (k ValueKind) String() string {
	if int(k) < len(valueKindNames) {
		return valueKindNames[k]
	}
	return "unknown"
}

// MarshalText writes the kind's name.
func (k ValueKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Value is one value a header may have when it reaches the app.
type Value struct {
	Kind ValueKind `json:"kind"`
	// Text is the literal (ValueConst, or a ValueTLSFact known
	// statically).
	Text string `json:"text,omitempty"`
	// Prefix: Text is only the beginning of the value (ValueConst).
	Prefix bool `json:"prefix,omitempty"`
	// Fact is the handshake fact a ValueTLSFact carries.
	Fact Fact `json:"fact,omitzero"`
	// Parts are the values of a ValueJoined, in the order the app sees
	// them.
	Parts []Value `json:"parts,omitempty"`
	// FromCert: a ValueClient the client chooses through a certificate
	// nobody verified (its subject, its fingerprint), not a copy of the
	// header it sends.
	FromCert bool `json:"from_cert,omitempty"`
	// If is the undecided condition under which this value is the one
	// that arrives (a proxy version the repository does not pin): a
	// delivery's values that carry one are alternatives of which exactly
	// one holds, so a check that accepts only some of them admits maybe.
	If string `json:"if,omitempty"`
}

// The values without parameters.
var (
	Absent       = Value{Kind: ValueAbsent}
	ClientValue  = Value{Kind: ValueClient}
	UnknownValue = Value{Kind: ValueUnknown}
)

// Const is a value the proxy decides.
func Const(text string) Value { return Value{Kind: ValueConst, Text: text} }

// ConstPrefix is a value the proxy decides of which only the beginning is
// known ("FAILED:" and nginx's reason).
func ConstPrefix(text string) Value { return Value{Kind: ValueConst, Text: text, Prefix: true} }

// TLSValue is a handshake fact the client cannot choose.
func TLSValue(f Fact) Value { return Value{Kind: ValueTLSFact, Fact: f} }

// Joined is the value of several copies of a header joined into one.
func Joined(parts ...Value) Value { return Value{Kind: ValueJoined, Parts: parts} }

func (v Value) String() string {
	switch v.Kind {
	case ValueAbsent:
		return "absent"
	case ValueConst:
		if v.Prefix {
			return fmt.Sprintf("%q…", v.Text)
		}
		return fmt.Sprintf("%q", v.Text)
	case ValueTLSFact:
		if v.Text != "" {
			return fmt.Sprintf("%q", v.Text)
		}
		return "the certificate's " + v.Fact.String()
	case ValueClient:
		if v.FromCert {
			return "any value the client's own certificate carries"
		}
		return "any value the client sends"
	case ValueJoined:
		parts := make([]string, len(v.Parts))
		for i, p := range v.Parts {
			parts[i] = p.String()
		}
		return strings.Join(parts, " + \",\" + ")
	}
	return "an undecided value"
}

// Delivery is what the app receives for one header on one request class:
// every value that may arrive.
type Delivery struct {
	Header string       `json:"header"` // dash form, lower case
	Class  RequestClass `json:"class"`
	// Values are every value that may arrive; none means not known (the
	// judge treats it as undecided, never as absent).
	Values []Value `json:"values"`
	// Why says how the route makes it so ("set from $ssl_client_verify;
	// NONE without a certificate").
	Why   string       `json:"why,omitempty"`
	Range source.Range `json:"range,omitzero"` // the directive that decides it
}

// MatchesEveryPath reports whether a proxy's regular expression for
// rewriting or redirecting matches every request path: "^", "^/(.*)$",
// ".*" and their like.
func MatchesEveryPath(re string) bool {
	switch re {
	case "^", "^/", "^(.*)$", "^/(.*)$", "^(.*)", "^/(.*)", "(.*)", ".*", "^.*$", "^.*", "^/.*", "^/.*$", "^/?(.*)$", "^/?(.*)", "/(.*)":
		return true
	}
	return false
}

// RegexLiteralPrefix returns the literal text every match of regular
// expression re begins with, re being anchored at its start (a leading
// "^" is dropped): the characters before the first metacharacter, less
// the last of them when a quantifier that lets it be absent ("?", "*",
// "{") follows it, as in "^/admin/?reports". An alternation outside
// parentheses ("^/a|^/b") has no common literal: "".
func RegexLiteralPrefix(re string) string {
	lit := strings.TrimPrefix(re, "^")
	i := strings.IndexAny(lit, `\.+*?()[]{}|$^`)
	if i < 0 {
		return lit
	}
	depth := 0
	for j := i; j < len(lit); j++ {
		switch lit[j] {
		case '\\':
			j++
		case '(':
			depth++
		case ')':
			depth--
		case '|':
			if depth <= 0 {
				return ""
			}
		}
	}
	if i > 0 && strings.ContainsRune("?*{", rune(lit[i])) {
		i--
	}
	return lit[:i]
}
