package haproxy

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	hap "github.com/mtlslint/mtlslint/parsers/haproxy"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

func build(t *testing.T, text string) map[string]*rules.Route {
	t.Helper()
	pf, probs := hap.ParseFile(source.NewFile("haproxy.cfg", []byte(text)))
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	out := map[string]*rules.Route{}
	for _, r := range rules.BuildRoutes(Routes, hap.Build([]*hap.File{pf})) {
		out[r.ID] = r
	}
	return out
}

const routeConfig = `defaults d
    mode http
frontend fe
    bind :443 ssl crt site.pem ca-file ca.pem verify optional
    bind 127.0.0.1:80
    http-request del-header ^x[-_]ssl[-_] -m reg
    http-request set-header X-SSL-Client-Verify %[ssl_c_verify]
    http-request set-header X-SSL-Client-DN %[ssl_c_s_dn] if { ssl_c_used }
    http-request set-header X-Client-Name %[req.hdr(x-name)]
    http-request set-header X-Const yes
    http-request set-header X-Forwarded-Proto https if { ssl_fc }
    http-request add-header X-Forwarded-Host %[req.hdr(host)]
    http-request set-header X-Src %[src]
    http-request del-header Remote-User
    http-request set-header X-Empty ""
    use_backend admin if { path_beg /admin }
    default_backend app
backend app
    server a1 127.0.0.1:8000
    server a2 unix@/run/app.sock
backend admin
    http-request set-header X-Forwarded-Proto https
    server b1 [::1]:9000
frontend tcpfe
    mode tcp
    bind :9443 ssl crt site.pem ca-file ca.pem verify required
    default_backend app
`

func TestRouteEnumeration(t *testing.T) {
	routes := build(t, routeConfig)
	var ids []string
	for id := range routes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	want := []string{
		"haproxy:haproxy.cfg:fe/127.0.0.1:80->admin",
		"haproxy:haproxy.cfg:fe/127.0.0.1:80->app",
		"haproxy:haproxy.cfg:fe/:443->admin",
		"haproxy:haproxy.cfg:fe/:443->app",
		"haproxy:haproxy.cfg:tcpfe/:9443->app",
	}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("routes:\n%v\nwant\n%v", ids, want)
	}
}

func TestRouteHeaderTreatment(t *testing.T) {
	routes := build(t, routeConfig)
	tls := routes["haproxy:haproxy.cfg:fe/:443->app"]
	admin := routes["haproxy:haproxy.cfg:fe/:443->admin"]
	plain := routes["haproxy:haproxy.cfg:fe/127.0.0.1:80->app"]
	tcp := routes["haproxy:haproxy.cfg:tcpfe/:9443->app"]
	cases := []struct {
		route  *rules.Route
		header string
		want   rules.HeaderAction
		line   int
	}{
		{tls, "X-SSL-Client-Verify", rules.SetTLS, 7},
		{tls, "x-ssl-client-dn", rules.SetTLS, 8}, // conditional, after the pattern delete
		{tls, "x-ssl-client-used", rules.Blanked, 6},
		{tls, "x-client-name", rules.SetClient, 9},
		{tls, "x-const", rules.SetConst, 10},
		{tls, "x-forwarded-proto", rules.Conditional, 11},
		{admin, "x-forwarded-proto", rules.SetConst, 22}, // the backend overwrites it
		{tls, "x-forwarded-host", rules.Appended, 12},
		{tls, "x-src", rules.SetOther, 13},
		{tls, "remote-user", rules.Blanked, 14},
		{tls, "x-empty", rules.Blanked, 15},
		{tls, "x-not-mentioned", rules.Passthrough, 0},
		{plain, "x-ssl-client-verify", rules.SetTLS, 7},
		{plain, "x-forwarded-proto", rules.Conditional, 11},
		{tcp, "x-ssl-client-verify", rules.Passthrough, 0},
		{tcp, "x-forwarded-proto", rules.Passthrough, 0},
	}
	for _, c := range cases {
		got := c.route.Header(c.header)
		if got.Action != c.want || got.Range.Start.Line != c.line {
			t.Errorf("%s %s: got %s (line %d, note %q), want %s (line %d)", c.route.ID, c.header, got.Action, got.Range.Start.Line, got.Note, c.want, c.line)
		}
	}
	if n := tls.Header("x-ssl-client-dn").Note; n == "" {
		t.Errorf("conditional set after a delete should carry a note")
	}
}

