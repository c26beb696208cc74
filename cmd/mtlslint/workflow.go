package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sort"

	"github.com/mtlslint/mtlslint/internal/baseline"
	"github.com/mtlslint/mtlslint/internal/config"
	"github.com/mtlslint/mtlslint/internal/fix"
	"github.com/mtlslint/mtlslint/internal/gitdiff"
	"github.com/mtlslint/mtlslint/internal/lint"
)

// workflowFlags are the check flags for suppressions, baselines, changed
// lines and fixes.
type workflowFlags struct {
	noIgnore, fix, unsafeFixes, diff bool
	forceExclude, skipUndetected     bool
	baseline, newFromRev             string
	baselineRev                      string
}

func (w *workflowFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&w.noIgnore, "no-ignore", false, "disregard inline \"mtlslint: ignore\" comments (audits)")
	fs.StringVar(&w.baseline, "baseline", "", "report only findings not accepted in the baseline `FILE` (see `mtlslint baseline`)")
	fs.StringVar(&w.newFromRev, "new-from-rev", "", "report only findings on lines changed since the git `REV` (and in untracked files)")
	fs.StringVar(&w.baselineRev, "baseline-rev", "", "report only findings the git `REV` does not have: its tree is linted from git's objects, with the same rules and configuration (a CI gate)")
	fs.BoolVar(&w.fix, "fix", false, "apply safe fixes to the files, then report what remains")
	fs.BoolVar(&w.unsafeFixes, "unsafe-fixes", false, "with --fix or --diff, apply unsafe fixes too")
	fs.BoolVar(&w.diff, "diff", false, "print the fixes as a unified diff instead of writing them (exit 1 when there are any)")
	fs.BoolVar(&w.forceExclude, "force-exclude", false, "apply exclude globs to files named on the command line too (pre-commit)")
	fs.BoolVar(&w.skipUndetected, "skip-undetected", false, "skip named files that are no format mtlslint reads instead of reporting them (pre-commit)")
}

// apply puts the flags into the driver options; it reads the baseline and
// asks git for the changed lines.
func (w *workflowFlags) apply(opts *lint.Options) error {
	opts.NoIgnore = w.noIgnore
	opts.ForceExclude = w.forceExclude
	opts.SkipUndetected = w.skipUndetected
	if w.baseline != "" && w.baselineRev != "" {
		return errors.New("--baseline and --baseline-rev both say what is already accepted: give one")
	}
	if w.baseline != "" {
		b, err := baseline.Read(w.baseline, opts.Root)
		if err != nil {
			return err
		}
		opts.Baseline = b
	}
	if w.newFromRev != "" {
		c, err := gitdiff.Since(opts.Root, w.newFromRev)
		if err != nil {
			return err
		}
		opts.Changed = c
	}
	return nil
}

// runFix runs --fix or --diff: fixes are computed in memory over as many
// passes as needed, then written (--fix) or printed (--diff).
func runFix(ctx context.Context, f *checkFlags, opts lint.Options, e *env) int {
	out, err := fix.Run(ctx, opts, f.wf.unsafeFixes)
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			return e.errorf("configuration error: %v", ce)
		}
		return e.errorf("%v", err)
	}
	for _, d := range out.Unresolved {
		fmt.Fprintf(e.stderr, "mtlslint: %s:%d: the fix for %s was applied but the finding remains; it was not applied again (review it)\n", d.Range.File, d.Range.Start.Line, d.Code)
	}
	// A file fixed through a symbolic link (sites-enabled/shop.conf) is
	// written, and named in the diff, by its own path: git and patch see
	// the link as a file holding its target's name.
	ws := out.Result.Workspace
	real := map[string]string{}
	paths := make([]string, 0, len(out.Fixed))
	for p := range out.Fixed {
		real[p] = ws.Identity(p)
		paths = append(paths, p)
	}
	sort.Slice(paths, func(i, j int) bool { return real[paths[i]] < real[paths[j]] })
	if f.wf.diff {
		for _, p := range paths {
			fmt.Fprint(e.stdout, fix.Unified(real[p], out.Original[p], out.Fixed[p]))
		}
		fmt.Fprintf(e.stderr, "mtlslint: %d %s in %d %s (--diff: nothing written)\n", out.Applied, plural(out.Applied, "fix", "fixes"), len(paths), plural(len(paths), "file", "files"))
		if len(paths) > 0 {
			return exitFindings
		}
		return exitClean
	}
	if err := fix.Write(out.Result.Workspace.Root, out); err != nil {
		return e.errorf("cannot write the fixes: %v", err)
	}
	remaining := 0
	for _, d := range out.Result.Findings {
		if d.Suppression == nil {
			remaining++
		}
	}
	fmt.Fprintf(e.stderr, "mtlslint: fixed %d %s in %d %s, %d remaining\n", out.Applied, plural(out.Applied, "finding", "findings"), len(paths), plural(len(paths), "file", "files"), remaining)
	return f.finish(e, out.Result)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
