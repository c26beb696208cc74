package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const demo = "../../fixtures/crossfile/demo-vulnerable"

func TestGraphFormats(t *testing.T) {
	for _, tc := range []struct{ format, start, has string }{
		{"mermaid", "flowchart LR\n", `["location /api/<br/><b>X001 X-SSL-Client-DN</b>`},
		{"dot", "digraph deployment {\n", `URL="nginx.conf#L26"`},
		{"svg", "<svg ", `data-route="nginx.conf#server=app.example.com@*:443#location=/api/" data-severity="critical"`},
	} {
		code, out, stderr := runCmd(t, "graph", "--format", tc.format, demo)
		if code != exitClean || !strings.HasPrefix(out, tc.start) || !strings.Contains(out, tc.has) {
			t.Errorf("graph --format %s: exit %d, stderr %q\n%.400s", tc.format, code, stderr, out)
		}
	}
	if code, _, stderr := runCmd(t, "graph", "--format", "png", demo); code != exitError || !strings.Contains(stderr, "mermaid, dot or svg") {
		t.Errorf("an unknown format: exit %d, %q", code, stderr)
	}
}

// The direct path is a route of its own in the text and JSON graphs, with
// the fact that opens it; a boundary that closes it shows none.
func TestGraphDirectPaths(t *testing.T) {
	const k8s = "../../fixtures/crossfile/image-k8s-"
	code, out, stderr := runCmd(t, "graph", k8s+"nodeport-vulnerable")
	if code != exitClean || !strings.Contains(out, "Direct paths (1)\n  a client on the network connects to :30080 (NodePort)  [direct:billing.settings]\n") ||
		!strings.Contains(out, "decided by k8s/service.yaml:7:3: Service billing/billing-api, of type NodePort") {
		t.Errorf("graph, NodePort: exit %d, stderr %q\n%s", code, stderr, out)
	}
	code, out, stderr = runCmd(t, "graph", "--format", "json", k8s+"nodeport-vulnerable")
	if code != exitClean || !strings.Contains(out, `"via": "NodePort"`) || !strings.Contains(out, `"transport": "direct"`) {
		t.Errorf("graph --format json, NodePort: exit %d, stderr %q\n%.600s", code, stderr, out)
	}
	code, out, stderr = runCmd(t, "graph", k8s+"isolated-secure")
	if code != exitClean || strings.Contains(out, "Direct paths") {
		t.Errorf("graph, ClusterIP and NetworkPolicy: exit %d, stderr %q\n%s", code, stderr, out)
	}
}

// The JSON graph lists the request classes of every route: those of its
// listener where the builder followed nothing, none where no request takes
// the route (Envoy's require_tls: ALL redirects every plain request).
func TestGraphJSONClasses(t *testing.T) {
	code, out, stderr := runCmd(t, "graph", "--format", "json", "../../fixtures/crossfile/envoy-https-redirect-secure")
	var doc struct {
		Routes []struct {
			ID       string             `json:"id"`
			Listener struct{ TLS bool } `json:"listener"`
			Classes  *[]struct {
				Transport string `json:"transport"`
			} `json:"classes"`
		} `json:"routes"`
	}
	if err := json.Unmarshal([]byte(out), &doc); code != exitClean || err != nil || len(doc.Routes) != 2 {
		t.Fatalf("graph --format json: exit %d, %v, stderr %q\n%.600s", code, err, stderr, out)
	}
	for _, r := range doc.Routes {
		switch {
		case r.Classes == nil:
			t.Errorf("%s: no classes field", r.ID)
		case r.Listener.TLS && (len(*r.Classes) == 0 || (*r.Classes)[0].Transport != "tls"):
			t.Errorf("%s: TLS route with classes %+v, want the TLS classes of its listener", r.ID, *r.Classes)
		case !r.Listener.TLS && len(*r.Classes) != 0:
			t.Errorf("%s: plain route that require_tls redirects with classes %+v, want none", r.ID, *r.Classes)
		}
	}
}

// With --format github the job summary goes to $GITHUB_STEP_SUMMARY,
// after what earlier steps wrote there; --summary names another file.
func TestCheckJobSummary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.md")
	if err := os.WriteFile(path, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GITHUB_STEP_SUMMARY", path)
	code, out, stderr := runCmd(t, "check", "--format", "github", demo)
	if code != exitFindings || !strings.HasPrefix(out, "::error ") {
		t.Fatalf("exit %d, stderr %q\n%s", code, stderr, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.HasPrefix(s, "earlier step\n## mtlslint: 5 findings") || !strings.Contains(s, "```mermaid\nflowchart LR\n") {
		t.Errorf("summary file:\n%s", s)
	}
	// Other formats write no summary unless asked.
	other := filepath.Join(t.TempDir(), "other.md")
	runCmd(t, "check", "--format", "json", demo)
	if b2, _ := os.ReadFile(path); string(b2) != s {
		t.Error("check --format json wrote to $GITHUB_STEP_SUMMARY")
	}
	runCmd(t, "check", "--format", "json", "--summary", other, demo)
	if b3, err := os.ReadFile(other); err != nil || !strings.Contains(string(b3), "### Routes with findings") {
		t.Errorf("--summary: %v\n%s", err, b3)
	}
}
