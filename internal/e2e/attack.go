package e2e

import (
	"crypto/tls"
	"fmt"
	"regexp"
	"strings"

	"github.com/mtlslint/mtlslint/rules"
)

// The attack vocabulary the real-server suite and `mtlslint prove` share.
// An attack is a request class, as the deployment model writes
// it (transport, client certificate, SNI and Host, listener, path), and
// what the client adds to it (a spoofed identity header in its dash or
// underscore spelling, a scheme header). Scenarios list their breaches by
// attack name ("tls no-cert", "plain-http spoof-dash", "direct"); a request
// of an attack is built by Attack.Request, whoever sends it.

// Adds is what a client adds to a request of its class.
type Adds int

const (
	// AddsNothing: the class's request as it is.
	AddsNothing Adds = iota
	// AddsSpoofDash: the identity headers the app reads, claimed by the
	// client (X-SSL-Client-Verify: SUCCESS, X-SSL-Client-DN: CN=admin).
	AddsSpoofDash
	// AddsSpoofUnderscore: the same headers spelt with "_" for "-".
	AddsSpoofUnderscore
	// AddsSpoofScheme: the secure-scheme headers an app server honours
	// (X-Forwarded-Proto: https, X-Forwarded-Ssl: on,
	// X-Forwarded-Protocol: ssl).
	AddsSpoofScheme
)

var addsNames = [...]string{"", "spoof-dash", "spoof-underscore", "spoof-scheme"}

func (a Adds) String() string {
	if int(a) < len(addsNames) {
		return addsNames[a]
	}
	return "unknown"
}

// Attack is a request class and what the client adds to it.
type Attack struct {
	Class rules.RequestClass
	Adds  Adds
}

// The words of an attack name.
const (
	wordTLS        = "tls"
	wordPlain      = "plain-http"
	wordDirect     = "direct"
	wordSNINotHost = "sni-not-host"
)

var certWords = map[rules.CertState]string{
	rules.CertNone:      "no-cert",
	rules.CertVerified:  "valid-cert",
	rules.CertUntrusted: "untrusted-cert",
}

// SNINotHost reports whether the class's TLS server name and Host header
// name different servers.
func SNINotHost(c rules.RequestClass) bool {
	return c.Transport == rules.TransportTLS && c.SNI != "" && c.Host != "" && !strings.EqualFold(c.SNI, c.Host)
}

// Name is the attack in the scenarios' vocabulary: the transport ("tls",
// "plain-http", "direct"), on TLS the client certificate ("no-cert",
// "valid-cert", "untrusted-cert") and "sni-not-host" where the class's SNI
// and Host differ, then what the client adds ("spoof-dash",
// "spoof-underscore", "spoof-scheme"). The listener and path are not part
// of the name: an attack's requests go to every listener and path its
// classes name.
func (p Attack) Name() string {
	var words []string
	switch p.Class.Transport {
	case rules.TransportDirect:
		words = append(words, wordDirect)
	case rules.TransportPlain:
		words = append(words, wordPlain)
	default:
		words = append(words, wordTLS, certWords[p.Class.Cert])
		if SNINotHost(p.Class) {
			words = append(words, wordSNINotHost)
		}
	}
	if p.Adds != AddsNothing {
		words = append(words, p.Adds.String())
	}
	return strings.Join(words, " ")
}

// ParseAttack reads an attack name. The class it returns carries only what
// the name says (transport, certificate, and for "sni-not-host" an SNI
// and a Host that differ).
func ParseAttack(name string) (Attack, error) {
	words := strings.Fields(name)
	var p Attack
	if len(words) == 0 {
		return p, fmt.Errorf("empty attack name")
	}
	switch words[0] {
	case wordTLS:
		p.Class.Transport = rules.TransportTLS
		if len(words) < 2 {
			return p, fmt.Errorf("attack %q: tls needs a certificate (no-cert, valid-cert, untrusted-cert)", name)
		}
		found := false
		for state, w := range certWords {
			if words[1] == w {
				p.Class.Cert, found = state, true
			}
		}
		if !found {
			return p, fmt.Errorf("attack %q: %q is not a certificate (no-cert, valid-cert, untrusted-cert)", name, words[1])
		}
		words = words[2:]
		if len(words) > 0 && words[0] == wordSNINotHost {
			p.Class.SNI, p.Class.Host = "sni.invalid", "host.invalid"
			words = words[1:]
		}
	case wordPlain:
		p.Class.Transport = rules.TransportPlain
		words = words[1:]
	case wordDirect:
		p.Class.Transport = rules.TransportDirect
		words = words[1:]
	default:
		return p, fmt.Errorf("attack %q: %q is not a transport (tls, plain-http, direct)", name, words[0])
	}
	if len(words) > 1 {
		return p, fmt.Errorf("attack %q: %q after what the client adds", name, strings.Join(words[1:], " "))
	}
	if len(words) == 1 {
		found := false
		for a := AddsSpoofDash; a <= AddsSpoofScheme; a++ {
			if words[0] == a.String() {
				p.Adds, found = a, true
			}
		}
		if !found {
			return p, fmt.Errorf("attack %q: %q is not what a client adds (spoof-dash, spoof-underscore, spoof-scheme)", name, words[0])
		}
	}
	if p.Class.Transport == rules.TransportDirect && p.Adds != AddsNothing {
		return p, fmt.Errorf("attack %q: a direct request always claims every header; it takes no addition", name)
	}
	if p.Name() != strings.Join(strings.Fields(name), " ") {
		return p, fmt.Errorf("attack %q: write it %q", name, p.Name())
	}
	return p, nil
}

