package e2e

import (
	"crypto/tls"
	"slices"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/rules"
)

// TestAttackNames: every attack name reads back as the attack it names,
// and a name that is not in the vocabulary is refused with the reason.
func TestAttackNames(t *testing.T) {
	var names []string
	for _, tr := range []rules.Transport{rules.TransportTLS, rules.TransportPlain} {
		for _, cert := range []rules.CertState{rules.CertNone, rules.CertVerified, rules.CertUntrusted} {
			for _, sni := range []bool{false, true} {
				for adds := AddsNothing; adds <= AddsSpoofScheme; adds++ {
					c := rules.RequestClass{Transport: tr, Cert: cert}
					if sni {
						c.SNI, c.Host = "a.example", "b.example"
					}
					names = append(names, Attack{Class: c, Adds: adds}.Name())
				}
			}
		}
	}
	names = append(names, Attack{Class: rules.RequestClass{Transport: rules.TransportDirect}}.Name())
	for _, name := range slices.Compact(slices.Sorted(slices.Values(names))) {
		a, err := ParseAttack(name)
		if err != nil {
			t.Errorf("%q: %v", name, err)
			continue
		}
		if a.Name() != name {
			t.Errorf("%q reads back as %q", name, a.Name())
		}
	}
	for name, want := range map[string]string{
		"":                                    "empty",
		"tls":                                 "needs a certificate",
		"tls spoof-dash":                      "is not a certificate",
		"no-cert":                             "is not a transport",
		"plain-http no-cert":                  "is not what a client adds",
		"direct spoof-dash":                   "takes no addition",
		"tls no-cert spoof-dash extra":        "after what the client adds",
		"tls no-cert  spoof-dash":             "",
		"tls sni-not-host no-cert":            "is not a certificate",
		"tls no-cert spoof-dash sni-not-host": "after what the client adds",
	} {
		_, err := ParseAttack(name)
		switch {
		case want == "" && err != nil:
			t.Errorf("%q: %v", name, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%q: error %v, want one saying %q", name, err, want)
		}
	}
}

// TestAttackMechanism: what the client adds decides the mechanism, else
// its certificate.
func TestAttackMechanism(t *testing.T) {
	for name, want := range map[string]Mechanism{
		"tls no-cert": NoCert, "plain-http": NoCert, "tls no-cert sni-not-host": NoCert,
		"tls valid-cert": ValidCert, "tls untrusted-cert": UntrustedCert,
		"tls valid-cert spoof-dash": SpoofDash, "plain-http spoof-underscore": SpoofUnderscore,
		"plain-http spoof-scheme": ForwardedProto, "direct": DirectApp,
	} {
		a, err := ParseAttack(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Mechanism(); got != want {
			t.Errorf("%q: mechanism %s, want %s", name, got, want)
		}
	}
}

// TestAttackRequest: a request carries what its class fixes, and the
// target's defaults where the class leaves them open.
func TestAttackRequest(t *testing.T) {
	valid, rogue := &tls.Certificate{}, &tls.Certificate{}
	cl := Clients{TLS: &tls.Config{MinVersion: tls.VersionTLS13}, Valid: valid, Untrusted: rogue}
	target := Target{Addr: "127.0.0.1:8443", Host: "localhost"}
	headers := []Header{{"X-SSL-Client-DN", "CN=admin"}}

	req := Attack{Class: rules.RequestClass{Transport: rules.TransportTLS, Cert: rules.CertVerified}}.Request(target, cl, headers)
	if req.Host != "localhost" || req.TLS == nil || req.TLS.ServerName != "localhost" || req.Client != valid || req.Path != "" || len(req.Headers) != 1 {
		t.Errorf("a valid client's request: %+v", req)
	}
	if req.TLS == cl.TLS || cl.TLS.ServerName != "" || req.TLS.MinVersion != tls.VersionTLS13 {
		t.Error("the request must have its own copy of the clients' TLS settings")
	}
	c := rules.RequestClass{Transport: rules.TransportTLS, Cert: rules.CertUntrusted, SNI: "a.example", Host: "b.example", Path: "= /admin"}
	req = Attack{Class: c}.Request(target, cl, nil)
	if req.Host != "b.example" || req.TLS.ServerName != "a.example" || req.Client != rogue || req.Path != "/admin" {
		t.Errorf("SNI != Host, untrusted, exact path: %+v", req)
	}
	req = Attack{Class: rules.RequestClass{Transport: rules.TransportTLS, Path: "/"}}.Request(target, cl, nil)
	if req.Client != nil || req.Path != "" {
		t.Errorf("no certificate, the path of \"location /\": %+v (the default path serves it)", req)
	}
	req = Attack{Class: rules.RequestClass{Transport: rules.TransportPlain, Cert: rules.CertVerified}}.Request(target, cl, nil)
	if req.TLS != nil || req.Client != nil {
		t.Errorf("plain HTTP has no TLS and no certificate: %+v", req)
	}
	// The witness is what the class's conditions were decided on; a
	// class's server name may list alternatives, or be none at all.
	for _, tc := range []struct {
		class     rules.RequestClass
		host, sni string
	}{
		{rules.RequestClass{SNI: "localhost or none", Host: "admin.example"}, "admin.example", "localhost"},
		{rules.RequestClass{SNI: "none", Host: "admin.example"}, "admin.example", ""},
		{rules.RequestClass{Host: "*.example.com"}, "localhost", "localhost"},
		{rules.RequestClass{Host: "a.example", Witness: rules.Witness{Host: "b.example", SNI: "c.example", Path: "/acme/x"}}, "b.example", "c.example"},
	} {
		tc.class.Transport = rules.TransportTLS
		req := Attack{Class: tc.class}.Request(target, cl, nil)
		if req.Host != tc.host || req.TLS.ServerName != tc.sni {
			t.Errorf("%+v: Host %q SNI %q, want %q %q", tc.class, req.Host, req.TLS.ServerName, tc.host, tc.sni)
		}
		if w := tc.class.Witness.Path; w != "" && req.Path != w {
			t.Errorf("%+v: path %q, want the witness's", tc.class, req.Path)
		}
	}
	for path, want := range map[string]string{"": "", "/": "", "/who": "", "/api/": "/api/", "~ ^/whoami": "/whoami", "~ \\.php$": "", "@app": ""} {
		if got := ClassPath(path, ""); got != want {
			t.Errorf("ClassPath(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestAim: the attacks on a deployment come from the model's classes on
// each listener, completed by the adversary's repertoire.
func TestAim(t *testing.T) {
	d := &Deployment{
		Scenario: &Scenario{Name: "x"},
		AppAddr:  "127.0.0.1:9000",
		Listeners: []Listener{
			{Name: "APP_PORT", Kind: PortApp, Port: 9000},
			{Name: "PLAIN_PORT", Kind: PortPlain, Port: 8080},
			{Name: "PROXY2_PORT", Kind: PortTLS, Port: 8444},
			{Name: "PROXY_PORT", Kind: PortTLS, Port: 8443},
		},
	}
	tlsRoute := func(port string, hosts ...string) *rules.Route {
		return &rules.Route{ID: port, Hosts: hosts, Listener: rules.Listener{TLS: true, Endpoint: rules.Endpoint{Port: port}}}
	}
	api := tlsRoute("8443", "a.example", "b.example")
	api.Classes = []rules.RequestClass{
		{Transport: rules.TransportTLS, Cert: rules.CertVerified, Port: "8443", Path: "/api/"},
		{Transport: rules.TransportTLS, Cert: rules.CertVerified, Port: "8443", Path: "/"},
	}
	m := &rules.Model{Routes: []*rules.Route{api, tlsRoute("8444")}}

	got := map[string][]string{} // listener → "name @ path host sni"
	for _, x := range aim(d, m) {
		c := x.attack.Class
		got[x.listener.Name] = append(got[x.listener.Name], strings.TrimSpace(x.attack.Name()+" @"+c.Path+" "+c.Host+" "+c.SNI))
	}
	want := map[string][]string{
		"PROXY_PORT": {
			// no class without a certificate: the repertoire's alone
			"tls no-cert @", "tls no-cert spoof-dash @", "tls no-cert spoof-underscore @",
			// the repertoire's, then the model's other path ("/" is the
			// default path's)
			"tls valid-cert @", "tls valid-cert spoof-dash @", "tls valid-cert spoof-underscore @",
			"tls valid-cert @/api/", "tls valid-cert spoof-dash @/api/", "tls valid-cert spoof-underscore @/api/",
			"tls untrusted-cert @",
			// the listener's routes name two hosts
			"tls no-cert sni-not-host @ b.example a.example", "tls untrusted-cert sni-not-host @ b.example a.example",
			"tls no-cert sni-not-host @ a.example b.example", "tls untrusted-cert sni-not-host @ a.example b.example",
		},
		// not the listener valid clients use: no lock-out attack
		"PROXY2_PORT": {
			"tls no-cert @", "tls no-cert spoof-dash @", "tls no-cert spoof-underscore @",
			"tls valid-cert spoof-dash @", "tls valid-cert spoof-underscore @",
			"tls untrusted-cert @",
		},
		"PLAIN_PORT": {"plain-http @", "plain-http spoof-dash @", "plain-http spoof-underscore @", "plain-http spoof-scheme @"},
		"APP_PORT":   {"direct @"},
	}
	for l, w := range want {
		if !slices.Equal(got[l], w) {
			t.Errorf("%s:\n got %q\nwant %q", l, got[l], w)
		}
	}
	// A scenario's SNI is the handshake of every client but the valid one.
	d.Scenario = &Scenario{Name: "x", Host: "admin.example", SNI: "portal.example"}
	var sni []string
	for _, x := range aim(d, nil) {
		if c := x.attack.Class; x.listener.Name == "PROXY_PORT" && c.SNI != "" {
			sni = append(sni, x.attack.Name()+" "+c.SNI+" "+c.Host)
		}
	}
	if want := []string{
		"tls no-cert sni-not-host portal.example admin.example",
		"tls no-cert sni-not-host spoof-dash portal.example admin.example",
		"tls no-cert sni-not-host spoof-underscore portal.example admin.example",
		"tls untrusted-cert sni-not-host portal.example admin.example",
	}; !slices.Equal(sni, want) {
		t.Errorf("Scenario.SNI:\n got %q\nwant %q", sni, want)
	}
	d.AppAddr = "unix:/tmp/app.sock"
	for _, x := range aim(d, nil) {
		if x.attack.Class.Transport == rules.TransportDirect {
			t.Error("an app on a UNIX socket has no direct attack")
		}
	}
}

// The report holds no port of the run: a redirect's is written PORT.
func TestWithoutPort(t *testing.T) {
	for in, want := range map[string]string{
		"https://localhost:33017/whoami": "https://localhost:PORT/whoami",
		"https://localhost/whoami":       "https://localhost/whoami",
		"/login?next=/a:1":               "/login?next=/a:1",
	} {
		if got := withoutPort(in); got != want {
			t.Errorf("withoutPort(%q) = %q, want %q", in, got, want)
		}
	}
}
