package nginx

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// route is a rules.Route with the nginx facts the rules need.
type route struct {
	*rules.Route
	server *server
	listen *listen
	sock   *socket
	block  *nginx.Directive // the location (or if block) that passes upstream
	pass   *nginx.Directive // proxy_pass, uwsgi_pass, ...
	fam    family
	// level is the block whose header-setting directives apply (nil when
	// none is defined anywhere).
	level *nginx.Directive
	sets  map[string]*nginx.Directive // lower-case header → directive in effect
	// lost maps a header set at an outer level, but not in effect because
	// level redefines the family's directives, to the outer directive.
	lost map[string]*nginx.Directive
}

// Routes is the nginx route builder: one route per listen of a server and
// per location (nested, named and error_page targets included) or if block
// that passes requests upstream.
var Routes = rules.NewRouteBuilder("nginx-routes", requiresConfig, func(p *rules.Pass) []*rules.Route {
	c := analyse(p)
	if c == nil {
		return nil
	}
	out := make([]*rules.Route, len(c.routes))
	for i, r := range c.routes {
		out[i] = r.Route
	}
	return out
})

// buildRoutes fills c.routes, sorted by ID.
func (c *config) buildRoutes() {
	errorTargets := map[string]bool{}
	for _, s := range c.servers {
		s.d.Walk(func(d *nginx.Directive) bool {
			if d.Name == "error_page" && len(d.Args) > 1 {
				errorTargets[d.Args[len(d.Args)-1].Value] = true
			}
			return true
		})
	}
	ids := map[string]int{}
	for _, s := range c.servers {
		var blocks []*nginx.Directive
		s.d.Walk(func(d *nginx.Directive) bool {
			switch d.Name {
			case "location", "if":
				if d.Block {
					blocks = append(blocks, d)
				}
				return true
			case "limit_except":
				return false
			}
			return d.Block && !d.Opaque && d.Name != "map"
		})
		named := namedTargets(s)
		for _, b := range blocks {
			pass, fam := passOf(b)
			if pass == nil {
				continue
			}
			// The routes of a block, one per listen, share its headers.
			hd := c.blockHeaders(b, fam)
			for _, l := range s.listens {
				r := c.newRoute(s, l, b, pass, fam, hd, errorTargets)
				c.requestClasses(r, named)
				if n := ids[r.ID]; n > 0 {
					r.ID = fmt.Sprintf("%s~%d", r.ID, n+1)
				}
				ids[r.Route.ID]++
				s.routes = append(s.routes, r)
				c.routes = append(c.routes, r)
			}
		}
	}
	sort.SliceStable(c.routes, func(i, j int) bool { return c.routes[i].ID < c.routes[j].ID })
}

// passOf returns the directive that passes requests of block b upstream,
// and its family. Pass directives are not inherited by nested locations.
func passOf(b *nginx.Directive) (*nginx.Directive, family) {
	for _, f := range families {
		if d := b.Last(f.pass); d != nil {
			return d, f
		}
	}
	return nil, family{}
}

// blockHeaders is what a block that passes requests upstream does to
// their headers, the same on each of its server's listens.
type blockHeaders struct {
	level   *nginx.Directive
	sets    map[string]*nginx.Directive
	lost    map[string]*nginx.Directive
	headers map[string]rules.HeaderTreatment
	def     rules.HeaderAction
}

// blockHeaders reads the header treatment of block b, whose pass directive
// is of family fam.
func (c *config) blockHeaders(b *nginx.Directive, fam family) *blockHeaders {
	hd := &blockHeaders{headers: map[string]rules.HeaderTreatment{}}
	// Header treatment: the family's directives of the level in effect.
	hd.level = headerLevel(b, fam)
	hd.sets, _ = setDirectives(hd.level, fam)
	for h, d := range hd.sets {
		vc := c.classify(d.Arg(1), b)
		t := rules.HeaderTreatment{Name: d.Arg(0), Action: vc.action, Value: d.Arg(1), Fact: factOf(d.Arg(1)), Range: d.Written().Range()}
		t.Composite = t.Fact != rules.FactNone && !oneVariable(d.Arg(1))
		if vc.clientVar != "" {
			t.Note = "from client data " + vc.clientVar
		}
		if d.Stock() != "" {
			t.Note = strings.TrimSpace(t.Note + " from the stock Debian " + d.Stock())
		}
		hd.headers[h] = t
	}
	if fam.pass == "proxy_pass" {
		// proxy_set_header's defaults: Host $proxy_host, Connection close.
		if _, ok := hd.headers["host"]; !ok {
			hd.headers["host"] = rules.HeaderTreatment{Name: "Host", Action: rules.SetOther, Value: "$proxy_host", Note: "nginx default"}
		}
		if _, ok := hd.headers["connection"]; !ok {
			hd.headers["connection"] = rules.HeaderTreatment{Name: "Connection", Action: rules.SetConst, Value: "close", Note: "nginx default"}
		}
	}
	hd.def = rules.Passthrough
	if fam.passHeaders != "" {
		if d := effective(b, fam.passHeaders); d != nil && strings.EqualFold(d.Arg(0), "off") {
			hd.def = rules.Blanked
		}
	}
	// Headers set at an outer level but not in effect here (nil when
	// none).
	if hd.level != nil {
		if outer := outerLevel(hd.level, fam); outer != nil {
			outerSets, _ := setDirectives(outer, fam)
			for h, d := range outerSets {
				if _, ok := hd.sets[h]; !ok {
					if hd.lost == nil {
						hd.lost = map[string]*nginx.Directive{}
					}
					hd.lost[h] = d
				}
			}
		}
	}
	return hd
}

