package rules

import (
	"encoding/json"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// AlsoListening is another socket a route listens on with everything else
// the same: the IPv6 twin of "listen 443" in "listen [::]:443".
type AlsoListening struct {
	Endpoint Endpoint     `json:"endpoint"`
	Range    source.Range `json:"range"` // the listen / bind line
}

// MergeDualStack folds each route that differs from an earlier one only in
// listening on the other address family's wildcard (nginx's "listen 443"
// and "listen [::]:443" in one server) into that route: the same requests
// take the same path to the same app, so it is one route, and a defect on
// it one finding, not one per socket. The twin's socket is kept in
// Listener.Also and its description names both. Routes are not changed in
// place (route builders' results are shared): a merged route is a copy.
func MergeDualStack(routes []*Route) []*Route {
	// Twins have the same signature, hence the same place: a route alone
	// at its place has no twin, and its signature (a JSON encoding of the
	// whole route) is not computed.
	atPlace := map[twinPlace]int{}
	for _, r := range routes {
		if wildcardHost(r.Listener.Endpoint.Host) {
			atPlace[placeOf(r)]++
		}
	}
	out := routes[:0:0]
	kept := map[string]int{} // signature → index in out
	for _, r := range routes {
		if !wildcardHost(r.Listener.Endpoint.Host) || atPlace[placeOf(r)] < 2 {
			out = append(out, r)
			continue
		}
		sig := twinSignature(r)
		i, seen := kept[sig]
		if !seen || ipv6Host(out[i].Listener.Endpoint.Host) == ipv6Host(r.Listener.Endpoint.Host) {
			if !seen {
				kept[sig] = len(out)
			}
			out = append(out, r)
			continue
		}
		cp := *out[i]
		cp.Listener.Also = append([]AlsoListening(nil), cp.Listener.Also...)
		first := &cp
		out[i] = first
		first.Listener.Also = append(first.Listener.Also, AlsoListening{Endpoint: r.Listener.Endpoint, Range: r.Listener.Range})
		a, b := first.Listener.Endpoint.String(), r.Listener.Endpoint.String()
		if strings.Contains(first.Desc, " on "+a) {
			first.Desc = strings.Replace(first.Desc, " on "+a, " on "+a+" and "+b, 1)
		}
	}
	return out
}

// twinPlace is the part of a route's twinSignature that is cheap to
// compare: its proxy, path, range and port (a server that listens on
// several ports has a route per port at the same range).
type twinPlace struct {
	proxy, path, port string
	tls               bool
	rng               source.Range
}

func placeOf(r *Route) twinPlace {
	return twinPlace{r.Proxy, r.Path, r.Listener.Endpoint.Port, r.Listener.TLS, r.Range}
}

// twinSignature is the route with what may differ between twins left out:
// its identity, description, and the socket's address and line.
func twinSignature(r *Route) string {
	c := *r
	c.ID, c.Desc = "", ""
	c.Listener.Range = source.Range{}
	c.Listener.Also = nil
	c.Listener.Endpoint.Host = ""
	b, err := json.Marshal(c)
	if err != nil {
		return r.ID // not comparable: never a twin
	}
	return string(b)
}

func wildcardHost(h string) bool {
	switch h {
	case "", "*", "0.0.0.0", "::", "[::]":
		return true
	}
	return false
}

func ipv6Host(h string) bool { return strings.Contains(h, ":") }
