package rules

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

func TestMergeDualStack(t *testing.T) {
	at := func(line int) source.Range {
		return source.Range{File: "nginx.conf", Start: source.Pos{Line: line, Col: 5}, End: source.Pos{Line: line, Col: 20}}
	}
	route := func(id, host string, line int) *Route {
		ep := Endpoint{Host: host, Port: "443"}
		return &Route{ID: id, Proxy: "nginx", Desc: "server a on " + ep.String() + ", location /",
			Listener: Listener{Endpoint: ep, TLS: true, Range: at(line)},
			Headers:  map[string]HeaderTreatment{"x-ssl-client-verify": {Name: "X-SSL-Client-Verify", Action: SetTLS}},
			Range:    at(20)}
	}
	v4, v6 := route("a@*:443", "*", 10), route("a@[::]:443", "::", 11)
	specific4, specific6 := route("b@10.0.0.1:443", "10.0.0.1", 12), route("b@[2001:db8::1]:443", "2001:db8::1", 13)
	other := route("c@[::]:443", "::", 14)
	other.Headers = map[string]HeaderTreatment{}
	got := MergeDualStack([]*Route{v4, v6, specific4, specific6, other})
	if len(got) != 4 || got[0].ID != v4.ID || got[1] != specific4 || got[2] != specific6 || got[3] != other {
		t.Fatalf("merged into %d routes: %+v", len(got), got)
	}
	if m := got[0]; len(m.Listener.Also) != 1 || m.Listener.Also[0].Range != at(11) || m.Desc != "server a on *:443 and [::]:443, location /" {
		t.Errorf("the twin is not recorded: %+v %q", m.Listener.Also, m.Desc)
	}
	if len(v4.Listener.Also) != 0 || v4.Desc != "server a on *:443, location /" {
		t.Errorf("the builder's route was changed in place: %+v %q", v4.Listener.Also, v4.Desc)
	}
}

// jsonSignature is what twinSignature stands for: the route's JSON without
// the fields twins may differ in.
func jsonSignature(t testing.TB, r *Route) string {
	c := *r
	c.ID, c.Desc = "", ""
	c.Listener.Range = source.Range{}
	c.Listener.Also = nil
	c.Listener.Endpoint.Host = ""
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestTwinSignatureIsJSON checks that two routes have the same
// twinSignature exactly when they have the same JSON signature, over pairs
// of generated routes that differ in one choice of their generation
// (every field, a field added later too, is reached: a field the
// signature leaves out makes pairs that differ only there fail).
func TestTwinSignatureIsJSON(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	same, differ := 0, 0
	for i := 0; i < 5000; i++ {
		var choices []int
		a := &Route{}
		fillRandom(reflect.ValueOf(a).Elem(), func(n int) int {
			c := rnd.IntN(n)
			choices = append(choices, c)
			return c
		}, 0)
		k := rnd.IntN(len(choices))
		changed := append([]int(nil), choices...)
		changed[k] = rnd.IntN(8)
		j := 0
		b := &Route{}
		fillRandom(reflect.ValueOf(b).Elem(), func(n int) int {
			defer func() { j++ }()
			if j < len(changed) {
				return changed[j] % n
			}
			return rnd.IntN(n)
		}, 0)
		js := jsonSignature(t, a) == jsonSignature(t, b)
		if ts := twinSignature(a) == twinSignature(b); ts != js {
			t.Fatalf("twinSignature equal %v, JSON equal %v:\n%s\n%s", ts, js, jsonSignature(t, a), jsonSignature(t, b))
		}
		if js {
			same++
		} else {
			differ++
		}
	}
	t.Logf("%d pairs with equal signatures, %d with different ones", same, differ)
	if same < 500 || differ < 500 {
		t.Errorf("the pairs do not test both ways: %d equal, %d different", same, differ)
	}
}

// fillRandom sets v from small domains (strings that agree or not in
// JSON, enumerations in and out of range, nil and empty lists), each
// choice from choose.
func fillRandom(v reflect.Value, choose func(n int) int, depth int) {
	strs := []string{"", "a", "b", "\xff", "\xfe", "\ufffd", "<", "a\x00"}
	switch v.Kind() {
	case reflect.String:
		v.SetString(strs[choose(len(strs))])
	case reflect.Int:
		v.SetInt([]int64{0, 1, 2, 99}[choose(4)])
	case reflect.Bool:
		v.SetBool(choose(2) == 1)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() && f.Kind() != reflect.Func {
				fillRandom(f, choose, depth)
			}
		}
	case reflect.Pointer:
		if depth < 2 && choose(2) == 1 {
			v.Set(reflect.New(v.Type().Elem()))
			fillRandom(v.Elem(), choose, depth+1)
		} else {
			v.SetZero()
		}
	case reflect.Slice:
		switch n := choose(4); {
		case n == 0 || depth >= 2:
			v.SetZero()
		default:
			v.Set(reflect.MakeSlice(v.Type(), n-1, n-1))
			for i := 0; i < n-1; i++ {
				fillRandom(v.Index(i), choose, depth+1)
			}
		}
	case reflect.Map:
		switch n := choose(4); {
		case n == 0 || depth >= 2:
			v.SetZero()
		default:
			v.Set(reflect.MakeMap(v.Type()))
			for i := 0; i < n-1; i++ {
				k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				fillRandom(k, choose, depth+1)
				fillRandom(e, choose, depth+1)
				v.SetMapIndex(k, e)
			}
		}
	}
}

// BenchmarkTwinSignature signs a route like the ones nginx's dual-stack
// servers make (a dozen header treatments), by hand and as JSON.
func BenchmarkTwinSignature(b *testing.B) {
	at := source.Range{File: "conf.d/api.conf", Start: source.Pos{Line: 12, Col: 5, Offset: 300}, End: source.Pos{Line: 12, Col: 40, Offset: 335}}
	r := &Route{ID: "api@[::]:443/", Proxy: "nginx", Desc: "server api on [::]:443, location /", Hosts: []string{"api.example.com"}, Path: "/",
		Listener: Listener{Endpoint: Endpoint{Host: "::", Port: "443"}, TLS: true, Verify: VerifyOptional, CA: "/etc/nginx/ca.pem", Range: at, VerifyRange: at},
		Upstream: Upstream{Name: "app", Servers: []Endpoint{{Host: "app", Port: "8000"}}, Range: at},
		Headers:  map[string]HeaderTreatment{}, Range: at, Block: at,
		Classes: []RequestClass{{Transport: TransportTLS, Cert: CertVerified, Port: "443"}, {Transport: TransportTLS, Cert: CertNone, Port: "443"}}}
	for _, h := range []string{"host", "x-forwarded-for", "x-forwarded-proto", "x-real-ip", "x-ssl-client-verify", "x-ssl-client-dn",
		"x-ssl-client-cert", "x-ssl-client-serial", "x-ssl-issuer-dn", "x-forwarded-host", "x-forwarded-port", "x-request-id"} {
		r.Headers[h] = HeaderTreatment{Name: h, Action: SetTLS, Value: "$ssl_client_s_dn", Fact: FactSubjectDN, Range: at, Note: "from the stock proxy_params"}
	}
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			twinSignature(r)
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			jsonSignature(b, r)
		}
	})
}
