package rules

import (
	"fmt"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"strings"
)

// Matching: how the front ends of proxies whose routes are chosen by a
// list of matchers (Envoy's routes and virtual hosts, Traefik's routers,
// Caddy's matchers and handler order) find the request classes of a
// route. Each test a matcher makes on a request attribute becomes an Atom
// (NewAtom); a test on something the client simply chooses to send (a
// header, a query parameter) becomes a Choice; the proxy's decisions on
// the way to the route, in the order it makes them, become Steps; and
// FollowSteps splits the route's listener classes into those that take
// the route. HAProxy and nginx keep their own front ends (their
// conditions are richer), on the same Regions and NarrowClasses.

// Holds is whether a condition holds on a request: no, maybe (the model
// could not decide), or yes.
type Holds int8

const (
	HoldsNo Holds = iota
	HoldsMaybe
	HoldsYes
)

// Not negates h; maybe stays maybe.
func (h Holds) Not() Holds { return 2 - h }

// AllHold is the conjunction of hs (yes when empty).
func AllHold(hs ...Holds) Holds {
	out := HoldsYes
	for _, h := range hs {
		out = min(out, h)
	}
	return out
}

// AnyHolds is the disjunction of hs (no when empty).
func AnyHolds(hs ...Holds) Holds {
	out := HoldsNo
	for _, h := range hs {
		out = max(out, h)
	}
	return out
}

// HoldsOf turns a decided answer into a Holds.
func HoldsOf(b bool) Holds {
	if b {
		return HoldsYes
	}
	return HoldsNo
}

// MatchKind is how a matcher compares a request attribute with its
// patterns.
type MatchKind int

const (
	MatchExact  MatchKind = iota // the value is one of the patterns
	MatchPrefix                  // the value begins with one
	MatchSuffix                  // the value ends with one
	MatchRegex                   // a regular expression (RE2) matches the value
	MatchDomain                  // a host name, "*.example.com" for any subdomain, "*" for any
	MatchIP                      // an address in one of the ranges (CIDR or single address)
)

// NewAtom returns the test of dimension d that holds when the value
// matches one of the patterns the way kind says; fold compares without
// regard to case (host names always do). A pattern that cannot be
// evaluated (a regular expression RE2 does not accept, an address that is
// not one) is an error: the caller keeps the test undecided.
func NewAtom(d Dimension, kind MatchKind, patterns []string, fold bool) (*Atom, error) {
	what := map[Dimension]string{DimPath: "path", DimHost: "Host", DimSNI: "SNI", DimSource: "client address", DimMethod: "method"}[d]
	fold = fold || d == DimHost || d == DimSNI
	a := &Atom{Dim: d}
	pats := strings.Join(patterns, " or ")
	var res []*regexp.Regexp
	var nets []netip.Prefix
	switch kind {
	case MatchExact:
		a.Text, a.Not = what+" "+pats, what+" not "+pats
		for _, p := range patterns {
			a.Try = append(a.Try, p, p+"x", p+"/x")
		}
	case MatchPrefix:
		a.Text, a.Not = what+" under "+pats, what+" not under "+pats
		for _, p := range patterns {
			a.Try = append(a.Try, p, p+"x", p+"/x", strings.TrimSuffix(p, "/"))
		}
	case MatchSuffix:
		a.Text, a.Not = what+" ending in "+pats, what+" not ending in "+pats
		for _, p := range patterns {
			a.Try = append(a.Try, "/x"+p, p)
		}
	case MatchRegex:
		a.Text, a.Not = what+" matching "+pats, what+" not matching "+pats
		for _, p := range patterns {
			src := p
			if fold {
				src = "(?i)" + p
			}
			re, err := regexp.Compile(src)
			if err != nil {
				return nil, fmt.Errorf("the regular expression %s is not evaluated", p)
			}
			res = append(res, re)
			lit := RegexLiteralPrefix(p)
			a.Try = append(a.Try, lit, lit+"x", lit+"/x", lit+"x.json", lit+"1", "a."+strings.TrimPrefix(lit, "."))
			if w, ok := RegexWitness(p); ok {
				// A value the expression matches, so that Regions finds
				// the requests that pass the test whatever its shape.
				a.Try = append(a.Try, w, w+"x")
			}
		}
	case MatchDomain:
		a.Text, a.Not = what+" "+pats, what+" not "+pats
		for _, p := range patterns {
			a.Try = append(a.Try, strings.Replace(p, "*", "www", 1), strings.TrimPrefix(p, "*."), "x"+p)
		}
	case MatchIP:
		a.Text, a.Not = what+" in "+pats, what+" not in "+pats
		for _, p := range patterns {
			pr, err := netip.ParsePrefix(p)
			if err != nil {
				ad, err2 := netip.ParseAddr(p)
				if err2 != nil {
					return nil, fmt.Errorf("the address %s is not understood", p)
				}
				pr = netip.PrefixFrom(ad, ad.BitLen())
			}
			nets = append(nets, pr.Masked())
			a.Try = append(a.Try, pr.Masked().Addr().String())
		}
	}
	a.Match = func(v string) bool {
		for i, p := range patterns {
			if fold {
				v, p = strings.ToLower(v), strings.ToLower(p)
			}
			switch kind {
			case MatchExact:
				if v == p {
					return true
				}
			case MatchPrefix:
				if strings.HasPrefix(v, p) {
					return true
				}
			case MatchSuffix:
				if strings.HasSuffix(v, p) {
					return true
				}
			case MatchRegex:
				if res[i].MatchString(v) {
					return true
				}
			case MatchDomain:
				if p == "*" || v == p || strings.HasPrefix(p, "*.") && strings.HasSuffix(v, p[1:]) {
					return true
				}
			case MatchIP:
				if ad, err := netip.ParseAddr(v); err == nil && nets[i].Contains(ad) {
					return true
				}
			}
		}
		return false
	}
	return a, nil
}

