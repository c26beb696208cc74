package main

import (
	"bytes"
	"io"
	"os"
	"runtime/debug"
	"testing"
)

// TestMain lets the test binary stand in for mtlslint when audit starts
// it as a worker (audit re-executes its own binary, which in a test is
// this one).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == auditWorkerCommand {
		in := io.Reader(os.Stdin)
		if marker := os.Getenv(crashMarkerEnv); marker != "" {
			job, _ := io.ReadAll(os.Stdin)
			if bytes.Contains(job, []byte(marker)) {
				crash()
			}
			in = bytes.NewReader(job)
		}
		os.Exit(run(os.Args[1:], in, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// crashMarkerEnv names a string that makes a test worker die of a real
// stack overflow (which recover() cannot catch) when its job names a
// repository whose path contains it: the audit must survive a worker
// that dies, whatever kills it.
const crashMarkerEnv = "MTLSLINT_TEST_CRASH_MARKER"

func crash() {
	debug.SetMaxStack(1 << 20) // die early, before memory limits apply
	var recurse func(n int) int
	recurse = func(n int) int {
		var pad [512]byte
		pad[n%len(pad)] = byte(n)
		return recurse(n+1) + int(pad[0])
	}
	recurse(0)
}
