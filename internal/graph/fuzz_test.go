package graph

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// FuzzGraphJSON: the audit report draws graphs read from records that
// anyone could have written. Whatever JSON is read without an error, the
// three formats are written without a panic, and the SVG is well-formed
// XML.
func FuzzGraphJSON(f *testing.F) {
	// A small graph made by hand: linting a fixture here would make every
	// fuzzing process start slowly.
	g := &Graph{Version: Version, Nodes: []*Node{
		{ID: "listener:x", Kind: KindEntry, Label: []string{"nginx *:443", "TLS"}, Locs: []Loc{{"nginx.conf", 3}}},
		{ID: "block:x", Kind: KindBlock, Label: []string{"server a"}},
		{ID: "route:r", Kind: KindRoute, Label: []string{"location /"}, Route: "r"},
		{ID: "server:a", Kind: KindServer, Label: []string{"gunicorn", "0.0.0.0:8000"}},
		{ID: "direct:a", Kind: KindEntry, Label: []string{"direct 0.0.0.0:8000"}},
	}, Edges: []*Edge{
		{From: "listener:x", To: "block:x", Routes: []string{"r"}},
		{From: "block:x", To: "route:r", Routes: []string{"r"}, Label: []string{"TLS :443, cert optional"}},
		{From: "route:r", To: "server:a", Routes: []string{"r"}, Link: "guess"},
		{From: "direct:a", To: "server:a", Label: []string{"direct to :8000"}},
	}, Marks: []Mark{{Code: "X001", Severity: 5, Header: "X-SSL-Client-DN", Place: Place{Routes: []string{"r"}}}, {Code: "X004", Severity: 4, Place: Place{Nodes: []string{"direct:a", "server:a"}}}}}
	b, err := json.Marshal(g)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"version":1,"nodes":[{"id":"a","kind":"route","label":[],"route":"r"},{"id":"a","kind":"entry","label":["<x>"]}],"edges":[{"from":0,"to":0,"routes":[0]},{"from":1,"to":0,"label":["\u0000"]}],"marks":[{"code":"X","severity":"critical","place":{"routes":["r","nope"],"nodes":["a","b"]}}]}`))
	f.Add([]byte(`{"version":1,"nodes":[{"id":"t","kind":3,"label":["x"]}],"edges":[]}`))
	if b, err := json.Marshal(hostileGraph()); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var g Graph
		if json.Unmarshal(data, &g) != nil {
			return
		}
		var svg bytes.Buffer
		if err := SVG(&svg, &g, Options{Link: RelativeLink("x/"), IDPrefix: "p-"}); err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(&svg)
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("the SVG is not well-formed: %v", err)
			}
		}
		// Whatever the names, they add no statement to Mermaid or DOT: no
		// control character reaches the text, and a Mermaid line holds
		// one quoted label at most.
		var mm, dot bytes.Buffer
		if err := Mermaid(&mm, &g); err != nil {
			t.Fatal(err)
		}
		noControls(t, "mermaid", mm.String())
		for _, l := range strings.Split(mm.String(), "\n") {
			if n := strings.Count(l, `"`); n != 0 && n != 2 {
				t.Fatalf("mermaid: %d quotes in a line: %q", n, l)
			}
		}
		if err := DOT(&dot, &g, Options{Link: RelativeLink("")}); err != nil {
			t.Fatal(err)
		}
		noControls(t, "dot", dot.String())
		_ = g.Only(g.MarkedRoutes())
	})
}