// Mechanism is what the rules' findings describe: the way in an attack
// exploits. The suite compares findings with the runtime verdicts per
// mechanism (AttackCodes), over every attack that exploits it.
type Mechanism string

// The mechanisms.
const (
	NoCert          Mechanism = "no-cert"
	ValidCert       Mechanism = "valid-cert"
	UntrustedCert   Mechanism = "untrusted-cert"
	SpoofDash       Mechanism = "spoof-dash"
	SpoofUnderscore Mechanism = "spoof-underscore"
	ForwardedProto  Mechanism = "forwarded-proto"
	DirectApp       Mechanism = "direct-app"
)

// Mechanism says which way in the attack tries: what the client adds, else
// what its certificate is.
func (p Attack) Mechanism() Mechanism {
	switch {
	case p.Class.Transport == rules.TransportDirect:
		return DirectApp
	case p.Adds == AddsSpoofDash:
		return SpoofDash
	case p.Adds == AddsSpoofUnderscore:
		return SpoofUnderscore
	case p.Adds == AddsSpoofScheme:
		return ForwardedProto
	case p.Class.Transport == rules.TransportTLS && p.Class.Cert == rules.CertVerified:
		return ValidCert
	case p.Class.Transport == rules.TransportTLS && p.Class.Cert == rules.CertUntrusted:
		return UntrustedCert
	}
	return NoCert
}

// Target is what a class leaves open, filled in by whoever aims it: the
// listener's address, and the Host and path a request carries when the
// class names none.
type Target struct {
	Addr string // "127.0.0.1:8443"
	From string // source address ("" = the kernel's choice)
	Host string // Host header (and SNI) when the class names none
	Path string // request target when the class's path admits it or names none ("" = /whoami)
}

// Clients are what a class's certificate state stands for: the TLS
// settings a client reaches the proxy with (ServerName is set per
// request) and the certificates it offers.
type Clients struct {
	TLS       *tls.Config
	Valid     *tls.Certificate // chains to the CA the proxy trusts
	Untrusted *tls.Certificate // from a CA the proxy does not trust
}

