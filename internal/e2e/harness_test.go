package e2e

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// The scenario table and the scenario directories describe the same set,
// and every scenario renders (no unknown placeholder, no missing file).
func TestScenarioTable(t *testing.T) {
	dirs, err := fs.ReadDir(assets, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	inTable := map[string]bool{}
	for _, sc := range Scenarios {
		if inTable[sc.Name] {
			t.Errorf("%s: listed twice", sc.Name)
		}
		inTable[sc.Name] = true
		if sc.Title == "" || sc.Fact == "" {
			t.Errorf("%s: needs a Title and a Fact", sc.Name)
		}
		for i, name := range sc.Breaches {
			if _, err := ParseAttack(name); err != nil {
				t.Errorf("%s: %v", sc.Name, err)
			}
			if slices.Contains(sc.Breaches[:i], name) {
				t.Errorf("%s: %s listed twice", sc.Name, name)
			}
		}
		d, err := Materialize(sc, t.TempDir(), "/certs")
		if err != nil {
			t.Errorf("%s: %v", sc.Name, err)
			continue
		}
		if !d.Has("nginx.conf") && !d.Has("haproxy.cfg") && !d.Has("apache.conf") && !d.Has("Caddyfile") {
			t.Errorf("%s: no proxy configuration", sc.Name)
		}
		if _, err := procfileCommand(d.Site); err != nil && !sc.InProxy {
			t.Errorf("%s: %v", sc.Name, err)
		}
		if sc.InProxy && (d.Has("Procfile") || d.Has("gunicorn.conf.py")) {
			t.Errorf("%s: the app runs in the proxy, but the site still has a Procfile or gunicorn.conf.py", sc.Name)
		}
	}
	for _, e := range dirs {
		if !inTable[e.Name()] {
			t.Errorf("scenarios/%s has no entry in Scenarios", e.Name())
		}
	}
}

func TestMaterialize(t *testing.T) {
	fsys := fstest.MapFS{
		"app/gunicorn.conf.py":           {Data: []byte(`bind = "127.0.0.1:{{APP_PORT}}"` + "\n")},
		"app/e2eapp/identity.py":         {Data: []byte("# template\n")},
		"app/e2eapp/__pycache__/x.pyc":   {Data: []byte("stale")},
		"scenarios/s/nginx.conf":         {Data: []byte("listen {{PROXY_PORT}}; listen {{PLAIN_PORT}}; ca {{CERT_DIR}}/ca.pem; pid {{TMP}}/p; root {{SITE}};\n")},
		"scenarios/s/e2eapp/identity.py": {Data: []byte("# scenario\n")},
		"scenarios/bad/nginx.conf":       {Data: []byte("listen {{PROXY_PORT}}; x {{NO_SUCH_THING}};\n")},
	}
	base := t.TempDir()
	d, err := materialize(fsys, &Scenario{Name: "s"}, base, "/certs")
	if err != nil {
		t.Fatal(err)
	}
	read := func(rel string) string {
		b, err := os.ReadFile(filepath.Join(d.Site, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := read("e2eapp/identity.py"); got != "# scenario\n" {
		t.Errorf("a scenario file must replace the template's: got %q", got)
	}
	if d.Has("e2eapp/__pycache__/x.pyc") {
		t.Error("__pycache__ copied")
	}
	ports := map[string]Listener{}
	for _, l := range d.Listeners {
		ports[l.Name] = l
	}
	if ports["PROXY_PORT"].Kind != PortTLS || ports["PLAIN_PORT"].Kind != PortPlain || ports["APP_PORT"].Kind != PortApp {
		t.Fatalf("listeners: %+v", d.Listeners)
	}
	if len(map[int]bool{ports["PROXY_PORT"].Port: true, ports["PLAIN_PORT"].Port: true, ports["APP_PORT"].Port: true}) != 3 {
		t.Errorf("ports not distinct: %+v", d.Listeners)
	}
	conf := read("nginx.conf")
	for _, want := range []string{"/certs/ca.pem", filepath.Join(base, "run") + "/p", "root " + d.Site + ";"} {
		if !strings.Contains(conf, want) {
			t.Errorf("nginx.conf lacks %q:\n%s", want, conf)
		}
	}
	if strings.Contains(conf, "{{") || strings.Contains(read("gunicorn.conf.py"), "{{") {
		t.Errorf("placeholder left:\n%s", conf)
	}
	if d.AppAddr != "127.0.0.1:"+strconv.Itoa(ports["APP_PORT"].Port) {
		t.Errorf("AppAddr = %q", d.AppAddr)
	}

	d, err = materialize(fsys, &Scenario{Name: "s", Without: []string{"gunicorn.conf.py"}}, t.TempDir(), "/certs")
	if err != nil {
		t.Fatal(err)
	}
	if d.Has("gunicorn.conf.py") || !d.Has("e2eapp/identity.py") {
		t.Error("Without must leave out exactly the files it names")
	}
	if _, err := materialize(fsys, &Scenario{Name: "s", Without: []string{"no-such-file"}}, t.TempDir(), "/certs"); err == nil {
		t.Error("Without naming a file the app does not have must fail")
	}

	_, err = materialize(fsys, &Scenario{Name: "bad"}, t.TempDir(), "/certs")
	if err == nil || !strings.Contains(err.Error(), "NO_SUCH_THING") {
		t.Errorf("unknown placeholder: err = %v", err)
	}
	if _, err := materialize(fsys, &Scenario{Name: "missing"}, t.TempDir(), "/certs"); err == nil {
		t.Error("a scenario without a directory must fail")
	}
}

func TestPKI(t *testing.T) {
	p, err := NewPKI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	verify := func(der []byte, usage x509.ExtKeyUsage, name string) error {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Verify(x509.VerifyOptions{Roots: p.CAPool, KeyUsages: []x509.ExtKeyUsage{usage}, DNSName: name})
		return err
	}
	if err := verify(p.ValidClient.Certificate[0], x509.ExtKeyUsageClientAuth, ""); err != nil {
		t.Errorf("valid client certificate does not verify: %v", err)
	}
	if err := verify(p.UntrustedClient.Certificate[0], x509.ExtKeyUsageClientAuth, ""); err == nil {
		t.Error("the untrusted client certificate verifies against the trusted CA")
	}
	server, err := os.ReadFile(filepath.Join(p.Dir, FileServerBundle))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(server), "CERTIFICATE") || !strings.Contains(string(server), "PRIVATE KEY") {
		t.Error("the server bundle needs the certificate and the key")
	}
	for _, f := range []string{FileCA, FileServerCert, FileServerKey, FileClientCert, FileClientKey, FileUntrustedCA, FileUntrustedClient, FileUntrustedKey} {
		if _, err := os.Stat(filepath.Join(p.Dir, f)); err != nil {
			t.Error(err)
		}
	}
}

// TestChainOnly: the attackers' TLS settings accept the suite's server
// certificate whatever server name the handshake asks for (a class's
// mtls.example.com is not among its names), and refuse a certificate that
// does not chain to the suite's CA, for a name it does carry.
func TestChainOnly(t *testing.T) {
	p, err := NewPKI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	suite, err := tls.LoadX509KeyPair(filepath.Join(p.Dir, FileServerCert), filepath.Join(p.Dir, FileServerKey))
	if err != nil {
		t.Fatal(err)
	}
	other, err := newCA("another CA")
	if err != nil {
		t.Fatal(err)
	}
	der, key, err := other.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		DNSNames:    []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		t.Fatal(err)
	}
	stranger := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}

	// Over loopback TCP, not net.Pipe: a refusing client's alert and the
	// server's flight cross, which a pipe without a buffer cannot carry.
	handshake := func(server tls.Certificate, name string) error {
		ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{server}, MinVersion: tls.VersionTLS12})
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			if c, err := ln.Accept(); err == nil {
				_ = c.(*tls.Conn).Handshake()
				c.Close()
			}
		}()
		cfg := ChainOnly(p.CAPool)
		cfg.ServerName = name
		c, err := tls.Dial("tcp", ln.Addr().String(), cfg)
		if err == nil {
			c.Close()
		}
		return err
	}
	for _, name := range []string{"localhost", "mtls.example.com", ""} {
		if err := handshake(suite, name); err != nil {
			t.Errorf("the suite's certificate, server name %q: %v", name, err)
		}
	}
	if err := handshake(stranger, "localhost"); err == nil {
		t.Error("a server certificate from another CA was accepted")
	}
}

