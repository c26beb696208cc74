package nginx

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

func load(t *testing.T, files map[string]string, paths ...string) ([]*Tree, []source.Problem) {
	t.Helper()
	r := newMem(files)
	if len(paths) == 0 {
		for p := range files {
			paths = append(paths, p)
		}
		sort.Strings(paths)
	}
	return Load(r, paths)
}

// names lists "file:name args" for every directive of the tree in order.
func names(t *Tree) []string {
	var out []string
	t.Walk(func(d *Directive) bool {
		s := d.File.Path + ":" + d.Name
		for _, a := range d.Args {
			s += " " + a.Value
		}
		out = append(out, s)
		return true
	})
	return out
}

func find(t *Tree, name, arg0 string) *Directive {
	var found *Directive
	t.Walk(func(d *Directive) bool {
		if found == nil && d.Name == name && (arg0 == "" || d.Arg(0) == arg0) {
			found = d
		}
		return found == nil
	})
	return found
}

func codes(probs []source.Problem) []string {
	var out []string
	for _, p := range probs {
		out = append(out, string(p.Kind)+" "+p.Range.String())
	}
	return out
}

func TestIncludeRelativeToPrefixInGlobOrder(t *testing.T) {
	trees, probs := load(t, map[string]string{
		"deploy/nginx/nginx.conf":          "events {}\nhttp {\n  include conf.d/*.conf;\n}\n",
		"deploy/nginx/conf.d/b.conf":       "server { server_name b; }\n",
		"deploy/nginx/conf.d/B.conf":       "server { server_name B; }\n",
		"deploy/nginx/conf.d/a.conf":       "server { server_name a; include snippets/x.conf; }\n",
		"deploy/nginx/conf.d/.hidden.conf": "server { server_name hidden; }\n",
		"deploy/nginx/snippets/x.conf":     "proxy_set_header X-A 1;\n",
	})
	if len(probs) > 0 {
		t.Fatalf("problems: %v", codes(probs))
	}
	// Fragments included by the main file are not roots; the dot file,
	// which the glob does not match, is a fragment of its own.
	if len(trees) != 2 || trees[0].Root().Path != "deploy/nginx/conf.d/.hidden.conf" || !trees[0].Fragment {
		t.Fatalf("want the main tree and the dot-file fragment, got %d trees", len(trees))
	}
	tr := trees[1]
	var servers []string
	for _, d := range tr.Main.First("http").Find("server") {
		servers = append(servers, d.First("server_name").Arg(0))
	}
	// glob(3) in the C locale: byte order, upper case first; dot files
	// are not matched by "*".
	if got := strings.Join(servers, ","); got != "B,a,b" {
		t.Errorf("server order %s, want B,a,b", got)
	}
	// snippets/x.conf resolves against the prefix (the main file's
	// directory), not against conf.d/.
	psh := find(tr, "proxy_set_header", "")
	if psh == nil || psh.File.Path != "deploy/nginx/snippets/x.conf" {
		t.Fatalf("snippet not included: %v", names(tr))
	}
	if psh.Parent.Name != "server" || psh.Via == nil || psh.Via.Name != "include" || psh.Via.File.Path != "deploy/nginx/conf.d/a.conf" {
		t.Errorf("parent %q via %v", psh.Parent.Name, psh.Via)
	}
	// The server came through the include in nginx.conf.
	if srv := psh.Parent; srv.Via == nil || srv.Via.Arg(0) != "conf.d/*.conf" || srv.Parent.Name != "http" {
		t.Errorf("server's include: %v", srv.Via)
	}
	wantFiles := []string{"deploy/nginx/nginx.conf", "deploy/nginx/conf.d/B.conf", "deploy/nginx/conf.d/a.conf", "deploy/nginx/snippets/x.conf", "deploy/nginx/conf.d/b.conf"}
	var gotFiles []string
	for _, f := range tr.Files() {
		gotFiles = append(gotFiles, f.Path)
	}
	if strings.Join(gotFiles, " ") != strings.Join(wantFiles, " ") {
		t.Errorf("files %v, want %v", gotFiles, wantFiles)
	}
	if inc := find(tr, "include", "conf.d/*.conf").Include(); inc == nil || len(inc.Files) != 3 || inc.Resolved != "deploy/nginx/conf.d/*.conf" {
		t.Errorf("include info %+v", inc)
	}
}

