package runner

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/generator"
)

// BenchmarkOverhead measures smoke's own cost per exchange, without a
// network: an in-memory transport answers at once. "bare" is the same
// request through http.Client alone.
func BenchmarkOverhead(b *testing.B) {
	tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: 2,
			Body: io.NopCloser(strings.NewReader(`{}`)), Request: r,
		}, nil
	})
	c := okCheck("a", "GET", "/pets/1?limit=2")
	b.Run("smoke", func(b *testing.B) {
		r := newRunner(b, Options{BaseURL: "http://127.0.0.1:9", Transport: tr})
		checks := []generator.Check{c}
		b.ReportAllocs()
		for b.Loop() {
			r.Run(b.Context(), checks)
		}
	})
	b.Run("send", func(b *testing.B) {
		r := newRunner(b, Options{BaseURL: "http://127.0.0.1:9", Transport: tr})
		b.ReportAllocs()
		for b.Loop() {
			r.send(b.Context(), "http://127.0.0.1:9/pets/1?limit=2", c)
		}
	})
	b.Run("bare", func(b *testing.B) {
		hc := &http.Client{Transport: tr}
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(b.Context(), "GET", "http://127.0.0.1:9/pets/1?limit=2", nil)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.ReadAll(resp.Body)
			resp.Body.Close()
		}
	})
}
