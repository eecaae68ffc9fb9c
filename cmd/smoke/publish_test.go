package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/internal/ddemu"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/synthetics"
)

// ddEnv starts a Datadog emulator and returns the environment pointing
// smoke at it, with the example petstore spec written to a temp dir.
func ddEnv(t *testing.T, opts ddemu.Options) (*ddemu.Server, map[string]string, string) {
	t.Helper()
	opts.SpecPath = testenv.DatadogSpec(t, "v1")
	emu := ddemu.New(t, opts)
	spec, err := petstore.WriteSpec(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return emu, map[string]string{"DD_HOST": emu.URL, "DD_API_KEY": "a", "DD_APP_KEY": "b"}, spec
}

func publishArgs(spec string, extra ...string) []string {
	return append([]string{"publish", "--spec", spec, "--base-url", "https://api.example.com", "--service", "petstore"}, extra...)
}

func TestPublishExitCodes(t *testing.T) {
	tests := []struct {
		name       string
		emu        ddemu.Options
		faults     []ddemu.Fault
		env        map[string]string
		code       int
		wantStderr string
		wantTests  int
	}{
		{name: "faults converge", faults: []ddemu.Fault{
			{Operation: "ListTests", Status: 429},
			{Operation: "CreateSyntheticsAPITest", Skip: 2, Status: 500, AfterStore: true},
		}, code: 0, wantTests: 8},
		{name: "invalid payload", faults: []ddemu.Fault{
			{Operation: "CreateSyntheticsAPITest", Skip: 3, Status: 400, Errors: []string{"Invalid request: tick_every out of range"}},
		}, code: 3, wantStderr: "CreateSyntheticsAPITest: 400 Bad Request: Invalid request: tick_every out of range", wantTests: 3},
		{name: "refused keys", emu: ddemu.Options{APIKey: "other"}, code: 2, wantStderr: "403 Forbidden: Forbidden (check DD_API_KEY and DD_APP_KEY, that DD_SITE"},
		{name: "unreachable", env: map[string]string{"DD_HOST": "http://127.0.0.1:9"}, code: 3, wantStderr: "SearchTests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, env, spec := ddEnv(t, tt.emu)
			for _, f := range tt.faults {
				emu.Inject(f)
			}
			for k, v := range tt.env {
				env[k] = v
			}
			_, stderr, code := cli(t, env, "", publishArgs(spec)...)
			if code != tt.code {
				t.Errorf("publish exit = %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("publish stderr = %q, want it to contain %q", stderr, tt.wantStderr)
			}
			if got := len(emu.Tests()); got != tt.wantTests {
				t.Errorf("tests in Datadog = %d, want %d", got, tt.wantTests)
			}
		})
	}
}

func TestPublishPartialThenConverges(t *testing.T) {
	emu, env, spec := ddEnv(t, ddemu.Options{})
	emu.Inject(ddemu.Fault{Operation: "CreateSyntheticsAPITest", Skip: 3, Status: 400})
	if _, stderr, code := cli(t, env, "", publishArgs(spec)...); code != 3 || !strings.Contains(stderr, "partial publish: 3 created") {
		t.Fatalf("first publish = exit %d, stderr %q, want 3 and a partial-publish note", code, stderr)
	}
	stdout, stderr, code := cli(t, env, "", publishArgs(spec)...)
	if code != 0 || !strings.Contains(stdout, "Published: 5 created, 0 updated, 0 deleted, 3 unchanged") {
		t.Errorf("second publish = exit %d, stdout %q, stderr %q, want the 5 missing tests created", code, stdout, stderr)
	}
	if got := len(emu.Tests()); got != 8 {
		t.Errorf("tests in Datadog = %d, want 8 (the safe checks)", got)
	}
}

func TestPublishCreatesVariables(t *testing.T) {
	emu, env, spec := ddEnv(t, ddemu.Options{})
	cfg := filepath.Join(t.TempDir(), "smoke.yaml")
	writeFile(t, cfg, "headers:\n  X-Api-Token: ${SMOKE_TOKEN}\n")
	env["SMOKE_TOKEN"] = "s3cr3t-value"
	args := publishArgs(spec, "--config", cfg)
	if _, stderr, code := cli(t, env, "", args...); code != 2 || !strings.Contains(stderr, "global variables missing: [SMOKE_TOKEN]") {
		t.Errorf("publish without the variable = exit %d, stderr %q, want 2 naming SMOKE_TOKEN", code, stderr)
	}
	stdout, stderr, code := cli(t, env, "", append(args, "--create-variables")...)
	if code != 0 || !strings.Contains(stderr, "created secure global variable SMOKE_TOKEN") {
		t.Errorf("publish --create-variables = exit %d, stderr %q, want 0 and the variable created", code, stderr)
	}
	if strings.Contains(stdout+stderr, "s3cr3t") {
		t.Errorf("output shows the secret: %s%s", stdout, stderr)
	}
	for _, s := range emu.Tests() {
		if strings.Contains(string(s.JSON), "s3cr3t") || !strings.Contains(string(s.JSON), "{{ SMOKE_TOKEN }}") {
			t.Errorf("test %s = %s, want {{ SMOKE_TOKEN }} and no secret", s.PublicID, s.JSON)
		}
	}
	if got := emu.Variables(); len(got) != 1 || got[0] != "SMOKE_TOKEN" {
		t.Errorf("variables = %v, want [SMOKE_TOKEN]", got)
	}
}

func TestTriggerTimeoutExits3(t *testing.T) {
	_, env, spec := ddEnv(t, ddemu.Options{PendingPolls: 1 << 30})
	if _, stderr, code := cli(t, env, "", publishArgs(spec, "--read-only")...); code != 0 {
		t.Fatalf("publish exit = %d (%s)", code, stderr)
	}
	junit := filepath.Join(t.TempDir(), "out.xml")
	stdout, stderr, code := cli(t, env, "", "trigger", "--service", "petstore", "--wait", "--timeout", "1ns", "--poll-interval", "1ms", "--junit", junit)
	if code != 3 || !strings.Contains(stderr, "timed out waiting for results") {
		t.Errorf("trigger = exit %d, stderr %q, want 3 and a timeout message", code, stderr)
	}
	if !strings.Contains(stdout, "8 without result") {
		t.Errorf("trigger stdout = %q, want the runs without result counted", stdout)
	}
	// A run smoke's own deadline cut is a failure of type timeout, as
	// datadog-ci reports a timed-out result (it was an error before).
	if b := readFile(t, junit); !strings.Contains(b, `failures="8"`) || strings.Count(b, `type="timeout"`) != 8 {
		t.Errorf("JUnit = %s, want 8 timeout failures", b)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestConcurrentPublishes runs two smoke publish of one service at the
// same time; both plan before either creates (their first searches are
// slowed down), so both create every test. Both exit 0 and Datadog ends
// with one test per check.
func TestConcurrentPublishes(t *testing.T) {
	emu, env, spec := ddEnv(t, ddemu.Options{})
	emu.Inject(ddemu.Fault{Operation: "SearchTests", Latency: 200 * time.Millisecond, Times: 2})
	var wg sync.WaitGroup
	var out [2]string
	var codes [2]int
	for i := range 2 {
		wg.Go(func() {
			var stderr string
			out[i], stderr, codes[i] = cli(t, env, "", publishArgs(spec, "--allow-writes")...)
			out[i] += stderr
		})
	}
	wg.Wait()
	if codes != [2]int{0, 0} {
		t.Fatalf("exit codes = %v, want both 0\n%s\n%s", codes, out[0], out[1])
	}
	if !strings.Contains(out[0]+out[1], "a concurrent publish had also created") {
		t.Errorf("outputs = %s\n%s\nwant one publish to report the duplicates it removed", out[0], out[1])
	}
	seen := map[string]bool{}
	for _, s := range emu.Tests() {
		if seen[s.Name] {
			t.Errorf("duplicate test %s", s.Name)
		}
		seen[s.Name] = true
	}
	// 18 checks: 3 chains as multistep tests, 4 reads on their own.
	if len(seen) != 7 || len(emu.Suites()) != 1 {
		t.Errorf("%d tests and %d suites, want 7 and 1", len(seen), len(emu.Suites()))
	}
}

// TestTriggerLikeDatadogCI: the batch answers 404 twice right after the
// trigger, then one run stays in progress after the batch is final.
// smoke polls through the 404s, stops as soon as the batch is final, and
// fails the step as datadog-ci would, with the run in the JUnit file.
func TestTriggerLikeDatadogCI(t *testing.T) {
	var stuck string
	emu, env, spec := ddEnv(t, ddemu.Options{BatchNotFoundPolls: 2, PendingPolls: 1, Outcome: func(st ddemu.StoredTest) string {
		if strings.HasSuffix(st.Name, "GET /stats") {
			return stuck
		}
		return ddemu.OutcomePassed
	}})
	if _, stderr, code := cli(t, env, "", publishArgs(spec)...); code != 0 {
		t.Fatalf("publish exit = %d (%s)", code, stderr)
	}
	env["GITHUB_ACTIONS"], env["GITHUB_SHA"], env["GITHUB_REF"] = "true", "0123abc", "refs/heads/main"
	junit := filepath.Join(t.TempDir(), "out.xml")
	tests := []struct {
		outcome string
		args    []string
		code    int
		line    string
		junit   string
	}{
		{ddemu.OutcomeStuck, nil, 1, "INCOMPLETE  [petstore] GET /stats @ aws:us-east-1", `<failure message="The batch ended without the result of this run." type="incomplete">`},
		{ddemu.OutcomeTimedOut, nil, 1, "TIMEOUT  [petstore] GET /stats", `<failure message="The batch timed out before receiving the result." type="timeout">`},
		{ddemu.OutcomeTimedOut, []string{"--fail-on-timeout=false"}, 0, "TIMEOUT (not failing)  [petstore] GET /stats", `<skipped message="The batch timed out before receiving the result. (--fail-on-timeout=false)" type="timeout">`},
	}
	for _, tt := range tests {
		stuck = tt.outcome
		emu.ResetCalls()
		args := append([]string{"trigger", "--service", "petstore", "--wait", "--poll-interval", "1ms", "--junit", junit}, tt.args...)
		stdout, stderr, code := cli(t, env, "", args...)
		if code != tt.code || !strings.Contains(stdout, tt.line) {
			t.Errorf("%s %v: exit %d, stdout %q, stderr %q, want %d and %q", tt.outcome, tt.args, code, stdout, stderr, tt.code, tt.line)
		}
		if b := readFile(t, junit); !strings.Contains(b, tt.junit) || strings.Count(b, "<testcase ") != 8 {
			t.Errorf("%s: JUnit = %s, want 8 testcases and %s", tt.outcome, b, tt.junit)
		}
		if n := emu.Calls()["GetSyntheticsCIBatch"]; n != 4 {
			t.Errorf("%s: %d batch polls, want 4 (two 404s, one in progress, one final)", tt.outcome, n)
		}
	}
	if tr := emu.Triggers(); !strings.Contains(string(tr[len(tr)-1]), `"git":{"branch":"main","commitSha":"0123abc"}`) {
		t.Errorf("trigger body = %s, want the git metadata from the CI environment", tr[len(tr)-1])
	}
}

func TestTriggerFailOnMissing(t *testing.T) {
	_, env, spec := ddEnv(t, ddemu.Options{})
	if _, stderr, code := cli(t, env, "", publishArgs(spec)...); code != 0 {
		t.Fatalf("publish exit = %d (%s)", code, stderr)
	}
	args := []string{"trigger", "--service", "petstore", "--check", "000000000000", "--check", "ad4350db9928"}
	if _, stderr, code := cli(t, env, "", args...); code != 0 || !strings.Contains(stderr, "check 000000000000 has no published test") {
		t.Errorf("trigger with a missing check = exit %d, stderr %q, want 0 and a warning", code, stderr)
	}
	if _, _, code := cli(t, env, "", append(args, "--fail-on-missing")...); code != 1 {
		t.Errorf("trigger --fail-on-missing with a missing check = exit %d, want 1", code)
	}
}

// TestPublishBlockedDelete: a test an SLO uses is named and kept; the
// others are pruned; the publish exits 3 (not in sync).
func TestPublishBlockedDelete(t *testing.T) {
	emu, env, spec := ddEnv(t, ddemu.Options{})
	if _, stderr, code := cli(t, env, "", publishArgs(spec)...); code != 0 {
		t.Fatalf("publish exit = %d (%s)", code, stderr)
	}
	var health string
	for _, s := range emu.Tests() {
		if strings.HasSuffix(s.Name, "GET /health") {
			health = s.PublicID
		}
	}
	emu.Depend(health, "slos: [abc123,availability]")
	stdout, stderr, code := cli(t, env, "", publishArgs(spec, "--include", "GET /stats", "--prune", "--force")...)
	if code != 3 || !strings.Contains(stdout, "! not deleted  [petstore] GET /health  "+health+"  (monitor [") ||
		!strings.Contains(stdout, "6 deleted") || !strings.Contains(stderr, "refused to delete tests other resources depend on") {
		t.Errorf("prune with a test an SLO uses = exit %d\nstdout %s\nstderr %s\nwant 3, the others deleted, the blocked one named", code, stdout, stderr)
	}
}

// TestExportedPayloadsAcceptedByStrictEmulator exports every check of
// the example service (writes, secrets, basic auth, tags, a schedule)
// and creates each payload in the strict emulator: real Datadog's rules
// hold for what smoke sends.
func TestExportedPayloadsAcceptedByStrictEmulator(t *testing.T) {
	emu, env, spec := ddEnv(t, ddemu.Options{})
	cfg := filepath.Join(t.TempDir(), "smoke.yaml")
	writeFile(t, cfg, `headers:
  X-Api-Token: ${_tok}
  X-Pw: Bearer ${PW}
datadog:
  tags: ["Team:Pet Store", env/staging]
  retries: 3
  retry_interval: 5s
  timeout: 60s
  schedule:
    - match: ["GET /health"]
      tick_every: 30
    - match: [POST, PUT, DELETE]
      ci_only: true
`)
	out := filepath.Join(t.TempDir(), "tests.json")
	if _, stderr, code := cli(t, env, "", publishArgs(spec, "--config", cfg, "--export", out, "--allow-writes", "--service", "Pet Store")...); code != 0 {
		t.Fatalf("export exit = %d (%s)", code, stderr)
	}
	var payloads []json.RawMessage
	if err := json.Unmarshal([]byte(readFile(t, out)), &payloads); err != nil {
		t.Fatal(err)
	}
	if len(payloads) != 7 {
		t.Fatalf("%d payloads, want 7 (3 chains, 4 single checks)", len(payloads))
	}
	// A test uses a global variable it declares by id (config variable
	// of type global); --export calls no API, so it declares them by
	// name and cannot know the ids: set them as publish does once the
	// variables exist.
	ids := map[string]string{}
	for _, name := range []string{"TOK", "SMOKE_PW"} {
		ids[name] = createVariable(t, emu, name)
	}
	for _, p := range payloads {
		createInEmulator(t, emu, setGlobalIDs(t, p, ids))
	}
	all := readFile(t, out)
	for _, want := range []string{`{{ TOK }}`, `Bearer {{ SMOKE_PW }}`, `"smoke-service:pet_store"`, `"team:pet_store"`, `"env/staging"`, `"status": "paused"`, `"tick_every": 30`} {
		if !strings.Contains(all, want) {
			t.Errorf("payloads lack %s", want)
		}
	}
}

// createVariable creates a secure global variable in the emulator and
// returns its id.
func createVariable(t *testing.T, emu *ddemu.Server, name string) string {
	t.Helper()
	body := `{"name":"` + name + `","description":"","tags":[],"value":{"value":"x","secure":true}}`
	req, err := http.NewRequestWithContext(t.Context(), "POST", emu.URL+"/api/v1/synthetics/variables", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("DD-API-KEY", "a")
	req.Header.Set("DD-APPLICATION-KEY", "b")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != 200 {
		t.Fatalf("create variable %s = %d, %v", name, resp.StatusCode, err)
	}
	return v.ID
}

// setGlobalIDs sets, in an exported payload, the id of each global
// variable it declares, and fails the test when it refers to a global
// variable it does not declare.
func setGlobalIDs(t *testing.T, p json.RawMessage, ids map[string]string) json.RawMessage {
	t.Helper()
	var test map[string]any
	if err := json.Unmarshal(p, &test); err != nil {
		t.Fatal(err)
	}
	cfg, _ := test["config"].(map[string]any)
	vars, _ := cfg["configVariables"].([]any)
	declared := map[string]bool{}
	for _, v := range vars {
		m, _ := v.(map[string]any)
		name, _ := m["name"].(string)
		if m["type"] == "global" {
			if _, has := m["id"]; has {
				t.Errorf("exported global %s has an id: export cannot know it", name)
			}
			m["id"] = ids[name]
			declared[name] = true
		}
	}
	for name := range ids {
		if strings.Contains(string(p), "{{ "+name+" }}") && !declared[name] {
			t.Errorf("an exported payload refers to {{ %s }} without declaring it", name)
		}
	}
	out, err := json.Marshal(test)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// createInEmulator creates one exported test payload in the emulator,
// as publish would, and fails the test when the emulator refuses it.
func createInEmulator(t *testing.T, emu *ddemu.Server, p json.RawMessage) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", emu.URL+"/api/v1/synthetics/tests/api", bytes.NewReader(p))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("DD-API-KEY", "a")
	req.Header.Set("DD-APPLICATION-KEY", "b")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("create %.300s… = %d %s", p, resp.StatusCode, body)
	}
}

// TestLongChainsAcceptedByStrictEmulator: the chains of real specs with
// writes (Gitea's longest has 50 steps, GitHub's 36) are published as
// multistep tests within Datadog's limit of 10 steps, every one of which
// the strict emulator accepts, and no step is lost without a note.
func TestLongChainsAcceptedByStrictEmulator(t *testing.T) {
	for _, name := range []string{"gitea-v1.26.3.json", "github-api.github.com-octokit-openapi-23.0.2.json"} {
		t.Run(name, func(t *testing.T) {
			sp := testenv.Spec(t, name)
			testenv.SkipBig(t, sp)
			emu, env, _ := ddEnv(t, ddemu.Options{})
			out := filepath.Join(t.TempDir(), "tests.json")
			if _, stderr, code := cli(t, env, "", "publish", "--config", "/dev/null", "--spec", sp, "--base-url", "https://api.example.com",
				"--service", "big", "--allow-writes", "--export", out); code != 0 {
				t.Fatalf("export exit = %d (%s)", code, stderr)
			}
			var payloads []json.RawMessage
			if err := json.Unmarshal([]byte(readFile(t, out)), &payloads); err != nil {
				t.Fatal(err)
			}
			split := 0
			for _, p := range payloads {
				var test struct {
					Name    string `json:"name"`
					Subtype string `json:"subtype"`
					Config  struct {
						Steps []json.RawMessage `json:"steps"`
					} `json:"config"`
				}
				if err := json.Unmarshal(p, &test); err != nil {
					t.Fatal(err)
				}
				if test.Subtype != "multi" {
					continue
				}
				if len(test.Config.Steps) > synthetics.MaxSteps {
					t.Errorf("%s: %d steps", test.Name, len(test.Config.Steps))
				}
				if strings.Contains(test.Name, " [part ") {
					split++
				}
				createInEmulator(t, emu, p)
			}
			if split == 0 {
				t.Errorf("no chain was split: the spec has chains longer than %d steps", synthetics.MaxSteps)
			}
		})
	}
}
