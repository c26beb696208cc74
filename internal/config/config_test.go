package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseDedicatedFile(t *testing.T) {
	src := `# mtlslint configuration
select = ["N", "H"]
ignore = ["N010"]
fail-on = "medium"
nginx-version = "1.22.1"

[severity]
N003 = "critical"

[per-file-ignores]
"legacy/*.conf" = ["N003"]

[[topology]]
proxy = "deploy/nginx.conf"
app = "proj.settings.prod"
`
	c, err := Parse("/r/.mtlslint.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Select, ",") != "N,H" || c.FailOn != "medium" || c.NginxVersion != "1.22.1" {
		t.Errorf("decoded %+v", c)
	}
	if c.Severity["N003"] != "critical" || c.PerFileIgnores["legacy/*.conf"][0] != "N003" {
		t.Errorf("tables: %+v %+v", c.Severity, c.PerFileIgnores)
	}
	if len(c.Topology) != 1 || c.Topology[0].App != "proj.settings.prod" || c.Topology[0].Line != 13 {
		t.Errorf("topology: %+v", c.Topology)
	}
	if got := c.Origin("fail-on"); got != "/r/.mtlslint.toml:4" {
		t.Errorf("origin of fail-on = %q", got)
	}
	if got := c.Origin("exclude"); got != "default" {
		t.Errorf("origin of an unset key = %q", got)
	}
}

func TestUnknownKeyHasFileAndLine(t *testing.T) {
	_, err := Parse("/r/.mtlslint.toml", []byte("select = [\"N\"]\n\nselcet = [\"H\"]\n"))
	var ce *Error
	if !errors.As(err, &ce) || ce.Line != 3 || !strings.Contains(ce.Msg, `"selcet"`) {
		t.Fatalf("err = %v", err)
	}
	_, err = Parse("/r/.mtlslint.toml", []byte("[severity]\nN003 = \"huge\"\n"))
	if err == nil || !strings.Contains(err.Error(), "huge") {
		t.Fatalf("bad severity accepted: %v", err)
	}
	_, err = Parse("/r/.mtlslint.toml", []byte("select = [\n"))
	if !errors.As(err, &ce) || ce.Line == 0 {
		t.Fatalf("syntax error without line: %v", err)
	}
}

// TestNestingLimit: a configuration that nests arrays or inline tables
// deeper than the limit is refused with its line, before the TOML
// library (which takes minutes on such input) sees it.
func TestNestingLimit(t *testing.T) {
	deep := "select = [\"N\"]\n[severity]\nx = " + strings.Repeat("{a = ", 5000) + "1" + strings.Repeat("}", 5000) + "\n"
	_, err := Parse("/r/pyproject.toml", []byte(deep))
	var ce *Error
	if !errors.As(err, &ce) || ce.Line != 3 || !strings.Contains(ce.Msg, "nested more than 200 deep") {
		t.Fatalf("err = %v", err)
	}
}

func TestPyproject(t *testing.T) {
	src := "[tool.black]\nline-length = 100\n\n[tool.mtlslint]\nignore = [\"D\"]\nbogus = 1\n"
	_, err := Parse("/r/pyproject.toml", []byte(src))
	var ce *Error
	if !errors.As(err, &ce) || ce.Line != 6 {
		t.Fatalf("unknown key in [tool.mtlslint] must be reported at line 6: %v", err)
	}
	c, err := Parse("/r/pyproject.toml", []byte("[tool.black]\nline-length = 100\n\n[tool.mtlslint]\nignore = [\"D\"]\n"))
	if err != nil || len(c.Ignore) != 1 {
		t.Fatalf("c=%+v err=%v", c, err)
	}
}

func TestFindNearest(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	must := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must(filepath.Join(root, FileName), "")
	must(filepath.Join(root, "a", "pyproject.toml"), "[tool.ruff]\n")
	if got, _ := Find(deep); got != filepath.Join(root, FileName) {
		t.Errorf("pyproject without [tool.mtlslint] must be skipped; found %q", got)
	}
	must(filepath.Join(root, "a", "pyproject.toml"), "[tool.mtlslint]\nselect=[\"N\"]\n")
	if got, _ := Find(deep); got != filepath.Join(root, "a", "pyproject.toml") {
		t.Errorf("nearest config not found: %q", got)
	}
}

// FuzzParse: any content of .mtlslint.toml or pyproject.toml is parsed or
// refused with an error, never a panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte("select = [\"N\"]\n[severity]\nN003 = \"low\"\n"), false)
	f.Add([]byte("[tool.mtlslint]\nignore = [\"D\"]\n"), true)
	f.Fuzz(func(t *testing.T, b []byte, pyproject bool) {
		name := ".mtlslint.toml"
		if pyproject {
			name = "pyproject.toml"
		}
		c, err := Parse(name, b)
		if err == nil && c == nil {
			t.Fatal("no configuration and no error")
		}
	})
}
