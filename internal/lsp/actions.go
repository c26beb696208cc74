package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/mtlslint/mtlslint/internal/fix"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
	"github.com/mtlslint/mtlslint/rules/suppress"
)

// kindFixAll applies every safe fix of a file.
const kindFixAll protocol.CodeActionKind = "source.fixAll.mtlslint"

// reasonPlaceholder is written where the user must say why a suppression
// is safe; until it is replaced, the suppression is reported as M003.
const reasonPlaceholder = suppress.ReasonPlaceholder

// codeAction offers, for each finding in the requested range, its rule's
// fixes (safe and unsafe, labelled), a suppression comment on its line
// (or block), and a file-wide suppression; and, when asked for
// source.fixAll, all safe fixes of the file.
func (s *Server) codeAction(ctx context.Context, raw json.RawMessage) (any, error) {
	var p protocol.CodeActionParams
	if err := decode(raw, &p); err != nil {
		return nil, err
	}
	actions := []protocol.CodeAction{}
	r, sn, rel, f, err := s.at(ctx, p.TextDocument.URI)
	if err != nil || f == nil {
		return actions, err
	}
	s.mu.Lock()
	caps := s.caps
	s.mu.Unlock()
	b := &editBuilder{sn: sn, dir: r.dir, documentChanges: caps.documentChanges}
	conv := converter{ws: sn.res.Workspace, enc: sn.enc, related: caps.relatedInformation, uri: func(rel string) protocol.DocumentURI { return sn.uri(r.dir, rel) }}
	only := p.Context.Only

	start, end := offset(f, p.Range.Start, sn.enc), offset(f, p.Range.End, sn.enc)
	cursorLine := f.Pos(start).Line
	kind := kindOf(sn, rel)
	for _, d := range sn.byFile[rel] {
		ds := offsetOf(f, d.Range.Start)
		de := ds
		if d.Range.End.IsValid() && d.Range.End.Offset >= d.Range.Start.Offset {
			de = offsetOf(f, d.Range.End)
		}
		hit := ds <= end && start <= de
		if start == end && d.Range.Start.Line == cursorLine {
			hit = true // a cursor anywhere on the finding's line
		}
		if !hit || !wanted(only, protocol.QuickFix) {
			continue
		}
		diag := []protocol.Diagnostic{conv.diagnostic(d)}
		for _, fx := range d.Fixes {
			if len(fx.Edits) == 0 {
				continue
			}
			we, err := b.edit(fx.Edits)
			if err != nil {
				s.logf("%s fix of %s: %v", d.Code, rel, err)
				continue
			}
			title := fmt.Sprintf("Fix %s: %s", d.Code, fx.Description)
			if !fx.Safe {
				title = fmt.Sprintf("Fix %s (unsafe, review the change): %s", d.Code, fx.Description)
			}
			actions = append(actions, protocol.CodeAction{Title: title, Kind: protocol.QuickFix, Diagnostics: diag, IsPreferred: fx.Safe, Edit: we})
		}
		if e, title, ok := suppressLine(f, kind, d); ok {
			if we, err := b.edit([]rules.Edit{e}); err == nil {
				actions = append(actions, protocol.CodeAction{Title: title, Kind: protocol.QuickFix, Diagnostics: diag, Edit: we})
			}
		}
		if e, ok := suppressFile(f, kind, d); ok {
			if we, err := b.edit([]rules.Edit{e}); err == nil {
				actions = append(actions, protocol.CodeAction{Title: fmt.Sprintf("Suppress %s in this file", d.Code), Kind: protocol.QuickFix, Diagnostics: diag, Edit: we})
			}
		}
	}
	if len(only) > 0 && wanted(only, kindFixAll) {
		chosen := fix.Choose(sn.byFile[rel], false)
		if len(chosen.Applied) > 0 {
			var edits []rules.Edit
			for _, es := range chosen.Edits {
				edits = append(edits, es...)
			}
			if we, err := b.edit(edits); err == nil {
				actions = append(actions, protocol.CodeAction{
					Title: fmt.Sprintf("Apply %d safe mtlslint fix(es) in this file", len(chosen.Applied)),
					Kind:  kindFixAll, Edit: we,
				})
			}
		}
	}
	return actions, nil
}

