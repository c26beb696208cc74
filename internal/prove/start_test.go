package prove

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/internal/e2e"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/internal/supervise"
	"github.com/mtlslint/mtlslint/parsers"
)

// answer is what came back to a test request.
type answer struct {
	Status int
	Body   string
	Err    error
}

// get sends one GET over a fresh connection, with TLS (offering cert when
// asked) when tlsConf is set, and with the headers written as given.
func get(addr string, tlsConf *tls.Config, cert *tls.Certificate, host string, headers ...[2]string) answer {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return answer{Err: err}
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if tlsConf != nil {
		cfg := tlsConf.Clone()
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			if cert == nil {
				return &tls.Certificate{}, nil
			}
			return cert, nil
		}
		tc := tls.Client(conn, cfg)
		if err := tc.Handshake(); err != nil {
			return answer{Err: err}
		}
		conn = tc
	}
	var b strings.Builder
	fmt.Fprintf(&b, "GET /whoami HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", host)
	for _, h := range headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		return answer{Err: err}
	}
	return readAnswer(conn)
}

// readAnswer reads one HTTP response.
func readAnswer(conn net.Conn) answer {
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return answer{Err: err}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return answer{Status: resp.StatusCode, Body: string(body)}
}

// servableTempDir is a temporary directory that servers whose workers run
// as nobody can traverse (t.TempDir's parent is private to the user).
func servableTempDir(t *testing.T) string {
	base, err := os.MkdirTemp("", "mtlslint-prove-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	return base
}

// TestE2EScenariosRun takes every real-server scenario's proxy
// configuration as a user's repository (rendered with its own ports and
// certificate paths), rewrites it, starts it against the stub app, and
// sends a valid client's request to every listener: the configuration
// test passes, the server starts, the request reaches the stub app with
// the probe header, and nothing is left in the process table afterwards.
func TestE2EScenariosRun(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts real servers")
	}
	needServers(t, parsers.KindNginx, parsers.KindHAProxy, parsers.KindApache, parsers.KindCaddy, KindGunicorn)
	base := servableTempDir(t)
	userPKI, err := e2e.NewPKI(filepath.Join(base, "user-certs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range e2e.Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			d, err := e2e.Materialize(sc, filepath.Join(base, sc.Name), userPKI.Dir)
			if err != nil {
				t.Fatal(err)
			}
			runScenario(t, d, filepath.Join(base, sc.Name, "prove"))
		})
	}
}

