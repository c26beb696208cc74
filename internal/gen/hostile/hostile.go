// Package hostile writes the repositories of the hostile-input suite:
// inputs of a few bytes to a few megabytes that each, before the limits
// existed, crashed, stalled or exhausted an audit, and ordinary
// repositories around them. Nothing is committed: every file is generated
// here. The audit test (cmd/mtlslint) runs them with low limits and checks
// each repository's recorded outcome; genhostile writes them to disk to
// measure a binary on them.
package hostile

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Case is one repository of the suite and the outcome it must have.
type Case struct {
	Name string
	// What reproduces what (for the report and the test's messages).
	What string
	// Files maps slash-separated paths to contents.
	Files func() map[string]string
	// Git commits the files with git (the case is about what git tracks);
	// Untracked files are written after the commit.
	Git       bool
	Untracked map[string]string
	// Status is the summary's status; Codes are finding codes that must
	// be among its findings; Cause is a substring of its error (the
	// recorded cause) when it is not ok.
	Status string
	Codes  []string
	Cause  string
}

// Cases returns the suite, ordinary repositories between hostile ones.
// Crash, when not empty, is the marker a test worker dies on (see the
// crash case): the repository's name carries it.
func Cases(crash string) []Case {
	cs := []Case{
		ordinary("00-ok-django"),
		{Name: "01-py-doubling", What: `673 bytes: A = "aaaaaaaaaa" then A = A + A sixty times (22 GB)`,
			Files: func() map[string]string {
				return map[string]string{"app/settings.py": settingsHead + "A = \"aaaaaaaaaa\"\n" + strings.Repeat("A = A + A\n", 60)}
			}, Status: "ok", Codes: []string{"M002", "D005"}},
		{Name: "02-py-nested-lists", What: "nested lists in a settings module (fatal stack overflow)",
			Files: func() map[string]string {
				return map[string]string{"app/settings.py": settingsHead + "A = " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n"}
			}, Status: "ok", Codes: []string{"E006", "D005"}},
		{Name: "03-py-lambdas", What: "nested lambdas (fatal stack overflow)",
			Files: func() map[string]string {
				return map[string]string{"app/settings.py": settingsHead + "A = " + strings.Repeat("lambda: ", 100000) + "1\n"}
			}, Status: "ok", Codes: []string{"E006", "D005"}},
		{Name: "04-py-conditional-chain", What: "chained conditional expressions (fatal stack overflow)",
			Files: func() map[string]string {
				return map[string]string{"app/settings.py": settingsHead + "A = 1" + strings.Repeat(" if x else 1", 100000) + "\n"}
			}, Status: "ok", Codes: []string{"E006", "D005"}},
		ordinary("05-ok-nginx"),
		{Name: "06-hcl-brackets", What: "HCL with 60,000 nested [ (fatal stack overflow)",
			Files: func() map[string]string {
				return map[string]string{"main.tf": "locals {\n  x = " + strings.Repeat("[", 60000) + strings.Repeat("]", 60000) + "\n}\n"}
			}, Status: "ok", Codes: []string{"E006"}},
		{Name: "07-nginx-fan-out", What: "ten 19-byte files that include fan/*.inc, whose files include it too (6 GB in 27 s)",
			Files: func() map[string]string {
				files := map[string]string{}
				for i := range 10 {
					files[fmt.Sprintf("nginx/n%d.conf", i)] = "include fan/*.inc;\n"
					files[fmt.Sprintf("nginx/fan/%d.inc", i)] = "include fan/*.inc;\n"
				}
				return files
			}, Status: "ok", Codes: []string{"E007"}},
		{Name: "08-py-deep-app-code", What: "app code nesting 20k deep (3.3 GB: the parent chain copied at every level)",
			Files: func() map[string]string {
				return map[string]string{"app/views.py": "def f(request):\n    return request.META.get('HTTP_X_SSL_CLIENT_VERIFY')\nX = " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n"}
			}, Status: "ok", Codes: []string{"E006"}},
		{Name: "09-yaml-flow-map", What: "an 80k-key flow map (108 s: positions rescanned the line)",
			Files: func() map[string]string {
				keys := make([]string, 80000)
				for i := range keys {
					keys[i] = fmt.Sprintf("k%d: v%d", i, i)
				}
				return map[string]string{"k8s/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: {" + strings.Join(keys, ", ") + "}\n"}
			}, Status: "ok"},
		ordinary("10-ok-haproxy"),
		{Name: "11-openapi-minified", What: "a minified OpenAPI JSON (75 s for 2.4 MB)",
			Files: func() map[string]string {
				var b strings.Builder
				b.WriteString(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{`)
				for i := range 10000 {
					if i > 0 {
						b.WriteByte(',')
					}
					fmt.Fprintf(&b, `"/p%d":{"get":{"responses":{"200":{"description":"ok"}}}}`, i)
				}
				b.WriteString("}}")
				return map[string]string{"openapi.json": b.String()}
			}, Status: "ok"},
		{Name: "12-hcl-heredoc", What: "a long HCL heredoc (61 s for 7 MB: lines joined one at a time)",
			Files: func() map[string]string {
				return map[string]string{"main.tf": "resource \"aws_lb_listener\" \"l\" {\n  doc = <<EOT\n" + strings.Repeat(strings.Repeat("a", 99)+"\n", 20000) + "EOT\n}\n"}
			}, Status: "ok", Codes: []string{"M002"}},
		{Name: "13-nginx-one-line", What: "a single-line nginx file of megabytes (2 GB)",
			Files: func() map[string]string {
				return map[string]string{"nginx.conf": "http { server { listen 80; " + strings.Repeat("add_header X-A b; ", 150000) + "} }\n"}
			}, Status: "ok"},
		{Name: "14-gitignore-hides", What: `a committed haproxy.cfg behind "*" in .gitignore (files_checked: 0, "ok")`,
			Git: true, Untracked: map[string]string{"local.cfg": "frontend local\n    bind :9\n"},
			Files: func() map[string]string {
				return map[string]string{".gitignore": "*\n", "haproxy.cfg": haproxyAddHeader("")}
			}, Status: "ok", Codes: []string{"H001"}},
		{Name: "15-suppressed-critical", What: "an inline suppression silencing a critical finding (shown only as \"(1 suppressed)\")",
			Files: func() map[string]string {
				return map[string]string{"haproxy.cfg": haproxyAddHeader("    # mtlslint: ignore[H001] -- the backend strips it\n")}
			}, Status: "ok", Codes: []string{"H006"}},
		ordinary("16-ok-django"),
		{Name: "17-memory", What: "three modules of 8 MB of brackets (the size cap): more memory than the ceiling",
			Files: func() map[string]string {
				body := "def f(request):\n    return request.META.get('HTTP_X')\nX = " + strings.Repeat("[", 8<<20-100) + "\n"
				return map[string]string{"app/a.py": body, "app/b.py": body, "app/c.py": body}
			}, Status: "memory", Cause: "memory ceiling"},
		{Name: "18-slow", What: "settings modules that each spend their evaluation budget (about half a second each): more time than the limit",
			Files: func() map[string]string {
				var b strings.Builder
				b.WriteString(settingsHead)
				for i := range 1500 {
					fmt.Fprintf(&b, "N%d = %d\n", i, i)
				}
				// Loops: each copies the namespace of 1,500 names (a
				// branch of an if reads through to it instead, and
				// spends the budget without taking the time).
				for i := range 3000 {
					fmt.Fprintf(&b, "for _ in x%d:\n    N%d = 0\n", i, i%1500)
				}
				files := map[string]string{}
				for i := range 80 {
					files[fmt.Sprintf("s%03d/settings.py", i)] = b.String()
				}
				return files
			}, Status: "timeout", Cause: "not finished within"},
		ordinary("19-ok-nginx"),
	}
	if crash != "" {
		cs = append(cs, Case{Name: "20-" + crash, What: "a worker that dies of a fatal error the runtime cannot recover from",
			Files:  func() map[string]string { return map[string]string{"nginx.conf": okNginx} },
			Status: "crash", Cause: "fatal error: stack overflow"}, ordinary("21-ok-haproxy"))
	}
	return cs
}

const settingsHead = "SECRET_KEY = 'x'\nDEBUG = True\nALLOWED_HOSTS = ['app.example.com']\n"

const okNginx = "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    ssl_certificate /c.pem;\n    ssl_certificate_key /k.pem;\n    ssl_client_certificate /ca.pem;\n    ssl_verify_client optional;\n    location / {\n      proxy_pass http://127.0.0.1:8000;\n    }\n  }\n}\n"

func haproxyAddHeader(suppress string) string {
	return "global\n    maxconn 100\ndefaults\n    mode http\nfrontend fe\n    bind :443 ssl crt /s.pem ca-file /ca.pem verify required\n" +
		suppress + "    http-request add-header X-SSL-Client-Verify %[ssl_c_verify]\n    default_backend be\nbackend be\n    server s1 127.0.0.1:8000\n"
}

// ordinary is a repository with known findings, to be reported ok.
func ordinary(name string) Case {
	c := Case{Name: name, What: "an ordinary repository", Status: "ok"}
	switch {
	case strings.Contains(name, "django"):
		c.Files = func() map[string]string { return map[string]string{"proj/settings.py": settingsHead} }
		c.Codes = []string{"D005"}
	case strings.Contains(name, "nginx"):
		c.Files = func() map[string]string { return map[string]string{"nginx.conf": okNginx} }
		c.Codes = []string{"N003"}
	default:
		c.Files = func() map[string]string { return map[string]string{"haproxy.cfg": haproxyAddHeader("")} }
		c.Codes = []string{"H001"}
	}
	return c
}

// Write writes the case as a repository at dir (a directory with .git).
// A case about what git tracks is committed with the real git, which the
// audit itself never runs.
func Write(dir string, c Case) error {
	for p, content := range c.Files() {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			return err
		}
	}
	if !c.Git {
		return os.MkdirAll(filepath.Join(dir, ".git"), 0o755)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A", "-f"}, {"commit", "-q", "-m", "x"}} {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %v: %v: %s", args, err, out)
		}
	}
	for p, content := range c.Untracked {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}
