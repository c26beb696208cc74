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

// TestTerminalInjection: file names and frontend names with escape
// sequences (ESC, OSC), CR, LF and U+202E reach check's text output (and
// graph's) as inert text: no control or bidi character, and no line that
// the input forged.
func TestTerminalInjection(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "haproxy\x1b]0;owned\x07\r\u202e\n", "x.cfg: critical H001 forged.cfg")
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Skipf("file names with control characters: %v", err)
	}
	writeFileT(t, full, "global\n    maxconn 1\ndefaults\n    mode http\nfrontend fe\x1b[2J\u202e\n    bind :443 ssl crt /s.pem ca-file /ca.pem verify optional\n"+
		"    http-request add-header X-SSL-Client-Verify %[ssl_c_verify]\n    default_backend be\x1b[31m\nbackend be\x1b[31m\n    server s1 127.0.0.1:8000\n")
	for _, args := range [][]string{{"check", "--isolated", dir}, {"graph", "--isolated", dir}} {
		code, out, stderr := cli(t, args...)
		if code == exitError {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
		if !strings.Contains(out, "H001") && args[0] == "check" {
			t.Fatalf("the file was not analysed:\n%q", out)
		}
		if strings.ContainsAny(out, "\x1b\r\x07\u202e") {
			t.Errorf("%v: a control or bidi character reached the output:\n%q", args, out)
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "x.cfg") || strings.HasPrefix(l, "/x.cfg") {
				t.Errorf("%v: a forged line: %q", args, l)
			}
		}
	}
}
