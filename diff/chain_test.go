package diff_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/plantest"
	"github.com/smoke-dev/smoke/runner"
)

// petstoreChecks generates the example service's checks, chains
// included.
func petstoreChecks(t *testing.T) []generator.Check {
	t.Helper()
	return plantest.Petstore(t, generator.Options{}).Checks
}

// chainRunner gives diff a runner per side, as smoke diff does.
func chainRunner(t *testing.T, urls ...string) diff.ChainFunc {
	runners := map[string]*runner.Runner{}
	for _, u := range urls {
		r, err := runner.New(runner.Options{BaseURL: u})
		if err != nil {
			t.Fatal(err)
		}
		runners[u] = r
	}
	return func(ctx context.Context, base string, checks, support []generator.Check) ([]runner.Result, runner.Resources, error) {
		return runners[base].RunChains(ctx, checks, support)
	}
}

func verdicts(rep *diff.Report) map[string]diff.Verdict {
	m := map[string]diff.Verdict{}
	for _, op := range rep.Operations {
		m[op.Method+" "+op.Path] = op.Verdict
	}
	return m
}

// TestChainsAA: the same version on both sides, writes included. Each
// side creates its own resources, whose ids differ from OLD's (NEW's
// store has run chains before): aliased, they are no difference.
func TestChainsAA(t *testing.T) {
	old := httptest.NewServer(petstore.New(petstore.Options{Version: 1}))
	defer old.Close()
	newer := petstore.New(petstore.Options{Version: 1})
	nsrv := httptest.NewServer(newer)
	defer nsrv.Close()
	// NEW's ids run ahead of OLD's.
	for range 3 {
		req, _ := http.NewRequest(http.MethodPost, nsrv.URL+"/pets", stringsReader(`{"name":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	checks := petstoreChecks(t)
	evaluate := func(c generator.Check, r *runner.Response) []runner.Failure {
		rr, _ := runner.New(runner.Options{})
		return rr.Evaluate(c, r)
	}
	rep, err := diff.Run(t.Context(), checks, old.URL, nsrv.URL, diff.Options{
		Send: func(ctx context.Context, base string, c generator.Check) (*runner.Response, error) {
			r, _ := runner.New(runner.Options{})
			return r.Send(ctx, base, c)
		},
		Evaluate:    evaluate,
		AllowWrites: true,
		Chain:       chainRunner(t, old.URL, nsrv.URL),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range rep.Operations {
		if op.Verdict != diff.Parity && op.Verdict != diff.Noise && op.Verdict != diff.Fixed {
			t.Errorf("%s %s: %s %+v", op.Method, op.Path, op.Verdict, op.Differences)
		}
		for _, d := range op.Differences {
			if d.Class == diff.ClassNoise && (d.Pointer == "/id" || d.Header == "Location") {
				t.Errorf("%s %s: the bound id is noise (%+v), want it aliased away", op.Method, op.Path, d)
			}
		}
	}
	if v := verdicts(rep)["POST /pets"]; v != diff.Parity {
		t.Errorf("POST /pets = %s, want parity: NEW's id differs from OLD's, an alias", v)
	}
	r := rep.Resources
	if r == nil || r.Old.Created != 30 || r.New.Created != 30 || r.Old.Deleted != 30 || r.New.Deleted != 30 {
		t.Errorf("resources = %+v, want 5 per run (an owner, their pet, a pet, its appointment, a tag), 6 runs per side, all deleted", r)
	}
}

// TestChainsReadAfterWrite: version 2 lags and drops a field; diff finds
// both as regressions of the reads bound to a create.
func TestChainsReadAfterWrite(t *testing.T) {
	v1 := httptest.NewServer(petstore.New(petstore.Options{Version: 1}))
	defer v1.Close()
	v2 := httptest.NewServer(petstore.New(petstore.Options{Version: 2}))
	defer v2.Close()
	send, _ := runner.New(runner.Options{})
	rep, err := diff.Run(t.Context(), petstoreChecks(t), v1.URL, v2.URL, diff.Options{
		Send: send.Send, Evaluate: send.Evaluate, AllowWrites: true, Rounds: 1,
		Chain: chainRunner(t, v1.URL, v2.URL),
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range rep.Operations {
		if op.Verdict != diff.Regression {
			continue
		}
		for _, d := range op.Differences {
			if d.Class == diff.ClassRegression {
				got = append(got, fmt.Sprintf("%s %s %s %s", op.Method, op.Path, d.Kind, d.Location()))
			}
		}
	}
	want := []string{
		"GET /owners/{ownerId}/pets/{petId} schema body",
		"GET /owners/{ownerId}/pets/{petId} status status code",
		"GET /pets/{petId} schema body",
		"GET /pets/{petId} missing /tag",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("regressions = %q, want %q", got, want)
	}
}

// TestChainsSafeOnly: without writes, the chained reads take list values
// on each side and nothing is created.
func TestChainsSafeOnly(t *testing.T) {
	v1 := httptest.NewServer(petstore.New(petstore.Options{Version: 1}))
	defer v1.Close()
	send, _ := runner.New(runner.Options{})
	rep, err := diff.Run(t.Context(), petstoreChecks(t), v1.URL, v1.URL, diff.Options{
		Send: send.Send, Evaluate: send.Evaluate, Rounds: 1, Chain: chainRunner(t, v1.URL),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Skipped) != 12 || rep.Resources == nil || rep.Resources.Old.Created != 0 || rep.Resources.New.Created != 0 {
		t.Errorf("skipped %q, resources %+v: want the 12 writes skipped and nothing created", rep.Skipped, rep.Resources)
	}
	if v := verdicts(rep)["GET /owners/{ownerId}/pets/{petId}"]; v != diff.Parity {
		t.Errorf("GET /owners/{ownerId}/pets/{petId} = %s, want parity on the listed pet", v)
	}
}

// TestChainsInterrupted: a diff cancelled before its chains ran reports
// them as errors, not as parity.
func TestChainsInterrupted(t *testing.T) {
	v1 := httptest.NewServer(petstore.New(petstore.Options{Version: 1}))
	defer v1.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	send, _ := runner.New(runner.Options{})
	rep, err := diff.Run(ctx, petstoreChecks(t), v1.URL, v1.URL, diff.Options{
		Send: send.Send, Evaluate: send.Evaluate, AllowWrites: true, Chain: chainRunner(t, v1.URL),
	})
	if err == nil || rep == nil {
		t.Fatalf("Run = %v, %v; want the partial report and the cancellation", rep, err)
	}
	if v := verdicts(rep)["GET /pets/{petId}"]; v != diff.Error {
		t.Errorf("GET /pets/{petId} = %s, want error (not sampled)", v)
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// TestChainsConfirm: a regression of a chained check is confirmed as an
// independent check's is — the chains run again — and one that does not
// reproduce is dropped, not reported.
func TestChainsConfirm(t *testing.T) {
	v1 := httptest.NewServer(petstore.New(petstore.Options{Version: 1}))
	defer v1.Close()
	v2 := httptest.NewServer(petstore.New(petstore.Options{Version: 2}))
	defer v2.Close()
	// flaky is version 1 whose first two reads of a pet answer 500.
	var mu sync.Mutex
	reads := 0
	inner := petstore.New(petstore.Options{Version: 1})
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/pets/") {
			mu.Lock()
			reads++
			n := reads
			mu.Unlock()
			if n <= 2 {
				http.Error(w, "warming up", http.StatusInternalServerError)
				return
			}
		}
		inner.ServeHTTP(w, r)
	}))
	defer flaky.Close()
	send, _ := runner.New(runner.Options{})
	for _, tc := range []struct {
		name, new string
		want      diff.Verdict
		confirmed bool
	}{
		{"sticky", v2.URL, diff.Regression, true},
		{"transient", flaky.URL, diff.Noise, false}, // did not reproduce
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := diff.Run(t.Context(), petstoreChecks(t), v1.URL, tc.new, diff.Options{
				Send: send.Send, Evaluate: send.Evaluate, Rounds: 1, Seed: 7, Chain: chainRunner(t, v1.URL, tc.new),
			})
			if err != nil {
				t.Fatal(err)
			}
			var op *diff.Operation
			for i := range rep.Operations {
				if o := &rep.Operations[i]; o.Method == "GET" && o.Path == "/pets/{petId}" {
					op = o
				}
			}
			if op == nil || op.Confirmation == nil {
				t.Fatalf("GET /pets/{petId}: %+v, want a confirmation", op)
			}
			if op.Verdict != tc.want || op.Confirmation.Confirmed != tc.confirmed || op.Confirmation.Requests == 0 {
				t.Errorf("GET /pets/{petId}: %s, confirmation %+v; want %s, confirmed %v", op.Verdict, op.Confirmation, tc.want, tc.confirmed)
			}
		})
	}
}

// TestChainsWithheldWrite: when NEW's create fails, NEW's delete of it
// is not sent (its id never came, and a made-up one would name something
// smoke did not create); the diff says so, and the create is the
// regression.
func TestChainsWithheldWrite(t *testing.T) {
	v1 := httptest.NewServer(petstore.New(petstore.Options{Version: 1}))
	defer v1.Close()
	inner := petstore.New(petstore.Options{Version: 1})
	var mu sync.Mutex
	var deletes []string
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/tags" {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		if r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/tags/") {
			mu.Lock()
			deletes = append(deletes, r.URL.Path)
			mu.Unlock()
		}
		inner.ServeHTTP(w, r)
	}))
	defer broken.Close()
	send, _ := runner.New(runner.Options{})
	rep, err := diff.Run(t.Context(), petstoreChecks(t), v1.URL, broken.URL, diff.Options{
		Send: send.Send, Evaluate: send.Evaluate, Rounds: 1, Seed: 1, AllowWrites: true, Chain: chainRunner(t, v1.URL, broken.URL),
	})
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]diff.Operation{}
	for _, op := range rep.Operations {
		ops[op.Method+" "+op.Path] = op
	}
	if v := ops["POST /tags"].Verdict; v != diff.Regression {
		t.Errorf("POST /tags: %s, want regression", v)
	}
	del := ops["DELETE /tags/{name}"]
	if del.Verdict != diff.Error || len(del.Errors) == 0 || !strings.Contains(del.Errors[0], "not sent: a write takes only values of resources this run created") {
		t.Errorf("DELETE /tags/{name}: %s %q, want an error saying the write was not sent", del.Verdict, del.Errors)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(deletes) != 0 {
		t.Errorf("NEW received %q: a delete of a tag smoke did not create", deletes)
	}
}

// TestChainsWithheldOnBoth: when the create fails on both sides, neither
// side sends its delete: parity, not exercised (no_value), with the
// reason; no error, so the diff is complete.
func TestChainsWithheldOnBoth(t *testing.T) {
	brokenTags := func() *httptest.Server {
		inner := petstore.New(petstore.Options{Version: 1})
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == "/tags" {
				http.Error(w, "down", http.StatusInternalServerError)
				return
			}
			inner.ServeHTTP(w, r)
		}))
	}
	old, new := brokenTags(), brokenTags()
	defer old.Close()
	defer new.Close()
	send, _ := runner.New(runner.Options{})
	rep, err := diff.Run(t.Context(), petstoreChecks(t), old.URL, new.URL, diff.Options{
		Send: send.Send, Evaluate: send.Evaluate, Rounds: 1, Seed: 1, AllowWrites: true, Chain: chainRunner(t, old.URL, new.URL),
	})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, op := range rep.Operations {
		if op.Method+" "+op.Path != "DELETE /tags/{name}" {
			continue
		}
		found = true
		if op.Verdict != diff.Parity || op.Exercised() || op.Old.Reason != runner.ReasonNoValue || op.New.Reason != runner.ReasonNoValue ||
			!strings.Contains(op.New.Snippet, "not sent") || len(op.Errors) != 0 {
			t.Errorf("DELETE /tags/{name}: %s %+v %+v errors %q, want parity, not exercised, no_value on both sides", op.Verdict, op.Old, op.New, op.Errors)
		}
	}
	if !found {
		t.Error("no DELETE /tags/{name} in the report")
	}
	if rep.Summary.Errors != 0 || !rep.Complete() {
		t.Errorf("summary %+v: want no error, a complete diff", rep.Summary)
	}
}
