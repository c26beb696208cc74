// Package precision measures mtlslint against realistic deployments whose
// verdict (secure or vulnerable) is known independently of the linter.
//
// Each directory under deployments/ is a small repository laid out the way a
// team would lay it out, with an EXPECT.toml that states the verdict, the
// reasoning and, for a vulnerable one, the request that gets through and the
// rules whose description matches the defect. The suite has two invariants:
//
//   - no secure deployment gets a high or critical finding;
//   - every vulnerable deployment gets at least one high or critical finding
//     from one of its rules.
//
// Today's violations are listed in KNOWN.tsv. The test fails on a violation
// that is not listed and on a listed line that no longer occurs, so the list
// can only shrink as the rules improve and never hides a new regression.
package precision

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/rules"
)

var updateKnown = flag.Bool("update-known", false, "rewrite KNOWN.tsv with today's violations and print what changed")

const (
	deploymentsDir = "deployments"
	knownFile      = "KNOWN.tsv"

	// The suite never shrinks below this many deployments of each verdict.
	minPerVerdict = 22
	// Messages are compared by their first excerptRunes characters, so that a
	// reworded tail (a fix hint) does not churn the list.
	excerptRunes = 140
)

// expectation is a deployment's EXPECT.toml.
type expectation struct {
	Verdict  string   `toml:"verdict"`  // "secure" or "vulnerable"
	Why      string   `toml:"why"`      // the reasoning, citing runtime facts
	Observed string   `toml:"observed"` // what was measured on real servers, when runtime-facts.md does not say it
	Rules    []string `toml:"rules"`    // vulnerable: rules whose description matches the defect
	Attack   *attack  `toml:"attack"`   // vulnerable: the request that gets through
}

type attack struct {
	Class       string   `toml:"class"`
	Request     string   `toml:"request"`
	Headers     []string `toml:"headers"`
	Certificate string   `toml:"certificate"`
	Outcome     string   `toml:"outcome"`
}

// finding is one reported diagnostic, reduced to what the suite compares.
type finding struct {
	Code     string
	Severity rules.Severity
	Location string // file:line relative to the deployment
	Message  string
}

// outcome is what the whole pipeline reported for one deployment.
type outcome struct {
	Name     string
	Expect   expectation
	Findings []finding
	Files    int
	Err      error // the deployment could not be loaded or linted
}

// violation is one line of KNOWN.tsv.
type violation struct {
	Deployment string
	Kind       string // "false-positive" or "missed"
	Rule       string // the finding's rule; for "missed", the expected rules joined by "|"
	Location   string // file:line of the finding; "-" for "missed"
	Excerpt    string
}

func (v violation) line() string {
	return strings.Join([]string{v.Deployment, v.Kind, v.Rule, v.Location, v.Excerpt}, "\t")
}

func TestPrecision(t *testing.T) {
	names := deploymentNames(t)
	outcomes := make([]outcome, len(names))
	t.Run("deployments", func(t *testing.T) {
		for i, name := range names {
			i, name := i, name
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				outcomes[i] = run(name)
				if err := outcomes[i].Err; err != nil {
					t.Errorf("%s: %v", name, err)
				}
			})
		}
	})

	counts := map[string]int{}
	var today []violation
	failedToLoad := map[string]bool{}
	for _, o := range outcomes {
		if o.Err != nil {
			failedToLoad[o.Name] = true
			continue
		}
		counts[o.Expect.Verdict]++
		today = append(today, violations(o)...)
	}
	if testing.Verbose() {
		t.Log("\n" + table(outcomes))
	}
	if len(failedToLoad) > 0 {
		t.Fatalf("%d deployments failed to load; the ratchet is not compared", len(failedToLoad))
	}
	for _, verdict := range []string{"secure", "vulnerable"} {
		if counts[verdict] < minPerVerdict {
			t.Errorf("only %d %s deployments; the suite keeps at least %d of each verdict", counts[verdict], verdict, minPerVerdict)
		}
	}

	known, err := readKnown(knownFile)
	if err != nil {
		t.Fatal(err)
	}
	added, gone := compare(lines(today), known)
	if *updateKnown {
		if err := writeKnown(knownFile, today); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s: %d lines (%d new, %d no longer occurring)\n%s", knownFile, len(today), len(added), len(gone), diff(added, gone))
		return
	}
	for _, l := range added {
		t.Errorf("new violation, not in %s:\n\t%s", knownFile, l)
	}
	for _, l := range gone {
		t.Errorf("listed in %s but no longer occurs (remove the line; it only shrinks as rules improve):\n\t%s", knownFile, l)
	}
	if len(added)+len(gone) > 0 {
		t.Logf("after checking every change: go test ./internal/precision -run TestPrecision -update-known")
	}
}

