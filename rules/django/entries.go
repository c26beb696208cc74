package django

import (
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/gunicorn"
	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// entryPoints are the DJANGO_SETTINGS_MODULE values of the workspace, by
// whether the entry point that sets them deploys the app. Settings are
// judged per entry point: a module only development entry points name (a
// demo project's manage.py, a test runner's configuration) is not
// deployed, whatever its name.
type entryPoints struct {
	// deployed: the configured settings module, an app server's
	// environment (command line, systemd, Dockerfile, compose), a
	// Kubernetes container's environment, and wsgi.py, asgi.py and other
	// code outside demo and test directories.
	deployed []string
	// dev: test modules and conftest.py, a test runner's configuration
	// (pytest.ini, tox.ini, setup.cfg, pyproject.toml), and any entry
	// point inside a demo or test directory.
	dev []string
	// manage: manage.py, a development entry point when nothing in the
	// workspace runs an app server (served) or the deployment names
	// other modules.
	manage []string
	// build: modules a Dockerfile's RUN step names for a build command
	// (collectstatic, compilemessages): they configure building the
	// image, not the app it serves.
	build  []string
	served bool

	// The look-ups the settings rules make for every settings tree,
	// computed once per run (see index) rather than by every rule for
	// every tree against every other tree: the module names of the three
	// lists, whether each settings tree is for development, and the
	// modules that deployable settings star-import.
	deployedSet, devSet, manageSet, buildSet map[string]bool
	devTree                                  map[string]bool
	extended                                 map[string]bool

	// srv are the app servers collected to find the entry points, kept
	// for the app builder (the one reader after this analysis) rather
	// than collected again from every tree.
	srv *servers
}

// servers returns the app servers of the workspace, collected once.
func (e *entryPoints) servers(ws *parsers.Workspace) *servers {
	if e == nil || e.srv == nil {
		return collectServers(ws)
	}
	return e.srv
}

// settingsEntries is the entry-point analysis the settings rules read.
var settingsEntries = &rules.Analysis{
	Name:  "django-entry-points",
	Doc:   "The DJANGO_SETTINGS_MODULE values of the workspace by kind of entry point (*entryPoints).",
	Scope: rules.ScopeDeployment,
	Build: func(p *rules.Pass) any { return findEntryPoints(p.Workspace, p.Settings) },
}

var requiresEntries = []*rules.Analysis{settingsEntries}

// devDirs are directories whose settings modules are demos or test
// projects, not deployments.
var devDirs = map[string]bool{"example": true, "examples": true, "demo": true, "demos": true, "sample": true, "samples": true,
	"sandbox": true, "testapp": true, "testproject": true, "test_project": true, "tests": true, "test": true, "testing": true,
	"docs": true, "doc": true}

// inDevDir reports whether a file sits below a demo or test directory.
func inDevDir(rel string) bool {
	dirs := strings.Split(path.Dir(rel), "/")
	for _, d := range dirs {
		if devDirs[strings.ToLower(d)] {
			return true
		}
	}
	return false
}

// isTestModule reports whether a Python file is a test module or a test
// runner's hook file.
func isTestModule(rel string) bool {
	b := path.Base(rel)
	return b == "conftest.py" || strings.HasPrefix(b, "test_") || strings.HasSuffix(b, "_test.py") || b == "tests.py"
}

// runnerConfigs are the test runners' configuration files, and the
// pytest-django setting in them.
var (
	runnerConfigs  = []string{"pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml", "*/pytest.ini", "*/tox.ini", "*/setup.cfg", "*/pyproject.toml"}
	runnerSetting  = source.LazyRegexp(`(?m)^\s*DJANGO_SETTINGS_MODULE\s*=\s*["']?([A-Za-z_][\w.]*)`)
	k8sEnvSetting  = source.LazyRegexp(`(?m)name:\s*["']?DJANGO_SETTINGS_MODULE["']?\s*\n\s*value:\s*["']?([A-Za-z_][\w.]*)`)
	k8sDataSetting = source.LazyRegexp(`(?m)^\s*DJANGO_SETTINGS_MODULE:\s*["']?([A-Za-z_][\w.]*)`)
	// buildStep is a Dockerfile RUN command with a manage.py command
	// that only prepares the image.
	buildStep     = source.LazyRegexp(`\bmanage\.py\s+(?:collectstatic|compilemessages|compress|collectstatic_js_reverse)\b`)
	buildSettings = source.LazyRegexp(`(?:--settings[= ]|DJANGO_SETTINGS_MODULE=)["']?([A-Za-z_][\w.]*)`)
)

// dockerBuildSettings returns the settings modules a Dockerfile's RUN
// steps name for build commands only.
func dockerBuildSettings(f *source.File) []string {
	var out []string
	for _, run := range gunicorn.RunCommands(f) {
		if !buildStep().MatchString(run) {
			continue
		}
		for _, m := range buildSettings().FindAllStringSubmatch(run, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

func findEntryPoints(ws *parsers.Workspace, st *rules.Settings) *entryPoints {
	e := &entryPoints{}
	if st != nil && st.SettingsModule != "" {
		e.deployed = append(e.deployed, st.SettingsModule)
	}
	defer e.index(ws, st)
	if ws == nil {
		return e
	}
	add := func(file, module string, devKind bool) {
		if devKind || inDevDir(file) {
			if path.Base(file) == "manage.py" && !inDevDir(file) {
				e.manage = append(e.manage, module)
				return
			}
			e.dev = append(e.dev, module)
		} else {
			e.deployed = append(e.deployed, module)
		}
	}
	hasPython := false
	for _, t := range ws.Trees {
		switch t := t.(type) {
		case *python.Tree:
			hasPython = true
			rel := t.Root().Path
			for _, s := range t.SettingsModules {
				add(rel, s.Value, path.Base(rel) == "manage.py" || isTestModule(rel))
			}
		}
		if t.Kind() == parsers.KindK8s {
			for _, f := range t.Files() {
				for _, re := range []*regexp.Regexp{k8sEnvSetting(), k8sDataSetting()} {
					for _, m := range re.FindAllSubmatch(f.Content, -1) {
						add(f.Path, string(m[1]), false)
					}
				}
			}
		}
	}
	if !hasPython {
		return e
	}
	srv := collectServers(ws)
	e.srv = srv
	e.served = len(srv.trees) > 0 || len(srv.procs) > 0
	for _, p := range srv.procs {
		if v, ok := p.envValue("DJANGO_SETTINGS_MODULE"); ok {
			add(p.file(), v, false)
		}
	}
	for _, g := range srv.all() {
		if len(g.Commands) > 0 {
			e.served = true
		}
		for _, v := range g.Env {
			if v.Name == "DJANGO_SETTINGS_MODULE" {
				add(g.File.Path, v.Value, false)
			}
		}
		if gunicorn.IsDockerfile(g.File.Path) {
			e.build = append(e.build, dockerBuildSettings(g.File)...)
		}
	}
	if ws.Reader != nil {
		seen := map[string]bool{}
		for _, g := range runnerConfigs {
			ps, _ := ws.Reader.Glob(g)
			for _, p := range ps {
				if seen[p] {
					continue
				}
				seen[p] = true
				f, err := ws.Reader.ReadFile(p)
				if err != nil {
					continue
				}
				for _, m := range runnerSetting().FindAllSubmatch(f.Content, -1) {
					e.dev = append(e.dev, string(m[1]))
				}
			}
		}
	}
	for _, l := range []*[]string{&e.deployed, &e.dev, &e.manage, &e.build} {
		*l = dedupe(*l)
		sort.Strings(*l)
	}
	return e
}

// index computes the look-ups of the settings rules: the module name
// sets, then whether each settings tree is for development, then which
// modules the deployable ones extend.
func (e *entryPoints) index(ws *parsers.Workspace, st *rules.Settings) {
	e.deployedSet, e.devSet, e.manageSet, e.buildSet = moduleSet(e.deployed), moduleSet(e.dev), moduleSet(e.manage), moduleSet(e.build)
	e.devTree, e.extended = map[string]bool{}, map[string]bool{}
	if ws == nil {
		return
	}
	for _, t := range ws.Trees {
		if pt, ok := t.(*python.Tree); ok && pt.Role == python.RoleSettings {
			e.devTree[pt.Root().Path] = e.judgeDev(pt.Root().Path, st)
		}
	}
	for _, t := range ws.Trees {
		pt, ok := t.(*python.Tree)
		if !ok || pt.Role != python.RoleSettings || e.devTree[pt.Root().Path] {
			continue
		}
		for _, f := range pt.Files()[1:] {
			e.extended[f.Path] = true
		}
	}
}

func moduleSet(modules []string) map[string]bool {
	set := make(map[string]bool, len(modules))
	for _, m := range modules {
		set[m] = true
	}
	return set
}

// names reports whether one of the dotted module names is the settings
// module at rel: its dotted name, or a suffix of it after a dot.
func names(modules map[string]bool, rel string) bool {
	dotted := python.DottedName(rel)
	for {
		if modules[dotted] {
			return true
		}
		i := strings.IndexByte(dotted, '.')
		if i < 0 {
			return false
		}
		dotted = dotted[i+1:]
	}
}

// isDev reports whether the settings module at rel is for development
// only: by its name (IsDevSettings), or, when no deployment entry point
// names it, because it sits in a demo or test directory, a test runner
// names it, or manage.py names it and either nothing runs an app server
// or the app servers name other modules.
func (e *entryPoints) isDev(rel string, st *rules.Settings) bool {
	if e == nil {
		return IsDevSettings(rel, st)
	}
	if dev, ok := e.devTree[rel]; ok {
		return dev
	}
	return e.judgeDev(rel, st)
}

func (e *entryPoints) judgeDev(rel string, st *rules.Settings) bool {
	if IsDevSettings(rel, st) {
		return true
	}
	if names(e.deployedSet, rel) {
		return false
	}
	return inDevDir(rel) || names(e.devSet, rel) || names(e.buildSet, rel) || names(e.manageSet, rel) && (!e.served || len(e.deployed) > 0)
}

// entriesOf returns the entry points of the pass's workspace.
func entriesOf(p *rules.Pass) *entryPoints {
	e, _ := p.ResultOf(settingsEntries).(*entryPoints)
	return e
}
