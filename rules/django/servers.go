package django

import (
	"bytes"
	"path"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/compose"
	"github.com/mtlslint/mtlslint/parsers/gunicorn"
	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// process is one app server the repository starts or configures: a
// command line (in a Dockerfile, a systemd unit, a supervisord program, a
// script, a Procfile, a compose service) or the settings of a gunicorn
// configuration file.
type process struct {
	tree *gunicorn.Tree
	cmd  gunicorn.Command
	// config: the settings of a gunicorn configuration file, which apply
	// where a command line names the file with -c.
	config bool
	// env is the environment it starts with: what its file sets, and what
	// the file that runs it sets (a Dockerfile for its entrypoint script).
	env []gunicorn.EnvVar
	// svc is the compose service whose command it is.
	svc *compose.Service
	// target is the repository file of the application it loads, when its
	// command line or configuration names one that the repository holds.
	target string

	// Memoized by configPath and dir (path.Dir is never empty).
	configMemo *configRef
	dirMemo    string
}

// file is where the process is started or configured.
func (p *process) file() string { return p.tree.File.Path }

// envValue returns the last value of an environment variable of the
// process.
func (p *process) envValue(name string) (string, bool) {
	for i := len(p.env) - 1; i >= 0; i-- {
		if p.env[i].Name == name {
			return p.env[i].Value, true
		}
	}
	return "", false
}

// option returns the last setting of an option.
func (p *process) option(name string) (gunicorn.Option, bool) {
	for i := len(p.cmd.Options) - 1; i >= 0; i-- {
		if p.cmd.Options[i].Name == name {
			return p.cmd.Options[i], true
		}
	}
	return gunicorn.Option{}, false
}

// server is the server that handles requests: gunicorn with uvicorn's
// worker class is uvicorn.
func (p *process) server() string {
	if p.cmd.Server == "gunicorn" {
		if o, ok := p.option("worker_class"); ok && strings.Contains(strings.ToLower(o.Str()), "uvicorn") {
			return "uvicorn"
		}
	}
	return p.cmd.Server
}

// processes lists every app server of the workspace's app-server files
// and compose services.
func (s *servers) processes(ws *parsers.Workspace) {
	byPath := map[string]*gunicorn.Tree{}
	for _, g := range s.trees {
		byPath[g.File.Path] = g
	}
	// The environment a script inherits from the files that run it.
	inherited := func(g *gunicorn.Tree) []gunicorn.EnvVar {
		var chain []*gunicorn.Tree
		for r := g; r != nil && len(chain) < 8; r = byPath[r.Runner] {
			chain = append(chain, r)
		}
		var env []gunicorn.EnvVar
		for i := len(chain) - 1; i >= 0; i-- {
			env = append(env, chain[i].Env...)
		}
		return env
	}
	for _, g := range s.trees {
		env := inherited(g)
		if len(g.Config) > 0 {
			c := gunicorn.Command{Server: "gunicorn", Options: g.Config, Range: g.File.Range(0, min(len(g.File.Content), g.File.LineEnd(1)))}
			for _, o := range g.Config {
				if o.Name == gunicorn.SetApp {
					c.App, c.AppRange = o.Str(), o.Range
				}
			}
			s.procs = append(s.procs, &process{tree: g, cmd: c, config: true, env: env})
		}
		for _, c := range g.Commands {
			s.procs = append(s.procs, &process{tree: g, cmd: c, env: env})
		}
	}
	for g, cf := range s.services {
		for _, svc := range cf.Services {
			s.serviceProcesses(ws, g, cf, svc)
		}
	}
	for _, g := range s.compose {
		if s.services[g] != nil {
			continue
		}
		for _, c := range g.Commands {
			s.procs = append(s.procs, &process{tree: g, cmd: c, env: g.Env})
		}
	}
	sort.SliceStable(s.procs, func(i, j int) bool {
		if s.procs[i].file() != s.procs[j].file() {
			return s.procs[i].file() < s.procs[j].file()
		}
		return s.procs[i].cmd.Range.Less(s.procs[j].cmd.Range)
	})
}

// serviceProcesses reads what a compose service runs: its entrypoint
// with its command appended, in its environment; a script of the
// repository it runs is read too.
func (s *servers) serviceProcesses(ws *parsers.Workspace, g *gunicorn.Tree, cf *compose.File, svc *compose.Service) {
	var env []gunicorn.EnvVar
	names := make([]string, 0, len(svc.Environment))
	for k := range svc.Environment {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := svc.Environment[k]
		env = append(env, gunicorn.EnvVar{Name: k, Value: v.Text, Range: v.Range})
	}
	g.Env = append(g.Env, env...)
	var args []gunicorn.Arg
	literal := true
	for _, part := range [][]compose.Value{svc.Entrypoint, svc.Command} {
		if len(part) == 1 {
			// A string: compose splits it into words like a shell would,
			// but runs no shell.
			args = append(args, gunicorn.Words(cf.Root(), part[0].Text, part[0].Range)...)
			continue
		}
		for _, v := range part {
			args = append(args, gunicorn.Word(cf.Root(), v.Text, v.Range))
		}
	}
	if len(args) == 0 {
		return
	}
	found := gunicorn.Interpret(gunicorn.Line{Args: args, Env: env, Literal: literal})
	env = append(env, found.Env...)
	for _, c := range found.Commands {
		s.procs = append(s.procs, &process{tree: g, cmd: c, env: env, svc: svc})
	}
	for _, sc := range found.Scripts {
		rel := gunicorn.ResolveScript(ws.Reader, sc.Text, cf.Root().Path)
		if rel == "" {
			continue
		}
		st := gunicorn.ReadScript(ws.Reader, rel, env)
		if st == nil {
			continue
		}
		for _, c := range st.Commands {
			s.procs = append(s.procs, &process{tree: st, cmd: c, env: append(append([]gunicorn.EnvVar(nil), env...), st.Env...), svc: svc})
		}
	}
}

// resolveTargets finds the repository file of the application each
// process loads: the module of "module:callable" (a package's
// __init__.py), a uWSGI wsgi-file, manage.py; looked up from the
// process's file upwards, as Python finds a module on the path of the
// directory a server is started in. A gunicorn configuration file that
// names no application loads what the command lines naming it do.
func (s *servers) resolveTargets(ws *parsers.Workspace) {
	if ws.Reader == nil {
		return
	}
	for _, p := range s.procs {
		if p.cmd.App != "" {
			p.target = moduleFile(ws.Reader, p.cmd.App, p.file())
		}
	}
	// The command lines that name a configuration file and load an app
	// (targets this loop does not change), listed once for every
	// configuration file to be compared with.
	var naming []*process
	listed := false
	for _, p := range s.procs {
		if !p.config || p.target != "" {
			continue
		}
		if !listed {
			naming, listed = s.namingConfig(), true
		}
		p.target = configTarget(p, naming)
	}
}

// namingConfig lists the command lines, not configuration files, that
// load an app and name a configuration file with -c, in order.
func (s *servers) namingConfig() []*process {
	var out []*process
	for _, q := range s.procs {
		if !q.config && q.target != "" && q.configPath().set {
			out = append(out, q)
		}
	}
	return out
}

// configTarget is the application loaded by the command lines that name
// the gunicorn configuration p with -c: one whose path, relative to the
// command's file, is p's file; else (a path inside an image) one that
// names a file of p's name in the same directory tree.
// naming are the command lines that may (see namingConfig).
func configTarget(p *process, naming []*process) string {
	loose := ""
	for _, q := range naming {
		switch namesConfig(q, p) {
		case exactly:
			return q.target
		case likely:
			if loose == "" {
				loose = q.target
			}
		}
	}
	return loose
}

// configOf returns the gunicorn configuration of the repository that a
// command line names with -c, or nil.
func (s *servers) configOf(q *process) *process {
	if _, ok := q.option(gunicorn.SetConfig); !ok || q.cmd.Server != "gunicorn" {
		return nil
	}
	if !s.configsListed {
		for _, p := range s.procs {
			if p.config {
				s.configs = append(s.configs, p)
			}
		}
		s.configsListed = true
	}
	var loose *process
	for _, p := range s.configs {
		switch namesConfig(q, p) {
		case exactly:
			return p
		case likely:
			if loose == nil {
				loose = p
			}
		}
	}
	return loose
}

type match int

const (
	unrelated match = iota
	likely
	exactly
)

// namesConfig says whether the command line q names the configuration
// file of p with -c: exactly (its path relative to q's file), or likely (a
// path inside an image that ends like p's, in the same directory tree).
func namesConfig(q, p *process) match {
	c := q.configPath()
	if !c.set {
		return unrelated
	}
	switch {
	case c.hasRel && c.rel == p.file():
		return exactly
	case c.names(p.file()) && sameTree(p.file(), p.dir(), q.file(), q.dir()):
		return likely
	}
	return unrelated
}

// configRef is the -c value of a command line, prepared once: namesConfig
// compares every command line with every configuration file.
type configRef struct {
	set bool
	cmdPath
}

// configPath returns the prepared -c value of the process.
func (p *process) configPath() *configRef {
	if p.configMemo != nil {
		return p.configMemo
	}
	c := &configRef{}
	if o, ok := p.option(gunicorn.SetConfig); ok {
		c.set = true
		c.cmdPath = newCmdPath(o.Str(), p.file())
	}
	p.configMemo = c
	return c
}

// dir is the directory of the process's file.
func (p *process) dir() string {
	if p.dirMemo == "" {
		p.dirMemo = path.Dir(p.file())
	}
	return p.dirMemo
}

// sameTree reports whether one file's directory (da of a, db of b) holds
// the other.
func sameTree(a, da, b, db string) bool {
	return da == "." || db == "." || da == db || inDir(a, db) || inDir(b, da)
}

// inDir reports whether p is below the directory d.
func inDir(p, d string) bool {
	return len(p) > len(d) && p[len(d)] == '/' && strings.HasPrefix(p, d)
}

// moduleFile finds the file of an application reference.
func moduleFile(r source.Reader, ref, from string) string {
	mod, _, _ := strings.Cut(ref, ":")
	mod = strings.TrimSpace(mod)
	var cands []string
	switch {
	case strings.HasSuffix(mod, ".py"):
		cands = []string{strings.TrimPrefix(mod, "./")}
	case mod == "" || strings.ContainsAny(mod, "/$ "):
		return ""
	default:
		p := strings.ReplaceAll(mod, ".", "/")
		cands = []string{p + ".py", p + "/__init__.py"}
	}
	if path.IsAbs(cands[0]) {
		return "" // a path inside an image or on a host
	}
	for dir := path.Dir(from); ; dir = path.Dir(dir) {
		for _, c := range cands {
			rel := path.Clean(path.Join(dir, c))
			if st, err := r.Stat(rel); err == nil && !st.IsDir() {
				return rel
			}
		}
		if dir == "." || dir == "/" || dir == "" {
			return ""
		}
	}
}

// isDjangoEntry reports whether the application file is a Django project's
// entry point (wsgi.py, asgi.py, manage.py) rather than an app of another
// framework.
func isDjangoEntry(ws *parsers.Workspace, rel string) bool {
	if path.Base(rel) == "manage.py" {
		return true
	}
	f, err := ws.Reader.ReadFile(rel)
	if err != nil {
		return false
	}
	return bytes.Contains(f.Content, []byte("django")) || bytes.Contains(f.Content, []byte("DJANGO_SETTINGS_MODULE"))
}

// packageDir is the directory of the top-level package that holds a
// module (enroll/app.py in a package enroll/ → "enroll"), or the module's
// own directory when it is not in a package.
func packageDir(r source.Reader, rel string) string {
	dir := path.Dir(rel)
	top := dir
	for d := dir; d != "." && d != "/" && d != ""; d = path.Dir(d) {
		if st, err := r.Stat(path.Join(d, "__init__.py")); err != nil || st.IsDir() {
			break
		}
		top = d
	}
	return top
}

// frameworkApps makes an app of every application a process loads that
// is not a Django project: a Flask, FastAPI or Starlette app, one per
// module, named by the module.
func (s *servers) frameworkApps(ws *parsers.Workspace) []*rules.App {
	var apps []*rules.App
	byFile := map[string]*rules.App{}
	for _, p := range s.procs {
		if p.target == "" || isDjangoEntry(ws, p.target) {
			continue
		}
		if byFile[p.target] != nil {
			continue
		}
		f, err := ws.Reader.ReadFile(p.target)
		if err != nil {
			continue
		}
		app := &rules.App{ID: python.DottedName(p.target), Entry: p.cmd.App, Range: f.Range(0, min(len(f.Content), f.LineEnd(1))),
			Package: packageDir(ws.Reader, p.target)}
		byFile[p.target] = app
		apps = append(apps, app)
	}
	return apps
}

// appIndex answers which apps each process serves (see appsOf) from
// look-ups built once per run: served asks for every process, and a
// monorepo has thousands of processes, apps and Python trees, so scanning
// the apps and the trees for each process would cost their product.
type appIndex struct {
	apps, django []*rules.App // django: the Django apps of apps (those without a Package)
	// byFile maps a module file to the first framework app it is;
	// trees maps a root path to the first Python tree rooted there.
	byFile             map[string]*rules.App
	trees              map[string]*python.Tree
	nearAll, nearJango nearIndex
}

func newAppIndex(ws *parsers.Workspace, apps, django []*rules.App) *appIndex {
	ix := &appIndex{apps: apps, django: django, byFile: map[string]*rules.App{}, trees: map[string]*python.Tree{},
		nearAll: newNearIndex(apps), nearJango: newNearIndex(django)}
	for _, a := range apps {
		if _, seen := ix.byFile[a.Range.File]; a.Package != "" && !seen {
			ix.byFile[a.Range.File] = a
		}
	}
	for _, t := range ws.Trees {
		if pt, ok := t.(*python.Tree); ok {
			if _, seen := ix.trees[pt.Root().Path]; !seen {
				ix.trees[pt.Root().Path] = pt
			}
		}
	}
	return ix
}

// appsOf returns the apps a process serves: the app its command line
// names; else, through DJANGO_SETTINGS_MODULE, a Django app; else the apps
// nearest to its file in the directory tree.
func (ix *appIndex) appsOf(p *process) []*rules.App {
	if p.target != "" {
		if a := ix.byFile[p.target]; a != nil {
			return []*rules.App{a}
		}
		if pt := ix.trees[p.target]; pt != nil && len(pt.SettingsModules) > 0 {
			var out []*rules.App
			for _, a := range ix.django {
				for _, m := range pt.SettingsModules {
					if moduleIs(a.ID, m.Value) {
						out = append(out, a)
					}
				}
			}
			if len(out) > 0 {
				return out
			}
		}
	}
	if v, ok := p.envValue("DJANGO_SETTINGS_MODULE"); ok {
		var out []*rules.App
		for _, a := range ix.django {
			if moduleIs(a.ID, v) {
				out = append(out, a)
			}
		}
		return out
	}
	if p.target != "" && len(ix.django) > 0 {
		// A Django entry point whose settings module comes from the
		// environment: the project nearest to it.
		return ix.nearJango.nearest(p.target)
	}
	return ix.nearAll.nearest(p.file())
}

// nearIndex finds the apps nearest to a file, as rules.NearestApps does,
// from the apps below each directory collected once instead of by testing
// every app at every level above the file.
type nearIndex struct {
	apps []*rules.App
	// under maps a directory to the apps whose file lies below it, in
	// the order of apps.
	under map[string][]*rules.App
}

func newNearIndex(apps []*rules.App) nearIndex {
	ix := nearIndex{apps: apps, under: map[string][]*rules.App{}}
	if len(apps) <= 1 {
		return ix
	}
	for _, a := range apps {
		f := a.Range.File
		for i := 0; i < len(f); i++ {
			if f[i] == '/' {
				ix.under[f[:i]] = append(ix.under[f[:i]], a)
			}
		}
	}
	return ix
}

// nearest returns the apps below the deepest directory of file that holds
// any, or none when they are too many to choose among.
func (ix nearIndex) nearest(file string) []*rules.App {
	if len(ix.apps) <= 1 {
		return ix.apps
	}
	for dir := path.Dir(file); ; dir = path.Dir(dir) {
		if dir == "." {
			// Every app is as near: NearestApps (from a file at the
			// top) applies its limit on how many to choose among.
			return rules.NearestApps("./", ix.apps)
		}
		if under := ix.under[dir]; len(under) > 0 {
			// All of them are nearest; NearestApps, from a file in
			// dir, returns them at once within its limit.
			return rules.NearestApps(dir+"/", under)
		}
		if dir == "/" {
			return nil
		}
	}
}

// moduleIs reports whether an app's settings module is the dotted module m
// (or ends with it, when the repository is rooted above the project).
func moduleIs(id, m string) bool {
	// id == m, or id ends with "."+m, or id == m+".__init__", without
	// building either string: served asks for every process and app.
	return dottedEndsWith(id, m) ||
		len(id) == len(m)+len(".__init__") && strings.HasPrefix(id, m) && id[len(m):] == ".__init__"
}

// serverTrusts adds the proxy headers an app server itself honours:
// uvicorn's (and gunicorn's with uvicorn's worker class) X-Forwarded-Proto
// and X-Forwarded-For from --forwarded-allow-ips, on by default
// (--proxy-headers); daphne's with --proxy-headers, from any peer.
// gunicorn's own secure_scheme_headers are schemeTrusts'.
func serverTrusts(app *rules.App, p *process) {
	switch p.server() {
	case "uvicorn":
		on, explicit := true, false
		r := p.cmd.Range
		if o, ok := p.option(gunicorn.SetProxyHeaders); ok {
			on, explicit, r = o.Str() != "false", true, o.Range
		} else if v, ok := p.envValue("UVICORN_PROXY_HEADERS"); ok {
			on, explicit = strings.EqualFold(v, "true") || v == "1", true
		}
		if !on {
			return
		}
		peers, pr, set := uvicornPeers(p)
		src := "uvicorn proxy headers"
		if p.cmd.Server == "gunicorn" {
			src = "uvicorn worker proxy headers"
		}
		if !explicit {
			src += " (default)"
		}
		if set && !explicit {
			r = pr
		}
		app.Trusts = append(app.Trusts,
			rules.Trust{Header: "HTTP_X_FORWARDED_PROTO", Value: "https", Source: src, Range: r,
				Scheme: true, PeerGated: true, Peers: peers, ServerDefault: !explicit && !set},
			rules.Trust{Header: "HTTP_X_FORWARDED_FOR", Source: src, Range: r,
				Scheme: true, Address: true, PeerGated: true, Peers: peers, Hops: 1, ServerDefault: !explicit && !set})
	case "daphne":
		o, ok := p.option(gunicorn.SetProxyHeaders)
		if !ok {
			return
		}
		addr, port := "X-Forwarded-For", "X-Forwarded-Port"
		if h, ok := p.option("proxy_headers_host"); ok {
			addr = h.Str()
		}
		if h, ok := p.option("proxy_headers_port"); ok {
			port = h.Str()
		}
		src := "daphne --proxy-headers"
		app.Trusts = append(app.Trusts,
			rules.Trust{Header: "HTTP_X_FORWARDED_PROTO", Value: "https", Source: src, Range: o.Range, Scheme: true},
			rules.Trust{Header: rules.MetaName(addr), Source: src, Range: o.Range, Scheme: true, Address: true},
			rules.Trust{Header: rules.MetaName(port), Source: src, Range: o.Range, Scheme: true})
	}
}

// uvicornPeers returns the peers uvicorn takes proxy headers from:
// --forwarded-allow-ips, else FORWARDED_ALLOW_IPS (or, under gunicorn,
// gunicorn's forwarded_allow_ips, which its worker passes on), else
// 127.0.0.1; and where that is set.
func uvicornPeers(p *process) ([]string, source.Range, bool) {
	if o, ok := p.option(gunicorn.SetForwardedAllow); ok {
		return splitList(o.Str()), o.Range, true
	}
	for _, name := range []string{"UVICORN_FORWARDED_ALLOW_IPS", "FORWARDED_ALLOW_IPS"} {
		for i := len(p.env) - 1; i >= 0; i-- {
			if p.env[i].Name == name {
				return splitList(p.env[i].Value), p.env[i].Range, true
			}
		}
	}
	return []string{"127.0.0.1"}, source.Range{}, false
}
