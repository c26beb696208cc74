package config

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestDocumentedExampleParses keeps the complete example in
// README.md valid: every key known, every value of the right type.
func TestDocumentedExampleParses(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```toml\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("no ```toml block in README.md")
	}
	c, err := Parse("/docs/.mtlslint.toml", m[1])
	if err != nil {
		t.Fatalf("the documented example does not load: %v", err)
	}
	keys := []string{"select", "extend-select", "ignore", "exclude", "fail-on", "nginx-version", "haproxy-version",
		"django-version", "gunicorn-version", "settings-module", "dev-settings", "trusted-proxies",
		"per-file-ignores", "severity", "topology", "helm"}
	for _, k := range keys {
		if _, ok := c.Lines[k]; !ok {
			t.Errorf("the complete example lacks %q", k)
		}
	}
	if len(c.Topology) != 1 || len(c.Helm) != 1 || c.Helm[0].Line == 0 || c.Severity["N010"] != "low" || c.PerFileIgnores["tests/**"][0] != "ALL" {
		t.Errorf("decoded %+v", c)
	}
}
