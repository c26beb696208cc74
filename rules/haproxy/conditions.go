package haproxy

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	hap "github.com/mtlslint/mtlslint/parsers/haproxy"
	"github.com/mtlslint/mtlslint/rules"
)

// HAProxy's conditions, evaluated per request class: an "if"/"unless"
// followed by terms joined by AND, groups joined by "||" or "or"; a term
// is a named ACL (the OR of every "acl" line with that name) or an
// anonymous one in braces, either negated with "!". Tests on the TLS
// state (ssl_fc, ssl_c_used, ssl_c_verify, ...) are decided by the class;
// tests on the path, the Host, the TLS server name, the source address
// and the method become rules.Atoms whose regions the classes are split
// by; any other test is undecided, and says so.

// criterion is one ACL test: a sample fetch (with converters), a match
// method and the patterns.
type criterion struct {
	text     string // as written
	fetch    string // "path", "hdr(host)", "ssl_fc"
	convs    []string
	match    string // "str", "beg", "end", "sub", "reg", "dom", "dir", "found", "bool", "int", "ip", "len"
	patterns []string
	fromFile bool // -f: patterns in a file
	atom     *rules.Atom
	// bad says why the test cannot be decided ("" when it can).
	bad string
}

// term is one term of a condition.
type term struct {
	neg  bool
	name string     // a named ACL
	anon *criterion // an anonymous ACL
}

// condition is a parsed "if"/"unless" condition.
type condition struct {
	unless bool
	groups [][]term // OR of AND groups
	text   string
}

// matchSuffix maps a fetch's match suffix to its match method
// (path_beg → path -m beg).
var matchSuffix = map[string]string{
	"beg": "beg", "end": "end", "sub": "sub", "reg": "reg", "dom": "dom", "dir": "dir",
	"len": "len", "cnt": "int", "val": "int", "ip": "ip",
}

// dimOf says which request attribute a fetch reads, if one of those the
// classes are split by.
func dimOf(fetch string) (rules.Dimension, bool) {
	switch fetch {
	case "path", "url", "base", "req.uri", "pathq":
		return rules.DimPath, true
	case "hdr(host)", "req.hdr(host)", "req.fhdr(host)", "fhdr(host)":
		return rules.DimHost, true
	case "ssl_fc_sni", "req.ssl_sni", "req_ssl_sni":
		return rules.DimSNI, true
	case "src":
		return rules.DimSource, true
	case "method":
		return rules.DimMethod, true
	}
	return 0, false
}

// parseCriterion reads an ACL test from its words: fetch, flags,
// patterns.
func parseCriterion(words []hap.Word) *criterion {
	c := &criterion{match: ""}
	if len(words) == 0 {
		c.bad = "an empty condition"
		return c
	}
	var parts []string
	for _, w := range words {
		parts = append(parts, w.Value())
	}
	c.text = strings.Join(parts, " ")
	first := strings.Split(words[0].Value(), ",")
	c.fetch, c.convs = strings.ToLower(first[0]), first[1:]
	// Fetch names with a match suffix: path_beg, hdr_dom(host).
	name, arg := c.fetch, ""
	if i := strings.Index(name, "("); i >= 0 {
		name, arg = name[:i], name[i:]
	}
	if i := strings.LastIndex(name, "_"); i > 0 {
		if m, ok := matchSuffix[name[i+1:]]; ok && name != "ssl_c_verify" {
			c.match = m
			c.fetch = name[:i] + arg
		}
	}
	icase := false
	for k := 1; k < len(words); k++ {
		v := words[k].Value()
		switch {
		case v == "-i":
			icase = true
		case v == "-m" && k+1 < len(words):
			c.match = words[k+1].Value()
			k++
		case v == "-f" && k+1 < len(words):
			c.fromFile = true
			k++
		case v == "-M" || v == "-n":
		case v == "-u":
			k++
		case v == "--":
			for _, w := range words[k+1:] {
				c.patterns = append(c.patterns, w.Value())
			}
			k = len(words)
		default:
			c.patterns = append(c.patterns, v)
		}
	}
	if icase || strings.Contains(c.fetch, "(host)") {
		for i, p := range c.patterns {
			c.patterns[i] = strings.ToLower(p)
		}
	}
	for _, cv := range c.convs {
		if cv != "lower" && cv != "host_only" && !strings.HasPrefix(cv, "field(1,:)") {
			c.bad = fmt.Sprintf("the converter %s in `%s` is not evaluated", cv, c.text)
		}
	}
	if c.match == "" {
		c.match = defaultMatch(c.fetch)
	}
	if d, ok := dimOf(c.fetch); ok && c.bad == "" && !c.fromFile {
		c.atom = c.makeAtom(d, icase)
	}
	return c
}