// Request builds one request of the attack on a target, with the given
// headers (Claims for what the client adds): the Host, TLS server name
// and path of the class's witness, else the class's own where they name
// one, else the target's; the certificate the class's state names.
func (p Attack) Request(t Target, cl Clients, headers []Header) Request {
	c := p.Class
	host, sni, sendSNI := requestNames(c, t.Host)
	path := ClassPath(c.Path, t.Path)
	if strings.HasPrefix(c.Witness.Path, "/") && !strings.ContainsAny(c.Witness.Path, " \t\r\n") {
		path = c.Witness.Path
	}
	req := Request{Addr: t.Addr, From: t.From, Host: host, Path: path, Headers: headers}
	if c.Transport != rules.TransportTLS {
		return req
	}
	if cl.TLS != nil {
		req.TLS = cl.TLS.Clone()
	} else {
		req.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	req.TLS.ServerName = ""
	if sendSNI {
		req.TLS.ServerName = sni
	}
	switch c.Cert {
	case rules.CertVerified:
		req.Client = cl.Valid
	case rules.CertUntrusted:
		req.Client = cl.Untrusted
	}
	return req
}

// requestNames returns the Host and TLS server name a class's request
// carries: the witness's, else the class's where it names one server
// ("localhost or none" names localhost first), else fallback, else
// localhost; the server name is the Host's when the class names none.
// sendSNI is false where the class's server name is "none": the
// handshake carries no name.
func requestNames(c rules.RequestClass, fallback string) (host, sni string, sendSNI bool) {
	host = FirstName(c.Witness.Host, c.Host, fallback)
	if host == "" {
		host = "localhost"
	}
	if n := FirstName(c.Witness.SNI, c.SNI); n != "" {
		return host, n, true
	}
	for _, alt := range strings.Split(c.SNI, " or ") {
		if strings.TrimSpace(alt) == "none" {
			return host, "", false
		}
	}
	return host, host, true
}

// FirstName returns the first server name among the candidates that a
// request can carry as its Host and TLS server name, each candidate may
// list alternatives ("localhost or none"); a wildcard, a pattern or a
// catch-all ("_") names no one server. Lower case; "" when none does.
// Whoever picks the Host for a Target picks it with this, so that
// Attack.Request keeps it.
func FirstName(candidates ...string) string {
	for _, c := range candidates {
		for _, alt := range strings.Split(c, " or ") {
			if alt = strings.ToLower(strings.TrimSpace(alt)); plainHost().MatchString(alt) && alt != "none" {
				return alt
			}
		}
	}
	return ""
}

// ClassPath is the path a request of a class asks for: fallback when the
// class names no path or a prefix fallback starts with (so that one
// request serves every class of "location /"), else a path the class's
// path matches (SamplePath), else fallback.
func ClassPath(classPath, fallback string) string {
	if classPath == "" {
		return fallback
	}
	want := fallback
	if want == "" {
		want = requestPath
	}
	if plainPrefix(classPath) && strings.HasPrefix(want, classPath) {
		return fallback
	}
	if s, ok := SamplePath(classPath); ok {
		return s
	}
	return fallback
}

// plainPrefix reports whether a route's path is a prefix match as the
// proxy writes it ("/", "/api/"), not an exact or regular-expression one.
func plainPrefix(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.ContainsAny(p, "~^$*()[]{}|\\ ?+=")
}

// SamplePath turns a route's path as the proxy writes it into a path that
// it matches, and says whether it found one: nginx's "= /x", "=/x" and
// "^~ /x" are /x; a regular expression ("~ ^/whoami", "~*^/api/") gives
// its literal anchored prefix when the expression matches that prefix
// (/whoami, /api/; "^/api/v[0-9]" has none). A named location ("@x")
// has no path of its own.
func SamplePath(p string) (string, bool) {
	mod, rest := p, ""
	switch {
	case strings.HasPrefix(p, "~*"), strings.HasPrefix(p, "^~ "):
		// "^~/x" in one word is a plain prefix, as nginx reads it
		mod, rest = p[:2], p[2:]
	case strings.HasPrefix(p, "="), strings.HasPrefix(p, "~"):
		mod, rest = p[:1], p[1:]
	}
	rest = strings.TrimSpace(rest)
	switch mod {
	case "=", "^~":
		p = rest
	case "~", "~*":
		if !strings.HasPrefix(rest, "^/") {
			return "", false
		}
		lit := rest[1:]
		if i := strings.IndexAny(lit, `\.^$*+?()[]{}|`); i >= 0 {
			lit = lit[:i]
		}
		if mod == "~*" {
			rest = "(?i)" + rest
		}
		re, err := regexp.Compile(rest)
		if err != nil || !re.MatchString(lit) || strings.ContainsAny(lit, " #") {
			return "", false
		}
		return lit, true
	}
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "~^$*()[]{}|\\ ?+") {
		return "", false
	}
	return p, true
}

// ClaimedValue is the value a client claims for a header: a verified
// verdict, an administrator's DN, HTTPS, else a marker.
func ClaimedValue(h string) string {
	h = rules.HeaderName(h)
	switch {
	case strings.Contains(h, "verify"):
		return "SUCCESS"
	case strings.Contains(h, "host"):
		return "attacker.example"
	case rules.IsSchemeHeader(h):
		for _, s := range rules.GunicornSchemeHeaders {
			if s.Name == h {
				return s.Value
			}
		}
		return "https"
	case rules.IsIdentityHeader(h):
		return "CN=" + UntrustedClientCN
	}
	return "mtlslint-prove"
}

// Claim is the header a client sends to claim h: its usual spelling
// ("X-SSL-Client-DN"), or with "_" for "-" ("X_SSL_Client_DN"), and the
// ClaimedValue.
func Claim(h string, underscore bool) Header {
	name := rules.DisplayHeader(h)
	if underscore {
		name = rules.UnderscoreTwin(h)
	}
	return Header{Name: name, Value: ClaimedValue(h)}
}
