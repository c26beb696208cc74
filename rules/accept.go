package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// AcceptKind is the shape of the set of header values for which a request
// gets past the app's check.
type AcceptKind int

const (
	// AcceptExactly: only the values listed (`== "SUCCESS"`,
	// `in ("SUCCESS",)`).
	AcceptExactly AcceptKind = iota
	// AcceptAllExcept: every value but those listed (`!= "FAILED"`, a
	// refusal only of "NONE").
	AcceptAllExcept
	// AcceptNonEmpty: any value that is present and not empty (`if dn:`).
	AcceptNonEmpty
	// AcceptPrefix: a value that starts with one of those listed
	// (`.startswith("CN=")`).
	AcceptPrefix
	// AcceptAnything: the header is read but does not stop any request.
	AcceptAnything
	// AcceptUnknown: the check could not be analysed; the judge answers
	// "maybe", never "no".
	AcceptUnknown
)

var acceptNames = [...]string{"exactly", "all-except", "non-empty", "prefix", "anything", "unknown"}

func (k AcceptKind) String() string {
	if int(k) < len(acceptNames) {
		return acceptNames[k]
	}
	return "unknown"
}

// MarshalText writes the kind's name.
func (k AcceptKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// AcceptSet is the set of values of one header for which a request gets
// past the app's check on its way to protected work.
type AcceptSet struct {
	Header string     `json:"header"` // dash form, lower case
	Kind   AcceptKind `json:"kind"`
	Values []string   `json:"values,omitempty"`
	// AcceptsAbsent: a request without the header gets past too
	// (`.get(h, "") != "FAILED"`).
	AcceptsAbsent bool `json:"accepts_absent,omitempty"`
	// Conds, when set, are the app's tests on the value, all of which
	// must hold: the set is exactly the values they accept, and Kind and
	// Values only summarise it. A shape cannot say `not
	// value.startswith("FAILED")`, `split(",")[0] == "SUCCESS"`, a
	// regular expression, or two tests on one header at once.
	Conds []Cond       `json:"-"`
	Range source.Range `json:"range,omitzero"` // the comparison
}

// Truth is the outcome of a test on one value.
type Truth int

const (
	TruthFalse Truth = iota
	TruthTrue
	// TruthRaises: evaluating the test raises (None.startswith(),
	// int("x")): the request does not get past, whichever way the test
	// is negated.
	TruthRaises
	// TruthUndecided: the test cannot be evaluated (a setting not known,
	// a pattern Go's regexp cannot run, a comparison the front end could
	// not read).
	TruthUndecided
)

// Cond is one test app code applies to a header's value, evaluated the
// way the code evaluates it (the front end that read the code knows how).
type Cond interface {
	// Eval evaluates the test on a value; present is false when the
	// header is absent.
	Eval(value string, present bool) Truth
	// Literals are the strings the test compares with: the judge builds
	// the values a client would send from them.
	Literals() []string
	String() string
}

// evalConds is the conjunction of the tests on one value.
func evalConds(conds []Cond, value string, present bool) Truth {
	out := TruthTrue
	for _, c := range conds {
		switch c.Eval(value, present) {
		case TruthFalse, TruthRaises:
			return TruthFalse
		case TruthUndecided:
			out = TruthUndecided
		}
	}
	return out
}

func (a AcceptSet) String() string {
	if len(a.Conds) > 0 {
		switch a.anyValue() {
		case anyPresent:
			return "present (any value)"
		case anyNonEmpty:
			return "non-empty (any value)"
		}
		var parts []string
		for _, c := range a.Conds {
			// a test written twice (`"H" in META` and then META["H"],
			// which raises without it) is one condition
			if s := c.String(); !slices.Contains(parts, s) {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, " and ")
	}
	q := make([]string, len(a.Values))
	for i, v := range a.Values {
		q[i] = fmt.Sprintf("%q", v)
	}
	var s string
	switch a.Kind {
	case AcceptExactly:
		s = "== " + strings.Join(q, " or ")
	case AcceptAllExcept:
		s = "!= " + strings.Join(q, " and ")
	case AcceptNonEmpty:
		s = "non-empty"
	case AcceptPrefix:
		s = "starts with " + strings.Join(q, " or ")
	case AcceptAnything:
		s = "any value"
	default:
		s = "a check that could not be analysed"
	}
	if a.AcceptsAbsent {
		s += ", or absent"
	}
	return s
}

// anyKind says whether a set's tests accept every value a header may
// carry: then no value is more of a witness than another, and messages
// say what the app accepts instead.
type anyKind int

const (
	anySome     anyKind = iota // the tests pick some values, or are undecided
	anyPresent                 // every value, even empty, but not an absent header
	anyNonEmpty                // every non-empty value
)

// anyValueProbes are values of every shape a header carries: words the
// proxies write, a subject, a joined copy.
var anyValueProbes = []string{"SUCCESS", "NONE", "FAILED:x", "0", "1", "x", "CN=admin,O=Example", "SUCCESS,x"}

// anyValue evaluates the set's tests on an absent header, an empty value
// and a value of every shape, and on the strings they compare with.
func (a AcceptSet) anyValue() anyKind {
	if len(a.Conds) == 0 || evalConds(a.Conds, "", false) != TruthFalse {
		return anySome
	}
	for _, c := range a.Conds {
		for _, l := range c.Literals() {
			if l != "" {
				return anySome // a comparison with a string picks values
			}
		}
	}
	for _, v := range anyValueProbes {
		if evalConds(a.Conds, v, true) != TruthTrue {
			return anySome
		}
	}
	switch evalConds(a.Conds, "", true) {
	case TruthTrue:
		return anyPresent
	case TruthFalse:
		return anyNonEmpty
	}
	return anySome
}

// Decision is the conjunction of header conditions under which a request
// reaches one piece of protected work: the view body, login(), assigning
// request.user. Every set must accept for the request to get through.
type Decision struct {
	Sink    string       `json:"sink"` // "login()", "request.user", "the view body"
	Range   source.Range `json:"range,omitzero"`
	Accepts []AcceptSet  `json:"accepts,omitempty"`
	// Flows are the headers (dash form) whose value reaches the protected
	// work as data: the identity looked up or logged in.
	Flows []string `json:"flows,omitempty"`
	// Parsed are those of Flows of which only a part reaches the sink (a
	// regular expression's group, a split element): a client's copy joined
	// in front of the proxy's value then stands in for the identity.
	Parsed []string `json:"parsed,omitempty"`
	// Last are those of Flows of which only the last comma-separated
	// element reaches the sink (split(",")[-1]): a value a route appends
	// after the client's copy is the one the sink receives.
	Last []string `json:"last,omitempty"`
	// Keyed are those of Flows that reach the sink only as the key of a
	// lookup whose result it receives: a whole joined value finds nothing.
	Keyed []string `json:"keyed,omitempty"`
	// Lookup: the sink looks the flowing values up (an ORM query, a dict):
	// a whole joined value finds nothing.
	Lookup bool `json:"lookup,omitempty"`
	// Needs are conditions on something other than a header that the way
	// to the sink also takes and that a client does not decide by its
	// request (a setting, the session's user): a request that gets past
	// the header checks reaches the sink only if they hold, so the answer
	// is at most maybe.
	Needs []string `json:"needs,omitempty"`
	// Unknown names what could not be analysed on the way: the answer is
	// at most maybe, never a no.
	Unknown []string `json:"unknown,omitempty"`
	// Carries: the protected work is only receiving the values of Flows
	// (an attribute a view reads later, a lookup key, a login or a
	// returned value of whom they name), so a request whose Flows all
	// arrive absent gives it nothing (the code stores None). An empty
	// value still counts: "" is not None.
	Carries bool `json:"carries,omitempty"`
}

// Verdict is the judge's answer for one request class.
type Verdict struct {
	// Admitted: a request of the class reaches the protected work.
	Admitted bool
	// Maybe: the answer rests on something undecided (a check that could
	// not be analysed, a value not known statically, an undecided class
	// condition). With Admitted it means "possibly admitted".
	Maybe bool
	// Witness is, per header in the decision's order, a value that gets
	// through ("x-ssl-client-verify: \"NONE\"", a client-chosen
	// "SUCCESS"); empty when not admitted.
	Witness string
	// Why says what decided the answer.
	Why string
}

// Admits judges the decision against what a request class delivers:
// deliver returns, for a header, the Delivery of the class. The request
// is admitted when, for every accept set, some value that may arrive is
// accepted; it is not when some set accepts nothing that may arrive.
//
// The comparisons are those of the values themselves: a joined value
// ("SUCCESS,NONE") equals no single word; any value the client chooses
// gets past every set that accepts some value; nginx's "FAILED:<reason>"
// gets past "!= \"FAILED\"". A check or a value that could not be decided
// makes the answer Maybe, never a silent no.
func (d Decision) Admits(deliver func(header string) Delivery) Verdict {
	var witness, why []string
	maybe := len(d.Needs) > 0 || len(d.Unknown) > 0
	for _, a := range d.Accepts {
		del := deliver(a.Header)
		maybe = maybe || del.Class.Maybe()
		m := acceptsDelivery(a, del)
		if !m.ok {
			return Verdict{Why: fmt.Sprintf("%s: nothing that arrives (%s) is accepted (%s)", DisplayHeader(a.Header), valuesText(del.Values), a)}
		}
		maybe = maybe || m.maybe
		witness = append(witness, fmt.Sprintf("%s: %s", a.Header, m.witness))
		var w string
		switch a.anyValue() {
		case anyPresent:
			w = DisplayHeader(a.Header) + " is accepted whatever it carries, even empty (the check only tests that it is present)"
		case anyNonEmpty:
			w = DisplayHeader(a.Header) + " is accepted whatever it carries, if not empty (the check only tests that it is non-empty)"
		default:
			w = fmt.Sprintf("%s %s is accepted (%s)", DisplayHeader(a.Header), m.witness, a)
		}
		if m.maybe {
			w += ", if " + m.undecided
		}
		why = append(why, w)
	}
	if d.Carries && len(d.Flows) > 0 {
		carried := false
		for _, h := range d.Flows {
			for _, v := range deliver(h).Values {
				carried = carried || v.Kind != ValueAbsent
			}
			if len(deliver(h).Values) == 0 {
				carried = true // not known: may carry
			}
		}
		if !carried {
			return Verdict{Why: fmt.Sprintf("%s arrive absent, so %s receives nothing", strings.Join(displayAll(d.Flows), ", "), d.Sink)}
		}
	}
	if len(d.Accepts) == 0 {
		why = append(why, "no header condition guards "+d.Sink)
	}
	if len(d.Needs) > 0 {
		why = append(why, "if "+strings.Join(d.Needs, " and "))
	}
	if len(d.Unknown) > 0 {
		why = append(why, "unless "+strings.Join(d.Unknown, "; ")+" decides otherwise")
	}
	return Verdict{Admitted: true, Maybe: maybe, Witness: strings.Join(witness, ", "), Why: strings.Join(why, "; ")}
}

func displayAll(hs []string) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = DisplayHeader(h)
	}
	return out
}

