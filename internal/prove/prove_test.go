package prove

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/internal/e2e"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/internal/supervise"
	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/rules"
)

// TestProveE2EScenarios runs every real-server scenario through Prove, as
// a user's repository (its configuration rendered with its own ports and
// certificate paths, which the rewrite replaces). While each server runs
// it checks that the server listens on loopback only and that a valid
// client's request on every listener reaches the stub app (or is the
// configuration's own answer, recorded nowhere). Then it checks the
// verdicts against the suite's: every finding that covers an attack the
// suite records as working (e2e.Covers) is confirmed, except the direct
// connection to the app server, which prove does not run and reports as
// not testable; no finding is sent and not reproduced; and nothing of a
// run is left in the process table.
func TestProveE2EScenarios(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts real servers")
	}
	needServers(t, parsers.KindNginx, parsers.KindHAProxy, parsers.KindApache, parsers.KindCaddy, KindGunicorn)
	versions, _ := e2e.Probe()
	base := servableTempDir(t)
	userPKI, err := e2e.NewPKI(filepath.Join(base, "user-certs"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	counts := map[Status]int{}
	reasons := map[string]int{}
	started := time.Now()
	// The runs mostly wait (servers starting and stopping): a few side by
	// side keep the test short on a small machine.
	sem := make(chan struct{}, 3)
	t.Run("scenarios", func(t *testing.T) {
		for _, sc := range e2e.Scenarios {
			t.Run(sc.Name, func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				defer func() { <-sem }()
				d, err := e2e.Materialize(sc, filepath.Join(base, sc.Name), userPKI.Dir)
				if err != nil {
					t.Fatal(err)
				}
				before, err := e2e.TreeState(d.Site)
				if err != nil {
					t.Fatal(err)
				}
				res, err := Prove(context.Background(), Options{
					Lint: e2e.LintOptions(d.Site, versions), Servers: servers, TempDir: base,
					Limits: Limits{Time: 3 * time.Minute}, StartAll: true, Started: serving(t, sc),
				})
				if err != nil {
					t.Fatal(err)
				}
				// The repository is read, never written: not the
				// configuration, not a log or pid file beside it.
				if after, err := e2e.TreeState(d.Site); err != nil || !maps.Equal(before, after) {
					t.Errorf("the run changed the repository (%v):\nbefore %v\nafter  %v", err, before, after)
				}
				if len(res.Left) > 0 {
					t.Errorf("left behind: %v", res.Left)
				}
				// Independently of the run's own check.
				if left, err := supervise.Leftovers(res.PIDs, res.Dir); err != nil || len(left) > 0 {
					t.Errorf("left behind: %v %v", left, err)
				}
				for _, p := range res.Plans {
					if !p.Started {
						t.Errorf("%s %s not started: %s", p.Kind, p.Root, p.Reason)
					}
				}
				primary := 0
				if l, ok := d.PrimaryTLS(); ok {
					primary = l.Port
				}
				for _, f := range e2e.Findings(res.Lint) {
					pr := res.Proofs[f.Index]
					mu.Lock()
					counts[pr.Status]++
					if pr.Status != Confirmed {
						reasons[string(pr.Status)+": "+groupReason(pr.Reason)]++
					}
					mu.Unlock()
					t.Logf("%s %s %s:%d %s\n\t%s: %s", f.Code, f.Severity, f.File, f.Line, f.Header, pr.Status, pr.Reason)
					// On the suite's own deployments a finding that is sent
					// and does not get through is a false positive or a
					// request prove builds wrong: either is a defect.
					if pr.Status == NotReproduced {
						t.Errorf("%s %s:%d not reproduced: %s", f.Code, f.File, f.Line, pr.Reason)
					}
					// The request is named in the suite's vocabulary.
					if pr.Request != nil {
						if _, err := e2e.ParseAttack(pr.Request.Attack); err != nil {
							t.Errorf("%s %s:%d: the request sent: %v", f.Code, f.File, f.Line, err)
						}
					}
					for _, name := range sc.Breaches {
						attack, err := e2e.ParseAttack(name)
						if err != nil {
							t.Fatal(err)
						}
						if !e2e.Covers(attack.Mechanism(), f, primary) {
							continue
						}
						want := Confirmed
						if attack.Class.Transport == rules.TransportDirect {
							want = NotTestable
						}
						if pr.Status != want {
							t.Errorf("%s covers the working attack %q: prove says %s (%s), want %s", f.Code, name, pr.Status, pr.Reason, want)
						}
					}
				}
			})
		}
	})
	t.Logf("%d scenarios in %.0fs: %v", len(e2e.Scenarios), time.Since(started).Seconds(), counts)
	t.Logf("reasons:\n%s", countLines(reasons))
}

// serving checks a server while it runs: it listens on loopback only, and
// a valid client's request on every listener reaches the stub app, unless
// the configuration answers it itself.
func serving(t *testing.T, sc *e2e.Scenario) func(*Run, *Plan, int) {
	return func(run *Run, p *Plan, pid int) {
		onlyLoopback(t, p.Kind, pid)
		if g := run.Stub.GunicornPID(); g != 0 {
			onlyLoopback(t, "the stub app's gunicorn", g)
		}
		host := sc.Host
		if host == "" {
			host = "localhost"
		}
		seen := map[int]bool{}
		for _, l := range p.Listeners {
			if seen[l.Port] {
				continue // declared twice: a Listen line and its virtual host
			}
			seen[l.Port] = true
			var conf *tls.Config
			if l.TLS {
				conf = &tls.Config{RootCAs: run.Sandbox.PKI.CAPool, ServerName: host, MinVersion: tls.VersionTLS12}
			}
			probe := fmt.Sprintf("%s-%d", p.Kind, l.Port)
			if err := run.Spend(1); err != nil {
				t.Fatal(err)
			}
			a := get(l.Addr(), conf, &run.Sandbox.PKI.ValidClient, host, [2]string{ProbeHeader, probe})
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
				continue
			}
			if got.Environ["HTTP_X_MTLSLINT_PROBE"] != probe {
				t.Errorf("%s %s: the app's environ lacks the probe: %v", p.Root, l.Addr(), got.Environ)
			}
			if recs := run.Stub.ByProbe(probe); !sc.InProxy && (len(recs) != 1 || recs[0].Environ == nil) {
				t.Errorf("%s %s: stub records %+v, want one with an environ", p.Root, l.Addr(), recs)
			}
		}
	}
}

