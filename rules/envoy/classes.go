package envoy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/envoy"
	"github.com/mtlslint/mtlslint/rules"
)

// Request classes of an Envoy route: which of the requests its listener
// admits reach its cluster. The filter chain is chosen by the TLS server
// name (filter_chain_match.server_names) and the client's address
// (source_prefix_ranges); the chain's DownstreamTlsContext decides the
// certificate states. The virtual host is chosen by the Host (exact
// domains first, then the longest suffix wildcard, then the longest prefix
// wildcard, then "*"); a virtual host with require_tls redirects plain
// requests; within it the first route whose match holds takes the request,
// whether it forwards it, redirects it or answers it directly. A route
// matches on the path (prefix, path, path_separated_prefix, safe_regex),
// headers (":method" is the method, ":authority" the Host; any other
// header is the client's choice), query parameters (the client's choice)
// and tls_context (presented, validated).
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto,
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/listener/v3/listener_components.proto#config-listener-v3-filterchainmatch)

// regionLimit bounds the regions a route's matches split requests into.
const regionLimit = 256

// matchers caches, per file, the conditions each route and virtual host
// test, so that a test shared by the steps of several routes is one atom.
type matchers struct {
	routes map[*envoy.Route]*routeMatch
	hosts  map[*envoy.RouteConfig][]*rules.Atom // per virtual host, in order
}

// routeMatch is one route's match as conditions.
type routeMatch struct {
	atoms     []*rules.Atom
	choices   []*rules.Choice
	undecided []string
	// presented, validated: tls_context.
	presented, validated *bool
}

func newMatchers() *matchers {
	return &matchers{routes: map[*envoy.Route]*routeMatch{}, hosts: map[*envoy.RouteConfig][]*rules.Atom{}}
}

// of returns route rt's match.
func (m *matchers) of(rt *envoy.Route) *routeMatch {
	if rm := m.routes[rt]; rm != nil {
		return rm
	}
	rm := &routeMatch{presented: rt.TLSPresented, validated: rt.TLSValidated}
	// case_sensitive does not apply to safe_regex.
	fold := !rt.CaseSensitive && rt.PathKind != "safe_regex"
	add := func(d rules.Dimension, k rules.MatchKind, v string, what string) {
		a, err := rules.NewAtom(d, k, []string{v}, fold && d == rules.DimPath)
		if err != nil {
			rm.undecided = append(rm.undecided, what+" matches ("+err.Error()+")")
			return
		}
		rm.atoms = append(rm.atoms, a)
	}
	switch rt.PathKind {
	case "prefix":
		if rt.PathValue != "" && rt.PathValue != "/" {
			add(rules.DimPath, rules.MatchPrefix, rt.PathValue, "")
		}
	case "path":
		add(rules.DimPath, rules.MatchExact, rt.PathValue, "")
	case "path_separated_prefix":
		add(rules.DimPath, rules.MatchRegex, "^"+regexp.QuoteMeta(rt.PathValue)+"(/.*)?$", "the path_separated_prefix "+rt.PathValue)
	case "safe_regex":
		add(rules.DimPath, rules.MatchRegex, "^(?:"+rt.PathValue+")$", "the safe_regex "+rt.PathValue)
	}
	for _, h := range rt.HeaderMatches {
		m.header(rm, h)
	}
	if rt.QueryParameters > 0 {
		rm.choices = append(rm.choices, &rules.Choice{Text: fmt.Sprintf("with the query parameters of the route at line %d", rt.Range.Start.Line), Not: "without them"})
	}
	for _, o := range rt.Other {
		switch o {
		case "runtime_fraction", "grpc":
			// A share of the requests, or those the client sends as gRPC.
			rm.choices = append(rm.choices, &rules.Choice{Text: fmt.Sprintf("when the %s of the route at line %d selects it", o, rt.Range.Start.Line), Not: "when it does not"})
		default:
			rm.undecided = append(rm.undecided, "the match's "+o+" holds")
		}
	}
	m.routes[rt] = rm
	return rm
}

