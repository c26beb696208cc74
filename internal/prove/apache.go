package prove

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/internal/e2e"
	"github.com/mtlslint/mtlslint/parsers/apache"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// ApacheModules is where the httpd the run starts keeps its modules
// (Debian's layout); LoadModule paths are moved there.
var ApacheModules = e2e.ApacheModules

// apacheInterpreters are modules that run code from files or programs.
var apacheInterpreters = map[string]string{
	"cgi_module": "runs CGI programs", "cgid_module": "runs CGI programs", "perl_module": "runs Perl code",
	"python_module": "runs Python code (mod_python)", "lua_module": "runs Lua code", "fcgid_module": "runs FastCGI programs",
	"ext_filter_module": "runs filter programs", "suexec_module": "runs CGI programs as other users",
	"passenger_module": "runs applications (Passenger)", "include_module": "server-side includes may run commands",
}

// apacheRefusal says why a directive would make httpd execute something,
// or "" when it does not.
func apacheRefusal(d *apache.Directive) string {
	name := strings.ToLower(d.Name)
	switch {
	case name == "scriptalias" || name == "scriptaliasmatch":
		return "runs CGI scripts"
	case name == "extfilterdefine":
		return "runs a filter program"
	case name == "action" || name == "script":
		return "runs a CGI script for a handler or method"
	case name == "loadfile":
		return "loads a shared library"
	case name == "loadmodule":
		m := strings.ToLower(d.Arg(0))
		if why, ok := apacheInterpreters[m]; ok {
			return why
		}
		if strings.HasPrefix(m, "php") {
			return "runs PHP code"
		}
	case name == "rewritemap" && strings.HasPrefix(strings.ToLower(d.Arg(1)), "prg:"):
		return "runs a program as a rewrite map"
	case name == "addhandler" || name == "sethandler":
		for _, a := range d.Args {
			v := strings.ToLower(a.Value)
			if v == "cgi-script" || v == "lua-script" || strings.Contains(v, "php") {
				return "runs scripts as " + a.Value
			}
		}
	case strings.HasPrefix(name, "perl"), strings.HasPrefix(name, "lua"), strings.HasPrefix(name, "passenger"),
		strings.HasPrefix(name, "php_"), name == "fcgidwrapper", name == "suexecusergroup":
		return "runs code"
	case strings.HasPrefix(name, "python") && !strings.HasPrefix(name, "wsgi"):
		return "runs Python code (mod_python)"
	}
	return ""
}

// The run's PKI file each TLS file directive points to.
var apacheTLSFiles = map[string]string{
	"sslcertificatefile":             e2e.FileServerCert,
	"sslcertificatekeyfile":          e2e.FileServerKey,
	"sslcertificatechainfile":        e2e.FileCA,
	"sslcacertificatefile":           e2e.FileCA,
	"sslcadnrequestfile":             e2e.FileCA,
	"sslcarevocationfile":            e2e.FileCRL,
	"sslproxymachinecertificatefile": e2e.FileServerBundle,
	"sslproxycacertificatefile":      e2e.FileCA,
	"sslproxycarevocationfile":       e2e.FileCRL,
	"sslsessionticketkeyfile":        fileTicket48,
}

// Directories of certificates become files of the run's PKI: the
// directive is renamed.
var apacheTLSDirs = map[string]string{
	"sslcacertificatepath":           "SSLCACertificateFile " + e2e.FileCA,
	"sslcadnrequestpath":             "SSLCADNRequestFile " + e2e.FileCA,
	"sslcarevocationpath":            "SSLCARevocationFile " + e2e.FileCRL,
	"sslproxycacertificatepath":      "SSLProxyCACertificateFile " + e2e.FileCA,
	"sslproxycarevocationpath":       "SSLProxyCARevocationFile " + e2e.FileCRL,
	"sslproxymachinecertificatepath": "SSLProxyMachineCertificateFile " + e2e.FileServerBundle,
}

