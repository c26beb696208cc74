package prove

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/parsertest"
)

// rebuildCorpus rebuilds the corpus's repositories (every file back at its
// path in its repository, scripts/corpus-repos.sh) under a temporary
// directory and returns their directories; it skips when the corpus is
// absent.
func rebuildCorpus(t testing.TB) []string {
	t.Helper()
	corpus := filepath.Dir(parsertest.CorpusDir("nginx"))
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("corpus not present at %s", corpus)
	}
	out := filepath.Join(t.TempDir(), "repos")
	cmd := exec.Command("bash", filepath.Join("..", "..", "scripts", "corpus-repos.sh"), out, corpus)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("corpus-repos.sh: %v\n%s", err, b)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(out, e.Name()))
		}
	}
	sort.Strings(dirs)
	return dirs
}

// TestCorpusConfigTest rewrites every nginx, HAProxy, httpd and Caddy
// configuration of the corpus, rebuilt per repository, and runs each
// server's configuration test on the copy. It checks that no rewritten
// configuration writes outside its sandbox, and logs how many pass and
// why the others fail, grouped.
func TestCorpusConfigTest(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs a configuration test per configuration of the corpus")
	}
	needServers(t, "nginx", "haproxy", "apache", "caddy")
	repos := rebuildCorpus(t)
	tmp := t.TempDir()
	var all []outcome
	for i, dir := range repos {
		outs := rewriteDir(t, dir, filepath.Join(tmp, filepath.Base(dir)), map[string]bool{"nginx": true, "haproxy": true, "apache": true})
		for _, o := range outs {
			if !o.Passed && testing.Verbose() {
				t.Logf("%s %s: %s", filepath.Base(dir), o.Root, o.Reason)
			}
		}
		all = append(all, outs...)
		// Sandboxes are small, but the corpus has hundreds of repositories.
		_ = os.RemoveAll(filepath.Join(tmp, filepath.Base(repos[i])))
	}
	// The Caddy corpus holds the adapter's test cases, whose input the flat
	// corpus has extracted (*__input.caddyfile); rebuilt, they are test
	// files, not Caddyfiles.
	caddyDir := parsertest.CorpusDir("caddy")
	entries, _ := os.ReadDir(caddyDir)
	for _, e := range entries {
		if e.IsDir() {
			all = append(all, rewriteDir(t, filepath.Join(caddyDir, e.Name()), filepath.Join(tmp, "caddy-"+e.Name()), map[string]bool{"caddy": true})...)
		}
	}
	t.Logf("corpus, %d repositories (and the flat Caddy corpus):\n%s", len(repos), summary(all))
}