// Header names with underscores must reach the wire as written: Go's own
// client would rewrite them.
func TestFetchWritesHeadersVerbatim(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		var raw strings.Builder
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			raw.WriteString(line)
			if err != nil || line == "\r\n" {
				break
			}
		}
		got <- raw.String()
		body := `{"app":"` + Marker + `","authenticated":true,"identity":"CN=admin","secure":false,"headers":{}}`
		c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + body))
	}()
	resp := fetch(context.Background(), Request{Addr: l.Addr().String(), Host: "localhost", Headers: []Header{{"X_SSL_Client_DN", "CN=admin"}, {"X-SSL-Client-Verify", "SUCCESS"}}})
	raw := <-got
	for _, want := range []string{"GET /whoami HTTP/1.1\r\n", "Host: localhost\r\n", "X_SSL_Client_DN: CN=admin\r\n", "X-SSL-Client-Verify: SUCCESS\r\n"} {
		if !strings.Contains(raw, want) {
			t.Errorf("request lacks %q:\n%s", want, raw)
		}
	}
	if resp.Err != nil || resp.Status != http.StatusOK || !resp.FromApp || !resp.Report.Authenticated || ident(resp.Report.Identity) != "CN=admin" {
		t.Errorf("response not understood: %+v", resp)
	}
}

