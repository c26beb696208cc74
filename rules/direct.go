package rules

import (
	"fmt"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The direct path: a client that connects to an app server's own port,
// around every proxy, is a request class of the app rather than of a
// route, and it exists only where the network boundary lets the client
// through. Which boundary decides depends on where the app server runs:
// on a host, its bind address; in a compose service, the ports the service
// publishes (`ports:`, not `expose:`; a loopback publication is not
// public); in a container image that a Kubernetes workload or an ECS
// service runs, the Service type, hostPort, hostNetwork, the
// NetworkPolicies or the security groups around it (Workload.Reach). The
// rules that judge a bind (X004 across files, G001 on one file, K005 and
// K006 on the cluster's side) read this one model, so they cannot
// disagree about a path.

// DirectPath is one way a client reaches an app server's port without a
// proxy, and the facts of the network boundary that decide it.
type DirectPath struct {
	Bind Bind
	// Class is the direct request class (TransportDirect): Port is the port
	// the client connects to (the host port a compose service publishes,
	// the node port, the hostPort), Undecided names what the repository
	// does not show, Range is where the path is decided.
	Class RequestClass
	// Reach is who connects: ReachPublic (clients outside), ReachNetwork
	// (hosts or pods of the private network), or ReachUnknown when the
	// path is undecided (Class.Undecided says why).
	Reach Reach
	// Via names the opening in a few words: "host bind", "compose ports",
	// "NodePort", "hostPort", "no NetworkPolicy", "security group".
	Via string
	// Why says in a sentence what opens the path, or what is undecided.
	Why string
	// Runner is what runs the app server there, when not the host itself:
	// "compose service web", "deployment billing/api".
	Runner string
	// At is where a finding about the path belongs (the bind, or the
	// published port, where the fix goes), and Key that finding's key:
	// the bind's (shared with the single-file bind warning) or the
	// published port's.
	At  source.Range
	Key Key
	// Facts are the boundary's facts that decide the path (the Service's
	// type, the NetworkPolicy, the security-group rule, the published
	// port), as related locations.
	Facts []source.Related
	// Settles are the keys of the findings the boundary's own family gives
	// the opening (K005 on the NodePort Service, K006 on the missing
	// NetworkPolicy): the same defect, which a finding about the path
	// replaces.
	Settles []Key
}

// Maybe reports whether the path rests on what the repository does not
// show.
func (d DirectPath) Maybe() bool { return d.Class.Maybe() }

// Severity is how severe a finding about the path is: critical when
// clients outside reach it, high when the private network does, medium
// when it is undecided (unknown is never more).
func (d DirectPath) Severity() Severity {
	switch {
	case d.Maybe() || d.Reach == ReachUnknown:
		return Medium
	case d.Reach == ReachNetwork:
		return High
	}
	return Critical
}

// String names the class for a finding, in a few words: "a client on the
// network connects to :30080 (NodePort)", "undecided whether a client on
// the network connects to :8000 (container port)".
func (d DirectPath) String() string {
	who := "a client on the network"
	if d.Reach == ReachNetwork {
		who = "a client in the private network"
	}
	port := ":" + d.Class.Port
	if d.Class.Port == "" {
		port = "a port Kubernetes or the host allocates"
	}
	s := fmt.Sprintf("%s connects to %s (%s)", who, port, d.Via)
	if d.Maybe() {
		// what is undecided is in Class.Undecided and Why, for the detail
		s = "undecided whether " + s
	}
	return s
}

// DirectPaths returns the ways a client reaches app's server around every
// proxy, bind by bind, and the binds whose boundary it has judged closed
// (a loopback or UNIX-socket bind, a container port nobody publishes, a
// workload only the proxy reaches). A bind that is in neither has a path
// keyed elsewhere (a compose service's published port).
func (m *Model) DirectPaths(a *App) (open []DirectPath, closed []Bind) {
	for _, b := range a.Binds {
		e := b.Endpoint
		listens := ServerNameOf(a) + " binds " + Clip(e.String(), 40)
		bindFact := source.Related{Range: b.Range, Message: listens}
		switch {
		case e.Unix != "" || e.IsLoopback():
			closed = append(closed, b)
		case b.Service != "":
			n := 0
			for _, p := range b.Published {
				if p.Host.Host != "" && p.Host.IsLoopback() {
					continue // 127.0.0.1:8000:8000: the host's own processes only
				}
				n++
				host := p.Host.Host
				if host == "" {
					host = "all host interfaces"
				}
				open = append(open, DirectPath{
					Bind:  b,
					Class: RequestClass{Transport: TransportDirect, Port: p.Host.Port, Range: p.Range},
					Reach: ReachPublic, Via: "compose ports", Runner: "compose service " + b.Service,
					Why: fmt.Sprintf("compose service %s publishes the app server's port %s on %s, port %s.", b.Service, e.Port, host, orEphemeral(p.Host.Port)),
					At:  p.Range, Key: PublishKey(p.Range),
					Facts: []source.Related{bindFact},
				})
			}
			if n == 0 {
				closed = append(closed, b)
			}
		case b.Image != "":
			w, ok := m.ContainerReach(a)
			switch {
			case ok && w.Reach == ReachProxyOnly:
				closed = append(closed, b)
			case !ok || w.Reach == ReachUnknown:
				undecided := "the container's port " + e.Port + " is published (nothing in the repository shows it)"
				why := fmt.Sprintf("The app server listens on %s inside the container built from %s; nothing in the repository shows whether that port is published (compose ports, a NodePort or LoadBalancer Service, hostPort, hostNetwork) or which peers a NetworkPolicy or security group admits.", e, b.Image)
				var facts []source.Related
				if ok && w.ReachWhy != "" {
					undecided = strings.TrimSuffix(w.ReachWhy, ".")
					why = fmt.Sprintf("The app server listens on %s inside the container built from %s, run by %s: %s.", e, b.Image, w.Name, undecided)
					facts = append(facts, source.Related{Range: w.ReachRange, Message: w.ReachWhy})
				}
				open = append(open, DirectPath{
					Bind:  b,
					Class: RequestClass{Transport: TransportDirect, Port: e.Port, Range: b.Range, Undecided: []string{undecided}},
					Reach: ReachUnknown, Via: "container port", Why: why, Runner: w.Name,
					At: b.Range, Key: PublicBindKey(b.Range.File, e), Facts: validFacts(facts),
					Settles: settles(w),
				})
			default:
				port := w.ReachPort
				if port == "" && w.ReachVia != "NodePort" && w.ReachVia != "LoadBalancer" {
					port = e.Port
				}
				via := w.ReachVia
				if via == "" {
					via = "container port"
				}
				open = append(open, DirectPath{
					Bind:  b,
					Class: RequestClass{Transport: TransportDirect, Port: port, Range: w.ReachRange},
					Reach: w.Reach, Via: via, Runner: w.Name,
					Why: fmt.Sprintf("The app server listens on %s inside the container built from %s, run by %s: %s.", e, b.Image, w.Name, strings.TrimSuffix(w.ReachWhy, ".")),
					At:  b.Range, Key: PublicBindKey(b.Range.File, e),
					Facts:   validFacts([]source.Related{{Range: w.ReachRange, Message: w.ReachWhy}}),
					Settles: settles(w),
				})
			}
		default:
			open = append(open, DirectPath{
				Bind:  b,
				Class: RequestClass{Transport: TransportDirect, Port: e.Port, Range: b.Range},
				Reach: ReachPublic, Via: "host bind",
				Why: fmt.Sprintf("%s listens on %s on the host, beyond loopback.", ServerNameOf(a), e),
				At:  b.Range, Key: PublicBindKey(b.Range.File, e),
			})
		}
	}
	return open, closed
}

func settles(w Workload) []Key {
	if w.ReachKey.IsZero() {
		return nil
	}
	return []Key{w.ReachKey}
}

func validFacts(rs []source.Related) []source.Related {
	var out []source.Related
	for _, r := range rs {
		if r.Range.IsValid() {
			out = append(out, r)
		}
	}
	return out
}

func orEphemeral(port string) string {
	if port == "" {
		return "an ephemeral one"
	}
	return port
}

// ServerNameOf names app's server for a message: its program, or "the
// app server" when the model does not know which.
func ServerNameOf(a *App) string {
	if a.Server == "" || a.Server == "unknown" {
		return "the app server"
	}
	return a.Server
}

// Direct is the direct-path model of a workspace: for every app, its
// direct paths and closed binds (Model.DirectPaths), and an index by the
// range of a bind for the rules that start from one (G001).
type Direct struct {
	Model  *Model
	paths  map[*App][]DirectPath
	closed map[*App][]Bind
	byBind map[source.Range]*bindVerdict
}

type bindVerdict struct {
	paths  []DirectPath
	closed bool
}

// DirectAccess is the direct-path model (*Direct), built once per run from
// the deployment model.
var DirectAccess = &Analysis{
	Name:     "direct-paths",
	Doc:      "The direct paths of every app (*rules.Direct): which clients reach an app server's port around every proxy, and the facts that decide it.",
	Scope:    ScopeDeployment,
	Requires: []*Analysis{DeploymentModel},
	Build: func(p *Pass) any {
		m, _ := p.ResultOf(DeploymentModel).(*Model)
		return NewDirect(m)
	},
}

// NewDirect builds the direct-path model of m.
func NewDirect(m *Model) *Direct {
	d := &Direct{Model: m, paths: map[*App][]DirectPath{}, closed: map[*App][]Bind{}, byBind: map[source.Range]*bindVerdict{}}
	if m == nil {
		return d
	}
	for _, a := range m.Apps {
		open, closed := m.DirectPaths(a)
		d.paths[a], d.closed[a] = open, closed
		verdict := func(r source.Range) *bindVerdict {
			v := d.byBind[r]
			if v == nil {
				v = &bindVerdict{}
				d.byBind[r] = v
			}
			return v
		}
		for _, p := range open {
			v := verdict(p.Bind.Range)
			v.paths = append(v.paths, p)
		}
		for _, b := range closed {
			verdict(b.Range).closed = true
		}
	}
	return d
}

// DirectOf returns the direct-path model of a pass whose rule requires
// DirectAccess.
func DirectOf(p *Pass) *Direct {
	d, _ := p.ResultOf(DirectAccess).(*Direct)
	return d
}

// Paths returns app's direct paths.
func (d *Direct) Paths(a *App) []DirectPath { return d.paths[a] }

// Closed returns app's binds that no client reaches around the proxy.
func (d *Direct) Closed(a *App) []Bind { return d.closed[a] }

// OfBind returns the verdict on the bind written at r: its direct paths
// (none when closed, or when an app serves it from a compose service that
// publishes nothing), and whether the model knows the bind at all.
func (d *Direct) OfBind(r source.Range) (paths []DirectPath, known bool) {
	v := d.byBind[r]
	if v == nil {
		return nil, false
	}
	return v.paths, true
}
