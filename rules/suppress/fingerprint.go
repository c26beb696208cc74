package suppress

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"

	"github.com/mtlslint/mtlslint/rules"
)

// Fingerprint identifies a finding across unrelated edits: it hashes the
// rule, the file, what the finding is about (its Key), the normalised
// statement it starts on and the statements that open its enclosing
// blocks, but not its line number. Inserting lines above a finding or
// reformatting another part of the file keeps the fingerprint; the same
// defect in another block or file gets another one. o may be nil when the
// file is unknown.
func Fingerprint(d *rules.Diagnostic, o *Outline) string {
	h := sha256.New()
	put := func(s string) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	put("v1")
	put(d.Code)
	put(d.Range.File)
	put(StableKey(d))
	if o != nil {
		line := d.Range.Start.Line
		put(o.Statement(line))
		for _, p := range o.Path(line) {
			put(o.Statement(p))
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Fingerprints sets Fingerprint on every finding that has none.
func Fingerprints(src *Sources, diags []rules.Diagnostic) {
	for i := range diags {
		if diags[i].Fingerprint == "" {
			diags[i].Fingerprint = Fingerprint(&diags[i], src.Outline(diags[i].Range.File))
		}
	}
}

var (
	digits = regexp.MustCompile(`[0-9]+`)
	// position matches a "file:line:col" position inside a key.
	position = regexp.MustCompile(`:[0-9]+:[0-9]+\b`)
)

// StableKey is what a finding is about, without positions: the Key with
// any "file:line:col" position in it blanked (a rule may name the
// directive it reports by where it is written), or for findings without
// a Key and for load problems (whose Key is their position) the message
// with its numbers blanked.
func StableKey(d *rules.Diagnostic) string {
	if k := d.Key.String(); k != "" && d.Key.Kind() != "problem" {
		return "key:" + position.ReplaceAllString(k, ":#:#")
	}
	return "msg:" + digits.ReplaceAllString(d.Message, "#")
}
