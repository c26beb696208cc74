package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// recordingConn serves in and keeps what the stream writes.
type recordingConn struct {
	in  io.Reader
	mu  sync.Mutex
	out bytes.Buffer
}

func (c *recordingConn) Read(b []byte) (int, error) { return c.in.Read(b) }
func (c *recordingConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Write(b)
}
func (*recordingConn) Close() error { return nil }

func (c *recordingConn) written() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

const shutdownMsg = "Content-Length: 44\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"shutdown\"}"

// readAfter feeds prefix and then a valid request to a stream: the
// request must still be read (the server stays alive), the bad prefix
// answered with an error, and what the stream allocates must stay small.
func readAfter(t *testing.T, prefix io.Reader) string {
	t.Helper()
	c := &recordingConn{in: io.MultiReader(prefix, strings.NewReader(shutdownMsg))}
	s := newStream(c, func(string, ...any) {})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	msg, _, err := s.Read(context.Background())
	runtime.ReadMemStats(&after)
	s.Close()
	if err != nil {
		t.Fatalf("the stream ended: %v", err)
	}
	if !strings.Contains(string(mustJSON(t, msg)), `"shutdown"`) {
		t.Fatalf("read %s, want the shutdown request", mustJSON(t, msg))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("allocated %d MiB for a bad frame", alloc>>20)
	}
	return c.written()
}

// TestHugeHeaderLine: a header line of 64 MiB (1 GB took the server's
// memory) is refused once it passes maxHeaderLine, answered, and the next
// message is read.
func TestHugeHeaderLine(t *testing.T) {
	line := io.MultiReader(strings.NewReader("X-Junk: "), io.LimitReader(repeatReader('a'), 64<<20), strings.NewReader("\r\n\r\n"))
	out := readAfter(t, line)
	if !strings.Contains(out, "header line longer than") {
		t.Errorf("no error answered: %q", out)
	}
}

// TestHugeContentLength: a Content-Length far above maxMessage made the
// server discard its input for ever; it is answered and the stream
// resynchronises on the next header.
func TestHugeContentLength(t *testing.T) {
	out := readAfter(t, strings.NewReader("Content-Length: 99999999999999\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"x\"}"))
	if !strings.Contains(out, "larger than") {
		t.Errorf("no error answered: %q", out)
	}
}

// TestTooManyHeaders: an endless list of headers is cut off.
func TestTooManyHeaders(t *testing.T) {
	out := readAfter(t, strings.NewReader(strings.Repeat("X-A: b\r\n", 10000)+"\r\n"))
	if !strings.Contains(out, "headers") {
		t.Errorf("no error answered: %q", out)
	}
}

type repeatReader byte

func (r repeatReader) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(r)
	}
	return len(b), nil
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