func TestAbsoluteDeployedPathsMapOntoRepo(t *testing.T) {
	trees, probs := load(t, map[string]string{
		"nginx.conf":           "events {}\nhttp {\n  include /etc/nginx/conf.d/*.conf;\n  include /usr/local/nginx/conf/extra.conf;\n  include /etc/nginx/sites-enabled/*;\n}\n",
		"conf.d/app.conf":      "server { server_name app; }\n",
		"extra.conf":           "map $a $b { default 1; }\n",
		"sites-available/site": "server { server_name site; }\n",
		"sites-available/.swp": "garbage {",
	}, "nginx.conf")
	if len(probs) > 0 {
		t.Fatalf("problems: %v", codes(probs))
	}
	tr := trees[0]
	for _, want := range []string{"conf.d/app.conf:server_name app", "extra.conf:map $a $b", "sites-available/site:server_name site"} {
		if !contains(names(tr), want) {
			t.Errorf("missing %s in %v", want, names(tr))
		}
	}
	if inc := find(tr, "include", "/etc/nginx/sites-enabled/*").Include(); inc.Resolved != "sites-available/*" {
		t.Errorf("sites-enabled fallback resolved to %q", inc.Resolved)
	}
}

func TestSitesEnabledPreferredWhenPresent(t *testing.T) {
	trees, probs := load(t, map[string]string{
		"nginx.conf":               "events {}\nhttp { include sites-enabled/*; }\n",
		"sites-enabled/one":        "server { server_name one; }\n",
		"sites-available/one":      "server { server_name one; }\n",
		"sites-available/disabled": "server { server_name disabled; }\n",
	}, "nginx.conf")
	if len(probs) > 0 {
		t.Fatalf("problems: %v", codes(probs))
	}
	if contains(names(trees[0]), "sites-available/disabled:server_name disabled") {
		t.Errorf("a disabled site was included: %v", names(trees[0]))
	}
}

func TestStockFiles(t *testing.T) {
	trees, probs := load(t, map[string]string{
		"nginx.conf": "events {}\nhttp {\n  server {\n    location / {\n      include proxy_params;\n      proxy_pass http://app;\n    }\n    location ~ \\.php$ {\n      include snippets/fastcgi-php.conf;\n    }\n  }\n}\n",
	})
	if len(probs) > 0 {
		t.Fatalf("problems: %v", codes(probs))
	}
	tr := trees[0]
	loc := find(tr, "location", "/")
	var hdrs []string
	for _, d := range loc.Find("proxy_set_header") {
		hdrs = append(hdrs, d.Arg(0)+"="+d.Arg(1))
		if d.Stock() != "proxy_params" || d.File.Path != "/etc/nginx/proxy_params" {
			t.Errorf("stock marking: %q %q", d.Stock(), d.File.Path)
		}
		if w := d.Written(); w.Name != "include" || w.File.Path != "nginx.conf" || w.Range().Start.Line != 5 {
			t.Errorf("Written() = %s at %v, want the include at nginx.conf:5", w.Name, w.Range())
		}
	}
	if got := strings.Join(hdrs, " "); got != "Host=$host X-Real-IP=$remote_addr X-Forwarded-For=$proxy_add_x_forwarded_for X-Forwarded-Proto=$scheme" {
		t.Errorf("stock proxy_params: %s", got)
	}
	if inc := find(tr, "include", "proxy_params").Include(); inc.Stock != "proxy_params" {
		t.Errorf("include not marked stock: %+v", inc)
	}
	// fastcgi-php.conf includes fastcgi.conf, also stock.
	php := find(tr, "location", "~")
	if p := php.Last("fastcgi_param"); p == nil || p.Stock() != "fastcgi.conf" || p.Written().Arg(0) != "snippets/fastcgi-php.conf" {
		t.Errorf("nested stock include: %+v", p)
	}
	if len(tr.Files()) != 1 || len(tr.StockFiles()) != 3 {
		t.Errorf("files %d stock %d", len(tr.Files()), len(tr.StockFiles()))
	}
}

