package rules

import (
	"reflect"
	"strings"
	"testing"
)

// TestNoCertVersionAlternatives: where the proxy's version decides what a
// certificate fact is without a certificate and no version is pinned, both
// values arrive, each under its condition; a check that accepts only one
// admits maybe and says which condition; a check that accepts both admits
// for certain. Plain HTTP keeps Missing in every version, and a pinned
// version sends one value.
func TestNoCertVersionAlternatives(t *testing.T) {
	const dn = "x-ssl-client-dn"
	placeholder := "{http.request.tls.client.subject}"
	undecided := NoCertValue{OlderIf: "Caddy is older than 2.11.2", NewerIf: "Caddy is 2.11.2 or later"}
	route := func(n NoCertValue) *Route {
		return &Route{Listener: Listener{TLS: true, Verify: VerifyOptional}, Headers: map[string]HeaderTreatment{
			dn: {Action: SetTLS, Value: "{tls_client_subject}", Fact: FactSubjectDN, Missing: placeholder, NoCert: n},
		}}
	}
	m := &Model{}
	noCert := RequestClass{Transport: TransportTLS, Cert: CertNone}
	plain := RequestClass{Transport: TransportPlain}

	d := m.Deliver(route(undecided), noCert, dn, nil)
	if len(d.Values) != 2 || !reflect.DeepEqual(d.Values[0], Value{Kind: ValueConst, Text: placeholder, If: undecided.OlderIf}) ||
		!reflect.DeepEqual(d.Values[1], Value{Kind: ValueConst, If: undecided.NewerIf}) {
		t.Fatalf("undecided version, no certificate: %+v", d.Values)
	}
	if d := m.Deliver(route(undecided), plain, dn, nil); len(d.Values) != 1 || !reflect.DeepEqual(d.Values[0], Const(placeholder)) {
		t.Errorf("plain HTTP: %+v, want the placeholder in every version", d.Values)
	}
	if d := m.Deliver(route(NoCertValue{Newer: true}), noCert, dn, nil); len(d.Values) != 1 || !reflect.DeepEqual(d.Values[0], Const("")) {
		t.Errorf("pinned 2.11.2 or later: %+v, want empty", d.Values)
	}
	if d := m.Deliver(route(NoCertValue{}), noCert, dn, nil); len(d.Values) != 1 || !reflect.DeepEqual(d.Values[0], Const(placeholder)) {
		t.Errorf("pinned before 2.11.2: %+v, want the placeholder", d.Values)
	}

	deliver := func(string) Delivery { return m.Deliver(route(undecided), noCert, dn, nil) }
	nonEmpty := Decision{Sink: "view", Accepts: []AcceptSet{{Header: dn, Kind: AcceptNonEmpty}}}
	v := nonEmpty.Admits(deliver)
	if !v.Admitted || !v.Maybe || !strings.Contains(v.Why, "if Caddy is older than 2.11.2") {
		t.Errorf("non-empty check: %+v, want admitted maybe, if Caddy is older", v)
	}
	anything := Decision{Sink: "view", Accepts: []AcceptSet{{Header: dn, Kind: AcceptAllExcept, Values: []string{"CN=banned"}}}}
	if v := anything.Admits(deliver); !v.Admitted || v.Maybe {
		t.Errorf("a check both values pass: %+v, want admitted for certain", v)
	}
	exactPlaceholderRefused := Decision{Sink: "view", Accepts: []AcceptSet{{Header: dn, Kind: AcceptAllExcept, Values: []string{"", placeholder}}}}
	if v := exactPlaceholderRefused.Admits(deliver); v.Admitted {
		t.Errorf("a check refusing both: %+v, want refused", v)
	}
}
