// Package apache holds the Apache httpd rules (codes A001–A009) and the
// builder that turns httpd configurations into routes of the deployment
// model.
package apache

import (
	"strings"

	"github.com/mtlslint/mtlslint/parsers/apache"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// server is the main server or one <VirtualHost>: the directives that
// apply to its requests, in httpd's merge order.
type server struct {
	d *apache.Directive // the VirtualHost, or the tree's Main
	// levels are the contexts whose directives apply to every request of
	// the server: the main server's top level, then the virtual host.
	levels []*apache.Directive
	vhost  bool
	names  []string
	addrs  []string // VirtualHost arguments, or Listen addresses
}

// config is the semantic view of one tree.
type config struct {
	t       *apache.Tree
	main    *apache.Directive
	servers []*server
	listens []*apache.Directive
	// locationRegexps are the <LocationMatch> expressions compiled, once
	// per tree: each is matched against every route of its server.
	locationRegexps map[string]compiledRegexp
}

func newConfig(t *apache.Tree) *config {
	c := &config{t: t, main: t.Main}
	var vhosts []*apache.Directive
	t.Walk(func(d *apache.Directive) bool {
		switch {
		case d.Section && d.Is("VirtualHost"):
			vhosts = append(vhosts, d)
			return false
		case d.Is("Listen"):
			c.listens = append(c.listens, d)
		case d.Section && !isConditional(d):
			return false // <Directory>, <Location>: not server level
		}
		return true
	})
	mainSrv := &server{d: t.Main, levels: []*apache.Directive{t.Main}}
	for _, l := range c.listens {
		mainSrv.addrs = append(mainSrv.addrs, l.Arg(0))
	}
	mainSrv.names = values(c.serverLevel(mainSrv.levels, "ServerName"))
	c.servers = append(c.servers, mainSrv)
	for _, v := range vhosts {
		s := &server{d: v, levels: []*apache.Directive{t.Main, v}, vhost: true, addrs: v.ArgValues()}
		names := values(c.serverLevel([]*apache.Directive{v}, "ServerName"))
		names = append(names, values(c.serverLevel([]*apache.Directive{v}, "ServerAlias"))...)
		s.names = names
		c.servers = append(c.servers, s)
	}
	return c
}

func values(ds []*apache.Directive) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ArgValues()...)
	}
	return out
}

// isConditional reports <IfModule>, <IfDefine>, ... whose active contents
// belong to the enclosing context.
func isConditional(d *apache.Directive) bool {
	switch strings.ToLower(d.Name) {
	case "ifmodule", "ifdefine", "ifversion", "iffile", "ifdirective", "ifsection":
		return !d.Inactive
	}
	return false
}

// directivesOf returns the directives named name written directly in a
// context (through active conditional sections and includes), in order.
func directivesOf(ctx *apache.Directive, name string) []*apache.Directive {
	var out []*apache.Directive
	var visit func(*apache.Directive)
	visit = func(d *apache.Directive) {
		for _, c := range d.Children {
			if c.Section {
				if isConditional(c) {
					visit(c)
				}
				continue
			}
			if name == "" || c.Is(name) {
				out = append(out, c)
			}
		}
	}
	visit(ctx)
	return out
}

// sectionsOf returns the sections named name directly in a context
// (through active conditional sections).
func sectionsOf(ctx *apache.Directive, names ...string) []*apache.Directive {
	var out []*apache.Directive
	var visit func(*apache.Directive)
	visit = func(d *apache.Directive) {
		for _, c := range d.Children {
			if !c.Section {
				continue
			}
			if isConditional(c) {
				visit(c)
				continue
			}
			for _, n := range names {
				if c.Is(n) {
					out = append(out, c)
				}
			}
		}
	}
	visit(ctx)
	return out
}

// serverLevel returns the directives named name at the given levels.
func (c *config) serverLevel(levels []*apache.Directive, name string) []*apache.Directive {
	var out []*apache.Directive
	for _, l := range levels {
		out = append(out, directivesOf(l, name)...)
	}
	return out
}

// last returns the last directive named name at the given levels: the one
// in effect for single-valued directives.
func (c *config) last(levels []*apache.Directive, name string) *apache.Directive {
	ds := c.serverLevel(levels, name)
	if len(ds) == 0 {
		return nil
	}
	return ds[len(ds)-1]
}

// tls reports whether the server terminates TLS (SSLEngine on).
func (c *config) tls(s *server) bool {
	d := c.last(s.levels, "SSLEngine")
	return d != nil && strings.EqualFold(d.Arg(0), "on")
}

// verifyOf maps an SSLVerifyClient argument onto the model.
func verifyOf(d *apache.Directive) rules.VerifyMode {
	if d == nil {
		return rules.VerifyOff
	}
	switch strings.ToLower(d.Arg(0)) {
	case "require":
		return rules.VerifyRequired
	case "optional":
		return rules.VerifyOptional
	case "optional_no_ca":
		return rules.VerifyOptionalNoCA
	case "none":
		return rules.VerifyOff
	}
	return rules.VerifyUnknown
}

