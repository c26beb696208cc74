package python

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Facts, not verdicts: how app code decides on a request header. For every
// place that reads a header or WSGI environ value (a Read), the data-flow
// analysis (flow.go) records each piece of protected work the request can
// reach after it (a Sink) and, per path to it, the conjunction of tests
// on header values that must hold (a Path), together with the reads whose
// value flows into the sink. Whether a proxy's emission makes that check
// safe is decided by the rules, which evaluate the tests on the values a
// request class delivers (Test.Eval).

// Operand is a value code reads a header by, or compares one with: a
// string literal, or a Django setting (settings.NAME, getattr(settings,
// "NAME", default)) whose value depends on the settings module of the
// entry point and is resolved by the caller (Resolve).
type Operand struct {
	Value string `json:"value,omitempty"`
	// Setting names the setting; Value then holds its default when
	// HasDefault is set.
	Setting    string `json:"setting,omitempty"`
	HasDefault bool   `json:"has_default,omitempty"`
}

// Lit returns the operand of a string literal.
func Lit(s string) Operand { return Operand{Value: s} }

func (o Operand) String() string {
	switch {
	case o.Setting == "":
		return strconv.Quote(o.Value)
	case o.HasDefault:
		return fmt.Sprintf("getattr(settings, %q, %q)", o.Setting, o.Value)
	}
	return "settings." + o.Setting
}

// Read is one place where code reads a request header or WSGI environ
// value. Every read is kept, each at its own location, even when its key
// or what it decides cannot be worked out (Unresolved, Unanalysed).
type Read struct {
	// Keys is what the code reads by: "HTTP_X_SSL_CLIENT_VERIFY" (META,
	// environ), "X-SSL-Client-Verify" (request.headers, any case), or a
	// setting. Several when the key depends on a condition or a loop.
	Keys []Operand
	Via  ReadVia
	// Range is the read expression: request.META.get("..."), the
	// subscript, the "in" test.
	Range source.Range
	// Default is the value when the header is absent: nil for None
	// (.get without a default); Raises for a subscript (KeyError: the
	// request does not go on).
	Default *Operand
	Raises  bool
	// Func is the function the read is in ("Class.method",
	// "outer.inner"), Class its class; Scope is "class:Name",
	// "func:name" (a top-level function) or "module".
	Func, Class, Scope string
	// Unresolved says why the key is not known (Keys is then empty).
	Unresolved string
	// Unanalysed says why the code around the read was not analysed
	// (a statement the parser rejects, a budget): what it decides is
	// unknown.
	Unanalysed string
	// Decisions are the sinks the read's value decides on or flows into.
	Decisions []Decision
}

// Key returns the first key as written, or "".
func (r *Read) Key() string {
	if len(r.Keys) == 0 {
		return ""
	}
	return r.Keys[0].Value
}

func (r *Read) String() string {
	keys := make([]string, len(r.Keys))
	for i, k := range r.Keys {
		keys[i] = k.String()
	}
	return fmt.Sprintf("%s[%s]@%d", r.Via, strings.Join(keys, "|"), r.Range.Start.Line)
}

// Decision is one sink a read decides on, with the paths to it on which
// the read was evaluated and then tested, or flowed into the sink.
type Decision struct {
	Sink  *Sink
	Paths []*Path
}

// SinkKind is the kind of protected work a request reaches.
type SinkKind uint8

// Sink kinds.
const (
	// SinkNext: the request goes on to the next handler (get_response,
	// the decorated view, super().dispatch, call_next, a before_request
	// hook or process_request that lets it pass).
	SinkNext SinkKind = iota + 1
	// SinkView: a view returns its response.
	SinkView
	// SinkLogin: login(), authenticate(), login_user().
	SinkLogin
	// SinkAttr: an attribute a view reads later is set: request.user,
	// request.partner, g.terminal, self.tablet, the session.
	SinkAttr
	// SinkLookup: an ORM query or a dict lookup keyed by a header value.
	SinkLookup
	// SinkAuthenticated: DRF's or an auth backend's authenticate()
	// returns a user.
	SinkAuthenticated
	// SinkPermission: has_permission() returns true.
	SinkPermission
	// SinkReturn: a function nothing in the project calls returns a value
	// decided by headers, or one: its callers decide with it.
	SinkReturn
	// SinkAnonymous: a DRF authentication class returns None, and DRF
	// goes on to the next class, then to the view with an anonymous
	// user; whether the view runs is the permission classes' to say,
	// which the rules read from the settings and the views.
	SinkAnonymous
)

var sinkNames = [...]string{"", "next", "view", "login", "attr", "lookup", "authenticated", "permission", "return", "anonymous"}

