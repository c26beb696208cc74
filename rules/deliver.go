package rules

import (
	"fmt"
	"slices"
	"strings"
)

// Deliveries: which request classes travel a route, and what the app
// receives for each header on each class. The route side of the
// request-class contract (request.go); Decision.Admits (accept.go) reads
// it through Model.Deliverer.
//
// Two steps make a delivery. First the proxy: what it sends upstream under
// the header's name for the class (Route.Emit when the route builder
// follows the proxy's conditions per class, else a derivation from the
// route's header treatment and listener). Then the app server: nginx-like
// proxies leave out a header whose value is empty (Route.OmitsEmpty), and
// an app server that maps "_" like "-" (App.ConflatesUnderscore) joins a
// client's underscore spelling with the proxy's value, in the order they
// arrive (Route.ProxyFirst), as gunicorn joins any two copies of one
// environ key with a comma.
//
// The direct path, a client that connects to the app server's own port,
// is a class of the app rather than of a route (Model.DirectClasses): it
// exists only where the network boundary lets a client through.

// Classes returns the request classes that travel route r: those its
// builder found (Route.Classes), else the classes its listener admits. A
// route no class can take has none.
func (m *Model) Classes(r *Route) []RequestClass {
	if r.Classes != nil {
		return r.Classes
	}
	return ListenerClasses(r)
}

// ListenerClasses derives a route's classes from its listener alone: plain
// HTTP, or TLS by certificate state as the verification mode admits it
// (optional refuses a certificate that fails verification in the
// handshake; optional_no_ca lets it through; a mode that could not be
// decided admits every state, undecided), without the states a gate
// refuses (Route.Gated: only verified certificates pass).
func ListenerClasses(r *Route) []RequestClass {
	base := RequestClass{Transport: TransportPlain, Port: r.Listener.Endpoint.Port, Path: r.Path, Range: r.Listener.Range}
	if r.Listener.Endpoint.Unix != "" {
		base.Port = ""
	}
	if !r.Listener.TLS {
		return []RequestClass{base}
	}
	base.Transport = TransportTLS
	var states []CertState
	var undecided string
	switch r.Listener.Verify {
	case VerifyRequired:
		states = []CertState{CertVerified}
	case VerifyOptional:
		states = []CertState{CertNone, CertVerified}
	case VerifyOptionalNoCA:
		states = []CertState{CertNone, CertVerified, CertUntrusted}
	case VerifyOff:
		states = []CertState{CertNone}
	default:
		states = []CertState{CertNone, CertVerified, CertUntrusted}
		undecided = "the client-certificate verification mode admits it (it could not be decided)"
	}
	var out []RequestClass
	for _, s := range states {
		if r.Gated && s != CertVerified {
			continue
		}
		c := base
		c.Cert = s
		if undecided != "" && s != CertVerified {
			c.Undecided = []string{undecided}
		}
		out = append(out, c)
	}
	return out
}

// Deliver returns what the app receives for header (any spelling) on
// request class c of route r: every value that may arrive, and why. app is
// the app behind the route (nil: an app server that does not join a
// client's underscore spelling). For a direct class (r nil, or a class
// whose transport is TransportDirect) every header is the client's.
func (m *Model) Deliver(r *Route, c RequestClass, header string, app *App) Delivery {
	h := HeaderName(header)
	if r == nil || c.Transport == TransportDirect {
		return Delivery{Header: h, Class: c, Values: []Value{ClientValue}, Why: "nothing stands between the client and the app server"}
	}
	d := r.emission(c, h)
	d.Header, d.Class = h, c
	if r.OmitsEmpty {
		for i, v := range d.Values {
			d.Values[i] = omitEmpty(v)
		}
	}
	if app != nil && app.ConflatesUnderscore && strings.Contains(h, "-") && r.AdmitsUnderscoreOn(c, h) {
		twin := UnderscoreTwin(h)
		vs := d.Values
		for _, v := range vs {
			if v.Kind == ValueClient && !v.FromCert {
				continue // both copies are the client's: still the client's
			}
			j := joinPresent(ClientValue, v)
			if r.ProxyFirst {
				j = joinPresent(v, ClientValue)
			}
			j.If = v.If // still the alternative v is
			d.Values = append(d.Values, j)
		}
		d.Why = strings.TrimSpace(d.Why + fmt.Sprintf(" A client's %s gets through too, and the app server joins it with this header.", twin))
	}
	d.Values = uniqueValues(d.Values)
	return d
}

// Deliverer returns the deliveries of one class of a route to one app, in
// the form Decision.Admits reads.
func (m *Model) Deliverer(r *Route, c RequestClass, app *App) func(header string) Delivery {
	return func(h string) Delivery { return m.Deliver(r, c, h, app) }
}

