package lsp

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/mtlslint/mtlslint/internal/config"
	"github.com/mtlslint/mtlslint/internal/graph"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// root is one workspace folder: one deployment, linted as a whole.
type root struct {
	s        *Server
	dir      string
	name     string
	implicit bool // made for a file outside every folder; dropped with its last buffer

	mu      sync.Mutex
	gen     uint64             // bumped by every change that calls for a lint
	timer   *time.Timer        // the debounce timer of the pending lint
	cancel  context.CancelFunc // cancels the lint in flight
	runGen  uint64             // the generation the lint in flight is for
	snap    *snapshot          // the last completed lint
	updated chan struct{}      // closed and replaced when snap changes
	removed bool

	pubMu     sync.Mutex
	published map[protocol.DocumentURI]string // what was last pushed for each URI
}

func newRoot(s *Server, dir, name string, implicit bool) *root {
	if name == "" {
		name = filepath.Base(dir)
	}
	return &root{s: s, dir: dir, name: name, implicit: implicit, updated: make(chan struct{}), published: map[protocol.DocumentURI]string{}}
}

// snapshot is the outcome of one lint of a root.
type snapshot struct {
	gen uint64
	res *lint.Result // nil when the run failed
	err error
	enc source.Encoding
	// Open buffers that were linted: their URI and version, by
	// root-relative path.
	uris     map[string]protocol.DocumentURI
	versions map[string]int32
	// The reported findings by root-relative path, and as LSP
	// diagnostics by URI with a result id (a hash of them).
	byFile    map[string][]rules.Finding
	lsp       map[protocol.DocumentURI][]protocol.Diagnostic
	resultIDs map[protocol.DocumentURI]string
	// The deployment graph with the findings on it, for the code lenses
	// (graphOf builds it on first use).
	graphOnce  sync.Once
	graph      *graph.Graph
	graphIndex *graph.Index
}

// uri returns the URI of a root-relative path: the open buffer's own URI
// when there is one (clients compare URIs as strings).
func (sn *snapshot) uri(dir, rel string) protocol.DocumentURI {
	if u, ok := sn.uris[rel]; ok {
		return u
	}
	return pathURI(filepath.Join(dir, filepath.FromSlash(rel)))
}

// touch records a change and (re)starts the debounce timer; a lint in
// flight is cancelled, its result would be stale.
func (r *root) touch(delay time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.removed {
		return
	}
	r.gen++
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
	if r.timer != nil {
		r.timer.Stop()
	}
	r.timer = time.AfterFunc(delay, r.start)
}

// flush starts the pending lint now instead of after the debounce delay.
func (r *root) flush() {
	r.mu.Lock()
	t := r.timer
	r.mu.Unlock()
	if t != nil && t.Stop() {
		r.start()
	}
}

// start lints the current state unless a lint of it is done or running.
func (r *root) start() {
	defer func() { r.s.recovered("lint start", recover()) }()
	r.mu.Lock()
	if r.removed || (r.snap != nil && r.snap.gen >= r.gen) || (r.cancel != nil && r.runGen == r.gen) {
		r.mu.Unlock()
		return
	}
	if r.cancel != nil {
		r.cancel()
	}
	gen := r.gen
	ctx, cancel := context.WithCancel(r.s.ctx)
	r.cancel, r.runGen, r.timer = cancel, gen, nil
	r.mu.Unlock()
	r.s.trace("lint start %d", gen)
	r.s.goSafe("lint", func() { r.run(ctx, cancel, gen) })
}