func valuesText(vs []Value) string {
	if len(vs) == 0 {
		return "not known"
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	return strings.Join(parts, " or ")
}

// match is whether one value (or one delivery) gets past one accept set.
type match struct {
	ok, maybe bool
	witness   string // the value that gets past, as the app sees it
	undecided string // what Maybe rests on
}

// acceptsDelivery: some value that may arrive is accepted. A certain match
// beats a possible one. A value that arrives only under an undecided
// condition (Value.If) is accepted maybe, unless every condition has a
// value accepted for certain: then one of them arrives, whichever holds.
func acceptsDelivery(a AcceptSet, del Delivery) match {
	vs := del.Values
	if len(vs) == 0 {
		vs = []Value{UnknownValue}
	}
	best := match{}
	var conds []string
	certainUnder := map[string]match{}
	for _, v := range vs {
		m := acceptsValue(a, v)
		if v.If != "" {
			if !slices.Contains(conds, v.If) {
				conds = append(conds, v.If)
			}
			if m.ok && !m.maybe {
				certainUnder[v.If] = m
			}
			if m.ok {
				m.undecided = strings.TrimSuffix(v.If+"; "+m.undecided, "; ")
				m.maybe = true
			}
		}
		if m.ok && (!best.ok || best.maybe && !m.maybe) {
			best = m
		}
	}
	if best.maybe && len(conds) > 0 && len(certainUnder) == len(conds) {
		return certainUnder[conds[0]]
	}
	return best
}

func acceptsValue(a AcceptSet, v Value) match {
	if len(a.Conds) > 0 {
		return acceptsByConds(a.Conds, v)
	}
	if v.Kind == ValueAbsent {
		if a.AcceptsAbsent {
			return match{ok: true, witness: "absent"}
		}
		return match{}
	}
	if a.Kind == AcceptUnknown {
		return match{ok: true, maybe: true, witness: patternOf(v).render(""), undecided: "the app's check accepts it (it could not be analysed)"}
	}
	p := patternOf(v)
	if p.unknown {
		return match{ok: true, maybe: true, witness: "an undecided value", undecided: "the value that arrives is accepted (it could not be decided)"}
	}
	switch a.Kind {
	case AcceptAnything:
		return match{ok: true, witness: p.render("SUCCESS")}
	case AcceptNonEmpty:
		if p.canBeNonEmpty() {
			return match{ok: true, witness: p.render("SUCCESS")}
		}
	case AcceptExactly:
		for _, want := range a.Values {
			if ok, certain := p.canEqual(want); ok {
				return match{ok: true, maybe: !certain, witness: fmt.Sprintf("%q", want), undecided: "the certificate's own value is " + fmt.Sprintf("%q", want)}
			}
		}
	case AcceptPrefix:
		for _, pre := range a.Values {
			if ok, certain := p.canStartWith(pre); ok {
				return match{ok: true, maybe: !certain, witness: p.render(pre), undecided: "the certificate's own value starts with " + fmt.Sprintf("%q", pre)}
			}
		}
	case AcceptAllExcept:
		if ok, certain, w := p.canAvoid(a.Values); ok {
			return match{ok: true, maybe: !certain, witness: w, undecided: "the certificate's own value is none of them"}
		}
	}
	return match{}
}

// pattern is a value as the app sees it: literal text and the parts that
// vary, either chosen by the client or fixed by the handshake but not
// known statically.
type pattern struct {
	segs    []segment
	unknown bool // some part could not be decided at all
}

type segment struct {
	lit    string
	client bool // any text the client chooses
	fixed  bool // text the client cannot choose, not known statically
	what   string
}

func patternOf(v Value) pattern {
	var p pattern
	var add func(v Value)
	add = func(v Value) {
		switch v.Kind {
		case ValueConst:
			p.segs = append(p.segs, segment{lit: v.Text})
			if v.Prefix {
				p.segs = append(p.segs, segment{fixed: true, what: "…"})
			}
		case ValueTLSFact:
			if v.Text != "" {
				p.segs = append(p.segs, segment{lit: v.Text})
			} else {
				p.segs = append(p.segs, segment{fixed: true, what: "<" + v.Fact.String() + ">"})
			}
		case ValueClient:
			p.segs = append(p.segs, segment{client: true})
		case ValueJoined:
			first := true
			for _, part := range v.Parts {
				if part.Kind == ValueAbsent {
					continue // an absent copy adds nothing to the join
				}
				if !first {
					p.segs = append(p.segs, segment{lit: ","})
				}
				first = false
				add(part)
			}
		case ValueAbsent:
		default:
			p.unknown = true
		}
	}
	add(v)
	return p
}

// render writes the pattern, quoted, with the client's parts filled with
// fill.
func (p pattern) render(fill string) string { return fmt.Sprintf("%q", p.renderRaw(fill)) }

func (p pattern) hasFixed() bool {
	return slices.ContainsFunc(p.segs, func(s segment) bool { return s.fixed })
}

func (p pattern) canBeNonEmpty() bool {
	for _, s := range p.segs {
		if s.client || s.fixed || s.lit != "" {
			return true
		}
	}
	return false
}

// canEqual reports whether the value can be exactly want, and whether
// that is certain (the parts that vary are the client's, not the
// handshake's).
func (p pattern) canEqual(want string) (ok, certain bool) {
	return p.matchFrom(0, want, false)
}

// canStartWith reports whether the value can start with prefix.
func (p pattern) canStartWith(prefix string) (ok, certain bool) {
	return p.matchFrom(0, prefix, true)
}

// matchFrom matches s against the segments from i on; with prefixOnly, s
// need only be a prefix of the value. A match is certain when the parts
// that vary in it are the client's.
func (p pattern) matchFrom(i int, s string, prefixOnly bool) (ok, certain bool) {
	if i == len(p.segs) {
		return s == "", true
	}
	seg := p.segs[i]
	if !seg.client && !seg.fixed {
		switch {
		case strings.HasPrefix(s, seg.lit):
			return p.matchFrom(i+1, s[len(seg.lit):], prefixOnly)
		case prefixOnly && strings.HasPrefix(seg.lit, s):
			return true, true
		}
		return false, false
	}
	if prefixOnly {
		// The client writes the rest of the prefix; a fixed part may
		// start with it.
		return true, seg.client
	}
	found := false
	for n := 0; n <= len(s); n++ {
		if ok, c := p.matchFrom(i+1, s[n:], false); ok {
			if c && seg.client {
				return true, true
			}
			found = true
		}
	}
	return found, false
}

// canAvoid reports whether the value can be none of the excluded ones,
// with a witness.
func (p pattern) canAvoid(excluded []string) (ok, certain bool, witness string) {
	for _, s := range p.segs {
		if s.client {
			fill := "SUCCESS"
			for slices.Contains(excluded, p.renderRaw(fill)) {
				fill += "x"
			}
			return true, true, p.render(fill)
		}
	}
	matches := false
	for _, x := range excluded {
		if ok, _ := p.canEqual(x); ok {
			matches = true
		}
	}
	if !matches {
		return true, true, p.render("")
	}
	if p.hasFixed() {
		return true, false, p.render("")
	}
	return false, false, ""
}

func (p pattern) renderRaw(fill string) string {
	var b strings.Builder
	for _, s := range p.segs {
		switch {
		case s.client:
			b.WriteString(fill)
		case s.fixed:
			b.WriteString(s.what)
		default:
			b.WriteString(s.lit)
		}
	}
	return b.String()
}

// acceptsByConds evaluates the app's own tests on the values that may
// arrive: a constant as it is, the client's part as any value the client
// would send to get past them (built from the strings they compare with),
// a handshake fact not known statically as two different certificates'
// values (when the tests disagree on them, the answer is maybe).
func acceptsByConds(conds []Cond, v Value) match {
	if v.Kind == ValueAbsent {
		switch evalConds(conds, "", false) {
		case TruthTrue:
			return match{ok: true, witness: "absent"}
		case TruthUndecided:
			return match{ok: true, maybe: true, witness: "absent", undecided: "the app's test on an absent header could not be evaluated"}
		}
		return match{}
	}
	p := patternOf(v)
	if p.unknown {
		return match{ok: true, maybe: true, witness: "an undecided value", undecided: "the value that arrives is accepted (it could not be decided)"}
	}
	var lits []string
	for _, c := range conds {
		lits = append(lits, c.Literals()...)
	}
	best := match{}
	for _, cand := range p.candidates(lits) {
		var res []Truth
		for _, s := range cand.texts {
			res = append(res, evalConds(conds, s, true))
		}
		all, some, undecided := true, false, false
		for _, r := range res {
			all = all && r == TruthTrue
			some = some || r == TruthTrue
			undecided = undecided || r == TruthUndecided
		}
		switch {
		case all && !undecided:
			return match{ok: true, witness: fmt.Sprintf("%q", cand.texts[0])}
		case some || undecided:
			if !best.ok {
				best = match{ok: true, maybe: true, witness: fmt.Sprintf("%q", cand.texts[0]), undecided: "the app's tests accept it (whether they do depends on " + cand.depends + ")"}
			}
		}
	}
	return best
}

// candidate is one value the pattern may take, as one text, or several
// when a part is a handshake fact the client does not choose.
type candidate struct {
	texts   []string
	depends string // what the texts leave open
}

// fixedSamples stand for a handshake fact not known statically: two
// values that differ the way two certificates' subjects do.
var fixedSamples = [2]string{"CN=client.example.org,O=Example", "O=Other Org,CN=other"}

// candidates returns the values the pattern may take: the client's parts
// filled with strings built from lits (each, and each with text before or
// after it, changed in case), SUCCESS and a few others; at most a few
// hundred.
func (p pattern) candidates(lits []string) []candidate {
	// the strings the checks compare with first, for a witness that
	// reads as the check: "SUCCESS" for == "SUCCESS"
	var fills []string
	seen := map[string]bool{}
	add := func(ss ...string) {
		for _, s := range ss {
			if !seen[s] {
				seen[s] = true
				fills = append(fills, s)
			}
		}
	}
	add(lits...)
	add("SUCCESS", "CN=admin", "x", "", "0", "1", "NONE")
	for _, l := range lits {
		add(l+"x", "x"+l, "x"+l+"x", l+",x", strings.ToUpper(l), strings.ToLower(l))
	}
	cur := []candidate{{texts: []string{""}}}
	for _, s := range p.segs {
		var next []candidate
		for _, c := range cur {
			switch {
			case s.client:
				for _, f := range fills {
					next = append(next, candidate{appendAll(c.texts, f), c.depends})
				}
			case s.fixed && s.what == "…":
				// the rest of a constant the proxy writes ("FAILED:" and a
				// reason): any reason does
				next = append(next, candidate{appendAll(c.texts, "unable to verify the first certificate"), c.depends})
			case s.fixed:
				var texts []string
				for _, t := range c.texts {
					texts = append(texts, t+fixedSamples[0], t+fixedSamples[1])
				}
				depends := "the certificate's " + strings.Trim(s.what, "<>")
				next = append(next, candidate{texts, depends})
				// A certificate's subject may be the very text the app
				// compares with (a lookup of "CN=alice"): that value
				// beside one that differs, so that the check is judged
				// to depend on the certificate, never to refuse every
				// verified client.
				for _, l := range lits {
					texts := make([]string, 0, 2*len(c.texts))
					for _, t := range c.texts {
						texts = append(texts, t+l, t+fixedSamples[0])
					}
					next = append(next, candidate{texts, depends})
				}
			default:
				next = append(next, candidate{appendAll(c.texts, s.lit), c.depends})
			}
			if len(next) > 400 {
				break
			}
		}
		cur = next
	}
	return cur
}

func appendAll(texts []string, s string) []string {
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = t + s
	}
	return out
}

