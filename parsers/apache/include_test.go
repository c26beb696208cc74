package apache_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/apache"
	"github.com/mtlslint/mtlslint/parsers/source"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for rel, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func load(t *testing.T, files map[string]string, paths ...string) ([]*apache.Tree, []source.Problem) {
	t.Helper()
	r, err := parsers.NewFSReader(writeFiles(t, files), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return apache.Load(r, paths)
}

func names(t *apache.Tree) []string {
	var out []string
	t.Walk(func(d *apache.Directive) bool {
		out = append(out, d.Name+":"+d.File.Path)
		return true
	})
	return out
}

// The Debian layout: apache2.conf in the ServerRoot, sites-enabled/ mapped
// onto sites-available/, absolute /etc/apache2 paths mapped onto the
// repository, IncludeOptional silent when nothing matches.
func TestDebianLayout(t *testing.T) {
	trees, probs := load(t, map[string]string{
		"deploy/apache2/apache2.conf":                 "ServerRoot \"/etc/apache2\"\nIncludeOptional mods-enabled/*.load\nInclude ports.conf\nIncludeOptional conf-enabled/*.conf\nIncludeOptional sites-enabled/*.conf\nInclude /etc/apache2/extra/b.conf\n",
		"deploy/apache2/ports.conf":                   "Listen 443\n",
		"deploy/apache2/sites-available/a.conf":       "<VirtualHost *:443>\nInclude snippets/ssl.conf\n</VirtualHost>\n",
		"deploy/apache2/sites-available/.hidden.conf": "ServerName hidden\n",
		"deploy/apache2/snippets/ssl.conf":            "SSLVerifyClient require\n",
		"deploy/apache2/extra/b.conf":                 "ServerName b\n",
		"deploy/apache2/sites-available/z-other.conf": "ServerName z\n",
	}, "deploy/apache2/apache2.conf", "deploy/apache2/ports.conf", "deploy/apache2/sites-available/a.conf", "deploy/apache2/snippets/ssl.conf", "deploy/apache2/extra/b.conf", "deploy/apache2/sites-available/z-other.conf")
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	if len(trees) != 1 {
		t.Fatalf("want one tree, got %d", len(trees))
	}
	got := strings.Join(names(trees[0]), " ")
	want := "ServerRoot:deploy/apache2/apache2.conf IncludeOptional:deploy/apache2/apache2.conf Include:deploy/apache2/apache2.conf Listen:deploy/apache2/ports.conf IncludeOptional:deploy/apache2/apache2.conf IncludeOptional:deploy/apache2/apache2.conf VirtualHost:deploy/apache2/sites-available/a.conf Include:deploy/apache2/sites-available/a.conf SSLVerifyClient:deploy/apache2/snippets/ssl.conf ServerName:deploy/apache2/sites-available/z-other.conf Include:deploy/apache2/apache2.conf ServerName:deploy/apache2/extra/b.conf"
	if got != want {
		t.Errorf("walk:\n got %s\nwant %s", got, want)
	}
}

func TestIncludeProblems(t *testing.T) {
	trees, probs := load(t, map[string]string{
		"httpd.conf":     "ServerRoot /srv/web\nInclude conf/missing.conf\nInclude /opt/elsewhere/x.conf\nInclude ${APACHE_CONFDIR}/x.conf\nInclude /srv/web/conf/loop.conf\n",
		"conf/loop.conf": "Include conf/loop.conf\n",
	}, "httpd.conf", "conf/loop.conf")
	if len(trees) != 1 {
		t.Fatalf("trees: %d", len(trees))
	}
	want := map[source.ProblemKind]string{
		source.ProblemIncludeMissing: "matches no file",
		source.ProblemIncludeOutside: "outside the scanned root",
		source.ProblemIncludeCycle:   "already being included",
	}
	for kind, msg := range want {
		found := false
		for _, p := range probs {
			if p.Kind == kind && strings.Contains(p.Message, msg) && p.Range.Start.Line > 0 {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s problem containing %q in %v", kind, msg, probs)
		}
	}
}

// A fragment that nothing includes is a tree of its own; conditional
// sections with a negated condition are marked inactive.
func TestFragmentsAndConditions(t *testing.T) {
	trees, probs := load(t, map[string]string{
		"sites-available/app.conf": "<IfModule mod_ssl.c>\nSSLVerifyClient require\n</IfModule>\n<IfModule !mod_ssl.c>\nServerName plain\n</IfModule>\n",
	}, "sites-available/app.conf")
	if len(probs) != 0 || len(trees) != 1 || !trees[0].Fragment || trees[0].ServerRoot != "" {
		t.Fatalf("trees %v problems %v", trees, probs)
	}
	got := strings.Join(names(trees[0]), " ")
	if got != "IfModule:sites-available/app.conf SSLVerifyClient:sites-available/app.conf IfModule:sites-available/app.conf" {
		t.Errorf("walk: %s", got)
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		path, text string
		want       bool
	}{
		{"site.conf", "<VirtualHost *:443>\n  ServerName a\n  SSLEngine on\n</VirtualHost>\n", true},
		{"httpd.conf", "Listen 80\nLoadModule ssl_module modules/mod_ssl.so\n", true},
		{"nginx.conf", "server {\n listen 443 ssl;\n location / { proxy_pass http://a; }\n}\n", false},
		{"redis.conf", "bind 127.0.0.1\nport 6379\ninclude /etc/redis/x.conf\n", false},
		{"a.conf", "<VirtualHost {{ host }}>\n</VirtualHost>\n", false},
	} {
		if got := apache.Detect(tc.path, []byte(tc.text)); got != tc.want {
			t.Errorf("Detect(%s) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

// A Debian mods-available/*.load file loads a module and is included; it is
// not a main configuration of its own.
func TestModuleFilesAreIncluded(t *testing.T) {
	trees, probs := load(t, map[string]string{
		"apache2.conf":            "IncludeOptional mods-enabled/*.load\n",
		"mods-available/ssl.load": "LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n",
	}, "apache2.conf", "mods-available/ssl.load")
	if len(probs) != 0 || len(trees) != 1 || len(trees[0].Files()) != 2 {
		t.Fatalf("trees %d problems %v", len(trees), probs)
	}
}