// apacheModuleOf names the module a directive needs, for the modules the
// run loads when the repository's configuration does not load them itself
// (Debian keeps LoadModule lines in mods-enabled/, outside repositories).
func apacheModuleOf(name string) []string {
	n := strings.ToLower(name)
	switch {
	case strings.HasPrefix(n, "sslproxy") || n == "sslengine" || strings.HasPrefix(n, "ssl"):
		return []string{"ssl_module", "socache_shmcb_module"}
	case n == "requestheader" || n == "header":
		return []string{"headers_module"}
	case strings.HasPrefix(n, "proxy") || n == "balancermember":
		return []string{"proxy_module", "proxy_http_module"}
	case strings.HasPrefix(n, "rewrite"):
		return []string{"rewrite_module"}
	case strings.HasPrefix(n, "remoteip"):
		return []string{"remoteip_module"}
	case strings.HasPrefix(n, "setenvif") || strings.HasPrefix(n, "browsermatch"):
		return []string{"setenvif_module"}
	case n == "alias" || n == "aliasmatch" || strings.HasPrefix(n, "redirect"):
		return []string{"alias_module"}
	case strings.HasPrefix(n, "wsgi"):
		return []string{"wsgi_module"}
	case n == "require" || strings.HasPrefix(n, "require") || n == "authtype" || n == "authname":
		return []string{"authz_core_module", "authz_host_module", "authz_user_module", "authn_core_module"}
	case n == "authuserfile":
		return []string{"authn_file_module", "auth_basic_module"}
	case n == "authgroupfile":
		return []string{"authz_groupfile_module"}
	case n == "authbasicprovider":
		return []string{"auth_basic_module"}
	case n == "order" || n == "allow" || n == "deny" || n == "satisfy":
		return []string{"access_compat_module"}
	case strings.HasPrefix(n, "expires"):
		return []string{"expires_module"}
	case strings.HasPrefix(n, "deflate") || n == "addoutputfilterbytype":
		return []string{"deflate_module", "filter_module"}
	case n == "addtype" || n == "addcharset" || n == "addencoding" || n == "typesconfig" || n == "addoutputfilter" || n == "addlanguage":
		return []string{"mime_module"}
	case n == "directoryindex":
		return []string{"dir_module"}
	case n == "setenv" || n == "unsetenv" || n == "passenv":
		return []string{"env_module"}
	case n == "protocols" || strings.HasPrefix(n, "h2"):
		return []string{"http2_module"}
	case strings.HasPrefix(n, "indexoptions") || n == "headername" || n == "readmename":
		return []string{"autoindex_module"}
	case strings.HasPrefix(n, "cache"):
		return []string{"cache_module", "cache_disk_module"}
	case n == "substitute":
		return []string{"substitute_module"}
	}
	return nil
}

const fileTicket48 = "ticket48.key"

// apacheBaseModules are modules that others need loaded before them
// (mod_proxy_http uses mod_proxy's functions).
var apacheBaseModules = map[string]bool{"proxy_module": true, "authz_core_module": true, "authn_core_module": true,
	"cache_module": true, "filter_module": true, "slotmem_shm_module": true, "socache_shmcb_module": true}

type apacheConf struct {
	rw      *rewriter
	tree    *apache.Tree
	needs   map[string]bool // modules the directives need
	loaded  map[string]bool // modules the configuration loads itself
	mpm     bool
	top     map[string]bool       // directives present at the top level
	ports   map[string][]Listener // by the port the configuration names
	vhostTL map[string]bool       // vhost port → some vhost on it has SSLEngine on
	wsgi    map[string]bool       // callable names the WSGI configuration asks for
}

