package nginx

import (
	"fmt"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// VhostCAMix is N012, vhost-client-ca-mix.
var VhostCAMix = &rules.Rule{
	Code:     "N012",
	Name:     "vhost-client-ca-mix",
	Severity: rules.High,
	CWE:      []string{"CWE-346", "CWE-295"},
	Summary:  "Servers on one address:port verify clients against different CAs; a client without SNI is verified by the default server and routed by Host to another.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresConfig,
	Doc: rules.Doc{
		What: "For every TLS address:port shared by several servers: reports when the default server verifies client certificates against one CA " +
			"while another server on the socket requires certificates from a different CA (or requires them where the default server only asks), " +
			"unless the default server has `ssl_reject_handshake on` or the other server refuses requests whose `$ssl_server_name` differs from `$host`.",
		Why: "A client that sends no SNI completes the handshake with the default server's settings, so its certificate is checked against the default server's CA. " +
			"It then sends `Host: protected.example.com` and nginx routes the request to the protected server. nginx answers 421 only when SNI was sent, " +
			"and its per-request check sees a certificate that verified — against the wrong CA — so `$ssl_client_verify` is SUCCESS. " +
			"A default server that does not verify at all is not reported: nginx checks the selected server's ssl_verify_client again for each request " +
			"and refuses a request without a certificate on a server with `on` (400, \"No required SSL certificate was sent\").",
		Example: "server { listen 443 ssl default_server; ssl_client_certificate partners-ca.pem; ssl_verify_client optional; }\n" +
			"server { listen 443 ssl; server_name admin.example.com; ssl_client_certificate admin-ca.pem; ssl_verify_client on; }",
		Fix: "Give the default server `ssl_reject_handshake on;` (nginx 1.19.4), so that handshakes without a matching SNI fail; or add " +
			"`if ($ssl_server_name != $host) { return 421; }` to the protected server; or give each CA its own address:port.",
		References: []string{
			"https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_reject_handshake",
			"https://github.com/emissary-ingress/emissary/issues/3340",
		},
	},
	Check: checkVhostCAMix,
}

// sniChecked reports whether a server refuses requests whose Host differs
// from the SNI: if ($ssl_server_name != $host) { return ...; } at server
// level.
func sniChecked(s *server) bool {
	for _, d := range s.d.Find("if") {
		if d.First("return") == nil {
			continue
		}
		cond := strings.Fields(strings.Trim(strings.Join(d.ArgValues(), " "), "() "))
		if len(cond) == 3 && (cond[1] == "!=" || cond[1] == "!~") &&
			(cond[0] == "$ssl_server_name" && cond[2] == "$host" || cond[0] == "$host" && cond[2] == "$ssl_server_name") {
			return true
		}
	}
	return false
}

func rejectsHandshake(s *server) bool { return effectiveFlag(s.d, "ssl_reject_handshake") }

// stricter reports whether verify mode a refuses clients that b admits.
func stricter(a, b rules.VerifyMode) bool {
	rank := map[rules.VerifyMode]int{rules.VerifyOff: 0, rules.VerifyOptionalNoCA: 1, rules.VerifyOptional: 2, rules.VerifyRequired: 3}
	return rank[a] > rank[b]
}

func checkVhostCAMix(p *rules.Pass) {
	c := analyse(p)
	if c == nil {
		return
	}
	for _, key := range c.socketIDs {
		sk := c.sockets[key]
		def := sk.def
		if !sk.tls || len(sk.servers) < 2 || def == nil || rejectsHandshake(def) {
			continue
		}
		defMode, _ := verifyMode(def)
		defCA, _ := clientCA(def)
		if defMode == rules.VerifyOff || defCA == "" {
			continue
		}
		for _, s := range sk.servers {
			if s == def || sniChecked(s) {
				continue
			}
			mode, vd := verifyMode(s)
			if mode != rules.VerifyRequired && mode != rules.VerifyOptional {
				continue
			}
			ca, cad := clientCA(s)
			if ca == defCA {
				continue
			}
			anchor := vd
			if cad != nil {
				anchor = cad
			}
			p.Report(rules.Diagnostic{
				Range:   def.d.Head(),
				Message: fmt.Sprintf("a certificate this default server accepts also reaches %s, which trusts another CA", rules.Clip(blockDesc(s.d), 40)),
				Detail: fmt.Sprintf("%s is the default server of %s and verifies client certificates against %s, so a client without SNI holding such a certificate can send Host: %s and reach %s, which trusts %s.",
					blockDesc(def.d), sk.key, defCA, firstName(s), blockDesc(s.d), orNone(ca)),
				FixTitle: fmt.Sprintf("Add ssl_reject_handshake on to the default server, or if ($ssl_server_name != $host) { return 421; } to %s.", blockDesc(s.d)),
				Related:  []source.Related{related(anchor, fmt.Sprintf("%s verifies against %s", blockDesc(s.d), orNone(ca)))},
				Key:      rules.SocketKey("N012", sk.key, s.id),
			})
		}
	}
}

func firstName(s *server) string {
	if len(s.names) > 0 && s.names[0] != "" {
		return s.names[0]
	}
	return "its name"
}

func orNone(ca string) string {
	if ca == "" {
		return "no client CA of its own"
	}
	return ca
}

// Resumption is N013, tls13-resumption-cve-2025-23419.
var Resumption = &rules.Rule{
	Code:     "N013",
	Name:     "tls13-resumption-cve-2025-23419",
	Severity: rules.High,
	CWE:      []string{"CWE-863"},
	Summary:  "CVE-2025-23419: TLS 1.3 session resumption across servers on one address:port skips client-certificate verification (nginx 1.11.4–1.27.3).",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresConfig,
	Doc: rules.Doc{
		What: "For every TLS address:port shared by several servers where the default server verifies client certificates, TLS 1.3 is enabled, the default server resumes " +
			"sessions (session tickets, on by default, or an `ssl_session_cache`), and another server on the socket requires a certificate from a different CA or more strictly: " +
			"reports the default server when the nginx version is in the affected range (1.11.4 to 1.27.3, fixed in 1.27.4 and 1.26.3) or unknown.",
		Why: "A client authenticates to the default server (or to a sibling that accepts it), receives a session ticket, and resumes the session with the SNI of the protected server. " +
			"The abbreviated TLS 1.3 handshake does not check the client certificate again, so the protected server's requirement is bypassed (F5/nginx advisory for CVE-2025-23419).",
		Example: "server { listen 443 ssl default_server; ssl_client_certificate partners-ca.pem; ssl_verify_client on; }\n" +
			"server { listen 443 ssl; server_name admin.example.com; ssl_client_certificate admin-ca.pem; ssl_verify_client on; }",
		Fix: "Upgrade to nginx 1.27.4 or 1.26.3 (or a distribution package with the fix) and declare it with --nginx-version. Until then: give each server with its own client " +
			"verification a unique address:port, or set `ssl_session_tickets off;` and no `ssl_session_cache` in the default server, or disable TLSv1.3 there.",
		References: []string{
			"https://nginx.org/en/security_advisories.html",
			"https://my.f5.com/manage/s/article/K000149173",
		},
	},
	Check: checkResumption,
}

// affectedByCVE202523419 reports whether an nginx version has the bug.
func affectedByCVE202523419(v version) bool {
	if v.less(version{1, 11, 4}) {
		return false
	}
	if v[0] == 1 && v[1] == 26 {
		return v.less(version{1, 26, 3})
	}
	return v.less(version{1, 27, 4})
}

// tls13 reports whether a server allows TLS 1.3: listed in ssl_protocols, or
// the default of nginx 1.23.4 and later (worst case when unknown).
func tls13(s *server, v version, known bool) bool {
	d := effective(s.d, "ssl_protocols")
	if d == nil {
		return !known || !v.less(version{1, 23, 4})
	}
	for _, a := range d.Args {
		if strings.EqualFold(a.Value, "TLSv1.3") {
			return true
		}
	}
	return false
}

// resumes reports whether a server resumes TLS sessions: tickets (on by
// default) or a session cache.
func resumes(s *server) (bool, *nginx.Directive) {
	t := effective(s.d, "ssl_session_tickets")
	if t == nil || strings.EqualFold(t.Arg(0), "on") {
		return true, t
	}
	if cache := effective(s.d, "ssl_session_cache"); cache != nil {
		for _, a := range cache.Args {
			if a.Value != "off" && a.Value != "none" {
				return true, cache
			}
		}
	}
	return false, nil
}

func checkResumption(p *rules.Pass) {
	c := analyse(p)
	if c == nil {
		return
	}
	v, known := nginxVersion(p)
	if known && !affectedByCVE202523419(v) {
		return
	}
	for _, key := range c.socketIDs {
		sk := c.sockets[key]
		def := sk.def
		if !sk.tls || len(sk.servers) < 2 || def == nil {
			continue
		}
		defMode, _ := verifyMode(def)
		if defMode == rules.VerifyOff || !tls13(def, v, known) {
			continue
		}
		ok, how := resumes(def)
		if !ok {
			continue
		}
		defCA, _ := clientCA(def)
		var victim *server
		for _, s := range sk.servers {
			if s == def {
				continue
			}
			mode, _ := verifyMode(s)
			if mode != rules.VerifyRequired && mode != rules.VerifyOptional {
				continue
			}
			if ca, _ := clientCA(s); ca != defCA || stricter(mode, defMode) {
				victim = s
				break
			}
		}
		if victim == nil {
			continue
		}
		ver := "the nginx version is unknown, so the worst case is assumed; declare it with --nginx-version"
		if known {
			ver = "nginx " + v.String() + " is affected"
		}
		resumption := "session tickets (on by default)"
		if how != nil && how.Name == "ssl_session_cache" {
			resumption = "ssl_session_cache " + strings.Join(how.ArgValues(), " ")
		}
		d := rules.Diagnostic{
			Range:   def.d.Head(),
			Message: fmt.Sprintf("TLS 1.3 sessions of this default server resume on %s without its certificate check", rules.Clip(blockDesc(victim.d), 35)),
			Detail: fmt.Sprintf("%s, the default server of %s, verifies client certificates and resumes TLS 1.3 sessions through %s, so a session it authenticated can be resumed with the SNI of %s without that server's certificate check (CVE-2025-23419; %s).",
				blockDesc(def.d), sk.key, resumption, blockDesc(victim.d), ver),
			FixTitle: "Upgrade to nginx 1.27.4 or 1.26.3, or set ssl_session_tickets off and no ssl_session_cache in the default server.",
			Related:  []source.Related{{Range: victim.d.Head(), Message: blockDesc(victim.d) + " requires its own client certificates"}},
			Key:      rules.SocketKey("N013", sk.key, ""),
		}
		p.Report(d)
	}
}
