package envoy

import (
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/envoy"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// classesOf describes a route's classes, one per line.
func classesOf(r *route) string {
	var out []string
	for _, c := range r.Classes {
		out = append(out, c.String())
	}
	return strings.Join(out, "\n")
}

// routesIn returns the routes of a file to a cluster.
func routesIn(t *testing.T, content string) []*route {
	t.Helper()
	f, probs := envoy.Parse(source.NewFile("envoy.yaml", []byte(content)))
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	var out []*route
	for _, cv := range chains(f) {
		out = append(out, cv.routes...)
	}
	return out
}

func TestRouteClasses(t *testing.T) {
	withRoutes := func(routes, tls string) string {
		return strings.Replace(config("          stat_prefix: s", "", tls), `              routes:
              - match: { prefix: "/" }
                route: { cluster: app }
`, "              routes:\n"+routes, 1)
	}
	for _, tc := range []struct {
		name, routes, tls string
		want              []string // per route to a cluster
	}{
		{"a catch-all redirect first shadows the route", `              - match: { prefix: "/" }
                redirect: { https_redirect: true }
              - match: { prefix: "/" }
                route: { cluster: app }
`, "", []string{""}},
		{"the method and a prefix", `              - match:
                  prefix: "/api/"
                  headers: [{ name: ":method", string_match: { exact: POST } }]
                route: { cluster: app }
`, "", []string{"plain HTTP on :8443, POST to /api/"}},
		{"an earlier route takes a path away", `              - match: { path: "/health" }
                direct_response: { status: 200 }
              - match: { prefix: "/" }
                route: { cluster: app }
`, "", []string{"plain HTTP on :8443 to /, path not /health"}},
		{"a header is the client's choice", `              - match:
                  prefix: "/"
                  headers: [{ name: x-canary, present_match: true }]
                route: { cluster: app }
`, "", []string{"plain HTTP on :8443 to /, with the header x-canary"}},
		{"tls_context validated keeps only verified certificates", `              - match: { prefix: "/", tls_context: { validated: true } }
                route: { cluster: app }
`, optionalCert, []string{"TLS with a verified client certificate on :8443 to /"}},
		{"an undecided earlier match", `              - match: { prefix: "/", dynamic_metadata: { filter: f } }
                direct_response: { status: 403 }
              - match: { prefix: "/" }
                route: { cluster: app }
`, "", []string{"plain HTTP on :8443 to / (if the route at line 17 (prefix /, direct_response) does not apply: the match's dynamic_metadata holds)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := routesIn(t, withRoutes(tc.routes, tc.tls))
			if len(rs) != len(tc.want) {
				t.Fatalf("%d routes, want %d", len(rs), len(tc.want))
			}
			for i, r := range rs {
				if r.Classes == nil {
					t.Fatalf("route %d: classes not derived", i)
				}
				if got := classesOf(r); got != tc.want[i] {
					t.Errorf("route %d:\n got %q\nwant %q", i, got, tc.want[i])
				}
			}
		})
	}
}

func TestSelectHost(t *testing.T) {
	rc := &envoy.RouteConfig{VirtualHosts: []*envoy.VirtualHost{
		{Domains: []string{"*"}},
		{Domains: []string{"api.*"}},
		{Domains: []string{"*.example.com"}},
		{Domains: []string{"*.api.example.com", "app.example.com"}},
	}}
	for host, want := range map[string]int{
		"app.example.com":   3,
		"x.api.example.com": 3,
		"www.example.com":   2,
		"api.example.org":   1,
		"other":             0,
	} {
		if got := selectHost(rc, host); got != want {
			t.Errorf("%s: virtual host %d, want %d", host, got, want)
		}
	}
}

// The filter chain's server names and source ranges are the class's.
func TestChainClasses(t *testing.T) {
	c := strings.Replace(config("          stat_prefix: s", "", requiredCert), "    - filters:", `    - filter_chain_match:
        server_names: ["api.example.com"]
        source_prefix_ranges: [{ address_prefix: 10.0.0.0, prefix_len: 8 }]
      filters:`, 1)
	rs := routesIn(t, c)
	if len(rs) != 1 {
		t.Fatalf("%d routes", len(rs))
	}
	want := "TLS with a verified client certificate on :8443, SNI api.example.com to / from 10.0.0.0/8"
	if got := classesOf(rs[0]); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if rs[0].Classes[0].Witness.Source != "10.0.0.0" || rs[0].Classes[0].Witness.SNI != "api.example.com" {
		t.Errorf("witness %+v", rs[0].Classes[0].Witness)
	}
}

// case_sensitive: false folds prefix and path matches, not safe_regex.
func TestCaseSensitiveNotForRegex(t *testing.T) {
	content := strings.Replace(config("          stat_prefix: s", "", ""), `              routes:
              - match: { prefix: "/" }
                route: { cluster: app }
`, `              routes:
              - match: { safe_regex: { regex: "/admin/.*" }, case_sensitive: false }
                redirect: { https_redirect: true }
              - match: { prefix: "/API/", case_sensitive: false }
                route: { cluster: app }
`, 1)
	rs := routesIn(t, content)
	if len(rs) != 1 {
		t.Fatalf("%d routes", len(rs))
	}
	m := newMatchers()
	regex, prefix := m.of(rs[0].vh.Routes[0]), m.of(rs[0].vh.Routes[1])
	if len(regex.atoms) != 1 || regex.atoms[0].Match("/ADMIN/x") || !regex.atoms[0].Match("/admin/x") {
		t.Error("the safe_regex is matched without regard to case")
	}
	if len(prefix.atoms) != 1 || !prefix.atoms[0].Match("/api/x") {
		t.Error("the prefix is matched with regard to case")
	}
}
