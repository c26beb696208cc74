package nginx

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mtlslint/mtlslint/rules"
)

// Server selection by SNI and Host. On one TLS address:port nginx takes
// the handshake's settings (ssl_verify_client, the client CA) from the
// server whose server_name matches the SNI, or from the default server
// when the client sends none or a name no server has
// (ngx_http_ssl_servername). The Host header then picks the server block
// that handles the request (ngx_http_set_virtual_server). When SNI was
// sent and Host names another server, nginx answers 421 only if that
// server has ssl_verify_client other than off; otherwise it serves the
// request with the certificate state the first server's handshake left
// ($ssl_client_verify SUCCESS against that server's CA, or FAILED: under
// its optional_no_ca). Without SNI there is no 421, but the Host-chosen
// server's own ssl_verify_client is checked against the handshake's
// result for every request (ngx_http_process_request): on needs a
// certificate that verified, optional refuses one that failed,
// optional_no_ca one that failed for a reason other than its issuer.
// Measured on nginx 1.22 (internal/e2e scenarios nginx-sni-host-*).

// handshakeStates are the certificate states a handshake under
// verification mode m lets complete.
func handshakeStates(m rules.VerifyMode) []rules.CertState {
	switch m {
	case rules.VerifyOff:
		return []rules.CertState{rules.CertNone}
	case rules.VerifyRequired:
		return []rules.CertState{rules.CertVerified}
	case rules.VerifyOptional:
		return []rules.CertState{rules.CertNone, rules.CertVerified}
	}
	return []rules.CertState{rules.CertNone, rules.CertVerified, rules.CertUntrusted}
}

// passesRecheck reports whether a request whose handshake left
// certificate state st passes the per-request check of a server whose own
// verification mode is m.
func passesRecheck(m rules.VerifyMode, st rules.CertState) bool {
	switch m {
	case rules.VerifyRequired:
		return st == rules.CertVerified
	case rules.VerifyOptional:
		return st != rules.CertUntrusted
	}
	return true
}

// crossServerClasses are the classes of route r that reach r's server
// through another server's handshake on the same address:port: with that
// server's name as SNI (when r's server verifies nothing itself, so no
// 421), or without SNI through the default server's handshake. own are
// the certificate states r's own handshake admits; a state already among
// them is added again only when it means something else here: a
// certificate verified against another CA. A server that refuses requests
// whose Host differs from the SNI (if ($ssl_server_name != $host)) has
// none: $ssl_server_name is empty without SNI too.
func (c *config) crossServerClasses(r *route, own []rules.CertState) []rules.RequestClass {
	sk, b := r.sock, r.server
	if sk == nil || !sk.tls || len(sk.servers) < 2 || sniChecked(b) {
		return nil
	}
	bMode, _ := verifyMode(b)
	bCA, _ := clientCA(b)
	host := firstName(b)
	if host == "its name" || host == "_" {
		host = "a name no other server has"
	}
	var out []rules.RequestClass
	add := func(a *server, sni string, st rules.CertState, where string) {
		if r.Gated && st != rules.CertVerified {
			return
		}
		aMode, vd := verifyMode(a)
		cl := rules.RequestClass{
			Transport: rules.TransportTLS,
			Cert:      st,
			Port:      r.Listener.Endpoint.Port,
			SNI:       sni,
			Host:      host,
			Path:      r.Path,
			Where:     []string{where},
			Range:     a.d.Head,
		}
		if vd != nil {
			cl.Range = vd.Written().Range
		}
		if aMode == rules.VerifyUnknown && st != rules.CertVerified {
			cl.Undecided = []string{"the client-certificate verification mode of " + blockDesc(a.d) + " admits it (it could not be decided)"}
		}
		cl.Witness.SNI, cl.Witness.Host = strings.TrimSuffix(sni, " or none"), firstName(b)
		if cl.Witness.SNI == "none" {
			cl.Witness.SNI = ""
		}
		out = append(out, cl)
	}
	def := sk.def
	if def != nil && def != b && rejectsHandshake(def) {
		def = nil // no handshake completes without a name a server has
	}
	for _, a := range sk.servers {
		if a == b {
			continue
		}
		aMode, avd := verifyMode(a)
		aCA, _ := clientCA(a)
		word := aMode.String()
		if avd != nil {
			word = avd.Arg(0) // nginx's own word: on, not required
		}
		handshake := fmt.Sprintf("the handshake under %s's ssl_verify_client %s", blockDesc(a.d), word)
		if aMode == rules.VerifyOff {
			handshake = fmt.Sprintf("the handshake under %s, which asks for no certificate", blockDesc(a.d))
		}
		named := firstName(a)
		if named == "its name" || named == "_" {
			named = ""
		}
		viaSNI := bMode == rules.VerifyOff && named != "" // else nginx answers 421
		viaDefault := a == def
		if !viaSNI && !viaDefault {
			continue
		}
		sni := named
		switch {
		case viaDefault && !viaSNI:
			sni = "none"
		case viaDefault:
			sni += " or none"
		}
		for _, st := range handshakeStates(aMode) {
			if !passesRecheck(bMode, st) {
				continue
			}
			where := handshake
			switch {
			case !slices.Contains(own, st):
			case st == rules.CertVerified && aCA != bCA:
				where = fmt.Sprintf("%s, a certificate verified against %s", handshake, orNone(aCA))
			default:
				continue
			}
			add(a, sni, st, where)
		}
	}
	return out
}