// sslVar finds the SSL variables a RequestHeader value refers to:
// %{SSL_CLIENT_S_DN}s, %{SSL_CLIENT_S_DN}e, expr=%{SSL_CLIENT_S_DN}.
var sslVar = source.LazyRegexp(`%\{(SSL_[A-Z0-9_]+)\}[se]?`)

// clientRef finds client-controlled data in a RequestHeader value:
// %{Header}i, %{HTTP_...}e, expr=%{HTTP:...}, %{req:...}, %{HTTP_...}.
var clientRef = source.LazyRegexp(`%\{[^}]+\}i|%\{HTTP_[A-Za-z0-9_]+\}e?|%\{(?:HTTP|req|http|REQ|req_novary):[^}]+\}`)

// valueAction classifies a header value.
func valueAction(v string) (rules.HeaderAction, string) {
	if m := clientRef().FindString(v); m != "" {
		return rules.SetClient, m
	}
	if sslVar().MatchString(v) {
		return rules.SetTLS, ""
	}
	if strings.Contains(v, "%{") {
		return rules.SetOther, ""
	}
	return rules.SetConst, ""
}

// headerOp is one RequestHeader directive read.
type headerOp struct {
	d      *apache.Directive
	action string // set, unset, append, add, merge, setifempty, edit, edit*, echo
	name   string
	value  string
	cond   string // env=..., expr=...
	early  bool
	inIf   *apache.Directive
}

func readHeaderOp(d *apache.Directive) (headerOp, bool) {
	if !d.Is("RequestHeader") || len(d.Args) < 2 {
		return headerOp{}, false
	}
	op := headerOp{d: d, action: strings.ToLower(d.Arg(0)), name: d.Arg(1)}
	rest := d.Args[2:]
	if op.action != "unset" && op.action != "echo" && len(rest) > 0 {
		op.value = rest[0].Value
		rest = rest[1:]
		if strings.HasPrefix(op.action, "edit") && len(rest) > 0 {
			rest = rest[1:] // the replacement
		}
	}
	for _, a := range rest {
		switch v := a.Value; {
		case strings.EqualFold(v, "early"):
			op.early = true
		case strings.HasPrefix(v, "env="), strings.HasPrefix(v, "expr="):
			op.cond = v
		}
	}
	for p := d.Parent; p != nil; p = p.Parent {
		if p.Section && (p.Is("If") || p.Is("ElseIf") || p.Is("Else")) {
			op.inIf = p
			break
		}
	}
	return op, true
}

// isGate recognises the ways httpd refuses a request without a verified
// client certificate: <If "%{SSL_CLIENT_VERIFY} != 'SUCCESS'"> with
// Require all denied (or a redirect / error), SSLRequire on SSL_CLIENT_VERIFY,
// Require expr %{SSL_CLIENT_VERIFY} == 'SUCCESS'.
func isGate(d *apache.Directive) bool {
	switch {
	case d.Section && (d.Is("If") || d.Is("ElseIf")):
		cond := strings.ReplaceAll(d.Arg(0), " ", "")
		if !(strings.Contains(cond, "%{SSL_CLIENT_VERIFY}!='SUCCESS'") || strings.Contains(cond, "%{SSL_CLIENT_VERIFY}!=\"SUCCESS\"") ||
			strings.Contains(cond, "!(%{SSL_CLIENT_VERIFY}=='SUCCESS')") || strings.Contains(cond, "%{SSL_CLIENT_VERIFY}=='NONE'")) {
			return false
		}
		for _, c := range directivesOf(d, "") {
			if c.Is("Require") && strings.EqualFold(c.Arg(0), "all") && strings.EqualFold(c.Arg(1), "denied") {
				return true
			}
			if c.Is("Redirect") || c.Is("RedirectMatch") {
				return true
			}
		}
		return false
	case d.Is("SSLRequire"):
		return strings.Contains(strings.Join(d.ArgValues(), " "), "SSL_CLIENT_VERIFY")
	case d.Is("Require") && strings.EqualFold(d.Arg(0), "expr"):
		e := strings.ReplaceAll(strings.Join(d.ArgValues()[1:], " "), " ", "")
		return strings.Contains(e, "%{SSL_CLIENT_VERIFY}=='SUCCESS'") || strings.Contains(e, "%{SSL_CLIENT_VERIFY}==\"SUCCESS\"")
	}
	return false
}

// osBundles are the operating systems' public CA bundles.
var osBundles = []string{
	"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem", "/usr/local/share/certs/ca-root-nss.crt",
	"/etc/ssl/certs/ca-bundle.crt", "/usr/lib/ssl/cert.pem", "/etc/pki/tls/cert.pem",
}

// publicBundle reports whether a CA file or directory is a public bundle:
// an OS bundle, the OS certificate directory, or certifi.
func publicBundle(p string) bool {
	p = strings.TrimSuffix(p, "/")
	for _, b := range osBundles {
		if p == b {
			return true
		}
	}
	return p == "/etc/ssl/certs" || p == "/etc/pki/tls/certs" || strings.Contains(p, "certifi/cacert.pem")
}
