package graph

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/rules"
)

// highlight is the colour of a highlighted place (a finding clicked in the
// audit report, or the fragment of the SVG's URL).
const highlight = "#ffb300"

// SVG draws the graph: columns of boxes left to right (listeners, server
// blocks, routes, upstreams, app servers, apps, trusted headers), routes
// with a finding in the severity's colour with the rule code and header
// written on the route, the others plain. Each box has its file:line as a
// tooltip and, with Options.Link, a link. Each place a finding points at
// has a hidden highlight with the ID Options.IDPrefix + Place.Anchor(),
// shown when the page's fragment names it (CSS :target, no script).
func SVG(w io.Writer, g *Graph, opt Options) error {
	p := paintOf(g)
	l := layoutOf(g, p)
	s := &svgWriter{opt: opt}
	legendH := 0.0
	if len(g.Nodes) > 0 {
		legendH = 30
	}
	width, height := max(l.width, 360), l.height+margin+legendH
	if len(g.Nodes) == 0 {
		height = 80
	}
	ns := ` xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"`
	if opt.Inline {
		ns = ""
	}
	s.f(`<svg%s class="mtlslint-graph" width="%s" height="%s" viewBox="0 0 %s %s" font-family="%s" font-size="%s" role="img">`+"\n",
		ns, num(width), num(height), num(width), num(height), fontFamily, num(fontSize))
	s.f("<title>%s</title>\n", esc(summaryLine(g)))
	s.f("<style>.hl{visibility:hidden}.hl:target{visibility:visible}a:hover rect{stroke-width:2.5}</style>\n")
	s.f(`<rect width="100%%" height="100%%" fill="#ffffff"/>` + "\n")
	if len(g.Nodes) == 0 {
		s.f(`<text x="%s" y="44" fill="%s">No routes and no apps found.</text>`+"\n</svg>\n", num(margin), textColor)
		_, err := w.Write(s.b.Bytes())
		return err
	}
	// Column headings.
	for c, k := range l.kinds {
		s.f(`<text x="%s" y="%s" fill="#57606a" font-weight="bold">%s</text>`+"\n", num(l.colX[c]), num(margin+14), esc(kindTitles[k]))
	}
	if g.Omitted > 0 {
		s.f(`<text x="%s" y="%s" fill="#57606a">%d other %s without a finding not shown</text>`+"\n", num(margin), num(margin+30), g.Omitted, plural(g.Omitted, "route"))
	}
	// Edges, then the highlights (under the boxes), then the boxes.
	s.f(`<g class="edges" fill="none">` + "\n")
	for _, r := range l.routes {
		s.edge(r, p.edgeSev[r.index])
	}
	s.f("</g>\n")
	s.f(`<g class="labels" font-size="11" fill="#57606a" stroke="#ffffff" stroke-width="3" paint-order="stroke">` + "\n")
	for i, r := range l.routes {
		s.edgeLabel(r, l.atTarget[i])
	}
	s.f("</g>\n")
	s.f(`<g class="highlights">` + "\n")
	for _, ps := range p.places {
		s.f(`<g class="hl" id="%s" visibility="hidden">`+"\n", esc(opt.IDPrefix+ps.place.Anchor()))
		for _, i := range ps.edges {
			if r, ok := l.drawn[i]; ok {
				s.f(`<path d="%s" fill="none" stroke="%s" stroke-width="10" stroke-opacity="0.55" stroke-linecap="round"/>`+"\n", edgePath(r), highlight)
			}
		}
		for _, id := range ps.nodes {
			b := l.byID[id]
			s.f(`<rect x="%s" y="%s" width="%s" height="%s" rx="9" fill="%s" fill-opacity="0.6"/>`+"\n", num(b.x-5), num(b.y-5), num(b.w+10), num(b.h+10), highlight)
		}
		s.f("</g>\n")
	}
	s.f("</g>\n")
	s.f(`<g class="nodes">` + "\n")
	for i, b := range l.boxes {
		s.node(b, i, p.severity(b.node.ID))
	}
	s.f("</g>\n")
	s.legend(g, l.height+margin)
	s.f("</svg>\n")
	_, err := w.Write(s.b.Bytes())
	return err
}

type svgWriter struct {
	b   bytes.Buffer
	opt Options
}

