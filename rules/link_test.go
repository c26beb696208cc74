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
