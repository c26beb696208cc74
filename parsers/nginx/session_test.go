package nginx

import (
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// TestSessionReusesTheDetectParse: a session's Load takes its Detect's
// parse of the same content, with the loaded file as the directives' file,
// and parses afresh when the content differs.
func TestSessionReusesTheDetectParse(t *testing.T) {
	content := []byte("http {\n    server {\n        listen 443 ssl;\n        location / { proxy_pass http://app; }\n    }\n}\n")
	s := NewSession()
	parses := 0
	s.once.Parse = func(f *source.File) ([]*Directive, []source.Problem) {
		parses++
		return Parse(f)
	}
	if !s.Detect("nginx.conf", content) {
		t.Fatal("not detected")
	}
	if s.once.Kept() != 1 {
		t.Fatalf("the session keeps %d parses, want the detected one", s.once.Kept())
	}
	f := source.NewFile("nginx.conf", content)
	dirs, _ := s.once.ParseFile(f)
	kept := dirs
	if len(dirs) != 1 || parses != 0 || s.once.Kept() != 0 {
		t.Fatalf("Load parsed again instead of taking Detect's parse")
	}
	var walk func([]*Directive)
	walk = func(ds []*Directive) {
		for _, d := range ds {
			if d.File != f {
				t.Fatalf("%s has file %p, want the loaded file %p", d.Name, d.File, f)
			}
			for _, a := range d.Args {
				if a.file != f {
					t.Fatalf("%s's argument %s has file %p, want the loaded file %p", d.Name, a.Raw, a.file, f)
				}
			}
			walk(d.Children)
		}
	}
	walk(dirs)
	if s.once.Kept() != 0 {
		t.Errorf("the session keeps the entry after Load took the parse")
	}
	// The same path with other content (an edited buffer) is parsed anew.
	s.Detect("nginx.conf", content)
	other := append([]byte(nil), content...)
	if again, _ := s.once.ParseFile(source.NewFile("nginx.conf", other)); again[0] == kept[0] || parses != 1 {
		t.Errorf("other content took the kept parse")
	}
	// Detect rejecting a file keeps nothing.
	s = NewSession()
	if s.Detect("notes.conf", []byte("just some words\n")) {
		t.Fatal("prose detected as nginx")
	}
	if s.once.Kept() != 0 {
		t.Errorf("a rejected file is kept")
	}
}
