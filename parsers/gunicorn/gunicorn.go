// Package gunicorn reads how Python app servers are started and
// configured: gunicorn configuration files; uWSGI configurations (.ini,
// .yaml, .xml, .json); gunicorn, uvicorn, hypercorn, daphne, uWSGI and
// runserver command lines in Dockerfiles (CMD and ENTRYPOINT, shell and
// exec form), Procfiles, systemd units (ExecStart, with their Environment,
// EnvironmentFile and socket units), supervisord programs and shell
// scripts, with the environment each process starts with and the scripts
// these files run.
package gunicorn

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// Kind is the tree kind (parsers.KindGunicorn).
const Kind = "gunicorn"

// Option is one server setting and where it is set.
type Option struct {
	// Name is the setting (the Set* constants, or gunicorn's setting
	// name: secure_scheme_headers, forwarder_headers, header_map,
	// proxy_allow_ips, worker_class, proxy_protocol).
	Name  string
	Value *python.Value
	Range source.Range
	// From: "config" (a .py file), "command line", "uwsgi config",
	// "socket unit", "environment".
	From string
	// Unresolved names the environment variables the value uses that
	// the repository does not set: what they hold is not known.
	Unresolved []string
}

// Str returns the option's value as a string.
func (o Option) Str() string {
	s, _ := o.Value.Str()
	return s
}

// Command is an app server started by a command line, or configured by a
// uWSGI configuration file.
type Command struct {
	// Server: gunicorn, uvicorn, daphne, hypercorn, uwsgi, runserver.
	Server  string
	Range   source.Range // the whole command
	Options []Option
	// Default is set when no bind option is given (the server's default
	// address applies).
	Default bool
	// App is the application the server loads, as written: a module and
	// callable ("proj.wsgi:application", "app.main:app"), a uWSGI
	// wsgi-file ("app.py"), manage.py for runserver; empty when the
	// command line does not say (a configuration file may).
	App      string
	AppRange source.Range
}

// Has reports whether the command sets an option.
func (c Command) Has(name string) bool {
	for _, o := range c.Options {
		if o.Name == name {
			return true
		}
	}
	return false
}

// EnvVar is an environment variable a Dockerfile, unit, program or
// compose file sets for the process.
type EnvVar struct {
	Name, Value string
	Range       source.Range
}

// Tree is one file that configures or starts app servers.
type Tree struct {
	File *source.File
	// Config holds the settings of a gunicorn configuration file.
	Config   []Option
	Commands []Command
	Env      []EnvVar
	// Module is the parsed configuration file (nil for command lines).
	Module *python.Module
	// Scripts are programs the file runs that are not app servers
	// (`ENTRYPOINT ["./entrypoint.sh"]`, `ExecStart=/srv/app/bin/start`),
	// as written: the scripts of the repository they name start their app
	// servers in the same place, with the same environment.
	Scripts []Arg
	// Runner is the file that runs this one, for a script that a
	// Dockerfile, unit, program or compose file runs: it starts where
	// that one starts.
	Runner string
}

// Kind implements parsers.Tree.
func (t *Tree) Kind() string { return Kind }

// Root implements parsers.Tree.
func (t *Tree) Root() *source.File { return t.File }

// Files implements parsers.Tree.
func (t *Tree) Files() []*source.File { return []*source.File{t.File} }

// Options returns every option with the given name: configuration file
// first, then command lines.
func (t *Tree) Options(name string) []Option {
	var out []Option
	for _, o := range t.Config {
		if o.Name == name {
			out = append(out, o)
		}
	}
	for _, c := range t.Commands {
		for _, o := range c.Options {
			if o.Name == name {
				out = append(out, o)
			}
		}
	}
	return out
}

// IsDockerfile reports whether a path names a Dockerfile (Dockerfile,
// Dockerfile.prod, app.dockerfile).
func IsDockerfile(rel string) bool {
	base := path.Base(rel)
	return strings.HasPrefix(base, "Dockerfile") || strings.HasSuffix(base, ".dockerfile") || strings.HasSuffix(base, ".Dockerfile")
}

