package python

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Kind is the tree kind of Python modules (parsers.KindPython).
const Kind = "python"

// Role says what a Python module is to the analysis.
type Role uint8

// Roles of Python modules.
const (
	// RoleApp is application code that reads request headers.
	RoleApp Role = iota + 1
	// RoleSettings is a Django settings module.
	RoleSettings
	// RoleEntry is manage.py, wsgi.py or asgi.py: where
	// DJANGO_SETTINGS_MODULE is chosen.
	RoleEntry
)

// Tree is one Python module with the modules it star-imports.
type Tree struct {
	Module *Module
	Role   Role
	// Dotted is the module's import path relative to the scanned root
	// ("proj/settings/prod.py" → "proj.settings.prod").
	Dotted string
	// Settings is the evaluated namespace (settings modules).
	Settings *Namespace
	// SettingsModules are DJANGO_SETTINGS_MODULE values set in this
	// module (entry points), with where.
	SettingsModules []Setting
	// App is what the module's code reads from requests.
	App   *AppCode
	files []*source.File
}

// Setting is a string set somewhere, with its range.
type Setting struct {
	Value string
	Range source.Range
}

// Kind implements parsers.Tree.
func (t *Tree) Kind() string { return Kind }

// Root implements parsers.Tree.
func (t *Tree) Root() *source.File { return t.Module.File }

// Files implements parsers.Tree: the module, then the modules it
// star-imports, in import order.
func (t *Tree) Files() []*source.File { return t.files }

// DottedName converts a root-relative .py path into a module path.
func DottedName(rel string) string {
	rel = strings.TrimSuffix(rel, ".py")
	rel = strings.TrimSuffix(rel, "/__init__")
	return strings.ReplaceAll(rel, "/", ".")
}

// settingsWords are names that mark a settings module.
var settingsWords = [][]byte{[]byte("INSTALLED_APPS"), []byte("MIDDLEWARE"), []byte("SECRET_KEY"), []byte("ALLOWED_HOSTS"),
	[]byte("SECURE_PROXY_SSL_HEADER"), []byte("ROOT_URLCONF"), []byte("DATABASES"), []byte("SESSION_COOKIE_SECURE"),
	[]byte("CSRF_COOKIE_SECURE"), []byte("SECURE_SSL_REDIRECT"), []byte("SECURE_HSTS_SECONDS"), []byte("USE_X_FORWARDED_HOST"),
	[]byte("WSGI_APPLICATION"), []byte("DEBUG")}

// bindsSettings says whether a module's top level binds one of the
// names a Django settings module sets.
func bindsSettings(ns *Namespace) bool {
	for _, w := range settingsWords {
		if ns.Get(string(w)) != nil {
			return true
		}
	}
	return false
}

// appWords mark code that reads request headers or configures who is
// trusted.
var appWords = [][]byte{[]byte("META"), []byte(".headers"), []byte("environ"), []byte("RemoteUser"),
	[]byte("HTTP_X_"), []byte("SSL_CLIENT"), []byte("MTLS"), []byte("REMOTE_USER"),
	// FastAPI fills a parameter from a header: x: str = Header(...)
	[]byte("Header("),
	// an ASGI scope's header lines: scope["headers"], scope.get("headers"),
	// starlette's Headers(scope=scope)
	[]byte(`"headers"`), []byte(`'headers'`), []byte("Headers("),
	// middlewares that rewrite the request from proxy headers: werkzeug's
	// ProxyFix, hypercorn's ProxyFixMiddleware, uvicorn's
	// ProxyHeadersMiddleware
	[]byte("ProxyFix"), []byte("ProxyHeadersMiddleware"),
	// Starlette's Host allow-list, which rules judge like ALLOWED_HOSTS
	[]byte("TrustedHostMiddleware"),
	// DRF views, whose permission classes say whether a request no
	// authentication class authenticates reaches them
	[]byte("permission_classes"), []byte("authentication_classes"), []byte("APIView"), []byte("ViewSet"), []byte("api_view")}

