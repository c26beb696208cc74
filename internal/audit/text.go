package audit

import (
	"fmt"

	"github.com/mtlslint/mtlslint/internal/report"
)

// appendText appends one repository in the text format:
//
//	repo/path:line:col: severity CODE name: message
//	repo: error: reason
func appendText(buf []byte, r *result) []byte {
	repo := Printable(r.summary.Repo)
	if r.summary.Status != StatusOK {
		return fmt.Appendf(buf, "%s: %s: %s\n", repo, r.summary.Status, Printable(r.summary.Error))
	}
	for _, d := range r.diags {
		if d.Suppression != nil {
			continue
		}
		buf = fmt.Appendf(buf, "%s/%s:%d:%d: %s %s %s: %s\n", repo, Printable(d.Range.File),
			d.Range.Start.Line, d.Range.Start.Col, d.Severity, d.Code, d.Name, Printable(d.Message))
	}
	return buf
}

// Printable replaces control characters, bidirectional formatting
// characters and invalid UTF-8 (report.Printable).
func Printable(s string) string { return report.Printable(s) }