func TestPageText(t *testing.T) {
	nginx := "<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>No required SSL certificate was sent</center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n"
	if got := PageText(nginx); got != "400 Bad Request / No required SSL certificate was sent" {
		t.Errorf("nginx page: %q", got)
	}
	gunicorn := "<html><head><title>Bad Request</title></head><body><h1><p>Bad Request</p></h1>Contradictory scheme headers</body></html>"
	if got := PageText(gunicorn); got != "Contradictory scheme headers" {
		t.Errorf("gunicorn page: %q", got)
	}
}

func TestGainedAndOwn(t *testing.T) {
	id := func(s string) Response {
		return Response{FromApp: true, Report: AppReport{App: Marker, Authenticated: true, Identity: &s}}
	}
	refused := Response{FromApp: true, Report: AppReport{App: Marker}}
	proxy400 := Response{Status: 400}
	cases := []struct {
		control, resp Response
		want          bool
	}{
		{refused, id("CN=admin"), true},
		{proxy400, id("CN=admin"), true},
		{id("CN=alice"), id("CN=alice,CN=admin"), true},
		{id("CN=alice"), id("CN=alice"), false},
		{id(""), id(""), false},
		{id("CN=alice"), refused, false},
		{refused, proxy400, false},
	}
	for i, c := range cases {
		if got := gained(c.control, c.resp); got != c.want {
			t.Errorf("case %d: gained = %v, want %v", i, got, c.want)
		}
	}
	for s, want := range map[string]bool{"CN=alice": true, "/CN=alice": true, "CN=alice,CN=admin": false, "": false} {
		if got := isOwn(&s, "alice"); got != want {
			t.Errorf("isOwn(%q) = %v", s, got)
		}
	}
	if isOwn(nil, "alice") {
		t.Error("isOwn(nil)")
	}
}

