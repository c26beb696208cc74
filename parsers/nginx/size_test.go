package nginx

import (
	"testing"
	"unsafe"
)

// TestNodeSizes keeps the tree small: a large configuration holds hundreds
// of thousands of directives and arguments, and a field added to either
// is paid for each of them.
func TestNodeSizes(t *testing.T) {
	if n := unsafe.Sizeof(Directive{}); n > 120 {
		t.Errorf("a Directive is %d bytes, more than 120", n)
	}
	if n := unsafe.Sizeof(Arg{}); n > 48 {
		t.Errorf("an Arg is %d bytes, more than 48", n)
	}
	t.Logf("Directive %d bytes, Arg %d bytes", unsafe.Sizeof(Directive{}), unsafe.Sizeof(Arg{}))
}
