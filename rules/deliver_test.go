package rules

import (
	"strings"
	"testing"
)

func values(d Delivery) string {
	parts := make([]string, len(d.Values))
	for i, v := range d.Values {
		parts[i] = v.String()
	}
	return strings.Join(parts, " | ")
}

func TestListenerClasses(t *testing.T) {
	tls := func(v VerifyMode, gated bool) *Route {
		return &Route{Listener: Listener{Endpoint: Endpoint{Port: "443"}, TLS: true, Verify: v}, Gated: gated}
	}
	for _, c := range []struct {
		name  string
		route *Route
		want  string
	}{
		{"plain", &Route{Listener: Listener{Endpoint: Endpoint{Port: "80"}}, Path: "/api/"}, "plain HTTP on :80 to /api/"},
		{"required", tls(VerifyRequired, false), "TLS with a verified client certificate on :443"},
		{"optional", tls(VerifyOptional, false), "TLS without a client certificate on :443; TLS with a verified client certificate on :443"},
		{"optional, gated", tls(VerifyOptional, true), "TLS with a verified client certificate on :443"},
		{"optional_no_ca", tls(VerifyOptionalNoCA, false), "TLS without a client certificate on :443; TLS with a verified client certificate on :443; TLS with an unverified client certificate on :443"},
		{"off", tls(VerifyOff, false), "TLS without a client certificate on :443"},
		{"unknown", tls(VerifyUnknown, false), "TLS without a client certificate on :443 (if the client-certificate verification mode admits it (it could not be decided)); TLS with a verified client certificate on :443; TLS with an unverified client certificate on :443 (if the client-certificate verification mode admits it (it could not be decided))"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, cl := range (&Model{}).Classes(c.route) {
				got = append(got, cl.String())
			}
			if s := strings.Join(got, "; "); s != c.want {
				t.Errorf("got  %s\nwant %s", s, c.want)
			}
		})
	}
	none := &Route{Classes: []RequestClass{}, Listener: Listener{TLS: true}}
	if n := len((&Model{}).Classes(none)); n != 0 {
		t.Errorf("a route its builder found no class for has %d classes", n)
	}
}

