package rules

import (
	"fmt"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// InterimDeliveries derives, from the fields a route has today (its
// listener's verification mode, TLS or plain, how it treats the header,
// whether it omits empty headers and admits underscore spellings), the
// request classes that travel it and what each delivers for one header to
// app. It stands in until route builders put request classes on routes:
// replace it by theirs, not beside it.
//
// Classes: plain HTTP; over TLS a client without a certificate, with a
// verified one, and with one the proxy does not verify (optional_no_ca),
// as far as the verification mode lets each through a gate-less route.
// Values: a header set from a handshake fact carries, per class, what the
// proxy writes for it (nginx's words SUCCESS / NONE / FAILED:<reason>,
// HAProxy's code 0 for a verified certificate and for none, nothing or an
// empty value without a certificate, the client's own choice for the
// subject of a certificate nobody verified); a header the route does not
// overwrite carries the client's copy; an app server that maps "_" like
// "-" behind a route that admits the underscore spelling joins the
// client's copy with the proxy's value, in an order the model does not
// know.
func InterimDeliveries(r *Route, app *App, header string) []Delivery {
	h := HeaderName(header)
	tr := r.Header(h)
	var out []Delivery
	for _, c := range routeClasses(r) {
		vals, why := classValues(r, tr, c)
		if app != nil && app.ConflatesUnderscore && r.AdmitsUnderscoreOf(h) {
			vals = withUnderscoreTwin(vals)
			why += fmt.Sprintf("; a client's %s joins it", underscoreSpelling(h))
		}
		out = append(out, Delivery{Header: h, Class: c, Values: vals, Why: why, Range: anchorRange(r, tr)})
	}
	return out
}

func anchorRange(r *Route, tr HeaderTreatment) source.Range {
	if tr.Range.IsValid() {
		return tr.Range
	}
	return r.Range
}

// InterimClasses are the request classes InterimDeliveries derives for a
// route: those its listener lets through to the app.
func InterimClasses(r *Route) []RequestClass { return routeClasses(r) }

// routeClasses are the request classes a route lets through to the app.
func routeClasses(r *Route) []RequestClass {
	port := r.Listener.Endpoint.Port
	if !r.Listener.TLS {
		return []RequestClass{{Transport: TransportPlain, Port: port, Range: r.Listener.Range}}
	}
	mk := func(c CertState) RequestClass {
		return RequestClass{Transport: TransportTLS, Cert: c, Port: port, Range: r.Listener.VerifyRange}
	}
	verified := mk(CertVerified)
	if r.Gated {
		// the proxy refuses every request without a verified certificate
		return []RequestClass{verified}
	}
	switch r.Listener.Verify {
	case VerifyRequired:
		return []RequestClass{verified}
	case VerifyOptional:
		return []RequestClass{mk(CertNone), verified}
	case VerifyOptionalNoCA:
		return []RequestClass{mk(CertNone), verified, mk(CertUntrusted)}
	case VerifyOff:
		return []RequestClass{mk(CertNone)}
	}
	out := []RequestClass{mk(CertNone), verified, mk(CertUntrusted)}
	for i := range out {
		out[i].Undecided = []string{"the listener's client verification is not known"}
	}
	return out
}

// classValues are the values a header arrives with on one class, and why.
func classValues(r *Route, tr HeaderTreatment, c RequestClass) ([]Value, string) {
	switch tr.Action {
	case Passthrough, SetClient:
		return []Value{ClientValue}, "the client's own copy reaches the app"
	case Appended:
		return []Value{Joined(ClientValue, proxyValue(r, tr, c))}, "the proxy's value is added after the client's copy"
	case Blanked:
		return []Value{Absent}, "removed"
	case Unknown:
		return []Value{UnknownValue}, "how the route treats it is not known"
	case Conditional:
		// set under a condition, with no delete before: the client's copy
		// stays when the condition does not hold
		if tr.CertGuarded && c.Cert == CertNone {
			return []Value{ClientValue}, fmt.Sprintf("set only %s; otherwise the client's own copy", tr.When)
		}
		if tr.CertGuarded {
			return []Value{proxyValue(r, tr, c)}, "set from " + tr.Value
		}
		return []Value{proxyValue(r, tr, c), ClientValue}, fmt.Sprintf("set only %s; otherwise the client's own copy", tr.When)
	}
	if tr.When != "" && tr.CertGuarded && c.Cert == CertNone {
		if tr.Otherwise != nil {
			vals, _ := classValues(r, *tr.Otherwise, c)
			return vals, fmt.Sprintf("set only %s; otherwise %s", tr.When, valuesText(vals))
		}
		return []Value{Absent}, fmt.Sprintf("set only %s, after the client's copy was removed", tr.When)
	}
	return []Value{proxyValue(r, tr, c)}, "set from " + tr.Value
}

// proxyValue is what the proxy writes into a header it sets, for a class.
func proxyValue(r *Route, tr HeaderTreatment, c RequestClass) Value {
	switch tr.Action {
	case SetConst:
		return Const(tr.Value)
	case Blanked:
		return Absent
	case SetTLS:
	default:
		return UnknownValue
	}
	tls := c.Transport == TransportTLS
	switch tr.Fact {
	case FactVerify:
		switch {
		case !tls:
			return r.empty()
		case c.Cert == CertVerified:
			return Const("SUCCESS")
		case c.Cert == CertUntrusted:
			return ConstPrefix("FAILED:")
		}
		return Const("NONE")
	case FactVerifyCode:
		switch {
		case !tls:
			return r.empty()
		case c.Cert == CertUntrusted:
			// an error code: the proxy let the certificate through
			// without verifying it (X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY)
			return Const("20")
		}
		return Const("0") // verified, and also no certificate at all
	case FactCertUsed:
		if tls && c.Cert != CertNone {
			return Const("1")
		}
		if !tls {
			return r.empty()
		}
		return Const("0")
	case FactSubjectDN, FactIssuerDN, FactCert, FactFingerprint, FactSerial:
		switch {
		case !tls || c.Cert == CertNone:
			return r.empty()
		case c.Cert == CertUntrusted:
			return ClientValue // the client made the certificate
		}
		return TLSValue(tr.Fact)
	}
	return UnknownValue
}

// empty is what the route sends for a value that is empty: nothing (nginx
// leaves such a header out), or the header with no value.
func (r *Route) empty() Value {
	if r.OmitsEmpty {
		return Absent
	}
	return Const("")
}

// withUnderscoreTwin joins each value with a client's underscore copy,
// either way round: the app server joins them in the order they arrive.
func withUnderscoreTwin(vals []Value) []Value {
	var out []Value
	for _, v := range vals {
		switch v.Kind {
		case ValueAbsent:
			out = append(out, ClientValue, Absent)
		case ValueClient:
			out = append(out, v)
		default:
			out = append(out, v, Joined(ClientValue, v), Joined(v, ClientValue))
		}
	}
	return out
}

func underscoreSpelling(h string) string {
	b := []byte(DisplayHeader(h))
	for i, c := range b {
		if c == '-' {
			b[i] = '_'
		}
	}
	return string(b)
}
