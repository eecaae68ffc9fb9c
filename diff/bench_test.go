package diff

import (
	"bytes"
	"compress/flate"
	"fmt"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/generator"
)

// BenchmarkCompare measures the classification of one operation sampled
// in 3 rounds (6 samples per side), each answer a list of 100 objects
// with a varying timestamp: the CPU cost diff adds per operation on top
// of the requests.
func BenchmarkCompare(b *testing.B) {
	body := func(stamp int) string {
		var sb strings.Builder
		sb.WriteString(`{"items":[`)
		for i := range 100 {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"id":%d,"name":"pet-%d","price":%d.50,"tags":["a","b"],"seen":"2024-01-01T00:00:%02dZ"}`, i, i, i, stamp%60)
		}
		sb.WriteString(`],"total":100}`)
		return sb.String()
	}
	var old, new []Sample
	for i := range 6 {
		old = append(old, Sample{Response: resp(200, body(i), "X-Request-Id", fmt.Sprint(i))})
		new = append(new, Sample{Response: resp(200, body(i+7), "X-Request-Id", fmt.Sprint(i+7))})
	}
	all := []Samples{{Check: generator.Check{ID: "x", Method: "GET", Path: "/pets"}, Old: old, New: new}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compare(all, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// nestedArrays is a body of depth nested arrays, "[[[...]]]": 2 bytes per
// level, the shape of issue 9's 20 KB attack.
func nestedArrays(depth int, leaf string) string {
	return strings.Repeat("[", depth) + leaf + strings.Repeat("]", depth)
}

// BenchmarkCompareNested measures one operation (3 rounds) whose answers
// are deeply nested arrays with a leaf that changes on every answer: the
// comparison walks every level of every sample pair.
func BenchmarkCompareNested(b *testing.B) {
	for _, depth := range []int{100, 1000, 9990} {
		b.Run(fmt.Sprint(depth), func(b *testing.B) {
			var old, new []Sample
			for i := range 6 {
				old = append(old, Sample{Response: resp(200, nestedArrays(depth, fmt.Sprint(i)))})
				new = append(new, Sample{Response: resp(200, nestedArrays(depth, fmt.Sprint(i+7)))})
			}
			all := []Samples{{Check: generator.Check{ID: "x", Method: "GET", Path: "/deep"}, Old: old, New: new}}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compare(all, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// deflateBomb is a raw DEFLATE stream of n zero bytes inside a JSON
// string: about 1 KB of stream per MiB decoded.
func deflateBomb(b testing.TB, n int) []byte {
	b.Helper()
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		b.Fatal(err)
	}
	w.Write([]byte(`{"pad":"`))
	zero := make([]byte, 64<<10)
	for i := range zero {
		zero[i] = 'a'
	}
	for written := 0; written < n; written += len(zero) {
		w.Write(zero)
	}
	w.Write([]byte(`"}`))
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkCompareDeflateBomb measures one operation (3 rounds) whose
// answers are 64 MiB of JSON deflated to about 64 KB: what a sample costs
// once decoded.
func BenchmarkCompareDeflateBomb(b *testing.B) {
	raw := deflateBomb(b, 64<<20)
	b.Logf("deflate stream: %d bytes", len(raw))
	var old, new []Sample
	for range 6 {
		old = append(old, Sample{Response: resp(200, string(raw), "Content-Encoding", "deflate")})
		new = append(new, Sample{Response: resp(200, string(raw), "Content-Encoding", "deflate")})
	}
	all := []Samples{{Check: generator.Check{ID: "x", Method: "GET", Path: "/bomb"}, Old: old, New: new}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compare(all, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