func (rw *rewriter) apache(t *apache.Tree) error {
	c := &apacheConf{rw: rw, tree: t, needs: map[string]bool{"authz_core_module": true}, loaded: map[string]bool{}, top: map[string]bool{},
		ports: map[string][]Listener{}, vhostTL: map[string]bool{}, wsgi: map[string]bool{"application": true}}
	for _, d := range t.Main.Children {
		c.top[strings.ToLower(d.Name)] = true
	}
	// Listen lines first, so that a virtual host finds the ports of its
	// address.
	walkAll(t.Main, func(d *apache.Directive) bool {
		if d.Is("VirtualHost") {
			if on := d.Last("SSLEngine"); on != nil && strings.EqualFold(on.Arg(0), "on") {
				for _, a := range d.Args {
					c.vhostTL[portOf(a.Value)] = true
				}
			}
		}
		return true
	})
	walkAll(t.Main, func(d *apache.Directive) bool {
		if d.Is("Listen") {
			c.listen(d)
		}
		return true
	})
	walkAll(t.Main, func(d *apache.Directive) bool {
		if d.Synthetic || d.Is("Listen") {
			return true
		}
		c.directive(d)
		return true
	})
	if len(rw.plan.Refusals) > 0 {
		return nil
	}
	c.preamble()
	rw.plan.Env = []string{
		"APACHE_RUN_USER=nobody", "APACHE_RUN_GROUP=nogroup",
		"APACHE_PID_FILE=" + rw.runPath("apache.pid"), "APACHE_RUN_DIR=" + rw.plan.Run,
		"APACHE_LOCK_DIR=" + rw.plan.Run, "APACHE_LOG_DIR=" + rw.plan.Run,
	}
	return nil
}

// walkAll visits every directive below d, the contents of sections the
// parser found inactive included: whether httpd skips them depends on the
// modules the run loads, so they are rewritten too.
func walkAll(d *apache.Directive, fn func(*apache.Directive) bool) {
	for _, c := range d.Children {
		if fn(c) {
			walkAll(c, fn)
		}
	}
}

// portOf is the port of a virtual host or Listen address ("" for none).
func portOf(addr string) string {
	if isDigits(addr) {
		return addr
	}
	i := strings.LastIndex(addr, ":")
	if i < 0 || strings.HasPrefix(addr, "[") && !strings.Contains(addr[:i], "]") {
		return "" // no port, or "[::1]"
	}
	return addr[i+1:]
}

// apacheListenAddr normalises a Listen address.
func apacheListenAddr(a string) string { return normalAddr(a, "80") }

func (c *apacheConf) listen(d *apache.Directive) {
	rw := c.rw
	if len(d.Args) == 0 {
		return
	}
	original := apacheListenAddr(d.Arg(0))
	port := portOf(original)
	tls := port == "443" || strings.EqualFold(d.Arg(1), "https") || c.vhostTL[port]
	p := rw.listener(d.Range, original, tls)
	c.ports[port] = append(c.ports[port], Listener{At: d.Range, Original: original, Port: p, TLS: tls})
	text := fmt.Sprintf("127.0.0.1:%d", p)
	if len(d.Args) == 1 && port == "443" {
		text += " https" // what httpd assumes for 443, and only for 443
	}
	rw.replace(d.Args[0].Range, text)
}