// deploymentNames lists deployments/*; every entry must be a directory.
func deploymentNames(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(deploymentsDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			t.Errorf("%s/%s is not a deployment directory", deploymentsDir, e.Name())
			continue
		}
		names = append(names, e.Name())
	}
	if len(names) == 0 {
		t.Fatalf("no deployments under %s", deploymentsDir)
	}
	sort.Strings(names)
	return names
}

// run loads a deployment's expectation and lints it with the whole pipeline,
// as `mtlslint check deployments/<name>` does.
func run(name string) outcome {
	dir := filepath.Join(deploymentsDir, name)
	o := outcome{Name: name}
	exp, err := readExpectation(filepath.Join(dir, "EXPECT.toml"))
	if err != nil {
		o.Err = err
		return o
	}
	o.Expect = exp
	if err := annotationFree(dir); err != nil {
		o.Err = err
		return o
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		o.Err = err
		return o
	}
	// NoConfig: the deployments carry no configuration, and one above them
	// (the repository's own) must not change what is measured. NoIgnore: a
	// suppression comment can never hide a finding from the suite.
	res, err := lint.Run(context.Background(), lint.Options{Root: abs, NoConfig: true, NoIgnore: true})
	if err != nil {
		o.Err = fmt.Errorf("lint: %w", err)
		return o
	}
	o.Files = len(res.Workspace.Files())
	if o.Files == 0 {
		o.Err = fmt.Errorf("mtlslint checked no file of %s", dir)
		return o
	}
	for _, d := range res.Findings {
		if d.Suppression != nil {
			continue
		}
		o.Findings = append(o.Findings, finding{
			Code:     d.Code,
			Severity: d.Severity,
			Location: location(abs, d),
			Message:  d.Message,
		})
	}
	return o
}

func location(root string, d rules.Finding) string {
	file := d.Range.File
	if filepath.IsAbs(file) {
		if rel, err := filepath.Rel(root, file); err == nil {
			file = rel
		}
	}
	return fmt.Sprintf("%s:%d", filepath.ToSlash(file), d.Range.Start.Line)
}

// readExpectation decodes EXPECT.toml strictly: unknown keys, a missing
// reason, a vulnerable deployment without its attack or rules, and rule
// codes the registry does not know are errors.
func readExpectation(path string) (expectation, error) {
	var e expectation
	md, err := toml.DecodeFile(path, &e)
	if err != nil {
		return e, err
	}
	if und := md.Undecoded(); len(und) > 0 {
		return e, fmt.Errorf("%s: unknown keys %v", path, und)
	}
	if strings.TrimSpace(e.Why) == "" {
		return e, fmt.Errorf("%s: `why` is empty", path)
	}
	switch e.Verdict {
	case "secure":
		if e.Attack != nil || len(e.Rules) > 0 {
			return e, fmt.Errorf("%s: a secure deployment has no attack and no rules", path)
		}
	case "vulnerable":
		a := e.Attack
		if a == nil || a.Class == "" || a.Request == "" || a.Certificate == "" || a.Outcome == "" {
			return e, fmt.Errorf("%s: a vulnerable deployment needs [attack] with class, request, certificate and outcome", path)
		}
		if len(e.Rules) == 0 {
			return e, fmt.Errorf("%s: a vulnerable deployment names the rules that describe its defect", path)
		}
		for _, code := range e.Rules {
			if r := lint.Lookup(code); r == nil || r.Code != code {
				return e, fmt.Errorf("%s: unknown rule code %q", path, code)
			}
		}
	default:
		return e, fmt.Errorf("%s: verdict %q, want \"secure\" or \"vulnerable\"", path, e.Verdict)
	}
	return e, nil
}