// DirectClasses returns the classes of requests that reach app's server on
// its own port, around every proxy: one per direct path (DirectPaths). A
// UNIX socket, a loopback bind and a container the boundary closes have
// none.
func (m *Model) DirectClasses(app *App) []RequestClass {
	open, _ := m.DirectPaths(app)
	out := make([]RequestClass, 0, len(open))
	for _, p := range open {
		out = append(out, p.Class)
	}
	return out
}

// Honest returns the delivery to a client that sends no copy of the header
// itself: the values the proxy decides, what a valid client gets.
func (d Delivery) Honest() Delivery {
	out := d
	out.Values = nil
	for _, v := range d.Values {
		out.Values = append(out.Values, withoutClient(v))
	}
	out.Values = uniqueValues(out.Values)
	return out
}

func withoutClient(v Value) Value {
	switch v.Kind {
	case ValueClient:
		if v.FromCert {
			return v
		}
		return Absent
	case ValueJoined:
		parts := make([]Value, len(v.Parts))
		for i, p := range v.Parts {
			parts[i] = withoutClient(p)
		}
		return joinPresent(parts...)
	}
	return v
}

// joinPresent joins the values that are present: one alone is itself,
// none is absent.
func joinPresent(vs ...Value) Value {
	var parts []Value
	for _, v := range vs {
		if v.Kind != ValueAbsent {
			parts = append(parts, v)
		}
	}
	switch len(parts) {
	case 0:
		return Absent
	case 1:
		return parts[0]
	}
	return Joined(parts...)
}

// omitEmpty turns an empty value into an absent one (a proxy that leaves
// out a header whose value is empty).
func omitEmpty(v Value) Value {
	switch {
	case v.Kind == ValueConst && v.Text == "" && !v.Prefix:
		return Value{Kind: ValueAbsent, If: v.If}
	case v.Kind == ValueJoined:
		parts := make([]Value, len(v.Parts))
		for i, p := range v.Parts {
			parts[i] = omitEmpty(p)
		}
		return Joined(parts...)
	}
	return v
}

func uniqueValues(vs []Value) []Value {
	var out []Value
	var seen []string
	for _, v := range vs {
		s := v.String() + "|" + v.Kind.String() + "|" + v.If
		if !slices.Contains(seen, s) {
			seen = append(seen, s)
			out = append(out, v)
		}
	}
	return out
}

// emission is what the proxy sends upstream under header h (dash form) on
// class c: the builder's Emit when it has one, else a derivation from the
// route's header treatment.
func (r *Route) emission(c RequestClass, h string) Delivery {
	if r.Emit != nil {
		if d, ok := r.Emit(c, h); ok {
			d.Values = slices.Clone(d.Values)
			return d
		}
	}
	return r.treated(r.Header(h), c)
}

// Treated is what the proxy sends on class c for a header it treats as
// tr: for a builder's Emit whose treatment depends on the class.
func (r *Route) Treated(tr HeaderTreatment, c RequestClass) Delivery { return r.treated(tr, c) }

// treated is what the proxy sends on class c for a header it treats as tr.
func (r *Route) treated(tr HeaderTreatment, c RequestClass) Delivery {
	d := Delivery{Range: tr.Range}
	switch tr.Action {
	case Passthrough, SetClient:
		d.Values = []Value{ClientValue}
		d.Why = "The client's own copy reaches the app."
		if tr.Action == SetClient {
			d.Why = fmt.Sprintf("The route sets it from client data (%s).", tr.Value)
		}
	case Blanked:
		d.Values = []Value{Absent}
		d.Why = "The route removes it."
	case Appended:
		v := TreatmentValue(tr, c)
		d.Values = []Value{Joined(ClientValue, v), v}
		d.Why = "The route adds its value after the client's copy; the app server joins both, the client's first."
	case Conditional:
		d.Values = []Value{TreatmentValue(tr, c), ClientValue}
		d.Why = fmt.Sprintf("The route sets it only %s; otherwise the client's copy reaches the app.", tr.When)
		if tr.CertGuarded {
			// the condition is whether a certificate was presented,
			// which the class decides
			if c.Cert == CertNone || c.Transport != TransportTLS {
				d.Values = []Value{ClientValue}
				d.Why = fmt.Sprintf("The route sets it only %s, which this request does not meet: the client's copy reaches the app.", tr.When)
			} else {
				d.Values = []Value{TreatmentValue(tr, c)}
				d.Why = fmt.Sprintf("The route sets it to %s (%s).", tr.Value, tr.When)
			}
		}
	case Unknown:
		d.Values = []Value{UnknownValue}
		d.Why = "How the route treats it could not be decided."
	default:
		d.Values = treatmentValues(tr, c)
		if tr.When != "" && tr.CertGuarded {
			// set only when a certificate was presented, after the
			// client's copy was removed or replaced (Otherwise)
			presented := c.Transport == TransportTLS && c.Cert != CertNone
			switch {
			case presented:
				d.Why = fmt.Sprintf("The route sets it to %s (%s).", tr.Value, tr.When)
			case tr.Otherwise != nil:
				o := r.treated(*tr.Otherwise, c)
				d.Values = o.Values
				d.Why = fmt.Sprintf("The route sets it only %s; otherwise: %s", tr.When, o.Why)
			default:
				d.Values = []Value{Absent}
				d.Why = fmt.Sprintf("The route removes the client's copy and sets %s only %s, which this request does not meet.", tr.Value, tr.When)
			}
		} else if tr.When != "" {
			// Set under a condition after the client's copy was removed:
			// otherwise what was there before, as far as the treatment
			// tells.
			other := []Value{Absent}
			if tr.Otherwise != nil {
				other = r.treated(*tr.Otherwise, c).Values
			}
			d.Values = append(d.Values, other...)
			d.Why = fmt.Sprintf("The route removes the client's copy and sets %s only %s.", tr.Value, tr.When)
		} else {
			d.Why = fmt.Sprintf("The route sets it to %s.", tr.Value)
		}
	}
	return d
}

