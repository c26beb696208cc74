package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
)

// listFlag collects comma-separated values from repeated flags.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// parseInterspersed parses flags that may come after positional arguments
// (`mtlslint check . --format json`), as users of other linters expect.
// -h prints the command's usage and returns flag.ErrHelp; a flag that is
// unknown or malformed is one line on the flag set's output and a pointer
// to -h, not the whole usage.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	// The flag package prints the whole usage on any error: it is kept
	// for -h only.
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	defer func() { fs.SetOutput(out); fs.Usage = usage }()
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			fs.SetOutput(out)
			if errors.Is(err, flag.ErrHelp) {
				if usage != nil {
					usage()
				} else {
					fs.PrintDefaults()
				}
			} else {
				fmt.Fprintf(out, "mtlslint %s: %v\nRun 'mtlslint %s -h' for its flags.\n", fs.Name(), err, fs.Name())
			}
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// useCPUs makes --jobs N the number of CPUs the command uses, as other
// linters' -j and --concurrency do: N workers in each stage, and at most N
// threads running Go code, the collector's included (with only the
// workers limited, --jobs 1 still collected garbage on a second core).
// 0 keeps the runtime's default, every CPU the process may use. It
// returns what puts the previous setting back (commands also run inside
// tests).
func useCPUs(jobs int) (restore func()) {
	if jobs <= 0 {
		return func() {}
	}
	previous := runtime.GOMAXPROCS(jobs)
	return func() { runtime.GOMAXPROCS(previous) }
}
