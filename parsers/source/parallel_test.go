package source

import (
	"io/fs"
	"sync/atomic"
	"testing"
)

type linkReader struct{}

func (linkReader) ReadFile(string) (*File, error)   { return nil, fs.ErrNotExist }
func (linkReader) Glob(string) ([]string, error)    { return nil, nil }
func (linkReader) Stat(string) (fs.FileInfo, error) { return nil, fs.ErrNotExist }
func (linkReader) Identity(path string) string      { return "target/" + path }

// TestWithJobs: the wrapper carries the job count, and keeps what the
// wrapped reader knows of symbolic links.
func TestWithJobs(t *testing.T) {
	var r Reader = linkReader{}
	if got := Jobs(r); got != 1 {
		t.Errorf("Jobs of a plain reader = %d, want 1", got)
	}
	w := WithJobs(WithJobs(r, 3), 2)
	if got := Jobs(w); got != 2 {
		t.Errorf("Jobs = %d, want 2", got)
	}
	if got := Identity(w, "a.conf"); got != "target/a.conf" {
		t.Errorf("Identity through the wrapper = %q, want target/a.conf", got)
	}
}

// TestEach: every index is visited once, whatever the number of jobs.
func TestEach(t *testing.T) {
	for _, jobs := range []int{0, 1, 2, 8} {
		seen := make([]atomic.Int32, 50)
		Each(jobs, len(seen), func(i int) { seen[i].Add(1) })
		for i := range seen {
			if n := seen[i].Load(); n != 1 {
				t.Errorf("jobs %d: index %d visited %d times", jobs, i, n)
			}
		}
	}
}

// TestEachRaisesAPanicInTheCaller: a panic in a worker reaches the
// caller's recover, as it would if the work ran in the caller.
func TestEachRaisesAPanicInTheCaller(t *testing.T) {
	got := func() (p any) {
		defer func() { p = recover() }()
		Each(2, 10, func(i int) {
			if i == 3 {
				panic("item 3 failed")
			}
		})
		return nil
	}()
	if got != "item 3 failed" {
		t.Errorf("recovered %v, want the worker's panic", got)
	}
}
