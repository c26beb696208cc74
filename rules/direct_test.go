package rules

import (
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

func at(file string, line int) source.Range {
	return source.Range{File: file, Start: source.Pos{Line: line, Col: 1}, End: source.Pos{Line: line, Col: 2}}
}

// Each kind of network boundary decides the direct path of a bind: open,
// closed, or undecided, with what opens it and the port a client uses.
func TestDirectPaths(t *testing.T) {
	host := &App{Server: "gunicorn", Binds: []Bind{
		{Endpoint: Endpoint{Host: "0.0.0.0", Port: "8000"}, Range: at("gunicorn.conf.py", 1)},
		{Endpoint: Endpoint{Host: "127.0.0.1", Port: "8001"}, Range: at("gunicorn.conf.py", 2)},
		{Endpoint: Endpoint{Unix: "/run/app.sock"}, Range: at("gunicorn.conf.py", 3)},
		{Endpoint: Endpoint{Host: "0.0.0.0", Port: "8002"}, Range: at("compose.yaml", 4), Service: "web",
			Published: []Published{{Host: Endpoint{Port: "80"}, Range: at("compose.yaml", 6)}, {Host: Endpoint{Host: "127.0.0.1", Port: "81"}, Range: at("compose.yaml", 7)}}},
		{Endpoint: Endpoint{Host: "0.0.0.0", Port: "8003"}, Range: at("compose.yaml", 9), Service: "worker"}, // expose only
		{Endpoint: Endpoint{Host: "0.0.0.0", Port: "8004"}, Range: at("compose.yaml", 12), Service: "loop",
			Published: []Published{{Host: Endpoint{Host: "127.0.0.1", Port: "8004"}, Range: at("compose.yaml", 14)}}},
	}}
	image := func(w Workload) (*Model, *App) {
		a := &App{Server: "gunicorn", Binds: []Bind{{Endpoint: Endpoint{Host: "0.0.0.0", Port: "8000"}, Range: at("Dockerfile", 5), Image: "Dockerfile"}}}
		w.Binds = []Endpoint{{Host: "0.0.0.0", Port: "8000"}}
		r := &Route{ID: "r", Upstream: Upstream{Workloads: []Workload{w}}}
		m := &Model{Routes: []*Route{r}, Apps: []*App{a}, Links: []Link{{Route: r, App: a, How: "workload"}}}
		return m, a
	}
	describe := func(open []DirectPath, closed []Bind) string {
		var parts []string
		for _, p := range open {
			parts = append(parts, p.String()+" "+p.Severity().String()+" at "+p.At.File)
		}
		for _, b := range closed {
			parts = append(parts, "closed "+b.Endpoint.String())
		}
		return strings.Join(parts, "; ")
	}

	m := &Model{Apps: []*App{host}}
	want := "a client on the network connects to :8000 (host bind) critical at gunicorn.conf.py; " +
		"a client on the network connects to :80 (compose ports) critical at compose.yaml; " +
		"closed 127.0.0.1:8001; closed unix:/run/app.sock; closed 0.0.0.0:8003; closed 0.0.0.0:8004"
	if got := describe(m.DirectPaths(host)); got != want {
		t.Errorf("host and compose:\ngot  %s\nwant %s", got, want)
	}

	nodePortKey := ObjectKey("svc.yaml", "Service", "ns/web", "exposed:type")
	for _, tc := range []struct {
		name    string
		w       Workload
		want    string
		settles bool
	}{
		{"no workload says", Workload{Name: "deployment ns/web", Binds: []Endpoint{{Port: "9999"}}},
			"undecided whether a client on the network connects to :8000 (container port) medium at Dockerfile", false},
		{"ClusterIP and a NetworkPolicy", Workload{Name: "deployment ns/web", Reach: ReachProxyOnly, ReachWhy: "only the controller"},
			"closed 0.0.0.0:8000", false},
		{"NodePort", Workload{Name: "deployment ns/web", Reach: ReachPublic, ReachVia: "NodePort", ReachPort: "30080", ReachWhy: "Service ns/web, of type NodePort, selects its pods", ReachRange: at("svc.yaml", 7), ReachKey: nodePortKey},
			"a client on the network connects to :30080 (NodePort) critical at Dockerfile", true},
		{"NodePort, port allocated", Workload{Name: "deployment ns/web", Reach: ReachPublic, ReachVia: "NodePort", ReachRange: at("svc.yaml", 7)},
			"a client on the network connects to a port Kubernetes or the host allocates (NodePort) critical at Dockerfile", false},
		{"no NetworkPolicy", Workload{Name: "deployment ns/web", Reach: ReachNetwork, ReachVia: "no NetworkPolicy", ReachWhy: "no NetworkPolicy selects the pods", ReachRange: at("svc.yaml", 1)},
			"a client in the private network connects to :8000 (no NetworkPolicy) high at Dockerfile", false},
		{"a policy undecided", Workload{Name: "deployment ns/web", Reach: ReachUnknown, ReachVia: "NetworkPolicy", ReachWhy: "whether the ipBlock admits only the ALB is not decided", ReachRange: at("np.yaml", 16)},
			"undecided whether a client on the network connects to :8000 (container port) medium at Dockerfile", false},
	} {
		m, a := image(tc.w)
		open, closed := m.DirectPaths(a)
		if got := describe(open, closed); got != tc.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.name, got, tc.want)
		}
		for _, p := range open {
			if p.Maybe() && tc.w.ReachWhy != "" && !strings.Contains(p.Class.Undecided[0], strings.TrimSuffix(tc.w.ReachWhy, ".")) {
				t.Errorf("%s: undecided %q does not name what: %q", tc.name, p.Class.Undecided, tc.w.ReachWhy)
			}
			if tc.w.ReachRange.IsValid() && (len(p.Facts) == 0 || p.Facts[0].Range != tc.w.ReachRange) {
				t.Errorf("%s: facts %v, want the boundary's range %v", tc.name, p.Facts, tc.w.ReachRange)
			}
			if got := len(p.Settles) == 1 && p.Settles[0] == nodePortKey; got != tc.settles {
				t.Errorf("%s: settles %v", tc.name, p.Settles)
			}
		}
		// the analysis indexes the same verdict by the bind's range
		d := NewDirect(m)
		paths, known := d.OfBind(a.Binds[0].Range)
		if !known || len(paths) != len(open) {
			t.Errorf("%s: OfBind = %d paths, known %v; want %d", tc.name, len(paths), known, len(open))
		}
	}
}

