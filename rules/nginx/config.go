// Package nginx holds the nginx rules and turns nginx configuration trees
// into the routes of the deployment model.
package nginx

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/rules"
)

// config is the http side of one tree, with what nginx derives from it:
// servers with their sockets, the default server of each socket, upstream
// blocks and variables defined by map and set.
type config struct {
	tree      *nginx.Tree
	servers   []*server
	sockets   map[string]*socket
	socketIDs []string // socket keys in order of first appearance
	upstreams map[string]*nginx.Directive
	maps      map[string]*nginx.Directive // "$var" → map block
	routes    []*route                    // filled by buildRoutes
}

// server is one server block of an http context.
type server struct {
	d       *nginx.Directive
	http    *nginx.Directive
	listens []*listen
	names   []string
	id      string // stable identity within the tree, used in route IDs
	routes  []*route
}

// listen is one socket a server listens on.
type listen struct {
	d          *nginx.Directive // nil when implicit (no listen directive)
	key        string           // socket key: "*:443", "[::]:443", "unix:/path"
	endpoint   rules.Endpoint
	ssl        bool // this listen says ssl
	defaultSrv bool // default_server / default
}

// socket is one address:port with the servers that listen on it.
type socket struct {
	key     string
	servers []*server
	def     *server // the default server: marked default_server, else the first
	defAt   *listen
	tls     bool // any listen on the socket says ssl (nginx applies it to the socket)

	requestingList []*server // see requesting
	requestingDone bool
}

func newConfig(t *nginx.Tree) *config {
	c := &config{tree: t, sockets: map[string]*socket{}, upstreams: map[string]*nginx.Directive{}, maps: map[string]*nginx.Directive{}}
	for _, http := range t.Main.Find("http") {
		for _, d := range http.Children {
			switch d.Name {
			case "upstream":
				if d.Block && len(d.Args) > 0 {
					c.upstreams[d.Arg(0)] = d
				}
			case "map":
				if d.Block && len(d.Args) >= 2 {
					c.maps[d.Arg(1)] = d
				}
			case "server":
				if d.Block {
					c.addServer(http, d)
				}
			}
		}
	}
	// The default server: the one marked default_server on the socket,
	// else the first server listening on it.
	for _, key := range c.socketIDs {
		sk := c.sockets[key]
		for _, s := range sk.servers {
			for _, l := range s.listens {
				if l.key == key && l.defaultSrv && sk.def == nil {
					sk.def, sk.defAt = s, l
				}
			}
		}
		if sk.def == nil && len(sk.servers) > 0 {
			sk.def = sk.servers[0]
			for _, l := range sk.def.listens {
				if l.key == key {
					sk.defAt = l
					break
				}
			}
		}
	}
	c.assignIDs()
	return c
}

func (c *config) addServer(http, d *nginx.Directive) {
	s := &server{d: d, http: http}
	for _, n := range d.Find("server_name") {
		s.names = append(s.names, n.ArgValues()...)
	}
	for _, l := range d.Find("listen") {
		if len(l.Args) == 0 {
			continue
		}
		s.listens = append(s.listens, parseListen(l))
	}
	if len(s.listens) == 0 {
		// nginx listens on *:80 when a server has no listen directive
		// (*:8000 when not started as root).
		s.listens = []*listen{{key: "*:80", endpoint: rules.Endpoint{Host: "*", Port: "80"}}}
	}
	legacySSL := effectiveFlag(d, "ssl")
	seen := map[string]bool{}
	for _, l := range s.listens {
		if legacySSL {
			l.ssl = true
		}
		sk := c.sockets[l.key]
		if sk == nil {
			sk = &socket{key: l.key}
			c.sockets[l.key] = sk
			c.socketIDs = append(c.socketIDs, l.key)
		}
		if l.ssl {
			sk.tls = true
		}
		if !seen[l.key] {
			seen[l.key] = true
			sk.servers = append(sk.servers, s)
		}
	}
	c.servers = append(c.servers, s)
}

// parseListen reads "listen 443 ssl default_server", "[::]:80",
// "127.0.0.1", "unix:/run/x.sock".
func parseListen(d *nginx.Directive) *listen {
	l := &listen{d: d}
	addr := d.Arg(0)
	for _, a := range d.Args[1:] {
		switch a.Value {
		case "ssl":
			l.ssl = true
		case "default_server", "default":
			l.defaultSrv = true
		}
	}
	l.endpoint = parseAddr(addr, "80")
	if l.endpoint.Unix != "" {
		l.key = "unix:" + l.endpoint.Unix
	} else {
		l.key = l.endpoint.String()
	}
	return l
}

