package python

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// memReader is a source.Reader over files in memory.
type memReader struct{ fs fstest.MapFS }

func newMemReader(files map[string]string) memReader {
	m := fstest.MapFS{}
	for p, c := range files {
		m[p] = &fstest.MapFile{Data: []byte(c), ModTime: time.Unix(0, 0)}
	}
	return memReader{m}
}

func (r memReader) ReadFile(p string) (*source.File, error) {
	b, err := r.fs.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return source.NewFile(p, b), nil
}

func (r memReader) Glob(pattern string) ([]string, error) { return fs.Glob(r.fs, pattern) }

func (r memReader) Stat(p string) (fs.FileInfo, error) { return fs.Stat(r.fs, p) }

// loadFiles loads the Python files as the front end does.
func loadFiles(t testing.TB, files map[string]string) []*Tree {
	t.Helper()
	var paths []string
	for p := range files {
		if strings.HasSuffix(p, ".py") && Detect(p, []byte(files[p])) {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	trees, _ := Load(newMemReader(files), paths)
	return trees
}

// probes are the header values the summaries try: absent, empty, nginx's
// verification results, HAProxy's, a DN, anything else.
var probes = []struct {
	name    string
	value   string
	present bool
}{
	{"<absent>", "", false}, {`""`, "", true}, {"SUCCESS", "SUCCESS", true}, {"NONE", "NONE", true},
	{"FAILED:x", "FAILED:x", true}, {"0", "0", true}, {"1", "1", true}, {"CN=a", "CN=a", true},
}

// acceptance summarises which probes reach a sink through a path's tests
// on r: "SUCCESS", "any", "never", or the list; "?" marks a test this
// analysis cannot evaluate.
func acceptance(p *Path, r *Read) string {
	var hits []string
	undecided := false
	for _, pr := range probes {
		ok := true
		for _, t := range p.TestsOn(r) {
			switch t.Eval(pr.value, pr.present) {
			case True:
			case Undecided:
				undecided = true
			default:
				ok = false
			}
		}
		if ok {
			hits = append(hits, pr.name)
		}
	}
	s := strings.Join(hits, "|")
	switch len(hits) {
	case 0:
		s = "never"
	case len(probes):
		s = "any"
	}
	if undecided {
		s += "?"
	}
	return s
}

func dedupeStrings(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// TestFlowDump prints the facts of the Python files under $FLOW_DIR (a
// debugging aid; skipped without it).
func TestFlowDump(t *testing.T) {
	dir := os.Getenv("FLOW_DIR")
	if dir == "" {
		t.Skip("FLOW_DIR not set")
	}
	files := map[string]string{}
	_ = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".py") {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			files[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	for _, tr := range loadFiles(t, files) {
		if tr.App == nil {
			continue
		}
		for _, r := range tr.App.ReadSites {
			t.Logf("%s %s %s unresolved=%q unanalysed=%q", path.Base(tr.Module.File.Path), r.Func, r, r.Unresolved, r.Unanalysed)
			for _, s := range decides(r) {
				t.Logf("    %s", s)
			}
		}
		for _, s := range tr.App.Sinks {
			t.Logf("  sink %s in %s", s, s.Func)
			for _, p := range s.Paths {
				t.Logf("      %s", p)
			}
		}
	}
}

// A header line's name compared with something other than a constant is
// still a read, with its key unresolved: never nothing.
func TestASGIHeaderLineUnresolved(t *testing.T) {
	src := `
class CertMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        for name, value in scope["headers"]:
            if name in WANTED:
                await self.app(scope, receive, send)
                return
`
	var reads []*Read
	for _, tr := range loadFiles(t, map[string]string{"app/mw.py": src}) {
		if tr.App != nil {
			reads = append(reads, tr.App.ReadSites...)
		}
	}
	if len(reads) != 1 {
		t.Fatalf("got %d reads, want 1: %v", len(reads), reads)
	}
	if r := reads[0]; r.Via != ViaHeaders || len(r.Keys) != 0 || !strings.Contains(r.Unresolved, "WANTED") {
		t.Errorf("read %s: via %s, keys %v, unresolved %q; want an unresolved headers read naming WANTED", r, r.Via, r.Keys, r.Unresolved)
	}
}

// A parameter annotated with a framework's request class is the request,
// whatever its name and however the class was imported.
func TestRequestParamByAnnotation(t *testing.T) {
	files := map[string]string{
		"app/auth.py": `
from fastapi import HTTPException
from starlette.requests import HTTPConnection as Conn

def unit(conn: Conn):
    if conn.headers.get("x-ssl-client-verify") != "SUCCESS":
        raise HTTPException(status_code=401)
    return conn.headers.get("x-ssl-client-dn", "")
`,
		"app/main.py": `
import fastapi
from fastapi import Depends, FastAPI
from .auth import unit

app = FastAPI()

@app.websocket("/live")
async def live(ws: fastapi.WebSocket, who=Depends(unit)):
    return ws.headers.get("x-other")

@app.get("/plain")
async def plain(conn: str):
    return conn.headers.get("x-not-a-request")
`,
	}
	got := map[string]string{}
	for _, tr := range loadFiles(t, files) {
		if tr.App == nil {
			continue
		}
		for _, r := range tr.App.ReadSites {
			got[r.Key()] = r.Unanalysed
		}
	}
	for _, key := range []string{"x-ssl-client-verify", "x-ssl-client-dn", "x-other"} {
		why, ok := got[key]
		if !ok {
			t.Errorf("no read of %s; reads: %v", key, got)
		} else if why != "" {
			t.Errorf("read of %s not analysed (%s); want it followed through the annotated request parameter", key, why)
		}
	}
	if why, ok := got["x-not-a-request"]; ok && why == "" {
		t.Errorf("a parameter annotated str was taken as the request: %v", got)
	}
}

// A config module whose settings-like names are only class attributes (a
// Flask config class) is not a Django settings module; one that binds them
// at its top level is.
func TestSettingsRoleNeedsTopLevelNames(t *testing.T) {
	files := map[string]string{
		"rota/config.py": `
import os

class ProductionConfig:
    SECRET_KEY = os.environ["ROTA_SECRET_KEY"]
    SESSION_COOKIE_SECURE = True

class DevelopmentConfig(ProductionConfig):
    DEBUG = True
`,
		"proj/settings/base.py": "SECRET_KEY = 'x' * 60\nMIDDLEWARE = []\n",
		"proj/settings/prod.py": "from .base import *\n\nSECURE_SSL_REDIRECT = True\n",
	}
	roles := map[string]Role{}
	for _, tr := range loadFiles(t, files) {
		roles[tr.Module.File.Path] = tr.Role
	}
	want := map[string]Role{"rota/config.py": RoleApp, "proj/settings/base.py": RoleSettings, "proj/settings/prod.py": RoleSettings}
	for p, r := range want {
		if got, ok := roles[p]; ok && got != r || !ok && r == RoleSettings {
			t.Errorf("%s: role %v, want %v (roles %v)", p, got, r, roles)
		}
	}
}
