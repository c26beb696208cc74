package source

import "sync"

// Kept holds what a front end's Detect found about a file, for its Load
// to take instead of working it out again. Discovery calls Detect on a
// file and then Load reads the same file (the workspace reader hands out
// one *File per path, so the content is the very same slice): an entry is
// keyed by the path and the content's address and length, so a file
// edited meanwhile (a new buffer) never matches. Take removes what it
// returns. Detect runs on several files at once: Kept is safe for
// concurrent use.
type Kept[T any] struct {
	mu      sync.Mutex
	entries map[keptKey]T
}

type keptKey struct {
	path string
	data *byte
	n    int
}

func keptKeyOf(path string, content []byte) (keptKey, bool) {
	if len(content) == 0 {
		return keptKey{}, false
	}
	return keptKey{path, &content[0], len(content)}, true
}

// Keep records v for the file path with content; an empty content is
// not kept (it has no address to tell it from another).
func (k *Kept[T]) Keep(path string, content []byte, v T) {
	key, ok := keptKeyOf(path, content)
	if !ok {
		return
	}
	k.mu.Lock()
	if k.entries == nil {
		k.entries = map[keptKey]T{}
	}
	k.entries[key] = v
	k.mu.Unlock()
}

// Take returns and forgets what was kept for the file path with this very
// content; ok is false when nothing was.
func (k *Kept[T]) Take(path string, content []byte) (v T, ok bool) {
	key, keep := keptKeyOf(path, content)
	if !keep {
		return v, false
	}
	k.mu.Lock()
	v, ok = k.entries[key]
	if ok {
		delete(k.entries, key)
	}
	k.mu.Unlock()
	return v, ok
}

// Len is the number of entries kept and not taken.
func (k *Kept[T]) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.entries)
}