// parseAddr parses a listen or upstream address: "80", "*:80", "[::1]:8000",
// "host", "unix:/path".
func parseAddr(addr, defPort string) rules.Endpoint {
	if strings.HasPrefix(addr, "unix:") {
		return rules.Endpoint{Unix: strings.TrimPrefix(addr, "unix:")}
	}
	if _, err := strconv.Atoi(addr); err == nil {
		return rules.Endpoint{Host: "*", Port: addr}
	}
	host, port := addr, defPort
	if strings.HasPrefix(addr, "[") {
		if i := strings.Index(addr, "]"); i > 0 {
			host = addr[1:i]
			if rest := addr[i+1:]; strings.HasPrefix(rest, ":") {
				port = rest[1:]
			}
		}
	} else if i := strings.LastIndex(addr, ":"); i >= 0 && strings.Count(addr, ":") == 1 {
		host, port = addr[:i], addr[i+1:]
	}
	if host == "0.0.0.0" || host == "" {
		host = "*"
	}
	return rules.Endpoint{Host: host, Port: port}
}

// assignIDs gives every server an identity that survives unrelated edits:
// its file, its first name and its first socket, with a counter only when
// two servers of one file share both.
func (c *config) assignIDs() {
	count := map[string]int{}
	for _, s := range c.servers {
		name := "_"
		if len(s.names) > 0 && s.names[0] != "" {
			name = s.names[0]
		}
		base := c.fileID(s.d) + "#server=" + name + "@" + s.listens[0].key
		count[base]++
		s.id = base
		if n := count[base]; n > 1 {
			s.id = fmt.Sprintf("%s~%d", base, n)
		}
	}
}

// fileID names where a block is written: the tree's root, and the file
// holding the block when it is another one.
func (c *config) fileID(d *nginx.Directive) string {
	root := c.tree.Root().Path
	if d.File.Path == root {
		return root
	}
	return root + ">" + d.File.Path
}

// socketOf returns the socket of a listen.
func (c *config) socketOf(l *listen) *socket { return c.sockets[l.key] }

// effective returns the directive named name in effect at block d: the last
// one at the innermost level (d, its enclosing locations, server, http)
// that has one. It stops at http.
func effective(d *nginx.Directive, name string) *nginx.Directive {
	for b := d; b != nil; b = b.Parent {
		if x := b.Last(name); x != nil {
			return x
		}
		if b.Name == "http" || b.Synthetic && b.Name == "" {
			break
		}
	}
	return nil
}

// effectiveFlag returns whether an on/off directive is on at block d.
func effectiveFlag(d *nginx.Directive, name string) bool {
	x := effective(d, name)
	return x != nil && strings.EqualFold(x.Arg(0), "on")
}

// verifyMode returns a server's ssl_verify_client and where it is set.
func verifyMode(s *server) (rules.VerifyMode, *nginx.Directive) {
	d := effective(s.d, "ssl_verify_client")
	if d == nil {
		return rules.VerifyOff, nil
	}
	switch strings.ToLower(d.Arg(0)) {
	case "on":
		return rules.VerifyRequired, d
	case "optional":
		return rules.VerifyOptional, d
	case "optional_no_ca":
		return rules.VerifyOptionalNoCA, d
	case "off":
		return rules.VerifyOff, d
	}
	return rules.VerifyUnknown, d
}

// clientCA returns the CA file a server verifies client certificates
// against: ssl_client_certificate, else ssl_trusted_certificate.
func clientCA(s *server) (string, *nginx.Directive) {
	if d := effective(s.d, "ssl_client_certificate"); d != nil {
		return d.Arg(0), d
	}
	if d := effective(s.d, "ssl_trusted_certificate"); d != nil {
		return d.Arg(0), d
	}
	return "", nil
}

// family is one way nginx passes a request upstream, with the directive
// that sets request headers for it.
type family struct {
	pass        string // proxy_pass
	set         string // proxy_set_header
	passHeaders string // proxy_pass_request_headers ("" when there is none)
	params      bool   // set takes CGI parameter names (HTTP_X_FOO)
}

