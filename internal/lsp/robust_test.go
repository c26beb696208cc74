package lsp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// rawConn writes frames by hand and reads the server's replies.
type rawConn struct {
	t    *testing.T
	conn net.Conn
	in   *bufio.Reader
	msgs chan map[string]any
}

func startRaw(t *testing.T) (*rawConn, chan error) {
	t.Helper()
	a, b := net.Pipe()
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- Serve(ctx, a, Options{Log: testLog{t}}) }()
	r := &rawConn{t: t, conn: b, in: bufio.NewReader(b), msgs: make(chan map[string]any, 100)}
	go r.readLoop()
	t.Cleanup(func() { cancel(); b.Close() })
	return r, done
}

func (r *rawConn) readLoop() {
	for {
		length := -1
		for {
			line, err := r.in.ReadString('\n')
			if err != nil {
				close(r.msgs)
				return
			}
			line = strings.TrimSpace(line)
			if line == "" {
				break
			}
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				length, _ = strconv.Atoi(v)
			}
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(r.in, body); err != nil {
			close(r.msgs)
			return
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			r.t.Errorf("the server sent invalid JSON: %s", body)
		}
		r.msgs <- m
	}
}

func (r *rawConn) send(body string) {
	r.t.Helper()
	if _, err := fmt.Fprintf(r.conn, "Content-Length: %d\r\n\r\n%s", len(body), body); err != nil {
		r.t.Fatal(err)
	}
}

// reply returns the next response (skipping the server's notifications
// and requests).
func (r *rawConn) reply() map[string]any {
	r.t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case m, ok := <-r.msgs:
			if !ok {
				r.t.Fatal("the server closed the connection")
			}
			if _, isNotification := m["method"]; isNotification {
				continue
			}
			return m
		case <-timeout:
			r.t.Fatal("no reply")
		}
	}
}

func errCode(m map[string]any) float64 {
	e, _ := m["error"].(map[string]any)
	c, _ := e["code"].(float64)
	return c
}

// Bad input gets a JSON-RPC error, and the server keeps answering.
func TestMalformedRequests(t *testing.T) {
	r, done := startRaw(t)
	dir := writeFiles(t, map[string]string{"nginx.conf": verifyOptional})

	r.send(`{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{}}`)
	if m := r.reply(); m["id"] != float64(1) || errCode(m) != -32002 {
		t.Errorf("request before initialize: %v, want error -32002", m)
	}
	r.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"processId":null,"rootUri":%q,"capabilities":{}}}`, pathURI(dir)))
	if m := r.reply(); m["id"] != float64(2) || m["result"] == nil {
		t.Fatalf("initialize: %v", m)
	}
	r.send(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)

	for _, tc := range []struct {
		name, frame string
		id          any
		code        float64
	}{
		{"invalid JSON", "Content-Length: 9\r\n\r\n{not json", nil, -32700},
		{"not a message", "Content-Length: 7\r\n\r\n[1,2,3]", nil, -32600},
		{"wrong version", `{"jsonrpc":"1.0","id":8,"method":"shutdown"}`, float64(8), -32600},
		{"no Content-Length", "Content-Type: application/json\r\n\r\n", nil, -32600},
		{"bad Content-Length", "Content-Length: lots\r\n\r\n", nil, -32600},
		{"unknown method", `{"jsonrpc":"2.0","id":9,"method":"textDocument/frobnicate","params":{}}`, float64(9), -32601},
		{"invalid params", `{"jsonrpc":"2.0","id":10,"method":"textDocument/hover","params":{"textDocument":5}}`, float64(10), -32602},
		{"missing params", `{"jsonrpc":"2.0","id":"s11","method":"textDocument/codeAction"}`, "s11", -32602},
		{"not a file URI", `{"jsonrpc":"2.0","id":12,"method":"textDocument/hover","params":{"textDocument":{"uri":"untitled:1"},"position":{"line":0,"character":0}}}`, float64(12), -32602},
	} {
		if strings.HasPrefix(tc.frame, "{") {
			r.send(tc.frame)
		} else if _, err := io.WriteString(r.conn, tc.frame); err != nil {
			t.Fatal(err)
		}
		m := r.reply()
		if m["id"] != tc.id || errCode(m) != tc.code {
			t.Errorf("%s: %v, want id %v and error %v", tc.name, m, tc.id, tc.code)
		}
	}
	// A malformed notification is logged, nothing is answered, and the
	// server goes on.
	r.send(`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///nowhere","version":"x"}}}`)

	// Still alive: a hover on a real document.
	r.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":13,"method":"textDocument/hover","params":{"textDocument":{"uri":%q},"position":{"line":9,"character":10}}}`, fileURI(dir, "nginx.conf")))
	m := r.reply()
	if m["id"] != float64(13) || m["error"] != nil || !strings.Contains(fmt.Sprint(m["result"]), "N003") {
		t.Errorf("hover after the bad input: %v", m)
	}
	r.send(`{"jsonrpc":"2.0","id":14,"method":"shutdown"}`)
	if m := r.reply(); m["id"] != float64(14) || m["error"] != nil {
		t.Errorf("shutdown: %v", m)
	}
	r.send(`{"jsonrpc":"2.0","id":15,"method":"textDocument/hover","params":{}}`)
	if m := r.reply(); errCode(m) != -32600 {
		t.Errorf("request after shutdown: %v, want error -32600", m)
	}
	r.send(`{"jsonrpc":"2.0","method":"exit"}`)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("no exit")
	}
}

