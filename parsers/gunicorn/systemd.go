package gunicorn

import (
	"path"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// unitEntry is one Key=Value line of a unit file (continuation lines
// joined), with the section it is in.
type unitEntry struct {
	section, key, value string
	// start is the offset of the value in the file; verbatim reports
	// whether the value is written there as is (no continuation line).
	start    int
	verbatim bool
	line     source.Range
}

// unit is a systemd unit of the repository: a service with what it runs,
// or a socket with where it listens.
type unit struct {
	name    string // file name: "web.service", "web.socket"
	tree    *Tree
	listens []Option // a socket unit's ListenStream
	service string   // the service a socket unit activates (Service=)
	sockets []string // the socket units a service names (Sockets=)
}

// unitEntries reads a unit file (systemd.syntax(7)): [Section] headers,
// Key=Value lines, comments starting with # or ;, and lines continued
// with a trailing backslash.
func (l *loader) unitEntries(f *source.File) []unitEntry {
	var out []unitEntry
	section := ""
	n := f.LineCount()
	for i := 1; i <= n; i++ {
		start, end := f.LineStart(i), f.LineEnd(i)
		text := strings.TrimSpace(string(f.Content[start:end]))
		if text == "" || text[0] == '#' || text[0] == ';' {
			continue
		}
		if text[0] == '[' {
			if !strings.HasSuffix(text, "]") {
				l.syntax(f.LineRange(i), "unit file section header is not closed: "+clip(text, 60))
				continue
			}
			section = text[1 : len(text)-1]
			continue
		}
		eq := strings.IndexByte(string(f.Content[start:end]), '=')
		if eq < 0 {
			l.syntax(f.LineRange(i), "unit file line is not Key=Value: "+clip(text, 60))
			continue
		}
		e := unitEntry{section: section, key: strings.TrimSpace(string(f.Content[start : start+eq]))}
		vs := start + eq + 1
		for vs < end && isBlank(f.Content[vs]) {
			vs++
		}
		value := strings.TrimRight(string(f.Content[vs:end]), " \t\r")
		e.start, e.verbatim = vs, true
		first := i
		for strings.HasSuffix(value, "\\") && i < n {
			e.verbatim = false
			i++
			next := strings.TrimSpace(string(f.Line(i)))
			if next != "" && (next[0] == '#' || next[0] == ';') {
				value = strings.TrimSuffix(value, "\\")
				i--
				break
			}
			value = strings.TrimSuffix(value, "\\") + " " + next
		}
		e.value = value
		e.line = f.Range(f.LineStart(first), f.LineEnd(i))
		out = append(out, e)
	}
	return out
}

// systemd reads a service unit (ExecStart with its Environment= and
// EnvironmentFile= inside the repository) or a socket unit (ListenStream).
func (l *loader) systemd(t *Tree) {
	f := t.File
	u := &unit{name: path.Base(f.Path), tree: t}
	l.units = append(l.units, u)
	entries := l.unitEntries(f)
	var env Env
	var outside []string
	// Environment first: systemd applies it to every Exec line.
	for _, e := range entries {
		switch {
		case e.section == "Service" && e.key == "Environment":
			set := unitAssignments(f, e)
			env = append(env, set...)
			t.Env = append(t.Env, set...)
		case e.section == "Service" && e.key == "EnvironmentFile":
			p := strings.TrimPrefix(e.value, "-")
			rel := resolveScript(l.r, p, f.Path)
			if rel == "" {
				outside = append(outside, p)
				continue
			}
			ef, err := l.r.ReadFile(rel)
			if err != nil {
				outside = append(outside, p)
				continue
			}
			set := envFile(ef)
			env = append(env, set...)
			t.Env = append(t.Env, set...)
		case e.section == "Socket" && e.key == "ListenStream":
			if e.value == "" {
				u.listens = nil // an empty assignment resets the list
				continue
			}
			u.listens = append(u.listens, Option{Name: SetBind, Value: python.KnownValue(python.Str(listenAddress(e.value)), e.line), Range: e.line, From: "socket unit"})
		case e.section == "Socket" && e.key == "Service":
			u.service = e.value
		case e.section == "Service" && e.key == "Sockets":
			u.sockets = append(u.sockets, strings.Fields(e.value)...)
		}
	}
	for _, e := range entries {
		if e.section != "Service" || e.key != "ExecStart" || e.value == "" {
			continue
		}
		args, ok := execLine(f, e, env)
		if !ok {
			l.syntax(e.line, "ExecStart has an unterminated quote")
			continue
		}
		before := len(l.problems)
		l.run(t, Line{Args: args, Env: env})
		if len(outside) > 0 {
			for i := before; i < len(l.problems); i++ {
				l.problems[i].Detail += " The unit reads EnvironmentFile=" + strings.Join(outside, ", ") + ", which is not in the repository."
			}
		}
	}
}

// listenAddress turns a ListenStream value into an address: a port alone
// listens on every address, a path is a UNIX socket, "@name" an abstract
// one.
func listenAddress(v string) string {
	switch {
	case strings.HasPrefix(v, "/"):
		return "unix:" + v
	case strings.HasPrefix(v, "@"):
		return "unix:" + v
	case strings.Trim(v, "0123456789") == "":
		return "[::]:" + v
	}
	return v
}

// execLine splits an ExecStart value into words (systemd.service(5)
// "Command lines"): the prefixes @ - : + ! are dropped (with @ the second
// word is argv[0] only), quotes and escapes are honoured, $VAR expands into
// several words and ${VAR} into one, from env; %% is a percent sign.
func execLine(f *source.File, e unitEntry, env Env) ([]Arg, bool) {
	v := e.value
	skip := 0
	for skip < len(v) && strings.IndexByte("@-:+!|", v[skip]) >= 0 {
		skip++
	}
	argv0 := strings.Contains(v[:skip], "@")
	var words []Arg
	var bad bool
	if e.verbatim {
		words, bad = shellWords(f, e.start+skip, e.start+len(v))
	} else {
		tmp := source.NewFile(f.Path, []byte(v[skip:]))
		ws, u := shellWords(tmp, 0, len(v)-skip)
		bad = u
		for _, w := range ws {
			words = append(words, ArgIn(w.Text, e.line))
		}
	}
	if bad {
		return nil, false
	}
	var out []Arg
	for i, w := range words {
		if argv0 && i == 1 {
			continue
		}
		text := strings.ReplaceAll(w.Text, "%%", "%")
		if name, _, _, n := varRef(strings.TrimPrefix(text, "$")); strings.HasPrefix(text, "$") && !strings.HasPrefix(text, "${") && n == len(text)-1 {
			if val, ok := env.Get(name); ok {
				for _, part := range strings.Fields(val.Value) {
					out = append(out, ArgIn(part, w.Range))
				}
				continue
			}
		}
		if x, _ := expand(text, env); x != text {
			out = append(out, ArgIn(x, w.Range))
			continue
		}
		w.Text = text
		out = append(out, w)
	}
	return out, true
}

// unitAssignments reads Environment="A=1" "B=2 3" C=4.
func unitAssignments(f *source.File, e unitEntry) []EnvVar {
	var words []Arg
	if e.verbatim {
		words, _ = shellWords(f, e.start, e.start+len(e.value))
	} else {
		tmp := source.NewFile(f.Path, []byte(e.value))
		ws, _ := shellWords(tmp, 0, len(e.value))
		for _, w := range ws {
			words = append(words, ArgIn(w.Text, e.line))
		}
	}
	var out []EnvVar
	for _, w := range words {
		if k, v, ok := assignment(w.Text); ok {
			out = append(out, EnvVar{Name: k, Value: v, Range: w.Range})
		}
	}
	return out
}

// envFile reads an environment file: KEY=VALUE lines (optionally quoted,
// optionally after `export`), # and ; comments.
func envFile(f *source.File) []EnvVar {
	var out []EnvVar
	for i := 1; i <= f.LineCount(); i++ {
		text := strings.TrimSpace(string(f.Line(i)))
		if text == "" || text[0] == '#' || text[0] == ';' {
			continue
		}
		text = strings.TrimPrefix(text, "export ")
		k, v, ok := assignment(strings.TrimSpace(text))
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out = append(out, EnvVar{Name: k, Value: v, Range: f.LineRange(i)})
	}
	return out
}

// joinSockets gives the app servers of a service the addresses of the
// socket units that activate it (Service=, Sockets=, or the same name):
// the server inherits those sockets from systemd. gunicorn then listens on
// them alone (it binds nothing of its own when LISTEN_FDS is set); the
// other servers listen on them in addition to what they bind.
func (l *loader) joinSockets() {
	services := map[string]*unit{}
	for _, u := range l.units {
		if strings.HasSuffix(u.name, ".service") {
			services[u.name] = u
		}
	}
	for _, s := range l.units {
		if !strings.HasSuffix(s.name, ".socket") || len(s.listens) == 0 {
			continue
		}
		svc := s.service
		if svc == "" {
			svc = strings.TrimSuffix(s.name, ".socket") + ".service"
		}
		targets := []*unit{services[svc]}
		for _, u := range services {
			for _, so := range u.sockets {
				if so == s.name && u.name != svc {
					targets = append(targets, u)
				}
			}
		}
		for _, u := range targets {
			if u == nil {
				continue
			}
			trees := []*Tree{u.tree}
			for _, t := range l.trees {
				if t.Runner == u.tree.File.Path {
					trees = append(trees, t)
				}
			}
			for _, t := range trees {
				for i := range t.Commands {
					activate(&t.Commands[i], s.listens)
				}
			}
		}
	}
}

// activate gives a command the sockets systemd passes it.
func activate(c *Command, listens []Option) {
	var kept []Option
	for _, o := range c.Options {
		if o.Name == SetBind && (c.Server == "gunicorn" || strings.HasPrefix(o.Str(), "fd://")) {
			continue
		}
		kept = append(kept, o)
	}
	c.Options = append(kept, listens...)
	c.Default = false
}
