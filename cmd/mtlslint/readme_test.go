package main

import (
	"bytes"
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

// TestREADMEDemo keeps the demo output in README.md's "Try it" section
// equal to what the command prints: every line of the block but "..."
// appears in the output, in order.
func TestREADMEDemo(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	const intro = "The first command lints a small deployment"
	i := strings.Index(s, intro)
	if i < 0 {
		t.Fatal("README.md lacks the demo")
	}
	start := strings.Index(s[i:], "```\n") + i + 4
	end := strings.Index(s[start:], "```") + start
	t.Chdir("../..")
	_, out, _ := runCmd(t, "check", "fixtures/crossfile/demo-vulnerable")
	rest := out
	for _, line := range strings.Split(strings.TrimSuffix(s[start:end], "\n"), "\n") {
		if line == "..." {
			continue
		}
		k := strings.Index(rest, line+"\n")
		if k < 0 {
			t.Fatalf("README demo line not printed (in this order) by `mtlslint check fixtures/crossfile/demo-vulnerable`:\n%s\n\noutput:\n%s", line, out)
		}
		rest = rest[k+len(line):]
	}
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
