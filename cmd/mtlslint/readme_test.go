package main

import (
	"bytes"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestREADMERuleTable keeps the README's rule table equal to the registry.
// Regenerate with: UPDATE_README=1 go test ./cmd/mtlslint -run READMERuleTable
func TestREADMERuleTable(t *testing.T) {
	const begin, end = "<!-- rules:begin", "<!-- rules:end -->"
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, begin)
	j := strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatal("README.md lacks the rules:begin / rules:end markers")
	}
	i += strings.Index(s[i:], "\n") + 1
	want := RuleTable()
	if s[i:j] == want {
		return
	}
	if os.Getenv("UPDATE_README") != "" {
		if err := os.WriteFile("../../README.md", []byte(s[:i]+want+s[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's rule table is out of date; regenerate with UPDATE_README=1 go test ./cmd/mtlslint -run READMERuleTable")
}

// TestRulesDoc keeps docs/rules.md (the target of every rule's help URI)
// equal to the registry's documentation.
func TestRulesDoc(t *testing.T) {
	const p = "../../docs/rules.md"
	want := RulesDoc()
	b, err := os.ReadFile(p)
	if string(b) == want {
		return
	}
	if os.Getenv("UPDATE_README") != "" {
		if err := os.MkdirAll("../../docs", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Errorf("docs/rules.md is out of date; regenerate with UPDATE_README=1 go test ./cmd/mtlslint -run 'READMERuleTable|RulesDoc'")
}

// TestREADMEGraphPicture keeps the README's picture of a fixture's graph
// equal to what the command the README names draws.
// Regenerate with: UPDATE_README=1 go test ./cmd/mtlslint -run READMEGraphPicture
func TestREADMEGraphPicture(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?m)^mtlslint (graph --format svg [^>\n]+) > (\\S+)$").FindStringSubmatch(string(b))
	if m == nil {
		t.Fatal("README.md names no `mtlslint graph --format svg ... > FILE` command")
	}
	args, picture := strings.Fields(m[1]), m[2]
	if !strings.Contains(string(b), "]("+picture+")") {
		t.Fatalf("README.md does not show %s", picture)
	}
	t.Chdir("../..")
	var out, errOut bytes.Buffer
	if code := run(args, strings.NewReader(""), &out, &errOut); code != exitClean {
		t.Fatalf("mtlslint %s: exit %d: %s", m[1], code, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "<svg") || !strings.Contains(out.String(), `data-severity="critical"`) {
		t.Fatalf("the command draws no picture with a finding:\n%.300s", out.String())
	}
	have, err := os.ReadFile(picture)
	if bytes.Equal(have, out.Bytes()) {
		return
	}
	if os.Getenv("UPDATE_README") != "" {
		if err := os.WriteFile(picture, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Errorf("%s is out of date; regenerate with UPDATE_README=1 go test ./cmd/mtlslint -run READMEGraphPicture", picture)
}

var update = flag.Bool("update", false, "rewrite the README's demo output (and the other generated parts) from what the commands print")

// TestREADMEDemoOutput keeps the demo output in the README equal to what
// the command above it prints, run from the repository root. When a
// message changes on purpose, regenerate it with
// go test ./cmd/mtlslint -run READMEDemo -update (or UPDATE_README=1).
func TestREADMEDemoOutput(t *testing.T) {
	const begin, end = "<!-- demo:begin", "<!-- demo:end -->"
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatal("README.md lacks the demo:begin / demo:end markers")
	}
	m := regexp.MustCompile("(?m)^go run ./cmd/mtlslint (check [^#\n]+?)\\s+#").FindStringSubmatch(s[:i])
	if m == nil {
		t.Fatal("README.md names no `go run ./cmd/mtlslint check ...` command before the demo output")
	}
	i += strings.Index(s[i:], "\n") + 1
	t.Chdir("../..")
	var out, errOut bytes.Buffer
	code := run(strings.Fields(m[1]), strings.NewReader(""), &out, &errOut)
	if code != exitFindings || errOut.Len() > 0 {
		t.Fatalf("mtlslint %s: exit %d (the README says 1)\n%s", m[1], code, errOut.String())
	}
	want := "```\n" + out.String() + "```\n"
	if s[i:j] == want {
		return
	}
	if *update || os.Getenv("UPDATE_README") != "" {
		if err := os.WriteFile("README.md", []byte(s[:i]+want+s[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's demo output is not what `mtlslint %s` prints; regenerate it with go test ./cmd/mtlslint -run READMEDemo -update\nit prints:\n%s", m[1], out.String())
}
