package nginx

import (
	"regexp"
	"slices"
	"testing"
)

// variableRe is the expression variables reads without: its submatches are
// the oracle of the tests below.
var variableRe = regexp.MustCompile(`\$\{?([A-Za-z0-9_]+)\}?`)

func variablesByRegexp(v string) []string {
	var out []string
	for _, m := range variableRe.FindAllStringSubmatch(v, -1) {
		out = append(out, m[1])
	}
	return out
}

var variableValues = []string{
	"", "$", "$$", "${", "${}", "$}", "plain", "$host", "${host}", "${host", "$host}",
	"$ssl_client_s_dn$ssl_client_verify", "a$b-c${d}e$ f$", "$${x}", "${{x}}", "$é", "$a.$b_c9",
	"\"$http_x_forwarded_for, $remote_addr\"", "${ssl_client_escaped_cert}}",
}

func TestVariablesMatchesRegexp(t *testing.T) {
	for _, v := range variableValues {
		if got, want := variables(v), variablesByRegexp(v); !slices.Equal(got, want) {
			t.Errorf("variables(%q) = %q, want %q", v, got, want)
		}
	}
}

func FuzzVariables(f *testing.F) {
	for _, v := range variableValues {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := variables(v), variablesByRegexp(v); !slices.Equal(got, want) {
			t.Fatalf("variables(%q) = %q, want %q", v, got, want)
		}
	})
}
