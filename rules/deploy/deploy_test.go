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
		var x003 []rules.Finding
		for _, d := range linttest.RunOnModel([]*rules.Rule{deploy.SchemeContract}, m) {
			if d.Code == "X003" {
				x003 = append(x003, d)
			}
		}
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
