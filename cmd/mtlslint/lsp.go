package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/mtlslint/mtlslint/internal/lsp"
)

// runLSP serves the Language Server Protocol on standard input and output
// until the editor says exit. The exit code is 0 after shutdown and exit,
// 1 when the editor exits (or hangs up) without shutdown, as the protocol
// asks.
func runLSP(args []string, e *env) int {
	fs := flag.NewFlagSet("lsp", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	debounce := fs.Duration("debounce", lsp.DefaultDebounce, "wait this long after an edit before linting")
	jobs := fs.Int("jobs", 0, "`N` CPUs to use: parallel workers of a lint run, and the runtime's own threads (default: every CPU)")
	fs.Bool("stdio", true, "talk over standard input and output (the only transport; accepted for editors that pass it)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: mtlslint lsp [flags]\n\nRuns the language server on standard input and output; the editor starts it.\nSee docs/editors.md for the setup of Neovim, Helix, Emacs and VS Code.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	if len(rest) > 0 {
		return e.errorf("lsp takes no arguments, got %q", rest)
	}
	defer useCPUs(*jobs)()
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(lsp.GCPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = lsp.Serve(ctx, stdio{e.stdin, e.stdout}, lsp.Options{Debounce: *debounce, Jobs: *jobs, Log: e.stderr, Version: toolVersion()})
	if err != nil {
		fmt.Fprintf(e.stderr, "mtlslint lsp: %v\n", err)
		return exitFindings
	}
	return exitClean
}

// stdio joins standard input and output into the connection's stream.
type stdio struct {
	io.Reader
	io.Writer
}

func (s stdio) Close() error {
	if c, ok := s.Reader.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
