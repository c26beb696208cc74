package prove

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
)

var proxyKinds = map[string]bool{parsers.KindNginx: true, parsers.KindHAProxy: true, parsers.KindApache: true, parsers.KindCaddy: true}

// fixturesFailing lists the fixture configurations that the servers
// refuse whatever the rewrite does, with the reason: bad input on purpose,
// syntax of a newer release than Debian 12's servers, or constructs the
// servers reject that the linter reads anyway. Any other failure is the
// rewrite's, and so is a listed one that passes (the list is exact).
var fixturesFailing = map[string]string{
	"nginx/bad-input/nginx.conf":                        "unknown directive \"\ufeffevents\"",            // a byte-order mark
	"nginx/cert-var-secure/nginx.conf":                  `unknown variable "ssl_client_certificate_raw"`, // no such variable
	"haproxy/bad-input-vulnerable/haproxy.cfg":          "unmatched quote",
	"haproxy/conditional-set-secure/haproxy.cfg":        "expects exactly N arguments", // set-header X "" (an empty word ends the line for HAProxy)
	"haproxy/frontend-gap-secure/haproxy.cfg":           "expects exactly N arguments",
	"haproxy/confd-layout-vulnerable/haproxy.cfg":       "cannot inherit from the same defaults section",
	"haproxy/legacy-vulnerable/haproxy.cfg":             "'reqadd' directive is not supported anymore",
	"haproxy/mode-tcp-secure/haproxy.cfg":               "incompatible tcp backend",
	"haproxy/rejected-vulnerable/haproxy.cfg":           "unknown keyword 'tune.ssl.defualt-dh-param'", // what E008 reports
	"haproxy/rejected-secure/haproxy.cfg":               "not in the repository",                       // the map file of use_backend
	"apache/bad-input/httpd.conf":                       "Expected <PATH> but saw <PATH>",
	"caddy/bad-input/Caddyfile":                         "Unexpected EOF",
	"caddy/snippets-vulnerable/Caddyfile":               "configuring TLS cli",                           // {args[0]} is Caddy 2.7 syntax
	"caddy/trusted-proxies-global-vulnerable/Caddyfile": "unrecognized servers option 'trusted_proxies'", // Caddy 2.7
}

// TestFixturesConfigTest rewrites every proxy configuration of the
// fixture scenarios and runs each server's configuration test on the copy:
// each passes, but for the configurations the servers refuse as written
// (fixturesFailing).
func TestFixturesConfigTest(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs every server's configuration test")
	}
	needServers(t, parsers.KindNginx, parsers.KindHAProxy, parsers.KindApache, parsers.KindCaddy)
	tmp := t.TempDir()
	var all []outcome
	for _, family := range []string{"nginx", "haproxy", "apache", "caddy", "crossfile"} {
		dirs, err := os.ReadDir(filepath.Join("..", "..", "fixtures", family))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dirs {
			if !d.IsDir() {
				continue
			}
			dir := filepath.Join("..", "..", "fixtures", family, d.Name())
			outs := rewriteDir(t, dir, filepath.Join(tmp, family+"-"+d.Name()), proxyKinds)
			for _, o := range outs {
				key := family + "/" + d.Name() + "/" + o.Root
				want, listed := fixturesFailing[key]
				switch {
				case o.Passed && listed:
					t.Errorf("%s passes the configuration test now: remove it from fixturesFailing", key)
				case !o.Passed && !listed:
					t.Errorf("%s: %s", key, o.Reason)
				case !o.Passed && !strings.Contains(o.Reason, want):
					t.Errorf("%s fails with %q, want %q", key, o.Reason, want)
				}
			}
			all = append(all, outs...)
		}
	}
	t.Logf("fixtures:\n%s", summary(all))
}
