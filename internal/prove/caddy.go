package prove

import (
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"strings"

	"github.com/mtlslint/mtlslint/internal/e2e"
	"github.com/mtlslint/mtlslint/parsers/caddy"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// caddyRefusal says why a directive would make Caddy execute something,
// or "" when it does not.
func caddyRefusal(name string) string {
	switch name {
	case "exec", "command", "supervisor":
		return "runs programs (a plugin)"
	case "cgi":
		return "runs CGI programs (a plugin)"
	case "php_server", "php", "frankenphp":
		return "runs PHP code (FrankenPHP)"
	case "python", "wasm", "starlark":
		return "runs code (a plugin)"
	}
	return ""
}

// Global options that concern certificates from an ACME CA, storage or the
// admin endpoint: the run sets its own.
var caddyGlobalsReplaced = map[string]bool{
	"admin": true, "default_bind": true, "http_port": true, "https_port": true, "storage": true,
	"email": true, "acme_ca": true, "acme_ca_root": true, "acme_dns": true, "acme_eab": true,
	"on_demand_tls": true, "cert_issuer": true, "local_certs": true, "skip_install_trust": true,
	"ocsp_stapling": true, "ocsp_interval": true, "storage_clean_interval": true, "renew_interval": true,
	"preferred_chains": true, "key_type": true,
}

// tls subdirectives that fetch or choose certificates: the run's are
// given instead.
var caddyTLSDropped = map[string]bool{
	"dns": true, "ca": true, "ca_root": true, "issuer": true, "on_demand": true, "load": true,
	"get_certificate": true, "eab": true, "resolvers": true, "dns_ttl": true, "propagation_delay": true,
	"propagation_timeout": true, "key_type": true,
}

type caddyConf struct {
	rw   *rewriter
	tree *caddy.Tree
	http int // the run's port for the HTTP port (80)
	tls  int // the run's port for the HTTPS port (443)
}

func (rw *rewriter) caddy(t *caddy.Tree) error {
	if t.JSON != nil {
		return rw.caddyJSON(t)
	}
	c := &caddyConf{rw: rw, tree: t}
	for _, s := range t.Sites {
		s.Walk(func(d *caddy.Directive) bool {
			if why := caddyRefusal(d.Name); why != "" {
				rw.refuse(d.Head, d.Name, why)
			}
			return true
		})
	}
	if len(rw.plan.Refusals) > 0 {
		return nil
	}
	for _, s := range t.Sites {
		if !s.Global {
			c.site(s)
		}
	}
	c.global()
	for _, s := range t.Sites {
		s.Walk(func(d *caddy.Directive) bool {
			c.directive(s, d)
			return true
		})
	}
	rw.plan.Env = []string{"XDG_DATA_HOME=" + rw.runPath("caddy-data"), "XDG_CONFIG_HOME=" + rw.runPath("caddy-config")}
	return nil
}

// raw is the text of a range as written.
func (rw *rewriter) raw(r source.Range) string {
	f := rw.files[r.File]
	if f == nil || r.End.Offset > len(f.Content) || r.Start.Offset > r.End.Offset {
		return ""
	}
	return string(f.Content[r.Start.Offset:r.End.Offset])
}

// caddyAddr is a site address: [scheme://]host[:port][/path].
type caddyAddr struct {
	scheme, host, port, path string
}

func parseCaddyAddr(a string) caddyAddr {
	var ad caddyAddr
	if i := strings.Index(a, "://"); i >= 0 {
		ad.scheme, a = strings.ToLower(a[:i]), a[i+3:]
	}
	if i := strings.Index(a, "/"); i >= 0 {
		a, ad.path = a[:i], a[i:]
	}
	if i := strings.LastIndex(a, ":"); i >= 0 && !strings.HasSuffix(a, "]") && !strings.Contains(a[i:], "}") {
		ad.host, ad.port = a[:i], a[i+1:]
	} else {
		ad.host = a
	}
	return ad
}

// site moves a site's addresses to loopback ports and gives an HTTPS site
// the run's certificate.
func (c *caddyConf) site(s *caddy.Site) {
	rw := c.rw
	hasTLS := len(s.Find("tls")) > 0
	siteTLS := false
	for _, k := range s.Keys {
		raw := strings.TrimSuffix(rw.raw(k.Range), ",")
		ad := parseCaddyAddr(strings.Trim(raw, `"`))
		var tls bool
		switch {
		case ad.scheme == "https":
			tls = true
		case ad.scheme == "http", ad.port == "80":
			tls = false
		default:
			// Caddy serves HTTPS for a site with a host name or address,
			// or with a tls directive.
			tls = hasTLS || ad.host != ""
		}
		port := ad.port
		if port == "" {
			port = "80"
			if tls {
				port = "443"
			}
		}
		siteTLS = siteTLS || tls
		// The site's addresses line is its routes' listener in the model.
		p := rw.listener(s.Head, "*:"+port, tls)
		text := ad.host + ":" + fmt.Sprint(p) + ad.path
		if ad.scheme != "" {
			text = ad.scheme + "://" + text
		}
		if strings.HasSuffix(rw.raw(k.Range), ",") {
			text += ","
		}
		rw.replace(k.Range, text)
	}
	if siteTLS && !hasTLS {
		c.insertInSite(s, "tls "+c.certArgs())
	}
}

// insertInSite adds a directive at the top of a site's block.
func (c *caddyConf) insertInSite(s *caddy.Site, line string) {
	f := c.rw.files[s.Head.File]
	if f == nil {
		return
	}
	if len(s.Directives) > 0 {
		// Before the import that brought the first directive in, not
		// inside the snippet, which other sites import too.
		first := s.Directives[0]
		for first.Via != nil {
			first = first.Via
		}
		c.rw.insert(c.rw.files[first.Head.File], first.Head.Start.Offset, line+"\n\t")
		return
	}
	if end := s.Range.End.Offset; end > s.Head.End.Offset && end <= len(f.Content) && f.Content[end-1] == '}' {
		c.rw.insert(f, end-1, line+"\n")
	}
}

func (c *caddyConf) certArgs() string {
	return caddyQuote(c.rw.sb.cert(e2e.FileServerCert)) + " " + caddyQuote(c.rw.sb.cert(e2e.FileServerKey))
}

// global sets the run's global options: no admin endpoint, binds on
// loopback, the HTTP and HTTPS ports moved, storage in the run, and
// certificates never ordered from an ACME CA.
func (c *caddyConf) global() {
	rw := c.rw
	c.http, c.tls = rw.port("*:80"), rw.port("*:443")
	opts := []string{
		"admin off",
		"default_bind 127.0.0.1",
		fmt.Sprintf("http_port %d", c.http),
		fmt.Sprintf("https_port %d", c.tls),
		"storage file_system " + caddyQuote(rw.runPath("caddy-storage")),
		"local_certs",
		"skip_install_trust",
	}
	g := c.tree.Global()
	if g == nil {
		rw.insert(c.tree.Root(), 0, "{\n\t"+strings.Join(opts, "\n\t")+"\n}\n")
		return
	}
	for _, d := range g.Directives {
		if caddyGlobalsReplaced[d.Name] {
			rw.remove(d.Range)
		}
	}
	if len(g.Directives) > 0 {
		first := g.Directives[0]
		rw.insert(rw.files[first.Head.File], first.Head.Start.Offset, strings.Join(opts, "\n\t")+"\n\t")
		return
	}
	f := rw.files[g.Range.File]
	if end := g.Range.End.Offset; f != nil && end > g.Head.End.Offset && end <= len(f.Content) && f.Content[end-1] == '}' {
		rw.insert(f, end-1, strings.Join(opts, "\n")+"\n")
	}
}

func (c *caddyConf) directive(s *caddy.Site, d *caddy.Directive) {
	rw := c.rw
	if s.Global {
		if d.Name == "trusted_proxies" || d.Name == "client_ip_headers" {
			rw.sourceCondition(d.Head, d.Name, "trusts the addresses given for the client's real address")
		}
		if d.Name == "proxy_protocol" {
			rw.limit(d.Head, d.Name, "expects the PROXY protocol from a load balancer in front")
		}
		if d.Name == "output" {
			c.output(d)
		}
		return
	}
	switch d.Name {
	case "bind":
		if len(d.Args) > 0 {
			r := d.Args[0].Range
			r.End = d.Args[len(d.Args)-1].Range.End
			rw.replace(r, "127.0.0.1")
		}
	case "tls":
		c.tlsDirective(d)
	case "reverse_proxy":
		c.reverseProxy(d)
	case "php_fastcgi":
		c.upstreams(d, d.Args, "fastcgi")
	case "forward_auth":
		c.upstreams(d, d.Args, "http")
		rw.limit(d.Head, d.Name, "the authentication service is the stub app, which admits every request")
	case "output":
		c.output(d)
	case "trusted_proxies":
		rw.sourceCondition(d.Head, d.Name, "trusts the addresses given for the client's real address")
	case "remote_ip", "client_ip":
		rw.sourceCondition(d.Head, d.Name, "decides on the client's address")
	case "import":
		if len(d.Args) > 0 && strings.HasPrefix(d.Arg(0), "/") {
			rw.limit(d.Head, "import", "%s is outside the repository", d.Arg(0))
		}
	}
}

// tlsDirective gives the run's certificate and client CA.
func (c *caddyConf) tlsDirective(d *caddy.Directive) {
	rw := c.rw
	if d.Parent != nil { // transport http { tls }: handled with the upstreams
		return
	}
	if len(d.Args) > 0 {
		r := d.Args[0].Range
		r.End = d.Args[len(d.Args)-1].Range.End
		rw.replace(r, c.certArgs())
	} else {
		rw.insert(rw.files[d.NameRange.File], d.NameRange.End.Offset, " "+c.certArgs())
	}
	for _, sub := range d.Children {
		if caddyTLSDropped[sub.Name] {
			rw.remove(sub.Range)
			continue
		}
		if sub.Name != "client_auth" {
			continue
		}
		for _, ca := range sub.Children {
			switch ca.Name {
			case "trusted_ca_cert_file":
				c.setArgs(ca, caddyQuote(rw.sb.cert(e2e.FileCA)))
			case "trusted_leaf_cert_file":
				c.setArgs(ca, caddyQuote(rw.sb.cert(e2e.FileClientCert)))
			case "trusted_ca_cert":
				c.setArgs(ca, c.derBase64(e2e.FileCA))
			case "trusted_leaf_cert":
				c.setArgs(ca, c.derBase64(e2e.FileClientCert))
			}
		}
	}
}

func (c *caddyConf) setArgs(d *caddy.Directive, text string) {
	if len(d.Args) == 0 {
		return
	}
	r := d.Args[0].Range
	r.End = d.Args[len(d.Args)-1].Range.End
	c.rw.replace(r, text)
}

// derBase64 is a certificate of the run's PKI as base64 DER, how Caddy
// takes one inline.
func (c *caddyConf) derBase64(name string) string {
	b, err := os.ReadFile(c.rw.sb.cert(name))
	if err != nil {
		c.rw.fail(err)
		return ""
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		c.rw.fail(fmt.Errorf("%s: no PEM block", name))
		return ""
	}
	return base64.StdEncoding.EncodeToString(blk.Bytes)
}

// reverseProxy points a reverse_proxy's upstreams at the stub app and
// makes the connection plain.
func (c *caddyConf) reverseProxy(d *caddy.Directive) {
	rw := c.rw
	proto := "http"
	for _, sub := range d.Children {
		if sub.Name == "transport" && sub.Arg(0) == "fastcgi" {
			proto = "fastcgi"
		}
	}
	c.upstreams(d, d.Args, proto)
	for _, sub := range d.Children {
		switch sub.Name {
		case "to":
			c.upstreams(sub, sub.Args, proto)
		case "dynamic":
			rw.remove(sub.Range)
			rw.limit(sub.Head, "dynamic", "dynamic upstreams replaced by the stub app")
		case "health_port":
			rw.remove(sub.Range)
		case "trusted_proxies":
			rw.sourceCondition(sub.Head, sub.Name, "trusts the addresses given for the client's real address")
		case "transport":
			for _, t := range sub.Children {
				if strings.HasPrefix(t.Name, "tls") {
					rw.remove(t.Range)
					rw.limit(t.Head, t.Name, "TLS to the upstream replaced by plain HTTP to the stub app")
				}
			}
		}
	}
}

// upstreams rewrites the upstream addresses among args (a leading matcher
// is skipped).
func (c *caddyConf) upstreams(d *caddy.Directive, args []caddy.Token, proto string) {
	rw := c.rw
	for i, a := range args {
		if i == 0 && d.Name != "to" && (strings.HasPrefix(a.Text, "@") || strings.HasPrefix(a.Text, "/") || a.Text == "*") {
			continue
		}
		raw := rw.raw(a.Range)
		switch {
		case strings.HasPrefix(a.Text, "https://"):
			rw.limit(d.Head, d.Name, "TLS to the upstream replaced by plain HTTP to the stub app")
		case strings.HasPrefix(a.Text, "h2c://"):
			rw.limit(d.Head, d.Name, "h2c to the upstream replaced by HTTP/1.1 to the stub app")
		}
		rw.replace(a.Range, fmt.Sprintf("127.0.0.1:%d", rw.upstream(raw, proto)))
	}
}

// output sends a log to the run's directory.
func (c *caddyConf) output(d *caddy.Directive) {
	switch d.Arg(0) {
	case "stdout", "stderr", "discard":
		return
	}
	c.rw.replace(d.Range, "output file "+caddyQuote(c.rw.runPath("caddy.log")))
}

// caddyQuote writes a value as one Caddyfile token.
func caddyQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"{}`#") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// caddyHosts returns the host names of a Caddyfile's sites.
func caddyHosts(t *caddy.Tree) []string {
	if t.JSON != nil {
		return caddyJSONHosts(t)
	}
	var out []string
	for _, s := range t.Sites {
		for _, k := range s.Keys {
			out = append(out, parseCaddyAddr(strings.TrimSuffix(k.Text, ",")).host)
		}
	}
	return out
}
