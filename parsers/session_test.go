package parsers

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The sessions (source.Kept, source.ParseOnce) rest on discovery handing
// Load the very content Detect saw: a format keeping what Detect found
// takes every entry back when the workspace loads.
func TestLoadSeesTheContentDetectSaw(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.conf": "conf a", "sub/b.conf": "conf b", "c.conf": "plain"})
	var taken, missed atomic.Int32
	var kept *source.Kept[bool]
	keeping := Format{
		Kind:      "fake",
		Candidate: fakeFormat.Candidate,
		PerLoad: func() Format {
			k := &source.Kept[bool]{}
			kept = k
			return Format{
				Kind:      "fake",
				Candidate: fakeFormat.Candidate,
				Detect: func(rel string, b []byte) bool {
					ok := strings.HasPrefix(string(b), "conf")
					if ok {
						k.Keep(rel, b, true)
					}
					return ok
				},
				Load: func(r source.Reader, paths []string) ([]Tree, []source.Problem) {
					for _, p := range paths {
						f, err := r.ReadFile(p)
						if err != nil {
							t.Errorf("%s: %v", p, err)
							continue
						}
						if _, ok := k.Take(f.Path, f.Content); ok {
							taken.Add(1)
						} else {
							missed.Add(1)
						}
					}
					return nil, nil
				},
			}
		},
	}
	if _, err := Load(context.Background(), Options{Root: dir, Formats: []Format{keeping}}); err != nil {
		t.Fatal(err)
	}
	if taken.Load() != 2 || missed.Load() != 0 || kept == nil || kept.Len() != 0 {
		t.Errorf("Load took %d of Detect's entries and missed %d; want 2 and 0", taken.Load(), missed.Load())
	}
}