func (s *svgWriter) f(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// num writes a coordinate with at most one decimal.
func num(f float64) string { return strconv.FormatFloat(float64(int64(f*10+0.5))/10, 'f', -1, 64) }

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func summaryLine(g *Graph) string {
	return fmt.Sprintf("Deployment graph: %d %s, %d %s", g.Routes(), plural(g.Routes(), "route"), len(g.Marks), plural(len(g.Marks), "finding"))
}

// edgePath is the path of an edge through its boxes: straight across
// dummies, a horizontal S-curve across each gap.
func edgePath(r route) string {
	var b strings.Builder
	src := r.boxes[0]
	x, y := src.x+src.w, src.cy()
	fmt.Fprintf(&b, "M%s %s", num(x), num(y))
	if r.straightOut > 0 {
		x += r.straightOut
		fmt.Fprintf(&b, " L%s %s", num(x), num(y))
	}
	last := len(r.boxes) - 2
	for i, t := range r.boxes[1:] {
		tx, ty := t.x, t.cy()
		if i == last {
			tx -= r.straightIn
		}
		mx := (x + tx) / 2
		fmt.Fprintf(&b, " C%s %s %s %s %s %s", num(mx), num(y), num(mx), num(ty), num(tx), num(ty))
		x, y = tx, ty
		switch {
		case t.node == nil:
			x = t.x + t.w
			fmt.Fprintf(&b, " L%s %s", num(x), num(y))
		case i == last && r.straightIn > 0:
			x = t.x
			fmt.Fprintf(&b, " L%s %s", num(x), num(y))
		}
	}
	return b.String()
}

func (s *svgWriter) edge(r route, sev rules.Severity) {
	e := r.edge
	stroke, width := plainEdge, "1.3"
	if sev > 0 {
		stroke, width = Color(sev), "2.6"
	}
	s.f(`<path class="edge" d="%s" stroke="%s" stroke-width="%s" data-from="%s" data-to="%s"`, edgePath(r), stroke, width, esc(e.From), esc(e.To))
	if sev > 0 {
		s.f(` data-severity="%s"`, sev)
	}
	if e.Link == "guess" {
		s.f(` stroke-dasharray="5 4"`)
	}
	var title []string
	for _, l := range edgeLabel(e) {
		title = append(title, rules.Printable(l))
	}
	if len(title) > 0 {
		s.f("><title>%s</title></path>\n", esc(strings.Join(title, "\n")))
	} else {
		s.f("/>\n")
	}
}

func (s *svgWriter) edgeLabel(r route, atTarget bool) {
	lines := r.edge.Label
	if len(lines) == 0 {
		return
	}
	var x, y float64
	anchor := "start"
	if atTarget {
		t := r.boxes[len(r.boxes)-1]
		x, y, anchor = t.x-6, t.cy()-4, "end"
	} else {
		src := r.boxes[0]
		x, y = src.x+src.w+6, src.cy()-4
	}
	for i, line := range lines {
		dy := float64(len(lines)-1-i) * 13
		s.f(`<text x="%s" y="%s" text-anchor="%s">%s</text>`+"\n", num(x), num(y-dy), anchor, esc(truncate(line, labelChars)))
	}
}

func (s *svgWriter) node(b *box, i int, sev rules.Severity) {
	n := b.node
	fill, stroke, width := kindFill[n.Kind], plainStroke, "1"
	if sev > 0 {
		fill, stroke, width = tint(sev), Color(sev), "2.6"
	}
	s.f(`<g class="node" id="%sn%d" data-id="%s" data-kind="%s"`, esc(s.opt.IDPrefix), i, esc(n.ID), n.Kind)
	if n.Route != "" {
		s.f(` data-route="%s"`, esc(n.Route))
	}
	if sev > 0 {
		s.f(` data-severity="%s"`, sev)
	}
	s.f(">")
	link := ""
	if s.opt.Link != nil && len(n.Locs) > 0 {
		link = s.opt.Link(n.Locs[0])
		if s.opt.Inline {
			s.f(`<a href="%s">`, esc(link))
		} else {
			s.f(`<a href="%s" xlink:href="%s">`, esc(link), esc(link))
		}
	}
	s.f("<title>%s</title>\n", esc(tooltip(n)))
	s.f(`<rect x="%s" y="%s" width="%s" height="%s" rx="6" fill="%s" stroke="%s" stroke-width="%s"/>`+"\n", num(b.x), num(b.y), num(b.w), num(b.h), fill, stroke, width)
	y := b.y + padY + lineHeight - 3.5
	for j, line := range b.lines {
		weight := ""
		if j == 0 {
			weight = ` font-weight="bold"`
		}
		s.f(`<text x="%s" y="%s" fill="%s"%s>%s</text>`+"\n", num(b.x+padX), num(y), textColor, weight, esc(line))
		y += lineHeight
	}
	for _, line := range b.marks {
		s.f(`<text x="%s" y="%s" fill="%s" font-weight="bold">%s</text>`+"\n", num(b.x+padX), num(y), Color(sev), esc(line))
		y += lineHeight
	}
	if link != "" {
		s.f("</a>")
	}
	s.f("</g>\n")
}

// legend explains the colours used.
func (s *svgWriter) legend(g *Graph, y float64) {
	used := map[rules.Severity]bool{}
	for _, m := range g.Marks {
		used[m.Severity] = true
	}
	guess := false
	for _, e := range g.Edges {
		guess = guess || e.Link == "guess"
	}
	x := margin
	s.f(`<g class="legend" font-size="11" fill="#57606a">` + "\n")
	item := func(swatch, text string) {
		s.f(`%s<text x="%s" y="%s">%s</text>`+"\n", swatch, num(x+22), num(y+14), esc(text))
		x += 22 + textLen(text)*11/fontSize + 18
	}
	item(fmt.Sprintf(`<rect x="%s" y="%s" width="16" height="12" rx="3" fill="#ffffff" stroke="%s"/>`, num(x), num(y+4), plainStroke), "no finding")
	for s2 := rules.Critical; s2 >= rules.Info; s2-- {
		if used[s2] {
			item(fmt.Sprintf(`<rect x="%s" y="%s" width="16" height="12" rx="3" fill="%s" stroke="%s" stroke-width="2"/>`, num(x), num(y+4), tint(s2), Color(s2)), s2.String())
		}
	}
	if guess {
		item(fmt.Sprintf(`<path d="M%s %sh16" stroke="%s" stroke-width="1.3" stroke-dasharray="5 4"/>`, num(x), num(y+10), plainEdge), "linked by guess")
	}
	s.f("</g>\n")
}