// Candidate reports, from the path alone, whether a file may be a Python
// module worth reading: .py files outside migrations, test suites and
// virtual environments.
func Candidate(rel string) bool {
	if !strings.HasSuffix(rel, ".py") {
		return false
	}
	for _, seg := range strings.Split(path.Dir(rel), "/") {
		switch seg {
		case "migrations", "site-packages", "node_modules", "tests", "test", "__pycache__":
			if !settingsName(rel) {
				return false
			}
		}
	}
	base := path.Base(rel)
	if strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_tests.py") || base == "conftest.py" || base == "setup.py" {
		return settingsName(rel)
	}
	return !GunicornConfigName(rel)
}

// GunicornConfigName reports whether a .py file is named like a gunicorn
// configuration (gunicorn.conf.py, gunicorn_config.py, gunicorn.py).
func GunicornConfigName(rel string) bool {
	base := path.Base(rel)
	return strings.HasPrefix(base, "gunicorn") && strings.HasSuffix(base, ".py")
}

func settingsName(rel string) bool {
	return strings.Contains(rel, "settings") || strings.Contains(path.Dir(rel), "config")
}

// Detect decides from the name and a cheap scan of the content whether a
// file is a settings module, an entry point or app code that reads request
// headers. Nothing is parsed here.
func Detect(rel string, content []byte) bool {
	return classify(rel, content) != 0
}

func classify(rel string, content []byte) Role {
	if !strings.HasSuffix(rel, ".py") || GunicornConfigName(rel) {
		return 0
	}
	base := path.Base(rel)
	if (base == "manage.py" || base == "wsgi.py" || base == "asgi.py") && bytes.Contains(content, []byte("DJANGO_SETTINGS_MODULE")) {
		return RoleEntry
	}
	n := 0
	for _, w := range settingsWords {
		if bytes.Contains(content, w) {
			n++
		}
	}
	if settingsName(rel) && n >= 1 || n >= 3 {
		if !bytes.Contains(content, []byte("def get_response")) && !bytes.Contains(content, []byte("class ")) || n >= 3 {
			return RoleSettings
		}
	}
	for _, w := range appWords {
		if bytes.Contains(content, w) {
			return RoleApp
		}
	}
	return 0
}

// loader parses and evaluates modules, resolving star imports inside the
// scanned tree.
type loader struct {
	r        source.Reader
	parsed   map[string]*Module
	evals    map[string]*Evaluator
	active   map[string]bool
	problems []source.Problem
	reported map[string]bool

	// preparsed are the detected files, parsed several at once before
	// the loader follows imports in order; their problems are reported
	// when the loader first asks for them, as for any other module.
	preparsed map[string]*Module

	// ahead is what the evaluation of each settings module evaluated
	// ahead reported (evaluateAhead), replayed when the loop reaches it.
	ahead map[string][]loadEvent
	// log, when set, receives what the loader reports instead of
	// problems (a settings module evaluated ahead).
	log *[]loadEvent
	// resolved are the imports evaluateAhead resolved (read only).
	resolved map[importKey]string
}

func (l *loader) module(rel string) (*Module, error) {
	if m, ok := l.parsed[rel]; ok {
		return m, nil
	}
	m := l.preparsed[rel]
	if m == nil {
		f, err := l.r.ReadFile(rel)
		if err != nil {
			return nil, err
		}
		m = Parse(f)
	}
	l.parsed[rel] = m
	if !l.reported[rel] {
		l.reported[rel] = true
		l.report(loadEvent{rel: rel, module: m, problems: m.Problems})
	}
	return m, nil
}

func (l *loader) evaluate(rel string) *Evaluator {
	if events, ok := l.ahead[rel]; ok {
		delete(l.ahead, rel)
		l.replay(events)
	}
	if ev, ok := l.evals[rel]; ok {
		return ev
	}
	m, err := l.module(rel)
	if err != nil {
		return nil
	}
	l.active[rel] = true
	ev := evaluate(m, l.importer, func() error { return source.Cancelled(l.r) })
	delete(l.active, rel)
	l.evals[rel] = ev
	if !l.reported["eval:"+rel] {
		l.reported["eval:"+rel] = true
		l.report(loadEvent{rel: rel, eval: ev, problems: ev.Problems})
	}
	return ev
}