// annotationFree rejects expectations written for the linter inside a
// deployment: `# want` markers, suppression comments, configuration files.
func annotationFree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Type()&os.ModeSymlink != 0 {
			return nil
		}
		switch d.Name() {
		case ".mtlslint.toml", "WANT", ".mtlslint-baseline.json":
			return fmt.Errorf("%s: linter configuration or expectations do not belong in a deployment", p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := string(b)
		for _, marker := range []string{"# want ", "# want@", "mtlslint: ignore", "[tool.mtlslint]"} {
			if strings.Contains(s, marker) {
				return fmt.Errorf("%s: contains %q; deployments are written as real projects write them", p, marker)
			}
		}
		return nil
	})
}

// violations returns the deployment's breaches of the suite's invariants.
func violations(o outcome) []violation {
	var out []violation
	switch o.Expect.Verdict {
	case "secure":
		for _, f := range o.Findings {
			if f.Severity >= rules.High {
				out = append(out, violation{o.Name, "false-positive", f.Code, f.Location, excerpt(f.Message)})
			}
		}
	case "vulnerable":
		if !detected(o) {
			out = append(out, violation{o.Name, "missed", strings.Join(o.Expect.Rules, "|"), "-",
				"no high or critical finding from " + strings.Join(o.Expect.Rules, ", ")})
		}
	}
	return out
}

// detected reports whether one of the expected rules reported the
// deployment at high or critical severity.
func detected(o outcome) bool {
	for _, f := range o.Findings {
		if f.Severity >= rules.High && contains(o.Expect.Rules, f.Code) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func excerpt(msg string) string {
	msg = strings.Join(strings.Fields(msg), " ")
	if r := []rune(msg); len(r) > excerptRunes {
		msg = string(r[:excerptRunes])
	}
	return msg
}

func lines(vs []violation) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.line()
	}
	sort.Strings(out)
	return out
}

// readKnown returns the violation lines of KNOWN.tsv (comments and blank
// lines aside), each occurrence counted.
func readKnown(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, l := range strings.Split(string(b), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if n := len(strings.Split(l, "\t")); n != 5 {
			return nil, fmt.Errorf("%s:%d: %d tab-separated fields, want 5 (deployment, kind, rule, location, excerpt)", path, i+1, n)
		}
		out = append(out, l)
	}
	sort.Strings(out)
	return out, nil
}

const knownHeader = `# Violations of the precision suite's invariants that mtlslint shows today.
# One line per violation: deployment, kind, rule, location, message excerpt (tab-separated).
#   false-positive: a high or critical finding on a secure deployment;
#   missed: a vulnerable deployment with no high or critical finding from its rules.
# The test fails on a violation not listed here and on a line that no longer occurs:
# this list only shrinks as rules improve. Regenerate after checking every change with
#   go test ./internal/precision -run TestPrecision -update-known
`