// An app that several workloads run takes the widest decided opening: a
// NodePort beside a workload whose NetworkPolicy is undecided is still
// critical, and an undecided one beside a workload only the proxy reaches
// is undecided, not closed.
func TestDirectPathWidestWorkload(t *testing.T) {
	nodePort := Workload{Name: "deployment ns/web", Reach: ReachPublic, ReachVia: "NodePort", ReachPort: "30080", ReachWhy: "Service ns/web, of type NodePort, selects its pods", ReachRange: at("svc.yaml", 7)}
	undecided := Workload{Name: "deployment ns/web-canary", Reach: ReachUnknown, ReachVia: "NetworkPolicy", ReachWhy: "whether the ipBlock admits only the ALB is not decided", ReachRange: at("np.yaml", 16)}
	isolated := Workload{Name: "deployment ns/web-blue", Reach: ReachProxyOnly, ReachWhy: "only the controller"}
	for _, tc := range []struct {
		name string
		ws   []Workload
		want string
	}{
		{"undecided, then NodePort", []Workload{undecided, nodePort}, "a client on the network connects to :30080 (NodePort) critical"},
		{"NodePort, then undecided", []Workload{nodePort, undecided}, "a client on the network connects to :30080 (NodePort) critical"},
		{"isolated, then undecided", []Workload{isolated, undecided}, "undecided whether a client on the network connects to :8000 (container port) medium"},
		{"undecided, then isolated", []Workload{undecided, isolated}, "undecided whether a client on the network connects to :8000 (container port) medium"},
	} {
		a := &App{Server: "gunicorn", Binds: []Bind{{Endpoint: Endpoint{Host: "0.0.0.0", Port: "8000"}, Range: at("Dockerfile", 5), Image: "Dockerfile"}}}
		r := &Route{ID: "r"}
		for _, w := range tc.ws {
			w.Binds = []Endpoint{{Host: "0.0.0.0", Port: "8000"}}
			r.Upstream.Workloads = append(r.Upstream.Workloads, w)
		}
		m := &Model{Routes: []*Route{r}, Apps: []*App{a}, Links: []Link{{Route: r, App: a, How: "workload"}}}
		open, closed := m.DirectPaths(a)
		if len(open) != 1 || len(closed) != 0 {
			t.Errorf("%s: %d open, %d closed; want one open path", tc.name, len(open), len(closed))
			continue
		}
		if got := open[0].String() + " " + open[0].Severity().String(); got != tc.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.name, got, tc.want)
		}
	}
}