// Exit without shutdown is an error (the command exits with 1).
func TestExitWithoutShutdown(t *testing.T) {
	r, done := startRaw(t)
	r.send(`{"jsonrpc":"2.0","method":"exit"}`)
	select {
	case err := <-done:
		if err == nil {
			t.Error("Serve returned nil after exit without shutdown")
		}
	case <-time.After(wait):
		t.Fatal("no exit")
	}
}

// A panic in a front end (outside the engine's per-rule recovery) is
// logged to the client, and the server keeps working.
func TestPanicInLintIsLogged(t *testing.T) {
	unregister := lint.Register([]parsers.Format{{
		Kind:      "boom",
		Candidate: func(rel string) bool { return strings.HasSuffix(rel, ".boom") },
		Detect:    func(_ string, b []byte) bool { return strings.HasPrefix(string(b), "boom") },
		Load: func(source.Reader, []string) ([]parsers.Tree, []source.Problem) {
			panic("the boom loader exploded")
		},
	}})
	defer unregister()
	dir := writeFiles(t, map[string]string{"nginx.conf": verifyOptional})
	c, _ := startServer(t, Options{}, nil, dir)
	boom, nginx := fileURI(dir, "x.boom"), fileURI(dir, "nginx.conf")
	c.open(boom, "plaintext", "boom")
	c.until("the panic in the client's log", func() bool {
		return strings.Contains(strings.Join(c.logs, "\n"), "the boom loader exploded") &&
			strings.Contains(strings.Join(c.shown, "\n"), "internal error")
	})
	// Opened while every lint fails: nothing is published for it.
	c.open(nginx, "nginx", verifyOptional)
	c.replaceAll(boom, 2, "calm")
	if ds := c.waitVersion(nginx, 1); codesOf(ds) != "N003" {
		t.Errorf("after the recovery: %s, want N003", codesOf(ds))
	}
}

// A panic in a request handler becomes an InternalError reply.
func TestPanicInHandlerBecomesError(t *testing.T) {
	dir := writeFiles(t, map[string]string{"nginx.conf": verifyOptional})
	c, _ := startServer(t, Options{trace: func(ev string) {
		if ev == "request textDocument/hover" {
			panic("hover exploded")
		}
	}}, nil, dir)
	err := c.callErr(protocol.MethodTextDocumentHover, protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: fileURI(dir, "nginx.conf")}}}, nil)
	if err == nil || !strings.Contains(err.Error(), "hover exploded") {
		t.Errorf("hover: %v, want an internal error", err)
	}
	var actions []protocol.CodeAction
	c.call(protocol.MethodTextDocumentCodeAction, protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: fileURI(dir, "nginx.conf")}, Range: protocol.Range{Start: protocol.Position{Line: 9}, End: protocol.Position{Line: 9}}}, &actions)
	if len(actions) == 0 {
		t.Errorf("no code actions after the panic")
	}
}

// events records trace events and lets a test wait for one.
type events struct {
	mu   sync.Mutex
	list []string
	ch   chan struct{}
}

func newEvents() *events { return &events{ch: make(chan struct{})} }

func (e *events) add(ev string) {
	e.mu.Lock()
	e.list = append(e.list, ev)
	close(e.ch)
	e.ch = make(chan struct{})
	e.mu.Unlock()
}

func (e *events) count(prefix string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.list {
		if strings.HasPrefix(ev, prefix) {
			n++
		}
	}
	return n
}

func (e *events) waitFor(t *testing.T, ev string) {
	t.Helper()
	deadline := time.After(wait)
	for {
		e.mu.Lock()
		for _, x := range e.list {
			if x == ev {
				e.mu.Unlock()
				return
			}
		}
		ch := e.ch
		e.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("no %q among %q", ev, e.list)
		}
	}
}