func (c *apacheConf) directive(d *apache.Directive) {
	rw := c.rw
	if why := apacheRefusal(d); why != "" {
		rw.refuse(d.Head, d.Name, why)
		return
	}
	for _, m := range apacheModuleOf(d.Name) {
		c.needs[m] = true
	}
	name := strings.ToLower(d.Name)
	if file, ok := apacheTLSFiles[name]; ok {
		c.setArg(d, 0, rw.sb.cert(file))
		return
	}
	if text, ok := apacheTLSDirs[name]; ok {
		kw, file, _ := strings.Cut(text, " ")
		rw.replace(d.Range, kw+" "+apacheQuote(rw.sb.cert(file)))
		return
	}
	if strings.HasPrefix(d.Name, "MD") && len(d.Name) > 2 && d.Name[2] >= 'A' && d.Name[2] <= 'Z' {
		rw.remove(d.Range) // mod_md would order certificates from an ACME CA
		rw.limit(d.Head, d.Name, "removed: certificates come from the run's PKI, not an ACME CA")
		return
	}
	switch name {
	case "loadmodule":
		c.loadModule(d)
	case "serverroot":
		c.setArg(d, 0, rw.dest(c.tree.ServerRoot))
	case "pidfile":
		c.setArg(d, 0, rw.runPath("apache.pid"))
	case "defaultruntimedir", "coredumpdirectory":
		c.setArg(d, 0, rw.plan.Run)
	case "scoreboardfile":
		c.setArg(d, 0, rw.runPath("apache.scoreboard"))
	case "errorlog":
		c.setArg(d, 0, rw.runPath("error.log"))
	case "customlog", "transferlog", "globallog":
		c.setArg(d, 0, rw.runPath("access.log"))
	case "scriptlog", "forensiclog", "rewritelog":
		c.setArg(d, 0, rw.runPath(name+".log"))
	case "mutex":
		for _, a := range d.Args {
			if mech, _, ok := strings.Cut(a.Value, ":"); ok {
				rw.replace(a.Range, apacheQuote(mech+":"+rw.plan.Run))
			}
		}
	case "user":
		c.setArg(d, 0, "nobody")
	case "group":
		c.setArg(d, 0, "nogroup")
	case "sslsessioncache", "sslstaplingcache":
		if mech, _, ok := strings.Cut(d.Arg(0), ":"); ok {
			c.setArg(d, 0, mech+":"+rw.runPath(name))
		}
	case "sslusestapling", "sslocspenable":
		if !strings.EqualFold(d.Arg(0), "off") {
			c.setArg(d, 0, "off")
			rw.limit(d.Head, d.Name, "turned off: OCSP would reach the network; revocation is not what is tested")
		}
	case "sslopensslconfcmd":
		if strings.EqualFold(d.Arg(0), "DHParameters") {
			c.setArg(d, 1, rw.sb.cert(e2e.FileDHParams))
		}
	case "sslpassphrasedialog", "sslcryptodevice":
		c.setArg(d, 0, "builtin")
	case "sslrandomseed":
		if len(d.Args) > 1 && strings.HasPrefix(d.Arg(1), "exec:") {
			r := d.Args[1].Range
			r.End = d.Args[len(d.Args)-1].Range.End
			rw.replace(r, "builtin")
		}
	case "documentroot":
		// httpd refuses to start without the directory; what it serves
		// is not what is tested, what reaches the proxied app is.
		root := d.Arg(0)
		if !filepath.IsAbs(root) {
			root = filepath.Join(rw.dest(c.tree.ServerRoot), root)
		}
		if st, err := os.Stat(root); d.Arg(0) != "" && (err != nil || !st.IsDir()) {
			dir := rw.runPath("document-root")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				rw.fail(err)
			}
			c.setArg(d, 0, dir)
			rw.limit(d.Head, d.Name, "%s does not exist here: an empty directory stands in", d.Arg(0))
		}
	case "cacheroot":
		c.setArg(d, 0, rw.runPath("cache"))
	case "davlockdb":
		c.setArg(d, 0, rw.runPath("davlock"))
	case "authuserfile", "authgroupfile", "authdbmuserfile", "authdbmgroupfile":
		c.dataFile(d, 0)
	case "rewritemap":
		if kind, file, ok := strings.Cut(d.Arg(1), ":"); ok && (kind == "txt" || kind == "rnd" || kind == "dbm") {
			c.dataFileValue(d, 1, kind+":", file)
		}
	case "include", "includeoptional":
		c.include(d)
	case "virtualhost":
		c.virtualHost(d)
	case "proxypass", "proxypassreverse", "proxypassmatch", "proxypassreversecookiedomain":
		if len(d.Args) > 1 && name != "proxypassreversecookiedomain" {
			c.proxyURL(d, 1)
		}
	case "balancermember":
		c.proxyURL(d, 0)
	case "proxyremote", "proxyremotematch":
		c.setArg(d, 1, fmt.Sprintf("http://127.0.0.1:%d", rw.sb.DeadPort))
	case "rewriterule":
		if len(d.Args) > 2 && strings.Contains(strings.ToUpper(d.Args[2].Value), "P") {
			c.proxyURL(d, 1)
		}
	case "wsgiscriptalias", "wsgiscriptaliasmatch":
		if len(d.Args) > 1 {
			c.setArg(d, 1, rw.stubScript())
			for _, a := range d.Args[2:] {
				if name, ok := strings.CutPrefix(a.Value, "callable-object="); ok {
					c.wsgi[name] = true
				}
			}
		}
	case "wsgipythonpath", "wsgipythonhome", "wsgiimportscript", "wsgipythoneggs", "wsgipythonoptimize":
		rw.remove(d.Range) // nothing of the repository's Python is loaded
	case "wsgidaemonprocess":
		c.wsgiDaemon(d)
	case "wsgisocketprefix":
		c.setArg(d, 0, rw.runPath("wsgi"))
	case "wsgicallableobject":
		c.wsgi[d.Arg(0)] = true
	case "remoteiptrustedproxy", "remoteipinternalproxy", "remoteiptrustedproxylist", "remoteipinternalproxylist", "remoteipheader":
		rw.sourceCondition(d.Head, d.Name, "trusts the addresses given for the client's real address")
	case "require":
		if a := strings.ToLower(d.Arg(0)); a == "ip" || a == "host" || a == "forward-dns" || (a == "not" && len(d.Args) > 1) {
			rw.sourceCondition(d.Head, d.Name, "decides on the client's address")
		}
	case "allow", "deny":
		if !strings.EqualFold(d.Arg(1), "all") {
			rw.sourceCondition(d.Head, d.Name, "decides on the client's address")
		}
	case "if", "elseif", "setenvif", "setenvifexpr", "setenvifnocase":
		for _, a := range d.Args {
			if v := strings.ToLower(a.Value); strings.Contains(v, "remote_addr") || strings.Contains(v, "-ipmatch") {
				rw.sourceCondition(d.Head, d.Name, "decides on the client's address")
				break
			}
		}
	}
}

