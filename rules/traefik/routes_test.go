package traefik

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/traefik"
	"github.com/mtlslint/mtlslint/rules"
)

// readerOf is a source.Reader over in-memory files.
type readerOf map[string]string

func (m readerOf) ReadFile(p string) (*source.File, error) {
	return source.NewFile(p, []byte(m[p])), nil
}
func (m readerOf) Glob(string) ([]string, error)    { return nil, nil }
func (m readerOf) Stat(string) (fs.FileInfo, error) { return nil, fs.ErrNotExist }

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func routesOf(t *testing.T, static, dynamic string) []*route {
	t.Helper()
	r := readerOf{"traefik.yml": static, "dynamic.yml": dynamic}
	files, probs := traefik.Load(r, []string{"dynamic.yml", "traefik.yml"})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	return analyse(files[0].Installation())
}

const dynamicPass = `http:
  routers:
    app:
      rule: Host(` + "`a`" + `)
      service: app
      middlewares: [cert]
      tls: { options: mtls }
  middlewares:
    cert: { passTLSClientCert: { pem: true } }
  services:
    app: { loadBalancer: { servers: [ { url: "http://web:8000" } ] } }
tls:
  options:
    mtls: { clientAuth: { caFiles: [/ca.pem], clientAuthType: %s } }
`

// TestPassTLSClientCert follows pass_tls_client_cert.go and
// forwarded_header.go: the header is set from a certificate when one is
// presented; without one it is the client's copy unless the entry point
// removed it.
func TestPassTLSClientCert(t *testing.T) {
	for _, tc := range []struct {
		forwarded, clientAuth string
		want                  rules.HeaderAction
		verify                rules.VerifyMode
	}{
		{"", "RequireAndVerifyClientCert", rules.SetTLS, rules.VerifyRequired},
		{"forwardedHeaders: { insecure: true }", "VerifyClientCertIfGiven", rules.Conditional, rules.VerifyOptional},
		{"forwardedHeaders: { trustedIPs: [0.0.0.0/0] }", "RequireAnyClientCert", rules.Conditional, rules.VerifyOptionalNoCA},
		// a client from 10.0.0.0/8 keeps its copy (TestTrustedIPsPartly)
		{"forwardedHeaders: { trustedIPs: [10.0.0.0/8] }", "RequestClientCert", rules.Conditional, rules.VerifyOptionalNoCA},
		{"forwardedHeaders: { insecure: true }", "NoClientCert", rules.Passthrough, rules.VerifyOff},
		{"", "NoClientCert", rules.Blanked, rules.VerifyOff},
	} {
		static := "entryPoints:\n  websecure:\n    address: \":443\"\n    " + tc.forwarded + "\n"
		rs := routesOf(t, static, sprintf(dynamicPass, tc.clientAuth))
		if len(rs) != 1 {
			t.Fatalf("%d routes", len(rs))
		}
		r := rs[0]
		if got := r.Header(certHeader).Action; got != tc.want || r.Listener.Verify != tc.verify {
			t.Errorf("%s / %s: %v verify %v, want %v verify %v", tc.forwarded, tc.clientAuth, got, r.Listener.Verify, tc.want, tc.verify)
		}
		if r.Upstream.Servers[0].Host != "web" || r.Upstream.Servers[0].Port != "8000" {
			t.Errorf("upstream %+v", r.Upstream)
		}
	}
}

// TestFactsAndHint: passTLSClientCert sets its headers only from a
// presented certificate, the entry point sets the scheme and Host, and a
// fix is said in Traefik's terms.
func TestFactsAndHint(t *testing.T) {
	rs := routesOf(t, "entryPoints:\n  websecure:\n    address: \":443\"\n", sprintf(dynamicPass, "RequireAndVerifyClientCert"))
	if len(rs) != 1 {
		t.Fatalf("%d routes", len(rs))
	}
	r := rs[0]
	if h := r.Header(certHeader); h.Fact != rules.FactCert || !h.CertGuarded {
		t.Errorf("%s: fact %v, guarded %t", certHeader, h.Fact, h.CertGuarded)
	}
	if f := r.Header("x-forwarded-host").Fact; f != rules.FactHost {
		t.Errorf("x-forwarded-host: fact %v", f)
	}
	for header, want := range map[string]string{
		certHeader:          "passTLSClientCert",
		"x-forwarded-proto": "trustedIPs",
		"x-ssl-client-dn":   "customRequestHeaders: { X-SSL-Client-DN: \"\" }",
	} {
		if got := r.FixHint(header, rules.TLSFactOf(header)); !strings.Contains(got, want) {
			t.Errorf("hint for %s: %q, want it to contain %s", header, got, want)
		}
	}
}