// Admits judges every decision of the trust for one request class and
// returns the strongest answer: admitted for certain, else admitted maybe,
// else not admitted (with the reason of the first decision). A trust
// without decisions admits nothing.
func (t Trust) Admits(deliver func(header string) Delivery) (Verdict, Decision) {
	var best Verdict
	var bestDec Decision
	for i, d := range t.Decisions {
		v := d.Admits(deliver)
		switch {
		case i == 0:
			best, bestDec = v, d
		case v.Admitted && !v.Maybe && (!best.Admitted || best.Maybe):
			best, bestDec = v, d
		case v.Admitted && !best.Admitted:
			best, bestDec = v, d
		}
		if best.Admitted && !best.Maybe {
			break
		}
	}
	return best, bestDec
}

// Check describes how the trust decides on its own header, for messages:
// the app's tests on it in its first decision (`== "SUCCESS"`), "taken as
// the identity" when its value only flows into the sink.
func (t Trust) Check() string {
	h := HeaderName(t.Header)
	for _, d := range t.Decisions {
		for _, a := range d.Accepts {
			if a.Header == h && (len(a.Conds) > 0 || a.Kind != AcceptNonEmpty || !slices.Contains(d.Flows, h)) {
				return a.String()
			}
		}
		if slices.Contains(d.Flows, h) {
			return "taken as the identity"
		}
		if len(d.Unknown) > 0 {
			return "not analysed: " + strings.Join(d.Unknown, "; ")
		}
	}
	if t.Scheme && t.Value != "" {
		return fmt.Sprintf("== %q decides the scheme", t.Value)
	}
	return "read"
}

