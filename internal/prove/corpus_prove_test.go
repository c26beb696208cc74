package prove

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/internal/supervise"
	"github.com/mtlslint/mtlslint/parsers/parsertest"
)

// corpusRepos returns the repositories (as corpus-repos.sh names their
// directories) of the given formats' corpora.
func corpusRepos(t testing.TB, formats ...string) map[string]bool {
	out := map[string]bool{}
	for _, format := range formats {
		f, err := os.Open(filepath.Join(parsertest.CorpusDir(format), "SOURCES.tsv"))
		if err != nil {
			t.Skipf("corpus not present: %v", err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			repo, _, _ := strings.Cut(sc.Text(), "\t")
			if repo != "repo" && repo != "" {
				out[strings.ReplaceAll(repo, "/", "__")] = true
			}
		}
		f.Close()
	}
	return out
}

// TestCorpusProve runs Prove on every repository of the nginx and HAProxy
// corpora, rebuilt per repository, and logs per repository how many
// findings were confirmed, not reproduced and not testable, with the
// reasons of the last two grouped. It checks that no run leaves a
// process behind and that every run ends.
func TestCorpusProve(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts the servers of every repository of the corpus")
	}
	needServers(t, "nginx", "haproxy", KindGunicorn)
	want := corpusRepos(t, "nginx", "haproxy")
	base := servableTempDir(t)
	var repos []string
	for _, dir := range rebuildCorpus(t) {
		if want[filepath.Base(dir)] {
			repos = append(repos, dir)
		}
	}
	type row struct {
		repo   string
		counts map[Status]int
		err    error
	}
	rows := make([]row, len(repos))
	var mu sync.Mutex
	total := map[Status]int{}
	reasons := map[string]int{}
	started := time.Now()
	sem := make(chan struct{}, 3)
	t.Run("repos", func(t *testing.T) {
		for i, dir := range repos {
			t.Run(filepath.Base(dir), func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				defer func() { <-sem }()
				res, err := Prove(context.Background(), Options{
					Lint: lint.Options{Root: dir, NoConfig: true}, Servers: servers, TempDir: base,
					Limits: Limits{Time: 3 * time.Minute},
				})
				rows[i] = row{repo: filepath.Base(dir), err: err}
				if res == nil {
					t.Logf("%v", err)
					return
				}
				if len(res.Left) > 0 {
					t.Errorf("left behind: %v", res.Left)
				}
				if left, err := supervise.Leftovers(res.PIDs, res.Dir); err != nil || len(left) > 0 {
					t.Errorf("left behind: %v %v", left, err)
				}
				rows[i].counts = res.Counts()
				mu.Lock()
				defer mu.Unlock()
				for j, p := range res.Proofs {
					if p == nil {
						continue
					}
					total[p.Status]++
					if p.Status != Confirmed {
						reasons[string(p.Status)+": "+corpusReason(p.Reason)]++
					}
					t.Logf("%s %s:%d %s: %s", res.Lint.Findings[j].Code, res.Lint.Findings[j].Range.File, res.Lint.Findings[j].Range.Start.Line, p.Status, p.Reason)
				}
			})
		}
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%-50s %9s %14s %12s\n", "repository", "confirmed", "not reproduced", "not testable")
	for _, r := range rows {
		if r.err != nil && r.counts == nil {
			fmt.Fprintf(&b, "%-50s error: %v\n", r.repo, r.err)
			continue
		}
		fmt.Fprintf(&b, "%-50s %9d %14d %12d\n", r.repo, r.counts[Confirmed], r.counts[NotReproduced], r.counts[NotTestable])
	}
	t.Logf("%d repositories in %.0fs: %d confirmed, %d not reproduced, %d not testable\n%s\nreasons:\n%s",
		len(repos), time.Since(started).Seconds(), total[Confirmed], total[NotReproduced], total[NotTestable], b.String(), countLines(reasons))
}

var (
	quotedValue = regexp.MustCompile(`"[^"]*"`)
	locationAt  = regexp.MustCompile(`[\w./-]+:\d+(:\d+)?(-\d+(:\d+)?)?`)
	routeDesc   = regexp.MustCompile(`\(([^()]*)\)$`)
)

// corpusReason groups a reason: without values, ports and locations, and
// of a list of attempts only the first.
func corpusReason(s string) string {
	s, _, _ = strings.Cut(s, "; ")
	s = quotedValue.ReplaceAllString(s, `"…"`)
	s = locationAt.ReplaceAllString(s, "LOC")
	s = routeDesc.ReplaceAllString(s, "(…)")
	if len(s) > 150 {
		s = s[:150] + "…"
	}
	return s
}
