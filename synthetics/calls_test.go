package synthetics_test

import (
	"testing"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/ddemu"
	"github.com/smoke-dev/smoke/internal/plantest"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/synthetics"
)

// pages is the number of search calls for n tests in pages of 100: the
// search pages until the total Datadog reports, so never an empty page
// after a full one.
func pages(n int) int { return max(1, (n+99)/100) }

// Suite calls: a search for the service's suite, and a write when it
// changes (after a create, one more search for a concurrent publish).
const (
	suiteInSync  = 1
	suiteUpdated = 2
	suiteCreated = 3
)

// TestDatadogV1Calls publishes Datadog's own v1 API (hundreds of
// operations) to the emulator and checks the API calls are the minimum:
// one search call per page plus one write per change (deletes go in
// batches of 100), one search after creating (the check for a
// concurrent publish) and the suite's calls. The numbers are recorded in
// docs/performance.md.
func TestDatadogV1Calls(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: loads and publishes Datadog's 1.7 MB v1 document")
	}
	path := testenv.DatadogSpec(t, "v1")
	all := mapService(t, loadChecks(t, path, "datadog-v1"), "datadog-v1")
	n := len(all)
	emu := ddemu.New(t, ddemu.Options{SpecPath: path})
	c := client(t, emu)

	step := func(name string, tests []synthetics.Test, wantCalls, wantWrites int) {
		t.Helper()
		emu.ResetCalls()
		_, st, err := publishService(t, c, "datadog-v1", tests, true)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d checks, %+v, calls %v (total %d, writes %d)", name, len(tests), st, emu.Calls(), emu.Total(), emu.Writes())
		if got := emu.Total(); got != wantCalls {
			t.Errorf("%s: %d API calls, want %d", name, got, wantCalls)
		}
		if got := emu.Writes(); got != wantWrites {
			t.Errorf("%s: %d writes, want %d", name, got, wantWrites)
		}
	}
	step("first publish", all, pages(0)+n+pages(n)+suiteCreated, n+1)
	step("re-publish", all, pages(n)+suiteInSync, 0)
	kept := all[:n*9/10]
	removed := n - len(kept)
	step("prune 10%", kept, pages(n)+(removed+99)/100+suiteUpdated, (removed+99)/100+1)
	step("re-publish after prune", kept, pages(len(kept))+suiteInSync, 0)
}

// loadChecks generates the checks of the document at path for service.
func loadChecks(t *testing.T, path, service string) []generator.Check {
	t.Helper()
	return plantest.Plan(t, path, generator.Options{Service: service}).Checks
}

func mapService(t *testing.T, checks []generator.Check, service string) []synthetics.Test {
	t.Helper()
	tests, err := synthetics.Map(checks, synthetics.Options{Service: service, BaseURL: "https://api.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return tests
}

// TestLargePublishesConvergeUnderFaults publishes Datadog's own v1 API
// (every operation) and GitHub's read-only checks (the largest real
// case) to the strict emulator while it answers 429s without a reset
// and 5xx, before and after storing creates: the publish converges with
// exactly one test per check, and a second publish writes nothing.
func TestLargePublishesConvergeUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: publishes hundreds of tests twice")
	}
	cases := []struct {
		name, service string
		path          func(t *testing.T) string
		readOnly      bool
	}{
		{"datadog v1", "datadog-v1", func(t *testing.T) string { return testenv.DatadogSpec(t, "v1") }, false},
		{"github read-only", "github", func(t *testing.T) string {
			return testenv.Spec(t, "github-api.github.com-octokit-openapi-23.0.2.json")
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checks := loadChecks(t, tc.path(t), tc.service)
			if tc.readOnly {
				checks, _ = synthetics.SkipWrites(checks, tc.service, false)
			}
			tests := mapService(t, checks, tc.service)
			emu := emulator(t, ddemu.Options{})
			for _, f := range []ddemu.Fault{
				{Operation: "SearchTests", Status: 429, NoReset: true, Times: 2},
				{Operation: "CreateSyntheticsAPITest", Skip: 10, Status: 500, AfterStore: true, Times: 3},
				{Operation: "CreateSyntheticsAPITest", Skip: 50, Status: 503, Times: 3},
				{Operation: "CreateSyntheticsAPITest", Skip: 120, Status: 429, ResetSeconds: 0, Times: 5},
				{Operation: "SearchTests", Skip: 3, Status: 502, Times: 2},
				{Operation: "CreateSyntheticsSuite", Status: 500, AfterStore: true},
			} {
				emu.Inject(f)
			}
			c := client(t, emu)
			if _, _, err := publishService(t, c, tc.service, tests, true); err != nil {
				t.Fatalf("first publish under faults: %v", err)
			}
			if got := duplicates(emu, tc.service); got != 0 {
				t.Errorf("%d duplicate tests, want 0", got)
			}
			emu.ResetCalls()
			_, st, err := publishService(t, c, tc.service, tests, true)
			if err != nil {
				t.Fatal(err)
			}
			if len(checkIDs(emu, tc.service)) != len(tests) || duplicates(emu, tc.service) != 0 {
				t.Errorf("%d tests for %d checks, want one each", len(checkIDs(emu, tc.service)), len(tests))
			}
			if len(emu.Suites()) != 1 {
				t.Errorf("%d suites, want 1", len(emu.Suites()))
			}
			p, err := c.Plan(t.Context(), tc.service, tests, synthetics.PlanOptions{Prune: true})
			if err != nil || !p.InSync() {
				t.Errorf("third plan: %v, in sync %v, want in sync", err, p != nil && p.InSync())
			}
			t.Logf("%d tests; second publish %+v", len(tests), st)
		})
	}
}
