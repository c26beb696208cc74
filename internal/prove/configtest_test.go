package prove

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
)

// outcome is what happened to one configuration tree of a directory.
type outcome struct {
	Dir, Root, Kind string
	Passed          bool
	Refused         string // the first refusal, when the plan is not started
	Reason          string // why it is not run or why its configuration test failed
	Output          string
	Plan            *Plan
}

// servers is found once per test binary.
var servers = FindServers(context.Background(), nil)

// needServers skips (fails under CI=true) when a program is missing.
func needServers(t testing.TB, kinds ...string) {
	t.Helper()
	for _, k := range kinds {
		if _, err := servers.For(k); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal(err)
			}
			t.Skip(err)
		}
	}
}

// rewriteDir loads a directory as a workspace, rewrites each proxy
// configuration of the given kinds in a new sandbox under tmp, and runs
// each server's configuration test on the copy.
func rewriteDir(t testing.TB, dir, tmp string, kinds map[string]bool) []outcome {
	t.Helper()
	ctx := context.Background()
	ws, err := parsers.Load(ctx, parsers.Options{Root: dir})
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	sb, err := NewSandbox(tmp, HostNames(ws))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	var out []outcome
	for _, tree := range ws.Trees {
		if !kinds[tree.Kind()] {
			continue
		}
		o := outcome{Dir: dir, Root: tree.Root().Path, Kind: tree.Kind()}
		if !Runnable(tree) {
			o.Reason = "a Caddy JSON configuration is not rewritten"
			out = append(out, o)
			continue
		}
		p, err := sb.Rewrite(ws, tree)
		if err != nil {
			t.Errorf("%s: %s: %v", dir, o.Root, err)
			continue
		}
		o.Plan = p
		checkConfined(t, p, sb)
		if !p.Testable() {
			o.Refused = p.Refusals[0].Directive
			o.Reason = "refused: " + p.Refusals[0].Directive + " " + p.Refusals[0].Reason
			out = append(out, o)
			continue
		}
		srv, err := servers.For(tree.Kind())
		if err != nil {
			o.Reason = err.Error()
			out = append(out, o)
			continue
		}
		o.Output, err = p.ConfigTest(ctx, srv)
		var ce *ConfigError
		switch {
		case err == nil:
			o.Passed = true
		case errors.As(err, &ce):
			o.Reason = ce.Reason
		default:
			t.Errorf("%s: %s: %v", dir, o.Root, err)
		}
		out = append(out, o)
	}
	return out
}

// checkConfined fails when a rewritten file names a path the servers
// would write to outside the sandbox: every pid, log, temp, cache and
// socket path the rewriter knows of points inside it.
func checkConfined(t testing.TB, p *Plan, sb *Sandbox) {
	t.Helper()
	err := filepath.WalkDir(p.Dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".py") || strings.HasSuffix(path, ".wsgi") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if w := writtenOutside(p.Kind, line, sb.Dir); w != "" {
				t.Errorf("%s:%d: %s writes outside the sandbox: %s", path, i+1, w, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// writtenOutside returns the directive of a line that names a file the
// server writes, when that file is outside dir.
func writtenOutside(kind, line, dir string) string {
	f := strings.Fields(strings.TrimSpace(line))
	if len(f) < 2 || strings.HasPrefix(f[0], "#") {
		return ""
	}
	name := strings.ToLower(strings.TrimPrefix(f[0], "<"))
	arg := strings.Trim(f[1], `"';`)
	writes := map[string]bool{
		"pid": true, "error_log": true, "access_log": true, "client_body_temp_path": true, "proxy_temp_path": true,
		"fastcgi_temp_path": true, "uwsgi_temp_path": true, "scgi_temp_path": true, "proxy_cache_path": true, "lock_file": true,
		"pidfile": true, "errorlog": true, "customlog": true, "transferlog": true, "scoreboardfile": true,
		"defaultruntimedir": true, "cacheroot": true, "davlockdb": true,
	}
	switch {
	case kind == "haproxy" && name == "stats" && f[1] == "socket" && len(f) > 2:
		arg = strings.Trim(f[2], `"'`)
	case !writes[name]:
		return ""
	}
	if arg == "off" || arg == "stderr" || arg == "stdout" || strings.HasPrefix(arg, "/dev/null") {
		return ""
	}
	if strings.HasPrefix(arg, dir+"/") {
		return ""
	}
	return name
}

// trailingDetail is the parenthesised detail that ends a reason (which
// file is missing), left out when grouping.
var trailingDetail = regexp.MustCompile(` \([^()]*\)$`)

// summary counts outcomes by kind and groups the failures by reason.
func summary(outs []outcome) string {
	var b strings.Builder
	byKind := map[string][]outcome{}
	for _, o := range outs {
		byKind[o.Kind] = append(byKind[o.Kind], o)
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		passed, refused := 0, 0
		reasons := map[string]int{}
		for _, o := range byKind[k] {
			switch {
			case o.Passed:
				passed++
			case o.Refused != "":
				refused++
				reasons[o.Reason]++
			default:
				reasons[trailingDetail.ReplaceAllString(o.Reason, "")]++
			}
		}
		fmt.Fprintf(&b, "%s: %d configurations, %d pass the configuration test, %d refused, %d fail\n", k, len(byKind[k]), passed, refused, len(byKind[k])-passed-refused)
		type kv struct {
			r string
			n int
		}
		var list []kv
		for r, n := range reasons {
			list = append(list, kv{r, n})
		}
		sort.Slice(list, func(i, j int) bool {
			if list[i].n != list[j].n {
				return list[i].n > list[j].n
			}
			return list[i].r < list[j].r
		})
		for _, x := range list {
			fmt.Fprintf(&b, "  %3d  %s\n", x.n, x.r)
		}
	}
	return b.String()
}
