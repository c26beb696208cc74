package nginx

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// CABundle is N008, client-ca-public-bundle.
var CABundle = &rules.Rule{
	Code:     "N008",
	Name:     "client-ca-public-bundle",
	Severity: rules.Critical,
	CWE:      []string{"CWE-295"},
	Summary:  "Client certificates are verified against the operating system's public CA bundle.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresConfig,
	Doc: rules.Doc{
		What: "Finds `ssl_client_certificate` naming an operating-system trust bundle (`/etc/ssl/certs/ca-certificates.crt`, `/etc/pki/tls/certs/ca-bundle.crt`, " +
			"`/etc/ssl/cert.pem`, `tls-ca-bundle.pem`, `ca-root-nss.crt`, Python's certifi `cacert.pem`), and `ssl_trusted_certificate` naming one in a server that verifies client certificates. " +
			"A private CA file that merely lives under /etc/ssl/certs/ is not a bundle and is not reported.",
		Why: "Every certificate issued by any public CA — including one anybody can get for their own domain in a minute — verifies as `SUCCESS`. " +
			"Client verification then proves nothing about who the client is; HAProxy's documentation calls the equivalent `@system-ca` \"extremely insecure\".",
		Example:    "ssl_client_certificate /etc/ssl/certs/ca-certificates.crt;\nssl_verify_client on;",
		Fix:        "Point `ssl_client_certificate` at the private CA that issues your client certificates only, and pin the expected issuer or subject in the app.",
		References: []string{"https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_client_certificate", "https://docs.haproxy.org/2.6/configuration.html#5.1-ca-file"},
	},
	Check: checkCABundle,
}

var bundleNames = map[string]bool{
	"ca-certificates.crt": true, "ca-bundle.crt": true, "ca-bundle.trust.crt": true, "tls-ca-bundle.pem": true,
	"ca-root-nss.crt": true, "ca-bundle.pem": true,
}

var bundlePathRe = source.LazyRegexp(`^(/etc/ssl/cert\.pem|/etc/pki/tls/cert\.pem|/usr/lib/ssl/cert\.pem|/(usr/local|opt/homebrew)/etc/openssl[^/]*/cert\.pem)$|certifi/cacert\.pem$|^/usr/share/ca-certificates/`)

// isBundle reports whether a path names an operating-system trust bundle.
func isBundle(p string) bool {
	return bundleNames[path.Base(p)] || bundlePathRe().MatchString(p)
}

func checkCABundle(p *rules.Pass) {
	c := analyse(p)
	if c == nil {
		return
	}
	verifying := map[*nginx.Directive]bool{}
	for _, s := range c.servers {
		if m, _ := verifyMode(s); m != rules.VerifyOff {
			if d := effective(s.d, "ssl_trusted_certificate"); d != nil {
				verifying[d] = true
			}
		}
	}
	reported := map[rules.Key]bool{}
	c.tree.Walk(func(d *nginx.Directive) bool {
		if (d.Name != "ssl_client_certificate" && d.Name != "ssl_trusted_certificate") || !isBundle(d.Arg(0)) {
			return true
		}
		if d.Name == "ssl_trusted_certificate" && !verifying[d] {
			return true
		}
		k := atKey("N008", d, "")
		if reported[k] {
			return true
		}
		reported[k] = true
		p.Report(rules.Diagnostic{
			Range:    d.Written().Range(),
			Message:  fmt.Sprintf("%s is the operating system's public CA bundle", d.Name),
			Detail:   fmt.Sprintf("%s is a bundle of public CAs, so a client certificate from any public CA verifies as SUCCESS.", d.Arg(0)),
			FixTitle: "Point it at the private CA that issues your client certificates.",
			Key:      k,
		})
		return true
	})
}

