package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// A configuration change on disk, reported through
// workspace/didChangeWatchedFiles, re-lints with the new configuration; a
// broken configuration is shown on the configuration file.
func TestConfigReloadOnWatchedFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{"nginx.conf": verifyOptional})
	u := fileURI(dir, "nginx.conf")
	cfg := filepath.Join(dir, ".mtlslint.toml")
	c, _ := startServer(t, Options{}, map[string]any{"workspace": map[string]any{"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true}}}, dir)
	c.open(u, "nginx", verifyOptional)
	c.waitCodes(u, "N003")
	c.until("the watcher registration", func() bool {
		return strings.Contains(strings.Join(c.requests, " "), protocol.MethodClientRegisterCapability)
	})

	changed := func(typ protocol.FileChangeType) {
		c.notify(protocol.MethodWorkspaceDidChangeWatchedFiles, protocol.DidChangeWatchedFilesParams{Changes: []*protocol.FileEvent{{URI: pathURI(cfg), Type: typ}}})
	}
	if err := os.WriteFile(cfg, []byte("ignore = [\"N003\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	changed(protocol.FileChangeTypeCreated)
	c.waitCodes(u)

	if err := os.WriteFile(cfg, []byte("ignore = [\"N003\"]\nfrobnicate = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	changed(protocol.FileChangeTypeChanged)
	var ds []protocol.Diagnostic
	c.until("a diagnostic on the configuration file", func() bool {
		ds = c.latest[pathURI(cfg)].Diagnostics
		return len(ds) > 0
	})
	if len(ds) != 1 || ds[0].Range.Start.Line != 1 || !strings.Contains(ds[0].Message, "frobnicate") {
		t.Errorf("configuration error diagnostic: %+v", ds)
	}
	c.until("the error shown to the user", func() bool {
		return strings.Contains(strings.Join(c.shown, "\n"), "frobnicate")
	})

	if err := os.Remove(cfg); err != nil {
		t.Fatal(err)
	}
	changed(protocol.FileChangeTypeDeleted)
	c.waitCodes(u, "N003")
	c.until("the configuration error withdrawn", func() bool {
		return len(c.latest[pathURI(cfg)].Diagnostics) == 0
	})
}

// Saving an open .mtlslint.toml re-lints as well.
func TestConfigReloadOnSave(t *testing.T) {
	dir := writeFiles(t, map[string]string{"nginx.conf": verifyOptional})
	u := fileURI(dir, "nginx.conf")
	cfg := filepath.Join(dir, ".mtlslint.toml")
	c, _ := startServer(t, Options{}, nil, dir)
	c.waitCodes(u, "N003")
	if err := os.WriteFile(cfg, []byte("ignore = [\"N0\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.notify(protocol.MethodTextDocumentDidSave, protocol.DidSaveTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: pathURI(cfg)}})
	c.waitCodes(u)
}

// Two folders are two deployments: the proxy of one does not back the
// settings of the other, and removing a folder withdraws its findings.
func TestMultiRootWorkspace(t *testing.T) {
	proxy := writeFiles(t, map[string]string{"nginx.conf": deployNginx})
	app := writeFiles(t, map[string]string{"app/settings.py": deploySettings, "app/middleware.py": deployMiddleware})
	settings := fileURI(app, "app/settings.py")
	c, _ := startServer(t, Options{}, nil, proxy, app)
	// Alone, the app's trust in X-Forwarded-Proto has no proxy behind it.
	c.waitCodes(settings, "D002")
	c.open(fileURI(proxy, "nginx.conf"), "nginx", deployNginx)
	c.waitVersion(fileURI(proxy, "nginx.conf"), 1)
	if got := codesOf(c.diagsOf(settings)); got != "D002" {
		t.Errorf("settings in its own folder: %s, want D002", got)
	}

	c.notify(protocol.MethodWorkspaceDidChangeWorkspaceFolders, protocol.DidChangeWorkspaceFoldersParams{Event: protocol.WorkspaceFoldersChangeEvent{
		Removed: []protocol.WorkspaceFolder{{URI: string(pathURI(app)), Name: "app"}},
	}})
	c.waitCodes(settings)
}

// A folder inside another is its own deployment: the outer one leaves its
// files alone.
func TestNestedFolders(t *testing.T) {
	outer := writeFiles(t, map[string]string{"nginx.conf": deployNginx, "svc/app/settings.py": deploySettings})
	inner := filepath.Join(outer, "svc")
	settings := fileURI(outer, "svc/app/settings.py")
	c, _ := startServer(t, Options{}, nil, outer, inner)
	c.waitCodes(settings, "D002") // the inner folder has no proxy
	c.open(settings, "python", deploySettings)
	c.waitVersion(settings, 1)
	if got := codesOf(c.diagsOf(settings)); got != "D002" {
		t.Errorf("settings in the nested folder: %s, want D002", got)
	}
	// Removing the inner folder makes the settings part of the outer
	// deployment, whose proxy backs them.
	c.mu.Lock()
	since := len(c.pubs)
	c.mu.Unlock()
	c.notify(protocol.MethodWorkspaceDidChangeWorkspaceFolders, protocol.DidChangeWorkspaceFoldersParams{Event: protocol.WorkspaceFoldersChangeEvent{
		Removed: []protocol.WorkspaceFolder{{URI: string(pathURI(inner))}},
	}})
	// The inner folder withdraws its findings (no version), then the
	// outer folder publishes the open buffer (version 1).
	var got *protocol.PublishDiagnosticsParams
	c.until("the outer folder's publish for the settings", func() bool {
		for i := since; i < len(c.pubs); i++ {
			if c.pubs[i].URI == settings && c.pubs[i].Version == 1 {
				got = &c.pubs[i]
				return true
			}
		}
		return false
	})
	if len(got.Diagnostics) != 0 {
		t.Errorf("settings in the outer deployment: %s, want none", codesOf(got.Diagnostics))
	}
}

// A file outside every folder is linted in a root of its own (the nearest
// directory with a configuration file or .git), and a buffer that was
// never saved is linted from memory.
func TestFileOutsideFoldersAndUnsavedFile(t *testing.T) {
	folder := writeFiles(t, map[string]string{"README": "x"})
	other := writeFiles(t, map[string]string{".git/HEAD": "ref: refs/heads/main\n", "app/settings.py": deploySettings})
	c, _ := startServer(t, Options{}, nil, folder)
	u := fileURI(other, "conf/new.conf") // not on disk
	c.open(u, "nginx", verifyOptional)
	c.waitVersion(u, 1)
	// Its root is the repository: the settings there trust
	// X-Forwarded-Proto, which this proxy does not set (X003).
	if got := codesOf(c.diagsOf(u)); got != "N003 X003" {
		t.Errorf("unsaved file outside the folders: %s, want N003 X003", got)
	}
	// Closing the last buffer of that root withdraws what it published.
	c.notify(protocol.MethodTextDocumentDidClose, protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}})
	c.waitCodes(u)
}

// initializationOptions.debounceMs overrides the server's debounce.
func TestDebounceFromInitializationOptions(t *testing.T) {
	dir := writeFiles(t, map[string]string{"nginx.conf": verifyOptional})
	u := fileURI(dir, "nginx.conf")
	ev := newEvents()
	c, _ := startServerWith(t, Options{Debounce: 0, trace: ev.add}, map[string]any{"initializationOptions": map[string]any{"debounceMs": 3600000}}, dir)
	c.open(u, "nginx", verifyOptional)
	c.waitVersion(u, 1)
	c.hover(u, protocol.Position{}) // returns once every lint asked for is done
	before := ev.count("lint start")
	c.replaceAll(u, 2, verifyOptional+"\n")
	c.replaceAll(u, 3, verifyOptional+"\n\n")
	// An hour of debounce: nothing runs until a request needs the result.
	c.hover(u, protocol.Position{Line: 9, Character: 10})
	if n := ev.count("lint start") - before; n != 1 {
		t.Errorf("%d lints, want 1 (started by the hover)", n)
	}
}
