package parsers

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// TestSpecialFilesRefused: in the httpd, Caddy, Envoy and Traefik front
// ends, a configuration that is a named pipe, a link to /dev/zero, or
// that includes or imports a named pipe is reported (E004 or E003) and
// the load goes on: opening a pipe would wait for a writer for ever, and
// /dev/zero never ends.
func TestSpecialFilesRefused(t *testing.T) {
	cases := map[string]struct {
		config, content string // an ordinary configuration beside them
		pipe, zero      string // a named pipe and a link to /dev/zero, named as configurations
	}{
		KindApache:  {"apache2/apache2.conf", "Include pipe.conf\nListen 80\n", "apache2/pipe.conf", "apache2/sites-available/zero.conf"},
		KindCaddy:   {"Caddyfile", "import pipe.caddy\na.example.com {\n\trespond 1\n}\n", "pipe.caddy", "zero.caddy"},
		KindEnvoy:   {"envoy.yaml", "static_resources:\n  listeners: []\n", "e/envoy.yaml", "z/envoy.yaml"},
		KindTraefik: {"traefik.yml", "entryPoints:\n  web:\n    address: ':80'\n", "p/traefik.yml", "z/traefik.yml"},
	}
	for _, f := range All() {
		c, ok := cases[f.Kind]
		if !ok {
			continue
		}
		t.Run(f.Kind, func(t *testing.T) {
			dir := t.TempDir()
			for _, p := range []string{c.config, c.pipe, c.zero} {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, c.config), []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(filepath.Join(dir, c.pipe), 0o644); err != nil {
				t.Skipf("no named pipes here: %v", err)
			}
			if err := os.Symlink("/dev/zero", filepath.Join(dir, c.zero)); err != nil {
				t.Fatal(err)
			}
			r, err := NewFSReader(dir, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan []source.Problem, 1)
			go func() {
				_, probs := f.Load(r, []string{c.config, c.pipe, c.zero})
				done <- probs
			}()
			var probs []source.Problem
			select {
			case probs = <-done:
			case <-time.After(60 * time.Second):
				t.Fatal("the load did not return: a special file was opened")
			}
			reported := map[string]source.ProblemKind{}
			for _, p := range probs {
				reported[p.Range.File] = p.Kind
			}
			if k := reported[c.pipe]; k != source.ProblemSkipped {
				t.Errorf("the named pipe %s: %q, want %q; problems %v", c.pipe, k, source.ProblemSkipped, probs)
			}
			if k := reported[c.zero]; k != source.ProblemSkipped && k != source.ProblemIncludeOutside {
				t.Errorf("the link to /dev/zero %s: %q; problems %v", c.zero, k, probs)
			}
		})
	}
}
