package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// This file is a small LSP client for the in-process tests: it talks to
// Serve over a net.Pipe, records what the server sends, and converts
// positions with its own UTF-16 arithmetic (not the server's).

// wait bounds every wait of the tests.
const wait = 20 * time.Second

type client struct {
	t    testing.TB
	conn jsonrpc2.Conn
	done chan error
	ctx  context.Context

	mu       sync.Mutex
	changed  chan struct{}
	pubs     []protocol.PublishDiagnosticsParams // every publish, in order
	latest   map[protocol.DocumentURI]protocol.PublishDiagnosticsParams
	logs     []string
	shown    []string
	requests []string // methods of server-to-client requests
	closed   bool
}

// startServer runs a server and connects a client; caps is the
// capabilities object of the initialize request (nil: a plain 3.16
// client); folders are workspace folders.
func startServer(t testing.TB, opts Options, caps map[string]any, folders ...string) (*client, map[string]any) {
	t.Helper()
	return startServerWith(t, opts, map[string]any{"capabilities": caps}, folders...)
}

func startServerWith(t testing.TB, opts Options, params map[string]any, folders ...string) (*client, map[string]any) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a, b := net.Pipe()
	c := &client{t: t, done: make(chan error, 1), ctx: ctx, changed: make(chan struct{}), latest: map[protocol.DocumentURI]protocol.PublishDiagnosticsParams{}}
	if opts.Log == nil {
		opts.Log = testLog{t}
		if _, bench := t.(*testing.B); bench {
			opts.Log = io.Discard
		}
	}
	go func() { c.done <- Serve(ctx, a, opts) }()
	c.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(b))
	c.conn.Go(ctx, c.handle)
	t.Cleanup(func() {
		c.mu.Lock()
		closed := c.closed
		c.mu.Unlock()
		if !closed {
			c.shutdown()
		}
		cancel()
		_ = c.conn.Close()
	})
	var fs []protocol.WorkspaceFolder
	for _, f := range folders {
		fs = append(fs, protocol.WorkspaceFolder{URI: string(pathURI(f)), Name: filepath.Base(f)})
	}
	if params["capabilities"] == nil {
		params["capabilities"] = map[string]any{}
	}
	params["processId"] = os.Getpid()
	if len(fs) > 0 {
		params["workspaceFolders"] = fs
		params["rootUri"] = fs[0].URI
	}
	var res map[string]any
	c.call(protocol.MethodInitialize, params, &res)
	c.notify(protocol.MethodInitialized, map[string]any{})
	return c, res
}

type testLog struct{ t testing.TB }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Logf("server: %s", strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

func (c *client) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	if _, ok := req.(*jsonrpc2.Call); ok {
		// Reply outside the lock: the write can wait for the server.
		defer func() { _ = reply(ctx, nil, nil) }()
	}
	c.mu.Lock()
	defer func() {
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
	}()
	switch req.Method() {
	case protocol.MethodTextDocumentPublishDiagnostics:
		var p protocol.PublishDiagnosticsParams
		if err := json.Unmarshal(req.Params(), &p); err != nil {
			c.t.Errorf("bad publishDiagnostics: %v", err)
		}
		c.pubs = append(c.pubs, p)
		c.latest[p.URI] = p
	case protocol.MethodWindowLogMessage:
		var p protocol.LogMessageParams
		_ = json.Unmarshal(req.Params(), &p)
		c.logs = append(c.logs, p.Message)
	case protocol.MethodWindowShowMessage:
		var p protocol.ShowMessageParams
		_ = json.Unmarshal(req.Params(), &p)
		c.shown = append(c.shown, p.Message)
	}
	if _, ok := req.(*jsonrpc2.Call); ok {
		c.requests = append(c.requests, req.Method())
	}
	return nil // an error would close the connection
}

func (c *client) call(method string, params, result any) {
	c.t.Helper()
	if err := c.callErr(method, params, result); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *client) callErr(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(c.ctx, wait)
	defer cancel()
	_, err := c.conn.Call(ctx, method, params, result)
	return err
}

func (c *client) notify(method string, params any) {
	c.t.Helper()
	if err := c.conn.Notify(c.ctx, method, params); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

// shutdown ends the session the way an editor does and checks that the
// server exits cleanly.
func (c *client) shutdown() {
	c.t.Helper()
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	if err := c.callErr(protocol.MethodShutdown, nil, nil); err != nil {
		c.t.Errorf("shutdown: %v", err)
	}
	_ = c.conn.Notify(c.ctx, protocol.MethodExit, nil)
	select {
	case err := <-c.done:
		if err != nil {
			c.t.Errorf("Serve after shutdown and exit: %v", err)
		}
	case <-time.After(wait):
		c.t.Errorf("the server did not exit")
	}
}

// until waits until cond holds (checked under the client's lock).
func (c *client) until(what string, cond func() bool) {
	c.t.Helper()
	deadline := time.After(wait)
	for {
		c.mu.Lock()
		ok := cond()
		ch := c.changed
		c.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			c.mu.Lock()
			defer c.mu.Unlock()
			c.t.Fatalf("timed out waiting for %s; latest diagnostics: %s", what, c.dumpLocked())
		}
	}
}

