// Package suppress applies inline suppressions to findings and computes
// the fingerprints that identify a finding across unrelated edits.
//
// A suppression is a comment in the file's own syntax:
//
//	ssl_verify_client optional;  # mtlslint: ignore[N003] -- lab only
//
//	# mtlslint: ignore[N010] -- the gate is in the upstream
//	location /api {
//
//	# mtlslint: ignore-file[N010] -- generated; checked upstream
//
// On the line of a statement it covers findings on that line; alone on a
// line it covers the next statement; when that statement opens a block
// (nginx `server {`, a HAProxy section, a Python `def`, a YAML mapping) it
// covers the whole block, which is how a finding about a missing directive,
// anchored on the block's opening line, is suppressed. Block extents come
// from the text (braces, sections, indentation), so they work in every
// format and in files that do not parse.
package suppress

import (
	"bytes"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Source is a file with the kind of the tree it belongs to.
type Source struct {
	File *source.File
	Kind string
}

// Sources gives the outline and the directives of the files of a run,
// computed once per file. It is safe for concurrent use.
type Sources struct {
	files map[string]Source
	read  func(path string) *source.File

	mu    sync.Mutex
	cache map[string]*entry
}

type entry struct {
	built      sync.Once // the outline is built outside Sources.mu
	outline    *Outline
	directives []Directive
	scanned    bool
}

// NewSources indexes files; read (optional) fetches files that belong to
// no tree, such as a file that failed to load.
func NewSources(files []Source, read func(path string) *source.File) *Sources {
	s := &Sources{files: map[string]Source{}, read: read, cache: map[string]*entry{}}
	for _, f := range files {
		if _, ok := s.files[f.File.Path]; !ok {
			s.files[f.File.Path] = f
		}
	}
	return s
}

// SourcesOf indexes the files of every tree of a workspace.
func SourcesOf(ws *parsers.Workspace) *Sources {
	var files []Source
	for _, t := range ws.Trees {
		for _, f := range t.Files() {
			files = append(files, Source{File: f, Kind: t.Kind()})
		}
	}
	return NewSources(files, ws.File)
}

// Paths lists the indexed files, sorted.
func (s *Sources) Paths() []string {
	out := make([]string, 0, len(s.files))
	for p := range s.files {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func (s *Sources) entry(path string) *entry {
	s.mu.Lock()
	e, ok := s.cache[path]
	if !ok {
		e = &entry{}
		s.cache[path] = e
	}
	s.mu.Unlock()
	// Outlines of different files are built at once (Fingerprints works
	// on several files in parallel); one file's outline is built once.
	e.built.Do(func() {
		if src, known := s.source(path); known {
			e.outline = NewOutline(src.File, src.Kind)
		}
	})
	return e
}

// source returns the file at path with the kind of its tree (none for a
// file of no tree), reading a file of no tree with read.
func (s *Sources) source(path string) (Source, bool) {
	s.mu.Lock()
	src, ok := s.files[path]
	s.mu.Unlock()
	if ok {
		return src, true
	}
	if s.read != nil && path != "" {
		if f := s.read(path); f != nil {
			return Source{File: f}, true
		}
	}
	return Source{}, false
}

var marker = []byte("mtlslint:")

// file returns the file at path without building its outline.
func (s *Sources) file(path string) *source.File {
	src, _ := s.source(path)
	return src.File
}

// PrepareTree does, for the files of one tree whose rules are done, the
// work Apply and Fingerprints would do for them after the run: it reads
// their suppression directives and fingerprints the findings the tree's
// rules reported (rules.Engine.AfterTree), so that the work runs on every
// worker while the files are hot. The outlines it builds for fingerprints
// are not kept (a file's directives keep theirs): the findings of most
// files need them only here.
func (s *Sources) PrepareTree(files []*source.File, diags []rules.Finding) {
	for _, f := range files {
		s.Directives(f.Path)
	}
	if len(diags) == 0 {
		return
	}
	outlines := map[string]*Outline{}
	outline := func(path string) *Outline {
		o, ok := outlines[path]
		if !ok {
			if src, known := s.source(path); known && bytes.Contains(src.File.Content, marker) {
				o = s.Outline(path)
			} else if known {
				o = NewOutline(src.File, src.Kind)
			}
			outlines[path] = o
		}
		return o
	}
	fingerprintAll(diags, outline)
}

// Outline returns the outline of the file at path, or nil when the file
// is unknown.
func (s *Sources) Outline(path string) *Outline { return s.entry(path).outline }

// Directives returns the suppression directives of the file at path.
func (s *Sources) Directives(path string) []Directive {
	// Most files have no suppression at all: skip building their outline.
	if f := s.file(path); f == nil || !bytes.Contains(f.Content, marker) {
		return nil
	}
	e := s.entry(path)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !e.scanned && e.outline != nil {
		e.directives = Scan(e.outline)
		cover(e.outline, e.directives)
	}
	e.scanned = true
	return e.directives
}

// notInline are codes a comment cannot suppress: a file that does not
// parse or a rule that crashed is never silently clean, and the findings
// about suppressions cannot be silenced by suppressions.
var notInline = map[string]bool{
	rules.CodeSyntax: true, rules.CodeRuleCrashed: true,
	rules.CodeUnusedSuppression: true, rules.CodeSuppressionNoReason: true,
}

// Options control Apply.
type Options struct {
	// Rule returns the rule registered under a code, or nil for an
	// unknown code.
	Rule func(code string) *rules.Rule
	// Enabled reports whether the rule with the code ran on the file. A
	// suppression naming a rule that did not run is neither used nor
	// unused; M001 and M003 are reported only where they are enabled.
	Enabled func(code, file string) bool
}

// Apply marks the findings that a directive covers as suppressed
// (Suppression kind "inSource" with the reason as justification), and
// appends a finding for every directive that suppresses nothing (M001,
// with a fix that removes it) or gives no reason (M003). Findings that
// already carry a suppression keep it. The result is sorted.
func Apply(src *Sources, diags []rules.Finding, opts Options) []rules.Finding {
	dirs := src.directivesOf(diags)
	type use struct{ codes map[string]bool }
	used := map[*Directive]*use{}
	out := make([]rules.Finding, 0, len(diags))
	for _, d := range diags {
		ds := dirs[d.Range.File]
		var best *Directive
		for i := range ds {
			dir := &ds[i]
			if notInline[d.Code] || !dir.Names(d.Code) || !dir.Covers(d.Range.Start.Line) {
				continue
			}
			u := used[dir]
			if u == nil {
				u = &use{codes: map[string]bool{}}
				used[dir] = u
			}
			u.codes[d.Code] = true
			if best == nil || narrower(dir, best) {
				best = dir
			}
		}
		if best != nil && d.Suppression == nil {
			d.Suppression = &rules.Suppression{Kind: "inSource", Justification: best.Reason, Range: best.Range}
		}
		out = append(out, d)
	}
	paths := make([]string, 0, len(dirs))
	for p := range dirs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	enabled := func(code, file string) bool { return opts.Enabled == nil || opts.Enabled(code, file) }
	found := len(out)
	for _, p := range paths {
		o := src.Outline(p)
		ds := dirs[p]
		for i := range ds {
			dir := &ds[i]
			var u map[string]bool
			if x := used[dir]; x != nil {
				u = x.codes
			}
			unused, why := unusedCodes(dir, u, p, opts.Rule, enabled)
			allUnused := dir.Problem != "" || len(unused) == len(dir.Codes)
			if (dir.Problem != "" || len(unused) > 0) && enabled(rules.CodeUnusedSuppression, p) {
				if r := opts.Rule(rules.CodeUnusedSuppression); r != nil {
					out = append(out, unusedDiagnostic(r, o, dir, unused, why, allUnused))
				}
			}
			if !allUnused && dir.Reason == "" && enabled(rules.CodeSuppressionNoReason, p) {
				if r := opts.Rule(rules.CodeSuppressionNoReason); r != nil {
					msg := "suppression without a reason: add `-- <why this is safe>` after the codes (it still suppresses)"
					if dir.Placeholder != "" {
						msg = "the suppression's reason is still the placeholder `" + dir.Placeholder + "`: say why this is safe"
					}
					out = append(out, finding(r, dir.Range, msg, rules.SuppressionKey("no-reason", codeList(dir.Codes))))
				}
			}
		}
	}
	return sortAppended(out, found)
}

// directivesOf returns the directives of the indexed files and of the
// files the findings are in, by path, leaving out files without any.
// Looking for directives reads every file: the files are looked at in
// parallel.
func (s *Sources) directivesOf(diags []rules.Finding) map[string][]Directive {
	paths := make([]string, 0, len(s.files))
	seen := make(map[string]bool, len(s.files))
	for p := range s.files {
		paths = append(paths, p)
		seen[p] = true
	}
	for _, d := range diags {
		if p := d.Range.File; !seen[p] {
			paths = append(paths, p)
			seen[p] = true
		}
	}
	found := make([][]Directive, len(paths))
	source.Each(runtime.GOMAXPROCS(0), len(paths), func(i int) { found[i] = s.Directives(paths[i]) })
	dirs := map[string][]Directive{}
	for i, ds := range found {
		if len(ds) > 0 {
			dirs[paths[i]] = ds
		}
	}
	return dirs
}

// sortAppended sorts out, whose first n findings usually arrive sorted
// (the engine sorts them) and the rest are those Apply added: when the
// first part is sorted, sorting the rest and merging gives what a stable
// sort of the whole list would, with fewer comparisons.
func sortAppended(out []rules.Finding, n int) []rules.Finding {
	head, tail := out[:n], out[n:]
	if !rules.FindingsSorted(head) {
		rules.SortFindings(out)
		return out
	}
	if len(tail) == 0 {
		return out
	}
	rules.SortFindings(tail)
	merged := make([]rules.Finding, 0, len(out))
	i, j := 0, 0
	for i < len(head) && j < len(tail) {
		// Ties go to the head, as in a stable sort of head then tail.
		if tail[j].Compare(&head[i]) < 0 {
			merged = append(merged, tail[j])
			j++
		} else {
			merged = append(merged, head[i])
			i++
		}
	}
	merged = append(merged, head[i:]...)
	return append(merged, tail[j:]...)
}

// narrower prefers the directive covering fewer lines: the statement's own
// comment over its block's, a block's over the file's.
func narrower(a, b *Directive) bool {
	if a.FileWide != b.FileWide {
		return !a.FileWide
	}
	return a.To-a.From < b.To-b.From
}

// unusedCodes returns the codes of dir that suppressed nothing, with a
// phrase saying why for each.
func unusedCodes(dir *Directive, used map[string]bool, file string, rule func(string) *rules.Rule, enabled func(string, string) bool) ([]Code, []string) {
	var unused []Code
	var why []string
	for _, c := range dir.Codes {
		switch {
		case notInline[c.Code]:
			unused = append(unused, c)
			why = append(why, c.Code+" cannot be suppressed with a comment (use the configuration)")
		case rule(c.Code) == nil:
			unused = append(unused, c)
			why = append(why, c.Code+" is not a rule code (see `mtlslint rules`)")
		case used[c.Code]:
		case !enabled(c.Code, file):
			// The rule did not run here: whether it would fire is unknown.
		default:
			unused = append(unused, c)
			where := "on this line"
			switch {
			case dir.FileWide:
				where = "in this file"
			case dir.From == 0:
				where = "here: it is followed by a blank line, so it applies to no statement"
			case dir.OwnLine && dir.To > dir.From:
				where = fmt.Sprintf("in the block below (lines %d-%d)", dir.From, dir.To)
			case dir.OwnLine:
				where = fmt.Sprintf("on the next statement (line %d)", dir.From)
			case dir.To > dir.From:
				where = fmt.Sprintf("in this block (lines %d-%d)", dir.From, dir.To)
			}
			why = append(why, "no "+c.Code+" finding "+where)
		}
	}
	return unused, why
}

func unusedDiagnostic(r *rules.Rule, o *Outline, dir *Directive, unused []Code, why []string, all bool) rules.Finding {
	msg := "unused suppression: " + strings.Join(why, "; ")
	if dir.Problem != "" {
		msg = "unreadable suppression, it suppresses nothing: " + dir.Problem
	}
	d := finding(r, dir.Range, msg, rules.SuppressionKey("unused", codeList(unused), dir.Problem))
	if all {
		d.Fixes = []rules.Fix{{Description: "remove the suppression comment", Safe: true, Edits: []rules.Edit{removeEdit(o, dir)}}}
	} else {
		keep := make([]string, 0, len(dir.Codes))
		drop := map[string]bool{}
		for _, c := range unused {
			drop[c.Code] = true
		}
		for _, c := range dir.Codes {
			if !drop[c.Code] {
				keep = append(keep, c.Code)
			}
		}
		d.Fixes = []rules.Fix{{
			Description: "remove " + codeList(unused) + " from the suppression",
			Safe:        true,
			Edits:       []rules.Edit{{Range: dir.list, NewText: strings.Join(keep, ", ")}},
		}}
	}
	return d
}

// removeEdit deletes a directive: the whole line for a comment alone on
// its line, else the comment and the blanks before it.
func removeEdit(o *Outline, dir *Directive) rules.Edit {
	if !dir.removeLine {
		return rules.Edit{Range: dir.removal}
	}
	f := o.file
	l := dir.Range.Start.Line
	if l < f.LineCount() {
		return rules.Edit{Range: f.Range(f.LineStart(l), f.LineStart(l+1))}
	}
	// The last line: take the line break before it instead.
	start := f.LineStart(l)
	if l > 1 {
		start = f.LineEnd(l - 1)
	}
	return rules.Edit{Range: f.Range(start, len(f.Content))}
}

func finding(r *rules.Rule, rng source.Range, msg string, key rules.Key) rules.Finding {
	f := r.Finding(rules.Diagnostic{Range: rng, Message: msg, Key: key})
	f.Scope = rules.ScopeLoad
	return f
}

func codeList(cs []Code) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = c.Code
	}
	return strings.Join(s, ", ")
}
