package gojsonschema

import "testing"

// The format checkers whose expressions are compiled on first use still
// accept and refuse what they did.
func TestLazyFormatExpressions(t *testing.T) {
	for _, c := range []struct {
		format, value string
		want          bool
	}{
		{"hostname", "api.example.com", true},
		{"hostname", "-bad.example", false},
		{"uri-template", "http://example.com/{id}", true},
		{"uri-template", "http://example.com/{id", false},
		{"uuid", "123e4567-e89b-12d3-a456-426614174000", true},
		{"uuid", "123e4567", false},
		{"json-pointer", "/a/b~1c", true},
		{"json-pointer", "a/b", false},
		{"relative-json-pointer", "0/a", true},
		{"relative-json-pointer", "/a", false},
	} {
		if got := FormatCheckers.IsFormat(c.format, c.value); got != c.want {
			t.Errorf("%s %q: %v, want %v", c.format, c.value, got, c.want)
		}
	}
}
