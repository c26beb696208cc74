package lsp

import (
	"sort"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// codeActions asks for the actions at the start of d's range.
func (c *client) codeActions(u protocol.DocumentURI, r protocol.Range, only ...protocol.CodeActionKind) []protocol.CodeAction {
	c.t.Helper()
	var out []protocol.CodeAction
	c.call(protocol.MethodTextDocumentCodeAction, protocol.CodeActionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: u},
		Range:        r,
		Context:      protocol.CodeActionContext{Diagnostics: []protocol.Diagnostic{}, Only: only},
	}, &out)
	return out
}

func titled(actions []protocol.CodeAction, prefix string) *protocol.CodeAction {
	for i := range actions {
		if strings.HasPrefix(actions[i].Title, prefix) {
			return &actions[i]
		}
	}
	return nil
}

func titles(actions []protocol.CodeAction) []string {
	var out []string
	for _, a := range actions {
		out = append(out, a.Title)
	}
	return out
}

// editsFor returns the edits of an action for one document (plain
// changes or versioned document changes).
func editsFor(t *testing.T, a *protocol.CodeAction, u protocol.DocumentURI) []protocol.TextEdit {
	t.Helper()
	if a.Edit == nil {
		t.Fatalf("%q has no edit", a.Title)
	}
	if es, ok := a.Edit.Changes[u]; ok {
		return es
	}
	for _, dc := range a.Edit.DocumentChanges {
		if dc.TextDocument.URI == u {
			return dc.Edits
		}
	}
	t.Fatalf("%q does not edit %s: %+v", a.Title, u, a.Edit)
	return nil
}

// The rule's fix round-trips: apply the edit the server offers, send the
// result, and the finding is gone without a new one.
func TestCodeActionFixRoundTrip(t *testing.T) {
	dir := writeFiles(t, map[string]string{"haproxy.cfg": addHeader})
	u := fileURI(dir, "haproxy.cfg")
	c, _ := startServer(t, Options{}, nil, dir)
	c.open(u, "haproxy", addHeader)
	ds := c.waitCodes(u, "H001")
	if ds[0].Range.Start.Line != 11 {
		t.Fatalf("H001 on line %d, want 11", ds[0].Range.Start.Line)
	}
	actions := c.codeActions(u, ds[0].Range)
	fix := titled(actions, "Fix H001: ")
	if fix == nil {
		t.Fatalf("no safe fix for H001 among %q", titles(actions))
	}
	if !fix.IsPreferred || fix.Kind != protocol.QuickFix || len(fix.Diagnostics) != 1 || fix.Diagnostics[0].Code != "H001" {
		t.Errorf("fix action = %+v", fix)
	}
	text := applyEdits(t, addHeader, editsFor(t, fix, u))
	if !strings.Contains(text, "http-request set-header X-SSL-Client-DN %[ssl_c_s_dn]") {
		t.Fatalf("fixed text:\n%s", text)
	}
	c.replaceAll(u, 2, text)
	if ds := c.waitVersion(u, 2); len(ds) != 0 {
		t.Errorf("after the fix: %s, want none", codesOf(ds))
	}
}

// An unsafe fix is offered, labelled as such, and not preferred.
func TestCodeActionUnsafeFixLabelled(t *testing.T) {
	dir := writeFiles(t, map[string]string{"nginx.conf": verifyOptional})
	u := fileURI(dir, "nginx.conf")
	c, _ := startServer(t, Options{}, map[string]any{"workspace": map[string]any{"workspaceEdit": map[string]any{"documentChanges": true}}}, dir)
	c.open(u, "nginx", verifyOptional)
	ds := c.waitCodes(u, "N003")
	// A cursor anywhere on the line finds the finding.
	cursor := protocol.Position{Line: 9, Character: 30}
	actions := c.codeActions(u, protocol.Range{Start: cursor, End: cursor})
	fix := titled(actions, "Fix N003 (unsafe, review the change): ")
	if fix == nil {
		t.Fatalf("no unsafe fix for N003 among %q", titles(actions))
	}
	if fix.IsPreferred {
		t.Errorf("an unsafe fix is marked preferred")
	}
	// Versioned document edits: the client refuses them for another
	// version of the buffer.
	if len(fix.Edit.DocumentChanges) != 1 || fix.Edit.DocumentChanges[0].TextDocument.Version == nil || *fix.Edit.DocumentChanges[0].TextDocument.Version != 1 {
		t.Fatalf("document changes = %+v", fix.Edit.DocumentChanges)
	}
	text := applyEdits(t, verifyOptional, editsFor(t, fix, u))
	c.replaceAll(u, 2, text)
	if got := codesOf(c.waitVersion(u, 2)); strings.Contains(got, "N003") {
		t.Errorf("after the unsafe fix: %s", got)
	}
	_ = ds
}

