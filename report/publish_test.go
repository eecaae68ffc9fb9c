package report_test

import (
	"bytes"
	"testing"

	"github.com/smoke-dev/smoke/internal/golden"
	"github.com/smoke-dev/smoke/report"
	"github.com/smoke-dev/smoke/synthetics"
)

func samplePlan() *synthetics.Plan {
	return &synthetics.Plan{
		Service: "petstore",
		Create:  []synthetics.Change{{CheckID: "8c1514b9b921", Name: "[petstore] GET /pets"}},
		Update: []synthetics.Change{{CheckID: "bb06314de38a", PublicID: "abc-def-ghi", Name: "[petstore] GET /pets/{petId}",
			Fields: []string{"config.request.url", "options.tick_every"}}},
		Delete:           []synthetics.Change{{CheckID: "111111111111", PublicID: "old-old-old", Name: "[petstore] GET /old", Reason: synthetics.ReasonRemoved}},
		Unchanged:        []synthetics.Change{{CheckID: "ad4350db9928", PublicID: "hea-lth-000", Name: "[petstore] GET /health"}},
		Kept:             []synthetics.Change{},
		Skipped:          []synthetics.Skipped{{CheckID: "0ec198a9e62b", Name: "[petstore] POST /pets", Reason: synthetics.ReasonWrites}},
		MissingVariables: []synthetics.Variable{{Name: "SMOKE_PW", Env: "PW"}},
		Notes:            []string{"[petstore] GET /pets: response schema assertion left out: 61234 characters, Datadog accepts at most 51200"},
		Owned:            3,
		Cost:             synthetics.Cost{RunsPerMonthBefore: 25920, RunsPerMonthAfter: 1234567, RunsPerMonthAdded: 1208647},
	}
}

func TestWritePublish(t *testing.T) {
	st := &synthetics.Stats{Created: 1, Updated: 1, Deleted: 0, Unchanged: 1, Duplicates: 1, Suite: "updated", Calls: 9,
		Blocked: []synthetics.Blocked{{Change: synthetics.Change{PublicID: "old-old-old", Name: "[petstore] GET /old\x1b[2J"},
			Why: "monitor [1,x] is referenced in slos: [abc,availability]"}}}
	tests := []struct {
		name string
		json bool
		st   *synthetics.Stats
	}{
		{"publish_dry_run.txt", false, nil},
		{"publish_applied.txt", false, st},
		{"publish_applied.json", true, st},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		var err error
		if tt.json {
			err = report.WritePublishJSON(&b, samplePlan(), tt.st)
		} else {
			err = report.WritePublishText(&b, samplePlan(), tt.st)
		}
		if err != nil {
			t.Fatal(err)
		}
		golden.Assert(t, "TestWritePublish/"+tt.name, b.Bytes())
	}
}

func sampleTrigger() *synthetics.TriggerResult {
	run := func(name, status string, blocking bool) synthetics.RunResult {
		return synthetics.RunResult{CheckID: "c-" + status, PublicID: "p-" + status, Name: name, Location: "aws:us-east-1",
			ResultID: "r-" + status, Status: status, Blocking: blocking, DurationMS: 120}
	}
	return &synthetics.TriggerResult{
		Service: "petstore", BatchIDs: []string{"batch-1"}, Missing: []string{"000000000000"},
		Runs: []synthetics.RunResult{
			run("[petstore] GET /a", synthetics.StatusPassed, true),
			run("[petstore] GET /b", synthetics.StatusFailed, true),
			run("[petstore] GET /c", synthetics.StatusFailed, false),
			run("[petstore] GET /d", synthetics.StatusTimedOut, true),
			run("[petstore] GET /e", synthetics.StatusIncomplete, true),
			run("[petstore] GET /f", synthetics.StatusSkipped, true),
		},
	}
}

func TestWriteTrigger(t *testing.T) {
	for _, fot := range []bool{true, false} {
		opts := report.TriggerOptions{Waited: true, FailOnTimeout: fot}
		suffix := map[bool]string{true: "", false: "_no_fail_on_timeout"}[fot]
		var text, junit bytes.Buffer
		if err := report.WriteTriggerText(&text, sampleTrigger(), opts); err != nil {
			t.Fatal(err)
		}
		if err := report.WriteTriggerJUnit(&junit, sampleTrigger(), opts); err != nil {
			t.Fatal(err)
		}
		golden.Assert(t, "TestWriteTrigger/trigger"+suffix+".txt", text.Bytes())
		golden.Assert(t, "TestWriteTrigger/trigger"+suffix+".xml", junit.Bytes())
	}
}
