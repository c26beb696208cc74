package openapi

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oasdiff/oasdiff/checker"

	"github.com/mtlslint/mtlslint/internal/wanttest"
	"github.com/mtlslint/mtlslint/parsers"
	oas "github.com/mtlslint/mtlslint/parsers/openapi"
	"github.com/mtlslint/mtlslint/rules"
)

// loadPair loads old.yaml and new.yaml of a testdata/diff scenario.
func loadPair(t *testing.T, dir string) (old, new *oas.Spec) {
	t.Helper()
	r, err := parsers.NewFSReader(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	var probs []string
	load := func(name string) *oas.Spec {
		s, ps := oas.LoadSpec(r, name)
		for _, p := range ps {
			probs = append(probs, p.Range.String()+" "+string(p.Kind)+" "+p.Message)
		}
		if s == nil {
			t.Fatalf("%s: not loaded: %v", name, probs)
		}
		return s
	}
	old, new = load("old.yaml"), load("new.yaml")
	if len(probs) > 0 {
		t.Fatalf("load problems: %v", probs)
	}
	return old, new
}

// TestDiffPairs runs the comparison on every pair under testdata/diff and
// checks the findings against the `# want` comments in new.yaml.
func TestDiffPairs(t *testing.T) {
	dirs, err := filepath.Glob("testdata/diff/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no pairs: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			old, new := loadPair(t, dir)
			wants, err := wanttest.Read(dir)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(dir, "-secure") != (len(wants) == 0) {
				t.Fatalf("a -secure pair expects nothing, any other pair something: %d expectations", len(wants))
			}
			diags := SpecDiff(DiffInput{Old: old, New: new, OldLabel: "old.yaml", RelateOld: true})
			for _, p := range wanttest.Compare(wants, diags) {
				t.Error(p)
			}
			for _, d := range diags {
				if d.Code != "O004" || d.Severity != Dropped.Severity || !strings.Contains(d.Text(), "oasdiff") || len(d.Related) != 1 || d.Related[0].Range.File != "old.yaml" {
					t.Errorf("finding %+v", d)
				}
			}
		})
	}
}

// TestOasdiffBreakingMissesDroppedMTLS shows why spec-diff exists: for a
// spec whose only requirement, mutual TLS, is removed, oasdiff's breaking
// check (level WARN and above) reports nothing, and its changelog has the
// change at INFO only; mtlslint reports it as high.
func TestOasdiffBreakingMissesDroppedMTLS(t *testing.T) {
	for _, pair := range []string{"dropped-entirely", "empty-list", "anonymous-alternative", "became-alternative"} {
		t.Run(pair, func(t *testing.T) {
			old, new := loadPair(t, filepath.Join("testdata/diff", pair))
			breaking, err := OasdiffCheck(old.Doc, new.Doc, checker.WARN, "old.yaml", "new.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if len(breaking) != 0 {
				t.Errorf("oasdiff breaking reports %d changes, e.g. %s", len(breaking), breaking[0].GetId())
			}
			all, err := OasdiffCheck(old.Doc, new.Doc, checker.INFO, "old.yaml", "new.yaml")
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range all {
				ids = append(ids, c.GetId()+"@"+c.GetLevel().String())
			}
			want := checker.APISecurityAnonymousAccessAddedId + "@info"
			if pair == "became-alternative" {
				want = checker.APISecurityAddedCheckId + "@info"
				if !strings.Contains(strings.Join(ids, " "), checker.APIGlobalSecurityAddedCheckId) && !strings.Contains(strings.Join(ids, " "), want) {
					t.Errorf("oasdiff changelog %v lacks the added alternative", ids)
				}
			} else if !strings.Contains(strings.Join(ids, " "), want) {
				t.Errorf("oasdiff changelog %v, want %s", ids, want)
			}
			diags := SpecDiff(DiffInput{Old: old, New: new, OldLabel: "old.yaml"})
			if len(diags) == 0 {
				t.Fatal("mtlslint reports nothing")
			}
			for _, d := range diags {
				if d.Severity.String() != "high" || !strings.Contains(d.Text(), "`oasdiff breaking` shows") && !strings.Contains(d.Text(), "`oasdiff breaking` does not show") {
					t.Errorf("%s: %s", d.Severity, d.Message)
				}
			}
		})
	}
}

// TestDiffWithoutKin: when kin-openapi cannot load a version, the
// comparison still runs on the documents' structure and says that oasdiff
// could not compare.
func TestDiffWithoutKin(t *testing.T) {
	dir := t.TempDir()
	old := "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nsecurity: [{c: []}]\npaths:\n  /x:\n    get:\n      responses: {'200': {$ref: '#/components/responses/Missing'}}\ncomponents:\n  securitySchemes:\n    c: {type: mutualTLS}\n"
	new := strings.Replace(old, "security: [{c: []}]", "security: [{}]", 1)
	for name, c := range map[string]string{"old.yaml": old, "new.yaml": new} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, _ := parsers.NewFSReader(dir, 0, nil)
	o, _ := oas.LoadSpec(r, "old.yaml")
	n, _ := oas.LoadSpec(r, "new.yaml")
	if o.Doc != nil {
		t.Fatal("kin-openapi loaded a document with a dangling reference")
	}
	diags := SpecDiff(DiffInput{Old: o, New: n, OldLabel: "HEAD~1"})
	if len(diags) != 1 || !strings.Contains(diags[0].Text(), "oasdiff could not compare") || !strings.Contains(diags[0].Text(), "HEAD~1") {
		t.Errorf("diagnostics %+v", diags)
	}
}

// O004 is an ordinary rule: it compares each document with its version in
// the settings' base, finds nothing without a base or for a document the
// base does not have, and reports a base version it cannot read.
func TestDroppedReadsTheBase(t *testing.T) {
	write := func(dir, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "api.yaml"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pair := filepath.Join("testdata", "diff", "became-alternative")
	oldText, err := os.ReadFile(filepath.Join(pair, "old.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	newText, err := os.ReadFile(filepath.Join(pair, "new.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	work, base, empty, broken := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	write(work, string(newText))
	write(base, string(oldText))
	write(broken, "openapi: [3.1.0\n")
	ws, err := parsers.Load(context.Background(), parsers.Options{Root: work})
	if err != nil {
		t.Fatal(err)
	}
	run := func(baseDir string) []rules.Finding {
		s := &rules.Settings{}
		if baseDir != "" {
			r, err := parsers.NewFSReader(baseDir, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			s.Base, s.BaseRevision = r, "base"
		}
		return (&rules.Engine{Rules: []*rules.Rule{Dropped}, Settings: s}).Run(context.Background(), ws).Findings
	}
	count := func(ds []rules.Finding, sev rules.Severity) int {
		n := 0
		for _, d := range ds {
			if d.Code == "O004" && d.Severity == sev {
				n++
			}
		}
		return n
	}
	if ds := run(base); count(ds, rules.High) != 2 || len(ds) != 2 {
		t.Errorf("against the base: %+v", ds)
	}
	if ds := run(""); len(ds) != 0 {
		t.Errorf("without a base: %+v", ds)
	}
	if ds := run(empty); len(ds) != 0 {
		t.Errorf("a document new since the base: %+v", ds)
	}
	if ds := run(broken); count(ds, rules.Low) != 1 || len(ds) != 1 || !strings.Contains(ds[0].Message, "cannot be compared") {
		t.Errorf("an unreadable base version: %+v", ds)
	}
}
