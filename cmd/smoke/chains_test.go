package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/plantest"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/runner"
)

// runReport is the part of smoke run's JSON report chain tests read.
type runReport struct {
	Summary   runner.Summary    `json:"summary"`
	Resources *runner.Resources `json:"resources"`
	Results   []struct {
		CheckID     string           `json:"check_id"`
		Method      string           `json:"method"`
		Path        string           `json:"path"`
		OperationID string           `json:"operation_id"`
		StatusCode  int              `json:"status_code"`
		Outcome     string           `json:"outcome"`
		Exercised   bool             `json:"exercised"`
		Snippet     string           `json:"snippet"`
		Failures    []runner.Failure `json:"failures"`
		Bound       []runner.Bound   `json:"bound"`
		Notes       []string         `json:"notes"`
	} `json:"results"`
}

func runJSON(t *testing.T, args ...string) (runReport, int, string) {
	t.Helper()
	stdout, stderr, code := cli(t, nil, "", append(append([]string{"run"}, args...), "--format", "json")...)
	var rep runReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("report: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	return rep, code, stderr
}

// byOp indexes results by operationId and by "METHOD /path".
func (r runReport) byOp() map[string]int {
	m := map[string]int{}
	for i, x := range r.Results {
		m[x.OperationID] = i
		m[x.Method+" "+x.Path] = i
	}
	return m
}

// chainInvariants checks what chains guarantee, whatever the values the
// generator makes: a consumer whose first producer answered a success
// took its value (or says why not); one whose producer answered
// otherwise kept its static value and, when it did not succeed either,
// has reason no_value. plan holds the checks as generated.
func chainInvariants(t *testing.T, plan []generator.Check, rep runReport) {
	t.Helper()
	results := map[string]int{}
	for i, r := range rep.Results {
		results[r.CheckID] = i
	}
	success := func(status int) bool { return status >= 200 && status < 300 }
	for _, c := range plan {
		ci, ok := results[c.ID]
		if !ok || len(c.Bindings) == 0 {
			continue
		}
		r := rep.Results[ci]
		seen := map[string]bool{}
		for _, b := range c.Bindings {
			if seen[b.Target()] {
				continue
			}
			seen[b.Target()] = true
			pi, ok := results[b.Producer]
			if !ok {
				continue
			}
			p := rep.Results[pi]
			bound := slices.ContainsFunc(r.Bound, func(x runner.Bound) bool { return x.Target == b.Target() })
			switch {
			case success(p.StatusCode) && !bound && len(r.Notes) == 0:
				t.Errorf("%s %s: %s answered %d but %s took no value and says nothing", c.Method, c.Path, b.Operation, p.StatusCode, b.Target())
			case !success(p.StatusCode) && bound && r.Bound[0].Producer == b.Producer:
				t.Errorf("%s %s: took %s from %s, which answered %d", c.Method, c.Path, b.Target(), b.Operation, p.StatusCode)
			case !success(p.StatusCode) && !bound && !success(r.StatusCode) && r.StatusCode != 0:
				if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, b.Target()+": no value") }) {
					t.Errorf("%s %s: %s gave no value, notes %q", c.Method, c.Path, b.Operation, r.Notes)
				}
			}
		}
	}
}

func planChecks(t *testing.T, specPath string) []generator.Check {
	t.Helper()
	return plantest.Plan(t, specPath, generator.Options{}).Checks
}

