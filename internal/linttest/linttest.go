// Package linttest provides a small format and rule family for tests of
// the pipeline around the rules (suppressions, baseline, fixes, outputs),
// independent of the real families.
//
// A ".toy" file is written like nginx: `name {` opens a block, `}` closes
// it, statements end with ";", "#" starts a comment. The rules:
//
//	Z901 toy-vuln     (high)   every statement "vuln ...;"; safe fix: vuln → safe
//	Z902 toy-risky    (medium) every statement "risky;"; unsafe fix: delete it
//	Z903 toy-unguarded (critical) a block with no "guard;" statement,
//	                  anchored on the line that opens it
package linttest

import (
	"bytes"
	"context"
	"strings"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Kind is the tree kind of toy files.
const Kind = "toy"

// Tree is one toy file.
type Tree struct{ File *source.File }

// Kind implements parsers.Tree.
func (t *Tree) Kind() string { return Kind }

// Root implements parsers.Tree.
func (t *Tree) Root() *source.File { return t.File }

// Files implements parsers.Tree.
func (t *Tree) Files() []*source.File { return []*source.File{t.File} }

func (t *Tree) rangeOf(s statement) source.Range { return t.File.Range(s.start, s.end) }

// Format reads *.toy files; a file containing "@syntax-error" yields an
// E001 problem (and no tree), like an unparsable file would.
var Format = parsers.Format{
	Kind:      Kind,
	Candidate: func(rel string) bool { return strings.HasSuffix(rel, ".toy") },
	Detect:    func(rel string, b []byte) bool { return strings.HasSuffix(rel, ".toy") },
	Load: func(r source.Reader, paths []string) ([]parsers.Tree, []source.Problem) {
		var trees []parsers.Tree
		var probs []source.Problem
		for _, p := range paths {
			f, err := r.ReadFile(p)
			if err != nil {
				continue
			}
			if i := bytes.Index(f.Content, []byte("@syntax-error")); i >= 0 {
				probs = append(probs, source.Problem{Kind: source.ProblemSyntax, Range: f.Range(i, i+len("@syntax-error")), Message: "toy syntax error"})
				continue
			}
			trees = append(trees, &Tree{File: f})
		}
		return trees, probs
	},
}

type statement struct {
	start, end int // offsets of the statement (without ";")
	text       string
	block      int // index of the enclosing block, -1 at top level
}

type block struct {
	name    string
	open    int // offset of the name
	guarded bool
	parent  int
}

// parseAll splits a toy file into statements and blocks, skipping "#"
// comments.
func parseAll(f *source.File) ([]statement, []block) {
	var stmts []statement
	var blocks []block
	var stack []int
	b := f.Content
	start := -1
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '#':
			for i < len(b) && b[i] != '\n' {
				i++
			}
		case c == '{':
			parent := -1
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			name := ""
			open := i
			if start >= 0 {
				name = strings.TrimSpace(string(b[start:i]))
				open = start
			}
			blocks = append(blocks, block{name: name, open: open, parent: parent})
			stack = append(stack, len(blocks)-1)
			start = -1
		case c == '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			start = -1
		case c == ';':
			if start >= 0 {
				cur := -1
				if len(stack) > 0 {
					cur = stack[len(stack)-1]
				}
				text := strings.Join(strings.Fields(string(b[start:i])), " ")
				stmts = append(stmts, statement{start: start, end: i, text: text, block: cur})
				if text == "guard" && cur >= 0 {
					blocks[cur].guarded = true
				}
			}
			start = -1
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			if start < 0 {
				start = i
			}
		}
	}
	return stmts, blocks
}

func blockPath(blocks []block, i int) string {
	var parts []string
	for ; i >= 0; i = blocks[i].parent {
		parts = append([]string{blocks[i].name}, parts...)
	}
	return strings.Join(parts, "/")
}

