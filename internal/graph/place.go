package graph

import (
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Finding is what the graph needs to know of a finding: its rule, its
// severity and what it is about (the key and the locations).
type Finding struct {
	Code     string
	Severity rules.Severity
	Key      rules.Key
	Range    source.Range
	Related  []source.Range
}

// FromDiagnostic is the one adapter from what the engine reports to the
// graph: a finding's code, severity, key and locations.
func FromDiagnostic(d rules.Finding) Finding {
	f := Finding{Code: d.Code, Severity: d.Severity, Key: d.Key, Range: d.Range}
	for _, r := range d.Related {
		f.Related = append(f.Related, r.Range)
	}
	return f
}

// FromDiagnostics converts the unsuppressed findings.
func FromDiagnostics(ds []rules.Finding) []Finding {
	var out []Finding
	for _, d := range ds {
		if d.Suppression == nil {
			out = append(out, FromDiagnostic(d))
		}
	}
	return out
}

// Header is the header a finding's key names, as usually written; empty
// when the key names none.
func (f Finding) Header() string {
	if h := f.Key.Header(); h != "" {
		return rules.DisplayHeader(h)
	}
	return ""
}

// Place is where a finding sits on the graph: the routes it is about and
// other nodes it points at (the app server whose port clients reach, the
// line of app code that trusts a header).
type Place struct {
	Routes []string `json:"routes,omitempty"` // the model's route IDs
	Nodes  []string `json:"nodes,omitempty"`  // node IDs, not routes
}

// Empty reports whether the finding touches nothing on the graph.
func (p Place) Empty() bool { return len(p.Routes) == 0 && len(p.Nodes) == 0 }

// Key is a string that identifies the place.
func (p Place) Key() string {
	return strings.Join(p.Routes, "\n") + "\x00" + strings.Join(p.Nodes, "\n")
}

// Anchor is a short name for the place that HTML and SVG use as an element
// ID: a link to "#" + prefix + Anchor() highlights the place.
func (p Place) Anchor() string {
	h := fnv.New64a()
	h.Write([]byte(p.Key()))
	return fmt.Sprintf("p%016x", h.Sum64())
}

func (p Place) within(routes, nodes map[string]bool) bool {
	for _, r := range p.Routes {
		if routes[r] {
			return true
		}
	}
	for _, n := range p.Nodes {
		if nodes[n] {
			return true
		}
	}
	return false
}

// at identifies a location by file and start offset.
type at struct {
	file   string
	offset int
}

func atOf(r source.Range) (at, bool) {
	return at{r.File, r.Start.Offset}, r.IsValid()
}

// Index finds the places of findings in a model's graph.
type Index struct {
	routes map[string]bool // the model's route IDs
	// routeAt: the ranges that open a route (its location or frontend
	// line); sharedAt: ranges that several routes share (a header
	// directive a location inherits, a verify or underscore directive, a
	// server block, a listen line, a proxy_pass).
	routeAt, sharedAt map[at][]string
	// nodeAt: ranges of nodes that are not routes (trust sites, binds,
	// published ports, settings modules).
	nodeAt  map[at][]string
	trustAt map[at]string // the header a trust site trusts
}

// NewIndex indexes a model's ranges.
func NewIndex(m *rules.Model) *Index {
	ix := &Index{routes: map[string]bool{}, routeAt: map[at][]string{}, sharedAt: map[at][]string{}, nodeAt: map[at][]string{}, trustAt: map[at]string{}}
	add := func(to map[at][]string, r source.Range, id string) {
		if a, ok := atOf(r); ok && !slices.Contains(to[a], id) {
			to[a] = append(to[a], id)
		}
	}
	for _, r := range m.Routes {
		ix.routes[r.ID] = true
		add(ix.routeAt, r.Range, r.ID)
		for _, h := range r.Headers {
			add(ix.sharedAt, h.Range, r.ID)
		}
		add(ix.sharedAt, r.Listener.VerifyRange, r.ID)
		add(ix.sharedAt, r.Listener.Range, r.ID)
		add(ix.sharedAt, r.UnderscoreRange, r.ID)
		add(ix.sharedAt, r.Block, r.ID)
		add(ix.sharedAt, r.Upstream.Range, r.ID)
	}
	for _, a := range m.Apps {
		add(ix.nodeAt, a.Range, "app:"+a.ID)
		for _, t := range a.Trusts {
			id := trustID(a, t)
			add(ix.nodeAt, t.Range, id)
			if k, ok := atOf(t.Range); ok {
				ix.trustAt[k] = rules.DisplayHeader(t.Header)
			}
		}
		for _, b := range a.Binds {
			add(ix.nodeAt, b.Range, "server:"+a.ID)
			for _, d := range directEntries(m, a, b) {
				add(ix.nodeAt, d.at, directID(a, d))
				add(ix.nodeAt, d.at, "server:"+a.ID)
			}
		}
	}
	return ix
}

// Locate returns the place of a finding. This is the one association of
// findings with routes: the route its key names, the route's own line
// among the finding's locations, else a line that several routes share (a
// header directive they inherit, the verify directive of their listener).
func (ix *Index) Locate(f Finding) Place {
	var p Place
	if id := f.Key.Route(); id != "" && ix.routes[id] {
		p.Routes = append(p.Routes, id)
	}
	ranges := append([]source.Range{f.Range}, f.Related...)
	for _, r := range ranges {
		if a, ok := atOf(r); ok {
			p.Routes = appendNew(p.Routes, ix.routeAt[a]...)
		}
	}
	if len(p.Routes) == 0 {
		for _, r := range ranges {
			if a, ok := atOf(r); ok {
				p.Routes = appendNew(p.Routes, ix.sharedAt[a]...)
			}
		}
	}
	for _, r := range ranges {
		if a, ok := atOf(r); ok {
			p.Nodes = appendNew(p.Nodes, ix.nodeAt[a]...)
		}
	}
	sort.Strings(p.Routes)
	sort.Strings(p.Nodes)
	return p
}

// trustHeader is the header of the one trust site among a finding's
// locations, or "" when there is none or several.
func (ix *Index) trustHeader(f Finding) string {
	h := ""
	for _, r := range append([]source.Range{f.Range}, f.Related...) {
		a, _ := atOf(r)
		if t, ok := ix.trustAt[a]; ok {
			if h != "" && h != t {
				return ""
			}
			h = t
		}
	}
	return h
}

func appendNew(list []string, xs ...string) []string {
	for _, x := range xs {
		if !slices.Contains(list, x) {
			list = append(list, x)
		}
	}
	return list
}
