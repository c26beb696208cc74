// Package lsp is mtlslint's Language Server: live diagnostics for nginx,
// HAProxy, Django/gunicorn, compose and Terraform files in any editor that
// speaks the Language Server Protocol.
//
// Every workspace folder is one deployment. Open buffers are laid over the
// files on disk and the folder is linted by the same pipeline as `mtlslint
// check` (lint.Run with Options.Overlay), so a change in a proxy
// configuration re-evaluates the cross-file rules and republishes the
// findings of every file it affects, open or not. Diagnostics are pushed
// (textDocument/publishDiagnostics) or, when the client supports LSP 3.17
// pull diagnostics, pulled (textDocument/diagnostic, workspace/diagnostic).
// Code actions apply a rule's fix or insert a suppression comment; hovering
// a finding shows its rule's documentation.
package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/mtlslint/mtlslint/internal/config"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// DefaultDebounce is how long the server waits after an edit before it
// lints, so that a burst of keystrokes costs one run.
const DefaultDebounce = 100 * time.Millisecond

// GCPercent is the garbage collector setting the lsp command runs with
// (unless GOGC is set): the server lints the whole deployment on every
// edit and keeps little from one run to the next, so collecting less often
// than Go's default (100) saves much of the CPU time per edit for a few
// tens of megabytes (BenchmarkEditToDiagnostics*).
const GCPercent = 400

// Options configure a server.
type Options struct {
	// Debounce is the delay between an edit and the lint it triggers;
	// zero lints at once. The client's initializationOptions.debounceMs
	// overrides it.
	Debounce time.Duration
	// Log receives the server's log lines (the command passes standard
	// error); nil discards them. Errors go to the client's log too.
	Log io.Writer
	// Jobs bounds the parallelism of one lint run (0: all CPUs).
	Jobs int
	// Version is reported to the client as the server's version.
	Version string
	// GraphDir is where the route graphs the code lenses open are
	// written; empty means the user's cache directory (mtlslint/graphs).
	GraphDir string

	// trace, when set, is told of the server's steps (tests).
	trace func(event string)
}

// Serve speaks the Language Server Protocol on rwc until the client sends
// exit or closes the stream. It returns an error when the client exits
// without asking for shutdown first, or the stream fails before exit.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, opts Options) error {
	s := newServer(opts)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.ctx = ctx
	st := newStream(rwc, s.logf)
	s.conn = jsonrpc2.NewConn(st)
	s.conn.Go(ctx, s.handle)
	select {
	case <-s.exited:
	case <-s.conn.Done():
	case <-ctx.Done():
	}
	var err error
	select {
	case <-s.exited: // also when the stream ended right after exit
		s.mu.Lock()
		if !s.shutdown {
			err = errors.New("the client exited without shutdown")
		}
		s.mu.Unlock()
	default:
		if err = ctx.Err(); err == nil {
			err = s.conn.Err()
			if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
				err = errors.New("the client closed the connection without exit")
			}
		}
	}
	cancel()
	s.stopAll()
	_ = s.conn.Close()
	return err
}

// Server is the state of one connection.
type Server struct {
	opts Options
	ctx  context.Context
	conn jsonrpc2.Conn

	mu          sync.Mutex
	initialized bool
	shutdown    bool
	exited      chan struct{}
	exitOnce    sync.Once
	enc         source.Encoding
	caps        clientCaps
	debounce    time.Duration
	docs        map[protocol.DocumentURI]*document
	roots       []*root // deepest directory first
	inflight    map[string]context.CancelFunc
	pulled      map[protocol.DocumentURI]string // result id last sent by pull
	errShown    map[string]bool
	// answeredWorkspace: a workspace/diagnostic request was answered;
	// later ones wait for a change.
	answeredWorkspace bool
}

// clientCaps are the client capabilities the server acts on.
type clientCaps struct {
	pull, refresh, relatedDocuments bool
	relatedInformation              bool
	markdownHover                   bool
	documentChanges                 bool
	watchDynamic                    bool
	showDocument                    bool
}

func newServer(opts Options) *Server {
	return &Server{
		opts: opts, exited: make(chan struct{}), enc: source.UTF16, debounce: opts.Debounce,
		docs: map[protocol.DocumentURI]*document{}, inflight: map[string]context.CancelFunc{},
		pulled: map[protocol.DocumentURI]string{}, errShown: map[string]bool{},
	}
}