// run lints the root with the open buffers laid over the disk, stores the
// snapshot unless a newer lint has started, and publishes it.
func (r *root) run(ctx context.Context, cancel context.CancelFunc, gen uint64) {
	defer cancel()
	s := r.s
	s.mu.Lock()
	overlay := map[string][]byte{}
	uris := map[string]protocol.DocumentURI{}
	versions := map[string]int32{}
	for _, d := range s.docs {
		if d.path == "" || s.ownerLocked(d.path) != r {
			continue
		}
		rel, err := filepath.Rel(r.dir, d.path)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		overlay[rel] = d.text
		uris[rel] = d.uri
		versions[rel] = d.version
	}
	exclude := s.nestedLocked(r)
	enc, related := s.enc, s.caps.relatedInformation
	s.mu.Unlock()

	snap := &snapshot{gen: gen, enc: enc, uris: uris, versions: versions}
	func() {
		defer func() {
			if msg := s.recovered("lint run", recover()); msg != "" {
				snap.res, snap.err = nil, fmt.Errorf("internal error: %s", msg)
			}
		}()
		snap.res, snap.err = lint.Run(ctx, lint.Options{Root: r.dir, Overlay: overlay, Exclude: exclude, Jobs: s.opts.Jobs, WithModel: true})
	}()
	if ctx.Err() != nil {
		r.s.trace("lint cancelled %d", gen)
		return // superseded by a newer change, or shutting down
	}
	r.s.trace("lint done %d", gen)
	snap.index(r.dir, related)

	r.mu.Lock()
	if r.removed || r.runGen != gen {
		r.mu.Unlock()
		return
	}
	r.cancel = nil
	r.snap = snap
	close(r.updated)
	r.updated = make(chan struct{})
	r.mu.Unlock()
	r.s.publish(r, snap)
}

// index groups the reported findings by file and converts them.
func (sn *snapshot) index(dir string, related bool) {
	sn.byFile = map[string][]rules.Finding{}
	sn.lsp = map[protocol.DocumentURI][]protocol.Diagnostic{}
	sn.resultIDs = map[protocol.DocumentURI]string{}
	if sn.res == nil {
		return
	}
	for _, d := range sn.res.Findings {
		if d.Suppression != nil {
			continue
		}
		sn.byFile[d.Range.File] = append(sn.byFile[d.Range.File], d)
	}
	conv := converter{ws: sn.res.Workspace, enc: sn.enc, related: related, uri: func(rel string) protocol.DocumentURI { return sn.uri(dir, rel) }}
	for rel, ds := range sn.byFile {
		u := sn.uri(dir, rel)
		out := make([]protocol.Diagnostic, len(ds))
		for i, d := range ds {
			out[i] = conv.diagnostic(d)
		}
		sn.lsp[u] = out
	}
	for u, ds := range sn.lsp {
		sn.resultIDs[u] = resultID(ds)
	}
}

