package rules

import (
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

func route(id, file string, servers ...Endpoint) *Route {
	return &Route{ID: id, Range: source.Range{File: file}, Upstream: Upstream{Name: id + "-up", Servers: servers}}
}

func app(id, file string, names []string, binds ...Endpoint) *App {
	a := &App{ID: id, Names: names, Range: source.Range{File: file}}
	for _, b := range binds {
		a.Binds = append(a.Binds, Bind{Endpoint: b})
	}
	return a
}

func linked(links []Link) map[string]string {
	out := map[string]string{}
	for _, l := range links {
		out[l.Route.ID+"->"+l.App.ID] = l.How
	}
	return out
}

func TestLinkByAddress(t *testing.T) {
	routes := []*Route{
		route("loop", "nginx.conf", Endpoint{Host: "127.0.0.1", Port: "8000"}),
		route("sock", "nginx.conf", Endpoint{Unix: "/run/app/gunicorn.sock"}),
		route("compose", "nginx.conf", Endpoint{Host: "web", Port: "8000"}),
		route("other", "nginx.conf", Endpoint{Host: "10.1.2.3", Port: "9000"}),
	}
	apps := []*App{
		app("a", "a/settings.py", nil, Endpoint{Host: "localhost", Port: "8000"}),
		app("b", "b/settings.py", nil, Endpoint{Unix: "/run/app//gunicorn.sock"}),
		app("c", "c/settings.py", []string{"web"}, Endpoint{Host: "0.0.0.0", Port: "8000"}),
	}
	routes = append(routes, route("alb", "main.tf")) // a target group: no address
	got := linked(LinkModel(routes, apps, &Settings{}))
	want := map[string]string{
		"alb->a": "guess", "alb->b": "guess", "alb->c": "guess",
		"loop->a": "address", "loop->c": "address", // 0.0.0.0:8000 accepts 127.0.0.1:8000
		"sock->b":    "address",
		"compose->c": "address",
	}
	if len(got) != len(want) {
		t.Errorf("links = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("link %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}

func TestLinkByTopologyThenGuess(t *testing.T) {
	routes := []*Route{route("r1", "deploy/nginx.conf"), route("r2", "haproxy/haproxy.cfg")}
	apps := []*App{app("proj.settings.prod", "proj/settings/prod.py", nil), app("other", "other/settings.py", nil)}
	s := &Settings{Topology: []TopologyLink{{Proxy: "deploy/nginx.conf", App: "proj.settings.prod"}}}
	got := linked(LinkModel(routes, apps, s))
	if len(got) != 1 || got["r1->proj.settings.prod"] != "topology" {
		t.Errorf("topology links = %v", got)
	}
	got = linked(LinkModel(routes, apps, &Settings{}))
	if len(got) != 4 || got["r2->other"] != "guess" {
		t.Errorf("with nothing linking, every route must reach every app by guess: %v", got)
	}
}

// A route whose upstream names the workload behind it (a Kubernetes
// Service's pods) links to the app with the workload's settings module,
// and only to it.
func TestLinkByWorkload(t *testing.T) {
	api := route("api", "k8s/ingress.yaml", Endpoint{Host: "api.shop.svc.cluster.local", Port: "80"})
	api.Upstream.Workloads = []Workload{{Name: "deployment shop/api", Server: "gunicorn", SettingsModule: "shop.settings.prod"}}
	static := route("static", "k8s/ingress.yaml", Endpoint{Host: "static.shop.svc.cluster.local", Port: "80"})
	apps := []*App{app("shop.settings.prod", "shop/settings/prod.py", nil), app("blog.settings", "blog/settings.py", nil), app("settings.prod", "settings/prod.py", nil)}
	got := linked(LinkModel([]*Route{api, static}, apps, &Settings{}))
	if len(got) != 1 || got["api->shop.settings.prod"] != "workload" {
		t.Errorf("links = %v, want only api->shop.settings.prod by workload", got)
	}
	// Scanned from above the app's directory, the module is a suffix.
	apps = []*App{app("deploy.src.shop.settings.prod", "deploy/src/shop/settings/prod.py", nil), app("myshop.settings.prod", "myshop/settings/prod.py", nil)}
	got = linked(LinkModel([]*Route{api}, apps, &Settings{}))
	if len(got) != 1 || got["api->deploy.src.shop.settings.prod"] != "workload" {
		t.Errorf("links = %v, want only the app below the scanned root", got)
	}
}

// TestLinkPrefersTheNearestApps: two services of a monorepo both listen on
// 127.0.0.1:8000; each proxy reaches the app of its own directory.
func TestLinkPrefersTheNearestApps(t *testing.T) {
	loop := Endpoint{Host: "127.0.0.1", Port: "8000"}
	routes := []*Route{route("a-route", "services/a/nginx.conf", loop), route("b-route", "services/b/deploy/nginx.conf", loop)}
	apps := []*App{app("a", "services/a/app/settings.py", nil, loop), app("b", "services/b/app/settings.py", nil, loop)}
	got := linked(LinkModel(routes, apps, &Settings{}))
	if len(got) != 2 || got["a-route->a"] != "address" || got["b-route->b"] != "address" {
		t.Errorf("links = %v", got)
	}
}

// TestNoGuessAmongManyApps: with nothing linked, a route is guessed to
// reach the apps nearest to it, but not when that means choosing among
// more than a handful of unrelated projects.
func TestNoGuessAmongManyApps(t *testing.T) {
	routes := []*Route{route("r", "nginx/site.conf")}
	var apps []*App
	for _, n := range []string{"p1", "p2", "p3", "p4"} {
		apps = append(apps, app(n, "django/"+n+"_settings.py", nil))
	}
	if got := linked(LinkModel(routes, apps, &Settings{})); len(got) != 0 {
		t.Errorf("guessed among four unrelated apps: %v", got)
	}
	apps = apps[:2]
	if got := linked(LinkModel(routes, apps, &Settings{})); len(got) != 2 || got["r->p1"] != "guess" {
		t.Errorf("with two apps both are guessed: %v", got)
	}
	routes = append(routes, route("near", "django/deploy/nginx.conf"))
	got := linked(LinkModel(routes, apps, &Settings{}))
	if got["near->p1"] != "guess" || got["near->p2"] != "guess" {
		t.Errorf("links = %v", got)
	}
}
