package runner_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/health" {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"status":"ok"}`)
			return
		}
		http.Error(w, "oops", http.StatusInternalServerError)
	}))
	defer srv.Close()

	expect := generator.Expect{
		Status:    []string{"200"},
		Responses: []generator.Response{{Status: "200", Content: []generator.Content{{MediaType: "application/json"}}}},
	}
	checks := []generator.Check{
		{ID: "h1", Method: "GET", Path: "/health", Request: generator.Request{URL: "/health"}, Expect: expect},
		{ID: "p1", Method: "GET", Path: "/pets", Request: generator.Request{URL: "/pets"}, Expect: expect},
	}
	r, err := runner.New(runner.Options{BaseURL: srv.URL + "/api"})
	if err != nil {
		fmt.Println(err)
		return
	}
	results, err := r.Run(context.Background(), checks)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, res := range results {
		line := fmt.Sprintf("%s %s %d %s exercised=%v", res.Method, res.Path, res.StatusCode, res.Outcome, res.Exercised)
		if !res.Exercised {
			line += " (" + string(res.Reason) + ")"
		}
		fmt.Println(line)
		for _, f := range res.Failures {
			fmt.Println("  ", f.Check+":", f.Message)
		}
	}
	s := runner.Summarize(results)
	fmt.Printf("%d checks: %d passed, %d failed; %d exercised\n", s.Total, s.Passed, s.Failed, s.Exercised)
	// Output:
	// GET /health 200 passed exercised=true
	// GET /pets 500 failed exercised=false (other)
	//    not_server_error: status 500 Internal Server Error: a server error (expected no 5xx); body: "oops"
	//    status_documented: status 500 Internal Server Error is not documented (documented: 200)
	// 2 checks: 1 passed, 1 failed; 1 exercised
}
