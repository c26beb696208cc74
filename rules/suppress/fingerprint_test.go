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

// PrepareTree, run on a tree's findings during the engine's run, gives the
// findings the fingerprints Fingerprints gives them after it, and reads
// the directives Apply reads.
func TestPrepareTreeMatchesFingerprints(t *testing.T) {
	conf := source.NewFile("nginx.conf", bigNginx(30))
	py := source.NewFile("app/settings.py", []byte("class A:\n    def f(self):\n        x = 1  # mtlslint: ignore[D001] -- test\n\nSECURE = False\n"))
	// A name that does not tell the syntax: only the tree's kind does.
	script := source.NewFile("bin/serve", []byte("class B:\n    def g(self):\n        y = 2\n"))
	other := source.NewFile("other.conf", []byte("server {\n    listen 1;\n}\n"))
	files := []Source{{File: conf, Kind: parsers.KindNginx}, {File: py, Kind: parsers.KindPython}, {File: script, Kind: parsers.KindPython}}
	read := func(p string) *source.File {
		if p == other.Path {
			return other
		}
		return nil
	}
	var diags []rules.Finding
	add := func(f *source.File, line int, code, msg string) {
		diags = append(diags, rules.Finding{Code: code, Diagnostic: rules.Diagnostic{Range: f.LineRange(line), Message: msg}})
	}
	for l := 1; l <= conf.LineCount(); l += 3 {
		add(conf, l, "N010", "missing 42")
		add(py, 1+l%py.LineCount(), "D001", "m")
	}
	add(script, 3, "D002", "nested")
	add(other, 2, "N003", "in a file of no tree")
	diags = append(diags, rules.Finding{Code: "E001", Diagnostic: rules.Diagnostic{Message: "no file"}})
	diags[0].LegacyMessage = "the legacy text 42"

	want := append([]rules.Finding(nil), diags...)
	Fingerprints(NewSources(files, read), want)
	src := NewSources(files, read)
	got := append([]rules.Finding(nil), diags...)
	src.PrepareTree([]*source.File{conf, py, script}, got)
	for i := range want {
		if got[i].Fingerprint != want[i].Fingerprint || got[i].LegacyFingerprint != want[i].LegacyFingerprint {
			t.Errorf("finding %d (%s line %d): PrepareTree %q/%q, Fingerprints %q/%q", i, got[i].Range.File, got[i].Range.Start.Line,
				got[i].Fingerprint, got[i].LegacyFingerprint, want[i].Fingerprint, want[i].LegacyFingerprint)
		}
		if got[i].Fingerprint == "" {
			t.Errorf("finding %d has no fingerprint", i)
		}
	}
	// Fingerprints after PrepareTree keeps what it set.
	again := append([]rules.Finding(nil), got...)
	Fingerprints(src, again)
	for i := range again {
		if again[i].Fingerprint != got[i].Fingerprint {
			t.Errorf("finding %d: Fingerprints changed PrepareTree's fingerprint", i)
		}
	}
	if ds := src.Directives(py.Path); len(ds) != 1 || !ds[0].Names("D001") {
		t.Errorf("directives of %s after PrepareTree: %+v", py.Path, ds)
	}
	if ds := src.Directives(conf.Path); len(ds) != 3 {
		t.Errorf("%s: %d directives after PrepareTree, want 3", conf.Path, len(ds))
	}
}
