package e2e

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/internal/supervise"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// The Django app every scenario starts from, and the scenario directories.
// A scenario directory holds the proxy configuration (nginx.conf and/or
// haproxy.cfg) and any file that replaces the app's own (gunicorn.conf.py,
// Procfile, e2eapp/identity.py, e2eapp/settings.py, ...).
//
//go:embed all:app all:scenarios
var assets embed.FS

// Scenario is one deployment the suite starts on loopback, attacks, and
// lints.
type Scenario struct {
	// Name is the directory under scenarios/.
	Name string
	// Title says in one line what the deployment does.
	Title string
	// Breaches lists the attacks that work against the real servers, by
	// name ("tls no-cert", "plain-http spoof-dash", "direct"; see Attack).
	// Every other attack derived for the deployment must fail: a
	// difference means the servers disagree with what was observed before
	// (Fact), and the test fails.
	Breaches []string
	// Fact is what was observed on the real servers, in words.
	Fact string
	// Host is the Host header and TLS server name ("localhost" if empty).
	Host string
	// SNI, when set, is the TLS server name of every request but the valid
	// client's: the name of another server on the same address:port, so
	// that the attacks handshake with that server's settings and ask for
	// Host. The valid client keeps Host's name.
	SNI string
	// AppAddr is where the app server listens: "127.0.0.1:{{APP_PORT}}" if
	// empty; "unix:{{TMP}}/app.sock" for a UNIX socket.
	AppAddr string
	// Env adds environment variables to the app server's.
	Env map[string]string
	// Spoof names the verification and identity headers the attacker
	// sends: the names the scenario's app reads. Empty: X-SSL-Client-Verify
	// and X-SSL-Client-DN.
	Spoof [2]string
	// InProxy: the app runs inside the proxy (mod_wsgi in httpd), so no
	// app server is started; the scenario drops the Procfile and
	// gunicorn.conf.py with Without.
	InProxy bool
	// Without lists files of the template app the deployment does not
	// have, such as gunicorn.conf.py where runserver serves the app: a
	// file left behind would tell mtlslint another story than the servers.
	Without []string
}

func (s *Scenario) host() string {
	if s.Host == "" {
		return "localhost"
	}
	return s.Host
}