func TestCompare(t *testing.T) {
	saved := AttackCodes[SpoofDash]
	AttackCodes[SpoofDash] = []string{"T1", "T3:identity"}
	defer func() { AttackCodes[SpoofDash] = saved }()

	out := func(v Verdict) []Outcome {
		return []Outcome{{Attack: "tls no-cert spoof-dash", Mechanism: SpoofDash, Verdict: v}}
	}
	high := []Finding{{Code: "T1", Severity: rules.High}}
	medium := []Finding{{Code: "T1", Severity: rules.Medium}}
	other := []Finding{{Code: "T2", Severity: rules.Critical}}
	cases := []struct {
		name     string
		outcomes []Outcome
		findings []Finding
		ran      bool
		want     CheckStatus
	}{
		{"breach covered", out(Breached), high, true, Agree},
		{"breach covered too weakly", out(Breached), medium, true, Missed},
		{"breach covered by another code", out(Breached), other, true, Missed},
		{"breach, nothing found", out(Breached), nil, true, Missed},
		{"held, finding claims it", out(Held), medium, true, Refuted},
		{"held, unrelated finding", out(Held), other, true, Agree},
		{"held, nothing found", out(Held), nil, true, Agree},
		{"not applicable", out(NotApplicable), high, true, Agree},
		{"qualified code, matching header", out(Breached), []Finding{{Code: "T3", Severity: rules.Critical, Header: "x-ssl-client-dn"}}, true, Agree},
		{"qualified code, other header", out(Breached), []Finding{{Code: "T3", Severity: rules.Critical, Header: "x-forwarded-proto"}}, true, Missed},
		{"qualified code, other header, held", out(Held), []Finding{{Code: "T3", Severity: rules.Critical, Header: "x-forwarded-proto"}}, true, Agree},
		{"broken", out(Broken), nil, true, Unchecked},
		{"static not run", out(Breached), nil, false, Unchecked},
	}
	for _, c := range cases {
		got := Compare(c.outcomes, c.findings, 8443, c.ran)
		if len(got) != len(Mechanisms) {
			t.Fatalf("%s: %d checks, want one per mechanism", c.name, len(got))
		}
		for _, x := range got {
			if x.Mechanism == SpoofDash && x.Status != c.want {
				t.Errorf("%s: got %+v, want status %d", c.name, x, c.want)
			}
		}
	}
	// A mechanism is breached when one of its attacks is, whatever the
	// others did.
	mixed := []Outcome{
		{Attack: "tls no-cert spoof-dash", Mechanism: SpoofDash, Verdict: Held},
		{Attack: "plain-http spoof-dash", Mechanism: SpoofDash, Verdict: Breached},
	}
	for _, x := range Compare(mixed, medium, 8443, true) {
		if x.Mechanism == SpoofDash && (x.Verdict != Breached || x.Status != Missed) {
			t.Errorf("one breached attack of two: got %+v, want a breach the medium finding misses", x)
		}
	}
	// A harness failure on one attack leaves a breach another attack
	// proved standing, in either order: covered or missed, never unchecked.
	for _, order := range [][]Verdict{{Broken, Breached}, {Breached, Broken}} {
		var outs []Outcome
		for i, v := range order {
			outs = append(outs, Outcome{Attack: fmt.Sprintf("attack %d spoof-dash", i), Mechanism: SpoofDash, Verdict: v})
		}
		for _, tc := range []struct {
			findings []Finding
			want     CheckStatus
		}{{nil, Missed}, {high, Agree}} {
			for _, x := range Compare(outs, tc.findings, 8443, true) {
				if x.Mechanism == SpoofDash && (x.Verdict != Breached || x.Status != tc.want) {
					t.Errorf("%v with findings %v: got %+v, want breached, status %d", order, tc.findings, x, tc.want)
				}
			}
		}
	}
	// Where nothing breached, a failure leaves the mechanism unchecked.
	for _, x := range Compare([]Outcome{{Attack: "a", Mechanism: SpoofDash, Verdict: Held}, {Attack: "b", Mechanism: SpoofDash, Verdict: Broken}}, medium, 8443, true) {
		if x.Mechanism == SpoofDash && x.Status != Unchecked {
			t.Errorf("held and broken: got %+v, want unchecked", x)
		}
	}
}

