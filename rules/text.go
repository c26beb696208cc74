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
