package runner_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/plantest"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/runner"
)

// zeroConfig runs every operation of a document against a real server
// with zero config and returns the status per operationId, logging the
// share of operations that reached a 2xx (the evidence for
// docs/performance.md's exercised table).
func zeroConfig(t *testing.T, specName, base string) map[string]runner.Result {
	t.Helper()
	plan := plantest.Plan(t, testenv.Spec(t, specName), generator.Options{})
	r, err := runner.New(runner.Options{BaseURL: base, Concurrency: 1, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	results, err := r.Run(t.Context(), plan.Checks)
	if err != nil {
		t.Fatal(err)
	}
	byOp := map[string]runner.Result{}
	var not []string
	ok := 0
	for _, res := range results {
		byOp[res.OperationID] = res
		if res.StatusCode >= 200 && res.StatusCode < 300 {
			ok++
		} else {
			not = append(not, fmt.Sprintf("%s %d", res.OperationID, res.StatusCode))
		}
	}
	sort.Strings(not)
	t.Logf("%s: %d of %d operations reached a 2xx with zero config; not: %s", specName, ok, len(results), strings.Join(not, ", "))
	return byOp
}

// TestZeroConfigAlertmanager: with no smoke.yaml, the writes a careful
// person would make succeed: an alert with a label, a silence in the
// future. The silence is expired afterwards.
func TestZeroConfigAlertmanager(t *testing.T) {
	base := testenv.Alertmanager(t, "")
	byOp := zeroConfig(t, "alertmanager-v0.25.0.yaml", base)
	for _, op := range []string{"postAlerts", "postSilences", "getAlerts", "getSilences", "getStatus"} {
		if got := byOp[op].StatusCode; got != 200 {
			t.Errorf("%s = %d, want 200", op, got)
		}
	}
	var created struct {
		SilenceID string `json:"silenceID"`
	}
	if res := byOp["postSilences"]; res.Response != nil && json.Unmarshal(res.Response.Body, &created) == nil && created.SilenceID != "" {
		expire(t, base, created.SilenceID)
	}
}

// TestZeroConfigEtcd: etcd's gRPC gateway marks no field required; the
// key-value calls still send a key and succeed.
func TestZeroConfigEtcd(t *testing.T) {
	base := testenv.Etcd(t)
	byOp := zeroConfig(t, "etcd-v3.4.23-rpc.swagger.json", base)
	for _, op := range []string{"Put", "Range", "Txn", "DeleteRange"} {
		if got := byOp[op].StatusCode; got != 200 {
			t.Errorf("%s = %d, want 200 (%v)", op, got, byOp[op].Failures)
		}
	}
}