// defaultMatch is the match method of a fetch without -m or suffix.
func defaultMatch(fetch string) string {
	switch fetch {
	case "src", "dst":
		return "ip"
	case "ssl_fc", "ssl_c_used", "ssl_fc_has_crt", "always_true", "always_false":
		return "bool"
	case "ssl_c_verify", "ssl_c_ca_err", "ssl_c_err", "dst_port", "ssl_c_ca_err_depth":
		return "int"
	}
	return "str"
}

// sharedMatch are HAProxy's match methods that rules.NewAtom evaluates
// (an address is masked to its network, a regular expression folds case
// for a host); sub, dom, dir, found and len are HAProxy's own.
var sharedMatch = map[string]rules.MatchKind{
	"ip": rules.MatchIP, "reg": rules.MatchRegex, "str": rules.MatchExact, "beg": rules.MatchPrefix, "end": rules.MatchSuffix,
}

// makeAtom turns a test on a request attribute into a rules.Atom.
func (c *criterion) makeAtom(d rules.Dimension, icase bool) *rules.Atom {
	if kind, ok := sharedMatch[c.match]; ok {
		a, err := rules.NewAtom(d, kind, c.patterns, icase)
		if err != nil {
			c.bad = fmt.Sprintf("%s in `%s`", err, c.text)
			return nil
		}
		return a
	}
	a := &rules.Atom{Dim: d}
	what := d.String()
	if d == rules.DimHost {
		what = "Host"
	}
	if d == rules.DimSNI {
		what = "SNI"
	}
	pats := strings.Join(c.patterns, " or ")
	switch c.match {
	case "sub", "dom", "dir", "found", "len":
		for _, p := range c.patterns {
			a.Try = append(a.Try, p, p+"x", p+"/x", "/x"+p, "a."+p)
		}
		if c.match == "found" {
			a.Text, a.Not = what+" present", what+" absent"
		} else {
			a.Text, a.Not = fmt.Sprintf("%s %s %s", what, c.match, pats), fmt.Sprintf("%s not %s %s", what, c.match, pats)
		}
	default:
		c.bad = fmt.Sprintf("the match -m %s in `%s` is not evaluated", c.match, c.text)
		return nil
	}
	match := c.match
	patterns := c.patterns
	a.Match = func(v string) bool {
		if icase || d == rules.DimHost || d == rules.DimSNI {
			v = strings.ToLower(v)
		}
		if match == "found" {
			return v != ""
		}
		for _, p := range patterns {
			if matchString(match, v, p) {
				return true
			}
		}
		return false
	}
	return a
}

// matchString applies one of HAProxy's string match methods.
func matchString(match, v, p string) bool {
	switch match {
	case "sub":
		return strings.Contains(v, p)
	case "dom", "dir":
		sep := "."
		if match == "dir" {
			sep = "/"
		}
		for _, part := range strings.Split(v, sep) {
			if part == p {
				return true
			}
		}
		return strings.Contains(sep+v+sep, sep+p+sep)
	case "len":
		n, err := strconv.Atoi(p)
		return err == nil && len(v) == n
	}
	return false
}

// acls are the named ACLs of a proxy: each name's tests, OR'ed.
type acls map[string][]*criterion

