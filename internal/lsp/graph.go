package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/mtlslint/mtlslint/internal/graph"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// commandShowGraph opens the graph of the route a finding is about: the
// code lens on every finding that sits on the deployment graph runs it.
const commandShowGraph = "mtlslint.showRouteGraph"

// methodShowDocument asks the client to show a document (LSP 3.16).
const methodShowDocument = "window/showDocument"

// showDocumentParams are window/showDocument's parameters.
type showDocumentParams struct {
	URI       protocol.DocumentURI `json:"uri"`
	External  bool                 `json:"external,omitempty"`
	TakeFocus bool                 `json:"takeFocus,omitempty"`
}

// graphArgs are the argument of commandShowGraph: where the finding sits
// on the graph, and how to show it.
type graphArgs struct {
	// URI is a file of the workspace the finding belongs to.
	URI    protocol.DocumentURI `json:"uri"`
	Routes []string             `json:"routes,omitempty"`
	Nodes  []string             `json:"nodes,omitempty"`
	// Format is "svg" (opened outside the editor, in the program that
	// shows SVG files: a browser) or "mermaid" (a Markdown document with a
	// Mermaid diagram, opened in the editor, for its Markdown preview).
	Format string `json:"format"`
	// Title names the findings, for the document's heading.
	Title string `json:"title,omitempty"`
}

// graphResult is commandShowGraph's answer: the documents it wrote, for
// clients that cannot be asked to show them.
type graphResult struct {
	SVG     protocol.DocumentURI `json:"svg"`
	Mermaid protocol.DocumentURI `json:"mermaid"`
}

// graphOf returns the snapshot's graph and the index that places its
// findings, built on first use.
func (sn *snapshot) graphOf() (*graph.Graph, *graph.Index) {
	sn.graphOnce.Do(func() {
		if sn.res == nil || sn.res.Model == nil {
			return
		}
		sn.graph = graph.Build(sn.res.Model, graph.FromDiagnostics(sn.res.Findings))
		sn.graphIndex = graph.NewIndex(sn.res.Model)
	})
	return sn.graph, sn.graphIndex
}

// codeLens puts, above every finding that sits on the deployment graph,
// the commands that open the graph of its route (as SVG, as Mermaid).
func (s *Server) codeLens(ctx context.Context, raw json.RawMessage) (any, error) {
	var p protocol.CodeLensParams
	if err := decode(raw, &p); err != nil {
		return nil, err
	}
	lenses := []protocol.CodeLens{}
	_, sn, rel, f, err := s.at(ctx, p.TextDocument.URI)
	if err != nil || f == nil {
		return lenses, err
	}
	_, ix := sn.graphOf()
	if ix == nil {
		return lenses, nil
	}
	type group struct {
		line  int
		pos   source.Pos
		place graph.Place
		codes []string
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, d := range sn.byFile[rel] {
		place := ix.Locate(graph.FromDiagnostic(d))
		if place.Empty() {
			continue
		}
		// One pair of lenses per line and route: the findings of a line
		// on one route (about several headers, several trust sites) open
		// one graph with all of them.
		k := fmt.Sprintf("%d\x00%q", d.Range.Start.Line, place.Routes)
		if len(place.Routes) == 0 {
			k += place.Key()
		}
		g := byKey[k]
		if g == nil {
			g = &group{line: d.Range.Start.Line, pos: d.Range.Start, place: place}
			byKey[k] = g
			groups = append(groups, g)
		}
		for _, n := range place.Nodes {
			if !slices.Contains(g.place.Nodes, n) {
				g.place.Nodes = append(g.place.Nodes, n)
			}
		}
		if !slices.Contains(g.codes, d.Code) {
			g.codes = append(g.codes, d.Code)
		}
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].line < groups[j].line })
	for _, g := range groups {
		sort.Strings(g.place.Nodes)
	}
	for _, g := range groups {
		at := lspPos(f, g.pos, sn.enc)
		rng := protocol.Range{Start: at, End: at}
		title := strings.Join(g.codes, ", ")
		for _, format := range []string{"svg", "mermaid"} {
			label := "mtlslint: route graph of " + title
			if format == "mermaid" {
				label = "Mermaid"
			}
			args := graphArgs{URI: p.TextDocument.URI, Routes: g.place.Routes, Nodes: g.place.Nodes, Format: format, Title: title}
			lenses = append(lenses, protocol.CodeLens{Range: rng, Command: &protocol.Command{Title: label, Command: commandShowGraph, Arguments: []any{args}}})
		}
	}
	return lenses, nil
}

