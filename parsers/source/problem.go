package source

import (
	"errors"
	"io/fs"
)

// Problem is something a loader or parser could not make sense of: a syntax
// error, an include that resolves to nothing, a file skipped because it is
// binary or too large, a statement that was not analysed. Code names the
// rule that documents it ("E001"); the engine turns each Problem into a
// diagnostic of that rule, so that an unparsable file is never reported as
// clean.
type Problem struct {
	Code    string
	Range   Range
	Message string
	Related []Related
}

// Related is a secondary location attached to a problem or a diagnostic.
type Related struct {
	Range   Range  `json:"range"`
	Message string `json:"message"`
}

// Codes of the load and parse problems every front end shares. The engine
// documents each as a rule; front ends may define further E codes.
const (
	CodeSyntax         = "E001" // the file does not parse
	CodeIncludeMissing = "E002" // an include resolves to nothing
	CodeIncludeOutside = "E003" // an include points outside the scanned root
	CodeSkipped        = "E004" // binary, too large, not UTF-8 text, unreadable
	CodeIncludeCycle   = "E005" // an include includes itself
	CodeTooDeep        = "E006" // nesting deeper than the front end's limit
	CodeLimit          = "E007" // a work limit was reached (include expansion, alternatives)
	CodeNotAnalysed    = "M002" // a statement the front end could not analyse
)

// Reader reads the files of a workspace. Every front end reads through it,
// so that a file is read once, the size cap applies everywhere, unsaved
// editor buffers can stand in for files on disk, and nothing outside the
// scanned root is read. Paths are slash-separated and relative to the root.
type Reader interface {
	// ReadFile returns the file at path. Errors wrap ErrOutsideRoot,
	// ErrTooLarge, ErrBinary, fs.ErrNotExist or fs.ErrPermission.
	ReadFile(path string) (*File, error)
	// Glob returns the files matching pattern (path.Match syntax), sorted.
	Glob(pattern string) ([]string, error)
	// Stat reports whether path is a directory, a file, or absent.
	Stat(path string) (fs.FileInfo, error)
}

// Cancelled reports why the work on r's workspace must stop (its run was
// cancelled or ran out of time), or nil. A reader that cannot be
// cancelled (the in-memory ones of tests) answers nil. Front ends ask it
// in every loop over files, includes, documents and statements, so that a
// cancelled run stops working rather than only being waited for. The
// reader carries it because every front end already reads through it,
// and a workspace is cancelled as a whole.
func Cancelled(r Reader) error {
	if c, ok := r.(interface{ Err() error }); ok {
		return c.Err()
	}
	return nil
}

// Errors a Reader returns.
var (
	ErrOutsideRoot = errors.New("outside the scanned root")
	ErrTooLarge    = errors.New("larger than the size cap")
	ErrBinary      = errors.New("binary file")
)
