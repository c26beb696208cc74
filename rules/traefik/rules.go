// Package traefik holds the Traefik rules (R codes) and turns Traefik
// configurations into routes of the deployment model (routes.go).
//
// Traefik has no Debian or npm package here to test against: every claim
// these rules make rests on Traefik's documentation and source, cited in
// each rule's References.
package traefik

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/traefik"
	"github.com/mtlslint/mtlslint/rules"
)

// Rules are the Traefik rules, in code order.
var Rules = []*rules.Rule{
	WeakClientAuth,
	ForwardedInsecure,
	UnderscoreHeaders,
}

var kinds = []string{parsers.KindTraefik, parsers.KindK8s}

// Upstream sources the rules cite.
const (
	refTLSOptions   = "traefik/traefik docs/content/reference/routing-configuration/http/tls/tls-options.md (Client Authentication: clientAuthType)"
	refTLSManager   = "traefik/traefik pkg/tls/tlsmanager.go (buildTLSConfig: caFiles without a type means RequireAndVerifyClientCert)"
	refGoTLS        = "Go crypto/tls ClientAuthType: a presented certificate is verified only from VerifyClientCertIfGiven on (https://pkg.go.dev/crypto/tls#ClientAuthType)"
	refPassTLS      = "traefik/traefik pkg/middlewares/passtlsclientcert/pass_tls_client_cert.go (ServeHTTP sets X-Forwarded-Tls-Client-Cert(-Info) only when req.TLS.PeerCertificates is not empty)"
	refForwarded    = "traefik/traefik pkg/middlewares/forwardedheaders/forwarded_header.go (ServeHTTP: unless insecure or a trusted IP, DeleteXForwardedHeaders removes the managed X-Forwarded-* headers, X-Forwarded-Tls-Client-Cert(-Info) included)"
	refEntryPoints  = "traefik/traefik docs/content/reference/install-configuration/entrypoints.md (forwardedHeaders.insecure, trustedIPs; http.underscoreHeadersStrategy)"
	refUnderscores  = "traefik/traefik docs/content/security/header-underscores.md"
	refMigrateV3    = "traefik/traefik docs/content/migrate/v3.md (UnderscoreHeadersStrategy: v3.6.22, v3.7.6; also in v2.11.51)"
	refStaticConfig = "traefik/traefik pkg/config/static/entrypoints.go (UnderscoreHeadersStrategy defaults to keep)"
)

// finding builds a diagnostic from a short message (what, where), its
// detail (why) and the fix in one line.
func finding(at source.Range, key rules.Key, msg, detail, fix string) rules.Diagnostic {
	return rules.Diagnostic{Range: at, Key: key, Message: msg, Detail: rules.Sentence(detail), FixTitle: rules.Sentence(fix)}
}

// WeakClientAuth: R001.
var WeakClientAuth = &rules.Rule{
	Code:     "R001",
	Name:     "tls-client-auth-weak",
	Severity: rules.High,
	CWE:      []string{"CWE-295", "CWE-287"},
	Summary:  "A TLS option accepts unverified or missing client certificates, or passTLSClientCert runs where none is requested.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresInstallations,
	Doc: rules.Doc{
		What: "Finds `tls.options.<name>.clientAuth.clientAuthType` set to `RequireAnyClientCert` or `RequestClientCert` (critical when a router " +
			"using the option forwards the certificate with `passTLSClientCert`, high otherwise), or `VerifyClientCertIfGiven` on a router that " +
			"forwards it (high); and `passTLSClientCert` on a router whose TLS options request no client certificate (high). " +
			"A router with `passTLSClientCert` that names TLS options no analysed file defines is reported at medium, saying that what the options request is undecided (they may be in a file that was not read).",
		Why: "Traefik's documentation: `RequireAnyClientCert` \"requires a certificate but does not verify if it is signed by a CA listed in " +
			"`clientAuth.caFiles`\"; `RequestClientCert` \"asks for a certificate but proceeds anyway if none is provided\", and Go's TLS stack " +
			"verifies a presented certificate only from `VerifyClientCertIfGiven` on, so with either a self-signed certificate with any subject " +
			"is accepted and `passTLSClientCert` forwards it as the client's identity. `VerifyClientCertIfGiven` lets clients without a certificate " +
			"through. Without a client certificate `passTLSClientCert` sets nothing at all.",
		Example:    "tls:\n  options:\n    mtls:\n      clientAuth:\n        caFiles: [/certs/client-ca.pem]\n        clientAuthType: RequireAnyClientCert",
		Fix:        "Use `clientAuthType: RequireAndVerifyClientCert` with `caFiles` (or `secretNames`) naming the client CA, on every router that forwards the certificate.",
		References: []string{refTLSOptions, refTLSManager, refGoTLS, refPassTLS},
	},
	Check: checkClientAuth,
}

