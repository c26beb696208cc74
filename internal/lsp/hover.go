package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// at returns the current snapshot for a document and its linted text, or
// nils when the document is in no root or was not linted.
func (s *Server) at(ctx context.Context, u protocol.DocumentURI) (*root, *snapshot, string, *source.File, error) {
	r, rel, err := s.rootFor(u)
	if err != nil || r == nil {
		return nil, nil, "", nil, err
	}
	sn, err := r.await(ctx)
	if err != nil {
		return nil, nil, "", nil, err
	}
	if sn.res == nil {
		return r, sn, rel, nil, nil
	}
	return r, sn, rel, sn.res.Workspace.File(rel), nil
}

// spans reports whether the finding's range holds the byte offset off
// (its end included, so that a cursor right after it still counts).
func spans(f *source.File, d rules.Finding, off int) bool {
	start := offsetOf(f, d.Range.Start)
	end := start
	if d.Range.End.IsValid() && d.Range.End.Offset >= d.Range.Start.Offset {
		end = offsetOf(f, d.Range.End)
	}
	return start <= off && off <= end
}

// hover shows, over a finding, its message and its rule's documentation.
func (s *Server) hover(ctx context.Context, raw json.RawMessage) (any, error) {
	var p protocol.HoverParams
	if err := decode(raw, &p); err != nil {
		return nil, err
	}
	_, sn, rel, f, err := s.at(ctx, p.TextDocument.URI)
	if err != nil || f == nil {
		return nil, err
	}
	off := offset(f, p.Position, sn.enc)
	var hits []rules.Finding
	for _, d := range sn.byFile[rel] {
		if spans(f, d, off) {
			hits = append(hits, d)
		}
	}
	if len(hits) == 0 {
		return nil, nil
	}
	s.mu.Lock()
	markdown := s.caps.markdownHover
	s.mu.Unlock()
	var b strings.Builder
	seen := map[string]bool{}
	for i, d := range hits {
		if i > 0 {
			b.WriteString("\n\n")
		}
		if markdown {
			fmt.Fprintf(&b, "**%s** %s: %s", d.Code, d.Name, d.Message)
		} else {
			fmt.Fprintf(&b, "%s %s: %s", d.Code, d.Name, d.Message)
		}
	}
	for _, d := range hits {
		r := lookup(d.Code)
		if r == nil || seen[r.Code] {
			continue
		}
		seen[r.Code] = true
		if markdown {
			b.WriteString("\n\n---\n\n")
			b.WriteString(strings.TrimSpace(r.Markdown()))
			fmt.Fprintf(&b, "\n\n[%s documentation](%s)", r.Code, r.HelpURI())
		} else {
			b.WriteString("\n\n")
			b.WriteString(strings.TrimSpace(r.Text()))
		}
	}
	kind := protocol.PlainText
	if markdown {
		kind = protocol.Markdown
	}
	conv := converter{ws: sn.res.Workspace, enc: sn.enc}
	rng := conv.rng(hits[0].Range)
	return &protocol.Hover{Contents: protocol.MarkupContent{Kind: kind, Value: b.String()}, Range: &rng}, nil
}
