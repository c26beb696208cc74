package apache

import (
	"bytes"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Candidate reports from the path alone whether a file may be httpd
// configuration and is worth reading during discovery: a configuration
// file name, or any file whose path names apache or httpd (conf.d/ files
// often have no extension) that is not plainly something else.
func Candidate(rel string) bool {
	lower := strings.ToLower(rel)
	base := path.Base(lower)
	if mainNames[base] {
		return true
	}
	for _, suf := range []string{".conf", ".conf.in", ".conf.template", ".conf.sample", ".conf.dist", ".vhost", ".load"} {
		if strings.HasSuffix(base, suf) {
			return true
		}
	}
	if strings.HasPrefix(base, ".") || notConfig(base) {
		return false
	}
	if strings.Contains(base, ".conf") || strings.Contains(lower, "apache") || strings.Contains(lower, "httpd") {
		return true
	}
	for _, seg := range strings.Split(dirOf(rel), "/") {
		if confDirs[strings.ToLower(seg)] {
			return !strings.Contains(base, ".")
		}
	}
	return false
}

// notConfig lists extensions that are never httpd configuration.
func notConfig(base string) bool {
	for _, ext := range []string{".py", ".pyc", ".md", ".rst", ".txt", ".sh", ".json", ".yml", ".yaml", ".toml", ".ini", ".cfg",
		".js", ".ts", ".go", ".rb", ".pl", ".php", ".html", ".css", ".png", ".jpg", ".svg", ".pem", ".crt", ".key", ".der",
		".gz", ".zip", ".tar", ".tgz", ".j2", ".jinja", ".jinja2", ".tmpl", ".erb", ".lock", ".log", ".xml", ".spec", ".service"} {
		if strings.HasSuffix(base, ext) {
			return true
		}
	}
	switch base {
	case "dockerfile", "makefile", "license", "readme", "copying", "authors", "changelog", "procfile":
		return true
	}
	return false
}

// Detect decides from the path and the content whether a file is httpd
// configuration: mostly httpd directives and sections, with at least one
// that only httpd has. Templates for other engines (Jinja, ERB, Go) are not
// configuration until rendered and are not detected.
func Detect(rel string, content []byte) bool {
	_, _, ok := detect(rel, content)
	return ok
}

// detect is Detect, with what it parsed.
func detect(rel string, content []byte) ([]*Directive, []source.Problem, bool) {
	if len(content) == 0 {
		return nil, nil, false
	}
	for _, marker := range []string{"{{", "{%", "<%"} {
		if bytes.Contains(content, []byte(marker)) {
			return nil, nil, false
		}
	}
	dirs, probs := Parse(source.NewFile(rel, content))
	known, total, strong := 0, 0, 0
	var lower []byte // the name in lower case, without a string per name
	var visit func([]*Directive)
	visit = func(ds []*Directive) {
		for _, d := range ds {
			total++
			lower = appendLower(lower[:0], d.Name)
			switch {
			case d.Section && sectionNames[string(lower)]:
				strong++
				known++
			case !d.Section && strongNames[string(lower)]:
				strong++
				known++
			case !d.Section && knownDirective(lower):
				known++
			}
			visit(d.Children)
		}
	}
	visit(dirs)
	return dirs, probs, strong > 0 && known*2 >= total
}

var sectionNames = map[string]bool{
	"virtualhost": true, "directory": true, "directorymatch": true, "location": true, "locationmatch": true,
	"files": true, "filesmatch": true, "ifmodule": true, "ifdefine": true, "ifversion": true, "iffile": true,
	"ifdirective": true, "ifsection": true, "if": true, "elseif": true, "else": true, "proxy": true, "proxymatch": true,
	"limit": true, "limitexcept": true, "requireall": true, "requireany": true, "requirenone": true, "macro": true,
	"authnprovideralias": true, "authzprovideralias": true,
}

// strongNames are directives only httpd configuration has.
var strongNames = map[string]bool{
	"serverroot": true, "loadmodule": true, "documentroot": true, "servername": true, "serveralias": true,
	"serveradmin": true, "sslengine": true, "sslcertificatefile": true, "sslcertificatekeyfile": true,
	"sslverifyclient": true, "sslcacertificatefile": true, "sslcacertificatepath": true, "ssloptions": true,
	"proxypass": true, "proxypassreverse": true, "proxypassmatch": true, "requestheader": true,
	"wsgiscriptalias": true, "wsgidaemonprocess": true, "wsgiprocessgroup": true, "errorlog": true,
	"customlog": true, "rewriteengine": true, "rewriterule": true, "rewritecond": true, "allowoverride": true,
	"directoryindex": true, "addhandler": true, "addtype": true, "namevirtualhost": true, "includeoptional": true,
	"sslprotocol": true, "sslciphersuite": true, "serversignature": true, "servertokens": true, "scriptalias": true,
	"setenvif": true, "browsermatch": true, "logformat": true, "passenger": true,
}

var knownNames = map[string]bool{
	"include": true, "listen": true, "user": true, "group": true, "pidfile": true, "timeout": true,
	"keepalive": true, "maxkeepaliverequests": true, "keepalivetimeout": true, "hostnamelookups": true,
	"loglevel": true, "options": true, "require": true, "order": true, "allow": true, "deny": true,
	"satisfy": true, "alias": true, "aliasmatch": true, "redirect": true, "redirectmatch": true,
	"redirectpermanent": true, "header": true, "define": true, "undefine": true, "accessfilename": true,
	"defaulttype": true, "adddefaultcharset": true, "enablesendfile": true, "enablemmap": true,
	"errordocument": true, "usecanonicalname": true, "traceenable": true, "mutex": true, "protocols": true,
	"setenv": true, "unsetenv": true, "passenv": true, "setenvifnocase": true, "setenvifexpr": true,
	"authtype": true, "authname": true, "authuserfile": true, "authgroupfile": true, "authbasicprovider": true,
	"expiresactive": true, "expiresdefault": true, "expiresbytype": true, "addoutputfilterbytype": true,
	"addencoding": true, "addlanguage": true, "addcharset": true, "languagepriority": true,
	"forcelanguagepriority": true, "indexoptions": true, "indexignore": true, "readmename": true,
	"headername": true, "typesconfig": true, "mimemagicfile": true, "forcetype": true, "sethandler": true,
	"startservers": true, "minspareservers": true, "maxspareservers": true, "maxrequestworkers": true,
	"maxclients": true, "maxconnectionsperchild": true, "maxrequestsperchild": true, "threadsperchild": true,
	"serverlimit": true, "threadlimit": true, "limitrequestbody": true, "limitrequestfields": true,
	"limitrequestline": true, "limitrequestfieldsize": true, "fileetag": true, "usedir": true, "userdir": true,
	"script": true, "action": true, "filterdeclare": true, "filterprovider": true, "filterchain": true,
	"gracefulshutdowntimeout": true, "coredumpdirectory": true, "scoreboardfile": true, "lockfile": true,
	"acceptfilter": true, "extendedstatus": true, "trustedproxy": true, "remoteipheader": true,
	"remoteiptrustedproxy": true, "remoteipinternalproxy": true, "h2direct": true,
}

// appendLower appends strings.ToLower(s), without a string for the
// ASCII names directives have. (Other names go through strings.ToLower:
// the Kelvin sign lowers to an ASCII k.)
func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(b, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// knownDirective reports whether n, a name in lower case, is an httpd
// directive.
func knownDirective(n []byte) bool {
	if knownNames[string(n)] || strongNames[string(n)] {
		return true
	}
	for _, p := range []string{"ssl", "proxy", "wsgi", "rewrite", "auth", "dav", "cache", "deflate", "log", "mod", "expires", "header", "xsendfile", "passenger", "php_", "fcgid", "cgi", "dbd", "ldap", "session", "lua", "md", "h2", "keepalive", "limit", "max", "min", "request", "remoteip", "security", "secrule", "sec", "geoip", "brotli"} {
		if len(n) >= len(p) && string(n[:len(p)]) == p {
			return true
		}
	}
	return false
}
