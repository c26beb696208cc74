package deploy_test

import (
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/linttest"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
	"github.com/mtlslint/mtlslint/rules/deploy"
)

// X003 on a TLS route that does not send the scheme header is a medium
// lock-out, and says that an app redirecting to HTTPS loops only when
// SECURE_SSL_REDIRECT is on; on a plain-HTTP route it is the high spoofing
// finding.
func TestSchemeContractRedirectLoop(t *testing.T) {
	rng := source.Range{File: "settings.py", Start: source.Pos{Line: 3, Col: 1}, End: source.Pos{Line: 3, Col: 2, Offset: 1}}
	for _, tc := range []struct {
		tls, redirect bool
		severity      rules.Severity
		loop          bool
	}{
		{true, true, rules.Medium, true},
		{true, false, rules.Medium, false},
		{false, true, rules.High, false},
	} {
		app := &rules.App{ID: "proj.settings", Server: "gunicorn", Range: rng,
			Binds:  []rules.Bind{{Endpoint: rules.Endpoint{Host: "127.0.0.1", Port: "8000"}}},
			Trusts: []rules.Trust{{Header: "HTTP_X_FORWARDED_PROTO", Value: "https", Source: "SECURE_PROXY_SSL_HEADER", Range: rng, Scheme: true}}}
		if tc.redirect {
			app.HTTPSRedirect = &rng
		}
		r := &rules.Route{ID: "r", Desc: "server app", Proxy: "nginx", Default: rules.Passthrough, Range: rng, Headers: map[string]rules.HeaderTreatment{}}
		r.Listener.TLS = tc.tls
		m := &rules.Model{Routes: []*rules.Route{r}, Apps: []*rules.App{app}, Links: []rules.Link{{Route: r, App: app, How: "address"}}}
		x003 := findingsOf("X003", m)
		if len(x003) != 1 {
			t.Fatalf("%+v: X003 findings %+v", tc, x003)
		}
		if x003[0].Severity != tc.severity {
			t.Errorf("%+v: severity %s", tc, x003[0].Severity)
		}
		if got := strings.Contains(x003[0].Detail, "a loop that locks valid clients out"); got != tc.loop {
			t.Errorf("%+v: loop claimed = %v: %s", tc, got, x003[0].Detail)
		}
	}
}

// A proxy-side finding about a scheme header on a route is withdrawn when
// every app linked to the route is known and none honours the header from
// it; a guessed link, an app whose server is unknown, or an app that does
// honour the header keeps a finding about the route.
func TestSchemeContractWithdrawsUntrustedRouteGap(t *testing.T) {
	rng := source.Range{File: "model", Start: source.Pos{Line: 1, Col: 1}, End: source.Pos{Line: 1, Col: 2, Offset: 1}}
	key := rules.RouteHeaderKey("r", "x-forwarded-proto")
	gap := &rules.Rule{Code: "N006", Name: "route-header-gap", Severity: rules.High, Scope: rules.ScopeTree, Kinds: []string{"model"},
		Check: func(p *rules.Pass) {
			p.Report(rules.Diagnostic{Range: rng, Key: key, Message: "X-Forwarded-Proto is not set on this route"})
		}}
	uvicornDefault := rules.Trust{Header: "HTTP_X_FORWARDED_PROTO", Value: "https", Source: "uvicorn proxy headers (default)", Range: rng,
		Scheme: true, PeerGated: true, Peers: []string{"127.0.0.1"}, ServerDefault: true}
	for _, tc := range []struct {
		name, how, server string
		trusts            []rules.Trust
		upstream          string
		kept              string // the code of the finding left on the route, "" for none
	}{
		{"no-proxy-headers", "address", "uvicorn", nil, "127.0.0.1", ""},
		{"guessed link", "guess", "uvicorn", nil, "127.0.0.1", "N006"},
		{"server unknown", "address", "unknown", nil, "127.0.0.1", "N006"},
		{"default proxy headers from loopback", "address", "uvicorn", []rules.Trust{uvicornDefault}, "127.0.0.1", "X003"},
		{"default proxy headers, peer not allowed", "address", "uvicorn", []rules.Trust{uvicornDefault}, "10.0.0.5", ""},
		// a route linked by the declared topology whose upstream address
		// is unknown: whether the peer is loopback is undecided
		{"default proxy headers, peer unknown", "topology", "uvicorn", []rules.Trust{uvicornDefault}, "", "N006"},
	} {
		app := &rules.App{ID: "meters.main", Package: "meters", Server: tc.server, Range: rng, Trusts: tc.trusts,
			Binds: []rules.Bind{{Endpoint: rules.Endpoint{Host: tc.upstream, Port: "8000"}}}}
		r := &rules.Route{ID: "r", Desc: "server app", Default: rules.Passthrough, Range: rng, Headers: map[string]rules.HeaderTreatment{}}
		if tc.upstream != "" {
			r.Upstream.Servers = []rules.Endpoint{{Host: tc.upstream, Port: "8000"}}
		}
		m := &rules.Model{Routes: []*rules.Route{r}, Apps: []*rules.App{app}, Links: []rules.Link{{Route: r, App: app, How: tc.how}}}
		var got []string
		for _, d := range linttest.RunOnModel([]*rules.Rule{gap, deploy.SchemeContract}, m) {
			if d.Key == key {
				got = append(got, d.Code)
			}
		}
		want := []string{}
		if tc.kept != "" {
			want = append(want, tc.kept)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: findings on the route %v, want %v", tc.name, got, want)
		}
	}
}

