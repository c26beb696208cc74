package nginx

import (
	"regexp"
	"slices"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/rules"
)

// Conditions of the rewrite phase on what a request class fixes: the
// certificate state ($ssl_client_verify), the transport ($scheme, $https)
// and the method ($request_method), tested directly or through a map over
// one of them. An if block whose body answers (return, a redirecting
// rewrite) refuses the requests for which its condition holds. Conditions
// on what the client chooses freely (a header, the User-Agent) refuse
// nothing an attacker must send, so they leave the classes alone.

// outcomeOf is a request's value of a variable the classes decide, for
// certificate state st and transport t; ok is false for other variables.
func outcomeOf(v string, st rules.CertState, t rules.Transport, method string) (string, bool) {
	tls := t == rules.TransportTLS
	switch strings.Trim(v, "${}") {
	case "ssl_client_verify":
		switch {
		case !tls:
			return "", true
		case st == rules.CertVerified:
			return "SUCCESS", true
		case st == rules.CertUntrusted:
			return "FAILED:self-signed certificate", true
		}
		return "NONE", true
	case "scheme":
		if tls {
			return "https", true
		}
		return "http", true
	case "https":
		if tls {
			return "on", true
		}
		return "", true
	case "request_method":
		return method, true
	}
	return "", false
}

// methods are the methods the classes distinguish.
var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// condition is an if directive's condition: a variable, and an operator
// with its operand unless the variable alone is tested.
type condition struct{ v, op, val string }

func parseCondition(d *nginx.Directive) (condition, bool) {
	cond := strings.Fields(strings.Trim(strings.Join(d.ArgValues(), " "), "() "))
	switch len(cond) {
	case 1:
		return condition{v: cond[0]}, strings.HasPrefix(cond[0], "$")
	case 3:
		return condition{v: cond[0], op: cond[1], val: strings.Trim(cond[2], `"'`)}, strings.HasPrefix(cond[0], "$")
	}
	return condition{}, false
}

// test applies the operator to a value: (holds, decided).
func (cd condition) test(value string) (bool, bool) {
	switch cd.op {
	case "":
		return value != "" && value != "0", true
	case "=":
		return value == cd.val, true
	case "!=":
		return value != cd.val, true
	case "~", "~*", "!~", "!~*":
		expr := cd.val
		if strings.HasSuffix(cd.op, "*") {
			expr = "(?i)" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return false, false
		}
		return re.MatchString(value) != strings.HasPrefix(cd.op, "!"), true
	}
	return false, false
}

// holds evaluates an if directive's condition on one request: holds,
// and whether it could be decided (relevant: the condition reads a
// variable the classes fix, directly or through maps).
func (c *config) holds(d *nginx.Directive, st rules.CertState, t rules.Transport, method string) (holds, decided, relevant bool) {
	cd, ok := parseCondition(d)
	if !ok {
		return false, false, false
	}
	val, decided, relevant := c.valueOf(cd.v, st, t, method, 0)
	if !decided {
		return false, false, relevant
	}
	h, dec := cd.test(val)
	return h, dec, true
}

// valueOf is a request's value of variable v when the classes fix it:
// a variable of outcomeOf, or a map over one (a map over such a map
// too: map $ssl_client_verify $v {...} map $v $ok {...}).
func (c *config) valueOf(v string, st rules.CertState, t rules.Transport, method string, depth int) (val string, decided, relevant bool) {
	if val, ok := outcomeOf(v, st, t, method); ok {
		return val, true, true
	}
	m := c.maps[v]
	if m == nil || depth > 8 {
		return "", false, false
	}
	src, decided, relevant := c.valueOf(m.Arg(0), st, t, method, depth+1)
	if !decided {
		return "", false, relevant
	}
	val, ok := mapValue(m, src)
	return val, ok, true
}

// mapValue evaluates map block m for a source value as nginx does: an
// exact key (in any case), else the first regular expression that
// matches, else default (""). Values that are variables, includes and
// hostnames keys are not decided.
func mapValue(m *nginx.Directive, src string) (string, bool) {
	def, exact := "", ""
	found := false
	var regex []*nginx.Directive
	for _, e := range m.Children {
		key := strings.Trim(e.Name, `"'`)
		switch {
		case e.Name == "include" || e.Name == "hostnames" || e.Block || len(e.Args) != 1:
			if e.Name == "volatile" {
				continue
			}
			return "", false
		case strings.Contains(e.Arg(0), "$"):
			return "", false
		case key == "default":
			def = e.Arg(0)
		case strings.HasPrefix(key, "~"):
			regex = append(regex, e)
		case strings.EqualFold(key, src) && !found:
			// nginx lowers both the keys and the source value
			// (ngx_http_map_find: ngx_hash_strlow)
			exact, found = e.Arg(0), true
		}
	}
	if found {
		return exact, true
	}
	for _, e := range regex {
		key := strings.Trim(e.Name, `"'`)
		expr := strings.TrimPrefix(key, "~")
		if strings.HasPrefix(expr, "*") {
			expr = "(?i)" + expr[1:]
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return "", false
		}
		if re.MatchString(src) {
			return e.Arg(0), true
		}
	}
	return def, true
}

