package report

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/smoke-dev/smoke/runner"
)

// progressWidth is the number of cells of the bar.
const progressWidth = 28

// Progress draws a one-line progress bar, redrawn in place with \r. Draw
// it only on a terminal; elsewhere, don't create one. It is safe for
// concurrent use.
type Progress struct {
	mu       sync.Mutex
	w        io.Writer
	total    int
	sum      runner.Summary
	color    bool
	now      func() time.Time
	last     time.Time
	interval time.Duration
	drawn    bool
}

// ProgressOptions tune a Progress. The zero value redraws at most ten
// times a second, without colour.
type ProgressOptions struct {
	Color bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Interval is the least time between redraws; zero means 100ms.
	Interval time.Duration
}

// NewProgress returns a Progress over total checks, writing to w.
func NewProgress(w io.Writer, total int, opts ProgressOptions) *Progress {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Interval <= 0 {
		opts.Interval = 100 * time.Millisecond
	}
	return &Progress{w: w, total: total, color: opts.Color, now: opts.Now, interval: opts.Interval}
}

// Add counts one finished check and redraws when the last redraw is old
// enough or the run is complete. Its signature fits runner.Options.OnResult.
func (p *Progress) Add(r runner.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sum.Total++
	switch r.Outcome {
	case runner.Passed:
		p.sum.Passed++
	case runner.Failed:
		p.sum.Failed++
	case runner.Errored:
		p.sum.Errored++
	case runner.Skipped:
		p.sum.Skipped++
	}
	now := p.now()
	if p.sum.Total < p.total && p.drawn && now.Sub(p.last) < p.interval {
		return
	}
	p.last = now
	p.draw()
}

// Done erases the bar so the report starts on a clean line.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[2K")
		p.drawn = false
	}
}

func (p *Progress) draw() {
	filled := 0
	if p.total > 0 {
		filled = p.sum.Total * progressWidth / p.total
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", progressWidth-filled)
	counts := fmt.Sprintf("✓ %d  ✗ %d  ! %d", p.sum.Passed, p.sum.Failed, p.sum.Errored)
	if p.color {
		counts = fmt.Sprintf("%s✓ %d%s  %s✗ %d%s  %s! %d%s", ansiGreen, p.sum.Passed, ansiReset,
			ansiRed, p.sum.Failed, ansiReset, ansiYellow, p.sum.Errored, ansiReset)
	}
	fmt.Fprintf(p.w, "\r\x1b[2K%s %d/%d  %s", bar, p.sum.Total, p.total, counts)
	p.drawn = true
}
