package report

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/graph"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

func TestGitHubSummaryOfADeployment(t *testing.T) {
	res, err := lint.Run(context.Background(), lint.Options{Root: "../../fixtures/crossfile/demo-vulnerable", WithModel: true})
	if err != nil {
		t.Fatal(err)
	}
	g := graph.Build(res.Model, graph.FromDiagnostics(res.Findings))
	in := Input{Findings: res.Findings, FilesChecked: len(res.Workspace.Files())}
	var b strings.Builder
	if err := GitHubSummary(&b, in, g, SummaryOptions{BlobURL: "https://github.com/o/r/blob/abc/"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "## mtlslint: 5 findings (3 critical, 1 high, 1 medium)\n") {
		t.Errorf("heading:\n%s", out)
	}
	// The diagram: the routes with a finding, not the secure one.
	i, j := strings.Index(out, "```mermaid\nflowchart LR\n"), strings.Index(out, "\n```\n")
	if i < 0 || j < i {
		t.Fatalf("no Mermaid block:\n%s", out)
	}
	diagram := out[i:j]
	for _, want := range []string{`["location /api/<br/><b>X001 X-SSL-Client-DN</b>`, `["location /<br/><b>X003 X-Forwarded-Proto</b>"]`, `(["host bind :8000<br/>clients outside`} {
		if !strings.Contains(diagram, want) {
			t.Errorf("diagram lacks %q:\n%s", want, diagram)
		}
	}
	if n := strings.Count(diagram, `["location /`); n != 2 {
		t.Errorf("%d routes drawn, want the 2 with findings:\n%s", n, diagram)
	}
	if !strings.Contains(out, "1 other route without a finding not shown") {
		t.Errorf("the left-out route is not counted:\n%s", out)
	}
	// The table: most severe first, linked.
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "| critical") || strings.HasPrefix(l, "| high") || strings.HasPrefix(l, "| medium") {
			rows = append(rows, l)
		}
	}
	if len(rows) != 5 || !strings.HasPrefix(rows[3], "| high | X003") || !strings.HasPrefix(rows[4], "| medium | X003") {
		t.Errorf("rows:\n%s", strings.Join(rows, "\n"))
	}
	if !strings.Contains(out, "| [nginx.conf:31](https://github.com/o/r/blob/abc/nginx.conf#L31) |") {
		t.Errorf("no link to the finding's line:\n%s", out)
	}
}

func TestGitHubSummaryEscapesAndCaps(t *testing.T) {
	var ds []rules.Finding
	for i := 0; i < 3; i++ {
		ds = append(ds, rules.Finding{Code: "Z001", Name: "n", Diagnostic: rules.Diagnostic{
			Severity: rules.High,
			Range:    source.Range{File: "a|b.conf", Start: source.Pos{Line: i + 1, Col: 1}},
			Message:  "x | y <script>alert(1)</script> *z*\nnext line",
		}})
	}
	var b strings.Builder
	if err := GitHubSummary(&b, Input{Findings: ds}, nil, SummaryOptions{MaxFindings: 2}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "<script") || strings.Contains(out, "mermaid") {
		t.Errorf("unescaped markup, or a diagram without a graph:\n%s", out)
	}
	for _, want := range []string{`| high | Z001 n | a\|b.conf:1 | x \| y &lt;script&gt;alert\(1\)&lt;/script&gt; \*z\* next line |`, "\n1 more finding not listed.\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	if err := GitHubSummary(&b, Input{FilesChecked: 4}, nil, SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	if b.String() != "## mtlslint: no findings\n\n4 files checked.\n" {
		t.Errorf("clean summary: %q", b.String())
	}
}

// A diagram too large for GitHub to render is left out, and the summary
// says why.
func TestGitHubSummaryCapsTheDiagram(t *testing.T) {
	g := &graph.Graph{Version: graph.Version}
	entry := &graph.Node{ID: "listener:x", Kind: graph.KindEntry, Label: []string{"nginx *:443"}}
	g.Nodes = append(g.Nodes, entry)
	for i := 0; i < 600; i++ {
		id := fmt.Sprintf("r%03d", i)
		g.Nodes = append(g.Nodes, &graph.Node{ID: graph.RouteNodeID(id), Kind: graph.KindRoute, Label: []string{"location /a/long/path/number/" + id + "/"}, Route: id})
		g.Edges = append(g.Edges, &graph.Edge{From: entry.ID, To: graph.RouteNodeID(id), Routes: []string{id}, Label: []string{"TLS *:443, cert optional"}})
		g.Marks = append(g.Marks, graph.Mark{Code: "X001", Severity: rules.Critical, Header: "X-SSL-Client-Verify", Place: graph.Place{Routes: []string{id}}})
	}
	in := Input{Findings: []rules.Finding{{Code: "X001", Diagnostic: rules.Diagnostic{Severity: rules.Critical, Range: source.Range{File: "nginx.conf", Start: source.Pos{Line: 1}}}}}}
	var b strings.Builder
	if err := GitHubSummary(&b, in, g, SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "```mermaid") || !strings.Contains(b.String(), "600 routes carry findings: too many for a diagram here") {
		t.Errorf("summary:\n%.600s", b.String())
	}
}