func runScenario(t *testing.T, d *e2e.Deployment, dir string) {
	ctx := context.Background()
	ws, err := parsers.Load(ctx, parsers.Options{Root: d.Site})
	if err != nil {
		t.Fatal(err)
	}
	sb, err := NewSandbox(dir, HostNames(ws))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	var plans []*Plan
	for _, tree := range ws.Trees {
		if !proxyKinds[tree.Kind()] {
			continue
		}
		p, err := sb.Rewrite(ws, tree)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Testable() {
			t.Fatalf("%s refused: %v", p.Root, p.Refusals)
		}
		plans = append(plans, p)
	}
	if len(plans) == 0 {
		t.Fatal("no proxy configuration")
	}
	// Every route of the deployment model has its listener in a plan.
	res, err := lint.Run(ctx, lint.Options{Root: d.Site, NoConfig: true, WithModel: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Model.Routes {
		found := false
		for _, p := range plans {
			if l, ok := p.ListenerFor(r.Listener); ok {
				found = true
				if l.TLS != r.Listener.TLS {
					t.Errorf("route %s: the model says TLS=%v, the plan's listener %s says %v", r.ID, r.Listener.TLS, l.Original, l.TLS)
				}
			}
		}
		if !found && proxyKinds[r.Proxy] {
			t.Errorf("route %s: no listener of the plans is at %s (port %s)", r.ID, r.Listener.Range, r.Listener.Endpoint.Port)
		}
	}
	run, err := NewRun(ctx, sb, servers, StubOptions{}, Limits{Time: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			_, _ = run.Close()
		}
	}()
	host := d.Scenario.Host
	if host == "" {
		host = "localhost"
	}
	tlsConf := &tls.Config{RootCAs: sb.PKI.CAPool, ServerName: host, MinVersion: tls.VersionTLS12}
	for _, p := range plans {
		proc, err := run.Start(p)
		if err != nil {
			t.Fatalf("%s: %v", p.Root, err)
		}
		onlyLoopback(t, p.Kind, proc.PID())
		seen := map[int]bool{}
		for _, l := range p.Listeners {
			if seen[l.Port] {
				continue // declared twice: a Listen line and its virtual host
			}
			seen[l.Port] = true
			var conf *tls.Config
			if l.TLS {
				conf = tlsConf
			}
			probe := fmt.Sprintf("%s-%d", p.Kind, l.Port)
			if err := run.Spend(1); err != nil {
				t.Fatal(err)
			}
			a := get(l.Addr(), conf, &sb.PKI.ValidClient, host, [2]string{ProbeHeader, probe})
			if a.Err != nil {
				t.Errorf("%s %s (was %s): %v", p.Root, l.Addr(), l.Original, a.Err)
				continue
			}
			var got struct {
				App     string            `json:"app"`
				Environ map[string]string `json:"environ"`
			}
			if err := json.Unmarshal([]byte(a.Body), &got); err != nil || got.App != StubMarker {
				// A redirect or a refusal by the proxy is the deployment's
				// answer; the stub app must have seen nothing then.
				if n := len(run.Stub.ByProbe(probe)); n > 0 {
					t.Errorf("%s %s: HTTP %d %q, yet the stub app recorded the request", p.Root, l.Addr(), a.Status, a.Body)
				}
				t.Logf("%s %s (was %s): HTTP %d %.80q\n%s", p.Root, l.Addr(), l.Original, a.Status, a.Body, supervise.Tail(filepath.Join(p.Run, "error.log"), 3))
				continue
			}
			if got.Environ["HTTP_X_MTLSLINT_PROBE"] != probe {
				t.Errorf("%s %s: the app's environ lacks the probe: %v", p.Root, l.Addr(), got.Environ)
			}
			recs := run.Stub.ByProbe(probe)
			if d.Scenario.InProxy {
				continue // mod_wsgi ran the stub script itself
			}
			if len(recs) != 1 || recs[0].Environ == nil {
				t.Errorf("%s %s: stub records %+v, want one with an environ\n%s", p.Root, l.Addr(), recs, supervise.Tail(filepath.Join(p.Run, "error.log"), 10))
			}
		}
	}
	onlyLoopback(t, "the stub app's gunicorn", run.Stub.GunicornPID())
	pids := run.PIDs()
	left, err := run.Close()
	closed = true
	switch {
	case onlyKilled(err) && len(left) == 0:
		// Stopped after the grace period on a loaded machine: by PID all
		// the same, and nothing is left (checked below).
		t.Log(err)
	case err != nil:
		t.Error(err)
	}
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	// Independently of Close's own check: nothing of the run in the table.
	again, err := supervise.Leftovers(pids, sb.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) > 0 {
		t.Errorf("left behind: %v", again)
	}
}

// onlyLoopback fails when a server listens anywhere but on 127.0.0.1.
func onlyLoopback(t *testing.T, what string, pgid int) {
	t.Helper()
	addrs, err := supervise.Listening(pgid)
	if err != nil {
		t.Fatal(err)
	}
	if len(addrs) == 0 {
		t.Errorf("%s listens nowhere", what)
	}
	for _, a := range addrs {
		if !strings.HasPrefix(a, "127.0.0.1:") {
			t.Errorf("%s listens on %s", what, a)
		}
	}
}

// onlyKilled reports whether every error joined in err is a forced stop.
func onlyKilled(err error) bool {
	if err == nil {
		return false
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !onlyKilled(e) {
				return false
			}
		}
		return true
	}
	return errors.Is(err, supervise.ErrKilled)
}
