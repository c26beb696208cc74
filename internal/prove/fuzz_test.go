package prove

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
)

// fuzzNames are the file names that make each front end read the input.
var fuzzNames = []string{"nginx.conf", "haproxy.cfg", "httpd.conf", "Caddyfile", "caddy.json"}

// FuzzRewrite rewrites arbitrary configurations of every front end: no
// panic, and no edits that conflict (an internal error), whatever the
// parsers make of the input.
func FuzzRewrite(f *testing.F) {
	// One sandbox (its PKI is slow to make) for every input of this
	// process, in the target's own temporary directory, which the testing
	// package removes when the target ends.
	var (
		once       sync.Once
		sandbox    *Sandbox
		sandboxErr error
	)
	sandboxDir := f.TempDir()
	for i, family := range []string{"nginx", "haproxy", "apache", "caddy"} {
		dirs, _ := os.ReadDir(filepath.Join("..", "..", "fixtures", family))
		for _, d := range dirs {
			files, _ := os.ReadDir(filepath.Join("..", "..", "fixtures", family, d.Name()))
			for _, file := range files {
				b, err := os.ReadFile(filepath.Join("..", "..", "fixtures", family, d.Name(), file.Name()))
				if err == nil && !file.IsDir() && file.Name() != "WANT" {
					kind := i
					if strings.HasSuffix(file.Name(), ".json") {
						kind = 4
					}
					f.Add(uint8(kind), b)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, content []byte) {
		once.Do(func() {
			sandbox, sandboxErr = NewSandbox(sandboxDir, nil)
		})
		if sandboxErr != nil {
			t.Fatal(sandboxErr)
		}
		repo := t.TempDir()
		name := fuzzNames[int(kind)%len(fuzzNames)]
		if err := os.WriteFile(filepath.Join(repo, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
		ws, err := parsers.Load(context.Background(), parsers.Options{Root: repo})
		if err != nil {
			return
		}
		for _, tree := range ws.Trees {
			if !proxyKinds[tree.Kind()] {
				continue
			}
			p, err := sandbox.Rewrite(ws, tree)
			if err != nil && strings.Contains(err.Error(), "internal error") {
				t.Fatalf("%s: %v\n%s", name, err, content)
			}
			if p != nil {
				os.RemoveAll(p.Dir)
			}
		}
		sandbox.Close()
	})
}
