package gunicorn

import (
	"path"
	"strings"
	"sync"

	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// The settings a command line sets, by name. They are gunicorn's setting
// names where gunicorn has the setting, so that a configuration file and a
// command line say the same thing the same way.
const (
	// SetBind is an address where the server speaks HTTP: gunicorn's and
	// hypercorn's --bind, uvicorn's --host/--port and --uds, daphne's
	// --bind/--port, --unix-socket and --endpoint, uWSGI's http router
	// (--http) and --http-socket, runserver's address.
	SetBind = "bind"
	// SetSocket is an address where uWSGI speaks a protocol in which the
	// peer sends the CGI variables itself (uwsgi, FastCGI, SCGI): --socket
	// (unless --protocol says http), --uwsgi-socket, --fastcgi-socket.
	SetSocket = "socket"
	// SetProtocol is uWSGI's --protocol for default sockets.
	SetProtocol = "protocol"
	// SetForwardedAllow is gunicorn's and uvicorn's --forwarded-allow-ips.
	SetForwardedAllow = "forwarded_allow_ips"
	// SetProxyHeaders is uvicorn's --proxy-headers / --no-proxy-headers
	// ("true", "false") and daphne's --proxy-headers ("true").
	SetProxyHeaders = "proxy_headers"
	// SetInterface is uvicorn's --interface: "wsgi" runs a WSGI app
	// through uvicorn's adapter, which builds a WSGI environ.
	SetInterface = "interface"
	// SetConfig is a configuration file the server reads: gunicorn's and
	// hypercorn's --config, uWSGI's --ini, --yaml, --xml, --json.
	SetConfig = "config"
	// SetRoute is a uWSGI internal routing rule (--route, --route-if, ...).
	SetRoute = "route"
	// SetApp is the application a configuration names: gunicorn's
	// wsgi_app, uWSGI's module, wsgi-file and mount.
	SetApp = "app"
)

// flag is one command-line option of a server.
type flag struct {
	setting string // the Option it sets; "" = none (but it may take a value)
	value   bool   // takes a value
	fixed   string // the value of a flag that takes none
}

// serverFlags are the options of each server that matter here, and those
// that take a value (so that the value is not read as the app). Names and
// defaults are the servers' own: gunicorn/config.py, uvicorn/main.py,
// hypercorn/__main__.py, daphne/cli.py, uWSGI core/uwsgi.c and
// plugins/http/http.c.
var serverFlags = sync.OnceValue(func() map[string]map[string]flag {
	return map[string]map[string]flag{
		"gunicorn": {
			"-b": {SetBind, true, ""}, "--bind": {SetBind, true, ""},
			"--forwarded-allow-ips": {SetForwardedAllow, true, ""}, "--proxy-allow-from": {"proxy_allow_ips", true, ""},
			"--header-map": {"header_map", true, ""}, "-k": {"worker_class", true, ""}, "--worker-class": {"worker_class", true, ""},
			"-c": {SetConfig, true, ""}, "--config": {SetConfig, true, ""}, "--proxy-protocol": {"proxy_protocol", false, "true"},
			"-e": {"env", true, ""}, "--env": {"env", true, ""},
			"-w": {"", true, ""}, "--workers": {"", true, ""}, "-t": {"", true, ""}, "--timeout": {"", true, ""},
			"--threads": {"", true, ""}, "--log-level": {"", true, ""}, "--access-logfile": {"", true, ""}, "--error-logfile": {"", true, ""},
			"--chdir": {"", true, ""}, "--pythonpath": {"", true, ""}, "-u": {"", true, ""}, "-g": {"", true, ""}, "--user": {"", true, ""}, "--group": {"", true, ""},
			"-n": {"", true, ""}, "--name": {"", true, ""}, "-p": {"", true, ""}, "--pid": {"", true, ""}, "--keep-alive": {"", true, ""},
			"--graceful-timeout": {"", true, ""}, "--max-requests": {"", true, ""}, "--max-requests-jitter": {"", true, ""},
			"--worker-connections": {"", true, ""}, "--log-config": {"", true, ""}, "--certfile": {"", true, ""}, "--keyfile": {"", true, ""},
			"--ca-certs": {"", true, ""}, "--access-logformat": {"", true, ""}, "--worker-tmp-dir": {"", true, ""}, "--paste": {"", true, ""},
		},
		"uvicorn": {
			"--host": {"host", true, ""}, "--port": {"port", true, ""}, "--uds": {"uds", true, ""}, "--fd": {"fd", true, ""},
			"--proxy-headers": {SetProxyHeaders, false, "true"}, "--no-proxy-headers": {SetProxyHeaders, false, "false"},
			"--forwarded-allow-ips": {SetForwardedAllow, true, ""}, "--env-file": {"env_file", true, ""},
			"--workers": {"", true, ""}, "--log-level": {"", true, ""}, "--root-path": {"", true, ""}, "--loop": {"", true, ""},
			"--http": {"", true, ""}, "--ws": {"", true, ""}, "--interface": {SetInterface, true, ""}, "--app-dir": {"", true, ""},
			"--log-config": {"", true, ""}, "--ssl-keyfile": {"", true, ""}, "--ssl-certfile": {"", true, ""}, "--ssl-ca-certs": {"", true, ""},
			"--timeout-keep-alive": {"", true, ""}, "--limit-concurrency": {"", true, ""}, "--backlog": {"", true, ""},
			"--reload-dir": {"", true, ""}, "--lifespan": {"", true, ""}, "--header": {"", true, ""}, "--h11-max-incomplete-event-size": {"", true, ""},
		},
		"hypercorn": {
			"-b": {SetBind, true, ""}, "--bind": {SetBind, true, ""}, "--insecure-bind": {SetBind, true, ""},
			"--quic-bind": {"", true, ""}, "-c": {SetConfig, true, ""}, "--config": {SetConfig, true, ""},
			"-k": {"worker_class", true, ""}, "--worker-class": {"worker_class", true, ""},
			"-w": {"", true, ""}, "--workers": {"", true, ""}, "-p": {"", true, ""}, "--pid": {"", true, ""}, "-u": {"", true, ""}, "--user": {"", true, ""},
			"-g": {"", true, ""}, "--group": {"", true, ""}, "-m": {"", true, ""}, "--umask": {"", true, ""}, "--root-path": {"", true, ""},
			"--certfile": {"", true, ""}, "--keyfile": {"", true, ""}, "--ca-certs": {"", true, ""}, "--log-level": {"", true, ""},
			"--access-logfile": {"", true, ""}, "--error-logfile": {"", true, ""}, "--keep-alive": {"", true, ""}, "--graceful-timeout": {"", true, ""},
			"--server-name": {"", true, ""}, "--statsd-host": {"", true, ""}, "--log-config": {"", true, ""},
		},
		"daphne": {
			"-b": {"host", true, ""}, "--bind": {"host", true, ""}, "-p": {"port", true, ""}, "--port": {"port", true, ""},
			"-u": {"uds", true, ""}, "--unix-socket": {"uds", true, ""}, "--fd": {"fd", true, ""}, "-e": {"endpoint", true, ""}, "--endpoint": {"endpoint", true, ""},
			"--proxy-headers": {SetProxyHeaders, false, "true"}, "--proxy-headers-host": {"proxy_headers_host", true, ""}, "--proxy-headers-port": {"proxy_headers_port", true, ""},
			"-v": {"", true, ""}, "--verbosity": {"", true, ""}, "-t": {"", true, ""}, "--http-timeout": {"", true, ""}, "--access-log": {"", true, ""},
			"--root-path": {"", true, ""}, "--websocket_timeout": {"", true, ""}, "--websocket_connect_timeout": {"", true, ""},
			"--ping-interval": {"", true, ""}, "--ping-timeout": {"", true, ""}, "--application-close-timeout": {"", true, ""}, "--server-name": {"", true, ""},
			"--log-fmt": {"", true, ""},
		},
		"uwsgi": {
			"--http": {SetBind, true, ""}, "--https": {SetBind, true, ""}, "--http-socket": {SetBind, true, ""}, "--http11-socket": {SetBind, true, ""},
			"--https-socket": {SetBind, true, ""},
			"-s":             {SetSocket, true, ""}, "--socket": {SetSocket, true, ""}, "--uwsgi-socket": {"uwsgi_socket", true, ""},
			"--suwsgi-socket": {"uwsgi_socket", true, ""}, "--ssl-socket": {"uwsgi_socket", true, ""}, "--puwsgi-socket": {"uwsgi_socket", true, ""},
			"--fastcgi-socket": {"uwsgi_socket", true, ""}, "--fastcgi-nph-socket": {"uwsgi_socket", true, ""},
			"--scgi-socket": {"uwsgi_socket", true, ""}, "--scgi-nph-socket": {"uwsgi_socket", true, ""},
			"--protocol": {SetProtocol, true, ""}, "--socket-protocol": {SetProtocol, true, ""},
			"--ini": {SetConfig, true, ""}, "--yaml": {SetConfig, true, ""}, "-y": {SetConfig, true, ""}, "--yml": {SetConfig, true, ""},
			"--xml": {SetConfig, true, ""}, "-x": {SetConfig, true, ""}, "--json": {SetConfig, true, ""}, "-j": {SetConfig, true, ""},
			"--env":   {"env", true, ""},
			"--route": {SetRoute, true, ""}, "--route-host": {SetRoute, true, ""}, "--route-uri": {SetRoute, true, ""}, "--route-qs": {SetRoute, true, ""},
			"--route-remote-addr": {SetRoute, true, ""}, "--route-user-agent": {SetRoute, true, ""}, "--route-remote-user": {SetRoute, true, ""},
			"--route-referer": {SetRoute, true, ""}, "--route-if": {SetRoute, true, ""}, "--route-if-not": {SetRoute, true, ""}, "--route-run": {SetRoute, true, ""},
			"-p": {"", true, ""}, "--processes": {"", true, ""}, "--workers": {"", true, ""}, "--threads": {"", true, ""},
			"--module": {SetApp, true, ""}, "-w": {SetApp, true, ""}, "--wsgi-file": {SetApp, true, ""}, "--file": {SetApp, true, ""},
			"--wsgi": {SetApp, true, ""}, "--mount": {SetApp, true, ""}, "--plugin": {"", true, ""}, "--plugins": {"", true, ""},
			"--chdir": {"", true, ""}, "--uid": {"", true, ""}, "--gid": {"", true, ""}, "--home": {"", true, ""}, "-H": {"", true, ""},
			"--virtualenv": {"", true, ""}, "--pythonpath": {"", true, ""}, "--callable": {"", true, ""}, "--chmod-socket": {"", true, ""},
			"--buffer-size": {"", true, ""}, "--harakiri": {"", true, ""}, "--max-requests": {"", true, ""}, "--static-map": {"", true, ""},
			"--logto": {"", true, ""}, "--pidfile": {"", true, ""}, "--stats": {"", true, ""},
		},
	}
})

// Servers are the command names of the app servers recognised.
var Servers = []string{"gunicorn", "uvicorn", "hypercorn", "daphne", "uwsgi"}

// serverOfProgram returns the server a program path starts ("" if none).
func serverOfProgram(p string) string {
	base := path.Base(p)
	base = strings.TrimSuffix(base, ".exe")
	if _, ok := serverFlags()[base]; ok {
		return base
	}
	if strings.HasPrefix(base, "uwsgi") && !strings.ContainsAny(base[5:], ".-_") {
		return "uwsgi" // uwsgi_python3, uwsgi-core style binaries
	}
	return ""
}

// isPython reports whether a program is a Python interpreter.
func isPython(p string) bool {
	base := path.Base(p)
	return base == "python" || strings.HasPrefix(base, "python3") || base == "python2" || base == "pypy3"
}

func isShell(p string) bool {
	switch path.Base(p) {
	case "sh", "bash", "ash", "dash", "zsh":
		return true
	}
	return false
}

// Line is a command line as a process manager or container runs it:
// its words, and the environment it starts with.
type Line struct {
	Args []Arg
	Env  Env
	// Literal: no shell expands the words (a Dockerfile's or compose
	// file's exec form, a Kubernetes command), so "$PORT" stays "$PORT".
	Literal bool
}

// Found is what a command line turned out to run.
type Found struct {
	// Commands are the app servers it starts.
	Commands []Command
	// Scripts are the programs it runs that are not app servers, shells
	// or interpreters: scripts of the repository that may start one
	// (`./entrypoint.sh`, `/usr/local/bin/start-web`), as written.
	Scripts []Arg
	// Env is what the line itself sets (`env K=V cmd`, `K=V cmd`,
	// gunicorn -e).
	Env Env
}

// Interpret reads what a command line runs: past the wrappers that only
// start another program (exec, env, nohup, tini, dumb-init, gosu,
// su-exec, poetry run, pipenv run, uv run, python -m), into shell scripts
// (`sh -c "..."`), to the app servers it starts with their options, or
// the script it runs.
func Interpret(l Line) Found {
	var out Found
	interpret(l.Args, l.Env, l.Literal, &out, 0)
	return out
}

func interpret(args []Arg, env Env, literal bool, out *Found, depth int) {
	if depth > 4 || len(args) == 0 {
		return
	}
	i := 0
	// Wrappers and assignments before the program.
unwrap:
	for i < len(args) {
		w := args[i].Text
		base := path.Base(w)
		switch {
		case w == "exec" || w == "nohup" || w == "time" || w == "!" || w == "{" || w == "(" || w == "then" || w == "do" || w == "else":
			i++
		case w == "--":
			i++
		case base == "env":
			i++
			for i < len(args) && strings.HasPrefix(args[i].Text, "-") {
				i++
			}
		case base == "tini" || base == "dumb-init" || base == "catatonit":
			i++
			for i < len(args) && strings.HasPrefix(args[i].Text, "-") {
				if args[i].Text == "--" {
					i++
					break
				}
				i++
			}
		case base == "gosu" || base == "su-exec" || base == "chpst" || base == "setuidgid":
			i += 2
		case (base == "poetry" || base == "pipenv" || base == "uv" || base == "pdm") && i+1 < len(args) && args[i+1].Text == "run":
			i += 2
		case base == "newrelic-admin" && i+1 < len(args) && args[i+1].Text == "run-program", base == "ddtrace-run", base == "opentelemetry-instrument":
			i++
			if base == "newrelic-admin" {
				i++
			}
		default:
			if k, v, ok := assignment(w); ok && !strings.HasPrefix(w, "-") {
				if !literal {
					v, _ = expand(v, env)
				}
				e := EnvVar{Name: k, Value: strings.Trim(v, `"'`), Range: args[i].Range}
				env = append(env, e)
				out.Env = append(out.Env, e)
				i++
				continue
			}
			break unwrap
		}
	}
	if i >= len(args) {
		return
	}
	prog := args[i].Text
	switch {
	case isShell(prog):
		for j := i + 1; j < len(args); j++ {
			t := args[j].Text
			if strings.HasPrefix(t, "-") && strings.Contains(t, "c") && !strings.HasPrefix(t, "--") {
				if j+1 < len(args) {
					for _, cmd := range simpleCommands(scriptWords(args[j+1])) {
						interpret(cmd, env, false, out, depth+1)
					}
				}
				return
			}
			if !strings.HasPrefix(t, "-") {
				out.Scripts = append(out.Scripts, args[j]) // sh ./start.sh
				return
			}
		}
		return
	case isPython(prog):
		j := i + 1
		for j < len(args) && strings.HasPrefix(args[j].Text, "-") && args[j].Text != "-m" && args[j].Text != "-c" {
			j++
		}
		if j+1 < len(args) && args[j].Text == "-m" {
			if s := serverOfProgram(args[j+1].Text); s != "" {
				command(s, args[j+1:], args[i], env, literal, out)
			}
			return
		}
		if j < len(args) && (strings.HasSuffix(args[j].Text, "manage.py")) {
			runserver(args[j:], args[i], out)
		}
		return
	case strings.HasSuffix(prog, "manage.py") || path.Base(prog) == "django-admin":
		runserver(args[i:], args[i], out)
		return
	}
	if s := serverOfProgram(prog); s != "" {
		command(s, args[i:], args[i], env, literal, out)
		return
	}
	if strings.Contains(prog, "/") || strings.HasSuffix(prog, ".sh") {
		out.Scripts = append(out.Scripts, args[i])
	}
}

// runserver reads `manage.py runserver [addrport]`: Django's development
// server, on 127.0.0.1:8000 unless an address is given.
func runserver(args []Arg, first Arg, out *Found) {
	if len(args) < 2 || args[1].Text != "runserver" {
		return
	}
	c := Command{Server: "runserver", Default: true, App: args[0].Text, AppRange: args[0].Range}
	last := args[1]
	for _, a := range args[2:] {
		if separator(a.Text) {
			break
		}
		last = a
		if strings.HasPrefix(a.Text, "--settings=") {
			out.Env = append(out.Env, EnvVar{Name: "DJANGO_SETTINGS_MODULE", Value: strings.TrimPrefix(a.Text, "--settings="), Range: a.Range})
			continue
		}
		if strings.HasPrefix(a.Text, "-") || !c.Default {
			continue
		}
		c.Options = append(c.Options, opt(SetBind, a.Text, a.Range, nil))
		c.Default = false
	}
	c.Range = span(first.Range, last.Range)
	out.Commands = append(out.Commands, c)
}

// command reads one server's options from args (args[0] is the server's
// program).
func command(server string, args []Arg, first Arg, env Env, literal bool, out *Found) {
	flags := serverFlags()[server]
	c := Command{Server: server}
	var host, port *Option
	last := args[0]
	for j := 1; j < len(args); j++ {
		a := args[j]
		if separator(a.Text) {
			break
		}
		last = a
		t := a.Text
		if !strings.HasPrefix(t, "-") || t == "-" {
			if c.App == "" && appTarget().MatchString(t) {
				c.App, c.AppRange = t, a.Range
			}
			continue
		}
		name, val, inline := strings.Cut(t, "=")
		f, known := flags[name]
		if !known && server == "uwsgi" && strings.HasPrefix(name, "--route") {
			f, known = flag{SetRoute, true, ""}, true
		}
		if !known {
			continue
		}
		rng := a.Range
		if !f.value {
			if f.setting != "" {
				c.Options = append(c.Options, opt(f.setting, f.fixed, rng, nil))
			}
			continue
		}
		if !inline {
			if j+1 >= len(args) || separator(args[j+1].Text) {
				break
			}
			j++
			val = args[j].Text
			rng = span(a.Range, args[j].Range)
			last = args[j]
		}
		if f.setting == "" {
			continue
		}
		v, unresolved := val, []string(nil)
		if !literal {
			v, unresolved = expand(val, env)
		}
		o := opt(f.setting, v, rng, unresolved)
		switch f.setting {
		case "host":
			host = &o
		case "port":
			port = &o
		case "env":
			if k, ev, ok := assignment(v); ok {
				out.Env = append(out.Env, EnvVar{Name: k, Value: ev, Range: rng})
			}
		case "uds":
			o.Name = SetBind
			o.Value = python.KnownValue(python.Str("unix:"+v), rng)
			c.Options = append(c.Options, o)
		case "fd":
			o.Name = SetBind
			o.Value = python.KnownValue(python.Str("fd://"+v), rng)
			c.Options = append(c.Options, o)
		case "endpoint":
			if b, ok := twistedEndpoint(v); ok {
				o.Name = SetBind
				o.Value = python.KnownValue(python.Str(b), rng)
				c.Options = append(c.Options, o)
			}
		case "uwsgi_socket":
			o.Name = SetSocket
			c.Options = append(c.Options, o)
		case SetApp:
			if c.App == "" {
				c.App, c.AppRange = uwsgiApp(v), rng
			}
		default:
			c.Options = append(c.Options, o)
		}
	}
	c.Options = append(c.Options, envOptions(server, c.Options, env)...)
	addHostPort(&c, server, host, port, env)
	c.Range = span(first.Range, last.Range)
	c.Default = true
	for _, o := range c.Options {
		if o.Name == SetBind || o.Name == SetSocket || o.Name == SetConfig && server == "uwsgi" {
			c.Default = false
		}
	}
	if server == "uwsgi" {
		c.Default = false // uWSGI has no default socket: it reads them from its configuration
	}
	out.Commands = append(out.Commands, c)
}

// addHostPort turns uvicorn's and daphne's separate host and port into
// one bind: uvicorn defaults to 127.0.0.1:8000 (UVICORN_HOST and
// UVICORN_PORT in the environment); daphne to 127.0.0.1 and 8000 for
// whichever is missing when the other is given.
func addHostPort(c *Command, server string, host, port *Option, env Env) {
	if server == "uvicorn" {
		if host == nil {
			if e, ok := env.Get("UVICORN_HOST"); ok {
				o := opt("host", e.Value, e.Range, nil)
				host = &o
			}
		}
		if port == nil {
			if e, ok := env.Get("UVICORN_PORT"); ok {
				o := opt("port", e.Value, e.Range, nil)
				port = &o
			}
		}
	}
	if host == nil && port == nil {
		return
	}
	h, p := "127.0.0.1", "8000"
	var r source.Range
	var unresolved []string
	if host != nil {
		h, _ = host.Value.Str()
		r = host.Range
		unresolved = append(unresolved, host.Unresolved...)
	}
	if port != nil {
		p, _ = port.Value.Str()
		if !r.IsValid() {
			r = port.Range
		} else if port.Range.File == r.File {
			r = span(r, port.Range)
		}
		unresolved = append(unresolved, port.Unresolved...)
	}
	if strings.Contains(h, ":") && !strings.HasPrefix(h, "[") {
		h = "[" + h + "]"
	}
	c.Options = append(c.Options, opt(SetBind, h+":"+p, r, unresolved))
}

// twistedEndpoint reads a daphne --endpoint (a Twisted server endpoint
// string): tcp:PORT[:interface=HOST], unix:PATH; an SSL endpoint listens
// like tcp.
func twistedEndpoint(s string) (string, bool) {
	kind, rest, _ := strings.Cut(s, ":")
	switch kind {
	case "unix":
		p, _, _ := strings.Cut(rest, ":")
		return "unix:" + strings.TrimPrefix(p, "address="), true
	case "tcp", "tcp6", "ssl":
		port, host := "", "0.0.0.0"
		if kind == "tcp6" {
			host = "::"
		}
		for _, part := range strings.Split(rest, ":") {
			switch {
			case strings.HasPrefix(part, "port="):
				port = strings.TrimPrefix(part, "port=")
			case strings.HasPrefix(part, "interface="):
				host = strings.TrimPrefix(part, "interface=")
			case port == "" && !strings.Contains(part, "="):
				port = part
			}
		}
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		return host + ":" + port, port != ""
	}
	return "", false
}

func opt(name, val string, r source.Range, unresolved []string) Option {
	return Option{Name: name, Value: python.KnownValue(python.Str(val), r), Range: r, From: "command line", Unresolved: unresolved}
}

// envOptions are the options a server takes from its environment where the
// command line does not give them: gunicorn's GUNICORN_CMD_ARGS (parsed
// like a command line, which overrides it), uWSGI's UWSGI_<OPTION>
// variables (UWSGI_HTTP_SOCKET is --http-socket).
func envOptions(server string, given []Option, env Env) []Option {
	has := map[string]bool{}
	for _, o := range given {
		has[o.Name] = true
	}
	var out []Option
	switch server {
	case "gunicorn":
		e, ok := env.Get("GUNICORN_CMD_ARGS")
		if !ok {
			return nil
		}
		f := source.NewFile(e.Range.File, []byte(e.Value))
		words, _ := shellWords(f, 0, len(e.Value))
		args := []Arg{ArgIn("gunicorn", e.Range)}
		for _, w := range words {
			args = append(args, ArgIn(w.Text, e.Range))
		}
		var found Found
		command("gunicorn", args, args[0], env, true, &found)
		for _, c := range found.Commands {
			for _, o := range c.Options {
				if !has[o.Name] {
					o.From = "environment"
					out = append(out, o)
				}
			}
		}
	case "uwsgi":
		for _, e := range env {
			name, ok := strings.CutPrefix(e.Name, "UWSGI_")
			if !ok {
				continue
			}
			f, known := serverFlags()["uwsgi"]["--"+strings.ToLower(strings.ReplaceAll(name, "_", "-"))]
			if !known || f.setting == "" || has[f.setting] {
				continue
			}
			setting := f.setting
			if setting == "uwsgi_socket" {
				setting = SetSocket
			}
			o := opt(setting, e.Value, e.Range, nil)
			o.From = "environment"
			out = append(out, o)
		}
	}
	return out
}

// appTarget is what a positional argument naming the application looks
// like: a dotted module, optionally with ":callable" or a factory call.
var appTarget = source.LazyRegexp(`^[A-Za-z_][A-Za-z0-9_.]*(:[A-Za-z_][A-Za-z0-9_.]*(\(.*\))?)?$`)

// uwsgiApp reads what uWSGI's module, wsgi-file or mount names: a mount
// is "MOUNTPOINT=app".
func uwsgiApp(v string) string {
	if _, app, ok := strings.Cut(v, "="); ok {
		return app
	}
	return v
}