func (c *client) dumpLocked() string {
	var b strings.Builder
	uris := make([]string, 0, len(c.latest))
	for u := range c.latest {
		uris = append(uris, string(u))
	}
	sort.Strings(uris)
	for _, u := range uris {
		p := c.latest[protocol.DocumentURI(u)]
		fmt.Fprintf(&b, "\n  %s (v%d):", u, p.Version)
		for _, d := range p.Diagnostics {
			fmt.Fprintf(&b, " %v@%d:%d", d.Code, d.Range.Start.Line, d.Range.Start.Character)
		}
	}
	fmt.Fprintf(&b, "\n  logs: %q", c.logs)
	return b.String()
}

// diagsOf returns the latest diagnostics published for u.
func (c *client) diagsOf(u protocol.DocumentURI) []protocol.Diagnostic {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.latest[u].Diagnostics
}

// waitCodes waits until the latest diagnostics of u have exactly the
// given codes (sorted, with repetitions) and returns them.
func (c *client) waitCodes(u protocol.DocumentURI, codes ...string) []protocol.Diagnostic {
	c.t.Helper()
	want := strings.Join(sortedCopy(codes), " ")
	var got []protocol.Diagnostic
	c.until(fmt.Sprintf("codes [%s] on %s", want, u), func() bool {
		p, ok := c.latest[u]
		if !ok {
			return false
		}
		got = p.Diagnostics
		return codesOf(got) == want
	})
	return got
}

// waitVersion waits for a publish for u at the given document version.
func (c *client) waitVersion(u protocol.DocumentURI, v int32) []protocol.Diagnostic {
	c.t.Helper()
	var got []protocol.Diagnostic
	c.until(fmt.Sprintf("diagnostics of %s at version %d", u, v), func() bool {
		p, ok := c.latest[u]
		got = p.Diagnostics
		return ok && int32(p.Version) == v
	})
	return got
}

func codesOf(ds []protocol.Diagnostic) string {
	var cs []string
	for _, d := range ds {
		cs = append(cs, fmt.Sprint(d.Code))
	}
	return strings.Join(sortedCopy(cs), " ")
}

func sortedCopy(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

func find(ds []protocol.Diagnostic, code string) *protocol.Diagnostic {
	for i := range ds {
		if fmt.Sprint(ds[i].Code) == code {
			return &ds[i]
		}
	}
	return nil
}

// hover asks for the hover at p.
func (c *client) hover(u protocol.DocumentURI, p protocol.Position) *protocol.Hover {
	c.t.Helper()
	var h *protocol.Hover
	c.call(protocol.MethodTextDocumentHover, protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: p}}, &h)
	return h
}

func (c *client) open(u protocol.DocumentURI, lang, text string) {
	c.t.Helper()
	c.notify(protocol.MethodTextDocumentDidOpen, protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: u, LanguageID: protocol.LanguageIdentifier(lang), Version: 1, Text: text}})
}

// change sends one ranged change.
func (c *client) change(u protocol.DocumentURI, version int32, r protocol.Range, text string) {
	c.t.Helper()
	c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": u, "version": version},
		"contentChanges": []map[string]any{{"range": r, "text": text}},
	})
}

// replaceAll sends a change without a range.
func (c *client) replaceAll(u protocol.DocumentURI, version int32, text string) {
	c.t.Helper()
	c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": u, "version": version},
		"contentChanges": []map[string]any{{"text": text}},
	})
}

// writeFiles writes a directory tree and returns its path.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func fileURI(dir, rel string) protocol.DocumentURI {
	return pathURI(filepath.Join(dir, filepath.FromSlash(rel)))
}

// Independent UTF-16 arithmetic.

// utf16Pos returns the UTF-16 position of the n-th (0-based) occurrence of
// needle in text.
func utf16Pos(t testing.TB, text, needle string, n int) protocol.Position {
	t.Helper()
	off := -1
	for i := 0; i <= n; i++ {
		j := strings.Index(text[off+1:], needle)
		if j < 0 {
			t.Fatalf("%q not found %d times", needle, n+1)
		}
		off += 1 + j
	}
	return utf16At(text, off)
}

func utf16At(text string, off int) protocol.Position {
	line := strings.Count(text[:off], "\n")
	lineStart := strings.LastIndex(text[:off], "\n") + 1
	return protocol.Position{Line: uint32(line), Character: uint32(len(utf16.Encode([]rune(text[lineStart:off]))))}
}

// utf16Offset converts a UTF-16 position back into a byte offset.
func utf16Offset(t testing.TB, text string, p protocol.Position) int {
	t.Helper()
	lines := strings.SplitAfter(text, "\n")
	if int(p.Line) >= len(lines) {
		return len(text)
	}
	start := 0
	for _, l := range lines[:p.Line] {
		start += len(l)
	}
	line := strings.TrimRight(lines[p.Line], "\r\n")
	units := 0
	for i, r := range line {
		if units >= int(p.Character) {
			return start + i
		}
		if r >= 0x10000 {
			units += 2 // a surrogate pair
		} else {
			units++
		}
	}
	return start + len(line)
}

// applyEdits applies non-overlapping text edits (UTF-16 positions).
func applyEdits(t testing.TB, text string, edits []protocol.TextEdit) string {
	t.Helper()
	type span struct {
		s, e int
		text string
	}
	var spans []span
	for _, e := range edits {
		spans = append(spans, span{utf16Offset(t, text, e.Range.Start), utf16Offset(t, text, e.Range.End), e.NewText})
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].s > spans[j].s })
	for _, s := range spans {
		text = text[:s.s] + s.text + text[s.e:]
	}
	return text
}
