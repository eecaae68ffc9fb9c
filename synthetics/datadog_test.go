package synthetics_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/ddemu"
	"github.com/smoke-dev/smoke/synthetics"
)

func manyChecks(n int) []generator.Check {
	var out []generator.Check
	for i := range n {
		out = append(out, check("GET", fmt.Sprintf("/items/%03d", i), "200"))
	}
	return out
}

// duplicates counts the checks of a service with more than one test.
func duplicates(emu *ddemu.Server, service string) int {
	n := 0
	ids := checkIDs(emu, service)
	for i := 1; i < len(ids); i++ {
		if ids[i] == ids[i-1] {
			n++
		}
	}
	return n
}

// TestConcurrentPublishesNeverDuplicate races two publishes of one
// service: both plan before either creates (the worst case), both
// create every test, and each then deletes the duplicates it made.
func TestConcurrentPublishesNeverDuplicate(t *testing.T) {
	for _, lag := range []int{0, 2} {
		t.Run(fmt.Sprintf("listing lag %d", lag), func(t *testing.T) {
			emu := emulator(t, ddemu.Options{ListLag: lag})
			tests := mapChecks(t, manyChecks(40), "https://api.example.com")
			a, b := client(t, emu), client(t, emu)
			pa, err := a.Plan(t.Context(), "orders", tests, synthetics.PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			pb, err := b.Plan(t.Context(), "orders", tests, synthetics.PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var sa, sb synthetics.Stats
			var ea, eb error
			wg.Go(func() { sa, ea = a.Apply(t.Context(), pa, synthetics.ApplyOptions{}) })
			wg.Go(func() { sb, eb = b.Apply(t.Context(), pb, synthetics.ApplyOptions{}) })
			wg.Wait()
			if ea != nil || eb != nil {
				t.Fatalf("racing publishes: %v, %v; want both to succeed", ea, eb)
			}
			if got := duplicates(emu, "orders"); got != 0 {
				t.Errorf("%d duplicate tests after two racing publishes, want 0", got)
			}
			if diff := cmp.Diff(wantIDs(manyChecks(40)), sortedUnique(checkIDs(emu, "orders"))); diff != "" {
				t.Errorf("tests after racing publishes (-want +got):\n%s", diff)
			}
			if got := sa.Duplicates + sb.Duplicates; got != 40 {
				t.Errorf("duplicates removed = %d + %d, want 40 in all", sa.Duplicates, sb.Duplicates)
			}
			if got := len(emu.Suites()); got != 1 {
				t.Errorf("%d suites after racing publishes, want 1", got)
			}
			p, err := a.Plan(t.Context(), "orders", tests, synthetics.PlanOptions{Prune: true})
			if err != nil || !p.InSync() {
				t.Errorf("plan after the race: %v, in sync %v, want in sync", err, p != nil && p.InSync())
			}
		})
	}
}

func sortedUnique(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// TestDependencyBlockedDelete: a test an SLO uses is reported by name
// and left; the other deletes go through.
func TestDependencyBlockedDelete(t *testing.T) {
	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	all := manyChecks(6)
	if _, _, err := publish(t, c, mapChecks(t, all, "https://api.example.com"), false); err != nil {
		t.Fatal(err)
	}
	stored := emu.Tests()
	emu.Depend(stored[2].PublicID, "slos: [abc123,checkout availability]")
	p, err := c.Plan(t.Context(), "orders", nil, synthetics.PlanOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Apply(t.Context(), p, synthetics.ApplyOptions{Force: true})
	if !errors.Is(err, synthetics.ErrBlocked) || !strings.Contains(err.Error(), stored[2].Name) {
		t.Errorf("Apply error = %v, want ErrBlocked naming %s", err, stored[2].Name)
	}
	if st.Deleted != 5 || len(st.Blocked) != 1 || st.Blocked[0].PublicID != stored[2].PublicID ||
		!strings.Contains(st.Blocked[0].Why, "referenced in slos: [abc123,checkout availability]") {
		t.Errorf("Stats = %+v, want 5 deleted and the SLO's test blocked with Datadog's reason", st)
	}
	if left := emu.Tests(); len(left) != 1 || left[0].PublicID != stored[2].PublicID {
		t.Errorf("tests left = %v, want only the blocked one", left)
	}
}

// TestListing: a server that pages shorter than asked is paged to its
// total; one that ignores page_number is refused, not looped on.
func TestListing(t *testing.T) {
	tests := []struct {
		name    string
		emu     ddemu.Options
		wantErr error
	}{
		{"search, short pages", ddemu.Options{MaxPageSize: 3}, nil},
		{"listing, short pages", ddemu.Options{NoSearch: true, MaxPageSize: 3}, nil},
		{"listing ignores page_number", ddemu.Options{NoSearch: true, IgnorePageNumber: true, MaxPageSize: 3}, synthetics.ErrListing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := emulator(t, ddemu.Options{})
			tests := mapChecks(t, manyChecks(10), "https://api.example.com")
			if _, _, err := publish(t, client(t, emu), tests, false); err != nil {
				t.Fatal(err)
			}
			lister := emulator(t, tt.emu)
			for _, st := range emu.Tests() {
				if _, err := lister.AddTest(st.JSON); err != nil {
					t.Fatal(err)
				}
			}
			p, err := client(t, lister).Plan(t.Context(), "orders", tests, synthetics.PlanOptions{})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("Plan error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(p.Unchanged) != 10 || len(p.Create) != 0 {
				t.Errorf("Plan = %v, %+v, want all 10 found", err, p)
			}
		})
	}
}

// TestRateLimitWithoutHeaders: a 429 that says neither when its window
// resets nor how long it is backs off and the publish converges; the
// client accepts a DD_HOST ending in /api.
func TestRateLimitWithoutHeaders(t *testing.T) {
	emu := emulator(t, ddemu.Options{})
	emu.Inject(ddemu.Fault{Operation: "CreateSyntheticsAPITest", Skip: 1, Status: 429, NoReset: true, Times: 3})
	c, err := synthetics.NewClient(synthetics.ClientOptions{APIKey: "a", AppKey: "b", Host: emu.URL + "/api/", Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := publish(t, c, mapChecks(t, checks(), "https://api.example.com"), false); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantIDs(checks()), checkIDs(emu, "orders")); diff != "" {
		t.Errorf("tests after 429s (-want +got):\n%s", diff)
	}
	if got := emu.Calls()["CreateSyntheticsAPITest"]; got != 6 {
		t.Errorf("create calls = %d, want 3 + 3 retried after the 429s", got)
	}
}

// TestTriggerLikeDatadogCI: the batch answers 404 right after the
// trigger, then runs; once it is final one run is still in progress
// (incomplete), one timed out, one was retried and passed. Trigger polls
// through the 404, settles the leftovers at once and sends the CI
// metadata.
func TestTriggerLikeDatadogCI(t *testing.T) {
	outcomes := map[string]string{}
	cs := checks()
	outcomes[cs[0].ID] = ddemu.OutcomeStuck
	outcomes[cs[1].ID] = ddemu.OutcomeTimedOut
	outcomes[cs[2].ID] = ddemu.OutcomeRetried
	emu := emulator(t, ddemu.Options{BatchNotFoundPolls: 2, PendingPolls: 1, Outcome: func(st ddemu.StoredTest) string {
		for _, tag := range st.Tags {
			if o, ok := outcomes[strings.TrimPrefix(tag, "smoke-check:")]; ok {
				return o
			}
		}
		return ddemu.OutcomePassed
	}})
	c := client(t, emu)
	if _, _, err := publish(t, c, mapChecks(t, cs, "https://api.example.com"), false); err != nil {
		t.Fatal(err)
	}
	emu.ResetCalls()
	md := &synthetics.Metadata{Provider: "github", PipelineURL: "https://github.com/o/r/actions/runs/1", Branch: "main", CommitSHA: "abc"}
	res, err := c.Trigger(t.Context(), "orders", synthetics.TriggerOptions{Wait: true, PollInterval: time.Millisecond, Metadata: md})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range res.Runs {
		got[r.CheckID] = r.Status
	}
	want := map[string]string{cs[0].ID: synthetics.StatusIncomplete, cs[1].ID: synthetics.StatusTimedOut, cs[2].ID: synthetics.StatusPassed}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("run statuses (-want +got):\n%s", diff)
	}
	// Two 404s, one poll in progress, one final: no polling until a
	// deadline once the batch is over.
	if n := emu.Calls()["GetSyntheticsCIBatch"]; n != 4 {
		t.Errorf("batch polls = %d, want 4", n)
	}
	if f := res.BlockingFailures(true); len(f) != 2 {
		t.Errorf("BlockingFailures(fail on timeout) = %+v, want the incomplete and the timed-out run", f)
	}
	if f := res.BlockingFailures(false); len(f) != 1 || f[0].Status != synthetics.StatusIncomplete {
		t.Errorf("BlockingFailures(no fail on timeout) = %+v, want the incomplete run only", f)
	}
	triggers := emu.Triggers()
	if len(triggers) != 1 || !strings.Contains(string(triggers[0]), `"metadata":{"ci":{"pipeline":{"url":"https://github.com/o/r/actions/runs/1"},"provider":{"name":"github"}},"git":{"branch":"main","commitSha":"abc"}}`) {
		t.Errorf("trigger bodies = %s, want the CI metadata on each test", triggers)
	}
}

func TestTriggerMissingChecks(t *testing.T) {
	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	if _, _, err := publish(t, c, mapChecks(t, checks(), "https://api.example.com"), false); err != nil {
		t.Fatal(err)
	}
	res, err := c.Trigger(t.Context(), "orders", synthetics.TriggerOptions{CheckIDs: []string{checks()[0].ID, "000000000000"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Runs) != 1 || !slices.Equal(res.Missing, []string{"000000000000"}) {
		t.Errorf("Trigger = %d runs, missing %v, want 1 run and the unknown check missing", len(res.Runs), res.Missing)
	}
}

// TestSuite: publish keeps one suite per service with every test, in
// sync idempotently, and trigger runs it.
func TestSuite(t *testing.T) {
	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	all := mapChecks(t, manyChecks(5), "https://api.example.com")
	_, st, err := publish(t, c, all, false)
	if err != nil || st.Suite != "created" {
		t.Fatalf("first publish: %+v, %v, want the suite created", st, err)
	}
	suites := emu.Suites()
	if len(suites) != 1 {
		t.Fatalf("suites = %d, want 1", len(suites))
	}
	var su struct {
		Name  string   `json:"name"`
		Tags  []string `json:"tags"`
		Tests []struct {
			PublicID string `json:"public_id"`
		} `json:"tests"`
	}
	if err := json.Unmarshal(suites[0], &su); err != nil {
		t.Fatal(err)
	}
	if su.Name != "[orders] smoke" || len(su.Tests) != 5 || !slices.Contains(su.Tags, "smoke-service:orders") {
		t.Errorf("suite = %+v, want [orders] smoke with the 5 tests and the service tag", su)
	}

	emu.ResetCalls()
	if _, st, err = publish(t, c, all, true); err != nil || st.Suite != "unchanged" || emu.Writes() != 0 {
		t.Errorf("re-publish: %+v, %v, %d writes, want the suite unchanged and no write", st, err, emu.Writes())
	}
	if _, st, err = publish(t, c, all[:3], true); err != nil || st.Suite != "updated" {
		t.Errorf("prune: %+v, %v, want the suite updated", st, err)
	}
	res, err := c.Trigger(t.Context(), "orders", synthetics.TriggerOptions{Suite: true})
	if err != nil || len(res.Runs) != 3 || res.Suite == "" {
		t.Errorf("trigger the suite: %+v, %v, want its 3 tests", res, err)
	}
	p, err := c.Plan(t.Context(), "orders", nil, synthetics.PlanOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if st, err = c.Apply(t.Context(), p, synthetics.ApplyOptions{Force: true}); err != nil || st.Suite != "deleted" || len(emu.Suites()) != 0 {
		t.Errorf("prune every test: %+v, %v, %d suites, want the suite deleted", st, err, len(emu.Suites()))
	}
}
