package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"testing"

	"github.com/mtlslint/mtlslint/internal/audit"
)

// TestMain lets the test binary stand in for mtlslint when audit starts
// it as a worker (audit re-executes its own binary, which in a test is
// this one).
//
// A process started as a worker that was not asked for the worker command
// stops at once: running the suite again there would start audits, and
// their workers, again.
func TestMain(m *testing.M) {
	worker := len(os.Args) > 1 && os.Args[1] == auditWorkerCommand
	if os.Getenv(audit.WorkerEnv) != "" && !worker {
		fmt.Fprintf(os.Stderr, "started as an audit worker with %q: not running the tests\n", os.Args[1:])
		os.Exit(2)
	}
	if worker {
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
