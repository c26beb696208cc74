package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/mtlslint/mtlslint/internal/audit"
	"github.com/mtlslint/mtlslint/internal/config"
	"github.com/mtlslint/mtlslint/internal/prove"
	"github.com/mtlslint/mtlslint/internal/report"
	"github.com/mtlslint/mtlslint/parsers"
)

// runProve runs the check, then the repository's own proxy configuration
// on loopback, and sends each finding's request (docs/prove.md). Exit
// codes: 0 nothing confirmed, 1 a finding confirmed, 2 a usage error or a
// server the configuration needs is not installed.
func runProve(args []string, e *env) int {
	fs := flag.NewFlagSet("prove", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var f checkFlags
	f.register(fs)
	paths := map[string]*string{
		parsers.KindNginx:   fs.String("nginx", "", "the nginx `PROGRAM` to run (default: nginx on PATH or in /usr/sbin)"),
		parsers.KindHAProxy: fs.String("haproxy", "", "the HAProxy `PROGRAM` to run"),
		parsers.KindApache:  fs.String("apache", "", "the Apache httpd `PROGRAM` to run (apache2 or httpd)"),
		parsers.KindCaddy:   fs.String("caddy", "", "the Caddy `PROGRAM` to run"),
		prove.KindGunicorn:  fs.String("gunicorn", "", "the gunicorn `PROGRAM` the stub app runs under (for the environ it builds)"),
	}
	limit := fs.Duration("time", prove.DefaultLimits.Time, "stop every server and end the run after `DURATION`")
	requests := fs.Int("max-requests", prove.DefaultLimits.Requests, "send at most `N` requests")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: mtlslint prove [flags] [PATH]\n\n"+
			"--format takes text, json, sarif, github, junit, or jsonl: audit records for\n"+
			"`mtlslint report --html`, which lists the confirmed findings first.\n\n"+
			"Runs the check, then the repository's own nginx, HAProxy, httpd or Caddy configuration\n"+
			"on loopback (listeners, certificates and upstreams rewritten in a temporary copy, in\n"+
			"front of a recording stub app), sends each finding's request and reports it confirmed,\n"+
			"not reproduced or not testable (docs/prove.md). Nothing of the repository is executed.\n\n"+
			"Exit codes: 0 nothing confirmed, 1 a finding confirmed, 2 error or a server not installed.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	if len(rest) > 1 {
		return e.errorf("prove takes one PATH (the repository), got %d", len(rest))
	}
	if f.wf.fix || f.wf.diff {
		// prove never writes to the repository
		return e.errorf("prove does not apply fixes; run `mtlslint check --fix` first")
	}
	// jsonl: the audit's records, which `mtlslint report --html` renders
	// with the confirmed findings first
	jsonl := f.format == "jsonl"
	if jsonl {
		f.format = "json"
	}
	opts, err := f.options(rest)
	if err != nil {
		return e.errorf("%v", err)
	}
	// Interrupted or told to end (a CI job's timeout), the run still
	// stops every server it started before the command exits.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	po := prove.Options{Lint: opts, ServerPaths: map[string]string{}, Limits: prove.Limits{Time: *limit, Requests: *requests}}
	for kind, p := range paths {
		po.ServerPaths[kind] = *p
	}
	started := time.Now()
	res, err := prove.Prove(ctx, po)
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			return e.errorf("configuration error: %v", ce)
		}
		if res == nil {
			return e.errorf("%v", err)
		}
		fmt.Fprintf(e.stderr, "mtlslint prove: %v\n", err)
	}
	in := input(res.Lint)
	in.Proofs = make([]report.Proof, len(res.Proofs))
	for i, p := range res.Proofs {
		if p != nil {
			in.Proofs[i] = p
		}
	}
	if jsonl {
		err = writeProvedRecords(e, f.output, res, in, time.Since(started))
	} else {
		err = f.writeInput(e, in)
	}
	if err != nil {
		return e.errorf("%v", err)
	}
	proveSummary(e, res, time.Since(started))
	if ctx.Err() != nil {
		return e.errorf("prove: interrupted; every server it started is stopped, the findings not yet tried are not testable")
	}
	if len(res.Missing) > 0 {
		fmt.Fprintf(e.stderr, "mtlslint prove: the configuration needs servers that are not installed:\n  %s\n", strings.Join(res.Missing, "\n  "))
		return exitError
	}
	if res.Counts()[prove.Confirmed] > 0 {
		return exitFindings
	}
	return exitClean
}

// writeProvedRecords writes the run as one repository's audit records.
func writeProvedRecords(e *env, output string, res *prove.Result, in report.Input, took time.Duration) error {
	w := e.stdout
	if output != "" {
		fh, err := os.Create(output)
		if err != nil {
			return err
		}
		defer fh.Close()
		w = fh
	}
	return audit.WriteProved(w, filepath.Base(res.Lint.Workspace.Root), res.Lint, in.Proofs, took)
}

// proveSummary writes the servers, what became of each configuration and
// the counts to standard error, so that machine-readable output stays
// clean.
func proveSummary(e *env, res *prove.Result, took time.Duration) {
	var kinds []string
	for k := range res.Servers {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var versions []string
	for _, k := range kinds {
		if s := res.Servers[k]; s.Path != "" {
			versions = append(versions, s.Version)
		}
	}
	fmt.Fprintf(e.stderr, "servers: %s\n", strings.Join(versions, ", "))
	for _, p := range res.Plans {
		state := "started"
		if !p.Started {
			state = p.Reason
		}
		fmt.Fprintf(e.stderr, "%s (%s): %s\n", p.Root, p.Kind, state)
		for _, l := range p.Limits {
			fmt.Fprintf(e.stderr, "  limit: %s\n", l)
		}
		for _, s := range p.SourceConditions {
			fmt.Fprintf(e.stderr, "  decided by the client's address (every request comes from 127.0.0.1 here): %s\n", s)
		}
	}
	c := res.Counts()
	fmt.Fprintf(e.stderr, "proof: %d confirmed, %d not reproduced, %d not testable in %.1fs\n", c[prove.Confirmed], c[prove.NotReproduced], c[prove.NotTestable], took.Seconds())
	if len(res.Left) > 0 {
		fmt.Fprintf(e.stderr, "mtlslint prove: processes left behind: %v\n", res.Left)
	}
}
