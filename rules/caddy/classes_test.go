package caddy

import (
	"strings"
	"testing"
)

// described lists the classes of every route, one route per line, its
// classes separated by " | "; "(listener)" where the listener's classes
// stand (Classes nil), "" where no request takes the route.
func described(rs []*route) []string {
	var out []string
	for _, r := range rs {
		if r.Classes == nil {
			out = append(out, "(listener)")
			continue
		}
		var cs []string
		for _, c := range r.Classes {
			cs = append(cs, c.String())
		}
		out = append(out, strings.Join(cs, " | "))
	}
	return out
}

func TestCaddyfileClasses(t *testing.T) {
	for _, tc := range []struct {
		name, site string
		want       []string
	}{
		{"redir runs before reverse_proxy whatever the order written", `http://a.example.com {
	reverse_proxy 127.0.0.1:8000
	redir https://{host}{uri}
}`, []string{""}},
		{"a path redir leaves the other paths", `http://a.example.com {
	reverse_proxy 127.0.0.1:8000
	redir /old/* /new/
}`, []string{"plain HTTP on :80, path not /old/*"}},
		{"an earlier handle takes its paths", `http://a.example.com {
	handle {
		reverse_proxy 127.0.0.1:8000
	}
	handle /api/* {
		respond 404
	}
}`, []string{"plain HTTP on :80, path not /api/*"}},
		{"a named matcher with protocol, method and remote_ip", `http://a.example.com, https://a.example.com {
	@in {
		method POST
		remote_ip 10.0.0.0/8
	}
	redir @plain https://{host}{uri}
	@plain protocol http
	reverse_proxy @in 127.0.0.1:8000
}`, []string{"TLS without a client certificate on :443, POST from 10.0.0.0", ""}},
		{"route keeps the order written", `http://a.example.com {
	route {
		reverse_proxy 127.0.0.1:8000
		redir https://{host}{uri}
	}
}`, []string{"(listener)"}},
		{"an unknown matcher is undecided", `http://a.example.com {
	@x expression {path}.startsWith("/x")
	respond @x 403
	reverse_proxy 127.0.0.1:8000
}`, []string{"plain HTTP on :80 (if `respond @x 403` (line 3) does not apply: the matcher `expression {path}.startsWith(\"/x\")` (line 2) holds)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := described(routesFor(t, "Caddyfile", tc.site+"\n"))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n  %q\nwant\n  %q", got, tc.want)
			}
		})
	}
}

func TestJSONClasses(t *testing.T) {
	rs := routesFor(t, "caddy.json", `{"apps": {"http": {"servers": {
  "plain": {"listen": [":80"], "routes": [
    {"match": [{"not": [{"path": ["/api/*"]}]}], "handle": [{"handler": "static_response", "status_code": 308}]},
    {"handle": [{"handler": "reverse_proxy", "upstreams": [{"dial": "127.0.0.1:8000"}]}]}
  ]},
  "tls": {"listen": [":443"], "routes": [
    {"match": [{"method": ["POST"]}], "handle": [{"handler": "reverse_proxy", "upstreams": [{"dial": "127.0.0.1:8000"}]}]},
    {"handle": [{"handler": "static_response", "status_code": 403}]},
    {"handle": [{"handler": "reverse_proxy", "upstreams": [{"dial": "127.0.0.1:8000"}]}]}
  ], "tls_connection_policies": [
    {"match": {"sni": ["a.example.com"]}, "client_authentication": {"mode": "require_and_verify", "trusted_ca_certs_pem_files": ["/ca.pem"]}},
    {}
  ]}
}}}}`)
	want := []string{
		"plain HTTP on :80 to /api/",
		"TLS with a verified client certificate on :443, SNI a.example.com, POST | TLS without a client certificate on :443, POST, SNI not a.example.com",
		"",
	}
	if got := described(rs); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n  %q\nwant\n  %q", got, want)
	}
}

// Caddy's order for directives of one name: the longer single path
// first, a matcher before none, else as written.
func TestSortHandlers(t *testing.T) {
	rs := routesFor(t, "Caddyfile", `http://a.example.com {
	@short path /a*
	@hdr header X-A 1
	handle {
		reverse_proxy 127.0.0.1:8000
	}
	handle @hdr {
		respond 403
	}
	handle /a/b/* {
		respond 404
	}
	handle @short {
		reverse_proxy 127.0.0.1:8001
	}
}
`)
	// Sorted by ID: the route to 8001 first. /a/b/* runs before @short
	// (the longer path), the handle without a matcher last; @hdr is the
	// client's choice.
	want := []string{"plain HTTP on :80 to /a/b", "plain HTTP on :80, path not /a/b/* and path not /a*"}
	if got := described(rs); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n  %q\nwant\n  %q", got, want)
	}
}

// A named matcher that tests a path and something else still sorts by its
// path, as Caddy sorts by the set's path matcher alone.
func TestSortHandlersPathWithOtherMatchers(t *testing.T) {
	rs := routesFor(t, "Caddyfile", `http://a.example.com {
	@reads {
		path /*
		method GET
	}
	handle @reads {
		reverse_proxy 127.0.0.1:8001
	}
	handle /api/* {
		respond 403
	}
}
`)
	if len(rs) != 1 || rs[0].px.way == nil {
		t.Fatalf("routes %v", described(rs))
	}
	// /api/* is the longer path: its handle runs first and takes the
	// request away.
	var before []string
	for _, s := range rs[0].px.way.steps {
		if s.Away {
			before = append(before, s.What)
		}
	}
	if len(before) != 1 || !strings.Contains(before[0], "handle /api/*") {
		t.Errorf("steps taking requests away before @reads: %q", before)
	}
}

// A redirect whose matcher takes every path ("/*", "*") leaves no plain
// request to the reverse_proxy.
func TestRedirectEveryPath(t *testing.T) {
	for _, all := range []string{"/*", "*"} {
		rs := routesFor(t, "Caddyfile", `http://a.example.com {
	@plain {
		protocol http
		path `+all+`
	}
	redir @plain https://{host}{uri}
	reverse_proxy 127.0.0.1:8000
}
`)
		if got := described(rs); len(got) != 1 || got[0] != "" {
			t.Errorf("path %s: classes %q get past the redirect", all, got)
		}
	}
}
