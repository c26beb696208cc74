package haproxy

import (
	"reflect"
	"runtime"
	"testing"
	"time"

	hap "github.com/mtlslint/mtlslint/parsers/haproxy"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// emitted is what routes send under every header they name, on each of
// their classes.
func emitted(rs []*rules.Route) map[string][]rules.Delivery {
	out := map[string][]rules.Delivery{}
	for _, r := range rs {
		for _, c := range r.Classes {
			for h := range r.Headers {
				d, _ := r.Emit(c, h)
				out[r.ID+" "+h] = append(out[r.ID+" "+h], d)
			}
		}
	}
	return out
}

// TestRoutesKeepNoTree checks that the routes of a released configuration
// keep nothing of its tree reachable: every section (which its lines,
// proxies and rules point to) is collected while the routes live, and the
// routes emit the same after as before.
func TestRoutesKeepNoTree(t *testing.T) {
	pf, probs := hap.ParseFile(source.NewFile("haproxy.cfg", []byte(routeConfig)))
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	c := hap.Build([]*hap.File{pf})
	rs := rules.BuildRoutes(Routes, c)
	before := emitted(rs)
	if len(before) == 0 {
		t.Fatal("no emission to compare")
	}
	collected := make(chan string, len(pf.Sections))
	for _, s := range pf.Sections {
		runtime.AddCleanup(s, func(name string) { collected <- name }, s.Kind+" "+s.Name)
	}
	left := len(pf.Sections)
	pf = nil
	c.Release()
	if !c.Released() || len(c.Files()) != 1 || c.Root().Path != "haproxy.cfg" {
		t.Fatalf("a released configuration must keep its files: %v", c.Files())
	}
	for deadline := time.Now().Add(10 * time.Second); left > 0; {
		runtime.GC()
		select {
		case <-collected:
			left--
		case <-time.After(20 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatalf("%d sections of the released configuration are still reachable", left)
			}
		}
	}
	if after := emitted(rs); !reflect.DeepEqual(before, after) {
		t.Errorf("the routes emit differently once the configuration is released")
	}
	runtime.KeepAlive(rs)
	runtime.KeepAlive(c)
}