func TestRepositoryFileWinsOverStock(t *testing.T) {
	trees, _ := load(t, map[string]string{
		"nginx.conf":   "events {}\nhttp { include proxy_params; }\n",
		"proxy_params": "proxy_set_header X-Own 1;\n",
	}, "nginx.conf")
	d := find(trees[0], "proxy_set_header", "")
	if d == nil || d.Arg(0) != "X-Own" || d.Stock() != "" {
		t.Fatalf("got %+v", d)
	}
}

func TestIncludeProblems(t *testing.T) {
	trees, probs := load(t, map[string]string{
		"nginx.conf": "events {}\nhttp {\n" +
			"  include missing.conf;\n" + // 3: E002
			"  include nothing/*.conf;\n" + // 4: nginx accepts a glob matching nothing
			"  include /opt/elsewhere/x.conf;\n" + // 5: E003
			"  include ../../etc/passwd;\n" + // 6: E003
			"  include loop.conf;\n" + // 7: E005 inside loop2
			"  include a b;\n" + // 8: E001
			"  include locked.conf;\n" + // 9: E004
			"  server { listen 80; }\n" +
			"}\n",
		"loop.conf":   "include loop2.conf;\n",
		"loop2.conf":  "include loop.conf;\nproxy_set_header X 1;\n",
		"locked.conf": "x;",
	}, "nginx.conf")
	_ = trees
	want := []string{
		"include-cycle loop2.conf:1:1",
		"include-missing nginx.conf:3:3", "include-outside nginx.conf:5:3", "include-outside nginx.conf:6:3",
		"syntax nginx.conf:8:3",
	}
	got := codes(probs)
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("got %v\nwant %v", got, want)
	}
	for _, p := range probs {
		if p.Kind == source.ProblemIncludeCycle && (len(p.Related) != 1 || p.Related[0].Range.File != "nginx.conf" || p.Related[0].Range.Start.Line != 7) {
			t.Errorf("cycle related: %+v", p.Related)
		}
	}
	// The directive after the cycle is still read.
	if find(trees[0], "proxy_set_header", "X") == nil {
		t.Error("directive after the cyclic include lost")
	}
	// The rest of the configuration is still there.
	if find(trees[0], "listen", "80") == nil {
		t.Error("server after the bad includes lost")
	}
}

func TestUnreadableInclude(t *testing.T) {
	r := newMem(map[string]string{
		"nginx.conf": "events {}\nhttp { include big.conf; include bin.conf; }\n",
		"big.conf":   "",
		"bin.conf":   "",
	})
	r.unreadable["big.conf"] = source.ErrTooLarge
	r.unreadable["bin.conf"] = source.ErrBinary
	_, probs := Load(r, []string{"nginx.conf"})
	if got := strings.Join(codes(probs), ";"); got != "skipped nginx.conf:2:8;skipped nginx.conf:2:26" {
		t.Fatalf("got %s", got)
	}
	for _, p := range probs {
		if !strings.Contains(p.Message, "not analysed") {
			t.Errorf("message %q", p.Message)
		}
	}
}

func TestFragments(t *testing.T) {
	trees, probs := load(t, map[string]string{
		"conf.d/api.conf":          "server { listen 443 ssl; include snippets/common.conf; }\n",
		"snippets/common.conf":     "proxy_set_header X-A 1;\n",
		"sites-available/site":     "include snippets/site-extra.conf;\nserver { server_name s; }\n",
		"snippets/site-extra.conf": "upstream u { server 127.0.0.1:8000; }\n",
		"ring/a.conf":              "include b.conf;\nserver_tokens off;\n",
		"ring/b.conf":              "include a.conf;\n",
	})
	var roots []string
	for _, tr := range trees {
		roots = append(roots, tr.Root().Path)
		if !tr.Fragment {
			t.Errorf("%s: not a fragment", tr.Root().Path)
		}
		http := tr.Main.Children[0]
		if len(tr.Main.Children) != 1 || http.Name != "http" || !http.Synthetic {
			t.Errorf("%s: fragment not wrapped in http", tr.Root().Path)
		}
	}
	// snippets are included by the fragments, so they are not roots; of
	// the include ring the first file is the root.
	if got := strings.Join(roots, " "); got != "conf.d/api.conf ring/a.conf sites-available/site" {
		t.Errorf("roots %s", got)
	}
	// The fragment's prefix is the parent of conf.d/, so snippets/
	// resolves; the ring reports its cycle once.
	if got := strings.Join(codes(probs), ";"); got != "include-cycle ring/b.conf:1:1" {
		t.Errorf("problems %s", got)
	}
	if trees[0].Prefix != "" || find(trees[0], "proxy_set_header", "X-A") == nil {
		t.Errorf("api.conf prefix %q: %v", trees[0].Prefix, names(trees[0]))
	}
}