// wanted reports whether a code action kind passes the request's filter.
func wanted(only []protocol.CodeActionKind, k protocol.CodeActionKind) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if k == o || strings.HasPrefix(string(k), string(o)+".") {
			return true
		}
	}
	return false
}

// kindOf returns the tree kind of a file ("" when it belongs to no tree).
func kindOf(sn *snapshot, rel string) string {
	for _, t := range sn.res.Workspace.Trees {
		for _, f := range t.Files() {
			if f.Path == rel {
				return t.Kind()
			}
		}
	}
	return ""
}

// editBuilder turns byte-offset edits into a workspace edit on the text
// that was linted: versioned document edits when the client takes them,
// so that it refuses an edit made for an older version of a buffer.
type editBuilder struct {
	sn              *snapshot
	dir             string
	documentChanges bool
}

func (b *editBuilder) edit(edits []rules.Edit) (*protocol.WorkspaceEdit, error) {
	byFile := map[string][]rules.Edit{}
	for _, e := range edits {
		byFile[e.Range.File] = append(byFile[e.Range.File], e)
	}
	files := make([]string, 0, len(byFile))
	for p := range byFile {
		files = append(files, p)
	}
	sort.Strings(files)
	we := &protocol.WorkspaceEdit{}
	for _, rel := range files {
		f := b.sn.res.Workspace.File(rel)
		if f == nil {
			return nil, fmt.Errorf("%s was not read", rel)
		}
		var tes []protocol.TextEdit
		for _, e := range byFile[rel] {
			if e.Range.Start.Offset < 0 || e.Range.End.Offset < e.Range.Start.Offset || e.Range.End.Offset > len(f.Content) {
				return nil, fmt.Errorf("edit at %d-%d does not fit %s", e.Range.Start.Offset, e.Range.End.Offset, rel)
			}
			tes = append(tes, protocol.TextEdit{
				Range: protocol.Range{
					Start: lspPos(f, f.Pos(e.Range.Start.Offset), b.sn.enc),
					End:   lspPos(f, f.Pos(e.Range.End.Offset), b.sn.enc),
				},
				NewText: e.NewText,
			})
		}
		u := b.sn.uri(b.dir, rel)
		if b.documentChanges {
			id := protocol.OptionalVersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}}
			if v, ok := b.sn.versions[rel]; ok {
				id.Version = &v
			}
			we.DocumentChanges = append(we.DocumentChanges, protocol.TextDocumentEdit{TextDocument: id, Edits: tes})
		} else {
			if we.Changes == nil {
				we.Changes = map[protocol.DocumentURI][]protocol.TextEdit{}
			}
			we.Changes[u] = tes
		}
	}
	return we, nil
}

// suppressLine returns the edit that suppresses d with a comment in the
// file's own syntax, and a title: the code added to a suppression that
// already applies to d's statement, else a comment at the end of the line
// (after a comment the line already has, as ruff's noqa), else a comment
// on its own line above. Each candidate is checked by
// applying it and running the suppression pass on the result; none is
// offered when none works (a code that cannot be suppressed inline, a
// format without comments).
func suppressLine(f *source.File, kind string, d rules.Finding) (rules.Edit, string, bool) {
	line := d.Range.Start.Line
	if line < 1 || line > f.LineCount() {
		return rules.Edit{}, "", false
	}
	o := suppress.NewOutline(f, kind)
	title := fmt.Sprintf("Suppress %s on this line", d.Code)
	if from, to := o.Extent(line); to > from {
		title = fmt.Sprintf("Suppress %s in this block (lines %d-%d)", d.Code, from, to)
	}
	directive := fmt.Sprintf("# mtlslint: ignore[%s] -- %s", d.Code, reasonPlaceholder)
	var cands []candidate
	src := suppress.NewSources([]suppress.Source{{File: f, Kind: kind}}, nil)
	for _, dir := range src.Directives(f.Path) {
		if dir.FileWide || dir.Problem != "" || dir.From != line || len(dir.Codes) == 0 {
			continue
		}
		at := dir.Codes[len(dir.Codes)-1].Range.End.Offset
		cands = append(cands, candidate{f.Range(at, at), ", " + d.Code, line})
	}
	end := f.LineEnd(line)
	cands = append(cands, candidate{f.Range(end, end), "  " + directive, line})
	at := f.LineStart(line)
	text := f.Line(line)
	indent := text[:len(text)-len(bytes.TrimLeft(text, " \t"))]
	cands = append(cands, candidate{f.Range(at, at), string(indent) + directive + eol(f, line), line + 1})
	for _, c := range cands {
		if c.suppresses(f, kind, d) {
			return rules.Edit{Range: c.at, NewText: c.text}, title, true
		}
	}
	return rules.Edit{}, "", false
}

