package diff

import (
	"sync"
	"time"
)

// lagMonitor measures how late smoke itself gets to run. A goroutine
// asks to be woken every lagPeriod and records each wake-up that came
// more than lagFloor late: the span from when it was due to when it
// came is time during which the process could not run it, because the
// machine's CPUs were busy elsewhere, the Go scheduler had no processor
// free, or the garbage collector stopped the world. A sample taken
// during such a span measured the client's starvation along with the
// service, so its Lag (see Sample.Lag) is the longest overlap of its
// exchange with a late span.
//
// Its cost is one timer wake-up per millisecond while a diff that
// compares latency runs: a few microseconds of CPU each.
type lagMonitor struct {
	mu    sync.Mutex
	spans [lagSpans]lagSpan // ring of the latest late spans
	next  int               // where the next span goes in spans
	// due is when the wake-up the monitor waits for is due: a sample
	// that ends after it while the wake-up has not come yet is inside a
	// late span that is still open.
	due  time.Time
	quit chan struct{}
	done chan struct{}
}

// lagSpan is a late wake-up: due when it was asked for, woke when it came.
type lagSpan struct{ due, woke time.Time }

const (
	// lagPeriod is the monitor's resolution.
	lagPeriod = time.Millisecond
	// lagFloor is the lateness below which a wake-up counts as on time:
	// timers fire a few tens of microseconds late on an idle machine.
	lagFloor = time.Millisecond
	// lagSpans is how many late spans are kept: a sample only looks at
	// spans that overlap it, and more than this many of them would each
	// be reason enough to discard it.
	lagSpans = 1024
)

// startLagMonitor starts the monitor; stop ends it and waits for its
// goroutine.
func startLagMonitor() *lagMonitor {
	m := &lagMonitor{quit: make(chan struct{}), done: make(chan struct{}), due: time.Now().Add(lagPeriod)}
	go m.run()
	return m
}

func (m *lagMonitor) run() {
	defer close(m.done)
	t := time.NewTimer(lagPeriod)
	defer t.Stop()
	for {
		select {
		case <-m.quit:
			return
		case <-t.C:
		}
		now := time.Now()
		m.mu.Lock()
		if now.Sub(m.due) > lagFloor {
			m.spans[m.next] = lagSpan{due: m.due, woke: now}
			m.next = (m.next + 1) % lagSpans
		}
		m.due = now.Add(lagPeriod)
		m.mu.Unlock()
		t.Reset(lagPeriod)
	}
}

func (m *lagMonitor) stop() {
	close(m.quit)
	<-m.done
}

// lagDuring returns the longest time, within [start, end], that smoke
// could not run: the largest overlap of a late span with the interval,
// the span still open (a wake-up due before end that has not come yet)
// included.
func (m *lagMonitor) lagDuring(start, end time.Time) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	var worst time.Duration
	overlap := func(from, to time.Time) {
		from, to = later(from, start), earlier(to, end)
		if d := to.Sub(from); d > worst {
			worst = d
		}
	}
	for _, s := range m.spans {
		if !s.woke.IsZero() {
			overlap(s.due, s.woke)
		}
	}
	if end.Sub(m.due) > lagFloor {
		overlap(m.due, end)
	}
	return worst
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