// Revocation is N009, client-cert-no-revocation.
var Revocation = &rules.Rule{
	Code:     "N009",
	Name:     "client-cert-no-revocation",
	Severity: rules.Low,
	CWE:      []string{"CWE-299"},
	Summary:  "Client certificates are verified without ssl_crl or ssl_ocsp, so revoked certificates are accepted.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresConfig,
	Doc: rules.Doc{
		What:    "Finds client verification (`ssl_verify_client on`, `optional` or `optional_no_ca`) in a TLS server where neither `ssl_crl` nor `ssl_ocsp on|leaf` is in effect.",
		Why:     "A client certificate that was revoked — a lost laptop, a departed employee — keeps working until it expires.",
		Example: "ssl_client_certificate /etc/nginx/client-ca.pem;\nssl_verify_client on;",
		Fix: "Add `ssl_crl /etc/nginx/client-ca.crl;` (one file with the CRLs of every CA in the chain, refreshed before they expire), " +
			"or `ssl_ocsp on;` with a `resolver` (nginx 1.19.0 and later; not with optional_no_ca).",
		References: []string{"https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_crl", "https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_ocsp"},
	},
	Check: checkRevocation,
}

func checkRevocation(p *rules.Pass) {
	c := analyse(p)
	if c == nil {
		return
	}
	v, known := nginxVersion(p)
	for _, mode := range []rules.VerifyMode{rules.VerifyRequired, rules.VerifyOptional, rules.VerifyOptionalNoCA} {
		groups, order := c.byVerifyDirective(mode)
		for _, vd := range order {
			missing := false
			for _, s := range groups[vd] {
				ocsp := effective(s.d, "ssl_ocsp")
				if effective(s.d, "ssl_crl") == nil && (ocsp == nil || strings.EqualFold(ocsp.Arg(0), "off")) {
					missing = true
				}
			}
			if !missing {
				continue
			}
			how := "add ssl_crl with your CA's CRL, or ssl_ocsp on with a resolver"
			if mode == rules.VerifyOptionalNoCA {
				how = "add ssl_crl with your CA's CRL (ssl_ocsp does not work with optional_no_ca)"
			} else if known && v.less(version{1, 19, 0}) {
				how = fmt.Sprintf("add ssl_crl with your CA's CRL (ssl_ocsp needs nginx 1.19.0; this is %s)", v)
			}
			p.Report(rules.Diagnostic{
				Range:    vd.Range(),
				Message:  "client certificates are verified without a revocation check (no ssl_crl or ssl_ocsp)",
				Detail:   "A revoked certificate is still accepted until it expires.",
				FixTitle: rules.Sentence(how),
				Key:      atKey("N009", vd, ""),
			})
		}
	}
}

// WeakTLS is N010, weak-tls-client-auth.
var WeakTLS = &rules.Rule{
	Code:     "N010",
	Name:     "weak-tls-client-auth",
	Severity: rules.Medium,
	CWE:      []string{"CWE-327"},
	Summary:  "A server that verifies client certificates allows weak protocols or ciphers.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Requires: requiresConfig,
	Doc: rules.Doc{
		What: "For servers that verify client certificates: `ssl_protocols` with SSLv2, SSLv3, TLSv1 or TLSv1.1 (the value of the socket's default server is the one nginx applies); " +
			"`ssl_ciphers` that admit RC4, DES, 3DES, MD5, EXPORT, NULL or anonymous suites (no `!aNULL`), or lower `@SECLEVEL=0`; the deprecated `ssl on`. " +
			"No `ssl_protocols` at all is reported as low when the nginx version is below 1.23.4 or unknown, because those releases default to TLSv1 TLSv1.1 TLSv1.2.",
		Why: "Client authentication is only as strong as the channel: legacy protocols and ciphers allow downgrade and decryption attacks (POODLE, BEAST, Sweet32, RC4 biases). " +
			"With OpenSSL 3 (Debian 12) TLS 1.0/1.1 handshakes fail anyway unless the cipher string sets `@SECLEVEL=0`, but the configuration still asks for them " +
			"and becomes weak the day it runs on an older library or someone lowers the security level.",
		Example: "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\nssl_ciphers ALL:!aNULL;\nssl_verify_client on;",
		Fix:     "`ssl_protocols TLSv1.2 TLSv1.3;` in the default server of the socket, and the default `ssl_ciphers` (`HIGH:!aNULL:!MD5`) or a current Mozilla profile. Use `listen 443 ssl` instead of `ssl on`.",
		References: []string{
			"https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_protocols",
			"https://nginx.org/en/docs/http/configuring_https_servers.html",
			"https://ssl-config.mozilla.org/",
		},
	},
	Check: checkWeakTLS,
}

