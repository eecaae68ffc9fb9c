package diff

import (
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
