package parsers

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Stat answers each path once per reader, as ReadFile does: the answers
// (found, missing, outside the root) stay what they were when first asked.
func TestStatAnswersOnce(t *testing.T) {
	dir := writeTree(t, map[string]string{"conf.d/a.conf": "a"})
	if err := os.Symlink("/etc", filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	r, err := NewFSReader(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 2; round++ {
		if info, err := r.Stat("conf.d/a.conf"); err != nil || info.Size() != 1 {
			t.Errorf("round %d: Stat(conf.d/a.conf) = %v, %v", round, info, err)
		}
		if _, err := r.Stat("conf.d/missing.conf"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("round %d: Stat(conf.d/missing.conf) error %v, want not found", round, err)
		}
		if _, err := r.Stat("out/hostname"); !errors.Is(err, source.ErrOutsideRoot) {
			t.Errorf("round %d: Stat(out/hostname) error %v, want outside the root", round, err)
		}
		// Changes on disk after the first answer are not seen.
		if err := os.Remove(filepath.Join(dir, "conf.d/a.conf")); err != nil && round == 0 {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "conf.d/missing.conf"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