func (c *apacheConf) setArg(d *apache.Directive, i int, value string) {
	if i < len(d.Args) {
		c.rw.replace(d.Args[i].Range, apacheQuote(value))
	}
}

// loadModule moves a module's file to the modules of the httpd the run
// starts; a module that is not installed here keeps a path that does not
// exist, so the configuration test says which.
func (c *apacheConf) loadModule(d *apache.Directive) {
	rw := c.rw
	if len(d.Args) < 2 {
		return
	}
	name := d.Arg(0)
	if name == "md_module" {
		rw.remove(d.Range)
		return
	}
	c.loaded[name] = true
	if strings.HasPrefix(name, "mpm_") {
		c.mpm = true
	}
	file := filepath.Join(ApacheModules, path.Base(d.Arg(1)))
	if _, err := os.Stat(file); err != nil {
		file = rw.missing(d.Arg(1))
		rw.limit(d.Head, "LoadModule", "%s is not installed here", path.Base(d.Arg(1)))
	}
	// Built into the httpd that runs (mod_log_config in Debian's), or
	// loaded already by the run's preamble: skipped, not refused.
	rw.replace(d.Range, fmt.Sprintf("<IfModule !%s>\nLoadModule %s %s\n</IfModule>", name, name, apacheQuote(file)))
}

func (c *apacheConf) dataFile(d *apache.Directive, i int) {
	c.dataFileValue(d, i, "", d.Arg(i))
}

// dataFileValue points argument i, prefix+file, at the copy of file, or
// at a path that does not exist when the repository lacks it.
func (c *apacheConf) dataFileValue(d *apache.Directive, i int, prefix, file string) {
	rw := c.rw
	if rel, ok := c.tree.RepoPath(file); ok {
		if dst, ok := rw.repoFile(rel); ok {
			c.setArg(d, i, prefix+dst)
			return
		}
	}
	c.setArg(d, i, prefix+rw.missing(file))
	rw.limit(d.Head, d.Name, "%s is not in the repository", file)
}

func (c *apacheConf) include(d *apache.Directive) {
	inc := d.Include
	if inc == nil || len(d.Args) != 1 {
		return
	}
	if inc.Problem == "" && inc.Resolved != "" {
		c.setArg(d, 0, c.rw.dest(inc.Resolved))
		return
	}
	c.setArg(d, 0, c.rw.missing(inc.Pattern))
	if !d.Is("IncludeOptional") {
		c.rw.limit(d.Head, d.Name, "%s: %s", inc.Pattern, inc.Problem)
	}
}

