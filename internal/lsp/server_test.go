package lsp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// verifyOptional is a proxy whose client verification is optional and
// ungated: N003 on line 10 (0-based 9), column 9 (0-based 8).
const verifyOptional = `events {}
http {
    upstream app { server 127.0.0.1:8000; }
    server {
        listen 443 ssl;
        server_name app.example.com;
        ssl_certificate /etc/nginx/tls/server.pem;
        ssl_certificate_key /etc/nginx/tls/server.key;
        ssl_client_certificate /etc/nginx/tls/client-ca.pem;
        ssl_verify_client optional;
        ssl_crl /etc/nginx/tls/client-ca.crl;
        ssl_protocols TLSv1.2 TLSv1.3;
        proxy_set_header X-SSL-Client-DN $ssl_client_s_dn;

        location / {
            proxy_pass http://app;
        }
    }
}
`

// addHeader keeps the client's copy of the DN header: H001 on line 12
// (0-based 11), with a safe fix.
const addHeader = `global
    log stdout format raw local0

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe
    bind :8443 ssl crt /etc/haproxy/site.pem ca-file /etc/haproxy/client-ca.pem crl-file /etc/haproxy/client-ca.crl verify required
    http-request add-header X-SSL-Client-DN %[ssl_c_s_dn]
    default_backend app

backend app
    server app1 127.0.0.1:8000
`

func TestInitializeCapabilities(t *testing.T) {
	dir := writeFiles(t, map[string]string{"nginx.conf": verifyOptional})
	_, res := startServer(t, Options{}, nil, dir)
	caps, _ := res["capabilities"].(map[string]any)
	sync, _ := caps["textDocumentSync"].(map[string]any)
	if sync["change"] != float64(protocol.TextDocumentSyncKindIncremental) || sync["openClose"] != true {
		t.Errorf("textDocumentSync = %v, want incremental with open/close", sync)
	}
	if caps["hoverProvider"] != true {
		t.Errorf("hoverProvider = %v", caps["hoverProvider"])
	}
	if ca, _ := caps["codeActionProvider"].(map[string]any); ca == nil || !strings.Contains(fmt.Sprint(ca["codeActionKinds"]), "quickfix") {
		t.Errorf("codeActionProvider = %v", caps["codeActionProvider"])
	}
	if _, ok := caps["diagnosticProvider"]; ok {
		t.Errorf("diagnosticProvider announced to a client without pull diagnostics")
	}
	if _, ok := caps["positionEncoding"]; ok {
		t.Errorf("positionEncoding answered to a client that offered none")
	}
	if info, _ := res["serverInfo"].(map[string]any); info["name"] != "mtlslint" {
		t.Errorf("serverInfo = %v", res["serverInfo"])
	}
}

