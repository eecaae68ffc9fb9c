package synthetics_test

import (
	"io"
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

// TestEtcdChainsEndToEnd publishes etcd's chains (writes allowed) to the
// strict emulator, triggers them, and requires each multistep test to
// pass against a real etcd, as a Datadog location would run it every few
// minutes: a role and a user added, granted, revoked (each revoke after
// its grant, before the delete) and deleted; a lease granted, used, and
// revoked by both of the gateway's revokes, the second on a lease granted
// again for it. The member chain cannot pass on a one-member cluster
// (member/add has no peer URL): it must fail at its first step. Nothing
// is left in etcd afterwards.
func TestEtcdChainsEndToEnd(t *testing.T) {
	base := testenv.Etcd(t)
	plan := plantest.Plan(t, testenv.Spec(t, "etcd-v3.4.23-rpc.swagger.json"), generator.Options{Service: "etcd"})
	all, err := synthetics.Map(plan.Checks, synthetics.Options{Service: "etcd", BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	var tests []synthetics.Test
	for _, tt := range all {
		if len(tt.Steps) > 0 {
			tests = append(tests, tt)
		}
	}
	if len(tests) < 4 {
		t.Fatalf("%d multistep tests, want the role, user, lease and member chains", len(tests))
	}
	emu, reasons := runningEmulator(t)
	c := client(t, emu)
	if _, _, err := publishService(t, c, "etcd", tests, true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Trigger(t.Context(), "etcd", synthetics.TriggerOptions{Wait: true, PollInterval: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	member := 0
	for _, tt := range tests {
		r := reasons[tt.Name]
		switch {
		case strings.Contains(tt.Name, "/v3/cluster/member/add"):
			member++
			if !strings.HasPrefix(r, "failed") || !strings.Contains(r, "member/add") {
				t.Errorf("%s: %s, want failed at member/add", tt.Name, r)
			}
		case !strings.HasPrefix(r, "passed"):
			t.Errorf("%s: %s, want passed against a real etcd", tt.Name, r)
		}
	}
	if member != 1 {
		t.Errorf("%d member chains, want 1", member)
	}
	for _, list := range []string{"/v3/auth/role/list", "/v3/auth/user/list", "/v3/lease/leases"} {
		resp, err := http.Post(base+list, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "smoke") || strings.Contains(string(body), `"leases":[{`) {
			t.Errorf("%s after the runs: %s, want nothing the chains created", list, body)
		}
	}
}

// runningEmulator is a strict emulator that really runs every test it is
// asked to (ddemu.Run: each request on loopback, its assertions
// evaluated), and the outcome and reason of each run by test name, once
// the runs are over.
func runningEmulator(t *testing.T) (*ddemu.Server, map[string]string) {
	t.Helper()
	var mu sync.Mutex
	reasons := map[string]string{}
	emu := emulator(t, ddemu.Options{Outcome: func(st ddemu.StoredTest) string {
		outcome, why := ddemu.Run(st)
		mu.Lock()
		reasons[st.Name] = outcome + " " + why
		mu.Unlock()
		return outcome
	}})
	return emu, reasons
}