func aclsOf(p *hap.Proxy) acls {
	out := acls{}
	if p == nil {
		return out
	}
	for _, l := range p.Lines("acl") {
		if len(l.Args()) < 3 {
			continue
		}
		c := parseCriterion(l.Args()[2:])
		if l.Conditional() {
			c.bad = fmt.Sprintf("the acl %s (line %d) is inside a conditional block", l.Arg(1), l.Num())
		}
		out[l.Arg(1)] = append(out[l.Arg(1)], c)
	}
	return out
}

// parseCondition reads a rule's if/unless condition.
func parseCondition(c *hap.Condition) *condition {
	if c == nil {
		return nil
	}
	out := &condition{unless: c.Kind == "unless", text: c.Kind + " " + c.Text()}
	var group []term
	ws := c.Terms
	for k := 0; k < len(ws); k++ {
		v := ws[k].Value()
		if v == "||" || strings.EqualFold(v, "or") {
			out.groups = append(out.groups, group)
			group = nil
			continue
		}
		neg := false
		for strings.HasPrefix(v, "!") {
			neg = !neg
			v = v[1:]
		}
		if v == "" && k+1 < len(ws) {
			k++
			v = ws[k].Value()
		}
		if v == "{" {
			end := k + 1
			for end < len(ws) && ws[end].Value() != "}" {
				end++
			}
			group = append(group, term{neg: neg, anon: parseCriterion(ws[k+1 : min(end, len(ws))])})
			k = end
			continue
		}
		group = append(group, term{neg: neg, name: v})
	}
	out.groups = append(out.groups, group)
	return out
}

// criteria returns every test the condition names, through named ACLs.
func (c *condition) criteria(a acls) []*criterion {
	if c == nil {
		return nil
	}
	var out []*criterion
	for _, g := range c.groups {
		for _, t := range g {
			if t.anon != nil {
				out = append(out, t.anon)
			} else {
				out = append(out, a.named(t.name)...)
			}
		}
	}
	return out
}

// request is what a condition is evaluated on: a class and, for the
// attributes the classes are split by, the values of one of its
// requests (or which atoms hold).
type request struct {
	class rules.RequestClass
	holds func(a *rules.Atom) bool
}

// eval evaluates a condition; undecided tests are named in why.
func (c *condition) eval(a acls, r request) (rules.Holds, []string) {
	if c == nil {
		return rules.HoldsYes, nil
	}
	var why []string
	res := rules.HoldsNo
	for _, g := range c.groups {
		gv := rules.HoldsYes
		for _, t := range g {
			tv, w := t.eval(a, r)
			why = append(why, w...)
			if t.neg {
				tv = tv.Not()
			}
			gv = rules.AllHold(gv, tv)
		}
		res = rules.AnyHolds(res, gv)
	}
	if c.unless {
		res = res.Not()
	}
	if res != rules.HoldsMaybe {
		why = nil
	}
	return res, why
}

// predefined are HAProxy's predefined ACLs that are evaluated, parsed
// once, on first use: their atoms are the ones the classes are split by
// (criteria) and the ones eval then looks up, so each must be one value.
var predefined = sync.OnceValue(func() map[string][]*criterion {
	out := map[string][]*criterion{}
	for name, def := range map[string]string{
		"TRUE": "always_true", "FALSE": "always_false", "LOCALHOST": "src 127.0.0.1/8",
		"METH_GET": "method GET HEAD", "METH_POST": "method POST", "METH_PUT": "method PUT", "METH_DELETE": "method DELETE",
		"METH_HEAD": "method HEAD", "METH_OPTIONS": "method OPTIONS", "METH_CONNECT": "method CONNECT",
		"METH_TRACE": "method TRACE", "HTTP": "always_true",
	} {
		var ws []hap.Word
		for _, f := range strings.Fields(def) {
			ws = append(ws, hap.NewWord(f))
		}
		out[name] = []*criterion{parseCriterion(ws)}
	}
	return out
})

