package prove

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/internal/e2e"
	"github.com/mtlslint/mtlslint/parsers/caddy"
	"github.com/mtlslint/mtlslint/parsers/source"
	"gopkg.in/yaml.v3"
)

// Handlers and apps of Caddy's native JSON that run code (plugins).
var caddyJSONRefused = map[string]string{
	"exec": "runs programs (a plugin)", "cgi": "runs CGI programs (a plugin)", "supervisor": "runs programs (a plugin)",
	"php": "runs PHP code (FrankenPHP)", "php_server": "runs PHP code (FrankenPHP)", "frankenphp": "runs PHP code (FrankenPHP)",
	"python": "runs code (a plugin)", "wasm": "runs code (a plugin)", "starlark": "runs code (a plugin)",
}

// caddyJSON rewrites Caddy's native JSON configuration with edits on the
// values' exact ranges, the same deployment specifics as a Caddyfile's.
type caddyJSON struct {
	rw   *rewriter
	t    *caddy.Tree
	f    *source.File
	tags []string // the certificate tags connection policies select by
	// added are the keys to add to each object, written as one edit each.
	added map[*yaml.Node][]string
}

func (rw *rewriter) caddyJSON(t *caddy.Tree) error {
	j := &caddyJSON{rw: rw, t: t, f: t.Root(), added: map[*yaml.Node][]string{}}
	root := t.JSON
	j.refusals(root)
	if len(rw.plan.Refusals) > 0 {
		return nil
	}
	apps, _ := jget(root, "apps")
	if apps == nil || apps.Kind != yaml.MappingNode {
		return fmt.Errorf("no apps object: nothing to run")
	}
	if http, _ := jget(apps, "http"); http != nil {
		j.http(http)
	}
	j.collectTags(apps)
	j.set(root, "admin", `{"disabled": true}`)
	j.set(root, "storage", fmt.Sprintf(`{"module": "file_system", "root": %s}`, jsonString(rw.runPath("caddy-storage"))))
	if logging, _ := jget(root, "logging"); logging != nil {
		j.writers(logging)
	}
	j.set(apps, "tls", j.tlsApp())
	j.set(apps, "pki", `{"certificate_authorities": {"local": {"install_trust": false}}}`)
	for m, kvs := range j.added {
		text := strings.Join(kvs, ", ")
		if len(m.Content) > 0 {
			text += ","
		}
		rw.insert(j.f, j.start(m)+1, text)
	}
	rw.plan.Env = []string{"XDG_DATA_HOME=" + rw.runPath("caddy-data"), "XDG_CONFIG_HOME=" + rw.runPath("caddy-config")}
	return nil
}

func jget(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) { return caddy.Field(m, key) }

// jwalk calls fn for every mapping node below n, with the key that leads
// to it ("" in a sequence).
func jwalk(n *yaml.Node, fn func(m *yaml.Node)) {
	if n == nil {
		return
	}
	if n.Kind == yaml.MappingNode {
		fn(n)
	}
	for _, c := range n.Content {
		jwalk(c, fn)
	}
}

func (j *caddyJSON) refusals(root *yaml.Node) {
	jwalk(root, func(m *yaml.Node) {
		if v, k := jget(m, "handler"); v != nil && caddyJSONRefused[v.Value] != "" {
			j.rw.refuse(j.t.NodeRange(k), "handler "+v.Value, caddyJSONRefused[v.Value])
		}
	})
	apps, _ := jget(root, "apps")
	for name, why := range caddyJSONRefused {
		if _, k := jget(apps, name); k != nil {
			j.rw.refuse(j.t.NodeRange(k), "apps."+name, why)
		}
	}
}

// start and end are a node's offsets: a scalar's text (quotes included),
// an object or array through its closing bracket.
func (j *caddyJSON) start(n *yaml.Node) int { return j.t.NodeRange(n).Start.Offset }

func (j *caddyJSON) end(n *yaml.Node) int {
	if n.Kind == yaml.ScalarNode {
		return j.t.NodeRange(n).End.Offset
	}
	return jsonEnd(j.f.Content, j.start(n))
}

