package yamlutil

import (
	"regexp"
	"testing"
)

func anyLine([]byte) bool { return true }

// MatchLines and FindLinesSubmatch answer as the expression over the whole
// content, at the first and last line, across a window of two lines, and
// with \r\n endings.
func TestMatchLinesAsWholeContent(t *testing.T) {
	const tls = `(?m)^tls[ \t]*:[ \t]*\r?\n[ \t]+options[ \t]*:` // matches over two lines
	for _, c := range []struct{ expr, content string }{
		{`(?m)^kind:[ \t]*\S`, "kind: A"},
		{`(?m)^kind:[ \t]*\S`, "a: 1\nkind: A\n"},
		{`(?m)^kind:[ \t]*\S`, "a: 1\n kind: A\n"},
		{`(?m)^kind:[ \t]*\S`, "kind:\n"},
		{`(?m)^x$`, "a\nx\n"},
		{`(?m)^x$`, "a\nx"},
		{`(?m)^x\r?$`, "a\r\nx\r\n"},
		{tls, "tls:\n  options:\n"},
		{tls, "tls:\n\n  options:\n"},
		{tls, "a\ntls:\r\n options:"},
		{`(?m)^$`, ""},
		{`(?m)^$`, "a\n"},
	} {
		re := regexp.MustCompile(c.expr)
		want := re.Match([]byte(c.content))
		span := 1
		if c.expr == tls {
			span = 2
		}
		if got := MatchLines([]byte(c.content), span, re, anyLine); got != want {
			t.Errorf("MatchLines(%q, %q) = %v, want %v", c.content, c.expr, got, want)
		}
	}
	re := regexp.MustCompile(`(?m)^kind:[ \t]*([A-Za-z]+)[ \t]*\r?$`)
	content := []byte("kind: A\nx: 1\nkind: B\r\n kind: C\nkind: D")
	want, got := re.FindAllSubmatch(content, -1), FindLinesSubmatch(content, re, IsKindLine)
	if len(got) != len(want) {
		t.Fatalf("FindLinesSubmatch found %d, want %d", len(got), len(want))
	}
	for i := range want {
		if string(got[i][1]) != string(want[i][1]) {
			t.Errorf("match %d: %q, want %q", i, got[i][1], want[i][1])
		}
	}
}

func TestFoldHelpers(t *testing.T) {
	if !HasPrefixFold([]byte("EntryPoints:"), "entrypoints") || HasPrefixFold([]byte("entry"), "entrypoints") || HasPrefixFold([]byte("exit"), "e x") {
		t.Error("HasPrefixFold on ASCII")
	}
	if !HasPrefixFold([]byte("entryPoint\u017f:"), "entrypoints") {
		t.Error("HasPrefixFold must let a non-ASCII byte through: (?i)s matches \u017f")
	}
	if !ContainsFold([]byte("labels: [TRAEFIK.http]"), "traefi") || ContainsFold([]byte("traef"), "traefi") {
		t.Error("ContainsFold")
	}
}