// importer resolves relative imports against the importing file's
// package, and absolute ones against the scanned root and every directory
// above the importing file (a project's sources often sit in src/ or a
// subdirectory).
func (l *loader) importer(from *Module, module string, level int) (*Namespace, []*source.File, bool) {
	rel, ok := l.resolved[importKey{from: from.File.Path, module: module, level: level}]
	if !ok {
		rel = l.resolve(from.File.Path, module, level)
	}
	if rel == "" || l.active[rel] {
		return nil, nil, false
	}
	if len(l.active) > maxImportDepth {
		// Every module of the chain is being evaluated (the import is
		// followed recursively); deeper chains are not followed.
		l.report(loadEvent{problems: []source.Problem{{Kind: source.ProblemTooDeep, Range: importRange(from, module, level),
			Message: fmt.Sprintf("not followed: star imports nested deeper than %d modules", maxImportDepth),
			Detail:  fmt.Sprintf("Any name may come from %s.", strings.Repeat(".", level)+module)}}})
		return nil, nil, false
	}
	ev := l.evaluate(rel)
	if ev == nil {
		return nil, nil, false
	}
	files := append([]*source.File{ev.Module.File}, ev.Files...)
	return ev.NS, files, true
}

// importRange is where from imports module, or its first line.
func importRange(from *Module, module string, level int) source.Range {
	for _, s := range from.AllStmts() {
		if im, ok := s.(*ImportFrom); ok && im.Module == module && im.Level == level {
			return from.Range(im)
		}
	}
	return from.File.LineRange(1)
}

func (l *loader) resolve(fromPath, module string, level int) string {
	parts := strings.Split(module, ".")
	if module == "" {
		parts = nil
	}
	try := func(dir string) string {
		p := path.Join(append([]string{dir}, parts...)...)
		for _, c := range []string{p + ".py", p + "/__init__.py"} {
			if st, err := l.r.Stat(c); err == nil && !st.IsDir() {
				return c
			}
		}
		return ""
	}
	dir := path.Dir(fromPath)
	if level > 0 {
		for i := 1; i < level; i++ {
			dir = path.Dir(dir)
		}
		if len(parts) == 0 {
			return ""
		}
		return try(dir)
	}
	for {
		if c := try(dir); c != "" {
			return c
		}
		if dir == "." || dir == "/" || dir == "" {
			return ""
		}
		dir = path.Dir(dir)
	}
}

// Load parses the detected Python files into trees: one per settings
// module (with the modules it star-imports), one per entry point, one
// per module of app code.
func Load(r source.Reader, paths []string) ([]*Tree, []source.Problem) {
	return load(r, paths, classify)
}

// load is Load with the way a file's role is found: from its content, or
// from what detection found (Session).
func load(r source.Reader, paths []string, roleOf func(rel string, content []byte) Role) ([]*Tree, []source.Problem) {
	return loadScheduled(r, paths, roleOf, schedule{})
}

// schedule says how settings modules are evaluated; tests vary it to show
// that the result does not depend on it.
type schedule struct {
	// serial evaluates nothing ahead: each settings module is evaluated
	// when the loop reaches it.
	serial bool
	// order gives the order in which groups of settings modules start
	// their evaluation ahead (nil: largest first).
	order func(n int) []int
}

// loadScheduled is load with how settings modules are evaluated.
func loadScheduled(r source.Reader, paths []string, roleOf func(rel string, content []byte) Role, sch schedule) ([]*Tree, []source.Problem) {
	l := &loader{r: r, parsed: map[string]*Module{}, evals: map[string]*Evaluator{}, active: map[string]bool{}, reported: map[string]bool{}}
	var apps []*AppCode
	l.preparsed, apps = preparse(r, paths)
	roles := make([]Role, len(paths))
	for i, rel := range paths {
		if m := l.preparsed[rel]; m != nil {
			roles[i] = roleOf(rel, m.File.Content)
		}
	}
	if !sch.serial {
		l.evaluateAhead(paths, roles, sch.order)
	}
	var trees []*Tree
	for i, rel := range paths {
		if source.Cancelled(r) != nil {
			break // the run was cancelled: stop working
		}
		m, err := l.module(rel)
		if err != nil {
			l.problems = append(l.problems, source.Problem{Kind: source.ProblemSkipped, Range: source.Range{File: rel, Start: source.Pos{Line: 1, Col: 1}, End: source.Pos{Line: 1, Col: 1}},
				Message: "cannot read: " + err.Error()})
			continue
		}
		role, app := roles[i], apps[i]
		if l.preparsed[rel] != m {
			role, app = roleOf(rel, m.File.Content), AnalyseApp(m)
		}
		t := &Tree{Module: m, Role: role, Dotted: DottedName(rel), files: []*source.File{m.File}}
		switch t.Role {
		case RoleSettings:
			ev := l.evaluate(rel)
			if !bindsSettings(ev.NS) {
				// the words are only in class bodies (a Flask config
				// class): not a module Django reads as settings
				t.Role = RoleApp
				break
			}
			t.Settings = ev.NS
			seen := map[string]bool{rel: true}
			for _, f := range ev.Files {
				if !seen[f.Path] {
					seen[f.Path] = true
					t.files = append(t.files, f)
				}
			}
		case RoleEntry:
			t.SettingsModules = settingsModuleRefs(m)
		default:
			t.Role = RoleApp
		}
		t.App = app
		trees = append(trees, t)
	}
	return analyseFlows(r, l.parsed, l.evals, trees), l.problems
}

