package python

import (
	"github.com/mtlslint/mtlslint/parsers/source"
)

// Session is the Python front end for one workspace load. Detect decides
// by scanning the content for the words of a settings module or of app
// code, which is also how Load gives a tree its role, so the session
// keeps the role of each detected file for Load to take instead of
// scanning the file a second time (see source.Kept); the session goes
// away with the load.
type Session struct {
	roles source.Kept[Role]
}

// NewSession starts the front end for one workspace load.
func NewSession() *Session { return &Session{} }

// Detect is the package's Detect, keeping the role of a detected file.
func (s *Session) Detect(rel string, content []byte) bool {
	role := classify(rel, content)
	if role != 0 {
		s.roles.Keep(rel, content, role)
	}
	return role != 0
}

// Load is the package's Load, taking Detect's role of a file when it
// classified the same content.
func (s *Session) Load(r source.Reader, paths []string) ([]*Tree, []source.Problem) {
	return load(r, paths, s.role)
}

// role classifies a file, taking Detect's result when it classified the
// same content.
func (s *Session) role(rel string, content []byte) Role {
	if role, ok := s.roles.Take(rel, content); ok {
		return role
	}
	return classify(rel, content)
}