func TestRouteListenerAndUpstream(t *testing.T) {
	routes := build(t, routeConfig)
	tls := routes["haproxy:haproxy.cfg:fe/:443->app"]
	if !tls.Listener.TLS || tls.Listener.Verify != rules.VerifyOptional || tls.Listener.CA != "ca.pem" ||
		tls.Listener.Endpoint != (rules.Endpoint{Host: "", Port: "443"}) || tls.Listener.VerifyRange.Start.Line != 4 {
		t.Errorf("tls listener: %+v", tls.Listener)
	}
	wantServers := []rules.Endpoint{{Host: "127.0.0.1", Port: "8000"}, {Unix: "/run/app.sock"}}
	if !reflect.DeepEqual(tls.Upstream.Servers, wantServers) || tls.Upstream.Name != "app" || tls.Upstream.Range.Start.Line != 17 {
		t.Errorf("upstream: %+v", tls.Upstream)
	}
	admin := routes["haproxy:haproxy.cfg:fe/:443->admin"]
	if !reflect.DeepEqual(admin.Upstream.Servers, []rules.Endpoint{{Host: "::1", Port: "9000"}}) || admin.Upstream.Range.Start.Line != 16 {
		t.Errorf("admin upstream: %+v", admin.Upstream)
	}
	plain := routes["haproxy:haproxy.cfg:fe/127.0.0.1:80->app"]
	if plain.Listener.TLS || plain.Listener.Verify != rules.VerifyOff || plain.Listener.Endpoint.Host != "127.0.0.1" {
		t.Errorf("plain listener: %+v", plain.Listener)
	}
	tcp := routes["haproxy:haproxy.cfg:tcpfe/:9443->app"]
	if tcp.Listener.Verify != rules.VerifyRequired || !tcp.AdmitsUnderscore || len(tcp.Headers) != 0 {
		t.Errorf("tcp route: %+v", tcp)
	}
	if tls.Gated || !tls.AdmitsUnderscore {
		t.Errorf("fe route: gated %v admits %v", tls.Gated, tls.AdmitsUnderscore)
	}
	if tls.Range.Start.Line != 3 {
		t.Errorf("route anchor line %d", tls.Range.Start.Line)
	}
}

func TestRouteUnderscoreAndGate(t *testing.T) {
	cases := []struct {
		rules    string
		admits   bool
		gated    bool
		verifyAs rules.VerifyMode
	}{
		{"http-request del-header ^x[-_]ssl[-_] -m reg\n    http-request set-header X-SSL-Client-Verify %[ssl_c_verify]", false, false, rules.VerifyOptional},
		{"http-request del-header X-SSL-Client-Verify\n    http-request set-header X-SSL-Client-Verify %[ssl_c_verify]", true, false, rules.VerifyOptional},
		{"http-request del-header x_ssl -m beg\n    http-request set-header X-SSL-Client-Verify %[ssl_c_verify]", false, false, rules.VerifyOptional},
		{"http-request deny unless { ssl_c_used } { ssl_c_verify 0 }\n    http-request set-header X-SSL-Client-Verify %[ssl_c_verify]", true, true, rules.VerifyOptional},
		{"http-request set-header X-Request-Id %[uuid]", true, false, rules.VerifyOptional},
	}
	for _, c := range cases {
		text := "frontend fe\n    mode http\n    bind :443 ssl crt s.pem ca-file ca.pem verify optional\n    " + c.rules + "\n    default_backend b\nbackend b\n    mode http\n    server s 127.0.0.1:8000\n"
		for _, r := range build(t, text) {
			if r.AdmitsUnderscore != c.admits || r.Gated != c.gated || r.Listener.Verify != c.verifyAs {
				t.Errorf("%q: admits %v gated %v verify %s", c.rules, r.AdmitsUnderscore, r.Gated, r.Listener.Verify)
			}
		}
	}
	text := "frontend fe\n    mode http\n    bind :443 ssl crt s.pem ca-file ca.pem verify required ca-ignore-err all\n    default_backend b\nbackend b\n    server s 127.0.0.1:8000\n"
	for _, r := range build(t, text) {
		if r.Listener.Verify != rules.VerifyOptionalNoCA {
			t.Errorf("ca-ignore-err all: verify %s", r.Listener.Verify)
		}
	}
}

