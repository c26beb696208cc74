// Package audittest provides a minimal front end and rule for tests of the
// audit and its reports, so that the whole pipeline (discovery, the confined
// reader, load problems, findings, records) runs whatever rule families are
// registered.
package audittest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Files ending in .conf are read; a line "include PATTERN" globs and reads
// PATTERN through the reader, as nginx's include does; a line containing
// VULNERABLE is a finding of Z001 (high), one containing CRITICAL a
// critical one.

// Kind is the kind of the test trees.
const Kind = "testconf"

type tree struct{ files []*source.File }

func (t *tree) Kind() string          { return Kind }
func (t *tree) Root() *source.File    { return t.files[0] }
func (t *tree) Files() []*source.File { return t.files }

// Format is the test front end.
var Format = parsers.Format{
	Kind:      Kind,
	Candidate: func(rel string) bool { return strings.HasSuffix(rel, ".conf") },
	Detect:    func(rel string, _ []byte) bool { return strings.HasSuffix(rel, ".conf") },
	Load: func(r source.Reader, paths []string) ([]parsers.Tree, []source.Problem) {
		var trees []parsers.Tree
		var probs []source.Problem
		for _, p := range paths {
			f, err := r.ReadFile(p)
			if err != nil {
				continue // discovery reported it
			}
			t := &tree{files: []*source.File{f}}
			for n := 1; n <= f.LineCount(); n++ {
				line := strings.TrimSpace(string(f.Line(n)))
				pat, ok := strings.CutPrefix(line, "include ")
				if !ok {
					continue
				}
				pat = strings.TrimSuffix(pat, ";")
				at := f.LineRange(n)
				if !path.IsAbs(pat) {
					pat = path.Join(path.Dir(p), pat)
				}
				matches, err := r.Glob(pat)
				if err != nil {
					probs = append(probs, includeProblem(at, pat, err))
					continue
				}
				if len(matches) == 0 {
					probs = append(probs, source.Problem{Kind: source.ProblemIncludeMissing, Range: at, Message: "include " + pat + " matches no file"})
				}
				for _, m := range matches {
					inc, err := r.ReadFile(m)
					if err != nil {
						probs = append(probs, includeProblem(at, m, err))
						continue
					}
					t.files = append(t.files, inc)
				}
			}
			trees = append(trees, t)
		}
		return trees, probs
	},
}

func includeProblem(at source.Range, what string, err error) source.Problem {
	code := source.ProblemSkipped
	if errors.Is(err, source.ErrOutsideRoot) {
		code = source.ProblemIncludeOutside
	}
	return source.Problem{Kind: code, Range: at, Message: fmt.Sprintf("include %s not read: %v", what, err)}
}

// Rule reports every line that says VULNERABLE (high) or CRITICAL.
var Rule = &rules.Rule{
	Code: "Z001", Name: "test-vulnerable-line", Severity: rules.High, Scope: rules.ScopeTree,
	Kinds:   []string{Kind},
	Summary: "A line says VULNERABLE.",
	Check: func(p *rules.Pass) {
		for _, f := range p.Tree.Files() {
			for n := 1; n <= f.LineCount(); n++ {
				line := f.Line(n)
				var sev rules.Severity
				switch {
				case bytes.Contains(line, []byte("CRITICAL")):
					sev = rules.Critical
				case bytes.Contains(line, []byte("VULNERABLE")):
					sev = rules.High
				default:
					continue
				}
				p.Report(rules.Diagnostic{Range: f.LineRange(n), Message: "this line is vulnerable", Severity: sev,
					Key: rules.TestKey(fmt.Sprintf("%s:%d", f.Path, n))})
			}
		}
	},
}

// Runner lints one repository with the test front end and rule, and the
// load rules, through the real discovery and reader (an audit.Options
// Runner).
func Runner(ctx context.Context, o lint.Options) (*lint.Result, error) {
	ws, err := parsers.Load(ctx, parsers.Options{
		Root: o.Root, MaxFileSize: o.MaxFileSize, MaxFiles: o.MaxFiles,
		Formats: []parsers.Format{Format},
	})
	if err != nil {
		return nil, err
	}
	sel := append(append([]*rules.Rule{}, rules.LoadRules...), Rule)
	return lint.RunWorkspace(ctx, ws, sel, o)
}

// WriteFiles creates files (slash-separated paths relative to dir).
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// MakeRepo creates a repository (a directory with .git) with files.
func MakeRepo(t testing.TB, dir string, files map[string]string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	WriteFiles(t, dir, files)
	return dir
}
