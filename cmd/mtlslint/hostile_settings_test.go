package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHostileSettingsFiles: a configuration or baseline file that is a
// named pipe (a read waits for ever), a link to /dev/zero (never ends), a
// link to a file outside the tree (its values would be echoed in an error)
// or far too large is refused with a clear error and exit 2, by check and
// by the language server's pipeline alike (both read through the
// configuration resolver).
func TestHostileSettingsFiles(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret.toml")
	if err := os.WriteFile(secret, []byte("select = [\"TOP-SECRET-VALUE\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]func(t *testing.T, p string){
		"fifo": func(t *testing.T, p string) {
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Skipf("no named pipes: %v", err)
			}
		},
		"dev-zero":     func(t *testing.T, p string) { symlinkT(t, "/dev/zero", p) },
		"link-outside": func(t *testing.T, p string) { symlinkT(t, secret, p) },
		"huge": func(t *testing.T, p string) {
			// Sparse: refused from its size, never read.
			writeFileT(t, p, "")
			if err := os.Truncate(p, 128<<20); err != nil {
				t.Fatal(err)
			}
		},
	}
	want := map[string]string{"fifo": "not a regular file", "dev-zero": "leads outside", "link-outside": "leads outside", "huge": "larger than the size cap"}
	for _, name := range []string{".mtlslint.toml", "pyproject.toml", "baseline", "--config"} {
		for kind, build := range kinds {
			t.Run(name+"/"+kind, func(t *testing.T) {
				dir := t.TempDir()
				writeFileT(t, filepath.Join(dir, "nginx.conf"), "events {}\nhttp { server { listen 80; } }\n")
				file := name
				args := []string{"check", dir}
				switch name {
				case "baseline":
					file = ".mtlslint-baseline.json"
					args = []string{"check", "--baseline", filepath.Join(dir, file), dir}
				case "--config":
					// Named by the user, outside the tree: followed, but
					// it must still be a regular file of a sensible size.
					file = filepath.Join(t.TempDir(), "shared.toml")
					args = []string{"check", "--config", file, dir}
					if kind == "link-outside" {
						t.Skip("a configuration the user names may be anywhere")
					}
				}
				wantMsg := want[kind]
				if name == "--config" && kind == "dev-zero" {
					wantMsg = "not a regular file"
				}
				if !filepath.IsAbs(file) {
					file = filepath.Join(dir, file)
				}
				build(t, file)
				done := make(chan struct{})
				var code int
				var stderr string
				go func() {
					code, _, stderr = cli(t, args...)
					close(done)
				}()
				select {
				case <-done:
				case <-time.After(60 * time.Second):
					t.Fatal("check did not return: it is waiting on the file")
				}
				if code != exitError || !strings.Contains(stderr, wantMsg) || !strings.Contains(stderr, file) {
					t.Errorf("exit %d, stderr %q; want exit 2 saying %q about %s", code, stderr, wantMsg, file)
				}
				if strings.Contains(stderr, "TOP-SECRET-VALUE") {
					t.Error("the content of a file outside the tree reached the error message")
				}
			})
		}
	}
}

func symlinkT(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func writeFileT(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