// Every code in the attack table is a rule mtlslint has.
func TestAttackCodesAreRules(t *testing.T) {
	known := RegisteredCodes()
	for id, entries := range AttackCodes {
		for _, e := range entries {
			code, conds, qualified := strings.Cut(e, ":")
			if !known[code] {
				t.Errorf("%s lists %s, which is no rule", id, code)
			}
			if !qualified {
				continue
			}
			for _, c := range strings.Split(conds, ",") {
				ok := false
				for _, name := range conditions {
					ok = ok || c == name || (strings.HasSuffix(name, "=") && strings.HasPrefix(c, name) && len(c) > len(name))
				}
				if !ok {
					t.Errorf("%s lists %s: unknown condition %q", id, e, c)
				}
				if lvl, isSev := strings.CutPrefix(c, "sev="); isSev {
					if _, err := rules.ParseSeverity(lvl); err != nil {
						t.Errorf("%s lists %s: %v", id, e, err)
					}
				}
			}
		}
	}
}

// A proxy that cannot be reached, a 5xx from the proxy and an error page of
// the app mean the harness cannot tell: never "held".
func TestJudgeBroken(t *testing.T) {
	s := "CN=alice"
	cases := []struct {
		resp   Response
		broken bool
		result string
	}{
		{Response{DialErr: errors.New("connection refused")}, true, ""},
		{Response{Status: 502, Body: "Bad Gateway"}, true, ""},
		{Response{Status: 500, FromApp: true, Report: AppReport{App: Marker, Error: "500: boom"}}, true, ""},
		{Response{Err: errors.New("remote error: tls: certificate required")}, false, "refused: TLS certificate required"},
		{Response{Status: 400, Body: "No required SSL certificate was sent"}, false, "HTTP 400 (No required SSL certificate was sent)"},
		{Response{Status: 200, FromApp: true, Report: AppReport{App: Marker, Authenticated: true, Identity: &s}}, false, `app accepted "CN=alice"`},
		{Response{Status: 200, FromApp: true, Report: AppReport{App: Marker, Headers: map[string]string{"HTTP_X_SSL_CLIENT_VERIFY": "NONE,SUCCESS"}}}, false, `app refused (saw X_SSL_CLIENT_VERIFY="NONE,SUCCESS")`},
		{Response{Status: 301, URL: "https://localhost/whoami", Location: "https://localhost/whoami"}, false, "HTTP 301 (redirect to the URL requested: a loop)"},
		{Response{Status: 301, URL: "http://localhost/whoami", Location: "https://localhost/whoami"}, false, "HTTP 301 (redirect to https://localhost/whoami)"},
	}
	for i, c := range cases {
		at := judge("x", c.resp, true)
		if (at.Broken != "") != c.broken {
			t.Errorf("case %d: broken = %q, want %v", i, at.Broken, c.broken)
		}
		if c.result != "" && at.Result != c.result {
			t.Errorf("case %d: result = %q, want %q", i, at.Result, c.result)
		}
	}
	o := Outcome{Attempts: []Attempt{{Where: "a", Result: "HTTP 400"}, {Where: "b", Broken: "proxy answered 502"}}}
	finish(&o)
	if o.Verdict != Broken {
		t.Errorf("one broken attempt must make the outcome broken, got %s", o.Verdict)
	}
}

