package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// GitHubLevel maps a severity to a GitHub Actions annotation command:
// error for critical and high, warning for medium, notice for low and
// info.
func GitHubLevel(s rules.Severity) string {
	switch s {
	case rules.Critical, rules.High:
		return "error"
	case rules.Medium:
		return "warning"
	default:
		return "notice"
	}
}

// GitHubOptions control the GitHub format.
type GitHubOptions struct {
	// Base is the directory annotation paths are relative to: the
	// repository checkout ($GITHUB_WORKSPACE). Empty means Input.Root.
	Base string
}

// GitHub writes one workflow command per unsuppressed finding, which
// GitHub Actions turns into an annotation on the pull request:
//
//	::error file=conf/nginx.conf,line=2,col=2,endLine=2,endColumn=28,title=mtlslint (N003)::message
func GitHub(w io.Writer, in Input, opt GitHubOptions) error {
	for _, d := range in.Findings {
		if d.Suppression != nil {
			continue
		}
		props := []string{"file=" + ghProperty(ghPath(in, opt, d.Range.File))}
		if d.Range.Start.IsValid() {
			props = append(props, fmt.Sprintf("line=%d", d.Range.Start.Line), fmt.Sprintf("col=%d", ghColumn(in, d.Range.File, d.Range.Start)))
			if d.Range.End.IsValid() && d.Range.End.Offset >= d.Range.Start.Offset {
				props = append(props, fmt.Sprintf("endLine=%d", d.Range.End.Line), fmt.Sprintf("endColumn=%d", ghColumn(in, d.Range.File, d.Range.End)))
			}
		}
		props = append(props, "title="+ghProperty(fmt.Sprintf("mtlslint (%s)", d.Code)))
		// The log shows the command as a terminal would (colours
		// included): strings from the input are made printable, and only
		// the newlines added here are kept (escaped by ghData).
		msg := fmt.Sprintf("%s %s (%s): %s", d.Code, d.Name, d.Severity, PrintableLines(d.Message, ""))
		if d.Detail != "" {
			msg += "\n" + PrintableLines(d.Detail, "")
		}
		if d.FixTitle != "" {
			msg += "\nFix: " + PrintableLines(d.FixTitle, "")
		}
		for _, r := range d.Related {
			msg += fmt.Sprintf("\nrelated %s:%d:%d: %s", Printable(ghPath(in, opt, r.Range.File)), r.Range.Start.Line, r.Range.Start.Col, PrintableLines(r.Message, ""))
		}
		if len(d.Fixes) > 0 {
			kind := "unsafe fix"
			if d.Fixes[0].Safe {
				kind = "fix"
			}
			msg += fmt.Sprintf("\n%s available: %s", kind, Printable(d.Fixes[0].Description))
		}
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", GitHubLevel(d.Severity), strings.Join(props, ","), ghData(msg)); err != nil {
			return err
		}
	}
	return nil
}

// ghColumn is the 1-based column in characters, which is what the
// annotation UI counts; byte columns when the file is not at hand.
func ghColumn(in Input, file string, p source.Pos) int {
	if f := in.file(file); f != nil {
		return f.Column(p, source.UTF32) + 1
	}
	if p.Col < 1 {
		return 1
	}
	return p.Col
}

// ghPath makes a root-relative path relative to the checkout.
func ghPath(in Input, opt GitHubOptions, rel string) string {
	if opt.Base == "" || in.Root == "" {
		return rel
	}
	abs := filepath.Join(in.Root, filepath.FromSlash(rel))
	p, err := filepath.Rel(opt.Base, abs)
	if err != nil || p == ".." || strings.HasPrefix(p, ".."+string(filepath.Separator)) {
		return rel
	}
	return filepath.ToSlash(p)
}

// ghData escapes a command's message as the Actions toolkit does.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a command property value: as data, plus ":" and ",".
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
