package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/mtlslint/mtlslint/internal/lint"
)

func runRules(args []string, e *env) int {
	fs := flag.NewFlagSet("rules", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	format := fs.String("format", "text", "output format: text, markdown or json")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	if len(rest) > 0 {
		return e.errorf("rules takes no arguments, got %q (to read one rule: mtlslint explain CODE)", rest)
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
	case "json":
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rulesJSON()); err != nil {
			return e.errorf("%v", err)
		}
	default:
		return e.errorf("unknown format %q (want text, markdown or json)", *format)
	}
	return exitClean
}

// ruleDoc is one rule in `rules --format json`.
type ruleDoc struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Severity   string   `json:"severity"`
	CWE        []string `json:"cwe"`
	Scope      string   `json:"scope"`
	Summary    string   `json:"summary"`
	What       string   `json:"what,omitempty"`
	Why        string   `json:"why,omitempty"`
	Example    string   `json:"example,omitempty"`
	Fix        string   `json:"fix,omitempty"`
	References []string `json:"references"`
	HelpURI    string   `json:"help_uri"`
}

func rulesJSON() []ruleDoc {
	out := []ruleDoc{}
	for _, r := range lint.Registry() {
		out = append(out, ruleDoc{
			Code: r.Code, Name: r.Name, Severity: r.Severity.String(), CWE: append([]string{}, r.CWE...),
			Scope: r.Scope.String(), Summary: r.Summary,
			What: r.Doc.What, Why: r.Doc.Why, Example: r.Doc.Example, Fix: r.Doc.Fix,
			References: append([]string{}, r.Doc.References...), HelpURI: r.HelpURI(),
		})
	}
	return out
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
		return e.errorf("usage: mtlslint explain CODE|NAME (a rule's code, N003, or name, verify-client-optional)")
	}
	r := lint.Lookup(rest[0]) // a code or a name: both are unique
	if r == nil {
		return e.errorf("no rule with the code or name %q (see `mtlslint rules`)", rest[0])
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