// analyseFlows runs the data-flow analysis over the app code of the trees
// (and the modules it imports), attaching to each tree's AppCode its
// reads and sinks. A module the analysis reached only through an import
// that holds reads becomes a tree of its own.
func analyseFlows(r source.Reader, parsed map[string]*Module, evals map[string]*Evaluator, trees []*Tree) []*Tree {
	p := newProject(r, parsed)
	p.evals = evals
	p.addTrees(trees)
	p.addCallers()
	p.analyse()
	p.sweep()
	p.finish()
	for _, mi := range p.order {
		if !mi.fromTree && len(mi.app.ReadSites) > 0 {
			trees = append(trees, &Tree{Module: mi.m, Role: RoleApp, Dotted: DottedName(mi.path), App: mi.app, files: []*source.File{mi.m.File}})
		}
	}
	return trees
}

// settingsModuleRefs finds DJANGO_SETTINGS_MODULE values: the default of
// os.environ.setdefault, an assignment to os.environ[...], a
// configurations-style default.
func settingsModuleRefs(m *Module) []Setting {
	var out []Setting
	WalkStmts(m.AllStmts(), func(s Stmt) bool {
		if a, ok := s.(*Assign); ok {
			for _, t := range a.Targets {
				if sub, ok := t.(*Subscript); ok {
					if k, ok := sub.Index.(*Const); ok {
						if ks, ok := k.Value.(Str); ok && ks == "DJANGO_SETTINGS_MODULE" {
							if v, ok := a.Value.(*Const); ok {
								if vs, ok := v.Value.(Str); ok {
									out = append(out, Setting{Value: string(vs), Range: m.Range(v)})
								}
							}
						}
					}
				}
			}
		}
		for e := range stmtExprs(s) {
			WalkExpr(e, func(e Expr) bool {
				c, ok := e.(*Call)
				if !ok || len(c.Args) < 2 {
					return true
				}
				attr, ok := c.Func.(*Attribute)
				if !ok || attr.Attr != "setdefault" {
					return true
				}
				k, ok1 := c.Args[0].(*Const)
				v, ok2 := c.Args[1].(*Const)
				if ok1 && ok2 {
					ks, _ := k.Value.(Str)
					vs, ok := v.Value.(Str)
					if ks == "DJANGO_SETTINGS_MODULE" && ok {
						out = append(out, Setting{Value: string(vs), Range: m.Range(v)})
					}
				}
				return true
			})
		}
		return true
	})
	return out
}

// preparse parses the given files and finds what their code reads from
// requests (AnalyseApp, by path index), up to source.Jobs(r) files at
// once (both read only the file itself).
func preparse(r source.Reader, paths []string) (map[string]*Module, []*AppCode) {
	mods := make([]*Module, len(paths))
	apps := make([]*AppCode, len(paths))
	source.ReadEach(r, paths, func(i int, f *source.File) {
		mods[i] = Parse(f)
		apps[i] = AnalyseApp(mods[i])
	})
	out := make(map[string]*Module, len(paths))
	for i, m := range mods {
		if m != nil {
			out[paths[i]] = m
		}
	}
	return out, apps
}