var weakProtocols = map[string]bool{"sslv2": true, "sslv3": true, "tlsv1": true, "tlsv1.1": true}

func checkWeakTLS(p *rules.Pass) {
	c := analyse(p)
	if c == nil {
		return
	}
	v, known := nginxVersion(p)
	reported := map[rules.Key]bool{}
	report := func(d rules.Diagnostic) {
		if !reported[d.Key] {
			reported[d.Key] = true
			p.Report(d)
		}
	}
	for _, s := range c.servers {
		if m, _ := verifyMode(s); m == rules.VerifyOff || !c.serverTLS(s) {
			continue
		}
		// Protocols: nginx applies the default server's value to the
		// whole socket.
		for _, l := range s.listens {
			sk := c.socketOf(l)
			if !sk.tls || sk.def == nil {
				continue
			}
			def := sk.def
			pd := effective(def.d, "ssl_protocols")
			if pd == nil {
				if known && !v.less(version{1, 23, 4}) {
					continue
				}
				ver := "the nginx version is unknown, so the worst case is assumed"
				if known {
					ver = "this is nginx " + v.String()
				}
				report(rules.Diagnostic{
					Range:    def.d.Head(),
					Severity: rules.Low,
					Message:  "this default server sets no ssl_protocols: nginx before 1.23.4 then allows TLSv1 and TLSv1.1",
					Detail: fmt.Sprintf("%s, the default server of %s, decides the protocols of every server on the socket, some of which verify client certificates; %s.",
						blockDesc(def.d), sk.key, ver),
					FixTitle: "Add ssl_protocols TLSv1.2 TLSv1.3.",
					Key:      rules.ServerKey("N010", def.id, "protocols-default"),
				})
				continue
			}
			var weak []string
			for _, a := range pd.Args {
				if weakProtocols[strings.ToLower(a.Value)] {
					weak = append(weak, a.Value)
				}
			}
			if len(weak) == 0 {
				continue
			}
			msg := fmt.Sprintf("ssl_protocols allows %s where clients authenticate with certificates", strings.Join(weak, ", "))
			detail := fmt.Sprintf("Clients authenticate with certificates on %s.", sk.key)
			if def != s {
				detail = fmt.Sprintf("These are the ssl_protocols of %s, the default server of %s, and they apply to %s too, which verifies client certificates.",
					blockDesc(def.d), sk.key, blockDesc(s.d))
			}
			if !hasSecLevel0(effective(def.d, "ssl_ciphers")) {
				detail += " With OpenSSL 3 these old protocols fail at handshake unless the ciphers set @SECLEVEL=0, but the configuration still asks for them."
			}
			report(rules.Diagnostic{Range: pd.Written().Range(), Message: msg, Detail: detail, FixTitle: "Use ssl_protocols TLSv1.2 TLSv1.3.", Key: atKey("N010", pd, "protocols")})
		}
		if cd := effective(s.d, "ssl_ciphers"); cd != nil {
			// nginx takes one argument; a cipher string broken by a
			// space is read whole here so its weak parts still show.
			if weak := weakCiphers(strings.Join(cd.ArgValues(), ":")); len(weak) > 0 {
				report(rules.Diagnostic{
					Range:    cd.Written().Range(),
					Message:  fmt.Sprintf("ssl_ciphers admits %s on a server that verifies client certificates", rules.Clip(strings.Join(weak, ", "), 50)),
					Detail:   fmt.Sprintf("The cipher list admits %s.", strings.Join(weak, ", ")),
					FixTitle: "Use the default HIGH:!aNULL:!MD5 or a current Mozilla profile.",
					Key:      atKey("N010", cd, "ciphers"),
				})
			}
		}
		if sd := effective(s.d, "ssl"); sd != nil && strings.EqualFold(sd.Arg(0), "on") {
			report(rules.Diagnostic{
				Range:    sd.Written().Range(),
				Message:  "ssl on is deprecated since nginx 1.15.0 and removed in 1.25.1",
				Detail:   "It applies TLS to every listen of the server.",
				FixTitle: "Remove it and write listen 443 ssl instead.",
				Key:      atKey("N010", sd, "ssl-on"),
			})
		}
	}
}

