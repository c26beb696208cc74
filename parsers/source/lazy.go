package source

import (
	"regexp"
	"sync"
)

// LazyRegexp returns a function that compiles expr on its first call and
// returns the same *regexp.Regexp to every call. A package-level
// regexp.MustCompile runs when the program starts, whichever command
// runs: tens of them cost every `mtlslint version` and every check a
// measurable part of its start-up. Like MustCompile, it panics (on first
// use) when expr does not compile.
func LazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
