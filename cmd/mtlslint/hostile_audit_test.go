package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/audit"
	"github.com/mtlslint/mtlslint/internal/gen/hostile"
)

// TestHostileAudit runs the hostile-input suite (internal/gen/hostile,
// generated here) through audit with low limits (20 s and 512 MiB per
// repository, two at once): the ordinary repositories around the hostile
// ones are reported ok with their findings, and each hostile one has its
// recorded outcome and cause. It asserts causes, not timings. Then
// --resume retries the crashed repository once and records it failed,
// and the reports list the suppressions and the repositories not
// analysed.
func TestHostileAudit(t *testing.T) {
	if testing.Short() {
		t.Skip("the suite takes about 30 s")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed (a case commits files)")
	}
	const marker = "crash-me"
	t.Setenv(crashMarkerEnv, marker)
	org := filepath.Join(t.TempDir(), "org")
	cases := hostile.Cases(marker)
	for _, c := range cases {
		if err := hostile.Write(filepath.Join(org, c.Name), c); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "audit.jsonl")
	args := []string{"audit", "--format", "jsonl", "--timeout", "20s", "--max-memory", "512MiB", "--jobs", "2", "--quiet", "-o", out, org}
	if code, _, stderr := cli(t, args...); code != exitClean {
		t.Fatalf("audit: exit %d\n%s", code, stderr)
	}
	recs := readRecords(t, out)
	for _, c := range cases {
		r := recs.Repos[c.Name] // named relative to the audited directory
		if r == nil {
			t.Errorf("%s: no record", c.Name)
			continue
		}
		s := r.Summary
		if s.Status != c.Status {
			t.Errorf("%s (%s): status %s (%s), want %s", c.Name, c.What, s.Status, s.Error, c.Status)
			continue
		}
		if c.Cause != "" && !strings.Contains(s.Error, c.Cause) {
			t.Errorf("%s: cause %q, want it to say %q", c.Name, s.Error, c.Cause)
		}
		if s.Status == audit.StatusOK && s.FilesChecked == 0 {
			t.Errorf("%s: reported ok with no file analysed", c.Name)
		}
		for _, code := range c.Codes {
			if s.ByCode[code] == 0 {
				t.Errorf("%s (%s): no %s finding; by code %v", c.Name, c.What, code, s.ByCode)
			}
		}
		switch {
		case strings.HasSuffix(c.Name, "gitignore-hides"):
			if s.IgnoredUntracked != 1 {
				t.Errorf("%s: %d ignored untracked entries, want 1", c.Name, s.IgnoredUntracked)
			}
		case strings.HasSuffix(c.Name, "suppressed-critical"):
			if len(s.Suppressions) != 1 || s.Suppressions[0].Code != "H001" || s.Suppressions[0].Severity != "critical" ||
				s.Suppressions[0].Justification != "the backend strips it" || s.Suppressions[0].Location.Start.Line != 8 {
				t.Errorf("%s: suppressions %+v", c.Name, s.Suppressions)
			}
		case s.Status != audit.StatusOK:
			if s.Status != audit.StatusCrash && s.MaxRSS == 0 {
				t.Errorf("%s: no memory figure", c.Name)
			}
		}
	}
	if a := recs.Audits; len(a) != 1 || a[0].Timeouts != 1 || a[0].Memory != 1 || a[0].Crashes != 1 {
		t.Errorf("audit record %+v", a)
	}

	// --resume analyses the crashed repository once more; it crashes again
	// and is recorded as failed, with the cause.
	args = []string{"audit", "--format", "jsonl", "--timeout", "20s", "--max-memory", "512MiB", "--quiet", "--resume", out, org}
	if code, _, stderr := cli(t, args...); code != exitClean {
		t.Fatalf("audit --resume: exit %d\n%s", code, stderr)
	}
	recs = readRecords(t, out)
	crashed := recs.Repos["20-"+marker]
	if crashed == nil || crashed.Summary.Status != audit.StatusFailed || !strings.Contains(crashed.Summary.Error, "stack overflow") {
		t.Errorf("after --resume: %+v", crashed)
	}
	if last := recs.Audits[len(recs.Audits)-1]; last.Completed != 1 || last.Failed != 1 || last.Resumed != len(cases)-1 {
		t.Errorf("resumed audit record %+v", last)
	}

	// The reports list the suppressions with their reasons, and the
	// repositories not analysed with their causes.
	md := filepath.Join(t.TempDir(), "r.md")
	if code, _, stderr := cli(t, "report", "--markdown", md, out); code != exitClean {
		t.Fatalf("report: exit %d\n%s", code, stderr)
	}
	text := read(t, md)
	for _, want := range []string{"## Suppressed findings", "the backend strips it", "| H001 | critical |", "passed the memory ceiling", "not finished within 20s", "crashed again when retried"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Markdown report lacks %q", want)
		}
	}

	// --no-ignore: the suppressed critical finding counts.
	one := filepath.Join(org, "15-suppressed-critical")
	out2 := filepath.Join(t.TempDir(), "no-ignore.jsonl")
	if code, _, stderr := cli(t, "audit", "--no-ignore", "--format", "jsonl", "--quiet", "-o", out2, one); code != exitClean {
		t.Fatalf("audit --no-ignore: exit %d\n%s", code, stderr)
	}
	if r := readRecords(t, out2).Repos[filepath.Base(one)]; r == nil || r.Summary.ByCode["H001"] != 1 || r.Summary.Suppressed != 0 {
		t.Errorf("--no-ignore: %+v", r)
	}
	if err := os.RemoveAll(org); err != nil {
		t.Log(err)
	}
}
