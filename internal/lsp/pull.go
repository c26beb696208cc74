package lsp

import (
	"context"
	"encoding/json"
	"reflect"
	"sort"

	"go.lsp.dev/protocol"
)

// documentDiagnostic answers textDocument/diagnostic (LSP 3.17 pull
// diagnostics) from a lint that includes every change made before the
// request. When the client supports it, the report carries the other open
// documents of the folder whose diagnostics changed since they were last
// pulled: an edit of nginx.conf can change settings.py's findings.
func (s *Server) documentDiagnostic(ctx context.Context, raw json.RawMessage) (any, error) {
	var p documentDiagnosticParams
	if err := decode(raw, &p); err != nil {
		return nil, err
	}
	r, rel, err := s.rootFor(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return fullReport{Kind: reportFull, Items: []protocol.Diagnostic{}}, nil
	}
	sn, err := r.await(ctx)
	if err != nil {
		return nil, err
	}
	if sn.res == nil && p.PreviousResultID != "" {
		// The run failed (a configuration error, shown separately): keep
		// what the client has.
		return unchangedReport{Kind: reportUnchanged, ResultID: p.PreviousResultID}, nil
	}
	self := sn.uri(r.dir, rel)
	items := nonNil(sn.lsp[self])
	id := resultID(items)

	s.mu.Lock()
	defer s.mu.Unlock()
	var related map[protocol.DocumentURI]any
	if s.caps.relatedDocuments {
		others := make([]string, 0, len(sn.uris))
		for orel := range sn.uris {
			others = append(others, orel)
		}
		sort.Strings(others)
		for _, orel := range others {
			u := sn.uris[orel]
			if u == self || s.docs[u] == nil {
				continue
			}
			oitems := nonNil(sn.lsp[u])
			oid := resultID(oitems)
			if s.pulled[u] == oid {
				continue
			}
			if related == nil {
				related = map[protocol.DocumentURI]any{}
			}
			related[u] = fullReport{Kind: reportFull, ResultID: oid, Items: oitems}
			s.pulled[u] = oid
		}
	}
	if s.docs[p.TextDocument.URI] != nil {
		s.pulled[p.TextDocument.URI] = id
	}
	if p.PreviousResultID == id {
		return unchangedReport{Kind: reportUnchanged, ResultID: id, RelatedDocuments: related}, nil
	}
	return fullReport{Kind: reportFull, ResultID: id, Items: items, RelatedDocuments: related}, nil
}

func nonNil(ds []protocol.Diagnostic) []protocol.Diagnostic {
	if ds == nil {
		return []protocol.Diagnostic{}
	}
	return ds
}

// workspaceDiagnostic answers workspace/diagnostic: the findings of every
// file of every folder, open or not, and an empty report for a file the
// client has a result for that has no findings now. When nothing changed
// since the client's previous results it waits for the next lint that
// changes something (clients re-issue this request as soon as it is
// answered).
func (s *Server) workspaceDiagnostic(ctx context.Context, raw json.RawMessage) (any, error) {
	var p workspaceDiagnosticParams
	if len(raw) > 0 {
		if err := decode(raw, &p); err != nil {
			return nil, err
		}
	}
	prev := map[protocol.DocumentURI]string{}
	for _, x := range p.PreviousResultIDs {
		prev[x.URI] = x.Value
	}
	for {
		roots := s.allRoots()
		var waits []reflect.SelectCase
		var items []any
		changed, stale := false, false
		reported := map[protocol.DocumentURI]bool{}
		for _, r := range roots {
			sn, err := r.await(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil, err
				}
				continue
			}
			r.mu.Lock()
			waits = append(waits, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(r.updated)})
			stale = stale || r.snap != sn
			r.mu.Unlock()
			if sn.res == nil {
				continue
			}
			uris := make([]protocol.DocumentURI, 0, len(sn.lsp))
			for u := range sn.lsp {
				uris = append(uris, u)
			}
			for u := range prev {
				if _, ok := sn.lsp[u]; !ok {
					if path, ok := uriPath(u); ok && s.owner(path) == r {
						uris = append(uris, u)
					}
				}
			}
			sort.Slice(uris, func(i, j int) bool { return uris[i] < uris[j] })
			versions := map[protocol.DocumentURI]int32{}
			for rel, u := range sn.uris {
				versions[u] = sn.versions[rel]
			}
			for _, u := range uris {
				if reported[u] {
					continue
				}
				reported[u] = true
				ds := nonNil(sn.lsp[u])
				id := resultID(ds)
				var version *int32
				if v, ok := versions[u]; ok {
					version = &v
				}
				if prev[u] == id {
					items = append(items, workspaceUnchangedReport{Kind: reportUnchanged, ResultID: id, URI: u, Version: version})
					continue
				}
				changed = true
				items = append(items, workspaceFullReport{Kind: reportFull, ResultID: id, Items: ds, URI: u, Version: version})
			}
		}
		s.mu.Lock()
		first := !s.answeredWorkspace
		s.answeredWorkspace = true
		s.mu.Unlock()
		if changed || first {
			if items == nil {
				items = []any{}
			}
			return workspaceReport{Items: items}, nil
		}
		if stale {
			continue // a newer lint finished meanwhile
		}
		waits = append(waits, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())})
		reflect.Select(waits)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}
