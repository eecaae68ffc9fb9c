package synthetics_test

import (
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