// IsProcfile reports whether a path names a Procfile.
func IsProcfile(rel string) bool {
	base := path.Base(rel)
	return base == "Procfile" || strings.HasPrefix(base, "Procfile.")
}

// fileKind is what kind of app-server file a path names.
type fileKind int

const (
	kindNone fileKind = iota
	kindPyConfig
	kindDockerfile
	kindProcfile
	kindScript
	kindSystemd
	kindSupervisor
	kindUWSGIIni
	kindUWSGIData // YAML or JSON
	kindUWSGIXML
)

func kindOf(rel string) fileKind {
	base := path.Base(rel)
	ext := path.Ext(base)
	switch {
	case python.GunicornConfigName(rel):
		return kindPyConfig
	case IsDockerfile(rel):
		return kindDockerfile
	case IsProcfile(rel):
		return kindProcfile
	case ext == ".sh" && !strings.Contains(rel, "node_modules/"):
		return kindScript
	case ext == ".service" || ext == ".socket":
		return kindSystemd
	case base == "supervisord.conf" || strings.Contains(rel, "supervisor") && (ext == ".conf" || ext == ".ini"):
		return kindSupervisor
	case ext == ".ini":
		return kindUWSGIIni
	case strings.HasPrefix(base, "uwsgi") && (ext == ".yaml" || ext == ".yml" || ext == ".json"):
		return kindUWSGIData
	case ext == ".xml":
		return kindUWSGIXML
	case ext == ".conf":
		return kindSupervisor // decided by content: [program:...]
	}
	return kindNone
}

// Candidate reports whether a path may configure or start an app server.
func Candidate(rel string) bool { return kindOf(rel) != kindNone }

var serverWords = [][]byte{[]byte("gunicorn"), []byte("uvicorn"), []byte("daphne"), []byte("hypercorn"), []byte("uwsgi"), []byte("runserver")}

func mentionsServer(content []byte) bool {
	for _, w := range serverWords {
		if bytes.Contains(content, w) {
			return true
		}
	}
	return false
}

// Detect reports whether the file configures or starts an app server.
func Detect(rel string, content []byte) bool {
	switch kindOf(rel) {
	case kindPyConfig:
		return true
	case kindDockerfile:
		// A Dockerfile whose ENTRYPOINT runs a script of the repository
		// is read too: the script may start the app server.
		return mentionsServer(content) || bytes.Contains(content, []byte("DJANGO_SETTINGS_MODULE")) ||
			bytes.Contains(content, []byte("FORWARDED_ALLOW_IPS")) || bytes.Contains(content, []byte("ENTRYPOINT"))
	case kindProcfile, kindScript:
		return mentionsServer(content)
	case kindSystemd:
		if path.Ext(rel) == ".socket" {
			return bytes.Contains(content, []byte("[Socket]")) && bytes.Contains(content, []byte("ListenStream"))
		}
		return bytes.Contains(content, []byte("ExecStart"))
	case kindSupervisor, kindUWSGIIni:
		return bytes.Contains(content, []byte("[program:")) || bytes.Contains(content, []byte("[fcgi-program:")) ||
			bytes.Contains(content, []byte("[uwsgi]"))
	case kindUWSGIData:
		return bytes.Contains(content, []byte("uwsgi"))
	case kindUWSGIXML:
		return bytes.Contains(content, []byte("<uwsgi"))
	}
	return false
}

// configNames maps gunicorn configuration variables to setting names.
var configNames = map[string]string{
	"bind": SetBind, "forwarded_allow_ips": SetForwardedAllow, "secure_scheme_headers": "secure_scheme_headers",
	"forwarder_headers": "forwarder_headers", "header_map": "header_map", "proxy_allow_ips": "proxy_allow_ips",
	"worker_class": "worker_class", "proxy_protocol": "proxy_protocol", "raw_env": "raw_env", "wsgi_app": SetApp,
}

