package prove

import (
	"fmt"
	"strings"

	"github.com/mtlslint/mtlslint/internal/e2e"
	"github.com/mtlslint/mtlslint/parsers/nginx"
)

// nginxRefusal says why a directive would make nginx execute something, or
// "" when it does not.
func nginxRefusal(name string) string {
	switch {
	case name == "load_module":
		return "loads a dynamic module"
	case name == "perl" || name == "perl_modules" || name == "perl_require" || name == "perl_set":
		return "runs Perl code"
	case strings.HasPrefix(name, "js_"):
		return "runs JavaScript (njs)"
	case strings.Contains(name, "_by_lua") || strings.HasPrefix(name, "lua_"):
		return "runs Lua code"
	case strings.HasPrefix(name, "mruby_"):
		return "runs mruby code"
	case name == "ssl_engine":
		return "loads an OpenSSL engine"
	}
	return ""
}

// Blocks whose lines are data (keys and values), not directives.
var nginxDataBlocks = map[string]bool{"map": true, "geo": true, "types": true, "split_clients": true, "charset_map": true, "match": true}

// nginxTempPaths are the directories nginx creates at startup; their
// defaults are absolute paths outside the run.
var nginxTempPaths = []string{"client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path", "uwsgi_temp_path", "scgi_temp_path"}

// The run's PKI file each TLS file directive points to.
var nginxTLSFiles = map[string]string{
	"ssl_certificate":               e2e.FileServerCert,
	"ssl_certificate_key":           e2e.FileServerKey,
	"ssl_client_certificate":        e2e.FileCA,
	"ssl_trusted_certificate":       e2e.FileCA,
	"ssl_crl":                       e2e.FileCRL,
	"ssl_dhparam":                   e2e.FileDHParams,
	"ssl_session_ticket_key":        e2e.FileTicketKey,
	"ssl_password_file":             filePasswords,
	"proxy_ssl_certificate":         e2e.FileServerCert,
	"proxy_ssl_certificate_key":     e2e.FileServerKey,
	"proxy_ssl_trusted_certificate": e2e.FileCA,
	"proxy_ssl_crl":                 e2e.FileCRL,
	"proxy_ssl_password_file":       filePasswords,
	"grpc_ssl_certificate":          e2e.FileServerCert,
	"grpc_ssl_certificate_key":      e2e.FileServerKey,
	"grpc_ssl_trusted_certificate":  e2e.FileCA,
	"grpc_ssl_crl":                  e2e.FileCRL,
	"grpc_ssl_password_file":        filePasswords,
	"uwsgi_ssl_certificate":         e2e.FileServerCert,
	"uwsgi_ssl_certificate_key":     e2e.FileServerKey,
	"uwsgi_ssl_trusted_certificate": e2e.FileCA,
	"uwsgi_ssl_crl":                 e2e.FileCRL,
	"uwsgi_ssl_password_file":       filePasswords,
}

// Directives that name a file nginx reads, resolved in the repository.
var nginxDataFiles = map[string]bool{"auth_basic_user_file": true, "geoip_country": true, "geoip_city": true, "geoip_org": true, "xslt_stylesheet": true}

// The protocol each *_pass directive speaks to its upstream.
var nginxPassProtocol = map[string]string{"proxy_pass": "http", "grpc_pass": "grpc", "uwsgi_pass": "uwsgi", "fastcgi_pass": "fastcgi", "scgi_pass": "scgi", "memcached_pass": "memcached"}

// nginxConf is the state of rewriting one nginx tree.
type nginxConf struct {
	rw        *rewriter
	tree      *nginx.Tree
	upstreams map[string]string // upstream block name → protocol its users speak
	caches    int
}

func (rw *rewriter) nginx(t *nginx.Tree) error {
	for _, f := range t.StockFiles() {
		rw.files[f.Path] = f
	}
	c := &nginxConf{rw: rw, tree: t, upstreams: map[string]string{}}
	c.collectUpstreams()
	t.Walk(func(d *nginx.Directive) bool {
		if d.Synthetic {
			return true
		}
		c.directive(d)
		return !d.Opaque && !nginxDataBlocks[d.Name]
	})
	if len(rw.plan.Refusals) > 0 {
		return nil
	}
	c.contexts()
	return nil
}

