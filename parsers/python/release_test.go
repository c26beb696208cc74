package python

import (
	"reflect"
	"runtime"
	"testing"
	"time"
)

// releaseProject is a settings module that star-imports a base module
// (also a settings tree: the two share the parsed base), an entry point
// and a middleware that reads a certificate header.
var releaseProject = mapReader{
	"proj/base_settings.py": "SECRET_KEY = 'x'\nDEBUG = False\nALLOWED_HOSTS = ['example.com']\n",
	"proj/settings.py":      "from .base_settings import *\nMIDDLEWARE = ['proj.mw.CertMiddleware']\nSECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')\n",
	"proj/wsgi.py":          "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n",
	"proj/mw.py": "class CertMiddleware:\n    def __init__(self, get_response):\n        self.get_response = get_response\n" +
		"    def __call__(self, request):\n        dn = request.META.get('HTTP_X_SSL_CLIENT_DN')\n" +
		"        if not dn:\n            return None\n        request.partner = dn\n        return self.get_response(request)\n",
}

// Release drops every tree's statements and evaluated settings, so that
// the collector frees them once the last tree sharing a module is
// released, and keeps what other trees' rules read: role, dotted name,
// files, DJANGO_SETTINGS_MODULE values and app code.
func TestReleaseDropsSyntaxAndSettings(t *testing.T) {
	trees, probs := Load(releaseProject, []string{"proj/base_settings.py", "proj/mw.py", "proj/settings.py", "proj/wsgi.py"})
	if len(probs) != 0 || len(trees) != 4 {
		t.Fatalf("%d trees, problems %v", len(trees), probs)
	}
	type kept struct {
		role     Role
		dotted   string
		files    []string
		modules  []Setting
		app      *AppCode
		appValue AppCode
	}
	before := make([]kept, len(trees))
	collected := make(chan string, 3*len(trees))
	left := 0
	for i, tr := range trees {
		k := kept{role: tr.Role, dotted: tr.Dotted, modules: tr.SettingsModules, app: tr.App}
		if tr.App != nil {
			k.appValue = *tr.App
		}
		for _, f := range tr.Files() {
			k.files = append(k.files, f.Path)
		}
		before[i] = k
		for _, s := range tr.Module.Stmts {
			runtime.AddCleanup(s, func(what string) { collected <- what }, tr.Dotted+" statement")
			left++
			break
		}
		if tr.Settings != nil {
			runtime.AddCleanup(tr.Settings, func(what string) { collected <- what }, tr.Dotted+" settings")
			left++
		}
	}
	if left < 5 {
		t.Fatalf("only %d objects to watch: the project did not load as expected", left)
	}
	for _, tr := range trees {
		tr.Release()
	}
	for deadline := time.Now().Add(10 * time.Second); left > 0; {
		runtime.GC()
		select {
		case <-collected:
			left--
		case <-time.After(20 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatalf("%d statements or namespaces of the released trees are still reachable", left)
			}
		}
	}
	for i, tr := range trees {
		var files []string
		for _, f := range tr.Files() {
			files = append(files, f.Path)
		}
		b := before[i]
		if tr.Kind() != Kind || tr.Root().Path != b.files[0] || !reflect.DeepEqual(files, b.files) {
			t.Errorf("tree %s: kind, root or files changed: %s %v", b.dotted, tr.Kind(), files)
		}
		if tr.Role != b.role || tr.Dotted != b.dotted || !reflect.DeepEqual(tr.SettingsModules, b.modules) || tr.App != b.app {
			t.Errorf("tree %s: role, dotted name, settings modules or app code changed", b.dotted)
		}
		if tr.App != nil && !reflect.DeepEqual(*tr.App, b.appValue) {
			t.Errorf("tree %s: app code changed", b.dotted)
		}
		if tr.Settings != nil || len(tr.Module.Stmts) != 0 {
			t.Errorf("tree %s still holds settings or statements", b.dotted)
		}
	}
	runtime.KeepAlive(trees)
}