func checkClientAuth(p *rules.Pass) {
	sc := scopeOf(p)
	if sc == nil {
		return
	}
	rs := sc.routes
	byOption := map[*traefik.TLSOption][]*route{}
	for _, r := range rs {
		if r.option != nil {
			byOption[r.option] = append(byOption[r.option], r)
		}
	}
	for _, d := range sc.dynamic {
		for _, o := range d.TLSOptions {
			if o.Range.File != sc.file {
				continue
			}
			var passing []*route
			for _, r := range byOption[o] {
				if r.pass != nil {
					passing = append(passing, r)
				}
			}
			at := verifyAnchor(o)
			typ := o.ClientAuth()
			switch {
			case typ == "RequireAnyClientCert" || typ == "RequestClientCert":
				d := finding(at, rules.VerifyKey(at), fmt.Sprintf("TLS option %s accepts client certificates without verifying them", rules.Clip(o.Name, 20)),
					fmt.Sprintf("clientAuthType %s does not check the certificate against any CA, so a self-signed certificate with any subject is accepted", typ),
					"use RequireAndVerifyClientCert with caFiles")
				if len(passing) > 0 {
					d.Severity = rules.Critical
					d.Message += ", and passTLSClientCert forwards them"
					d.Detail += fmt.Sprintf(" passTLSClientCert forwards it on %s.", passing[0].Desc)
				}
				p.Report(d)
			case typ == "VerifyClientCertIfGiven" && len(passing) > 0:
				p.Report(finding(at, rules.VerifyKey(at), fmt.Sprintf("TLS option %s lets clients without a certificate through", rules.Clip(o.Name, 40)),
					fmt.Sprintf("clientAuthType VerifyClientCertIfGiven makes the certificate optional, and %s forwards whatever passTLSClientCert finds", passing[0].Desc),
					"use RequireAndVerifyClientCert"))
			}
		}
	}
	// passTLSClientCert where no certificate is ever requested: reported
	// on the router of this file that uses it.
	seen := map[*traefik.Router]bool{}
	for _, r := range rs {
		if r.pass == nil || r.certPossible() || seen[r.router] || r.router.Range.File != sc.file {
			continue
		}
		seen[r.router] = true
		if r.missingOption != nil {
			// The options may be in a file that was not read: what they
			// request is not known, and the finding says so.
			d := finding(r.router.Range, rules.RouterKey("R001", r.ID), fmt.Sprintf("router %s uses passTLSClientCert with TLS options %s, which no analysed file defines", rules.Clip(r.router.Name, 40), rules.Clip(r.missingOption.Text(), 30)),
				fmt.Sprintf("undecided whether the options request client certificates on %s: they may be defined in a file that was not analysed; without a certificate passTLSClientCert sets nothing", r.Desc),
				"define the TLS options with clientAuthType RequireAndVerifyClientCert where mtlslint reads them")
			d.Severity = rules.Medium
			d.Related = []source.Related{{Range: r.missingOption.Line(), Message: "TLS options named here"}}
			p.Report(d)
			continue
		}
		why := "its TLS options request no client certificate"
		if !r.Listener.TLS {
			why = "it serves plain HTTP"
		}
		p.Report(finding(r.router.Range, rules.RouterKey("R001", r.ID), fmt.Sprintf("router %s passes client certificates that are never requested", rules.Clip(r.router.Name, 40)),
			fmt.Sprintf("it uses passTLSClientCert (middleware %s), but %s on %s, so the header is never set from a certificate", r.pass.Name, why, r.Desc),
			"require and verify client certificates on this router"))
	}
}

