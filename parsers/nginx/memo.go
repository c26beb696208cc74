package nginx

import (
	"sync"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Discovery calls Detect on a file and then Load reads the same file (the
// workspace reader hands out one *source.File per path, so the content is
// the very same slice). Detect has to parse to decide, so it leaves its
// result here for Load to take instead of parsing the file a second time.
// An entry is keyed by the content's address and length, so a file edited
// meanwhile (a new buffer) never matches, and Load removes what it takes;
// the memo is capped so that Detect calls without a Load do not
// accumulate.

type memoKey struct {
	path string
	data *byte
	n    int
}

type memoEntry struct {
	dirs     []*Directive
	problems []source.Problem
}

const memoCap = 512

var (
	memoMu sync.Mutex
	memo   = map[memoKey]memoEntry{}
)

func keyOf(path string, content []byte) (memoKey, bool) {
	if len(content) == 0 {
		return memoKey{}, false
	}
	return memoKey{path, &content[0], len(content)}, true
}

// parseDetected parses content for Detect and remembers the result.
func parseDetected(rel string, content []byte) []*Directive {
	f := source.NewFile(rel, content)
	dirs, probs := Parse(f)
	if k, ok := keyOf(rel, content); ok {
		memoMu.Lock()
		if len(memo) >= memoCap {
			clear(memo)
		}
		memo[k] = memoEntry{dirs, probs}
		memoMu.Unlock()
	}
	return dirs
}

// forget drops what Detect remembered about a file it rejected.
func forget(rel string, content []byte) {
	if k, ok := keyOf(rel, content); ok {
		memoMu.Lock()
		delete(memo, k)
		memoMu.Unlock()
	}
}

// parseFile parses f, taking Detect's result when it parsed the same
// content. The directives' positions refer to f either way: Detect's parse
// used a file with the same path and content.
func parseFile(f *source.File) ([]*Directive, []source.Problem) {
	if k, ok := keyOf(f.Path, f.Content); ok {
		memoMu.Lock()
		e, hit := memo[k]
		if hit {
			delete(memo, k)
		}
		memoMu.Unlock()
		if hit {
			setFile(e.dirs, f)
			return e.dirs, e.problems
		}
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