func hasSecLevel0(d *nginx.Directive) bool {
	return d != nil && strings.Contains(strings.ToUpper(d.Arg(0)), "@SECLEVEL=0")
}

// OpenSSL cipher-string aliases and the weak families they name.
var (
	specificWeak = map[string]string{
		"RC4": "RC4", "DES": "DES", "3DES": "3DES", "MD5": "MD5",
		"EXP": "EXPORT", "EXPORT": "EXPORT", "EXPORT40": "EXPORT", "EXPORT56": "EXPORT",
		"NULL": "NULL", "ENULL": "NULL", "ANULL": "aNULL", "ADH": "aNULL", "AECDH": "aNULL",
	}
	broadWeak = map[string][]string{
		"LOW":             {"LOW", "DES"},
		"MEDIUM":          {"3DES", "RC4"},
		"ALL":             {"RC4", "DES", "3DES", "MD5", "EXPORT", "LOW"},
		"COMPLEMENTOFALL": {"NULL"},
	}
	// anonAliases include anonymous suites; an intersection (A+B)
	// includes them only when every part does.
	anonAliases = map[string]bool{
		"HIGH": true, "MEDIUM": true, "LOW": true, "ALL": true, "AES": true, "AES128": true, "AES256": true, "AESGCM": true,
		"AESCCM": true, "CAMELLIA": true, "CAMELLIA128": true, "CAMELLIA256": true, "CHACHA20": true, "SHA": true, "SHA1": true,
		"SHA256": true, "SHA384": true, "KEDH": true, "KDHE": true, "KEECDH": true, "KECDHE": true, "ADH": true, "AECDH": true,
		"ANULL": true, "DH": true, "ECDH": true, "SEED": true, "IDEA": true, "3DES": true, "DES": true, "RC4": true, "TLSV1": true,
		"TLSV1.2": true, "SSLV3": true,
	}
	// suiteWords are the words of full suite names (ECDHE-RSA-DES-CBC3-SHA)
	// that mark a weak suite.
	suiteWords = map[string]string{"RC4": "RC4", "DES": "DES", "CBC3": "3DES", "MD5": "MD5", "NULL": "NULL", "EXP": "EXPORT", "ADH": "aNULL", "AECDH": "aNULL"}
)

