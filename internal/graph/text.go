package graph

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/rules"
)

// textWidth caps a label line in Mermaid and DOT, whose layouts wrap or
// widen boxes themselves.
const textWidth = 60

// nodeLines is a node's label with its marks, each line capped.
func nodeLines(n *Node, p *paint, width int) (label, marks []string) {
	for _, l := range n.Label {
		label = append(label, truncate(l, width))
	}
	for _, l := range p.markLines(n.ID) {
		marks = append(marks, truncate(l, width))
	}
	return label, marks
}

// edgeLabel is an edge's label for Mermaid and DOT: the requests that
// travel it, or how a link was made when it was not by address.
func edgeLabel(e *Edge) []string {
	out := append([]string(nil), e.Label...)
	if e.Link != "" && e.Link != "address" {
		out = append(out, "linked by "+e.Link)
	}
	return out
}

// shortIDs numbers the nodes for formats whose IDs must be plain words.
func shortIDs(g *Graph) map[string]string {
	ids := make(map[string]string, len(g.Nodes))
	for i, n := range g.Nodes {
		ids[n.ID] = "n" + strconv.Itoa(i)
	}
	return ids
}

// mermaidShapes open and close a node's label, by kind.
var mermaidShapes = [numKinds][2]string{
	{"([", "])"}, {"[", "]"}, {"[", "]"}, {"[[", "]]"}, {"(", ")"}, {"(", ")"}, {"{{", "}}"},
}

// mermaidText escapes a label for a quoted Mermaid string with HTML's named
// entities, which Mermaid's HTML labels show as the characters. Mermaid's
// own codes ("#quot;") are not used: Mermaid 11 leaves them undecoded in
// some labels, and it takes any "#word;" in a label for one, so "#" is
// written "&num;".
func mermaidText(s string) string {
	return strings.NewReplacer("&", "&amp;", "\"", "&quot;", "<", "&lt;", ">", "&gt;", "#", "&num;", "|", "&vert;", "`", "&grave;").Replace(s)
}