// Requires reports whether every decision of the trust requires its own
// header to be exactly value: nothing else a proxy or a client may send
// (another word, a joined copy, nothing) gets past.
func (t Trust) Requires(value string) bool {
	if len(t.Decisions) == 0 {
		return false
	}
	h := HeaderName(t.Header)
	probes := []Value{Const(value)}
	others := []Value{Absent, Const(""), Const("NONE"), ConstPrefix("FAILED:"), Const("0"), Const("1"), Const("x"),
		Joined(Const(value), Const("x")), Joined(Const("x"), Const(value))}
	for _, d := range t.Decisions {
		var set *AcceptSet
		for i := range d.Accepts {
			if d.Accepts[i].Header == h {
				set = &d.Accepts[i]
			}
		}
		if set == nil {
			return false
		}
		if m := acceptsValue(*set, probes[0]); !m.ok || m.maybe {
			return false
		}
		for _, o := range others {
			if o.Kind == ValueConst && o.Text == value {
				continue
			}
			if m := acceptsValue(*set, o); m.ok {
				return false
			}
		}
	}
	return true
}

// Equal is a test that the value is one of the strings: the documented
// check of an authentication package, a test's stand-in for app code.
type Equal []string

// Eval implements Cond.
func (e Equal) Eval(value string, present bool) Truth {
	if present && slices.Contains(e, value) {
		return TruthTrue
	}
	return TruthFalse
}

// Literals implements Cond.
func (e Equal) Literals() []string { return e }

func (e Equal) String() string {
	q := make([]string, len(e))
	for i, v := range e {
		q[i] = fmt.Sprintf("%q", v)
	}
	if len(q) == 1 {
		return "== " + q[0]
	}
	return "in (" + strings.Join(q, ", ") + ")"
}

// RequireDecision is a decision that lets a request reach sink when the
// header (META or dash form) equals one of values.
func RequireDecision(sink, header string, values ...string) Decision {
	h := HeaderName(header)
	return Decision{Sink: sink, Accepts: []AcceptSet{{Header: h, Kind: AcceptExactly, Values: values, Conds: []Cond{Equal(values)}}}}
}

// IdentityDecision is a decision that takes the header's value as the
// identity at sink, without a test.
func IdentityDecision(sink, header string) Decision {
	return Decision{Sink: sink, Flows: []string{HeaderName(header)}}
}
