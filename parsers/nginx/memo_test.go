package nginx

import (
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// TestDetectParseIsReused: Load takes Detect's parse of the same content,
// with the loaded file as the directives' file, and parses afresh when the
// content differs.
func TestDetectParseIsReused(t *testing.T) {
	content := []byte("http {\n    server {\n        listen 443 ssl;\n        location / { proxy_pass http://app; }\n    }\n}\n")
	if !Detect("nginx.conf", content) {
		t.Fatal("not detected")
	}
	f := source.NewFile("nginx.conf", content)
	dirs, _ := parseFile(f)
	if len(dirs) != 1 {
		t.Fatalf("dirs = %d", len(dirs))
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
	memoMu.Lock()
	left := len(memo)
	memoMu.Unlock()
	if left != 0 {
		t.Errorf("the memo keeps %d entries after Load took the parse", left)
	}
	// Detect rejecting a file forgets it.
	if Detect("notes.conf", []byte("just some words\n")) {
		t.Fatal("prose detected as nginx")
	}
	memoMu.Lock()
	left = len(memo)
	memoMu.Unlock()
	if left != 0 {
		t.Errorf("a rejected file stays in the memo")
	}
}
