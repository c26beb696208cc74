package lsp

import (
	"encoding/json"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

type pulledReport struct {
	Kind             string                `json:"kind"`
	ResultID         string                `json:"resultId"`
	Items            []protocol.Diagnostic `json:"items"`
	RelatedDocuments map[protocol.DocumentURI]struct {
		Kind  string                `json:"kind"`
		Items []protocol.Diagnostic `json:"items"`
	} `json:"relatedDocuments"`
}

type pulledWorkspace struct {
	Items []struct {
		Kind     string                `json:"kind"`
		ResultID string                `json:"resultId"`
		URI      protocol.DocumentURI  `json:"uri"`
		Version  *int32                `json:"version"`
		Items    []protocol.Diagnostic `json:"items"`
	} `json:"items"`
}

func (c *client) pull(u protocol.DocumentURI, previous string) pulledReport {
	c.t.Helper()
	var r pulledReport
	c.call(methodDocumentDiagnostic, map[string]any{"textDocument": map[string]any{"uri": u}, "previousResultId": previous}, &r)
	return r
}

// With a client that pulls (LSP 3.17), nothing is pushed: documents and
// the workspace are pulled, a change elsewhere comes back as a related
// document and through a refresh request, and a workspace pull waits for a
// change when the client is up to date.
func TestPullDiagnostics(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"haproxy.cfg": deployHAProxy, "app/settings.py": deploySettings, "app/middleware.py": deployMiddleware,
	})
	haproxy, settings, middleware := fileURI(dir, "haproxy.cfg"), fileURI(dir, "app/settings.py"), fileURI(dir, "app/middleware.py")
	c, res := startServer(t, Options{}, map[string]any{
		"textDocument": map[string]any{"diagnostic": map[string]any{"relatedDocumentSupport": true}},
		"workspace":    map[string]any{"diagnostics": map[string]any{"refreshSupport": true}},
	}, dir)
	caps, _ := res["capabilities"].(map[string]any)
	dp, _ := caps["diagnosticProvider"].(map[string]any)
	if dp["interFileDependencies"] != true || dp["workspaceDiagnostics"] != true {
		t.Fatalf("diagnosticProvider = %v", caps["diagnosticProvider"])
	}
	c.open(haproxy, "haproxy", deployHAProxy)
	c.open(settings, "python", deploySettings)

	r := c.pull(settings, "")
	if r.Kind != "full" || len(r.Items) != 0 || r.ResultID == "" {
		t.Fatalf("settings pulled: %+v", r)
	}
	if again := c.pull(settings, r.ResultID); again.Kind != "unchanged" || again.ResultID != r.ResultID {
		t.Errorf("pull with the current result id: %+v, want unchanged", again)
	}

	// The workspace: the middleware (not open) has X002.
	var ws pulledWorkspace
	c.call(methodWorkspaceDiagnostic, map[string]any{"previousResultIds": []any{}}, &ws)
	prev := []map[string]any{}
	foundX002 := false
	for _, it := range ws.Items {
		if it.URI == middleware && it.Kind == "full" && codesOf(it.Items) == "X002" && it.Version == nil {
			foundX002 = true
		}
		prev = append(prev, map[string]any{"uri": it.URI, "value": it.ResultID})
	}
	if !foundX002 {
		t.Fatalf("workspace pull lacks the middleware's X002: %+v", ws)
	}

	// Up to date: the workspace pull waits for a change.
	type answer struct {
		ws  pulledWorkspace
		err error
	}
	waiting := make(chan answer, 1)
	go func() {
		var w pulledWorkspace
		err := c.callErr(methodWorkspaceDiagnostic, map[string]any{"previousResultIds": prev}, &w)
		waiting <- answer{w, err}
	}()

	// No route to the app any more: settings gain D002 (a related
	// document of the pulled haproxy.cfg), the middleware loses X002.
	rng, _ := replaceLine(t, deployHAProxy, "default_backend", "")
	c.change(haproxy, 2, rng, "")
	c.until("a refresh request", func() bool {
		return strings.Contains(strings.Join(c.requests, " "), methodDiagnosticRefresh)
	})
	hr := c.pull(haproxy, "")
	rel, ok := hr.RelatedDocuments[settings]
	if !ok || rel.Kind != "full" || codesOf(rel.Items) != "D002" {
		t.Errorf("haproxy.cfg pulled: related documents %+v, want settings.py with D002", hr.RelatedDocuments)
	}

	a := <-waiting
	if a.err != nil {
		t.Fatal(a.err)
	}
	cleared := false
	for _, it := range a.ws.Items {
		if it.URI == middleware && it.Kind == "full" && len(it.Items) == 0 {
			cleared = true
		}
	}
	if !cleared {
		b, _ := json.Marshal(a.ws)
		t.Errorf("the waiting workspace pull does not clear the middleware: %s", b)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pubs) != 0 {
		t.Errorf("%d diagnostics pushed to a pulling client", len(c.pubs))
	}
}
