package bench

import (
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The rows of the speed table as whole processes, and the peers they are
// compared with, measured in the same run:
//
//	go test ./internal/bench -run '^$' -bench 'Process|Peer' -benchtime 5x

// BenchmarkVersionProcess measures start-up: `mtlslint version`.
func BenchmarkVersionProcess(b *testing.B) {
	benchProcess(b, 0, 0, "version")
}

// BenchmarkNginxServersProcess lints the 8,000-server nginx file with the
// command.
func BenchmarkNginxServersProcess(b *testing.B) {
	root := bigNginx(b, 8000)
	files, bytes := size(b, root)
	benchProcess(b, files, bytes, "check", "--isolated", "--format", "json", "--output", os.DevNull, root)
}

// filesUnder lists the regular files below dir whose name ends in suffix.
func filesUnder(tb testing.TB, dir, suffix string) []string {
	tb.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.HasSuffix(p, suffix) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// runPeer runs a peer once per iteration; its exit status is ignored (a
// peer rejects some corpus files), but it must start.
func runPeer(b *testing.B, name string, args ...string) {
	b.Helper()
	for b.Loop() {
		cmd := exec.Command(name, args...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Run(); err != nil {
			if _, ok := err.(*exec.ExitError); !ok {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkPeer measures the tools mtlslint's rows are compared with, on
// the same corpus folders: CPython's ast.parse of every .py file of the
// Django corpus (start-up included), `haproxy -c` on each .cfg file of the
// HAProxy corpus, and gixy on the nginx corpus. Each skips when its tool
// or the corpus is missing.
func BenchmarkPeer(b *testing.B) {
	dir := corpusDir()
	if dir == "" {
		b.Skip("no corpus (set MTLSLINT_CORPUS)")
	}
	b.Run("cpython-ast/django", func(b *testing.B) {
		py := "/usr/bin/python3"
		if _, err := os.Stat(py); err != nil {
			b.Skip("no", py)
		}
		script := `import ast, os, sys
for root, dirs, files in os.walk(sys.argv[1]):
    for f in files:
        if f.endswith(".py"):
            try:
                ast.parse(open(os.path.join(root, f), "rb").read())
            except (SyntaxError, ValueError):
                pass
`
		runPeer(b, py, "-c", script, filepath.Join(dir, "django"))
	})
	b.Run("haproxy-c/haproxy", func(b *testing.B) {
		bin, err := exec.LookPath("haproxy")
		if err != nil {
			b.Skip("no haproxy")
		}
		cfgs := filesUnder(b, filepath.Join(dir, "haproxy"), ".cfg")
		for b.Loop() {
			for _, c := range cfgs {
				cmd := exec.Command(bin, "-c", "-q", "-f", c)
				cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
				_ = cmd.Run() // many corpus files name certificates that are not there
			}
		}
	})
	b.Run("gixy/nginx", func(b *testing.B) {
		bin, err := exec.LookPath("gixy")
		if err != nil {
			b.Skip("no gixy")
		}
		runPeer(b, bin, filesUnder(b, filepath.Join(dir, "nginx"), ".conf")...)
	})
}