// header adds a route's header matcher: pseudo-headers are request
// attributes, other headers the client's choice.
func (m *matchers) header(rm *routeMatch, h *envoy.HeaderMatch) {
	kinds := map[string]rules.MatchKind{"exact": rules.MatchExact, "prefix": rules.MatchPrefix, "suffix": rules.MatchSuffix, "safe_regex": rules.MatchRegex}
	dim, attr := rules.Dimension(-1), false
	switch h.Name {
	case ":method":
		dim, attr = rules.DimMethod, true
	case ":authority", "host":
		dim, attr = rules.DimHost, true
	case ":path":
		dim, attr = rules.DimPath, true
	}
	words := fmt.Sprintf("the header %s %s %s", h.Name, h.Kind, h.Value)
	if h.Kind == "present" {
		words = "the header " + h.Name
	}
	k, ok := kinds[h.Kind]
	switch {
	case attr && ok && !h.Invert:
		v := h.Value
		if k == rules.MatchRegex {
			v = "^(?:" + v + ")$"
		}
		a, err := rules.NewAtom(dim, k, []string{v}, false)
		if err != nil {
			rm.undecided = append(rm.undecided, words+" matches ("+err.Error()+")")
			return
		}
		rm.atoms = append(rm.atoms, a)
	case attr:
		rm.undecided = append(rm.undecided, words+" matches")
	case h.Absent != h.Invert:
		rm.choices = append(rm.choices, &rules.Choice{Text: "without " + words, Not: "with " + words})
	default:
		rm.choices = append(rm.choices, &rules.Choice{Text: "with " + words, Not: "without " + words})
	}
}

// holds evaluates a route's match on request q.
func (rm *routeMatch) holds(q rules.Request) (rules.Holds, []string) {
	h := rules.HoldsYes
	for _, a := range rm.atoms {
		h = rules.AllHold(h, rules.AtomHolds(q, a))
	}
	for _, c := range rm.choices {
		h = rules.AllHold(h, rules.ChoiceSent(q, c))
	}
	cert := q.Class.Cert
	tls := q.Class.Transport == rules.TransportTLS
	if rm.presented != nil {
		h = rules.AllHold(h, rules.HoldsOf((tls && cert != rules.CertNone) == *rm.presented))
	}
	if rm.validated != nil {
		h = rules.AllHold(h, rules.HoldsOf((tls && cert == rules.CertVerified) == *rm.validated))
	}
	if len(rm.undecided) > 0 {
		h = rules.AllHold(h, rules.HoldsMaybe)
	}
	return h, rm.undecided
}

// hostAtoms returns, per virtual host of rc, the test "the Host selects
// this virtual host", following Envoy's order of domain matches.
func (m *matchers) hostAtoms(rc *envoy.RouteConfig) []*rules.Atom {
	if as, ok := m.hosts[rc]; ok {
		return as
	}
	var as []*rules.Atom
	for i, vh := range rc.VirtualHosts {
		a := &rules.Atom{Dim: rules.DimHost, Text: "Host " + strings.Join(vh.Domains, " or "), Not: "Host not " + strings.Join(vh.Domains, " or ")}
		for _, d := range vh.Domains {
			a.Try = append(a.Try, strings.ReplaceAll(d, "*", "www"), strings.ReplaceAll(d, "*", "x.y"))
		}
		i := i
		a.Match = func(host string) bool { return selectHost(rc, host) == i }
		as = append(as, a)
	}
	m.hosts[rc] = as
	return as
}

// selectHost returns the virtual host Envoy picks for a Host: an exact
// domain, else the longest suffix wildcard ("*.example.com",
// "*-api.example.com"), else the longest prefix wildcard ("api.*"), else
// "*"; -1 when none.
func selectHost(rc *envoy.RouteConfig, host string) int {
	host = strings.ToLower(host)
	best, bestLen, bestRank := -1, -1, 4
	for i, vh := range rc.VirtualHosts {
		for _, d := range vh.Domains {
			d = strings.ToLower(d)
			rank, n := 4, len(d)
			switch {
			case d == host:
				rank = 0
			case d == "*":
				rank = 3
			case strings.HasPrefix(d, "*") && strings.HasSuffix(host, d[1:]) && len(host) > len(d)-1:
				rank = 1
			case strings.HasSuffix(d, "*") && strings.HasPrefix(host, d[:len(d)-1]) && len(host) > len(d)-1:
				rank = 2
			}
			if rank < bestRank || rank == bestRank && rank < 4 && n > bestLen {
				best, bestLen, bestRank = i, n, rank
			}
		}
	}
	if bestRank == 4 {
		return -1
	}
	return best
}

