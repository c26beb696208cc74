package graph

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/gen"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/rules"
)

// svgElement is an element of a parsed SVG, with its attributes and text.
type svgElement struct {
	name  string
	attrs map[string]string
	text  string // the text of its <text> descendants, lines joined by \n
}

// parseSVG parses an SVG as XML and returns the node groups, the edge
// paths and the highlight groups.
func parseSVG(t *testing.T, b []byte) (nodes, edges, highlights []svgElement) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var stack []*svgElement
	root := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &svgElement{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				root = tok.Name.Local == "svg" && tok.Name.Space == "http://www.w3.org/2000/svg"
			}
			stack = append(stack, e)
		case xml.CharData:
			if len(stack) > 0 && stack[len(stack)-1].name == "text" {
				for _, e := range stack {
					if e.name == "g" && strings.Contains(e.attrs["class"], "node") {
						e.text += string(tok) + "\n"
					}
				}
			}
		case xml.EndElement:
			e := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			switch {
			case e.name == "g" && e.attrs["class"] == "node":
				nodes = append(nodes, *e)
			case e.name == "path" && e.attrs["class"] == "edge":
				edges = append(edges, *e)
			case e.name == "g" && e.attrs["class"] == "hl":
				highlights = append(highlights, *e)
			}
		}
	}
	if !root {
		t.Fatal("the document element is not an SVG <svg>")
	}
	return nodes, edges, highlights
}

// TestSVGNodesAndHighlightedRoutes parses the SVG of every fixture
// deployment and finds every node of the graph, each route with a finding
// drawn in its worst finding's colour with the code and header written on
// it, its edges in that colour too, the secure routes plain, and a
// highlight for every place a finding points at.
func TestSVGNodesAndHighlightedRoutes(t *testing.T) {
	for _, dir := range deployments(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			g, _ := graphOf(t, dir)
			var b bytes.Buffer
			if err := SVG(&b, g, Options{Link: RelativeLink(""), IDPrefix: "x-"}); err != nil {
				t.Fatal(err)
			}
			nodes, edges, hls := parseSVG(t, b.Bytes())
			byID := map[string]svgElement{}
			for _, n := range nodes {
				byID[n.attrs["id"]] = n
			}
			drawn := map[string]svgElement{}
			for _, n := range nodes {
				drawn[n.attrs["data-id"]] = n
			}
			if len(drawn) != len(g.Nodes) {
				t.Errorf("%d nodes drawn, the graph has %d", len(drawn), len(g.Nodes))
			}
			worst := map[string]rules.Severity{}
			texts := map[string][]string{}
			for _, m := range g.Marks {
				for _, r := range m.Place.Routes {
					worst[r] = max(worst[r], m.Severity)
					texts[r] = append(texts[r], m.Text())
				}
			}
			for _, n := range g.Nodes {
				e, ok := drawn[n.ID]
				if !ok {
					t.Errorf("node %s is not drawn", n.ID)
					continue
				}
				if !strings.HasPrefix(e.text, n.Label[0][:min(len(n.Label[0]), 20)]) {
					t.Errorf("node %s reads %q", n.ID, e.text)
				}
				if e.attrs["title"] == "" && len(n.Locs) > 0 && !strings.Contains(b.String(), n.Locs[0].String()) {
					t.Errorf("node %s has no file:line tooltip", n.ID)
				}
				if n.Kind != KindRoute {
					continue
				}
				sev, want := e.attrs["data-severity"], ""
				if s := worst[n.Route]; s > 0 {
					want = s.String()
				}
				if sev != want {
					t.Errorf("route %s drawn with severity %q, want %q", n.Route, sev, want)
				}
				for _, txt := range texts[n.Route] {
					if !strings.Contains(e.text, truncate(txt, maxChars)) && !strings.Contains(e.text, "more") {
						t.Errorf("route %s does not say %q: %q", n.Route, txt, e.text)
					}
				}
				// The edge into the route has the route's colour.
				for _, ed := range edges {
					if ed.attrs["data-to"] == n.ID && ed.attrs["data-severity"] != want {
						t.Errorf("edge into route %s drawn with severity %q, want %q", n.Route, ed.attrs["data-severity"], want)
					}
				}
			}
			ids := map[string]bool{}
			for _, h := range hls {
				ids[h.attrs["id"]] = true
				if h.attrs["visibility"] != "hidden" {
					t.Errorf("highlight %s is not hidden until asked for", h.attrs["id"])
				}
			}
			for _, m := range g.Marks {
				if !ids["x-"+m.Place.Anchor()] {
					t.Errorf("no highlight for the place of %s", m.Text())
				}
			}
		})
	}
}