// Open, change, save and close a buffer: the overlay decides what is
// linted while the buffer is open, the disk after it is closed.
func TestOpenChangeSaveClose(t *testing.T) {
	dir := writeFiles(t, map[string]string{"nginx.conf": verifyOptional})
	u := fileURI(dir, "nginx.conf")
	c, _ := startServer(t, Options{Debounce: 5e6}, map[string]any{
		"textDocument": map[string]any{"publishDiagnostics": map[string]any{"versionSupport": true}},
	}, dir)

	// The folder is linted at start-up, before anything is open.
	ds := c.waitCodes(u, "N003")
	if got := ds[0].Range.Start; got.Line != 9 || got.Character != 8 {
		t.Errorf("N003 at %d:%d, want 9:8", got.Line, got.Character)
	}
	if ds[0].Severity != protocol.DiagnosticSeverityError || ds[0].Source != "mtlslint" {
		t.Errorf("severity %v source %q", ds[0].Severity, ds[0].Source)
	}
	if ds[0].CodeDescription == nil || !strings.HasSuffix(string(ds[0].CodeDescription.Href), "#n003") {
		t.Errorf("codeDescription = %v", ds[0].CodeDescription)
	}

	c.open(u, "nginx", verifyOptional)
	c.waitVersion(u, 1)
	if codesOf(c.diagsOf(u)) != "N003" {
		t.Fatalf("after open: %s", codesOf(c.diagsOf(u)))
	}

	// "optional" → "on": the unsaved buffer is linted, not the disk.
	start := utf16Pos(t, verifyOptional, "optional;", 0)
	end := start
	end.Character += uint32(len("optional"))
	c.change(u, 2, protocol.Range{Start: start, End: end}, "on")
	if ds := c.waitVersion(u, 2); len(ds) != 0 {
		t.Errorf("after the fix in the buffer: %s, want none", codesOf(ds))
	}

	// Saving changes nothing the server sees (the buffer is the text).
	fixed := strings.Replace(verifyOptional, "optional;", "on;", 1)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	c.notify(protocol.MethodTextDocumentDidSave, protocol.DidSaveTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}})

	// Back to "optional" in the buffer, without saving, then close: the
	// file on disk (fixed) is what counts again.
	c.replaceAll(u, 3, verifyOptional)
	c.waitVersion(u, 3)
	if codesOf(c.diagsOf(u)) != "N003" {
		t.Fatalf("after the unsaved revert: %s", codesOf(c.diagsOf(u)))
	}
	c.notify(protocol.MethodTextDocumentDidClose, protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}})
	c.until("the closed buffer's findings withdrawn", func() bool {
		p, ok := c.latest[u]
		return ok && p.Version == 0 && len(p.Diagnostics) == 0
	})
}

// utf16Line holds multi-byte characters before the finding on the same
// line: "é" is 2 bytes and 1 UTF-16 unit, "😀" 4 bytes and 2 units.
const utf16Line = `events {}
http {
    upstream app { server 127.0.0.1:8000; }
    server {
        listen 443 ssl;
        server_name app.example.com;
        ssl_certificate /etc/nginx/tls/server.pem;
        ssl_certificate_key /etc/nginx/tls/server.key;
        ssl_client_certificate /etc/nginx/tls/client-ca.pem;
        add_header X-Note "é😀é"; ssl_verify_client optional;
        ssl_crl /etc/nginx/tls/client-ca.crl;
        ssl_protocols TLSv1.2 TLSv1.3;
        proxy_set_header X-SSL-Client-DN $ssl_client_s_dn;

        location / {
            proxy_pass http://app;
        }
    }
}
`

func TestPositionsUTF16(t *testing.T) {
	dir := writeFiles(t, map[string]string{})
	u := fileURI(dir, "nginx.conf")
	c, _ := startServer(t, Options{}, nil, dir)
	c.open(u, "nginx", utf16Line)
	ds := c.waitCodes(u, "N003")
	want := utf16Pos(t, utf16Line, "ssl_verify_client", 0)
	// Bytes before it on its line: 8 + `add_header X-Note "é😀é"; ` = 8+19+8+3 = 38;
	// UTF-16 units: 8+19+4+3 = 34.
	if want.Character != 34 {
		t.Fatalf("test arithmetic: character %d, want 34", want.Character)
	}
	if got := ds[0].Range.Start; got != want {
		t.Errorf("N003 starts at %d:%d, want %d:%d (UTF-16)", got.Line, got.Character, want.Line, want.Character)
	}
	if got := ds[0].Range.End; got.Line != want.Line || got.Character <= want.Character {
		t.Errorf("N003 ends at %d:%d", got.Line, got.Character)
	}

	// A ranged change after the emoji, in UTF-16 units: "optional" → "on".
	start := utf16Pos(t, utf16Line, "optional", 0)
	end := start
	end.Character += uint32(len("optional"))
	c.change(u, 2, protocol.Range{Start: start, End: end}, "on")
	c.until("N003 withdrawn after the UTF-16 edit", func() bool {
		p, ok := c.latest[u]
		return ok && len(p.Diagnostics) == 0 && len(c.pubs) > 1
	})
}