// logf writes a line to the server's log.
func (s *Server) logf(format string, args ...any) {
	if s.opts.Log != nil {
		fmt.Fprintf(s.opts.Log, "mtlslint lsp: "+format+"\n", args...)
	}
}

func (s *Server) trace(format string, args ...any) {
	if s.opts.trace != nil {
		s.opts.trace(fmt.Sprintf(format, args...))
	}
}

// errorf logs an error here and in the client's log.
func (s *Server) errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.logf("%s", msg)
	if s.conn != nil {
		_ = s.conn.Notify(s.ctx, protocol.MethodWindowLogMessage, &protocol.LogMessageParams{Type: protocol.MessageTypeError, Message: "mtlslint: " + msg})
	}
}

// showError tells the user about a problem once per distinct message.
func (s *Server) showError(msg string) {
	s.mu.Lock()
	shown := s.errShown[msg]
	s.errShown[msg] = true
	s.mu.Unlock()
	s.errorf("%s", msg)
	if !shown {
		_ = s.conn.Notify(s.ctx, protocol.MethodWindowShowMessage, &protocol.ShowMessageParams{Type: protocol.MessageTypeError, Message: "mtlslint: " + msg})
	}
}

// recovered turns a panic into a logged error; it returns the panic
// value's message, or "" when there was none.
func (s *Server) recovered(where string, v any) string {
	if v == nil {
		return ""
	}
	s.errorf("internal error in %s: %v\n%s", where, v, debug.Stack())
	return fmt.Sprint(v)
}

// go runs fn in a goroutine that cannot take the server down.
func (s *Server) goSafe(where string, fn func()) {
	go func() {
		defer func() { s.recovered(where, recover()) }()
		fn()
	}()
}

// handle is the connection's handler. It runs in the connection's read
// loop, so notifications are applied in the order they arrive and requests
// see the documents as the notifications before them left them; requests
// then run in their own goroutines. It never returns an error, which would
// close the connection.
func (s *Server) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) (err error) {
	method := req.Method()
	call, isCall := req.(*jsonrpc2.Call)
	// Replies never return their error to the connection: it would close
	// the connection (and jsonrpc2 v0.10.0 panics when it fails twice with
	// errors of different types).
	var replied sync.Once
	once := func(ctx context.Context, result any, err error) error {
		replied.Do(func() {
			if werr := reply(ctx, result, err); werr != nil {
				s.logf("cannot reply to %s: %v", method, werr)
			}
		})
		return nil
	}
	defer func() {
		if msg := s.recovered(method, recover()); msg != "" && isCall {
			_ = once(ctx, nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error in %s: %s", method, msg))
		}
	}()

	s.mu.Lock()
	initialized, shutdown := s.initialized, s.shutdown
	s.mu.Unlock()
	switch {
	case method == protocol.MethodExit:
		s.exitOnce.Do(func() { close(s.exited) })
		return nil
	case method == protocol.MethodInitialize:
		if initialized {
			return once(ctx, nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "initialize was already received"))
		}
		res, err := s.initialize(req.Params())
		return once(ctx, res, err)
	case !initialized:
		if isCall {
			return once(ctx, nil, jsonrpc2.Errorf(jsonrpc2.ServerNotInitialized, "%s before initialize", method))
		}
		return nil
	case shutdown:
		if isCall {
			return once(ctx, nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "%s after shutdown", method))
		}
		return nil
	}

	s.trace("%s %s", map[bool]string{true: "request", false: "notification"}[isCall], method)
	if !isCall {
		if err := s.notification(method, req.Params()); err != nil {
			s.errorf("%s: %v", method, err)
		}
		return nil
	}
	var fn func(ctx context.Context, params json.RawMessage) (any, error)
	switch method {
	case protocol.MethodShutdown:
		s.mu.Lock()
		s.shutdown = true
		s.mu.Unlock()
		s.stopAll()
		return once(ctx, nil, nil)
	case protocol.MethodTextDocumentHover:
		fn = s.hover
	case protocol.MethodTextDocumentCodeAction:
		fn = s.codeAction
	case methodDocumentDiagnostic:
		fn = s.documentDiagnostic
	case methodWorkspaceDiagnostic:
		fn = s.workspaceDiagnostic
	case protocol.MethodTextDocumentCodeLens:
		fn = s.codeLens
	case protocol.MethodWorkspaceExecuteCommand:
		fn = s.executeCommand
	default:
		return once(ctx, nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", method))
	}
	key := fmt.Sprintf("%q", call.ID())
	rctx, cancel := context.WithCancel(s.ctx)
	s.mu.Lock()
	s.inflight[key] = cancel
	s.mu.Unlock()
	params := req.Params()
	go func() {
		defer func() {
			s.mu.Lock()
			delete(s.inflight, key)
			s.mu.Unlock()
			cancel()
		}()
		defer func() {
			if msg := s.recovered(method, recover()); msg != "" {
				_ = once(ctx, nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error in %s: %s", method, msg))
			}
		}()
		res, err := fn(rctx, params)
		if err != nil && rctx.Err() != nil {
			err = jsonrpc2.Errorf(codeRequestCancelled, "%s cancelled", method)
		}
		_ = once(ctx, res, err)
	}()
	return nil
}

// decode reads a request's parameters; a mismatch is an InvalidParams
// error for the client.
func decode(params json.RawMessage, v any) error {
	if len(params) == 0 {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "missing parameters")
	}
	if err := json.Unmarshal(params, v); err != nil {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid parameters: %v", err)
	}
	return nil
}

