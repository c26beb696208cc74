package traefik

import (
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/rules"
)

const staticTwo = `entryPoints:
  web: { address: ":80" }
  websecure: { address: ":443" }
`

// classes describes the classes of the route of one router, one per line.
func classes(t *testing.T, rs []*route, router string) string {
	t.Helper()
	for _, r := range rs {
		if r.router.Name == router {
			var out []string
			for _, c := range r.Classes {
				out = append(out, c.String())
			}
			return strings.Join(out, "\n")
		}
	}
	t.Fatalf("no route of router %s", router)
	return ""
}

func TestRouterClasses(t *testing.T) {
	dyn := func(routers string) string {
		return "http:\n  routers:\n" + routers + `  middlewares:
    to-https: { redirectScheme: { scheme: https } }
    office: { ipAllowList: { sourceRange: [10.0.0.0/8] } }
  services:
    app: { loadBalancer: { servers: [ { url: "http://web:8000" } ] } }
`
	}
	for _, tc := range []struct {
		name, routers, want string
	}{
		{"host, path and method", "    app: { rule: \"Host(`a.example.com`) && PathPrefix(`/api/`) && Method(`POST`)\", entryPoints: [web], service: app }\n",
			"plain HTTP on :80, Host a.example.com, POST to /api/"},
		{"redirectScheme answers plain requests", "    app: { rule: \"Host(`a`)\", entryPoints: [web], service: app, middlewares: [to-https] }\n", ""},
		{"a router of higher priority takes a path away", "    app: { rule: \"Host(`a`)\", entryPoints: [web], service: app }\n" +
			"    health: { rule: \"Host(`a`) && Path(`/healthz`)\", entryPoints: [web], service: app, middlewares: [to-https] }\n",
			"plain HTTP on :80, Host a, path not /healthz"},
		{"an explicit lower priority loses", "    app: { rule: \"PathPrefix(`/`)\", entryPoints: [web], service: app }\n" +
			"    all: { rule: \"PathPrefix(`/a`)\", priority: 1, entryPoints: [web], service: app, middlewares: [to-https] }\n",
			"plain HTTP on :80"},
		{"a rule that changes nothing still sets the classes, without its text as a path", "    app: { rule: \"Header(`X-A`, `1`) || !Header(`X-A`, `1`)\", entryPoints: [web], service: app }\n",
			"plain HTTP on :80"},
		{"a header is the client's choice", "    app: { rule: \"Header(`X-Canary`, `1`) || ClientIP(`192.0.2.0/24`)\", entryPoints: [web], service: app }\n",
			"plain HTTP on :80, client address not in 192.0.2.0/24, with Header(X-Canary, 1)\nplain HTTP on :80 from 192.0.2.0"},
		{"ipAllowList keeps its addresses", "    app: { rule: \"Host(`a`) && !Path(`/x`)\", entryPoints: [web], service: app, middlewares: [office] }\n",
			"plain HTTP on :80, Host a from 10.0.0.0, path not /x"},
		{"v2 templates", "    app: { rule: \"Host(`{sub:[a-z]+}.example.com`)\", entryPoints: [web], service: app }\n",
			"plain HTTP on :80, Host a.example.com"},
		{"an unknown matcher is undecided", "    app: { rule: \"Foo(`x`)\", entryPoints: [web], service: app }\n",
			"plain HTTP on :80 (if the rule of router app applies: `Foo(x)` holds)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := routesOf(t, staticTwo, dyn(tc.routers))
			if got := classes(t, rs, "app"); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// FuzzParseRule: any rule text parses or is one undecided condition,
// without a panic, and evaluates.
func FuzzParseRule(f *testing.F) {
	for _, s := range []string{"Host(`a`) && PathPrefix(`/api`)", "!(Method(`GET`) || ClientIP(`10.0.0.0/8`))", "HostRegexp(`{sub:[a-z]+}.x`)", "Path(`/x", "((", "PathRegexp(`(`)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rule string) {
		e := parseRule(rule)
		var atoms []*rules.Atom
		var choices []*rules.Choice
		e.collect(&atoms, &choices)
		e.eval(rules.Request{})
	})
}
