package yamlutil

import (
	"bytes"
	"regexp"
)

// MatchLines reports whether re matches within a window of content that
// starts at a line start and holds span lines (without the last line's
// newline), for the windows whose first line passes maybe.
//
// Detection asks regular expressions anchored at line starts ((?m)^…)
// about whole files; run over the whole file, Go's matcher tries every
// byte. MatchLines gives the same answer, trying only the lines a cheap
// test lets through, when two things hold: every match of re lies within
// span lines starting at a line start, and maybe is true of the first line
// of every window that holds a match. (A window's end only makes a
// difference to `$` and `\b`, which see the end of text where the file has
// a newline: both decide the same on either.)
func MatchLines(content []byte, span int, re *regexp.Regexp, maybe func(line []byte) bool) bool {
	for rest := content; ; {
		line, next := cutLine(rest)
		if maybe(line) {
			window := line
			if span > 1 {
				window = rest[:windowEnd(rest, span)]
			}
			if re.Match(window) {
				return true
			}
		}
		if next == nil {
			return false
		}
		rest = next
	}
}

// FindLinesSubmatch is re.FindAllSubmatch(content, -1) for an expression
// whose matches each lie within one line, trying only the lines that pass
// maybe (which must be true of every line holding a match). Each line
// gives at most its first match: re must match at most once per line
// (anchored at its start).
func FindLinesSubmatch(content []byte, re *regexp.Regexp, maybe func(line []byte) bool) [][][]byte {
	var out [][][]byte
	for rest := content; ; {
		line, next := cutLine(rest)
		if maybe(line) {
			if m := re.FindSubmatch(line); m != nil {
				out = append(out, m)
			}
		}
		if next == nil {
			return out
		}
		rest = next
	}
}

// cutLine splits off the first line of b (without its newline); next is
// nil when b holds no newline.
func cutLine(b []byte) (line, next []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}

// windowEnd is the offset in b where its first span lines end (before the
// last one's newline), or len(b).
func windowEnd(b []byte, span int) int {
	end := 0
	for n := 0; n < span; n++ {
		i := bytes.IndexByte(b[end:], '\n')
		if i < 0 {
			return len(b)
		}
		if n == span-1 {
			return end + i
		}
		end += i + 1
	}
	return end
}

// HasPrefixFold reports whether line starts with prefix, ASCII letters
// folded, or may start with it under Unicode folding: prefix is lower case
// ASCII, and a line whose first bytes are not ASCII is let through (Go's
// (?i) matches 'k' with the Kelvin sign and 's' with 'ſ').
func HasPrefixFold(line []byte, prefix string) bool {
	for i := 0; i < len(prefix); i++ {
		if i >= len(line) {
			return false
		}
		c := line[i]
		if c >= 0x80 {
			return true
		}
		if lower(c) != prefix[i] {
			return false
		}
	}
	return true
}

// TrimBlanks returns line without its leading spaces and tabs.
func TrimBlanks(line []byte) []byte {
	return bytes.TrimLeft(line, " \t")
}

// IsKindLine is true of a line that starts with "kind:" (a manifest's
// top-level kind, as the detectors' (?m)^kind: expressions read it).
func IsKindLine(line []byte) bool { return bytes.HasPrefix(line, []byte("kind:")) }

// ContainsFold reports whether b holds lit with ASCII letters folded; lit
// is lower case ASCII. As a test before a (?i) expression it is exact only
// when lit has no 'k' or 's' (see HasPrefixFold).
func ContainsFold(b []byte, lit string) bool {
	for i := 0; i+len(lit) <= len(b); i++ {
		j := 0
		for j < len(lit) && lower(b[i+j]) == lit[j] {
			j++
		}
		if j == len(lit) {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
