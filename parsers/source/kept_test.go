package source

import "testing"

// Kept hands an entry back only for the same path and the very same
// content, once; an empty content is never kept.
func TestKeptTakesOnceForTheSameContent(t *testing.T) {
	var k Kept[int]
	content := []byte("x = 1\n")
	k.Keep("a.py", content, 7)
	if _, ok := k.Take("b.py", content); ok {
		t.Errorf("another path took the entry")
	}
	if _, ok := k.Take("a.py", append([]byte(nil), content...)); ok {
		t.Errorf("a copy of the content took the entry")
	}
	if v, ok := k.Take("a.py", content); !ok || v != 7 {
		t.Errorf("Take = %d, %v; want 7, true", v, ok)
	}
	if _, ok := k.Take("a.py", content); ok || k.Len() != 0 {
		t.Errorf("the entry is still kept after it was taken")
	}
	k.Keep("empty.py", nil, 1)
	if k.Len() != 0 {
		t.Errorf("an empty file was kept")
	}
}
