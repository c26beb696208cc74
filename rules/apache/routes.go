package apache

import (
	"fmt"
	"net"
	"regexp"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/apache"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// route is a rules.Route with the httpd facts the rules need.
type route struct {
	*rules.Route
	srv   *server
	pass  *apache.Directive   // ProxyPass, ProxyPassMatch, WSGIScriptAlias
	loc   *apache.Directive   // the <Location> the route is defined in, if any
	wsgi  bool                // served by mod_wsgi inside httpd
	ops   []headerOp          // RequestHeader directives that apply, in order
	sets  map[string]headerOp // lower-case header → the op that decides it
	gates []*apache.Directive
	// verifyDir is the SSLVerifyClient in effect (server or location).
	verifyDir *apache.Directive
	// envExport is the SSLOptions with +StdEnvVars or +ExportCertData in
	// effect, if any.
	envExport *apache.Directive
}

// Routes is the httpd route builder: one route per listener of a server
// (main server or virtual host) and per ProxyPass, ProxyPassMatch or
// WSGIScriptAlias, at server level or in a <Location>.
var Routes = rules.NewRouteBuilder("apache-routes", requiresView, func(p *rules.Pass) []*rules.Route {
	_, rs := analyse(p)
	var out []*rules.Route
	for _, r := range rs {
		out = append(out, r.Route)
	}
	return out
})

// routes builds every route of the configuration, sorted by ID.
func (c *config) routes() []*route {
	var out []*route
	ids := map[string]int{}
	for _, s := range c.servers {
		type origin struct {
			pass *apache.Directive
			loc  *apache.Directive
			path string
		}
		var origins []origin
		for _, d := range c.serverLevel(s.levelsOwn(), "") {
			switch {
			case (d.Is("ProxyPass") || d.Is("ProxyPassMatch")) && len(d.Args) >= 2 && d.Arg(1) != "!":
				origins = append(origins, origin{d, nil, d.Arg(0)})
			case (d.Is("WSGIScriptAlias") || d.Is("WSGIScriptAliasMatch")) && len(d.Args) >= 2:
				origins = append(origins, origin{d, nil, d.Arg(0)})
			}
		}
		for _, lvl := range s.levelsOwn() {
			for _, loc := range sectionsOf(lvl, "Location", "LocationMatch") {
				for _, d := range directivesOf(loc, "") {
					if (d.Is("ProxyPass") || d.Is("ProxyPassMatch")) && len(d.Args) >= 1 && d.Arg(0) != "!" {
						origins = append(origins, origin{d, loc, loc.Arg(0)})
					}
				}
			}
		}
		for _, o := range origins {
			for _, addr := range s.listenAddrs() {
				r := c.newRoute(s, addr, o.pass, o.loc, o.path)
				if n := ids[r.ID]; n > 0 {
					r.ID = fmt.Sprintf("%s~%d", r.ID, n+1)
				}
				ids[r.ID]++
				out = append(out, r)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// levelsOwn are the contexts whose route-defining directives belong to the
// server: a virtual host's own, or the main server's top level. (httpd
// also merges the main server's ProxyPass lines into every virtual host;
// those routes are built for the main server only.)
func (s *server) levelsOwn() []*apache.Directive { return []*apache.Directive{s.d} }

// listenAddrs are the addresses a server answers on (one at least).
func (s *server) listenAddrs() []string {
	if len(s.addrs) == 0 {
		return []string{"*:80"}
	}
	return s.addrs
}

func (c *config) newRoute(s *server, addr string, pass, loc *apache.Directive, path string) *route {
	wsgi := strings.HasPrefix(strings.ToLower(pass.Name), "wsgiscriptalias")
	ep := endpointOf(addr)
	tls := c.tls(s)
	host := strings.Join(s.names, " ")
	desc := "main server"
	block := c.t.Main.Head
	if s.vhost {
		desc = "VirtualHost " + strings.Join(s.d.ArgValues(), " ")
		block = s.d.Head
	}
	if host != "" {
		desc += " (" + host + ")"
	}
	anchor := pass.Range
	if loc != nil {
		desc += fmt.Sprintf(", <%s %s>", loc.Name, loc.Arg(0))
		anchor = loc.Head
	} else {
		desc += fmt.Sprintf(", %s %s", pass.Name, path)
	}
	// IDs name the tree, the server's line, the address and the route;
	// they never contain "|", which separates the parts of a finding's key.
	id := fmt.Sprintf("apache:%s@%s:%d/%s#%s=%s", c.t.Root().Path, s.d.Head.File, s.d.Head.Start.Line, addr, strings.ToLower(pass.Name), path)
	r := &route{
		Route: &rules.Route{
			ID: id, Proxy: "apache", Desc: desc, Hosts: s.names, Path: path,
			Listener: rules.Listener{Endpoint: ep, TLS: tls, Range: s.d.Head},
			Headers:  map[string]rules.HeaderTreatment{},
			Default:  rules.Passthrough,
			Range:    anchor,
			Block:    block,
			SetHint:  setHint(tls),
		},
		srv: s, pass: pass, loc: loc, wsgi: wsgi,
	}
	if !s.vhost {
		r.Listener.Range = pass.Range
		if len(c.listens) > 0 {
			r.Listener.Range = c.listens[0].Range
		}
	}
	// Contexts that apply to the route's path, in httpd's merge order:
	// server levels, then the <Location> sections that match (in the
	// order written), then <If> sections of the server.
	locs := c.matchingLocations(s, path)
	contexts := append(append([]*apache.Directive(nil), s.levels...), locs...)
	verify := c.last(s.levels, "SSLVerifyClient")
	for _, l := range locs {
		if d := lastOf(directivesOf(l, "SSLVerifyClient")); d != nil {
			verify = d // per-directory verification (renegotiation)
		}
	}
	r.verifyDir = verify
	r.Listener.Verify = verifyOf(verify)
	if !tls {
		r.Listener.Verify = rules.VerifyOff
	}
	if verify != nil {
		r.Listener.VerifyRange = verify.Range
	}
	if ca := lastOf(c.serverLevel(s.levels, "SSLCACertificateFile")); ca != nil {
		r.Listener.CA = ca.Arg(0)
	} else if ca := lastOf(c.serverLevel(s.levels, "SSLCACertificatePath")); ca != nil {
		r.Listener.CA = ca.Arg(0)
	}
	for _, ctx := range contexts {
		for _, d := range directivesOf(ctx, "") {
			if op, ok := readHeaderOp(d); ok {
				r.ops = append(r.ops, op)
			}
			if isGate(d) {
				r.gates = append(r.gates, d)
			}
			if d.Is("SSLOptions") && exportsEnv(d) {
				r.envExport = d
			}
		}
		for _, iff := range sectionsOf(ctx, "If", "ElseIf", "Else") {
			if isGate(iff) {
				r.gates = append(r.gates, iff)
			}
			for _, d := range directivesOf(iff, "RequestHeader") {
				if op, ok := readHeaderOp(d); ok {
					r.ops = append(r.ops, op)
				}
			}
		}
	}
	r.Gated = r.Listener.Verify == rules.VerifyRequired || len(r.gates) > 0 && r.Listener.Verify != rules.VerifyOptionalNoCA
	r.treatHeaders(c)
	r.requestClasses()
	if wsgi {
		r.Upstream = rules.Upstream{Name: "mod_wsgi " + pass.Arg(1), Range: pass.Range}
		group := wsgiGroup(pass)
		r.Upstream.Workloads = []rules.Workload{{Name: "mod_wsgi " + group, Server: "mod_wsgi", Range: pass.Range}}
		// httpd builds the WSGI environ as it builds a CGI one: a request
		// header whose name holds "_" is left out (measured with 2.4.71
		// and mod_wsgi 4.9.4).
		r.AdmitsUnderscore = false
	} else {
		target := pass.Arg(1)
		if loc != nil {
			target = pass.Arg(0)
		}
		r.Upstream = upstreamOf(target, pass.Range)
		// mod_proxy_http forwards header names with "_" as they came
		// (measured with 2.4.71).
		r.AdmitsUnderscore = true
	}
	return r
}

// matchingLocations returns the <Location> and <LocationMatch> sections of
// the server's levels that match path, in the order written.
func (c *config) matchingLocations(s *server, path string) []*apache.Directive {
	var out []*apache.Directive
	for _, lvl := range s.levels {
		for _, loc := range sectionsOf(lvl, "Location", "LocationMatch") {
			if c.locationMatches(loc, path) {
				out = append(out, loc)
			}
		}
	}
	return out
}

// locationMatches reports whether a <Location> applies to requests for
// path (a route's prefix): the prefix is the location or below it.
func (c *config) locationMatches(loc *apache.Directive, path string) bool {
	l := loc.Arg(0)
	if loc.Is("LocationMatch") || strings.HasPrefix(l, "~") {
		expr := strings.TrimSpace(strings.TrimPrefix(l, "~"))
		if loc.Is("Location") {
			expr = loc.Arg(1)
		}
		re, err := c.compile(expr)
		return err != nil || re.MatchString(path)
	}
	if l == "/" || l == path {
		return true
	}
	return strings.HasPrefix(path, strings.TrimSuffix(l, "/")+"/")
}

type compiledRegexp struct {
	re  *regexp.Regexp
	err error
}

// compile compiles a location's expression, once per tree.
func (c *config) compile(expr string) (*regexp.Regexp, error) {
	if x, ok := c.locationRegexps[expr]; ok {
		return x.re, x.err
	}
	re, err := regexp.Compile(expr)
	if c.locationRegexps == nil {
		c.locationRegexps = map[string]compiledRegexp{}
	}
	c.locationRegexps[expr] = compiledRegexp{re, err}
	return re, err
}

// treatHeaders decides how the route treats every header a RequestHeader
// names, in the order httpd applies them.
func (r *route) treatHeaders(c *config) {
	r.sets = map[string]headerOp{}
	for _, op := range r.ops {
		h := strings.ToLower(op.name)
		prev, had := r.Headers[h]
		t := rules.HeaderTreatment{Name: op.name, Value: op.value, Fact: factOf(op.value), Range: op.d.Range}
		if t.Fact.IsTLS() {
			// mod_headers writes "(null)" for an SSL variable that is
			// unset or empty: without a certificate, and on plain HTTP
			t.Missing = "(null)"
		}
		switch op.action {
		case "set":
			t.Action, _ = valueAction(op.value)
			if a, v := valueAction(op.value); a == rules.SetClient {
				t.Note = "from client data " + v
			}
		case "unset":
			t.Action = rules.Blanked
		case "append", "add", "merge":
			t.Action = rules.Appended
		case "setifempty":
			t.Action = rules.Conditional
			t.When = "when the client sent none"
		case "edit", "edit*":
			t.Action = rules.SetClient
			t.Note = "the client's value, edited"
		default:
			continue
		}
		cond := op.cond
		if op.inIf != nil {
			cond = strings.TrimSpace("<" + op.inIf.Name + " " + op.inIf.Arg(0) + "> " + cond)
		}
		t.CertGuarded = certGuarded(cond)
		if cond != "" && t.Action.Overwrites() {
			if had && prev.Action.Overwrites() {
				continue // overwritten before; the condition only picks the value
			}
			t.Action, t.When = rules.Conditional, "if "+cond
		}
		if (t.Action == rules.Appended || t.Action == rules.Conditional) && had && prev.Action.Overwrites() {
			continue // the client's copy was already gone
		}
		r.Headers[h] = t
		r.sets[h] = op
	}
	if !r.wsgi {
		if d := c.last(r.srv.levels, "ProxyAddHeaders"); d == nil || !strings.EqualFold(d.Arg(0), "off") {
			for _, h := range []string{"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Server"} {
				if _, ok := r.Headers[strings.ToLower(h)]; !ok {
					r.Headers[strings.ToLower(h)] = rules.HeaderTreatment{Name: h, Action: rules.Appended, Note: "mod_proxy_http appends its value to the client's (ProxyAddHeaders on, the default)"}
				}
			}
		}
	}
}

func exportsEnv(d *apache.Directive) bool {
	for _, a := range d.Args {
		v := strings.ToLower(a.Value)
		if v == "+stdenvvars" || v == "stdenvvars" || v == "+exportcertdata" || v == "exportcertdata" {
			return true
		}
	}
	return false
}

func wsgiGroup(d *apache.Directive) string {
	for _, a := range d.Args[2:] {
		if g, ok := strings.CutPrefix(a.Value, "process-group="); ok {
			return g
		}
	}
	return "embedded"
}

func lastOf(ds []*apache.Directive) *apache.Directive {
	if len(ds) == 0 {
		return nil
	}
	return ds[len(ds)-1]
}

// endpointOf reads a VirtualHost or Listen address: "*:443",
// "127.0.0.1:8443", "[::1]:443", "443", "_default_:443".
func endpointOf(addr string) rules.Endpoint {
	addr = strings.TrimSpace(addr)
	if !strings.Contains(addr, ":") || strings.HasSuffix(addr, "]") {
		if isPort(addr) {
			return rules.Endpoint{Host: "*", Port: addr}
		}
		return rules.Endpoint{Host: addr, Port: "80"}
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		i := strings.LastIndex(addr, ":")
		host, port = addr[:i], addr[i+1:]
	}
	if host == "" || host == "_default_" {
		host = "*"
	}
	return rules.Endpoint{Host: host, Port: port}
}

func isPort(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// upstreamOf reads a ProxyPass target: http://host:port/path,
// unix:/run/app.sock|http://localhost/, balancer://name.
func upstreamOf(target string, at source.Range) rules.Upstream {
	u := rules.Upstream{Name: target, Range: at}
	if sock, _, ok := strings.Cut(target, "|"); ok && strings.HasPrefix(strings.ToLower(sock), "unix:") {
		p := sock[5:]
		u.Name = "unix:" + p
		u.Servers = []rules.Endpoint{{Unix: p}}
		return u
	}
	scheme, rest, ok := strings.Cut(target, "://")
	if !ok {
		return u
	}
	def := "80"
	switch strings.ToLower(scheme) {
	case "https", "wss", "h2":
		def = "443"
	case "balancer":
		return u
	}
	hostport := rest
	if i := strings.IndexAny(hostport, "/?"); i >= 0 {
		hostport = hostport[:i]
	}
	if strings.Contains(hostport, "$") || hostport == "" {
		return u
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = strings.Trim(hostport, "[]"), def
	}
	ep := rules.Endpoint{Host: host, Port: port}
	u.Name = ep.String()
	u.Servers = []rules.Endpoint{ep}
	return u
}

// sslFacts are the mod_ssl variables whose value is a fact of the TLS
// handshake.
var sslFacts = map[string]rules.Fact{
	"SSL_CLIENT_S_DN":     rules.FactSubjectDN,
	"SSL_CLIENT_I_DN":     rules.FactIssuerDN,
	"SSL_CLIENT_CERT":     rules.FactCert,
	"SSL_CLIENT_M_SERIAL": rules.FactSerial,
}

// factOf says what fact a RequestHeader value carries: the verification
// result in words when %{SSL_CLIENT_VERIFY}s is (part of) it (SUCCESS,
// NONE, FAILED:<reason>, GENEROUS), the scheme for expr=%{REQUEST_SCHEME},
// else the one SSL variable it consists of.
func factOf(value string) rules.Fact {
	vars := sslVar().FindAllStringSubmatch(value, -1)
	for _, m := range vars {
		if m[1] == "SSL_CLIENT_VERIFY" {
			return rules.FactVerify
		}
	}
	v := strings.TrimSpace(value)
	if v == "expr=%{REQUEST_SCHEME}" {
		return rules.FactScheme
	}
	if len(vars) == 1 && vars[0][0] == v {
		return sslFacts[vars[0][1]]
	}
	return rules.FactNone
}

// certGuarded reports whether a RequestHeader condition holds only for a
// client that presented a certificate: env=SSL_CLIENT_S_DN (mod_ssl sets
// it only then), or an expression that requires SSL_CLIENT_VERIFY to be
// SUCCESS.
func certGuarded(cond string) bool {
	c := strings.ReplaceAll(cond, " ", "")
	return strings.HasPrefix(c, "env=SSL_CLIENT_") || strings.Contains(c, "%{SSL_CLIENT_VERIFY}=='SUCCESS'") || strings.Contains(c, "%{SSL_CLIENT_VERIFY}==\"SUCCESS\"")
}

// sslVariableOf is the mod_ssl variable for a fact, or "".
func sslVariableOf(f rules.Fact) string {
	if f == rules.FactVerify {
		return "SSL_CLIENT_VERIFY"
	}
	for v, g := range sslFacts {
		if g == f {
			return v
		}
	}
	return ""
}

// setHint says how a route overwrites a header in httpd's syntax: from
// the fact's mod_ssl variable (on a TLS virtual host), else unset early,
// which removes the client's copy before anything reads it.
func setHint(tls bool) func(header string, fact rules.Fact) string {
	return func(header string, fact rules.Fact) string {
		name := rules.DisplayHeader(header)
		v := sslVariableOf(fact)
		switch {
		case fact == rules.FactScheme:
			return fmt.Sprintf("add `RequestHeader set %s \"expr=%%{REQUEST_SCHEME}\"` at the virtual-host level", name)
		case v == "" || !tls:
			return fmt.Sprintf("remove the client's copy with `RequestHeader unset %s early` at the virtual-host level", name)
		}
		return fmt.Sprintf("set it from TLS state with `RequestHeader set %s \"%%{%s}s\"` at the virtual-host level, so that every route gets it", name, v)
	}
}