// X003's lock-out detail names Django only for a Django project: a Flask
// or FastAPI app is "the app", without Django's settings.
func TestSchemeContractLockoutNamesFramework(t *testing.T) {
	rng := source.Range{File: "app.py", Start: source.Pos{Line: 3, Col: 1}, End: source.Pos{Line: 3, Col: 2, Offset: 1}}
	for _, tc := range []struct {
		app        *rules.App
		source     string
		want, deny string
	}{
		{&rules.App{ID: "proj.settings", Server: "gunicorn"}, "SECURE_PROXY_SSL_HEADER", "Django takes these requests for plain HTTP", "The app takes"},
		{&rules.App{ID: "meters.app", Package: "meters", Server: "gunicorn"}, "werkzeug ProxyFix", "The app takes these requests for plain HTTP", "Django"},
	} {
		app := tc.app
		app.Range = rng
		app.Binds = []rules.Bind{{Endpoint: rules.Endpoint{Host: "127.0.0.1", Port: "8000"}}}
		app.Trusts = []rules.Trust{{Header: "HTTP_X_FORWARDED_PROTO", Value: "https", Source: tc.source, Range: rng, Scheme: true}}
		r := &rules.Route{ID: "r", Desc: "server app", Default: rules.Passthrough, Range: rng, Headers: map[string]rules.HeaderTreatment{}}
		r.Listener.TLS = true
		m := &rules.Model{Routes: []*rules.Route{r}, Apps: []*rules.App{app}, Links: []rules.Link{{Route: r, App: app, How: "address"}}}
		x003 := findingsOf("X003", m)
		if len(x003) != 1 {
			t.Fatalf("%s: X003 findings %+v", app.ID, x003)
		}
		if d := x003[0].Detail; !strings.Contains(d, tc.want) || strings.Contains(d, tc.deny) {
			t.Errorf("%s: detail %q, want %q and no %q", app.ID, d, tc.want, tc.deny)
		}
	}
}

// findingsOf runs X003 on the model and returns the findings of one code.
func findingsOf(code string, m *rules.Model) []rules.Finding {
	var out []rules.Finding
	for _, d := range linttest.RunOnModel([]*rules.Rule{deploy.SchemeContract}, m) {
		if d.Code == code {
			out = append(out, d)
		}
	}
	return out
}
