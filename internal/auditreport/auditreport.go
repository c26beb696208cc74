// Package auditreport turns the JSON Lines records of one or more audits
// (shards, resumed runs) into a self-contained HTML page or a Markdown
// document: totals by severity, rule and repository, the worst repositories
// first, and the findings grouped by rule with the offending lines.
package auditreport

import (
	"cmp"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/internal/audit"
	"github.com/mtlslint/mtlslint/internal/graph"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/rules"
)

// Severities lists the severity names, most severe first.
var Severities = []string{"critical", "high", "medium", "low", "info"}

func sevIndex(name string) int {
	for i, s := range Severities {
		if s == name {
			return i
		}
	}
	return len(Severities) - 1
}

// Report is what both formats render.
type Report struct {
	Tool string // "mtlslint 1.2.0", from the audit records

	Repos      []*Repo // worst first
	Rules      []*Rule // most severe, then most frequent first
	Failed     []*Repo // repositories not analysed (error, timeout)
	BySeverity [5]int  // unsuppressed findings
	Findings   int
	Suppressed int
	// Suppressions are the findings that inline comments, configuration or
	// a baseline silenced in the audited repositories, by repository, with
	// the reasons given: an audit shows what a repository hides.
	Suppressions []*Suppressed
	// MaxRepoFindings is the largest number of findings of one repository
	// (the scale of the charts).
	MaxRepoFindings int

	// Sources are the files read; Incomplete and Malformed count what was
	// skipped in them.
	Sources    []string
	Incomplete int
	Malformed  int
	Shards     []string
}

// Repo is one repository's line in the report.
type Repo struct {
	ID           string
	Status       string
	Error        string
	FilesChecked int
	BySeverity   [5]int
	Findings     int
	Suppressed   int
	// Anchor is the HTML ID of the repository's section; its graph's
	// element IDs start with it.
	Anchor string
	// Graph is the deployment graph with the findings on it (nil when the
	// records have none).
	Graph *graph.Graph
	// List is the repository's unsuppressed findings, most severe first.
	List []*Finding
}

// Rule is one rule's findings across every repository.
type Rule struct {
	Code string
	Name string
	// Severity is the most severe of the rule's findings (a rule's
	// findings need not have its default severity: X002 reports lock-outs
	// at medium, configuration overrides change it).
	Severity string
	// Found counts the rule's findings of each severity (Severities'
	// order).
	Found    [5]int
	HelpURI  string
	Summary  string
	Repos    int // repositories with a finding of the rule
	Findings []*Finding
	known    bool // from the registry
}

// Suppressed is one silenced finding.
type Suppressed struct {
	Repo          string
	File          string
	Line          int
	Code          string
	Severity      string
	Message       string
	Kind          string // inSource, external, baseline
	Justification string // "" when none is given
	LineText      string
}

// Finding is one finding in the report.
type Finding struct {
	Repo     string
	Code     string
	File     string
	Line     int
	Column   int
	Severity string
	Message  string
	Detail   string // why, and the context (the routes, the app's check)
	LineText string
	// Target is the HTML ID of the finding's place on its repository's
	// graph: a link to it highlights the route ("" when it has none).
	Target string
}

// Load reads and merges JSON Lines files: for a repository present more
// than once, the last complete result read wins.
func Load(paths ...string) (*Report, error) {
	var recs audit.Records
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		err = audit.ReadRecords(f, &recs, false)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	if len(recs.Repos) == 0 {
		return nil, fmt.Errorf("no repository records in %s (was the audit run with --format jsonl?)", strings.Join(paths, ", "))
	}
	rep := Build(&recs)
	rep.Sources = paths
	return rep, nil
}