func (s *Server) notification(method string, params json.RawMessage) error {
	switch method {
	case protocol.MethodInitialized:
		s.registerWatchers()
		for _, r := range s.allRoots() {
			r.touch(0)
		}
	case protocol.MethodCancelRequest:
		var p cancelParams
		if err := decode(params, &p); err != nil {
			return err
		}
		key := ""
		switch id := p.ID.(type) {
		case float64:
			key = fmt.Sprintf("#%d", int64(id))
		case string:
			key = fmt.Sprintf("%q", id)
		}
		s.mu.Lock()
		cancel := s.inflight[key]
		s.mu.Unlock()
		if cancel != nil {
			cancel()
		}
	case protocol.MethodTextDocumentDidOpen:
		var p protocol.DidOpenTextDocumentParams
		if err := decode(params, &p); err != nil {
			return err
		}
		return s.didOpen(p)
	case protocol.MethodTextDocumentDidChange:
		var p didChangeParams
		if err := decode(params, &p); err != nil {
			return err
		}
		return s.didChange(p)
	case protocol.MethodTextDocumentDidSave:
		var p protocol.DidSaveTextDocumentParams
		if err := decode(params, &p); err != nil {
			return err
		}
		s.didSave(p.TextDocument.URI)
	case protocol.MethodTextDocumentDidClose:
		var p protocol.DidCloseTextDocumentParams
		if err := decode(params, &p); err != nil {
			return err
		}
		s.didClose(p.TextDocument.URI)
	case protocol.MethodWorkspaceDidChangeWatchedFiles:
		var p protocol.DidChangeWatchedFilesParams
		if err := decode(params, &p); err != nil {
			return err
		}
		s.filesChanged(p.Changes)
	case protocol.MethodWorkspaceDidChangeConfiguration:
		// The settings live in .mtlslint.toml; the editor's change may
		// still mean that a file the server reads has changed.
		for _, r := range s.allRoots() {
			r.touch(s.delay())
		}
	case protocol.MethodWorkspaceDidChangeWorkspaceFolders:
		var p protocol.DidChangeWorkspaceFoldersParams
		if err := decode(params, &p); err != nil {
			return err
		}
		s.foldersChanged(p.Event)
	}
	// Other notifications ($/setTrace, $/progress, willSave...) need
	// nothing from a linter.
	return nil
}