// codingLine matches Python's source-encoding declaration, which must stay
// on the first two lines.
var codingLine = source.LazyRegexp(`^[ \t\f]*#.*?coding[:=]`)

// suppressFile returns the edit that suppresses d's code in the whole
// file: the code added to an existing ignore-file comment, else a new one
// at the top (after a shebang or an encoding declaration).
func suppressFile(f *source.File, kind string, d rules.Finding) (rules.Edit, bool) {
	var cands []candidate
	src := suppress.NewSources([]suppress.Source{{File: f, Kind: kind}}, nil)
	for _, dir := range src.Directives(f.Path) {
		if dir.FileWide && dir.Problem == "" && len(dir.Codes) > 0 {
			at := dir.Codes[len(dir.Codes)-1].Range.End.Offset
			cands = append(cands, candidate{f.Range(at, at), ", " + d.Code, d.Range.Start.Line})
		}
	}
	top := 1
	for top <= 2 && top <= f.LineCount() {
		l := f.Line(top)
		if (top == 1 && bytes.HasPrefix(l, []byte("#!"))) || codingLine().Match(l) {
			top++
			continue
		}
		break
	}
	at := f.LineStart(top)
	if top == 1 && f.HasBOM() {
		at = 3
	}
	shifted := d.Range.Start.Line
	if shifted >= top {
		shifted++
	}
	directive := fmt.Sprintf("# mtlslint: ignore-file[%s] -- %s", d.Code, reasonPlaceholder)
	nl := eol(f, top)
	if at == len(f.Content) && at > 0 && f.Content[at-1] != '\n' {
		// Only a shebang or encoding line, without a line break.
		cands = append(cands, candidate{f.Range(at, at), nl + directive, d.Range.Start.Line})
	} else {
		cands = append(cands, candidate{f.Range(at, at), directive + nl, shifted})
	}
	for _, c := range cands {
		if c.suppresses(f, kind, d) {
			return rules.Edit{Range: c.at, NewText: c.text}, true
		}
	}
	return rules.Edit{}, false
}

// candidate is an insertion, and the line d's finding moves to with it.
type candidate struct {
	at   source.Range
	text string
	line int
}

// suppresses applies the insertion and reports whether the suppression
// pass then marks d (moved to its new line) as suppressed.
func (c candidate) suppresses(f *source.File, kind string, d rules.Finding) bool {
	content, err := fix.Apply(f.Content, []rules.Edit{{Range: c.at, NewText: c.text}})
	if err != nil {
		return false
	}
	nf := source.NewFile(f.Path, content)
	moved := d
	moved.Suppression = nil
	moved.Range.Start.Line = c.line
	moved.Range.End.Line = c.line
	out := suppress.Apply(suppress.NewSources([]suppress.Source{{File: nf, Kind: kind}}, nil), []rules.Finding{moved}, suppress.Options{Rule: lookup})
	for _, o := range out {
		if o.Code == d.Code && o.Key == d.Key && o.Message == d.Message && o.Suppression != nil {
			return true
		}
	}
	return false
}

// eol is the line break of line n ("\n" when it has none).
func eol(f *source.File, n int) string {
	end := f.LineEnd(n)
	if end < len(f.Content) && f.Content[end] == '\r' {
		return "\r\n"
	}
	return "\n"
}
