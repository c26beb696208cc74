package lint_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/baseline"
	"github.com/mtlslint/mtlslint/internal/config"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/internal/linttest"
	"github.com/mtlslint/mtlslint/rules"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func run(t *testing.T, opts lint.Options) *lint.Result {
	t.Helper()
	res, err := lint.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// summary renders findings as "file:line CODE[!]" (! = suppressed), sorted.
func summary(diags []rules.Finding) string {
	var out []string
	for _, d := range diags {
		s := d.Range.File + ":" + strconv.Itoa(d.Range.Start.Line) + " " + d.Code
		if d.Suppression != nil {
			s += "!" + d.Suppression.Kind
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func TestSuppressionsInThePipeline(t *testing.T) {
	defer linttest.Register()()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.toy": `# mtlslint: ignore-file[Z902] -- risky is fine in this file
server {  # mtlslint: ignore[Z903] -- guarded upstream
    vuln 1;  # mtlslint: ignore[Z901]
    # mtlslint: ignore[Z901] -- nothing vulnerable below
    ok;
    risky;
}
`})
	res := run(t, lint.Options{Root: dir, NoConfig: true})
	want := "a.toy:2 Z903!inSource a.toy:3 M003 a.toy:3 Z901!inSource a.toy:4 M001 a.toy:6 Z902!inSource"
	if got := summary(res.Findings); got != want {
		t.Errorf("findings:\n got %s\nwant %s", got, want)
	}
	for _, d := range res.Findings {
		if d.Fingerprint == "" {
			t.Errorf("%s has no fingerprint", d.Code)
		}
		if d.Code == "M001" && (len(d.Fixes) != 1 || !d.Fixes[0].Safe) {
			t.Errorf("M001 must carry a safe fix: %+v", d.Fixes)
		}
	}
	// --no-ignore: every finding, no findings about suppressions.
	res = run(t, lint.Options{Root: dir, NoConfig: true, NoIgnore: true})
	if got := summary(res.Findings); got != "a.toy:2 Z903 a.toy:3 Z901 a.toy:6 Z902" {
		t.Errorf("--no-ignore: %s", got)
	}
	// A suppression of a rule that is not selected is not reported unused.
	res = run(t, lint.Options{Root: dir, NoConfig: true, Select: []string{"Z903", "M"}})
	// (The reason-less one is still reported as such.)
	if got := summary(res.Findings); got != "a.toy:2 Z903!inSource a.toy:3 M003" {
		t.Errorf("--select Z903,M: %s", got)
	}
}

func TestNestedConfigurationsNearestWins(t *testing.T) {
	defer linttest.Register()()
	dir := t.TempDir()
	toy := "server {\n    vuln 1;\n    risky;\n}\n"
	writeFiles(t, dir, map[string]string{
		".mtlslint.toml": "ignore = [\"Z902\"]\nnginx-version = \"1.22.1\"\n[severity]\nZ9 = \"low\"\n",
		"a.toy":          toy,
		"svc/.mtlslint.toml": `select = ["Z902", "Z903"]
exclude = ["gen/**"]
nginx-version = "1.27.0"
[severity]
Z903 = "info"
[per-file-ignores]
"legacy/*.toy" = ["Z903"]
`,
		"svc/b.toy":          toy,
		"svc/gen/c.toy":      toy,
		"svc/legacy/d.toy":   toy,
		"svc/deeper/e.toy":   toy,
		"other/gen/f.toy":    toy, // svc's exclude does not reach here
		"other/gen/g.ignore": "x",
	})
	res := run(t, lint.Options{Root: dir})
	want := strings.Join([]string{
		"a.toy:1 Z903", "a.toy:2 Z901",
		"other/gen/f.toy:1 Z903", "other/gen/f.toy:2 Z901",
		"svc/b.toy:1 Z903", "svc/b.toy:3 Z902",
		"svc/deeper/e.toy:1 Z903", "svc/deeper/e.toy:3 Z902",
		"svc/legacy/d.toy:1 Z903!external", "svc/legacy/d.toy:3 Z902",
	}, " ")
	if got := summary(res.Findings); got != want {
		t.Errorf("findings:\n got %s\nwant %s", got, want)
	}
	for _, d := range res.Findings {
		inSvc := strings.HasPrefix(d.Range.File, "svc/")
		switch {
		case d.Code == "Z903" && inSvc && (d.Severity != rules.Info || !strings.Contains(d.Message, "[version 1.27.0]")):
			t.Errorf("svc's severity and nginx-version must apply: %s %s %q", d.Range, d.Severity, d.Message)
		case d.Code == "Z903" && !inSvc && (d.Severity != rules.Low || !strings.Contains(d.Message, "[version 1.22.1]")):
			t.Errorf("the root's severity (by prefix) and nginx-version must apply: %s %s %q", d.Range, d.Severity, d.Message)
		case d.Code == "Z902" && d.Severity != rules.Medium:
			t.Errorf("svc has no severity for Z902: %s", d.Severity)
		}
	}
	if res.Config == nil || filepath.Base(res.Config.Path) != ".mtlslint.toml" || filepath.Dir(res.Config.Path) != dir {
		t.Errorf("root configuration: %+v", res.Config)
	}

	// The command line wins over every file: --select replaces select.
	res = run(t, lint.Options{Root: dir, Select: []string{"Z901"}})
	if got := summary(res.Findings); got != "a.toy:2 Z901 other/gen/f.toy:2 Z901 svc/b.toy:2 Z901 svc/deeper/e.toy:2 Z901 svc/legacy/d.toy:2 Z901" {
		t.Errorf("--select Z901: %s", got)
	}

	// --config: one file for everything, its globs relative to itself.
	cfg := filepath.Join(dir, "svc", ".mtlslint.toml")
	res = run(t, lint.Options{Root: dir, ConfigPath: cfg})
	if got := summary(res.Findings); strings.Contains(got, "Z901") || !strings.Contains(got, "a.toy:3 Z902") || strings.Contains(got, "svc/gen") {
		t.Errorf("--config svc/.mtlslint.toml: %s", got)
	}

	// Linting the subproject alone finds its configuration too.
	res = run(t, lint.Options{Root: filepath.Join(dir, "svc")})
	if got := summary(res.Findings); got != "b.toy:1 Z903 b.toy:3 Z902 deeper/e.toy:1 Z903 deeper/e.toy:3 Z902 legacy/d.toy:1 Z903!external legacy/d.toy:3 Z902" {
		t.Errorf("root svc: %s", got)
	}
}

func TestConfigurationErrorsCarryFileAndLine(t *testing.T) {
	defer linttest.Register()()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.toy":              "vuln;\n",
		"svc/.mtlslint.toml": "# svc\nextend-select = [\"Q123\"]\n",
		"svc/b.toy":          "vuln;\n",
	})
	_, err := lint.Run(context.Background(), lint.Options{Root: dir})
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Line != 2 || !strings.HasSuffix(ce.File, filepath.Join("svc", ".mtlslint.toml")) || !strings.Contains(ce.Msg, "Q123") {
		t.Fatalf("err = %v", err)
	}
	writeFiles(t, dir, map[string]string{"svc/.mtlslint.toml": "selct = []\n"})
	_, err = lint.Run(context.Background(), lint.Options{Root: dir})
	if !errors.As(err, &ce) || ce.Line != 1 {
		t.Fatalf("unknown key in a nested file: %v", err)
	}
}

func TestBaselineSurvivesLineShiftsAndCatchesNewFindings(t *testing.T) {
	defer linttest.Register()()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.toy": `server one {
    guard;
    location a {
        vuln 1;
    }
}
`})
	res := run(t, lint.Options{Root: dir, NoConfig: true})
	if got := summary(res.Findings); got != "a.toy:4 Z901" {
		t.Fatalf("before: %s", got)
	}
	bl := baseline.New(res.Findings)
	path := filepath.Join(dir, baseline.FileName)
	if err := bl.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	bl, err := baseline.Read(path, dir)
	if err != nil {
		t.Fatal(err)
	}

	// Lines inserted above, the statement reformatted: still baselined.
	writeFiles(t, dir, map[string]string{"a.toy": `# a header comment

server one {
    guard;
    listen 443;
    location a {
        ok;
          vuln    1;   # reformatted
    }
}
`})
	res = run(t, lint.Options{Root: dir, NoConfig: true, Baseline: bl})
	if got := summary(res.Findings); got != "a.toy:8 Z901!baseline" {
		t.Errorf("after shifting: %s", got)
	}
	if res.BaselineStale != 0 {
		t.Errorf("stale = %d", res.BaselineStale)
	}

	// The same finding in a new block is new, and so is one in a new file.
	writeFiles(t, dir, map[string]string{"a.toy": `server one {
    guard;
    location a {
        vuln 1;
    }
    location b {
        vuln 1;
    }
}
`, "b.toy": "server one {\n    guard;\n    location a {\n        vuln 1;\n    }\n}\n"})
	res = run(t, lint.Options{Root: dir, NoConfig: true, Baseline: bl})
	if got := summary(res.Findings); got != "a.toy:4 Z901!baseline a.toy:7 Z901 b.toy:4 Z901" {
		t.Errorf("new identical findings: %s", got)
	}

	// Fixed: the entry is stale.
	os.Remove(filepath.Join(dir, "b.toy"))
	writeFiles(t, dir, map[string]string{"a.toy": "server one {\n    guard;\n}\n"})
	res = run(t, lint.Options{Root: dir, NoConfig: true, Baseline: bl})
	if res.BaselineStale != 1 || len(res.Findings) != 0 {
		t.Errorf("after the fix: stale %d, %s", res.BaselineStale, summary(res.Findings))
	}
}
