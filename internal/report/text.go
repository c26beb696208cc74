package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/mtlslint/mtlslint/rules"
)

// TextOptions control the text format.
type TextOptions struct {
	Color bool // ANSI colours
	// Quiet prints only the summary-free diagnostic lines.
	Quiet bool
	// ShowSuppressed lists suppressed findings too.
	ShowSuppressed bool
	// Statistics appends a count per rule.
	Statistics bool
}

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
	ansiRed   = "\x1b[31m"
	ansiMag   = "\x1b[35m"
	ansiYel   = "\x1b[33m"
	ansiCyan  = "\x1b[36m"
	ansiBlue  = "\x1b[34m"
)

func sevColor(s rules.Severity) string {
	switch s {
	case rules.Critical:
		return ansiMag + ansiBold
	case rules.High:
		return ansiRed + ansiBold
	case rules.Medium:
		return ansiYel
	case rules.Low:
		return ansiCyan
	default:
		return ansiBlue
	}
}

// Text writes findings for a terminal:
//
//	path:line:col: severity CODE name: message
//	   12 |     ssl_verify_client optional;
//	      |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^
//	      = detail
//	      = related path:line:col: message
//	      = help: fix title
func Text(w io.Writer, in Input, opt TextOptions) error {
	c := func(code, s string) string {
		if !opt.Color {
			return s
		}
		return code + s + ansiReset
	}
	for _, d := range in.Findings {
		if d.Suppression != nil && !opt.ShowSuppressed {
			continue
		}
		// Every string from the input (paths, messages that quote names
		// and values, reasons) goes through Printable: a hostile file name
		// or section name must not drive the terminal or forge a line.
		loc := fmt.Sprintf("%s:%d:%d", Printable(in.DisplayPath(d.Range.File)), d.Range.Start.Line, d.Range.Start.Col)
		sup := ""
		if d.Suppression != nil {
			sup = " [suppressed"
			if d.Suppression.Justification != "" {
				sup += ": " + Printable(d.Suppression.Justification)
			}
			sup += "]"
		}
		fmt.Fprintf(w, "%s: %s %s %s: %s%s\n", c(ansiBold, loc), c(sevColor(d.Severity), d.Severity.String()), c(ansiBold, d.Code), d.Name, PrintableLines(d.Message, "    "), c(ansiDim, sup))
		if opt.Quiet {
			continue
		}
		writeSnippet(w, in, d, c)
		if d.Detail != "" {
			fmt.Fprintf(w, "      %s %s\n", c(ansiBlue, "="), strings.ReplaceAll(d.Detail, "\n", "\n        "))
		}
		for _, r := range d.Related {
			fmt.Fprintf(w, "      %s related %s:%d:%d: %s\n", c(ansiBlue, "="), Printable(in.DisplayPath(r.Range.File)), r.Range.Start.Line, r.Range.Start.Col, PrintableLines(r.Message, "        "))
		}
		if d.FixTitle != "" {
			fmt.Fprintf(w, "      %s help: %s\n", c(ansiBlue, "="), d.FixTitle)
		}
		for _, f := range d.Fixes {
			kind := "unsafe fix"
			if f.Safe {
				kind = "fix"
			}
			fmt.Fprintf(w, "      %s %s available: %s\n", c(ansiBlue, "="), kind, Printable(f.Description))
		}
	}
	if opt.Statistics {
		writeStatistics(w, in)
	}
	if opt.Quiet {
		return nil
	}
	s := Summarize(in)
	if s.Total == 0 {
		fmt.Fprintf(w, "No findings (%d %s checked", s.Checked, plural(s.Checked, "file"))
	} else {
		var parts []string
		for _, sev := range []rules.Severity{rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info} {
			if n := s.BySeverity[sev.String()]; n > 0 {
				parts = append(parts, c(sevColor(sev), fmt.Sprintf("%d %s", n, sev)))
			}
		}
		fmt.Fprintf(w, "%d %s: %s in %d %s (%d %s checked", s.Total, plural(s.Total, "finding"), strings.Join(parts, ", "), s.Files, plural(s.Files, "file"), s.Checked, plural(s.Checked, "file"))
	}
	if s.Suppressed > 0 {
		fmt.Fprintf(w, ", %d suppressed", s.Suppressed)
	}
	fmt.Fprintln(w, ").")
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// Statistics writes a count of unsuppressed findings per rule, one line
// each: count, code, severity, name.
func Statistics(w io.Writer, in Input) {
	writeStatistics(w, in)
}

func writeStatistics(w io.Writer, in Input) {
	s := Summarize(in)
	names := map[string]string{}
	sevs := map[string]string{}
	for _, d := range in.Findings {
		names[d.Code] = d.Name
		sevs[d.Code] = d.Severity.String()
	}
	for _, code := range codes(s.ByCode) {
		fmt.Fprintf(w, "%5d  %-5s %-9s %s\n", s.ByCode[code], code, sevs[code], names[code])
	}
}

// writeSnippet prints the first line of the range with carets under it.
func writeSnippet(w io.Writer, in Input, d rules.Finding, c func(string, string) string) {
	f := in.file(d.Range.File)
	if f == nil || !d.Range.Start.IsValid() {
		return
	}
	line := f.Line(d.Range.Start.Line)
	if line == nil {
		return
	}
	startCol := d.Range.Start.Col - 1
	if startCol > len(line) {
		startCol = len(line)
	}
	endCol := len(line)
	if d.Range.End.Line == d.Range.Start.Line && d.Range.End.Col-1 <= len(line) && d.Range.End.Col-1 > startCol {
		endCol = d.Range.End.Col - 1
	}
	text := sanitize(string(line))
	// Keep tabs in the gutter so the carets line up under the text.
	var pad strings.Builder
	for _, r := range sanitize(string(line[:startCol])) {
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	n := utf8.RuneCount(line[startCol:endCol])
	if n == 0 {
		n = 1
	}
	num := fmt.Sprintf("%d", d.Range.Start.Line)
	gutter := strings.Repeat(" ", len(num))
	fmt.Fprintf(w, " %s %s %s\n", c(ansiBlue, num), c(ansiBlue, "|"), text)
	fmt.Fprintf(w, " %s %s %s%s\n", gutter, c(ansiBlue, "|"), pad.String(), c(sevColor(d.Severity), strings.Repeat("^", n)))
}

// sanitize is Printable for a line of a file shown in a snippet: tabs are
// kept, so that the carets line up under the text.
func sanitize(s string) string { return rules.PrintableTabs(s) }

// Printable replaces control characters (tab and newline included),
// bidirectional formatting characters and invalid UTF-8 with U+FFFD, so
// that a string from the input (a file name, a section name, a value)
// cannot drive a terminal, split a line or display reordered text.
func Printable(s string) string { return rules.Printable(s) }

// PrintableLines is Printable for text that may span lines (a message with
// a stack trace): each line is made printable, and the lines after the
// first start with indent, so that none can pass for a line of its own.
func PrintableLines(s, indent string) string {
	if !strings.Contains(s, "\n") {
		return Printable(s)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Printable(l)
	}
	return strings.Join(lines, "\n"+indent)
}
