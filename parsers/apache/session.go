package apache

import "github.com/mtlslint/mtlslint/parsers/source"

// Session is the httpd front end for one workspace load: Detect has to
// parse a file to decide, and the session keeps that parse for Load to
// take instead of parsing the file a second time (source.ParseOnce).
type Session struct {
	once source.ParseOnce[[]*Directive]
}

// NewSession starts the front end for one workspace load.
func NewSession() *Session {
	return &Session{once: source.ParseOnce[[]*Directive]{Detect: detect, Parse: Parse, Rebind: setFile}}
}

// Detect is the package's Detect, keeping the parse of a detected file.
func (s *Session) Detect(rel string, content []byte) bool { return s.once.Detected(rel, content) }

// Load is the package's Load, taking Detect's parse of a file when it
// parsed the same content.
func (s *Session) Load(r source.Reader, paths []string) ([]*Tree, []source.Problem) {
	return loadWith(r, paths, s.once.ParseFile)
}

// setFile makes f the file of every directive parsed from its content.
func setFile(dirs []*Directive, f *source.File) {
	for _, d := range dirs {
		d.File = f
		setFile(d.Children, f)
	}
}
