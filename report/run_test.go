package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"github.com/smoke-dev/smoke/internal/junit"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/golden"
	"github.com/smoke-dev/smoke/runner"
)

// sampleResults has every outcome, a schema failure with a pointer, and
// characters each format must escape.
func sampleResults() []runner.Result {
	return []runner.Result{
		{CheckID: "92482e2cfe00", Method: "GET", Path: "/health", OperationID: "getHealth", URL: "http://127.0.0.1:8080/health",
			StatusCode: 200, Outcome: runner.Passed, Exercised: true, DurationMS: 1.25,
			Assertions:   []string{"not_server_error", "status_documented", "content_type"},
			Undocumented: &runner.Undocumented{Fields: []string{"/build/*/sha", "/uptime_<b>|s"}, More: 2}},
		{CheckID: "7a11e9f0b3c2", Method: "GET", Path: "/owners/{ownerId}", OperationID: "getOwner", URL: "http://127.0.0.1:8080/owners/3f2a",
			StatusCode: 404, Outcome: runner.Passed, Reason: runner.ReasonNotFound, Snippet: `{"message":"no such owner"}`, DurationMS: 2,
			Assertions: []string{"not_server_error", "status_documented"}},
		{CheckID: "9e0d1c2b3a45", Method: "POST", Path: "/refunds", OperationID: "createRefund", URL: "http://127.0.0.1:8080/refunds",
			StatusCode: 422, Outcome: runner.Passed, Reason: runner.ReasonRejected, Snippet: `{"error":"amount must be positive | > 0"}`, DurationMS: 2.5,
			Assertions: []string{"not_server_error", "status_documented"}},
		{CheckID: "d436fea64fa1", Method: "GET", Path: "/pets", OperationID: "listPets", URL: "http://127.0.0.1:8080/pets?limit=2",
			StatusCode: 200, Outcome: runner.Failed, Exercised: true, DurationMS: 12.5,
			Assertions: []string{"not_server_error", "status_documented", "content_type", "response_schema", "required_headers"}, Failures: []runner.Failure{
				{Check: "response_schema", Pointer: "/items/0/id", Message: `body at /items/0/id: value must be an integer (value "x"; schema #/components/schemas/Pet)`},
				{Check: "required_headers", Message: "required header X-Request-Id missing from the 200 response"},
			}},
		{CheckID: "5b2c1e0f9a77", Method: "GET", Path: "/stats", OperationID: "getStats", URL: "http://127.0.0.1:8080/stats",
			StatusCode: 500, Outcome: runner.Failed, Reason: runner.ReasonOther, Snippet: "<html>a | b & c</html>", DurationMS: 3,
			Assertions: []string{"not_server_error", "status_documented"}, Failures: []runner.Failure{
				{Check: "not_server_error", Message: `status 500 Internal Server Error: a server error (expected no 5xx); body: "<html>a | b & c</html>"`},
			}},
		{CheckID: "0c0ffee00001", Method: "DELETE", Path: "/pets/{petId}", URL: "http://127.0.0.1:8080/pets/3",
			Outcome: runner.Errored, Reason: runner.ReasonNoAnswer, DurationMS: 10000, Failures: []runner.Failure{
				{Check: "request", Message: "timed out after 10s: no answer"},
			}},
		{CheckID: "0c0ffee00002", Method: "PUT", Path: "/pets/{petId}", OperationID: "updatePet",
			Outcome: runner.Skipped, Reason: runner.ReasonNoAnswer, Failures: []runner.Failure{{Check: "request", Message: "not sent: run interrupted"}}},
	}
}

// sampleChecks are the checks of sampleResults that the ledger reads
// tags, value sources and invented values from.
func sampleChecks() []generator.Check {
	return []generator.Check{
		{ID: "92482e2cfe00", Method: "GET", Path: "/health", Tags: []string{"ops"}},
		{ID: "7a11e9f0b3c2", Method: "GET", Path: "/owners/{ownerId}", Tags: []string{"owners"},
			Request: generator.Request{Path: []generator.Param{{Name: "ownerId", Value: "3f2a", Source: generator.SourceGenerated}}}},
		{ID: "9e0d1c2b3a45", Method: "POST", Path: "/refunds", Tags: []string{"refunds"},
			Request: generator.Request{Body: &generator.Body{ContentType: "application/json", Text: `{"amount":1}`, Source: generator.SourceGenerated}}},
		{ID: "d436fea64fa1", Method: "GET", Path: "/pets", Tags: []string{"pets"},
			Request: generator.Request{Query: []generator.Param{{Name: "limit", Value: "2", Source: generator.SourceExample}}}},
		{ID: "5b2c1e0f9a77", Method: "GET", Path: "/stats", Tags: []string{"ops"}},
	}
}

