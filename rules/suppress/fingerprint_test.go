package suppress

import (
	"regexp"
	"strings"
	"testing"
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
