package django_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/lint"
)

// implementedWCodes are the check --deploy warnings mtlslint implements,
// and the rule that reports each.
var implementedWCodes = map[string]string{
	"security.W001": "D006", "security.W004": "D007", "security.W005": "D008", "security.W008": "D010",
	"security.W009": "D011", "security.W010": "D012", "security.W011": "D012", "security.W012": "D012",
	"security.W016": "D013", "security.W018": "D005", "security.W020": "D014", "security.W021": "D009",
	"security.W022": "D015",
}

// parityScenarios are the settings fixtures Django can import, with the
// module that is deployed.
var parityScenarios = []struct{ dir, module string }{
	{"deploy-vulnerable", "proj.settings"},
	{"deploy-secure", "proj.settings"},
	{"deploy-hsts-vulnerable", "settings"},
	{"split-settings-vulnerable", "proj.settings.prod"},
	{"split-settings-secure", "proj.settings.prod"},
	{"middleware-order-vulnerable", "proj.settings"},
	{"middleware-order-secure", "proj.settings"},
	{"gunicorn-vulnerable", "settings"},
	{"gunicorn-secure", "settings"},
	{"deploy-empty-vulnerable", "settings"},
}

const systemPython = "/usr/bin/python3"

var wInMessage = regexp.MustCompile(`\((W\d{3})\)\.?$`)

func TestCheckDeployParity(t *testing.T) {
	probe := exec.Command(systemPython, "-c", "import django; print(django.get_version())")
	out, err := probe.Output()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Django (python3-django) is required under CI: %v", err)
		}
		t.Skipf("skipping: %s cannot import django (%v); install python3-django", systemPython, err)
	}
	t.Logf("Django %s", strings.TrimSpace(string(out)))
	script, _ := filepath.Abs(filepath.Join("testdata", "deploy_checks.py"))
	for _, sc := range parityScenarios {
		sc := sc
		t.Run(sc.dir, func(t *testing.T) {
			dir, _ := filepath.Abs(filepath.Join("..", "..", "fixtures", "django", sc.dir))
			cmd := exec.Command(systemPython, script)
			// PYTHONDONTWRITEBYTECODE keeps the fixtures free of __pycache__.
			cmd.Env = []string{"PATH=/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE=1", "PYTHONPATH=" + dir, "DJANGO_SETTINGS_MODULE=" + sc.module,
				"DJANGO_SECRET_KEY=" + strings.Repeat("kT3#v9Qz!pL2", 5)}
			cmd.Dir = dir
			raw, err := cmd.Output()
			if err != nil {
				stderr := ""
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = string(ee.Stderr)
				}
				t.Fatalf("django check failed: %v\n%s", err, stderr)
			}
			var ids []string
			if err := json.Unmarshal(raw, &ids); err != nil {
				t.Fatalf("decoding %q: %v", raw, err)
			}
			var want []string
			for _, id := range ids {
				if _, ok := implementedWCodes[id]; ok {
					want = append(want, strings.TrimPrefix(id, "security."))
				}
			}
			res, err := lint.Run(context.Background(), lint.Options{Root: dir})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range res.Findings {
				if d.Code == "D005" {
					got = append(got, "W018")
					continue
				}
				if m := wInMessage.FindStringSubmatch(d.Message); m != nil && implementedWCodes["security."+m[1]] == d.Code {
					got = append(got, m[1])
				}
			}
			sort.Strings(want)
			sort.Strings(got)
			if strings.Join(want, " ") != strings.Join(got, " ") {
				t.Errorf("check --deploy reports %v, mtlslint %v", want, got)
			}
			t.Logf("%s (%s): %v", sc.dir, sc.module, want)
		})
	}
}