// Choice is a condition the client decides by what it sends (a header, a
// query parameter): a request may meet it or not, as the client likes.
type Choice struct {
	// Text and Not say what the client does in either case: "with the
	// header X-Canary: true", "without the header X-Canary: true".
	Text, Not string
}

// Request is one request of a class, as a step's condition sees it.
type Request struct {
	Class RequestClass
	// Holds says which atoms hold (nil: none is known, every test on an
	// attribute is undecided).
	Holds func(*Atom) bool
	// Sends says which choices the client made.
	Sends func(*Choice) bool
}

// Step is one decision a proxy makes on a request on its way to a route,
// in the order the proxy makes them: a redirect, a direct response or
// another route that takes the request when its condition holds (Away),
// or a condition the request must meet to go on (a matcher of the route
// itself).
type Step struct {
	Away bool
	// What names the step for an undecided condition: "`redir
	// https://{host}{uri}` (line 4)".
	What string
	// Cond says whether the step's condition holds, and which parts of it
	// the model could not decide.
	Cond func(Request) (Holds, []string)
}

// takes decides whether request q takes the route past steps. An
// undecided condition of an Away step is kept as "does not apply", one of
// a required step as "applies".
func takes(steps []Step, q Request) Taken {
	var undecided []string
	for _, s := range steps {
		h, why := s.Cond(q)
		verb := "applies"
		if s.Away {
			h, verb = h.Not(), "does not apply"
		}
		switch h {
		case HoldsNo:
			return Taken{}
		case HoldsMaybe:
			w := s.What + " " + verb
			if len(why) > 0 {
				w += ": " + strings.Join(dedupeWords(why), "; ")
			}
			undecided = append(undecided, w)
		}
	}
	return Taken{Yes: true, Undecided: undecided}
}

// choiceLimit bounds the choices a route's steps may test; beyond it
// every choice is taken as what lets the request through, undecided.
const choiceLimit = 4