func sampleOptions() RunOptions {
	return RunOptions{
		Title:  "Petstore (smoke example) 1.0.0",
		Target: "http://127.0.0.1:8080",
		Reproduce: map[string]string{
			"d436fea64fa1": "curl -sS -i 'http://127.0.0.1:8080/pets?limit=2' -H 'Authorization: ********'",
			"5b2c1e0f9a77": "curl -sS -i 'http://127.0.0.1:8080/stats'",
			"0c0ffee00001": "curl -sS -i -X DELETE 'http://127.0.0.1:8080/pets/3'",
		},
		Elapsed:           1500 * time.Millisecond,
		Incomplete:        "interrupted",
		Checks:            sampleChecks(),
		SkippedByConfig:   []string{"DELETE /owners/{ownerId}"},
		FailOnUnexercised: true,
	}
}

func TestWriteRun(t *testing.T) {
	all := sampleResults()
	passed := all[:1]
	formats := map[string]func(*bytes.Buffer, []runner.Result, RunOptions) error{
		"text":     func(b *bytes.Buffer, r []runner.Result, o RunOptions) error { return WriteRunText(b, r, o) },
		"json":     func(b *bytes.Buffer, r []runner.Result, o RunOptions) error { return WriteRunJSON(b, r, o) },
		"junit":    func(b *bytes.Buffer, r []runner.Result, o RunOptions) error { return WriteRunJUnit(b, r, o) },
		"markdown": func(b *bytes.Buffer, r []runner.Result, o RunOptions) error { return WriteRunMarkdown(b, r, o) },
		"html":     func(b *bytes.Buffer, r []runner.Result, o RunOptions) error { return WriteRunHTML(b, r, o) },
	}
	cases := []struct {
		name    string
		results []runner.Result
		opts    RunOptions
	}{
		{"mixed", all, sampleOptions()},
		{"passed", passed, RunOptions{Target: "http://127.0.0.1:8080"}},
		{"empty", nil, RunOptions{}},
	}
	for _, format := range []string{"text", "json", "junit", "markdown", "html"} {
		for _, c := range cases {
			t.Run(format+"/"+c.name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := formats[format](&buf, c.results, c.opts); err != nil {
					t.Fatal(err)
				}
				golden.Assert(t, t.Name()+".golden", buf.Bytes())
			})
		}
	}
}

func TestWriteRunTextColor(t *testing.T) {
	var plain, color bytes.Buffer
	opts := sampleOptions()
	if err := WriteRunText(&plain, sampleResults(), opts); err != nil {
		t.Fatal(err)
	}
	opts.Color = true
	if err := WriteRunText(&color, sampleResults(), opts); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("WriteRunText(Color: false) has ANSI escapes")
	}
	if !strings.Contains(color.String(), ansiRed) {
		t.Error("WriteRunText(Color: true) has no red")
	}
}

// TestWriteRunJSONShape pins the keys DESIGN.md promises to other tools.
func TestWriteRunJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteRunJSON(&buf, sampleResults(), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary map[string]json.RawMessage   `json:"summary"`
		Results []map[string]json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"total": "7", "passed": "3", "failed": "2", "errored": "1", "skipped": "1", "exercised": "2"}
	got := map[string]string{}
	for k := range want {
		got[k] = string(doc.Summary[k])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	for _, r := range doc.Results {
		for _, k := range []string{"check_id", "method", "path", "status_code", "outcome", "exercised", "duration_ms", "failures"} {
			if _, ok := r[k]; !ok {
				t.Errorf("result %s has no %q", r["check_id"], k)
			}
		}
		var fs []map[string]any
		if err := json.Unmarshal(r["failures"], &fs); err != nil {
			t.Errorf("failures of %s = %s, want an array", r["check_id"], r["failures"])
		}
		for _, f := range fs {
			if f["check"] == nil || f["message"] == nil {
				t.Errorf("failure %v lacks check or message", f)
			}
		}
	}
}

