package django

import (
	"testing"

	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
)

func TestTrustedHostWildcards(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // the findings' messages, in order
	}{
		{"add_middleware with '*'", "app.add_middleware(TrustedHostMiddleware, allowed_hosts=['a.example.com', '*'])\n",
			[]string{"TrustedHostMiddleware allowed_hosts contains '*': any Host header is accepted."}},
		{"Middleware() without allowed_hosts", "mw = [Middleware(TrustedHostMiddleware)]\n",
			[]string{"TrustedHostMiddleware without allowed_hosts (default ['*']): any Host header is accepted."}},
		{"wrapping with allowed_hosts=None", "app = TrustedHostMiddleware(app, None)\n",
			[]string{"TrustedHostMiddleware without allowed_hosts (default ['*']): any Host header is accepted."}},
		{"wrapping with '*' positionally", "app = TrustedHostMiddleware(app, ('*',))\n",
			[]string{"TrustedHostMiddleware allowed_hosts contains '*': any Host header is accepted."}},
		{"a subdomain pattern is not every host", "app.add_middleware(TrustedHostMiddleware, allowed_hosts=['*.example.com'])\n", nil},
		{"an explicit list", "app.add_middleware(middleware.TrustedHostMiddleware, allowed_hosts=['app.example.com'])\n", nil},
		{"another middleware", "app.add_middleware(GZipMiddleware)\n", nil},
		{"a list that is not a literal", "app.add_middleware(TrustedHostMiddleware, allowed_hosts=HOSTS)\n", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := python.Parse(source.NewFile("app/main.py", []byte(c.src)))
			got := trustedHostWildcards(&python.Tree{Module: m, Role: python.RoleApp})
			if len(got) != len(c.want) {
				t.Fatalf("got %d findings %v, want %d", len(got), got, len(c.want))
			}
			for i, d := range got {
				if d.Message != c.want[i] {
					t.Errorf("message %q, want %q", d.Message, c.want[i])
				}
				if !d.Range.IsValid() {
					t.Errorf("finding without a range: %+v", d)
				}
			}
		})
	}
}