func (k SinkKind) String() string {
	if int(k) < len(sinkNames) {
		return sinkNames[k]
	}
	return "?"
}

// Sink is a place where a request reaches protected work.
type Sink struct {
	Kind  SinkKind
	Range source.Range
	// Func is the function the sink is in; Detail says what it is
	// ("self.get_response", "request.partner", "Partner.objects.filter").
	Func, Detail string
	// Paths: the request reaches the sink when the tests of one path all
	// hold.
	Paths []*Path
}

func (s *Sink) String() string {
	return fmt.Sprintf("%s(%s)@%d", s.Kind, s.Detail, s.Range.Start.Line)
}

// Path is one way to a sink.
type Path struct {
	// Tests must all hold.
	Tests []*Test
	// Flows are the reads whose value reaches the sink on this path; Parts
	// those of them of which only a part does (a split element, a regular
	// expression's group): a client's copy joined in front of the proxy's
	// value then takes the place of the identity.
	Flows []*Read
	Parts []*Read
	// Lasts are those of Flows of which only the last comma-separated
	// element reaches the sink (split(",")[-1]): where a proxy appends
	// its own element after the client's copy, the proxy's.
	Lasts []*Read
	// Keyed are those of Flows that reach the sink only as the key of a
	// lookup whose row it receives: a whole joined value finds no row.
	Keyed []*Read
	// Reads are the reads evaluated before the sink on this path.
	Reads []*Read
	// Unknown names what could not be followed on the way.
	Unknown []string
}

// Tests returns the path's tests on r.
func (p *Path) TestsOn(r *Read) []*Test {
	var out []*Test
	for _, t := range p.Tests {
		if t.Read == r {
			out = append(out, t)
		}
	}
	return out
}

// Flows reports whether r's value reaches the sink on the path.
func (p *Path) FlowsFrom(r *Read) bool {
	for _, f := range p.Flows {
		if f == r {
			return true
		}
	}
	return false
}

func (p *Path) String() string {
	var parts []string
	for _, t := range p.Tests {
		parts = append(parts, t.String())
	}
	s := strings.Join(parts, " && ")
	if s == "" {
		s = "true"
	}
	if len(p.Flows) > 0 {
		var fs []string
		for _, f := range p.Flows {
			fs = append(fs, f.String())
		}
		s += " => " + strings.Join(fs, ",")
	}
	if len(p.Unknown) > 0 {
		s += " (unknown: " + strings.Join(p.Unknown, "; ") + ")"
	}
	return s
}

// TestOp is what a test checks of a header value.
type TestOp uint8

// Test operations.
const (
	// TestEqual: the value equals one of Values (==, in a tuple, a
	// literal case pattern).
	TestEqual TestOp = iota + 1
	// TestPrefix, TestSuffix: startswith / endswith one of Values.
	TestPrefix
	TestSuffix
	// TestContains: one of Values is a substring ("x" in value).
	TestContains
	// TestPresent: the header is there (is not None, "KEY" in META, a
	// subscript that did not raise).
	TestPresent
	// TestTruthy: present and not empty (if value, not value, bool()).
	TestTruthy
	// TestRegex: Values[0] matches (Mode "match", "search", "fullmatch").
	TestRegex
	// TestUnknown: a test on the header this analysis cannot evaluate
	// (Text says which).
	TestUnknown
	// TestOpaque: a condition on something other than a header (Read is
	// nil): request.path, request.user, a database row.
	TestOpaque
	// TestVerified: the app verified the value, a certificate, against
	// trust anchors of its own (a chain or signature check that raises
	// otherwise). No literal passes it; whether a certificate from the
	// handshake does is for the judge of the deployment.
	TestVerified
)

var testNames = [...]string{"", "==", "startswith", "endswith", "contains", "present", "truthy", "regex", "unknown", "opaque", "verified"}

func (o TestOp) String() string {
	if int(o) < len(testNames) {
		return testNames[o]
	}
	return "?"
}

// Xform is what the code did to the value before testing it.
type Xform struct {
	Fold  bool `json:"fold,omitempty"`  // lower(), upper(), casefold()
	Strip bool `json:"strip,omitempty"` // strip() and kin
	// Part selects one element of Split: 1 the first, -1 the last.
	Part  int    `json:"part,omitempty"`
	Split string `json:"split,omitempty"`
	// WithinPart selects, when set, the element of a split by Within that
	// Split then splits (xfcc.split(",")[-1].split(";")[0]): which element
	// of a joined header is read decides whose it is.
	WithinPart int    `json:"within_part,omitempty"`
	Within     string `json:"within,omitempty"`
	// Int: int(value), compared as an integer (ValueError otherwise).
	Int bool `json:"int,omitempty"`
}