// Load reads the files into trees. Scripts that the files run and that
// the repository holds are read too, with the environment of what runs
// them; systemd socket units are joined to the services they activate.
func Load(r source.Reader, paths []string) ([]*Tree, []source.Problem) {
	l := &loader{r: r, byPath: map[string]*Tree{}, copies: map[string][]copied{}, workdirs: map[string]string{}}
	for _, rel := range paths {
		if source.Cancelled(r) != nil {
			break // the run was cancelled: stop working
		}
		f, err := r.ReadFile(rel)
		if err != nil {
			l.problems = append(l.problems, source.Problem{Kind: source.ProblemSkipped, Range: firstLine(rel), Message: "cannot read: " + err.Error()})
			continue
		}
		l.add(l.parse(f, nil))
	}
	l.followScripts()
	l.joinSockets()
	return l.trees, l.problems
}

type loader struct {
	r        source.Reader
	trees    []*Tree
	byPath   map[string]*Tree
	problems []source.Problem
	units    []*unit
	// copies and workdirs are each Dockerfile's COPY/ADD rules and last
	// WORKDIR, to find the scripts its image runs.
	copies   map[string][]copied
	workdirs map[string]string
}

func (l *loader) add(t *Tree) {
	if t == nil {
		return
	}
	l.trees = append(l.trees, t)
	l.byPath[t.File.Path] = t
}

// parse reads one file; env is the environment it starts with when
// another file runs it.
func (l *loader) parse(f *source.File, env Env) *Tree {
	t := &Tree{File: f}
	switch kindOf(f.Path) {
	case kindPyConfig:
		m := python.Parse(f)
		t.Module = m
		l.problems = append(l.problems, m.Problems...)
		ev := python.Evaluate(m, nil)
		l.problems = append(l.problems, ev.Problems...)
		t.Config = ConfigOptions(ev.NS)
		return t
	case kindDockerfile:
		l.dockerfile(t)
	case kindSystemd:
		l.systemd(t)
	case kindSupervisor, kindUWSGIIni:
		l.supervisor(t) // or a uWSGI .ini, by its sections
	case kindUWSGIData, kindUWSGIXML:
		l.uwsgi(t)
	case kindProcfile:
		l.procfile(t)
	default:
		l.script(t, env)
	}
	return t
}

// ConfigOptions extracts the gunicorn settings from an evaluated
// configuration module.
func ConfigOptions(ns *python.Namespace) []Option {
	var out []Option
	for _, name := range ns.Names() {
		setting, ok := configNames[name]
		if !ok {
			continue
		}
		b := ns.Get(name)
		out = append(out, Option{Name: setting, Value: b.Value, Range: b.Stmt, From: "config"})
	}
	return out
}

// run interprets one command line of t and records what it starts.
func (l *loader) run(t *Tree, line Line) {
	found := Interpret(line)
	t.Env = append(t.Env, found.Env...)
	t.Scripts = append(t.Scripts, found.Scripts...)
	for _, c := range found.Commands {
		l.unresolved(c)
		t.Commands = append(t.Commands, c)
	}
}

// unresolved reports an address that depends on a variable the
// repository does not set: the server's reach is then unknown.
func (l *loader) unresolved(c Command) {
	for _, o := range c.Options {
		if (o.Name != SetBind && o.Name != SetSocket) || len(o.Unresolved) == 0 {
			continue
		}
		vars := "$" + strings.Join(o.Unresolved, ", $")
		l.problems = append(l.problems, source.Problem{Kind: source.ProblemNotAnalysed, Range: o.Range,
			Message: fmt.Sprintf("%s's address %s uses %s, which the repository does not set", c.Server, clip(o.Str(), 40), clip(vars, 40)),
			Detail:  "Where the server listens depends on the environment it is started with. An address host that is not known is taken as all interfaces; set the variable in the repository (ENV, Environment=, environment:) or write the address out."})
	}
}

func firstLine(rel string) source.Range {
	return source.Range{File: rel, Start: source.Pos{Line: 1, Col: 1}, End: source.Pos{Line: 1, Col: 1}}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

// syntax reports a syntax problem at r.
func (l *loader) syntax(r source.Range, msg string) {
	l.problems = append(l.problems, source.Problem{Kind: source.ProblemSyntax, Range: r, Message: msg})
}