// initialize negotiates capabilities and sets up the workspace roots.
func (s *Server) initialize(raw json.RawMessage) (any, error) {
	var p protocol.InitializeParams
	if err := decode(raw, &p); err != nil {
		// A capability the library models differently from this client
		// must not keep the server from starting.
		s.logf("initialize: %v; going on with the defaults", err)
		p = protocol.InitializeParams{}
	}
	// The workspace, read apart from the capabilities; rootUri and
	// rootPath are deprecated but what older clients send.
	var roots struct {
		RootURI          protocol.DocumentURI       `json:"rootUri"`
		RootPath         string                     `json:"rootPath"`
		WorkspaceFolders []protocol.WorkspaceFolder `json:"workspaceFolders"`
	}
	_ = json.Unmarshal(raw, &roots)
	var x initializeExtras
	_ = json.Unmarshal(raw, &x)

	s.mu.Lock()
	defer s.mu.Unlock()
	caps := p.Capabilities
	if td := caps.TextDocument; td != nil {
		if pd := td.PublishDiagnostics; pd != nil {
			s.caps.relatedInformation = pd.RelatedInformation
		}
		if h := td.Hover; h != nil {
			for _, k := range h.ContentFormat {
				if k == protocol.Markdown {
					s.caps.markdownHover = true
				}
			}
		}
	}
	if ws := caps.Workspace; ws != nil {
		if ws.WorkspaceEdit != nil {
			s.caps.documentChanges = ws.WorkspaceEdit.DocumentChanges
		}
		if ws.DidChangeWatchedFiles != nil {
			s.caps.watchDynamic = ws.DidChangeWatchedFiles.DynamicRegistration
		}
	}
	if w := caps.Window; w != nil && w.ShowDocument != nil {
		s.caps.showDocument = w.ShowDocument.Support
	}
	xc := x.Capabilities
	if xc.TextDocument != nil && xc.TextDocument.Diagnostic != nil {
		s.caps.pull = true
		s.caps.relatedDocuments = xc.TextDocument.Diagnostic.RelatedDocumentSupport
	}
	if xc.Workspace != nil && xc.Workspace.Diagnostics != nil {
		s.caps.refresh = xc.Workspace.Diagnostics.RefreshSupport
	}
	if o := x.InitializationOptions; o != nil && o.DebounceMs != nil && *o.DebounceMs >= 0 {
		s.debounce = time.Duration(*o.DebounceMs) * time.Millisecond
	}

	// Position encoding: UTF-8 when the client offers it (no conversion
	// on either side), else LSP's mandatory UTF-16.
	res := &initializeResult{ServerInfo: &protocol.ServerInfo{Name: "mtlslint", Version: s.opts.Version}}
	encName := encodingUTF16
	if xc.General != nil && len(xc.General.PositionEncodings) > 0 {
		if contains(xc.General.PositionEncodings, encodingUTF8) {
			encName = encodingUTF8
		}
		res.Capabilities.PositionEncoding = encName
	} else if len(xc.OffsetEncoding) > 0 {
		if contains(xc.OffsetEncoding, encodingUTF8) {
			encName = encodingUTF8
		}
		res.OffsetEncoding = encName
	}
	if encName == encodingUTF8 {
		s.enc = source.UTF8
	}

	// Workspace roots: one per folder, else the root URI.
	folders := roots.WorkspaceFolders
	if len(folders) == 0 && roots.RootURI != "" {
		folders = []protocol.WorkspaceFolder{{URI: string(roots.RootURI)}}
	}
	if len(folders) == 0 && roots.RootPath != "" {
		folders = []protocol.WorkspaceFolder{{URI: string(pathURI(roots.RootPath))}}
	}
	for _, f := range folders {
		if dir, ok := uriPath(protocol.DocumentURI(f.URI)); ok {
			s.addRootLocked(dir, f.Name, false)
		}
	}

	c := &res.Capabilities
	c.TextDocumentSync = &protocol.TextDocumentSyncOptions{
		OpenClose: true,
		Change:    protocol.TextDocumentSyncKindIncremental,
		Save:      &protocol.SaveOptions{IncludeText: false},
	}
	c.HoverProvider = true
	c.CodeLensProvider = &protocol.CodeLensOptions{}
	c.ExecuteCommandProvider = &protocol.ExecuteCommandOptions{Commands: []string{commandShowGraph}}
	c.CodeActionProvider = &protocol.CodeActionOptions{CodeActionKinds: []protocol.CodeActionKind{protocol.QuickFix, kindFixAll}}
	c.Workspace = &protocol.ServerCapabilitiesWorkspace{
		WorkspaceFolders: &protocol.ServerCapabilitiesWorkspaceFolders{Supported: true, ChangeNotifications: true},
	}
	if s.caps.pull {
		c.DiagnosticProvider = &diagnosticOptions{Identifier: "mtlslint", InterFileDependencies: true, WorkspaceDiagnostics: true}
	}
	s.initialized = true
	return res, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// watchedGlobs are the files whose change on disk can change findings:
// configuration files and the files mtlslint reads.
var watchedGlobs = []string{
	"**/.mtlslint.toml", "**/pyproject.toml", "**/.gitignore",
	"**/*.conf", "**/*.cfg", "**/*.py", "**/*.yml", "**/*.yaml", "**/*.tf", "**/*.json",
	"**/nginx*", "**/haproxy*", "**/sites-available/**", "**/sites-enabled/**", "**/conf.d/**",
}

// registerWatchers asks the client to report changes of watchedGlobs, when
// it can watch files on the server's behalf.
func (s *Server) registerWatchers() {
	s.mu.Lock()
	dynamic := s.caps.watchDynamic
	s.mu.Unlock()
	if !dynamic {
		return
	}
	watchers := make([]protocol.FileSystemWatcher, len(watchedGlobs))
	for i, g := range watchedGlobs {
		watchers[i] = protocol.FileSystemWatcher{GlobPattern: g}
	}
	params := &protocol.RegistrationParams{Registrations: []protocol.Registration{{
		ID:              "mtlslint-watched-files",
		Method:          protocol.MethodWorkspaceDidChangeWatchedFiles,
		RegisterOptions: protocol.DidChangeWatchedFilesRegistrationOptions{Watchers: watchers},
	}}}
	// The reply arrives through the read loop this runs in: wait for it
	// elsewhere.
	s.goSafe("client/registerCapability", func() {
		ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
		defer cancel()
		if _, err := s.conn.Call(ctx, protocol.MethodClientRegisterCapability, params, nil); err != nil {
			s.logf("the client did not register the file watchers: %v", err)
		}
	})
}

func (s *Server) delay() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.debounce
}

