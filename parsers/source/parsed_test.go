package source

import "testing"

func TestParsedTakesOnlyTheSameContent(t *testing.T) {
	var p Parsed[string]
	content := []byte("a b\n")
	p.Keep("x.conf", content, "parse")
	if _, ok := p.Take("x.conf", append([]byte(nil), content...)); ok {
		t.Error("equal bytes in another buffer (an edited file) took the kept parse")
	}
	if _, ok := p.Take("y.conf", content); ok {
		t.Error("another path took the kept parse")
	}
	if v, ok := p.Take("x.conf", content); !ok || v != "parse" {
		t.Errorf("Take = %q, %v; want the kept parse", v, ok)
	}
	if _, ok := p.Take("x.conf", content); ok {
		t.Error("a parse was taken twice")
	}
	p.Keep("empty.conf", nil, "nothing")
	if _, ok := p.Take("empty.conf", nil); ok {
		t.Error("empty content has no identity and is never kept")
	}
}
