package runner

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/generator"
)

// BenchmarkMaskedRun measures the cost of masking: one check with a
// query API key and a bearer token, and a 500 answer that echoes both in
// its body, so every message of the result is masked. An in-memory
// transport answers at once, as in BenchmarkOverhead.
func BenchmarkMaskedRun(b *testing.B) {
	const key, token = "QKEY+SECRET/222==", "Bearer t0ken-SECRET-2"
	body := `{"error":"bad key ` + key + `","query":"api_key=` + url.QueryEscape(key) + `","auth":"` + token + `","pad":"` + strings.Repeat("p", 200) + `"}`
	tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode: 500, Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: int64(len(body)),
			Body: io.NopCloser(strings.NewReader(body)), Request: r,
		}, nil
	})
	c := okCheck("a", "GET", "/pets/1?api_key="+url.QueryEscape(key))
	c.Request.Query = []generator.Param{{Name: "api_key", Value: key, Source: generator.SourceSecret, Secret: true}}
	c.Request.Headers = []generator.Param{{Name: "Authorization", Value: token, Source: generator.SourceSecret, Secret: true}}
	r := newRunner(b, Options{BaseURL: "http://127.0.0.1:9", Transport: tr, Secrets: []string{"hunter22"}})
	checks := []generator.Check{c}
	b.ReportAllocs()
	for b.Loop() {
		res, _ := r.Run(b.Context(), checks)
		if strings.Contains(res[0].Failures[0].Message, "t0ken") {
			b.Fatal("token not masked")
		}
	}
}
