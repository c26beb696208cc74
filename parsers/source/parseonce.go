package source

// ParseOnce is the part of a front end's session for one workspace load
// when its Detect has to parse a file to decide: the parse Detect made is
// kept for Load to take instead of parsing the file a second time.
// Discovery calls Detect on a file and then Load reads the same file (the
// workspace reader hands out one *File per path, so the content is the
// very same slice); see Kept for how an edited file is told apart. The
// zero value is not usable: the three functions are the front end's.
type ParseOnce[T any] struct {
	// Detect parses content to decide whether it is the front end's.
	Detect func(rel string, content []byte) (T, []Problem, bool)
	// Parse parses a file Detect did not keep.
	Parse func(*File) (T, []Problem)
	// Rebind makes f the file of everything in a kept parse, so that the
	// file Detect parsed (and its line index) is not kept alive.
	Rebind func(T, *File)

	kept Kept[parsedOnce[T]]
}

type parsedOnce[T any] struct {
	tree     T
	problems []Problem
}

// Detected is the session's Detect: the front end's, keeping the parse of
// a detected file.
func (p *ParseOnce[T]) Detected(rel string, content []byte) bool {
	tree, problems, ok := p.Detect(rel, content)
	if ok {
		p.kept.Keep(rel, content, parsedOnce[T]{tree, problems})
	}
	return ok
}

// ParseFile parses f, taking Detect's parse when it parsed this very
// content; positions refer to f either way.
func (p *ParseOnce[T]) ParseFile(f *File) (T, []Problem) {
	if e, ok := p.kept.Take(f.Path, f.Content); ok {
		p.Rebind(e.tree, f)
		return e.tree, e.problems
	}
	return p.Parse(f)
}

// Kept is the number of parses kept and not taken.
func (p *ParseOnce[T]) Kept() int { return p.kept.Len() }
