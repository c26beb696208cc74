package haproxy

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	hap "github.com/mtlslint/mtlslint/parsers/haproxy"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// treeRoutes is every route of an HAProxy configuration with the
// configuration objects it comes from, computed once per tree and run for
// every rule and the route builder.
var treeRoutes = &rules.Analysis{
	Name:  "haproxy-route-info",
	Doc:   "The routes of an HAProxy configuration with their frontend, bind, backend and rule chain ([]*routeInfo).",
	Scope: rules.ScopeTree,
	Build: func(p *rules.Pass) any {
		if c := tree(p); c != nil {
			return analyse(c)
		}
		return []*routeInfo(nil)
	},
}

// requiresRoutes is what every HAProxy rule requires.
var requiresRoutes = []*rules.Analysis{treeRoutes}

// routeInfos returns the routes of the pass's configuration.
func routeInfos(p *rules.Pass) []*routeInfo {
	ris, _ := p.ResultOf(treeRoutes).([]*routeInfo)
	return ris
}

// Routes is the HAProxy route builder: frontend/listen × bind × backend
// branch (each use_backend target and the default_backend).
var Routes = rules.NewRouteBuilder("haproxy-routes", requiresRoutes, func(p *rules.Pass) []*rules.Route {
	var out []*rules.Route
	for _, ri := range routeInfos(p) {
		out = append(out, ri.Route)
	}
	return out
})

// routeInfo is a route with the configuration objects it comes from.
type routeInfo struct {
	*rules.Route
	Frontend *hap.Proxy
	Bind     *hap.Bind
	Backend  *hap.Proxy // nil when the backend is unknown or dynamic
	Branch   *hap.UseBackend
	// Chain is every http-request rule the request passes: the
	// frontend's (defaults first), then the backend's.
	Chain []*hap.HTTPRule
	Mode  string
}

