package e2e

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/rules"
)

// TestE2E starts every scenario's real servers, attacks them, lints the
// same files, and checks that both agree.
func TestE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real servers; skipped with -short")
	}
	ci := os.Getenv("CI") == "true"
	versions, missing := Probe()
	require := func(t *testing.T, names ...string) {
		t.Helper()
		var why []string
		for _, n := range names {
			if m, ok := missing[n]; ok {
				why = append(why, m)
			}
		}
		if len(why) == 0 {
			return
		}
		msg := fmt.Sprintf("missing servers (install with `%s`): %s", InstallHint, strings.Join(why, "; "))
		if ci {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	require(t, "python3-django gunicorn")

	base, err := os.MkdirTemp("", "mtlslint-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	// nginx's workers run as nobody when the tests run as root: let them
	// reach the temp paths.
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	pki, err := NewPKI(filepath.Join(base, "certs"), ServerNames()...)
	if err != nil {
		t.Fatal(err)
	}

	started := time.Now()
	results := make([]*Result, len(Scenarios))
	t.Cleanup(func() {
		defer os.RemoveAll(base)
		fmt.Printf("\n%s\n", TextTable(results))
		fmt.Printf("%d scenarios in %.1fs\n", count(results), time.Since(started).Seconds())
		if d := Disagreements(results); len(d) > 0 {
			fmt.Printf("disagreements:\n  %s\n", strings.Join(d, "\n  "))
		}
		if Complete(results) {
			if err := writeVerified(Markdown(results, versions)); err != nil {
				t.Error(err)
			}
		}
	})

	sem := make(chan struct{}, 2)
	for i, sc := range Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			require(t, serversOf(sc)...)
			sem <- struct{}{}
			// Registered first, so it runs after the servers have stopped.
			t.Cleanup(func() { <-sem })
			results[i] = &Result{Scenario: sc}
			runScenario(t, results[i], base, pki, versions)
		})
	}
}

func count(results []*Result) int {
	n := 0
	for _, r := range results {
		if r != nil && r.Err == nil {
			n++
		}
	}
	return n
}

// serversOf names what a scenario needs installed.
func serversOf(sc *Scenario) []string {
	need := []string{"python3-django gunicorn"}
	dir := path.Join("scenarios", sc.Name)
	if b, err := fs.ReadFile(assets, path.Join(dir, "Procfile")); err == nil {
		switch web := string(b); {
		case strings.Contains(web, "web: uwsgi"):
			need = append(need, "uwsgi uwsgi-plugin-python3", "python3-flask uvicorn python3-fastapi")
		case strings.Contains(web, "web: uvicorn"):
			need = append(need, "python3-flask uvicorn python3-fastapi")
		}
	}
	if b, err := fs.ReadFile(assets, path.Join(dir, "e2eapp/settings.py")); err == nil && strings.Contains(string(b), "rest_framework") {
		need = append(need, "python3-djangorestframework")
	}
	if _, err := fs.Stat(assets, path.Join(dir, "nginx.conf")); err == nil {
		need = append(need, "nginx")
	}
	if _, err := fs.Stat(assets, path.Join(dir, "haproxy.cfg")); err == nil {
		need = append(need, "haproxy")
	}
	if b, err := fs.ReadFile(assets, path.Join(dir, "apache.conf")); err == nil {
		need = append(need, "apache2")
		if strings.Contains(string(b), "mod_wsgi") {
			need = append(need, "libapache2-mod-wsgi-py3")
		}
	}
	if _, err := fs.Stat(assets, path.Join(dir, "Caddyfile")); err == nil {
		need = append(need, "caddy")
	}
	return need
}

// runScenario fills res; it may stop the test early (t.Fatal), leaving
// res.Err set for the report.
func runScenario(t *testing.T, res *Result, base string, pki *PKI, versions Versions) {
	sc := res.Scenario
	begin := time.Now()
	defer func() { res.Duration = time.Since(begin) }()
	ctx := context.Background()

	d, err := Materialize(sc, filepath.Join(base, sc.Name), pki.Dir)
	if err != nil {
		res.Err = err
		t.Fatal(err)
	}

	var model *rules.Model
	res.Findings, model, res.StaticErr = Lint(ctx, d.Site, versions)
	if res.StaticErr != nil {
		t.Errorf("mtlslint: %v", res.StaticErr)
	}
	for _, f := range res.Findings {
		t.Logf("finding %s %s %s:%d %s", f.Code, f.Severity, f.File, f.Line, f.Message)
	}

	servers, err := Up(t, d)
	if err != nil {
		res.Err = err
		t.Fatalf("%v\n%s", err, servers.Logs(d))
	}

	attacker := NewAttacker(d, pki, model)
	if sc.InProxy {
		attacker.Warm(ctx)
	}
	res.Outcomes = attacker.Run(ctx)
	if l, ok := d.PrimaryTLS(); ok {
		res.Primary = l.Port
	}
	res.Checks = Compare(res.Outcomes, res.Findings, res.Primary, res.StaticErr == nil)

	for _, o := range res.Outcomes {
		for _, a := range o.Attempts {
			t.Logf("%-32s %s → %s", o.Attack, a.Where, a.Result)
		}
		if m := res.FactMismatch(o); m != "" {
			if o.Verdict == Broken {
				m += "\n" + servers.Logs(d)
			}
			t.Errorf("%s: %s", o.Attack, m)
		}
	}
	for _, name := range res.Unsent() {
		t.Errorf("%s: listed as a breach, but no probe of that name applies to this deployment", name)
	}
	for _, c := range res.Checks {
		if c.Status == Missed || c.Status == Refuted {
			t.Errorf("%s: static and runtime disagree: %s", c.Mechanism, c.Describe())
		}
	}
}

// writeVerified writes docs/verified.md at the module root.
func writeVerified(md string) error {
	dir, err := os.Getwd()
	if err != nil {
		return err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return errors.New("no go.mod above the test directory")
		}
		dir = parent
	}
	if err := os.MkdirAll(filepath.Join(dir, "docs"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "docs", "verified.md"), []byte(md), 0o644)
}
