package runner

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/smoke-dev/smoke/generator"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestRate checks the pacing logic alone, on a fake clock and an in-memory
// transport (synctest cannot drive real sockets).
func TestRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{
				StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(`{}`)), Request: r,
			}, nil
		})
		r := newRunner(t, Options{BaseURL: "http://127.0.0.1:9", Rate: 10, Concurrency: 4, Transport: tr})
		checks := make([]generator.Check, 5)
		for i := range checks {
			checks[i] = okCheck(string(rune('a'+i)), "GET", "/x")
		}
		start := time.Now()
		results, err := r.Run(t.Context(), checks)
		if err != nil {
			t.Fatal(err)
		}
		// 5 requests at 10/s: the first at once, then one every 100ms.
		if got, want := time.Since(start), 400*time.Millisecond; got != want {
			t.Errorf("Run(5 checks, Rate 10) took %s of fake time, want %s", got, want)
		}
		if s := Summarize(results); s.Passed != 5 {
			t.Errorf("Summarize() = %+v, want 5 passed", s)
		}
	})
}

// TestRetryWait checks that a retry waits for Retry-After, on a fake clock.
func TestRetryWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sent []time.Time
		tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sent = append(sent, time.Now())
			status := 200
			if len(sent) == 1 {
				status = 503
			}
			return &http.Response{
				StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}, "Retry-After": {"2"}},
				Body: io.NopCloser(strings.NewReader(`{}`)), Request: r,
			}, nil
		})
		r := newRunner(t, Options{BaseURL: "http://127.0.0.1:9", Retries: 3, Transport: tr})
		if _, err := r.Run(t.Context(), []generator.Check{okCheck("a", "GET", "/a")}); err != nil {
			t.Fatal(err)
		}
		if len(sent) != 2 {
			t.Fatalf("sent %d requests, want 2", len(sent))
		}
		if got := sent[1].Sub(sent[0]); got != 2*time.Second {
			t.Errorf("retry after %s, want 2s (Retry-After)", got)
		}
	})
}

// TestRetryConnectionError checks that a failure to connect is retried and
// a timeout is not, on a fake clock.
func TestRetryConnectionError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			calls++
			if calls == 1 {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
			}
			return &http.Response{
				StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(`{}`)), Request: r,
			}, nil
		})
		r := newRunner(t, Options{BaseURL: "http://127.0.0.1:9", Retries: 2, Transport: tr})
		res, err := r.Run(t.Context(), []generator.Check{okCheck("a", "GET", "/a")})
		if err != nil || res[0].Outcome != Passed || calls != 2 {
			t.Errorf("Run() = %s, %v after %d calls, want passed after 2", res[0].Outcome, err, calls)
		}

		calls = 0
		tr = roundTripFunc(func(r *http.Request) (*http.Response, error) {
			calls++
			return nil, context.DeadlineExceeded
		})
		r = newRunner(t, Options{BaseURL: "http://127.0.0.1:9", Retries: 2, Transport: tr})
		res, _ = r.Run(t.Context(), []generator.Check{okCheck("a", "GET", "/a")})
		if res[0].Outcome != Errored || calls != 1 {
			t.Errorf("Run() = %s after %d calls, want errored after 1 (timeouts are not retried)", res[0].Outcome, calls)
		}
	})
}