// ForwardedInsecure: R002.
var ForwardedInsecure = &rules.Rule{
	Code:     "R002",
	Name:     "forwarded-headers-insecure",
	Severity: rules.High,
	CWE:      []string{"CWE-290", "CWE-348"},
	Summary:  "An entry point trusts every client's X-Forwarded-* headers (forwardedHeaders.insecure or an all-addresses trustedIPs).",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresInstallations,
	Doc: rules.Doc{
		What: "Finds an entry point with `forwardedHeaders.insecure: true`, or `forwardedHeaders.trustedIPs` containing `0.0.0.0/0` or `::/0`, that " +
			"routes requests to a service. Critical when a router on it uses `passTLSClientCert`; high otherwise (the scheme, host and client " +
			"address headers).",
		Why: "Traefik removes the managed X-Forwarded-* headers, `X-Forwarded-Tls-Client-Cert` and its `-Info` twin included, only from clients " +
			"it does not trust. `passTLSClientCert` overwrites them only when the client presents a certificate and otherwise leaves the request " +
			"as it came: with the entry point trusting everyone, a client without a certificate sends its own `X-Forwarded-Tls-Client-Cert` and the " +
			"app takes it as a verified certificate. `X-Forwarded-Proto: https` over plain HTTP passes the same way.",
		Example:    "entryPoints:\n  websecure:\n    address: \":443\"\n    forwardedHeaders:\n      insecure: true",
		Fix:        "Remove `insecure` and list only the load balancers in front of Traefik in `trustedIPs`.",
		References: []string{refForwarded, refPassTLS, refEntryPoints},
	},
	Check: checkForwardedInsecure,
}

func checkForwardedInsecure(p *rules.Pass) {
	sc := scopeOf(p)
	if sc == nil || sc.static == nil {
		return
	}
	rs := sc.routes
	for _, ep := range sc.static.EntryPoints {
		var on, passing []*route
		for _, r := range rs {
			if r.ep == ep && r.trust != nil {
				on = append(on, r)
				if r.pass != nil && r.certPossible() {
					passing = append(passing, r)
				}
			}
		}
		if len(on) == 0 {
			continue
		}
		at := on[0].trust.Line()
		if len(passing) > 0 {
			d := finding(at, rules.RouteHeaderKey(passing[0].ID, certHeader), fmt.Sprintf("entry point %s keeps clients' X-Forwarded-Tls-Client-Cert", rules.Clip(ep.Name, 40)),
				fmt.Sprintf("forwardedHeaders trusts every client and passTLSClientCert sets the header only when a certificate is presented, so without one the client's own copy reaches %s (%s)", passing[0].Upstream.Name, passing[0].Desc),
				"remove insecure and trust only your load balancers")
			d.Severity = rules.Critical
			p.Report(d)
			continue
		}
		// Keyed like the cross-file finding about the scheme header on the
		// same route, which replaces it when the app trusts that header.
		p.Report(finding(at, rules.RouteHeaderKey(on[0].ID, "x-forwarded-proto"), fmt.Sprintf("entry point %s trusts every client's X-Forwarded-* headers", rules.Clip(ep.Name, 40)),
			fmt.Sprintf("a client's own X-Forwarded-Proto, -Host and -For reach %s (%s)", on[0].Upstream.Name, on[0].Desc),
			"remove insecure and trust only your load balancers"))
	}
}

// UnderscoreHeaders: R003.
var UnderscoreHeaders = &rules.Rule{
	Code:     "R003",
	Name:     "underscore-headers-kept",
	Severity: rules.High,
	CWE:      []string{"CWE-436", "CWE-290"},
	Summary:  "An entry point keeps client headers with underscores where routers set identity headers.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresInstallations,
	Doc: rules.Doc{
		What: "Finds an entry point whose `http.underscoreHeadersStrategy` is `keep` (the default) that serves a router setting an identity header " +
			"(`passTLSClientCert`, or a `headers.customRequestHeaders` entry for an X-SSL-*/X-Client-*-style header). When only the clients of a " +
			"partial `forwardedHeaders.trustedIPs` keep the underscore spelling (that of `X-Forwarded-Tls-Client-Cert` and its `-Info`, which " +
			"`passTLSClientCert` sets from a presented certificate), the finding is medium and says so: which clients connect from those addresses " +
			"is not in the repository. With the app in the repository, X005 judges what the joined header does to the app's check and replaces this finding.",
		Why: "Traefik's documentation (Headers with Underscores): a middleware that manages a header in its dash form \"does not see, and therefore " +
			"cannot overwrite or remove, an underscore variant\", and CGI/WSGI backends map both to the same variable. gunicorn before 22.0 joins " +
			"`X_SSL_Client_DN` from the client with the header Traefik sets. The forwarded-headers middleware removes the underscore variants of the " +
			"X-Forwarded-* headers it manages (since v2.11.43 and v3.6.14) from the clients it does not trust, not of headers set by other middlewares; " +
			"a client from `forwardedHeaders.trustedIPs` keeps them as it keeps their dash forms. Releases before v2.11.51, v3.6.22 " +
			"and v3.7.6 have no option and always keep such headers.",
		Example:    "entryPoints:\n  websecure:\n    address: \":443\"   # no http.underscoreHeadersStrategy",
		Fix:        "Set `entryPoints.<name>.http.underscoreHeadersStrategy: delete` (or `reject`), and run an app server that drops such headers (gunicorn ≥ 22.0).",
		References: []string{refUnderscores, refMigrateV3, refStaticConfig, refEntryPoints},
	},
	Check: checkUnderscores,
}