func TestConditions(t *testing.T) {
	route := func(port int, tls bool, verify, action string) *RouteFacts {
		return &RouteFacts{Port: port, TLS: tls, Verify: verify, Action: action}
	}
	cases := []struct {
		entry string
		f     Finding
		want  bool
	}{
		{"X1", Finding{Code: "X1"}, true},
		{"X1", Finding{Code: "X2"}, false},
		{"X1:identity", Finding{Code: "X1", Header: "x-ssl-client-dn"}, true},
		{"X1:identity", Finding{Code: "X1", Header: "x-forwarded-proto"}, false},
		{"X1:identity", Finding{Code: "X1"}, false},
		{"X1:scheme", Finding{Code: "X1", Header: "x-forwarded-proto"}, true},
		{"X1:lockout", Finding{Code: "X1", Header: "x-ssl-client-verify", Route: route(8443, true, "required", "passthrough")}, true},
		{"X1:lockout", Finding{Code: "X1", Header: "x-ssl-client-verify", Route: route(8080, false, "off", "passthrough")}, false},
		{"X1:lockout", Finding{Code: "X1", Header: "x-ssl-client-verify", Route: route(8443, true, "required", "set-client")}, false},
		{"X1:lockout", Finding{Code: "X1", Header: "x-ssl-client-verify"}, false},
		{"X1:identity,verify=optional_no_ca", Finding{Code: "X1", Header: "x-ssl-client-dn", Route: route(8443, true, "optional_no_ca", "set-tls")}, true},
		{"X1:identity,verify=optional_no_ca", Finding{Code: "X1", Header: "x-ssl-client-dn", Route: route(8443, true, "optional", "set-tls")}, false},
		{"X1:primary", Finding{Code: "X1", Route: route(8443, true, "required", "set-tls")}, true},
		{"X1:primary", Finding{Code: "X1", Route: route(9443, true, "required", "set-tls")}, false},
		{"X1:primary", Finding{Code: "X1"}, false},
		{"X1:identity,underscore", Finding{Code: "X1", Header: "x-ssl-client-dn", Route: &RouteFacts{Port: 8443, TLS: true, Action: "appended", Underscore: true}}, true},
		{"X1:identity,underscore", Finding{Code: "X1", Header: "x-ssl-client-dn", Route: route(8443, true, "optional", "passthrough")}, false},
		{"X1:identity,underscore", Finding{Code: "X1", Header: "x-ssl-client-dn"}, false},
		{"X1:loop", Finding{Code: "X1", Header: "x-forwarded-proto", Route: &RouteFacts{Port: 8443, TLS: true, Action: "passthrough", Redirects: true}}, true},
		{"X1:loop", Finding{Code: "X1", Header: "x-forwarded-proto", Route: route(8443, true, "required", "passthrough")}, false},
		{"X1:loop", Finding{Code: "X1", Header: "x-forwarded-proto", Route: &RouteFacts{Port: 8080, TLS: false, Action: "passthrough", Redirects: true}}, false},
		{"X1:loop", Finding{Code: "X1", Header: "x-ssl-client-verify", Route: &RouteFacts{Port: 8443, TLS: true, Action: "passthrough", Redirects: true}}, false},
		{"X1:sev=medium", Finding{Code: "X1", Severity: rules.Medium}, true},
		{"X1:sev=medium", Finding{Code: "X1", Severity: rules.Critical}, false},
		{"X1:sev=critical,verify=optional", Finding{Code: "X1", Severity: rules.Critical, Route: route(8443, true, "optional", "set-tls")}, true},
		{"X1:sev=critical,verify=optional", Finding{Code: "X1", Severity: rules.Medium, Route: route(8443, true, "optional", "set-tls")}, false},
	}
	for _, c := range cases {
		if got := matches([]string{c.entry}, c.f, 8443); got != c.want {
			t.Errorf("%s on %+v: got %v, want %v", c.entry, c.f, got, c.want)
		}
	}
}

func TestKeyRoute(t *testing.T) {
	r := &rules.Route{ID: "nginx.conf#server=a@127.0.0.1:1#location=/"}
	routes := map[string]*rules.Route{r.ID: r}
	read := source.Range{File: "identity.py", Start: source.Pos{Line: 7, Col: 1}}
	r.Listener.VerifyRange = source.Range{File: "nginx.conf", Start: source.Pos{Line: 4, Col: 5}}
	for key, want := range map[rules.Key]*rules.Route{
		rules.RouteHeaderKey(r.ID, "x-ssl-client-dn"):                                          r,
		rules.AppReadRouteKey(read, rules.CheckSemantics, "HTTP_X_SSL_CLIENT_DN", r.ID):        r,
		rules.VerifyKey(r.Listener.VerifyRange):                                                r,
		rules.RouteHeaderKey("other", "x"):                                                     nil,
		rules.PublicBindKey("gunicorn.conf.py", rules.Endpoint{Host: "0.0.0.0", Port: "8000"}): nil,
	} {
		if got := keyRoute(key, routes); got != want {
			t.Errorf("keyRoute(%q) = %v, want %v", key, got, want)
		}
	}
}
