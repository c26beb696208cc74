package rules

import (
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
