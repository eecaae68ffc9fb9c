package runner

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/generator"
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

// FuzzReadFirstRecord: whatever a server streams, the first record read
// is bounded by the limit (or flagged truncated), is a prefix-derived
// piece of what came, and reading never panics.
func FuzzReadFirstRecord(f *testing.F) {
	for _, seed := range []string{
		`{"result":{"n":1}}{"result":{"n":2}}`, "{\"n\":1}\n{\"n\":2}\n", "event: a\ndata: 1\n\ndata: 2\n\n",
		"", "{", "\n\n\n", `"x"`, "[1,2", ": only a comment\n",
	} {
		f.Add([]byte(seed), uint16(64), false)
		f.Add([]byte(seed), uint16(3), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, limit uint16, sse bool) {
		kind := generator.StreamJSON
		if sse {
			kind = generator.StreamSSE
		}
		resp := &http.Response{Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: -1}
		got, truncated, err := readFirstRecord(resp, int64(limit), kind)
		if err != nil {
			return
		}
		if int64(len(got)) > int64(limit) {
			t.Fatalf("record of %d bytes over the limit %d (truncated %v)", len(got), limit, truncated)
		}
		if !truncated && !bytes.Contains(body, bytes.TrimSpace(got)) && kind == generator.StreamJSON {
			t.Fatalf("record %q is not part of the body %q", got, body)
		}
	})
}
