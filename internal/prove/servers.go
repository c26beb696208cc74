package prove

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mtlslint/mtlslint/internal/supervise"
	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/caddy"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// Server is one program a run may start.
type Server struct {
	// Name is the program's usual name ("nginx", "haproxy", "apache2",
	// "caddy", "gunicorn").
	Name string
	// Path is the executable found, "" when none was.
	Path string
	// Version is what the program says of itself ("nginx/1.22.1").
	Version string
	// Missing says why it was not found and what provides it.
	Missing string
}

// Servers are the programs a run may start, by the kind of configuration
// they serve (parsers.KindNginx, ...), and "gunicorn" for the stub app.
type Servers map[string]*Server

// KindGunicorn is the key of gunicorn in Servers.
const KindGunicorn = "gunicorn"

// serverSpecs say how each program is found and what installs it.
var serverSpecs = []struct {
	kind    string
	names   []string // executable names, in order of preference
	version []string // arguments that print the version
	install string
}{
	{parsers.KindNginx, []string{"nginx"}, []string{"-v"}, "nginx (Debian and Ubuntu: apt-get install nginx-core)"},
	{parsers.KindHAProxy, []string{"haproxy"}, []string{"-v"}, "HAProxy (apt-get install haproxy)"},
	{parsers.KindApache, []string{"apache2", "httpd"}, []string{"-v"}, "Apache httpd (apt-get install apache2)"},
	{parsers.KindCaddy, []string{"caddy"}, []string{"version"}, "Caddy (apt-get install caddy)"},
	{KindGunicorn, []string{"gunicorn"}, []string{"--version"}, "gunicorn (apt-get install gunicorn), for the environ the app server builds"},
}

// sbinDirs are searched after PATH: distributions install the servers in
// sbin directories that an unprivileged user's PATH often lacks.
var sbinDirs = []string{"/usr/sbin", "/usr/local/sbin", "/sbin"}

// FindServers finds the programs: the path given for a kind in paths (a
// command-line flag) or else the first name on PATH or in an sbin
// directory, and reads each one's version.
func FindServers(ctx context.Context, paths map[string]string) Servers {
	out := Servers{}
	// The version commands run with a home directory of their own, removed
	// afterwards: Caddy makes $HOME/.step even to print its version.
	home, homeErr := os.MkdirTemp("", "mtlslint-versions-")
	if homeErr == nil {
		defer os.RemoveAll(home)
	}
	for _, spec := range serverSpecs {
		s := &Server{Name: spec.names[0]}
		out[spec.kind] = s
		if p := paths[spec.kind]; p != "" {
			if st, err := os.Stat(p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
				s.Missing = fmt.Sprintf("%s is not an executable file", p)
				continue
			}
			s.Path = p
		} else {
			s.Path = lookPath(spec.names)
		}
		if s.Path == "" {
			s.Missing = fmt.Sprintf("%s not found on PATH or in %s; install %s", strings.Join(spec.names, " or "), strings.Join(sbinDirs, ", "), spec.install)
			continue
		}
		if homeErr != nil {
			s.Missing = fmt.Sprintf("cannot read the version of %s: %v", s.Path, homeErr)
			s.Path = ""
			continue
		}
		v, err := supervise.Run(ctx, append([]string{s.Path}, spec.version...), home, BaseEnv(home), 10*time.Second)
		if err != nil && v == "" {
			s.Missing = fmt.Sprintf("%s does not run: %v; install %s", s.Path, err, spec.install)
			s.Path = ""
			continue
		}
		s.Version = parseVersion(spec.kind, v)
	}
	return out
}

func lookPath(names []string) string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			if abs, err := filepath.Abs(p); err == nil {
				return abs
			}
			return p
		}
	}
	for _, n := range names {
		for _, d := range sbinDirs {
			p := filepath.Join(d, n)
			if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
				return p
			}
		}
	}
	return ""
}

