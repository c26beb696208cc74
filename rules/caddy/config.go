// Package caddy holds the Caddy rules (codes C001–C009) and the builder
// that turns Caddyfiles and Caddy JSON configurations into routes of the
// deployment model.
package caddy

import (
	"net"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/caddy"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// headerOp is one header operation: request_header at site level, or
// header_up inside reverse_proxy.
type headerOp struct {
	kind  byte // 's' set, 'a' add, 'd' delete, 'r' replace (search and replace)
	name  string
	value string
	rng   source.Range
}

// proxy is one reverse_proxy handler.
type proxy struct {
	path      string // the path matcher it sits behind ("" for all)
	upstreams []string
	up        []headerOp // header_up, in the order written
	reqOps    []headerOp // request_header ops of the enclosing blocks
	trusted   []string   // trusted_proxies ranges
	trustedAt source.Range
	rng, head source.Range
	// way is how a request reaches the handler (nil: not followed).
	way *way
}

// clientAuth is what a site's TLS client authentication says.
type clientAuth struct {
	present bool
	mode    string // as written, or "" for the default
	at      source.Range
	modeAt  source.Range
	cas     []string // trusted CA files
	caAt    source.Range
}

// site is one site block (or JSON server route) with what the rules need.
type site struct {
	hosts   []string
	addrs   []address
	auth    clientAuth
	proxies []*proxy
	head    source.Range
	rng     source.Range
	// policies are a JSON server's TLS connection policies in order, when
	// it has several: Caddy applies the first whose match (server names)
	// holds, so the client authentication depends on the SNI.
	policies []sniPolicy
	// globalTrusted are the global servers { trusted_proxies } ranges.
	globalTrusted   []string
	globalTrustedAt source.Range
}

// sniPolicy is one TLS connection policy: the server names it matches
// (none: every connection) and its client authentication.
type sniPolicy struct {
	sni  []string
	auth clientAuth
	at   source.Range
}

type address struct {
	ep  rules.Endpoint
	tls bool
}

// verify maps the client authentication onto the model. Caddy's default
// mode is require_and_verify when CAs are given and require (any
// certificate, unverified) when not.
func (a clientAuth) verify() rules.VerifyMode {
	if !a.present {
		return rules.VerifyOff
	}
	switch a.mode {
	case "request", "require":
		return rules.VerifyOptionalNoCA
	case "verify_if_given":
		return rules.VerifyOptional
	case "require_and_verify":
		return rules.VerifyRequired
	case "":
		if len(a.cas) > 0 {
			return rules.VerifyRequired
		}
		return rules.VerifyOptionalNoCA
	}
	return rules.VerifyUnknown
}

// effectiveMode names the mode in effect ("require" for a client_auth
// without mode and without CAs).
func (a clientAuth) effectiveMode() string {
	if a.mode != "" {
		return a.mode
	}
	if len(a.cas) > 0 {
		return "require_and_verify"
	}
	return "require"
}

// anchor is where a finding about the client authentication belongs.
func (a clientAuth) anchor() source.Range {
	if a.modeAt.IsValid() {
		return a.modeAt
	}
	return a.at
}

var (
	tlsPlaceholder    = source.LazyRegexp(`\{(?:http\.request\.tls\.client\.[a-z_.0-9]+|tls_client_[a-z_]+)\}`)
	clientPlaceholder = source.LazyRegexp(`\{(?:http\.request\.(?:header|cookie|uri\.query)\.[^}]+|header\.[^}]+|cookie\.[^}]+|query\.[^}]+|>[^}]+)\}`)
)

// valueAction classifies a header_up value.
func valueAction(v string) (rules.HeaderAction, string) {
	if m := clientPlaceholder().FindString(v); m != "" {
		return rules.SetClient, m
	}
	if tlsPlaceholder().MatchString(v) {
		return rules.SetTLS, ""
	}
	if strings.Contains(v, "{") && strings.Contains(v, "}") {
		return rules.SetOther, ""
	}
	return rules.SetConst, ""
}

// readOp reads a header_up or request_header line: "Name value",
// "+Name value", "-Name", "Name search replace".
func readOp(d *caddy.Directive) (headerOp, bool) {
	if len(d.Args) == 0 {
		return headerOp{}, false
	}
	name := d.Arg(0)
	op := headerOp{kind: 's', name: name, rng: d.Range}
	switch {
	case strings.HasPrefix(name, "-"):
		op.kind, op.name = 'd', name[1:]
	case strings.HasPrefix(name, "+"):
		op.kind, op.name, op.value = 'a', name[1:], d.Arg(1)
	case len(d.Args) >= 3:
		op.kind, op.value = 'r', d.Arg(2)
	default:
		op.value = d.Arg(1)
	}
	return op, op.name != ""
}

// broadRanges are trusted_proxies values that admit clients: every
// address, or the private ranges a client on the same network has.
func broadRange(v string) bool {
	switch strings.ToLower(v) {
	case "private_ranges", "0.0.0.0/0", "::/0", "*":
		return true
	}
	if _, n, err := net.ParseCIDR(v); err == nil {
		ones, bits := n.Mask.Size()
		return bits == 32 && ones <= 8 || bits == 128 && ones <= 16
	}
	return false
}

// addressOf reads a site address: "https://host:port", "http://host",
// "host", ":8443", "host:8080".
func addressOf(k string, hasTLS bool) address {
	scheme := ""
	if s, rest, ok := strings.Cut(k, "://"); ok {
		scheme, k = strings.ToLower(s), rest
	}
	if i := strings.IndexByte(k, '/'); i >= 0 {
		k = k[:i]
	}
	host, port := k, ""
	if h, p, err := net.SplitHostPort(k); err == nil {
		host, port = h, p
	}
	tls := true
	switch {
	case scheme == "http", port == "80":
		tls = false
	case scheme == "https":
	case host == "" && !hasTLS:
		tls = false // no host name: no automatic HTTPS
	}
	if port == "" {
		port = "443"
		if !tls {
			port = "80"
		}
	}
	if host == "" {
		host = "*"
	}
	return address{ep: rules.Endpoint{Host: host, Port: port}, tls: tls}
}