// TestSVGDemo checks one picture in detail: the open route of the demo.
func TestSVGDemo(t *testing.T) {
	g, _ := graphOf(t, "../../fixtures/crossfile/demo-vulnerable")
	var b bytes.Buffer
	if err := SVG(&b, g, Options{}); err != nil {
		t.Fatal(err)
	}
	nodes, _, _ := parseSVG(t, b.Bytes())
	found := false
	for _, n := range nodes {
		if n.attrs["data-route"] == "nginx.conf#server=app.example.com@*:443#location=/api/" {
			found = true
			if n.attrs["data-severity"] != "critical" || !strings.Contains(n.text, "location /api/\nX001 X-SSL-Client-DN\nX001 X-SSL-Client-Verify\nX003 X-Forwarded-Proto") {
				t.Errorf("the open route reads %q (severity %q)", n.text, n.attrs["data-severity"])
			}
		}
		if n.attrs["data-route"] == "nginx.conf#server=app.example.com@*:443#location=/" && n.attrs["data-severity"] != "" {
			t.Errorf("the secure route is drawn as %s", n.attrs["data-severity"])
		}
	}
	if !found {
		t.Error("the open route is not drawn")
	}
}

// TestDeterministic: the same model gives the same pictures, whatever the
// order of its routes, apps and links.
func TestDeterministic(t *testing.T) {
	res, err := lint.Run(context.Background(), lint.Options{Root: "../../fixtures/crossfile/two-proxies-vulnerable", WithModel: true})
	if err != nil {
		t.Fatal(err)
	}
	render := func(m *rules.Model) string {
		g := Build(m, FromDiagnostics(res.Findings))
		var b strings.Builder
		_ = SVG(&b, g, Options{})
		_ = Mermaid(&b, g)
		_ = DOT(&b, g, Options{})
		return b.String()
	}
	want := render(res.Model)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5; i++ {
		m := *res.Model
		m.Routes = append([]*rules.Route(nil), m.Routes...)
		m.Apps = append([]*rules.App(nil), m.Apps...)
		m.Links = append([]rules.Link(nil), m.Links...)
		r.Shuffle(len(m.Routes), func(i, j int) { m.Routes[i], m.Routes[j] = m.Routes[j], m.Routes[i] })
		r.Shuffle(len(m.Apps), func(i, j int) { m.Apps[i], m.Apps[j] = m.Apps[j], m.Apps[i] })
		r.Shuffle(len(m.Links), func(i, j int) { m.Links[i], m.Links[j] = m.Links[j], m.Links[i] })
		if got := render(&m); got != want {
			t.Fatal("the pictures depend on the order of the model's routes, apps or links")
		}
	}
}

// TestLayoutUncrosses: two listeners whose blocks come in the opposite
// order of their IDs are drawn without crossing.
func TestLayoutUncrosses(t *testing.T) {
	g := &Graph{}
	add := func(id string, k Kind) { g.Nodes = append(g.Nodes, &Node{ID: id, Kind: k, Label: []string{id}}) }
	add("a", KindEntry)
	add("b", KindEntry)
	add("c", KindEntry)
	add("x", KindBlock)
	add("y", KindBlock)
	add("z", KindBlock)
	add("u", KindUpstream)
	for _, e := range [][2]string{{"a", "z"}, {"b", "y"}, {"c", "x"}, {"x", "u"}, {"y", "u"}, {"z", "u"}} {
		g.Edges = append(g.Edges, &Edge{From: e[0], To: e[1]})
	}
	l := layoutOf(g, paintOf(g))
	if n := l.crossings(); n != 0 {
		t.Errorf("%d crossings, want 0", n)
	}
	checkLayout(t, l)
}

