package rules

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// only delivers the same values for every header of one class.
func only(c RequestClass, values ...Value) func(string) Delivery {
	return func(h string) Delivery { return Delivery{Header: h, Class: c, Values: values} }
}

// byHeader delivers per header.
func byHeader(c RequestClass, values map[string][]Value) func(string) Delivery {
	return func(h string) Delivery { return Delivery{Header: h, Class: c, Values: values[h]} }
}

func TestDecisionAdmits(t *testing.T) {
	noCert := RequestClass{Transport: TransportTLS, Port: "443"}
	untrusted := RequestClass{Transport: TransportTLS, Cert: CertUntrusted, Port: "443"}
	maybeClass := RequestClass{Transport: TransportPlain, Port: "80", Undecided: []string{"the condition { req.ssl_sni -m reg ^a } could not be evaluated"}}
	const verify, dn = "x-ssl-client-verify", "x-ssl-client-dn"
	exactly := func(vs ...string) AcceptSet { return AcceptSet{Header: verify, Kind: AcceptExactly, Values: vs} }
	set := func(k AcceptKind, vs ...string) AcceptSet { return AcceptSet{Header: verify, Kind: k, Values: vs} }
	for _, c := range []struct {
		name     string
		accepts  []AcceptSet
		deliver  func(string) Delivery
		admitted bool
		maybe    bool
		witness  string // substring of the witness
	}{
		{"== SUCCESS rejects NONE", []AcceptSet{exactly("SUCCESS")}, only(noCert, Const("NONE")), false, false, ""},
		{"== SUCCESS admits SUCCESS", []AcceptSet{exactly("SUCCESS")}, only(noCert, Const("SUCCESS")), true, false, `"SUCCESS"`},
		{"== SUCCESS admits the client's own copy", []AcceptSet{exactly("SUCCESS")}, only(noCert, ClientValue), true, false, `"SUCCESS"`},
		{"== SUCCESS rejects the client's copy joined with NONE", []AcceptSet{exactly("SUCCESS")}, only(noCert, Joined(ClientValue, Const("NONE"))), false, false, ""},
		{"== SUCCESS rejects SUCCESS joined with NONE", []AcceptSet{exactly("SUCCESS")}, only(noCert, Joined(Const("SUCCESS"), Const("NONE"))), false, false, ""},
		{"a prefix check admits the joined value", []AcceptSet{set(AcceptPrefix, "SUCCESS")}, only(noCert, Joined(ClientValue, Const("NONE"))), true, false, `"SUCCESS,NONE"`},
		{"a presence check admits the joined value", []AcceptSet{set(AcceptNonEmpty)}, only(noCert, Joined(ClientValue, Const("NONE"))), true, false, `,NONE"`},
		{"an absent copy adds nothing to the join", []AcceptSet{exactly("SUCCESS")}, only(noCert, Joined(ClientValue, Absent)), true, false, `"SUCCESS"`},
		{"!= FAILED admits NONE", []AcceptSet{set(AcceptAllExcept, "FAILED")}, only(noCert, Const("NONE")), true, false, `"NONE"`},
		{"!= FAILED admits FAILED:reason", []AcceptSet{set(AcceptAllExcept, "FAILED")}, only(untrusted, ConstPrefix("FAILED:")), true, false, `"FAILED:…"`},
		{"!= NONE and != FAILED admits a client value", []AcceptSet{set(AcceptAllExcept, "NONE", "FAILED")}, only(noCert, ClientValue), true, false, `"SUCCESS"`},
		{"!= SUCCESS rejects SUCCESS", []AcceptSet{set(AcceptAllExcept, "SUCCESS")}, only(noCert, Const("SUCCESS")), false, false, ""},
		{"== SUCCESS rejects FAILED:reason", []AcceptSet{exactly("SUCCESS")}, only(untrusted, ConstPrefix("FAILED:")), false, false, ""},
		{"== \"0\" admits HAProxy's 0 without a certificate", []AcceptSet{exactly("0")}, only(noCert, Const("0")), true, false, `"0"`},
		{"presence rejects an absent header", []AcceptSet{set(AcceptNonEmpty)}, only(noCert, Absent), false, false, ""},
		{"presence rejects an empty header", []AcceptSet{set(AcceptNonEmpty)}, only(noCert, Const("")), false, false, ""},
		{"a default that accepts absence", []AcceptSet{{Header: verify, Kind: AcceptAllExcept, Values: []string{"FAILED"}, AcceptsAbsent: true}}, only(noCert, Absent), true, false, "absent"},
		{"presence admits a verified DN", []AcceptSet{{Header: dn, Kind: AcceptNonEmpty}}, only(noCert, TLSValue(FactSubjectDN)), true, false, "<subject-dn>"},
		{"an exact DN may or may not be the certificate's", []AcceptSet{{Header: dn, Kind: AcceptExactly, Values: []string{"CN=admin"}}}, only(noCert, TLSValue(FactSubjectDN)), true, true, `"CN=admin"`},
		{"a DN prefix may or may not match", []AcceptSet{{Header: dn, Kind: AcceptPrefix, Values: []string{"CN="}}}, only(noCert, TLSValue(FactSubjectDN)), true, true, ""},
		{"one of several values that may arrive gets through", []AcceptSet{exactly("SUCCESS")}, only(noCert, Const("NONE"), ClientValue), true, false, `"SUCCESS"`},
		{"a check that could not be analysed is maybe", []AcceptSet{set(AcceptUnknown)}, only(noCert, Const("NONE")), true, true, ""},
		{"a value that could not be decided is maybe", []AcceptSet{exactly("SUCCESS")}, only(noCert, UnknownValue), true, true, ""},
		{"no known values is maybe, never absent", []AcceptSet{exactly("SUCCESS")}, only(noCert), true, true, ""},
		{"an undecided class is maybe", []AcceptSet{set(AcceptNonEmpty)}, only(maybeClass, ClientValue), true, true, ""},
		{"nothing guards the sink", nil, only(noCert), true, false, ""},
		{"every set must accept: verify fails", []AcceptSet{exactly("SUCCESS"), {Header: dn, Kind: AcceptNonEmpty}},
			byHeader(untrusted, map[string][]Value{verify: {ConstPrefix("FAILED:")}, dn: {ClientValue}}), false, false, ""},
		{"every set must accept: DN alone admits the untrusted certificate's subject", []AcceptSet{{Header: dn, Kind: AcceptNonEmpty}},
			byHeader(untrusted, map[string][]Value{verify: {ConstPrefix("FAILED:")}, dn: {ClientValue}}), true, false, "x-ssl-client-dn"},
		{"a lookup of the verified certificate's DN among literals may hold", []AcceptSet{{Header: dn, Conds: []Cond{Equal{"CN=alice", "/CN=alice"}}}},
			only(noCert, TLSValue(FactSubjectDN)), true, true, `"CN=alice"`},
		{"every set must accept: no certificate, no DN", []AcceptSet{exactly("SUCCESS"), {Header: dn, Kind: AcceptNonEmpty}},
			byHeader(noCert, map[string][]Value{verify: {Const("NONE")}, dn: {Absent}}), false, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := Decision{Sink: "login()", Accepts: c.accepts}.Admits(c.deliver)
			if v.Admitted != c.admitted || v.Maybe != c.maybe {
				t.Fatalf("admitted %v maybe %v, want %v %v (%s)", v.Admitted, v.Maybe, c.admitted, c.maybe, v.Why)
			}
			if !strings.Contains(v.Witness, c.witness) || (v.Admitted && len(c.accepts) > 0 && v.Witness == "") {
				t.Errorf("witness %q, want it to contain %q", v.Witness, c.witness)
			}
			if v.Why == "" {
				t.Error("no reason given")
			}
			if !v.Admitted && v.Witness != "" {
				t.Errorf("a witness for a request that does not get through: %q", v.Witness)
			}
		})
	}
}

