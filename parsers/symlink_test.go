package parsers

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// A file and a symbolic link to it inside the root are one file: one
// identity, discovered once (under its own path), and an unsaved buffer of
// either stands in for both.
func TestSymlinkedFileIsOneFile(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"sites-available/shop.conf": "conf shop",
		"sites-available/lone.conf": "conf lone",
	})
	if err := os.MkdirAll(filepath.Join(dir, "sites-enabled"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"shop.conf", "lone.conf"} {
		if err := os.Symlink("../sites-available/"+name, filepath.Join(dir, "sites-enabled", name)); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := Load(context.Background(), Options{Root: dir, Formats: []Format{fakeFormat}, Exclude: []string{"sites-available/lone.conf"}})
	if err != nil {
		t.Fatal(err)
	}
	// lone.conf's own path is excluded: its link is what is left of it.
	if want := []string{"sites-available/shop.conf", "sites-enabled/lone.conf"}; !reflect.DeepEqual(ws.Discovered["fake"], want) {
		t.Errorf("discovered %q, want %q", ws.Discovered["fake"], want)
	}
	if got := ws.Identity("sites-enabled/shop.conf"); got != "sites-available/shop.conf" {
		t.Errorf("identity of the link: %q", got)
	}
	if got := ws.Identity("sites-available/shop.conf"); got != "sites-available/shop.conf" {
		t.Errorf("identity of the file: %q", got)
	}

	r, err := NewFSReader(dir, 0, map[string][]byte{"sites-available/shop.conf": []byte("conf edited")})
	if err != nil {
		t.Fatal(err)
	}
	f, err := r.ReadFile("sites-enabled/shop.conf")
	if err != nil || string(f.Content) != "conf edited" || f.Path != "sites-enabled/shop.conf" {
		t.Errorf("the link does not read the unsaved buffer of its target: %v %+v", err, f)
	}
}

// A path below a directory that does not exist is reported missing with
// the error resolving its links gives (the first missing directory named),
// whether the directories above it are plain or reached through a link;
// a link to a directory still leads to the files below it.
func TestStatBelowMissingDirectory(t *testing.T) {
	dir := writeTree(t, map[string]string{"app/settings.py": "x = 1"})
	if err := os.Symlink("app", filepath.Join(dir, "linked")); err != nil {
		t.Fatal(err)
	}
	r, err := NewFSReader(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"app/missing/deeper/x.py", "missing/x.py", "linked/missing/x.py", "app/missing/y.py"} {
		_, err := r.Stat(p)
		_, evalErr := r.evalConfine(p)
		if !errors.Is(err, fs.ErrNotExist) || evalErr == nil || err.Error() != evalErr.Error() {
			t.Errorf("Stat(%s): %v, resolving its links: %v", p, err, evalErr)
		}
	}
	if st, err := r.Stat("linked/settings.py"); err != nil || st.IsDir() {
		t.Errorf("Stat through a link: %v %v", st, err)
	}
}