// collectUpstreams finds the upstream blocks and what their users speak to
// them, so that their servers are given a stub port of the right protocol.
func (c *nginxConf) collectUpstreams() {
	c.tree.Walk(func(d *nginx.Directive) bool {
		if d.Name == "upstream" && d.Block && len(d.Args) > 0 {
			if _, ok := c.upstreams[d.Arg(0)]; !ok {
				c.upstreams[d.Arg(0)] = c.passProtocol("proxy_pass", d)
			}
		}
		return !nginxDataBlocks[d.Name]
	})
	c.tree.Walk(func(d *nginx.Directive) bool {
		if proto, ok := nginxPassProtocol[d.Name]; ok && !d.Block && len(d.Args) > 0 {
			_, host, _ := splitPass(d.Arg(0))
			name, _, _ := strings.Cut(host, ":")
			if _, isUpstream := c.upstreams[name]; isUpstream && proto != "http" {
				c.upstreams[name] = proto
			}
		}
		return !nginxDataBlocks[d.Name]
	})
}

// passProtocol is the protocol of a *_pass directive at d: proxy_pass in
// a stream block speaks TCP.
func (c *nginxConf) passProtocol(name string, d *nginx.Directive) string {
	if inBlock(d, "stream") {
		return "tcp"
	}
	return nginxPassProtocol[name]
}

func inBlock(d *nginx.Directive, name string) bool {
	for p := d.Parent; p != nil; p = p.Parent {
		if p.Name == name {
			return true
		}
	}
	return false
}

func (c *nginxConf) directive(d *nginx.Directive) {
	rw := c.rw
	if why := nginxRefusal(d.Name); why != "" {
		rw.refuse(d.Written().Range(), d.Name, why)
		return
	}
	if d.Name == "internal" && d.Parent != nil && d.Parent.Name == "location" {
		// recorded at the location's head, where the model's route is
		rw.limit(d.Parent.Head(), "internal", "the location is reached only through a subrequest (auth_request, error_page, X-Accel-Redirect), not by a request sent to it")
		return
	}
	if d.Stock() != "" && d.Name != "ssl_certificate" && d.Name != "ssl_certificate_key" {
		return // distribution files hold parameters and types, nothing of a deployment but snakeoil.conf's certificate
	}
	if file, ok := nginxTLSFiles[d.Name]; ok {
		c.setArg(d, 0, rw.sb.cert(file))
		return
	}
	if nginxDataFiles[d.Name] && len(d.Args) > 0 {
		c.dataFile(d, len(d.Args)-1)
		return
	}
	if proto, ok := nginxPassProtocol[d.Name]; ok && !d.Block {
		if d.Name == "proxy_pass" {
			proto = c.passProtocol(d.Name, d)
		}
		c.pass(d, proto)
		return
	}
	switch d.Name {
	case "user", "daemon":
		// Workers run as nobody when nginx starts as root; daemon off is
		// given on the command line.
		rw.remove(d.Range())
	case "worker_processes":
		c.setArgs(d, "1")
	case "pid":
		c.setArg(d, 0, rw.runPath("nginx.pid"))
	case "lock_file":
		c.setArg(d, 0, rw.runPath("nginx.lock"))
	case "error_log":
		if d.Arg(0) != "stderr" {
			c.setArg(d, 0, rw.runPath("error.log"))
		}
	case "access_log":
		if d.Arg(0) != "off" && len(d.Args) > 0 {
			c.setArg(d, 0, rw.runPath("access.log"))
		}
	case "client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path", "uwsgi_temp_path", "scgi_temp_path":
		c.setArg(d, 0, rw.runPath(d.Name))
	case "proxy_cache_path", "fastcgi_cache_path", "uwsgi_cache_path", "scgi_cache_path":
		c.caches++
		c.setArg(d, 0, rw.runPath(fmt.Sprintf("cache-%d", c.caches)))
	case "proxy_store", "fastcgi_store", "uwsgi_store", "scgi_store":
		if d.Arg(0) != "off" {
			c.setArgs(d, "off")
			rw.limit(d.Range(), d.Name, "turned off: it would store responses on disk")
		}
	case "ssl_stapling", "ssl_ocsp":
		if d.Arg(0) != "off" {
			c.setArgs(d, "off")
			rw.limit(d.Range(), d.Name, "turned off: OCSP would reach the network; revocation is not what is tested")
		}
	case "ssl_stapling_file", "ssl_stapling_responder", "ssl_ocsp_responder", "ssl_ocsp_cache":
		rw.remove(d.Range())
	case "resolver":
		c.resolver(d)
	case "proxy_bind", "fastcgi_bind", "uwsgi_bind", "scgi_bind", "grpc_bind", "memcached_bind":
		rw.remove(d.Range())
		rw.limit(d.Range(), d.Name, "removed: upstream connections come from 127.0.0.1")
	case "listen":
		c.listen(d)
	case "server":
		if d.Block {
			c.server(d)
		} else if d.Parent != nil && d.Parent.Name == "upstream" && len(d.Args) > 0 {
			port := rw.upstream(d.Arg(0), c.upstreams[d.Parent.Arg(0)])
			c.setArg(d, 0, fmt.Sprintf("127.0.0.1:%d", port))
		}
	case "include":
		c.include(d)
	case "allow", "deny":
		if d.Arg(0) != "all" {
			rw.sourceCondition(d.Range(), d.Name, "decides on the client's address")
		}
	case "set_real_ip_from":
		rw.sourceCondition(d.Range(), d.Name, "trusts the addresses given for the client's real address")
	case "geo":
		rw.sourceCondition(d.Head(), d.Name, "maps the client's address")
	case "map", "if":
		for _, a := range d.Args {
			if strings.Contains(a.Value, "remote_addr") {
				rw.sourceCondition(d.Head(), d.Name, "decides on the client's address")
				break
			}
		}
	}
}