func (x Xform) String() string {
	var s []string
	if x.Strip {
		s = append(s, "strip")
	}
	if x.Fold {
		s = append(s, "fold")
	}
	if x.Part != 0 {
		split := fmt.Sprintf("split(%q)[%d]", x.Split, map[int]int{1: 0, -1: -1}[x.Part])
		if x.WithinPart != 0 {
			split = fmt.Sprintf("split(%q)[%d].", x.Within, map[int]int{1: 0, -1: -1}[x.WithinPart]) + split
		}
		s = append(s, split)
	}
	if x.Int {
		s = append(s, "int")
	}
	return strings.Join(s, ",")
}

// Test is one condition on the way to a sink.
type Test struct {
	Read    *Read
	Op      TestOp
	Values  []Operand
	Negated bool
	Xform   Xform
	// Mode is the re function of a TestRegex.
	Mode string
	// Range is the test as written; Text its source (for TestOpaque and
	// TestUnknown, what could not be evaluated).
	Range source.Range
	Text  string
	// Chosen marks a TestOpaque the client decides by its request (the
	// path, the method, a query parameter, not being logged in, a row
	// found by a header value it sends).
	Chosen bool
	// Derived marks a TestOpaque on a value derived from header values.
	Derived bool
}

// testKey identifies a test up to negation. It is comparable, so tests
// are compared and kept in maps without building a string for each: keys
// are built for every pair of tests simplify compares.
type testKey struct {
	read  *Read
	op    TestOp
	xform Xform
	mode  string
	// values counts the operands; first is the first one and rest the
	// others, joined (a test with several is rare).
	values int
	first  Operand
	rest   string
	// text tells apart tests on no read, and unknown ones.
	text string
}

// key identifies the test up to negation.
func (t *Test) key() testKey {
	k := testKey{read: t.Read, op: t.Op, xform: t.Xform, mode: t.Mode, values: len(t.Values)}
	if len(t.Values) > 0 {
		k.first = t.Values[0]
	}
	if len(t.Values) > 1 {
		var b strings.Builder
		for _, v := range t.Values[1:] {
			b.WriteString(v.String())
			b.WriteByte(',')
		}
		k.rest = b.String()
	}
	if t.Read == nil || t.Op == TestUnknown {
		k.text = t.Text
	}
	return k
}

func (t *Test) negate() *Test {
	n := *t
	n.Negated = !t.Negated
	if n.Op == TestOpaque && !n.Derived {
		n.Chosen = isChosen(n.Text, n.Negated)
	}
	return &n
}

func (t *Test) String() string {
	var s string
	switch t.Op {
	case TestOpaque:
		s = "opaque(" + t.Text + ")"
	case TestUnknown:
		s = fmt.Sprintf("unknown(%s: %s)", t.Read, t.Text)
	default:
		var vals []string
		for _, v := range t.Values {
			vals = append(vals, v.String())
		}
		target := t.Read.String()
		if x := t.Xform.String(); x != "" {
			target += "." + x
		}
		s = fmt.Sprintf("%s %s %s", target, t.Op, strings.Join(vals, "|"))
		if t.Op == TestRegex {
			s = fmt.Sprintf("%s re.%s %s", target, t.Mode, strings.Join(vals, "|"))
		}
		s = strings.TrimSpace(s)
	}
	if t.Negated {
		return "!" + s
	}
	return s
}

// Truth is the outcome of a test on one value.
type Truth uint8

// Outcomes of Test.Eval.
const (
	False Truth = iota
	True
	// Raises: evaluating the test raises (None.startswith, int("x")):
	// the request does not go on, whichever way the test is negated.
	Raises
	// Undecided: the test cannot be evaluated here (TestUnknown, a
	// setting not resolved, a regular expression Go cannot run).
	Undecided
)

// Eval evaluates the test on a header value (present false: the header
// is absent). Operands that are settings must have been resolved (see
// Resolve); an unresolved one is Undecided.
func (t *Test) Eval(value string, present bool) Truth {
	if t.Read == nil || t.Op == TestOpaque || t.Op == TestUnknown {
		return Undecided
	}
	var v *string
	if present {
		v = &value
	} else if t.Read.Default != nil {
		if t.Read.Default.Setting != "" && !t.Read.Default.HasDefault {
			return Undecided
		}
		d := t.Read.Default.Value
		v = &d
	} else if t.Read.Raises {
		return Raises
	}
	r := t.eval(v)
	if r == True || r == False {
		if t.Negated {
			return 1 - r
		}
	}
	return r
}