// named returns the tests of the ACL name: the section's, or HAProxy's
// predefined ACL of that name when the section defines none (nil when
// there is neither).
func (a acls) named(name string) []*criterion {
	if cs, ok := a[name]; ok {
		return cs
	}
	return predefined()[name]
}

func (t term) eval(a acls, r request) (rules.Holds, []string) {
	if t.anon != nil {
		return t.anon.eval(r)
	}
	cs := a.named(t.name)
	if cs == nil {
		return rules.HoldsMaybe, []string{fmt.Sprintf("the ACL %s (not defined in this section) holds", t.name)}
	}
	res := rules.HoldsNo
	var why []string
	for _, c := range cs {
		v, w := c.eval(r)
		res = rules.AnyHolds(res, v)
		why = append(why, w...)
	}
	return res, why
}

// eval decides one test on a request.
func (c *criterion) eval(r request) (rules.Holds, []string) {
	undecided := func(why string) (rules.Holds, []string) { return rules.HoldsMaybe, []string{why} }
	if c.bad != "" {
		return undecided(c.bad)
	}
	if c.atom != nil {
		if c.atom.Dim == rules.DimSNI && r.class.Transport != rules.TransportTLS {
			return rules.HoldsNo, nil // no TLS, no server name: the fetch fails
		}
		if r.holds != nil && r.holds(c.atom) {
			return rules.HoldsYes, nil
		}
		return rules.HoldsNo, nil
	}
	if c.fromFile {
		return undecided(fmt.Sprintf("`%s` holds (its patterns are in a file)", c.text))
	}
	tls := r.class.Transport == rules.TransportTLS
	cert := r.class.Cert
	switch c.fetch {
	case "always_true":
		return rules.HoldsYes, nil
	case "always_false":
		return rules.HoldsNo, nil
	case "ssl_fc":
		return boolMatch(c, tls)
	case "ssl_c_used", "ssl_fc_has_crt":
		return boolMatch(c, tls && cert != rules.CertNone)
	case "ssl_c_verify", "ssl_c_ca_err", "ssl_c_err":
		if !tls {
			return rules.HoldsNo, nil // the fetch fails on a connection without TLS
		}
		if cert == rules.CertUntrusted {
			// A code that is not 0 and not known statically.
			switch {
			case len(c.patterns) == 0:
				return rules.HoldsYes, nil
			case len(c.patterns) == 1 && c.patterns[0] == "0":
				return rules.HoldsNo, nil
			}
			return undecided(fmt.Sprintf("`%s` holds for the certificate's own error code", c.text))
		}
		return intMatch(c, 0)
	}
	return undecided(fmt.Sprintf("`%s` holds", c.text))
}

// boolMatch decides a boolean fetch (patterns on it are not expected).
func boolMatch(c *criterion, v bool) (rules.Holds, []string) {
	if len(c.patterns) > 0 {
		return rules.HoldsMaybe, []string{fmt.Sprintf("`%s` holds", c.text)}
	}
	return rules.HoldsOf(v), nil
}

// intMatch decides an integer fetch whose value is v: without patterns
// it holds when v is not 0; a pattern is a number or a range "a:b".
func intMatch(c *criterion, v int) (rules.Holds, []string) {
	if len(c.patterns) == 0 {
		return rules.HoldsOf(v != 0), nil
	}
	for _, p := range c.patterns {
		lo, hi, ok := strings.Cut(p, ":")
		if !ok {
			hi = lo
		}
		l, err1 := strconv.Atoi(lo)
		h, err2 := strconv.Atoi(hi)
		if lo == "" {
			l, err1 = v, nil
		}
		if hi == "" {
			h, err2 = v, nil
		}
		if err1 != nil || err2 != nil {
			return rules.HoldsMaybe, []string{fmt.Sprintf("`%s` holds", c.text)}
		}
		if v >= l && v <= h {
			return rules.HoldsYes, nil
		}
	}
	return rules.HoldsNo, nil
}
