package graph

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mtlslint/mtlslint/rules"
)

// Colours of the severities, shared with the audit report's charts.
var severityColors = map[rules.Severity]string{
	rules.Critical: "#6a1b9a",
	rules.High:     "#c62828",
	rules.Medium:   "#ef6c00",
	rules.Low:      "#f9a825",
	rules.Info:     "#1565c0",
}

// Light tints of the same colours, for the boxes of marked nodes.
var severityTints = map[rules.Severity]string{
	rules.Critical: "#f3e5f5",
	rules.High:     "#ffebee",
	rules.Medium:   "#fff3e0",
	rules.Low:      "#fffde7",
	rules.Info:     "#e3f2fd",
}

// Color is the colour of a severity.
func Color(s rules.Severity) string {
	if c, ok := severityColors[s]; ok {
		return c
	}
	return severityColors[rules.Info]
}

func tint(s rules.Severity) string {
	if c, ok := severityTints[s]; ok {
		return c
	}
	return severityTints[rules.Info]
}

// Plain colours: nodes and edges without a finding.
const (
	plainStroke = "#8a8f98"
	plainEdge   = "#a5abb3"
	textColor   = "#1f2328"
)

var kindFill = [numKinds]string{"#eaf2fb", "#f2f3f5", "#ffffff", "#f2f3f5", "#eaf5ea", "#eaf5ea", "#fff8e1"}

// paint says which marks each node and edge carries.
type paint struct {
	nodeMarks map[string][]Mark
	edgeSev   []rules.Severity // by index in Graph.Edges; 0: plain
	// places: the distinct places of the marks, each with the edges and
	// nodes that show it.
	places []placeShape
}

// placeShape is what highlighting a place shows.
type placeShape struct {
	place Place
	edges []int
	nodes []string
}

func paintOf(g *Graph) *paint {
	p := &paint{nodeMarks: map[string][]Mark{}, edgeSev: make([]rules.Severity, len(g.Edges))}
	seen := map[string]int{}
	for _, m := range g.Marks {
		routes := map[string]bool{}
		for _, r := range m.Place.Routes {
			routes[r] = true
			p.nodeMarks[RouteNodeID(r)] = append(p.nodeMarks[RouteNodeID(r)], m)
		}
		for _, n := range m.Place.Nodes {
			p.nodeMarks[n] = append(p.nodeMarks[n], m)
		}
		shape := placeShape{place: m.Place}
		on := map[string]bool{}
		for _, n := range m.Place.Nodes {
			on[n] = true
		}
		for i, e := range g.Edges {
			for _, r := range e.Routes {
				if routes[r] {
					shape.edges = append(shape.edges, i)
					on[e.From], on[e.To] = true, true
					break
				}
			}
		}
		for i, e := range g.Edges {
			if len(e.Routes) == 0 && on[e.From] && on[e.To] {
				shape.edges = append(shape.edges, i)
			}
		}
		for _, i := range shape.edges {
			p.edgeSev[i] = max(p.edgeSev[i], m.Severity)
		}
		for _, n := range g.Nodes {
			if on[n.ID] {
				shape.nodes = append(shape.nodes, n.ID)
			}
		}
		if _, ok := seen[m.Place.Key()]; !ok {
			seen[m.Place.Key()] = len(p.places)
			p.places = append(p.places, shape)
		}
	}
	return p
}

// severity is the worst severity of a node's marks (0: none).
func (p *paint) severity(id string) rules.Severity {
	var s rules.Severity
	for _, m := range p.nodeMarks[id] {
		s = max(s, m.Severity)
	}
	return s
}

// maxMarkLines caps the findings written on one node.
const maxMarkLines = 3

// markLines are the lines a node's marks add to its label: each distinct
// "code header" once, worst first (the marks are sorted so).
func (p *paint) markLines(id string) []string {
	var out []string
	for _, m := range p.nodeMarks[id] {
		if t := m.Text(); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) > maxMarkLines {
		n := len(out) - (maxMarkLines - 1)
		out = append(out[:maxMarkLines-1], "+"+strconv.Itoa(n)+" more")
	}
	return out
}

// truncate makes s printable and cuts it to at most n characters, with
// an ellipsis. Every line of text the formats draw passes here: names
// from the configuration may hold line breaks (which would end a Mermaid
// or DOT statement and start one of the file's choosing), terminal
// escapes and bidirectional controls.
func truncate(s string, n int) string {
	s = rules.Printable(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}

// Options control the written formats.
type Options struct {
	// Link returns the URL a node links to; nil means no links.
	Link func(Loc) string
	// IDPrefix is put before every element ID of the SVG, so that several
	// graphs can share one HTML page.
	IDPrefix string
	// Inline: the SVG goes inside an HTML page, whose parser knows SVG
	// elements, so no XML namespace is declared.
	Inline bool
}

// RelativeLink links a location as a path with a GitHub-style line
// fragment, relative to the directory the graph was drawn from
// ("nginx.conf#L21"); prefix is put before it (a repository's blob URL).
// Each segment of the path is escaped: a file name is the repository's
// choice, and "#", "?" or a first segment such as "javascript:alert(1)"
// would otherwise make the link go elsewhere or run a script.
func RelativeLink(prefix string) func(Loc) string {
	return func(l Loc) string { return prefix + escapePath(l.File) + "#L" + strconv.Itoa(l.Line) }
}

// escapePath escapes each segment of a slash-separated path for a URL,
// ":" included, so that no segment reads as a scheme.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
	}
	return strings.Join(segs, "/")
}

// tooltip is a node's title: its full label and where it is configured,
// a line each, every line printable.
func tooltip(n *Node) string {
	lines := make([]string, 0, len(n.Label)+len(n.Locs))
	for _, l := range n.Label {
		lines = append(lines, rules.Printable(l))
	}
	for _, l := range n.Locs {
		lines = append(lines, rules.Printable(l.String()))
	}
	return strings.Join(lines, "\n")
}