var families = []family{
	{pass: "proxy_pass", set: "proxy_set_header", passHeaders: "proxy_pass_request_headers"},
	{pass: "grpc_pass", set: "grpc_set_header"},
	{pass: "uwsgi_pass", set: "uwsgi_param", passHeaders: "uwsgi_pass_request_headers", params: true},
	{pass: "fastcgi_pass", set: "fastcgi_param", passHeaders: "fastcgi_pass_request_headers", params: true},
	{pass: "scgi_pass", set: "scgi_param", passHeaders: "scgi_pass_request_headers", params: true},
}

// headerName returns the request header a header-setting directive sets
// (lower case), or "" when it sets none (a CGI parameter that is not
// HTTP_*).
func (f family) headerName(d *nginx.Directive) string {
	n := d.Arg(0)
	if !f.params {
		return strings.ToLower(n)
	}
	if !strings.HasPrefix(strings.ToUpper(n), "HTTP_") || len(n) <= 5 {
		return ""
	}
	return rules.HeaderName(n)
}

// headerLevel returns the block whose f.set directives are in effect at
// block d: the innermost of d, its enclosing locations, server and http
// that has at least one (directly or through include); nil when none has.
func headerLevel(d *nginx.Directive, f family) *nginx.Directive {
	for b := d; b != nil; b = b.Parent {
		if b.Name == "if" {
			continue // proxy_set_header is not allowed in if
		}
		if b.First(f.set) != nil {
			return b
		}
		if b.Name == "http" {
			break
		}
	}
	return nil
}

// setDirectives returns the header-setting directives of family f defined at
// level b, by lower-case header name (the last one wins for a name).
func setDirectives(b *nginx.Directive, f family) (map[string]*nginx.Directive, []string) {
	out := map[string]*nginx.Directive{}
	var order []string
	if b == nil {
		return out, nil
	}
	for _, d := range b.Find(f.set) {
		h := f.headerName(d)
		if h == "" {
			continue
		}
		if _, ok := out[h]; !ok {
			order = append(order, h)
		}
		out[h] = d
	}
	return out, order
}

// outerLevel returns the next level above b that defines f.set directives.
func outerLevel(b *nginx.Directive, f family) *nginx.Directive {
	if b == nil || b.Name == "http" {
		return nil
	}
	return headerLevel(b.Parent, f)
}

// variables returns the variable names a value refers to, without "$":
// each "$name" or "${name}", name made of letters, digits and "_" (the
// matches of `\$\{?([A-Za-z0-9_]+)\}?`, read without a regular expression:
// header values of every route are read several times).
func variables(v string) []string {
	var out []string
	for i := 0; i < len(v); i++ {
		if v[i] != '$' {
			continue
		}
		start := i + 1
		if start < len(v) && v[start] == '{' {
			start++
		}
		end := start
		for end < len(v) && isVariableByte(v[end]) {
			end++
		}
		if end == start {
			continue
		}
		out = append(out, v[start:end])
		i = end - 1
		if end < len(v) && v[end] == '}' {
			i = end
		}
	}
	return out
}

func isVariableByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// valueClass is what a header value is made of.
type valueClass struct {
	action rules.HeaderAction
	// clientVar/tlsVar name the variable that decided the class.
	clientVar string
	tlsVars   []string // every $ssl_* variable reached, through maps too
}