// refusingIfs are the if blocks of the rewrite phase that apply to block
// b's requests and answer them: at server level, and in b's location (an
// enclosing location's rewrite directives do not run for a nested one).
func refusingIfs(s *server, b *nginx.Directive) []*nginx.Directive {
	levels := []*nginx.Directive{s.d}
	for x := b; x != nil && x != s.d; x = x.Parent {
		levels = append(levels, x)
		if x.Name == "location" {
			break
		}
	}
	var out []*nginx.Directive
	for _, lv := range levels {
		for _, d := range lv.Find("if") {
			if d.Block && answersAll(d) {
				out = append(out, d)
			}
		}
	}
	return out
}

// gated reports whether every request without a verified certificate is
// refused before block b: ssl_verify_client on, or an if of the rewrite
// phase on $ssl_client_verify, directly (if ($ssl_client_verify != SUCCESS)
// { return 403; }) or through a map (if ($deny) { return 403; } with
// map $ssl_client_verify $deny { default 1; SUCCESS 0; }). Under optional
// a certificate that fails verification never reaches the rewrite phase
// (nginx answers 400), so refusing NONE is enough there.
func (c *config) gated(s *server, b *nginx.Directive, verify rules.VerifyMode) bool {
	if verify == rules.VerifyRequired {
		return true
	}
	for _, d := range refusingIfs(s, b) {
		refuses := func(st rules.CertState) bool {
			h, dec, rel := c.holds(d, st, rules.TransportTLS, "GET")
			return h && dec && rel
		}
		if refuses(rules.CertNone) && (refuses(rules.CertUntrusted) || verify == rules.VerifyOptional) && !refuses(rules.CertVerified) {
			return true
		}
	}
	return false
}

// filterByConditions applies the refusing if blocks of route r to its
// classes: a class every one of whose requests a condition refuses is
// dropped; the methods some condition refuses are left out of the class's
// Method; a condition the model cannot decide on a class (a map it cannot
// evaluate) makes the class undecided. changed reports whether anything
// differed.
func (c *config) filterByConditions(r *route, in []rules.RequestClass) (out []rules.RequestClass, changed bool) {
	ifs := refusingIfs(r.server, r.block)
	limit := limitExcept(r.block)
	if len(ifs) == 0 && limit == nil {
		return in, false
	}
	out = []rules.RequestClass{} // none left: no request takes the route
	for _, cl := range in {
		var allowed []string
		var undecided []string
		for _, m := range methods {
			if limit != nil && !limit.allows(m) {
				continue
			}
			refused := false
			for _, d := range ifs {
				h, dec, rel := c.holds(d, cl.Cert, cl.Transport, m)
				switch {
				case !rel:
				case !dec:
					u := "the condition `if " + strings.Join(d.ArgValues(), " ") + "` could not be evaluated"
					if !slices.Contains(undecided, u) {
						undecided = append(undecided, u)
					}
				case h:
					refused = true
				}
			}
			if !refused {
				allowed = append(allowed, m)
			}
		}
		if len(allowed) == 0 {
			changed = true
			continue
		}
		if len(allowed) < len(methods) {
			cl.Method = methodText(allowed)
			changed = true
		}
		if limit != nil && len(limit.from) > 0 {
			cl.Where = append(cl.Where, "other methods only from "+strings.Join(limit.from, " or "))
			changed = true
		}
		if len(undecided) > 0 {
			cl.Undecided = append(cl.Undecided, undecided...)
			changed = true
		}
		out = append(out, cl)
	}
	return out, changed
}

// methodLimit is a limit_except block: the methods it lets through, and
// the addresses it admits for the others (none when it denies them all).
type methodLimit struct {
	methods []string
	from    []string
	open    bool // its access rules let every client use the other methods
}

func (l *methodLimit) allows(m string) bool {
	return l.open || len(l.from) > 0 || slices.Contains(l.methods, m)
}

// limitExcept reads the limit_except of location b, if any: GET implies
// HEAD. Only a list of allow lines ending in "deny all" restricts the
// other methods; anything else (auth_basic, a partial deny) is taken as
// letting them through.
func limitExcept(b *nginx.Directive) *methodLimit {
	loc := b
	for loc != nil && loc.Name == "if" {
		loc = loc.Parent
	}
	if loc == nil {
		return nil
	}
	d := loc.First("limit_except")
	if d == nil || !d.Block {
		return nil
	}
	l := &methodLimit{}
	for _, a := range d.ArgValues() {
		m := strings.ToUpper(a)
		l.methods = append(l.methods, m)
		if m == "GET" {
			l.methods = append(l.methods, "HEAD")
		}
	}
	denyAll := false
	for _, x := range d.Children {
		switch {
		case x.Name == "allow" && x.Arg(0) != "all":
			l.from = append(l.from, x.Arg(0))
		case x.Name == "deny" && x.Arg(0) == "all":
			denyAll = true
		case x.Name == "allow", x.Name == "deny", x.Name == "auth_basic", x.Name == "auth_request":
			l.open = true
		}
	}
	if !denyAll {
		l.open = true
	}
	return l
}

// methodText names the methods a class keeps: the list, or the methods it
// loses when that is shorter ("not OPTIONS").
func methodText(allowed []string) string {
	if len(allowed)*2 <= len(methods) {
		return strings.Join(allowed, ", ")
	}
	var refused []string
	for _, m := range methods {
		if !slices.Contains(allowed, m) {
			refused = append(refused, m)
		}
	}
	return "not " + strings.Join(refused, " or ")
}