var portNumber = regexp.MustCompile(`:[0-9]{2,5}\b`)

// groupReason keeps what a reason says without ports, so that reasons
// group.
func groupReason(s string) string {
	s = portNumber.ReplaceAllString(s, ":PORT")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// countLines renders counts by reason, the most frequent first.
func countLines(m map[string]int) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%5d  %s\n", m[k], k)
	}
	return b.String()
}

// TestProveConfigTestFailure: a configuration that fails nginx -t after
// the rewrite is reported, for the configuration and for each finding on
// it, and the server is neither retried nor started: nginx is run once,
// for the test.
func TestProveConfigTestFailure(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs nginx -t")
	}
	needServers(t, parsers.KindNginx)
	repo := t.TempDir()
	conf := `events {}
http {
    server {
        listen 443 ssl;
        ssl_certificate /etc/ssl/site.pem;
        ssl_certificate_key /etc/ssl/site.key;
        ssl_client_certificate /etc/ssl/clients.pem;
        ssl_verify_client optional;
        proxy_set_header X-SSL-Client-DN $ssl_client_s_dn;
        no_such_directive on;
        location / { proxy_pass http://app:8000; }
    }
}
`
	if err := os.WriteFile(filepath.Join(repo, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// nginx, through a script that records each time it is run
	base := servableTempDir(t)
	calls := filepath.Join(base, "calls")
	wrapper := filepath.Join(base, "nginx")
	script := fmt.Sprintf("#!/bin/sh\necho \"$@\" >> %s\nexec %s \"$@\"\n", calls, servers[parsers.KindNginx].Path)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	srv := Servers{}
	for k, v := range servers {
		srv[k] = v
	}
	srv[parsers.KindNginx] = &Server{Name: "nginx", Path: wrapper, Version: servers[parsers.KindNginx].Version}

	res, err := Prove(context.Background(), Options{Lint: lint.Options{Root: repo, NoConfig: true}, Servers: srv, TempDir: base})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Plans) != 1 || res.Plans[0].Started || !strings.Contains(res.Plans[0].Reason, "fails nginx -t") || !strings.Contains(res.Plans[0].Reason, "no_such_directive") {
		t.Errorf("plans: %+v", res.Plans)
	}
	n := 0
	for i, p := range res.Proofs {
		if p == nil || res.Lint.Findings[i].Code != "N003" {
			continue
		}
		n++
		if p.Status != NotTestable || !strings.Contains(p.Reason, "fails nginx -t") {
			t.Errorf("N003: %s: %s", p.Status, p.Reason)
		}
	}
	if n == 0 {
		t.Error("no N003 finding to prove")
	}
	b, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "-t") {
		t.Errorf("nginx was run %d times, want once for the test:\n%s", len(lines), b)
	}
}

// TestProveInterrupted: a run interrupted while its servers run (the
// command's Ctrl-C or SIGTERM) stops every server and the stub app before
// Prove returns, removes its directory, and says of each finding it had
// to send a request for that the run was interrupted: not testable, never
// not reproduced.
func TestProveInterrupted(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts real servers")
	}
	needServers(t, parsers.KindNginx, KindGunicorn)
	base := servableTempDir(t)
	d, err := e2e.MaterializeAsRepository(e2e.ScenarioNamed("inherit-on-vulnerable"), base)
	if err != nil {
		t.Fatal(err)
	}
	versions, _ := e2e.Probe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var running []int
	res, err := Prove(ctx, Options{
		Lint: e2e.LintOptions(d.Site, versions), Servers: servers, TempDir: base,
		Started: func(run *Run, p *Plan, pid int) {
			running = append(running, pid, run.Stub.GunicornPID())
			cancel() // as the signal would, before any request is sent
		},
	})
	if err != nil && res == nil {
		t.Fatal(err)
	}
	if len(running) < 2 || running[1] == 0 {
		t.Fatalf("the server and the stub's gunicorn did not start: %v", running)
	}
	if left, err := supervise.Leftovers(append(res.PIDs, running...), res.Dir); err != nil || len(left) > 0 || len(res.Left) > 0 {
		t.Errorf("left behind: %v %v %v", left, res.Left, err)
	}
	if _, err := os.Stat(res.Dir); !os.IsNotExist(err) {
		t.Errorf("the run's directory %s is still there (%v)", res.Dir, err)
	}
	interrupted := 0
	for i, p := range res.Proofs {
		if p == nil {
			continue
		}
		switch {
		case p.Status == Confirmed || p.Status == NotReproduced:
			t.Errorf("%s %s after the interruption: %s", res.Lint.Findings[i].Code, p.Status, p.Reason)
		case strings.Contains(p.Reason, "the run was interrupted"):
			interrupted++
		}
	}
	if interrupted == 0 {
		t.Error("no finding says the run was interrupted")
	}
}