var versionPatterns = sync.OnceValue(func() map[string]*regexp.Regexp {
	return map[string]*regexp.Regexp{
		parsers.KindNginx:   regexp.MustCompile(`nginx/(\S+)`),
		parsers.KindHAProxy: regexp.MustCompile(`HA-?Proxy version (\S+)`),
		parsers.KindApache:  regexp.MustCompile(`Apache/(\S+)`),
		parsers.KindCaddy:   regexp.MustCompile(`v?(\d+\.\d+\.\d+\S*)`),
		KindGunicorn:        regexp.MustCompile(`gunicorn \(version (\S+)\)`),
	}
})

// parseVersion turns a program's version output into "name/version".
func parseVersion(kind, out string) string {
	name := map[string]string{parsers.KindNginx: "nginx", parsers.KindHAProxy: "HAProxy", parsers.KindApache: "Apache", parsers.KindCaddy: "Caddy", KindGunicorn: "gunicorn"}[kind]
	if m := versionPatterns()[kind].FindStringSubmatch(out); m != nil {
		return name + "/" + m[1]
	}
	first, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(first)
}

// ErrMissing is returned when a program a plan needs is not installed.
var ErrMissing = errors.New("not installed")

// For returns the server a plan needs, or an error wrapping ErrMissing
// that says what to install.
func (s Servers) For(kind string) (*Server, error) {
	srv := s[kind]
	if srv == nil {
		return nil, fmt.Errorf("%s configurations cannot be run: %w", kind, ErrMissing)
	}
	if srv.Path == "" {
		return nil, fmt.Errorf("%s: %w: %s", srv.Name, ErrMissing, srv.Missing)
	}
	return srv, nil
}

// configTestTimeout bounds a configuration test.
const configTestTimeout = 30 * time.Second

// ConfigTest runs the server's own configuration test on the rewritten
// configuration (nginx -t, haproxy -c, apache2 -t, caddy validate) and
// returns its output; an error means the test failed, and says why in the
// server's words. It runs once: a failure is reported, not retried.
func (p *Plan) ConfigTest(ctx context.Context, srv *Server) (string, error) {
	argv, err := p.commandLine(srv, true)
	if err != nil {
		return "", err
	}
	out, err := supervise.Run(ctx, argv, p.Run, p.env(), configTestTimeout)
	if err != nil {
		return out, &ConfigError{Kind: p.Kind, Output: out, Err: err, Reason: p.FailureReason(out)}
	}
	return out, nil
}

// commandLine is how the server runs the plan: its configuration test, or
// in the foreground.
func (p *Plan) commandLine(srv *Server, test bool) ([]string, error) {
	switch p.Kind {
	case parsers.KindNginx:
		argv := []string{srv.Path, "-c", p.Main, "-p", p.Run + "/", "-e", filepath.Join(p.Run, "startup.log"), "-g", "daemon off;"}
		if test {
			argv = append(argv, "-t")
		}
		return argv, nil
	case parsers.KindHAProxy:
		mode := "-db"
		if test {
			mode = "-c"
		}
		return append([]string{srv.Path, mode}, p.haproxyFiles()...), nil
	case parsers.KindApache:
		mode := "-DFOREGROUND"
		if test {
			mode = "-t"
		}
		return []string{srv.Path, mode, "-f", p.Main}, nil
	case parsers.KindCaddy:
		mode := "run"
		if test {
			mode = "validate"
		}
		argv := []string{srv.Path, mode, "--config", p.Main}
		if !caddy.IsJSON(p.Main) {
			argv = append(argv, "--adapter", "caddyfile")
		}
		return argv, nil
	}
	return nil, fmt.Errorf("%s configurations cannot be run", p.Kind)
}

// ConfigError is a failed configuration test.
type ConfigError struct {
	Kind   string
	Output string
	Err    error
	// Reason is the failure in one line, without paths or numbers, so
	// that failures group.
	Reason string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("the %s configuration test failed (%v): %s", e.Kind, e.Err, e.Reason)
}

// notInRepository finds the first path under a plan's not-in-repository
// directory that a server's output names.
var notInRepository = source.LazyRegexp(`not-in-repository/([^"'\s:)]+)`)

