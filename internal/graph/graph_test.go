package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/rules"
)

// deployments are the fixture scenarios whose graphs are kept as golden
// files: every cross-file scenario.
func deployments(t testing.TB) []string {
	t.Helper()
	dirs, err := filepath.Glob("../../fixtures/crossfile/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixture deployments: %v", err)
	}
	sort.Strings(dirs)
	return dirs
}

// graphOf lints a directory as `mtlslint graph` does and builds its graph.
func graphOf(t testing.TB, dir string) (*Graph, *rules.Model) {
	t.Helper()
	res, err := lint.Run(context.Background(), lint.Options{Root: dir, WithModel: true})
	if err != nil {
		t.Fatal(err)
	}
	return Build(res.Model, FromDiagnostics(res.Findings)), res.Model
}

// golden compares got with the file, or rewrites the file when
// UPDATE_GOLDEN is set.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with UPDATE_GOLDEN=1 go test ./internal/graph)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output; if the change is intended, regenerate with UPDATE_GOLDEN=1 go test ./internal/graph\n--- got:\n%s", path, got)
	}
}

// TestGoldenMermaidAndDOT keeps the Mermaid and DOT text of every fixture
// deployment.
func TestGoldenMermaidAndDOT(t *testing.T) {
	for _, dir := range deployments(t) {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			g, _ := graphOf(t, dir)
			var mm, dot bytes.Buffer
			if err := Mermaid(&mm, g); err != nil {
				t.Fatal(err)
			}
			if err := DOT(&dot, g, Options{Link: RelativeLink("")}); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "golden", name+".mmd"), mm.Bytes())
			golden(t, filepath.Join("testdata", "golden", name+".dot"), dot.Bytes())
		})
	}
}

// TestJSONRoundTrip: the audit records carry the graph as JSON, with edges
// by node index; reading it back gives the same graph, and an index that
// names no node is an error.
func TestJSONRoundTrip(t *testing.T) {
	for _, dir := range deployments(t) {
		g, _ := graphOf(t, dir)
		b, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		var back Graph
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&back, g) {
			t.Errorf("%s: the graph read back differs:\n%s", dir, b)
		}
	}
	for _, bad := range []string{
		`{"version":1,"nodes":[{"id":"a","kind":"entry","label":["a"]}],"edges":[{"from":0,"to":1}]}`,
		`{"version":1,"nodes":[{"id":"a","kind":"entry","label":["a"]}],"edges":[{"from":0,"to":0,"routes":[0]}]}`,
		`{"version":1,"nodes":[null],"edges":[]}`,
		`{"version":1,"nodes":[{"id":"a","kind":"wormhole","label":["a"]}],"edges":[]}`,
	} {
		var g Graph
		if err := json.Unmarshal([]byte(bad), &g); err == nil {
			t.Errorf("%s was read without an error", bad)
		}
	}
}

// TestMermaidText: a label's quotes, markup and Mermaid syntax become HTML
// named entities, and no "#" is left to start one of Mermaid's codes.
func TestMermaidText(t *testing.T) {
	got := mermaidText(`equals "SUCCESS" <b> a|b #quot; x&y ` + "`c`")
	want := "equals &quot;SUCCESS&quot; &lt;b&gt; a&vert;b &num;quot; x&amp;y &grave;c&grave;"
	if got != want {
		t.Errorf("mermaidText = %q, want %q", got, want)
	}
}
