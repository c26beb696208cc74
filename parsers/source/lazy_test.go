package source

import "testing"

func TestLazyRegexp(t *testing.T) {
	re := LazyRegexp(`^a+$`)
	if first, second := re(), re(); first != second {
		t.Error("two calls compiled twice")
	}
	if !re().MatchString("aaa") || re().MatchString("ab") {
		t.Error("the compiled expression does not match as written")
	}
	bad := LazyRegexp(`(`)
	defer func() {
		if recover() == nil {
			t.Error("an expression that does not compile did not panic on first use")
		}
	}()
	bad()
}
