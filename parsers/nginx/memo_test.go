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
	if inMemo("nginx.conf", content) {
		t.Errorf("the memo keeps the entry after Load took the parse")
	}
	// Detect rejecting a file forgets it.
	prose := []byte("just some words\n")
	if Detect("notes.conf", prose) {
		t.Fatal("prose detected as nginx")
	}
	if inMemo("notes.conf", prose) {
		t.Errorf("a rejected file stays in the memo")
	}
}

func inMemo(path string, content []byte) bool {
	k, _ := keyOf(path, content)
	memoMu.Lock()
	defer memoMu.Unlock()
	_, ok := memo[k]
	return ok
}
