package synthetics_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/ddemu"
	"github.com/smoke-dev/smoke/internal/plantest"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/synthetics"
)

// TestAlertmanagerEndToEnd publishes Alertmanager's read-only checks
// against a real Alertmanager and triggers them. The emulator really runs
// each test's request on loopback and evaluates its assertions — the JSON
// Schema ones with an independent draft-07 validator — so a pass means
// the mapped tests hold against the real service.
func TestAlertmanagerEndToEnd(t *testing.T) {
	base := testenv.Alertmanager(t, "")
	plan := plantest.Plan(t, testenv.Spec(t, "alertmanager-v0.25.0.yaml"), generator.Options{Service: "alertmanager"})
	var checks []generator.Check
	for _, c := range plan.Checks {
		if c.Safe {
			checks = append(checks, c)
		}
	}
	tests, err := synthetics.Map(checks, synthetics.Options{Service: "alertmanager", BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var reasons []string
	emu := emulator(t, ddemu.Options{Outcome: func(st ddemu.StoredTest) string {
		outcome, why := ddemu.Run(st)
		if why != "" {
			mu.Lock()
			reasons = append(reasons, why)
			mu.Unlock()
		}
		return outcome
	}})
	c := client(t, emu)
	if _, _, err := publishService(t, c, "alertmanager", tests, false); err != nil {
		t.Fatal(err)
	}
	res, err := c.Trigger(t.Context(), "alertmanager", synthetics.TriggerOptions{Wait: true, PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Counts()[synthetics.StatusPassed]; got != len(checks) {
		t.Errorf("%d of %d runs passed against a real Alertmanager; failures:\n%s", got, len(checks), strings.Join(reasons, "\n"))
	}
}

// TestAlertmanagerChainsEndToEnd publishes every Alertmanager check,
// writes included (publish --allow-writes): the chain POST /silences →
// GET /silence/{silenceID} → DELETE /silence/{silenceID} as one
// multistep test, whose first step's body carries dynamic dates and the
// run token as local variables, and POST /alerts. The strict emulator
// accepts the payloads, and runs them against a real Alertmanager as a
// Datadog location would: local variables rendered once per run, the
// silence's id extracted from the create and used by the read and the
// delete. Every run passes, and no silence the tests created is left
// active or pending.
func TestAlertmanagerChainsEndToEnd(t *testing.T) {
	base := testenv.Alertmanager(t, "")
	plan := plantest.Plan(t, testenv.Spec(t, "alertmanager-v0.25.0.yaml"), generator.Options{Service: "alertmanager"})
	tests, err := synthetics.Map(plan.Checks, synthetics.Options{Service: "alertmanager", BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	chains := 0
	for _, tt := range tests {
		if len(tt.Steps) > 0 {
			chains++
		}
	}
	if chains == 0 {
		t.Fatal("no multistep test: the chain of silences is missing from the plan")
	}
	emu, reasons := runningEmulator(t)
	c := client(t, emu)
	if _, _, err := publishService(t, c, "alertmanager", tests, false); err != nil {
		t.Fatal(err)
	}
	res, err := c.Trigger(t.Context(), "alertmanager", synthetics.TriggerOptions{Wait: true, PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Counts()[synthetics.StatusPassed]; got != len(tests) {
		var lines []string
		for name, r := range reasons {
			lines = append(lines, name+": "+r)
		}
		t.Errorf("%d of %d runs passed against a real Alertmanager:\n%s", got, len(tests), strings.Join(lines, "\n"))
	}

	// The Alertmanager is this test's own: every silence in it was
	// created by the chain, and the chain's delete expired it.
	resp, err := http.Get(base + "/silences")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var silences []struct {
		ID     string `json:"id"`
		Status struct {
			State string `json:"state"`
		} `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&silences); err != nil {
		t.Fatal(err)
	}
	if len(silences) == 0 {
		t.Error("no silence in Alertmanager: the chain's create never ran")
	}
	for _, s := range silences {
		if s.Status.State != "expired" {
			t.Errorf("silence %s is %s after the runs, want expired (deleted by the chain)", s.ID, s.Status.State)
		}
	}
}
