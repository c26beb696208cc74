package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// JUnit writes JUnit XML: one test suite per file with findings, one
// failing test case per finding (suppressed ones as skipped test cases
// when showSuppressed is set). A run without findings is one passing test
// case, so that CI shows the check ran.
func JUnit(w io.Writer, in Input, showSuppressed bool) error {
	doc := junitSuites{Name: "mtlslint"}
	byFile := map[string]*junitSuite{}
	for _, d := range in.Findings {
		if d.Suppression != nil && !showSuppressed {
			continue
		}
		s := byFile[d.Range.File]
		if s == nil {
			s = &junitSuite{Name: d.Range.File}
			byFile[d.Range.File] = s
		}
		c := junitCase{
			Name:      fmt.Sprintf("%s %s at %d:%d", d.Code, d.Name, d.Range.Start.Line, d.Range.Start.Col),
			Classname: d.Range.File,
		}
		if d.Suppression != nil {
			reason := d.Suppression.Kind
			if d.Suppression.Justification != "" {
				reason += ": " + d.Suppression.Justification
			}
			c.Skipped = &junitSkipped{Message: "suppressed (" + reason + ")"}
			s.Skipped++
			doc.Skipped++
		} else {
			var text strings.Builder
			fmt.Fprintf(&text, "%s:%d:%d: %s %s %s: %s", d.Range.File, d.Range.Start.Line, d.Range.Start.Col, d.Severity, d.Code, d.Name, d.Message)
			if d.Detail != "" {
				fmt.Fprintf(&text, "\n%s", d.Detail)
			}
			if d.FixTitle != "" {
				fmt.Fprintf(&text, "\nFix: %s", d.FixTitle)
			}
			for _, r := range d.Related {
				fmt.Fprintf(&text, "\nrelated %s:%d:%d: %s", r.Range.File, r.Range.Start.Line, r.Range.Start.Col, r.Message)
			}
			c.Failure = &junitFailure{Message: d.Message, Type: d.Code + " " + d.Severity.String(), Text: text.String()}
			s.Failures++
			doc.Failures++
		}
		s.Tests++
		doc.Tests++
		s.Cases = append(s.Cases, c)
	}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		doc.Suites = append(doc.Suites, *byFile[f])
	}
	if doc.Tests == 0 {
		doc.Tests = 1
		doc.Suites = []junitSuite{{Name: "mtlslint", Tests: 1, Cases: []junitCase{{
			Name: fmt.Sprintf("no findings (%d %s checked)", in.FilesChecked, plural(in.FilesChecked, "file")), Classname: "mtlslint",
		}}}}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
