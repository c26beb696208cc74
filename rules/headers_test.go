package rules

import "testing"

func TestHeaderNames(t *testing.T) {
	for _, c := range []struct{ in, meta, dash, display string }{
		{"X-SSL-Client-Verify", "HTTP_X_SSL_CLIENT_VERIFY", "x-ssl-client-verify", "X-SSL-Client-Verify"},
		{"HTTP_X_SSL_CLIENT_DN", "HTTP_X_SSL_CLIENT_DN", "x-ssl-client-dn", "X-SSL-Client-DN"},
		{"x-amzn-mtls-clientcert-subject", "HTTP_X_AMZN_MTLS_CLIENTCERT_SUBJECT", "x-amzn-mtls-clientcert-subject", "X-Amzn-Mtls-Clientcert-Subject"},
		{"X_Forwarded_Proto", "HTTP_X_FORWARDED_PROTO", "x-forwarded-proto", "X-Forwarded-Proto"},
	} {
		if got := MetaName(c.in); got != c.meta {
			t.Errorf("MetaName(%q) = %q, want %q", c.in, got, c.meta)
		}
		if got := HeaderName(c.in); got != c.dash {
			t.Errorf("HeaderName(%q) = %q, want %q", c.in, got, c.dash)
		}
		if got := DisplayHeader(c.in); got != c.display {
			t.Errorf("DisplayHeader(%q) = %q, want %q", c.in, got, c.display)
		}
	}
	if !IsIdentityHeader("HTTP_SSL_CLIENT_SUBJECT_DN") || !IsIdentityHeader("Remote-User") || IsIdentityHeader("X-Request-Id") {
		t.Error("IsIdentityHeader misclassifies")
	}
	if !IsSchemeHeader("X-Forwarded-Proto") || IsSchemeHeader("X-SSL-Client-Verify") {
		t.Error("IsSchemeHeader misclassifies")
	}
}

func TestUnderscoreTwin(t *testing.T) {
	for in, want := range map[string]string{
		"x-ssl-client-dn":        "X_SSL_Client_DN",
		"HTTP_X_FORWARDED_PROTO": "X_Forwarded_Proto",
		"X-SSL-Client-Verify":    "X_SSL_Client_Verify",
	} {
		if got := UnderscoreTwin(in); got != want {
			t.Errorf("UnderscoreTwin(%q) = %q, want %q", in, got, want)
		}
	}
}
