package parsers

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// cancellingReader cancels its run once it has read after files, and
// counts the reads asked for after that.
type cancellingReader struct {
	source.Reader
	after int

	mu        sync.Mutex
	reads     int
	afterStop int
}

func (c *cancellingReader) ReadFile(p string) (*source.File, error) {
	c.mu.Lock()
	c.reads++
	if c.reads > c.after {
		c.afterStop++
	}
	c.mu.Unlock()
	return c.Reader.ReadFile(p)
}

func (c *cancellingReader) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reads >= c.after {
		return context.Canceled
	}
	return nil
}

// TestFrontEndsStopWhenCancelled: every front end asks whether its run
// was cancelled in its loops, so that a run that timed out stops working:
// after the reader says so, at most a file or two more is read.
func TestFrontEndsStopWhenCancelled(t *testing.T) {
	make := map[string]func(i int) (string, string){
		KindNginx: func(i int) (string, string) {
			return fmt.Sprintf("nginx/conf.d/s%02d.conf", i), "server { listen 80; }\n"
		},
		KindHAProxy: func(i int) (string, string) { return fmt.Sprintf("lb%02d/haproxy.cfg", i), "global\n    maxconn 1\n" },
		KindGunicorn: func(i int) (string, string) {
			return fmt.Sprintf("s%02d/gunicorn.conf.py", i), "bind = '127.0.0.1:80'\n"
		},
		KindPython: func(i int) (string, string) {
			return fmt.Sprintf("p%02d/settings.py", i), "SECRET_KEY = 'x'\nDEBUG = True\n"
		},
		KindCompose: func(i int) (string, string) {
			return fmt.Sprintf("c%02d/docker-compose.yml", i), "services:\n  a:\n    image: x\n"
		},
		KindTerraform: func(i int) (string, string) { return fmt.Sprintf("m%02d/main.tf", i), "resource \"aws_lb\" \"a\" {}\n" },
		KindOpenAPI: func(i int) (string, string) {
			return fmt.Sprintf("api%02d.yaml", i), "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
		},
		KindApache: func(i int) (string, string) {
			return fmt.Sprintf("a%02d/apache2.conf", i), "Listen 80\n"
		},
		KindCaddy: func(i int) (string, string) {
			return fmt.Sprintf("c%02d/Caddyfile", i), "a.example.com {\n\trespond 1\n}\n"
		},
		KindEnvoy: func(i int) (string, string) {
			return fmt.Sprintf("e%02d/envoy.yaml", i), "static_resources:\n  listeners: []\n"
		},
		KindTraefik: func(i int) (string, string) {
			return fmt.Sprintf("t%02d/traefik.yml", i), "entryPoints:\n  web:\n    address: ':80'\n"
		},
		KindK8s: func(i int) (string, string) {
			return fmt.Sprintf("k8s/svc%02d.yaml", i), "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"
		},
	}
	for _, f := range All() {
		build := make[f.Kind]
		if build == nil {
			t.Errorf("no case for front end %s", f.Kind)
			continue
		}
		t.Run(f.Kind, func(t *testing.T) {
			overlay := map[string][]byte{}
			var paths []string
			for i := range 40 {
				p, c := build(i)
				overlay[p] = []byte(c)
				paths = append(paths, p)
			}
			sort.Strings(paths)
			fs, err := NewFSReader(t.TempDir(), 0, overlay)
			if err != nil {
				t.Fatal(err)
			}
			r := &cancellingReader{Reader: fs, after: 3}
			f.Load(r, paths)
			if r.reads < r.after {
				t.Fatalf("read %d files: the case does not reach the cancellation", r.reads)
			}
			if r.afterStop > 2 {
				t.Errorf("%d files read after the run was cancelled", r.afterStop)
			}
		})
	}
}