// TestTrustedIPsPartly: trustedIPs that cover some addresses keep the
// forwarded headers of the clients from there only (forwarded_header.go
// ServeHTTP: insecure or a trusted remote address). A plain request from
// 10.0.0.0/8 that claims https is not redirected, reaches the app with its
// own headers, and is undecided (whether only proxies connect from there
// is not in the repository); one from elsewhere is redirected.
func TestTrustedIPsPartly(t *testing.T) {
	static := "entryPoints:\n  web:\n    address: \":80\"\n    forwardedHeaders: { trustedIPs: [10.0.0.0/8] }\n"
	dyn := `http:
  routers:
    app: { rule: "Host(` + "`a`" + `)", entryPoints: [web], service: app, middlewares: [to-https] }
  middlewares:
    to-https: { redirectScheme: { scheme: https } }
  services:
    app: { loadBalancer: { servers: [ { url: "http://web:8000" } ] } }
`
	rs := routesOf(t, static, dyn)
	if len(rs) != 1 {
		t.Fatalf("%d routes", len(rs))
	}
	r := rs[0]
	if len(r.Classes) != 1 {
		t.Fatalf("classes %v, want the one from the trusted addresses", r.Classes)
	}
	c := r.Classes[0]
	if !strings.Contains(c.String(), "from 10.0.0.0") || !strings.Contains(c.String(), "X-Forwarded-Proto: https") || !c.Maybe() {
		t.Errorf("class %q (undecided %v), want an undecided plain request from 10.0.0.0/8 claiming https", c, c.Undecided)
	}
	var m rules.Model
	for _, h := range []string{"x-forwarded-proto", certHeader} {
		d := m.Deliver(r.Route, c, h, nil)
		if !slices.ContainsFunc(d.Values, func(v rules.Value) bool { return v.Kind == rules.ValueClient }) {
			t.Errorf("%s from 10.0.0.0/8: %v (%s), want the client's copy among them", h, d.Values, d.Why)
		}
		out := c
		out.Source, out.Witness.Source = "192.0.2.1", "192.0.2.1"
		d = m.Deliver(r.Route, out, h, nil)
		if slices.ContainsFunc(d.Values, func(v rules.Value) bool { return v.Kind == rules.ValueClient }) {
			t.Errorf("%s from 192.0.2.1: %v (%s), want Traefik's own", h, d.Values, d.Why)
		}
	}
}

// TestTrustedIPsPartlyUnderscores: the forwarded-headers middleware
// removes the underscore spellings of its headers only from the clients
// it does not trust (forwarded_header.go), so under a partial trustedIPs a
// client from there keeps X_Forwarded_Tls_Client_Cert, which an app
// server that maps "_" like "-" joins with the certificate Traefik sets;
// a client from elsewhere does not.
func TestTrustedIPsPartlyUnderscores(t *testing.T) {
	static := "entryPoints:\n  websecure:\n    address: \":443\"\n    forwardedHeaders: { trustedIPs: [10.0.0.0/8] }\n"
	rs := routesOf(t, static, sprintf(dynamicPass, "RequireAndVerifyClientCert"))
	if len(rs) != 1 {
		t.Fatalf("%d routes", len(rs))
	}
	r := rs[0]
	app := &rules.App{ConflatesUnderscore: true}
	var m rules.Model
	joined := func(d rules.Delivery) bool {
		return slices.ContainsFunc(d.Values, func(v rules.Value) bool { return v.Kind == rules.ValueJoined })
	}
	inside, outside := 0, 0
	for _, c := range m.Classes(r.Route) {
		d := m.Deliver(r.Route, c, certHeader, app)
		if c.Witness.Source != "" && r.trustedIPs.holds(c) {
			inside++
			if !r.AdmitsUnderscoreOn(c, certHeader) || !joined(d) {
				t.Errorf("from %s: %v (%s), want the client's X_Forwarded_Tls_Client_Cert joined in", c.Witness.Source, d.Values, d.Why)
			}
			continue
		}
		outside++
		if r.AdmitsUnderscoreOn(c, certHeader) || joined(d) {
			t.Errorf("class %s: %v (%s), want the underscore spelling removed", c, d.Values, d.Why)
		}
	}
	if inside == 0 || outside == 0 {
		t.Fatalf("classes %v: want some from 10.0.0.0/8 and some from elsewhere", m.Classes(r.Route))
	}
}
