package bench

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/audit"
	"github.com/mtlslint/mtlslint/internal/gen"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/rules"
)

// plantedIn says, for each defect, which rule families must be registered
// for the audit to see it, and where (file base name) and from which
// family (code prefix) a finding of at least high severity must come.
var plantedIn = map[gen.Defect]struct {
	needs    []string // code prefixes of the families involved
	files    []string // base names of the files the finding may be in (none: any)
	prefixes string   // code prefixes that may report it
}{
	gen.VerifyOptional:    {needs: []string{"N"}, files: []string{"api.conf"}, prefixes: "NX"},
	gen.HeaderInheritance: {needs: []string{"N"}, files: []string{"api.conf"}, prefixes: "NX"},
	gen.HAProxyAddHeader:  {needs: []string{"H"}, files: []string{"haproxy.cfg"}, prefixes: "HX"},
	gen.SchemeHeader:      {needs: []string{"N", "X"}, prefixes: "NDX"},
	// The bind, or the compose port that publishes it.
	gen.PublicBind: {needs: []string{"G"}, files: []string{"gunicorn.conf.py", "docker-compose.yml"}, prefixes: "GX"},
}

func registered(prefix string) bool {
	for _, r := range lint.Registry() {
		if strings.HasPrefix(r.Code, prefix) {
			return true
		}
	}
	return false
}

// TestPlantedDefectsFound audits a generated organisation: every planted
// defect whose rule families are registered is reported at high severity
// or above, and the secure repositories have no such finding at all.
func TestPlantedDefectsFound(t *testing.T) {
	dir := t.TempDir()
	manifest, err := gen.Org(dir, 40, gen.Options{Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	repos, _, err := audit.Discover([]string{dir}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	st, err := audit.Run(context.Background(), repos, &out, audit.Options{})
	if err != nil || st.Errors+st.Timeouts != 0 {
		t.Fatalf("%v, %+v", err, st)
	}
	var recs audit.Records
	if err := audit.ReadRecords(&out, &recs, false); err != nil {
		t.Fatal(err)
	}
	serious := func(f audit.Finding) bool {
		s, err := rules.ParseSeverity(f.Severity)
		return err == nil && s >= rules.High
	}
	checked := 0
	for _, m := range manifest {
		res := recs.Repos[m.Name] // named relative to the audited directory
		if res == nil {
			t.Fatalf("no result for %s", m.Name)
		}
		if !m.Vulnerable() {
			for _, f := range res.Findings {
				if serious(f) {
					t.Errorf("secure %s: %s %s %s:%d %s", m.Name, f.Severity, f.Code, f.Location.File, f.Location.Start.Line, f.Message)
				}
			}
			continue
		}
		for _, d := range m.Defects {
			p := plantedIn[d]
			ready := true
			for _, n := range p.needs {
				ready = ready && registered(n)
			}
			if !ready {
				continue
			}
			checked++
			found := false
			for _, f := range res.Findings {
				if serious(f) && strings.ContainsRune(p.prefixes, rune(f.Code[0])) && (len(p.files) == 0 || slices.Contains(p.files, path.Base(f.Location.File))) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: %s not reported (findings: %s)", m.Name, d, summary(res.Findings))
			}
		}
	}
	t.Logf("%d planted defects checked with the registered families", checked)
}

func summary(fs []audit.Finding) string {
	var s []string
	for _, f := range fs {
		s = append(s, fmt.Sprintf("%s %s %s:%d", f.Code, f.Severity, f.Location.File, f.Location.Start.Line))
	}
	return strings.Join(s, "; ")
}
