package prove

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/internal/e2e"
	"github.com/mtlslint/mtlslint/internal/supervise"
	"github.com/mtlslint/mtlslint/parsers"
)

// rawRequest sends bytes to addr and returns the answer.
func rawRequest(t *testing.T, addr, req string) answer {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	return readAnswer(c)
}

func newStub(t *testing.T, opts StubOptions) (*Stub, *Upstream) {
	t.Helper()
	port, err := supervise.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	u := &Upstream{Target: "app:8000", Port: port, Protocol: "http"}
	s, err := StartStub(context.Background(), filepath.Join(servableTempDir(t), "stub"), []*Upstream{u}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s, u
}

// Without gunicorn the stub app answers itself with the headers exactly as
// they arrived: spelling, order and duplicates.
func TestStubRecordsRawHeaders(t *testing.T) {
	s, u := newStub(t, StubOptions{MaxRequests: 2})
	addr := fmt.Sprintf("127.0.0.1:%d", u.Port)
	a := rawRequest(t, addr, "GET /whoami?x=1 HTTP/1.0\r\nHost: app\r\nX-SSL-Client-DN: CN=alice\r\nX_SSL_Client_DN: CN=admin\r\nX-Mtlslint-Probe: p1\r\n\r\n")
	if a.Status != 200 {
		t.Fatalf("HTTP %d %s", a.Status, a.Body)
	}
	var got struct {
		App string `json:"app"`
		Record
	}
	if err := json.Unmarshal([]byte(a.Body), &got); err != nil {
		t.Fatal(err)
	}
	want := []Header{{"Host", "app"}, {"X-SSL-Client-DN", "CN=alice"}, {"X_SSL_Client_DN", "CN=admin"}, {"X-Mtlslint-Probe", "p1"}}
	if got.App != StubMarker || fmt.Sprint(got.Headers) != fmt.Sprint(want) || got.Target != "/whoami?x=1" || got.Upstream != "app:8000" {
		t.Errorf("answer %+v, want headers %v", got, want)
	}
	recs := s.ByProbe("p1")
	if len(recs) != 1 || fmt.Sprint(recs[0].Headers) != fmt.Sprint(want) {
		t.Errorf("records %+v", recs)
	}
	if v := recs[0].Header("x-ssl-client-dn"); len(v) != 1 || v[0] != "CN=alice" {
		t.Errorf("Header(x-ssl-client-dn) = %q: names differ in case only, not in spelling", v)
	}
	// A body is read and the budget counts the request.
	a = rawRequest(t, addr, "POST / HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
	if a.Status != 200 {
		t.Errorf("chunked POST: HTTP %d %s", a.Status, a.Body)
	}
	a = rawRequest(t, addr, "GET / HTTP/1.1\r\nHost: app\r\n\r\n")
	if a.Status != 503 || !strings.Contains(a.Body, "budget") {
		t.Errorf("past the budget: HTTP %d %s", a.Status, a.Body)
	}
}

// With gunicorn the record holds the environ the real gunicorn built, and
// an answer of gunicorn's own (an error) passes unchanged.
func TestStubGunicornEnviron(t *testing.T) {
	needServers(t, KindGunicorn)
	g, _ := servers.For(KindGunicorn)
	s, u := newStub(t, StubOptions{Gunicorn: g.Path})
	addr := fmt.Sprintf("127.0.0.1:%d", u.Port)
	a := rawRequest(t, addr, "GET /whoami HTTP/1.1\r\nHost: app\r\nX-SSL-Client-DN: CN=alice\r\nX_SSL_Client_DN: CN=admin\r\nX-Forwarded-Proto: https\r\nX-Mtlslint-Probe: g1\r\nConnection: close\r\n\r\n")
	if a.Status != 200 {
		t.Fatalf("HTTP %d %s", a.Status, a.Body)
	}
	recs := s.ByProbe("g1")
	if len(recs) != 1 || recs[0].Environ == nil {
		t.Fatalf("records %+v", recs)
	}
	env := recs[0].Environ
	// gunicorn 20 maps both spellings to one key and joins them (22 and
	// later drop the underscore spelling by default).
	dn := env["HTTP_X_SSL_CLIENT_DN"]
	if strings.HasPrefix(g.Version, "gunicorn/20.") && dn != "CN=alice,CN=admin" {
		t.Errorf("HTTP_X_SSL_CLIENT_DN = %q under %s, want the two copies joined", dn, g.Version)
	}
	if !strings.Contains(dn, "CN=alice") || env["wsgi.url_scheme"] != "https" || env["PATH_INFO"] != "/whoami" {
		t.Errorf("environ %v", env)
	}
	// Contradictory scheme headers from a trusted address: gunicorn's 400.
	a = rawRequest(t, addr, "GET / HTTP/1.1\r\nHost: app\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Ssl: on\r\nX-Mtlslint-Probe: g2\r\nConnection: close\r\n\r\n")
	recs = s.ByProbe("g2")
	if a.Status != 400 || len(recs) != 1 || !refusesContradiction(recs[0].Status, e2e.PageText(recs[0].Body)) || recs[0].Environ != nil {
		t.Errorf("contradictory scheme headers: HTTP %d %q, records %+v", a.Status, a.Body, recs)
	}
}

// gunicorn's settings come from the options, never from a file of the
// repository: forwarded_allow_ips decides whether X-Forwarded-Proto from
// 127.0.0.1 is trusted.
func TestStubGunicornSettings(t *testing.T) {
	needServers(t, KindGunicorn)
	g, _ := servers.For(KindGunicorn)
	s, u := newStub(t, StubOptions{Gunicorn: g.Path, ForwardedAllowIPs: "10.9.9.9"})
	a := rawRequest(t, fmt.Sprintf("127.0.0.1:%d", u.Port), "GET / HTTP/1.1\r\nHost: app\r\nX-Forwarded-Proto: https\r\nX-Mtlslint-Probe: s1\r\nConnection: close\r\n\r\n")
	recs := s.ByProbe("s1")
	if a.Status != 200 || len(recs) != 1 || recs[0].Environ["wsgi.url_scheme"] != "http" {
		t.Errorf("HTTP %d, records %+v: want wsgi.url_scheme http when 127.0.0.1 is not trusted", a.Status, recs)
	}
}

func FuzzParseHead(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: a\r\nX_Y: z\r\n\r\n"))
	f.Add([]byte("GET  HTTP/1.1\r\n\r\n"))
	f.Add([]byte("POST /x HTTP/1.0\r\nContent-Length: 3\r\nbad line\r\n\r\n"))
	f.Fuzz(func(t *testing.T, head []byte) {
		rec, err := parseHead(head)
		if err != nil {
			return
		}
		if rec.Method == "" || rec.Proto == "" {
			t.Errorf("parsed %q into %+v", head, rec)
		}
	})
}

// A configuration the server refuses after the rewrite is reported with
// the server's reason, once, and no server is left running.
func TestConfigTestFailureIsReported(t *testing.T) {
	needServers(t, parsers.KindNginx)
	plan, sb, _ := rewriteFiles(t, map[string]string{
		"nginx.conf": "events {}\nhttp { server { listen 80; no_such_directive on; location / { proxy_pass http://app:8000; } } }\n",
	})
	run, err := NewRun(context.Background(), sb, Servers{parsers.KindNginx: servers[parsers.KindNginx]}, StubOptions{}, Limits{Time: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	_, err = run.Start(plan)
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(ce.Reason, `unknown directive "no_such_directive"`) {
		t.Fatalf("Start() = %v, want a configuration error naming the directive", err)
	}
	if time.Since(started) > configTestTimeout {
		t.Errorf("the failure took %v: retried?", time.Since(started))
	}
	left, err := run.Close()
	if err != nil || len(left) > 0 {
		t.Errorf("Close() = %v, %v", left, err)
	}
	table, _ := supervise.Table()
	for _, p := range table {
		if strings.Contains(p.Cmdline, plan.Main) {
			t.Errorf("a server was started: %v", p)
		}
	}
}

func TestFindServers(t *testing.T) {
	s := FindServers(context.Background(), map[string]string{parsers.KindNginx: "/nonexistent/nginx"})
	_, err := s.For(parsers.KindNginx)
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "/nonexistent/nginx") {
		t.Errorf("For(nginx) = %v, want ErrMissing naming the flag's path", err)
	}
	if _, err := (Servers{}).For(parsers.KindHAProxy); !errors.Is(err, ErrMissing) {
		t.Errorf("For(haproxy) on nothing = %v", err)
	}
	for _, c := range []struct{ kind, out, want string }{
		{parsers.KindNginx, "nginx version: nginx/1.22.1\n", "nginx/1.22.1"},
		{parsers.KindHAProxy, "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/\n", "HAProxy/2.6.12-1+deb12u4"},
		{parsers.KindApache, "Server version: Apache/2.4.71 (Debian)\nServer built: x\n", "Apache/2.4.71"},
		{parsers.KindCaddy, "2.6.2\n", "Caddy/2.6.2"},
		{parsers.KindCaddy, "v2.8.4 h1:abc=\n", "Caddy/2.8.4"},
		{KindGunicorn, "gunicorn (version 20.1.0)\n", "gunicorn/20.1.0"},
	} {
		if got := parseVersion(c.kind, c.out); got != c.want {
			t.Errorf("parseVersion(%s, %q) = %q, want %q", c.kind, c.out, got, c.want)
		}
	}
}

func TestFailureReason(t *testing.T) {
	for _, c := range []struct{ kind, out, want string }{
		{parsers.KindNginx, `nginx: [emerg] unknown directive "http2" in /tmp/x/site/nginx.conf:12` + "\nnginx: configuration file /tmp/x failed\n", `unknown directive "http2" (a module this nginx lacks, or a newer release)`},
		{parsers.KindNginx, `nginx: [emerg] invalid number of arguments in "ssl_ciphers" directive in /tmp/a.conf:3`, `invalid number of arguments in "ssl_ciphers" directive`},
		{parsers.KindHAProxy, "[NOTICE]   (1) : haproxy version is 2.6.12\n[ALERT]    (1) : config : parsing [/tmp/h.cfg:4] : unknown keyword 'tune.stick-counters' in 'global' section\n", "unknown keyword 'tune.stick-counters' (a newer HAProxy or a build option)"},
		{parsers.KindHAProxy, "[ALERT]    (1) : config : Proxy 'web': unable to find required use_backend: 'api'.\n", "Proxy 'web': unable to find required use_backend: 'api'."},
		{parsers.KindApache, "AH00526: Syntax error on line 3 of /tmp/a.conf:\nInvalid command 'XSendFile', perhaps misspelled\n", "unknown directive 'XSendFile' (a module that is not loaded or not installed)"},
		{parsers.KindApache, "apache2: Syntax error on line 1 of /tmp/p.conf: Syntax error on line 4 of /tmp/q.conf: DocumentRoot '/srv/www' is not a directory, or is not readable\n", "DocumentRoot … is not a directory, or is not readable"},
		{parsers.KindCaddy, `{"level":"info","msg":"using provided configuration"}` + "\nError: adapting config using caddyfile: /tmp/Caddyfile:4 - Error during parsing: unknown subdirective for client_auth: trust_pool\n", "unknown subdirective for client_auth: trust_pool"},
	} {
		if got := FailureReason(c.kind, c.out); got != c.want {
			t.Errorf("FailureReason(%s, %q)\n = %q\nwant %q", c.kind, c.out, got, c.want)
		}
	}
}

// A run ends when its time is up: every server it started is stopped, by
// PID, without the caller closing it; and it sends no more requests than
// its budget.
func TestRunBounds(t *testing.T) {
	needServers(t, parsers.KindNginx)
	plan, sb, _ := rewriteFiles(t, map[string]string{
		"nginx.conf": "events {}\nhttp { server { listen 80; location / { proxy_pass http://app:8000; } } }\n",
	})
	run, err := NewRun(context.Background(), sb, Servers{parsers.KindNginx: servers[parsers.KindNginx]}, StubOptions{}, Limits{Time: 3 * time.Second, Requests: 2})
	if err != nil {
		t.Fatal(err)
	}
	proc, err := run.Start(plan)
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Spend(2); err != nil {
		t.Errorf("Spend(2) within a budget of 2: %v", err)
	}
	if err := run.Spend(1); !errors.Is(err, ErrBudget) {
		t.Errorf("Spend(1) past the budget = %v, want ErrBudget", err)
	}
	select {
	case <-run.Context().Done():
	case <-time.After(30 * time.Second):
		t.Fatal("the run did not end when its time was up")
	}
	if !proc.Wait(supervise.StopGrace + 5*time.Second) {
		t.Fatal("nginx still runs after the run's time was up")
	}
	// The run closed itself; Close reports how that went.
	if left, err := run.Close(); err != nil || len(left) > 0 {
		t.Errorf("Close() after the time was up = %v, %v", left, err)
	}
	if left, err := supervise.Leftovers(run.PIDs(), sb.Dir); err != nil || len(left) > 0 {
		t.Errorf("left behind: %v (%v)", left, err)
	}
}
