package main

import (
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/mtlslint/mtlslint/internal/lint"
)

func runRules(args []string, e *env) int {
	fs := flag.NewFlagSet("rules", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	format := fs.String("format", "text", "output format: text or markdown")
	if err := fs.Parse(args); err != nil {
		return exitError
	}
	switch *format {
	case "text":
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tNAME\tSEVERITY\tSUMMARY")
		for _, r := range lint.Registry() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Code, r.Name, r.Severity, r.Summary)
		}
		tw.Flush()
	case "markdown":
		fmt.Fprint(e.stdout, RuleTable())
	default:
		return e.errorf("unknown format %q (want text or markdown)", *format)
	}
	return exitClean
}

// RuleTable renders the rule registry as the Markdown table the README
// carries.
func RuleTable() string {
	var b strings.Builder
	b.WriteString("| Code | Name | Severity | CWE | Summary |\n|---|---|---|---|---|\n")
	for _, r := range lint.Registry() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.Code, r.Name, r.Severity, strings.Join(r.CWE, ", "), strings.ReplaceAll(r.Summary, "|", "\\|"))
	}
	return b.String()
}

func runExplain(args []string, e *env) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	format := fs.String("format", "text", "output format: text or markdown")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return exitError
	}
	if len(rest) != 1 {
		return e.errorf("usage: mtlslint explain CODE")
	}
	r := lint.Lookup(rest[0])
	if r == nil {
		return e.errorf("no rule %q (see `mtlslint rules`)", rest[0])
	}
	if *format == "markdown" {
		fmt.Fprint(e.stdout, r.Markdown())
	} else {
		fmt.Fprint(e.stdout, r.Text())
	}
	return exitClean
}

// RulesDoc renders docs/rules.md: every rule's documentation, each with an
// anchor that rules.Rule.HelpURI points at.
func RulesDoc() string {
	var b strings.Builder
	b.WriteString("# mtlslint rules\n\nGenerated from the rule registry (`mtlslint explain CODE` prints the same text); a test keeps this file in sync.\n\n")
	for _, r := range lint.Registry() {
		fmt.Fprintf(&b, "<a id=\"%s\"></a>\n\n%s", strings.ToLower(r.Code), r.Markdown())
	}
	return b.String()
}
