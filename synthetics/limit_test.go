package synthetics

import (
	"net/http"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// TestRateLimitWait pins the wait after a 429. Before, a 429 without
// X-RateLimit-Reset waited one second, five times: that pinned a bug
// (issue 13), so the case is now X-RateLimit-Period or backoff.
func TestRateLimitWait(t *testing.T) {
	tests := []struct {
		reset, period string
		attempt       int
		want          time.Duration
	}{
		{"7", "60", 0, 7 * time.Second},
		{"0", "60", 0, 100 * time.Millisecond},
		{"", "10", 0, 10 * time.Second},
		{"-3", "10", 0, 10 * time.Second},
		{"soon", "", 0, 500 * time.Millisecond},
		{"", "", 1, time.Second},
		{"", "", 3, 4 * time.Second},
		{"", "", 40, maxRateLimitWait},
		{"100000", "", 0, maxRateLimitWait},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.reset != "" {
			h.Set("X-RateLimit-Reset", tt.reset)
		}
		if tt.period != "" {
			h.Set("X-RateLimit-Period", tt.period)
		}
		if got := rateLimitWait(h, 500*time.Millisecond, tt.attempt); got != tt.want {
			t.Errorf("rateLimitWait(reset %q, period %q, attempt %d) = %v, want %v", tt.reset, tt.period, tt.attempt, got, tt.want)
		}
	}
}

// TestLimiterWaitsForReset checks that a response using up the rate-limit
// window makes the next call wait for the reset, and no longer.
func TestLimiterWaitsForReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &Client{backoff: 500 * time.Millisecond}
		start := time.Now()
		c.observe(&http.Response{StatusCode: 200, Header: http.Header{
			"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"5"},
		}})
		if err := c.waitPause(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(start); got != 5*time.Second {
			t.Errorf("waited %v, want 5s", got)
		}
		// Remaining calls in the window: no wait.
		c.observe(&http.Response{StatusCode: 200, Header: http.Header{
			"X-Ratelimit-Remaining": {"12"}, "X-Ratelimit-Reset": {"5"},
		}})
		start = time.Now()
		if err := c.waitPause(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(start); got != 0 {
			t.Errorf("waited %v with calls remaining, want 0", got)
		}
	})
}

// TestFinalIDsKeepSurvivors: a publish that lost every race to a
// concurrent one deletes its own tests as duplicates; the suite must then
// hold the survivors, not nothing (which would delete the suite).
func TestFinalIDsKeepSurvivors(t *testing.T) {
	p := &Plan{}
	created := []Change{{CheckID: "a", PublicID: "new-a"}, {CheckID: "b", PublicID: "new-b"}}
	dups := []Change{
		{CheckID: "a", PublicID: "new-a", Reason: ReasonDuplicate, Survivor: "old-a"},
		{CheckID: "b", PublicID: "new-b", Reason: ReasonDuplicate, Survivor: "old-b"},
	}
	got := sortedUnique(finalIDs(p, created, dups, nil))
	if want := []string{"old-a", "old-b"}; !slices.Equal(got, want) {
		t.Errorf("finalIDs = %v, want %v", got, want)
	}
}
