package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/linttest"
)

// TestFixKeepsLineEndings: a fix that inserts a line into a CRLF file
// inserts a CRLF line; the file keeps its line endings.
func TestFixKeepsLineEndings(t *testing.T) {
	dir := t.TempDir()
	// verify optional: without a certificate { ssl_c_used } is false and
	// the client's copy stays (under verify required the set always runs).
	lf := "global\n    maxconn 100\ndefaults\n    mode http\nfrontend fe\n    bind :443 ssl crt /s.pem ca-file /ca.pem verify optional\n" +
		"    http-request set-header X-SSL-Client-Verify %[ssl_c_verify] if { ssl_c_used }\n    default_backend be\nbackend be\n    server s1 127.0.0.1:8000\n"
	path := filepath.Join(dir, "haproxy.cfg")
	writeFileT(t, path, strings.ReplaceAll(lf, "\n", "\r\n"))
	code, _, errs := cli(t, "check", "--isolated", "--fix", "--unsafe-fixes", dir)
	if !strings.Contains(errs, "fixed 1 finding in 1 file") {
		t.Fatalf("--fix: exit %d\n%s", code, errs)
	}
	got := read(t, path)
	if !strings.Contains(got, "del-header") {
		t.Fatalf("not fixed: %q", got)
	}
	if strings.Count(got, "\n") != strings.Count(got, "\r\n") {
		t.Errorf("a line ending other than CRLF in the fixed file:\n%q", got)
	}
}

// TestFixLeavesAllUntouched: when one of the files to fix cannot be
// written (here: read-only), no file is changed, and the error says which
// and why.
func TestFixLeavesAllUntouched(t *testing.T) {
	defer linttest.Register()()
	dir := t.TempDir()
	write(t, dir, map[string]string{"a.toy": toyVulnerable, "b.toy": toyVulnerable})
	if err := os.Chmod(filepath.Join(dir, "b.toy"), 0o444); err != nil {
		t.Fatal(err)
	}
	code, _, errs := cli(t, "check", "--isolated", "--fix", dir)
	if code != exitError || !strings.Contains(errs, "b.toy") || !strings.Contains(errs, "read-only") || !strings.Contains(errs, "no file was changed") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	for _, f := range []string{"a.toy", "b.toy"} {
		if read(t, filepath.Join(dir, f)) != toyVulnerable {
			t.Errorf("%s was changed", f)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files left behind: %v", entries)
	}
}