// activeSilences lists the ids of Alertmanager's active silences.
func activeSilences(t *testing.T, base string) []string {
	t.Helper()
	resp, err := http.Get(base + "/silences")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []struct {
		ID     string `json:"id"`
		Status struct {
			State string `json:"state"`
		} `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range list {
		if s.Status.State == "active" {
			out = append(out, s.ID)
		}
	}
	return out
}

// TestChainsAlertmanager runs Alertmanager 0.25's own spec against the
// real server with chains. The silence a run creates is read at once,
// echoed, and expired by the spec's own DELETE; nothing smoke creates is
// left active.
func TestChainsAlertmanager(t *testing.T) {
	specPath := testenv.Spec(t, "alertmanager-v0.25.0.yaml")
	base := testenv.Alertmanager(t, "")
	plan := planChecks(t, specPath)

	t.Run("zero config", func(t *testing.T) {
		rep, code, stderr := runJSON(t, "--spec", specPath, "--base-url", base, "--config", os.DevNull)
		if code == exitUsage || code == exitIncomplete || rep.Summary.Total != 9 || rep.Summary.Errored != 0 {
			t.Fatalf("exit %d, summary %+v: want all 9 operations answered; stderr %s", code, rep.Summary, stderr)
		}
		chainInvariants(t, plan, rep)
		by := rep.byOp()
		post := rep.Results[by["postSilences"]]
		get, del := rep.Results[by["getSilence"]], rep.Results[by["deleteSilence"]]
		if post.StatusCode == 200 {
			// With success-seeking values (future start and end, a
			// matcher) the whole chain is exercised.
			for _, r := range []string{"getSilence", "deleteSilence"} {
				x := rep.Results[by[r]]
				if x.StatusCode != 200 || len(x.Bound) != 1 || x.Bound[0].From != "POST /silences $response.body#/silenceID" {
					t.Errorf("%s: %d bound %+v, want 200 with the created silence", r, x.StatusCode, x.Bound)
				}
			}
			if get.Outcome != "passed" || rep.Resources == nil || rep.Resources.Created != 1 || rep.Resources.Deleted != 1 {
				t.Errorf("read-after-write %s %v, resources %+v", get.Outcome, get.Failures, rep.Resources)
			}
		} else {
			// This branch still generates a silence Alertmanager rejects
			// (it ended in the past): the read and delete keep their
			// static id and say why. Success-seeking values turn this
			// branch of the test into the one above.
			t.Logf("POST /silences answered %d: chain not exercised on this branch", post.StatusCode)
			for _, x := range []struct {
				name string
				r    int
			}{{"getSilence", by["getSilence"]}, {"deleteSilence", by["deleteSilence"]}} {
				r := rep.Results[x.r]
				if len(r.Bound) != 0 || !slices.ContainsFunc(r.Notes, func(n string) bool {
					return strings.HasPrefix(n, "path.silenceID: no value (POST /silences answered 400")
				}) {
					t.Errorf("%s: bound %+v notes %q, want the static id and the reason", x.name, r.Bound, r.Notes)
				}
			}
			if del.StatusCode != 500 || get.StatusCode != 404 {
				t.Errorf("getSilence %d, deleteSilence %d, want 404 and 500 on the static id", get.StatusCode, del.StatusCode)
			}
		}
		if active := activeSilences(t, base); len(active) != 0 {
			t.Errorf("active silences after the run: %v, want none", active)
		}
	})

	t.Run("values that succeed", func(t *testing.T) {
		// The values the success-seeking generator aims for, written as a
		// user would: the whole chain, create → read → delete.
		cfg := filepath.Join(t.TempDir(), "smoke.yaml")
		if err := os.WriteFile(cfg, []byte(`operations:
  postSilences:
    body:
      matchers: [{name: alertname, value: SmokeChain, isRegex: false}]
      startsAt: "2024-01-01T00:00:00Z"
      endsAt: "2099-01-01T00:00:00Z"
      createdBy: smoke
      comment: chain test
`), 0o644); err != nil {
			t.Fatal(err)
		}
		rep, _, stderr := runJSON(t, "--spec", specPath, "--base-url", base, "--config", cfg)
		chainInvariants(t, plan, rep)
		by := rep.byOp()
		post, get, del := rep.Results[by["postSilences"]], rep.Results[by["getSilence"]], rep.Results[by["deleteSilence"]]
		if post.StatusCode != 200 || get.StatusCode != 200 || del.StatusCode != 200 {
			t.Fatalf("post %d, get %d, delete %d; want 200 each; stderr %s", post.StatusCode, get.StatusCode, del.StatusCode, stderr)
		}
		if get.Outcome != "passed" || len(get.Bound) != 1 || len(del.Bound) != 1 || get.Bound[0].Value != del.Bound[0].Value {
			t.Errorf("get %s %v bound %+v, delete bound %+v: want both on the created silence, echo checked", get.Outcome, get.Failures, get.Bound, del.Bound)
		}
		if r := rep.Resources; r == nil || r.Created != 1 || r.Deleted != 1 || len(r.Left) != 0 {
			t.Errorf("resources = %+v, want 1 created, 1 deleted", r)
		}
		if active := activeSilences(t, base); len(active) != 0 {
			t.Errorf("active silences after the run: %v, want none", active)
		}
	})

	t.Run("read-only", func(t *testing.T) {
		// Someone's silence exists; a read-only run reads it through the
		// list, creates nothing and deletes nothing.
		body := `{"matchers":[{"name":"alertname","value":"Theirs","isRegex":false}],"startsAt":"2024-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"someone","comment":"not smoke's"}`
		resp, err := http.Post(base+"/silences", "application/json", bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		var created struct {
			SilenceID string `json:"silenceID"`
		}
		json.NewDecoder(resp.Body).Decode(&created)
		resp.Body.Close()
		if created.SilenceID == "" {
			t.Fatal("could not create the test's silence")
		}
		rep, code, stderr := runJSON(t, "--spec", specPath, "--base-url", base, "--config", os.DevNull, "--read-only")
		if code != exitOK || rep.Summary.Total != 6 {
			t.Errorf("exit %d, summary %+v, want 6 safe checks passing; stderr %s", code, rep.Summary, stderr)
		}
		get := rep.Results[rep.byOp()["getSilence"]]
		if get.StatusCode != 200 || len(get.Bound) != 1 || get.Bound[0].From != "GET /silences $response.body#/0/id" {
			t.Errorf("getSilence %d bound %+v, want 200 on a listed silence", get.StatusCode, get.Bound)
		}
		if rep.Resources != nil {
			t.Errorf("resources = %+v, want none created", rep.Resources)
		}
		if active := activeSilences(t, base); !slices.Equal(active, []string{created.SilenceID}) {
			t.Errorf("active silences = %v, want the test's %s untouched", active, created.SilenceID)
		}
	})
}

// TestChainsEtcd runs etcd 3.4's gateway description against a real etcd
// with zero config: a lease is granted, its id read back by time-to-live
// and keepalive, and revoked; a role and a user are added, granted,
// revoked (each undo after its grant, before the delete) and deleted;
// what stays not exercised says why.
func TestChainsEtcd(t *testing.T) {
	specPath := testenv.Spec(t, "etcd-v3.4.23-rpc.swagger.json")
	base := testenv.Etcd(t)
	plan := planChecks(t, specPath)
	start := time.Now()
	rep, _, stderr := runJSON(t, "--spec", specPath, "--base-url", base, "--config", os.DevNull, "--timeout", "2s", "--concurrency", "8")
	if rep.Summary.Total != 41 {
		t.Fatalf("summary %+v; stderr %s", rep.Summary, stderr)
	}
	t.Logf("41 operations in %s", time.Since(start).Round(time.Millisecond))
	chainInvariants(t, plan, rep)
	by := rep.byOp()
	grant := rep.Results[by["LeaseGrant"]]
	if grant.StatusCode != 200 {
		t.Fatalf("LeaseGrant = %d, want 200", grant.StatusCode)
	}
	var lease string
	for _, op := range []string{"LeaseTimeToLive", "LeaseKeepAlive", "LeaseRevoke"} {
		r := rep.Results[by[op]]
		if r.StatusCode != 200 || r.Outcome != "passed" || len(r.Bound) != 1 || r.Bound[0].Target != "body#/ID" {
			t.Errorf("%s: %s %d bound %+v, want passed 200 with the granted lease", op, r.Outcome, r.StatusCode, r.Bound)
			continue
		}
		if lease == "" {
			lease = r.Bound[0].Value
		}
		if r.Bound[0].Value != lease {
			t.Errorf("%s took lease %s, want %s", op, r.Bound[0].Value, lease)
		}
	}
	// The gateway has a second revoke, under /v3/kv/lease: it revokes a
	// lease granted again for it, after the first revoke.
	if r := rep.Results[by["POST /v3/kv/lease/revoke"]]; r.StatusCode != 200 || !r.Exercised || len(r.Bound) != 1 || r.Bound[0].Value == lease {
		t.Errorf("/v3/kv/lease/revoke = %d exercised %v bound %+v, want 200 on a lease of its own (not %s)", r.StatusCode, r.Exercised, r.Bound, lease)
	}
	// Revoking a permission or a role takes back a grant: it is no
	// delete of the role or the user, and runs while they exist.
	for _, op := range []string{"RoleGrantPermission", "RoleRevokePermission", "UserGrantRole", "UserRevokeRole", "RoleDelete", "UserDelete"} {
		if r := rep.Results[by[op]]; r.StatusCode != 200 || !r.Exercised {
			t.Errorf("%s = %d exercised %v (%.200s), want 200", op, r.StatusCode, r.Exercised, r.Snippet)
		}
	}
	for _, list := range []string{"/v3/auth/role/list", "/v3/auth/user/list"} {
		resp, err := http.Post(base+list, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "smoke") {
			t.Errorf("%s after the run: %s, want nothing smoke created", list, body)
		}
	}
	if r := rep.Resources; r == nil || r.Created < 1 || r.Created != r.Deleted || len(r.Left) != 0 {
		t.Errorf("resources = %+v, want every created resource deleted", r)
	}
	// What stays not exercised, and why, for the report.
	for _, r := range rep.Results {
		if r.StatusCode >= 200 && r.StatusCode < 300 {
			continue
		}
		why := ""
		if len(r.Notes) > 0 {
			why = r.Notes[0]
		} else if len(r.Failures) > 0 {
			why = r.Failures[0].Message
		}
		t.Logf("not exercised: %s %s %d: %.160s", r.Method, r.Path, r.StatusCode, why)
	}
}

// TestChainsEtcdRoleGrantCrash pins what chains found in etcd 3.4.23: a
// role/grant that names a role that exists (the chain's role/add) but
// carries no permission — the description marks perm optional — makes
// etcd panic on a nil pointer (auth/store.go RoleGrantPermission) and
// exit. smoke reports the exchange errored and the server gone.
func TestChainsEtcdRoleGrantCrash(t *testing.T) {
	specPath := testenv.Spec(t, "etcd-v3.4.23-rpc.swagger.json")
	base := testenv.Etcd(t)
	cfg := filepath.Join(t.TempDir(), "smoke.yaml")
	// The grant names the created role and nothing else: the generated
	// body would carry a permission (success-seeking values), so a
	// fixture sends what the chain sent before values were generated.
	if err := os.WriteFile(cfg, []byte("operations:\n  RoleAdd:\n    body: {name: smoke-role}\n  RoleGrantPermission:\n    body: {name: smoke-role}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, code, _ := runJSON(t, "--spec", specPath, "--base-url", base, "--config", cfg, "--timeout", "2s", "--concurrency", "1",
		"--include", "POST /v3/auth/role/add", "--include", "POST /v3/auth/role/grant")
	by := rep.byOp()
	add, grant := rep.Results[by["RoleAdd"]], rep.Results[by["RoleGrantPermission"]]
	if add.StatusCode != 200 {
		t.Fatalf("role/add %d: want the role created", add.StatusCode)
	}
	if grant.Outcome != "errored" || code != exitIncomplete {
		t.Errorf("role/grant = %s %d (exit %d), want errored: etcd dies answering it", grant.Outcome, grant.StatusCode, code)
	}
	if resp, err := http.Get(base + "/health"); err == nil {
		resp.Body.Close()
		t.Errorf("etcd still answers /health after role/grant without perm: has the crash been fixed?")
	}
	// The role smoke created cannot be deleted any more: it is listed.
	if r := rep.Resources; r == nil || r.Created != 1 || len(r.Left) != 1 || r.Left[0].Delete == "" {
		t.Errorf("resources = %+v, want the role left behind with its delete command", r)
	}
}
