package haproxy

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The differential test runs every fixture configuration and every file of
// the HAProxy corpus through the real "haproxy -c" and through this
// parser, and compares the lexical errors: a line HAProxy refuses for a
// lexical reason (unmatched quote, bad \x, too many words, missing final
// line feed, unbalanced .if blocks) must be reported here, on that line;
// a line HAProxy reads without a lexical error must not be. Other errors
// (unknown keywords, missing certificate files, version differences) are
// counted separately and are not the lexer's business.

// lexicalAlert matches the HAProxy 2.6 messages that readcfgfile() emits
// for lexical and block-structure errors.
var lexicalAlert = regexp.MustCompile(`unmatched quote|unmatched brace in environment variable|forbidden first char in environment variable|truncated or invalid hexadecimal|truncated or invalid word expansion|too many words|Missing LF on last line|Stray NUL character|lone '\.(elif|else|endif)'|non-terminated '\.if'|after '\.else' is not permitted|too many nested '\.if'|not permitted after scope declaration|missing '\]' after scope`)

var alertLine = regexp.MustCompile(`\[ALERT\].*parsing \[([^\]:]+):(\d+)\]\s*:?\s*(.*)$`)

// haproxyBinary finds HAProxy; under CI=true its absence is a failure.
func haproxyBinary(t testing.TB) string {
	for _, p := range []string{os.Getenv("MTLSLINT_HAPROXY"), "/usr/sbin/haproxy"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("haproxy is not installed (apt-get install haproxy); the differential test cannot run under CI")
	}
	t.Skip("haproxy is not installed: skipping the differential test (apt-get install haproxy)")
	return ""
}

// corpusDir finds the shared HAProxy corpus: $MTLSLINT_CORPUS, else
// shared/corpus found by walking up from the package, else
// /work/shared/corpus.
func corpusDir() string {
	if d := os.Getenv("MTLSLINT_CORPUS"); d != "" {
		return filepath.Join(d, "haproxy")
	}
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		c := filepath.Join(d, "shared", "corpus", "haproxy")
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "/work/shared/corpus/haproxy"
}

// repoRoot is the module root (where go.mod is).
func repoRoot(t testing.TB) string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatal("go.mod not found")
		}
	}
}

// haproxyCheck is what "haproxy -c -f file" said about one file.
type haproxyCheck struct {
	exit      int
	lexical   map[int]string // line → message
	other     []string       // non-lexical alerts
	otherAt   []int          // their lines
	timedOut  bool
	stopEarly bool // HAProxy gave up before the end of the file
}

func runHAProxyCheck(bin, file string) haproxyCheck {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if abs, err := filepath.Abs(file); err == nil {
		file = abs
	}
	cmd := exec.CommandContext(ctx, bin, "-c", "-f", file)
	cmd.Dir = os.TempDir()
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/bin"}
	out, _ := cmd.CombinedOutput()
	res := haproxyCheck{lexical: map[int]string{}}
	if ctx.Err() != nil {
		res.timedOut = true
		return res
	}
	res.exit = cmd.ProcessState.ExitCode()
	base := filepath.Base(file)
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, "too many fatal errors") {
			res.stopEarly = true
		}
		m := alertLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if filepath.Base(m[1]) != base {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		if lexicalAlert.MatchString(m[3]) {
			res.lexical[n] = m[3]
		} else {
			res.other = append(res.other, m[3])
			res.otherAt = append(res.otherAt, n)
		}
	}
	return res
}

// ourLexical parses a file alone and returns the lines of its lexical
// errors.
func ourLexical(t testing.TB, path string) (map[int]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	_, probs := ParseFile(source.NewFile(filepath.Base(path), b))
	return problemLines(probs), nil
}

func problemLines(probs []source.Problem) map[int]string {
	out := map[int]string{}
	for _, p := range probs {
		if p.Kind == source.ProblemSyntax {
			out[p.Range.Start.Line] = p.Message
		}
	}
	return out
}

type diffStats struct {
	mu                       sync.Mutex
	files, agree, hapLexical int
	accepted, missingFiles   int
	otherErrors, timeouts    int
	ourLexical               int
}

