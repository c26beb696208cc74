package bench

// Speed benchmarks. Run them one family at a time on a quiet machine:
//
//	go test ./internal/bench -run '^$' -bench CheckCorpus -benchtime 20x
//	go test ./internal/bench -run '^$' -bench CheckProcess -benchtime 20x
//	go test ./internal/bench -run '^$' -bench 'CheckMonorepo(Process)?$' -benchtime 5x
//	go test ./internal/bench -run '^$' -bench CheckMonorepoGrowth -benchtime 1x
//	go test ./internal/bench -run '^$' -bench 'Audit(1000|Process)' -benchtime 3x
//	go test ./internal/bench -run '^$' -bench AuditScaling -benchtime 1x -timeout 1h
//
// Generated inputs are written once per process under a temporary
// directory and removed at the end; with MTLSLINT_BENCH_DIR set they are
// kept there and reused by later runs (writing 10,000 repositories takes
// minutes on a slow disk). The corpus benchmarks skip when
// ../shared/corpus is absent (MTLSLINT_CORPUS names another place).

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mtlslint/mtlslint/internal/audit"
	"github.com/mtlslint/mtlslint/internal/gen"
	"github.com/mtlslint/mtlslint/internal/lint"
)

var scratch string // temporary directory for generated inputs

func TestMain(m *testing.M) {
	var err error
	scratch, err = os.MkdirTemp("", "mtlslint-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(scratch)
	os.Exit(code)
}

// corpusDir finds the shared corpus: $MTLSLINT_CORPUS, shared/corpus in a
// directory above this package, or /work/shared/corpus.
func corpusDir() string {
	if d := os.Getenv("MTLSLINT_CORPUS"); d != "" {
		return d
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if st, err := os.Stat(filepath.Join(d, "shared", "corpus")); err == nil && st.IsDir() {
				return filepath.Join(d, "shared", "corpus")
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if st, err := os.Stat("/work/shared/corpus"); err == nil && st.IsDir() {
		return "/work/shared/corpus"
	}
	return ""
}

// size counts the regular files below dir and their bytes (.git aside).
func size(tb testing.TB, dir string) (files int, bytes int64) {
	tb.Helper()
	// (a trailing separator enters dir when it is a symbolic link)
	err := filepath.WalkDir(dir+string(filepath.Separator), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return fs.SkipDir
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			files++
			bytes += info.Size()
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files, bytes
}

var generated sync.Map // name → *sync.Once-guarded result

type genResult struct {
	once sync.Once
	dir  string
	err  error
}

// generate writes an input once per process.
func generate(tb testing.TB, name string, write func(dir string) error) string {
	tb.Helper()
	v, _ := generated.LoadOrStore(name, &genResult{})
	g := v.(*genResult)
	g.once.Do(func() {
		if keep := os.Getenv("MTLSLINT_BENCH_DIR"); keep != "" {
			g.dir = filepath.Join(keep, name)
			done := filepath.Join(keep, name+".complete")
			if _, err := os.Stat(done); err == nil {
				return
			}
			if g.err = os.RemoveAll(g.dir); g.err != nil {
				return
			}
			if g.err = write(g.dir); g.err == nil {
				g.err = os.WriteFile(done, nil, 0o644)
			}
			return
		}
		g.dir = filepath.Join(scratch, name)
		g.err = write(g.dir)
	})
	if g.err != nil {
		tb.Fatal(g.err)
	}
	return g.dir
}

func org(tb testing.TB, n int) string {
	return generate(tb, fmt.Sprintf("org-%d", n), func(dir string) error {
		_, err := gen.Org(dir, n, gen.Options{Seed: 1})
		return err
	})
}

func monorepo(tb testing.TB, files int) string {
	return generate(tb, fmt.Sprintf("monorepo-%d", files), func(dir string) error {
		_, err := gen.Monorepo(dir, files, gen.Options{Seed: 1})
		return err
	})
}

// benchCheck lints root in process, once per iteration, with the rules
// ignore does not deselect.
func benchCheck(b *testing.B, root string, ignore ...string) {
	files, bytes := size(b, root)
	b.SetBytes(bytes)
	parsed := 0
	for b.Loop() {
		// As check: the trees are released after their last reader.
		res, err := lint.Run(context.Background(), lint.Options{Root: root, NoConfig: true, Ignore: ignore, ReleaseTrees: true})
		if err != nil {
			b.Fatal(err)
		}
		parsed = len(res.Workspace.Files())
	}
	b.ReportMetric(float64(files)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
	b.ReportMetric(float64(parsed), "files-parsed")
}

// BenchmarkCheckCorpus lints each format folder of the real corpus, and
// all of it, in process.
func BenchmarkCheckCorpus(b *testing.B) {
	dir := corpusDir()
	if dir == "" {
		b.Skip("no corpus (set MTLSLINT_CORPUS)")
	}
	b.Run("all", func(b *testing.B) { benchCheck(b, dir) })
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			b.Run(e.Name(), func(b *testing.B) { benchCheck(b, filepath.Join(dir, e.Name())) })
		}
	}
}

// scalesBadly are the rules whose cost grows faster than linearly with the
// services of one workspace: the deployment-scope rules, and G001, which
// builds every app of the workspace for each gunicorn configuration.
var scalesBadly = []string{"X", "G001", "G004", "T001", "T002"}

// BenchmarkCheckMonorepo lints one generated repository of 10,000 files
// (about 530 services) without the rules in scalesBadly: the front ends and the
// rules that look at one file or tree.
func BenchmarkCheckMonorepo(b *testing.B) {
	benchCheck(b, monorepo(b, 10000), scalesBadly...)
}

// BenchmarkCheckMonorepoGrowth lints generated monorepos of growing size
// with every rule, cross-file ones included, to show how time grows with
// the number of services in one workspace.
func BenchmarkCheckMonorepoGrowth(b *testing.B) {
	for _, n := range []int{250, 500, 1000} {
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) { benchCheck(b, monorepo(b, n)) })
	}
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// mtlslint builds the command once.
func mtlslint(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		binary = filepath.Join(scratch, "mtlslint")
		out, err := exec.Command("go", "build", "-o", binary, "../../cmd/mtlslint").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binary
}

// benchProcess runs the command once per iteration and reports the peak
// resident memory of the largest run, measured by GNU time when it is
// installed: a child's own rusage is no good here, because Linux carries
// the resident high-water mark of the forking benchmark process over
// exec.
func benchProcess(b *testing.B, files int, bytes int64, args ...string) {
	bin := mtlslint(b)
	if bytes > 0 {
		b.SetBytes(bytes)
	}
	gnuTime := "/usr/bin/time"
	if _, err := os.Stat(gnuTime); err != nil {
		gnuTime = ""
	}
	rssFile := filepath.Join(b.TempDir(), "rss")
	var maxRSS int64
	for b.Loop() {
		cmd := exec.Command(bin, args...)
		if gnuTime != "" {
			cmd = exec.Command(gnuTime, append([]string{"-f", "%M", "-o", rssFile, bin}, args...)...)
		}
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			err = nil // findings
		}
		if err != nil {
			b.Fatalf("%v: %v", args, err)
		}
		if gnuTime != "" {
			if out, err := os.ReadFile(rssFile); err == nil {
				lines := strings.Fields(string(out))
				if kib, err := strconv.ParseInt(lines[len(lines)-1], 10, 64); err == nil {
					maxRSS = max(maxRSS, kib)
				}
			}
		}
	}
	if files > 0 {
		b.ReportMetric(float64(files)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
	}
	if maxRSS > 0 {
		b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MiB")
	}
}

// BenchmarkCheckProcess measures `mtlslint check` as a user runs it: the
// whole process, start-up included.
func BenchmarkCheckProcess(b *testing.B) {
	dir := corpusDir()
	if dir == "" {
		b.Skip("no corpus (set MTLSLINT_CORPUS)")
	}
	for _, sub := range []string{"nginx", "django", "haproxy", ""} {
		name := sub
		if name == "" {
			name = "all"
		}
		b.Run(name, func(b *testing.B) {
			root := filepath.Join(dir, sub)
			files, bytes := size(b, root)
			benchProcess(b, files, bytes, "check", "--isolated", "--format", "json", "--output", os.DevNull, root)
		})
	}
}

// BenchmarkCheckMonorepoProcess is BenchmarkCheckMonorepo through the
// command.
func BenchmarkCheckMonorepoProcess(b *testing.B) {
	root := monorepo(b, 10000)
	files, bytes := size(b, root)
	benchProcess(b, files, bytes, "check", "--isolated", "--ignore", strings.Join(scalesBadly, ","), "--format", "json", "--output", os.DevNull, root)
}

// benchAudit audits an organisation in process and reports
// repositories/s and the peak heap.
func benchAudit(b *testing.B, n int) {
	dir := org(b, n)
	repos, _, err := audit.Discover([]string{dir}, 1)
	if err != nil || len(repos) != n {
		b.Fatalf("%d repositories, %v", len(repos), err)
	}
	_, bytes := size(b, dir)
	b.SetBytes(bytes)
	var peakHeap, peakSys uint64
	findings := 0
	for b.Loop() {
		runtime.GC()
		u := Measure(0, func() {
			st, err := audit.Run(context.Background(), repos, io.Discard, audit.Options{Format: audit.JSONL})
			if err != nil {
				b.Fatal(err)
			}
			if st.Completed != n || st.Errors != 0 {
				b.Fatalf("stats %+v", st)
			}
			findings = st.Findings
		})
		peakHeap, peakSys = max(peakHeap, u.PeakHeap), max(peakSys, u.PeakSys)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "repos/s")
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peakSys)/(1<<20), "peak-sys-MiB")
	b.ReportMetric(float64(findings), "findings")
}

// BenchmarkAudit1000 audits 1,000 generated repositories in process.
func BenchmarkAudit1000(b *testing.B) { benchAudit(b, 1000) }

// BenchmarkAuditProcess audits 1,000 generated repositories with the
// command, JSON Lines to /dev/null.
func BenchmarkAuditProcess(b *testing.B) {
	dir := org(b, 1000)
	files, bytes := size(b, dir)
	benchProcess(b, files, bytes, "audit", "--depth", "1", "--quiet", "--format", "jsonl", "--output", os.DevNull, dir)
	b.ReportMetric(1000*float64(b.N)/b.Elapsed().Seconds(), "repos/s")
}

// BenchmarkAuditScaling audits 100, 1,000 and 10,000 repositories: time
// per repository should stay flat (linear total), and so should memory.
func BenchmarkAuditScaling(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("repos=%d", n), func(b *testing.B) {
			benchAudit(b, n)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n)/1e6, "ms/repo")
		})
	}
}
