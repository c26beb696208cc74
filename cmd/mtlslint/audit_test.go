package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/audit"
	"github.com/mtlslint/mtlslint/internal/gen"
)

func readRecords(t *testing.T, files ...string) *audit.Records {
	t.Helper()
	var recs audit.Records
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		err = audit.ReadRecords(f, &recs, false)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return &recs
}

// findingKeys lists every finding of the records, for comparing runs.
func findingKeys(recs *audit.Records) []string {
	var keys []string
	for id, r := range recs.Repos {
		for _, f := range r.Findings {
			keys = append(keys, fmt.Sprintf("%s|%s|%s:%d", id, f.Code, f.Location.File, f.Location.Start.Line))
		}
	}
	sort.Strings(keys)
	return keys
}

func TestAuditEndToEnd(t *testing.T) {
	org := filepath.Join(t.TempDir(), "org")
	manifest, err := gen.Org(org, 12, gen.Options{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	full := filepath.Join(out, "full.jsonl")
	code, _, stderr := cli(t, "audit", "--depth", "1", "--format", "jsonl", "-o", full, org)
	if code != exitClean {
		t.Fatalf("audit: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "12 repositories audited") {
		t.Errorf("no final progress line on standard error:\n%s", stderr)
	}
	all := readRecords(t, full)
	if len(all.Repos) != 12 || len(all.Audits) != 1 || all.Audits[0].Completed != 12 {
		t.Fatalf("%d repositories, audits %+v", len(all.Repos), all.Audits)
	}
	want := findingKeys(all)
	vulnerable := 0
	for _, m := range manifest {
		if m.Vulnerable() {
			vulnerable++
		}
	}
	if len(want) == 0 || vulnerable == 0 {
		t.Fatalf("%d findings over %d vulnerable repositories", len(want), vulnerable)
	}

	// Three shards, merged, find the same.
	var shards []string
	seen := 0
	for i := range 3 {
		p := filepath.Join(out, fmt.Sprintf("shard-%d.jsonl", i))
		code, _, stderr := cli(t, "audit", "--depth", "1", "--format", "jsonl", "--quiet", "--shard", fmt.Sprintf("%d/3", i), "-o", p, org)
		if code != exitClean || stderr != "" {
			t.Fatalf("shard %d: exit %d, %q", i, code, stderr)
		}
		seen += len(readRecords(t, p).Repos)
		shards = append(shards, p)
	}
	if seen != 12 {
		t.Errorf("the shards audited %d repositories in all, want 12", seen)
	}
	if got := findingKeys(readRecords(t, shards...)); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sharded findings differ:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The Indexed Job's environment selects the same shard as --shard.
	t.Setenv(audit.EnvShardIndex, "1")
	t.Setenv(audit.EnvShardCount, "3")
	_, fromEnv, _ := cli(t, "audit", "--depth", "1", "--list", org)
	_, fromFlag, _ := cli(t, "audit", "--depth", "1", "--list", "--shard", "1/3", org)
	if fromEnv != fromFlag || strings.Count(fromEnv, "\n") != len(readRecords(t, shards[1]).Repos) {
		t.Errorf("--list from the environment:\n%s\nfrom --shard 1/3:\n%s", fromEnv, fromFlag)
	}
	os.Unsetenv(audit.EnvShardIndex)
	os.Unsetenv(audit.EnvShardCount)

	// A run killed after five repositories, resumed: the result equals
	// the full run, and the five are not audited again.
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	var cut strings.Builder
	summaries := 0
	for _, l := range lines {
		if summaries == 5 {
			cut.WriteString(l[:len(l)/2]) // the kill lands mid-line
			break
		}
		cut.WriteString(l)
		if strings.Contains(l, `"type":"repo"`) {
			summaries++
		}
	}
	resumed := filepath.Join(out, "resumed.jsonl")
	if err := os.WriteFile(resumed, []byte(cut.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = cli(t, "audit", "--depth", "1", "--format", "jsonl", "--resume", resumed, org)
	if code != exitClean || !strings.Contains(stderr, "7 repositories audited, 5 already complete") {
		t.Fatalf("resume: exit %d\n%s", code, stderr)
	}
	again := readRecords(t, resumed)
	if got := findingKeys(again); strings.Join(got, "\n") != strings.Join(want, "\n") || len(again.Repos) != 12 || again.Malformed != 1 {
		t.Errorf("resumed run: %d repositories, %d malformed lines, findings equal: %v", len(again.Repos), again.Malformed, strings.Join(got, "\n") == strings.Join(want, "\n"))
	}

	// The report merges the shards and the resumed run; each repository
	// counts once.
	html, md := filepath.Join(out, "report.html"), filepath.Join(out, "report.md")
	code, _, stderr = cli(t, append([]string{"report", "--html", html, "--markdown", md, resumed}, shards...)...)
	if code != exitClean {
		t.Fatalf("report: exit %d\n%s", code, stderr)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	mdText, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range manifest {
		if !bytes.Contains(page, []byte(m.Name)) || !bytes.Contains(mdText, []byte(m.Name)) {
			t.Errorf("%s missing from a report", m.Name)
		}
	}
	if !bytes.Contains(page, []byte(fmt.Sprintf("12 repositories, <strong>%d findings</strong>", len(want)))) {
		t.Errorf("HTML totals do not count each repository once (want %d findings)", len(want))
	}

	// --fail-on turns findings into exit code 1.
	if code, _, _ := cli(t, "audit", "--depth", "1", "--quiet", "--fail-on", "critical", "-o", os.DevNull, org); code != exitFindings {
		t.Errorf("--fail-on critical: exit %d, want 1", code)
	}
}

func TestAuditUsageErrors(t *testing.T) {
	empty := t.TempDir()
	for _, args := range [][]string{
		{"audit", empty},                                 // no repository
		{"audit", "--format", "sarif", empty},            // no such format
		{"audit", "--resume", "x.jsonl", empty},          // resume needs jsonl
		{"audit", "--shard", "3/3", "--depth", "1", "."}, // bad shard
		{"audit"}, // nothing to audit
		{"audit", "--select", "Q999", "--depth", "1", "."},
		{"report", "--html", "-"},                   // no input
		{"report", filepath.Join(empty, "x.jsonl")}, // no output format
		{"report", "--html", "-", empty + "/none.jsonl"},
	} {
		if code, _, _ := cli(t, args...); code != exitError {
			t.Errorf("%q: exit %d, want %d", args, code, exitError)
		}
	}
}
