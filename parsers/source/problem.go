package source

import (
	"errors"
	"fmt"
	"io/fs"
)

// Problem is something a loader or parser could not make sense of: a syntax
// error, an include that resolves to nothing, a file skipped because it is
// binary or too large, a statement that was not analysed. Kind says which;
// the rules layer documents each kind as a rule (with a code) and turns
// each Problem into a diagnostic of that rule, so that an unparsable file
// is never reported as clean.
type Problem struct {
	Kind  ProblemKind
	Range Range
	// Message says what is wrong in at most 120 characters; Detail says
	// why it matters and what to do, when there is more to say.
	Message string
	Detail  string
	Related []Related
	// LegacyMessage is the text earlier releases reported, when it differs
	// from Message: baselines of fingerprint version 1 hashed it. It goes
	// when version 1 does.
	LegacyMessage string
}

// ProblemKind is what went wrong while loading or parsing.
type ProblemKind string

// Related is a secondary location attached to a problem or a diagnostic.
type Related struct {
	Range   Range  `json:"range"`
	Message string `json:"message"`
}

// The kinds of problem every front end shares; a front end may define
// kinds of its own, which a rule of its family documents.
const (
	ProblemSyntax         ProblemKind = "syntax"          // the file does not parse
	ProblemIncludeMissing ProblemKind = "include-missing" // an include resolves to nothing
	ProblemIncludeOutside ProblemKind = "include-outside" // an include points outside the scanned root
	ProblemSkipped        ProblemKind = "skipped"         // binary, too large, not UTF-8 text, unreadable
	ProblemIncludeCycle   ProblemKind = "include-cycle"   // an include includes itself
	ProblemTooDeep        ProblemKind = "too-deep"        // nesting deeper than the front end's limit
	ProblemLimit          ProblemKind = "work-limit"      // a work limit was reached (include expansion, alternatives)
	ProblemNotAnalysed    ProblemKind = "not-analysed"    // a statement the front end could not analyse
	// ProblemRejected: the server itself refuses the configuration
	// (haproxy -c): an unknown keyword, two proxies of one name.
	ProblemRejected ProblemKind = "rejected-by-server"
	// ProblemUndefinedBackend: a reference to a backend the configuration
	// does not define, which the server refuses unless another file it
	// loads defines it.
	ProblemUndefinedBackend ProblemKind = "backend-undefined"
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

// Identifier is implemented by readers that can tell when two paths name
// one file: a symbolic link below the root and its target.
type Identifier interface {
	// Identity returns the root-relative path of the file itself, with
	// symbolic links resolved; a path it cannot resolve is its own
	// identity.
	Identity(path string) string
}

// Identity returns the identity of path through r (path itself when r
// cannot tell), so that a file reached through a symbolic link is one
// file: Debian's sites-enabled/shop.conf and sites-available/shop.conf.
func Identity(r Reader, path string) string {
	if id, ok := r.(Identifier); ok {
		return id.Identity(path)
	}
	return path
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

// ReadProblem is the problem for a file a front end was asked to load but
// could not read: outside the root (ProblemIncludeOutside), missing or
// unreadable (ProblemSkipped), positioned at the file's first line.
func ReadProblem(path string, err error) Problem {
	kind := ProblemSkipped
	msg := fmt.Sprintf("%s was not analysed: %v", path, err)
	switch {
	case errors.Is(err, ErrOutsideRoot):
		kind = ProblemIncludeOutside
		msg = fmt.Sprintf("%s resolves outside the scanned root and was not read", path)
	case errors.Is(err, fs.ErrNotExist):
		msg = fmt.Sprintf("%s could not be read: it does not exist", path)
	}
	return Problem{Kind: kind, Range: Range{File: path, Start: Pos{Line: 1, Col: 1}, End: Pos{Line: 1, Col: 1}}, Message: msg}
}

// ExpansionLimit is the problem (E007) of the first include of a
// configuration met once the load's expansion budget is spent: from there
// on, its includes are resolved (the files they name are known to be
// included) but not expanded. includes is what the format calls them
// ("includes", "imports").
func ExpansionLimit(at Range, includes string, budget int64) Problem {
	return Problem{Kind: ProblemLimit, Range: at,
		Message: fmt.Sprintf("not followed: the workspace's %s expand to more than %d directives", includes, budget),
		Detail: fmt.Sprintf("Files (and snippets) whose %s name each other fan out exponentially. This and the later %s of this configuration were not followed.",
			includes, includes)}
}

// RootOrder orders the files that no main configuration includes for
// building as roots: first those that no other of them includes, then
// those included only within a cycle (the first of each cycle, by this
// order, becomes a root and covers the rest). Who includes whom is read
// from each file's own includes, so that every file is expanded once, as
// a root or where it is included, never both.
func RootOrder(candidates []string, included map[string]bool) []string {
	order := make([]string, 0, len(candidates))
	for _, p := range candidates {
		if !included[p] {
			order = append(order, p)
		}
	}
	for _, p := range candidates {
		if included[p] {
			order = append(order, p)
		}
	}
	return order
}

// IncludedByIdentity rekeys included, which holds the identities of
// included files (see Identity), by the candidates' own paths, for
// RootOrder: a fragment included through a symbolic link to it is
// included all the same.
func IncludedByIdentity(candidates []string, included map[string]bool, id func(string) string) map[string]bool {
	byPath := make(map[string]bool, len(candidates))
	for _, p := range candidates {
		byPath[p] = included[id(p)]
	}
	return byPath
}
