package synthetics_test

import (
	"testing"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/ddemu"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/spec"
	"github.com/smoke-dev/smoke/synthetics"
)

// pages is the number of list calls for n tests in pages of 100: the
// listing stops at the first short page.
func pages(n int) int { return n/100 + 1 }

// TestDatadogV1Calls publishes Datadog's own v1 API (hundreds of
// operations) to the emulator and checks the API calls are the minimum:
// one list call per page plus one write per change (deletes go in
// batches of 100). The numbers are recorded in docs/performance.md.
func TestDatadogV1Calls(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: loads and publishes Datadog's 1.7 MB v1 document")
	}
	path := testenv.DatadogSpec(t, "v1")
	doc, err := spec.Load(t.Context(), path, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := generator.Generate(doc, generator.Options{Service: "datadog-v1"})
	if err != nil {
		t.Fatal(err)
	}
	all := mapService(t, plan.Checks)
	n := len(all)
	emu := ddemu.New(t, ddemu.Options{SpecPath: path})
	c := client(t, emu)

	step := func(name string, tests []synthetics.Test, wantCalls, wantWrites int) {
		t.Helper()
		emu.ResetCalls()
		p, err := c.Plan(t.Context(), "datadog-v1", tests, synthetics.PlanOptions{Prune: true})
		if err != nil {
			t.Fatal(err)
		}
		st, err := c.Apply(t.Context(), p, synthetics.ApplyOptions{})
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
	step("first publish", all, pages(0)+n, n)
	step("re-publish", all, pages(n), 0)
	kept := all[:n*9/10]
	removed := n - len(kept)
	step("prune 10%", kept, pages(n)+(removed+99)/100, (removed+99)/100)
	step("re-publish after prune", kept, pages(len(kept)), 0)
}

func mapService(t *testing.T, checks []generator.Check) []synthetics.Test {
	t.Helper()
	tests, err := synthetics.Map(checks, synthetics.Options{Service: "datadog-v1", BaseURL: "https://api.datadoghq.com"})
	if err != nil {
		t.Fatal(err)
	}
	return tests
}
