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

// Reaches is the message of a judged check: "<check> lets <class> reach
// <sink>", each part clipped so that the whole stays within MaxMessage
// characters (the request class is what is cut last).
func Reaches(check, class, sink string) string {
	check, sink = Clip(check, 45), Clip(sink, 30)
	room := MaxMessage - utf8.RuneCountInString(check) - utf8.RuneCountInString(sink) - len(" lets  reach ")
	return check + " lets " + Clip(class, max(room, 10)) + " reach " + sink
}
