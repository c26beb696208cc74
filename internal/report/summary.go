package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/mtlslint/mtlslint/internal/graph"
	"github.com/mtlslint/mtlslint/rules"
)

// SummaryOptions control the job summary.
type SummaryOptions struct {
	GitHubOptions
	// BlobURL, when set, makes locations links: BlobURL + path + "#L" +
	// line ($GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA/).
	BlobURL string
	// MaxFindings caps the findings listed (0: 50); the counts cover all.
	MaxFindings int
}

// maxSummaryMessage caps a message in the summary's table.
const maxSummaryMessage = 200

// maxMermaid caps the diagram's text: GitHub renders Mermaid text of up to
// 50,000 characters and shows an error instead of a larger diagram.
const maxMermaid = 40000

// GitHubSummary writes a Markdown job summary, which GitHub Actions shows
// on the run's page when it is appended to $GITHUB_STEP_SUMMARY: the
// counts by severity, a Mermaid diagram of the routes that carry findings
// (GitHub renders it) and the findings. g is the deployment graph with the
// findings on it (graph.Build); nil leaves the diagram out.
func GitHubSummary(w io.Writer, in Input, g *graph.Graph, opt SummaryOptions) error {
	s := Summarize(in)
	var b strings.Builder
	if s.Total == 0 {
		fmt.Fprintf(&b, "## mtlslint: no findings\n\n%d %s checked.\n", s.Checked, plural(s.Checked, "file"))
		_, err := io.WriteString(w, b.String())
		return err
	}
	var counts []string
	for sev := rules.Critical; sev >= rules.Info; sev-- {
		if n := s.BySeverity[sev.String()]; n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	fmt.Fprintf(&b, "## mtlslint: %d %s (%s)\n\n", s.Total, plural(s.Total, "finding"), strings.Join(counts, ", "))
	if g != nil {
		routes, nodes := g.MarkedRoutes()
		if len(routes)+len(nodes) > 0 {
			sub := g.Only(routes, nodes)
			var mm strings.Builder
			if err := graph.Mermaid(&mm, sub); err != nil {
				return err
			}
			b.WriteString("### Routes with findings\n\n")
			if mm.Len() <= maxMermaid {
				b.WriteString("```mermaid\n" + mm.String() + "```\n\n")
			} else {
				fmt.Fprintf(&b, "%d routes carry findings: too many for a diagram here (`mtlslint graph --format svg` draws them).\n\n", sub.Routes())
			}
			if sub.Omitted > 0 {
				fmt.Fprintf(&b, "%d other %s without a finding not shown (`mtlslint graph --format svg` draws them all).\n\n", sub.Omitted, plural(sub.Omitted, "route"))
			}
		}
	}
	max := opt.MaxFindings
	if max <= 0 {
		max = 50
	}
	b.WriteString("### Findings\n\n| Severity | Rule | Location | Message |\n|---|---|---|---|\n")
	var shown []rules.Finding
	for _, d := range in.Findings {
		if d.Suppression == nil {
			shown = append(shown, d)
		}
	}
	// Most severe first; the input's order (file, line) among equals.
	sort.SliceStable(shown, func(i, j int) bool { return shown[i].Severity > shown[j].Severity })
	listed := 0
	for _, d := range shown {
		if listed == max {
			break
		}
		listed++
		path := ghPath(in, opt.GitHubOptions, d.Range.File)
		where := MarkdownText(fmt.Sprintf("%s:%d", path, d.Range.Start.Line))
		if opt.BlobURL != "" {
			where = fmt.Sprintf("[%s](%s%s#L%d)", where, opt.BlobURL, urlPath(path), d.Range.Start.Line)
		}
		fmt.Fprintf(&b, "| %s | %s %s | %s | %s |\n", d.Severity, d.Code, MarkdownText(d.Name), where, MarkdownText(capText(d.Message, maxSummaryMessage)))
	}
	if rest := s.Total - listed; rest > 0 {
		fmt.Fprintf(&b, "\n%d more %s not listed.\n", rest, plural(rest, "finding"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// capText cuts s to at most n bytes on a character boundary.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// urlPath escapes the characters of a path that would end a Markdown link
// or its URL.
func urlPath(p string) string {
	return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "|", "%7C").Replace(p)
}

// MarkdownText escapes s for Markdown text (GitHub Flavored Markdown, in a
// table cell too): HTML is shown as text, Markdown punctuation is taken
// literally, and line breaks become spaces.
func MarkdownText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r':
			b.WriteByte(' ')
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '!', '|', '~', '@':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
