package auditreport

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/mtlslint/mtlslint/internal/audit"
	"github.com/mtlslint/mtlslint/internal/report"
)

// MarkdownOptions control the Markdown document.
type MarkdownOptions struct {
	// MaxPerRule caps the findings listed under each rule (0: all), to
	// stay below the size limit of a pull-request comment. Totals still
	// count every finding.
	MaxPerRule int
}

// maxMarkdownLine caps the offending line shown in a table cell.
const maxMarkdownLine = 160

// Markdown writes the report as GitHub-flavoured Markdown. Every string
// from the records is escaped so that it renders as the text it is.
func Markdown(w io.Writer, r *Report, opt MarkdownOptions) error {
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }

	p("# mtlslint audit\n\n")
	p("%d %s, **%d %s**", len(r.Repos), plural(len(r.Repos), "repository"), r.Findings, plural(r.Findings, "finding"))
	if r.Suppressed > 0 {
		p(" (%d suppressed)", r.Suppressed)
	}
	if len(r.Failed) > 0 {
		p(", %d not analysed", len(r.Failed))
	}
	p(".")
	if r.Tool != "" {
		p(" %s", mdText(r.Tool))
		for _, s := range r.Shards {
			p(" · shard %s", mdText(s))
		}
	}
	p("\n\n")
	if r.Incomplete+r.Malformed > 0 {
		p("Skipped in the input: %d incomplete %s (a run killed while writing), %d malformed %s.\n\n",
			r.Incomplete, plural(r.Incomplete, "repository"), r.Malformed, plural(r.Malformed, "line"))
	}

	p("## Totals by severity\n\n| Severity | Findings |\n|---|---:|\n")
	for _, s := range r.SeverityTotals() {
		p("| %s | %d |\n", s.Name, s.Count)
	}

	p("\n## Totals by rule\n\n")
	if len(r.Rules) == 0 {
		p("No findings.\n")
	} else {
		p("| Rule | Name | Severities found | Findings | Repositories |\n|---|---|---|---:|---:|\n")
		for _, g := range r.Rules {
			p("| %s | %s | %s | %d | %d |\n", ruleLink(g), mdText(g.Name), mdText(g.FoundText()), len(g.Findings), g.Repos)
		}
	}

	p("\n## Repositories, worst first\n\n| Repository | Critical | High | Medium | Low | Info | Files | Status |\n|---|---:|---:|---:|---:|---:|---:|---|\n")
	for _, repo := range r.Repos {
		p("| %s |", mdText(repo.ID))
		for _, n := range repo.BySeverity {
			p(" %d |", n)
		}
		p(" %d | %s |\n", repo.FilesChecked, mdText(repo.Status))
	}

	if len(r.Failed) > 0 {
		p("\n## Repositories not analysed\n\nTheir findings are unknown: they are not clean.\n\n| Repository | Status | Reason |\n|---|---|---|\n")
		for _, repo := range r.Failed {
			p("| %s | %s | %s |\n", mdText(repo.ID), mdText(repo.Status), mdText(repo.Error))
		}
	}

	if len(r.Suppressions) > 0 {
		p("\n## Suppressed findings\n\nFindings that the repositories silenced (inline comments, their configuration, a baseline), with the reason each gives. They are not counted above.\n\n| Repository | Location | Rule | Severity | How | Reason | Line |\n|---|---|---|---|---|---|---|\n")
		for _, s := range r.Suppressions {
			reason := s.Justification
			if reason == "" {
				reason = "no reason given"
			}
			p("| %s | %s | %s | %s | %s | %s | %s |\n", mdText(s.Repo), mdText(fmt.Sprintf("%s:%d", s.File, s.Line)), mdText(s.Code),
				mdText(s.Severity), mdText(s.Kind), mdText(reason), mdCode(s.LineText))
		}
	}

	if len(r.Rules) > 0 {
		p("\n## Findings by rule\n")
	}
	for _, g := range r.Rules {
		p("\n### %s %s (%s)\n\n", ruleLink(g), mdText(g.Name), mdText(g.FoundText()))
		if g.Summary != "" {
			p("%s ", mdText(g.Summary))
		}
		p("%d %s in %d %s.\n\n", len(g.Findings), plural(len(g.Findings), "finding"), g.Repos, plural(g.Repos, "repository"))
		p("| Repository | Location | Severity | Message | Line |\n|---|---|---|---|---|\n")
		for i, f := range g.Findings {
			if opt.MaxPerRule > 0 && i == opt.MaxPerRule {
				p("\n%d more %s not listed.\n", len(g.Findings)-i, plural(len(g.Findings)-i, "finding"))
				break
			}
			p("| %s | %s | %s | %s | %s |\n", mdText(f.Repo), mdText(fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)),
				mdText(f.Severity), mdText(f.Message), mdCode(f.LineText))
		}
	}
	return b.Flush()
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	if strings.HasSuffix(word, "y") {
		return word[:len(word)-1] + "ies"
	}
	return word + "s"
}

func ruleLink(g *Rule) string {
	code := mdText(g.Code)
	if g.HelpURI == "" || !(strings.HasPrefix(g.HelpURI, "https://") || strings.HasPrefix(g.HelpURI, "http://")) {
		return code
	}
	// Inside <…> a destination may hold anything but <, > and line ends.
	dest := strings.NewReplacer("<", "%3C", ">", "%3E").Replace(audit.Printable(g.HelpURI))
	return "[" + code + "](<" + dest + ">)"
}

// mdText escapes s for Markdown text (a table cell included): control
// characters become U+FFFD, the punctuation that starts emphasis, code,
// links, headings, tables, strike-through or a mention is backslash-escaped,
// and <, > and & become entities, so nothing in s is markup or HTML.
func mdText(s string) string {
	return report.MarkdownText(audit.Printable(s))
}

// mdCode renders a source line as inline code in a table cell. The line
// is written as HTML <code> with every ASCII punctuation character as a
// numeric entity: entities are never Markdown syntax, never a table's
// cell separator, and the browser shows them as the characters they are.
func mdCode(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\t", " "))
	if s == "" {
		return ""
	}
	if len(s) > maxMarkdownLine {
		cut := maxMarkdownLine
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	s = audit.Printable(s)
	var b strings.Builder
	b.WriteString("<code>")
	for _, r := range s {
		if r < 0x80 && isASCIIPunct(byte(r)) {
			fmt.Fprintf(&b, "&#%d;", r)
			continue
		}
		b.WriteRune(r)
	}
	b.WriteString("</code>")
	return b.String()
}

func isASCIIPunct(c byte) bool {
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~')
}