// clientVariable reports whether a built-in variable carries data the client
// chose.
func clientVariable(name string) bool {
	for _, p := range []string{"http_", "arg_", "cookie_"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	switch name {
	case "args", "query_string", "request_uri", "uri", "document_uri", "request", "request_body",
		"host", "proxy_add_x_forwarded_for", "content_type", "content_length", "ssl_server_name", "remote_user":
		return true
	}
	return false
}

// classify tells how a value is made: from client data, from TLS state, a
// constant, blank, or something else. scope is the block the value is used
// in; map and set definitions are followed.
func (c *config) classify(value string, scope *nginx.Directive) valueClass {
	vc := valueClass{}
	c.collect(value, scope, &vc, 0, map[string]bool{})
	switch {
	case strings.TrimSpace(value) == "$proxy_add_x_forwarded_for":
		// The client's X-Forwarded-For with the client's address
		// appended: an app that takes the last value gets nginx's.
		vc.action = rules.Appended
	case vc.clientVar != "":
		vc.action = rules.SetClient
	case len(vc.tlsVars) > 0:
		vc.action = rules.SetTLS
	case len(variables(value)) > 0:
		vc.action = rules.SetOther
	case value == "":
		vc.action = rules.Blanked
	default:
		vc.action = rules.SetConst
	}
	return vc
}

func (c *config) collect(value string, scope *nginx.Directive, vc *valueClass, depth int, seen map[string]bool) {
	if depth > 8 {
		return
	}
	for _, v := range variables(value) {
		if seen[v] {
			continue
		}
		seen[v] = true
		if m := c.maps["$"+v]; m != nil {
			c.collect(m.Arg(0), scope, vc, depth+1, seen)
			for _, e := range m.Children {
				if len(e.Args) > 0 {
					c.collect(e.Arg(0), scope, vc, depth+1, seen)
				}
			}
			continue
		}
		if sets := setsOf(scope, v); len(sets) > 0 {
			for _, s := range sets {
				c.collect(s.Arg(1), scope, vc, depth+1, seen)
			}
			continue
		}
		switch {
		case v == "remote_user" && authBasic(scope):
			// The user name nginx itself checked with auth_basic.
		case clientVariable(v):
			if vc.clientVar == "" {
				vc.clientVar = "$" + v
			}
		case strings.HasPrefix(v, "ssl_"):
			vc.tlsVars = append(vc.tlsVars, v)
		}
	}
}

// setsOf returns the "set $v ..." directives that may define v for requests
// in scope: in scope's location chain and its server.
func setsOf(scope *nginx.Directive, v string) []*nginx.Directive {
	var out []*nginx.Directive
	for b := scope; b != nil && b.Name != "http"; b = b.Parent {
		b.Walk(func(d *nginx.Directive) bool {
			if d.Name == "set" && isVariable(d.Arg(0), v) {
				out = append(out, d)
			}
			return d.Name == "if" // sets inside if blocks of this level count too
		})
	}
	return out
}

// isVariable reports whether arg is "$" followed by name.
func isVariable(arg, name string) bool {
	return len(arg) == len(name)+1 && arg[0] == '$' && arg[1:] == name
}

func authBasic(scope *nginx.Directive) bool {
	d := effective(scope, "auth_basic")
	return d != nil && !strings.EqualFold(d.Arg(0), "off")
}

// refersTo reports whether a value refers to one of the variables (without
// "$"), directly or through map and set.
func (c *config) refersTo(value string, scope *nginx.Directive, names ...string) bool {
	vc := c.classify(value, scope)
	for _, v := range vc.tlsVars {
		for _, n := range names {
			if v == n {
				return true
			}
		}
	}
	return false
}

// locationIdent names a location (or if block) by what is written, for
// route IDs.
func locationIdent(d *nginx.Directive) string {
	if d.Name == "if" {
		return "(" + strings.Trim(strings.Join(d.ArgValues(), " "), "() ") + ")"
	}
	return strings.Join(d.ArgValues(), " ")
}

// where renders a directive's position for messages: "nginx.conf:12", or
// "the stock proxy_params (included at nginx.conf:12)".
func where(d *nginx.Directive) string {
	w := d.Written()
	pos := fmt.Sprintf("%s:%d", w.File.Path, w.Range().Start.Line)
	if d.Stock() != "" {
		return fmt.Sprintf("the stock Debian %s included at %s", d.Stock(), pos)
	}
	return pos
}

// viaNote says through which includes a directive came, for messages.
func viaNote(d *nginx.Directive) string {
	if d.Via == nil {
		return ""
	}
	if d.Stock() != "" {
		return fmt.Sprintf(" (from the stock Debian %s, which the repository does not contain)", d.Stock())
	}
	return fmt.Sprintf(" (through include %s at %s:%d)", d.Via.Arg(0), d.Via.File.Path, d.Via.Range().Start.Line)
}

// blockDesc describes a block for messages: "location /api", "server
// example.com", "http".
func blockDesc(d *nginx.Directive) string {
	switch d.Name {
	case "server":
		if n := d.First("server_name"); n != nil && len(n.Args) > 0 {
			return "server " + n.Arg(0)
		}
		return "server"
	case "http":
		if d.Synthetic {
			return "the file's top level (analysed as http)"
		}
		return "http"
	}
	s := d.Name
	if len(d.Args) > 0 {
		s += " " + strings.Join(d.ArgValues(), " ")
	}
	return s
}