func TestPositionsUTF8Negotiated(t *testing.T) {
	dir := writeFiles(t, map[string]string{})
	u := fileURI(dir, "nginx.conf")
	c, res := startServer(t, Options{}, map[string]any{
		"general": map[string]any{"positionEncodings": []string{"utf-8", "utf-16"}},
	}, dir)
	caps, _ := res["capabilities"].(map[string]any)
	if caps["positionEncoding"] != "utf-8" {
		t.Fatalf("positionEncoding = %v, want utf-8", caps["positionEncoding"])
	}
	c.open(u, "nginx", utf16Line)
	ds := c.waitCodes(u, "N003")
	line := strings.Split(utf16Line, "\n")[9]
	if got := ds[0].Range.Start; got.Line != 9 || int(got.Character) != strings.Index(line, "ssl_verify_client") {
		t.Errorf("N003 at %d:%d, want 9:%d (bytes)", got.Line, got.Character, strings.Index(line, "ssl_verify_client"))
	}
	// Edits are in bytes too.
	col := uint32(strings.Index(line, "optional"))
	c.change(u, 2, protocol.Range{Start: protocol.Position{Line: 9, Character: col}, End: protocol.Position{Line: 9, Character: col + 8}}, "on")
	c.until("N003 withdrawn after the UTF-8 edit", func() bool {
		p, ok := c.latest[u]
		return ok && len(p.Diagnostics) == 0 && len(c.pubs) > 1
	})
}

func TestPositionEncodingClangdExtension(t *testing.T) {
	dir := writeFiles(t, map[string]string{})
	_, res := startServerWith(t, Options{}, map[string]any{"capabilities": map[string]any{"offsetEncoding": []string{"utf-8", "utf-16"}}}, dir)
	if res["offsetEncoding"] != "utf-8" {
		t.Errorf("offsetEncoding = %v, want utf-8", res["offsetEncoding"])
	}
}

func TestHover(t *testing.T) {
	dir := writeFiles(t, map[string]string{"nginx.conf": verifyOptional})
	u := fileURI(dir, "nginx.conf")
	c, _ := startServer(t, Options{}, map[string]any{
		"textDocument": map[string]any{"hover": map[string]any{"contentFormat": []string{"markdown", "plaintext"}}},
	}, dir)
	c.open(u, "nginx", verifyOptional)
	c.waitCodes(u, "N003")

	var h protocol.Hover
	pos := utf16Pos(t, verifyOptional, "optional", 0)
	c.call(protocol.MethodTextDocumentHover, protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: pos}}, &h)
	r := lookup("N003")
	if h.Contents.Kind != protocol.Markdown || !strings.Contains(h.Contents.Value, strings.TrimSpace(r.Markdown())) {
		t.Errorf("hover = %q (%s), want the rule's Markdown", h.Contents.Value, h.Contents.Kind)
	}
	if !strings.Contains(h.Contents.Value, "ssl_verify_client optional admits clients") {
		t.Errorf("hover lacks the finding's message: %q", h.Contents.Value)
	}
	if h.Range == nil || h.Range.Start.Line != 9 {
		t.Errorf("hover range = %v", h.Range)
	}

	// Nowhere near a finding: null.
	var raw json.RawMessage
	c.call(protocol.MethodTextDocumentHover, protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: protocol.Position{Line: 0, Character: 2}}}, &raw)
	if string(raw) != "null" && len(raw) != 0 {
		t.Errorf("hover off any finding = %s, want null", raw)
	}
}

func TestPlainTextHover(t *testing.T) {
	dir := writeFiles(t, map[string]string{"nginx.conf": verifyOptional})
	u := fileURI(dir, "nginx.conf")
	c, _ := startServer(t, Options{}, nil, dir)
	c.open(u, "nginx", verifyOptional)
	c.waitCodes(u, "N003")
	var h protocol.Hover
	c.call(protocol.MethodTextDocumentHover, protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: protocol.Position{Line: 9, Character: 10}}}, &h)
	if h.Contents.Kind != protocol.PlainText || !strings.Contains(h.Contents.Value, strings.TrimSpace(lookup("N003").Text())) {
		t.Errorf("hover = %q (%s), want the rule's text", h.Contents.Value, h.Contents.Kind)
	}
}
