package audit_test

// Hostile repositories: an audit reads repositories nobody reviewed. These
// tests build each hostile fixture in a temporary directory and prove that
// the audit reads nothing outside a repository, reads no oversized or
// special file, bounds its work, never runs anything, and that every
// string from a repository reaches the outputs as inert text.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/internal/audit"
	"github.com/mtlslint/mtlslint/internal/audit/audittest"
	"github.com/mtlslint/mtlslint/internal/auditreport"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// auditOne audits one repository and returns its result and the raw JSON
// Lines output.
func auditOne(t *testing.T, dir string, opts audit.Options) (*audit.RepoResult, []byte) {
	t.Helper()
	if opts.Runner == nil {
		opts.Runner = audittest.Runner
	}
	if opts.Timeout == 0 {
		opts.Timeout = time.Minute
	}
	var out bytes.Buffer
	repos := []audit.Repo{{ID: filepath.ToSlash(dir), Dir: dir}}
	if _, err := audit.Run(context.Background(), repos, &out, opts); err != nil {
		t.Fatal(err)
	}
	var recs audit.Records
	if err := audit.ReadRecords(bytes.NewReader(out.Bytes()), &recs, false); err != nil {
		t.Fatal(err)
	}
	if recs.Malformed != 0 {
		t.Fatalf("%d malformed records:\n%s", recs.Malformed, out.Bytes())
	}
	res := recs.Repos[filepath.ToSlash(dir)]
	if res == nil {
		t.Fatalf("no result:\n%s", out.Bytes())
	}
	if res.Summary.Status != audit.StatusOK {
		t.Fatalf("status %s: %s", res.Summary.Status, res.Summary.Error)
	}
	return res, out.Bytes()
}