func TestDeliver(t *testing.T) {
	m := &Model{}
	const verify, dn = "x-ssl-client-verify", "x-ssl-client-dn"
	noCert := RequestClass{Transport: TransportTLS, Port: "443"}
	valid := RequestClass{Transport: TransportTLS, Cert: CertVerified, Port: "443"}
	untrusted := RequestClass{Transport: TransportTLS, Cert: CertUntrusted, Port: "443"}
	plain := RequestClass{Transport: TransportPlain, Port: "80"}
	gunicorn20 := &App{ConflatesUnderscore: true}
	runserver := &App{}

	nginx := &Route{OmitsEmpty: true, ProxyFirst: true, AdmitsUnderscore: true, Listener: Listener{TLS: true, Verify: VerifyOptional},
		Headers: map[string]HeaderTreatment{
			verify: {Action: SetTLS, Value: "$ssl_client_verify", Fact: FactVerify},
			dn:     {Action: SetTLS, Value: "$ssl_client_s_dn", Fact: FactSubjectDN},
		}}
	haproxy := &Route{AdmitsUnderscore: true, Listener: Listener{TLS: true, Verify: VerifyOptional},
		Headers: map[string]HeaderTreatment{
			verify:              {Action: SetTLS, Value: "%[ssl_c_verify]", Fact: FactVerifyCode},
			dn:                  {Action: SetTLS, Value: "%[ssl_c_s_dn]", Fact: FactSubjectDN},
			"x-ssl-client-used": {Action: SetTLS, Value: "%[ssl_c_used]", Fact: FactCertUsed},
		}}
	// httpd's mod_headers writes "(null)" for an SSL variable without a
	// value (runtime-facts, Apache rows)
	apache := &Route{AdmitsUnderscore: true, Listener: Listener{TLS: true, Verify: VerifyOptional},
		Headers: map[string]HeaderTreatment{
			verify: {Action: SetTLS, Value: "%{SSL_CLIENT_VERIFY}s", Fact: FactVerify},
			dn:     {Action: SetTLS, Value: "%{SSL_CLIENT_S_DN}s", Fact: FactSubjectDN, Missing: "(null)"},
		}}
	apachePlain := &Route{Listener: Listener{}, Headers: apache.Headers}
	added := &Route{Headers: map[string]HeaderTreatment{verify: {Action: Appended, Value: "SUCCESS"}}}
	conditional := &Route{Headers: map[string]HeaderTreatment{"x-forwarded-proto": {Action: Conditional, Value: "https", When: "if { ssl_fc }"}}}
	// HAProxy `set-header X-SSL-Client-DN %[ssl_c_s_dn] if { ssl_c_used }`
	// without a delete before; and after `set-header X-SSL-Client-Verify NONE`.
	usedOnly := &Route{Listener: Listener{TLS: true, Verify: VerifyOptional}, Headers: map[string]HeaderTreatment{
		dn: {Action: Conditional, Value: "%[ssl_c_s_dn]", Fact: FactSubjectDN, When: "if { ssl_c_used }", CertGuarded: true}}}
	none := HeaderTreatment{Action: SetConst, Value: "NONE"}
	usedAfterNone := &Route{Listener: Listener{TLS: true, Verify: VerifyOptional}, Headers: map[string]HeaderTreatment{
		verify: {Action: SetTLS, Value: "%[ssl_c_verify]", Fact: FactVerifyCode, When: "if { ssl_c_used }", CertGuarded: true, Otherwise: &none},
		dn:     {Action: SetTLS, Value: "%[ssl_c_s_dn]", Fact: FactSubjectDN, When: "if { ssl_c_used }", CertGuarded: true}}}
	composite := &Route{OmitsEmpty: true, Headers: map[string]HeaderTreatment{verify: {Action: SetTLS, Value: "v=$ssl_client_verify", Fact: FactVerify, Composite: true}}}
	emitted := &Route{Headers: map[string]HeaderTreatment{verify: {Action: SetConst, Value: "NONE"}},
		Emit: func(c RequestClass, h string) (Delivery, bool) {
			if h != verify || c.Cert != CertVerified {
				return Delivery{}, false
			}
			return Delivery{Values: []Value{Const("SUCCESS")}}, true
		}}

	for _, c := range []struct {
		name  string
		route *Route
		class RequestClass
		h     string
		app   *App
		want  string
	}{
		{"nginx: NONE without a certificate", nginx, noCert, verify, runserver, `"NONE"`},
		{"nginx: SUCCESS with a verified one", nginx, valid, verify, runserver, `"SUCCESS"`},
		{"nginx: FAILED with an untrusted one", nginx, untrusted, verify, runserver, `"FAILED:"…`},
		{"nginx: no DN without a certificate (the empty header is left out)", nginx, noCert, dn, runserver, "absent"},
		{"nginx: the verified certificate's DN", nginx, valid, dn, runserver, "the certificate's subject-dn"},
		{"nginx: the untrusted certificate's DN is the client's", nginx, untrusted, dn, runserver, "any value the client's own certificate carries"},
		{"nginx: plain HTTP sends nothing", nginx, plain, verify, runserver, "absent"},
		{"nginx + gunicorn 20: the underscore twin joins after nginx's value", nginx, noCert, verify, gunicorn20,
			`"NONE" | "NONE" + "," + any value the client sends`},
		{"nginx + gunicorn 20: without a certificate the twin arrives alone", nginx, noCert, dn, gunicorn20,
			`absent | any value the client sends`},
		{"HAProxy: 0 without a certificate too", haproxy, noCert, verify, runserver, `"0"`},
		{"HAProxy: 0 with a verified one", haproxy, valid, verify, runserver, `"0"`},
		{"HAProxy: used is 0 without a certificate", haproxy, noCert, "x-ssl-client-used", runserver, `"0"`},
		{"HAProxy: used is 1 with one", haproxy, valid, "x-ssl-client-used", runserver, `"1"`},
		{"HAProxy: an empty DN is sent empty", haproxy, noCert, dn, runserver, `""`},
		{"HAProxy + gunicorn 20: the client's twin first", haproxy, noCert, dn, gunicorn20, `"" | any value the client sends + "," + ""`},
		{"Apache: NONE without a certificate", apache, noCert, verify, runserver, `"NONE"`},
		{"Apache: the DN is (null) without a certificate", apache, noCert, dn, runserver, `"(null)"`},
		{"Apache: the verified certificate's DN", apache, valid, dn, runserver, "the certificate's subject-dn"},
		{"Apache: the DN is (null) on plain HTTP", apachePlain, plain, dn, runserver, `"(null)"`},
		{"add-header: both copies, the client's first", added, noCert, verify, runserver, `any value the client sends + "," + "SUCCESS" | "SUCCESS"`},
		{"a conditional set: the value or the client's copy", conditional, plain, "x-forwarded-proto", runserver, `"https" | any value the client sends`},
		{"a header the route does not set", nginx, noCert, "x-other", runserver, "any value the client sends"},
		{"set only with a certificate: without one the client's copy", usedOnly, noCert, dn, runserver, "any value the client sends"},
		{"set only with a certificate: with one the proxy's value", usedOnly, valid, dn, runserver, "the certificate's subject-dn"},
		{"set with a certificate after a constant: without one the constant", usedAfterNone, noCert, verify, runserver, `"NONE"`},
		{"set with a certificate after a constant: with one the fact", usedAfterNone, valid, verify, runserver, `"0"`},
		{"set with a certificate after a delete: without one nothing", usedAfterNone, noCert, dn, runserver, "absent"},
		{"a composite value is known in part", composite, noCert, verify, runserver, "the certificate's verify"},
		{"the builder's emission wins", emitted, valid, verify, runserver, `"SUCCESS"`},
		{"the treatment where the builder has no emission", emitted, noCert, verify, runserver, `"NONE"`},
		{"direct: every header is the client's", nil, RequestClass{Transport: TransportDirect, Port: "8000"}, verify, gunicorn20, "any value the client sends"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := m.Deliver(c.route, c.class, c.h, c.app)
			if got := values(d); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if d.Header != c.h || d.Why == "" && c.route != nil && c.route.Emit == nil {
				t.Errorf("header %q, why %q", d.Header, d.Why)
			}
		})
	}
}

