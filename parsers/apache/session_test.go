package apache

import (
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The session's Load takes Detect's parse of the same content, with the
// loaded file in every directive, and parses anew what Detect rejected.
func TestSessionReusesTheDetectParse(t *testing.T) {
	content := []byte("<VirtualHost *:443>\n  SSLEngine on\n  <Location /api>\n    SSLVerifyClient require\n  </Location>\n</VirtualHost>\n")
	s := NewSession()
	if !s.Detect("site.conf", content) {
		t.Fatal("not detected")
	}
	f := source.NewFile("site.conf", content)
	if s.once.Kept() != 1 {
		t.Fatal("the session did not keep the detected file's parse")
	}
	dirs, _ := s.once.ParseFile(f)
	if len(dirs) != 1 || s.once.Kept() != 0 {
		t.Fatal("Load parsed again instead of taking Detect's parse")
	}
	var walk func([]*Directive)
	walk = func(ds []*Directive) {
		for _, d := range ds {
			if d.File != f {
				t.Fatalf("%s has file %p, want the loaded file %p", d.Name, d.File, f)
			}
			walk(d.Children)
		}
	}
	walk(dirs)
	prose := []byte("just some words\n")
	if s.Detect("notes.conf", prose) {
		t.Fatal("prose detected as httpd configuration")
	}
	if s.once.Kept() != 0 {
		t.Error("a rejected file is kept")
	}
}
