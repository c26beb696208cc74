package suppress

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// The hand-written blanking and field joining must give exactly what the
// regular expressions and strings.Fields they replace give: fingerprints
// in baselines depend on it.
var (
	digitsPattern   = regexp.MustCompile(`[0-9]+`)
	positionPattern = regexp.MustCompile(`:[0-9]+:[0-9]+\b`)
)

var blankSeeds = []string{
	"", "abc", "12", "a1b22c333", "route:a.conf:12:5:X-Ssl", "a.conf:1:2", ":1:2:3x", ":1:23a", ":1:2_", ":1:2-",
	"::1:2", ":1::2", ":12:", "x:1:2:3:4", "ünï:1:2 café 3", "\xff:9:9", "http:443:80/", ":0:0\n:1:1",
}

func checkBlanking(t *testing.T, s string) {
	t.Helper()
	if got, want := blankDigits(s), digitsPattern.ReplaceAllString(s, "#"); got != want {
		t.Errorf("blankDigits(%q) = %q, want %q", s, got, want)
	}
	if got, want := blankPositions(s), positionPattern.ReplaceAllString(s, ":#:#"); got != want {
		t.Errorf("blankPositions(%q) = %q, want %q", s, got, want)
	}
	if got, want := string(appendFields([]byte("x"), []byte(s))), "x"+strings.Join(strings.Fields(s), " "); got != want {
		t.Errorf("appendFields(%q) = %q, want %q", s, got, want)
	}
}

func TestBlankingMatchesRegexp(t *testing.T) {
	for _, s := range blankSeeds {
		checkBlanking(t, s)
	}
	checkBlanking(t, " \t a \v\f b\r\n\u00a0c\u0085 ")
}

func FuzzBlankingMatchesRegexp(f *testing.F) {
	for _, s := range blankSeeds {
		f.Add(s)
	}
	f.Fuzz(checkBlanking)
}

// legacyFingerprint is version 1 on its own, as Fingerprint is version 2:
// it hashed the message as it was before messages and details were apart
// (Finding's LegacyMessage, when it differs).
func legacyFingerprint(d *rules.Finding, o *Outline) string {
	msg := d.Message
	if d.LegacyMessage != "" {
		msg = d.LegacyMessage
	}
	return fingerprint("v1", d, stableKey(d.Key, msg), o)
}

// Fingerprints computes both versions from one context and, when it can,
// one key: every finding must get what Fingerprint and legacyFingerprint
// give it on their own, and a finding that has a fingerprint keeps it.
func TestFingerprintsMatchFingerprint(t *testing.T) {
	f := source.NewFile("n.conf", []byte("server {\n    location /a {\n        proxy_set_header X-A $http_x;\n    }\n}\n"))
	at := f.LineRange(3)
	withKey := rules.Finding{Code: "N020", Diagnostic: rules.Diagnostic{Range: at, Message: "x-a at 3:9", Key: rules.TestKey("hdr:x-a@n.conf:3:9")}}
	withKey.LegacyMessage = "the old message of line 3"
	noKey := rules.Finding{Code: "N020", Diagnostic: rules.Diagnostic{Range: at, Message: "short 1"}}
	noKey.LegacyMessage = "the longer message of 2 lines"
	sameLegacy := rules.Finding{Code: "N020", Diagnostic: rules.Diagnostic{Range: at, Message: "same 4"}}
	sameLegacy.LegacyMessage = sameLegacy.Message
	unknownFile := rules.Finding{Code: "E001", Diagnostic: rules.Diagnostic{Range: source.Range{File: "gone.conf"}, Message: "cannot read 7"}}
	pinned := noKey
	pinned.Fingerprint, pinned.LegacyFingerprint = "kept", "kept too"
	diags := []rules.Finding{withKey, noKey, sameLegacy, unknownFile, pinned}

	src := NewSources([]Source{{File: f, Kind: parsers.KindNginx}}, nil)
	Fingerprints(src, diags)
	for i := range diags[:4] {
		d := diags[i]
		o := src.Outline(d.Range.File)
		if i < 3 && o == nil || i == 3 && o != nil {
			t.Fatalf("finding %d: outline %v", i, o)
		}
		if want := Fingerprint(&d, o); d.Fingerprint != want {
			t.Errorf("finding %d: Fingerprints gave %s, Fingerprint %s", i, d.Fingerprint, want)
		}
		if want := legacyFingerprint(&d, o); d.LegacyFingerprint != want {
			t.Errorf("finding %d: Fingerprints gave legacy %s, legacyFingerprint %s", i, d.LegacyFingerprint, want)
		}
	}
	if diags[1].Fingerprint == diags[1].LegacyFingerprint || diags[2].Fingerprint == diags[2].LegacyFingerprint {
		t.Error("the two versions hash the same bytes")
	}
	if diags[4].Fingerprint != "kept" || diags[4].LegacyFingerprint != "kept too" {
		t.Errorf("a finding's own fingerprints were replaced: %s %s", diags[4].Fingerprint, diags[4].LegacyFingerprint)
	}
}
