package synthetics_test

import (
	"testing"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/plantest"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/synthetics"
)

// BenchmarkMap maps GitHub's REST API description (about 1,200 checks,
// large response schemas) to Synthetics tests.
func BenchmarkMap(b *testing.B) {
	plan := plantest.Plan(b, testenv.Spec(b, "github-api.github.com-octokit-openapi-23.0.2.json"), generator.Options{Service: "github"})
	opts := synthetics.Options{Service: "github", BaseURL: "https://api.github.com"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := synthetics.Map(plan.Checks, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(plan.Checks)), "checks")
}