// analyse enumerates the routes of a configuration.
func analyse(c *hap.Config) []*routeInfo {
	var out []*routeInfo
	seen := map[string]bool{}
	ps := newParsed()
	for _, fe := range c.Frontends() {
		mode, _ := fe.Mode()
		var branches []*hap.UseBackend
		branches = append(branches, fe.UseBackends...)
		if fe.DefaultBackend != nil {
			branches = append(branches, fe.DefaultBackend)
		}
		if len(branches) == 0 && fe.Kind == "listen" {
			branches = append(branches, &hap.UseBackend{Line: fe.Section.Header, Backend: fe.Name, Default: true})
		}
		for _, b := range fe.Binds {
			for _, br := range branches {
				be := c.Backend(br.Backend)
				if strings.Contains(br.Backend, "%[") {
					be = nil
				}
				addr := ""
				if len(b.Addresses) > 0 {
					addr = b.Addresses[0]
				}
				id := fmt.Sprintf("haproxy:%s:%s/%s->%s", c.Root().Path, fe.Name, addr, br.Backend)
				if seen[id] {
					continue
				}
				seen[id] = true
				if be != nil && forwardsNowhere(be) {
					// A stats page, a redirect or a canned response: the
					// section forwards nothing, so no app sits behind it.
					continue
				}
				ri := &routeInfo{Frontend: fe, Bind: b, Backend: be, Branch: br, Mode: mode}
				ri.Chain = fe.AllHTTPRequest()
				if be != nil && be != fe {
					ri.Chain = append(ri.Chain, be.AllHTTPRequest()...)
				}
				ri.Route = buildRoute(c, ri, id)
				if ri.Mode == "http" {
					routeClasses(ri, ps)
				}
				out = append(out, ri)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// forwardsNowhere reports whether a backend (or listen section) has no
// server to forward to: no server or server-template line, no dispatch,
// no transparent or http_proxy mode.
func forwardsNowhere(be *hap.Proxy) bool {
	if len(be.Servers) > 0 {
		return false
	}
	for _, kw := range []string{"server-template", "use-server", "dispatch", "transparent"} {
		if len(be.Lines(kw)) > 0 {
			return false
		}
	}
	for _, l := range be.Lines("option") {
		if l.Arg(1) == "transparent" || l.Arg(1) == "http_proxy" {
			return false
		}
	}
	return true
}

func buildRoute(c *hap.Config, ri *routeInfo, id string) *rules.Route {
	fe, b := ri.Frontend, ri.Bind
	desc := fmt.Sprintf("%s %s, bind %s, ", fe.Kind, fe.Name, strings.Join(b.Addresses, ","))
	if ri.Branch.Default {
		desc += "default_backend " + ri.Branch.Backend
	} else {
		desc += "use_backend " + ri.Branch.Backend
		if ri.Branch.Cond != nil {
			desc += " " + ri.Branch.Cond.Kind + " " + ri.Branch.Cond.Text()
		}
	}
	r := &rules.Route{
		ID:      id,
		Proxy:   "haproxy",
		Desc:    desc,
		Headers: map[string]rules.HeaderTreatment{},
		Default: rules.Passthrough,
		Range:   fe.Section.Header.Range(),
		Block:   fe.Section.Header.Range(),
	}
	r.Listener = listener(b)
	r.SetHint = setHint(r)
	r.Upstream = rules.Upstream{Name: ri.Branch.Backend, Range: ri.Branch.Line.Range()}
	if ri.Backend != nil {
		for _, s := range ri.Backend.Servers {
			if ep, ok := parseAddress(s.Address.Value()); ok {
				r.Upstream.Servers = append(r.Upstream.Servers, ep)
			}
		}
	}
	if ri.Mode != "http" {
		// No layer-7 processing: every client header reaches the server
		// untouched, whatever http-request rules say.
		r.Desc += " (mode " + ri.Mode + ": no HTTP processing)"
		r.AdmitsUnderscore = true
		return r
	}
	for _, h := range headerNames(ri.Chain) {
		r.Headers[h] = treatment(ri.Chain, h)
	}
	r.Gated = gated(ri.Chain) || r.Listener.Verify == rules.VerifyRequired
	r.AdmitsUnderscore = admitsUnderscore(ri.Chain, r.Headers)
	for h := range r.Headers {
		if strings.Contains(h, "-") && underscoreDeleted(ri.Chain, h) {
			r.UnderscoreRemoved = append(r.UnderscoreRemoved, h)
		}
	}
	sort.Strings(r.UnderscoreRemoved)
	return r
}

// listener describes a bind.
func listener(b *hap.Bind) rules.Listener {
	l := rules.Listener{Range: b.Line.Range(), TLS: b.SSL(), Verify: rules.VerifyOff}
	if len(b.Addresses) > 0 {
		l.Endpoint, _ = parseAddress(b.Addresses[0])
	}
	if !l.TLS {
		return l
	}
	if w, ok := b.Opt("verify"); ok {
		l.VerifyRange = w.Range()
		switch w.Lower() {
		case "optional":
			l.Verify = rules.VerifyOptional
		case "required":
			l.Verify = rules.VerifyRequired
		case "none":
			l.Verify = rules.VerifyOff
		default:
			l.Verify = rules.VerifyUnknown
		}
	}
	if _, ok := b.Opt("verify"); !ok {
		crtListVerify(b, &l)
	}
	if ca, ok := b.Opt("ca-file"); ok {
		l.CA = ca.Value()
	}
	if l.Verify == rules.VerifyOptional || l.Verify == rules.VerifyRequired {
		for _, opt := range []string{"ca-ignore-err", "crt-ignore-err"} {
			if w, ok := b.Opt(opt); ok && strings.EqualFold(w.Value(), "all") {
				l.Verify = rules.VerifyOptionalNoCA
			}
		}
	}
	return l
}

// crtListVerify applies the verify modes of crt-list entries to a bind
// without its own: the weakest mode any SNI gets (optional before
// required) describes what a client can choose.
func crtListVerify(b *hap.Bind, l *rules.Listener) {
	rank := map[string]int{"required": 1, "optional": 2}
	best := 0
	for _, e := range b.CrtList {
		w, ok := e.Options["verify"]
		if !ok || rank[w.Lower()] <= best {
			continue
		}
		best = rank[w.Lower()]
		l.VerifyRange = w.Range()
		if best == 2 {
			l.Verify = rules.VerifyOptional
		} else {
			l.Verify = rules.VerifyRequired
		}
		if ca, ok := e.Options["ca-file"]; ok {
			l.CA = ca.Value()
		}
	}
}

// parseAddress turns a HAProxy address (bind or server) into an
// endpoint: "host:port", "[v6]:port", "ipv4@h:p", "unix@/path", "/path".
func parseAddress(a string) (rules.Endpoint, bool) {
	a = strings.TrimSpace(a)
	if a == "" {
		return rules.Endpoint{}, false
	}
	if k := strings.Index(a, "@"); k >= 0 {
		proto := a[:k]
		rest := a[k+1:]
		switch proto {
		case "unix", "abns", "abnsz":
			return rules.Endpoint{Unix: rest}, true
		case "ipv4", "ipv6", "tcp", "tcp4", "tcp6":
			a = rest
		default:
			return rules.Endpoint{}, false // fd@, sockpair@, udp@, quic4@ ...
		}
	}
	if strings.HasPrefix(a, "/") {
		return rules.Endpoint{Unix: a}, true
	}
	if strings.HasPrefix(a, "[") {
		if e := strings.Index(a, "]"); e > 0 {
			return rules.Endpoint{Host: a[1:e], Port: strings.TrimPrefix(a[e+1:], ":")}, true
		}
	}
	if k := strings.LastIndex(a, ":"); k >= 0 {
		host := a[:k]
		if host == "*" {
			host = ""
		}
		return rules.Endpoint{Host: host, Port: a[k+1:]}, true
	}
	return rules.Endpoint{Host: a}, true
}

// commonTrusted are header names checked against pattern deletes (-m reg,
// beg, sub, end), which name no header explicitly.
var commonTrusted = []string{
	"x-ssl-client-verify", "x-ssl-client-dn", "x-ssl-client-s-dn", "x-ssl-client-i-dn",
	"x-ssl-client-cert", "x-ssl-client-used", "x-ssl-client-serial", "x-ssl-client-sha1",
	"x-ssl", "x-client-verify", "x-client-dn", "ssl-client-verify", "ssl-client-subject-dn",
	"x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-forwarded-ssl",
	"remote-user", "x-remote-user", "x-forwarded-user",
}

// headerNames lists the lower-case header names a rule chain names, plus
// the common trusted names that a pattern delete covers.
func headerNames(chain []*hap.HTTPRule) []string {
	set := map[string]bool{}
	pattern := false
	for _, r := range chain {
		if r.Header == nil || r.Header.Symbolic() {
			continue
		}
		switch r.Action {
		case "set-header", "add-header":
			set[strings.ToLower(r.Header.Value())] = true
		case "del-header":
			if r.Match == "str" {
				set[strings.ToLower(r.Header.Value())] = true
			} else {
				pattern = true
			}
		}
	}
	if pattern {
		for _, h := range commonTrusted {
			for _, r := range chain {
				if r.Action == "del-header" && r.Match != "str" && deleteCovers(r, h) {
					set[h] = true
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for h := range set {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// deleteCovers reports whether a del-header rule removes a header
// spelled name.
func deleteCovers(r *hap.HTTPRule, name string) bool { return nameOf(r).deletes(name) }

// names reports whether a set/add rule is about header h.
func names(r *hap.HTTPRule, h string) bool { return nameOf(r).is(h) }

// headerName is the header an http-request rule names, and how a
// del-header matches names against it.
type headerName struct {
	name    string
	named   bool // the rule names a header, and not through a symbol
	match   string
	pattern *regexp.Regexp
}

func nameOf(r *hap.HTTPRule) headerName {
	n := headerName{match: r.Match, pattern: r.Pattern}
	if r.Header != nil && !r.Header.Symbolic() {
		n.name, n.named = r.Header.Value(), true
	}
	return n
}

// deletes reports whether a del-header with this name removes a header
// spelled name (HAProxy compares header names case-insensitively; the
// names reach the rule in lower case).
func (n headerName) deletes(name string) bool {
	if !n.named {
		return false
	}
	pat := n.name
	name = strings.ToLower(name)
	switch n.match {
	case "str", "":
		return strings.EqualFold(pat, name)
	case "beg":
		return strings.HasPrefix(name, strings.ToLower(pat))
	case "end":
		return strings.HasSuffix(name, strings.ToLower(pat))
	case "sub":
		return strings.Contains(name, strings.ToLower(pat))
	case "reg":
		return n.pattern != nil && n.pattern.MatchString(name)
	}
	return false
}

// is reports whether a set/add rule with this name is about header h.
func (n headerName) is(h string) bool { return n.named && strings.EqualFold(n.name, h) }

// treatment follows a header through a rule chain, and says what fact the
// value it ends with carries.
func treatment(chain []*hap.HTTPRule, h string) rules.HeaderTreatment {
	t := followHeader(chain, h)
	t.Fact = factOf(t.Value)
	t.Composite = t.Fact != rules.FactNone && !oneFetch(t.Value)
	t.CertGuarded = strings.Contains(t.When, "ssl_c_used") || strings.Contains(t.Value, "ssl_c_used")
	return t
}

// followHeader follows a header through a rule chain.
func followHeader(chain []*hap.HTTPRule, h string) rules.HeaderTreatment {
	t := rules.HeaderTreatment{Name: h, Action: rules.Passthrough}
	clientGone := false // an unconditional delete or set removed the client's copy
	for _, r := range chain {
		switch r.Action {
		case "del-header":
			if !deleteCovers(r, h) {
				continue
			}
			if unconditional(r) {
				clientGone = true
				t = rules.HeaderTreatment{Name: r.Header.Value(), Action: rules.Blanked, Range: r.Line.Range()}
			} else if !clientGone {
				t.Note = "deleted only " + condText(r)
			}
		case "set-header", "add-header":
			if !names(r, h) {
				continue
			}
			v := ""
			if r.Value != nil {
				v = r.Value.Value()
			}
			action := classifyValue(v)
			uncond := unconditional(r)
			switch {
			case clientGone && uncond:
				note := ""
				if r.Action == "add-header" && t.Action != rules.Blanked {
					note = "added after an earlier set: several values reach the server"
				}
				t = rules.HeaderTreatment{Name: r.Header.Value(), Action: action, Value: v, Range: r.Line.Range(), Note: note}
			case clientGone:
				prev := t
				t = rules.HeaderTreatment{Name: r.Header.Value(), Action: action, Value: v, Range: r.Line.Range(),
					Note: "set " + condText(r) + " after an unconditional delete or set", When: condText(r), Otherwise: &prev}
			case r.Action == "set-header" && uncond:
				clientGone = true
				t = rules.HeaderTreatment{Name: r.Header.Value(), Action: action, Value: v, Range: r.Line.Range()}
			case r.Action == "add-header":
				note := "add-header keeps the client's copy, which arrives first"
				if !uncond {
					note = "added only " + condText(r) + "; add-header keeps the client's copy"
				}
				t = rules.HeaderTreatment{Name: r.Header.Value(), Action: rules.Appended, Value: v, Range: r.Line.Range(), Note: note}
			default: // conditional set-header, client copy still there
				t = rules.HeaderTreatment{Name: r.Header.Value(), Action: rules.Conditional, Value: v, Range: r.Line.Range(),
					Note: "set only " + condText(r), When: condText(r)}
			}
		}
	}
	return t
}

// unconditional reports whether a rule always applies: no if/unless and
// not inside a .if block (which some builds leave out).
func unconditional(r *hap.HTTPRule) bool { return r.Cond == nil && !r.Line.Conditional() }

// condText describes when a conditional rule applies.
func condText(r *hap.HTTPRule) string {
	if r.Cond != nil {
		return r.Cond.Kind + " " + r.Cond.Text()
	}
	if cond := r.Line.Cond(); len(cond) > 0 {
		b := cond[len(cond)-1]
		return "in the " + b.Directive.Keyword() + " " + b.Expr + " block (line " + fmt.Sprint(b.Directive.Num()) + ")"
	}
	return "always"
}

var (
	tlsFetch    = source.LazyRegexp(`%\[\s*ssl_(c|f|fc|s)_|%\[\s*ssl_fc\b`)
	clientFetch = source.LazyRegexp(`%\[\s*(req\.)?(f?hdr|hdr_val|hdr_ip|cook|cook_val|fhdr_cnt|hdr_cnt)\(|%\[\s*(url|path|query|urlp|url_param|base|req\.body|capture\.req|req\.cook)`)
)

// classifyValue says where a set-header value comes from.
func classifyValue(v string) rules.HeaderAction {
	switch {
	case v == "":
		return rules.Blanked
	case clientFetch().MatchString(v):
		return rules.SetClient
	case tlsFetch().MatchString(v):
		return rules.SetTLS
	case !strings.Contains(v, "%"):
		return rules.SetConst
	default:
		return rules.SetOther
	}
}

// gated reports whether the chain refuses requests without a verified
// client certificate (a deny/reject/return whose condition tests
// ssl_c_used or ssl_c_verify).
func gated(chain []*hap.HTTPRule) bool {
	for _, r := range chain {
		switch r.Action {
		case "deny", "reject", "return", "tarpit", "silent-drop", "auth":
		default:
			continue
		}
		if r.Cond == nil || r.Line.Conditional() {
			continue
		}
		t := r.Cond.Text()
		if strings.Contains(t, "ssl_c_used") || strings.Contains(t, "ssl_c_verify") {
			return true
		}
	}
	return false
}

// admitsUnderscore reports whether client headers spelled with "_" can
// reach the server: unless every trusted header the route names is
// covered, in its underscore spelling, by an unconditional pattern delete.
func admitsUnderscore(chain []*hap.HTTPRule, headers map[string]rules.HeaderTreatment) bool {
	trusted := 0
	for h := range headers {
		if !rules.IsTrustedHeader(h) || !strings.Contains(h, "-") {
			continue
		}
		trusted++
		if !underscoreDeleted(chain, h) {
			return true
		}
	}
	return trusted == 0
}

// underscoreDeleted reports whether an unconditional delete covers the
// underscore spelling of h.
func underscoreDeleted(chain []*hap.HTTPRule, h string) bool {
	u := strings.ReplaceAll(h, "-", "_")
	for _, r := range chain {
		if r.Action == "del-header" && unconditional(r) && deleteCovers(r, u) {
			return true
		}
	}
	return false
}

// fetchFacts are the sample fetches whose value is a fact of the TLS
// handshake.
var fetchFacts = map[string]rules.Fact{
	"ssl_c_used":   rules.FactCertUsed,
	"ssl_c_s_dn":   rules.FactSubjectDN,
	"ssl_c_i_dn":   rules.FactIssuerDN,
	"ssl_c_der":    rules.FactCert,
	"ssl_c_sha1":   rules.FactFingerprint,
	"ssl_c_serial": rules.FactSerial,
}

// factOf says what fact a log-format value carries: the verification
// code when %[ssl_c_verify] is (part of) it, the request's Host for
// %[req.hdr(host)], else the one sample fetch it consists of.
func factOf(value string) rules.Fact {
	if strings.Contains(value, "ssl_c_verify") {
		return rules.FactVerifyCode
	}
	v := strings.TrimSpace(value)
	switch strings.ToLower(v) {
	case "%[req.hdr(host)]", "%[hdr(host)]":
		return rules.FactHost
	}
	// A fetch with log-format flags (%{+Q}[ssl_c_s_dn]: quoted) still
	// carries the fact; oneFetch says it is not all of the value.
	if rest, ok := strings.CutPrefix(v, "%{"); ok {
		if i := strings.Index(rest, "}["); i >= 0 {
			v = "%" + rest[i+1:]
		}
	}
	expr, ok := strings.CutPrefix(v, "%[")
	if !ok || !strings.HasSuffix(expr, "]") || strings.Contains(expr, "%[") {
		return rules.FactNone
	}
	fetch, _, _ := strings.Cut(strings.TrimSuffix(expr, "]"), ",")
	return fetchFacts[fetch]
}

// oneFetch reports whether a log-format value is one sample fetch and
// nothing else ("%[ssl_c_verify]").
func oneFetch(value string) bool {
	v := strings.TrimSpace(value)
	return strings.HasPrefix(v, "%[") && strings.HasSuffix(v, "]") && strings.Count(v, "%[") == 1 && strings.Count(v, "]") == 1
}

// setHint says how a route overwrites a header in HAProxy's syntax: remove
// the client's copy (both spellings of the name) before any conditional
// set, or set it instead of adding it.
func setHint(r *rules.Route) func(header string, fact rules.Fact) string {
	return func(header string, fact rules.Fact) string {
		name := rules.DisplayHeader(header)
		switch {
		case fact == rules.FactScheme || fact == rules.FactHost:
			return fmt.Sprintf("add `http-request del-header %s` before the conditional set, or set it on every request", name)
		case r.Header(header).Action == rules.Appended:
			return "replace `add-header` with `set-header`, which removes the client's copy first"
		}
		return fmt.Sprintf("remove the client's copy with `http-request del-header ^%s$ -m reg` before any conditional set on this route", strings.ReplaceAll(strings.ToLower(name), "-", "[-_]"))
	}
}
