package graph

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/rules"
)

// hostile are names a repository can give its servers, upstreams, headers
// and files: line breaks that would start statements of the file's
// choosing in Mermaid and DOT, quotes and markup that would close a label
// or an element, terminal escapes and bidirectional controls.
var hostile = []string{
	"a\nclick n0 href \"javascript:alert(1)\"",
	"b\r\n  n9[\"forged\"]",
	"c\"]; n8 -> n0 [label=\"x",
	"d</text><script>alert(2)</script>",
	"e\x1b]8;;http://evil\x07\x1b[2J",
	"f\u202eexe.conf",
	`g\N\G\"}`,
}

func hostileGraph() *Graph {
	g := &Graph{Version: 1}
	for i, h := range hostile {
		g.Nodes = append(g.Nodes, &Node{ID: "route:" + h, Kind: KindRoute, Label: []string{h, "2 " + h}, Route: h,
			Locs: []Loc{{File: "javascript:alert(3)/" + h, Line: i + 1}}})
		g.Nodes = append(g.Nodes, &Node{ID: "app:" + h, Kind: KindApp, Label: []string{h}})
		g.Edges = append(g.Edges, &Edge{From: "route:" + h, To: "app:" + h, Label: []string{h}, Routes: []string{h}, Link: h})
		g.Marks = append(g.Marks, Mark{Code: "X001", Severity: rules.High, Header: h, Place: Place{Routes: []string{h}}})
	}
	return g
}

// noControls fails on any control or bidirectional character left in out
// but the line breaks between statements.
func noControls(t *testing.T, format, out string) {
	t.Helper()
	for _, r := range out {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x202e {
			t.Fatalf("%s: control or bidirectional character %U in the output", format, r)
		}
	}
}

// TestHostileNamesInGraphs: names from the configuration cannot add a
// statement to Mermaid or DOT, break the SVG's XML, add an element or a
// script to it, or make a node's link leave the repository.
func TestHostileNamesInGraphs(t *testing.T) {
	g := hostileGraph()

	var mm bytes.Buffer
	if err := Mermaid(&mm, g); err != nil {
		t.Fatal(err)
	}
	noControls(t, "mermaid", mm.String())
	statement := regexp.MustCompile(`^(flowchart LR|  n\d+(\(|\[|\{).*|  n\d+ -(->|\.->)(\|".*"\|)? n\d+|  classDef \w+ .*|  class [n\d,]+ \w+|  linkStyle [\d,]+ .*)$`)
	edges := 0
	for _, l := range strings.Split(strings.TrimSuffix(mm.String(), "\n"), "\n") {
		if !statement.MatchString(l) {
			t.Errorf("mermaid: a line that is no statement of the graph's: %q", l)
		}
		// One quoted label at most, which holds no quote: it cannot end
		// early.
		if n := strings.Count(l, `"`); n != 0 && n != 2 {
			t.Errorf("mermaid: %d quotes in a line: %q", n, l)
		}
		if strings.Contains(l, "-->") {
			edges++
		}
	}
	if edges != len(g.Edges) {
		t.Errorf("mermaid: %d edges written, want %d", edges, len(g.Edges))
	}

	var dot bytes.Buffer
	if err := DOT(&dot, g, Options{Link: RelativeLink("")}); err != nil {
		t.Fatal(err)
	}
	noControls(t, "dot", dot.String())
	dotLine := regexp.MustCompile(`^(digraph \w+ \{|  (graph|node|edge) \[.*\];|  \{ rank=same; [n\d; ]+\}  // [\w ]+|  n\d+ \[.*\];|  n\d+ -> n\d+( \[.*\])?;|\})$`)
	quoted := regexp.MustCompile(`"(\\.|[^"\\])*"`)
	for _, l := range strings.Split(strings.TrimSuffix(dot.String(), "\n"), "\n") {
		if !dotLine.MatchString(l) {
			t.Errorf("dot: a line that is no statement of the graph's: %q", l)
		}
		// Outside its quoted strings, a line holds only the graph's syntax.
		if rest := strings.ReplaceAll(quoted.ReplaceAllString(l, `""`), "->", ""); strings.ContainsAny(rest, `\<>`) {
			t.Errorf("dot: text outside the quoted strings: %q", rest)
		}
	}

	for _, inline := range []bool{false, true} {
		var svg bytes.Buffer
		if err := SVG(&svg, g, Options{Link: RelativeLink(""), Inline: inline}); err != nil {
			t.Fatal(err)
		}
		// IDs (data-id, data-route) are written as they are, escaped for
		// XML; what is drawn or shown as a tooltip is printable.
		var drawn strings.Builder
		dec := xml.NewDecoder(&svg)
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("svg (inline %v) is not well-formed XML: %v", inline, err)
			}
			if text, ok := tok.(xml.CharData); ok {
				drawn.Write(text)
				continue
			}
			se, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			switch se.Name.Local {
			case "svg", "title", "style", "rect", "text", "g", "path", "a":
			default:
				t.Errorf("svg: element <%s> from a name", se.Name.Local)
			}
			for _, a := range se.Attr {
				if a.Name.Local != "href" {
					continue
				}
				u, err := url.Parse(a.Value)
				if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Fragment, "L") {
					t.Errorf("svg: link %q leaves the repository or loses its line", a.Value)
				} else if !strings.HasPrefix(u.Path, "javascript:alert(3)/") {
					t.Errorf("svg: link %q names another file (%q)", a.Value, u.Path)
				}
			}
		}
		noControls(t, "svg", drawn.String())
	}
}
