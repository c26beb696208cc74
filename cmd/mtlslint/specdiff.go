package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/mtlslint/mtlslint/internal/gitdiff"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/internal/report"
	"github.com/mtlslint/mtlslint/parsers"
	oas "github.com/mtlslint/mtlslint/parsers/openapi"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
	ruleoas "github.com/mtlslint/mtlslint/rules/openapi"
)

// runSpecDiff compares two versions of an OpenAPI document and reports the
// operations that lost their mutual-TLS requirement (O004).
func runSpecDiff(args []string, e *env) int {
	fs := flag.NewFlagSet("spec-diff", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var format, output, failOn, color string
	var quiet bool
	fs.StringVar(&format, "format", "text", "output format: text, json, sarif")
	fs.StringVar(&output, "output", "", "write the report to `FILE` instead of standard output")
	fs.StringVar(&output, "o", "", "shorthand for --output `FILE`")
	fs.StringVar(&failOn, "fail-on", "low", "lowest `SEVERITY` that makes the exit code 1")
	fs.StringVar(&color, "color", "auto", "colour: auto, always, never")
	fs.BoolVar(&quiet, "quiet", false, "print only the findings")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: mtlslint spec-diff [flags] OLD NEW\n\n"+
			"Reports operations whose OpenAPI security required mutual TLS in OLD and no\n"+
			"longer does in NEW (O004), with what oasdiff's checker says about them.\n"+
			"OLD and NEW are files; OLD may also be REV:PATH, the file at a git revision\n"+
			"of the repository in the current directory.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	if len(pos) != 2 {
		return e.errorf("usage: mtlslint spec-diff [flags] OLD NEW (mtlslint spec-diff -h for the flags)")
	}
	failSev, err := rules.ParseSeverity(failOn)
	if err != nil {
		return e.errorf("%v", err)
	}

	newR, newRel, err := fileReader(pos[1])
	if err != nil {
		return e.errorf("%v", err)
	}
	var oldR source.Reader
	var oldRel, oldLabel string
	if _, statErr := os.Stat(pos[0]); statErr != nil && strings.Contains(pos[0], ":") {
		rev, p, _ := strings.Cut(pos[0], ":")
		cwd, err := os.Getwd()
		if err != nil {
			return e.errorf("%v", err)
		}
		g, err := gitdiff.NewReader(cwd, rev)
		if err != nil {
			return e.errorf("%v", err)
		}
		oldR, oldRel, oldLabel = g, path.Clean(filepath.ToSlash(p)), rev
	} else {
		fr, rel, err := fileReader(pos[0])
		if err != nil {
			return e.errorf("%v", err)
		}
		oldR, oldRel, oldLabel = fr, rel, pos[0]
	}

	var diags []rules.Finding
	oldSpec, oldProbs := oas.LoadSpec(oldR, oldRel)
	newSpec, newProbs := oas.LoadSpec(newR, newRel)
	relate := oldRel != newRel
	if relate {
		// Problems of the old version point into its own file; when both
		// versions share a path they would point at the new one's lines.
		diags = append(diags, problemDiagnostics(oldProbs)...)
	} else if len(oldProbs) > 0 {
		fmt.Fprintf(e.stderr, "mtlslint: %s at %s: %d load problem(s), first: %s\n", oldRel, oldLabel, len(oldProbs), oldProbs[0].Message)
	}
	diags = append(diags, problemDiagnostics(newProbs)...)
	if oldSpec != nil && newSpec != nil {
		diags = append(diags, ruleoas.SpecDiff(ruleoas.DiffInput{Old: oldSpec, New: newSpec, OldLabel: oldLabel, RelateOld: relate})...)
	}
	rules.SortFindings(diags)

	in := report.Input{
		Findings: diags,
		File: func(p string) *source.File {
			// Every file a finding can name was read by one of the loads.
			for _, f := range specFiles(newSpec) {
				if f.Path == p {
					return f
				}
			}
			if relate {
				for _, f := range specFiles(oldSpec) {
					if f.Path == p {
						return f
					}
				}
			}
			if f, err := newR.ReadFile(p); err == nil {
				return f
			}
			return nil
		},
		Rules:        lint.Registry(),
		Version:      toolVersion(),
		FilesChecked: len(specFiles(oldSpec)) + len(specFiles(newSpec)),
	}
	in.Root = newR.Root()
	if err := writeReport(e, in, format, output, color, quiet); err != nil {
		return e.errorf("%v", err)
	}
	for _, d := range diags {
		if d.Severity >= failSev {
			return exitFindings
		}
	}
	return exitClean
}

func specFiles(s *oas.Spec) []*source.File {
	if s == nil {
		return nil
	}
	return s.Files()
}

// fileReader returns a reader confined to the current directory when the
// file is inside it (so that $refs to sibling directories resolve), else
// to the file's own directory, and the file's path relative to that root.
func fileReader(p string) (*parsers.FSReader, string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, "", err
	}
	if st, err := os.Stat(abs); err != nil {
		return nil, "", fmt.Errorf("%s: no such file", p)
	} else if st.IsDir() {
		return nil, "", fmt.Errorf("%s is a directory; spec-diff compares two files", p)
	}
	root, err := os.Getwd()
	if err != nil || !within(root, abs) {
		root = filepath.Dir(abs)
	}
	r, err := parsers.NewFSReader(root, 0, nil)
	if err != nil {
		return nil, "", err
	}
	rel, ok := r.Rel(abs)
	if !ok {
		return nil, "", fmt.Errorf("%s is outside %s", p, root)
	}
	return r, rel, nil
}

// problemDiagnostics turns load problems into diagnostics of the rules
// that document them.
func problemDiagnostics(probs []source.Problem) []rules.Finding {
	return rules.ProblemDiagnostics(lint.Registry(), probs)
}

func writeReport(e *env, in report.Input, format, output, color string, quiet bool) error {
	var w io.Writer = e.stdout
	isTerminal := isTTY(e.stdout)
	if output != "" {
		fh, err := os.Create(output)
		if err != nil {
			return err
		}
		defer fh.Close()
		w, isTerminal = fh, false
	}
	switch format {
	case "text", "":
		col := color == "always" || (color == "auto" && isTerminal && os.Getenv("NO_COLOR") == "")
		return report.Text(w, in, report.TextOptions{Color: col, Quiet: quiet})
	case "json":
		return report.JSON(w, in, false)
	case "sarif":
		return report.SARIF(w, in)
	}
	return fmt.Errorf("unknown format %q (want text, json or sarif)", format)
}
