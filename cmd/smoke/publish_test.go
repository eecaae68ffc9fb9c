package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/internal/ddemu"
	"github.com/smoke-dev/smoke/internal/testenv"
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
		}, code: 0, wantTests: 6},
		{name: "invalid payload", faults: []ddemu.Fault{
			{Operation: "CreateSyntheticsAPITest", Skip: 3, Status: 400, Errors: []string{"Invalid request: tick_every out of range"}},
		}, code: 3, wantStderr: "CreateSyntheticsAPITest: 400 Bad Request: Invalid request: tick_every out of range", wantTests: 3},
		{name: "refused keys", emu: ddemu.Options{APIKey: "other"}, code: 2, wantStderr: "403 Forbidden: Forbidden (check DD_API_KEY and DD_APP_KEY, and that DD_SITE"},
		{name: "unreachable", env: map[string]string{"DD_HOST": "http://127.0.0.1:9"}, code: 3, wantStderr: "ListTests"},
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
	if code != 0 || !strings.Contains(stdout, "Published: 3 created, 0 updated, 0 deleted, 3 unchanged") {
		t.Errorf("second publish = exit %d, stdout %q, stderr %q, want the 3 missing tests created", code, stdout, stderr)
	}
	// 4 HTTP tests and the 2 chains as multistep tests.
	if got := len(emu.Tests()); got != 6 {
		t.Errorf("tests in Datadog = %d, want 6", got)
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
	if b := readFile(t, junit); !strings.Contains(b, `errors="8"`) {
		t.Errorf("JUnit = %s, want 8 errors", b)
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
