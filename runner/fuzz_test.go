package runner

import (
	"testing"
	"time"
)

// FuzzRetryAfter checks that a server cannot make smoke wait beyond the
// cap, or a negative time.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "3", "-1", "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT", "soon", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		resp := &Response{Header: map[string][]string{"Retry-After": {v}}}
		for attempt := range 12 {
			if d := backoff(attempt, resp, now); d < 0 || d > backoffMax {
				t.Fatalf("backoff(%d, Retry-After %q) = %s, want within [0, %s]", attempt, v, d, backoffMax)
			}
		}
	})
}
