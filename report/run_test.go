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

	"github.com/smoke-dev/smoke/internal/golden"
	"github.com/smoke-dev/smoke/runner"
)

// sampleResults has every outcome, a schema failure with a pointer, and
// characters each format must escape.
func sampleResults() []runner.Result {
	return []runner.Result{
		{CheckID: "92482e2cfe00", Method: "GET", Path: "/health", OperationID: "getHealth", URL: "http://127.0.0.1:8080/health",
			StatusCode: 200, Outcome: runner.Passed, DurationMS: 1.25},
		{CheckID: "d436fea64fa1", Method: "GET", Path: "/pets", OperationID: "listPets", URL: "http://127.0.0.1:8080/pets?limit=2",
			StatusCode: 200, Outcome: runner.Failed, DurationMS: 12.5, Failures: []runner.Failure{
				{Check: "response_schema", Pointer: "/items/0/id", Message: `body at /items/0/id: value must be an integer (value "x"; schema #/components/schemas/Pet)`},
				{Check: "required_headers", Message: "required header X-Request-Id missing from the 200 response"},
			}},
		{CheckID: "5b2c1e0f9a77", Method: "GET", Path: "/stats", OperationID: "getStats", URL: "http://127.0.0.1:8080/stats",
			StatusCode: 500, Outcome: runner.Failed, DurationMS: 3, Failures: []runner.Failure{
				{Check: "not_server_error", Message: `status 500 Internal Server Error: a server error (expected no 5xx); body: "<html>a | b & c</html>"`},
			}},
		{CheckID: "0c0ffee00001", Method: "DELETE", Path: "/pets/{petId}", URL: "http://127.0.0.1:8080/pets/3",
			Outcome: runner.Errored, DurationMS: 10000, Failures: []runner.Failure{
				{Check: "request", Message: "timed out after 10s: no answer"},
			}},
		{CheckID: "0c0ffee00002", Method: "PUT", Path: "/pets/{petId}", OperationID: "updatePet",
			Outcome: runner.Skipped, Failures: []runner.Failure{{Check: "request", Message: "not sent: run interrupted"}}},
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
		Elapsed:    1500 * time.Millisecond,
		Incomplete: "interrupted",
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
	for _, format := range []string{"text", "json", "junit", "markdown"} {
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
	want := map[string]string{"total": "5", "passed": "1", "failed": "2", "errored": "1", "skipped": "1"}
	got := map[string]string{}
	for k := range want {
		got[k] = string(doc.Summary[k])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	for _, r := range doc.Results {
		for _, k := range []string{"check_id", "method", "path", "status_code", "outcome", "duration_ms", "failures"} {
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
	if len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 5 {
		t.Fatalf("junit = %d suites, want 1 with 5 testcases", len(doc.Suites))
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
	if diff := cmp.Diff(map[string]int{"failure": 2, "error": 1, "skipped": 1, "passed": 1}, got); diff != "" {
		t.Errorf("testcases by kind (-want +got):\n%s", diff)
	}
	if doc.Tests != 5 || doc.Failures != 2 || doc.Errors != 1 || doc.Skipped != 1 {
		t.Errorf("testsuites counts = %d/%d/%d/%d, want 5/2/1/1", doc.Tests, doc.Failures, doc.Errors, doc.Skipped)
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
		r := sampleResults()[i%4]
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
	if !strings.Contains(buf.String(), "… and 3500 more that did not pass") {
		t.Errorf("WriteRunMarkdown(5000 results) does not say what it left out")
	}
}