// TestWriteRunJUnitParses reads the XML back the way CI viewers do.
func TestWriteRunJUnitParses(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteRunJUnit(&buf, sampleResults(), sampleOptions()); err != nil {
		t.Fatal(err)
	}
	var doc junit.Suites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("xml.Unmarshal(junit) = %v", err)
	}
	if len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 7 {
		t.Fatalf("junit = %d suites, want 1 with 7 testcases", len(doc.Suites))
	}
	got := map[string]int{}
	for _, c := range doc.Suites[0].Cases {
		switch {
		case c.Failure != nil:
			got["failure"]++
		case c.Error != nil:
			got["error"]++
		case c.Skipped != nil:
			got["skipped"]++
		default:
			got["passed"]++
		}
	}
	// --fail-on unexercised: the two checks that passed without
	// exercising their operation are failures too.
	if diff := cmp.Diff(map[string]int{"failure": 4, "error": 1, "skipped": 1, "passed": 1}, got); diff != "" {
		t.Errorf("testcases by kind (-want +got):\n%s", diff)
	}
	if doc.Tests != 7 || doc.Failures != 4 || doc.Errors != 1 || doc.Skipped != 1 {
		t.Errorf("testsuites counts = %d/%d/%d/%d, want 7/4/1/1", doc.Tests, doc.Failures, doc.Errors, doc.Skipped)
	}
}

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(0, 0)
	p := NewProgress(&buf, 4, ProgressOptions{Now: func() time.Time { return now }})
	p.Add(runner.Result{Outcome: runner.Passed}) // first: drawn
	p.Add(runner.Result{Outcome: runner.Failed}) // too soon: not drawn
	now = now.Add(time.Second)
	p.Add(runner.Result{Outcome: runner.Errored}) // drawn
	p.Add(runner.Result{Outcome: runner.Passed})  // last: always drawn
	p.Done()
	frames := strings.Split(buf.String(), "\r\x1b[2K")
	want := []string{
		"",
		"███████░░░░░░░░░░░░░░░░░░░░░ 1/4  ✓ 1  ✗ 0  ! 0",
		"█████████████████████░░░░░░░ 3/4  ✓ 1  ✗ 1  ! 1",
		"████████████████████████████ 4/4  ✓ 2  ✗ 1  ! 1",
		"",
	}
	if diff := cmp.Diff(want, frames); diff != "" {
		t.Errorf("progress frames (-want +got):\n%s", diff)
	}
}

// TestTextNeutralisesEscapes keeps a hostile server from driving the
// user's terminal through a message it echoed.
func TestTextNeutralisesEscapes(t *testing.T) {
	results := []runner.Result{{CheckID: "c", Method: "GET", Path: "/x", Outcome: runner.Failed,
		Failures: []runner.Failure{{Check: "status_documented", Message: "redirect to \x1b]0;pwned\x07\x1b[2J"}}}}
	var buf bytes.Buffer
	if err := WriteRunText(&buf, results, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(buf.String(), "\x1b\x07") {
		t.Errorf("WriteRunText() passes control characters through:\n%q", buf.String())
	}
}

// TestWriteRunMarkdownBounded keeps a huge run within GitHub's step
// summary limit (1 MiB).
func TestWriteRunMarkdownBounded(t *testing.T) {
	var results []runner.Result
	for i := range 5000 {
		r := sampleResults()[i%7]
		r.Path = fmt.Sprintf("/a/rather/long/path/number/%d/{id}", i)
		results = append(results, r)
	}
	var buf bytes.Buffer
	if err := WriteRunMarkdown(&buf, results, sampleOptions()); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 1<<20 {
		t.Errorf("WriteRunMarkdown(5000 results) = %d bytes, want at most 1 MiB", buf.Len())
	}
	if !strings.Contains(buf.String(), "… and 2606 more that did not pass") ||
		!strings.Contains(buf.String(), "… and 3500 more; the JSON report has the whole ledger.") {
		t.Errorf("WriteRunMarkdown(5000 results) does not say what it left out")
	}
}
