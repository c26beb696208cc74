package nginx

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	pnginx "github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// workspace writes files into a temporary repository and loads every file
// as nginx configuration.
func workspace(t testing.TB, files map[string]string) *parsers.Workspace {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	sort.Strings(paths)
	reader, err := parsers.NewFSReader(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	trees, probs := pnginx.Load(reader, paths)
	ws := &parsers.Workspace{Root: dir, Reader: reader, Problems: probs}
	for _, tr := range trees {
		ws.Trees = append(ws.Trees, tr)
	}
	return ws
}

// lint runs rules on a workspace and returns the diagnostics.
func lint(t *testing.T, files map[string]string, version string, rs ...*rules.Rule) []rules.Finding {
	t.Helper()
	ws := workspace(t, files)
	for _, p := range ws.Problems {
		if p.Kind == source.ProblemSyntax {
			t.Fatalf("fixture does not parse: %s %s", p.Range, p.Message)
		}
	}
	e := rules.Engine{Rules: rs, Settings: &rules.Settings{NginxVersion: version}}
	res := e.Run(context.Background(), ws)
	for _, d := range res.Findings {
		if d.Code == rules.CodeRuleCrashed {
			t.Fatalf("rule crashed: %s", d.Message)
		}
	}
	return res.Findings
}

// at renders diagnostics as "CODE file:line", sorted.
func at(ds []rules.Finding) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s %s:%d", d.Code, d.Range.File, d.Range.Start.Line))
	}
	sort.Strings(out)
	return out
}

func expectAt(t *testing.T, ds []rules.Finding, want ...string) {
	t.Helper()
	got := at(ds)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		for _, d := range ds {
			t.Logf("%s %s: %s", d.Code, d.Range, d.Message)
		}
	}
}

// routesOf builds the routes of the only tree rooted at root.
func routesOf(t testing.TB, files map[string]string, root string) map[string]*rules.Route {
	t.Helper()
	ws := workspace(t, files)
	out := map[string]*rules.Route{}
	for _, tr := range ws.Trees {
		if tr.Root().Path != root {
			continue
		}
		for _, r := range rules.BuildRoutes(Routes, tr) {
			if _, dup := out[r.ID]; dup {
				t.Fatalf("duplicate route ID %s", r.ID)
			}
			out[r.ID] = r
		}
	}
	return out
}

// applyFixes applies the edits of every fix to the files and returns the new
// contents.
func applyFixes(t *testing.T, files map[string]string, ds []rules.Finding) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range files {
		out[k] = v
	}
	type edit struct {
		file       string
		start, end int
		text       string
	}
	var edits []edit
	for _, d := range ds {
		for _, f := range d.Fixes {
			for _, e := range f.Edits {
				edits = append(edits, edit{e.Range.File, e.Range.Start.Offset, e.Range.End.Offset, e.NewText})
			}
		}
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	for _, e := range edits {
		s := out[e.file]
		out[e.file] = s[:e.start] + e.text + s[e.end:]
	}
	return out
}
