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

var (
	fuzzOnce    sync.Once
	fuzzSandbox *Sandbox
	fuzzErr     error
)

// FuzzRewrite rewrites arbitrary configurations of every front end: no
// panic, and no edits that conflict (an internal error), whatever the
// parsers make of the input.
func FuzzRewrite(f *testing.F) {
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
		fuzzOnce.Do(func() {
			dir, err := os.MkdirTemp("", "mtlslint-fuzz-sandbox-")
			if err != nil {
				fuzzErr = err
				return
			}
			fuzzSandbox, fuzzErr = NewSandbox(dir, nil)
		})
		if fuzzErr != nil {
			t.Fatal(fuzzErr)
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
			p, err := fuzzSandbox.Rewrite(ws, tree)
			if err != nil && strings.Contains(err.Error(), "internal error") {
				t.Fatalf("%s: %v\n%s", name, err, content)
			}
			if p != nil {
				os.RemoveAll(p.Dir)
			}
		}
		fuzzSandbox.Close()
	})
}
