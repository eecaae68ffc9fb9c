package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/golden"
	"github.com/smoke-dev/smoke/runner"
)

// sampleDiff builds a report with every verdict, an addition, an ignored
// difference, a latency regression, an unused rule, a skipped write and
// characters each format must escape.
func sampleDiff(t *testing.T) *diff.Report {
	t.Helper()
	const rounds = 5
	answer := func(status int, body string, ms float64, hdr ...string) diff.Sample {
		h := http.Header{"Content-Type": {"application/json"}}
		for i := 0; i+1 < len(hdr); i += 2 {
			h.Set(hdr[i], hdr[i+1])
		}
		return diff.Sample{Response: &runner.Response{StatusCode: status, Header: h, Body: []byte(body),
			Duration: time.Duration(ms * float64(time.Millisecond))}}
	}
	repeat := func(f func(i int) diff.Sample) []diff.Sample {
		out := make([]diff.Sample, 2*rounds)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	check := func(method, path, opID string) generator.Check {
		return generator.Check{ID: generator.CheckID("pets", method, path), Method: method, Path: path, OperationID: opID,
			Expect: generator.Expect{Status: []string{"200"}, Responses: []generator.Response{{Status: "200"}}}}
	}
	all := []diff.Samples{
		{Check: check("GET", "/pets", "listPets"),
			Old: repeat(func(i int) diff.Sample { return answer(200, `[{"id":1,"name":"rex"}]`, 10+float64(i%3)) }),
			New: repeat(func(i int) diff.Sample { return answer(200, `[{"id":1,"name":"rex","tag":"dog"}]`, 11+float64(i%3)) })},
		{Check: check("GET", "/pets/{petId}", "showPetById"),
			Old: repeat(func(i int) diff.Sample {
				return answer(200, `{"id":1,"name":"<b>rex</b> | a","owner":{"name":"Ann"},"host":"ip-10-0-0-1"}`, 12)
			}),
			New: repeat(func(i int) diff.Sample { return answer(200, `{"id":1,"name":"rex","host":"fargate-7"}`, 12) })},
		{Check: check("GET", "/stats", "getStats"),
			Old: repeat(func(i int) diff.Sample { return answer(200, fmt.Sprintf(`{"served":%d}`, i), 5) }),
			New: repeat(func(i int) diff.Sample { return answer(200, fmt.Sprintf(`{"served":%d}`, 100+i), 5) })},
		{Check: check("GET", "/broken", ""),
			Old: repeat(func(i int) diff.Sample { return answer(500, `{"error":"boom"}`, 3) }),
			New: repeat(func(i int) diff.Sample { return answer(200, `{"ok":true}`, 3) })},
		{Check: check("GET", "/down", ""),
			Old: repeat(func(i int) diff.Sample { return answer(200, `{}`, 3) }),
			New: repeat(func(i int) diff.Sample {
				return diff.Sample{Err: errors.New("GET http://127.0.0.1:9/down: connection refused")}
			})},
		{Check: check("GET", "/gone/{id}", "getGone"),
			Old: repeat(func(i int) diff.Sample { return answer(404, `{"message":"no such thing"}`, 3) }),
			New: repeat(func(i int) diff.Sample { return answer(404, `{"message":"no such thing"}`, 3) })},
		{Check: check("GET", "/search", "search"),
			Old: repeat(func(i int) diff.Sample { return answer(200, `{}`, 40+float64(i%4)) }),
			New: repeat(func(i int) diff.Sample { return answer(200, `{}`, 140+float64(i%4), "Cache-Control", "no-store") })},
	}
	// A regression that holds on confirmation, and one that does not.
	all[1].ConfirmOld = all[1].Old[:2]
	all[1].ConfirmNew = all[1].New[:2]
	all = append(all, diff.Samples{Check: check("GET", "/owners", "listOwners"),
		Old:        repeat(func(i int) diff.Sample { return answer(200, `{"owners":["ann"]}`, 4) }),
		New:        repeat(func(i int) diff.Sample { return answer(200, `{"owners":[]}`, 4) }),
		ConfirmOld: repeat(func(i int) diff.Sample { return answer(200, `{"owners":["ann"]}`, 4) })[:2],
		ConfirmNew: repeat(func(i int) diff.Sample { return answer(200, `{"owners":["ann"]}`, 4) })[:2]})
	rep, err := diff.Compare(all, diff.Options{Rounds: rounds, Seed: 42, Rules: []diff.Rule{
		{Action: diff.Ignore, Operation: "showPetById", Pointer: "/host", Reason: "host names differ by design"},
		{Action: diff.Expect, Operation: "GET /gone", Kind: diff.KindStatus, Reason: "removed in v2"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	rep.Old, rep.New = "http://127.0.0.1:8081", "http://127.0.0.1:8082"
	rep.Skipped = []string{"POST /pets"}
	rep.Withheld = []string{"DELETE /orders/{id}"}
	// Each side's chains made their own resources; NEW could not delete
	// one.
	rep.Resources = &diff.Resources{
		Old: runner.Resources{Created: 6, Deleted: 6, Left: []runner.Leftover{}},
		New: runner.Resources{Created: 6, Deleted: 5, Left: []runner.Leftover{{CheckID: "x", Method: "POST", Path: "/pets", ID: "7",
			Delete: "curl -sS -i -X DELETE 'http://127.0.0.1:8082/pets/7'", Reason: "DELETE /pets/{petId} answered 500"}}},
	}
	return rep
}

func TestWriteDiff(t *testing.T) {
	rep := sampleDiff(t)
	opts := DiffOptions{Title: "Petstore 1.0.0", Elapsed: 1500 * time.Millisecond, FailOn: diff.FailOnRegression}
	for _, tt := range []struct{ format, golden string }{
		{"text", "diff_text.golden"},
		{"json", "diff_json.golden"},
		{"markdown", "diff_markdown.golden"},
		{"html", "diff_html.golden"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteDiff(&b, tt.format, rep, opts); err != nil {
				t.Fatalf("WriteDiff(%s): %v", tt.format, err)
			}
			golden.Assert(t, tt.golden, b.Bytes())
		})
	}
	if err := WriteDiff(&bytes.Buffer{}, "yaml", rep, opts); err == nil {
		t.Errorf("WriteDiff(yaml) = nil, want an error")
	}
}

// TestWriteDiffJSONShape checks the fields DESIGN.md promises to tools.
func TestWriteDiffJSONShape(t *testing.T) {
	var b bytes.Buffer
	if err := WriteDiffJSON(&b, sampleDiff(t), DiffOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary    map[string]int `json:"summary"`
		Operations []struct {
			Method, Path, Verdict string
			Differences           []map[string]any `json:"differences"`
			Latency               map[string]any   `json:"latency"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"operations", "parity", "regressions", "noise", "errors"} {
		if _, ok := doc.Summary[k]; !ok {
			t.Errorf("summary lacks %q: %v", k, doc.Summary)
		}
	}
	for _, op := range doc.Operations {
		if op.Method == "" || op.Path == "" || op.Verdict == "" || op.Differences == nil {
			t.Errorf("operation %+v lacks method, path, verdict or differences", op)
		}
		for _, d := range op.Differences {
			for _, k := range []string{"pointer", "kind", "class"} {
				if _, ok := d[k]; !ok {
					t.Errorf("%s %s: difference %v lacks %q", op.Method, op.Path, d, k)
				}
			}
		}
		if op.Latency != nil {
			for _, k := range []string{"old_ms", "new_ms", "significant"} {
				if _, ok := op.Latency[k]; !ok {
					t.Errorf("%s %s: latency %v lacks %q", op.Method, op.Path, op.Latency, k)
				}
			}
		}
	}
}

// TestWriteDiffHTMLSelfContained checks the HTML report loads nothing
// from elsewhere and escapes what the services sent.
func TestWriteDiffHTMLSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := WriteDiffHTML(&b, sampleDiff(t), DiffOptions{}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script", "src=", "href=\"http", "@import", "url(", "<b>rex</b>"} {
		if strings.Contains(page, bad) {
			t.Errorf("HTML report contains %q, want a self-contained, escaped page", bad)
		}
	}
	for _, want := range []string{"Noise appendix", `id="noise"`, "host names differ by design", "&lt;b&gt;rex&lt;/b&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
}