// The judge reads the deliveries: the cases runtime-facts.md records.
func TestDeliveriesJudged(t *testing.T) {
	m := &Model{}
	const verify, dn = "x-ssl-client-verify", "x-ssl-client-dn"
	gunicorn20 := &App{ConflatesUnderscore: true}
	// HAProxy: set NONE, then SUCCESS if { ssl_c_used } { ssl_c_verify 0 }
	// (the builder's emission), the DN from %[ssl_c_s_dn].
	noneThenSuccess := &Route{AdmitsUnderscore: true, Listener: Listener{TLS: true, Verify: VerifyOptional},
		Headers: map[string]HeaderTreatment{
			verify: {Action: SetConst, Value: "NONE"},
			dn:     {Action: SetTLS, Value: "%[ssl_c_s_dn]", Fact: FactSubjectDN},
		},
		Emit: func(c RequestClass, h string) (Delivery, bool) {
			if h == verify && c.Cert == CertVerified {
				return Delivery{Values: []Value{Const("SUCCESS")}}, true
			}
			return Delivery{}, false
		}}
	exact := Decision{Sink: "login()", Accepts: []AcceptSet{{Header: verify, Kind: AcceptExactly, Values: []string{"SUCCESS"}}}}
	prefix := Decision{Sink: "login()", Accepts: []AcceptSet{{Header: verify, Kind: AcceptPrefix, Values: []string{"SUCCESS"}}}}
	dnFirst := Decision{Sink: "login()", Accepts: []AcceptSet{
		{Header: verify, Kind: AcceptExactly, Values: []string{"SUCCESS"}},
		{Header: dn, Kind: AcceptPrefix, Values: []string{"CN=admin"}}}}
	for _, c := range []struct {
		name     string
		d        Decision
		class    CertState
		admitted bool
		maybe    bool
	}{
		{"exact: SUCCESS,NONE fails closed", exact, CertNone, false, false},
		{"prefix: SUCCESS,NONE gets through", prefix, CertNone, true, false},
		{"a verified client's DN starts with the client's CN=admin", dnFirst, CertVerified, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := RequestClass{Transport: TransportTLS, Cert: c.class, Port: "443"}
			v := c.d.Admits(m.Deliverer(noneThenSuccess, cl, gunicorn20))
			if v.Admitted != c.admitted || v.Maybe != c.maybe {
				t.Errorf("admitted %v maybe %v, want %v %v (%s)", v.Admitted, v.Maybe, c.admitted, c.maybe, v.Why)
			}
		})
	}
}

func TestHonest(t *testing.T) {
	d := Delivery{Values: []Value{ClientValue, Joined(ClientValue, Const("NONE")), Const("NONE"), Joined(Const("0"), Const("1"))}}
	if got := values(d.Honest()); got != `absent | "NONE" | "0" + "," + "1"` {
		t.Errorf("got %s", got)
	}
}

func TestDirectClasses(t *testing.T) {
	m := &Model{}
	app := &App{Binds: []Bind{
		{Endpoint: Endpoint{Host: "0.0.0.0", Port: "8000"}},
		{Endpoint: Endpoint{Host: "127.0.0.1", Port: "8001"}},
		{Endpoint: Endpoint{Unix: "/run/app.sock"}},
		{Endpoint: Endpoint{Host: "0.0.0.0", Port: "8002"}, Service: "web", Published: []Published{{Host: Endpoint{Port: "80"}}, {Host: Endpoint{Host: "127.0.0.1", Port: "81"}}}},
		{Endpoint: Endpoint{Host: "0.0.0.0", Port: "8003"}, Service: "worker"},
		{Endpoint: Endpoint{Host: "0.0.0.0", Port: "8004"}, Image: "Dockerfile"},
	}}
	var got []string
	for _, c := range m.DirectClasses(app) {
		got = append(got, c.String())
	}
	want := "a direct connection to the app server's port 8000; a direct connection to the app server's port 80; " +
		"a direct connection to the app server's port 8004 (if the container's port 8004 is published (nothing in the repository shows it))"
	if s := strings.Join(got, "; "); s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
}
