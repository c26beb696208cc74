package apache

import (
	"strings"
	"testing"
)

// appendLower is strings.ToLower, non-ASCII names included.
func TestAppendLowerIsToLower(t *testing.T) {
	for _, s := range []string{"", "SSLVerifyClient", "virtualhost", "Header_2", "\u212aeepAlive", "Ünïcode", "\xff\xfeX"} {
		if got, want := string(appendLower([]byte("x"), s)), "x"+strings.ToLower(s); got != want {
			t.Errorf("appendLower(%q) = %q, want %q", s, got, want)
		}
	}
}
