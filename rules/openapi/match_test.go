package openapi

import (
	"slices"
	"sort"
	"strings"
	"testing"

	oas "github.com/mtlslint/mtlslint/parsers/openapi"
	"github.com/mtlslint/mtlslint/rules"
)

func route(id, proxy string, port string, hosts []string, path string, verify rules.VerifyMode, gated bool) *rules.Route {
	return &rules.Route{ID: id, Proxy: proxy, Hosts: hosts, Path: path, Gated: gated,
		Listener: rules.Listener{Endpoint: rules.Endpoint{Port: port}, TLS: port != "80", Verify: verify}}
}

func servedBy(routes []*rules.Route, op *oas.Operation) string {
	var ids []string
	for _, s := range routesServing(indexRoutes(routes), op) {
		ids = append(ids, s.route.ID)
	}
	sort.Strings(ids)
	return strings.Join(ids, " ")
}

func TestRoutesServing(t *testing.T) {
	server := func(u string) []oas.Server { return []oas.Server{{URL: u}} }
	api := server("https://api.example.com/v1")
	routes := []*rules.Route{
		// nginx: api.example.com on 443 with locations, a catch-all
		// default server, and www on the same socket.
		route("api-root", "nginx", "443", []string{"api.example.com"}, "/", rules.VerifyOptional, false),
		route("api-v1", "nginx", "443", []string{"api.example.com"}, "/v1/", rules.VerifyRequired, false),
		route("api-admin-exact", "nginx", "443", []string{"api.example.com"}, "= /v1/admin", rules.VerifyOptional, true),
		route("api-regex", "nginx", "443", []string{"api.example.com"}, "~ ^/v1/users/[0-9]+/keys$", rules.VerifyOff, false),
		route("api-longer", "nginx", "443", []string{"api.example.com"}, "/v1/users/me", rules.VerifyOff, false),
		route("catch", "nginx", "443", []string{"_"}, "/", rules.VerifyOff, false),
		route("www", "nginx", "443", []string{"www.example.com", "*.example.org"}, "/", rules.VerifyOff, false),
		route("named", "nginx", "443", []string{"api.example.com"}, "@fallback", rules.VerifyOff, false),
		// HAProxy: no hosts or paths modelled.
		route("hap", "haproxy", "8443", nil, "", rules.VerifyOptional, false),
	}
	cases := []struct {
		op      *oas.Operation
		servers []oas.Server
		want    string
	}{
		// The longest prefix of the server block wins; HAProxy matches all.
		{&oas.Operation{Method: "GET", Path: "/orders"}, api, "api-v1 hap"},
		// A template whose instances may fall under a longer prefix or a
		// regex reaches those too.
		{&oas.Operation{Method: "GET", Path: "/users/{id}/keys"}, api, "api-longer api-regex api-v1 hap"},
		// An exact location takes every request for a literal path, and one
		// instance of a template.
		{&oas.Operation{Method: "GET", Path: "/admin"}, api, "api-admin-exact hap"},
		{&oas.Operation{Method: "GET", Path: "/{page}"}, api, "api-admin-exact api-v1 hap"},
		// Another host: its own server block; the catch-all is not used
		// when a server names the host on that socket.
		{&oas.Operation{Method: "GET", Path: "/x"}, server("https://www.example.com"), "hap www"},
		{&oas.Operation{Method: "GET", Path: "/x"}, server("https://a.example.org/"), "hap www"},
		// A host nobody names: the catch-all default server.
		{&oas.Operation{Method: "GET", Path: "/x"}, server("https://other.example.net"), "catch hap"},
		// No host in the server URL: every server block may serve it.
		{&oas.Operation{Method: "GET", Path: "/v1/orders"}, server("/"), "api-v1 catch hap www"},
	}
	for _, c := range cases {
		c.op.Servers = c.servers
		if got := servedBy(routes, c.op); got != c.want {
			t.Errorf("%s %v: served by %q, want %q", c.op, c.servers, got, c.want)
		}
	}
}