func checkUnderscores(p *rules.Pass) {
	sc := scopeOf(p)
	if sc == nil || sc.static == nil {
		return
	}
	rs := sc.routes
	for _, ep := range sc.static.EntryPoints {
		// kept: twins every client's copy of passes; fromRange: twins
		// only a client from a partial trustedIPs keeps (the
		// forwarded-headers middleware removes the others' copies).
		var kept, fromRange underscoreTwins
		for _, r := range rs {
			if r.ep != ep || !r.AdmitsUnderscore {
				continue
			}
			for h, t := range r.Headers {
				// passTLSClientCert sets its headers only for a client with
				// a certificate: that client's underscore copy joins them.
				if !rules.IsIdentityHeader(h) || !t.SetsWithCert() || t.Action == rules.Blanked || !r.AdmitsUnderscoreOf(h) {
					continue
				}
				if r.UnderscoreKept != nil && slices.Contains(managedHeaders, h) {
					fromRange.add(r, h)
				} else {
					kept.add(r, h)
				}
			}
		}
		switch {
		case kept.first != nil:
			at := kept.first.UnderscoreRange
			p.Report(finding(at, rules.UnderscoreKey(at), fmt.Sprintf("entry point %s keeps headers with underscores", rules.Clip(ep.Name, 40)),
				fmt.Sprintf("underscoreHeadersStrategy is keep, so a client's %s reaches %s beside the header Traefik sets", strings.Join(kept.names, ", "), kept.first.Upstream.Name),
				"set underscoreHeadersStrategy to delete or reject"))
		case fromRange.first != nil:
			// A client with a certificate gets its dash-spelled copy
			// overwritten by passTLSClientCert, but not its underscore
			// one. Who sends from the range is not in the repository:
			// medium, saying so. With the app in the repository, X005
			// judges the same key class by class and replaces this.
			r := fromRange.first
			d := finding(r.UnderscoreRange, rules.UnderscoreKey(r.UnderscoreRange),
				fmt.Sprintf("entry point %s keeps clients' %s from %s", rules.Clip(ep.Name, 40), rules.Clip(fromRange.names[0], 35), rules.Clip(r.trustedIPs.text, 40)),
				fmt.Sprintf("With underscoreHeadersStrategy keep and forwardedHeaders.trustedIPs (%s, line %d) trusting those addresses, a client from there sends %s, which reaches %s beside the header passTLSClientCert sets from its certificate; app servers such as gunicorn before 22.0 read both as one header. Undecided: which clients connect from that range",
					r.trustedIPs.text, r.trustedIPs.at.Start.Line, strings.Join(fromRange.names, ", "), r.Upstream.Name),
				"set underscoreHeadersStrategy to delete or reject")
			d.Severity = rules.Medium
			p.Report(d)
		}
	}
}

// underscoreTwins collects the underscore spellings of the headers an
// entry point's routes set, and the first route that sets one.
type underscoreTwins struct {
	first *route
	names []string
}

func (u *underscoreTwins) add(r *route, h string) {
	if u.first == nil {
		u.first = r
	}
	if tw := rules.UnderscoreTwin(h); !contains(u.names, tw) {
		u.names = append(u.names, tw)
		sort.Strings(u.names) // the headers come from a map
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