func compareOne(t *testing.T, bin, path string, st *diffStats) {
	ours, err := ourLexical(t, path)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	hap := runHAProxyCheck(bin, path)
	st.mu.Lock()
	defer st.mu.Unlock()
	st.files++
	if hap.timedOut {
		st.timeouts++
		t.Logf("%s: haproxy -c timed out; not compared", path)
		return
	}
	if len(hap.lexical) > 0 {
		st.hapLexical++
	}
	if len(ours) > 0 {
		st.ourLexical++
	}
	switch {
	case hap.exit == 0 || hap.exit == 2:
		st.accepted++
	case len(hap.lexical) == 0 && allMissingFiles(hap.other):
		st.missingFiles++
	case len(hap.lexical) == 0:
		st.otherErrors++
	}
	ok := true
	for line, msg := range hap.lexical {
		if _, found := ours[line]; !found {
			ok = false
			t.Errorf("%s:%d: haproxy -c reports a lexical error (%s) that mtlslint does not", path, line, msg)
		}
	}
	for line, msg := range ours {
		if _, found := hap.lexical[line]; !found {
			if hap.stopEarly || confirmedAfterBlanking(bin, path, hap, line) {
				continue
			}
			ok = false
			t.Errorf("%s:%d: mtlslint reports a lexical error (%s) that haproxy -c does not (haproxy: exit %d, %d other alerts)", path, line, msg, hap.exit, len(hap.other))
		}
	}
	if ok {
		st.agree++
	}
}

// confirmedAfterBlanking handles a keyword error that makes HAProxy stop
// reading a file before it reaches a later lexical error: the lines HAProxy
// refused for non-lexical reasons are blanked in a copy (line numbers
// kept), and the copy is checked again, a few rounds at most. It reports
// whether HAProxy then reports a lexical error on line.
func confirmedAfterBlanking(bin, path string, hap haproxyCheck, line int) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	dir, err := os.MkdirTemp("", "mtlslint-diff-")
	if err != nil {
		return false
	}
	defer os.RemoveAll(dir)
	copyPath := filepath.Join(dir, filepath.Base(path))
	lines := strings.Split(string(b), "\n")
	for round := 0; round < 8; round++ {
		blanked := false
		for _, n := range hap.otherAt {
			if n >= 1 && n < line && n <= len(lines) && lines[n-1] != "" {
				lines[n-1] = ""
				blanked = true
			}
		}
		if !blanked {
			return false
		}
		if err := os.WriteFile(copyPath, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			return false
		}
		hap = runHAProxyCheck(bin, copyPath)
		if _, ok := hap.lexical[line]; ok {
			return true
		}
	}
	return false
}

var missingFile = regexp.MustCompile(`(?i)no such file|unable to stat|unable to load|cannot open|unable to read|failed to open|unable to find|unable to load SSL`)

func allMissingFiles(alerts []string) bool {
	if len(alerts) == 0 {
		return false
	}
	for _, a := range alerts {
		if !missingFile.MatchString(a) && !strings.Contains(a, "Error(s) found") && !strings.Contains(a, "Fatal errors") {
			return false
		}
	}
	return true
}

func differential(t *testing.T, files []string) *diffStats {
	bin := haproxyBinary(t)
	st := &diffStats{}
	work := make(chan string)
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				compareOne(t, bin, p, st)
			}
		}()
	}
	for _, f := range files {
		work <- f
	}
	close(work)
	wg.Wait()
	return st
}

func cfgFiles(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".cfg") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func TestDifferentialFixtures(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "fixtures", "haproxy")
	files := append(cfgFiles(t, dir), cfgFiles(t, filepath.Join("testdata"))...)
	if len(files) == 0 {
		t.Fatalf("no fixture configurations under %s", dir)
	}
	st := differential(t, files)
	t.Logf("fixtures: %d files, %d agree with haproxy -c on lexical errors; haproxy reported lexical errors in %d", st.files, st.agree, st.hapLexical)
}

func TestDifferentialCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus differential skipped in -short mode")
	}
	dir := corpusDir()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("HAProxy corpus not found at %s (set MTLSLINT_CORPUS): skipping", dir)
	}
	files := cfgFiles(t, dir)
	if len(files) == 0 {
		t.Skipf("no .cfg files in %s", dir)
	}
	st := differential(t, files)
	t.Logf("corpus: %d files; %d agree with haproxy -c on lexical errors; haproxy -c: %d accepted, %d failed only on missing files, %d failed on other (non-lexical) errors, %d with lexical errors; mtlslint: %d with lexical errors; %d timeouts",
		st.files, st.agree, st.accepted, st.missingFiles, st.otherErrors, st.hapLexical, st.ourLexical, st.timeouts)
	fmt.Fprintf(os.Stderr, "corpus differential: files=%d agree=%d haproxy-lexical=%d mtlslint-lexical=%d accepted=%d missing-files-only=%d other-errors=%d\n",
		st.files, st.agree, st.hapLexical, st.ourLexical, st.accepted, st.missingFiles, st.otherErrors)
}