// virtualHost moves each address of a virtual host to the loopback ports
// that listen on its port ("*:443" matches whatever listens on 443).
func (c *apacheConf) virtualHost(d *apache.Directive) {
	rw := c.rw
	for _, a := range d.Args {
		port := portOf(a.Value)
		if port == "" {
			continue // <VirtualHost *> matches every port
		}
		if len(c.ports[port]) == 0 {
			// No Listen in the repository (Debian keeps them in
			// ports.conf): the run listens on this port for the host.
			tls := port == "443" || c.vhostTL[port]
			c.ports[port] = []Listener{{Original: "*:" + port, Port: rw.port("*:" + port), TLS: tls}}
			c.needs["listen:"+port] = true
		}
		// The virtual host is the listener of its routes in the model:
		// it has each port that listens on its address's port.
		var addrs []string
		for _, l := range c.ports[port] {
			rw.listener(d.Head, l.Original, l.TLS)
			addrs = append(addrs, fmt.Sprintf("*:%d", l.Port))
		}
		rw.replace(a.Range, strings.Join(addrs, " "))
	}
}

// proxyURL points the URL in argument i of a proxying directive at the
// stub app: http://app:8000/path becomes http://127.0.0.1:PORT/path.
func (c *apacheConf) proxyURL(d *apache.Directive, i int) {
	rw := c.rw
	u := d.Arg(i)
	if u == "!" || u == "" {
		return
	}
	var target, rest, scheme string
	if sock, after, ok := strings.Cut(u, "|"); ok && strings.HasPrefix(strings.ToLower(sock), "unix:") {
		// unix:/run/app.sock|http://localhost/path
		target = sock
		scheme, rest = splitURL(after)
	} else {
		var host string
		scheme, host, rest = splitURLHost(u)
		if scheme == "" || strings.EqualFold(scheme, "balancer") || strings.Contains(host, "$") || strings.Contains(host, "%{") {
			return
		}
		target = host
	}
	proto := "http"
	switch strings.ToLower(scheme) {
	case "https", "wss", "h2":
		rw.limit(d.Head, d.Name, "TLS to the upstream replaced by plain HTTP to the stub app")
		scheme = "http"
	case "ws", "h2c":
		scheme = "http"
	case "fcgi":
		proto = "fastcgi"
		c.needs["proxy_fcgi_module"] = true
	case "uwsgi":
		proto = "uwsgi"
		c.needs["proxy_uwsgi_module"] = true
	case "ajp", "scgi":
		proto = strings.ToLower(scheme)
		c.needs["proxy_"+proto+"_module"] = true
	}
	port := rw.upstream(target, proto)
	c.setArg(d, i, fmt.Sprintf("%s://127.0.0.1:%d%s", scheme, port, rest))
}

// splitURLHost splits scheme://host:port/rest.
func splitURLHost(u string) (scheme, host, rest string) {
	i := strings.Index(u, "://")
	if i < 0 {
		return "", "", u
	}
	scheme, after := u[:i], u[i+3:]
	if j := strings.IndexAny(after, "/?"); j >= 0 {
		return scheme, after[:j], after[j:]
	}
	return scheme, after, ""
}

// splitURL splits scheme://host/rest into the scheme and /rest.
func splitURL(u string) (scheme, rest string) {
	scheme, _, rest = splitURLHost(u)
	return scheme, rest
}

var wsgiOption = source.LazyRegexp(`^(?i)(python-path|python-home|home|user|group|python-eggs)=`)

// wsgiDaemon keeps mod_wsgi's daemon from loading anything of the
// repository: its Python paths, home and users go.
func (c *apacheConf) wsgiDaemon(d *apache.Directive) {
	if len(d.Args) == 0 {
		return
	}
	for _, a := range d.Args[1:] {
		if m := wsgiOption().FindStringSubmatch(a.Value); m != nil {
			c.rw.remove(a.Range)
		}
	}
}

