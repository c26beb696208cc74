package source

import "sync"

// Parsed keeps what a front end's Detect parsed for its Load to take, so
// that a file detected by parsing it is parsed once per workspace load.
// Discovery calls Detect on a file's content and Load then reads the same
// file through the workspace reader, which hands out one *File per path:
// the content is the very same slice. An entry is keyed by the path and
// the content's address and length, so a file edited meanwhile (a new
// buffer) never matches; Take removes what it returns. The zero value is
// ready to use; it is safe for concurrent use.
type Parsed[T any] struct {
	mu sync.Mutex
	m  map[parsedKey]T
}

type parsedKey struct {
	path string
	data *byte
	n    int
}

func keyOf(path string, content []byte) (parsedKey, bool) {
	if len(content) == 0 {
		return parsedKey{}, false
	}
	return parsedKey{path, &content[0], len(content)}, true
}

// Keep records what was parsed from content at path.
func (p *Parsed[T]) Keep(path string, content []byte, v T) {
	k, ok := keyOf(path, content)
	if !ok {
		return
	}
	p.mu.Lock()
	if p.m == nil {
		p.m = map[parsedKey]T{}
	}
	p.m[k] = v
	p.mu.Unlock()
}

// Take returns and forgets what was kept for this very content at path.
func (p *Parsed[T]) Take(path string, content []byte) (T, bool) {
	var v T
	k, ok := keyOf(path, content)
	if !ok {
		return v, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok = p.m[k]
	if ok {
		delete(p.m, k)
	}
	return v, ok
}
