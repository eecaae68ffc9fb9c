package diff

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/runner"
)

func gzipped(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// resp builds a JSON response; hdr holds name, value pairs.
func resp(status int, body string, hdr ...string) *runner.Response {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Add(hdr[i], hdr[i+1])
	}
	return &runner.Response{StatusCode: status, Header: h, Body: []byte(body), Duration: time.Millisecond}
}

// side repeats responses into samples.
func side(rs ...*runner.Response) []Sample {
	out := make([]Sample, len(rs))
	for i, r := range rs {
		out[i] = Sample{Response: r}
	}
	return out
}

// same returns n samples of the same response.
func same(n int, r *runner.Response) []Sample {
	rs := make([]*runner.Response, n)
	for i := range rs {
		rs[i] = r
	}
	return side(rs...)
}
