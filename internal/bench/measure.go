// Package bench holds the speed benchmarks of check and audit (on the real
// corpus and on generated repositories) and a helper that measures the
// wall time and peak memory of a piece of work.
package bench

import (
	"runtime"
	"sync"
	"syscall"
	"time"
)

// CPUTime is the user and system time this process has used: on a shared
// machine it varies less than the wall time.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Usage is what Measure observed.
type Usage struct {
	Wall time.Duration
	// PeakHeap is the largest heap in use (live and not yet collected
	// objects) sampled during the work; PeakSys the largest memory
	// obtained from the operating system.
	PeakHeap uint64
	PeakSys  uint64
}

// Measure runs f and samples the Go heap every interval (0: 5 ms) while
// it runs. Sampling stops the world briefly, so keep the interval well
// above a millisecond.
func Measure(interval time.Duration, f func()) Usage {
	if interval <= 0 {
		interval = 5 * time.Millisecond
	}
	var (
		mu   sync.Mutex
		u    Usage
		ms   runtime.MemStats
		stop = make(chan struct{})
		done = make(chan struct{})
	)
	sample := func() {
		runtime.ReadMemStats(&ms)
		mu.Lock()
		u.PeakHeap = max(u.PeakHeap, ms.HeapInuse)
		u.PeakSys = max(u.PeakSys, ms.Sys)
		mu.Unlock()
	}
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				sample()
			case <-stop:
				return
			}
		}
	}()
	start := time.Now()
	f()
	u.Wall = time.Since(start)
	close(stop)
	<-done
	sample()
	return u
}
