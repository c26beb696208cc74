package django

import (
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/compose"
	"github.com/mtlslint/mtlslint/parsers/gunicorn"
	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Apps is the family's app builder: one app per effective settings module
// (from DJANGO_SETTINGS_MODULE or the configuration), else per deployable
// settings module, else one for the app code of the repository, with what
// each trusts and where its app server listens.
var Apps = rules.NewAppBuilder("django-apps", requiresEntries, func(p *rules.Pass) []*rules.App {
	return buildApps(p.Workspace, p.Settings, entriesOf(p))
})

// servers is what the workspace says about how apps are served.
type servers struct {
	trees   []*gunicorn.Tree
	compose []*gunicorn.Tree // compose files scanned for commands and env
	// services maps a scanned compose file to its parsed services, so a
	// command can be placed in the service (and container network) that
	// runs it.
	services map[*gunicorn.Tree]*compose.File
	// containers memoizes containerOf per file.
	containers map[string]container
	// procs are the app servers these files start or configure.
	procs []*process
	// configOpts are the configuration files command lines name with -c,
	// listed once (see configOptions) for findContainer, which asks for
	// every configuration file.
	configOpts   []configOption
	configListed bool
	// configs are the gunicorn configuration files of procs, listed
	// once for configOf, which every command line asks.
	configs       []*process
	configsListed bool
}

// configOption is a command line's -c option: the process whose command
// line it is, and the path (process.configPath, the one reading of -c).
type configOption struct {
	ref  cmdPath
	proc *process
}

// configOptions lists the -c options of every command line, in the order
// of the processes.
func (s *servers) configOptions() []configOption {
	if s.configListed {
		return s.configOpts
	}
	s.configListed = true
	for _, p := range s.procs {
		if c := p.configPath(); c.set && !p.config {
			s.configOpts = append(s.configOpts, configOption{ref: c.cmdPath, proc: p})
		}
	}
	return s.configOpts
}

var composeGlobs = []string{"docker-compose*.yml", "docker-compose*.yaml", "compose*.yml", "compose*.yaml", "*/docker-compose*.yml", "*/docker-compose*.yaml"}

func collectServers(ws *parsers.Workspace) *servers {
	s := &servers{services: map[*gunicorn.Tree]*compose.File{}, containers: map[string]container{}}
	parsed := map[string]*compose.File{}
	for _, t := range ws.Trees {
		if g, ok := t.(*gunicorn.Tree); ok {
			s.trees = append(s.trees, g)
		}
		if cf, ok := t.(*compose.File); ok {
			parsed[cf.Root().Path] = cf
		}
	}
	seen := map[string]bool{}
	paths := append([]string(nil), ws.Discovered[parsers.KindCompose]...)
	if ws.Reader != nil {
		for _, g := range composeGlobs {
			ps, _ := ws.Reader.Glob(g)
			paths = append(paths, ps...)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		if seen[p] {
			continue
		}
		seen[p] = true
		f, err := ws.Reader.ReadFile(p)
		if err != nil {
			continue
		}
		g := &gunicorn.Tree{File: f}
		if cf := parsed[p]; cf != nil {
			s.services[g] = cf
		} else {
			// Not read as a compose file: its command lines are found as
			// text.
			g.Commands, g.Env = gunicorn.ScanCommands(f)
		}
		s.compose = append(s.compose, g)
	}
	s.processes(ws)
	s.resolveTargets(ws)
	return s
}

func (s *servers) all() []*gunicorn.Tree {
	return append(append([]*gunicorn.Tree(nil), s.trees...), s.compose...)
}

// buildApps finds the apps of a workspace (see Apps).
func buildApps(ws *parsers.Workspace, st *rules.Settings, entries *entryPoints) []*rules.App {
	// Apps come from settings modules and app code: without Python there
	// are none, and the app-server files need not be looked for.
	hasPython := false
	for _, t := range ws.Trees {
		if t.Kind() == parsers.KindPython {
			hasPython = true
			break
		}
	}
	if !hasPython {
		return nil
	}
	srv := entries.servers(ws)
	var settings, code []*python.Tree
	for _, t := range ws.Trees {
		pt, ok := t.(*python.Tree)
		if !ok {
			continue
		}
		if pt.Role == python.RoleSettings {
			settings = append(settings, pt)
		}
		if pt.App != nil && len(pt.App.ReadSites) > 0 || pt.Role != python.RoleSettings && len(proxyMiddlewareTrusts(pt)) > 0 {
			code = append(code, pt)
		}
	}
	// The apps are the settings modules deployment entry points name;
	// else every deployable one; else, in a project only manage.py runs,
	// those development entry points name outside demo and test
	// directories.
	var chosen []*python.Tree
	for _, t := range settings {
		if names(entries.deployedSet, t.Root().Path) {
			chosen = append(chosen, t)
		}
	}
	if len(chosen) == 0 {
		for _, t := range settings {
			if !entries.isDev(t.Root().Path, st) && !extendedByDeployed(ws, t.Root().Path, entries, st) {
				chosen = append(chosen, t)
			}
		}
	}
	if len(chosen) == 0 {
		for _, t := range settings {
			if names(entries.manageSet, t.Root().Path) {
				chosen = append(chosen, t)
			}
		}
	}
	var apps []*rules.App
	settingsOf := map[*rules.App]*python.Tree{}
	for _, t := range chosen {
		app := &rules.App{ID: t.Dotted, Range: anchor(t), HTTPSRedirect: httpsRedirect(t)}
		app.Trusts = append(app.Trusts, settingsTrusts(t)...)
		apps = append(apps, app)
		settingsOf[app] = t
	}
	// Apps of other frameworks (Flask, FastAPI, Starlette) are the
	// modules app servers load.
	framework := srv.frameworkApps(ws)
	// App code belongs to the framework app whose package holds it; else
	// to the Django apps nearest to it in the directory tree (the settings
	// module of the same project), whose settings it names headers by
	// take each app's values.
	views := drfViews(ws)
	var orphans []*python.Tree
	near := newNearIndex(apps)
	for _, c := range code {
		if owner := packageOwner(c.Root().Path, framework, len(apps) > 0); owner != nil {
			owner.Trusts = append(owner.Trusts, codeTrusts(c, settingsLookup(nil), newDRFPolicy(nil, views))...)
			continue
		}
		if len(apps) == 0 {
			orphans = append(orphans, c)
			continue
		}
		for _, app := range near.nearest(c.Root().Path) {
			app.Trusts = append(app.Trusts, codeTrusts(c, settingsLookup(settingsOf[app]), newDRFPolicy(settingsOf[app], views))...)
		}
	}
	if len(orphans) > 0 {
		app := &rules.App{ID: ".", Range: orphans[0].Module.File.Range(0, 0)}
		for _, c := range orphans {
			app.Trusts = append(app.Trusts, codeTrusts(c, settingsLookup(nil), newDRFPolicy(nil, views))...)
		}
		apps = append(apps, app)
	}
	apps = append(apps, framework...)
	version, versionKnown := gunicornVersion(ws, st)
	served := srv.served(ws, apps)
	for _, app := range apps {
		serveApp(app, srv, served[app], version, versionKnown)
		if app.Server == "unknown" && versionKnown && gunicorn.Major(version) < 22 {
			// Nothing says how the app is served, but the repository pins a
			// gunicorn that maps "_" like "-": assume it serves the app.
			app.ConflatesUnderscore = true
		}
		sortTrusts(app)
	}
	return apps
}

// packageOwner returns the framework app whose package holds the file
// (the deepest), or nil. An app whose package is the repository's root
// claims code only where there is no Django project.
func packageOwner(file string, apps []*rules.App, django bool) *rules.App {
	var best *rules.App
	for _, a := range apps {
		if a.Package == "." && django {
			continue
		}
		if a.Package == "." || strings.HasPrefix(file, a.Package+"/") {
			if best == nil || len(a.Package) > len(best.Package) || best.Package == "." {
				best = a
			}
		}
	}
	return best
}

// served maps each app to the processes that serve it.
func (s *servers) served(ws *parsers.Workspace, apps []*rules.App) map[*rules.App][]*process {
	out := map[*rules.App][]*process{}
	var django []*rules.App
	for _, a := range apps {
		if a.Package == "" {
			django = append(django, a)
		}
	}
	ix := newAppIndex(ws, apps, django)
	for _, p := range s.procs {
		for _, a := range ix.appsOf(p) {
			out[a] = append(out[a], p)
		}
	}
	return out
}

func sortTrusts(a *rules.App) {
	sort.SliceStable(a.Trusts, func(i, j int) bool {
		if a.Trusts[i].Header != a.Trusts[j].Header {
			return a.Trusts[i].Header < a.Trusts[j].Header
		}
		return a.Trusts[i].Range.Less(a.Trusts[j].Range)
	})
}

// settingsTrusts lists the headers a settings module trusts.
func settingsTrusts(t *python.Tree) []rules.Trust {
	var out []rules.Trust
	if s, o, h, v, pair, ok := spsh(t); ok && pair {
		_ = o
		out = append(out, rules.Trust{Header: rules.MetaName(h), Value: v, Source: "SECURE_PROXY_SSL_HEADER", Range: s.rng(), Scheme: true})
	}
	for name, hdr := range map[string]string{"USE_X_FORWARDED_HOST": "HTTP_X_FORWARDED_HOST", "USE_X_FORWARDED_PORT": "HTTP_X_FORWARDED_PORT"} {
		s := get(t, name)
		if o, ok := certainOutcome(s.value()); ok && truthy(o.obj) == truthTrue {
			out = append(out, rules.Trust{Header: hdr, Source: name, Range: s.rng(), Scheme: true})
		}
	}
	entries, s, ok := middleware(t)
	if ok {
		for _, e := range entries {
			switch {
			case strings.Contains(e.path, "mtls_auth"):
				out = append(out, packageTrusts(t, e, "django-mtls-auth", map[string][2]string{
					"MTLS_AUTH_REVERSE_PROXY_USER_DN_HEADER":   {"X-SSL-USER-DN", ""},
					"MTLS_AUTH_REVERSE_PROXY_ISSUER_DN_HEADER": {"X-SSL-ISSUER-DN", ""},
					"MTLS_AUTH_REVERSE_PROXY_SUCCESS_HEADER":   {"X-SSL-AUTHENTICATED", "SUCCESS"},
				})...)
			case strings.Contains(e.path, "ssl_auth"):
				r := e.rng
				if !r.IsValid() {
					r = s.rng()
				}
				dec := packageDecision("django-ssl-auth", r, map[string]string{"HTTP_X_SSL_AUTHENTICATED": "SUCCESS"}, "HTTP_X_SSL_USER_DN")
				out = append(out, rules.Trust{Header: "HTTP_X_SSL_AUTHENTICATED", Source: "django-ssl-auth", Range: r, Decisions: dec},
					rules.Trust{Header: "HTTP_X_SSL_USER_DN", Source: "django-ssl-auth", Range: r, Decisions: dec})
			}
		}
	}
	return out
}

// httpsRedirect returns where SECURE_SSL_REDIRECT is set to True, when
// SecurityMiddleware, which carries it out, is installed.
func httpsRedirect(t *python.Tree) *source.Range {
	entries, _, ok := middleware(t)
	if !ok || indexOf(entries, securityMW) < 0 {
		return nil
	}
	s := get(t, "SECURE_SSL_REDIRECT")
	o, ok := certainOutcome(s.value())
	if !ok {
		return nil
	}
	if b, isBool := o.obj.(python.Bool); !isBool || !bool(b) {
		return nil
	}
	r := s.rng()
	return &r
}

func packageTrusts(t *python.Tree, e mwEntry, pkg string, defaults map[string][2]string) []rules.Trust {
	var out []rules.Trust
	names := make([]string, 0, len(defaults))
	for n := range defaults {
		names = append(names, n)
	}
	sort.Strings(names)
	required := map[string]string{}
	var identity []string
	where := map[string]source.Range{}
	for _, name := range names {
		d := defaults[name]
		hdr, r := d[0], e.rng
		s := get(t, name)
		if o, ok := certainOutcome(s.value()); ok {
			if str, ok := o.obj.(python.Str); ok {
				hdr, r = string(str), s.rng()
			}
		}
		meta := rules.MetaName(hdr)
		where[meta] = r
		if d[1] != "" {
			required[meta] = d[1]
		} else {
			identity = append(identity, meta)
		}
	}
	// The package logs the user of the DN headers in when the success
	// header has its value: one decision for all of them.
	dec := packageDecision(pkg, e.rng, required, identity...)
	for _, meta := range append(sortedKeys(required), identity...) {
		out = append(out, rules.Trust{Header: meta, Source: pkg, Range: where[meta], Decisions: dec})
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// codeTrusts lists the headers app code decides on, each read with its
// decisions; a read that decides nothing (logged, echoed) is no trust.
// Names held in settings take the values lookup gives.
func codeTrusts(t *python.Tree, lookup func(string) ([]string, bool), drf *drfPolicy) []rules.Trust {
	out := proxyMiddlewareTrusts(t)
	if t.App == nil {
		return out
	}
	type site struct {
		rd   *python.Read
		decs []rules.Decision
	}
	var others []site             // reads of headers not trusted by their name
	var identity []rules.Decision // the decisions on identity headers
	for _, rd := range t.App.ReadSites {
		decs := readDecisions(rd, lookup, drf)
		if len(decs) == 0 {
			continue
		}
		src := "app code (" + rd.Via.String() + ")"
		if rd.Via == python.ViaRemoteUserHeader {
			src = "RemoteUserMiddleware.header"
		}
		for _, key := range keysOf(rd, lookup) {
			meta, isHeader := metaKey(rd, key)
			if !isHeader || !rules.IsTrustedHeader(meta) {
				if isHeader {
					others = append(others, site{rd, decs})
				}
				continue
			}
			out = append(out, rules.Trust{Header: meta, Source: src, Range: rd.Range, Decisions: decs})
			if rules.IsIdentityHeader(meta) {
				identity = append(identity, decs...)
			}
		}
	}
	standIns := standIns(identity)
	for _, s := range others {
		for _, key := range keysOf(s.rd, lookup) {
			if meta, _ := metaKey(s.rd, key); standIns[rules.HeaderName(meta)] {
				out = append(out, rules.Trust{Header: meta, Source: "app code (" + s.rd.Via.String() + ", as the identity)", Range: s.rd.Range, Decisions: s.decs})
				break
			}
		}
	}
	return out
}

// standIns are the headers the app takes in place of an identity header:
// those that flow, on a path without any identity header, into a sink
// that an identity header flows into on another path (X-Caller-Id where
// XFCC is missing). Such a fallback is as trusted as the header it
// replaces; a header that only travels with the identity (a device name
// rendered next to it) is not.
func standIns(decs []rules.Decision) map[string]bool {
	type sink struct {
		name string
		at   source.Range
	}
	withIdentity := func(d rules.Decision) bool { return slices.ContainsFunc(d.Flows, rules.IsIdentityHeader) }
	fed := map[sink]bool{}
	for _, d := range decs {
		if withIdentity(d) {
			fed[sink{d.Sink, d.Range}] = true
		}
	}
	out := map[string]bool{}
	for _, d := range decs {
		if !withIdentity(d) && fed[sink{d.Sink, d.Range}] {
			for _, f := range d.Flows {
				out[f] = true
			}
		}
	}
	return out
}

// serveApp fills in how the app is served by its processes: server,
// binds (placed in the container or compose service that runs them), the
// proxy headers the servers honour, underscore conflation.
func serveApp(app *rules.App, srv *servers, procs []*process, version string, versionKnown bool) {
	for _, p := range procs {
		if v, ok := p.envValue("FORWARDED_ALLOW_IPS"); ok && p.server() == "gunicorn" {
			app.ForwardedAllow = append(app.ForwardedAllow, splitList(v)...)
		}
		if o, ok := p.option(gunicorn.SetForwardedAllow); ok && p.server() == "gunicorn" {
			app.ForwardedAllow = append(app.ForwardedAllow, optionStrings(o.Value)...)
		}
	}
	for _, p := range procs {
		var place container
		switch {
		case p.config:
			place = srv.containerOf(p.file())
		case p.svc == nil:
			place = srv.placeOf(p)
		}
		if place.replaced {
			continue // the compose service runs its own command instead
		}
		// A command that names a configuration file of the repository
		// takes its defaults from there: that file is a process of its own.
		configured := !p.config && srv.configOf(p) != nil
		server := p.server()
		_, portEnv := p.envValue("PORT")
		setServer(app, server)
		before := len(app.Binds)
		addBinds(app, p, portEnv, configured)
		if p.svc != nil {
			inService(app, app.Binds[before:], p.svc)
		} else {
			place.apply(app, app.Binds[before:])
		}
		switch server {
		case "gunicorn":
			schemeTrusts(app, p.cmd.Options, p.cmd.Range, !configured)
		case "uvicorn":
			if p.cmd.Server == "gunicorn" && len(app.ForwardedAllow) > 0 {
				if _, set := p.option(gunicorn.SetForwardedAllow); !set {
					p.cmd.Options = append(p.cmd.Options, gunicorn.Option{Name: gunicorn.SetForwardedAllow,
						Value: python.KnownValue(python.Str(strings.Join(app.ForwardedAllow, ",")), p.cmd.Range), Range: p.cmd.Range})
				}
			}
			serverTrusts(app, p)
		default:
			serverTrusts(app, p)
		}
		kind := serverKind(server)
		if server == "uvicorn" && p.cmd.Server == "uvicorn" && wsgiInterface(p) {
			kind = "wsgi-adapter"
		}
		conflation(app, kind, p.cmd.Options, version, versionKnown)
	}
	if app.Server == "" {
		app.Server = "unknown"
	}
}

// serverKind groups the servers that treat header names alike: the ASGI
// servers are "asgi".
func serverKind(server string) string {
	switch server {
	case "uvicorn", "daphne", "hypercorn":
		return "asgi"
	}
	return server
}

// wsgiInterface reports whether uvicorn may run the app through its WSGI
// adapter: --interface wsgi, else UVICORN_INTERFACE=wsgi (uvicorn reads
// its options from UVICORN_* variables). A value that is not known is
// taken as wsgi, the worst case. The default, auto, never picks wsgi
// (uvicorn/config.py, Config.load: asgi3 or asgi2 only).
func wsgiInterface(p *process) bool {
	if o, ok := p.option(gunicorn.SetInterface); ok {
		return len(o.Unresolved) > 0 || strings.EqualFold(o.Str(), "wsgi")
	}
	v, ok := p.envValue("UVICORN_INTERFACE")
	return ok && strings.EqualFold(v, "wsgi")
}

// placeOf decides where a command line runs: a Dockerfile's in the
// compose service built from it, else in its image; a script's where the
// file that runs it runs; else on the host.
func (s *servers) placeOf(p *process) container {
	f := p.tree.File.Path
	for r := p.tree; r != nil; {
		if r.Runner == "" {
			f = r.File.Path
			break
		}
		next := (*gunicorn.Tree)(nil)
		for _, g := range s.trees {
			if g.File.Path == r.Runner {
				next = g
			}
		}
		if next == nil {
			f = r.Runner
			break
		}
		r = next
	}
	if gunicorn.IsDockerfile(f) {
		c := s.containerOf(f)
		if c.svc != nil && len(c.svc.Command) > 0 && p.tree.Runner == "" && p.tree.File.Path == f {
			// The service's own command replaces the image's CMD.
			return container{svc: c.svc, replaced: true}
		}
		return c
	}
	return container{}
}

// container is where an app-server file runs: in a compose service, in a
// container built from a Dockerfile that no compose service in the
// repository runs, or (neither set) on the host.
type container struct {
	svc   *compose.Service
	image string
	// replaced: the compose service runs its own command instead of the
	// image's; the image's command lines do not run there.
	replaced bool
}

func (c container) apply(app *rules.App, binds []rules.Bind) {
	switch {
	case c.svc != nil:
		inService(app, binds, c.svc)
	case c.image != "":
		for i := range binds {
			binds[i].Image = c.image
		}
	}
}

// containerOf decides where the app servers a file configures or starts
// run: a Dockerfile runs in the compose service built from it, else in its
// image; a gunicorn configuration named by `-c` on a compose or Dockerfile
// command line runs where that command runs.
func (s *servers) containerOf(file string) container {
	if c, ok := s.containers[file]; ok {
		return c
	}
	c := s.findContainer(file)
	s.containers[file] = c
	return c
}

func (s *servers) findContainer(file string) container {
	if gunicorn.IsDockerfile(file) {
		for _, cf := range s.services {
			for _, svc := range cf.Services {
				if svc.Dockerfile == file {
					return container{svc: svc}
				}
			}
		}
		return container{image: file}
	}
	for _, r := range s.configOptions() {
		if !r.ref.names(file) {
			continue
		}
		if r.proc.svc != nil {
			return container{svc: r.proc.svc}
		}
		if gunicorn.IsDockerfile(r.proc.file()) {
			return s.containerOf(r.proc.file())
		}
	}
	return container{}
}

// cmdPath is a path written on a command line, prepared once for
// comparison with many repository files (see names).
type cmdPath struct {
	empty bool
	// rel is the path relative to the directory of the file that holds
	// the command, cleaned; set only for a relative path.
	rel    string
	hasRel bool
	// last and prev are its last two elements; single: it has one.
	last, prev string
	single     bool
}

func newCmdPath(ref, from string) cmdPath {
	ref = strings.TrimPrefix(strings.TrimPrefix(ref, "python:"), "file:")
	if ref == "" {
		return cmdPath{empty: true}
	}
	c := cmdPath{}
	if !path.IsAbs(ref) {
		c.rel, c.hasRel = path.Clean(path.Join(path.Dir(from), ref)), true
	}
	c.last, c.prev, c.single = lastElems(strings.Trim(path.Clean(ref), "/"))
	return c
}

// names reports whether the path, written on a command line in a file
// (relative to its directory, or an absolute path inside a container),
// names the repository file file: the same path, or the same trailing
// directories and name.
func (c cmdPath) names(file string) bool {
	if c.empty {
		return false
	}
	if c.hasRel && c.rel == file {
		return true
	}
	last, prev, single := lastElems(file)
	if c.last != last {
		return false
	}
	// The name and, where both have one, the directory above it agree.
	return c.single || single || c.prev == prev
}

// lastElems returns the last two elements of a slash-separated path
// (prev is empty and single true when it has one), as strings.Split
// would, without splitting it.
func lastElems(p string) (last, prev string, single bool) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return p, "", true
	}
	rest := p[:i]
	return p[i+1:], rest[strings.LastIndexByte(rest, '/')+1:], false
}

// inService records that binds belong to an app server run by a compose
// service: the app is reachable under the service's name from the compose
// network, and from other hosts only through the ports the service
// publishes (unless it shares the host's network).
func inService(app *rules.App, binds []rules.Bind, svc *compose.Service) {
	if !slices.Contains(app.Names, svc.Name) {
		app.Names = append(app.Names, svc.Name)
	}
	if svc.NetworkMode == "host" {
		return
	}
	for i := range binds {
		b := &binds[i]
		b.Service = svc.Name
		for _, p := range svc.Ports {
			if p.ContainerPort != b.Endpoint.Port || !strings.EqualFold(p.Protocol, "tcp") {
				continue
			}
			b.Published = append(b.Published, rules.Published{Host: rules.Endpoint{Host: p.HostIP, Port: p.HostPort}, Range: p.Range})
		}
	}
}

func splitList(v string) []string {
	return strings.Fields(strings.ReplaceAll(strings.Trim(v, `"'`), ",", " "))
}

func setServer(app *rules.App, s string) {
	if app.Server == "" || app.Server == "unknown" {
		app.Server = s
	} else if app.Server != s && !strings.Contains(app.Server, s) {
		app.Server += "," + s
	}
}

// addBinds records where a process listens: its bind and socket options,
// else its server's default (gunicorn's 127.0.0.1:8000, or 0.0.0.0:$PORT
// when PORT is set; uvicorn's, hypercorn's, daphne's and runserver's
// 127.0.0.1:8000). A uWSGI socket that speaks uwsgi (not --protocol http)
// lets its peer set any CGI variable.
func addBinds(app *rules.App, p *process, portEnv, configured bool) {
	src := path.Base(p.file())
	server := p.cmd.Server
	protocol := ""
	if o, ok := p.option(gunicorn.SetProtocol); ok && server == "uwsgi" {
		protocol = strings.ToLower(o.Str())
	}
	found := false
	for _, o := range p.cmd.Options {
		if o.Name != gunicorn.SetBind && o.Name != gunicorn.SetSocket {
			continue
		}
		for _, addr := range optionStrings(o.Value) {
			found = true
			if server == "uwsgi" && o.Name == gunicorn.SetBind {
				addr, _, _ = strings.Cut(addr, ",") // --https ADDR,CERT,KEY
			}
			if ep, ok := ParseBind(addr, server); ok {
				b := rules.Bind{Endpoint: ep, Range: o.Range, Source: src}
				if o.Name == gunicorn.SetSocket && (server != "uwsgi" || !strings.HasPrefix(protocol, "http")) {
					b.Protocol = "uwsgi"
				}
				app.Binds = append(app.Binds, b)
			}
		}
	}
	if found || configured || !p.cmd.Default && !p.config {
		return
	}
	if p.config && server != "gunicorn" {
		return
	}
	ep := rules.Endpoint{Host: "127.0.0.1", Port: "8000"}
	if portEnv && server == "gunicorn" {
		ep = rules.Endpoint{Host: "0.0.0.0", Port: "$PORT"}
	}
	app.Binds = append(app.Binds, rules.Bind{Endpoint: ep, Range: p.cmd.Range, Source: src + " (default)"})
}

func optionStrings(v *python.Value) []string {
	if s, ok := v.Str(); ok {
		return strings.Fields(strings.ReplaceAll(s, ",", " "))
	}
	if o, ok := certainOutcome(v); ok {
		if seq, ok := o.obj.(*python.SeqObj); ok {
			var out []string
			for _, e := range seq.Elems {
				if s, ok := e.Str(); ok {
					out = append(out, s)
				}
			}
			return out
		}
		if s, ok := o.obj.(python.Str); ok {
			return []string{string(s)}
		}
	}
	return nil
}

var envRef = source.LazyRegexp(`^\$\{?([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}?$`)

// ParseBind parses a server address: gunicorn's HOST:PORT, unix:PATH,
// :PORT; runserver's PORT or ADDR:PORT; uWSGI's :PORT.
func ParseBind(addr, server string) (rules.Endpoint, bool) {
	addr = strings.Trim(addr, `"'`)
	switch {
	case addr == "":
		return rules.Endpoint{}, false
	case strings.HasPrefix(addr, "unix:"):
		return rules.Endpoint{Unix: strings.TrimPrefix(strings.TrimPrefix(addr, "unix:"), "//")}, true
	case strings.HasPrefix(addr, "/"):
		return rules.Endpoint{Unix: addr}, true
	case strings.HasPrefix(addr, "fd://"):
		return rules.Endpoint{}, false
	}
	host, port := addr, ""
	if strings.HasPrefix(addr, "[") {
		if i := strings.Index(addr, "]"); i > 0 {
			host, port = addr[1:i], strings.TrimPrefix(addr[i+1:], ":")
		}
	} else if i := strings.LastIndex(addr, ":"); i >= 0 && strings.Count(addr, ":") == 1 {
		host, port = addr[:i], addr[i+1:]
	} else if strings.Count(addr, ":") == 0 {
		if isPort(addr) || envRef().MatchString(addr) {
			host, port = "", addr
			if server == "runserver" {
				host = "127.0.0.1"
			}
		} else {
			port = "8000"
		}
	}
	switch host {
	case "", "*":
		host = "0.0.0.0"
	case "0":
		host = "0.0.0.0"
	}
	if envRef().MatchString(host) {
		host = "0.0.0.0" // an address from the environment: assume the worst
	}
	if m := envRef().FindStringSubmatch(port); m != nil {
		port = "$" + m[1]
	}
	return rules.Endpoint{Host: host, Port: port}, true
}

func isPort(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// schemeTrusts adds gunicorn's secure_scheme_headers (its default three
// when not configured).
func schemeTrusts(app *rules.App, opts []gunicorn.Option, r source.Range, defaults bool) {
	for _, o := range opts {
		if o.Name != "secure_scheme_headers" {
			continue
		}
		oc, ok := certainOutcome(o.Value)
		if !ok {
			return
		}
		d, ok := oc.obj.(*python.DictObj)
		if !ok {
			return
		}
		for i := range d.Keys {
			k, ok1 := d.Keys[i].Str()
			v, _ := d.Vals[i].Str()
			if ok1 {
				app.Trusts = append(app.Trusts, rules.Trust{Header: rules.MetaName(k), Value: v, Source: "gunicorn secure_scheme_headers", Range: o.Range, Scheme: true, PeerGated: true})
			}
		}
		return
	}
	if !defaults {
		return
	}
	for _, h := range rules.GunicornSchemeHeaders {
		app.Trusts = append(app.Trusts, rules.Trust{Header: rules.MetaName(h.Name), Value: h.Value, Source: DefaultSchemeSource, Range: r, Scheme: true, PeerGated: true, ServerDefault: true})
	}
}

// DefaultSchemeSource marks the trusts that come from gunicorn's default
// secure_scheme_headers.
const DefaultSchemeSource = "gunicorn secure_scheme_headers (default)"

// conflation sets ConflatesUnderscore for apps whose headers are read
// through a mapping that takes "_" in header names like "-". Under an ASGI
// server that is the app's own doing, not the server's: Django's ASGI
// handler builds META as "HTTP_" + upper-cased name with "-" made "_", and
// joins two names that map to one key with "," in the order they arrive
// (django/core/handlers/asgi.py, ASGIRequest.__init__; Debian's 3.2.25
// too), while Starlette's and FastAPI's Headers match the name as sent,
// lower-cased (measured: uvicorn 0.17.6, FastAPI 0.92, Starlette 0.26.1).
// An app that is not a Django project (Package set) is taken as such an
// ASGI framework. Under uvicorn --interface wsgi ("wsgi-adapter") every
// app reads a WSGI environ that uvicorn's adapter builds the same way:
// "HTTP_" + upper-cased name with "-" made "_", a second name that maps
// to one key joined after the first with "," (uvicorn/middleware/wsgi.py,
// build_environ; a2wsgi's build_environ in newer releases; measured:
// Debian's uvicorn 0.17.6 with Flask 2.2.2).
func conflation(app *rules.App, server string, opts []gunicorn.Option, version string, known bool) {
	switch server {
	case "wsgi-adapter":
		app.ConflatesUnderscore = true
		return
	case "asgi":
		if app.Package == "" {
			app.ConflatesUnderscore = true
		}
		return
	case "uwsgi":
		for _, o := range opts {
			if o.Name == "bind" {
				app.ConflatesUnderscore = true // HTTP router
			}
		}
		return
	case "gunicorn":
	default:
		return
	}
	for _, o := range opts {
		if o.Name == "header_map" {
			if s, ok := o.Value.Str(); ok {
				if s == "dangerous" {
					app.ConflatesUnderscore = true
				}
				return // drop or refuse: explicit and safe (needs gunicorn >= 22)
			}
		}
	}
	if !known || gunicorn.Major(version) < 22 {
		app.ConflatesUnderscore = true // before 22.0.0 "_" maps like "-"; unknown: worst case
	}
}

// gunicornVersion returns the deployed gunicorn version: pinned in the
// repository, else from the configuration.
func gunicornVersion(ws *parsers.Workspace, st *rules.Settings) (string, bool) {
	if ws.Reader != nil {
		if v, ok := gunicorn.Version(ws.Reader, "gunicorn"); ok {
			return v.Version, true
		}
	}
	if st != nil && st.GunicornVersion != "" {
		return st.GunicornVersion, true
	}
	return "", false
}
