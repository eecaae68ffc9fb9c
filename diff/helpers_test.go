package diff

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
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

// canonical renders a decoded JSON value with sorted keys and canonical
// numbers, so equal values have equal texts: the oracle the fuzz tests
// hold the comparison to.
func canonical(v any) string {
	var b strings.Builder
	writeCanonical(&b, v)
	return b.String()
}

func writeCanonical(b *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(k))
			b.WriteByte(':')
			writeCanonical(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonical(b, e)
		}
		b.WriteByte(']')
	case json.Number:
		b.WriteString("n:" + canonicalNumber(string(x)))
	case string:
		b.WriteString(strconv.Quote(x))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case nil:
		b.WriteString("null")
	}
}

// timings wraps durations measured by an unstarved client.
func timings(ds []time.Duration) []timing {
	out := make([]timing, len(ds))
	for i, d := range ds {
		out[i] = timing{d: d}
	}
	return out
}