// checkLayout checks what makes a picture readable: no two boxes overlap,
// every line fits its box, no two edge labels overlap, and no label runs
// into a box.
func checkLayout(t *testing.T, l *layout) {
	t.Helper()
	type rect struct {
		x0, y0, x1, y1 float64
		what           string
	}
	overlap := func(a, b rect) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }
	var boxes, labels []rect
	for _, col := range l.cols {
		for _, b := range col {
			if b.node == nil {
				continue
			}
			boxes = append(boxes, rect{b.x, b.y, b.x + b.w, b.y + b.h, b.node.ID})
			for _, s := range append(append([]string{}, b.lines...), b.marks...) {
				if textLen(s)+2*padX > b.w+0.01 {
					t.Errorf("%q does not fit its box (%v wide)", s, b.w)
				}
			}
		}
	}
	for i, r := range l.routes {
		for k, s := range r.edge.Label {
			w := textLen(truncate(s, labelChars)) * 11 / fontSize
			var x0, y float64
			if l.atTarget[i] {
				t := r.boxes[len(r.boxes)-1]
				x0, y = t.x-6-w, t.cy()-4
			} else {
				src := r.boxes[0]
				x0, y = src.x+src.w+6, src.cy()-4
			}
			y -= float64(len(r.edge.Label)-1-k) * 13
			labels = append(labels, rect{x0, y - 10, x0 + w, y + 2, fmt.Sprintf("label %q", s)})
		}
	}
	for i := range boxes {
		for j := i + 1; j < len(boxes); j++ {
			if overlap(boxes[i], boxes[j]) {
				t.Errorf("%s overlaps %s", boxes[i].what, boxes[j].what)
			}
		}
		for _, lb := range labels {
			if overlap(boxes[i], lb) {
				t.Errorf("%s runs into %s", lb.what, boxes[i].what)
			}
		}
	}
	for i := range labels {
		for j := i + 1; j < len(labels); j++ {
			if overlap(labels[i], labels[j]) {
				t.Errorf("%s overlaps %s", labels[i].what, labels[j].what)
			}
		}
	}
}

// genDeployment writes a monorepo of generated services with at least
// routes routes (one service in four has a planted defect).
func genDeployment(t testing.TB, files int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mono")
	if _, err := gen.Monorepo(dir, files, gen.Options{Seed: 1}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestFiftyRoutes draws a generated deployment of some 60 routes and
// sockets (four services, one with a defect on every route of its API
// server) and checks that the picture stays readable: nothing overlaps,
// every line fits, and the picture grows by at most one box height per
// route on each socket it listens on (a route on IPv4 and IPv6 is one
// route with two entries).
func TestFiftyRoutes(t *testing.T) {
	g, m := graphOf(t, genDeployment(t, 70))
	sockets := 0
	for _, r := range m.Routes {
		sockets += 1 + len(r.Listener.Also)
	}
	if sockets < 50 {
		t.Fatalf("the generated deployment has %d routes and sockets, want at least 50", sockets)
	}
	if len(g.Marks) == 0 {
		t.Fatal("the generated deployment has no finding on its graph")
	}
	l := layoutOf(g, paintOf(g))
	checkLayout(t, l)
	perRoute := l.height / float64(sockets)
	if perRoute > 45 {
		t.Errorf("%.0f px of height per route and socket: the picture is too sparse to read", perRoute)
	}
	t.Logf("%d routes, %d nodes, %d edges: %.0f×%.0f px, %d crossings", g.Routes(), len(g.Nodes), len(g.Edges), l.width, l.height, l.crossings())
	var b bytes.Buffer
	if err := SVG(&b, g, Options{}); err != nil {
		t.Fatal(err)
	}
	nodes, _, _ := parseSVG(t, b.Bytes())
	if len(nodes) != len(g.Nodes) {
		t.Errorf("%d of %d nodes drawn", len(nodes), len(g.Nodes))
	}
}

// BenchmarkSVG measures building and drawing the graph of a generated
// deployment of about 60 routes.
func BenchmarkSVG(b *testing.B) {
	res, err := lint.Run(context.Background(), lint.Options{Root: genDeployment(b, 70), WithModel: true})
	if err != nil {
		b.Fatal(err)
	}
	findings := FromDiagnostics(res.Findings)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g := Build(res.Model, findings)
		if err := SVG(io.Discard, g, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
