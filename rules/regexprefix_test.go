package rules

import "testing"

func TestRegexLiteralPrefix(t *testing.T) {
	for re, want := range map[string]string{
		"^/admin/reports/": "/admin/reports/",
		"^/admin/(.*)$":    "/admin/",
		"^/admin/?reports": "/admin",
		"^/admin/*x":       "/admin",
		"^/admin/{0,1}x":   "/admin",
		"^/admin/+x":       "/admin/",
		"^/api\\.v1":       "/api",
		"^?x":              "",
		"/static/":         "/static/",
		"^/a|^/b":          "",
		"^/(a|b)":          "/",
		"^/admin/x|^/pub":  "",
	} {
		if got := RegexLiteralPrefix(re); got != want {
			t.Errorf("RegexLiteralPrefix(%q) = %q, want %q", re, got, want)
		}
	}
}
