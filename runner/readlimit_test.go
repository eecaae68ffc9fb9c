package runner

import (
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// TestMaxBodyBytesNearInt64Max checks that a body limit at the top of
// int64 reads the whole body (issue 9 item 11: limit+1 overflowed and
// every body came back empty), and that a Content-Length the server
// invents does not decide how much memory is taken before reading.
func TestMaxBodyBytesNearInt64Max(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/liar" {
			// Claims far more than it sends; the read ends in an error,
			// never in an allocation of the claimed size.
			w.Header().Set("Content-Length", strconv.FormatInt(1<<50, 10))
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	for _, limit := range []int64{math.MaxInt64, math.MaxInt64 - 1, 1 << 62} {
		r := newRunner(t, Options{BaseURL: srv.URL, MaxBodyBytes: limit})
		resp, err := r.Send(t.Context(), srv.URL, okCheck("c", "GET", "/ok"))
		if err != nil {
			t.Fatalf("MaxBodyBytes %d: Send error = %v", limit, err)
		}
		if string(resp.Body) != `{"ok":true}` || resp.Truncated {
			t.Errorf("MaxBodyBytes %d: body = %q (truncated %v), want the whole body", limit, resp.Body, resp.Truncated)
		}
		if _, err := r.Send(t.Context(), srv.URL, okCheck("c", "GET", "/liar")); err == nil {
			t.Errorf("MaxBodyBytes %d: a body shorter than its Content-Length read without error", limit)
		}
	}
}