// Rules of the toy family.
var (
	Vuln = &rules.Rule{
		Code: "Z901", Name: "toy-vuln", Severity: rules.High, Scope: rules.ScopeTree, Kinds: []string{Kind},
		Summary: "A vuln statement.", Doc: rules.Doc{What: "Reports `vuln`.", Why: "Tests.", Fix: "Write safe."},
		Check: func(p *rules.Pass) {
			t := p.Tree.(*Tree)
			stmts, blocks := parseAll(t.File)
			for _, s := range stmts {
				if !strings.HasPrefix(s.text, "vuln") {
					continue
				}
				p.Report(rules.Diagnostic{
					Range:   t.rangeOf(s),
					Message: "replace vuln with safe: \"" + s.text + "\"",
					Key:     rules.TestKey(t.File.Path + "|vuln|" + blockPath(blocks, s.block) + "|" + s.text),
					Fixes: []rules.Fix{{Description: "write safe", Safe: true, Edits: []rules.Edit{
						{Range: t.File.Range(s.start, s.start+len("vuln")), NewText: "safe"},
					}}},
				})
			}
		},
	}
	Risky = &rules.Rule{
		Code: "Z902", Name: "toy-risky", Severity: rules.Medium, Scope: rules.ScopeTree, Kinds: []string{Kind},
		Summary: "A risky statement.", Doc: rules.Doc{What: "Reports `risky`."},
		Check: func(p *rules.Pass) {
			t := p.Tree.(*Tree)
			stmts, blocks := parseAll(t.File)
			for _, s := range stmts {
				if s.text != "risky" {
					continue
				}
				p.Report(rules.Diagnostic{
					Range:   t.rangeOf(s),
					Message: "remove risky",
					Key:     rules.TestKey(t.File.Path + "|risky|" + blockPath(blocks, s.block)),
					Fixes: []rules.Fix{{Description: "delete the statement", Safe: false, Edits: []rules.Edit{
						{Range: t.File.Range(s.start, s.end+1), NewText: ""},
					}}},
				})
			}
		},
	}
	Unguarded = &rules.Rule{
		Code: "Z903", Name: "toy-unguarded", Severity: rules.Critical, Scope: rules.ScopeTree, Kinds: []string{Kind},
		Summary: "A block without guard.", Doc: rules.Doc{What: "Reports blocks missing `guard;`."},
		Check: func(p *rules.Pass) {
			t := p.Tree.(*Tree)
			_, blocks := parseAll(t.File)
			for i, b := range blocks {
				if b.guarded || !strings.HasPrefix(b.name, "server") {
					continue
				}
				msg := "add guard; to " + b.name
				if v := p.Settings.NginxVersion; v != "" {
					msg += " [version " + v + "]" // shows which settings the tree got
				}
				p.Report(rules.Diagnostic{
					Range:   t.File.Range(b.open, b.open+len(b.name)),
					Message: msg,
					Key:     rules.TestKey(t.File.Path + "|unguarded|" + blockPath(blocks, i)),
				})
			}
		},
	}
)

// Family is the toy family.
var Family = lint.Family{Name: "toy", Rules: []*rules.Rule{Vuln, Risky, Unguarded}}

// Register adds the toy format and family to the driver until the
// returned function is called.
func Register() (unregister func()) {
	return lint.Register([]parsers.Format{Format}, Family)
}

// modelTree is the one tree of RunOnModel's workspace.
type modelTree struct{ f *source.File }

func (t modelTree) Kind() string          { return "model" }
func (t modelTree) Root() *source.File    { return t.f }
func (t modelTree) Files() []*source.File { return []*source.File{t.f} }

// RunOnModel runs rules on a deployment model given as is: its routes,
// apps and links stand in for what the builders would find.
func RunOnModel(rs []*rules.Rule, m *rules.Model) []rules.Finding {
	ws := &parsers.Workspace{Trees: []parsers.Tree{modelTree{source.NewFile("model", []byte("x"))}}}
	e := &rules.Engine{Rules: rs, Settings: &rules.Settings{}}
	e.Routes = []*rules.Analysis{rules.NewRouteBuilder("fixed-routes", nil, func(*rules.Pass) []*rules.Route { return m.Routes })}
	e.Apps = []*rules.Analysis{rules.NewAppBuilder("fixed-apps", nil, func(*rules.Pass) []*rules.App { return m.Apps })}
	links := m.Links
	e.Link = func([]*rules.Route, []*rules.App, *rules.Settings) []rules.Link { return links }
	return e.Run(context.Background(), ws).Findings
}
