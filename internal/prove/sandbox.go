package prove

import (
	"crypto/rand"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/mtlslint/mtlslint/internal/e2e"
	"github.com/mtlslint/mtlslint/internal/fix"
	"github.com/mtlslint/mtlslint/internal/supervise"
	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/apache"
	"github.com/mtlslint/mtlslint/parsers/caddy"
	"github.com/mtlslint/mtlslint/parsers/haproxy"
	"github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Sandbox is the temporary directory of one run: the throw-away PKI that
// every rewritten configuration shares, the stub app's ports, and one
// directory per rewritten configuration. Nothing outside Dir is written.
type Sandbox struct {
	Dir   string
	Certs string // the PKI's files (e2e.File*)
	PKI   *e2e.PKI
	// DeadPort is a loopback port nothing listens on: resolvers, mailers,
	// syslog servers and remote peers of a configuration point there, so
	// nothing the servers send leaves the machine.
	DeadPort int

	mu        sync.Mutex
	upstreams map[string]*Upstream
	plans     int
	ports     []int // every port handed out for the run
}

// freePort picks a free loopback port for the run.
func (sb *Sandbox) freePort() (int, error) {
	p, err := supervise.FreePort()
	if err == nil {
		sb.mu.Lock()
		sb.ports = append(sb.ports, p)
		sb.mu.Unlock()
	}
	return p, err
}

// Close gives the run's ports back (once nothing listens on them any
// more). The directory is the caller's to remove.
func (sb *Sandbox) Close() {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	supervise.Release(sb.ports...)
	sb.ports = nil
}

// NewSandbox creates the run's directories under dir (which must exist and
// be empty or new) and its PKI, whose server certificate also names the
// given host names (the configurations' server names: clients then verify
// the proxies as they would the real ones).
func NewSandbox(dir string, hostNames []string) (*Sandbox, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, err
	}
	// Servers started as root drop to nobody for their workers, which must
	// still read the certificates and write their temp paths.
	if err := os.Chmod(abs, 0o755); err != nil {
		return nil, err
	}
	sb := &Sandbox{Dir: abs, Certs: filepath.Join(abs, "certs"), upstreams: map[string]*Upstream{}}
	if sb.PKI, err = e2e.NewPKI(sb.Certs, certNames(hostNames)...); err != nil {
		return nil, err
	}
	// nginx's ssl_password_file must name a readable file; the run's keys
	// are not encrypted, so its passphrase is never used. httpd's session
	// ticket key file holds exactly 48 bytes.
	if err := os.WriteFile(sb.cert(filePasswords), []byte("unused\n"), 0o644); err != nil {
		return nil, err
	}
	ticket := make([]byte, 48)
	if _, err := rand.Read(ticket); err != nil {
		return nil, err
	}
	if err := os.WriteFile(sb.cert(fileTicket48), ticket, 0o644); err != nil {
		return nil, err
	}
	if sb.DeadPort, err = sb.freePort(); err != nil {
		return nil, err
	}
	return sb, nil
}

const filePasswords = "passwords"

// cert is the path of one of the PKI's files.
func (sb *Sandbox) cert(name string) string { return filepath.Join(sb.Certs, name) }

var dnsName = source.LazyRegexp(`^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$`)

