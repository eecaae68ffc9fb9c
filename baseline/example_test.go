package baseline_test

import (
	"fmt"
	"time"

	"github.com/smoke-dev/smoke/baseline"
	"github.com/smoke-dev/smoke/runner"
)

// A run judged through a baseline: the accepted failure does not fail
// the run, the new one does, and the entry for a fixed check is stale.
func Example() {
	f, err := baseline.Parse("smoke-baseline.yaml", []byte(`run:
  - operation: GET /stats
    assertion: not_server_error
    reason: the stats cache warms up in 2.4 (OPS-12)
    expires: 2026-12-31
  - operation: getHealth
    assertion: content_type
    reason: text/plain until 2.3
    expires: 2026-12-31
`), baseline.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	results := []runner.Result{
		{CheckID: "5b2c1e0f9a77", Method: "GET", Path: "/stats", StatusCode: 500, Outcome: runner.Failed,
			Failures: []runner.Failure{{Check: "not_server_error", Message: "status 500"}}},
		{CheckID: "92482e2cfe00", Method: "GET", Path: "/health", OperationID: "getHealth", StatusCode: 200, Outcome: runner.Passed, Exercised: true},
		{CheckID: "0c0ffee00002", Method: "PUT", Path: "/pets/{petId}", StatusCode: 200, Outcome: runner.Failed, Exercised: true,
			Failures: []runner.Failure{{Check: "response_schema", Message: "body at /id: want an integer"}}},
	}
	j := baseline.JudgeRun(f, results, baseline.RunOptions{Now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)})
	for _, x := range j.Findings {
		fmt.Println(x.Operation(), x.What(), x.Status)
	}
	for _, s := range j.Stale {
		fmt.Println("stale:", s.Where(), s.Names)
	}
	fmt.Println("fails:", j.Fails())
	// Output:
	// GET /stats not_server_error accepted
	// PUT /pets/{petId} response_schema new
	// stale: smoke-baseline.yaml:6 getHealth content_type
	// fails: true
}
