package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gatedSite is a site that verifies client certificates optionally and
// refuses the requests without a verified one; it has no CRL (N009, low,
// there before the change and after it).
const gatedSite = `upstream app { server 127.0.0.1:8000; }
server {
    listen 443 ssl;
    server_name app.example.com;
    ssl_certificate /etc/nginx/tls/server.pem;
    ssl_certificate_key /etc/nginx/tls/server.key;
    ssl_client_certificate /etc/nginx/tls/client-ca.pem;
    ssl_verify_client optional;
    ssl_protocols TLSv1.2 TLSv1.3;
    proxy_set_header X-SSL-Client-DN $ssl_client_s_dn;

    location / {
        if ($ssl_client_verify != SUCCESS) {
            return 403;
        }
        proxy_pass http://app;
    }
}
`

// TestBaselineRevSeesTheRegression: deleting the gate that made
// `ssl_verify_client optional;` safe changes no line of the finding it
// causes, so --new-from-rev passes the change; --baseline-rev lints the
// revision's tree from git's objects and reports what it did not have (and
// not what it had: the missing CRL).
func TestBaselineRevSeesTheRegression(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	write(t, repo, map[string]string{
		"deploy/nginx/nginx.conf":                "events {}\nhttp {\n    include sites-enabled/*.conf;\n}\n",
		"deploy/nginx/sites-available/shop.conf": gatedSite,
		"README.md":                              "# shop\n",
	})
	if err := os.MkdirAll(filepath.Join(repo, "deploy/nginx/sites-enabled"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../sites-available/shop.conf", filepath.Join(repo, "deploy/nginx/sites-enabled/shop.conf")); err != nil {
		t.Fatal(err)
	}
	gitRun(t, repo, "init", "-q")
	gitRun(t, repo, "add", "-A")
	gitRun(t, repo, "commit", "-q", "-m", "shop")
	ungated := strings.Replace(gatedSite, "        if ($ssl_client_verify != SUCCESS) {\n            return 403;\n        }\n", "", 1)
	write(t, repo, map[string]string{"deploy/nginx/sites-available/shop.conf": ungated})
	status := func() string {
		out, err := exec.Command("git", "-C", repo, "status", "--porcelain", "--ignored").CombinedOutput()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	before := status()
	t.Chdir(repo)

	// Both runs see the missing CRL, now and at HEAD.
	code, out, errs := cli(t, "check", "--isolated", "--quiet", "deploy")
	if code != exitFindings || !strings.Contains(out, "N003") || !strings.Contains(out, "N009") {
		t.Fatalf("the change must make N003 appear beside N009: exit %d\n%s%s", code, out, errs)
	}
	if code, out, _ := cli(t, "check", "--isolated", "--quiet", "--new-from-rev", "HEAD", "deploy"); code != exitClean || out != "" {
		t.Errorf("--new-from-rev: the regression sits on an unchanged line, so it passes (exit %d):\n%s", code, out)
	}
	code, out, errs = cli(t, "check", "--isolated", "--quiet", "--baseline-rev", "HEAD", "deploy")
	if code != exitFindings || !strings.Contains(out, "deploy/nginx/sites-enabled/shop.conf:8:5: high N003") || strings.Contains(out, "N009") {
		t.Errorf("--baseline-rev HEAD: exit %d, want the new N003 alone:\n%s%s", code, out, errs)
	}
	_, out, _ = cli(t, "check", "--isolated", "--format", "json", "--show-suppressed", "--baseline-rev", "HEAD", "deploy")
	if !strings.Contains(out, `"kind": "baseline"`) {
		t.Errorf("the finding HEAD had is listed as accepted by the baseline with --show-suppressed:\n%s", out)
	}
	// Fixing it: what HEAD had and is gone is said, nothing is reported.
	write(t, repo, map[string]string{"deploy/nginx/sites-available/shop.conf": strings.Replace(gatedSite, "    ssl_verify_client optional;\n", "    ssl_verify_client optional;\n    ssl_crl /etc/nginx/tls/client-ca.crl;\n", 1)})
	if code, out, errs := cli(t, "check", "--isolated", "--baseline-rev", "HEAD", "deploy"); code != exitClean || !strings.Contains(errs, "1 finding at HEAD is no longer reported") {
		t.Errorf("after the fix: exit %d\n%s%s", code, out, errs)
	}
	write(t, repo, map[string]string{"deploy/nginx/sites-available/shop.conf": ungated})
	if after := status(); after != before {
		t.Errorf("--baseline-rev changed the work tree or left files:\nbefore\n%s\nafter\n%s", before, after)
	}

	for _, args := range [][]string{
		{"check", "--baseline-rev", "no-such-rev", "deploy"},
		{"check", "--baseline-rev", "HEAD", "--baseline", "b.json", "deploy"},
	} {
		if code, _, errs := cli(t, args...); code != exitError || !strings.Contains(errs, "baseline") {
			t.Errorf("mtlslint %s: exit %d %s", strings.Join(args, " "), code, errs)
		}
	}
}

// checkJSON is what the test reads of check's JSON output.
type checkJSON struct {
	Diagnostics []struct {
		Code, Message string
		Location      struct {
			File  string
			Start struct{ Line int }
		}
		Suppression *struct{ Kind string }
	}
}

// TestBaselineRevOfAnUnchangedTree: the fixtures, committed and unchanged,
// linted from git's objects give the findings they give from the disk, so
// --baseline-rev HEAD accepts every one of them and reports nothing: every
// format, include, glob and link loads from a revision as from a
// directory.
func TestBaselineRevOfAnUnchangedTree(t *testing.T) {
	if testing.Short() {
		t.Skip("lints the fixtures twice; skipped with -short")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	copyTree(t, filepath.Join(moduleRoot(t), "fixtures"), repo)
	gitRun(t, repo, "init", "-q")
	gitRun(t, repo, "add", "-A")
	gitRun(t, repo, "commit", "-q", "-m", "fixtures")
	t.Chdir(repo)

	_, all, errs := cli(t, "check", "--isolated", "--format", "json", ".")
	var plain checkJSON
	if err := json.Unmarshal([]byte(all), &plain); err != nil {
		t.Fatalf("%v\n%s", err, errs)
	}
	if len(plain.Diagnostics) < 300 {
		t.Fatalf("only %d findings in the fixtures", len(plain.Diagnostics))
	}
	code, out, errs := cli(t, "check", "--isolated", "--format", "json", "--show-suppressed", "--baseline-rev", "HEAD", ".")
	var gated checkJSON
	if err := json.Unmarshal([]byte(out), &gated); err != nil {
		t.Fatalf("%v\n%s", err, errs)
	}
	accepted := 0
	for _, d := range gated.Diagnostics {
		if d.Suppression == nil {
			t.Errorf("reported, though HEAD is the work tree: %s:%d %s %s", d.Location.File, d.Location.Start.Line, d.Code, d.Message)
		} else if d.Suppression.Kind == "baseline" {
			accepted++
		}
	}
	if code != exitClean || accepted != len(plain.Diagnostics) || strings.Contains(errs, "no longer reported") {
		t.Errorf("exit %d: %d of %d findings accepted as HEAD's\n%s", code, accepted, len(plain.Diagnostics), errs)
	}
}
