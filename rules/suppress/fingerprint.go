package suppress

import (
	"crypto/sha256"
	"encoding/hex"
	"runtime"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// FingerprintVersion is the version of what Fingerprint hashes. Version 2
// came with short messages (the detail apart): it hashes the Key, and the
// short message where there is no Key. Fingerprints also computes version
// 1 (Finding.LegacyFingerprint) for one release, so that baselines written
// before keep matching.
const FingerprintVersion = 2

// Fingerprint identifies a finding across unrelated edits: it hashes the
// rule, the file, what the finding is about (its Key, or its message when
// it has none), the normalised statement it starts on and the statements
// that open its enclosing blocks, but not its line number. Inserting lines
// above a finding or reformatting another part of the file keeps the
// fingerprint; the same defect in another block or file gets another one.
// o may be nil when the file is unknown.
func Fingerprint(d *rules.Finding, o *Outline) string {
	return fingerprint("v2", d, stableKey(d.Key, d.Message), o)
}

func fingerprint(version string, d *rules.Finding, key string, o *Outline) string {
	var buf []byte
	return hashFingerprint(&buf, version, d, key, appendContext(nil, o, d.Range.Start.Line))
}

// appendContext appends what a fingerprint hashes of the file: the
// normalised statement on line and those that open its enclosing blocks,
// each followed by a 0 byte. It is nothing when o is nil.
func appendContext(buf []byte, o *Outline, line int) []byte {
	if o == nil {
		return buf
	}
	buf = append(o.appendStatement(buf, line), 0)
	for _, p := range o.Path(line) {
		buf = append(o.appendStatement(buf, p), 0)
	}
	return buf
}

// hashFingerprint hashes version, rule, file and key, each followed by a 0
// byte, then the context from appendContext; *scratch is reused.
func hashFingerprint(scratch *[]byte, version string, d *rules.Finding, key string, context []byte) string {
	buf := (*scratch)[:0]
	for _, s := range [...]string{version, d.Code, d.Range.File, key} {
		buf = append(append(buf, s...), 0)
	}
	buf = append(buf, context...)
	*scratch = buf
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:16])
}

// Fingerprints sets Fingerprint and LegacyFingerprint on every finding
// that has none. Both hash the same context and, unless the legacy
// message differs, the same key: each is computed once. The findings of
// different files are fingerprinted in parallel (a file's outline is most
// of the cost), up to GOMAXPROCS files at once.
func Fingerprints(src *Sources, diags []rules.Finding) {
	var runs [][]rules.Finding // consecutive findings in one file
	for i := 0; i < len(diags); {
		j := i + 1
		for j < len(diags) && diags[j].Range.File == diags[i].Range.File {
			j++
		}
		runs = append(runs, diags[i:j])
		i = j
	}
	source.Each(runtime.GOMAXPROCS(0), len(runs), func(k int) { fingerprintAll(runs[k], src.Outline) })
}

// fingerprintAll does Fingerprints' work for findings, with the outline of
// each finding's file from outline.
func fingerprintAll(diags []rules.Finding, outline func(path string) *Outline) {
	var context, scratch []byte
	for i := range diags {
		d := &diags[i]
		if d.Fingerprint != "" {
			continue
		}
		context = appendContext(context[:0], outline(d.Range.File), d.Range.Start.Line)
		key := stableKey(d.Key, d.Message)
		d.Fingerprint = hashFingerprint(&scratch, "v2", d, key, context)
		if d.LegacyMessage != "" && d.LegacyMessage != d.Message {
			key = stableKey(d.Key, d.LegacyMessage)
		}
		d.LegacyFingerprint = hashFingerprint(&scratch, "v1", d, key, context)
	}
}

// StableKey is what a finding is about, without positions: the Key with
// any "file:line:col" position in it blanked (a rule may name the
// directive it reports by where it is written), or for findings without
// a Key and for load problems (whose Key is their position) the message
// with its numbers blanked.
func StableKey(d *rules.Finding) string { return stableKey(d.Key, d.Message) }

func stableKey(k rules.Key, message string) string {
	if t := k.String(); t != "" && k.Kind() != rules.KeyProblem {
		return "key:" + blankPositions(t)
	}
	return "msg:" + blankDigits(message)
}

// blankDigits replaces every run of ASCII digits with "#": the regular
// expression `[0-9]+` replaced by "#", without its cost (this runs for
// every finding of every run).
func blankDigits(s string) string {
	i := strings.IndexAny(s, "0123456789")
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for i < len(s) {
		if !isDigit(s[i]) {
			b = append(b, s[i])
			i++
			continue
		}
		b = append(b, '#')
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return string(b)
}

// blankPositions replaces every "file:line:col" position in s with
// ":#:#": the regular expression `:[0-9]+:[0-9]+\b` replaced by ":#:#".
// The first run of digits ends at a ":", so it is the whole run; the
// second matches only whole, and only when no letter, digit or "_"
// follows it (the word boundary).
func blankPositions(s string) string {
	var b []byte
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); i++ {
		if s[i] != ':' {
			continue
		}
		end := positionEnd(s, i)
		if end < 0 {
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(s))
		}
		b = append(append(b, s[done:i]...), ":#:#"...)
		done = end
		i = end - 1
	}
	if b == nil {
		return s
	}
	return string(append(b, s[done:]...))
}

// positionEnd returns the end of the ":line:col" that starts at s[i], or
// -1 when none does.
func positionEnd(s string, i int) int {
	j := digitsEnd(s, i+1)
	if j == i+1 || j >= len(s) || s[j] != ':' {
		return -1
	}
	k := digitsEnd(s, j+1)
	if k == j+1 || (k < len(s) && isWordByte(s[k])) {
		return -1
	}
	return k
}

func digitsEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isWordByte is the regular expressions' \w: an ASCII letter, digit or "_".
func isWordByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}