// codesAt lists "file:line code" of the findings.
func codesAt(res *audit.RepoResult) map[string]bool {
	m := map[string]bool{}
	for _, f := range res.Findings {
		m[f.Location.File+":"+itoa(f.Location.Start.Line)+" "+f.Code] = true
	}
	return m
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestHostileSymlinksToEtc(t *testing.T) {
	repo := audittest.MakeRepo(t, filepath.Join(t.TempDir(), "repo"), map[string]string{
		"main.conf": "include /etc/*;\ninclude etc/*;\ninclude ../../../../../../../../etc/*.conf;\ninclude */*.conf;\n",
	})
	symlink(t, "/etc", filepath.Join(repo, "etc"))
	symlink(t, "/etc/hostname", filepath.Join(repo, "host.conf"))
	symlink(t, "/etc", filepath.Join(repo, "sub.conf")) // a directory named like a file

	// The reader, directly.
	r, err := parsers.NewFSReader(repo, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"host.conf", "etc/hostname", "etc/passwd", "../etc/passwd", "/etc/passwd"} {
		if _, err := r.ReadFile(p); !errors.Is(err, source.ErrOutsideRoot) {
			t.Errorf("ReadFile(%q) = %v, want ErrOutsideRoot", p, err)
		}
	}
	for _, pat := range []string{"/etc/*", "etc/*", "etc/*.conf", "../*"} {
		if m, err := r.Glob(pat); !errors.Is(err, source.ErrOutsideRoot) {
			t.Errorf("Glob(%q) = %q, %v; want ErrOutsideRoot without listing the directory", pat, m, err)
		}
	}
	if m, err := r.Glob("*/*.conf"); err != nil || len(m) != 0 {
		t.Errorf("Glob(*/*.conf) = %q, %v; a linked directory outside must not be listed", m, err)
	}

	// The whole pipeline.
	res, out := auditOne(t, repo, audit.Options{})
	got := codesAt(res)
	for _, want := range []string{"main.conf:1 E003", "main.conf:2 E003", "main.conf:3 E003", "main.conf:4 E002", "host.conf:1 E003"} {
		if !got[want] {
			t.Errorf("missing %s; got %v", want, got)
		}
	}
	for _, f := range res.Findings {
		if f.Location.File != "main.conf" && f.Location.File != "host.conf" {
			t.Errorf("a finding in %q: something outside the repository was read", f.Location.File)
		}
	}
	// Nothing from /etc reaches the output: no entry name the repository
	// does not itself mention, no content.
	noEtc(t, out, "main.conf host.conf hostname")
}

// TestHostileNginxIncludes runs the real pipeline (the registered nginx
// front end) on includes that lead outside the repository.
func TestHostileNginxIncludes(t *testing.T) {
	repo := audittest.MakeRepo(t, filepath.Join(t.TempDir(), "repo"), map[string]string{
		"nginx.conf": "events {}\nhttp {\n    include /etc/*;\n    include conf/*;\n    include ../../../../../../etc/passwd;\n    include conf/passwd;\n    include conf/*.conf;\n    server {\n        listen 80;\n    }\n}\n",
	})
	symlink(t, "/etc", filepath.Join(repo, "conf"))
	res, out := auditOne(t, repo, audit.Options{Runner: lint.Run})
	if res.Summary.FilesChecked == 0 {
		t.Fatal("nginx.conf was not analysed: is the nginx front end registered?")
	}
	lines := map[int]string{}
	for _, f := range res.Findings {
		if f.Location.File != "nginx.conf" {
			t.Errorf("a finding in %q: something outside the repository was read", f.Location.File)
		}
		if f.Code == "E002" || f.Code == "E003" {
			lines[f.Location.Start.Line] = f.Code
		}
	}
	for l := 3; l <= 7; l++ {
		if lines[l] == "" {
			t.Errorf("nginx.conf:%d: no E002/E003 for the include (got %v)", l, lines)
		}
	}
	noEtc(t, out, "nginx.conf passwd")
}

// noEtc fails when out names an entry of /etc that mentioned (the
// repository's own text) does not, or holds /etc/passwd's content.
func noEtc(t *testing.T, out []byte, mentioned string) {
	t.Helper()
	entries, _ := os.ReadDir("/etc")
	for _, e := range entries {
		name := e.Name()
		if len(name) >= 6 && !strings.Contains(mentioned, name) && bytes.Contains(out, []byte(name)) {
			t.Errorf("output names /etc/%s: the directory was listed", name)
		}
	}
	if passwd, err := os.ReadFile("/etc/passwd"); err == nil && len(passwd) > 12 && bytes.Contains(out, passwd[:12]) {
		t.Error("output holds the content of /etc/passwd")
	}
}

func TestHostileSparseGigabyte(t *testing.T) {
	repo := audittest.MakeRepo(t, filepath.Join(t.TempDir(), "repo"), map[string]string{"ok.conf": "VULNERABLE\n"})
	f, err := os.Create(filepath.Join(repo, "huge.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil { // 1 GiB, sparse
		t.Fatal(err)
	}
	f.Close()
	// The main file includes it too: the include path must refuse it as
	// discovery does.
	audittest.WriteFiles(t, repo, map[string]string{"main.conf": "include huge.conf;\n"})

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, _ := auditOne(t, repo, audit.Options{})
	runtime.ReadMemStats(&after)

	got := codesAt(res)
	if !got["huge.conf:1 E004"] || !got["main.conf:1 E004"] || !got["ok.conf:1 Z001"] {
		t.Errorf("findings %v", got)
	}
	for _, f := range res.Findings {
		if f.Location.File == "huge.conf" && !strings.Contains(f.Message, "larger than the size cap") {
			t.Errorf("huge.conf: %s", f.Message)
		}
	}
	// Refused from its size, not read: far less than the file was
	// allocated during the whole audit.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("the audit allocated %d MiB: the sparse file was read", alloc>>20)
	}
}

func TestHostileHundredThousandFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 100,000 files")
	}
	repo := audittest.MakeRepo(t, filepath.Join(t.TempDir(), "repo"), nil)
	for d := range 100 {
		dir := filepath.Join(repo, "d"+itoa(d))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range 1000 {
			if err := os.WriteFile(filepath.Join(dir, itoa(i)+".conf"), []byte("x\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	res, _ := auditOne(t, repo, audit.Options{Lint: lint.Options{MaxFiles: 5000}})
	var capped int
	for _, f := range res.Findings {
		if f.Code == "E004" && strings.Contains(f.Message, "more than 5000 files") {
			capped++
		}
	}
	if capped != 1 {
		t.Errorf("%d file-count findings, want 1: %+v", capped, res.Summary)
	}
	if n := res.Summary.FilesChecked; n == 0 || n > 5000 {
		t.Errorf("%d files checked with a cap of 5000 entries", n)
	}
}

func TestHostileSpecialFiles(t *testing.T) {
	repo := audittest.MakeRepo(t, filepath.Join(t.TempDir(), "repo"), map[string]string{"ok.conf": "VULNERABLE\n"})
	// A named pipe blocks whoever opens it for reading; /dev/zero never
	// ends. Neither may stall or exhaust the audit.
	if err := syscall.Mkfifo(filepath.Join(repo, "pipe.conf"), 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	symlink(t, "pipe.conf", filepath.Join(repo, "to-pipe.conf"))
	symlink(t, "/dev/zero", filepath.Join(repo, "zero.conf"))
	symlink(t, "/dev/zero", filepath.Join(repo, ".gitignore"))
	if err := os.Mkdir(filepath.Join(repo, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(repo, "sub", ".gitignore"), 0o644); err != nil {
		t.Fatal(err)
	}
	audittest.WriteFiles(t, repo, map[string]string{"sub/a.conf": "include ../pipe.conf;\nVULNERABLE\n"})

	res, _ := auditOne(t, repo, audit.Options{Timeout: 30 * time.Second})
	got := codesAt(res)
	for _, want := range []string{"ok.conf:1 Z001", "sub/a.conf:2 Z001", "sub/a.conf:1 E004", "to-pipe.conf:1 E004", "zero.conf:1 E003"} {
		if !got[want] {
			t.Errorf("missing %s; got %v", want, got)
		}
	}
}

func TestHostileNamesAndContent(t *testing.T) {
	org := t.TempDir()
	repoName := `<img src=x onerror=alert(1)>`
	evil := "evil\x1b[2J\n\u202e.conf"
	audittest.MakeRepo(t, filepath.Join(org, repoName), map[string]string{
		evil:        "# <script>alert('x')</script> VULNERABLE\n",
		"main.conf": "server { # </pre><!-- \" ' ` | * _ [x](javascript:alert(2)) CRITICAL\n",
	})
	repos, _, err := audit.Discover([]string{org}, 0)
	if err != nil || len(repos) != 1 {
		t.Fatal(repos, err)
	}

	// JSON Lines: one record a line whatever the names hold.
	var jsonl bytes.Buffer
	if _, err := audit.Run(context.Background(), repos, &jsonl, audit.Options{Runner: audittest.Runner}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(jsonl.String(), "\n"), "\n")
	if len(lines) != 4 { // two findings, the summary, the audit record
		t.Fatalf("%d lines:\n%s", len(lines), jsonl.String())
	}
	var files []string
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not one record per line: %v\n%q", err, l)
		}
		if loc, ok := m["location"].(map[string]any); ok {
			files = append(files, loc["file"].(string))
		}
	}
	if !strings.Contains(strings.Join(files, "|"), evil) {
		t.Errorf("the file name does not survive the round trip: %q", files)
	}
	if bytes.Contains(jsonl.Bytes(), []byte("\x1b")) {
		t.Error("raw escape character in the JSON Lines")
	}

	// Text: no control character reaches a terminal, one line a finding.
	var text bytes.Buffer
	if _, err := audit.Run(context.Background(), repos, &text, audit.Options{Runner: audittest.Runner, Format: audit.Text}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(text.String(), "\x1b\u202e") || strings.Count(text.String(), "\n") != 2 {
		t.Errorf("text output:\n%q", text.String())
	}

	// Reports: the comment's markup is shown, never interpreted.
	p := filepath.Join(t.TempDir(), "r.jsonl")
	if err := os.WriteFile(p, jsonl.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := auditreport.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	var page, md bytes.Buffer
	if err := auditreport.HTML(&page, rep); err != nil {
		t.Fatal(err)
	}
	if err := auditreport.Markdown(&md, rep, auditreport.MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	for _, bad := range []string{"<script", "<img", "<!--", "\x1b", "\u202e"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML report contains %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "evil\uFFFD[2J\uFFFD\uFFFD.conf", "&lt;/pre&gt;&lt;!--"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<img", "<!--", "\x1b", "\u202e", "](javascript"} {
		if strings.Contains(md.String(), bad) {
			t.Errorf("Markdown report contains %q", bad)
		}
	}
}

// TestNeverExecutes gives the audit files that would leave a mark if
// anything ran them: scripts under configuration names, a Python
// configuration with side effects at import, git hooks, a Makefile. The
// real pipeline (every registered front end) runs on it.
func TestNeverExecutes(t *testing.T) {
	repo := filepath.Join(t.TempDir(), "repo")
	mark := filepath.Join(t.TempDir(), "ran")
	sh := "#!/bin/sh\ntouch " + mark + "\n"
	py := "import os\nopen(" + strconvQuote(mark) + ", 'w').close()\nbind = '0.0.0.0:8000'\n"
	audittest.MakeRepo(t, repo, map[string]string{
		"nginx.conf":                    sh,
		"haproxy.cfg":                   sh,
		"gunicorn.conf.py":              py,
		"app/settings.py":               py + "SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')\n",
		"app/settings/__init__.py":      py,
		"setup.py":                      py,
		"Makefile":                      "all:\n\ttouch " + mark + "\n",
		".git/hooks/post-checkout":      sh,
		"docker-compose.yml":            "services:\n  app:\n    command: sh -c 'touch " + mark + "'\n",
		"conf.d/exec.conf":              sh,
		".mtlslint.toml":                "select = [\"ALL\"]\n",
		"node_modules/.bin/mtlslint":    sh,
		"bin/mtlslint":                  sh,
		"bin/nginx":                     sh,
		"bin/haproxy":                   sh,
		"bin/python3":                   sh,
		"bin/gunicorn":                  sh,
		"app/management/commands/x.py":  py,
		"app/__init__.py":               py,
		"conftest.py":                   py,
		"sitecustomize.py":              py,
		"usercustomize.py":              py,
		"app/templatetags/__init__.py":  py,
		"app/templatetags/evil_tags.py": py,
	})
	filepath.Walk(repo, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			os.Chmod(p, 0o755)
		}
		return nil
	})
	t.Setenv("PATH", filepath.Join(repo, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("PYTHONPATH", repo)
	for _, runner := range []func(context.Context, lint.Options) (*lint.Result, error){nil, audittest.Runner} {
		auditOne(t, repo, audit.Options{Runner: runner, RepoConfig: true})
		if _, err := os.Stat(mark); err == nil {
			t.Fatal("something from the repository was executed")
		}
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
