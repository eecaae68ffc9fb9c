package report_test

import (
	"os"

	"github.com/smoke-dev/smoke/report"
	"github.com/smoke-dev/smoke/runner"
)

func ExampleWriteRunText() {
	results := []runner.Result{
		{CheckID: "a1", Method: "GET", Path: "/pets", StatusCode: 200, Outcome: runner.Passed, DurationMS: 4},
		{CheckID: "b2", Method: "GET", Path: "/stats", StatusCode: 500, Outcome: runner.Failed, DurationMS: 2,
			Failures: []runner.Failure{{Check: "not_server_error", Message: "status 500 Internal Server Error: a server error (expected no 5xx)"}}},
	}
	report.WriteRunText(os.Stdout, results, report.RunOptions{
		Target:    "http://127.0.0.1:8080",
		Reproduce: map[string]string{"b2": "curl -sS -i 'http://127.0.0.1:8080/stats'"},
	})
	// Output:
	// smoke run → http://127.0.0.1:8080
	//
	// FAILED (1)
	//   ✗ GET /stats  500   2.0ms
	//       not_server_error: status 500 Internal Server Error: a server error (expected no 5xx)
	//       reproduce: curl -sS -i 'http://127.0.0.1:8080/stats'
	//
	// PASSED (1)
	//   ✓ GET /pets   200   4.0ms
	//
	// 2 checks: 1 passed, 1 failed, 0 errored, 0 skipped
}
