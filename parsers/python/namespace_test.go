package python

import (
	"strings"
	"testing"
)

// TestBranchesMerge checks what names and values the top-level branches
// leave: names first bound in a branch follow the names bound before, in
// the order of the branches; a name bound again after its deletion keeps
// its earlier place and is listed once.
func TestBranchesMerge(t *testing.T) {
	cases := []struct{ src, want string }{
		{"A = 1\nif x:\n    B = 2\n    A = 3\nelse:\n    C = 4\n",
			"A=3 or 1; B=2 or <unset>; C=<unset> or 4"},
		{"A = 1\ntry:\n    D = 1\n    import os\nexcept ImportError:\n    E = 2\n    D = 2\nexcept Exception:\n    pass\nelse:\n    F = 3\n",
			"A=1; D=1 or 2 or <unset>; os=? or <unset>; F=3 or <unset>; E=<unset> or 2"},
		{"A = 1\nB = 2\ndel A\nif x:\n    C = 1\n    A = 2\nelse:\n    D = 1\n    del B\n",
			"A=2 or <unset>; B=2 or <unset>; C=1 or <unset>; D=<unset> or 1"},
		{"A = 1\nB = 2\ndel A\nA = 3\n", "A=3; B=2"},
		{"A = 1\nif x:\n    del A\n    A = 2\n", "A=2 or 1"},
		{"A = 1\ndel A\nif x:\n    A = 2\n    del A\n    A = 3\n", "A=3 or <unset>"},
		{"A = 1\nif x:\n    if y:\n        B = 1\n    else:\n        A = 2\n    del A\nelse:\n    B = 3\n",
			"A=<unset> or 1; B=1 or <unset> or 3"},
		{"if x:\n    del A\nelse:\n    del A\nA = 1\nif y:\n    del A\nelse:\n    del A\n", ""},
		{"A = 1\ntry:\n    del A\nexcept KeyError:\n    del A\nB = 2\n", "B=2"},
		{"match v:\n    case 1:\n        M = 1\n    case [a, b]:\n        M = 2\n", "M=<unset> or 1 or 2; a=<unset> or <unknown>; b=<unset> or <unknown>"},
	}
	for _, c := range cases {
		ns := evalSrc(t, c.src)
		var got []string
		for _, n := range ns.Names() {
			got = append(got, n+"="+ns.Get(n).Value.String())
		}
		if g := strings.Join(got, "; "); g != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.src, g, c.want)
		}
	}
}
