package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"

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
		g, err := newGitReader(cwd, rev)
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

	var diags []rules.Diagnostic
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
		diags = append(diags, ruleoas.Diff(ruleoas.DiffInput{Old: oldSpec, New: newSpec, OldLabel: oldLabel, RelateOld: relate})...)
	}
	rules.SortDiagnostics(diags)

	in := report.Input{
		Diagnostics: diags,
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
func problemDiagnostics(probs []source.Problem) []rules.Diagnostic {
	var out []rules.Diagnostic
	for _, p := range probs {
		d := rules.Diagnostic{Code: p.Code, Range: p.Range, Message: p.Message, Related: p.Related, Scope: rules.ScopeLoad,
			Key: "problem:" + p.Range.String() + ":" + p.Message}
		if r := lint.Lookup(p.Code); r != nil {
			d.Name, d.Severity, d.CWE = r.Name, r.Severity, r.CWE
		}
		out = append(out, d)
	}
	return out
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

// gitReader reads files as they are at a git revision, through `git show`,
// confined to the repository directory it was opened on.
type gitReader struct {
	dir string // the directory paths are relative to
	rev string
}

// newGitReader checks that rev names a commit of the repository at dir.
func newGitReader(dir, rev string) (*gitReader, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("%q is not a git revision", rev)
	}
	if _, err := git(dir, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}"); err != nil {
		return nil, fmt.Errorf("%q is not a commit of the git repository at %s", rev, dir)
	}
	return &gitReader{dir: dir, rev: rev}, nil
}

func git(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func (g *gitReader) object(p string) (string, error) {
	c := path.Clean(p)
	if path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%s: %w", p, source.ErrOutsideRoot)
	}
	return g.rev + ":./" + c, nil
}

// ReadFile implements source.Reader.
func (g *gitReader) ReadFile(p string) (*source.File, error) {
	obj, err := g.object(p)
	if err != nil {
		return nil, err
	}
	if _, err := g.Stat(p); err != nil {
		return nil, err
	}
	out, err := git(g.dir, "show", obj)
	if err != nil {
		return nil, err
	}
	if len(out) > parsers.DefaultMaxFileSize {
		return nil, fmt.Errorf("%s at %s: %w", p, g.rev, source.ErrTooLarge)
	}
	if parsers.IsBinary(out) {
		return nil, fmt.Errorf("%s at %s: %w", p, g.rev, source.ErrBinary)
	}
	return source.NewFile(path.Clean(p), out), nil
}

// Glob implements source.Reader; patterns are not expanded at a revision.
func (g *gitReader) Glob(pattern string) ([]string, error) {
	return nil, fmt.Errorf("glob %s: not supported at a git revision", pattern)
}

// Stat implements source.Reader.
func (g *gitReader) Stat(p string) (fs.FileInfo, error) {
	obj, err := g.object(p)
	if err != nil {
		return nil, err
	}
	out, err := git(g.dir, "cat-file", "-t", obj)
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w", p, g.rev, fs.ErrNotExist)
	}
	if t := strings.TrimSpace(string(out)); t != "blob" {
		return nil, fmt.Errorf("%s at %s is a %s, not a file", p, g.rev, t)
	}
	return gitInfo{name: path.Base(p)}, nil
}

type gitInfo struct{ name string }

func (i gitInfo) Name() string       { return i.name }
func (i gitInfo) Size() int64        { return 0 }
func (i gitInfo) Mode() fs.FileMode  { return 0o644 }
func (i gitInfo) ModTime() time.Time { return time.Time{} }
func (i gitInfo) IsDir() bool        { return false }
func (i gitInfo) Sys() any           { return nil }

// specBaseFindings compares every OpenAPI document of a finished run with
// its version at the git revision rev (check --spec-base).
func specBaseFindings(e *env, res *lint.Result, rev string) ([]rules.Diagnostic, error) {
	ws := res.Workspace
	g, err := newGitReader(ws.Root, rev)
	if err != nil {
		return nil, err
	}
	var out []rules.Diagnostic
	for _, t := range ws.Trees {
		s, ok := t.(*oas.Spec)
		if !ok || ws.Targets != nil && !ws.Targets[s.Root().Path] {
			continue
		}
		if _, err := g.Stat(s.Root().Path); err != nil {
			continue // a new spec: nothing was lost
		}
		old, probs := oas.LoadSpec(g, s.Root().Path)
		if old == nil {
			fmt.Fprintf(e.stderr, "mtlslint: %s at %s cannot be compared: %s\n", s.Root().Path, rev, probs[0].Message)
			continue
		}
		out = append(out, ruleoas.Diff(ruleoas.DiffInput{Old: old, New: s, OldLabel: rev})...)
	}
	return out, nil
}

// selectedCode reports whether the rule selection (flags and configuration
// file) keeps the rule with the given code.
func selectedCode(opts lint.Options, code string) bool {
	o, err := lint.ApplyConfig(opts)
	if err != nil {
		return false
	}
	sel, err := lint.Selected(o.Select, o.ExtendSelect, o.Ignore)
	if err != nil {
		return false
	}
	for _, r := range sel {
		if r.Code == code {
			return true
		}
	}
	return false
}
