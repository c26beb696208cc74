package parsers

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// fakeFormat detects ".conf" files whose content starts with "conf".
var fakeFormat = Format{
	Kind:      "fake",
	Candidate: func(rel string) bool { return strings.HasSuffix(rel, ".conf") },
	Detect:    func(rel string, b []byte) bool { return strings.HasPrefix(string(b), "conf") },
	Load: func(r source.Reader, paths []string) ([]Tree, []source.Problem) {
		return nil, nil
	},
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSkipHookAndForceExclude(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.conf": "conf", "sub/b.conf": "conf", "sub/gen/c.conf": "conf", "notes.txt": "x", "other.conf": "plain",
	})
	skip := func(rel string, isDir bool) bool { return rel == "sub/gen" && isDir }
	ws, err := Load(context.Background(), Options{Root: dir, Formats: []Format{fakeFormat}, Skip: skip})
	if err != nil {
		t.Fatal(err)
	}
	got := append([]string{}, ws.Discovered["fake"]...)
	sort.Strings(got)
	if strings.Join(got, " ") != "a.conf sub/b.conf" {
		t.Errorf("discovered %v: the Skip hook must prune sub/gen", got)
	}

	// Named files: excluded ones are linted unless ForceExclude; files no
	// format detects are reported unless SkipUndetected.
	named := []string{"sub/gen/c.conf", "notes.txt", "a.conf"}
	ws, _ = Load(context.Background(), Options{Root: dir, Paths: named, Formats: []Format{fakeFormat}, Skip: skip})
	if len(ws.Discovered["fake"]) != 2 || len(ws.Problems) != 1 || !strings.Contains(ws.Problems[0].Message, "not a format") {
		t.Errorf("without the options: discovered %v, problems %v", ws.Discovered["fake"], ws.Problems)
	}
	ws, _ = Load(context.Background(), Options{Root: dir, Paths: named, Formats: []Format{fakeFormat}, Skip: skip, ForceExclude: true, SkipUndetected: true})
	if strings.Join(ws.Discovered["fake"], " ") != "a.conf" || len(ws.Problems) != 0 {
		t.Errorf("with the options: discovered %v, problems %v", ws.Discovered["fake"], ws.Problems)
	}
	if ws.Targets["sub/gen/c.conf"] || !ws.Targets["a.conf"] {
		t.Errorf("targets %v", ws.Targets)
	}
	// Every named file excluded: still a (empty) target set, so that
	// context loading reports nothing instead of everything.
	ws, _ = Load(context.Background(), Options{Root: dir, Paths: []string{"sub/gen/c.conf"}, Formats: []Format{fakeFormat}, Exclude: []string{"sub/**"}, ForceExclude: true, Context: true})
	if ws.Targets == nil || len(ws.Targets) != 0 {
		t.Errorf("targets %v", ws.Targets)
	}
}

func TestExcludeMatch(t *testing.T) {
	for _, c := range []struct {
		glob, rel string
		want      bool
	}{
		{"legacy/**", "legacy", true},
		{"legacy/**", "legacy/a/b.conf", true},
		{"*.bak", "x/y.bak", true},
		{"./gen/*.conf", "gen/a.conf", true},
		{"gen/*.conf", "x/gen/a.conf", false},
	} {
		if got := ExcludeMatch(c.glob, c.rel); got != c.want {
			t.Errorf("ExcludeMatch(%q, %q) = %v", c.glob, c.rel, got)
		}
	}
}
