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
// certificate verified against another CA. One class per certificate
// state and way in (SNI, or none), named after the first server that
// yields it, with the count of the others: a port with hundreds of
// servers gives a handful of classes, not one per pair. A server that
// refuses requests whose Host differs from the SNI (if ($ssl_server_name
// != $host)) has none: $ssl_server_name is empty without SNI too.
func (c *config) crossServerClasses(r *route, own []rules.CertState) []rules.RequestClass {
	sk, b := r.sock, r.server
	if sk == nil || !sk.tls || len(sk.servers) < 2 || sniChecked(b) {
		return nil
	}
	bMode, _ := verifyMode(b)
	bCA, _ := clientCA(b)
	def := sk.def
	if def != nil && def != b && rejectsHandshake(def) {
		def = nil // no handshake completes without a name a server has
	}
	// way is one way in for one certificate state: the first server whose
	// handshake gives it, and how many others do.
	type way struct {
		a       *server
		sni     string
		st      rules.CertState
		otherCA string // the CA a verified certificate was checked against, when not b's
		others  int
	}
	// One way per certificate state, SNI or none, and CA; ways keeps the
	// order of the servers.
	type wayKey struct {
		st      rules.CertState
		byName  bool
		otherCA string
	}
	var ways []*way
	index := map[wayKey]*way{}
	// Unless b's ssl_verify_client is off, nginx answers 421 to a request
	// whose SNI named another server, so only the default server's
	// handshake (no SNI) leads here: the other servers need no look, which
	// kept this loop from costing every route of a port every server of it.
	// When it is off, a server that asks for no certificate gives only
	// NONE, which b's own handshake gives too: only the servers that ask
	// need a look.
	var others []*server
	switch {
	case bMode == rules.VerifyOff:
		others = sk.requesting()
	case def != nil:
		others = []*server{def}
	}
	for _, a := range others {
		if a == b {
			continue
		}
		named := clientName(a)                            // "": no client can ask for it by name
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
		aMode, _ := verifyMode(a)
		for _, st := range handshakeStates(aMode) {
			if !passesRecheck(bMode, st) || r.Gated && st != rules.CertVerified {
				continue
			}
			otherCA := ""
			if slices.Contains(own, st) {
				aCA, _ := clientCA(a)
				if st != rules.CertVerified || aCA == bCA {
					continue
				}
				otherCA = orNone(aCA)
			}
			k := wayKey{st, sni != "none", otherCA}
			if w := index[k]; w != nil {
				w.others++
				if viaDefault && !strings.HasSuffix(w.sni, " or none") {
					w.sni += " or none" // the default server's handshake, without SNI, gives it too
				}
				continue
			}
			w := &way{a: a, sni: sni, st: st, otherCA: otherCA}
			index[k] = w
			ways = append(ways, w)
		}
	}
	host := clientName(b)
	if host == "" {
		host = "a name no other server has"
	}
	out := make([]rules.RequestClass, 0, len(ways))
	for _, w := range ways {
		aMode, vd := verifyMode(w.a)
		word := aMode.String()
		if vd != nil {
			word = vd.Arg(0) // nginx's own word: on, not required
		}
		where := fmt.Sprintf("the handshake under %s's ssl_verify_client %s", blockDesc(w.a.d), word)
		if aMode == rules.VerifyOff {
			where = fmt.Sprintf("the handshake under %s, which asks for no certificate", blockDesc(w.a.d))
		}
		if w.otherCA != "" {
			where += ", a certificate verified against " + w.otherCA
		}
		if w.others > 0 {
			where += fmt.Sprintf(" (or under %d other servers')", w.others)
		}
		cl := rules.RequestClass{
			Transport: rules.TransportTLS,
			Cert:      w.st,
			Port:      r.Listener.Endpoint.Port,
			SNI:       w.sni,
			Host:      host,
			Path:      r.Path,
			Where:     []string{where},
			Range:     w.a.d.Head(),
		}
		if vd != nil {
			cl.Range = vd.Written().Range()
		}
		if aMode == rules.VerifyUnknown && w.st != rules.CertVerified {
			cl.Undecided = []string{"the client-certificate verification mode of " + blockDesc(w.a.d) + " admits it (it could not be decided)"}
		}
		cl.Witness.SNI = strings.TrimSuffix(w.sni, " or none")
		if cl.Witness.SNI == "none" {
			cl.Witness.SNI = ""
		}
		if host != "a name no other server has" {
			cl.Witness.Host = host
		}
		out = append(out, cl)
	}
	return out
}

// clientName is the first of a server's names a client can send, "" when
// it has none ("_" and "" match no request).
func clientName(s *server) string {
	for _, n := range s.names {
		if n != "" && n != "_" {
			return n
		}
	}
	return ""
}

// requesting lists the socket's servers whose ssl_verify_client is not
// off, computed once for all the routes of the socket.
func (sk *socket) requesting() []*server {
	if !sk.requestingDone {
		for _, s := range sk.servers {
			if m, _ := verifyMode(s); m != rules.VerifyOff {
				sk.requestingList = append(sk.requestingList, s)
			}
		}
		sk.requestingDone = true
	}
	return sk.requestingList
}
