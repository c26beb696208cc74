package django_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/mtlslint/mtlslint/internal/linttest"
	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
	"github.com/mtlslint/mtlslint/rules/django"
)

func loadFixture(t *testing.T, name string) *parsers.Workspace {
	t.Helper()
	ws, err := parsers.Load(context.Background(), parsers.Options{Root: filepath.Join("..", "..", "fixtures", "django", name)})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func TestBuildAppsGunicorn(t *testing.T) {
	ws := loadFixture(t, "gunicorn-vulnerable")
	apps := rules.BuildApps(django.Apps, ws, &rules.Settings{})
	if len(apps) != 1 {
		t.Fatalf("apps %+v", apps)
	}
	a := apps[0]
	if a.ID != "settings" || a.Server != "gunicorn" || !a.ConflatesUnderscore {
		t.Errorf("app %s server %s conflates %v", a.ID, a.Server, a.ConflatesUnderscore)
	}
	binds := map[string]bool{}
	for _, b := range a.Binds {
		binds[b.Endpoint.String()] = true
	}
	if !binds["0.0.0.0:8000"] || len(binds) != 1 {
		t.Errorf("binds %v", binds)
	}
	var spsh, scheme int
	for _, tr := range a.Trusts {
		switch tr.Source {
		case "SECURE_PROXY_SSL_HEADER":
			spsh++
			if tr.Header != "HTTP_X_FORWARDED_PROTO" || !tr.Scheme || tr.Value != "https" {
				t.Errorf("trust %+v", tr)
			}
		case django.DefaultSchemeSource:
			scheme++
		}
	}
	if spsh != 1 || scheme != 6 { // the config file and the Dockerfile command each keep the default three
		t.Errorf("SECURE_PROXY_SSL_HEADER trusts %d, default scheme trusts %d", spsh, scheme)
	}
}

func TestBuildAppsVersionAndCode(t *testing.T) {
	ws := loadFixture(t, "app-cert-checks-secure")
	apps := rules.BuildApps(django.Apps, ws, &rules.Settings{GunicornVersion: "22.0.0"})
	if len(apps) != 1 || apps[0].ID != "." {
		t.Fatalf("apps %+v", apps)
	}
	found := false
	for _, tr := range apps[0].Trusts {
		if tr.Header == "HTTP_X_SSL_CLIENT_VERIFY" && tr.Requires("SUCCESS") {
			found = true
		}
	}
	if !found {
		t.Errorf("no equals-SUCCESS trust in %+v", apps[0].Trusts)
	}
}

func TestDevSettingsNames(t *testing.T) {
	s := &rules.Settings{DevSettings: []string{"proj/settings/staging_*.py"}, SettingsModule: "proj.settings.local"}
	for rel, want := range map[string]bool{
		"proj/settings/dev.py": true, "proj/settings/tests.py": true, "proj/settings/ci.py": true,
		"proj/settings/api_local.py": true, "proj/settings/prod.py": false, "proj/settings.py": false,
		"proj/settings/staging_eu.py": true, "proj/settings/local.py": false,
	} {
		if got := django.IsDevSettings(rel, s); got != want {
			t.Errorf("%s: dev %v, want %v", rel, got, want)
		}
	}
}

func TestParseBind(t *testing.T) {
	for addr, want := range map[string]string{
		"0.0.0.0:8000": "0.0.0.0:8000", ":8000": "0.0.0.0:8000", "127.0.0.1:8000": "127.0.0.1:8000",
		"unix:/run/app.sock": "unix:/run/app.sock", "[::]:80": "[::]:80", "0.0.0.0:$PORT": "0.0.0.0:$PORT",
		"${HOST}:8000": "0.0.0.0:8000",
	} {
		ep, ok := django.ParseBind(addr, "gunicorn")
		if !ok || ep.String() != want {
			t.Errorf("%s → %s (%v), want %s", addr, ep, ok, want)
		}
	}
	if ep, _ := django.ParseBind("8000", "runserver"); !ep.IsLoopback() {
		t.Errorf("runserver 8000 → %s, want loopback", ep)
	}
}

// TestSchemeHeadersDefault runs G004 on a model whose route overwrites only
// X-Forwarded-Proto.
func TestSchemeHeadersDefault(t *testing.T) {
	rng := source.Range{File: "gunicorn.conf.py", Start: source.Pos{Line: 1, Col: 1}, End: source.Pos{Line: 1, Col: 2, Offset: 1}}
	// gunicorn on loopback: the proxy on the same host is in the default
	// forwarded_allow_ips, so gunicorn honours its scheme headers from it.
	app := &rules.App{ID: "proj.settings", Server: "gunicorn", Binds: []rules.Bind{{Endpoint: rules.Endpoint{Host: "127.0.0.1", Port: "8000"}}}}
	for _, h := range []string{"HTTP_X_FORWARDED_PROTOCOL", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_SSL"} {
		app.Trusts = append(app.Trusts, rules.Trust{Header: h, Source: django.DefaultSchemeSource, Range: rng, Scheme: true, PeerGated: true, ServerDefault: true})
	}
	partial := &rules.Route{ID: "r1", Desc: "server app", Default: rules.Passthrough, Range: rng,
		Headers: map[string]rules.HeaderTreatment{"x-forwarded-proto": {Name: "X-Forwarded-Proto", Action: rules.SetOther}}}
	full := &rules.Route{ID: "r2", Desc: "server full", Default: rules.Passthrough, Range: rng, Headers: map[string]rules.HeaderTreatment{
		"x-forwarded-proto": {Action: rules.SetOther}, "x-forwarded-protocol": {Action: rules.Blanked}, "x-forwarded-ssl": {Action: rules.Blanked}}}
	for _, tc := range []struct {
		route *rules.Route
		want  int
	}{{partial, 1}, {full, 0}} {
		tc.route.Upstream.Servers = []rules.Endpoint{{Host: "127.0.0.1", Port: "8000"}}
		m := &rules.Model{Routes: []*rules.Route{tc.route}, Apps: []*rules.App{app}, Links: []rules.Link{{Route: tc.route, App: app, How: "address"}}}
		rs := []*rules.Rule{django.SchemeHeadersDefault}
		got := 0
		for _, d := range linttest.RunOnModel(rs, m) {
			if d.Code == "G004" {
				got++
			}
		}
		if got != tc.want {
			t.Errorf("route %s: %d findings, want %d", tc.route.ID, got, tc.want)
		}
	}
}

// The app records SECURE_SSL_REDIRECT = True when SecurityMiddleware, which
// carries it out, is installed.
func TestBuildAppsHTTPSRedirect(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		line    int // 0: no redirect
	}{
		{"gunicorn-vulnerable", 9},
		{"deploy-vulnerable", 0}, // SECURE_SSL_REDIRECT = False
	} {
		apps := rules.BuildApps(django.Apps, loadFixture(t, tc.fixture), &rules.Settings{})
		if len(apps) != 1 {
			t.Fatalf("%s: apps %+v", tc.fixture, apps)
		}
		got := 0
		if r := apps[0].HTTPSRedirect; r != nil {
			got = r.Start.Line
		}
		if got != tc.line {
			t.Errorf("%s: HTTPSRedirect at line %d, want %d", tc.fixture, got, tc.line)
		}
	}
}

// TestConflationUnderASGI: under an ASGI server, "_" maps like "-" only in
// Django's ASGI handler (META); Starlette and FastAPI keep the name as sent.
func TestConflationUnderASGI(t *testing.T) {
	for _, c := range []struct {
		fixture string
		want    bool
	}{
		{"underscore-asgi-django-vulnerable", true},
		{"underscore-asgi-starlette-secure", false},
	} {
		ws, err := parsers.Load(context.Background(), parsers.Options{Root: filepath.Join("..", "..", "fixtures", "crossfile", c.fixture)})
		if err != nil {
			t.Fatal(err)
		}
		apps := rules.BuildApps(django.Apps, ws, &rules.Settings{})
		if len(apps) != 1 {
			t.Fatalf("%s: apps %+v", c.fixture, apps)
		}
		if a := apps[0]; a.Server != "uvicorn" || a.ConflatesUnderscore != c.want {
			t.Errorf("%s: server %s conflates %v, want %v", c.fixture, a.Server, a.ConflatesUnderscore, c.want)
		}
	}
}
