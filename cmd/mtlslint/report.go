package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/mtlslint/mtlslint/internal/auditreport"
)

func runReport(args []string, e *env) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	htmlOut := fs.String("html", "", "write a self-contained HTML page to `FILE` (- for standard output)")
	mdOut := fs.String("markdown", "", "write Markdown to `FILE` (- for standard output)")
	maxPerRule := fs.Int("max-per-rule", 0, "list at most `N` findings per rule in Markdown (0: all; totals count every finding)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: mtlslint report [--html FILE] [--markdown FILE] RESULTS.jsonl...\n\nMerges the JSON Lines output of any number of audits (shards, resumed runs)\ninto one report.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	if len(files) == 0 || (*htmlOut == "" && *mdOut == "") {
		return e.errorf("usage: mtlslint report [--html FILE] [--markdown FILE] RESULTS.jsonl... (mtlslint report -h for the flags)")
	}
	rep, err := auditreport.Load(files...)
	if err != nil {
		return e.errorf("%v", err)
	}
	if rep.Incomplete+rep.Malformed > 0 {
		fmt.Fprintf(e.stderr, "mtlslint report: skipped %d incomplete repositories and %d malformed lines\n", rep.Incomplete, rep.Malformed)
	}
	write := func(path string, render func(io.Writer) error) error {
		if path == "-" {
			return render(e.stdout)
		}
		fh, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := render(fh); err != nil {
			fh.Close()
			return err
		}
		return fh.Close()
	}
	if *htmlOut != "" {
		if err := write(*htmlOut, func(w io.Writer) error { return auditreport.HTML(w, rep) }); err != nil {
			return e.errorf("%v", err)
		}
	}
	if *mdOut != "" {
		opt := auditreport.MarkdownOptions{MaxPerRule: *maxPerRule}
		if err := write(*mdOut, func(w io.Writer) error { return auditreport.Markdown(w, rep, opt) }); err != nil {
			return e.errorf("%v", err)
		}
	}
	return exitClean
}
