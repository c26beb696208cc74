// Package graph draws the deployment model as a picture: every route from
// a listener through the server block, the location or backend and the
// upstream to the app server, the app and the lines of app code that trust
// a header, with the findings on it. Build turns a rules.Model and the
// findings into a neutral Graph (nodes with their file:line, edges with
// the requests that travel them, marks for the findings); Mermaid, DOT and
// SVG write it. The SVG is laid out here (layered, left to right), so that
// no Graphviz is needed.
package graph

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Version is the version of the Graph's JSON form (the audit records
// carry it). New fields may appear within a version.
const Version = 1

// Kind is what a node stands for. Kinds are the columns of the picture,
// left to right, in the order declared.
type Kind int

const (
	// KindEntry is where requests come in: a proxy listener, or an app
	// server's port that clients can reach without the proxy.
	KindEntry Kind = iota
	// KindBlock is the block a route belongs to: an nginx server, an
	// HAProxy frontend.
	KindBlock
	// KindRoute is one route: an nginx location, an HAProxy backend
	// choice, an Ingress path, an ALB rule.
	KindRoute
	// KindUpstream is where the proxy sends the route's requests.
	KindUpstream
	// KindServer is an app server (gunicorn, uWSGI, ...) with its binds.
	KindServer
	// KindApp is an application (a Django settings module).
	KindApp
	// KindTrust is a place where the app trusts a request header.
	KindTrust
	numKinds
)

var kindNames = [numKinds]string{"entry", "block", "route", "upstream", "server", "app", "trust"}

// kindTitles head the columns of the picture.
var kindTitles = [numKinds]string{"listeners", "server / frontend", "routes", "upstreams", "app servers", "apps", "trusted headers"}