// jsonEnd returns the offset after the object or array that starts at
// start (strings and escapes skipped).
func jsonEnd(b []byte, start int) int {
	depth, inString := 0, false
	for i := start; i < len(b); i++ {
		c := b[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(b)
}

func (j *caddyJSON) replace(n *yaml.Node, text string) {
	j.rw.replace(j.f.Range(j.start(n), j.end(n)), text)
}

// set gives a key of a mapping a value: the existing value is replaced, or
// the key is added first.
func (j *caddyJSON) set(m *yaml.Node, key, value string) {
	if v, _ := jget(m, key); v != nil {
		j.replace(v, value)
		return
	}
	j.added[m] = append(j.added[m], jsonString(key)+": "+value)
}

// remove deletes a key and its value from a mapping, with the comma that
// separates it from a neighbour.
func (j *caddyJSON) remove(m *yaml.Node, key string) {
	v, k := jget(m, key)
	if v == nil {
		return
	}
	from, to := j.start(k), j.end(v)
	b := j.f.Content
	after := to
	for after < len(b) && strings.ContainsRune(" \t\r\n", rune(b[after])) {
		after++
	}
	if after < len(b) && b[after] == ',' {
		to = after + 1
	} else {
		before := from - 1
		for before > 0 && strings.ContainsRune(" \t\r\n", rune(b[before])) {
			before--
		}
		if before >= 0 && b[before] == ',' {
			from = before
		}
	}
	j.rw.replace(j.f.Range(from, to), "")
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// http moves the servers' listeners to loopback, their upstreams to the
// stub app, and their client CAs to the run's.
func (j *caddyJSON) http(http *yaml.Node) {
	rw := j.rw
	httpsPort := "443"
	if v, _ := jget(http, "https_port"); v != nil {
		httpsPort = v.Value
	}
	j.set(http, "http_port", fmt.Sprint(rw.port("*:80")))
	j.set(http, "https_port", fmt.Sprint(rw.port("*:"+httpsPort)))
	servers, _ := jget(http, "servers")
	if servers == nil || servers.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(servers.Content); i += 2 {
		key, srv := servers.Content[i], servers.Content[i+1]
		policies, _ := jget(srv, "tls_connection_policies")
		if listen, _ := jget(srv, "listen"); listen != nil {
			for _, l := range listen.Content {
				original := caddyListenAddr(l.Value)
				tls := policies != nil || strings.HasSuffix(original, ":"+httpsPort)
				// The server's key is its routes' listener in the model.
				j.replace(l, jsonString(fmt.Sprintf("127.0.0.1:%d", rw.listener(j.t.NodeRange(key), original, tls))))
			}
		}
		if v, k := jget(srv, "trusted_proxies"); v != nil {
			rw.sourceCondition(j.t.NodeRange(k), "trusted_proxies", "trusts the addresses given for the client's real address")
		}
		if v, k := jget(srv, "listener_wrappers"); v != nil && strings.Contains(string(j.f.Content[j.start(v):j.end(v)]), "proxy_protocol") {
			rw.limit(j.t.NodeRange(k), "listener_wrappers", "expects the PROXY protocol from a load balancer in front")
		}
		if policies != nil {
			for _, p := range policies.Content {
				if ca, _ := jget(p, "client_authentication"); ca != nil {
					j.clientAuth(ca)
				}
			}
		}
		jwalk(srv, j.handler)
	}
}

// caddyListenAddr normalises a listen address: ":443", "tcp/:443" and
// "0.0.0.0:443" are "*:443".
func caddyListenAddr(a string) string {
	if i := strings.Index(a, "/"); i >= 0 && !strings.HasPrefix(a, "unix") {
		a = a[i+1:]
	}
	if strings.HasPrefix(a, "unix") {
		return a
	}
	return normalAddr(a, "443")
}

func (j *caddyJSON) clientAuth(ca *yaml.Node) {
	rw := j.rw
	pem := func(name string) string { return "[" + jsonString(rw.sb.cert(name)) + "]" }
	der := func(name string) string { return "[" + jsonString((&caddyConf{rw: rw}).derBase64(name)) + "]" }
	if v, _ := jget(ca, "trusted_ca_certs"); v != nil {
		j.replace(v, der(e2e.FileCA))
	}
	if v, _ := jget(ca, "trusted_ca_certs_pem_files"); v != nil {
		j.replace(v, pem(e2e.FileCA))
	}
	if v, _ := jget(ca, "trusted_leaf_certs"); v != nil {
		j.replace(v, der(e2e.FileClientCert))
	}
}

// handler rewrites one handler: a reverse_proxy's upstreams.
func (j *caddyJSON) handler(m *yaml.Node) {
	rw := j.rw
	if v, k := jget(m, "remote_ip"); v != nil {
		rw.sourceCondition(j.t.NodeRange(k), "remote_ip", "decides on the client's address")
	}
	if v, k := jget(m, "client_ip"); v != nil {
		rw.sourceCondition(j.t.NodeRange(k), "client_ip", "decides on the client's address")
	}
	h, hk := jget(m, "handler")
	if h == nil || h.Value != "reverse_proxy" {
		return
	}
	proto := "http"
	if tr, _ := jget(m, "transport"); tr != nil {
		if p, _ := jget(tr, "protocol"); p != nil && p.Value == "fastcgi" {
			proto = "fastcgi"
		}
		if v, k := jget(tr, "tls"); v != nil {
			j.remove(tr, "tls")
			rw.limit(j.t.NodeRange(k), "transport tls", "TLS to the upstream replaced by plain HTTP to the stub app")
		}
	}
	if v, k := jget(m, "dynamic_upstreams"); v != nil {
		j.remove(m, "dynamic_upstreams")
		rw.limit(j.t.NodeRange(k), "dynamic_upstreams", "dynamic upstreams replaced by the stub app")
		if u, _ := jget(m, "upstreams"); u == nil {
			j.set(m, "upstreams", fmt.Sprintf(`[{"dial": "127.0.0.1:%d"}]`, rw.upstream("dynamic@"+j.t.NodeRange(hk).String(), proto)))
		}
	}
	if ups, _ := jget(m, "upstreams"); ups != nil {
		for _, u := range ups.Content {
			if d, _ := jget(u, "dial"); d != nil {
				j.replace(d, jsonString(fmt.Sprintf("127.0.0.1:%d", rw.upstream(d.Value, proto))))
			}
		}
	}
}

// collectTags gathers the tags of the certificates the configuration
// loads, which its connection policies may select by.
func (j *caddyJSON) collectTags(apps *yaml.Node) {
	seen := map[string]bool{}
	tlsApp, _ := jget(apps, "tls")
	jwalk(tlsApp, func(m *yaml.Node) {
		if tags, _ := jget(m, "tags"); tags != nil {
			for _, t := range tags.Content {
				if !seen[t.Value] {
					seen[t.Value] = true
					j.tags = append(j.tags, t.Value)
				}
			}
		}
	})
	sort.Strings(j.tags)
}

// tlsApp is the run's tls app: its certificate (with the configuration's
// tags), and an internal issuer for any other name, never an ACME CA.
func (j *caddyJSON) tlsApp() string {
	tags := make([]string, 0, len(j.tags))
	for _, t := range j.tags {
		tags = append(tags, jsonString(t))
	}
	return fmt.Sprintf(`{"certificates": {"load_files": [{"certificate": %s, "key": %s, "tags": [%s]}]}, "automation": {"policies": [{"issuers": [{"module": "internal"}]}]}}`,
		jsonString(j.rw.sb.cert(e2e.FileServerCert)), jsonString(j.rw.sb.cert(e2e.FileServerKey)), strings.Join(tags, ", "))
}

// writers sends log writers to the run's directory.
func (j *caddyJSON) writers(logging *yaml.Node) {
	jwalk(logging, func(m *yaml.Node) {
		out, _ := jget(m, "output")
		if out == nil || out.Kind != yaml.ScalarNode {
			return
		}
		switch out.Value {
		case "stdout", "stderr", "discard":
		default:
			j.replace(m, fmt.Sprintf(`{"output": "file", "filename": %s}`, jsonString(j.rw.runPath("caddy.log"))))
		}
	})
}

// caddyJSONHosts returns the host matchers of a JSON configuration.
func caddyJSONHosts(t *caddy.Tree) []string {
	var out []string
	jwalk(t.JSON, func(m *yaml.Node) {
		if h, _ := jget(m, "host"); h != nil && h.Kind == yaml.SequenceNode {
			for _, c := range h.Content {
				out = append(out, c.Value)
			}
		}
	})
	return out
}