func TestRouteListenAndInheritance(t *testing.T) {
	text := `defaults base
    mode http
    http-request del-header ^x[-_]forwarded[-_]proto$ -m reg
listen web from base
    bind :8080
    http-request set-header X-Forwarded-Proto http
    server s 10.0.0.1
`
	routes := build(t, text)
	r := routes["haproxy:haproxy.cfg:web/:8080->web"]
	if r == nil {
		t.Fatalf("listen route missing: %v", routes)
	}
	if h := r.Header("x-forwarded-proto"); h.Action != rules.SetConst || h.Range.Start.Line != 6 {
		t.Errorf("x-forwarded-proto: %+v", h)
	}
	if r.AdmitsUnderscore {
		t.Errorf("the inherited pattern delete covers x_forwarded_proto")
	}
	if !reflect.DeepEqual(r.Upstream.Servers, []rules.Endpoint{{Host: "10.0.0.1"}}) {
		t.Errorf("servers: %+v", r.Upstream.Servers)
	}
}

func TestParseAddress(t *testing.T) {
	cases := map[string]rules.Endpoint{
		"127.0.0.1:8000":      {Host: "127.0.0.1", Port: "8000"},
		"*:80":                {Port: "80"},
		":443":                {Port: "443"},
		"[::1]:9000":          {Host: "::1", Port: "9000"},
		"ipv6@::1:9000":       {Host: "::1", Port: "9000"},
		"unix@/run/app.sock":  {Unix: "/run/app.sock"},
		"/run/app.sock":       {Unix: "/run/app.sock"},
		"app.internal:8000":   {Host: "app.internal", Port: "8000"},
		"ipv4@10.0.0.1:80":    {Host: "10.0.0.1", Port: "80"},
		"backend.example.com": {Host: "backend.example.com"},
	}
	for in, want := range cases {
		if got, ok := parseAddress(in); !ok || got != want {
			t.Errorf("%s: got %+v", in, got)
		}
	}
	if _, ok := parseAddress("fd@${fe}"); ok {
		t.Errorf("fd@ is not a network endpoint")
	}
}

func TestWeakCiphers(t *testing.T) {
	cases := map[string]string{
		"ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!MD5": "",
		"ECDHE-ECDSA-AES128-GCM-SHA256":           "",
		"HIGH:RC4-SHA":                            "RC4-SHA",
		"DES-CBC3-SHA":                            "DES-CBC3-SHA",
		"ALL:!aNULL":                              "ALL",
		"HIGH:!3DES:!EXP":                         "",
		"DEFAULT:@SECLEVEL=0:NULL-SHA":            "NULL-SHA",
	}
	for in, want := range cases {
		if got := weakCiphers(in); got != want {
			t.Errorf("%s: got %q want %q", in, got, want)
		}
	}
}

// TestNoRouteToASectionThatForwardsNowhere: a stats listener or a backend
// that only answers itself has no app behind it.
func TestNoRouteToASectionThatForwardsNowhere(t *testing.T) {
	cfg := "defaults\n    mode http\nlisten stats\n    bind :8404\n    stats enable\nfrontend fe\n    bind :80\n    default_backend app\nbackend app\n    server a 127.0.0.1:8000\n"
	routes := build(t, cfg)
	for id := range routes {
		if strings.Contains(id, "stats") {
			t.Errorf("a route to the stats listener: %s", id)
		}
	}
	if len(routes) != 1 {
		t.Errorf("routes = %d, want 1", len(routes))
	}
}

// TestPredefinedACLsSplitClasses holds a predefined ACL (LOCALHOST,
// METH_GET, METH_DELETE) to the test it stands for: the route's classes are split by
// it alike, and the requests it lets through still take the route.
func TestPredefinedACLsSplitClasses(t *testing.T) {
	classes := func(cond string) []rules.RequestClass {
		text := "frontend fe\n    mode http\n    bind :443 ssl crt s.pem ca-file ca.pem verify optional\n    http-request deny if " + cond +
			"\n    http-request set-header X-SSL-Client-Verify %[ssl_c_verify]\n    default_backend b\nbackend b\n    mode http\n    server s 127.0.0.1:8000\n"
		var out []rules.RequestClass
		for _, r := range build(t, text) {
			out = append(out, r.Classes...)
		}
		return out
	}
	for name, def := range map[string]string{"LOCALHOST": "{ src 127.0.0.1/8 }", "METH_GET": "{ method GET HEAD }", "METH_DELETE": "{ method DELETE }"} {
		got, want := classes("!"+name), classes("!"+def)
		if len(want) == 0 {
			t.Fatalf("%s: no class takes the route", def)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("deny if !%s: classes %+v, want those of !%s: %+v", name, got, def, want)
		}
	}
}