// setArg replaces argument i with a value.
func (c *nginxConf) setArg(d *nginx.Directive, i int, value string) {
	if i >= len(d.Args) {
		return
	}
	c.rw.replace(d.Args[i].Range(), nginxQuote(value))
}

// setArgs replaces every argument with the given text.
func (c *nginxConf) setArgs(d *nginx.Directive, text string) {
	if len(d.Args) == 0 {
		return
	}
	r := d.Args[0].Range()
	r.End = d.Args[len(d.Args)-1].Range().End
	c.rw.replace(r, text)
}

// dataFile points argument i of d, a file nginx reads, to its copy, or to
// a path that does not exist when the repository lacks it.
func (c *nginxConf) dataFile(d *nginx.Directive, i int) {
	p := d.Arg(i)
	if strings.Contains(p, "$") {
		return
	}
	if rel, ok := c.tree.RepoPath(p); ok {
		if dst, ok := c.rw.repoFile(rel); ok {
			c.setArg(d, i, dst)
			return
		}
	}
	c.setArg(d, i, c.rw.missing(p))
	c.rw.limit(d.Range(), d.Name, "%s is not in the repository", p)
}

func (c *nginxConf) resolver(d *nginx.Directive) {
	for _, a := range d.Args {
		if !strings.Contains(a.Value, "=") {
			c.rw.replace(a.Range(), fmt.Sprintf("127.0.0.1:%d", c.rw.sb.DeadPort))
		}
	}
}

// include points an include at its copy: the resolved file or glob, the
// stock file written under _system, or a path that does not exist.
func (c *nginxConf) include(d *nginx.Directive) {
	inc := d.Include()
	if inc == nil || len(d.Args) != 1 {
		return
	}
	switch {
	case inc.Stock != "":
		c.setArg(d, 0, c.rw.dest(nginx.StockDir+inc.Stock))
	case inc.Problem == "" && inc.Resolved != "":
		c.setArg(d, 0, c.rw.dest(inc.Resolved))
	default:
		c.setArg(d, 0, c.rw.missing(inc.Pattern))
		if !strings.ContainsAny(inc.Pattern, "*?[") {
			c.rw.limit(d.Range(), "include", "%s: %s", inc.Pattern, inc.Problem)
		} else {
			c.rw.limit(d.Range(), "include", "%s: %s, so it includes nothing", inc.Pattern, inc.Problem)
		}
	}
}