// certNames keeps the host names a certificate can carry: exact names and
// leading wildcards, lower case, once each.
func certNames(names []string) []string {
	seen := map[string]bool{"localhost": true}
	var out []string
	for _, n := range names {
		n = strings.ToLower(strings.TrimSuffix(n, "."))
		if strings.HasPrefix(n, ".") { // nginx: ".example.com" is the name and its subdomains
			n = n[1:]
			if w := "*." + n; dnsName().MatchString(w) && !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
		if dnsName().MatchString(n) && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Upstream is one address a configuration proxies to, moved to a port of
// the stub app.
type Upstream struct {
	// Target is the address as the configuration writes it ("app:8000",
	// "unix:/run/gunicorn.sock", "$backend"), the key the stub app's port
	// is found by.
	Target string
	Port   int
	// Protocol is what the proxy speaks to it: "http" (the stub app
	// answers), or "uwsgi", "fastcgi", "scgi", "grpc", "memcached", "tcp"
	// (a stream proxy), which the stub does not speak.
	Protocol string
}

// upstream returns the stub port for a target, allocating it once per run.
func (sb *Sandbox) upstream(target, protocol string) (*Upstream, error) {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	key := protocol + "|" + target
	if u, ok := sb.upstreams[key]; ok {
		return u, nil
	}
	port, err := supervise.FreePort()
	if err != nil {
		return nil, err
	}
	sb.ports = append(sb.ports, port)
	u := &Upstream{Target: target, Port: port, Protocol: protocol}
	sb.upstreams[key] = u
	return u, nil
}

// Upstreams lists every upstream of the run, by port.
func (sb *Sandbox) Upstreams() []*Upstream {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	out := make([]*Upstream, 0, len(sb.upstreams))
	for _, u := range sb.upstreams {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Port < out[j].Port })
	return out
}

// Plan is one configuration tree rewritten for the run.
type Plan struct {
	Kind string // parsers.KindNginx, KindHAProxy, KindApache, KindCaddy
	// Root is the tree's root file, relative to the repository.
	Root string
	Dir  string // the plan's directory in the sandbox
	Site string // Dir/site: the rewritten copy, at the repository's paths
	Run  string // Dir/run: pid file, logs, temp paths, sockets
	// Main is the file the server is started with: the rewritten root, or
	// a generated file that gives a fragment its context.
	Main string
	// More are further configuration files loaded after Main, in order
	// (HAProxy loads a file set: haproxy.cfg, then conf.d/*.cfg).
	More []string
	// Listeners are the listeners, moved to loopback ports.
	Listeners []Listener
	// Upstreams are the addresses the configuration proxies to.
	Upstreams []*Upstream
	// Refusals name what would execute something: a plan with any is
	// never started.
	Refusals []Note
	// Limits say where the copy may behave otherwise than the deployment
	// (a file that is not in the repository, TLS to an upstream replaced by
	// plain HTTP, a listener that expects the PROXY protocol, ...).
	Limits []Note
	// SourceConditions are directives that decide on the client's address
	// (allow/deny, set_real_ip_from, src ACLs, Require ip): on loopback,
	// every request comes from 127.0.0.1.
	SourceConditions []Note
	// Env is the environment the server is started with, beyond the base.
	Env []string
}

// Listener is one listener of the configuration, moved to loopback.
type Listener struct {
	// At is the directive or address that declares it (nginx listen,
	// HAProxy bind, httpd Listen, a Caddy site address); for an nginx
	// server without listen, the server block's head.
	At source.Range
	// Original is the address as the configuration means it, normalised:
	// "*:443", "[::]:443", "10.0.0.1:8443", "unix:/run/nginx.sock".
	Original string
	Port     int
	TLS      bool
}

// Addr is the loopback address the listener now has.
func (l Listener) Addr() string { return fmt.Sprintf("127.0.0.1:%d", l.Port) }

// Note is a directive the plan reports about.
type Note struct {
	At        source.Range
	Directive string
	Reason    string
}

func (n Note) String() string {
	if n.Directive == "" {
		return fmt.Sprintf("%s: %s", n.At, n.Reason)
	}
	return fmt.Sprintf("%s: %s: %s", n.At, n.Directive, n.Reason)
}

// Testable reports whether the plan may be started.
func (p *Plan) Testable() bool { return len(p.Refusals) == 0 }

// ListenerFor returns the loopback listener of a route's listener in the
// deployment model: the one declared where the model's is (the listen or
// bind line, the virtual host, the site's addresses) on the same port.
func (p *Plan) ListenerFor(l rules.Listener) (Listener, bool) {
	var at []Listener
	for _, x := range p.Listeners {
		if x.At.File == l.Range.File && x.At.Start.Offset == l.Range.Start.Offset {
			at = append(at, x)
		}
	}
	for _, x := range at {
		if x.Original[strings.LastIndex(x.Original, ":")+1:] == l.Endpoint.Port {
			return x, true
		}
	}
	if len(at) > 0 {
		return at[0], true
	}
	return Listener{}, false
}

// Rewrite rewrites one configuration tree of a workspace into a new plan
// directory of the sandbox. Trees of kinds other than nginx, HAProxy,
// httpd and Caddy are an error.
func (sb *Sandbox) Rewrite(ws *parsers.Workspace, tree parsers.Tree) (*Plan, error) {
	sb.mu.Lock()
	sb.plans++
	n := sb.plans
	sb.mu.Unlock()
	dir := filepath.Join(sb.Dir, fmt.Sprintf("%d-%s", n, tree.Kind()))
	p := &Plan{Kind: tree.Kind(), Root: tree.Root().Path, Dir: dir, Site: filepath.Join(dir, "site"), Run: filepath.Join(dir, "run")}
	for _, d := range []string{p.Site, p.Run} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	rw := &rewriter{sb: sb, plan: p, ws: ws, edits: map[string][]rules.Edit{}, seenEdit: map[string]bool{}, files: map[string]*source.File{}, ports: map[string]int{}, seenNote: map[string]bool{}}
	for _, f := range tree.Files() {
		rw.files[f.Path] = f
	}
	var err error
	switch t := tree.(type) {
	case *nginx.Tree:
		err = rw.nginx(t)
	case *haproxy.Config:
		err = rw.haproxy(t)
	case *apache.Tree:
		err = rw.apache(t)
	case *caddy.Tree:
		err = rw.caddy(t)
	default:
		return nil, fmt.Errorf("%s: a %s configuration cannot be run", tree.Root().Path, tree.Kind())
	}
	if err == nil {
		err = rw.err
	}
	if err != nil {
		return nil, fmt.Errorf("rewriting %s: %w", tree.Root().Path, err)
	}
	if err := rw.write(); err != nil {
		return nil, err
	}
	if p.Main == "" {
		p.Main = rw.dest(tree.Root().Path)
	}
	sort.SliceStable(p.Listeners, func(i, j int) bool { return p.Listeners[i].At.Less(p.Listeners[j].At) })
	return p, nil
}

// rewriter collects the edits of one plan.
type rewriter struct {
	sb       *Sandbox
	plan     *Plan
	ws       *parsers.Workspace
	edits    map[string][]rules.Edit // by file path
	seenEdit map[string]bool
	files    map[string]*source.File // every file written to the copy
	ports    map[string]int          // normalised listener address → port
	seenNote map[string]bool
	// stubScriptUsed: the configuration runs a WSGI script (mod_wsgi),
	// which is replaced by the stub app's.
	stubScriptUsed bool
	err            error
}

// replace replaces the text of a range. The same edit made twice (a file
// included at two places) is made once; two different edits of
// overlapping ranges are an error.
func (rw *rewriter) replace(r source.Range, text string) {
	key := fmt.Sprintf("%s|%d|%d|%s", r.File, r.Start.Offset, r.End.Offset, text)
	if rw.seenEdit[key] {
		return
	}
	rw.seenEdit[key] = true
	rw.edits[r.File] = append(rw.edits[r.File], rules.Edit{Range: r, NewText: text})
}

// insert inserts text at an offset of a file.
func (rw *rewriter) insert(f *source.File, off int, text string) {
	rw.replace(f.Range(off, off), text)
}

// remove deletes a directive (its range), leaving the rest of its line.
func (rw *rewriter) remove(r source.Range) { rw.replace(r, "") }

func (rw *rewriter) limit(at source.Range, directive, format string, args ...any) {
	rw.note(&rw.plan.Limits, at, directive, fmt.Sprintf(format, args...))
}

func (rw *rewriter) refuse(at source.Range, directive, reason string) {
	rw.note(&rw.plan.Refusals, at, directive, reason)
}

func (rw *rewriter) sourceCondition(at source.Range, directive, reason string) {
	rw.note(&rw.plan.SourceConditions, at, directive, reason)
}

func (rw *rewriter) note(list *[]Note, at source.Range, directive, reason string) {
	key := fmt.Sprintf("%p|%s|%s|%s", list, at, directive, reason)
	if rw.seenNote[key] {
		return
	}
	rw.seenNote[key] = true
	*list = append(*list, Note{At: at, Directive: directive, Reason: reason})
}

// listener returns the loopback port for a normalised listener address,
// allocating it once per plan, and records the listener.
func (rw *rewriter) listener(at source.Range, original string, tls bool) int {
	port := rw.port(original)
	for _, l := range rw.plan.Listeners {
		if l.At == at && l.Original == original {
			return port
		}
	}
	rw.plan.Listeners = append(rw.plan.Listeners, Listener{At: at, Original: original, Port: port, TLS: tls})
	return port
}

// port returns the loopback port for a normalised listener address,
// allocating it once per plan.
func (rw *rewriter) port(original string) int {
	port, ok := rw.ports[original]
	if !ok {
		var err error
		if port, err = rw.sb.freePort(); err != nil {
			rw.fail(err)
			return 0
		}
		rw.ports[original] = port
	}
	return port
}

// upstream returns the stub port for a target and records it in the plan.
func (rw *rewriter) upstream(target, protocol string) int {
	u, err := rw.sb.upstream(target, protocol)
	if err != nil {
		rw.fail(err)
		return 0
	}
	for _, x := range rw.plan.Upstreams {
		if x == u {
			return u.Port
		}
	}
	rw.plan.Upstreams = append(rw.plan.Upstreams, u)
	return u.Port
}

func (rw *rewriter) fail(err error) {
	if rw.err == nil {
		rw.err = err
	}
}

// dest is where a file of the tree is written in the copy: at its
// repository path under Site; a distribution file the parser stood in for
// (an absolute path) under Site/_system.
func (rw *rewriter) dest(p string) string {
	if strings.HasPrefix(p, "/") {
		return filepath.Join(rw.plan.Site, "_system", filepath.FromSlash(p))
	}
	return filepath.Join(rw.plan.Site, filepath.FromSlash(p))
}

// runPath is a path in the plan's run directory.
func (rw *rewriter) runPath(name string) string { return filepath.Join(rw.plan.Run, name) }

// missing is where a file the repository does not hold is looked for in
// the copy: a path under the plan's directory that does not exist, so the
// server reports it instead of reading whatever the machine has there.
func (rw *rewriter) missing(p string) string {
	clean := strings.TrimLeft(path.Clean("/"+p), "/")
	return filepath.Join(rw.plan.Dir, "not-in-repository", filepath.FromSlash(clean))
}

// repoFile copies a file of the repository (a map file, an error page)
// into the copy and returns its new path; ok is false when the repository
// does not have it.
func (rw *rewriter) repoFile(rel string) (string, bool) {
	if f, ok := rw.files[rel]; ok {
		return rw.dest(f.Path), true
	}
	f, err := rw.ws.Reader.ReadFile(rel)
	if err != nil {
		return "", false
	}
	rw.files[rel] = f
	return rw.dest(rel), true
}

// generate writes a file the plan adds (a wrapper main file, an error
// page) and returns its path.
func (rw *rewriter) generate(name string, content string) string {
	p := filepath.Join(rw.plan.Dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		rw.fail(err)
		return p
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		rw.fail(err)
	}
	return p
}

// write applies the edits and writes every file of the copy.
func (rw *rewriter) write() error {
	for file := range rw.edits {
		if _, ok := rw.files[file]; !ok {
			return fmt.Errorf("internal error: edits for %s, which is not part of the copy", file)
		}
	}
	paths := make([]string, 0, len(rw.files))
	for p := range rw.files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		edits := rw.edits[p]
		sort.SliceStable(edits, func(i, j int) bool {
			a, b := edits[i].Range, edits[j].Range
			if a.Start.Offset != b.Start.Offset {
				return a.Start.Offset < b.Start.Offset
			}
			return a.End.Offset < b.End.Offset
		})
		for i := 1; i < len(edits); i++ {
			a, b := edits[i-1].Range, edits[i].Range
			if b.Start.Offset < a.End.Offset || a == b {
				return fmt.Errorf("internal error: conflicting edits of %s at %s and %s", p, a, b)
			}
		}
		out, err := fix.Apply(rw.files[p].Content, edits)
		if err != nil {
			return err
		}
		dst := rw.dest(p)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, out, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Runnable reports whether Rewrite can run a tree: an nginx, HAProxy,
// httpd or Caddy configuration.
func Runnable(tree parsers.Tree) bool {
	switch tree.(type) {
	case *nginx.Tree, *haproxy.Config, *apache.Tree, *caddy.Tree:
		return true
	}
	return false
}

// treeHosts returns a proxy configuration's server names.
func treeHosts(tree parsers.Tree) []string {
	switch t := tree.(type) {
	case *nginx.Tree:
		return nginxHosts(t)
	case *haproxy.Config:
		return haproxyHosts(t)
	case *apache.Tree:
		return apacheHosts(t)
	case *caddy.Tree:
		return caddyHosts(t)
	}
	return nil
}

// normalAddr normalises a listening address so that the same socket is
// written the same way by every front end: "443", ":443", "*:443" and
// "0.0.0.0:443" are "*:443"; "::" and "[::]" are "[::]"; an address
// without a port gets defaultPort.
func normalAddr(a, defaultPort string) string {
	if isDigits(a) {
		return "*:" + a
	}
	host, port := a, defaultPort
	if strings.HasPrefix(a, "[") {
		if i := strings.Index(a, "]"); i >= 0 {
			host = a[:i+1]
			if rest, ok := strings.CutPrefix(a[i+1:], ":"); ok {
				port = rest
			}
		}
	} else if i := strings.LastIndex(a, ":"); i >= 0 {
		host, port = a[:i], a[i+1:]
	}
	switch strings.Trim(host, "[]") {
	case "", "*", "0.0.0.0":
		host = "*"
	case "::":
		host = "[::]"
	}
	return host + ":" + port
}
