package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"weak"

	"github.com/mtlslint/mtlslint/internal/audit/audittest"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/parsers"
)

// runAudit audits repos with the test runner and returns the output.
func runAudit(t *testing.T, repos []Repo, opts Options) (*Stats, []byte) {
	t.Helper()
	if opts.Runner == nil {
		opts.Runner = audittest.Runner
	}
	var out bytes.Buffer
	st, err := Run(context.Background(), repos, &out, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return st, out.Bytes()
}

// lines decodes every line of JSONL output as an object, failing on any
// line that is not one.
func lines(t *testing.T, out []byte) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for i, l := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("line %d is not a JSON object: %v\n%s", i+1, err, l)
		}
		recs = append(recs, m)
	}
	return recs
}

func readBack(t *testing.T, out []byte) *Records {
	t.Helper()
	var recs Records
	if err := ReadRecords(bytes.NewReader(out), &recs, false); err != nil {
		t.Fatal(err)
	}
	if recs.Malformed != 0 || recs.Incomplete != 0 {
		t.Fatalf("malformed %d, incomplete %d", recs.Malformed, recs.Incomplete)
	}
	return &recs
}

func TestDiscover(t *testing.T) {
	org := t.TempDir()
	audittest.MakeRepo(t, filepath.Join(org, "a"), map[string]string{"x.conf": ""})
	audittest.MakeRepo(t, filepath.Join(org, "team", "b"), nil)
	audittest.MakeRepo(t, filepath.Join(org, "team", "b", "sub"), nil) // inside b: not separate
	audittest.WriteFiles(t, filepath.Join(org, "c"), map[string]string{".git": "gitdir: ../x\n"})
	audittest.MakeRepo(t, filepath.Join(org, ".hidden", "d"), nil)
	audittest.WriteFiles(t, filepath.Join(org, "plain"), map[string]string{"README": ""})
	outside := audittest.MakeRepo(t, t.TempDir(), nil)
	if err := os.Symlink(outside, filepath.Join(org, "link")); err != nil {
		t.Fatal(err)
	}

	ids := func(rs []Repo) string {
		var s []string
		for _, r := range rs {
			s = append(s, strings.TrimPrefix(r.ID, filepath.ToSlash(org)+"/"))
		}
		return strings.Join(s, " ")
	}
	repos, warns, err := Discover([]string{org}, 0)
	if err != nil || len(warns) != 0 {
		t.Fatal(err, warns)
	}
	if got, want := ids(repos), "a c team/b"; got != want {
		t.Errorf("depth 0: %q, want %q", got, want)
	}
	repos, _, err = Discover([]string{org}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(repos), "a c plain team"; got != want {
		t.Errorf("depth 1: %q, want %q (no hidden directory, no symbolic link)", got, want)
	}
	// Several directories: each one's name goes in front.
	repos, _, err = Discover([]string{org, org}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(repos), filepath.Base(org)+"/team/b"; got != want {
		t.Errorf("depth 2: %q, want %q", got, want)
	}
	// The names do not depend on where the organisation is checked out.
	if repos[0].ID != "001/team/b" && !strings.HasSuffix(org, repos[0].ID[:strings.Index(repos[0].ID, "/")]) {
		t.Errorf("an ID names more than the audited directory: %q", repos[0].ID)
	}
	if repos, _, err = Discover([]string{filepath.Join(org, "a")}, 0); err != nil || len(repos) != 1 || repos[0].ID != "a" {
		t.Errorf("a repository audited as the directory itself: %+v %v", repos, err)
	}
	if _, _, err := Discover([]string{filepath.Join(org, "missing")}, 0); err == nil {
		t.Error("a missing directory must be an error")
	}
}

// TestSymlinkedTop audits through a directory named by a symbolic link:
// the link the user gives is entered, links below it are not.
func TestSymlinkedTop(t *testing.T) {
	real := t.TempDir()
	audittest.MakeRepo(t, filepath.Join(real, "org", "svc"), map[string]string{"a.conf": "VULNERABLE\n"})
	link := filepath.Join(t.TempDir(), "org")
	if err := os.Symlink(filepath.Join(real, "org"), link); err != nil {
		t.Fatal(err)
	}
	for _, depth := range []int{0, 1} {
		repos, _, err := Discover([]string{link}, depth)
		if err != nil || len(repos) != 1 || repos[0].ID != "svc" || repos[0].Dir != filepath.Join(link, "svc") {
			t.Fatalf("depth %d: %v, %v", depth, repos, err)
		}
	}
	repoLink := filepath.Join(t.TempDir(), "svc")
	if err := os.Symlink(filepath.Join(real, "org", "svc"), repoLink); err != nil {
		t.Fatal(err)
	}
	st, out := runAudit(t, []Repo{newRepo(repoLink)}, Options{})
	if s := readBack(t, out).Repos[filepath.ToSlash(repoLink)].Summary; st.Findings != 1 || s.FilesChecked != 1 {
		t.Errorf("a repository named by a link: %+v", s)
	}
}

func TestReadList(t *testing.T) {
	repos, err := ReadList(strings.NewReader("# org\n\n  a/b/ \n./c\na/b\n"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range repos {
		ids = append(ids, r.ID)
	}
	if got, want := strings.Join(ids, ","), "a/b,c"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := ReadList(strings.NewReader("# nothing\n")); err == nil {
		t.Error("an empty list must be an error")
	}
}

func TestShard(t *testing.T) {
	for _, bad := range []string{"", "1", "4/4", "-1/4", "0/0", "a/b"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) must fail", bad)
		}
	}
	var repos []Repo
	for i := range 1000 {
		repos = append(repos, newRepo(fmt.Sprintf("org/service-%04d", i)))
	}
	owner := map[string]int{}
	for i := range 4 {
		s, err := ParseShard(fmt.Sprintf("%d/4", i))
		if err != nil {
			t.Fatal(err)
		}
		part := s.Select(repos)
		// 250 expected; the binomial spread is about 14.
		if len(part) < 180 || len(part) > 320 {
			t.Errorf("shard %s has %d of 1000 repositories", s, len(part))
		}
		for _, r := range part {
			if prev, dup := owner[r.ID]; dup {
				t.Errorf("%s is in shards %d and %d", r.ID, prev, i)
			}
			owner[r.ID] = i
		}
	}
	if len(owner) != len(repos) {
		t.Errorf("%d of %d repositories are in some shard", len(owner), len(repos))
	}
	// The assignment is a contract between runners and across releases
	// (resumed audits rely on it): FNV-1a 64 of the ID.
	if s := (Shard{Index: 0, Count: 4}); !s.Has("org/service-0000") {
		t.Errorf("org/service-0000 moved out of shard 0/4 (FNV-1a mod 4 = 0)")
	}

	env := map[string]string{EnvShardIndex: "2", EnvShardCount: "5"}
	s, ok, err := ShardFromEnv(func(k string) string { return env[k] })
	if err != nil || !ok || s != (Shard{Index: 2, Count: 5}) {
		t.Errorf("ShardFromEnv = %v, %v, %v", s, ok, err)
	}
	delete(env, EnvShardCount)
	if _, ok, err := ShardFromEnv(func(k string) string { return env[k] }); !ok || err == nil {
		t.Error("an index without a count must be an error")
	}
	if _, ok, _ := ShardFromEnv(func(string) string { return "" }); ok {
		t.Error("no index: no shard")
	}
}

// threeRepos makes a vulnerable, a clean and a broken repository.
func threeRepos(t *testing.T) (org string, repos []Repo) {
	org = t.TempDir()
	audittest.MakeRepo(t, filepath.Join(org, "vuln"), map[string]string{
		"nginx.conf":         "server {\n    listen 443; # VULNERABLE here\n}\n",
		"conf.d/extra.conf":  "# CRITICAL too\n",
		"conf.d/ignored.txt": "VULNERABLE but not a .conf\n",
	})
	audittest.MakeRepo(t, filepath.Join(org, "clean"), map[string]string{"nginx.conf": "server {}\n"})
	audittest.MakeRepo(t, filepath.Join(org, "gone"), nil)
	repos, _, err := Discover([]string{org}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(org, "gone")); err != nil {
		t.Fatal(err)
	}
	return org, repos
}

func TestRunRecords(t *testing.T) {
	org, repos := threeRepos(t)
	st, out := runAudit(t, repos, Options{Jobs: 2, Tool: Tool{Name: "mtlslint", Version: "test"}})
	recs := lines(t, out)

	// Per repository: its findings, then its summary, contiguous.
	var order []string
	for _, r := range recs {
		order = append(order, fmt.Sprintf("%s:%v", r["type"], strings.TrimPrefix(fmt.Sprint(r["repo"]), filepath.ToSlash(org)+"/")))
	}
	got := strings.Join(order, " ")
	for _, want := range []string{"finding:vuln finding:vuln repo:vuln", "repo:clean", "repo:gone"} {
		if !strings.Contains(got, want) {
			t.Errorf("records %q lack %q", got, want)
		}
	}
	if last := recs[len(recs)-1]; last["type"] != TypeAudit || last["completed"] != 3.0 || last["errors"] != 1.0 || last["findings"] != 2.0 {
		t.Errorf("last record = %v", last)
	}
	if len(recs) != 6 {
		t.Errorf("%d records, want 6:\n%s", len(recs), out)
	}

	back := readBack(t, out)
	vuln := back.Repos["vuln"]
	if vuln == nil {
		t.Fatalf("no result for vuln: %v", back.Repos)
	}
	s := vuln.Summary
	if s.Status != StatusOK || s.Findings != 2 || s.BySeverity["critical"] != 1 || s.BySeverity["high"] != 1 || s.ByCode["Z001"] != 2 || s.FilesChecked != 2 {
		t.Errorf("vuln summary = %+v", s)
	}
	byFile := map[string]Finding{}
	for _, f := range vuln.Findings {
		byFile[f.Location.File] = f
	}
	f := byFile["nginx.conf"]
	if f.Code != "Z001" || f.Severity != "high" || f.Location.Start.Line != 2 || f.LineText != "    listen 443; # VULNERABLE here" || f.Message == "" {
		t.Errorf("nginx.conf finding = %+v", f)
	}
	if f := byFile["conf.d/extra.conf"]; f.Severity != "critical" || f.LineText != "# CRITICAL too" {
		t.Errorf("conf.d/extra.conf finding = %+v", f)
	}
	gone := back.Repos["gone"]
	if gone == nil || gone.Summary.Status != StatusError || gone.Summary.Error == "" || len(gone.Findings) != 0 {
		t.Errorf("gone = %+v", gone)
	}
	if clean := back.Repos["clean"]; clean == nil || clean.Summary.Status != StatusOK || clean.Summary.Findings != 0 {
		t.Errorf("clean = %+v", clean)
	}
	if st.Completed != 3 || st.Errors != 1 || st.Findings != 2 || st.BySeverity["critical"] != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestRunText(t *testing.T) {
	_, repos := threeRepos(t)
	_, out := runAudit(t, repos, Options{Format: Text})
	text := string(out)
	// Repositories are named relative to the audited directory.
	for _, want := range []string{
		"\nvuln/nginx.conf:2:1: high Z001 test-vulnerable-line: this line is vulnerable\n",
		"\nvuln/conf.d/extra.conf:1:1: critical Z001",
		"gone: error: ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "clean") {
		t.Errorf("a clean repository prints nothing:\n%s", text)
	}
}

func TestTimeoutAndPanic(t *testing.T) {
	org := t.TempDir()
	var repos []Repo
	for _, name := range []string{"slow", "stuck", "panics", "fine"} {
		repos = append(repos, newRepo(audittest.MakeRepo(t, filepath.Join(org, name), map[string]string{"a.conf": "VULNERABLE\n"})))
	}
	release := make(chan struct{})
	defer close(release)
	old := grace
	grace = 50 * time.Millisecond
	defer func() { grace = old }()
	runner := func(ctx context.Context, o lint.Options) (*lint.Result, error) {
		switch filepath.Base(o.Root) {
		case "slow": // respects its context
			<-ctx.Done()
			return nil, ctx.Err()
		case "stuck": // ignores it
			<-release
			return nil, errors.New("released")
		case "panics":
			panic("front end bug")
		}
		return audittest.Runner(ctx, o)
	}
	st, out := runAudit(t, repos, Options{Jobs: 2, Timeout: 200 * time.Millisecond, Runner: runner})
	back := readBack(t, out)
	status := func(name string) Summary {
		r := back.Repos[filepath.ToSlash(filepath.Join(org, name))]
		if r == nil {
			t.Fatalf("no record for %s:\n%s", name, out)
		}
		return r.Summary
	}
	if s := status("slow"); s.Status != StatusTimeout || !strings.Contains(s.Error, "200ms") {
		t.Errorf("slow: %+v", s)
	}
	if s := status("stuck"); s.Status != StatusTimeout {
		t.Errorf("stuck: %+v", s)
	}
	if s := status("panics"); s.Status != StatusError || !strings.Contains(s.Error, "front end bug") {
		t.Errorf("panics: %+v", s)
	}
	if s := status("fine"); s.Status != StatusOK || s.Findings != 1 {
		t.Errorf("fine: %+v", s)
	}
	if st.Timeouts != 2 || st.Errors != 1 || st.Abandoned != 1 {
		t.Errorf("stats: %+v", st)
	}
}

func TestResume(t *testing.T) {
	org := t.TempDir()
	var repos []Repo
	for i := range 5 {
		repos = append(repos, newRepo(audittest.MakeRepo(t, filepath.Join(org, fmt.Sprintf("r%d", i)), map[string]string{"a.conf": "VULNERABLE\n"})))
	}
	out := filepath.Join(t.TempDir(), "results.jsonl")
	var ran atomic.Int32
	counting := func(ctx context.Context, o lint.Options) (*lint.Result, error) {
		ran.Add(1)
		return audittest.Runner(ctx, o)
	}

	// A first run audits three repositories; it is then killed while
	// writing the fourth's records.
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), repos[:3], f, Options{Runner: counting}); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, `{"type":"finding","version":1,"repo":%q,"code":"Z001"}`+"\n"+`{"type":"repo","repo":`, repos[3].ID)
	f.Close()

	done, _, err := Completed(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 3 || !done[repos[0].ID] || done[repos[3].ID] {
		t.Fatalf("complete: %v", done)
	}
	f, err = OpenAppend(out)
	if err != nil {
		t.Fatal(err)
	}
	ran.Store(0)
	st, err := Run(context.Background(), repos, f, Options{Runner: counting, Skip: done})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if ran.Load() != 2 || st.Resumed != 3 || st.Completed != 2 {
		t.Errorf("resumed run: ran %d, stats %+v", ran.Load(), st)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var recs Records
	if err := ReadRecords(bytes.NewReader(b), &recs, false); err != nil {
		t.Fatal(err)
	}
	// The cut line is skipped; the killed run's dangling finding was
	// followed by the resumed run's complete result for r3.
	if len(recs.Repos) != 5 || recs.Malformed != 1 || recs.Incomplete != 1 {
		t.Errorf("%d repositories, %d malformed lines, %d incomplete", len(recs.Repos), recs.Malformed, recs.Incomplete)
	}
	for _, r := range repos {
		if got := recs.Repos[r.ID]; got == nil || len(got.Findings) != got.Summary.Findings {
			t.Errorf("%s: %+v", r.ID, got)
		}
	}
}

func TestInterrupt(t *testing.T) {
	org := t.TempDir()
	var repos []Repo
	for i := range 6 {
		repos = append(repos, newRepo(audittest.MakeRepo(t, filepath.Join(org, fmt.Sprintf("r%d", i)), nil)))
	}
	ctx, cancel := context.WithCancel(context.Background())
	runner := func(c context.Context, o lint.Options) (*lint.Result, error) {
		if filepath.Base(o.Root) == "r2" {
			cancel() // Ctrl-C while r2 is analysed
			<-c.Done()
			return nil, c.Err()
		}
		return audittest.Runner(c, o)
	}
	var out bytes.Buffer
	st, err := Run(ctx, repos, &out, Options{Jobs: 1, Runner: runner})
	if err != nil {
		t.Fatal(err)
	}
	back := readBack(t, out.Bytes())
	if !st.Interrupted || len(back.Repos) != 2 || back.Repos[repos[2].ID] != nil {
		t.Errorf("interrupted run wrote %d repositories (%v), stats %+v", len(back.Repos), back.Repos, st)
	}
	if len(back.Audits) != 1 || !back.Audits[0].Interrupted {
		t.Errorf("audit record: %+v", back.Audits)
	}
}

// TestNothingRetained checks that no workspace (trees, file contents)
// outlives its repository's records.
func TestNothingRetained(t *testing.T) {
	org := t.TempDir()
	var repos []Repo
	for i := range 8 {
		repos = append(repos, newRepo(audittest.MakeRepo(t, filepath.Join(org, fmt.Sprintf("r%d", i)), map[string]string{
			"a.conf": strings.Repeat("# padding\n", 1000) + "VULNERABLE\n",
		})))
	}
	var ptrs []weak.Pointer[parsers.Workspace]
	runner := func(ctx context.Context, o lint.Options) (*lint.Result, error) {
		res, err := audittest.Runner(ctx, o)
		if err == nil {
			ptrs = append(ptrs, weak.Make(res.Workspace))
		}
		return res, err
	}
	st, _ := runAudit(t, repos, Options{Jobs: 1, Runner: runner})
	if st.Findings != 8 || len(ptrs) != 8 {
		t.Fatalf("findings %d, workspaces %d", st.Findings, len(ptrs))
	}
	runtime.GC()
	runtime.GC()
	for i, p := range ptrs {
		if p.Value() != nil {
			t.Errorf("workspace %d is still reachable after the audit", i)
		}
	}
}

func TestProgress(t *testing.T) {
	_, repos := threeRepos(t)
	var plain bytes.Buffer
	runAudit(t, repos, Options{Progress: NewLines(&plain, 0)})
	if got := plain.String(); !strings.HasPrefix(got, "mtlslint audit: 3 repositories audited (1 errors, 0 timeouts), 2 findings in ") || strings.Count(got, "\n") != 1 {
		t.Errorf("plain progress:\n%s", got)
	}

	l := NewLines(&plain, time.Hour)
	now := time.Unix(1000, 0)
	l.now = func() time.Time { return now }
	l.Start(10)
	for range 4 {
		l.RepoDone(&Summary{Findings: 3, Status: StatusOK})
	}
	now = now.Add(2 * time.Second)
	if got, want := l.line(), "mtlslint audit: 4/10 repositories, 12 findings, 2.0 repos/s, ETA 3s"; got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
	l.Finish(&Stats{})

	var bar bytes.Buffer
	runAudit(t, repos, Options{Progress: NewBar(&bar)})
	if got := bar.String(); !strings.Contains(got, "findings") || !strings.Contains(got, "3 repositories audited") {
		t.Errorf("bar output:\n%q", got)
	}
}

func TestRepoConfig(t *testing.T) {
	org := t.TempDir()
	own := audittest.MakeRepo(t, filepath.Join(org, "own"), map[string]string{".mtlslint.toml": "ignore = [\"Z001\"]\n", "a.conf": "VULNERABLE\n"})
	broken := audittest.MakeRepo(t, filepath.Join(org, "broken"), map[string]string{".mtlslint.toml": "ignore = [\n", "a.conf": "VULNERABLE\n"})
	linked := audittest.MakeRepo(t, filepath.Join(org, "linked"), map[string]string{"a.conf": "VULNERABLE\n"})
	if err := os.Symlink(filepath.Join(own, ".mtlslint.toml"), filepath.Join(linked, ".mtlslint.toml")); err != nil {
		t.Fatal(err)
	}
	repos := []Repo{newRepo(own), newRepo(broken), newRepo(linked)}
	var seen []string
	runner := func(ctx context.Context, o lint.Options) (*lint.Result, error) {
		if o.Config != nil {
			seen = append(seen, filepath.Base(o.Root)+":"+strings.Join(o.Config.Ignore, ","))
		}
		return audittest.Runner(ctx, o)
	}
	runAudit(t, repos, Options{Jobs: 1, Runner: runner})
	if len(seen) != 0 {
		t.Errorf("repository configuration read without RepoConfig: %v", seen)
	}
	_, out := runAudit(t, repos, Options{Jobs: 1, Runner: runner, RepoConfig: true})
	sort.Strings(seen)
	if got := strings.Join(seen, " "); got != "own:Z001" {
		t.Errorf("configurations used: %q (a symbolic link is not followed)", got)
	}
	back := readBack(t, out)
	if s := back.Repos[repos[1].ID].Summary; s.Status != StatusError || !strings.Contains(s.Error, ".mtlslint.toml") {
		t.Errorf("broken configuration: %+v", s)
	}
}

// FuzzReadRecords: any JSON Lines input (a file cut short, edited, from
// another tool) is read without a panic; what is not a record is counted.
func FuzzReadRecords(f *testing.F) {
	f.Add([]byte(`{"type":"finding","version":1,"repo":"a","code":"N003"}` + "\n" + `{"type":"repo","version":1,"repo":"a","status":"ok"}` + "\n"))
	f.Add([]byte(`{"type":"repo","repo":"b","status":"crash"}` + "\n{\"type\":\"audit\"}\n{not json\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var recs Records
		if err := ReadRecords(bytes.NewReader(b), &recs, false); err != nil {
			t.Fatal(err)
		}
		for id, r := range recs.Repos {
			if id == "" || r.Summary.Repo != id {
				t.Fatalf("repository %q with summary %+v", id, r.Summary)
			}
		}
	})
}
