package audit_test

import (
	"testing"

	"github.com/mtlslint/mtlslint/internal/audit"
	"github.com/mtlslint/mtlslint/internal/lint"
)

// TestGraphInRecords: a repository with findings on its routes carries its
// graph in its summary and each finding's place in the finding; a
// repository with none carries no graph.
func TestGraphInRecords(t *testing.T) {
	res, _ := auditOne(t, "../../fixtures/crossfile/demo-vulnerable", audit.Options{Runner: lint.Run})
	g := res.Summary.Graph
	if g == nil || g.Routes() != 3 || len(g.Marks) != 5 {
		t.Fatalf("graph %+v", g)
	}
	const api = "nginx.conf#server=app.example.com@*:443#location=/api/"
	placed := 0
	for _, f := range res.Findings {
		if f.Place == nil {
			t.Errorf("%s at %s:%d has no place", f.Code, f.Location.File, f.Location.Start.Line)
			continue
		}
		placed++
		if f.Code == "X001" && (len(f.Place.Routes) != 1 || f.Place.Routes[0] != api) {
			t.Errorf("X001 placed on %v, want %s", f.Place.Routes, api)
		}
		if f.Code == "X004" && (len(f.Place.Routes) != 0 || len(f.Place.Nodes) == 0) {
			t.Errorf("X004 (the app server's port) placed on %+v", f.Place)
		}
	}
	if placed != 5 {
		t.Errorf("%d findings placed, want 5", placed)
	}
	clean, _ := auditOne(t, "../../fixtures/crossfile/plain-listener-secure", audit.Options{Runner: lint.Run})
	if clean.Summary.Graph != nil || len(clean.Findings) != 0 {
		t.Errorf("a repository without findings has a graph or findings: %+v", clean)
	}
}
