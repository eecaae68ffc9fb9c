package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/baseline"
	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/internal/golden"
)

// baselineNow is the day the sample baselines are judged on.
var baselineNow = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func parseBaseline(t *testing.T, data string) *baseline.File {
	t.Helper()
	f, err := baseline.Parse("smoke-baseline.yaml", []byte(data), baseline.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// sampleRunBaseline accepts both failures of GET /pets (the check stands
// apart, as accepted) and the not_found of GET /owners/{ownerId}; its
// entry for GET /stats has expired; its entry for GET /health is stale.
// POST /refunds stays a new finding (rejected, with --fail-on
// unexercised).
func sampleRunBaseline(t *testing.T) *baseline.Judgement {
	f := parseBaseline(t, `run:
  - operation: listPets
    assertion: response_schema
    reason: ids become integers in 2.4 | PETS-9 <soon>
    expires: 2026-12-31
  - operation: GET /pets
    assertion: required_headers
    reason: the proxy strips X-Request-Id until the cut-over
    expires: 2026-12-31
  - operation: GET /stats
    assertion: not_server_error
    reason: cache warm-up
    expires: 2026-10-31
  - check: 7a11e9f0b3c2
    not_exercised: not_found
    reason: owner 3f2a is created by the nightly job
    expires: 2026-12-31
  - operation: GET /health
    assertion: content_type
    reason: text/plain until 2.3
    expires: 2026-12-31
  - operation: GET /gone
    assertion: latency
    reason: removed in 2.2
    expires: 2026-12-31
`)
	return baseline.JudgeRun(f, sampleResults(), baseline.RunOptions{Now: baselineNow, FailOnUnexercised: true})
}

func TestWriteRunBaseline(t *testing.T) {
	opts := sampleOptions()
	opts.Baseline = sampleRunBaseline(t)
	for _, format := range RunFormats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteRun(&buf, format, sampleResults(), opts); err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, t.Name()+".golden", buf.Bytes())
			out := buf.String()
			// Every format names the accepted findings' reason, the
			// expired entry and the stale one.
			wants := []string{"the proxy strips X-Request-Id", "smoke-baseline.yaml:10", "smoke-baseline.yaml:18"}
			if format == "json" {
				wants = []string{"the proxy strips X-Request-Id", `"line": 10`, `"line": 18`}
			}
			for _, want := range wants {
				if format != "junit" && !strings.Contains(out, want) {
					t.Errorf("%s report lacks %q", format, want)
				}
			}
		})
	}
}

// TestWriteRunBaselineApart: a check whose findings are all accepted is
// not reported among the failures; one whose entry expired is.
func TestWriteRunBaselineApart(t *testing.T) {
	opts := sampleOptions()
	opts.Baseline = sampleRunBaseline(t)
	var text bytes.Buffer
	if err := WriteRunText(&text, sampleResults(), opts); err != nil {
		t.Fatal(err)
	}
	failed, accepted, _ := strings.Cut(text.String(), "ACCEPTED (")
	if strings.Contains(failed, "GET /pets ") || !strings.Contains(failed, "GET /stats") || !strings.Contains(accepted, "GET /pets ") {
		t.Errorf("GET /pets is not apart from the failures:\n%s", text.String())
	}
	var junit bytes.Buffer
	if err := WriteRunJUnit(&junit, sampleResults(), opts); err != nil {
		t.Fatal(err)
	}
	// Without the baseline: 2 failed, 2 passed without exercising (both
	// failures with --fail-on unexercised). With it: GET /pets and GET
	// /owners/{ownerId} are accepted.
	if !strings.Contains(junit.String(), `<testsuite name="Petstore (smoke example) 1.0.0" tests="7" failures="2"`) {
		t.Errorf("JUnit failures not counted as accepted:\n%s", junit.String())
	}
	var doc struct {
		Baseline *baseline.Judgement `json:"baseline"`
	}
	var js bytes.Buffer
	if err := WriteRunJSON(&js, sampleResults(), opts); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil || doc.Baseline == nil {
		t.Fatalf("JSON: %v", err)
	}
	if s := doc.Baseline.Summary; s != (baseline.Summary{Accepted: 3, Expired: 1, New: 2, Stale: 1, Unchecked: 1}) {
		t.Errorf("JSON baseline summary = %+v", s)
	}
}

// sampleDiffBaseline accepts both regressions of GET /pets/{petId}; its
// entry for the latency of GET /search has expired; one entry is stale.
func sampleDiffBaseline(t *testing.T, rep *diff.Report) *baseline.Judgement {
	f := parseBaseline(t, `diff:
  - operation: GET /pets/{petId}
    pointer: /owner
    kind: missing
    reason: owners move to their own service (PETS-12)
    expires: 2026-12-31
  - operation: showPetById
    pointer: /name
    kind: changed
    reason: names are no longer HTML <b>escaped</b>
    expires: 2026-12-31
  - operation: GET /search
    kind: latency
    reason: the search index warms up after the move
    expires: 2026-11-01
  - operation: GET /pets
    pointer: /0/name
    kind: changed
    reason: fixed in 2.3
    expires: 2026-12-31
`)
	return baseline.JudgeDiff(f, rep, diff.FailOnRegression, baselineNow)
}

func TestWriteDiffBaseline(t *testing.T) {
	rep := sampleDiff(t)
	opts := DiffOptions{Title: "Petstore 1.0.0", Elapsed: 1500 * time.Millisecond, FailOn: diff.FailOnRegression,
		Baseline: sampleDiffBaseline(t, rep)}
	for _, format := range DiffFormats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteDiff(&buf, format, rep, opts); err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, t.Name()+".golden", buf.Bytes())
			wants := []string{"owners move to their own service", "smoke-baseline.yaml:12", "smoke-baseline.yaml:16"}
			if format == "json" {
				wants = []string{"owners move to their own service", `"line": 12`, `"line": 16`}
			}
			for _, want := range wants {
				if !strings.Contains(buf.String(), want) {
					t.Errorf("%s report lacks %q", format, want)
				}
			}
		})
	}
	var text bytes.Buffer
	if err := WriteDiffText(&text, rep, opts); err != nil {
		t.Fatal(err)
	}
	regressions, accepted, _ := strings.Cut(text.String(), "ACCEPTED (")
	if strings.Contains(regressions, "GET /pets/{petId}") || !strings.Contains(regressions, "GET /search") || !strings.Contains(accepted, "GET /pets/{petId}") {
		t.Errorf("GET /pets/{petId} is not apart from the regressions:\n%s", text.String())
	}
}

// TestWriteRunBaselineEscapes: reasons come from a file anyone may edit:
// every format escapes them as it escapes the service's text.
func TestWriteRunBaselineEscapes(t *testing.T) {
	f := parseBaseline(t, "run:\n  - {operation: GET /stats, assertion: not_server_error, reason: \"<script>x</script> | \\e[31mred\", expires: 2026-12-31}\n")
	opts := RunOptions{Baseline: baseline.JudgeRun(f, sampleResults()[4:5], baseline.RunOptions{Now: baselineNow})}
	for _, format := range RunFormats {
		var buf bytes.Buffer
		if err := WriteRun(&buf, format, sampleResults()[4:5], opts); err != nil {
			t.Fatal(err)
		}
		bad := "<script>" // markup
		switch format {
		case "text":
			bad = "\x1b[" // a terminal's escape sequence
		case "json":
			bad = "\x1b" // JSON escapes control characters
		}
		if !strings.Contains(buf.String(), "red") || strings.Contains(buf.String(), bad) {
			t.Errorf("%s report does not escape a baseline's reason:\n%s", format, buf.String())
		}
	}
}
