package django

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/rules"
)

const settingsBody = "SECRET_KEY = 'x'\nDEBUG = True\nALLOWED_HOSTS = ['*']\n"

func setdefault(module string) string {
	return "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', '" + module + "')\n"
}

// TestEntryPoints judges settings modules by the entry points that name
// them (issue 16, item 9).
func TestEntryPoints(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		dev   map[string]bool // settings module -> development only
		// base: settings module -> judged through a deployable module
		// that extends it (extendedByDeployed)
		base map[string]bool
	}{
		{"demo project and test settings", map[string]string{
			"example/example_project/settings.py": settingsBody,
			"example/example_project/wsgi.py":     setdefault("example_project.settings"),
			"example/manage.py":                   setdefault("example_project.settings"),
			"tests/settings.py":                   settingsBody,
			"pyproject.toml":                      "[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = \"tests.settings\"\n",
		}, map[string]bool{"example/example_project/settings.py": true, "tests/settings.py": true}, nil},
		{"startproject layout", map[string]string{
			"proj/settings.py": settingsBody,
			"proj/wsgi.py":     setdefault("proj.settings"),
			"manage.py":        setdefault("proj.settings"),
		}, map[string]bool{"proj/settings.py": false}, nil},
		{"settings only a Dockerfile build step names", map[string]string{
			"proj/settings/prod.py":  settingsBody,
			"proj/settings/build.py": settingsBody,
			"proj/wsgi.py":           setdefault("proj.settings.prod"),
			"Dockerfile":             "FROM python:3.12\nRUN python manage.py collectstatic --noinput \\\n    --settings=proj.settings.build\nCMD [\"gunicorn\", \"proj.wsgi\"]\n",
		}, map[string]bool{"proj/settings/prod.py": false, "proj/settings/build.py": true}, nil},
		{"build settings the image also serves with", map[string]string{
			"proj/settings/build.py": settingsBody,
			"proj/wsgi.py":           setdefault("proj.settings.prod"),
			"Dockerfile":             "FROM python:3.12\nRUN python manage.py collectstatic --settings=proj.settings.build\nENV DJANGO_SETTINGS_MODULE=proj.settings.build\nCMD [\"gunicorn\", \"proj.wsgi\"]\n",
		}, map[string]bool{"proj/settings/build.py": false}, nil},
		{"a build command commented out inside a RUN step", map[string]string{
			"proj/settings/build.py": settingsBody,
			"Dockerfile":             "FROM python:3.12\nRUN pip install -r requirements.txt \\\n# && python manage.py collectstatic --settings=proj.settings.build \\\n    && python manage.py check\nCMD [\"gunicorn\", \"proj.wsgi\"]\n",
		}, map[string]bool{"proj/settings/build.py": false}, nil},
		{"a RUN step that is not a build command", map[string]string{
			"proj/settings/build.py": settingsBody,
			"Dockerfile":             "FROM python:3.12\nRUN python manage.py migrate --settings=proj.settings.build\nCMD [\"gunicorn\", \"proj.wsgi\"]\n",
		}, map[string]bool{"proj/settings/build.py": false}, nil},
		{"manage.py alone is development", map[string]string{
			"proj/settings.py": settingsBody,
			"manage.py":        setdefault("proj.settings"),
		}, map[string]bool{"proj/settings.py": true}, nil},
		{"manage.py and an app server", map[string]string{
			"proj/settings.py": settingsBody,
			"manage.py":        setdefault("proj.settings"),
			"gunicorn.conf.py": "bind = '127.0.0.1:8000'\n",
		}, map[string]bool{"proj/settings.py": false}, nil},
		{"the app server's environment deploys", map[string]string{
			"proj/settings/prod.py":  settingsBody,
			"proj/settings/stage.py": settingsBody,
			"manage.py":              setdefault("proj.settings.stage"),
			"Dockerfile":             "FROM python:3.12\nENV DJANGO_SETTINGS_MODULE=proj.settings.prod\nCMD gunicorn proj.wsgi\n",
		}, map[string]bool{"proj/settings/prod.py": false, "proj/settings/stage.py": true}, nil},
		{"a deployed entry point outweighs the directory", map[string]string{
			"tests/settings.py":   settingsBody,
			"docker-compose.yml":  "services:\n  web:\n    image: app\n    environment:\n      - DJANGO_SETTINGS_MODULE=tests.settings\n",
			"demo/settings.py":    settingsBody,
			"deploy/k8s/web.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: app\n        env:\n        - name: DJANGO_SETTINGS_MODULE\n          value: demo.settings\n",
		}, map[string]bool{"tests/settings.py": false, "demo/settings.py": false}, nil},
		{"names mark development whatever names them", map[string]string{
			"proj/settings/local.py": settingsBody,
			"proj/wsgi.py":           setdefault("proj.settings.local"),
		}, map[string]bool{"proj/settings/local.py": true}, nil},
		{"a test runner's hook is development", map[string]string{
			"proj/settings.py": settingsBody,
			"conftest.py":      setdefault("proj.settings"),
			"tox.ini":          "[pytest]\nDJANGO_SETTINGS_MODULE = proj.settings\n",
		}, map[string]bool{"proj/settings.py": true}, nil},
		{"nothing names the module", map[string]string{
			"proj/settings.py": settingsBody,
		}, map[string]bool{"proj/settings.py": false}, nil},
		{"a base only test settings extend is judged itself", map[string]string{
			"shop/__init__.py":       "",
			"shop/settings.py":       settingsBody,
			"shop/tests/__init__.py": "",
			"shop/tests/settings.py": "from ..settings import *\nSECRET_KEY = 'test'\n",
		}, map[string]bool{"shop/settings.py": false, "shop/tests/settings.py": true},
			map[string]bool{"shop/settings.py": false}},
		{"a base a deployed module extends is judged through it", map[string]string{
			"proj/__init__.py":          "",
			"proj/settings/__init__.py": "",
			"proj/settings/base.py":     settingsBody,
			"proj/settings/prod.py":     "from .base import *\nDEBUG = False\n",
			"Dockerfile":                "FROM python:3.12\nENV DJANGO_SETTINGS_MODULE=proj.settings.prod\nCMD gunicorn proj.wsgi\n",
		}, map[string]bool{"proj/settings/prod.py": false},
			map[string]bool{"proj/settings/base.py": true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range c.files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ws, err := parsers.Load(context.Background(), parsers.Options{Root: dir})
			if err != nil {
				t.Fatal(err)
			}
			st := &rules.Settings{}
			e, _ := rules.Evaluate(settingsEntries, ws, nil, st).(*entryPoints)
			if e == nil {
				t.Fatal("no entry points")
			}
			for rel, want := range c.dev {
				if got := e.isDev(rel, st); got != want {
					t.Errorf("%s: development %v, want %v (deployed %v, dev %v)", rel, got, want, e.deployed, e.dev)
				}
			}
			for rel, want := range c.base {
				if got := extendedByDeployed(ws, rel, e, st); got != want {
					t.Errorf("%s: judged through a deployable module that extends it: %v, want %v", rel, got, want)
				}
			}
		})
	}
}

// TestModuleIs checks moduleIs against the strings it stands for.
func TestModuleIs(t *testing.T) {
	ids := []string{"", "a", "settings", "proj.settings", "proj.settings.__init__", "settings.__init__", "projsettings", "x.proj.settings", "proj.settings.prod", "settings__init__", ".settings"}
	for _, id := range ids {
		for _, m := range ids {
			want := id == m || strings.HasSuffix(id, "."+m) || id == m+".__init__"
			if got := moduleIs(id, m); got != want {
				t.Errorf("moduleIs(%q, %q) = %v, want %v", id, m, got, want)
			}
		}
	}
}
