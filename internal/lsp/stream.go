package lsp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
)

// maxMessage bounds the size of one incoming message.
const maxMessage = 256 << 20

// maxHeaderLine bounds one header line and maxHeaders the header lines of
// one message: LSP has two headers of a few dozen bytes. Past either, the
// message is answered with an error and the stream looks for the next
// header, rather than buffering a line of a gigabyte.
const (
	maxHeaderLine = 8 << 10
	maxHeaders    = 32
)

// stream frames JSON-RPC messages with LSP's Content-Length headers, like
// jsonrpc2.NewStream, but survives bad input: a message that is not
// JSON-RPC is answered with a JSON-RPC error (id null when none can be
// read) and the next one is read, where jsonrpc2's stream would end the
// connection.
//
// Writes are queued and sent by a goroutine of their own, so the
// connection's read loop, which also replies, never waits for the client:
// a client that writes before it reads (as many do) would otherwise
// deadlock with it.
type stream struct {
	in     *bufio.Reader
	out    io.Writer
	closer io.Closer
	logf   func(format string, args ...any)
	// resync is set after a framing error: where the next message starts
	// is unknown, so the input is skipped up to the next Content-Length
	// header.
	resync bool

	qmu     sync.Mutex
	queue   [][]byte
	pending int           // frames queued or being written
	werr    error         // the first write error; later writes fail with it
	wake    chan struct{} // a frame was queued
	drained chan struct{} // closed when the writer stops
	stop    chan struct{}
	once    sync.Once
}

func newStream(rwc io.ReadWriteCloser, logf func(string, ...any)) *stream {
	s := &stream{
		in: bufio.NewReader(rwc), out: rwc, closer: rwc, logf: logf,
		wake: make(chan struct{}, 1), drained: make(chan struct{}), stop: make(chan struct{}),
	}
	go s.writer()
	return s
}

// writer sends the queued frames in order.
func (s *stream) writer() {
	defer close(s.drained)
	for {
		s.qmu.Lock()
		q := s.queue
		s.queue = nil
		s.qmu.Unlock()
		for _, frame := range q {
			_, err := s.out.Write(frame)
			s.qmu.Lock()
			s.pending--
			if err != nil {
				s.werr = err
				s.queue = nil
				s.pending = 0
			}
			s.qmu.Unlock()
			if err != nil {
				return
			}
		}
		if len(q) > 0 {
			continue
		}
		select {
		case <-s.wake:
		case <-s.stop:
			return
		}
	}
}

// errFraming is a header problem after which reading can go on.
type errFraming struct{ msg string }

func (e *errFraming) Error() string { return e.msg }

// Read implements jsonrpc2.Stream.
func (s *stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		body, n, err := s.readFrame()
		var fe *errFraming
		if errors.As(err, &fe) {
			s.logf("bad message header: %s", fe.msg)
			s.writeError(nil, jsonrpc2.InvalidRequest, fe.msg)
			s.resync = true
			continue
		}
		if err != nil {
			return nil, n, err
		}
		msg, err := jsonrpc2.DecodeMessage(body)
		if err == nil {
			return msg, n, nil
		}
		code := jsonrpc2.InvalidRequest
		if !json.Valid(body) {
			code = jsonrpc2.ParseError
		}
		s.logf("malformed message (%v): %.200s", err, body)
		s.writeError(requestID(body), code, fmt.Sprintf("malformed JSON-RPC message: %v", err))
	}
}

// readFrame reads the headers and the body of one message.
func (s *stream) readFrame() ([]byte, int64, error) {
	var total int64
	length := int64(-1)
	var bad string
	headers := 0
	first := ""
	if s.resync {
		n, err := s.skipToHeader()
		total += n
		if err != nil {
			return nil, total, err
		}
		s.resync = false
		first = contentLength
	}
	for {
		line, n, err := s.readLine()
		total += n
		if err != nil {
			return nil, total, err
		}
		line = strings.TrimSpace(first + line)
		first = ""
		if line == "" {
			if headers == 0 {
				continue // a stray blank line between messages
			}
			break
		}
		headers++
		if headers > maxHeaders {
			return nil, total, &errFraming{fmt.Sprintf("more than %d headers", maxHeaders)}
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			bad = fmt.Sprintf("invalid header line %q", line)
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			v, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || v < 0 {
				bad = fmt.Sprintf("invalid Content-Length %q", strings.TrimSpace(value))
				continue
			}
			length = v
		}
	}
	if length < 0 {
		if bad == "" {
			bad = "missing Content-Length header"
		}
		return nil, total, &errFraming{bad}
	}
	if length > maxMessage {
		// Not skipped: a length this large may be a lie, and skipping it
		// would swallow the messages after it.
		return nil, total, &errFraming{fmt.Sprintf("message of %d bytes is larger than %d", length, maxMessage)}
	}
	// Read what arrives rather than allocate what the header claims.
	body, err := io.ReadAll(io.LimitReader(s.in, length))
	if err == nil && int64(len(body)) < length {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, total, err
	}
	return body, total + length, nil
}