// listen moves a listener to loopback. QUIC listeners are removed: the
// requests go over TCP.
func (c *nginxConf) listen(d *nginx.Directive) {
	rw := c.rw
	if len(d.Args) == 0 {
		return
	}
	original := nginxListenAddr(d.Arg(0))
	tls := false
	for _, a := range d.Args[1:] {
		switch {
		case a.Value == "quic":
			rw.remove(d.Range())
			rw.limit(d.Range(), "listen", "QUIC listener removed: requests are sent over TCP")
			return
		case a.Value == "ssl":
			tls = true
		case a.Value == "proxy_protocol":
			rw.limit(d.Range(), "listen", "expects the PROXY protocol from a load balancer in front")
		}
	}
	if server := d.Parent; server != nil && server.Name == "server" {
		if on := server.Last("ssl"); on != nil && on.Arg(0) == "on" {
			tls = true
		}
	}
	port := rw.listener(d.Range(), original, tls)
	rw.replace(d.Args[0].Range(), fmt.Sprintf("127.0.0.1:%d", port))
	for _, a := range d.Args[1:] {
		name, _, _ := strings.Cut(a.Value, "=")
		switch name {
		case "ipv6only", "setfib", "accept_filter":
			rw.remove(a.Range()) // meaningless or refused on 127.0.0.1
		}
	}
}