// weakCiphers lists the weak families an OpenSSL cipher string admits.
func weakCiphers(spec string) []string {
	included := map[string]bool{}
	excluded := map[string]bool{}
	for _, tok := range strings.FieldsFunc(spec, func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
		up := strings.ToUpper(tok)
		switch {
		case strings.HasPrefix(up, "@"):
			if up == "@SECLEVEL=0" {
				included["@SECLEVEL=0"] = true
			}
			continue
		case strings.HasPrefix(up, "!") || strings.HasPrefix(up, "-"):
			name := up[1:]
			if f, ok := specificWeak[name]; ok && name != "ADH" && name != "AECDH" {
				excluded[f] = true
			}
			for _, f := range broadWeak[name] {
				excluded[f] = true
			}
			continue
		case strings.HasPrefix(up, "+"):
			continue // moves suites, adds none
		}
		parts := strings.Split(up, "+")
		allAnon := true
		for _, part := range parts {
			if !anonAliases[part] {
				allAnon = false
			}
			if f, ok := specificWeak[part]; ok {
				included[f] = true
			}
			if len(parts) == 1 {
				for _, f := range broadWeak[part] {
					included[f] = true
				}
			}
			if strings.Contains(part, "-") {
				words := strings.Split(part, "-")
				for i, w := range words {
					if w == "DES" && i+1 < len(words) && words[i+1] == "CBC3" {
						continue // DES-CBC3 is triple DES, counted as CBC3
					}
					if f, ok := suiteWords[w]; ok {
						included[f] = true
					}
				}
			}
		}
		if allAnon {
			included["aNULL"] = true
		}
	}
	var out []string
	for f := range included {
		if excluded[f] {
			continue
		}
		switch f {
		case "aNULL":
			out = append(out, "anonymous suites (no !aNULL)")
		default:
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// CertVar is N011, deprecated-ssl-client-cert.
var CertVar = &rules.Rule{
	Code:     "N011",
	Name:     "deprecated-ssl-client-cert",
	Severity: rules.Low,
	CWE:      []string{"CWE-477"},
	Summary:  "$ssl_client_cert is deprecated; its tab-folded PEM is rejected or mangled by strict HTTP parsers.",
	Scope:    rules.ScopeTree,
	Kinds:    kinds,
	Doc: rules.Doc{
		What: "Finds uses of the variable `$ssl_client_cert`.",
		Why: "`$ssl_client_cert` puts the PEM certificate into a header by folding its lines with a tab. Header folding is obsolete (RFC 7230): " +
			"strict servers reject the request and others join or cut the value, so the app may check a different certificate than the one nginx verified. " +
			"nginx deprecated the variable in 1.13.5 in favour of `$ssl_client_escaped_cert`.",
		Example: "proxy_set_header X-SSL-Client-Cert $ssl_client_cert;",
		Fix: "`proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;` and URL-decode the value in the app. The fix is marked unsafe because the value's format changes " +
			"(URL-encoded instead of tab-folded) and the app must decode it.",
		References: []string{"https://nginx.org/en/docs/http/ngx_http_ssl_module.html#var_ssl_client_cert"},
	},
	Check: checkCertVar,
}

var certVarRe = source.LazyRegexp(`\$(\{ssl_client_cert\}|ssl_client_cert\b)`)

func checkCertVar(p *rules.Pass) {
	t, ok := p.Tree.(*nginx.Tree)
	if !ok {
		return
	}
	v, known := nginxVersion(p)
	oldNginx := known && v.less(version{1, 13, 5})
	reported := map[rules.Key]bool{}
	t.Walk(func(d *nginx.Directive) bool {
		if d.Stock() != "" {
			return true
		}
		for i, a := range d.Args {
			// Every match contains the name: most arguments are passed
			// over without running the expression.
			if !strings.Contains(a.Raw, "ssl_client_cert") || !certVarRe().MatchString(a.Raw) {
				continue
			}
			k := atKey("N011", d, fmt.Sprintf("arg%d", i))
			if reported[k] {
				continue
			}
			reported[k] = true
			diag := rules.Diagnostic{
				Range:   a.Range(),
				Message: "$ssl_client_cert is deprecated: its tab-folded PEM is rejected or mangled by strict parsers",
				Detail:  "It folds the PEM with tabs, which strict HTTP parsers reject or mangle.",
				Key:     k,
			}
			if oldNginx {
				diag.FixTitle = fmt.Sprintf("Upgrade nginx (this is %s) to 1.13.5 or later and use $ssl_client_escaped_cert.", v)
			} else {
				newRaw := certVarRe().ReplaceAllStringFunc(a.Raw, func(m string) string {
					if strings.HasPrefix(m, "${") {
						return "${ssl_client_escaped_cert}"
					}
					return "$ssl_client_escaped_cert"
				})
				diag.Fixes = []rules.Fix{{Description: "Use $ssl_client_escaped_cert (URL-encoded: the app must decode it)", Safe: false,
					Edits: []rules.Edit{{Range: a.Range(), NewText: newRaw}}}}
			}
			p.Report(diag)
		}
		return true
	})
}