func TestStrict(t *testing.T) {
	for _, c := range []struct {
		r    *rules.Route
		want bool
	}{
		{route("a", "nginx", "443", nil, "", rules.VerifyRequired, false), true},
		{route("b", "nginx", "443", nil, "", rules.VerifyOptional, true), true},
		{route("c", "nginx", "443", nil, "", rules.VerifyOptional, false), false},
		{route("d", "nginx", "443", nil, "", rules.VerifyOptionalNoCA, true), false},
		{route("e", "nginx", "443", nil, "", rules.VerifyOff, true), false},
		{route("f", "nginx", "443", nil, "", rules.VerifyUnknown, false), false},
	} {
		if strict(c.r) != c.want {
			t.Errorf("%s: strict = %v", c.r.ID, !c.want)
		}
	}
}

func TestPathHelpers(t *testing.T) {
	for _, c := range []struct {
		prefix, tmpl string
		want         bool
	}{
		{"/users/", "/users/{id}", true},
		{"/users/me", "/users/{id}", true},
		{"/users/me/", "/users/{id}", false},
		{"/users/me/x", "/users/{id}", false},
		{"/users/{", "/users/{id}", true},
		{"/orders", "/users/{id}", false},
		{"/a/1/b", "/a/{x}/b/{y}", true},
		{"/a/1/c", "/a/{x}/b/{y}", false},
	} {
		if got := prefixCompatible(c.prefix, c.tmpl); got != c.want {
			t.Errorf("prefixCompatible(%q, %q) = %v", c.prefix, c.tmpl, got)
		}
	}
	if !templateMatches("/a/{x}/b", "/a/1/b") || templateMatches("/a/{x}/b", "/a/1/2/b") || templateMatches("/a.b", "/aXb") {
		t.Error("templateMatches")
	}
	if sample("/a/{x}/{y}.json") != "/a/1/1.json" {
		t.Error("sample")
	}
	if opKey("get", "/a/{id}/b/{name}") != "GET /a/{}/b/{}" {
		t.Error("opKey")
	}
}

// TestIndexCandidates checks that the host index leaves out only routes
// whose hosts cannot match: every route matchHost accepts is a candidate,
// in ascending order.
func TestIndexCandidates(t *testing.T) {
	routes := []*rules.Route{
		route("exact", "nginx", "443", []string{"API.example.com", "api.example.com"}, "/", rules.VerifyOff, false),
		route("other", "nginx", "443", []string{"www.example.com"}, "/", rules.VerifyOff, false),
		route("none", "haproxy", "443", nil, "", rules.VerifyOff, false),
		route("catch", "nginx", "443", []string{"www.example.com", "_"}, "/", rules.VerifyOff, false),
		route("regex", "nginx", "443", []string{"~^api\\."}, "/", rules.VerifyOff, false),
		route("wild", "nginx", "443", []string{"*.example.com"}, "/", rules.VerifyOff, false),
		route("dot", "nginx", "443", []string{".example.com"}, "/", rules.VerifyOff, false),
		route("tail", "nginx", "443", []string{"api.*"}, "/", rules.VerifyOff, false),
		route("default", "nginx", "443", []string{"default.example"}, "/", rules.VerifyOff, false),
	}
	routes[len(routes)-1].Listener.Default = true
	ix := indexRoutes(routes)
	for _, host := range []string{"", "api.example.com", "www.example.com", "example.com", "unknown.test"} {
		cands := ix.candidates(host)
		if !sort.IntsAreSorted(cands) {
			t.Errorf("candidates(%q) = %v, not ascending", host, cands)
		}
		for i, r := range routes {
			if hk, _ := matchHost(r, host); hk != hostNone && !slices.Contains(cands, i) {
				t.Errorf("candidates(%q) = %v, leaves out %s, which matches", host, cands, r.ID)
			}
		}
	}
	if got := ix.candidates("www.example.com"); slices.Contains(got, 0) {
		t.Errorf("candidates(www.example.com) = %v, includes a route naming only api.example.com", got)
	}
}
