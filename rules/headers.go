package rules

import (
	"sort"
	"strings"
)

// MetaName returns the name under which a WSGI app sees a request header in
// its environ (Django's request.META): "HTTP_" + upper case with "-" → "_".
// A name already in that form is returned unchanged.
func MetaName(header string) string {
	h := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(header), "-", "_"))
	if strings.HasPrefix(h, "HTTP_") || h == "CONTENT_TYPE" || h == "CONTENT_LENGTH" {
		return h
	}
	return "HTTP_" + h
}

// HeaderName returns the dash form of a header name ("x-ssl-client-verify")
// from either a header name or a META name.
func HeaderName(name string) string {
	h := strings.TrimSpace(name)
	if len(h) >= 5 && strings.EqualFold(h[:5], "HTTP_") {
		h = h[5:]
	}
	return strings.ToLower(strings.ReplaceAll(h, "_", "-"))
}

// identityPrefixes are header-name prefixes (dash form, lower case) that
// carry who the client is: client-certificate results and identities set by
// a proxy.
var identityPrefixes = []string{
	"x-ssl-", "ssl-client-", "x-client-", "x-tls-client-", "x-mtls-",
	"x-forwarded-client-cert", "x-forwarded-tls-client-cert", "x-amzn-mtls-",
	"x-arr-clientcert", "x-client-cert", "x-ssl",
}

var identityNames = map[string]bool{
	"remote-user": true, "x-remote-user": true, "x-forwarded-user": true,
	"x-auth-user": true, "x-authenticated-user": true, "x-user-dn": true,
	"x-client-dn": true, "x-client-verify": true, "x-forwarded-email": true,
}

// schemeNames are headers that tell the app the scheme, host or port the
// client used.
var schemeNames = map[string]bool{
	"x-forwarded-proto": true, "x-forwarded-protocol": true, "x-forwarded-ssl": true,
	"x-forwarded-scheme": true, "x-scheme": true, "x-url-scheme": true,
	"front-end-https": true, "x-forwarded-host": true, "x-forwarded-port": true,
	"forwarded": true,
}

// IsIdentityHeader reports whether a header (any spelling, META form too)
// carries the client's identity or client-certificate state.
func IsIdentityHeader(name string) bool {
	h := HeaderName(name)
	if identityNames[h] {
		return true
	}
	for _, p := range identityPrefixes {
		if strings.HasPrefix(h, p) {
			return true
		}
	}
	return false
}

// HeaderFamily is the prefix a header shares with its siblings, in the
// spelling given: "X-SSL-" for X-SSL-Client-DN; "" for a name of fewer
// than three words.
func HeaderFamily(h string) string {
	parts := strings.SplitN(h, "-", 3)
	if len(parts) < 3 {
		return ""
	}
	return parts[0] + "-" + parts[1] + "-"
}

// IsSchemeHeader reports whether a header tells the app the client's
// scheme, host or port.
func IsSchemeHeader(name string) bool { return schemeNames[HeaderName(name)] }

// SchemeHeaders lists the scheme headers (dash form, sorted): what a rule
// that proves no app decides on them withdraws findings about.
func SchemeHeaders() []string {
	out := make([]string, 0, len(schemeNames))
	for h := range schemeNames {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// HeaderValue is a header (dash form, lower case) with a value.
type HeaderValue struct{ Name, Value string }

// GunicornSchemeHeaders are gunicorn's default secure_scheme_headers, in
// the order its documentation lists them, each with the value that makes
// a request secure: what gunicorn honours from the peers
// forwarded_allow_ips admits unless secure_scheme_headers is set.
// (https://docs.gunicorn.org/en/stable/settings.html#secure-scheme-headers)
var GunicornSchemeHeaders = []HeaderValue{{"x-forwarded-protocol", "ssl"}, {"x-forwarded-proto", "https"}, {"x-forwarded-ssl", "on"}}

// IsTrustedHeader reports whether a proxy must overwrite the header because
// apps commonly trust it: identity and scheme headers.
func IsTrustedHeader(name string) bool { return IsIdentityHeader(name) || IsSchemeHeader(name) }

// UnderscoreTwin writes the underscore spelling of a header name
// ("X_SSL_Client_DN"): the copy a client sends past a proxy that
// overwrites only the dash name, which servers that map "_" like "-" read
// as the same header.
func UnderscoreTwin(name string) string {
	return strings.ReplaceAll(DisplayHeader(name), "-", "_")
}

// DisplayHeader writes a header name (any spelling) the way documentation
// and configurations usually do: "X-SSL-Client-DN", "X-Forwarded-Proto",
// "X-Amzn-Mtls-Clientcert".
func DisplayHeader(name string) string {
	parts := strings.Split(HeaderName(name), "-")
	for i, p := range parts {
		switch {
		case p == "ssl" || p == "dn":
			parts[i] = strings.ToUpper(p)
		case p != "":
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}