// ServerNames are the names the scenarios send as SNI, for the server
// certificate.
func ServerNames() []string {
	var out []string
	for _, s := range Scenarios {
		for _, n := range []string{s.Host, s.SNI} {
			if n != "" && n != "localhost" && net.ParseIP(n) == nil && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// ListenerKind says what a port placeholder is for.
type ListenerKind int

const (
	// PortOther is allocated but not attacked.
	PortOther ListenerKind = iota
	// PortTLS is a proxy listener with TLS: {{PROXY_PORT}}, {{PROXY2_PORT}},
	// {{TLS_PORT}}, ...
	PortTLS
	// PortPlain is a plain-HTTP proxy listener: {{PLAIN_PORT}}, {{HTTP_PORT}}, ...
	PortPlain
	// PortApp is the app server: {{APP_PORT}}.
	PortApp
)

// Listener is a port the harness allocated for a placeholder.
type Listener struct {
	Name string // placeholder without braces: "PROXY_PORT"
	Kind ListenerKind
	Port int
}

// Label is the listener's short name in reports ("proxy", "plain").
func (l Listener) Label() string { return strings.ToLower(strings.TrimSuffix(l.Name, "_PORT")) }

func kindOf(name string) ListenerKind {
	switch {
	case name == "APP_PORT":
		return PortApp
	case strings.HasPrefix(name, "PROXY"), strings.HasPrefix(name, "TLS"):
		return PortTLS
	case strings.HasPrefix(name, "PLAIN"), strings.HasPrefix(name, "HTTP"):
		return PortPlain
	}
	return PortOther
}

// Deployment is a scenario copied to a temporary directory with every
// placeholder replaced, ready to start.
type Deployment struct {
	Scenario  *Scenario
	Site      string // the rendered scenario: what the proxies, the app and mtlslint read
	Run       string // {{TMP}}: pid files, logs, temp paths
	CertDir   string // {{CERT_DIR}}
	Listeners []Listener
	AppAddr   string // rendered AppAddr
}

// Listener returns the listener with the given placeholder name.
func (d *Deployment) Listener(name string) (Listener, bool) {
	for _, l := range d.Listeners {
		if l.Name == name {
			return l, true
		}
	}
	return Listener{}, false
}

// ProxyListeners returns the proxy listeners of a kind, in name order.
func (d *Deployment) ProxyListeners(kind ListenerKind) []Listener {
	var out []Listener
	for _, l := range d.Listeners {
		if l.Kind == kind {
			out = append(out, l)
		}
	}
	return out
}

// PrimaryTLS is the listener valid clients use: {{PROXY_PORT}}, or the
// first TLS listener.
func (d *Deployment) PrimaryTLS() (Listener, bool) {
	if l, ok := d.Listener("PROXY_PORT"); ok {
		return l, true
	}
	tls := d.ProxyListeners(PortTLS)
	if len(tls) == 0 {
		return Listener{}, false
	}
	return tls[0], true
}

// Has reports whether the rendered site contains a file.
func (d *Deployment) Has(rel string) bool {
	_, err := os.Stat(filepath.Join(d.Site, filepath.FromSlash(rel)))
	return err == nil
}

var placeholder = source.LazyRegexp(`\{\{([A-Z][A-Z0-9_]*)\}\}`)

// Materialize copies the app template and the scenario's files (which
// replace the template's) into base/site, and replaces the placeholders
// {{CERT_DIR}}, {{TMP}}, {{SITE}} and {{..._PORT}} (each a free loopback
// port). An unknown placeholder is an error.
func Materialize(s *Scenario, base, certDir string) (*Deployment, error) {
	return materialize(assets, s, base, certDir)
}

func materialize(fsys fs.FS, s *Scenario, base, certDir string) (*Deployment, error) {
	d := &Deployment{
		Scenario: s,
		Site:     filepath.Join(base, "site"),
		Run:      filepath.Join(base, "run"),
		CertDir:  certDir,
	}
	for _, dir := range []string{d.Site, d.Run} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	files := map[string][]byte{}
	if err := collect(fsys, files, "app"); err != nil {
		return nil, err
	}
	scenarioDir := path.Join("scenarios", s.Name)
	if _, err := fs.Stat(fsys, scenarioDir); err != nil {
		return nil, fmt.Errorf("scenario %s: no directory %s", s.Name, scenarioDir)
	}
	if err := collect(fsys, files, scenarioDir); err != nil {
		return nil, err
	}
	for _, rel := range s.Without {
		if _, ok := files[rel]; !ok {
			return nil, fmt.Errorf("scenario %s: Without names %s, which the app does not have", s.Name, rel)
		}
		delete(files, rel)
	}

	appAddr := s.AppAddr
	if appAddr == "" {
		appAddr = "127.0.0.1:{{APP_PORT}}"
	}
	names := map[string]bool{"APP_PORT": true}
	for _, text := range append(valuesOf(files), []byte(appAddr)) {
		for _, m := range placeholder().FindAllSubmatch(text, -1) {
			if n := string(m[1]); strings.HasSuffix(n, "_PORT") {
				names[n] = true
			}
		}
	}
	values := map[string]string{"CERT_DIR": certDir, "TMP": d.Run, "SITE": d.Site}
	for _, n := range sortedKeys(names) {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		d.Listeners = append(d.Listeners, Listener{Name: n, Kind: kindOf(n), Port: port})
		values[n] = strconv.Itoa(port)
	}

	render := func(rel string, text []byte) ([]byte, error) {
		var bad []string
		out := placeholder().ReplaceAllFunc(text, func(m []byte) []byte {
			n := string(m[2 : len(m)-2])
			v, ok := values[n]
			if !ok {
				bad = append(bad, n)
				return m
			}
			return []byte(v)
		})
		if len(bad) > 0 {
			return nil, fmt.Errorf("scenario %s: %s: unknown placeholder(s) %s", s.Name, rel, strings.Join(bad, ", "))
		}
		return out, nil
	}
	for rel, text := range files {
		out, err := render(rel, text)
		if err != nil {
			return nil, err
		}
		dst := filepath.Join(d.Site, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(dst, out, 0o644); err != nil {
			return nil, err
		}
	}
	addr, err := render("AppAddr", []byte(appAddr))
	if err != nil {
		return nil, err
	}
	d.AppAddr = string(addr)
	return d, nil
}

// collect reads every file below root into files, keyed by the path
// relative to root.
func collect(fsys fs.FS, files map[string][]byte, root string) error {
	return fs.WalkDir(fsys, root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if e.Name() == "__pycache__" {
				return fs.SkipDir
			}
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files[strings.TrimPrefix(p, root+"/")] = data
		return nil
	})
}

func valuesOf(m map[string][]byte) [][]byte {
	out := make([][]byte, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// freePort returns a port free on every IPv4 address that no other
// deployment of this process has been given.
func freePort() (int, error) { return supervise.FreePort() }

// procfileCommand returns the command of the Procfile's web process.
func procfileCommand(site string) ([]string, error) {
	f, err := os.Open(filepath.Join(site, "Procfile"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "web:"); ok {
			args := strings.Fields(rest)
			if len(args) == 0 {
				break
			}
			return args, nil
		}
	}
	return nil, fmt.Errorf("the Procfile has no web: command")
}
