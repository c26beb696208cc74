// Package gunicorn reads how Python app servers are started and
// configured: gunicorn configuration files, and gunicorn, uvicorn, daphne,
// uWSGI and runserver command lines in Dockerfiles, Procfiles and shell
// scripts, with the environment those files set.
package gunicorn

import (
	"bytes"
	"path"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// Kind is the tree kind (parsers.KindGunicorn).
const Kind = "gunicorn"

// Option is one server setting and where it is set.
type Option struct {
	// Name is gunicorn's setting name: bind, forwarded_allow_ips,
	// secure_scheme_headers, forwarder_headers, header_map,
	// proxy_allow_ips, worker_class, config.
	Name  string
	Value *python.Value
	Range source.Range
	// From: "config" (a .py file), "command line", "environment".
	From string
}

// Command is an app server started by a command line.
type Command struct {
	// Server: gunicorn, uvicorn, daphne, hypercorn, uwsgi, runserver.
	Server  string
	Range   source.Range // the whole command
	Options []Option
	// Default is set when no bind option is given (the server's default
	// address applies).
	Default bool
}

// EnvVar is an environment variable a Dockerfile or compose file sets.
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

// Candidate reports whether a path may configure or start an app server.
func Candidate(rel string) bool {
	base := path.Base(rel)
	switch {
	case python.GunicornConfigName(rel):
		return true
	case IsDockerfile(rel):
		return true
	case base == "Procfile" || strings.HasPrefix(base, "Procfile."):
		return true
	case strings.HasSuffix(base, ".sh") && !strings.Contains(rel, "node_modules/"):
		return true
	}
	return false
}

var serverWords = [][]byte{[]byte("gunicorn"), []byte("uvicorn"), []byte("daphne"), []byte("hypercorn"), []byte("uwsgi"), []byte("runserver")}

// Detect reports whether the file configures or starts an app server.
func Detect(rel string, content []byte) bool {
	if !Candidate(rel) {
		return false
	}
	if python.GunicornConfigName(rel) {
		return true
	}
	for _, w := range serverWords {
		if bytes.Contains(content, w) {
			return true
		}
	}
	base := path.Base(rel)
	return strings.HasPrefix(base, "Dockerfile") && (bytes.Contains(content, []byte("DJANGO_SETTINGS_MODULE")) || bytes.Contains(content, []byte("FORWARDED_ALLOW_IPS")))
}

// configNames maps gunicorn configuration variables to setting names.
var configNames = map[string]string{
	"bind": "bind", "forwarded_allow_ips": "forwarded_allow_ips", "secure_scheme_headers": "secure_scheme_headers",
	"forwarder_headers": "forwarder_headers", "header_map": "header_map", "proxy_allow_ips": "proxy_allow_ips",
	"worker_class": "worker_class", "proxy_protocol": "proxy_protocol",
}

// Load reads the files into trees.
func Load(r source.Reader, paths []string) ([]*Tree, []source.Problem) {
	var trees []*Tree
	var problems []source.Problem
	for _, rel := range paths {
		if source.Cancelled(r) != nil {
			break // the run was cancelled: stop working
		}
		f, err := r.ReadFile(rel)
		if err != nil {
			problems = append(problems, source.Problem{Kind: source.ProblemSkipped, Range: source.Range{File: rel, Start: source.Pos{Line: 1, Col: 1}, End: source.Pos{Line: 1, Col: 1}}, Message: "cannot read: " + err.Error()})
			continue
		}
		t := &Tree{File: f}
		if strings.HasSuffix(rel, ".py") {
			m := python.Parse(f)
			t.Module = m
			problems = append(problems, m.Problems...)
			ev := python.Evaluate(m, nil)
			problems = append(problems, ev.Problems...)
			t.Config = ConfigOptions(ev.NS)
		} else {
			t.Commands, t.Env = ScanCommands(f)
		}
		trees = append(trees, t)
	}
	return trees, problems
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
