package report_test

import (
	"net/http"
	"os"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/report"
	"github.com/smoke-dev/smoke/runner"
)

func ExampleWriteDiffText() {
	answer := func(body string) diff.Sample {
		return diff.Sample{Response: &runner.Response{StatusCode: 200,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)}}
	}
	rep, err := diff.Compare([]diff.Samples{{
		Check: generator.Check{ID: "c1", Method: "GET", Path: "/receivers"},
		Old:   []diff.Sample{answer(`[{"name":"team-a"},{"name":"team-b"}]`), answer(`[{"name":"team-a"},{"name":"team-b"}]`)},
		New:   []diff.Sample{answer(`[{"name":"team-a"}]`), answer(`[{"name":"team-a"}]`)},
	}}, diff.Options{Rounds: 1, Seed: 7})
	if err != nil {
		panic(err)
	}
	report.WriteDiffText(os.Stdout, rep, report.DiffOptions{})
	// Output:
	// smoke diff
	// 1 round, 2 samples per side per round, seed 7
	//
	// REGRESSION (1)
	//   ✗ GET /receivers  200
	//       regression missing /1  old {"name":"team-b"}  new —
	//
	// 1 operation: 1 exercised on both sides; 0 parity, 1 regression, 0 noise, 0 fixed, 0 errors
}