func TestRequestClassString(t *testing.T) {
	for _, c := range []struct {
		class RequestClass
		want  string
	}{
		{RequestClass{Transport: TransportPlain, Port: "80", Path: "/api/"}, "plain HTTP on :80 to /api/"},
		{RequestClass{Transport: TransportTLS}, "TLS without a client certificate"},
		{RequestClass{Transport: TransportTLS, Cert: CertUntrusted, SNI: "a.example", Host: "b.example"}, "TLS with an unverified client certificate, SNI a.example, Host b.example"},
		{RequestClass{Transport: TransportDirect}, "a direct connection to the app server's port"},
		{RequestClass{Transport: TransportTLS, Cert: CertVerified, Method: "POST", Path: "/admin", Undecided: []string{"the map $x could not be read"}},
			"TLS with a verified client certificate, POST to /admin (if the map $x could not be read)"},
	} {
		if got := c.class.String(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

// The contract is written out by name (graph output, JSON), and read by
// people in messages.
func TestContractNames(t *testing.T) {
	d := Delivery{Header: "x-ssl-client-dn", Class: RequestClass{Transport: TransportTLS, Cert: CertUntrusted},
		Values: []Value{Joined(ClientValue, TLSValue(FactSubjectDN))}}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"transport":"tls"`, `"cert":"untrusted"`, `"kind":"joined"`, `"kind":"client"`, `"kind":"tls-fact"`, `"fact":"subject-dn"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	if s := fmt.Sprint(TransportDirect, CertVerified, ValueAbsent, AcceptPrefix); s != "direct verified absent prefix" {
		t.Errorf("names: %s", s)
	}
	a := AcceptSet{Kind: AcceptPrefix, Values: []string{"CN="}}
	if b, _ := json.Marshal(a); !strings.Contains(string(b), `"kind":"prefix"`) {
		t.Errorf("accept set: %s", b)
	}
}

// presentCond and nonEmptyCond are the tests `"H" in request.META` and
// `if value:`.
type presentCond struct{}

func (presentCond) Eval(_ string, present bool) Truth {
	if present {
		return TruthTrue
	}
	return TruthFalse
}
func (presentCond) Literals() []string { return nil }
func (presentCond) String() string     { return "present" }

type nonEmptyCond struct{}

func (nonEmptyCond) Eval(v string, present bool) Truth {
	if present && v != "" {
		return TruthTrue
	}
	return TruthFalse
}
func (nonEmptyCond) Literals() []string { return nil }
func (nonEmptyCond) String() string     { return "non-empty" }

// A set whose tests accept every value says so, instead of naming a
// witness the check never compares with or repeating a test written twice.
func TestAcceptSetSaysWhatAnyValueCheckAccepts(t *testing.T) {
	untrusted := RequestClass{Transport: TransportTLS, Cert: CertUntrusted, Port: "443"}
	const dn = "x-ssl-client-dn"
	for _, c := range []struct {
		name      string
		set       AcceptSet
		text, why string
	}{
		{"presence tested twice", AcceptSet{Header: dn, Conds: []Cond{presentCond{}, presentCond{}}},
			"present (any value)", "X-SSL-Client-DN is accepted whatever it carries, even empty (the check only tests that it is present)"},
		{"non-empty", AcceptSet{Header: dn, Conds: []Cond{presentCond{}, nonEmptyCond{}}},
			"non-empty (any value)", "X-SSL-Client-DN is accepted whatever it carries, if not empty (the check only tests that it is non-empty)"},
		{"a comparison picks values", AcceptSet{Header: dn, Conds: []Cond{presentCond{}, Equal{"CN=admin"}, presentCond{}}},
			`present and == "CN=admin"`, `X-SSL-Client-DN "CN=admin" is accepted (present and == "CN=admin")`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.set.String(); got != c.text {
				t.Errorf("String() = %q, want %q", got, c.text)
			}
			v := Decision{Sink: "login()", Accepts: []AcceptSet{c.set}}.Admits(only(untrusted, ClientValue))
			if !v.Admitted || v.Why != c.why {
				t.Errorf("Admits = %+v, want admitted because %q", v, c.why)
			}
		})
	}
}