// Build makes the report from records.
func Build(recs *audit.Records) *Report {
	rep := &Report{Incomplete: recs.Incomplete, Malformed: recs.Malformed}
	shards := map[string]bool{}
	for _, a := range recs.Audits {
		if a.Tool.Name != "" {
			rep.Tool = strings.TrimSpace(a.Tool.Name + " " + a.Tool.Version)
		}
		if a.Shard != "" && !shards[a.Shard] {
			shards[a.Shard] = true
			rep.Shards = append(rep.Shards, a.Shard)
		}
	}
	sort.Strings(rep.Shards)
	byCode := map[string]*Rule{}
	ruleRepos := map[string]map[string]bool{}
	for _, rr := range recs.Repos {
		s := rr.Summary
		r := &Repo{ID: s.Repo, Status: s.Status, Error: s.Error, FilesChecked: s.FilesChecked, Graph: s.Graph}
		for _, f := range rr.Findings {
			if f.Suppression != nil {
				r.Suppressed++
				rep.Suppressions = append(rep.Suppressions, &Suppressed{Repo: s.Repo, File: f.Location.File, Line: f.Location.Start.Line,
					Code: f.Code, Severity: f.Severity, Message: f.Message, Kind: f.Suppression.Kind,
					Justification: f.Suppression.Justification, LineText: f.LineText})
				continue
			}
			i := sevIndex(f.Severity)
			r.BySeverity[i]++
			r.Findings++
			rep.BySeverity[i]++
			rep.Findings++
			g := byCode[f.Code]
			if g == nil {
				g = newRule(f)
				byCode[f.Code] = g
				ruleRepos[f.Code] = map[string]bool{}
			}
			ruleRepos[f.Code][s.Repo] = true
			g.Found[i]++
			rf := &Finding{
				Repo: s.Repo, Code: f.Code, File: f.Location.File, Line: f.Location.Start.Line, Column: f.Location.Start.Column,
				Severity: f.Severity, Message: f.Message, Detail: f.Detail, LineText: f.LineText,
			}
			if f.Place != nil && !f.Place.Empty() && s.Graph != nil {
				rf.Target = f.Place.Anchor() // made unique per repository below
			}
			g.Findings = append(g.Findings, rf)
			r.List = append(r.List, rf)
		}
		sortFindings(r.List)
		rep.Suppressed += r.Suppressed
		rep.MaxRepoFindings = max(rep.MaxRepoFindings, r.Findings)
		if s.Status != audit.StatusOK {
			rep.Failed = append(rep.Failed, r)
		}
		rep.Repos = append(rep.Repos, r)
	}
	sort.Slice(rep.Repos, func(i, j int) bool { return worse(rep.Repos[i], rep.Repos[j]) })
	for i, r := range rep.Repos {
		r.Anchor = fmt.Sprintf("repo-%d", i+1)
		for _, f := range r.List {
			if f.Target != "" {
				f.Target = r.Anchor + "-" + f.Target
			}
		}
	}
	sort.Slice(rep.Failed, func(i, j int) bool { return rep.Failed[i].ID < rep.Failed[j].ID })
	sort.Slice(rep.Suppressions, func(i, j int) bool {
		a, b := rep.Suppressions[i], rep.Suppressions[j]
		return cmp.Or(comparePlace(a.Repo, a.File, a.Line, b.Repo, b.File, b.Line), cmp.Compare(a.Code, b.Code)) < 0
	})
	for code, g := range byCode {
		g.Repos = len(ruleRepos[code])
		for i, n := range g.Found {
			if n > 0 {
				g.Severity = Severities[i]
				break
			}
		}
		sortFindings(g.Findings)
		rep.Rules = append(rep.Rules, g)
	}
	sort.Slice(rep.Rules, func(i, j int) bool {
		a, b := rep.Rules[i], rep.Rules[j]
		if sa, sb := sevIndex(a.Severity), sevIndex(b.Severity); sa != sb {
			return sa < sb
		}
		if len(a.Findings) != len(b.Findings) {
			return len(a.Findings) > len(b.Findings)
		}
		return a.Code < b.Code
	})
	return rep
}

// sortFindings orders findings: most severe first, then by repository,
// file, line and message.
func sortFindings(fs []*Finding) {
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		return cmp.Or(cmp.Compare(sevIndex(a.Severity), sevIndex(b.Severity)),
			comparePlace(a.Repo, a.File, a.Line, b.Repo, b.File, b.Line), cmp.Compare(a.Message, b.Message)) < 0
	})
}

// comparePlace orders places by repository, file, then line.
func comparePlace(repoA, fileA string, lineA int, repoB, fileB string, lineB int) int {
	return cmp.Or(cmp.Compare(repoA, repoB), cmp.Compare(fileA, fileB), cmp.Compare(lineA, lineB))
}

// newRule describes a rule from the registry, falling back to what the
// record says for a rule this build does not know.
func newRule(f audit.Finding) *Rule {
	if r := lint.Lookup(f.Code); r != nil && r.Code == f.Code {
		return &Rule{Code: r.Code, Name: r.Name, Severity: r.Severity.String(), HelpURI: r.HelpURI(), Summary: r.Summary, known: true}
	}
	sev := f.Severity
	if _, err := rules.ParseSeverity(sev); err != nil {
		sev = "info"
	}
	r := &Rule{Code: f.Code, Name: f.Name, Severity: sev}
	if strings.HasPrefix(f.HelpURI, "https://") {
		r.HelpURI = f.HelpURI
	}
	return r
}

// FoundText says how many findings of each severity the rule has, most
// severe first: "2 critical, 1 medium".
func (g *Rule) FoundText() string {
	var parts []string
	for i, n := range g.Found {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, Severities[i]))
		}
	}
	return strings.Join(parts, ", ")
}

// worse orders repositories: most critical findings first, then high, and
// so on; repositories that could not be analysed after those with
// findings; then by ID.
func worse(a, b *Repo) bool {
	for i := range a.BySeverity {
		if a.BySeverity[i] != b.BySeverity[i] {
			return a.BySeverity[i] > b.BySeverity[i]
		}
	}
	if fa, fb := a.Status != audit.StatusOK, b.Status != audit.StatusOK; fa != fb {
		return fa
	}
	return a.ID < b.ID
}

// SeverityTotals lists the number of findings of each severity, most
// severe first.
func (r *Report) SeverityTotals() []SevCount {
	out := make([]SevCount, len(Severities))
	for i, s := range Severities {
		out[i] = SevCount{Name: s, Count: r.BySeverity[i]}
	}
	return out
}

// SevCount is the number of findings of one severity.
type SevCount struct {
	Name  string
	Count int
}
