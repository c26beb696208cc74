package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// gcSettings reads GOGC and the memory limit without setting them (the
// cleanup that restores them may run meanwhile).
func gcSettings() (percent int, limit int64) {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(s)
	// (int64 turns the metric's "off", the largest uint64, into -1)
	return int(int64(s[0].Value.Uint64())), int64(s[1].Value.Uint64())
}

// The first collection waits for firstCollection bytes; after it the
// runtime's settings are back.
func TestDeferFirstCollection(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before, beforeLimit := gcSettings()
	defer debug.SetGCPercent(before)
	defer debug.SetMemoryLimit(beforeLimit)
	if before < 0 || beforeLimit != math.MaxInt64 {
		t.Skipf("the test process runs with GOGC=%d, memory limit %d", before, beforeLimit)
	}

	deferFirstCollection()
	if p, l := gcSettings(); p != firstCollection/minimumHeapGoal*100 || l != beforeLimit {
		t.Fatalf("before the first collection: GOGC %d, limit %d; want %d and %d", p, l, firstCollection/minimumHeapGoal*100, beforeLimit)
	}
	goal := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(goal)
	if g := goal[0].Value.Uint64(); g < firstCollection {
		t.Fatalf("before the first collection: heap goal %d bytes, want at least %d", g, firstCollection)
	}
	runtime.GC()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, l := gcSettings()
		if p == before && l == beforeLimit {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the first collection: GOGC %d, limit %d; want %d and %d", p, l, before, beforeLimit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
