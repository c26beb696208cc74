package lsp

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"

	"go.lsp.dev/protocol"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// converter turns findings into LSP diagnostics, positions counted in the
// negotiated encoding on the text that was linted.
type converter struct {
	ws      *parsers.Workspace
	enc     source.Encoding
	related bool // the client shows relatedInformation
	uri     func(rel string) protocol.DocumentURI
}

func (c converter) diagnostic(d rules.Finding) protocol.Diagnostic {
	out := protocol.Diagnostic{
		Range:    c.rng(d.Range),
		Severity: severity(d),
		Code:     d.Code,
		Source:   "mtlslint",
		Message:  d.Message,
	}
	// Editors show the message in the squiggle's hover; the detail and
	// the fix belong there too.
	if d.Detail != "" {
		out.Message += "\n" + d.Detail
	}
	if d.FixTitle != "" {
		out.Message += "\nFix: " + d.FixTitle
	}
	if r := lookup(d.Code); r != nil {
		out.CodeDescription = &protocol.CodeDescription{Href: protocol.URI(r.HelpURI())}
	}
	if d.Code == rules.CodeUnusedSuppression {
		out.Tags = []protocol.DiagnosticTag{protocol.DiagnosticTagUnnecessary}
	}
	for _, rel := range d.Related {
		if !rel.Range.IsValid() {
			continue
		}
		if c.related {
			out.RelatedInformation = append(out.RelatedInformation, protocol.DiagnosticRelatedInformation{
				Location: protocol.Location{URI: c.uri(rel.Range.File), Range: c.rng(rel.Range)},
				Message:  rel.Message,
			})
		} else {
			// Without relatedInformation the other end of a cross-file
			// finding would be lost: name it in the message.
			out.Message += fmt.Sprintf("\n%s:%d: %s", rel.Range.File, rel.Range.Start.Line, rel.Message)
		}
	}
	return out
}

// severity maps mtlslint's five levels onto LSP's four.
func severity(d rules.Finding) protocol.DiagnosticSeverity {
	sev := d.Severity
	if sev == 0 {
		if r := lookup(d.Code); r != nil {
			sev = r.Severity
		}
	}
	switch sev {
	case rules.Critical, rules.High:
		return protocol.DiagnosticSeverityError
	case rules.Medium:
		return protocol.DiagnosticSeverityWarning
	case rules.Low:
		return protocol.DiagnosticSeverityInformation
	default:
		return protocol.DiagnosticSeverityHint
	}
}

// file returns the linted text of a root-relative path (nil when it was
// never read).
func (c converter) file(rel string) *source.File {
	if c.ws == nil || rel == "" {
		return nil
	}
	return c.ws.File(rel)
}

// rng converts a range; an end before the start collapses onto the start.
func (c converter) rng(r source.Range) protocol.Range {
	f := c.file(r.File)
	start := lspPos(f, r.Start, c.enc)
	end := start
	if r.End.IsValid() && r.End.Offset >= r.Start.Offset {
		end = lspPos(f, r.End, c.enc)
	}
	return protocol.Range{Start: start, End: end}
}

// lspPos converts a position. A position without a file to measure it
// against keeps its line and byte column.
func lspPos(f *source.File, p source.Pos, enc source.Encoding) protocol.Position {
	if !p.IsValid() {
		return protocol.Position{}
	}
	if f == nil {
		col := p.Col - 1
		if col < 0 {
			col = 0
		}
		return protocol.Position{Line: uint32(p.Line - 1), Character: uint32(col)}
	}
	lp := f.ToLSP(f.Pos(offsetOf(f, p)), enc)
	return protocol.Position{Line: uint32(lp.Line), Character: uint32(lp.Character)}
}

// offsetOf returns p's byte offset in f, trusting Offset when it lies on
// p's line and recomputing it from Line and Col otherwise (a problem
// reported with a line but no offset).
func offsetOf(f *source.File, p source.Pos) int {
	start, end := f.LineStart(p.Line), f.LineEnd(p.Line)
	if p.Offset >= start && p.Offset <= end {
		return p.Offset
	}
	off := start + p.Col - 1
	if off < start {
		off = start
	}
	if off > end {
		off = end
	}
	return off
}

// offset converts an LSP position into a byte offset in f.
func offset(f *source.File, p protocol.Position, enc source.Encoding) int {
	return f.Offset(int(p.Line), int(p.Character), enc)
}

// resultID identifies a list of diagnostics by content, so that an
// unchanged result can be answered with "unchanged".
func resultID(ds []protocol.Diagnostic) string {
	h := fnv.New64a()
	b, _ := json.Marshal(ds)
	h.Write(b)
	return fmt.Sprintf("%016x", h.Sum64())
}

// registry maps codes to rules, built on first use.
var registry = sync.OnceValue(func() map[string]*rules.Rule {
	m := map[string]*rules.Rule{}
	for _, r := range lint.Registry() {
		m[strings.ToUpper(r.Code)] = r
	}
	return m
})

// lookup returns the rule of a code, including rules registered after
// start-up (tests).
func lookup(code string) *rules.Rule {
	if r := registry()[strings.ToUpper(code)]; r != nil {
		return r
	}
	return lint.Lookup(code)
}
