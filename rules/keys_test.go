package rules

import (
	"reflect"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The text of a key is part of every baseline fingerprint: these are the
// texts baselines were written with, and a change here is a change of
// the fingerprint version.
func TestKeyTexts(t *testing.T) {
	at := source.Range{File: "nginx.conf", Start: source.Pos{Line: 3, Col: 5, Offset: 20}, End: source.Pos{Line: 3, Col: 9, Offset: 24}}
	for _, c := range []struct {
		k    Key
		want string
	}{
		{RouteHeaderKey("r1", "HTTP_X_SSL_CLIENT_DN"), "route:r1|header:x-ssl-client-dn"},
		{RouteKey("r1", "unverified"), "route:r1|unverified"},
		{VerifyKey(at), "verify-at:nginx.conf:3:5"},
		{UnderscoreKey(at), "underscore-at:nginx.conf:3:5"},
		{DirectiveKey("N008", at, ""), "N008|at:nginx.conf:3:5"},
		{DirectiveKey("N010", at, "ciphers"), "N010|at:nginx.conf:3:5|ciphers"},
		{WrittenKey("A003", at), "A003|nginx.conf:3:5"},
		{RouterKey("R001", "traefik:d.yml:file:app@websecure"), "R001|router:traefik:d.yml:file:app@websecure"},
		{ServerKey("N002", "s1", ""), "N002|server:s1"},
		{ServerKey("N010", "s1", "protocols-default"), "N010|server:s1|protocols-default"},
		{SocketKey("N013", "*:443", ""), "N013|socket:*:443"},
		{SocketKey("N012", "*:443", "s1"), "N012|socket:*:443|server:s1"},
		{ConfigLineKey("bind", "haproxy.cfg", 7, "verify"), "bind:haproxy.cfg:7|verify"},
		{ConfigLineKey("line", "haproxy.cfg", 7, ""), "line:haproxy.cfg:7"},
		{ObjectKey("k.yaml", "Service", "prod/web", "network-policy"), "k.yaml#service:prod/web|network-policy"},
		{EntranceKey("prod/web:80", "i.yaml", "Ingress", "prod/web", "a.example", "/"), "service:prod/web:80|via:i.yaml#ingress:prod/web:a.example:/"},
		{HostKey("a.example", "i.yaml", "Ingress", "prod/web"), "host:a.example|i.yaml#ingress:prod/web"},
		{ListenerKey("aws_lb_listener.x", "ignore-expiry"), "alb-listener:aws_lb_listener.x|ignore-expiry"},
		{TargetBypassKey("tg", "aws_lb_listener.x", "direct"), "alb-target:tg|bypass:aws_lb_listener.x|direct"},
		{ResourceKey("alb", "infra", "aws_lb.x", "drop-invalid-header-fields"), "alb:infra/aws_lb.x|drop-invalid-header-fields"},
		{SpecOperationKey("api.yaml", "GET /a"), "spec-diff:api.yaml|GET /a"},
		{SpecKey(at, "mtls-optional"), "openapi:nginx.conf:3:5|mtls-optional"},
		{SpecKey(at, "scheme"), "openapi:scheme:nginx.conf:3:5"},
		{ListenerSpecKey("*:443", "api.yaml"), "listener:*:443|openapi:api.yaml"},
		{AppReadKey(at, CheckZero, "HTTP_X"), "app:nginx.conf:3:5|zero:HTTP_X"},
		{AppReadKey(at, CheckLogin, ""), "app:nginx.conf:3:5|login"},
		{AppReadRouteKey(at, CheckSemantics, "HTTP_X", "r1"), "app:nginx.conf:3:5|semantics:HTTP_X|r1"},
		{TrustKey("settings.py", "x-forwarded-proto"), "trust:settings.py|header:HTTP_X_FORWARDED_PROTO"},
		{SettingKey("settings.py:3:1", "DEBUG", false, ""), "setting:settings.py:3:1|DEBUG"},
		{SettingKey("settings.py", "MIDDLEWARE", true, "a.b.C"), "setting:settings.py|MIDDLEWARE:unset|a.b.C"},
		{PublicBindKey("gunicorn.conf.py", Endpoint{Host: "0.0.0.0", Port: "8000"}), "bind:gunicorn.conf.py|0.0.0.0:8000"},
		{PublishKey(at), "publish:nginx.conf:3:5"},
		{AppServerOptionKey(at, "header_map"), "gunicorn:nginx.conf:3:5|header_map"},
		{SchemeHeadersKey(at, "r1"), "scheme-headers:nginx.conf:3:5|r1"},
		{SuppressionKey("unused", "N003", ""), "suppression|unused|N003|"},
		{SuppressionKey("no-reason", "N003"), "suppression|no-reason|N003"},
		{ProblemKey(source.Problem{Range: at, Message: "bad"}), "problem:nginx.conf:3:5:bad"},
		{crashKey("N003", "nginx.conf"), "crash:N003:nginx.conf"},
	} {
		if got := c.k.String(); got != c.want {
			t.Errorf("%s key = %q, want %q", c.k.Kind(), got, c.want)
		}
	}
}

// Keys name their subject for readers that need it.
func TestKeySubjects(t *testing.T) {
	at := source.Range{File: "n.conf", Start: source.Pos{Line: 2, Col: 1}}
	if k := RouteHeaderKey("r1", "X-SSL-Client-DN"); k.Route() != "r1" || k.Header() != "x-ssl-client-dn" || k.Kind() != KeyRouteHeader {
		t.Errorf("route-header key: %q %q %q", k.Route(), k.Header(), k.Kind())
	}
	if k := VerifyKey(at); k.Directive() != "n.conf:2:1" || k.Route() != "" {
		t.Errorf("verify key: %q %q", k.Directive(), k.Route())
	}
	if k := AppReadRouteKey(at, CheckSemantics, "HTTP_X", "r9"); k.Route() != "r9" {
		t.Errorf("app-read-route key names route %q", k.Route())
	}
	if RouteHeaderKey("r1", "x-a") == RouteHeaderKey("r1", "x-b") || RouteHeaderKey("r1", "X-A") != RouteHeaderKey("r1", "HTTP_X_A") {
		t.Error("keys compare by subject")
	}
}

func TestClipAndSentence(t *testing.T) {
	if got := Clip("server app.example.com on *:443", 10); got != "server ap…" {
		t.Errorf("Clip = %q", got)
	}
	if got := Clip("short", 10); got != "short" {
		t.Errorf("Clip = %q", got)
	}
	if got := Sentence("set it from TLS state with `x`"); got != "Set it from TLS state with `x`." {
		t.Errorf("Sentence = %q", got)
	}
	if got := Sentence("Done."); got != "Done." {
		t.Errorf("Sentence = %q", got)
	}
}

// TestKeyBinaryRoundTrip: a key written by MarshalBinary (the audit's
// worker processes send their findings' keys so) reads back equal, every
// part of it, and the encoding covers every field the key has.
func TestKeyBinaryRoundTrip(t *testing.T) {
	if n, p := reflect.TypeFor[Key]().NumField(), len((&Key{}).parts()); n != p {
		t.Fatalf("Key has %d fields and its encoding %d parts", n, p)
	}
	full := Key{kind: KeyAppReadRoute, text: "t|ü\x00", route: "r", header: "X-H", directive: "d", check: CheckZero, meta: "HTTP_X_H"}
	for _, k := range []Key{{}, full, RouteHeaderKey("route-1", "X-SSL-Client-Verify")} {
		b, err := k.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back Key
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		if back != k {
			t.Errorf("%#v read back as %#v", k, back)
		}
	}
	enc, _ := full.MarshalBinary()
	var k Key
	if err := k.UnmarshalBinary(enc[:len(enc)-1]); err == nil {
		t.Error("a truncated key was read")
	}
}