func (c *config) newRoute(s *server, l *listen, b, pass *nginx.Directive, fam family, hd *blockHeaders, errorTargets map[string]bool) *route {
	sk := c.socketOf(l)
	var chain []string
	for x := b; x != nil && x != s.d; x = x.Parent {
		if x.Name == "location" || x.Name == "if" {
			chain = append([]string{x.Name + "=" + locationIdent(x)}, chain...)
		}
	}
	id := s.id
	if l.key != s.listens[0].key {
		id = strings.Replace(id, "@"+s.listens[0].key, "@"+l.key, 1)
	}
	id += "#" + strings.Join(chain, ">")

	loc := b
	for loc != nil && loc.Name == "if" {
		loc = loc.Parent
	}
	path := ""
	if loc != nil && loc.Name == "location" {
		path = strings.Join(loc.ArgValues(), " ")
	}
	desc := fmt.Sprintf("%s on %s, %s", blockDesc(s.d), l.key, blockDesc(b))
	if loc != nil && loc.Name == "location" {
		if p := loc.Arg(len(loc.Args) - 1); errorTargets[p] {
			desc += " (error_page target)"
		}
	}
	verify, vd := verifyMode(s)
	ca, _ := clientCA(s)
	lr := s.d.Head()
	if l.d != nil {
		lr = l.d.Written().Range()
	}
	r := &route{
		Route: &rules.Route{
			ID:    id,
			Proxy: "nginx",
			Desc:  desc,
			Hosts: s.names,
			Path:  path,
			Listener: rules.Listener{
				Endpoint: l.endpoint,
				TLS:      sk.tls,
				Verify:   verify,
				CA:       ca,
				Default:  sk.def == s,
				Range:    lr,
			},
			Headers:    hd.headers,
			Default:    hd.def,
			Range:      b.Head(),
			Block:      s.d.Head(),
			OmitsEmpty: true,
			ProxyFirst: true,
		},
		server: s, listen: l, sock: sk, block: b, pass: pass, fam: fam,
		level: hd.level, sets: hd.sets, lost: hd.lost,
	}
	if vd != nil {
		r.Listener.VerifyRange = vd.Written().Range()
	}
	r.SetHint = setHint(r.Listener.TLS)
	r.Upstream = c.upstreamOf(pass)

	r.Gated = c.gated(s, b, verify)
	r.AdmitsUnderscore, r.UnderscoreRange = admitsUnderscore(s, sk, fam)
	return r
}

// admitsUnderscore reports whether client headers with "_" reach the
// upstream with the name the app maps like "-". nginx reads headers with
// the settings of the socket's default server until the Host header picks
// the virtual server, so either server's settings can apply. For uwsgi,
// FastCGI and SCGI nginx itself drops a client header whose name matches a
// parameter after mapping "-" to "_", so the underscore twin of a header
// the route sets never arrives there.
func admitsUnderscore(s *server, sk *socket, fam family) (bool, source.Range) {
	if fam.params {
		return false, source.Range{}
	}
	admitter := func(sv *server) *nginx.Directive {
		if sv == nil {
			return nil
		}
		if effectiveFlag(sv.d, "underscores_in_headers") {
			return effective(sv.d, "underscores_in_headers")
		}
		if d := effective(sv.d, "ignore_invalid_headers"); d != nil && strings.EqualFold(d.Arg(0), "off") {
			return d
		}
		return nil
	}
	for _, sv := range []*server{s, sk.def} {
		if d := admitter(sv); d != nil {
			return true, d.Written().Range()
		}
	}
	return false, source.Range{}
}

