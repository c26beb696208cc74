package wanttest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func diag(file string, line int, code string, related ...string) rules.Finding {
	d := rules.Finding{Code: code, Diagnostic: rules.Diagnostic{Range: source.Range{File: file, Start: source.Pos{Line: line, Col: 1}}}}
	for _, r := range related {
		l, _ := parseLoc(r)
		d.Related = append(d.Related, source.Related{Range: source.Range{File: l.File, Start: source.Pos{Line: l.Line, Col: 1}}})
	}
	return d
}

func TestReadAndCompare(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "nginx.conf", "server {\n  ssl_verify_client optional;  # want N003 N010\n  # want@+1 N001\n  location / {}\n}\n")
	write(t, dir, "app/settings.py", "X = 1  # want X001 related nginx.conf:4\n")
	write(t, dir, "WANT", "# comment\nspec.json:3 O001\n")
	wants, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(wants) != 5 {
		t.Fatalf("got %d wants: %v", len(wants), wants)
	}
	good := []rules.Finding{
		diag("nginx.conf", 2, "N003"), diag("nginx.conf", 2, "N010"), diag("nginx.conf", 4, "N001"),
		diag("app/settings.py", 1, "X001", "nginx.conf:4"), diag("spec.json", 3, "O001"),
	}
	if p := Compare(wants, good); len(p) != 0 {
		t.Errorf("exact match reported problems: %v", p)
	}
	// A missing diagnostic, an unexpected one, and a wrong related location.
	bad := []rules.Finding{
		diag("nginx.conf", 2, "N003"), diag("nginx.conf", 4, "N001"), diag("nginx.conf", 4, "N001"),
		diag("app/settings.py", 1, "X001", "nginx.conf:5"), diag("spec.json", 3, "O001"),
	}
	p := Compare(wants, bad)
	joined := strings.Join(p, "\n")
	for _, want := range []string{"missing:    nginx.conf:2 N010", "missing:    app/settings.py:1 X001 related nginx.conf:4", "unexpected: nginx.conf:4 N001", "unexpected: app/settings.py:1 X001"} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems lack %q:\n%s", want, joined)
		}
	}
	if len(p) != 4 {
		t.Errorf("want 4 problems, got %d:\n%s", len(p), joined)
	}
}

func TestBadExpectation(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "WANT", "nginx.conf N003\n")
	if _, err := Read(dir); err == nil {
		t.Error("a WANT line without a line number must be an error")
	}
}

func TestSuppressedFindingsAreNotCompared(t *testing.T) {
	sup := diag("n.conf", 3, "N003")
	sup.Suppression = &rules.Suppression{Kind: "inSource", Justification: "lab"}
	if p := Compare(nil, []rules.Finding{sup}); len(p) != 0 {
		t.Errorf("a suppressed finding was unexpected: %v", p)
	}
	if p := Compare([]Want{{Loc: Loc{"n.conf", 3}, Code: "N003"}}, []rules.Finding{sup}); len(p) != 1 || !strings.HasPrefix(p[0], "missing:") {
		t.Errorf("a suppressed finding must not satisfy an expectation: %v", p)
	}
}

func TestMessagePattern(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "app/views.py", "if v == 'FAILED':  # want X002 \"lock.?out\"\n    pass\nx = 1  # want@+1 X001 \"spoof \\\"x\\\"\" related app/views.py:1\ny = 2\n")
	write(t, dir, "WANT", "spec.json:3 O001 \"breaking change\"\n")
	wants, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(wants) != 3 {
		t.Fatalf("got %d wants: %v", len(wants), wants)
	}
	withMsg := func(d rules.Finding, msg string) rules.Finding { d.Message = msg; return d }
	good := []rules.Finding{
		withMsg(diag("app/views.py", 1, "X002"), "a lock-out: valid clients never match"),
		withMsg(diag("app/views.py", 4, "X001", "app/views.py:1"), `a spoof "x" gets through`),
		withMsg(diag("spec.json", 3, "O001"), "a breaking change"),
	}
	if p := Compare(wants, good); len(p) != 0 {
		t.Errorf("matching messages reported problems: %v", p)
	}
	// The right code at the right line, but a bypass worded as a lock-out
	// is not the finding the scenario expects.
	bad := []rules.Finding{
		withMsg(diag("app/views.py", 1, "X002"), "NONE is admitted: a bypass"),
		withMsg(diag("app/views.py", 4, "X001", "app/views.py:1"), `a spoof "x" gets through`),
		withMsg(diag("spec.json", 3, "O001"), "a breaking change"),
	}
	p := Compare(wants, bad)
	joined := strings.Join(p, "\n")
	if len(p) != 2 || !strings.Contains(joined, `missing:    app/views.py:1 X002 "lock.?out"`) || !strings.Contains(joined, "unexpected: app/views.py:1 X002") {
		t.Errorf("want the lock-out missing and the bypass unexpected, got:\n%s", joined)
	}
	write(t, dir, "WANT", "spec.json:3 O001 \"(unclosed\"\n")
	if _, err := Read(dir); err == nil {
		t.Error("a message pattern that does not compile must be an error")
	}
}
