package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func frames(msgs ...string) *bytes.Reader {
	var b bytes.Buffer
	for _, m := range msgs {
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(m), m)
	}
	return bytes.NewReader(b.Bytes())
}

const (
	lspInit     = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"capabilities":{}}}`
	lspShutdown = `{"jsonrpc":"2.0","id":2,"method":"shutdown"}`
	lspExit     = `{"jsonrpc":"2.0","method":"exit"}`
)

// The exit code follows the protocol: 0 after shutdown and exit, 1 when the
// editor exits without shutdown or hangs up.
func TestLSPCommandExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name string
		msgs []string
		code int
	}{
		{"shutdown and exit", []string{lspInit, lspShutdown, lspExit}, exitClean},
		{"exit without shutdown", []string{lspInit, lspExit}, exitFindings},
		{"hang-up", []string{lspInit}, exitFindings},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"lsp", "--stdio"}, frames(tc.msgs...), &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr: %s", code, tc.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), `"textDocumentSync"`) {
				t.Errorf("no initialize result on stdout: %q", stdout.String())
			}
		})
	}
}