func (k Kind) String() string {
	if k >= 0 && k < numKinds {
		return kindNames[k]
	}
	return "unknown"
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind's name.
func (k *Kind) UnmarshalText(b []byte) error {
	for i, n := range kindNames {
		if n == string(b) {
			*k = Kind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown node kind %q", b)
}

// Loc is a place in a file, for tooltips and links.
type Loc struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

func (l Loc) String() string { return fmt.Sprintf("%s:%d", l.File, l.Line) }

func locOf(r source.Range) (Loc, bool) {
	if !r.IsValid() {
		return Loc{}, false
	}
	return Loc{File: r.File, Line: r.Start.Line}, true
}

// Node is one box of the picture.
type Node struct {
	// ID is stable across runs: the kind and what the node stands for
	// ("route:" and the model's route ID, "app:" and the app's ID, ...).
	ID    string   `json:"id"`
	Kind  Kind     `json:"kind"`
	Label []string `json:"label"` // lines; the first names the node
	// Locs are where the node is configured, first the main one.
	Locs []Loc `json:"locs,omitempty"`
	// Route is the model's route ID of a KindRoute node.
	Route string `json:"route,omitempty"`
}

// Edge connects two nodes.
type Edge struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Label lists the requests that travel the edge, one line each (see
	// Classes); empty on edges that only say what is inside what.
	Label []string `json:"label,omitempty"`
	// Routes are the IDs of the routes whose requests travel the edge.
	Routes []string `json:"routes,omitempty"`
	// Link says how an upstream was linked to an app server: "address",
	// "workload", "topology" or "guess" (nothing in the repository links
	// them; every proxy is taken to front every app).
	Link string `json:"link,omitempty"`
}

// Mark is a finding on the graph.
type Mark struct {
	Code     string         `json:"code"`
	Severity rules.Severity `json:"severity"`
	// Header is the header the finding is about, as usually written
	// ("X-SSL-Client-Verify"); empty when it names none.
	Header string `json:"header,omitempty"`
	Place  Place  `json:"place"`
}

// Text is how a mark is written on the picture: "X001 X-SSL-Client-DN".
func (m Mark) Text() string {
	if m.Header == "" {
		return m.Code
	}
	return m.Code + " " + m.Header
}

// Graph is the deployment as a graph.
type Graph struct {
	Version int     `json:"version"`
	Nodes   []*Node `json:"nodes"`
	Edges   []*Edge `json:"edges"`
	Marks   []Mark  `json:"marks,omitempty"`
	// Omitted counts the routes left out (Only): the picture says so.
	Omitted int `json:"omitted,omitempty"`
}

// Routes counts the graph's routes.
func (g *Graph) Routes() int {
	n := 0
	for _, nd := range g.Nodes {
		if nd.Kind == KindRoute {
			n++
		}
	}
	return n
}

// RouteNodeID is the ID of the node of a route.
func RouteNodeID(routeID string) string { return "route:" + routeID }

// builder collects nodes and edges without duplicates.
type builder struct {
	g     *Graph
	nodes map[string]*Node
	edges map[[2]string]*Edge
}

func (b *builder) node(id string, k Kind, label []string, at ...source.Range) *Node {
	n := b.nodes[id]
	if n == nil {
		n = &Node{ID: id, Kind: k, Label: label}
		b.nodes[id] = n
		b.g.Nodes = append(b.g.Nodes, n)
	}
	for _, r := range at {
		if l, ok := locOf(r); ok && !slices.Contains(n.Locs, l) {
			n.Locs = append(n.Locs, l)
		}
	}
	return n
}

// edge adds (or extends) the edge from → to, travelled by route (if not
// empty).
func (b *builder) edge(from, to *Node, route string, label []string) *Edge {
	k := [2]string{from.ID, to.ID}
	e := b.edges[k]
	if e == nil {
		e = &Edge{From: from.ID, To: to.ID}
		b.edges[k] = e
		b.g.Edges = append(b.g.Edges, e)
	}
	if route != "" && !slices.Contains(e.Routes, route) {
		e.Routes = append(e.Routes, route)
	}
	for _, l := range label {
		if !slices.Contains(e.Label, l) {
			e.Label = append(e.Label, l)
		}
	}
	return e
}

// Build makes the graph of a deployment model with the findings on it.
// Findings that touch no node of the graph (a Django setting, a parse
// error) are left out: the picture is about routes.
func Build(m *rules.Model, findings []Finding) *Graph {
	g := &Graph{Version: Version, Nodes: []*Node{}, Edges: []*Edge{}}
	if m == nil {
		return g
	}
	b := &builder{g: g, nodes: map[string]*Node{}, edges: map[[2]string]*Edge{}}
	routes := append([]*rules.Route(nil), m.Routes...)
	rules.SortRoutes(routes)
	upstreamOf := map[*rules.Route]*Node{}
	for _, r := range routes {
		l := r.Listener
		// A route on several sockets (IPv4 and IPv6) is one route with an
		// entry for each.
		entries := []*Node{b.node(listenerID(r, l.Endpoint), KindEntry, listenerLabel(r, l.Endpoint), l.Range)}
		for _, a := range l.Also {
			entries = append(entries, b.node(listenerID(r, a.Endpoint), KindEntry, listenerLabel(r, a.Endpoint), a.Range))
		}
		rn := b.node(RouteNodeID(r.ID), KindRoute, routeTitle(r), r.Range)
		rn.Route = r.ID
		if r.Block.IsValid() {
			block := b.node("block:"+r.Block.File+":"+fmt.Sprint(r.Block.Start.Offset), KindBlock, []string{blockTitle(r)}, r.Block)
			for _, entry := range entries {
				b.edge(entry, block, r.ID, nil)
			}
			b.edge(block, rn, r.ID, Classes(r))
		} else {
			for _, entry := range entries {
				b.edge(entry, rn, r.ID, Classes(r))
			}
		}
		up := b.node(upstreamID(r), KindUpstream, upstreamLabel(r.Upstream), r.Upstream.Range)
		b.edge(rn, up, r.ID, nil)
		upstreamOf[r] = up
	}
	apps := append([]*rules.App(nil), m.Apps...)
	sort.Slice(apps, func(i, j int) bool { return apps[i].ID < apps[j].ID })
	serverOf := map[*rules.App]*Node{}
	appOf := map[*rules.App]*Node{}
	for _, a := range apps {
		var at []source.Range
		for _, bd := range a.Binds {
			at = append(at, bd.Range)
		}
		srv := b.node("server:"+a.ID, KindServer, serverLabel(a), at...)
		serverOf[a] = srv
		an := b.node("app:"+a.ID, KindApp, []string{a.ID}, a.Range)
		appOf[a] = an
		b.edge(srv, an, "", nil)
		for _, bd := range a.Binds {
			for _, d := range directEntries(m, a, bd) {
				dn := b.node(directID(a, d), KindEntry, d.label, d.at)
				b.edge(dn, srv, "", []string{d.class})
			}
		}
		for _, t := range a.Trusts {
			tn := b.node(trustID(a, t), KindTrust, trustLabel(t), t.Range)
			b.edge(an, tn, "", nil)
		}
	}
	links := append([]rules.Link(nil), m.Links...)
	sort.SliceStable(links, func(i, j int) bool {
		if links[i].Route.ID != links[j].Route.ID {
			return links[i].Route.ID < links[j].Route.ID
		}
		return links[i].App.ID < links[j].App.ID
	})
	for _, l := range links {
		up, srv := upstreamOf[l.Route], serverOf[l.App]
		if up == nil || srv == nil {
			continue
		}
		e := b.edge(up, srv, l.Route.ID, nil)
		if e.Link == "" || l.How == "guess" {
			// One guessed link makes the edge a guess.
			e.Link = l.How
		}
		b.edge(srv, appOf[l.App], l.Route.ID, nil)
	}
	for _, e := range g.Edges {
		sort.Strings(e.Routes)
	}
	sort.SliceStable(g.Nodes, func(i, j int) bool {
		if g.Nodes[i].Kind != g.Nodes[j].Kind {
			return g.Nodes[i].Kind < g.Nodes[j].Kind
		}
		return g.Nodes[i].ID < g.Nodes[j].ID
	})
	at := make(map[string]int, len(g.Nodes))
	for i, n := range g.Nodes {
		at[n.ID] = i
	}
	sort.SliceStable(g.Edges, func(i, j int) bool {
		a, b := g.Edges[i], g.Edges[j]
		if at[a.From] != at[b.From] {
			return at[a.From] < at[b.From]
		}
		return at[a.To] < at[b.To]
	})
	if len(findings) > 0 {
		ix := NewIndex(m)
		for _, f := range findings {
			p := ix.Locate(f)
			if p.Empty() {
				continue
			}
			header := f.Header()
			if header == "" {
				header = ix.trustHeader(f)
			}
			g.Marks = append(g.Marks, Mark{Code: f.Code, Severity: f.Severity, Header: header, Place: p})
		}
		sortMarks(g.Marks)
	}
	return g
}

func sortMarks(ms []Mark) {
	sort.SliceStable(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		if a.Header != b.Header {
			return a.Header < b.Header
		}
		return a.Place.Key() < b.Place.Key()
	})
}

func listenerID(r *rules.Route, ep rules.Endpoint) string {
	tls := "plain"
	if r.Listener.TLS {
		tls = "tls"
	}
	return "listener:" + r.Proxy + "|" + r.Listener.Range.File + "|" + ep.String() + "|" + tls
}

func upstreamID(r *rules.Route) string {
	var servers []string
	for _, s := range r.Upstream.Servers {
		servers = append(servers, s.String())
	}
	return "upstream:" + r.Proxy + "|" + r.Upstream.Name + "|" + strings.Join(servers, ",")
}

// trustID names a trust site by what it trusts: the same header compared
// the same way by the same mechanism is one node, however many lines say
// so (gunicorn's default secure_scheme_headers, once per configuration).
func trustID(a *rules.App, t rules.Trust) string {
	return fmt.Sprintf("trust:%s|%s|%s|%q|%s", a.ID, rules.HeaderName(t.Header), t.Check(), t.Value, t.Source)
}

func directID(a *rules.App, d direct) string {
	return fmt.Sprintf("direct:%s|%s:%d", a.ID, d.at.File, d.at.Start.Offset)
}

// Only returns the part of the graph that the given routes and nodes
// travel, with the marks on it: what a pull request summary or an editor
// shows for a few findings. Omitted counts the routes left out.
func (g *Graph) Only(routes, nodes []string) *Graph {
	keepRoute := map[string]bool{}
	for _, r := range routes {
		keepRoute[r] = true
	}
	keep := map[string]bool{}
	for _, n := range nodes {
		keep[n] = true
	}
	out := &Graph{Version: g.Version, Nodes: []*Node{}, Edges: []*Edge{}}
	var edges []*Edge
	for _, e := range g.Edges {
		var rs []string
		for _, r := range e.Routes {
			if keepRoute[r] {
				rs = append(rs, r)
			}
		}
		if len(rs) > 0 {
			c := *e
			c.Routes = rs
			edges = append(edges, &c)
			keep[e.From], keep[e.To] = true, true
		}
	}
	// Edges that no route travels (app → trust, a direct entry → its app
	// server) stay when they touch a kept app or app server and the other
	// end was asked for.
	asked := map[string]bool{}
	for _, n := range nodes {
		asked[n] = true
	}
	for _, e := range g.Edges {
		if len(e.Routes) == 0 && ((keep[e.From] && asked[e.To]) || (asked[e.From] && keep[e.To]) || (asked[e.From] && asked[e.To])) {
			c := *e
			edges = append(edges, &c)
			keep[e.From], keep[e.To] = true, true
		}
	}
	for _, n := range g.Nodes {
		if keep[n.ID] {
			out.Nodes = append(out.Nodes, n)
		}
	}
	// Keep the edge order of g.
	order := map[[2]string]int{}
	for i, e := range g.Edges {
		order[[2]string{e.From, e.To}] = i
	}
	sort.SliceStable(edges, func(i, j int) bool {
		return order[[2]string{edges[i].From, edges[i].To}] < order[[2]string{edges[j].From, edges[j].To}]
	})
	out.Edges = edges
	for _, m := range g.Marks {
		if m.Place.within(keepRoute, keep) {
			out.Marks = append(out.Marks, m)
		}
	}
	out.Omitted = g.Routes() - out.Routes() + g.Omitted
	return out
}

// MarkedRoutes lists the routes and other nodes that carry a mark.
func (g *Graph) MarkedRoutes() (routes, nodes []string) {
	rs, ns := map[string]bool{}, map[string]bool{}
	for _, m := range g.Marks {
		for _, r := range m.Place.Routes {
			rs[r] = true
		}
		for _, n := range m.Place.Nodes {
			ns[n] = true
		}
	}
	return sortedKeys(rs), sortedKeys(ns)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// jsonEdge is an edge as the JSON form writes it: its ends and routes as
// indexes into the nodes (a route by its node), which keeps a graph's
// record a third of the size with IDs.
type jsonEdge struct {
	From   int      `json:"from"`
	To     int      `json:"to"`
	Label  []string `json:"label,omitempty"`
	Routes []int    `json:"routes,omitempty"`
	Link   string   `json:"link,omitempty"`
}

type jsonGraph struct {
	Version int        `json:"version"`
	Nodes   []*Node    `json:"nodes"`
	Edges   []jsonEdge `json:"edges"`
	Marks   []Mark     `json:"marks,omitempty"`
	Omitted int        `json:"omitted,omitempty"`
}

// MarshalJSON writes the graph with edges by node index.
func (g *Graph) MarshalJSON() ([]byte, error) {
	at := make(map[string]int, len(g.Nodes))
	routeAt := map[string]int{}
	for i, n := range g.Nodes {
		at[n.ID] = i
		if n.Route != "" {
			routeAt[n.Route] = i
		}
	}
	j := jsonGraph{Version: g.Version, Nodes: g.Nodes, Edges: make([]jsonEdge, 0, len(g.Edges)), Marks: g.Marks, Omitted: g.Omitted}
	for _, e := range g.Edges {
		from, ok1 := at[e.From]
		to, ok2 := at[e.To]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("edge %s → %s: no such node", e.From, e.To)
		}
		je := jsonEdge{From: from, To: to, Label: e.Label, Link: e.Link}
		for _, r := range e.Routes {
			i, ok := routeAt[r]
			if !ok {
				return nil, fmt.Errorf("edge %s → %s: no node for route %s", e.From, e.To, r)
			}
			je.Routes = append(je.Routes, i)
		}
		j.Edges = append(j.Edges, je)
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes; an index that names no
// node (or no route's node) is an error.
func (g *Graph) UnmarshalJSON(b []byte) error {
	var j jsonGraph
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*g = Graph{Version: j.Version, Nodes: j.Nodes, Edges: make([]*Edge, 0, len(j.Edges)), Marks: j.Marks, Omitted: j.Omitted}
	for i, n := range g.Nodes {
		if n == nil {
			return fmt.Errorf("graph node %d is null", i)
		}
		if n.Kind < 0 || n.Kind >= numKinds {
			return fmt.Errorf("graph node %d has no kind", i)
		}
	}
	node := func(i int) (*Node, error) {
		if i < 0 || i >= len(g.Nodes) {
			return nil, fmt.Errorf("graph edge names node %d of %d", i, len(g.Nodes))
		}
		return g.Nodes[i], nil
	}
	for _, je := range j.Edges {
		from, err := node(je.From)
		if err != nil {
			return err
		}
		to, err := node(je.To)
		if err != nil {
			return err
		}
		e := &Edge{From: from.ID, To: to.ID, Label: je.Label, Link: je.Link}
		for _, r := range je.Routes {
			n, err := node(r)
			if err != nil {
				return err
			}
			if n.Route == "" {
				return fmt.Errorf("graph edge names node %d as a route", r)
			}
			e.Routes = append(e.Routes, n.Route)
		}
		g.Edges = append(g.Edges, e)
	}
	return nil
}
