package diff_test

import (
	"testing"
	"time"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/plantest"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/runner"
)

const amConfigOne = `route:
  receiver: team-a
receivers:
  - name: team-a
`

const amConfigTwo = `route:
  receiver: team-a
  routes:
    - receiver: team-b
      matchers: ['team="b"']
receivers:
  - name: team-a
  - name: team-b
`

func alertmanagerChecks(t *testing.T) []generator.Check {
	t.Helper()
	return plantest.Plan(t, testenv.Spec(t, "alertmanager-v0.25.0.yaml"), generator.Options{Service: "alertmanager"}).Checks
}

// TestAlertmanager diffs two real Alertmanagers: with the same config
// there is no regression although /status reports different uptimes;
// with a receiver added on NEW, GET /receivers is a regression.
func TestAlertmanager(t *testing.T) {
	checks := alertmanagerChecks(t)
	r, err := runner.New(runner.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	old := testenv.Alertmanager(t, amConfigOne)
	same := testenv.Alertmanager(t, amConfigOne)
	other := testenv.Alertmanager(t, amConfigTwo)
	opts := diff.Options{Send: r.Send, Evaluate: r.Evaluate}

	t.Run("same config", func(t *testing.T) {
		rep, err := diff.Run(t.Context(), checks, old, same, opts)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Summary.Regressions != 0 || rep.Summary.Errors != 0 || rep.Summary.Operations != 6 {
			t.Errorf("summary = %+v, want 6 operations, no regression, no error\n%s", rep.Summary, mustJSON(rep.Operations))
		}
		status := find(t, rep, "GET", "/status")
		if !hasDifference(status, "/uptime", diff.ClassNoise) {
			t.Errorf("GET /status differences = %s, want /uptime as noise", mustJSON(status.Differences))
		}
	})

	t.Run("different receivers", func(t *testing.T) {
		rep, err := diff.Run(t.Context(), checks, old, other, opts)
		if err != nil {
			t.Fatal(err)
		}
		recv := find(t, rep, "GET", "/receivers")
		if recv.Verdict != diff.Regression || !hasDifference(recv, "/1", diff.ClassRegression) {
			t.Errorf("GET /receivers = %s %s, want a regression at /1", recv.Verdict, mustJSON(recv.Differences))
		}
		for _, op := range rep.Operations {
			if op.Verdict == diff.Regression && op.Path != "/receivers" && op.Path != "/status" {
				t.Errorf("%s %s: unexpected regression %s", op.Method, op.Path, mustJSON(op.Differences))
			}
		}
	})
}

func find(t *testing.T, rep *diff.Report, method, path string) diff.Operation {
	t.Helper()
	for _, op := range rep.Operations {
		if op.Method == method && op.Path == path {
			return op
		}
	}
	t.Fatalf("no operation %s %s in the report", method, path)
	return diff.Operation{}
}

func hasDifference(op diff.Operation, pointer string, class diff.Class) bool {
	for _, d := range op.Differences {
		if d.Pointer == pointer && d.Class == class {
			return true
		}
	}
	return false
}