// nginxListenAddr normalises a listen address: "443" and "0.0.0.0:443" are
// "*:443"; an address without a port listens on 80.
func nginxListenAddr(a string) string {
	if strings.HasPrefix(a, "unix:") {
		return a
	}
	return normalAddr(a, "80")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// server gives an http server without listen its default listener
// (*:80), and a TLS server without a certificate the run's.
func (c *nginxConf) server(d *nginx.Directive) {
	rw := c.rw
	if d.Parent == nil || d.Parent.Name != "http" || d.Written() != d {
		return
	}
	var add []string
	listens := d.Find("listen")
	if len(listens) == 0 {
		port := rw.listener(d.Head(), "*:80", false)
		add = append(add, fmt.Sprintf("listen 127.0.0.1:%d;", port))
	}
	tls := false
	for _, l := range listens {
		for _, a := range l.Args {
			tls = tls || a.Value == "ssl"
		}
	}
	if tls && !hasInherited(d, "ssl_certificate") {
		add = append(add, "ssl_certificate "+nginxQuote(rw.sb.cert(e2e.FileServerCert))+";", "ssl_certificate_key "+nginxQuote(rw.sb.cert(e2e.FileServerKey))+";")
		rw.limit(d.Head(), "server", "no ssl_certificate in the repository for this TLS server: the run's certificate is used")
	}
	if len(add) > 0 {
		rw.insert(d.File, d.Head().End.Offset, " "+strings.Join(add, " "))
	}
}

// hasInherited reports whether a directive is set in d or a block above.
func hasInherited(d *nginx.Directive, name string) bool {
	for b := d; b != nil; b = b.Parent {
		if b.First(name) != nil {
			return true
		}
	}
	return false
}

// pass points a *_pass directive at the stub app: an upstream block keeps
// its name (its servers are rewritten), any other address becomes the stub
// port of that address. TLS to the upstream becomes plain: the stub app
// speaks HTTP.
func (c *nginxConf) pass(d *nginx.Directive, proto string) {
	rw := c.rw
	if len(d.Args) == 0 {
		return
	}
	scheme, host, rest := splitPass(d.Arg(0))
	if plain, ok := plainScheme[scheme]; ok {
		rw.limit(d.Range(), d.Name, "TLS to the upstream replaced by plain text to the stub app")
		scheme = plain
	}
	name, _, _ := strings.Cut(host, ":")
	var target string
	if _, ok := c.upstreams[name]; ok && !strings.Contains(host, "$") {
		target = host // the upstream block's servers are rewritten
	} else {
		if strings.Contains(host, "$") {
			rw.limit(d.Range(), d.Name, "the upstream address %s depends on variables: every request goes to the stub app", host)
		}
		target = fmt.Sprintf("127.0.0.1:%d", rw.upstream(host, proto))
	}
	value := target + rest
	if scheme != "" {
		value = scheme + "://" + value
	}
	c.setArg(d, 0, value)
}

// plainScheme is the plain-text scheme of each TLS upstream scheme.
var plainScheme = map[string]string{"https": "http", "grpcs": "grpc", "suwsgi": "uwsgi"}

// splitPass splits a *_pass argument into its scheme, the address (host
// and port, "unix:/path", an upstream name or a variable), and the URI
// after it.
func splitPass(v string) (scheme, host, rest string) {
	after := v
	if i := strings.Index(v, "://"); i >= 0 {
		scheme, after = v[:i], v[i+3:]
	}
	if strings.HasPrefix(after, "unix:") {
		// http://unix:/path/to.sock:/uri
		if j := strings.Index(after[len("unix:"):], ":"); j >= 0 && scheme != "" {
			end := len("unix:") + j
			return scheme, after[:end], after[end+1:]
		}
		return scheme, after, ""
	}
	if i := strings.Index(after, "/"); i >= 0 {
		return scheme, after[:i], after[i:]
	}
	return scheme, after, ""
}

// contexts adds what nginx would otherwise take from its compiled-in
// defaults, all outside the run: the pid file, the error log and, in http,
// the access log and the temp paths. A fragment, analysed as the contents
// of http {}, gets a generated main file around it.
func (c *nginxConf) contexts() {
	rw := c.rw
	main := c.tree.Main
	top := []string{}
	if !c.tree.Fragment {
		if main.First("pid") == nil {
			top = append(top, "pid "+nginxQuote(rw.runPath("nginx.pid"))+";")
		}
		if main.First("error_log") == nil {
			top = append(top, "error_log "+nginxQuote(rw.runPath("error.log"))+";")
		}
		if len(top) > 0 {
			rw.insert(c.tree.Root(), 0, strings.Join(top, " ")+"\n")
		}
		for _, http := range main.Find("http") {
			if add := c.httpDefaults(http); add != "" {
				rw.insert(http.File, http.Head().End.Offset, " "+add)
			}
		}
		return
	}
	http := main.First("http")
	var b strings.Builder
	fmt.Fprintf(&b, "# Generated by mtlslint prove: the context %s is analysed in.\n", c.tree.Root().Path)
	fmt.Fprintf(&b, "pid %s;\nerror_log %s;\nworker_processes 1;\nevents { worker_connections 512; }\nhttp {\n", nginxQuote(rw.runPath("nginx.pid")), nginxQuote(rw.runPath("error.log")))
	if add := c.httpDefaults(http); add != "" {
		fmt.Fprintf(&b, "    %s\n", add)
	}
	fmt.Fprintf(&b, "    include %s;\n}\n", nginxQuote(rw.dest(c.tree.Root().Path)))
	rw.plan.Main = rw.generate("prove-nginx.conf", b.String())
}

// httpDefaults is what an http block needs so that nginx writes nothing
// outside the run: the access log and temp paths it does not set.
func (c *nginxConf) httpDefaults(http *nginx.Directive) string {
	var add []string
	if http.First("access_log") == nil {
		add = append(add, "access_log "+nginxQuote(c.rw.runPath("access.log"))+";")
	}
	for _, name := range nginxTempPaths {
		if http.First(name) == nil {
			add = append(add, name+" "+nginxQuote(c.rw.runPath(name))+";")
		}
	}
	return strings.Join(add, " ")
}

// nginxQuote writes a value as one nginx argument.
func nginxQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\r\n;{}\"'\\#") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// nginxHosts returns the server names of a tree, for the run's server
// certificate.
func nginxHosts(t *nginx.Tree) []string {
	var out []string
	t.Walk(func(d *nginx.Directive) bool {
		if d.Name == "server_name" {
			out = append(out, d.ArgValues()...)
		}
		return !nginxDataBlocks[d.Name]
	})
	return out
}