// FailureReason explains a failed configuration test of the plan:
// FailureReason of the output, and for a file the repository does not
// hold, the directive that names it.
func (p *Plan) FailureReason(out string) string {
	if m := notInRepository().FindStringSubmatch(out); m != nil {
		for _, n := range p.Limits {
			if strings.Contains(n.Reason, m[1]) {
				return fmt.Sprintf("%s: a file that is not in the repository (%s)", n.Directive, n.Reason)
			}
		}
	}
	return FailureReason(p.Kind, out)
}

// haproxyFiles are the -f options of HAProxy's command line.
func (p *Plan) haproxyFiles() []string {
	var out []string
	for _, f := range append([]string{p.Main}, p.More...) {
		out = append(out, "-f", f)
	}
	return out
}

func (p *Plan) env() []string { return append(BaseEnv(p.Run), p.Env...) }

// Start starts the plan's server in its own process group and waits until
// every listener accepts connections (bounded); the caller stops it by
// PID (Process.Stop).
func (p *Plan) Start(ctx context.Context, srv *Server) (*supervise.Process, error) {
	if !p.Testable() {
		return nil, fmt.Errorf("%s is not started: %s", p.Root, p.Refusals[0])
	}
	argv, err := p.commandLine(srv, false)
	if err != nil {
		return nil, err
	}
	proc, err := supervise.Start(p.Kind, argv, p.Run, p.env(), filepath.Join(p.Run, p.Kind+".out"), syscall.SIGTERM)
	if err != nil {
		return nil, err
	}
	for _, l := range p.Listeners {
		addr := l.Addr()
		err := supervise.WaitUntil(ctx, startTimeout, p.Kind+" to listen on "+addr, []*supervise.Process{proc}, supervise.Accepts(addr))
		if err != nil {
			_ = proc.Stop()
			return nil, err
		}
	}
	return proc, nil
}

// Failure reasons: the server's message reduced to what groups failures
// (the directive or keyword, the kind of file), without paths and lines.
var failurePatterns = sync.OnceValue(func() []failurePattern {
	return []failurePattern{
		{regexp.MustCompile(`will not start \(no listener\)`), "no listener: nothing binds (a backend or defaults file)"},
		{regexp.MustCompile(`unknown directive "([^"]+)"`), `unknown directive "$1" (a module this nginx lacks, or a newer release)`},
		{regexp.MustCompile(`open\(\) "[^"]*not-in-repository[^"]*" failed`), "a file the configuration reads is not in the repository"},
		{regexp.MustCompile(`"([^"]+)" directive is not allowed here`), `"$1" is not allowed where it is (the file is not a complete configuration)`},
		{regexp.MustCompile(`no "events" section`), `no "events" section (not a main configuration)`},
		{regexp.MustCompile(`host not found in (upstream|resolver) "[^"]*"`), "a host name that does not resolve here ($1)"},
		{regexp.MustCompile(`no resolver defined`), "a resolver is needed"},
		{regexp.MustCompile(`unknown "([^"]+)" variable`), `unknown variable "$1" (a module or map this nginx lacks)`},
		{regexp.MustCompile(`invalid parameter "([^"]+)"`), `invalid parameter "$1"`},
		{regexp.MustCompile(`is duplicate`), "a directive is duplicated"},
		{regexp.MustCompile(`unknown keyword '([^']+)'`), "unknown keyword '$1' (a newer HAProxy or a build option)"},
		{regexp.MustCompile(`(?:failed to open pattern file|unable to load file|[Cc]annot open (?:configuration )?file|unable to stat SSL certificate from file|No such file or directory)[^\n]*not-in-repository`), "a file the configuration reads is not in the repository"},
		{regexp.MustCompile(`Invalid command '([^']+)'`), "unknown directive '$1' (a module that is not loaded or not installed)"},
		{regexp.MustCompile(`Cannot load [^\n]*not-in-repository`), "a module that is not installed here"},
		{regexp.MustCompile(`Could not open configuration file [^\n]*not-in-repository`), "an included file is not in the repository"},
		{regexp.MustCompile(`unrecognized directive: (\S+)`), "unknown directive $1 (a plugin this Caddy lacks)"},
		{regexp.MustCompile(`module not registered: (\S+)`), "module $1 is not in this Caddy"},
		{regexp.MustCompile(`not-in-repository`), "a file the configuration reads is not in the repository"},
	}
})

