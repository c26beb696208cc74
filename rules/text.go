package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clip shortens s to at most n characters for a message, ending it with
// "…" when it was cut: names and values as written (a route, a path, a
// header value) can be of any length, and a message has at most
// MaxMessage characters.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Sentence makes a clause a sentence: first letter in upper case, a full
// stop at the end (for a Detail or a FixTitle built from clauses).
func Sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// Printable replaces control characters (tab and newline included),
// bidirectional formatting characters and invalid UTF-8 with U+FFFD, so
// that a string from the input (a file name, a section name, a value)
// shown in a terminal or a picture cannot drive the terminal, split a
// line (and start a statement of its own in Mermaid or DOT) or display
// reordered text.
func Printable(s string) string { return printable(s, false) }

// PrintableTabs is Printable keeping tabs (a line of a file shown with
// carets under it).
func PrintableTabs(s string) string { return printable(s, true) }

func printable(s string, keepTabs bool) string {
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
		case r == '\t' && keepTabs:
			b.WriteRune(r)
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

// Reaches is the message of a judged check: "<check> lets <class> reach
// <sink>", each part clipped so that the whole stays within MaxMessage
// characters (the request class is what is cut last).
func Reaches(check, class, sink string) string {
	check, sink = Clip(check, 45), Clip(sink, 30)
	room := MaxMessage - utf8.RuneCountInString(check) - utf8.RuneCountInString(sink) - len(" lets  reach ")
	return check + " lets " + Clip(class, max(room, 10)) + " reach " + sink
}
