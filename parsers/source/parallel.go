package source

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// WithJobs returns r carrying how many files a front end may parse at once
// through it (0: GOMAXPROCS). The loaders read it with Jobs; a reader that
// carries nothing allows one, so a caller that already runs loads in
// parallel (audit) is not multiplied.
func WithJobs(r Reader, jobs int) Reader {
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	if jr, ok := r.(jobsReader); ok {
		r = jr.Reader
	}
	return jobsReader{Reader: r, jobs: jobs}
}

type jobsReader struct {
	Reader
	jobs int
}

// Identity keeps what the wrapped reader knows of symbolic links
// (Identifier): the wrapper must not hide an optional interface a front
// end asks the reader for.
func (r jobsReader) Identity(path string) string { return Identity(r.Reader, path) }

// Err keeps the wrapped reader's cancellation (Cancelled): a front end
// reading through the wrapper must still stop when its run is cancelled.
func (r jobsReader) Err() error { return Cancelled(r.Reader) }

// Jobs returns how many files may be parsed at once through r.
func Jobs(r Reader) int {
	if jr, ok := r.(jobsReader); ok {
		return jr.jobs
	}
	return 1
}

// Each calls f(i) for every i in [0, n), up to jobs at once, and returns
// when all have returned. Callers write results into slots by index and
// merge them in index order afterwards, so what they produce does not
// depend on the number of jobs. A panic in f is raised again in the
// caller's goroutine once every worker has stopped, as if f had run
// there: the callers that recover from a front end's panic (the language
// server, audit) still do.
func Each(jobs, n int, f func(i int)) {
	if jobs = min(jobs, n); jobs <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		once     sync.Once
		panicked any
		failed   atomic.Bool
	)
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					once.Do(func() { panicked = p })
					failed.Store(true)
				}
			}()
			for i := int(next.Add(1)) - 1; i < n && !failed.Load(); i = int(next.Add(1)) - 1 {
				f(i)
			}
		}()
	}
	wg.Wait()
	if failed.Load() {
		panic(panicked)
	}
}

// ReadEach reads paths through r, up to Jobs(r) at once, and calls
// parse(i, file) for each file read without error; it stops starting
// files once r's run is cancelled. Loaders parse their detected files
// with it before following includes or imports in their own order; a
// file it could not read is read again there, and its error reported
// in that order.
func ReadEach(r Reader, paths []string, parse func(i int, f *File)) {
	Each(Jobs(r), len(paths), func(i int) {
		if Cancelled(r) != nil {
			return
		}
		if f, err := r.ReadFile(paths[i]); err == nil {
			parse(i, f)
		}
	})
}
