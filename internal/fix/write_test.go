package fix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteRefusesChangedFile: a file changed since it was read (a line
// appended meanwhile) is not overwritten, the other files are not changed
// either, and no temporary file is left.
func TestWriteRefusesChangedFile(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.conf", "b.conf"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("old\n"), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	out := &Outcome{
		Original: map[string][]byte{"a.conf": []byte("old\n"), "b.conf": []byte("old\n")},
		Fixed:    map[string][]byte{"a.conf": []byte("new\n"), "b.conf": []byte("new\n")},
	}
	// b.conf gets a line appended after it was read.
	if err := os.WriteFile(filepath.Join(dir, "b.conf"), []byte("old\nappended\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	err := Write(dir, out)
	if err == nil || !strings.Contains(err.Error(), "b.conf") || !strings.Contains(err.Error(), "changed since it was read") {
		t.Fatalf("err = %v", err)
	}
	for f, want := range map[string]string{"a.conf": "old\n", "b.conf": "old\nappended\n"} {
		if b, _ := os.ReadFile(filepath.Join(dir, f)); string(b) != want {
			t.Errorf("%s = %q, want %q", f, b, want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}

	// Unchanged: both are written, with their permissions.
	if err := os.WriteFile(filepath.Join(dir, "b.conf"), []byte("old\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, out); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"a.conf", "b.conf"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		st, _ := os.Stat(filepath.Join(dir, f))
		if string(b) != "new\n" || st.Mode().Perm() != 0o640 {
			t.Errorf("%s = %q, mode %v", f, b, st.Mode().Perm())
		}
	}
}

func TestLineEndings(t *testing.T) {
	for content, want := range map[string]string{"a\r\nb\r\n": "x\r\ny\r\n", "a\nb\n": "x\ny\n", "a\rb\r": "x\ry\r", "one line": "x\ny\n"} {
		if got := withLineEnding("x\ny\n", lineEnding([]byte(content))); got != want {
			t.Errorf("%q: %q, want %q", content, got, want)
		}
	}
}
