package main

import (
	"runtime"
	"testing"
)

// TestUseCPUs: --jobs N sets GOMAXPROCS to N for the command and puts the
// previous value back after it; 0 leaves it alone.
func TestUseCPUs(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	want := before + 1 // differs from the current setting on any machine
	restore := useCPUs(want)
	if got := runtime.GOMAXPROCS(0); got != want {
		t.Errorf("with --jobs %d, GOMAXPROCS = %d", want, got)
	}
	restore()
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Errorf("after the command, GOMAXPROCS = %d, want %d", got, before)
	}
	useCPUs(0)()
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Errorf("--jobs 0 changed GOMAXPROCS to %d (was %d)", got, before)
	}
}
