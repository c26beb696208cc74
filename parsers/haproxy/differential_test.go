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
// a line HAProxy reads without a lexical error must not be. The same
// comparison covers what Rejected reports (E008, E009): unknown keywords
// and proxies of one name on their lines, undefined backends by proxy and
// backend name once HAProxy gets that far. Other errors (missing
// certificate files, version differences) are counted separately.

// lexicalAlert matches the HAProxy 2.6 messages that readcfgfile() emits
// for lexical and block-structure errors.
var lexicalAlert = regexp.MustCompile(`unmatched quote|unmatched brace in environment variable|forbidden first char in environment variable|truncated or invalid hexadecimal|truncated or invalid word expansion|too many words|Missing LF on last line|Stray NUL character|lone '\.(elif|else|endif)'|non-terminated '\.if'|after '\.else' is not permitted|too many nested '\.if'|not permitted after scope declaration|missing '\]' after scope`)

var alertLine = regexp.MustCompile(`\[ALERT\].*[Pp]arsing \[([^\]:]+):(\d+)\]\s*:?\s*(.*)$`)

// The HAProxy 2.6 messages for what Rejected reports.
var (
	unknownKeywordAlert = regexp.MustCompile(`^unknown keyword '([^']*)' in '(global|defaults|frontend|backend|listen)' section`)
	sameNameAlert       = regexp.MustCompile(`has the same name as`)
	undefinedAlert      = regexp.MustCompile(`\[ALERT\].*Proxy '([^']*)': unable to find required (?:use_backend|default_backend): '([^']*)'`)
)

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
	// rejected are the lines of unknown-keyword and same-name alerts;
	// undefined are "proxy|backend" pairs of undefined-backend alerts.
	rejected  map[int]string
	undefined map[string]bool
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
	res := haproxyCheck{lexical: map[int]string{}, rejected: map[int]string{}, undefined: map[string]bool{}}
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
		if u := undefinedAlert.FindStringSubmatch(line); u != nil {
			res.undefined[u[1]+"|"+u[2]] = true
			continue
		}
		m := alertLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if filepath.Base(m[1]) != base {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		if unknownKeywordAlert.MatchString(m[3]) || sameNameAlert.MatchString(m[3]) {
			res.rejected[n] = m[3]
		}
		if lexicalAlert.MatchString(m[3]) {
			res.lexical[n] = m[3]
		} else {
			res.other = append(res.other, m[3])
			res.otherAt = append(res.otherAt, n)
		}
	}
	return res
}

// ours is what mtlslint says about one file loaded alone.
type ours struct {
	lexical  map[int]string // line → message of a lexical error (E001)
	rejected map[int]string // line → message of E008
	// undefined are the "proxy|backend" pairs that E009 covers: a
	// frontend's use_backend or default_backend (its own or inherited)
	// whose line carries E009, as HAProxy names them.
	undefined map[string]bool
	// conditional are lines inside .if blocks, which Rejected leaves out.
	conditional map[int]bool
	// section is the kind of section each keyword line belongs to.
	section map[int]string
	// alone is, for each E008 line, a configuration that holds only what
	// the finding is about: the section header and the line, or the two
	// headers of one name.
	alone map[int][]string
}

// ourFindings parses a file alone, builds its configuration and returns
// its lexical errors and what Rejected reports.
func ourFindings(path string) (*ours, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, probs := ParseFile(source.NewFile(filepath.Base(path), b))
	c := Build([]*File{f})
	probs = append(probs, Rejected(c)...)
	o := &ours{lexical: map[int]string{}, rejected: map[int]string{}, undefined: map[string]bool{}, conditional: map[int]bool{}, section: map[int]string{}, alone: map[int][]string{}}
	undefinedAt := map[int]bool{}
	for _, p := range probs {
		switch p.Kind {
		case source.ProblemSyntax:
			o.lexical[p.Range.Start.Line] = p.Message
		case source.ProblemRejected:
			o.rejected[p.Range.Start.Line] = p.Message
		case source.ProblemUndefinedBackend:
			undefinedAt[p.Range.Start.Line] = true
		}
	}
	headers := map[int]*Line{}
	for _, s := range c.Sections {
		headers[s.Header.Num()] = s.Header
		for _, l := range append([]*Line{s.Header}, s.Lines...) {
			if l.Conditional() {
				o.conditional[l.Num()] = true
			}
			o.section[l.Num()] = s.Kind
			if _, ok := o.rejected[l.Num()]; ok && l != s.Header {
				o.alone[l.Num()] = []string{s.Header.Text(), "    " + l.Text()}
			}
		}
	}
	for _, p := range probs {
		if h := headers[p.Range.Start.Line]; p.Kind == source.ProblemRejected && h != nil && len(p.Related) == 1 {
			if first := headers[p.Related[0].Range.Start.Line]; first != nil {
				o.alone[h.Num()] = []string{first.Text(), h.Text()}
			}
		}
	}
	for _, p := range c.Frontends() {
		for _, u := range append(append([]*UseBackend{}, p.UseBackends...), p.DefaultBackend) {
			if u != nil && undefinedAt[u.Line.Num()] {
				o.undefined[p.Name+"|"+u.Backend] = true
			}
		}
	}
	return o, nil
}

type diffStats struct {
	mu                       sync.Mutex
	files, agree, hapLexical int
	accepted, missingFiles   int
	otherErrors, timeouts    int
	ourLexical               int
	// What Rejected reports: files where haproxy -c reports an unknown
	// keyword or a duplicate name, files where mtlslint does, files where
	// both agree line by line; files where haproxy got as far as
	// resolving backends, and those among them where both name the same
	// undefined ones.
	hapRejected, ourRejected, rejectedAgree int
	backendsChecked, backendsAgree          int
	// versionOnly counts lines HAProxy 2.6 refuses for a keyword (or a
	// section) that another release knows, which mtlslint accepts.
	versionOnly int
}