func (s *Server) didOpen(p protocol.DidOpenTextDocumentParams) error {
	td := p.TextDocument
	path, _ := uriPath(td.URI)
	s.mu.Lock()
	s.docs[td.URI] = &document{uri: td.URI, path: path, version: td.Version, text: []byte(td.Text)}
	var r *root
	if path != "" {
		if r = s.ownerLocked(path); r == nil {
			r = s.addRootLocked(implicitRoot(path), "", true)
		}
	}
	s.mu.Unlock()
	if r != nil {
		r.touch(0)
	}
	return nil
}

func (s *Server) didChange(p didChangeParams) error {
	s.mu.Lock()
	d := s.docs[p.TextDocument.URI]
	if d == nil {
		s.mu.Unlock()
		return fmt.Errorf("%s is not open", p.TextDocument.URI)
	}
	err := d.apply(p.ContentChanges, s.enc)
	d.version = p.TextDocument.Version
	r := s.ownerLocked(d.path)
	s.mu.Unlock()
	if r != nil {
		r.touch(s.delay())
	}
	return err
}

func (s *Server) didSave(u protocol.DocumentURI) {
	path, ok := uriPath(u)
	if !ok {
		return
	}
	if isConfigFile(path) {
		s.configChanged(path)
		return
	}
	if r := s.owner(path); r != nil {
		r.touch(s.delay())
	}
}

func (s *Server) didClose(u protocol.DocumentURI) {
	s.mu.Lock()
	d := s.docs[u]
	delete(s.docs, u)
	delete(s.pulled, u)
	var r *root
	if d != nil && d.path != "" {
		r = s.ownerLocked(d.path)
	}
	drop := r != nil && r.implicit && !s.hasDocsLocked(r)
	if drop {
		s.removeRootLocked(r)
	}
	s.mu.Unlock()
	switch {
	case drop:
		s.clearRoot(r)
	case r != nil:
		r.touch(0) // the file on disk stands in for the buffer again
	}
}

func isConfigFile(path string) bool {
	b := filepath.Base(path)
	return b == ".mtlslint.toml" || b == "pyproject.toml"
}

// filesChanged re-lints the roots whose files changed on disk; a changed
// configuration file re-lints every root it can apply to.
func (s *Server) filesChanged(changes []*protocol.FileEvent) {
	touched := map[*root]bool{}
	for _, c := range changes {
		if c == nil {
			continue
		}
		path, ok := uriPath(c.URI)
		if !ok {
			continue
		}
		if isConfigFile(path) {
			s.configChanged(path)
			continue
		}
		if r := s.owner(path); r != nil && !touched[r] {
			touched[r] = true
			r.touch(s.delay())
		}
	}
}

