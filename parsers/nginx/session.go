package nginx

import (
	"sync"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Session is the nginx front end for one workspace load. Discovery calls
// Detect on a file and then Load reads the same file (the workspace
// reader hands out one *source.File per path, so the content is the very
// same slice). Detect has to parse to decide, so the session keeps its
// result for Load to take instead of parsing the file a second time. An
// entry is keyed by the content's address and length, so a file edited
// meanwhile (a new buffer) never matches; Load takes what it uses, and
// the session goes away with the load.
type Session struct {
	mu     sync.Mutex
	parsed map[parsedKey]parsedEntry
}

type parsedKey struct {
	path string
	data *byte
	n    int
}

type parsedEntry struct {
	dirs     []*Directive
	problems []source.Problem
}

// NewSession starts the front end for one workspace load.
func NewSession() *Session { return &Session{parsed: map[parsedKey]parsedEntry{}} }

func keyOf(path string, content []byte) (parsedKey, bool) {
	if len(content) == 0 {
		return parsedKey{}, false
	}
	return parsedKey{path, &content[0], len(content)}, true
}

// Detect is the package's Detect, keeping the parse of a detected file.
func (s *Session) Detect(rel string, content []byte) bool {
	dirs, probs, ok := detect(rel, content)
	if k, keep := keyOf(rel, content); ok && keep {
		s.mu.Lock()
		s.parsed[k] = parsedEntry{dirs, probs}
		s.mu.Unlock()
	}
	return ok
}

// Load is the package's Load, taking Detect's parse of a file when it
// parsed the same content.
func (s *Session) Load(r source.Reader, paths []string) ([]*Tree, []source.Problem) {
	return loadWith(r, paths, s.parse)
}

// parse parses f, taking Detect's result when it parsed the same content.
// The directives' positions refer to f either way: Detect's parse used a
// file with the same path and content.
func (s *Session) parse(f *source.File) ([]*Directive, []source.Problem) {
	if k, ok := keyOf(f.Path, f.Content); ok {
		s.mu.Lock()
		e, hit := s.parsed[k]
		if hit {
			delete(s.parsed, k)
		}
		s.mu.Unlock()
		if hit {
			setFile(e.dirs, f)
			return e.dirs, e.problems
		}
	}
	return Parse(f)
}

// setFile makes f the file of every directive and argument parsed from
// its content, so that the file Detect parsed (and its line index) is not
// kept.
func setFile(dirs []*Directive, f *source.File) {
	for _, d := range dirs {
		d.File = f
		for i := range d.Args {
			d.Args[i].file = f
		}
		setFile(d.Children, f)
	}
}
