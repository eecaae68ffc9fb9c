package report_test

import (
	"os"

	"github.com/smoke-dev/smoke/report"
	"github.com/smoke-dev/smoke/runner"
)

func ExampleWriteRunText() {
	results := []runner.Result{
		{CheckID: "a1", Method: "GET", Path: "/pets", StatusCode: 200, Outcome: runner.Passed, Exercised: true, DurationMS: 4},
		{CheckID: "c3", Method: "GET", Path: "/pets/{petId}", StatusCode: 404, Outcome: runner.Passed, Reason: runner.ReasonNotFound,
			Snippet: `{"message":"no such pet"}`, DurationMS: 1},
		{CheckID: "b2", Method: "GET", Path: "/stats", StatusCode: 500, Outcome: runner.Failed, Reason: runner.ReasonOther, DurationMS: 2,
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
	//   ✗ GET /stats         500   2.0ms  other
	//       not_server_error: status 500 Internal Server Error: a server error (expected no 5xx)
	//       reproduce: curl -sS -i 'http://127.0.0.1:8080/stats'
	//
	// NOT EXERCISED (1)
	//   ~ GET /pets/{petId}  404   1.0ms  not_found
	//       {"message":"no such pet"}
	//
	// PASSED (1)
	//   ✓ GET /pets          200   4.0ms
	//
	// 3 checks: 1 exercised, 2 not (1 not_found, 1 other); 2 passed, 1 failed, 0 errored, 0 skipped
}
