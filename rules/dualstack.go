package rules

import (
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf8"

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
// its identity, description, and the socket's address and line. Two routes
// have the same signature exactly where their JSON encodings (less those
// fields) are the same, as they had when the signature was that encoding;
// it is written by hand because the JSON encoder's reflection was most of
// the cost of merging (TestTwinSignatureIsJSON holds the two together).
// Strings are length-prefixed, so no two field sequences run together
// (with invalid UTF-8 treated as the JSON encoder treats it);
// enumerations are written as the names their MarshalText gives, and
// fields the encoding omits when empty are written so that empty and
// absent agree.
func twinSignature(r *Route) string {
	w := sigWriter{b: make([]byte, 0, 512)}
	w.str(r.Proxy)
	w.strs(r.Hosts)
	w.str(r.Path)
	l := &r.Listener
	w.str(l.Endpoint.Port)
	w.str(l.Endpoint.Unix)
	w.flag(l.TLS)
	w.str(l.Verify.String())
	w.str(l.CA)
	w.flag(l.Default)
	w.rng(l.VerifyRange)
	u := &r.Upstream
	w.str(u.Name)
	w.endpoints(u.Servers)
	w.rng(u.Range)
	w.num(len(u.Workloads))
	for i := range u.Workloads {
		wl := &u.Workloads[i]
		w.str(wl.Name)
		w.str(wl.Server)
		w.endpoints(wl.Binds)
		w.str(wl.SettingsModule)
		w.rng(wl.Range)
		w.unlessZero(wl.Reach == 0, wl.Reach.String()) // omitempty
		w.str(wl.ReachWhy)
		w.rng(wl.ReachRange)
		w.str(wl.ReachVia)
		w.str(wl.ReachPort)
	}
	w.flag(r.Headers == nil) // null, not {}
	names := make([]string, 0, len(r.Headers))
	for name := range r.Headers {
		names = append(names, name)
	}
	slices.Sort(names)
	w.num(len(names))
	for _, name := range names {
		w.str(name)
		w.treatment(r.Headers[name])
	}
	w.str(r.Default.String())
	w.strs(r.Removed)
	w.flag(r.OmitsEmpty)
	w.flag(r.Gated)
	w.flag(r.AdmitsUnderscore)
	w.rng(r.UnderscoreRange)
	w.strs(r.UnderscoreRemoved)
	w.rng(r.Range)
	w.rng(r.Block)
	w.optionalTreatment(r.Identity)
	w.num(len(r.Classes))
	for i := range r.Classes {
		c := &r.Classes[i]
		w.str(c.Transport.String())
		w.str(c.Cert.String())
		for _, s := range [...]string{c.Port, c.SNI, c.Host, c.Path, c.Method, c.Source,
			c.Witness.Path, c.Witness.Host, c.Witness.SNI, c.Witness.Source, c.Witness.Method} {
			w.str(s)
		}
		w.strs(c.Where)
		w.strs(c.Undecided)
		w.rng(c.Range)
	}
	w.flag(r.ProxyFirst)
	return string(w.b)
}

// sigWriter appends the parts of a twinSignature.
type sigWriter struct{ b []byte }

func (w *sigWriter) num(n int) { w.b = binary.AppendVarint(w.b, int64(n)) }

func (w *sigWriter) str(s string) {
	if !utf8.ValidString(s) {
		// The JSON encoder writes every invalid byte as U+FFFD, so such
		// strings agree; 0xff is in no valid string.
		b := make([]byte, 0, len(s))
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, 0xff)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
		}
		s = string(b)
	}
	w.num(len(s))
	w.b = append(w.b, s...)
}

func (w *sigWriter) flag(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

// unlessZero writes the name of an enumeration the encoding omits when
// zero: its zero value and a value out of range agree in name, not in
// presence.
func (w *sigWriter) unlessZero(zero bool, name string) {
	w.flag(!zero)
	if !zero {
		w.str(name)
	}
}

// strs writes a list the encoding omits when empty: nil and empty agree.
func (w *sigWriter) strs(ss []string) {
	w.num(len(ss))
	for _, s := range ss {
		w.str(s)
	}
}

func (w *sigWriter) endpoints(es []Endpoint) {
	w.num(len(es))
	for _, e := range es {
		w.str(e.Host)
		w.str(e.Port)
		w.str(e.Unix)
	}
}

func (w *sigWriter) rng(r source.Range) {
	w.str(r.File)
	for _, n := range [...]int{r.Start.Line, r.Start.Col, r.Start.Offset, r.End.Line, r.End.Col, r.End.Offset} {
		w.num(n)
	}
}

func (w *sigWriter) treatment(t HeaderTreatment) {
	w.str(t.Name)
	w.str(t.Action.String())
	w.str(t.Value)
	w.unlessZero(t.Fact == 0, t.Fact.String()) // omitzero
	w.flag(t.CertGuarded)
	w.flag(t.Composite)
	w.rng(t.Range)
	w.str(t.Note)
	w.optionalTreatment(t.Otherwise)
	w.str(t.When)
	w.flag(t.Removes)
	w.str(t.Missing)
	w.str(t.NoCert.Text)
	w.flag(t.NoCert.Newer)
	w.str(t.NoCert.OlderIf)
	w.str(t.NoCert.NewerIf)
}

// optionalTreatment writes a treatment the encoding omits when nil.
func (w *sigWriter) optionalTreatment(t *HeaderTreatment) {
	w.flag(t != nil)
	if t != nil {
		w.treatment(*t)
	}
}

func wildcardHost(h string) bool {
	switch h {
	case "", "*", "0.0.0.0", "::", "[::]":
		return true
	}
	return false
}

func ipv6Host(h string) bool { return strings.Contains(h, ":") }