// requestClasses sets the classes of route r, which goes through virtual
// host vh (index vi of the route configuration) and its route rt.
func (r *route) requestClasses(m *matchers, rc *envoy.RouteConfig, vi int) {
	bases := r.chainClasses()
	var steps []rules.Step
	var atoms []*rules.Atom
	var choices []*rules.Choice
	if len(rc.VirtualHosts) > 1 || len(r.vh.Domains) != 1 || r.vh.Domains[0] != "*" {
		a := m.hostAtoms(rc)[vi]
		atoms = append(atoms, a)
		steps = append(steps, rules.Step{What: fmt.Sprintf("the virtual host %s (line %d)", name(r.vh.Name, vi), r.vh.Range.Start.Line),
			Cond: func(q rules.Request) (rules.Holds, []string) { return rules.AtomHolds(q, a), nil }})
	}
	switch mode := envoy.Enum(r.vh.RequireTLS); mode {
	case "ALL", "EXTERNAL_ONLY":
		what := fmt.Sprintf("`require_tls: %s` (line %d)", mode, r.vh.RequireTLS.Line().Start.Line)
		steps = append(steps, rules.Step{Away: true, What: what, Cond: func(q rules.Request) (rules.Holds, []string) {
			if q.Class.Transport == rules.TransportTLS {
				return rules.HoldsNo, nil
			}
			if mode == "EXTERNAL_ONLY" {
				return rules.HoldsMaybe, []string{"Envoy takes the client for an internal one (an internal address, x-envoy-internal)"}
			}
			return rules.HoldsYes, nil
		}})
	}
	for _, other := range r.vh.Routes {
		rm := m.of(other)
		atoms = append(atoms, rm.atoms...)
		choices = append(choices, rm.choices...)
		what := fmt.Sprintf("the route at line %d (%s", other.Range.Start.Line, other.Match)
		if other.Terminal != "" {
			what += ", " + other.Terminal
		}
		what += ")"
		steps = append(steps, rules.Step{Away: other != r.rt, What: what, Cond: rm.holds})
		if other == r.rt {
			break
		}
	}
	r.Classes = rules.ListenerAlone(r.Route, rules.FollowSteps(bases, steps, unique(atoms), unique(choices), regionLimit))
}

func unique[T comparable](xs []T) []T {
	var out []T
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// chainClasses are the classes the route's filter chain admits: its
// listener's, with the server name and client addresses that select the
// chain, and without those another chain of the listener takes.
func (r *route) chainClasses() []rules.RequestClass {
	cs := rules.ListenerClasses(r.Route)
	var sni, source []string
	for _, s := range r.chain.ServerNames {
		sni = append(sni, s.Text())
	}
	var othersSNI []string
	for _, c := range r.listener.Chains {
		if c == r.chain || c.TLS == nil || len(sni) > 0 {
			continue
		}
		for _, s := range c.ServerNames {
			othersSNI = append(othersSNI, s.Text())
		}
	}
	source = r.chain.SourcePrefixRanges
	for i := range cs {
		c := &cs[i]
		if c.Transport == rules.TransportTLS && len(sni) > 0 {
			c.SNI = strings.Replace(sni[0], "*", "www", 1)
			c.Witness.SNI = c.SNI
		}
		if c.Transport == rules.TransportTLS && len(othersSNI) > 0 {
			c.Where = append(c.Where, "SNI not "+strings.Join(othersSNI, " or "))
		}
		if len(source) > 0 {
			c.Source = strings.Join(source, " or ")
			c.Witness.Source = strings.Split(source[0], "/")[0]
		}
	}
	return cs
}
