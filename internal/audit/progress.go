package audit

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// counters are what both progress reporters show.
type counters struct {
	total, done, failed, findings int
	start                         time.Time
}

func (c *counters) rate(now time.Time) float64 {
	el := now.Sub(c.start).Seconds()
	if el <= 0 {
		return 0
	}
	return float64(c.done) / el
}

func (c *counters) eta(now time.Time) time.Duration {
	r := c.rate(now)
	if r <= 0 || c.done >= c.total {
		return 0
	}
	return time.Duration(float64(c.total-c.done) / r * float64(time.Second)).Round(time.Second)
}

func (c *counters) count(s *Summary) {
	c.done++
	c.findings += s.Findings
	if s.Status != StatusOK {
		c.failed++
	}
}

// Bar draws a progress bar (for a terminal): repositories done out of the
// total, findings so far, rate and time left.
type Bar struct {
	w   io.Writer
	bar *progressbar.ProgressBar
	c   counters
}

// NewBar returns a progress bar drawn on w.
func NewBar(w io.Writer) *Bar { return &Bar{w: w} }

// Start implements Progress.
func (b *Bar) Start(total int) {
	b.c = counters{total: total, start: time.Now()}
	b.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(b.w),
		progressbar.OptionSetDescription(b.describe()),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("repos"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionClearOnFinish(),
	)
}

func (b *Bar) describe() string {
	d := fmt.Sprintf("auditing · %d findings", b.c.findings)
	if b.c.failed > 0 {
		d += fmt.Sprintf(" · %d failed", b.c.failed)
	}
	return d
}

// RepoDone implements Progress.
func (b *Bar) RepoDone(s *Summary) {
	b.c.count(s)
	b.bar.Describe(b.describe())
	_ = b.bar.Add(1)
}

// Finish implements Progress.
func (b *Bar) Finish(st *Stats) {
	_ = b.bar.Finish()
	fmt.Fprintln(b.w, finalLine(st))
}

// Lines prints a plain status line every interval (for a log, when stderr
// is not a terminal) and a final line.
type Lines struct {
	w        io.Writer
	interval time.Duration
	now      func() time.Time

	mu   sync.Mutex
	c    counters
	stop chan struct{}
	wg   sync.WaitGroup
}

// NewLines returns a reporter that prints to w every interval.
func NewLines(w io.Writer, interval time.Duration) *Lines {
	return &Lines{w: w, interval: interval, now: time.Now}
}

// Start implements Progress.
func (l *Lines) Start(total int) {
	l.c = counters{total: total, start: l.now()}
	l.stop = make(chan struct{})
	if l.interval <= 0 {
		return
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		t := time.NewTicker(l.interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				l.mu.Lock()
				fmt.Fprintln(l.w, l.line())
				l.mu.Unlock()
			case <-l.stop:
				return
			}
		}
	}()
}

func (l *Lines) line() string {
	now := l.now()
	s := fmt.Sprintf("mtlslint audit: %d/%d repositories", l.c.done, l.c.total)
	if l.c.failed > 0 {
		s += fmt.Sprintf(" (%d failed)", l.c.failed)
	}
	s += fmt.Sprintf(", %d findings, %.1f repos/s", l.c.findings, l.c.rate(now))
	if eta := l.c.eta(now); eta > 0 {
		s += ", ETA " + eta.String()
	}
	return s
}

// RepoDone implements Progress.
func (l *Lines) RepoDone(s *Summary) {
	l.mu.Lock()
	l.c.count(s)
	l.mu.Unlock()
}

// Finish implements Progress.
func (l *Lines) Finish(st *Stats) {
	close(l.stop)
	l.wg.Wait()
	fmt.Fprintln(l.w, finalLine(st))
}

func finalLine(st *Stats) string {
	s := fmt.Sprintf("mtlslint audit: %d repositories audited", st.Completed)
	if st.Resumed > 0 {
		s += fmt.Sprintf(", %d already complete", st.Resumed)
	}
	if st.Errors+st.Timeouts > 0 {
		s += fmt.Sprintf(" (%d errors, %d timeouts)", st.Errors, st.Timeouts)
	}
	s += fmt.Sprintf(", %d findings", st.Findings)
	if st.Duration > 0 {
		s += fmt.Sprintf(" in %s (%.1f repos/s)", st.Duration.Round(time.Millisecond), float64(st.Completed)/st.Duration.Seconds())
	}
	if st.Interrupted {
		s += "; interrupted: rerun with --resume to finish"
	}
	return s
}
