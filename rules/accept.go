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
	AcceptsAbsent bool         `json:"accepts_absent,omitempty"`
	Range         source.Range `json:"range,omitzero"` // the comparison
}

func (a AcceptSet) String() string {
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

// Decision is the conjunction of header conditions under which a request
// reaches one piece of protected work: the view body, login(), assigning
// request.user. Every set must accept for the request to get through.
type Decision struct {
	Sink    string       `json:"sink"` // "login()", "request.user", "the view body"
	Range   source.Range `json:"range,omitzero"`
	Accepts []AcceptSet  `json:"accepts,omitempty"`
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
	maybe := false
	for _, a := range d.Accepts {
		del := deliver(a.Header)
		maybe = maybe || del.Class.Maybe()
		m := acceptsDelivery(a, del)
		if !m.ok {
			return Verdict{Why: fmt.Sprintf("%s: nothing that arrives (%s) is accepted (%s)", DisplayHeader(a.Header), valuesText(del.Values), a)}
		}
		maybe = maybe || m.maybe
		witness = append(witness, fmt.Sprintf("%s: %s", a.Header, m.witness))
		w := fmt.Sprintf("%s %s is accepted (%s)", DisplayHeader(a.Header), m.witness, a)
		if m.maybe {
			w += ", if " + m.undecided
		}
		why = append(why, w)
	}
	if len(d.Accepts) == 0 {
		why = append(why, "no header condition guards "+d.Sink)
	}
	return Verdict{Admitted: true, Maybe: maybe, Witness: strings.Join(witness, ", "), Why: strings.Join(why, "; ")}
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
// beats a possible one.
func acceptsDelivery(a AcceptSet, del Delivery) match {
	vs := del.Values
	if len(vs) == 0 {
		vs = []Value{UnknownValue}
	}
	best := match{}
	for _, v := range vs {
		m := acceptsValue(a, v)
		if m.ok && (!best.ok || best.maybe && !m.maybe) {
			best = m
		}
	}
	return best
}

func acceptsValue(a AcceptSet, v Value) match {
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
