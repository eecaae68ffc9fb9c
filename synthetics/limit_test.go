package synthetics

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"
)

func TestResetAfter(t *testing.T) {
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"", time.Second},
		{"7", 7 * time.Second},
		{"0", 100 * time.Millisecond},
		{"-3", time.Second},
		{"soon", time.Second},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.header != "" {
			h.Set("X-RateLimit-Reset", tt.header)
		}
		if got := resetAfter(h); got != tt.want {
			t.Errorf("resetAfter(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

// TestLimiterWaitsForReset checks that a response using up the rate-limit
// window makes the next call wait for the reset, and no longer.
func TestLimiterWaitsForReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &Client{}
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