// treatmentValues are the values a header set by treatment tr has on
// class c: TreatmentValue's, or, for a certificate fact without a
// certificate that the proxy's version changed and the repository pins
// no version, both, each with the condition it arrives under.
func treatmentValues(tr HeaderTreatment, c RequestClass) []Value {
	v := TreatmentValue(tr, c)
	if !tr.NoCert.Undecided() || c.Transport != TransportTLS || c.Cert != CertNone ||
		v.Kind != ValueConst || v.Text != tr.Missing {
		return []Value{v}
	}
	older, newer := v, Const(tr.NoCert.Text)
	older.If, newer.If = tr.NoCert.OlderIf, tr.NoCert.NewerIf
	return []Value{older, newer}
}

// TreatmentValue is the value a header set by treatment tr has on class c:
// a constant; a TLS fact by the class's certificate (nginx's verification
// result in words: SUCCESS, NONE, FAILED:<reason>; HAProxy's code: 0 for a
// verified certificate and for none; certificate facts the proxy's text
// for a missing value (tr.Missing: empty unless the proxy writes one;
// tr.NoCert where the proxy's version decides it) without a certificate,
// the handshake's own with a verified one, the client's choice with one
// nobody verified; the same missing text on plain HTTP); the scheme; else
// undecided.
func TreatmentValue(tr HeaderTreatment, c RequestClass) Value {
	switch tr.Action {
	case SetConst:
		return Const(tr.Value)
	case Blanked:
		return Absent
	case SetClient, Passthrough:
		return ClientValue
	case SetTLS:
	case Conditional, Appended:
		// The action says when the value is set, not what it is made
		// of: a fact, or a literal without any proxy's substitution
		// marker, or undecided.
		if tr.Fact == FactNone {
			if tr.Value != "" && !strings.ContainsAny(tr.Value, "$%{") {
				return Const(tr.Value)
			}
			return UnknownValue
		}
	default:
		if tr.Fact == FactScheme || tr.Fact == FactHost {
			break
		}
		return UnknownValue
	}
	tls := c.Transport == TransportTLS
	whole := !tr.Composite
	switch tr.Fact {
	case FactScheme:
		if !whole {
			return UnknownValue
		}
		if tls {
			return Const("https")
		}
		return Const("http")
	case FactHost:
		return ClientValue
	}
	if !tls {
		if whole {
			return Const(tr.Missing)
		}
		return TLSValue(tr.Fact)
	}
	if !whole {
		return TLSValue(tr.Fact)
	}
	switch tr.Fact {
	case FactVerify:
		switch c.Cert {
		case CertVerified:
			return Const("SUCCESS")
		case CertUntrusted:
			return ConstPrefix("FAILED:")
		}
		return Const("NONE")
	case FactVerifyCode:
		if c.Cert == CertUntrusted {
			return TLSValue(FactVerifyCode) // the error code, not known statically
		}
		return Const("0")
	case FactCertUsed:
		if c.Cert == CertNone {
			return Const("0")
		}
		return Const("1")
	}
	if !tr.Fact.IsTLS() {
		return UnknownValue
	}
	switch c.Cert {
	case CertNone:
		if tr.NoCert.Newer {
			return Const(tr.NoCert.Text)
		}
		return Const(tr.Missing)
	case CertUntrusted:
		// The subject of a certificate the client made.
		return Value{Kind: ValueClient, FromCert: true}
	}
	return TLSValue(tr.Fact)
}
