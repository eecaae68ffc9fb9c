package report_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/report"
)

func ExampleWriteK6() {
	checks := []generator.Check{{
		ID: "d436fea64fa1", Method: "GET", Path: "/pets", OperationID: "listPets", Safe: true,
		Request: generator.Request{URL: "/pets?limit=2", Headers: []generator.Param{{
			Name: "Authorization", Value: "Bearer t0ken-from-the-environment", Source: generator.SourceSecret,
			Secret: true, Env: "API_TOKEN", Template: "Bearer ${API_TOKEN}",
		}}},
		Expect: generator.Expect{Status: []string{"200"}, Responses: []generator.Response{{Status: "200"}}},
	}}
	var buf bytes.Buffer
	if _, err := report.WriteK6(&buf, checks, report.K6Options{BaseURL: "https://staging.example.com", VUs: 20}); err != nil {
		fmt.Println(err)
		return
	}
	// The lines that say what is sent, and that the token is not.
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.Contains(line, "http.request(") || strings.Contains(line, "API_TOKEN") || strings.Contains(line, "vus:") {
			fmt.Println(strings.TrimSpace(line))
		}
	}
	// Output:
	// //   k6 run -e BASE_URL=https://staging.example.com -e API_TOKEN=... script.js
	// // Credentials come from the environment: API_TOKEN.
	// "API_TOKEN": need("API_TOKEN", __ENV.API_TOKEN),
	// vus: 20,
	// const r0 = http.request("GET", BASE_URL + "/pets?limit=2", null, {
	// "Authorization": "Bearer " + env["API_TOKEN"],
}
