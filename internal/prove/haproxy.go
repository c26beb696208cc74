package prove

import (
	"fmt"
	"path"
	"strings"

	"github.com/mtlslint/mtlslint/internal/e2e"
	"github.com/mtlslint/mtlslint/parsers/haproxy"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// haproxyRefusal says why a line would make HAProxy execute something, or
// "" when it does not.
func haproxyRefusal(l *haproxy.Line) string {
	switch kw := l.Keyword(); {
	case kw == "lua-load" || kw == "lua-load-per-thread" || kw == "lua-prepend-path":
		return "loads Lua code"
	case kw == "external-check":
		return "runs programs as health checks"
	case kw == "option" && l.Arg(1) == "external-check":
		return "runs programs as health checks"
	case kw == "ssl-engine" || kw == "ssl-provider" || kw == "ssl-provider-path":
		return "loads OpenSSL code"
	}
	for _, w := range l.Args() {
		if luaCall().MatchString(w.Value()) {
			return "calls Lua code"
		}
	}
	return ""
}

// luaCall matches a Lua action, service, fetch or converter (lua.name),
// not a tune.lua.* setting.
var luaCall = source.LazyRegexp(`(^|[^\w.])lua\.`)

// serverArgOptions are the server and default-server keywords that take
// an argument (HAProxy 2.6, section 5.2), so that an argument that reads
// like a keyword ("cookie ssl") is not taken for one.
var serverArgOptions = map[string]bool{
	"addr": true, "agent-addr": true, "agent-inter": true, "agent-port": true, "agent-send": true,
	"alpn": true, "ca-file": true, "check-alpn": true, "check-proto": true, "check-sni": true,
	"ciphers": true, "ciphersuites": true, "client-sigalgs": true, "cookie": true, "crl-file": true,
	"crt": true, "curves": true, "downinter": true, "error-limit": true, "fall": true,
	"fastinter": true, "hash-key": true, "id": true, "init-addr": true, "inter": true,
	"log-proto": true, "max-reuse": true, "maxconn": true, "maxqueue": true, "minconn": true,
	"namespace": true, "npn": true, "observe": true, "on-error": true, "on-marked-down": true,
	"on-marked-up": true, "pool-conn-name": true, "pool-low-conn": true, "pool-max-conn": true,
	"pool-purge-delay": true, "port": true, "proto": true, "proxy-v2-options": true, "redir": true,
	"resolve-net": true, "resolve-opts": true, "resolve-prefer": true, "resolvers": true,
	"rise": true, "shard": true, "sigalgs": true, "slowstart": true, "sni": true, "socks4": true,
	"source": true, "ssl-max-ver": true, "ssl-min-ver": true, "tcp-ut": true, "track": true,
	"usesrc": true, "interface": true, "verify": true, "verifyhost": true, "weight": true, "ws": true,
	"set-proxy-v2-tlv-fmt": true, "log-bufsize": true, "guid": true,
}

// The run's PKI file each TLS file option points to (bind and server).
var haproxyTLSFiles = map[string]string{
	"crt":             e2e.FileServerBundle,
	"ca-file":         e2e.FileCA,
	"ca-verify-file":  e2e.FileCA,
	"crl-file":        e2e.FileCRL,
	"ca-sign-file":    e2e.FileCABundle,
	"tls-ticket-keys": e2e.FileTicketKeys,
}

type haproxyConf struct {
	rw      *rewriter
	c       *haproxy.Config
	sockets int
}

func (rw *rewriter) haproxy(c *haproxy.Config) error {
	h := &haproxyConf{rw: rw, c: c}
	for _, s := range c.Sections {
		if s.Kind == "program" {
			rw.refuse(s.Header.Range(), "program", "starts a program")
			continue
		}
		for _, l := range s.Lines {
			h.line(s, l)
		}
	}
	for _, f := range c.Parsed[1:] {
		rw.plan.More = append(rw.plan.More, rw.dest(f.Source.Path))
	}
	return nil
}

func (h *haproxyConf) line(s *haproxy.Section, l *haproxy.Line) {
	rw := h.rw
	if why := haproxyRefusal(l); why != "" {
		rw.refuse(l.Range(), l.Keyword(), why)
		return
	}
	kw := l.Keyword()
	if kw == "log" && len(l.Args()) > 1 {
		switch t := l.Arg(1); {
		case t == "global", t == "stdout", t == "stderr", strings.HasPrefix(t, "ring@"), t == "fd@1", t == "fd@2":
		default:
			rw.replace(l.Args()[1].Range(), "stdout")
		}
		return
	}
	switch s.Kind {
	case "global":
		h.global(l)
	case "peers":
		switch kw {
		case "peer", "server":
			if len(l.Args()) > 2 {
				h.loopback(l.Args()[2])
			}
		case "bind":
			if len(l.Args()) > 1 {
				h.loopback(l.Args()[1])
			}
		}
	case "resolvers":
		switch kw {
		case "nameserver":
			if len(l.Args()) > 2 {
				rw.replace(l.Args()[2].Range(), h.dead())
			}
		case "parse-resolv-conf":
			rw.replace(l.Range(), "nameserver mtlslint-prove "+h.dead())
		}
	case "mailers":
		if kw == "mailer" && len(l.Args()) > 2 {
			rw.replace(l.Args()[2].Range(), h.dead())
		}
	case "ring":
		if kw == "server" && len(l.Args()) > 2 {
			rw.replace(l.Args()[2].Range(), h.dead())
		}
	case "log-forward":
		if (kw == "bind" || kw == "dgram-bind") && len(l.Args()) > 1 {
			h.loopback(l.Args()[1])
		}
	case "http-errors":
		if kw == "errorfile" && len(l.Args()) > 2 {
			h.errorFile(l, l.Args()[2], l.Arg(1))
		}
	case "defaults", "frontend", "backend", "listen":
		h.proxyLine(l)
	}
}

func (h *haproxyConf) dead() string { return fmt.Sprintf("127.0.0.1:%d", h.rw.sb.DeadPort) }

// loopback moves a non-HTTP listener or peer to a free loopback port.
func (h *haproxyConf) loopback(w haproxy.Word) {
	port, err := h.rw.sb.freePort()
	if err != nil {
		h.rw.fail(err)
		return
	}
	h.rw.replace(w.Range(), fmt.Sprintf("127.0.0.1:%d", port))
}

func (h *haproxyConf) global(l *haproxy.Line) {
	rw := h.rw
	switch l.Keyword() {
	case "daemon", "chroot", "user", "group", "uid", "gid", "unix-bind", "setcap":
		// -db keeps HAProxy in the foreground; the rest needs the
		// deployment's users and directories.
		rw.remove(l.Range())
	case "pidfile":
		h.set(l, 1, rw.runPath("haproxy.pid"))
	case "stats":
		if l.Arg(1) == "socket" && len(l.Args()) > 2 {
			h.sockets++
			h.set(l, 2, rw.runPath(fmt.Sprintf("stats-%d.sock", h.sockets)))
			h.removeOptions(l, 3, map[string]bool{"user": true, "group": true, "uid": true, "gid": true})
		}
	case "ca-base", "crt-base", "issuers-chain-path":
		h.set(l, 1, rw.sb.Certs)
	case "ssl-dh-param-file":
		h.set(l, 1, rw.sb.cert(e2e.FileDHParams))
	case "httpclient.ssl.ca-file":
		h.set(l, 1, rw.sb.cert(e2e.FileCA))
	case "server-state-file":
		h.set(l, 1, rw.runPath("server-state"))
	case "server-state-base":
		h.set(l, 1, rw.plan.Run)
	case "h1-case-adjust-file":
		if len(l.Args()) > 1 {
			h.dataFile(l, l.Args()[1])
		}
	}
}

// set replaces word i of a line with a value.
func (h *haproxyConf) set(l *haproxy.Line, i int, value string) {
	if i < len(l.Args()) {
		h.rw.replace(l.Args()[i].Range(), haproxyQuote(value))
	}
}

// removeOptions removes the bind options named in drop (with their
// argument) from the words from index `from` (a stats socket takes bind
// options).
func (h *haproxyConf) removeOptions(l *haproxy.Line, from int, drop map[string]bool) {
	for k := from; k < len(l.Args()); k++ {
		name := l.Args()[k].Value()
		end := k
		if haproxy.BindOptionTakesArg(name) && k+1 < len(l.Args()) {
			end = k + 1
		}
		if drop[name] {
			h.rw.replace(wordsRange(l, k, end), "")
		}
		k = end
	}
}

func wordsRange(l *haproxy.Line, from, to int) source.Range {
	r := l.Args()[from].Range()
	r.End = l.Args()[to].Range().End
	return r
}

func (h *haproxyConf) proxyLine(l *haproxy.Line) {
	rw := h.rw
	switch l.Keyword() {
	case "bind":
		h.bind(l)
	case "server":
		if len(l.Args()) > 2 {
			h.server(l, 3, l.Args()[2])
		}
	case "server-template":
		if len(l.Args()) > 3 {
			h.server(l, 4, l.Args()[3])
		}
	case "default-server":
		h.server(l, 1, haproxy.Word{})
	case "dispatch":
		if len(l.Args()) > 1 {
			rw.replace(l.Args()[1].Range(), fmt.Sprintf("127.0.0.1:%d", rw.upstream(l.Args()[1].Value(), "http")))
		}
	case "source":
		rw.remove(l.Range())
		rw.limit(l.Range(), "source", "removed: connections to the servers come from 127.0.0.1")
	case "errorfile":
		if len(l.Args()) > 2 {
			h.errorFile(l, l.Args()[2], l.Arg(1))
		}
	case "external-check":
		rw.refuse(l.Range(), "external-check", "runs programs as health checks")
	}
	h.patternFiles(l)
	h.sourceCondition(l)
}

// bind moves a bind line's addresses to loopback ports and its TLS files
// to the run's PKI.
func (h *haproxyConf) bind(l *haproxy.Line) {
	rw := h.rw
	if len(l.Args()) < 2 {
		return
	}
	tls := false
	for _, w := range l.Args()[2:] {
		tls = tls || w.Value() == "ssl"
	}
	var addrs []string
	quic := 0
	items := strings.Split(l.Args()[1].Value(), ",")
	for _, item := range items {
		original, ok := haproxyBindAddr(item)
		if !ok {
			quic++
			continue
		}
		if _, port, _ := strings.Cut(original, ":"); strings.Contains(port, "-") {
			rw.limit(l.Range(), "bind", "the port range %s is tested on one port", item)
		}
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", rw.listener(l.Range(), original, tls)))
	}
	if quic == len(items) {
		rw.remove(l.Range())
		rw.limit(l.Range(), "bind", "QUIC listener removed: requests are sent over TCP")
		return
	}
	rw.replace(l.Args()[1].Range(), strings.Join(addrs, ","))
	drop := map[string]bool{"interface": true, "namespace": true, "transparent": true, "v4v6": true, "v6only": true,
		"uid": true, "gid": true, "user": true, "group": true, "mode": true}
	for k := 2; k < len(l.Args()); k++ {
		name := l.Args()[k].Value()
		end := k
		if haproxy.BindOptionTakesArg(name) && k+1 < len(l.Args()) {
			end = k + 1
		}
		switch {
		case drop[name]:
			rw.replace(wordsRange(l, k, end), "")
		case name == "crt-list" && end > k:
			h.crtList(l, l.Args()[k], l.Args()[end])
		case haproxyTLSFiles[name] != "" && end > k:
			rw.replace(l.Args()[end].Range(), haproxyQuote(rw.sb.cert(haproxyTLSFiles[name])))
		case name == "accept-proxy" || name == "accept-netscaler-cip":
			rw.limit(l.Range(), "bind", "%s: expects a load balancer's header in front of every connection", name)
		}
		k = end
	}
}

// haproxyBindAddr normalises one address of a bind line; ok is false for
// a QUIC (UDP) address.
func haproxyBindAddr(item string) (string, bool) {
	if i := strings.Index(item, "@"); i >= 0 {
		switch prefix := item[:i]; prefix {
		case "quic4", "quic6", "udp", "udp4", "udp6":
			return "", false
		case "ipv4", "ipv6", "tcp", "tcp4", "tcp6":
			item = item[i+1:]
		default: // unix@, abns@, fd@, sockpair@, uxst@
			return item, true
		}
	}
	if strings.HasPrefix(item, "/") {
		return "unix@" + item, true
	}
	if !strings.Contains(item, ":") {
		return item, true // an environment variable, or a name HAProxy refuses
	}
	return normalAddr(item, ""), true
}

// crtList points a bind's crt-list at its rewritten copy (every entry's
// certificate and CA files replaced by the run's), or, when the repository
// does not hold it, at the run's certificate alone.
func (h *haproxyConf) crtList(l *haproxy.Line, kw, file haproxy.Word) {
	rw := h.rw
	f := findFile(rw, path.Dir(l.File.Path), file.Value())
	if f == nil || file.Symbolic() {
		rw.replace(wordsRange(l, indexOfWord(l, kw), indexOfWord(l, file)), "crt "+haproxyQuote(rw.sb.cert(e2e.FileServerBundle)))
		rw.limit(l.Range(), "crt-list", "%s is not in the repository: one certificate, no per-name options", file.Value())
		return
	}
	rw.files[f.Path] = f
	for _, e := range haproxy.ParseCrtList(f) {
		args := e.Line.Args()
		if len(args) == 0 {
			continue
		}
		rw.replace(args[0].Range(), haproxyQuote(rw.sb.cert(e2e.FileServerBundle)))
		for k := 1; k+1 < len(args); k++ {
			name := strings.TrimPrefix(args[k].Value(), "[")
			if pki := haproxyTLSFiles[name]; pki != "" && name != "crt" {
				v := args[k+1]
				text := haproxyQuote(rw.sb.cert(pki))
				if strings.HasSuffix(v.Raw(), "]") {
					text += "]"
				}
				rw.replace(v.Range(), text)
			}
		}
	}
	rw.replace(file.Range(), haproxyQuote(rw.dest(f.Path)))
}

func indexOfWord(l *haproxy.Line, w haproxy.Word) int {
	for i, x := range l.Args() {
		if x.Range() == w.Range() {
			return i
		}
	}
	return 0
}

// server points a server line at the stub app and makes its connection
// plain: the stub speaks HTTP, and checks and agents go to the server's
// own address.
func (h *haproxyConf) server(l *haproxy.Line, from int, addr haproxy.Word) {
	rw := h.rw
	if addr.Range().IsValid() {
		port := rw.upstream(addr.Value(), "http")
		rw.replace(addr.Range(), fmt.Sprintf("127.0.0.1:%d", port))
	}
	for k := from; k < len(l.Args()); k++ {
		name := l.Args()[k].Value()
		end := k
		if serverArgOptions[name] && k+1 < len(l.Args()) {
			end = k + 1
		}
		switch name {
		case "ssl":
			rw.replace(l.Args()[k].Range(), "")
			rw.limit(l.Range(), l.Keyword(), "TLS to the server replaced by plain HTTP to the stub app")
		case "check-ssl", "agent-check", "addr", "port", "agent-addr", "agent-port", "agent-inter", "agent-send", "source", "usesrc", "interface", "namespace":
			rw.replace(wordsRange(l, k, end), "")
		case "send-proxy", "send-proxy-v2", "send-proxy-v2-ssl", "send-proxy-v2-ssl-cn":
			rw.replace(l.Args()[k].Range(), "")
			rw.limit(l.Range(), l.Keyword(), "%s removed: the stub app does not read the PROXY protocol", name)
		case "ca-file", "crt", "crl-file":
			if end > k {
				pki := haproxyTLSFiles[name]
				if name == "crt" {
					pki = e2e.FileServerBundle
				}
				rw.replace(l.Args()[end].Range(), haproxyQuote(rw.sb.cert(pki)))
			}
		}
		k = end
	}
}

// errorFile points an error page at its copy, or at a generated page when
// the repository does not hold it (HAProxy refuses to start without it).
func (h *haproxyConf) errorFile(l *haproxy.Line, w haproxy.Word, code string) {
	rw := h.rw
	if f := findFile(rw, path.Dir(l.File.Path), w.Value()); f != nil && !w.Symbolic() {
		rw.files[f.Path] = f
		rw.replace(w.Range(), haproxyQuote(rw.dest(f.Path)))
		return
	}
	if !isDigits(code) {
		code = "503"
	}
	page := rw.generate("errors/"+code+".http", "HTTP/1.0 "+code+" mtlslint prove\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nerror "+code+" (page not in the repository)\n")
	rw.replace(w.Range(), haproxyQuote(page))
	rw.limit(l.Range(), l.Keyword(), "%s is not in the repository: a generated page stands in", w.Value())
}

// mapConverter finds a file named in a map or ACL converter or action
// inside a sample expression: map(/etc/haproxy/hosts.map), map_beg(...),
// set-map(...), add-acl(...).
var mapConverter = source.LazyRegexp(`(?:\bmap(?:_[a-z0-9]+)*|\b(?:set|del)-map|\b(?:add|del)-acl)\(([^,)]+)`)

// patternFiles points the pattern and map files of a line (-f/-M FILE,
// map converters) at their copies, or at paths that do not exist.
func (h *haproxyConf) patternFiles(l *haproxy.Line) {
	for k, w := range l.Args() {
		if w.Value() == "-f" && k+1 < len(l.Args()) && !strings.HasPrefix(l.Args()[k+1].Value(), "-") {
			h.dataFile(l, l.Args()[k+1])
		}
		if w.Value() == "file" || w.Value() == "lf-file" || w.Value() == "errorfile" {
			if l.Keyword() != "errorfile" && k+1 < len(l.Args()) && strings.HasPrefix(l.Keyword(), "http-") {
				h.dataFile(l, l.Args()[k+1])
			}
		}
		raw := w.Raw()
		for _, m := range mapConverter().FindAllStringSubmatchIndex(raw, -1) {
			if strings.ContainsAny(raw[m[2]:m[3]], "%$\"'") {
				continue
			}
			h.dataFile(l, w.Sub(m[2], m[3]))
		}
	}
}

// dataFile points a file word at the copy of the file, or at a path that
// does not exist when the repository lacks it.
func (h *haproxyConf) dataFile(l *haproxy.Line, w haproxy.Word) {
	rw := h.rw
	if w.Symbolic() {
		return
	}
	if f := findFile(rw, path.Dir(l.File.Path), w.Value()); f != nil {
		rw.files[f.Path] = f
		rw.replace(w.Range(), haproxyQuote(rw.dest(f.Path)))
		return
	}
	rw.replace(w.Range(), haproxyQuote(rw.missing(w.Value())))
	rw.limit(l.Range(), l.Keyword(), "%s is not in the repository", w.Value())
}

// sourceCondition notes a line that decides on the client's address.
func (h *haproxyConf) sourceCondition(l *haproxy.Line) {
	for _, w := range l.Args() {
		v := strings.TrimLeft(w.Value(), "{!")
		if v == "src" || strings.HasPrefix(v, "src_") || strings.HasPrefix(v, "src,") || strings.Contains(v, "%[src") || v == "set-src" {
			h.rw.sourceCondition(l.Range(), l.Keyword(), "decides on the client's address")
			return
		}
	}
}

// haproxyDeployed are the directories HAProxy's configuration is deployed
// in; a file named under one is looked for beside the configuration.
var haproxyDeployed = []string{"/etc/haproxy/", "/usr/local/etc/haproxy/", "/usr/local/haproxy/"}

// findFile finds a file a configuration in dir names, as crt-lists are
// found, or under the configuration's directory when the name is under a
// deployed HAProxy directory (/etc/haproxy/maps/x.map is maps/x.map).
func findFile(rw *rewriter, dir, name string) *source.File {
	if f := haproxy.FindFile(rw.ws.Reader, dir, name); f != nil {
		return f
	}
	for _, d := range haproxyDeployed {
		if rest, ok := strings.CutPrefix(name, d); ok {
			if f, err := rw.ws.Reader.ReadFile(path.Join(dir, rest)); err == nil {
				return f
			}
		}
	}
	return nil
}

// haproxyQuote writes a value as one HAProxy word.
func haproxyQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t#\\'\"$") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// haproxyHosts returns the SNI names of a configuration's crt-lists, for
// the run's server certificate.
func haproxyHosts(c *haproxy.Config) []string {
	var out []string
	for _, p := range c.Frontends() {
		for _, b := range p.Binds {
			for _, e := range b.CrtList {
				for _, s := range e.SNI {
					out = append(out, strings.TrimPrefix(s, "!"))
				}
			}
		}
	}
	return out
}
