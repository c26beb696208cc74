package audit

import (
	"fmt"
	"strings"
	"unicode/utf8"
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

// Printable replaces control characters (tab and newline included),
// bidirectional formatting characters and invalid UTF-8 with U+FFFD, so
// that a hostile file name or message cannot drive a terminal, split a line
// or display reordered text.
func Printable(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			b.WriteRune('\uFFFD')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isBidiControl(r):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isBidiControl reports the characters that reorder displayed text
// ("Trojan Source", CVE-2021-42574).
func isBidiControl(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}
