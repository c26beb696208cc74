package apache

import "github.com/mtlslint/mtlslint/parsers/source"

// Session is the httpd front end for one workspace load: Detect has to
// parse a file to decide, and the session keeps that parse for Load to
// take instead of parsing the file a second time (source.Kept).
type Session struct {
	parsed source.Kept[parseResult]
}

type parseResult struct {
	dirs     []*Directive
	problems []source.Problem
}

// NewSession starts the front end for one workspace load.
func NewSession() *Session { return &Session{} }

// Detect is the package's Detect, keeping the parse of a detected file.
func (s *Session) Detect(rel string, content []byte) bool {
	dirs, probs, ok := detect(rel, content)
	if ok {
		s.parsed.Keep(rel, content, parseResult{dirs, probs})
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
	if e, ok := s.parsed.Take(f.Path, f.Content); ok {
		setFile(e.dirs, f)
		return e.dirs, e.problems
	}
	return Parse(f)
}

// setFile makes f the file of every directive parsed from its content.
func setFile(dirs []*Directive, f *source.File) {
	for _, d := range dirs {
		d.File = f
		setFile(d.Children, f)
	}
}
