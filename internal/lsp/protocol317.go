package lsp

import (
	"go.lsp.dev/protocol"
)

// This file holds the protocol types that go.lsp.dev/protocol v0.12.0 (LSP
// 3.16) does not model: LSP 3.17's position encodings and pull
// diagnostics, clangd's offsetEncoding extension that older clients use for
// the same negotiation, and a content change whose range can be absent.

// Methods added in LSP 3.17.
const (
	methodDocumentDiagnostic  = "textDocument/diagnostic"
	methodWorkspaceDiagnostic = "workspace/diagnostic"
	methodDiagnosticRefresh   = "workspace/diagnostic/refresh"
)

// Position encodings (LSP 3.17 PositionEncodingKind).
const (
	encodingUTF8  = "utf-8"
	encodingUTF16 = "utf-16"
	encodingUTF32 = "utf-32"
)

// Error codes LSP adds to JSON-RPC's.
const (
	codeRequestCancelled = -32800
	codeServerCancelled  = -32802
)

// initializeExtras is the part of the initialize request's parameters that
// the library's InitializeParams lacks.
type initializeExtras struct {
	Capabilities struct {
		General *struct {
			PositionEncodings []string `json:"positionEncodings"`
		} `json:"general"`
		TextDocument *struct {
			Diagnostic *struct {
				DynamicRegistration    bool `json:"dynamicRegistration"`
				RelatedDocumentSupport bool `json:"relatedDocumentSupport"`
			} `json:"diagnostic"`
		} `json:"textDocument"`
		Workspace *struct {
			Diagnostics *struct {
				RefreshSupport bool `json:"refreshSupport"`
			} `json:"diagnostics"`
		} `json:"workspace"`
		// OffsetEncoding is clangd's extension, predating
		// general.positionEncodings.
		OffsetEncoding []string `json:"offsetEncoding"`
	} `json:"capabilities"`
	InitializationOptions *initializationOptions `json:"initializationOptions"`
}

// initializationOptions are mtlslint's own settings a client may pass.
type initializationOptions struct {
	// DebounceMs overrides the delay between an edit and the lint it
	// triggers.
	DebounceMs *int `json:"debounceMs"`
}

// serverCapabilities extends the library's with LSP 3.17 fields.
type serverCapabilities struct {
	protocol.ServerCapabilities
	PositionEncoding   string             `json:"positionEncoding,omitempty"`
	DiagnosticProvider *diagnosticOptions `json:"diagnosticProvider,omitempty"`
}

// diagnosticOptions announces pull diagnostics.
type diagnosticOptions struct {
	Identifier            string `json:"identifier,omitempty"`
	InterFileDependencies bool   `json:"interFileDependencies"`
	WorkspaceDiagnostics  bool   `json:"workspaceDiagnostics"`
}

// initializeResult is InitializeResult with the extended capabilities and
// clangd's offsetEncoding answer.
type initializeResult struct {
	Capabilities   serverCapabilities   `json:"capabilities"`
	ServerInfo     *protocol.ServerInfo `json:"serverInfo,omitempty"`
	OffsetEncoding string               `json:"offsetEncoding,omitempty"`
}

// didChangeParams is DidChangeTextDocumentParams with a change whose range
// may be absent (the whole document replaced), which the library's
// non-pointer Range cannot tell from an insertion at 0:0.
type didChangeParams struct {
	TextDocument   protocol.VersionedTextDocumentIdentifier `json:"textDocument"`
	ContentChanges []contentChange                          `json:"contentChanges"`
}

type contentChange struct {
	Range *protocol.Range `json:"range,omitempty"`
	Text  string          `json:"text"`
}

// documentDiagnosticParams are the parameters of textDocument/diagnostic.
type documentDiagnosticParams struct {
	TextDocument     protocol.TextDocumentIdentifier `json:"textDocument"`
	Identifier       string                          `json:"identifier,omitempty"`
	PreviousResultID string                          `json:"previousResultId,omitempty"`
}

// Report kinds.
const (
	reportFull      = "full"
	reportUnchanged = "unchanged"
)

// fullReport is a full document diagnostic report; RelatedDocuments
// carries the reports of other documents a change in this one affected.
type fullReport struct {
	Kind             string                       `json:"kind"`
	ResultID         string                       `json:"resultId,omitempty"`
	Items            []protocol.Diagnostic        `json:"items"`
	RelatedDocuments map[protocol.DocumentURI]any `json:"relatedDocuments,omitempty"`
}

// unchangedReport says the client's previous result still holds.
type unchangedReport struct {
	Kind             string                       `json:"kind"`
	ResultID         string                       `json:"resultId"`
	RelatedDocuments map[protocol.DocumentURI]any `json:"relatedDocuments,omitempty"`
}

// workspaceDiagnosticParams are the parameters of workspace/diagnostic.
type workspaceDiagnosticParams struct {
	Identifier        string `json:"identifier,omitempty"`
	PreviousResultIDs []struct {
		URI   protocol.DocumentURI `json:"uri"`
		Value string               `json:"value"`
	} `json:"previousResultIds"`
}

type workspaceReport struct {
	Items []any `json:"items"`
}

// workspaceFullReport and workspaceUnchangedReport are the per-document
// items of a workspace report; Version is null for a closed document.
type workspaceFullReport struct {
	Kind     string                `json:"kind"`
	ResultID string                `json:"resultId,omitempty"`
	Items    []protocol.Diagnostic `json:"items"`
	URI      protocol.DocumentURI  `json:"uri"`
	Version  *int32                `json:"version"`
}

type workspaceUnchangedReport struct {
	Kind     string               `json:"kind"`
	ResultID string               `json:"resultId"`
	URI      protocol.DocumentURI `json:"uri"`
	Version  *int32               `json:"version"`
}

// cancelParams are the parameters of $/cancelRequest: the id is a number
// or a string.
type cancelParams struct {
	ID any `json:"id"`
}
