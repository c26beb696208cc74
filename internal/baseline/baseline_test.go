package baseline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

func diag(fp string, line int) rules.Finding {
	return rules.Finding{Code: "N003", Fingerprint: fp, Diagnostic: rules.Diagnostic{Message: "m", Range: source.Range{File: "n.conf", Start: source.Pos{Line: line, Col: 1}}}}
}

func TestCountsAndRoundTrip(t *testing.T) {
	sup := diag("c", 9)
	sup.Suppression = &rules.Suppression{Kind: "inSource"}
	b := New([]rules.Finding{diag("a", 3), diag("a", 7), diag("b", 5), sup})
	if len(b.Findings) != 2 || b.Findings[0].Fingerprint != "a" || b.Findings[0].Count != 2 || b.Findings[1].Count != 0 {
		t.Fatalf("entries: %+v (suppressed findings are not recorded; identical ones are counted)", b.Findings)
	}
	path := filepath.Join(t.TempDir(), FileName)
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	r, err := Read(path, filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	diags := []rules.Finding{diag("a", 1), diag("a", 2), diag("a", 3), diag("b", 4), diag("x", 5)}
	if stale := r.Apply(diags); stale != 0 {
		t.Errorf("stale = %d", stale)
	}
	var reported []int
	for _, d := range diags {
		if d.Suppression == nil {
			reported = append(reported, d.Range.Start.Line)
		} else if d.Suppression.Kind != "baseline" || !strings.Contains(d.Suppression.Justification, FileName) {
			t.Errorf("suppression %+v", d.Suppression)
		}
	}
	if len(reported) != 2 || reported[0] != 3 || reported[1] != 5 {
		t.Errorf("reported lines %v: a third identical finding and an unknown one are new", reported)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(filepath.Join(dir, "missing.json"), dir); err == nil || !strings.Contains(err.Error(), "mtlslint baseline") {
		t.Errorf("missing: %v", err)
	}
	p := filepath.Join(dir, "v9.json")
	os.WriteFile(p, []byte(`{"version": 9, "findings": []}`), 0o644)
	if _, err := Read(p, dir); err == nil || !strings.Contains(err.Error(), "version 9") {
		t.Errorf("version: %v", err)
	}
	os.WriteFile(p, []byte(`{"version": `), 0o644)
	if _, err := Read(p, dir); err == nil {
		t.Error("broken JSON accepted")
	}
}

// A baseline written by an earlier release (file version 1) holds
// fingerprints of version 1: they match findings by the fingerprint that
// version computed, and a new baseline holds version 2.
func TestVersion1FilesMatchByLegacyFingerprint(t *testing.T) {
	p := filepath.Join(t.TempDir(), FileName)
	os.WriteFile(p, []byte(`{"version": 1, "tool": "mtlslint", "findings": [{"fingerprint": "old-a", "code": "N003", "file": "n.conf"}]}`), 0o644)
	b, err := Read(p, filepath.Dir(p))
	if err != nil {
		t.Fatal(err)
	}
	a, other := diag("new-a", 1), diag("new-b", 2)
	a.LegacyFingerprint, other.LegacyFingerprint = "old-a", "old-b"
	diags := []rules.Finding{a, other}
	if stale := b.Apply(diags); stale != 0 || diags[0].Suppression == nil || diags[1].Suppression != nil {
		t.Errorf("stale %d, suppressions %+v %+v", stale, diags[0].Suppression, diags[1].Suppression)
	}
	if New(diags).Version != 2 {
		t.Error("a new baseline is written with version 2")
	}
}