func compareOne(t *testing.T, bin, path string, st *diffStats) {
	o, err := ourFindings(path)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	ours := o.lexical
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
			if hap.stopEarly || confirmedAfterBlanking(bin, path, hap, line, func(h haproxyCheck) bool { _, ok := h.lexical[line]; return ok }) {
				continue
			}
			ok = false
			t.Errorf("%s:%d: mtlslint reports a lexical error (%s) that haproxy -c does not (haproxy: exit %d, %d other alerts)", path, line, msg, hap.exit, len(hap.other))
		}
	}
	if ok {
		st.agree++
	}
	compareRejected(t, bin, path, hap, o, st)
}

// refusedAlone checks a finding HAProxy did not get to (it stops after a
// number of errors): it runs haproxy -c on the lines of the finding alone
// and reports whether HAProxy refuses the last of them as Rejected says.
func refusedAlone(bin string, lines []string) bool {
	if len(lines) == 0 {
		return false
	}
	key := strings.Join(lines, "\n")
	aloneMu.Lock()
	verdict, ok := aloneCache[key]
	aloneMu.Unlock()
	if ok {
		return verdict
	}
	dir, err := os.MkdirTemp("", "mtlslint-alone-")
	if err != nil {
		return false
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "alone.cfg")
	if err := os.WriteFile(p, []byte(key+"\n"), 0o644); err != nil {
		return false
	}
	_, verdict = runHAProxyCheck(bin, p).rejected[len(lines)]
	aloneMu.Lock()
	aloneCache[key] = verdict
	aloneMu.Unlock()
	return verdict
}

var (
	aloneMu    sync.Mutex
	aloneCache = map[string]bool{}
)

// knownIn reports whether some HAProxy release knows kw in a section of
// the kind given.
func knownIn(kind, kw string) bool {
	if kind == "global" {
		return globalKeywords()[kw]
	}
	return proxyKeywords()[kw]
}

// compareRejected compares what Rejected reports with what haproxy -c
// refuses: an unknown keyword or a duplicate name on the same line (a
// conditional line HAProxy read is not ours to judge), and, when HAProxy
// got past parsing to resolving backends, the same undefined backends.
func compareRejected(t *testing.T, bin, path string, hap haproxyCheck, o *ours, st *diffStats) {
	if len(hap.rejected) > 0 {
		st.hapRejected++
	}
	if len(o.rejected) > 0 {
		st.ourRejected++
	}
	ok := true
	for line, msg := range hap.rejected {
		if _, found := o.rejected[line]; found || o.conditional[line] {
			continue
		}
		if m := unknownKeywordAlert.FindStringSubmatch(msg); m != nil && (knownIn(m[2], m[1]) || o.section[line] != m[2]) {
			st.versionOnly++ // a later release's keyword, or a line of a section 2.6 does not know
			continue
		}
		ok = false
		t.Errorf("%s:%d: haproxy -c refuses the line (%s); mtlslint reports no E008 there", path, line, msg)
	}
	for line, msg := range o.rejected {
		if _, found := hap.rejected[line]; !found && !hap.stopEarly && !refusedAlone(bin, o.alone[line]) {
			ok = false
			t.Errorf("%s:%d: mtlslint reports E008 (%s); haproxy -c does not refuse the line (exit %d)", path, line, msg, hap.exit)
		}
	}
	if ok {
		st.rejectedAgree++
	}
	// HAProxy resolves backends only when the file parsed: without line
	// alerts, its verdict on them is complete.
	if len(hap.lexical) > 0 || len(hap.other) > 0 || hap.stopEarly {
		return
	}
	st.backendsChecked++
	same := true
	for k := range hap.undefined {
		if !o.undefined[k] {
			same = false
			t.Errorf("%s: haproxy -c cannot find the backend of %s; mtlslint reports no E009", path, k)
		}
	}
	for k := range o.undefined {
		if !hap.undefined[k] {
			same = false
			t.Errorf("%s: mtlslint reports an undefined backend (E009) for %s; haproxy -c finds it", path, k)
		}
	}
	if same {
		st.backendsAgree++
	}
}

// confirmedAfterBlanking handles a keyword error that makes HAProxy stop
// reading a file before it reaches a later lexical error: the lines HAProxy
// refused for non-lexical reasons are blanked in a copy (line numbers
// kept), and the copy is checked again, a few rounds at most. It reports
// whether HAProxy then says what found looks for about line.
func confirmedAfterBlanking(bin, path string, hap haproxyCheck, line int, found func(haproxyCheck) bool) bool {
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
		if found(hap) {
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
	t.Logf("fixtures: unknown keywords and duplicate names: haproxy -c refuses %d files, mtlslint reports %d, %d agree line by line (%d lines refused by 2.6 only for a later release's keyword); undefined backends: %d files resolved by haproxy, %d agree", st.hapRejected, st.ourRejected, st.rejectedAgree, st.versionOnly, st.backendsChecked, st.backendsAgree)
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
	fmt.Fprintf(os.Stderr, "corpus differential (E008/E009): haproxy-refuses=%d mtlslint-reports=%d agree=%d later-release-lines=%d; backends resolved=%d agree=%d\n",
		st.hapRejected, st.ourRejected, st.rejectedAgree, st.versionOnly, st.backendsChecked, st.backendsAgree)
}