// A newer edit cancels the lint in flight: its result is never published.
func TestNewerEditCancelsLintInFlight(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	unregister := lint.Register([]parsers.Format{{
		Kind:      "slow",
		Candidate: func(rel string) bool { return strings.HasSuffix(rel, ".slow") },
		Detect:    func(string, []byte) bool { return true },
		Load: func(source.Reader, []string) ([]parsers.Tree, []source.Problem) {
			first := false
			once.Do(func() { first = true })
			if first {
				close(entered)
				<-release
			}
			return nil, nil
		},
	}})
	defer unregister()
	dir := writeFiles(t, map[string]string{})
	ev := newEvents()
	c, _ := startServer(t, Options{trace: ev.add}, nil, dir)
	ev.waitFor(t, "lint done 1") // the empty folder at start-up
	u := fileURI(dir, "a.slow")
	c.open(u, "plaintext", "one")
	<-entered // the lint of version 1 is stuck in the loader
	c.replaceAll(u, 2, "two")
	ev.waitFor(t, "lint start 3")
	c.waitVersion(u, 2)
	close(release)
	ev.waitFor(t, "lint cancelled 2")
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.pubs {
		if p.URI == u && p.Version == 1 {
			t.Errorf("the cancelled lint of version 1 was published")
		}
	}
}

// Edits within the debounce window cost one lint; a request that needs
// the result starts it at once.
func TestDebounceCoalescesEdits(t *testing.T) {
	dir := writeFiles(t, map[string]string{"nginx.conf": verifyOptional})
	u := fileURI(dir, "nginx.conf")
	ev := newEvents()
	c, _ := startServer(t, Options{Debounce: time.Hour, trace: ev.add}, nil, dir)
	c.open(u, "nginx", verifyOptional) // opening lints at once
	c.waitVersion(u, 1)
	c.hover(u, protocol.Position{}) // returns once every lint asked for is done
	before := ev.count("lint start")
	text := verifyOptional
	for v := int32(2); v <= 11; v++ {
		text = strings.Replace(text, "ssl_protocols", "ssl_protocols ", 1)
		c.replaceAll(u, v, text)
	}
	var actions []protocol.CodeAction
	c.call(protocol.MethodTextDocumentCodeAction, protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}, Range: protocol.Range{Start: protocol.Position{Line: 9}, End: protocol.Position{Line: 9}}}, &actions)
	c.waitVersion(u, 11)
	if n := ev.count("lint start") - before; n != 1 {
		t.Errorf("%d lints for 10 edits within the debounce window, want 1", n)
	}
	if titled(actions, "Fix N003") == nil {
		t.Errorf("code actions on the flushed lint: %q", titles(actions))
	}
}

// $/cancelRequest ends a request that is waiting (here a workspace pull
// with nothing new to report) with RequestCancelled.
func TestCancelRequest(t *testing.T) {
	r, _ := startRaw(t)
	dir := writeFiles(t, map[string]string{"nginx.conf": verifyOptional})
	r.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":%q,"capabilities":{"textDocument":{"diagnostic":{}}}}}`, pathURI(dir)))
	r.reply()
	r.send(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
	r.send(`{"jsonrpc":"2.0","id":2,"method":"workspace/diagnostic","params":{"previousResultIds":[]}}`)
	first := r.reply()
	if first["id"] != float64(2) || !strings.Contains(fmt.Sprint(first["result"]), "N003") {
		t.Fatalf("first workspace pull: %v", first)
	}
	// Nothing changed since: the second pull waits...
	items, _ := first["result"].(map[string]any)["items"].([]any)
	var prev []string
	for _, it := range items {
		m := it.(map[string]any)
		prev = append(prev, fmt.Sprintf(`{"uri":%q,"value":%q}`, m["uri"], m["resultId"]))
	}
	r.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":"pull-3","method":"workspace/diagnostic","params":{"previousResultIds":[%s]}}`, strings.Join(prev, ",")))
	select {
	case m := <-r.msgs:
		if _, isNotification := m["method"]; !isNotification {
			t.Fatalf("the up-to-date pull was answered at once: %v", m)
		}
	case <-time.After(100 * time.Millisecond):
	}
	// ...until it is cancelled.
	r.send(`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"pull-3"}}`)
	if m := r.reply(); m["id"] != "pull-3" || errCode(m) != codeRequestCancelled {
		t.Errorf("cancelled pull: %v, want error %d", m, codeRequestCancelled)
	}
}