// contentLength is the header a resynchronising stream looks for.
const contentLength = "Content-Length:"

// readLine reads one header line, or reports a line longer than
// maxHeaderLine (whose rest is skipped) as a framing error.
func (s *stream) readLine() (string, int64, error) {
	var line []byte
	var n int64
	tooLong := false
	for {
		chunk, err := s.in.ReadSlice('\n')
		n += int64(len(chunk))
		if !tooLong && len(line)+len(chunk) > maxHeaderLine {
			tooLong, line = true, nil // keep nothing more of it
		}
		if !tooLong {
			line = append(line, chunk...)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err != nil:
			return "", n, err
		case tooLong:
			return "", n, &errFraming{fmt.Sprintf("header line longer than %d bytes", maxHeaderLine)}
		}
		return string(line), n, nil
	}
}

// skipToHeader discards input up to and including the next
// "Content-Length:" (in any case), wherever it starts: after a body of an
// unknown length, the next header follows it directly.
func (s *stream) skipToHeader() (int64, error) {
	pat := strings.ToLower(contentLength)
	var n int64
	k := 0
	for k < len(pat) {
		b, err := s.in.ReadByte()
		if err != nil {
			return n, err
		}
		n++
		switch c := toLower(b); {
		case c == pat[k]:
			k++
		case c == pat[0]: // "c" occurs only first in the pattern
			k = 1
		default:
			k = 0
		}
	}
	return n, nil
}

func toLower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// requestID returns the id of a message that did not decode, when it has
// a readable one.
func requestID(body []byte) json.RawMessage {
	var probe struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(body, &probe) != nil || len(probe.ID) == 0 {
		return nil
	}
	switch probe.ID[0] {
	case '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return probe.ID
	}
	return nil
}

// writeError sends an error response; id nil means null.
func (s *stream) writeError(id json.RawMessage, code jsonrpc2.Code, msg string) {
	if id == nil {
		id = json.RawMessage("null")
	}
	resp := struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   jsonrpc2.Error  `json:"error"`
	}{"2.0", id, jsonrpc2.Error{Code: code, Message: msg}}
	data, err := json.Marshal(resp)
	if err != nil {
		return
	}
	if err := s.writeRaw(data); err != nil {
		s.logf("cannot write an error response: %v", err)
	}
}

// Write implements jsonrpc2.Stream.
func (s *stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return 0, fmt.Errorf("marshaling message: %w", err)
	}
	return int64(len(data)), s.writeRaw(data)
}

// writeRaw queues one message.
func (s *stream) writeRaw(data []byte) error {
	frame := make([]byte, 0, len(data)+32)
	frame = fmt.Appendf(frame, "Content-Length: %d\r\n\r\n", len(data))
	frame = append(frame, data...)
	s.qmu.Lock()
	if s.werr != nil {
		err := s.werr
		s.qmu.Unlock()
		return err
	}
	s.queue = append(s.queue, frame)
	s.pending++
	s.qmu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// Close implements jsonrpc2.Stream: it sends what is queued (waiting a
// moment at most for a client that does not read) and closes.
func (s *stream) Close() error {
	var err error
	s.once.Do(func() {
		deadline := time.After(time.Second)
	wait:
		for {
			s.qmu.Lock()
			empty := s.pending == 0 || s.werr != nil
			s.qmu.Unlock()
			if empty {
				break
			}
			select {
			case <-deadline:
				break wait
			case <-time.After(5 * time.Millisecond):
			}
		}
		close(s.stop)
		err = s.closer.Close()
		select {
		case <-s.drained:
		case <-time.After(time.Second): // a write the close did not unblock
		}
	})
	return err
}