func (t *Test) eval(v *string) Truth {
	switch t.Op {
	case TestVerified:
		if v == nil {
			return Raises
		}
		return False
	case TestPresent:
		return truth(v != nil)
	case TestTruthy:
		if v == nil {
			if t.Xform != (Xform{}) {
				return Raises // None.strip()
			}
			return False
		}
		s, r := t.Xform.apply(*v)
		if r != True {
			return r
		}
		if t.Xform.Int {
			n, _ := strconv.Atoi(strings.TrimSpace(s))
			return truth(n != 0)
		}
		return truth(s != "")
	}
	if v == nil {
		if t.Op == TestEqual && t.Xform == (Xform{}) {
			return False // None == "x", None in ("x",)
		}
		return Raises // None.startswith(), None.lower(), "x" in None
	}
	s, r := t.Xform.apply(*v)
	if r != True {
		return r
	}
	any := false
	for _, o := range t.Values {
		if o.Setting != "" && !o.HasDefault {
			return Undecided
		}
		want := o.Value
		if t.Xform.Fold {
			want = strings.ToLower(want)
		}
		var hit bool
		switch t.Op {
		case TestEqual:
			if t.Xform.Int {
				a, err1 := strconv.Atoi(strings.TrimSpace(s))
				b, err2 := strconv.Atoi(strings.TrimSpace(want))
				hit = err1 == nil && err2 == nil && a == b
			} else {
				hit = s == want
			}
		case TestPrefix:
			hit = strings.HasPrefix(s, want)
		case TestSuffix:
			hit = strings.HasSuffix(s, want)
		case TestContains:
			hit = strings.Contains(s, want)
		case TestRegex:
			re, err := regexp.Compile(want)
			if err != nil {
				return Undecided // a Python pattern RE2 does not take
			}
			switch t.Mode {
			case "match":
				loc := re.FindStringIndex(s)
				hit = loc != nil && loc[0] == 0
				if !hit {
					// a later match would not count; an anchored retry decides
					re2, err := regexp.Compile(`\A(?:` + want + `)`)
					if err != nil {
						return Undecided
					}
					hit = re2.MatchString(s)
				}
			case "fullmatch":
				re2, err := regexp.Compile(`\A(?:` + want + `)\z`)
				if err != nil {
					return Undecided
				}
				hit = re2.MatchString(s)
			default:
				hit = re.MatchString(s)
			}
		default:
			return Undecided
		}
		any = any || hit
	}
	if t.Op == TestEqual && t.Xform.Int {
		if _, err := strconv.Atoi(strings.TrimSpace(s)); err != nil {
			return Raises
		}
	}
	return truth(any)
}

func truth(b bool) Truth {
	if b {
		return True
	}
	return False
}

// apply applies the transformation to a present value; Raises when int()
// fails.
func (x Xform) apply(v string) (string, Truth) {
	if x.WithinPart != 0 {
		var ok bool
		if v, ok = splitElement(v, x.Within, x.WithinPart); !ok {
			return "", Raises
		}
	}
	if x.Part != 0 {
		var ok bool
		if v, ok = splitElement(v, x.Split, x.Part); !ok {
			return "", Raises
		}
	}
	if x.Strip {
		v = strings.TrimSpace(v)
	}
	if x.Fold {
		v = strings.ToLower(v)
	}
	if x.Int {
		if _, err := strconv.Atoi(strings.TrimSpace(v)); err != nil {
			return v, Raises
		}
	}
	return v, True
}

// splitElement returns the first (part 1) or last (part -1) element of
// v.split(sep); false where Python raises IndexError (a split on
// whitespace of a blank string).
func splitElement(v, sep string, part int) (string, bool) {
	parts := strings.Split(v, sep)
	if sep == "" {
		parts = strings.Fields(v)
		if len(parts) == 0 {
			return "", false
		}
	}
	if part > 0 {
		return parts[0], true
	}
	return parts[len(parts)-1], true
}

// Resolve returns a copy of the test whose setting operands are replaced
// by their values: lookup returns a setting's value (a string, or a
// sequence of strings for "in"), or false when it is not known.
func (t *Test) Resolve(lookup func(name string) ([]string, bool)) *Test {
	n := *t
	n.Values = nil
	for _, o := range t.Values {
		if o.Setting == "" {
			n.Values = append(n.Values, o)
			continue
		}
		if vals, ok := lookup(o.Setting); ok {
			for _, v := range vals {
				n.Values = append(n.Values, Lit(v))
			}
			continue
		}
		n.Values = append(n.Values, o)
	}
	return &n
}