// "Suppress on this line" inserts the comment in the file's syntax with a
// reason placeholder; the finding is then suppressed, and the comment is
// neither unused (M001) nor reason-less (M003).
func TestCodeActionSuppressLine(t *testing.T) {
	for _, tc := range []struct {
		name, file, lang, text, code, want string
	}{
		{"nginx", "nginx.conf", "nginx", verifyOptional, "N003", "ssl_verify_client optional;  # mtlslint: ignore[N003] -- <reason>"},
		{"haproxy", "haproxy.cfg", "haproxy", addHeader, "H001", "%[ssl_c_s_dn]  # mtlslint: ignore[H001] -- <reason>"},
		// A line that already carries a comment: the directive follows it,
		// as ruff's noqa may.
		{"commented", "nginx.conf", "nginx", strings.Replace(verifyOptional, "optional;", "optional;  # staging", 1), "N003",
			"ssl_verify_client optional;  # staging  # mtlslint: ignore[N003] -- <reason>"},
		// A suppression already on the line gets the code added.
		{"extend", "nginx.conf", "nginx", strings.Replace(verifyOptional, "optional;", "optional;  # mtlslint: ignore[N009] -- no CRL here", 1), "N003",
			"ssl_verify_client optional;  # mtlslint: ignore[N009, N003] -- no CRL here"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{})
			u := fileURI(dir, tc.file)
			c, _ := startServer(t, Options{}, nil, dir)
			c.open(u, tc.lang, tc.text)
			var ds []protocol.Diagnostic
			c.until(tc.code, func() bool {
				ds = c.latest[u].Diagnostics
				return find(ds, tc.code) != nil
			})
			d := find(ds, tc.code)
			actions := c.codeActions(u, d.Range)
			a := titled(actions, "Suppress "+tc.code+" on this line")
			if a == nil {
				t.Fatalf("no line suppression among %q", titles(actions))
			}
			text := applyEdits(t, tc.text, editsFor(t, a, u))
			if !strings.Contains(text, tc.want) {
				t.Fatalf("suppressed text lacks %q:\n%s", tc.want, text)
			}
			before := codesOf(ds)
			wantCodes := strings.TrimSpace(strings.Replace(" "+before+" ", " "+tc.code+" ", " ", 1))
			// The placeholder is no reason: M003 until it is replaced.
			placeholder := strings.Contains(text, "-- <reason>")
			c.replaceAll(u, 2, text)
			got := codesOf(c.waitVersion(u, 2))
			if want := strings.TrimSpace(wantCodes + " M003"); placeholder && !sameCodes(got, want) {
				t.Errorf("after suppressing with the placeholder: %q, want %q", got, want)
			}
			c.replaceAll(u, 3, strings.Replace(text, "<reason>", "the lab has no CRL", 1))
			if got := codesOf(c.waitVersion(u, 3)); got != wantCodes {
				t.Errorf("after giving the reason: %q, want %q", got, wantCodes)
			}
		})
	}
}

// sameCodes compares two space-separated code lists as multisets.
func sameCodes(a, b string) bool {
	x, y := strings.Fields(a), strings.Fields(b)
	sort.Strings(x)
	sort.Strings(y)
	return strings.Join(x, " ") == strings.Join(y, " ")
}

// "Suppress in this file" writes an ignore-file comment at the top (after
// a Python encoding line), which suppresses the finding.
func TestCodeActionSuppressFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{})
	u := fileURI(dir, "haproxy.cfg")
	c, _ := startServer(t, Options{}, nil, dir)
	c.open(u, "haproxy", addHeader)
	ds := c.waitCodes(u, "H001")
	actions := c.codeActions(u, ds[0].Range)
	a := titled(actions, "Suppress H001 in this file")
	if a == nil {
		t.Fatalf("no file suppression among %q", titles(actions))
	}
	text := applyEdits(t, addHeader, editsFor(t, a, u))
	if !strings.HasPrefix(text, "# mtlslint: ignore-file[H001] -- <reason>\nglobal\n") {
		t.Fatalf("suppressed text:\n%s", text)
	}
	c.replaceAll(u, 2, text)
	if ds := c.waitVersion(u, 2); codesOf(ds) != "M003" {
		t.Errorf("after suppressing in the file with the placeholder reason: %q, want M003 alone", codesOf(ds))
	}
	c.replaceAll(u, 3, strings.Replace(text, "<reason>", "the app reads the last value", 1))
	if ds := c.waitVersion(u, 3); len(ds) != 0 {
		t.Errorf("after giving the reason: %s", codesOf(ds))
	}
}

// Findings that a comment cannot suppress (a syntax error) get no
// suppression action.
func TestNoSuppressionForSyntaxErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{})
	u := fileURI(dir, "nginx.conf")
	c, _ := startServer(t, Options{}, nil, dir)
	bad := "events {}\nhttp {\n    server {\n        listen 443 ssl\n"
	c.open(u, "nginx", bad)
	var d *protocol.Diagnostic
	c.until("E001", func() bool {
		d = find(c.latest[u].Diagnostics, "E001")
		return d != nil
	})
	actions := c.codeActions(u, d.Range)
	if a := titled(actions, "Suppress E001"); a != nil {
		t.Errorf("offered %q for a syntax error", a.Title)
	}
}

// source.fixAll applies every safe fix of the file, only when asked for.
func TestCodeActionFixAll(t *testing.T) {
	text := strings.Replace(addHeader, "    default_backend app\n", "    http-request add-header X-SSL-Client-Verify %[ssl_c_verify]\n    default_backend app\n", 1)
	dir := writeFiles(t, map[string]string{})
	u := fileURI(dir, "haproxy.cfg")
	c, _ := startServer(t, Options{}, nil, dir)
	c.open(u, "haproxy", text)
	c.waitCodes(u, "H001", "H001")
	whole := protocol.Range{End: protocol.Position{Line: 20}}
	if a := titled(c.codeActions(u, whole), "Apply "); a != nil {
		t.Errorf("fix-all offered without being asked for: %q", a.Title)
	}
	actions := c.codeActions(u, whole, protocol.CodeActionKind("source.fixAll"))
	a := titled(actions, "Apply 2 safe mtlslint fix")
	if a == nil || a.Kind != kindFixAll {
		t.Fatalf("no fix-all among %q", titles(actions))
	}
	if len(actions) != 1 {
		t.Errorf("only=source.fixAll returned quick fixes too: %q", titles(actions))
	}
	fixed := applyEdits(t, text, editsFor(t, a, u))
	c.replaceAll(u, 2, fixed)
	if ds := c.waitVersion(u, 2); len(ds) != 0 {
		t.Errorf("after fix-all: %s", codesOf(ds))
	}
}
