package synthetics_test

import (
	"testing"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/spec"
	"github.com/smoke-dev/smoke/synthetics"
)

// BenchmarkMap maps GitHub's REST API description (about 1,200 checks,
// large response schemas) to Synthetics tests.
func BenchmarkMap(b *testing.B) {
	doc, err := spec.Load(b.Context(), testenv.Spec(b, "github-api.github.com-octokit-openapi-23.0.2.json"), spec.Options{})
	if err != nil {
		b.Fatal(err)
	}
	plan, err := generator.Generate(doc, generator.Options{Service: "github"})
	if err != nil {
		b.Fatal(err)
	}
	opts := synthetics.Options{Service: "github", BaseURL: "https://api.github.com"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := synthetics.Map(plan.Checks, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(plan.Checks)), "checks")
}