// preamble loads the modules the directives need and sets the paths httpd
// would otherwise take from its defaults (outside the run), and adds a
// Listen for each virtual-host port the repository does not listen on. A
// main configuration includes it first; a fragment is included after it
// by a generated main file.
func (c *apacheConf) preamble() {
	rw := c.rw
	var b strings.Builder
	fmt.Fprintf(&b, "# Generated by mtlslint prove for %s.\n", c.tree.Root().Path)
	if !c.top["serverroot"] {
		fmt.Fprintf(&b, "ServerRoot %s\n", apacheQuote(rw.dest(c.tree.ServerRoot)))
	}
	if !c.mpm {
		fmt.Fprintf(&b, "LoadModule mpm_event_module %s\n", apacheQuote(filepath.Join(ApacheModules, "mod_mpm_event.so")))
	}
	var mods []string
	for m := range c.needs {
		if !strings.HasPrefix(m, "listen:") && !c.loaded[m] {
			mods = append(mods, m)
		}
	}
	sort.Slice(mods, func(i, j int) bool {
		if bi, bj := apacheBaseModules[mods[i]], apacheBaseModules[mods[j]]; bi != bj {
			return bi // a module others build on loads first
		}
		return mods[i] < mods[j]
	})
	for _, m := range mods {
		file := filepath.Join(ApacheModules, "mod_"+strings.TrimSuffix(m, "_module")+".so")
		if _, err := os.Stat(file); err != nil {
			continue // the configuration test names what is missing
		}
		fmt.Fprintf(&b, "<IfModule !%s>\n    LoadModule %s %s\n</IfModule>\n", m, m, apacheQuote(file))
	}
	defaults := []struct{ name, line string }{
		{"defaultruntimedir", "DefaultRuntimeDir " + apacheQuote(rw.plan.Run)},
		{"pidfile", "PidFile " + apacheQuote(rw.runPath("apache.pid"))},
		{"errorlog", "ErrorLog " + apacheQuote(rw.runPath("error.log"))},
		{"mutex", "Mutex " + apacheQuote("file:"+rw.plan.Run) + " default"},
		{"user", "User nobody"},
		{"group", "Group nogroup"},
	}
	for _, x := range defaults {
		if !c.top[x.name] {
			b.WriteString(x.line + "\n")
		}
	}
	var ports []string
	for port := range c.ports {
		if c.needs["listen:"+port] {
			ports = append(ports, port)
		}
	}
	sort.Strings(ports)
	for _, port := range ports {
		for _, l := range c.ports[port] {
			proto := "http"
			if l.TLS {
				proto = "https"
			}
			fmt.Fprintf(&b, "Listen %s %s\n", l.Addr(), proto)
		}
	}
	// The stub script stands where no <Directory> of the configuration
	// grants access; access to the repository's script is not what is
	// tested, what reaches the app is.
	grant := ""
	if rw.stubScriptUsed {
		script := rw.generate(stubScriptName, StubWSGI(c.wsgiNames()))
		grant = fmt.Sprintf("<Directory %s>\n    Require all granted\n</Directory>\n", apacheQuote(filepath.Dir(script)))
	}
	pre := rw.generate("prove-apache-preamble.conf", b.String())
	if !c.tree.Fragment {
		rw.insert(c.tree.Root(), 0, "Include "+apacheQuote(pre)+"\n")
		if grant != "" {
			root := c.tree.Root()
			rw.insert(root, len(root.Content), "\n"+grant)
		}
		return
	}
	rw.plan.Main = rw.generate("prove-apache.conf", fmt.Sprintf("# Generated by mtlslint prove: the context %s is analysed in.\nInclude %s\nInclude %s\n%s",
		c.tree.Root().Path, apacheQuote(pre), apacheQuote(rw.dest(c.tree.Root().Path)), grant))
}

// wsgiNames are the callables the stub script defines: application, and
// what WSGICallableObject asks for.
func (c *apacheConf) wsgiNames() []string {
	var out []string
	for n := range c.wsgi {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// apacheQuote writes a value as one httpd argument.
func apacheQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'\\") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// apacheHosts returns the server names of a tree, for the run's server
// certificate.
func apacheHosts(t *apache.Tree) []string {
	var out []string
	t.Walk(func(d *apache.Directive) bool {
		if d.Is("ServerName") || d.Is("ServerAlias") {
			for _, a := range d.ArgValues() {
				host, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "https://"), "http://"), ":")
				out = append(out, host)
			}
		}
		return true
	})
	return out
}
