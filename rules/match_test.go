package rules

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

func TestRegexWitness(t *testing.T) {
	for _, re := range []string{
		`^(?:[a-z]+)\.example\.com$`, `^/api/v[0-9]+/`, `\.php$`, `^/(admin|staff)/.*`, `^/x{2,3}y?$`, `(?i)^/Login`,
		`^/api/[^/]+$`, `^/v[^a-z]/`,
	} {
		w, ok := RegexWitness(re)
		if !ok {
			t.Errorf("%s: no witness", re)
			continue
		}
		if !regexp.MustCompile(re).MatchString(w) {
			t.Errorf("%s: witness %q does not match", re, w)
		}
		if strings.ContainsFunc(w, func(r rune) bool { return r < ' ' }) {
			t.Errorf("%s: witness %q has a control character", re, w)
		}
	}
	if _, ok := RegexWitness(`(`); ok {
		t.Error("a broken expression has a witness")
	}
}

// A regular expression whose literal beginning says nothing still splits
// the requests: the witness is tried.
func TestFollowStepsRegex(t *testing.T) {
	a, err := NewAtom(DimHost, MatchRegex, []string{`^(?:[a-z]+)\.example\.com$`}, false)
	if err != nil {
		t.Fatal(err)
	}
	steps := []Step{{What: "the rule", Cond: func(q Request) (Holds, []string) { return AtomHolds(q, a), nil }}}
	got := FollowSteps([]RequestClass{{Transport: TransportPlain, Port: "80"}}, steps, []*Atom{a}, nil, 64)
	if len(got) != 1 || got[0].Host == "" || !a.Match(got[0].Witness.Host) {
		t.Fatalf("classes %+v", got)
	}
}

// Away steps take requests; choices are made where they let a request
// through; too many regions leave the tests undecided.
func TestFollowSteps(t *testing.T) {
	health, _ := NewAtom(DimPath, MatchExact, []string{"/health"}, false)
	canary := &Choice{Text: "with X-Canary", Not: "without X-Canary"}
	base := []RequestClass{{Transport: TransportPlain, Port: "80"}}
	steps := []Step{
		{Away: true, What: "health", Cond: func(q Request) (Holds, []string) { return AtomHolds(q, health), nil }},
		{What: "canary", Cond: func(q Request) (Holds, []string) { return ChoiceSent(q, canary), nil }},
	}
	got := FollowSteps(base, steps, []*Atom{health}, []*Choice{canary}, 64)
	if len(got) != 1 || got[0].String() != "plain HTTP on :80, path not /health, with X-Canary" {
		t.Fatalf("classes %v", got)
	}
	none := FollowSteps(base, []Step{{Away: true, Cond: func(Request) (Holds, []string) { return HoldsYes, nil }}}, nil, nil, 64)
	if none == nil || len(none) != 0 {
		t.Fatalf("a step that takes every request leaves %v", none)
	}
	maybe := FollowSteps(base, []Step{{Away: true, What: "`x`", Cond: func(Request) (Holds, []string) { return HoldsMaybe, []string{"y"} }}}, nil, nil, 64)
	if len(maybe) != 1 || !maybe[0].Maybe() || maybe[0].Undecided[0] != "`x` does not apply: y" {
		t.Fatalf("an undecided step gives %v", maybe)
	}
	many, _ := NewAtom(DimPath, MatchPrefix, []string{"/a", "/b"}, false)
	over := FollowSteps(base, []Step{{Cond: func(q Request) (Holds, []string) { return AtomHolds(q, many), nil }}}, []*Atom{many}, nil, 1)
	if len(over) != 1 || !over[0].Maybe() {
		t.Fatalf("beyond the limit: %v", over)
	}
}

// BenchmarkFollowSteps: a route behind ten earlier routes, each testing
// a path prefix, a method and a header, on three certificate states.
func BenchmarkFollowSteps(b *testing.B) {
	var steps []Step
	var atoms []*Atom
	var choices []*Choice
	for i := range 10 {
		p, _ := NewAtom(DimPath, MatchPrefix, []string{"/p" + string(rune('a'+i)) + "/"}, false)
		atoms = append(atoms, p)
		steps = append(steps, Step{Away: true, What: "route", Cond: func(q Request) (Holds, []string) { return AtomHolds(q, p), nil }})
	}
	post, _ := NewAtom(DimMethod, MatchExact, []string{"POST"}, false)
	canary := &Choice{Text: "with X-Canary"}
	atoms, choices = append(atoms, post), append(choices, canary)
	steps = append(steps, Step{What: "own", Cond: func(q Request) (Holds, []string) {
		return AllHold(AtomHolds(q, post), ChoiceSent(q, canary)), nil
	}})
	bases := []RequestClass{{Transport: TransportTLS, Cert: CertNone}, {Transport: TransportTLS, Cert: CertVerified}, {Transport: TransportPlain}}
	b.ReportAllocs()
	for b.Loop() {
		FollowSteps(bases, steps, atoms, choices, 256)
	}
}

// A path regex that every path matches leaves no region of requests that
// escape it: the values tried are paths, beginning with "/".
func TestFollowStepsPathRegexEveryPath(t *testing.T) {
	for _, re := range []string{`^(?:/.*)$`, `^(?:/[^?]*)$`} {
		a, err := NewAtom(DimPath, MatchRegex, []string{re}, false)
		if err != nil {
			t.Fatal(err)
		}
		steps := []Step{{Away: true, What: "the redirect", Cond: func(q Request) (Holds, []string) { return AtomHolds(q, a), nil }}}
		got := FollowSteps([]RequestClass{{Transport: TransportPlain, Port: "80"}}, steps, []*Atom{a}, nil, 64)
		if len(got) != 0 {
			t.Errorf("%s: classes %+v get past a redirect of every path", re, got)
		}
	}
}

// Regions tries only values a request can have, whoever made the atom: a
// path begins with "/", a method is never empty (the empty literal of a
// regular expression is offered all the same).
func TestRegionsTryOnlyRequestValues(t *testing.T) {
	path := &Atom{Dim: DimPath, Try: []string{"", "x"}, Match: func(v string) bool { return strings.HasPrefix(v, "/") }}
	method := &Atom{Dim: DimMethod, Try: []string{""}, Match: func(v string) bool { return v != "" }}
	regions, ok := Regions([]*Atom{path, method}, 64)
	if !ok {
		t.Fatal("too many regions")
	}
	for _, r := range regions {
		if !strings.HasPrefix(r.Witness.Path, "/") || r.Witness.Method == "" || !r.Holds[path] || !r.Holds[method] {
			t.Errorf("region %+v: no request has that path or method", r.Witness)
		}
	}
}

// A class the listener admits but that a directive of its own decides
// (another Range) is kept: the finding points at that directive.
func TestListenerAloneComparesRanges(t *testing.T) {
	listen := source.Range{File: "proxy.conf", Start: source.Pos{Line: 3, Col: 5}, End: source.Pos{Line: 3, Col: 20}}
	r := &Route{Listener: Listener{Endpoint: Endpoint{Port: "80"}, Range: listen}}
	same := ListenerClasses(r)
	if got := ListenerAlone(r, same); got != nil {
		t.Errorf("the listener's own classes: got %v, want nil", got)
	}
	decided := slices.Clone(same)
	decided[0].Range = source.Range{File: "proxy.conf", Start: source.Pos{Line: 9, Col: 5}, End: source.Pos{Line: 9, Col: 30}}
	if got := ListenerAlone(r, decided); len(got) != 1 || got[0].Range != decided[0].Range {
		t.Errorf("a class decided at line 9: got %v, want it kept", got)
	}
}
