package spec_test

import (
	"testing"

	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/spec"
)

// BenchmarkLoad measures loading the largest real description (GitHub's,
// 13 MB of JSON) without validation, as smoke plan does before generating:
//
//	go test ./spec -run '^$' -bench Load -count 10
func BenchmarkLoad(b *testing.B) {
	p := testenv.Spec(b, "github-api.github.com-octokit-openapi-23.0.2.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := spec.Load(b.Context(), p, spec.Options{SkipValidation: true}); err != nil {
			b.Fatal(err)
		}
	}
}