// FollowSteps returns the classes of bases' requests that take a route
// past steps, which test atoms and choices. The attributes are split into
// regions (Regions, at most limit of them: beyond, every test on an
// attribute is undecided); in each region the client's choices are tried
// until one lets the request through, and the choices made are written
// into the class (Where). An empty, non-nil list: no request takes the
// route.
func FollowSteps(bases []RequestClass, steps []Step, atoms []*Atom, choices []*Choice, limit int) []RequestClass {
	out := []RequestClass{}
	regions, split := Regions(atoms, limit)
	if !split {
		atoms, regions = nil, []Region{{Holds: map[*Atom]bool{}}}
	}
	for _, base := range bases {
		taken := make([]Taken, len(regions))
		where := make([][]string, len(regions))
		for i, reg := range regions {
			q := Request{Class: base}
			if split {
				holds := reg.Holds
				q.Holds = func(a *Atom) bool { return holds[a] }
			}
			if len(choices) > choiceLimit {
				q.Sends = nil
				taken[i] = takes(steps, q)
				continue
			}
			for mask := 0; mask < 1<<len(choices); mask++ {
				sends := map[*Choice]bool{}
				for j, c := range choices {
					sends[c] = mask&(1<<j) != 0
				}
				q.Sends = func(c *Choice) bool { return sends[c] }
				t := takes(steps, q)
				if !t.Yes || taken[i].Yes && len(t.Undecided) >= len(taken[i].Undecided) {
					continue
				}
				taken[i], where[i] = t, nil
				for j, c := range choices {
					if mask&(1<<j) != 0 {
						where[i] = append(where[i], c.Text)
					}
				}
			}
			// Regions that differ in the choices they need are told apart.
			taken[i].Key = strings.Join(where[i], "\x00")
		}
		cls := NarrowClasses(base, atoms, regions, taken)
		for i := range cls {
			for j := range regions {
				if taken[j].Yes && taken[j].Key != "" && sameWitness(cls[i].Witness, regions[j].Witness, atoms) {
					cls[i].Where = append(cls[i].Where, where[j]...)
					break
				}
			}
		}
		out = append(out, cls...)
	}
	return out
}

// ListenerAlone returns cs, or nil when cs are the classes the route's
// listener admits anyway (ListenerClasses), each decided where the
// listener is (the same Range): a route builder keeps Route.Classes nil
// when its proxy's matching changes nothing.
func ListenerAlone(r *Route, cs []RequestClass) []RequestClass {
	l := ListenerClasses(r)
	if len(l) != len(cs) {
		return cs
	}
	for i := range l {
		if l[i].String() != cs[i].String() || l[i].Witness != cs[i].Witness || l[i].Range != cs[i].Range {
			return cs
		}
	}
	return nil
}

// sameWitness reports whether a class's witness is region r's on every
// dimension the atoms test.
func sameWitness(w, r Witness, atoms []*Atom) bool {
	for _, a := range atoms {
		if w.get(a.Dim) != r.get(a.Dim) {
			return false
		}
	}
	return true
}

// ChoiceSent answers for a choice on request q: yes or no as the client
// chose, maybe where the choices are too many to follow.
func ChoiceSent(q Request, c *Choice) Holds {
	if q.Sends == nil {
		return HoldsMaybe
	}
	return HoldsOf(q.Sends(c))
}

// AtomHolds answers for an atom on request q, maybe where the model does
// not split by it.
func AtomHolds(q Request, a *Atom) Holds {
	if q.Holds == nil {
		return HoldsMaybe
	}
	return HoldsOf(q.Holds(a))
}

// RegexWitness returns a short string that regular expression re (RE2
// syntax) matches: the first branch of every alternation, the fewest
// repetitions, the first character of every class. ok is false when re
// does not compile or none was found.
func RegexWitness(re string) (string, bool) {
	parsed, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	var walk func(r *syntax.Regexp) bool
	walk = func(r *syntax.Regexp) bool {
		switch r.Op {
		case syntax.OpLiteral:
			b.WriteString(string(r.Rune))
		case syntax.OpCharClass:
			if len(r.Rune) == 0 {
				return false
			}
			b.WriteRune(classRune(r.Rune))
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			b.WriteByte('a')
		case syntax.OpCapture, syntax.OpPlus:
			return walk(r.Sub[0])
		case syntax.OpRepeat:
			for range r.Min {
				if !walk(r.Sub[0]) {
					return false
				}
			}
		case syntax.OpConcat:
			for _, s := range r.Sub {
				if !walk(s) {
					return false
				}
			}
		case syntax.OpAlternate:
			return walk(r.Sub[0])
		case syntax.OpStar, syntax.OpQuest, syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine,
			syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		default:
			return false
		}
		return true
	}
	if !walk(parsed) {
		return "", false
	}
	w := b.String()
	ok, _ := regexp.MatchString(re, w)
	return w, ok
}

// classRune picks a rune of a character class (ranges as lo, hi pairs) for
// a witness: "a" when the class has it (a letter reads better), else the
// first printable one, so that a negated class ("[^/]") gives no control
// character for a request's path.
func classRune(ranges []rune) rune {
	for i := 0; i+1 < len(ranges); i += 2 {
		if ranges[i] <= 'a' && 'a' <= ranges[i+1] {
			return 'a'
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		if ranges[i+1] > ' ' {
			return max(ranges[i], '!')
		}
	}
	return ranges[0]
}