// Mermaid writes the graph as a Mermaid flowchart (left to right), which
// GitHub renders in Markdown: nodes and routes with a finding in the
// severity's colour, the finding's code and header written on them.
func Mermaid(w io.Writer, g *Graph) error {
	p := paintOf(g)
	ids := shortIDs(g)
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	if len(g.Nodes) == 0 {
		b.WriteString("  empty([\"no routes and no apps\"])\n")
	}
	for _, n := range g.Nodes {
		label, marks := nodeLines(n, p, textWidth)
		var parts []string
		for _, l := range label {
			parts = append(parts, mermaidText(l))
		}
		for _, l := range marks {
			parts = append(parts, "<b>"+mermaidText(l)+"</b>")
		}
		sh := mermaidShapes[n.Kind]
		fmt.Fprintf(&b, "  %s%s\"%s\"%s\n", ids[n.ID], sh[0], strings.Join(parts, "<br/>"), sh[1])
	}
	for _, e := range g.Edges {
		arrow := "-->"
		if e.Link == "guess" {
			arrow = "-.->"
		}
		if l := edgeLabel(e); len(l) > 0 {
			var parts []string
			for _, x := range l {
				parts = append(parts, mermaidText(truncate(x, textWidth)))
			}
			fmt.Fprintf(&b, "  %s %s|\"%s\"| %s\n", ids[e.From], arrow, strings.Join(parts, "<br/>"), ids[e.To])
		} else {
			fmt.Fprintf(&b, "  %s %s %s\n", ids[e.From], arrow, ids[e.To])
		}
	}
	// Colours: one class per severity present, and the edges by index.
	bySev := map[rules.Severity][]string{}
	for _, n := range g.Nodes {
		if s := p.severity(n.ID); s > 0 {
			bySev[s] = append(bySev[s], ids[n.ID])
		}
	}
	edgesBySev := map[rules.Severity][]string{}
	for i, s := range p.edgeSev {
		if s > 0 {
			edgesBySev[s] = append(edgesBySev[s], strconv.Itoa(i))
		}
	}
	for _, s := range severitiesDesc(bySev, edgesBySev) {
		if len(bySev[s]) > 0 {
			fmt.Fprintf(&b, "  classDef %s fill:%s,stroke:%s,stroke-width:3px,color:%s\n", s, tint(s), Color(s), textColor)
			fmt.Fprintf(&b, "  class %s %s\n", strings.Join(bySev[s], ","), s)
		}
		if len(edgesBySev[s]) > 0 {
			fmt.Fprintf(&b, "  linkStyle %s stroke:%s,stroke-width:3px\n", strings.Join(edgesBySev[s], ","), Color(s))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func severitiesDesc(ms ...map[rules.Severity][]string) []rules.Severity {
	set := map[rules.Severity]bool{}
	for _, m := range ms {
		for s := range m {
			set[s] = true
		}
	}
	var out []rules.Severity
	for s := range set {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] > out[j] })
	return out
}

// dotText quotes a string for DOT.
func dotText(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

const fontFamily = "DejaVu Sans Mono, Menlo, Consolas, monospace"

// DOT writes the graph for Graphviz: one rank per kind of node, left to
// right; marked nodes and edges in the severity's colour; file:line as
// each node's tooltip and, with Options.Link, its URL.
func DOT(w io.Writer, g *Graph, opt Options) error {
	p := paintOf(g)
	ids := shortIDs(g)
	var b strings.Builder
	b.WriteString("digraph deployment {\n")
	fmt.Fprintf(&b, "  graph [rankdir=LR, nodesep=0.2, ranksep=0.6, fontname=%s];\n", dotText(fontFamily))
	fmt.Fprintf(&b, "  node [shape=box, style=\"rounded,filled\", color=%s, fontname=%s, fontsize=10];\n", dotText(plainStroke), dotText(fontFamily))
	fmt.Fprintf(&b, "  edge [color=%s, fontname=%s, fontsize=9];\n", dotText(plainEdge), dotText(fontFamily))
	byKind := map[Kind][]string{}
	for _, n := range g.Nodes {
		byKind[n.Kind] = append(byKind[n.Kind], ids[n.ID])
	}
	for k := Kind(0); k < numKinds; k++ {
		if len(byKind[k]) > 0 {
			fmt.Fprintf(&b, "  { rank=same; %s; }  // %s\n", strings.Join(byKind[k], "; "), kindTitles[k])
		}
	}
	for _, n := range g.Nodes {
		label, marks := nodeLines(n, p, textWidth)
		attrs := []string{"label=" + dotText(strings.Join(append(label, marks...), "\n"))}
		if s := p.severity(n.ID); s > 0 {
			attrs = append(attrs, "fillcolor="+dotText(tint(s)), "color="+dotText(Color(s)), "penwidth=2.5")
		} else {
			attrs = append(attrs, "fillcolor="+dotText(kindFill[n.Kind]))
		}
		attrs = append(attrs, "tooltip="+dotText(tooltip(n)))
		if opt.Link != nil && len(n.Locs) > 0 {
			attrs = append(attrs, "URL="+dotText(opt.Link(n.Locs[0])))
		}
		fmt.Fprintf(&b, "  %s [%s];\n", ids[n.ID], strings.Join(attrs, ", "))
	}
	for i, e := range g.Edges {
		var attrs []string
		if l := edgeLabel(e); len(l) > 0 {
			var parts []string
			for _, x := range l {
				parts = append(parts, truncate(x, textWidth))
			}
			attrs = append(attrs, "label="+dotText(strings.Join(parts, "\n")))
		}
		if s := p.edgeSev[i]; s > 0 {
			attrs = append(attrs, "color="+dotText(Color(s)), "penwidth=2.5")
		}
		if e.Link == "guess" {
			attrs = append(attrs, "style=dashed")
		}
		if len(attrs) > 0 {
			fmt.Fprintf(&b, "  %s -> %s [%s];\n", ids[e.From], ids[e.To], strings.Join(attrs, ", "))
		} else {
			fmt.Fprintf(&b, "  %s -> %s;\n", ids[e.From], ids[e.To])
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