// upstreamOf reads a pass directive's target: an upstream block or a
// literal address.
func (c *config) upstreamOf(pass *nginx.Directive) rules.Upstream {
	target := pass.Arg(0)
	u := rules.Upstream{Name: target, Range: pass.Written().Range()}
	addr := target
	defPort := "80"
	if i := strings.Index(addr, "://"); i >= 0 {
		switch strings.ToLower(addr[:i]) {
		case "https", "grpcs":
			defPort = "443"
		}
		addr = addr[i+3:]
	}
	if strings.HasPrefix(addr, "unix:") {
		sock := strings.TrimPrefix(addr, "unix:")
		if i := strings.Index(sock, ":"); i >= 0 {
			sock = sock[:i]
		}
		u.Name = "unix:" + sock
		u.Servers = []rules.Endpoint{{Unix: sock}}
		return u
	}
	if i := strings.IndexAny(addr, "/?"); i >= 0 {
		addr = addr[:i]
	}
	if strings.Contains(addr, "$") {
		u.Name = addr
		return u
	}
	if up := c.upstreams[addr]; up != nil {
		u.Name = addr
		for _, sd := range up.Find("server") {
			if len(sd.Args) > 0 {
				u.Servers = append(u.Servers, parseAddr(sd.Arg(0), "80"))
			}
		}
		return u
	}
	ep := parseAddr(addr, defPort)
	u.Name = ep.String()
	u.Servers = []rules.Endpoint{ep}
	return u
}

// tlsVariables are the nginx variables whose value is a fact of the TLS
// handshake.
var tlsVariables = map[string]rules.Fact{
	"$ssl_client_s_dn":         rules.FactSubjectDN,
	"$ssl_client_s_dn_legacy":  rules.FactSubjectDN,
	"$ssl_client_i_dn":         rules.FactIssuerDN,
	"$ssl_client_i_dn_legacy":  rules.FactIssuerDN,
	"$ssl_client_escaped_cert": rules.FactCert,
	"$ssl_client_cert":         rules.FactCert,
	"$ssl_client_raw_cert":     rules.FactCert,
	"$ssl_client_fingerprint":  rules.FactFingerprint,
	"$ssl_client_serial":       rules.FactSerial,
	"$scheme":                  rules.FactScheme,
}

// factOf says what fact a header value carries: the verification result
// when $ssl_client_verify is (part of) it, the request's Host for $host,
// $http_host or $server_name, else the one variable it consists of.
func factOf(value string) rules.Fact {
	if strings.Contains(value, "$ssl_client_verify") || strings.Contains(value, "${ssl_client_verify}") {
		return rules.FactVerify
	}
	v := strings.TrimSpace(value)
	switch strings.ToLower(v) {
	case "$host", "$http_host", "${host}", "${http_host}", "$server_name":
		return rules.FactHost
	}
	if strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") {
		v = "$" + v[2:len(v)-1]
	}
	return tlsVariables[v]
}

// oneVariable reports whether a value is one variable and nothing else
// ("$ssl_client_verify", "${ssl_client_s_dn}").
func oneVariable(value string) bool {
	v := strings.TrimSpace(value)
	if strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") {
		v = "$" + v[2:len(v)-1]
	}
	if len(v) < 2 || v[0] != '$' {
		return false
	}
	for _, c := range v[1:] {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// variableOf is the nginx variable for a fact, or "".
func variableOf(f rules.Fact) string {
	switch f {
	case rules.FactVerify:
		return "$ssl_client_verify"
	case rules.FactSubjectDN:
		return "$ssl_client_s_dn"
	case rules.FactIssuerDN:
		return "$ssl_client_i_dn"
	case rules.FactCert:
		return "$ssl_client_escaped_cert"
	case rules.FactFingerprint:
		return "$ssl_client_fingerprint"
	case rules.FactSerial:
		return "$ssl_client_serial"
	case rules.FactScheme:
		return "$scheme"
	case rules.FactHost:
		return "$host"
	}
	return ""
}

// setHint says how a route overwrites a header in nginx's syntax: from the
// fact's variable (a TLS fact only on a TLS listener), else blanked, which
// removes the client's copy.
func setHint(tls bool) func(header string, fact rules.Fact) string {
	return func(header string, fact rules.Fact) string {
		name := rules.DisplayHeader(header)
		v := variableOf(fact)
		switch {
		case fact == rules.FactScheme || fact == rules.FactHost:
			return fmt.Sprintf("add `proxy_set_header %s %s;` here", name, v)
		case v == "" || !tls:
			return fmt.Sprintf("remove the client's copy with `proxy_set_header %s \"\";` on this route", name)
		}
		return fmt.Sprintf("set it from TLS state with `proxy_set_header %s %s;` on this route (every level that defines proxy_set_header needs it)", name, v)
	}
}
