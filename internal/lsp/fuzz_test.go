package lsp

import (
	"bytes"
	"context"
	"io"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// fuzzConn reads the fuzz input and discards what the stream writes back.
type fuzzConn struct{ in io.Reader }

func (c *fuzzConn) Read(b []byte) (int, error)  { return c.in.Read(b) }
func (c *fuzzConn) Write(b []byte) (int, error) { return len(b), nil }
func (*fuzzConn) Close() error                  { return nil }

// FuzzStream feeds arbitrary bytes to the framing stream: it never panics,
// and every message it cannot read is answered, not fatal.
func FuzzStream(f *testing.F) {
	f.Add([]byte("Content-Length: 2\r\n\r\n{}"))
	f.Add([]byte("Content-Length: 9\r\n\r\n{not json"))
	f.Add([]byte("Content-Length: 44\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"shutdown\"}"))
	f.Add([]byte("Content-Length: -1\r\n\r\nContent-Type: x\r\n\r\n\r\n"))
	f.Add([]byte("Content-Length: 99999999999\r\n\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		c := &fuzzConn{in: bytes.NewReader(in)}
		s := newStream(c, func(string, ...any) {})
		defer s.Close()
		for i := 0; i < 1000; i++ {
			if _, _, err := s.Read(context.Background()); err != nil {
				return // the input is used up
			}
		}
		t.Fatal("more than 1000 messages from a fuzz input")
	})
}

// FuzzDocumentApply applies arbitrary ranged changes: no panic, and the
// text outside the range is kept.
func FuzzDocumentApply(f *testing.F) {
	f.Add([]byte("é😀\r\nline two\n"), uint32(0), uint32(2), uint32(1), uint32(3), "x", false)
	f.Add([]byte("abc"), uint32(5), uint32(9), uint32(0), uint32(0), "", true)
	f.Fuzz(func(t *testing.T, text []byte, l1, c1, l2, c2 uint32, insert string, utf8 bool) {
		enc := source.UTF16
		if utf8 {
			enc = source.UTF8
		}
		d := &document{text: append([]byte{}, text...)}
		r := &protocol.Range{Start: protocol.Position{Line: l1, Character: c1}, End: protocol.Position{Line: l2, Character: c2}}
		err := d.apply([]contentChange{{Range: r, Text: insert}}, enc)
		f := source.NewFile("", text)
		start, end := f.Offset(int(l1), int(c1), enc), f.Offset(int(l2), int(c2), enc)
		if end < start {
			if err == nil {
				t.Fatalf("a reversed range was applied")
			}
			return
		}
		if want := string(text[:start]) + insert + string(text[end:]); string(d.text) != want {
			t.Fatalf("got %q, want %q", d.text, want)
		}
	})
}
