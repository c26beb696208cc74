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

// directEntries lists how clients reach a bind without the proxy: the
// model's direct paths of the bind (rules.Model.DirectPaths), the same
// the rules judge.
func directEntries(m *rules.Model, a *rules.App, b rules.Bind) []direct {
	open, _ := m.DirectPaths(a)
	var out []direct
	for _, p := range open {
		if p.Bind.Range != b.Range || p.Bind.Endpoint != b.Endpoint {
			continue
		}
		port := "a node port"
		if p.Class.Port != "" {
			port = ":" + p.Class.Port
		}
		who := "clients outside"
		switch {
		case p.Maybe():
			who = "undecided"
		case p.Reach == rules.ReachNetwork:
			who = "private network"
		}
		label := []string{p.Via + " " + port, who}
		if p.Runner != "" {
			label = append(label, p.Runner)
		}
		class := "direct to " + port
		if p.Maybe() {
			class = "maybe " + class
		}
		out = append(out, direct{label: label, class: class, at: p.Class.Range})
	}
	return out
}
