package graph

import (
	"slices"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Classes describes the requests that travel a route, one line per
// request class: the label of the edge into the route's node. A route
// whose builder follows the proxy's conditions (terminal actions, ACLs,
// use_backend) lists its own classes ("plain HTTP on :80, path not under
// /.well-known/acme-challenge/"), and one no request takes says so; other
// routes are described by their listener: TLS or plain, the address, how
// the client certificate is checked (the path is on the route's own box).
func Classes(r *rules.Route) []string {
	if r.Classes != nil {
		if len(r.Classes) == 0 {
			return []string{"no request takes this route"}
		}
		var out []string
		for _, c := range r.Classes {
			if s := c.String(); !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		return out
	}
	l := r.Listener
	if !l.TLS {
		return []string{"plain HTTP " + listening(r)}
	}
	// The whole address, every socket of the route (*:443 and [::]:443).
	return []string{"TLS " + listening(r) + ", " + certText(l.Verify, r.Gated)}
}

// certText says how a route checks the client certificate.
func certText(v rules.VerifyMode, gated bool) string {
	switch {
	case v == rules.VerifyRequired:
		return "cert required"
	case gated:
		return "cert verified by a gate"
	case v == rules.VerifyOff:
		return "no client cert"
	case v == rules.VerifyOptional:
		return "cert optional"
	case v == rules.VerifyOptionalNoCA:
		return "cert optional, unverified"
	}
	return "cert check unknown"
}

// portOf writes an endpoint's port the short way (":443"), or the socket.
func portOf(e rules.Endpoint) string {
	if e.Unix != "" || e.Port == "" {
		return e.String()
	}
	return ":" + e.Port
}

func listenerLabel(r *rules.Route, ep rules.Endpoint) []string {
	kind := "plain"
	if r.Listener.TLS {
		kind = "TLS"
	}
	return []string{r.Proxy + " " + ep.String(), kind}
}

// listening names the sockets a route listens on, joined as its
// description joins them ("*:443 and [::]:443").
func listening(r *rules.Route) string {
	s := r.Listener.Endpoint.String()
	for _, a := range r.Listener.Also {
		s += " and " + a.Endpoint.String()
	}
	return s
}

// descParts splits a route's description into the part that names its
// block ("server app.example.com", "frontend fe") and the rest.
func descParts(r *rules.Route) (block string, rest []string) {
	parts := strings.Split(r.Desc, ", ")
	block = strings.TrimSuffix(parts[0], " on "+listening(r))
	for _, p := range parts[1:] {
		// The listener is a node of its own (HAProxy's "bind :443").
		if f := strings.Fields(p); len(f) == 2 && f[1] == r.Listener.Endpoint.String() {
			continue
		}
		rest = append(rest, p)
	}
	return block, rest
}

func blockTitle(r *rules.Route) string {
	b, _ := descParts(r)
	return b
}

// routeTitle names a route on its box: its description without the block
// and the listener, and its path when the description does not give it.
func routeTitle(r *rules.Route) []string {
	var out []string
	if !r.Block.IsValid() {
		out = strings.Split(r.Desc, ", ")
	} else if _, out = descParts(r); len(out) == 0 {
		out = []string{r.Desc}
	}
	if r.Path != "" && !strings.Contains(strings.Join(out, " "), r.Path) {
		out = append(out, "path "+r.Path)
	}
	return out
}

func upstreamLabel(u rules.Upstream) []string {
	out := []string{u.Name}
	for _, s := range u.Servers {
		if s.String() != u.Name {
			out = append(out, s.String())
		}
	}
	return out
}

func serverLabel(a *rules.App) []string {
	out := []string{a.Server}
	for _, b := range a.Binds {
		s := b.Endpoint.String()
		if !slices.Contains(out[1:], s) {
			out = append(out, s)
		}
	}
	return out
}

func trustLabel(t rules.Trust) []string {
	return []string{rules.DisplayHeader(t.Header), t.Check(), t.Source}
}

// direct is a way to an app server's port that skips the proxy.
type direct struct {
	label []string
	class string // the edge's label: the requests that take this way
	at    source.Range
}

// directEntries lists how clients reach a bind without the proxy, from
// what the model says about it: a bind on the host's network that is not
// loopback, each port a compose service publishes, and a container port
// that the workloads running the app leave open to others, or whose
// publication the repository does not show.
func directEntries(m *rules.Model, a *rules.App, b rules.Bind) []direct {
	e := b.Endpoint
	if e.Unix != "" {
		return nil
	}
	switch {
	case b.Service != "":
		var out []direct
		for _, p := range b.Published {
			if p.Host.IsLoopback() {
				continue
			}
			out = append(out, direct{
				label: []string{"published " + p.Host.String(), "compose " + b.Service},
				class: "direct to " + portOf(p.Host),
				at:    p.Range,
			})
		}
		return out
	case b.Image != "":
		if e.IsLoopback() {
			return nil
		}
		if w, ok := m.ContainerReach(a); ok && w.Reach != rules.ReachUnknown {
			if w.Reach == rules.ReachProxyOnly {
				return nil
			}
			who := "private network"
			if w.Reach == rules.ReachPublic {
				who = "clients outside"
			}
			return []direct{{
				label: []string{"container port " + e.Port, who, w.Name},
				class: "direct to " + portOf(e),
				at:    w.ReachRange,
			}}
		}
		return []direct{{
			label: []string{"container port " + e.Port, "publication unknown"},
			class: "maybe direct to " + portOf(e),
			at:    b.Range,
		}}
	case !e.IsLoopback():
		return []direct{{
			label: []string{"direct " + e.String()},
			class: "direct to " + portOf(e),
			at:    b.Range,
		}}
	}
	return nil
}