// await returns a snapshot that reflects every change made before the
// call, starting the pending lint at once instead of after the debounce.
func (r *root) await(ctx context.Context) (*snapshot, error) {
	r.mu.Lock()
	gen := r.gen
	r.mu.Unlock()
	r.flush()
	for {
		r.mu.Lock()
		if r.snap != nil && r.snap.gen >= gen {
			sn := r.snap
			r.mu.Unlock()
			return sn, nil
		}
		if r.removed {
			r.mu.Unlock()
			return nil, errors.New("the workspace folder was removed")
		}
		idle := r.cancel == nil && r.timer == nil
		ch := r.updated
		r.mu.Unlock()
		if idle {
			r.start() // nothing scheduled yet (a root nobody touched)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// current returns the last snapshot.
func (r *root) current() *snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.snap
}

// stop cancels pending and running lints.
func (r *root) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
}

// remove stops the root for good.
func (r *root) remove() {
	r.stop()
	r.mu.Lock()
	r.removed = true
	close(r.updated)
	r.updated = make(chan struct{})
	r.mu.Unlock()
}

// publish pushes the snapshot's diagnostics: for every file with findings,
// every open buffer of the root, and every file that had findings before
// (now cleared). Files whose diagnostics did not change are skipped; open
// buffers come first, since the user is looking at them. With pull
// diagnostics the client is asked to pull again instead.
func (s *Server) publish(r *root, sn *snapshot) {
	r.pubMu.Lock()
	defer r.pubMu.Unlock()
	if r.current() != sn {
		return // a newer snapshot has been (or is being) published
	}
	s.mu.Lock()
	pull, refresh := s.caps.pull, s.caps.refresh
	s.mu.Unlock()
	if sn.err != nil {
		s.reportRunError(r, sn.err)
	}
	if pull {
		if refresh {
			s.goSafe("diagnostic refresh", func() {
				ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
				defer cancel()
				_, _ = s.conn.Call(ctx, methodDiagnosticRefresh, nil, nil)
			})
		}
		return
	}
	if sn.res == nil {
		return // keep what was published until the configuration is fixed
	}
	want := map[protocol.DocumentURI]bool{}
	for u := range sn.lsp {
		want[u] = true
	}
	open := map[protocol.DocumentURI]int32{}
	for rel, u := range sn.uris {
		want[u] = true
		open[u] = sn.versions[rel]
	}
	for u := range r.published {
		want[u] = true
	}
	order := make([]protocol.DocumentURI, 0, len(want))
	for u := range want {
		order = append(order, u)
	}
	sort.Slice(order, func(i, j int) bool {
		_, oi := open[order[i]]
		_, oj := open[order[j]]
		if oi != oj {
			return oi
		}
		return order[i] < order[j]
	})
	for _, u := range order {
		diags := sn.lsp[u]
		if diags == nil {
			diags = []protocol.Diagnostic{}
		}
		v, isOpen := open[u]
		key := sn.resultIDs[u]
		if isOpen {
			key += fmt.Sprintf("@%d", v)
		}
		prev, was := r.published[u]
		if was && prev == key || !was && len(diags) == 0 && !isOpen {
			continue
		}
		p := &protocol.PublishDiagnosticsParams{URI: u, Diagnostics: diags}
		if isOpen && v >= 0 {
			p.Version = uint32(v)
		}
		if err := s.conn.Notify(s.ctx, protocol.MethodTextDocumentPublishDiagnostics, p); err != nil {
			s.logf("cannot publish diagnostics: %v", err)
			return
		}
		if len(diags) == 0 && !isOpen {
			delete(r.published, u)
		} else {
			r.published[u] = key
		}
	}
}

// reportRunError shows why a lint failed: a configuration error becomes a
// diagnostic on the configuration file and a message.
func (s *Server) reportRunError(r *root, err error) {
	var ce *config.Error
	if !errors.As(err, &ce) {
		s.showError(fmt.Sprintf("cannot lint %s: %v", r.dir, err))
		return
	}
	s.showError(err.Error())
	path := ce.File
	if !filepath.IsAbs(path) {
		path = filepath.Join(r.dir, path)
	}
	line := ce.Line - 1
	if line < 0 {
		line = 0
	}
	u := pathURI(path)
	s.mu.Lock()
	for _, d := range s.docs {
		if d.path == path {
			u = d.uri
		}
	}
	pull := s.caps.pull
	s.mu.Unlock()
	if pull {
		return
	}
	d := protocol.Diagnostic{
		Range:    protocol.Range{Start: protocol.Position{Line: uint32(line)}, End: protocol.Position{Line: uint32(line) + 1}},
		Severity: protocol.DiagnosticSeverityError,
		Source:   "mtlslint",
		Message:  ce.Msg,
	}
	_ = s.conn.Notify(s.ctx, protocol.MethodTextDocumentPublishDiagnostics, &protocol.PublishDiagnosticsParams{URI: u, Diagnostics: []protocol.Diagnostic{d}})
	r.published[u] = "config-error:" + ce.Error()
}

// clearRoot withdraws everything a removed root published.
func (s *Server) clearRoot(r *root) {
	r.pubMu.Lock()
	defer r.pubMu.Unlock()
	s.mu.Lock()
	pull := s.caps.pull
	s.mu.Unlock()
	for u := range r.published {
		if !pull {
			_ = s.conn.Notify(s.ctx, protocol.MethodTextDocumentPublishDiagnostics, &protocol.PublishDiagnosticsParams{URI: u, Diagnostics: []protocol.Diagnostic{}})
		}
		delete(r.published, u)
	}
}
