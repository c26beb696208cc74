package main

import (
	"os"
	"runtime"
	"runtime/debug"
)

// firstCollection is the heap size at which a run first collects garbage.
// The runtime's default is 4 MiB, after which the heap goal doubles with
// the live heap: linting a repository of a few hundred files allocates
// 20-30 MiB, mostly still live until the report is written, and went
// through several collections (a fifth of its CPU time) without lowering
// its peak memory. Below this size a run does not collect at all; once it
// reaches it, collection proceeds as the runtime's default does.
const firstCollection = 48 << 20

// deferFirstCollection makes the first garbage collection wait until the
// heap reaches firstCollection, unless GOGC or GOMEMLIMIT say otherwise.
//
// It raises GOGC until the first collection has run rather than setting a
// memory limit: the runtime's minimum heap goal scales with GOGC (4 MiB at
// 100), so 1200 puts the first goal at 48 MiB. A memory limit of the same
// size started the first collection too, but when the live heap still
// filled the limit a second collection followed at once (corpus/haproxy:
// two collections where one does).
func deferFirstCollection() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	percent := debug.SetGCPercent(firstCollection / minimumHeapGoal * 100)
	// Once the first collection has run, the runtime's pacing is back.
	// The sentinel is 64 bytes: a smaller object without pointers may
	// share its block with others (the tiny allocator), and its cleanup
	// wait until they are all unreachable.
	sentinel := new(struct{ _ [64]byte })
	runtime.AddCleanup(sentinel, func(int) {
		debug.SetGCPercent(percent)
	}, 0)
}

// minimumHeapGoal is the runtime's smallest heap goal at GOGC=100
// (defaultHeapMinimum in runtime/mgcpacer.go).
const minimumHeapGoal = 4 << 20
