package parsers

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// ReadFile returns a file's bytes exactly, whatever its size against the
// buffer and the cap, and refuses one beyond the cap.
func TestReadFileSizes(t *testing.T) {
	const maxSize = 4096
	sizes := []int{0, 1, 511, 512, 513, maxSize - 1, maxSize}
	files := map[string]string{}
	for _, n := range sizes {
		files[sizeName(n)] = strings.Repeat("x", n)
	}
	files["big.conf"] = strings.Repeat("y", maxSize+1)
	dir := writeTree(t, files)
	r, err := NewFSReader(dir, maxSize, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range sizes {
		f, err := r.ReadFile(sizeName(n))
		if err != nil {
			t.Errorf("%d bytes: %v", n, err)
			continue
		}
		if !bytes.Equal(f.Content, []byte(files[sizeName(n)])) {
			t.Errorf("%d bytes: read %d bytes", n, len(f.Content))
		}
	}
	if _, err := r.ReadFile("big.conf"); !errors.Is(err, source.ErrTooLarge) {
		t.Errorf("big.conf: error %v, want too large", err)
	}
	if _, err := r.ReadFile("missing.conf"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing.conf: error %v, want not found", err)
	}
}

func sizeName(n int) string { return fmt.Sprintf("%d.conf", n) }

// A file longer than its stat says (as the kernel's own files are, which
// stat as empty) is read to its end, and still capped.
func TestReadRegularBeyondStat(t *testing.T) {
	const proc = "/proc/self/status"
	st, err := os.Stat(proc)
	if err != nil || st.Size() != 0 {
		t.Skipf("%s: no file that stats shorter than it is here", proc)
	}
	b, err := readRegular("status", proc, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("Name:")) || !bytes.HasSuffix(b, []byte("\n")) {
		t.Errorf("read %q, want the whole of %s", b, proc)
	}
	if _, err := readRegular("status", proc, 16); !errors.Is(err, source.ErrTooLarge) {
		t.Errorf("capped at 16 bytes: error %v, want too large", err)
	}
}

// What reading a file learns on the way (its identity, its information)
// is what Identity and Stat answer for it without the read.
func TestReadFileLearnsIdentityAndStat(t *testing.T) {
	dir := writeTree(t, map[string]string{"sites-available/shop.conf": "server {}\n", "plain.conf": "events {}\n"})
	if err := os.MkdirAll(filepath.Join(dir, "sites-enabled"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../sites-available/shop.conf", filepath.Join(dir, "sites-enabled/shop.conf")); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"plain.conf", "sites-enabled/shop.conf", "sites-available/shop.conf"} {
		fresh, err := NewFSReader(dir, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		read, err := NewFSReader(dir, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := read.ReadFile(rel); err != nil {
			t.Fatal(err)
		}
		if got, want := read.Identity(rel), fresh.Identity(rel); got != want {
			t.Errorf("%s: identity after reading %q, without %q", rel, got, want)
		}
		got, err1 := read.Stat(rel)
		want, err2 := fresh.Stat(rel)
		if err1 != nil || err2 != nil || got.Size() != want.Size() || got.Mode() != want.Mode() || got.Name() != want.Name() {
			t.Errorf("%s: stat after reading %v, %v; without %v, %v", rel, got, err1, want, err2)
		}
	}
}

// A file the walk listed as regular is read without an lstat; if it has
// become a symbolic link or a named pipe since, the read refuses it as a
// read of an unlisted one does (and does not block on the pipe).
func TestReadListedChangedSince(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.conf"), []byte("secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := writeTree(t, map[string]string{"conf.d/a.conf": "a\n", "conf.d/link.conf": "b\n", "conf.d/pipe.conf": "c\n"})
	r, err := NewFSReader(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"conf.d/a.conf", "conf.d/link.conf", "conf.d/pipe.conf"} {
		r.noteListed(rel)
	}
	link := filepath.Join(dir, "conf.d/link.conf")
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.conf"), link); err != nil {
		t.Fatal(err)
	}
	pipe := filepath.Join(dir, "conf.d/pipe.conf")
	if err := os.Remove(pipe); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	if f, err := r.ReadFile("conf.d/a.conf"); err != nil || string(f.Content) != "a\n" {
		t.Errorf("conf.d/a.conf: %v", err)
	}
	if got := r.Identity("conf.d/a.conf"); got != "conf.d/a.conf" {
		t.Errorf("identity of conf.d/a.conf %q", got)
	}
	if f, err := r.ReadFile("conf.d/link.conf"); !errors.Is(err, source.ErrOutsideRoot) {
		t.Errorf("conf.d/link.conf, now a link outside: read %v, error %v; want outside the root", f, err)
	}
	if f, err := r.ReadFile("conf.d/pipe.conf"); !errors.Is(err, source.ErrBinary) {
		t.Errorf("conf.d/pipe.conf, now a named pipe: read %v, error %v; want not a regular file", f, err)
	}
}
