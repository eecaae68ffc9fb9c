package synthetics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/ddemu"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/synthetics"
)

func check(method, path string, status ...string) generator.Check {
	c := generator.Check{
		ID:     generator.CheckID("orders", method, path),
		Method: method,
		Path:   path,
		Safe:   generator.IsSafe(method),
		Request: generator.Request{
			URL: strings.ReplaceAll(path, "{id}", "42"),
		},
		Expect: generator.Expect{Status: status},
	}
	for _, s := range status {
		c.Expect.Responses = append(c.Expect.Responses, generator.Response{Status: s})
	}
	return c
}

func checks() []generator.Check {
	return []generator.Check{
		check("GET", "/orders", "200"),
		check("POST", "/orders", "201", "400"),
		check("GET", "/orders/{id}", "200", "404"),
	}
}

func emulator(t *testing.T, opts ddemu.Options) *ddemu.Server {
	t.Helper()
	opts.SpecPath = testenv.DatadogSpec(t, "v1")
	return ddemu.New(t, opts)
}

func client(t *testing.T, emu *ddemu.Server) *synthetics.Client {
	t.Helper()
	c, err := synthetics.NewClient(synthetics.ClientOptions{
		APIKey: "api", AppKey: "app", Host: emu.URL, Backoff: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mapChecks(t *testing.T, cs []generator.Check, base string) []synthetics.Test {
	t.Helper()
	tests, err := synthetics.Map(cs, synthetics.Options{Service: "orders", BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	return tests
}

// publish plans and applies the tests of the service "orders", as smoke
// publish does.
func publish(t *testing.T, c *synthetics.Client, tests []synthetics.Test, prune bool) (*synthetics.Plan, synthetics.Stats, error) {
	t.Helper()
	return publishService(t, c, "orders", tests, prune)
}

// publishService plans and applies the tests of service, as smoke publish
// does.
func publishService(t *testing.T, c *synthetics.Client, service string, tests []synthetics.Test, prune bool) (*synthetics.Plan, synthetics.Stats, error) {
	t.Helper()
	p, err := c.Plan(t.Context(), service, tests, synthetics.PlanOptions{Prune: prune})
	if err != nil {
		return nil, synthetics.Stats{}, err
	}
	st, err := c.Apply(t.Context(), p, synthetics.ApplyOptions{})
	return p, st, err
}

// checkIDs returns the smoke-check tags of the emulator's tests of a
// service, sorted.
func checkIDs(emu *ddemu.Server, service string) []string {
	var out []string
	for _, t := range emu.Tests() {
		if slices.Contains(t.Tags, "smoke-service:"+service) && slices.Contains(t.Tags, "managed-by:smoke") {
			for _, tag := range t.Tags {
				if id, ok := strings.CutPrefix(tag, "smoke-check:"); ok {
					out = append(out, id)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

func wantIDs(cs []generator.Check) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	slices.Sort(out)
	return out
}

func TestDryRunWritesNothing(t *testing.T) {
	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	p, err := c.Plan(t.Context(), "orders", mapChecks(t, checks(), "https://api.example.com"), synthetics.PlanOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.Create); got != 3 {
		t.Errorf("len(Plan.Create) = %d, want 3", got)
	}
	if got := emu.Writes(); got != 0 {
		t.Errorf("Writes() after Plan = %d, want 0", got)
	}
}

func TestPublishIsIdempotent(t *testing.T) {
	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	tests := mapChecks(t, checks(), "https://api.example.com")

	_, st, err := publish(t, c, tests, false)
	if err != nil {
		t.Fatal(err)
	}
	if st.Created != 3 {
		t.Errorf("first publish created %d, want 3", st.Created)
	}
	if diff := cmp.Diff(wantIDs(checks()), checkIDs(emu, "orders")); diff != "" {
		t.Errorf("tests after first publish (-want +got):\n%s", diff)
	}
	for _, s := range emu.Tests() {
		if !slices.Contains(s.Tags, "managed-by:smoke") {
			t.Errorf("test %s tags = %v, want managed-by:smoke", s.PublicID, s.Tags)
		}
	}

	emu.ResetCalls()
	p, st, err := publish(t, c, tests, true)
	if err != nil {
		t.Fatal(err)
	}
	if !p.InSync() || len(p.Unchanged) != 3 {
		t.Errorf("second plan = %d writes, %d unchanged, want 0 and 3", p.Writes(), len(p.Unchanged))
	}
	if got := emu.Writes(); got != 0 {
		t.Errorf("second publish made %d writes (%v), want 0", got, emu.Calls())
	}
	if diff := cmp.Diff(map[string]int{"SearchTests": 1, "SearchSuites": 1}, emu.Calls()); diff != "" {
		t.Errorf("second publish calls (-want +got):\n%s", diff)
	}
}

func TestPublishUpdatesDrift(t *testing.T) {
	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	if _, _, err := publish(t, c, mapChecks(t, checks(), "https://old.example.com"), false); err != nil {
		t.Fatal(err)
	}
	emu.ResetCalls()
	p, st, err := publish(t, c, mapChecks(t, checks(), "https://new.example.com/v2"), false)
	if err != nil {
		t.Fatal(err)
	}
	if st.Updated != 3 || st.Created != 0 {
		t.Errorf("Stats = %+v, want 3 updates and no create", st)
	}
	if diff := cmp.Diff([]string{"config.request.url"}, p.Update[0].Fields); diff != "" {
		t.Errorf("updated fields (-want +got):\n%s", diff)
	}
	if got := emu.Writes(); got != 3 {
		t.Errorf("Writes() = %d, want 3 (one per change)", got)
	}
	for _, s := range emu.Tests() {
		if !bytes.Contains(s.JSON, []byte(`"url":"https://new.example.com/v2/orders`)) {
			t.Errorf("test %s = %s, want the new base URL with its path prefix", s.PublicID, s.JSON)
		}
	}
}

func TestPruneDeletesOnlyOwnedRemovedTests(t *testing.T) {
	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	foreign := []string{
		`{"name":"hand-made","type":"api","subtype":"http","message":"","locations":["aws:us-east-1"],"options":{"tick_every":60},"tags":["team:web"],"config":{"request":{"method":"GET","url":"https://x"}}}`,
		`{"name":"other service","type":"api","subtype":"http","message":"","locations":["aws:us-east-1"],"options":{"tick_every":60},"tags":["managed-by:smoke","smoke-service:billing","smoke-check:abc"],"config":{"request":{"method":"GET","url":"https://x"}}}`,
		`{"name":"not managed","type":"api","subtype":"http","message":"","locations":["aws:us-east-1"],"options":{"tick_every":60},"tags":["smoke-service:orders","smoke-check:` + checks()[0].ID + `"],"config":{"request":{"method":"GET","url":"https://x"}}}`,
	}
	for _, f := range foreign {
		if _, err := emu.AddTest([]byte(f)); err != nil {
			t.Fatal(err)
		}
	}
	all := checks()
	if _, _, err := publish(t, c, mapChecks(t, all, "https://api.example.com"), false); err != nil {
		t.Fatal(err)
	}

	fewer := all[:2]
	p, err := c.Plan(t.Context(), "orders", mapChecks(t, fewer, "https://api.example.com"), synthetics.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Delete) != 0 || len(p.Kept) != 1 {
		t.Errorf("plan without prune: %d deletes, %d kept, want 0 and 1", len(p.Delete), len(p.Kept))
	}

	_, st, err := publish(t, c, mapChecks(t, fewer, "https://api.example.com"), true)
	if err != nil {
		t.Fatal(err)
	}
	if st.Deleted != 1 {
		t.Errorf("prune deleted %d, want 1", st.Deleted)
	}
	if diff := cmp.Diff(wantIDs(fewer), checkIDs(emu, "orders")); diff != "" {
		t.Errorf("owned tests after prune (-want +got):\n%s", diff)
	}
	var names []string
	for _, s := range emu.Tests() {
		names = append(names, s.Name)
	}
	for _, f := range []string{"hand-made", "other service", "not managed"} {
		if !slices.Contains(names, f) {
			t.Errorf("prune deleted the unowned test %q", f)
		}
	}
}

func TestPruneCap(t *testing.T) {
	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	all := checks()
	if _, _, err := publish(t, c, mapChecks(t, all, "https://api.example.com"), false); err != nil {
		t.Fatal(err)
	}
	emu.ResetCalls()
	p, err := c.Plan(t.Context(), "orders", nil, synthetics.PlanOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Apply(t.Context(), p, synthetics.ApplyOptions{})
	if !errors.Is(err, synthetics.ErrPruneCap) {
		t.Fatalf("Apply(delete 3 of 3) error = %v, want ErrPruneCap", err)
	}
	if got := emu.Writes(); got != 0 {
		t.Errorf("refused prune made %d writes, want 0", got)
	}
	st, err := c.Apply(t.Context(), p, synthetics.ApplyOptions{Force: true})
	if err != nil || st.Deleted != 3 {
		t.Errorf("Apply(Force) = %+v, %v, want 3 deleted", st, err)
	}
}

func TestFaultsConverge(t *testing.T) {
	tests := []struct {
		name   string
		faults []ddemu.Fault
	}{
		{"429 on list", []ddemu.Fault{{Operation: "ListTests", Status: 429, Times: 2}}},
		{"429 on create with reset", []ddemu.Fault{{Operation: "CreateSyntheticsAPITest", Skip: 1, Status: 429, ResetSeconds: 1}}},
		{"500 after a create is stored", []ddemu.Fault{{Operation: "CreateSyntheticsAPITest", Skip: 1, Status: 500, AfterStore: true, Times: 2}}},
		{"503 before a create is stored", []ddemu.Fault{{Operation: "CreateSyntheticsAPITest", Status: 503}}},
		{"500 on list and create", []ddemu.Fault{
			{Operation: "ListTests", Skip: 1, Status: 500},
			{Operation: "CreateSyntheticsAPITest", Status: 502, AfterStore: true},
		}},
		{"slow answers", []ddemu.Fault{{Status: 0, Latency: 20 * time.Millisecond, Times: 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := emulator(t, ddemu.Options{})
			for _, f := range tt.faults {
				emu.Inject(f)
			}
			c := client(t, emu)
			tests := mapChecks(t, checks(), "https://api.example.com")
			if _, _, err := publish(t, c, tests, true); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantIDs(checks()), checkIDs(emu, "orders")); diff != "" {
				t.Errorf("tests after a faulty publish (-want +got):\n%s", diff)
			}
			p, err := c.Plan(t.Context(), "orders", tests, synthetics.PlanOptions{Prune: true})
			if err != nil {
				t.Fatal(err)
			}
			if !p.InSync() {
				t.Errorf("plan after a faulty publish = %d writes, want 0", p.Writes())
			}
		})
	}
}

func TestInterruptedPublishConverges(t *testing.T) {
	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	tests := mapChecks(t, checks(), "https://api.example.com")
	ctx, cancel := context.WithCancel(t.Context())
	p, err := c.Plan(ctx, "orders", tests, synthetics.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Apply(ctx, p, synthetics.ApplyOptions{OnChange: func(string, synthetics.Change) { cancel() }})
	if !errors.Is(err, context.Canceled) || st.Created != 1 {
		t.Fatalf("interrupted Apply = %+v, %v, want 1 created and context.Canceled", st, err)
	}
	if _, st, err = publish(t, c, tests, true); err != nil || st.Created != 2 || st.Unchanged != 1 {
		t.Errorf("re-run = %+v, %v, want 2 created, 1 unchanged", st, err)
	}
	if diff := cmp.Diff(wantIDs(checks()), checkIDs(emu, "orders")); diff != "" {
		t.Errorf("tests after re-run (-want +got):\n%s", diff)
	}
}

func TestDuplicatesAreDeleted(t *testing.T) {
	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	tests := mapChecks(t, checks(), "https://api.example.com")
	if _, _, err := publish(t, c, tests, false); err != nil {
		t.Fatal(err)
	}
	dup, err := json.Marshal(tests[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emu.AddTest(dup); err != nil {
		t.Fatal(err)
	}
	p, st, err := publish(t, c, tests, false)
	if err != nil {
		t.Fatal(err)
	}
	if st.Deleted != 1 || p.Delete[0].Reason != synthetics.ReasonDuplicate {
		t.Errorf("publish with a duplicate = %+v, delete %+v, want the duplicate deleted", st, p.Delete)
	}
	if got := len(emu.Tests()); got != 3 {
		t.Errorf("len(Tests()) = %d, want 3", got)
	}
}

func TestErrors(t *testing.T) {
	t.Run("forbidden", func(t *testing.T) {
		emu := emulator(t, ddemu.Options{APIKey: "right"})
		c := client(t, emu)
		_, err := c.Plan(t.Context(), "orders", nil, synthetics.PlanOptions{})
		if !errors.Is(err, synthetics.ErrForbidden) || !strings.Contains(err.Error(), "DD_SITE") {
			t.Errorf("Plan with a wrong key error = %v, want ErrForbidden with a hint naming DD_SITE", err)
		}
	})
	t.Run("invalid payload", func(t *testing.T) {
		emu := emulator(t, ddemu.Options{})
		emu.Inject(ddemu.Fault{Operation: "CreateSyntheticsAPITest", Status: 400, Errors: []string{"Invalid tick_every", "Invalid locations"}})
		c := client(t, emu)
		_, _, err := publish(t, c, mapChecks(t, checks(), "https://api.example.com"), false)
		var ae *synthetics.APIError
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), "Invalid tick_every; Invalid locations") {
			t.Errorf("publish error = %v, want an APIError listing Datadog's errors", err)
		}
	})
	t.Run("unknown site", func(t *testing.T) {
		_, err := synthetics.NewClient(synthetics.ClientOptions{APIKey: "a", AppKey: "b", Site: "datadoghq.fr"})
		if err == nil || !strings.Contains(err.Error(), "datadoghq.eu") {
			t.Errorf("NewClient(site datadoghq.fr) error = %v, want one listing the known sites", err)
		}
	})
	t.Run("missing keys", func(t *testing.T) {
		_, err := synthetics.NewClient(synthetics.ClientOptions{APIKey: "a"})
		if !errors.Is(err, synthetics.ErrCredentials) {
			t.Errorf("NewClient(no app key) error = %v, want ErrCredentials", err)
		}
	})
	t.Run("plain http to a remote host", func(t *testing.T) {
		_, err := synthetics.NewClient(synthetics.ClientOptions{APIKey: "a", AppKey: "b", Host: "http://api.example.com"})
		if err == nil {
			t.Error("NewClient(Host http://api.example.com) error = nil, want one")
		}
	})
}

func TestPagination(t *testing.T) {
	tests := []struct {
		name string
		emu  ddemu.Options
		op   string
	}{
		{"search", ddemu.Options{}, "SearchTests"},
		{"listing when search is missing", ddemu.Options{NoSearch: true}, "ListTests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := emulator(t, tt.emu)
			c, err := synthetics.NewClient(synthetics.ClientOptions{APIKey: "a", AppKey: "b", Host: emu.URL, PageSize: 2, Backoff: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			var many []generator.Check
			for i := range 5 {
				many = append(many, check("GET", "/items/"+strings.Repeat("x", i+1), "200"))
			}
			tests := mapChecks(t, many, "https://api.example.com")
			if _, _, err := publish(t, c, tests, false); err != nil {
				t.Fatal(err)
			}
			emu.ResetCalls()
			p, err := c.Plan(t.Context(), "orders", tests, synthetics.PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Unchanged) != 5 {
				t.Errorf("len(Unchanged) = %d, want 5", len(p.Unchanged))
			}
			// Pages of 2 until the reported total of 5: 3 calls.
			if got := emu.Calls()[tt.op]; got != 3 {
				t.Errorf("%s calls for 5 tests in pages of 2 = %d, want 3", tt.op, got)
			}
		})
	}
}

func TestSecretsUseGlobalVariables(t *testing.T) {
	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	ch := check("GET", "/orders", "200")
	ch.Request.Headers = []generator.Param{
		{Name: "Authorization", Value: "Bearer s3cr3t-token", Source: generator.SourceSecret, Secret: true, Env: "SMOKE_TOKEN", Template: "Bearer ${SMOKE_TOKEN}"},
		{Name: "X-Trace", Value: "on", Source: generator.SourceConfig},
	}
	tests := mapChecks(t, []generator.Check{ch}, "https://api.example.com")
	payload, err := json.Marshal(tests[0])
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(payload, []byte("s3cr3t")) {
		t.Fatalf("payload inlines the secret: %s", payload)
	}
	if !bytes.Contains(payload, []byte(`"Authorization":"Bearer {{ SMOKE_TOKEN }}"`)) {
		t.Errorf("payload = %s, want Authorization referring to {{ SMOKE_TOKEN }}", payload)
	}

	p, err := c.Plan(t.Context(), "orders", tests, synthetics.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]synthetics.Variable{{Name: "SMOKE_TOKEN", Env: "SMOKE_TOKEN"}}, p.MissingVariables); diff != "" {
		t.Errorf("MissingVariables (-want +got):\n%s", diff)
	}
	if _, err := c.Apply(t.Context(), p, synthetics.ApplyOptions{}); !errors.Is(err, synthetics.ErrMissingVariables) {
		t.Errorf("Apply with a missing variable error = %v, want ErrMissingVariables", err)
	}
	created, err := c.EnsureVariables(t.Context(), p, func(env string) string { return map[string]string{"SMOKE_TOKEN": "s3cr3t-token"}[env] })
	if err != nil || len(created) != 1 {
		t.Fatalf("EnsureVariables = %v, %v, want SMOKE_TOKEN created", created, err)
	}
	if _, err := c.Apply(t.Context(), p, synthetics.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	stored := emu.Tests()[0].JSON
	if bytes.Contains(stored, []byte("s3cr3t")) || !bytes.Contains(stored, []byte(`"configVariables":[{"id":"`)) {
		t.Errorf("stored test = %s, want a configVariables entry with the variable's id and no secret", stored)
	}
	p, err = c.Plan(t.Context(), "orders", tests, synthetics.PlanOptions{})
	if err != nil || !p.InSync() {
		t.Errorf("plan after publishing with variables = %+v, %v, want in sync", p, err)
	}
}

func TestTrigger(t *testing.T) {
	failing := checks()[1].ID
	emu := emulator(t, ddemu.Options{
		PendingPolls: 2,
		Outcome: func(t ddemu.StoredTest) string {
			if slices.Contains(t.Tags, "smoke-check:"+failing) {
				return "failed"
			}
			return "passed"
		},
	})
	c := client(t, emu)
	if _, _, err := publish(t, c, mapChecks(t, checks(), "https://api.example.com"), false); err != nil {
		t.Fatal(err)
	}
	var progress [][2]int
	res, err := c.Trigger(t.Context(), "orders", synthetics.TriggerOptions{
		Wait: true, PollInterval: time.Millisecond,
		OnProgress: func(done, total int) { progress = append(progress, [2]int{done, total}) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"passed": 2, "failed": 1}, res.Counts()); diff != "" {
		t.Errorf("Counts() (-want +got):\n%s", diff)
	}
	if f := res.BlockingFailures(true); len(f) != 1 || f[0].CheckID != failing {
		t.Errorf("BlockingFailures(true) = %+v, want check %s", f, failing)
	}
	if diff := cmp.Diff([][2]int{{0, 3}, {0, 3}, {3, 3}}, progress); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
}

func TestTriggerTimeout(t *testing.T) {
	emu := emulator(t, ddemu.Options{PendingPolls: 1 << 30})
	c := client(t, emu)
	if _, _, err := publish(t, c, mapChecks(t, checks(), "https://api.example.com"), false); err != nil {
		t.Fatal(err)
	}
	res, err := c.Trigger(t.Context(), "orders", synthetics.TriggerOptions{Wait: true, Timeout: time.Nanosecond, PollInterval: time.Millisecond})
	if !errors.Is(err, synthetics.ErrTimeout) || !res.TimedOut {
		t.Errorf("Trigger = %+v, %v, want ErrTimeout", res, err)
	}
}

func TestTriggerWithoutTests(t *testing.T) {
	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	if _, err := c.Trigger(t.Context(), "orders", synthetics.TriggerOptions{}); !errors.Is(err, synthetics.ErrNoTests) {
		t.Errorf("Trigger error = %v, want ErrNoTests", err)
	}
}

// TestNoDriftFromDatadogDefaults: a test as Datadog may answer it — zero
// values left out, fields of its own added, tags reordered, a numeric
// target as a string — is in sync.
func TestNoDriftFromDatadogDefaults(t *testing.T) {
	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	tests := mapChecks(t, checks()[:1], "https://api.example.com")
	b, err := json.Marshal(tests[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	opts := m["options"].(map[string]any)
	req := m["config"].(map[string]any)["request"].(map[string]any)
	delete(opts, "follow_redirects")
	delete(opts, "retry")
	delete(opts, "min_failure_duration")
	delete(req, "follow_redirects")
	opts["monitor_priority"] = 3
	opts["monitor_options"] = map[string]any{"renotify_interval": 0, "notify_audit": false}
	m["config"].(map[string]any)["assertions"].([]any)[0].(map[string]any)["target"] = "200"
	tags := m["tags"].([]any)
	tags[0], tags[2] = tags[2], tags[0]
	b, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emu.AddTest(b); err != nil {
		t.Fatal(err)
	}
	p, err := c.Plan(t.Context(), "orders", tests, synthetics.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Unchanged) != 1 {
		t.Errorf("plan = %+v, want the test unchanged", p)
	}
}

func TestTriggerBatches(t *testing.T) {
	emu := emulator(t, ddemu.Options{})
	c := client(t, emu)
	var many []generator.Check
	for i := range 150 {
		many = append(many, check("GET", fmt.Sprintf("/items/%d", i), "200"))
	}
	if _, _, err := publish(t, c, mapChecks(t, many, "https://api.example.com"), false); err != nil {
		t.Fatal(err)
	}
	emu.ResetCalls()
	res, err := c.Trigger(t.Context(), "orders", synthetics.TriggerOptions{Wait: true, PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if got := emu.Calls()["TriggerCITests"]; got != 2 {
		t.Errorf("TriggerCITests calls for 150 tests = %d, want 2 (at most 100 per call)", got)
	}
	if got := res.Counts()["passed"]; got != 150 || len(res.BatchIDs) != 2 {
		t.Errorf("Trigger = %d passed in %d batches, want 150 in 2", got, len(res.BatchIDs))
	}
}
