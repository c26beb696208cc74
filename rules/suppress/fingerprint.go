package suppress

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"

	"github.com/mtlslint/mtlslint/rules"
)

// FingerprintVersion is the version of what Fingerprint hashes. Version 2
// came with short messages (the detail apart): it hashes the Key, and the
// short message where there is no Key. LegacyFingerprint computes version
// 1 for one release, so that baselines written before keep matching.
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

// LegacyFingerprint is the fingerprint of version 1, which hashed the
// message as it was before messages and details were apart (Finding's
// LegacyMessage, when it differs).
func LegacyFingerprint(d *rules.Finding, o *Outline) string {
	msg := d.Message
	if d.LegacyMessage != "" {
		msg = d.LegacyMessage
	}
	return fingerprint("v1", d, stableKey(d.Key, msg), o)
}

func fingerprint(version string, d *rules.Finding, key string, o *Outline) string {
	h := sha256.New()
	put := func(s string) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	put(version)
	put(d.Code)
	put(d.Range.File)
	put(key)
	if o != nil {
		line := d.Range.Start.Line
		put(o.Statement(line))
		for _, p := range o.Path(line) {
			put(o.Statement(p))
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Fingerprints sets Fingerprint and LegacyFingerprint on every finding
// that has none.
func Fingerprints(src *Sources, diags []rules.Finding) {
	for i := range diags {
		if diags[i].Fingerprint == "" {
			o := src.Outline(diags[i].Range.File)
			diags[i].Fingerprint = Fingerprint(&diags[i], o)
			diags[i].LegacyFingerprint = LegacyFingerprint(&diags[i], o)
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
func StableKey(d *rules.Finding) string { return stableKey(d.Key, d.Message) }

func stableKey(k rules.Key, message string) string {
	if t := k.String(); t != "" && k.Kind() != rules.KeyProblem {
		return "key:" + position.ReplaceAllString(t, ":#:#")
	}
	return "msg:" + digits.ReplaceAllString(message, "#")
}