// configChanged re-lints every root that the configuration file at path
// can apply to: the roots below its directory and the root holding it.
func (s *Server) configChanged(path string) {
	dir := filepath.Dir(path)
	for _, r := range s.allRoots() {
		if within(r.dir, dir) || within(path, r.dir) {
			r.touch(0)
		}
	}
}

func (s *Server) foldersChanged(ev protocol.WorkspaceFoldersChangeEvent) {
	var cleared []*root
	s.mu.Lock()
	for _, f := range ev.Removed {
		dir, ok := uriPath(protocol.DocumentURI(f.URI))
		if !ok {
			continue
		}
		for _, r := range s.roots {
			if r.dir == dir && !r.implicit {
				s.removeRootLocked(r)
				cleared = append(cleared, r)
				break
			}
		}
	}
	for _, f := range ev.Added {
		if dir, ok := uriPath(protocol.DocumentURI(f.URI)); ok {
			s.addRootLocked(dir, f.Name, false)
		}
	}
	// Open buffers outside every folder get a root of their own.
	for _, d := range s.docs {
		if d.path != "" && s.ownerLocked(d.path) == nil {
			s.addRootLocked(implicitRoot(d.path), "", true)
		}
	}
	s.mu.Unlock()
	for _, r := range cleared {
		s.clearRoot(r)
	}
	// Nesting changed: every root re-lints with its new exclusions.
	for _, r := range s.allRoots() {
		r.touch(0)
	}
}

// implicitRoot is the root for a file outside every workspace folder: the
// workspace root the command line finds for it (config.WorkspaceRoot: the
// nearest configuration, else the git work tree, else the file's own
// directory).
func implicitRoot(path string) string {
	root, _, err := config.WorkspaceRoot(filepath.Dir(path))
	if err != nil {
		return filepath.Dir(path)
	}
	return root
}

// addRootLocked adds a root for dir (or returns the one there).
func (s *Server) addRootLocked(dir, name string, implicit bool) *root {
	dir = filepath.Clean(dir)
	for _, r := range s.roots {
		if r.dir == dir {
			if !implicit {
				r.implicit = false
			}
			return r
		}
	}
	r := newRoot(s, dir, name, implicit)
	s.roots = append(s.roots, r)
	sort.SliceStable(s.roots, func(i, j int) bool { return len(s.roots[i].dir) > len(s.roots[j].dir) })
	return r
}

func (s *Server) removeRootLocked(r *root) {
	for i, x := range s.roots {
		if x == r {
			s.roots = append(s.roots[:i:i], s.roots[i+1:]...)
			break
		}
	}
	r.remove()
}

// owner returns the deepest root holding path, or nil.
func (s *Server) owner(path string) *root {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ownerLocked(path)
}

func (s *Server) ownerLocked(path string) *root {
	if path == "" {
		return nil
	}
	for _, r := range s.roots {
		if within(path, r.dir) {
			return r
		}
	}
	return nil
}

func (s *Server) hasDocsLocked(r *root) bool {
	for _, d := range s.docs {
		if d.path != "" && s.ownerLocked(d.path) == r {
			return true
		}
	}
	return false
}

func (s *Server) allRoots() []*root {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*root{}, s.roots...)
}

// nestedLocked lists the roots strictly inside r's directory: their files
// are theirs, not r's.
func (s *Server) nestedLocked(r *root) []string {
	var out []string
	for _, x := range s.roots {
		if x != r && x.dir != r.dir && within(x.dir, r.dir) {
			if rel, err := filepath.Rel(r.dir, x.dir); err == nil {
				out = append(out, filepath.ToSlash(rel)+"/**")
			}
		}
	}
	sort.Strings(out)
	return out
}

// stopAll cancels all lint work (shutdown, exit).
func (s *Server) stopAll() {
	for _, r := range s.allRoots() {
		r.stop()
	}
}

// rootFor returns the root of a document URI, open or not.
func (s *Server) rootFor(u protocol.DocumentURI) (*root, string, error) {
	path, ok := uriPath(u)
	if !ok {
		return nil, "", jsonrpc2.Errorf(jsonrpc2.InvalidParams, "not a file URI: %s", u)
	}
	r := s.owner(path)
	if r == nil {
		return nil, "", nil
	}
	rel, err := filepath.Rel(r.dir, path)
	if err != nil {
		return nil, "", nil
	}
	return r, filepath.ToSlash(rel), nil
}