// executeCommand runs commandShowGraph: it writes the graph of the
// finding's routes as an SVG file and as a Markdown file with a Mermaid
// diagram, asks the client to show the one asked for (when the client
// can be asked), and answers with both.
func (s *Server) executeCommand(ctx context.Context, raw json.RawMessage) (any, error) {
	var p protocol.ExecuteCommandParams
	if err := decode(raw, &p); err != nil {
		return nil, err
	}
	if p.Command != commandShowGraph {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "unknown command %q", p.Command)
	}
	var args graphArgs
	if len(p.Arguments) != 1 {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s takes one argument", commandShowGraph)
	}
	b, _ := json.Marshal(p.Arguments[0])
	if err := json.Unmarshal(b, &args); err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: %v", commandShowGraph, err)
	}
	r, sn, _, _, err := s.at(ctx, args.URI)
	if err != nil {
		return nil, err
	}
	if r == nil || sn == nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s is in no workspace", args.URI)
	}
	full, _ := sn.graphOf()
	if full == nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "no deployment model for %s", args.URI)
	}
	g := full.Only(args.Routes, args.Nodes)
	if len(g.Nodes) == 0 {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "the route is no longer in the deployment (the files changed since the lens was shown)")
	}
	dir := s.opts.GraphDir
	if dir == "" {
		if dir, err = os.UserCacheDir(); err != nil {
			dir = os.TempDir()
		}
		dir = filepath.Join(dir, "mtlslint", "graphs")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	place := graph.Place{Routes: args.Routes, Nodes: args.Nodes}
	base := filepath.Join(dir, "route-"+place.Anchor())
	var svg bytes.Buffer
	link := func(l graph.Loc) string {
		return string(pathURI(filepath.Join(r.dir, filepath.FromSlash(l.File))))
	}
	if err := graph.SVG(&svg, g, graph.Options{Link: link}); err != nil {
		return nil, err
	}
	var md bytes.Buffer
	fmt.Fprintf(&md, "# mtlslint: route graph of %s\n\n%s\n\n```mermaid\n", rules.Printable(args.Title), rules.Printable(r.dir))
	if err := graph.Mermaid(&md, g); err != nil {
		return nil, err
	}
	md.WriteString("```\n")
	if err := os.WriteFile(base+".svg", svg.Bytes(), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(base+".md", md.Bytes(), 0o644); err != nil {
		return nil, err
	}
	res := graphResult{SVG: pathURI(base + ".svg"), Mermaid: pathURI(base + ".md")}
	show := showDocumentParams{URI: res.SVG, External: true, TakeFocus: true}
	if args.Format == "mermaid" {
		show = showDocumentParams{URI: res.Mermaid, TakeFocus: true}
	}
	s.mu.Lock()
	canShow := s.caps.showDocument
	s.mu.Unlock()
	if canShow {
		var shown struct {
			Success bool `json:"success"`
		}
		if _, err := s.conn.Call(ctx, methodShowDocument, show, &shown); err != nil || !shown.Success {
			s.logf("the client did not show %s: %v", show.URI, err)
		}
	} else {
		_ = s.conn.Notify(s.ctx, protocol.MethodWindowShowMessage, &protocol.ShowMessageParams{Type: protocol.MessageTypeInfo, Message: "mtlslint: route graph written to " + string(show.URI)})
	}
	return res, nil
}