func TestFragmentPrefixFromMainAbove(t *testing.T) {
	trees, probs := load(t, map[string]string{
		"ops/nginx/nginx.conf":       "events {}\nhttp { server { listen 80; } }\n",
		"ops/nginx/extra/vhost.conf": "server { include snippets/h.conf; }\n",
		"ops/nginx/snippets/h.conf":  "proxy_set_header X-B 1;\n",
	})
	if len(probs) > 0 {
		t.Fatalf("problems: %v", codes(probs))
	}
	if len(trees) != 2 || trees[0].Root().Path != "ops/nginx/extra/vhost.conf" || trees[0].Prefix != "ops/nginx" {
		t.Fatalf("trees: %d, first %s prefix %q", len(trees), trees[0].Root().Path, trees[0].Prefix)
	}
}

func TestProblemsOfDroppedFragmentTreesAreNotReported(t *testing.T) {
	// b.conf is included by a.conf; expanded on its own (as a candidate
	// root) its include would resolve elsewhere and fail.
	_, probs := load(t, map[string]string{
		"x/conf.d/a.conf":   "include conf.d/b.conf;\n",
		"x/conf.d/b.conf":   "include snippets/s.conf;\n",
		"x/snippets/s.conf": "proxy_set_header X 1;\n",
	})
	if len(probs) > 0 {
		t.Fatalf("problems: %v", codes(probs))
	}
}

func TestLoadReadErrors(t *testing.T) {
	r := newMem(map[string]string{"nginx.conf": "events {}"})
	r.unreadable["nginx.conf"] = errors.New("permission denied")
	trees, probs := Load(r, []string{"nginx.conf"})
	if len(trees) != 0 || len(probs) != 1 || probs[0].Kind != source.ProblemSkipped || probs[0].Range.Start.Line != 1 {
		t.Fatalf("trees %d problems %v", len(trees), probs)
	}
}

