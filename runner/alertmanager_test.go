package runner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/plantest"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/runner"
)

func alertmanagerChecks(t *testing.T, opts generator.Options) map[string]generator.Check {
	t.Helper()
	plan := plantest.Plan(t, testenv.Spec(t, "alertmanager-v0.25.0.yaml"), opts)
	byOp := map[string]generator.Check{}
	for _, c := range plan.Checks {
		byOp[c.OperationID] = c
	}
	if len(byOp) != 9 {
		t.Fatalf("alertmanager plan = %d operations, want 9", len(byOp))
	}
	return byOp
}

func run(t *testing.T, ctx context.Context, base string, checks ...generator.Check) []runner.Result {
	t.Helper()
	// Concurrency 1 keeps the order: a silence is read before it is deleted.
	r, err := runner.New(runner.Options{BaseURL: base, Concurrency: 1, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	results, err := r.Run(ctx, checks)
	if err != nil {
		t.Fatal(err)
	}
	return results
}

// verdicts renders "operationId outcome status [failed assertions]".
func verdicts(results []runner.Result) []string {
	var out []string
	for _, r := range results {
		line := fmt.Sprintf("%s %s %d", r.OperationID, r.Outcome, r.StatusCode)
		for _, f := range r.Failures {
			line += " " + f.Check
		}
		out = append(out, line)
	}
	return out
}

// TestAlertmanager runs every operation of Alertmanager 0.25.0's own spec
// against the real server and pins what smoke observes.
func TestAlertmanager(t *testing.T) {
	base := testenv.Alertmanager(t, "")

	t.Run("generated values", func(t *testing.T) {
		byOp := alertmanagerChecks(t, generator.Options{})
		order := []string{"getStatus", "getReceivers", "getAlerts", "postAlerts", "getAlertGroups",
			"getSilences", "postSilences", "getSilence", "deleteSilence"}
		var checks []generator.Check
		for _, op := range order {
			checks = append(checks, byOp[op])
		}
		results := run(t, t.Context(), base, checks...)
		want := []string{
			"getStatus passed 200",
			"getReceivers passed 200",
			"getAlerts passed 200",
			// With zero config: an alert with one label, a silence that
			// starts in an hour and ends in two (both dynamic values,
			// rendered when sent). Before success-seeking values these
			// two were documented 400s: no labels, a range in the past.
			"postAlerts passed 200",
			"getAlertGroups passed 200",
			"getSilences passed 200",
			"postSilences passed 200",
			// Chains: the read and the delete take the silence the
			// create made; the delete expires it before the run ends.
			"getSilence passed 200",
			"deleteSilence passed 200",
		}
		if diff := cmp.Diff(want, verdicts(results)); diff != "" {
			t.Errorf("alertmanager verdicts (-want +got):\n%s", diff)
		}
		var created struct {
			SilenceID string `json:"silenceID"`
		}
		if err := json.Unmarshal(results[6].Response.Body, &created); err != nil || created.SilenceID == "" {
			t.Fatalf("postSilences body = %s, want a silenceID (%v)", results[6].Response.Body, err)
		}
		var silence struct {
			StartsAt, EndsAt time.Time
			Status           struct{ State string }
		}
		// As the chain's read saw it: pending, starting in the future and
		// ending after it starts (success-seeking values).
		if err := json.Unmarshal(results[7].Response.Body, &silence); err != nil {
			t.Fatal(err)
		}
		if !silence.EndsAt.After(silence.StartsAt) || silence.Status.State != "pending" {
			t.Errorf("silence read right after its create = %+v, want a pending one ending after it starts", silence)
		}
		// Nothing smoke created stays active.
		getJSON(t, base+"/silence/"+created.SilenceID, &silence)
		if silence.Status.State != "expired" {
			t.Errorf("silence %s state = %q after the run, want expired by its delete", created.SilenceID, silence.Status.State)
		}
	})

	t.Run("unknown silence", func(t *testing.T) {
		// A fixture wins over the chain: an id that does not exist.
		unknown := generator.Fixture{Path: map[string]string{"silenceID": "00000000-0000-4000-8000-000000000000"}}
		byOp := alertmanagerChecks(t, generator.Options{Operations: map[string]generator.Operation{
			"getSilence": {Fixture: unknown}, "deleteSilence": {Fixture: unknown}}})
		results := run(t, t.Context(), base, byOp["getSilence"], byOp["deleteSilence"])
		want := []string{
			// A documented 404.
			"getSilence passed 404",
			// A genuine mismatch: deleting an unknown silence answers 500
			// "silence not found" where a 404 belongs; the spec documents
			// only 200 and 500 for this operation.
			"deleteSilence failed 500 not_server_error",
		}
		if diff := cmp.Diff(want, verdicts(results)); diff != "" {
			t.Errorf("alertmanager verdicts (-want +got):\n%s", diff)
		}
		if del := results[1]; len(del.Failures) == 0 || !strings.Contains(del.Failures[0].Message, `silence not found`) {
			t.Errorf("deleteSilence failures = %v, want the server's \"silence not found\"", del.Failures)
		}
	})

	t.Run("fixtures", func(t *testing.T) {
		// Fixtures as a user would write them in smoke.yaml: a valid alert,
		// a silence that is still active, then that silence's ID.
		fx := map[string]generator.Operation{
			"postAlerts": {Fixture: generator.Fixture{HasBody: true, Body: []any{map[string]any{
				"labels": map[string]any{"alertname": "SmokeTest", "severity": "none"},
			}}}},
			"postSilences": {Fixture: generator.Fixture{HasBody: true, Body: map[string]any{
				"matchers":  []any{map[string]any{"name": "alertname", "value": "SmokeTest", "isRegex": false}},
				"startsAt":  "2024-01-01T00:00:00Z",
				"endsAt":    "2099-01-01T00:00:00Z",
				"createdBy": "smoke", "comment": "smoke integration test",
			}}},
		}
		byOp := alertmanagerChecks(t, generator.Options{Operations: fx})
		first := run(t, t.Context(), base, byOp["postAlerts"], byOp["postSilences"])
		if diff := cmp.Diff([]string{"postAlerts passed 200", "postSilences passed 200"}, verdicts(first)); diff != "" {
			t.Fatalf("writes (-want +got):\n%s", diff)
		}
		var created struct {
			SilenceID string `json:"silenceID"`
		}
		if err := json.Unmarshal(first[1].Response.Body, &created); err != nil || created.SilenceID == "" {
			t.Fatalf("postSilences body = %s, want a silenceID (%v)", first[1].Response.Body, err)
		}
		fx["getSilence"] = generator.Operation{Fixture: generator.Fixture{Path: map[string]string{"silenceID": created.SilenceID}}}
		fx["deleteSilence"] = generator.Operation{Fixture: generator.Fixture{Path: map[string]string{"silenceID": created.SilenceID}}}
		byOp = alertmanagerChecks(t, generator.Options{Operations: fx})

		// Now every read sees real data (an alert, silenced; an active
		// silence) and validates it against the spec's schemas.
		results := run(t, t.Context(), base, byOp["getAlerts"], byOp["getAlertGroups"], byOp["getSilences"],
			byOp["getSilence"], byOp["deleteSilence"], byOp["getStatus"], byOp["getReceivers"])
		want := []string{
			"getAlerts passed 200",
			"getAlertGroups passed 200",
			"getSilences passed 200",
			"getSilence passed 200",
			"deleteSilence passed 200",
			"getStatus passed 200",
			"getReceivers passed 200",
		}
		if diff := cmp.Diff(want, verdicts(results)); diff != "" {
			t.Errorf("alertmanager verdicts with fixtures (-want +got):\n%s", diff)
			for _, r := range results {
				for _, f := range r.Failures {
					t.Logf("%s %s: %s", r.OperationID, f.Check, f.Message)
				}
			}
		}
		if body := string(results[0].Response.Body); !strings.Contains(body, `"SmokeTest"`) || !strings.Contains(body, created.SilenceID) {
			t.Errorf("getAlerts body = %s, want the posted alert silenced by %s", body, created.SilenceID)
		}
	})
}

// expire expires a silence with the API's own DELETE.
func expire(t *testing.T, base, id string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodDelete, base+"/silence/"+id, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("DELETE /silence/%s = %d, want 200", id, resp.StatusCode)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
