package lsp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// demoFiles reads the demo deployment of the fixtures.
func demoFiles(t *testing.T) map[string]string {
	t.Helper()
	const root = "../../fixtures/crossfile/demo-vulnerable"
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// A finding on a route carries code lenses that open the graph of its
// route: as SVG outside the editor, as Mermaid inside it. The command
// writes both documents and asks the client to show the one chosen.
func TestCodeLensOpensRouteGraph(t *testing.T) {
	files := demoFiles(t)
	dir := writeFiles(t, files)
	graphs := t.TempDir()
	u := fileURI(dir, "nginx.conf")
	c, res := startServer(t, Options{GraphDir: graphs}, map[string]any{"window": map[string]any{"showDocument": map[string]any{"support": true}}}, dir)
	caps, _ := res["capabilities"].(map[string]any)
	if caps["codeLensProvider"] == nil || !strings.Contains(string(must(json.Marshal(caps["executeCommandProvider"]))), commandShowGraph) {
		t.Fatalf("capabilities lack the code lens or the command: %v", caps)
	}
	c.open(u, "nginx", files["nginx.conf"])
	c.waitCodes(u, "X001", "X001", "X003", "X003")

	var lenses []protocol.CodeLens
	c.call(protocol.MethodTextDocumentCodeLens, protocol.CodeLensParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}}, &lenses)
	// Line 26 (0-based 25): X001 twice and X003 on the /api/ route, one
	// place; line 31: X003 on the plain route. Two lenses each.
	if len(lenses) != 4 {
		t.Fatalf("%d lenses, want 4: %+v", len(lenses), lenses)
	}
	api := lenses[0]
	if api.Range.Start.Line != 25 || api.Command == nil || api.Command.Command != commandShowGraph || api.Command.Title != "mtlslint: route graph of X001, X003" {
		t.Fatalf("first lens = %+v", api)
	}
	if lenses[2].Range.Start.Line != 30 || lenses[3].Command.Title != "Mermaid" {
		t.Errorf("lenses of line 31: %+v %+v", lenses[2], lenses[3])
	}

	for _, lens := range []protocol.CodeLens{lenses[0], lenses[1]} {
		var out graphResult
		c.call(protocol.MethodWorkspaceExecuteCommand, protocol.ExecuteCommandParams{Command: lens.Command.Command, Arguments: lens.Command.Arguments}, &out)
		svgPath, ok1 := uriPath(out.SVG)
		mdPath, ok2 := uriPath(out.Mermaid)
		if !ok1 || !ok2 || filepath.Dir(svgPath) != graphs {
			t.Fatalf("documents %+v, want them in %s", out, graphs)
		}
		svg, err := os.ReadFile(svgPath)
		if err != nil {
			t.Fatal(err)
		}
		md, err := os.ReadFile(mdPath)
		if err != nil {
			t.Fatal(err)
		}
		// The graph of the /api/ route: it, not the other routes.
		if !strings.Contains(string(svg), `data-route="nginx.conf#server=app.example.com@*:443#location=/api/" data-severity="critical"`) {
			t.Errorf("the SVG lacks the /api/ route drawn as critical:\n%s", svg)
		}
		if strings.Contains(string(svg), `location=/"`) || !strings.Contains(string(svg), "other route") {
			t.Errorf("the SVG draws other routes, or does not say it leaves them out")
		}
		if !strings.Contains(string(svg), `href="file://`) {
			t.Errorf("the SVG's boxes do not link to the files")
		}
		if !strings.Contains(string(md), "```mermaid\nflowchart LR\n") || !strings.Contains(string(md), "X001 X-SSL-Client-DN") {
			t.Errorf("the Markdown document:\n%s", md)
		}
	}
	var shown []string
	c.until("two window/showDocument requests", func() bool {
		shown = nil
		for _, m := range c.requests {
			if m == methodShowDocument {
				shown = append(shown, m)
			}
		}
		return len(shown) == 2
	})

	// A place that is no longer in the deployment is an error, not an
	// empty picture.
	err := c.callErr(protocol.MethodWorkspaceExecuteCommand, protocol.ExecuteCommandParams{Command: commandShowGraph, Arguments: []any{graphArgs{URI: u, Routes: []string{"gone"}, Format: "svg"}}}, nil)
	if err == nil || !strings.Contains(err.Error(), "no longer in the deployment") {
		t.Errorf("a stale lens: %v", err)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