type failurePattern struct {
	re     *regexp.Regexp
	reason string // $1 is the first group
}

var (
	quoted     = source.LazyRegexp(`"[^"]*"|'[^']*'`)
	identifier = source.LazyRegexp(`^["'][A-Za-z_][\w.:-]{0,40}["']$`)
	digits     = source.LazyRegexp(`\d+`)
	paths      = source.LazyRegexp(`(^|[\s(\[<'"=:])(?:/[\w.@+-]+)+`)
	httpdNest  = source.LazyRegexp(`(?:\S+: )?Syntax error on line \d+ of [^:]+:\s*`)
	haproxyAt  = source.LazyRegexp(`^.*?: config : (?:parsing \[[^\]]*\] : )?`)
	caddyNest  = source.LazyRegexp(`^Error: (?:adapting config using caddyfile: )?(?:parsing caddyfile tokens for '[^']*': )?(?:\S+:\d+ - )?(?:Error during parsing: )?`)
)

// FailureReason reduces a failed configuration test's output to a reason
// that groups failures: a known pattern, else the server's error message
// with paths, numbers and quoted values (but names) blanked.
func FailureReason(kind, out string) string {
	for _, p := range failurePatterns() {
		if m := p.re.FindStringSubmatchIndex(out); m != nil {
			return string(p.re.ExpandString(nil, p.reason, out, m))
		}
	}
	line := errorMessage(kind, out)
	line = quoted().ReplaceAllStringFunc(line, func(q string) string {
		if identifier().MatchString(q) {
			return q
		}
		return "…"
	})
	line = paths().ReplaceAllString(line, "${1}PATH")
	line = digits().ReplaceAllString(line, "N")
	if len(line) > 160 {
		line = line[:160] + "…"
	}
	return line
}

// errorMessage is the message of the first error a configuration test
// printed, without the server's prefixes (file, line, context).
func errorMessage(kind, out string) string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		switch kind {
		case parsers.KindNginx:
			if j := strings.Index(l, "[emerg] "); j >= 0 {
				msg := l[j+len("[emerg] "):]
				if k := strings.Index(msg, ": "); k >= 0 && isDigits(strings.TrimSpace(msg[:k])) {
					msg = msg[k+2:] // the "PID#TID: " prefix
				}
				if k := strings.LastIndex(msg, " in /"); k >= 0 {
					msg = msg[:k]
				}
				return msg
			}
		case parsers.KindHAProxy:
			if strings.HasPrefix(l, "[ALERT]") && !strings.Contains(l, "Fatal errors found") {
				return haproxyAt().ReplaceAllString(l, "")
			}
		case parsers.KindApache:
			if strings.Contains(l, "Syntax error on line") {
				msg := httpdNest().ReplaceAllString(l, "")
				if msg == "" && i+1 < len(lines) {
					msg = strings.TrimSpace(lines[i+1])
				}
				return msg
			}
			if strings.HasPrefix(l, "AH") && !strings.Contains(l, "Warning") {
				return l
			}
		case parsers.KindCaddy:
			if strings.HasPrefix(l, "Error:") {
				return caddyNest().ReplaceAllString(l, "")
			}
		}
	}
	for _, l := range lines {
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(strings.TrimSpace(l), "{") {
			return strings.TrimSpace(l)
		}
	}
	return "(no output)"
}

// HostNames returns the server names of every proxy configuration of a
// workspace, for the run's server certificate.
func HostNames(ws *parsers.Workspace) []string {
	var out []string
	for _, t := range ws.Trees {
		out = append(out, treeHosts(t)...)
	}
	sort.Strings(out)
	return out
}