func writeKnown(path string, vs []violation) error {
	var b strings.Builder
	b.WriteString(knownHeader)
	for _, l := range lines(vs) {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// compare returns the lines of today that KNOWN lacks and the lines of
// KNOWN that today lacks, as multisets.
func compare(today, known []string) (added, gone []string) {
	count := map[string]int{}
	for _, l := range known {
		count[l]++
	}
	for _, l := range today {
		if count[l] > 0 {
			count[l]--
			continue
		}
		added = append(added, l)
	}
	for _, l := range known {
		if count[l] > 0 {
			count[l]--
			gone = append(gone, l)
		}
	}
	return added, gone
}

func diff(added, gone []string) string {
	var b strings.Builder
	for _, l := range gone {
		fmt.Fprintf(&b, "- %s\n", l)
	}
	for _, l := range added {
		fmt.Fprintf(&b, "+ %s\n", l)
	}
	return b.String()
}

// table renders, per deployment, its verdict and findings, and per rule the
// findings on secure and on vulnerable deployments.
func table(outcomes []outcome) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-40s %-10s %-8s %s\n", "deployment", "verdict", "status", "findings (rule severity ×count)")
	type ruleCounts struct {
		secHigh, secCrit, secLower, vulHigh, vulCrit, vulLower, expected, detected int
	}
	perRule := map[string]*ruleCounts{}
	get := func(code string) *ruleCounts {
		if perRule[code] == nil {
			perRule[code] = &ruleCounts{}
		}
		return perRule[code]
	}
	var fps, misses, secure, vulnerable int
	for _, o := range outcomes {
		if o.Err != nil {
			fmt.Fprintf(&b, "%-40s %-10s %-8s %v\n", o.Name, o.Expect.Verdict, "ERROR", o.Err)
			continue
		}
		vs := violations(o)
		status := "ok"
		switch {
		case o.Expect.Verdict == "secure" && len(vs) > 0:
			status = fmt.Sprintf("FP×%d", len(vs))
			fps++
		case o.Expect.Verdict == "vulnerable" && len(vs) > 0:
			status = "MISSED"
			misses++
		}
		if o.Expect.Verdict == "secure" {
			secure++
		} else {
			vulnerable++
			for _, code := range o.Expect.Rules {
				get(code).expected++
			}
			for _, code := range o.Expect.Rules {
				if firedHigh(o, code) {
					get(code).detected++
				}
			}
		}
		for _, f := range o.Findings {
			c := get(f.Code)
			switch {
			case o.Expect.Verdict == "secure" && f.Severity == rules.Critical:
				c.secCrit++
			case o.Expect.Verdict == "secure" && f.Severity == rules.High:
				c.secHigh++
			case o.Expect.Verdict == "secure":
				c.secLower++
			case f.Severity == rules.Critical:
				c.vulCrit++
			case f.Severity == rules.High:
				c.vulHigh++
			default:
				c.vulLower++
			}
		}
		fmt.Fprintf(&b, "%-40s %-10s %-8s %s\n", o.Name, o.Expect.Verdict, status, summarize(o.Findings))
	}
	fmt.Fprintf(&b, "\nsecure: %d, with a high/critical finding: %d; vulnerable: %d, missed: %d\n\n", secure, fps, vulnerable, misses)
	fmt.Fprintf(&b, "%-5s | %-29s | %-29s | %s\n", "rule", "on secure deployments", "on vulnerable deployments", "vulnerable deployments naming it")
	fmt.Fprintf(&b, "%-5s | %9s %9s %9s | %9s %9s %9s | %8s %8s\n", "", "critical", "high", "lower", "critical", "high", "lower", "named", "fired")
	codes := make([]string, 0, len(perRule))
	for code := range perRule {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		c := perRule[code]
		fmt.Fprintf(&b, "%-5s | %9d %9d %9d | %9d %9d %9d | %8d %8d\n", code, c.secCrit, c.secHigh, c.secLower, c.vulCrit, c.vulHigh, c.vulLower, c.expected, c.detected)
	}
	return b.String()
}

// firedHigh reports whether rule code reported o at high or critical.
func firedHigh(o outcome, code string) bool {
	for _, f := range o.Findings {
		if f.Code == code && f.Severity >= rules.High {
			return true
		}
	}
	return false
}

// summarize renders findings as "X002 critical×2, N009 low×1", most severe first.
func summarize(fs []finding) string {
	type key struct {
		code string
		sev  rules.Severity
	}
	n := map[key]int{}
	for _, f := range fs {
		n[key{f.Code, f.Severity}]++
	}
	keys := make([]key, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].sev != keys[j].sev {
			return keys[i].sev > keys[j].sev
		}
		return keys[i].code < keys[j].code
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %s×%d", k.code, k.sev, n[k])
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}
