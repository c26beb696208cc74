package k8s

import (
	"path"
	"strings"

	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// appServer is what one container runs, as far as its command line and
// environment say: a Python app server, where it listens, and the Django
// settings module it loads.
type appServer struct {
	Server         string // gunicorn, uwsgi, runserver, daphne, uvicorn; "" when unknown
	Binds          []rules.Endpoint
	SettingsModule string
	Range          source.Range // the command, or the container
}

// isDjango reports whether the container runs a Python app server or a
// Django settings module: a process that may trust headers the proxy
// sets.
func (a appServer) isDjango() bool { return a.Server != "" || a.SettingsModule != "" }

// containerServer interprets a container's command, args and env.
func containerServer(c *kube.Container) appServer {
	a := appServer{Range: c.Range}
	env := map[string]string{}
	for _, e := range c.Env {
		if e.FromSource {
			env[e.Name.Value] = "$(" + e.Name.Value + ")"
			continue
		}
		env[e.Name.Value] = e.Value.Value
	}
	if v := env["DJANGO_SETTINGS_MODULE"]; v != "" && !strings.HasPrefix(v, "$(") {
		a.SettingsModule = v
	}
	var argv []string
	for _, s := range append(append([]kube.Scalar{}, c.Command...), c.Args...) {
		argv = append(argv, s.Value)
	}
	if len(c.Command) > 0 {
		a.Range = c.Command[0].Range
	} else if len(c.Args) > 0 {
		a.Range = c.Args[0].Range
	}
	for _, cmd := range commands(argv) {
		if s, ok := serverOf(cmd, env); ok {
			if a.Server == "" {
				a.Server, a.Binds = s.Server, s.Binds
			}
			if s.SettingsModule != "" && a.SettingsModule == "" {
				a.SettingsModule = s.SettingsModule
			}
		}
	}
	return a
}

// commands splits argv into the simple commands it runs: a shell's -c
// script is split at ;, && and || into words.
func commands(argv []string) [][]string {
	if len(argv) >= 3 && isShell(argv[0]) {
		for i := 1; i+1 < len(argv); i++ {
			if argv[i] == "-c" || argv[i] == "-ec" || argv[i] == "-ce" {
				return shellCommands(argv[i+1])
			}
		}
	}
	if len(argv) == 1 && strings.ContainsAny(argv[0], " \t") {
		// "command: gunicorn app.wsgi -b 0.0.0.0:8000" given as one string
		return shellCommands(argv[0])
	}
	return [][]string{argv}
}

func isShell(p string) bool {
	switch path.Base(p) {
	case "sh", "bash", "ash", "dash", "zsh":
		return true
	}
	return false
}

// shellCommands splits a shell script into commands of words, honouring
// quotes. It is not a shell: expansions stay as written.
func shellCommands(script string) [][]string {
	var cmds [][]string
	var words []string
	var cur strings.Builder
	inWord := false
	flushWord := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	flushCmd := func() {
		flushWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
			words = nil
		}
	}
	for i := 0; i < len(script); i++ {
		c := script[i]
		switch {
		case c == '\'' || c == '"':
			inWord = true
			j := strings.IndexByte(script[i+1:], c)
			if j < 0 {
				cur.WriteString(script[i+1:])
				i = len(script)
				break
			}
			cur.WriteString(script[i+1 : i+1+j])
			i += j + 1
		case c == '\\' && i+1 < len(script):
			inWord = true
			cur.WriteByte(script[i+1])
			i++
		case c == ';' || c == '\n' || c == '|' || c == '&':
			flushCmd()
		case c == ' ' || c == '\t':
			flushWord()
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	flushCmd()
	return cmds
}

// serverOf recognises an app server in one command.
func serverOf(cmd []string, env map[string]string) (appServer, bool) {
	// Skip wrappers: exec, env assignments, python -m.
unwrap:
	for len(cmd) > 0 {
		w := cmd[0]
		switch {
		case w == "exec" || w == "env" || path.Base(w) == "tini" || w == "--" || path.Base(w) == "dumb-init":
			cmd = cmd[1:]
		case strings.Contains(w, "=") && !strings.HasPrefix(w, "-"):
			if k, v, ok := strings.Cut(w, "="); ok {
				env[k] = v
			}
			cmd = cmd[1:]
		case strings.HasPrefix(path.Base(w), "python") && len(cmd) > 2 && cmd[1] == "-m":
			cmd = cmd[2:]
		case strings.HasPrefix(path.Base(w), "python") && len(cmd) > 1:
			cmd = cmd[1:]
		default:
			break unwrap
		}
	}
	if len(cmd) == 0 {
		return appServer{}, false
	}
	switch base := path.Base(cmd[0]); {
	case base == "gunicorn":
		return gunicorn(cmd[1:], env), true
	case base == "uwsgi":
		return uwsgi(cmd[1:]), true
	case base == "daphne":
		return daphne(cmd[1:]), true
	case base == "uvicorn":
		return uvicorn(cmd[1:]), true
	case base == "manage.py" || base == "django-admin":
		for i, w := range cmd[1:] {
			if w == "runserver" {
				return runserver(cmd[i+2:]), true
			}
		}
	}
	return appServer{}, false
}

// option returns the value of -s/--long (as "--long=v", "--long v" or
// "-s v") and whether it is given.
func option(args []string, short, long string) (string, bool) {
	val, found := "", false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case long != "" && strings.HasPrefix(a, long+"="):
			val, found = a[len(long)+1:], true
		case (a == long || (short != "" && a == short)) && i+1 < len(args):
			val, found = args[i+1], true
			i++
		case short != "" && len(short) == 2 && strings.HasPrefix(a, short) && len(a) > 2 && !strings.HasPrefix(a, "--"):
			val, found = a[2:], true
		}
	}
	return val, found
}