func TestParseErrorsReportedOncePerFile(t *testing.T) {
	_, probs := load(t, map[string]string{
		"nginx.conf":       "events {}\nhttp { server { include common; } server { include common; } }\n",
		"common":           "proxy_set_header X \"unterminated;\n",
		"other/nginx.conf": "events {}\nhttp { include ../common; }\n",
	})
	n := 0
	for _, p := range probs {
		if p.Kind == source.ProblemSyntax {
			n++
		}
	}
	if n != 1 {
		t.Errorf("E001 reported %d times: %v", n, codes(probs))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestFragmentDirectoryMountedAsConfD(t *testing.T) {
	// docker-compose mounts ./nginx as /etc/nginx/conf.d: the fragment's
	// absolute includes name its own directory.
	trees, probs := load(t, map[string]string{
		"nginx/https.conf":    "server { include /etc/nginx/conf.d/server_config; include /etc/nginx/conf.d/loc*; }\n",
		"nginx/server_config": "listen 443 ssl;\n",
		"nginx/locations":     "location / { proxy_pass http://web; }\n",
	}, "nginx/https.conf")
	if len(probs) > 0 {
		t.Fatalf("problems: %v", codes(probs))
	}
	if find(trees[0], "listen", "443") == nil || find(trees[0], "proxy_pass", "") == nil {
		t.Errorf("fragment's directory not used: %v", names(trees[0]))
	}
}

func TestIncludeOfADirectory(t *testing.T) {
	_, probs := load(t, map[string]string{
		"nginx.conf":      "events {}\nhttp { include conf.d; }\n",
		"conf.d/app.conf": "server { listen 80; }\n",
	}, "nginx.conf")
	if got := strings.Join(codes(probs), ";"); got != "skipped nginx.conf:2:8" || !strings.Contains(probs[0].Detail, "directory") {
		t.Fatalf("got %s %v", got, probs)
	}
}

func TestIncludeChain(t *testing.T) {
	trees, _ := load(t, map[string]string{
		"nginx.conf": "events {}\nhttp { server { include a.conf; } }\n",
		"a.conf":     "include b.conf;\n",
		"b.conf":     "proxy_set_header X 1;\n",
	}, "nginx.conf")
	d := find(trees[0], "proxy_set_header", "X")
	chain := d.Includes()
	if len(chain) != 2 || chain[0].Arg(0) != "b.conf" || chain[0].File.Path != "a.conf" || chain[1].Arg(0) != "a.conf" || chain[1].File.Path != "nginx.conf" {
		t.Fatalf("chain %v", chain)
	}
	if d.Parent.Name != "server" || chain[0].Parent != d.Parent || chain[1].Parent != d.Parent {
		t.Error("every directive of the chain belongs to the server block")
	}
}

// TestFilesExpandedMoreThanOnce: the first expansion of a file takes its
// parsed directives and later ones copy them; every expansion must still
// be the file as written (not the first one's spliced includes), with
// parents, include links and indexes of its own tree.
func TestFilesExpandedMoreThanOnce(t *testing.T) {
	common := "location /c {\n  include inner.conf;\n  proxy_pass http://c;\n}\n"
	for i := range manyChildren {
		common += "add_header X-" + strings.Repeat("a", i+1) + " v;\n"
	}
	trees, probs := load(t, map[string]string{
		"a/nginx.conf":  "events {}\nhttp {\n  server { include common.conf; }\n  server { include common.conf; }\n}\n",
		"a/common.conf": common,
		"a/inner.conf":  "proxy_set_header X-Inner 1;\n",
		"b/nginx.conf":  "events {}\nhttp {\n  server { include ../a/common.conf; }\n}\n",
		"b/inner.conf":  "proxy_set_header X-Inner 2;\n", // relative to b's prefix
	})
	if len(probs) > 0 {
		t.Fatalf("problems: %v", codes(probs))
	}
	if len(trees) != 2 {
		t.Fatalf("%d trees, want 2", len(trees))
	}
	seen := map[*Directive]*Tree{}
	for _, tree := range trees {
		var servers []*Directive
		tree.Walk(func(d *Directive) bool {
			if prev := seen[d]; prev != nil {
				t.Errorf("%s: %s:%s is also in %s", tree.root.Path, d.File.Path, d.Name, prev.root.Path)
			}
			seen[d] = tree
			top := d
			for top.Parent != nil {
				top = top.Parent
			}
			if top != tree.Main {
				t.Errorf("%s: %s:%s has no parent chain to its tree's main", tree.root.Path, d.File.Path, d.Name)
			}
			for _, c := range d.Children {
				if c.Parent != d {
					t.Errorf("%s: child %s of %s has another parent", tree.root.Path, c.Name, d.Name)
				}
			}
			if d.Name == "server" {
				servers = append(servers, d)
			}
			return true
		})
		for _, s := range servers {
			inc := s.First("include")
			loc := s.First("location")
			if inc == nil || loc == nil || loc.Via != inc || inc.Include() == nil || inc.Include().Files[0] != "a/common.conf" {
				t.Fatalf("%s: server without its included location: %v", tree.root.Path, names(tree))
			}
			if s.byName() == nil || len(s.Find("add_header")) != manyChildren || s.Find("add_header")[0].Parent != s {
				t.Errorf("%s: server's index is not of its own children", tree.root.Path)
			}
			var got []string
			for _, c := range loc.Children {
				got = append(got, c.File.Path+":"+c.Name)
				if c.Name == "proxy_set_header" && (c.Via == nil || c.Via.Parent != loc) {
					t.Errorf("%s: the inner directive's include is not this location's", tree.root.Path)
				}
			}
			want := []string{"a/common.conf:include", tree.Prefix + "/inner.conf:proxy_set_header", "a/common.conf:proxy_pass"}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("%s: location children %v, want %v", tree.root.Path, got, want)
			}
		}
	}
}
