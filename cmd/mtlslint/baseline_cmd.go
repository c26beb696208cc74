package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/mtlslint/mtlslint/internal/baseline"
	"github.com/mtlslint/mtlslint/internal/config"
	"github.com/mtlslint/mtlslint/internal/lint"
)

// runBaseline writes the current findings to a baseline file, which
// `check --baseline FILE` then accepts.
func runBaseline(args []string, e *env) int {
	fs := flag.NewFlagSet("baseline", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var f checkFlags
	f.registerConfig(fs)
	f.registerLimits(fs)
	f.registerSpecBase(fs)
	fs.StringVar(&f.output, "output", "", "write the baseline to `FILE` (default: "+baseline.FileName+" in the root)")
	fs.StringVar(&f.output, "o", "", "shorthand for --output `FILE`")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: mtlslint baseline [flags] [PATH...]\n\n"+
			"Records the current findings below PATH (default .) in %s in the root\n"+
			"(--output FILE to choose another file). `mtlslint check --baseline FILE` then\n"+
			"reports only findings that are not in it. Selection, configuration and version\n"+
			"flags apply as for check; suppressed findings are not recorded.\n\nFlags:\n", baseline.FileName)
		fs.PrintDefaults()
	}
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	defer useCPUs(f.jobs)()
	opts, err := f.options(paths)
	if err != nil {
		return e.errorf("%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := lint.Run(ctx, opts)
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			return e.errorf("configuration error: %v", ce)
		}
		return e.errorf("%v", err)
	}
	out := f.output
	if out == "" {
		out = filepath.Join(res.Workspace.Root, baseline.FileName)
	}
	b := baseline.New(res.Findings)
	if err := b.WriteFile(out); err != nil {
		return e.errorf("%v", err)
	}
	n := 0
	for _, entry := range b.Findings {
		if entry.Count > 1 {
			n += entry.Count
		} else {
			n++
		}
	}
	fmt.Fprintf(e.stdout, "mtlslint: recorded %d %s in %s\n", n, plural(n, "finding", "findings"), out)
	return exitClean
}