// options returns every value of a repeatable option.
func options(args []string, short, long string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, long+"="):
			out = append(out, a[len(long)+1:])
		case (a == long || (short != "" && a == short)) && i+1 < len(args):
			out = append(out, args[i+1])
			i++
		}
	}
	return out
}

// gunicorn reads binds and the settings module from gunicorn's options;
// without --bind it listens on 127.0.0.1:8000, or 0.0.0.0:$PORT when PORT
// is set (gunicorn/config.py).
func gunicorn(args []string, env map[string]string) appServer {
	a := appServer{Server: "gunicorn"}
	if extra := env["GUNICORN_CMD_ARGS"]; extra != "" {
		for _, c := range shellCommands(extra) {
			args = append(args, c...)
		}
	}
	for _, b := range options(args, "-b", "--bind") {
		a.Binds = append(a.Binds, parseBind(b))
	}
	if len(a.Binds) == 0 {
		if p, ok := env["PORT"]; ok && p != "" {
			a.Binds = []rules.Endpoint{{Host: "0.0.0.0", Port: p}}
		} else {
			a.Binds = []rules.Endpoint{{Host: "127.0.0.1", Port: "8000"}}
		}
	}
	for _, e := range options(args, "-e", "--env") {
		if k, v, ok := strings.Cut(e, "="); ok && k == "DJANGO_SETTINGS_MODULE" {
			a.SettingsModule = v
		}
	}
	return a
}

func uwsgi(args []string) appServer {
	a := appServer{Server: "uwsgi"}
	for _, opt := range []string{"--http", "--http-socket", "--socket", "--uwsgi-socket"} {
		for _, b := range options(args, "", opt) {
			a.Binds = append(a.Binds, parseBind(b))
		}
	}
	for _, e := range options(args, "", "--env") {
		if k, v, ok := strings.Cut(e, "="); ok && k == "DJANGO_SETTINGS_MODULE" {
			a.SettingsModule = v
		}
	}
	return a
}

func daphne(args []string) appServer {
	a := appServer{Server: "daphne"}
	host, _ := option(args, "-b", "--bind")
	port, _ := option(args, "-p", "--port")
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "8000"
	}
	a.Binds = []rules.Endpoint{{Host: host, Port: port}}
	if u, ok := option(args, "-u", "--unix-socket"); ok {
		a.Binds = []rules.Endpoint{{Unix: u}}
	}
	return a
}

func uvicorn(args []string) appServer {
	a := appServer{Server: "uvicorn"}
	host, _ := option(args, "", "--host")
	port, _ := option(args, "", "--port")
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "8000"
	}
	a.Binds = []rules.Endpoint{{Host: host, Port: port}}
	if u, ok := option(args, "", "--uds"); ok {
		a.Binds = []rules.Endpoint{{Unix: u}}
	}
	return a
}

// runserver: "manage.py runserver [addrport]", default 127.0.0.1:8000.
func runserver(args []string) appServer {
	a := appServer{Server: "runserver", Binds: []rules.Endpoint{{Host: "127.0.0.1", Port: "8000"}}}
	addr := false
	for _, w := range args {
		switch {
		case strings.HasPrefix(w, "--settings="):
			a.SettingsModule = strings.TrimPrefix(w, "--settings=")
		case strings.HasPrefix(w, "-") || addr:
		case isDigits(w):
			a.Binds, addr = []rules.Endpoint{{Host: "127.0.0.1", Port: w}}, true
		default:
			a.Binds, addr = []rules.Endpoint{parseBind(w)}, true
		}
	}
	return a
}

// parseBind reads "host:port", "[v6]:port", ":port", "port" or
// "unix:/path".
func parseBind(s string) rules.Endpoint {
	if strings.HasPrefix(s, "unix:") {
		return rules.Endpoint{Unix: strings.TrimPrefix(s, "unix:")}
	}
	if strings.HasPrefix(s, "/") {
		return rules.Endpoint{Unix: s}
	}
	if isDigits(s) {
		return rules.Endpoint{Host: "0.0.0.0", Port: s}
	}
	if strings.HasPrefix(s, "[") {
		if i := strings.LastIndex(s, "]"); i > 0 {
			return rules.Endpoint{Host: s[1:i], Port: strings.TrimPrefix(s[i+1:], ":")}
		}
	}
	i := strings.LastIndex(s, ":")
	if i < 0 {
		return rules.Endpoint{Host: s, Port: "8000"}
	}
	host := s[:i]
	if host == "" {
		host = "0.0.0.0"
	}
	return rules.Endpoint{Host: host, Port: s[i+1:]}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
