package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
	"github.com/smoke-dev/smoke/spec"
)

// resolveCase runs one command line through a command's flag parsing and
// its resolution, with smoke.yaml holding cfg and the environment env.
type resolveCase struct {
	name string
	cfg  string
	env  map[string]string
	args []string
	// wantErr is the whole error message when resolution must fail with
	// exit code 2.
	wantErr string
}

func (tc resolveCase) setup(t *testing.T) (*Env, []string) {
	t.Helper()
	dir := t.TempDir()
	specPath := filepath.Join(dir, "api.yaml")
	if err := os.WriteFile(specPath, []byte("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "smoke.yaml")
	if err := os.WriteFile(cfgPath, []byte(tc.cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	env := &Env{Stdout: &strings.Builder{}, Stderr: &strings.Builder{}, Getenv: func(k string) string { return tc.env[k] }}
	// The file is named smoke.yaml in messages: tests read them whole.
	t.Chdir(dir)
	return env, append([]string{"--spec", specPath, "--config", "smoke.yaml"}, tc.args...)
}

func (tc resolveCase) check(t *testing.T, err error) bool {
	t.Helper()
	if tc.wantErr == "" {
		if err != nil {
			t.Fatalf("resolve: %v", err)
		}
		return true
	}
	if err == nil || err.Error() != tc.wantErr || exitCode(err) != exitUsage {
		t.Fatalf("resolve error = %v (exit %d), want %q (exit 2)", err, exitCode(err), tc.wantErr)
	}
	return false
}

func resolveRunCase(t *testing.T, tc resolveCase) (runSettings, error) {
	t.Helper()
	env, args := tc.setup(t)
	var rs runSettings
	var rerr error
	cmd := newRunCmdF(env, func(_ context.Context, env *Env, o runOptions) error {
		rs, rerr = resolveRun(env, o)
		return nil
	})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		return rs, err
	}
	return rs, rerr
}

// TestResolveRun shows smoke run's precedence (flag > environment >
// smoke.yaml > default) and that every value is checked wherever it came
// from, the error naming the flag, the variable or file:line.
func TestResolveRun(t *testing.T) {
	const runCfg = "run:\n  timeout: 3s\n  concurrency: 2\n  rate: 5\n  retries: 1\n  skip_assertions: [latency]\n  latency_ms: 500\n"
	tests := []struct {
		resolveCase
		wantRunner runner.Options
		wantURL    string
	}{
		{
			resolveCase: resolveCase{name: "defaults"},
			wantRunner:  runner.Options{Timeout: 10 * time.Second, Concurrency: 4, MaxBodyBytes: 4 << 20},
		},
		{
			resolveCase: resolveCase{name: "flags", args: []string{"--timeout", "5s", "--concurrency", "8", "--rate", "20", "--retries", "2", "--insecure",
				"--max-body-bytes", "1024", "-H", "X-Env: staging", "--header", "Authorization:Bearer t0ken", "--base-url", "http://127.0.0.1:1/"}},
			wantRunner: runner.Options{
				Timeout: 5 * time.Second, Concurrency: 8, Rate: 20, Retries: 2, Insecure: true, MaxBodyBytes: 1024,
				Headers: http.Header{"X-Env": {"staging"}, "Authorization": {"Bearer t0ken"}},
				Secrets: []string{"Bearer t0ken"},
			},
			wantURL: "http://127.0.0.1:1",
		},
		{
			resolveCase: resolveCase{name: "file", cfg: runCfg + "base_url: http://from-config\n"},
			wantRunner: runner.Options{Timeout: 3 * time.Second, Concurrency: 2, Rate: 5, Retries: 1, MaxBodyBytes: 4 << 20,
				Assertions: runner.Assertions{Skip: []string{"latency"}, Latency: 500 * time.Millisecond}},
			wantURL: "http://from-config",
		},
		{
			resolveCase: resolveCase{name: "flags over file, environment over file", cfg: runCfg + "base_url: http://from-config\n",
				env: map[string]string{"SMOKE_BASE_URL": "http://from-env"}, args: []string{"--timeout", "1s", "--rate", "0"}},
			wantRunner: runner.Options{Timeout: time.Second, Concurrency: 2, Rate: 0, Retries: 1, MaxBodyBytes: 4 << 20,
				Assertions: runner.Assertions{Skip: []string{"latency"}, Latency: 500 * time.Millisecond}},
			wantURL: "http://from-env",
		},
		{
			resolveCase: resolveCase{name: "flag over environment", env: map[string]string{"SMOKE_BASE_URL": "http://from-env"},
				args: []string{"--base-url", "http://flag"}},
			wantRunner: runner.Options{Timeout: 10 * time.Second, Concurrency: 4, MaxBodyBytes: 4 << 20},
			wantURL:    "http://flag",
		},
		{
			resolveCase: resolveCase{name: "environment named by SMOKE_BASE_URL", env: map[string]string{"SMOKE_BASE_URL": "staging", "STAGING_TOKEN": "s3cr3t"},
				cfg: "environments:\n  staging:\n    base_url: https://staging.example.com/api/\n    headers: {X-Token: '${STAGING_TOKEN}', X-Env: staging}\n"},
			wantRunner: runner.Options{Timeout: 10 * time.Second, Concurrency: 4, MaxBodyBytes: 4 << 20},
			wantURL:    "https://staging.example.com/api",
		},

		{resolveCase: resolveCase{name: "zero concurrency flag", args: []string{"--concurrency", "0"},
			wantErr: "--concurrency 0: must be at least 1"}},
		{resolveCase: resolveCase{name: "negative concurrency in the file", cfg: "run:\n  concurrency: -5\n",
			wantErr: "smoke.yaml:2: run.concurrency -5: must be at least 1"}},
		{resolveCase: resolveCase{name: "rate NaN", args: []string{"--rate", "NaN"},
			wantErr: "--rate NaN: must be a number of requests per second, 0 for unlimited"}},
		{resolveCase: resolveCase{name: "rate Inf in the file", cfg: "run:\n  rate: .inf\n",
			wantErr: "smoke.yaml:2: run.rate +Inf: must be a number of requests per second, 0 for unlimited"}},
		{resolveCase: resolveCase{name: "timeout zero", args: []string{"--timeout", "0"},
			wantErr: "--timeout 0s: must be positive"}},
		{resolveCase: resolveCase{name: "body limit past the cap", args: []string{"--max-body-bytes", "9223372036854775807"},
			wantErr: "--max-body-bytes 9223372036854775807: must be at most 1073741824 (1 GiB)"}},
		{resolveCase: resolveCase{name: "retries in the file", cfg: "\nrun:\n  retries: -1\n",
			wantErr: "smoke.yaml:3: run.retries -1: must not be negative"}},
		{resolveCase: resolveCase{name: "unknown assertion", cfg: "run:\n  skip_assertions: [latncy]\n",
			wantErr: `smoke.yaml:2: run.skip_assertions: unknown assertion "latncy" (known: not_server_error, status_documented, content_type, response_schema, required_headers, latency, read_after_write)`}},
		{resolveCase: resolveCase{name: "unknown assertion of an operation", cfg: "operations:\n  getX:\n    skip_assertions: [nope]\n",
			wantErr: `smoke.yaml:3: operations.getX.skip_assertions: unknown assertion "nope" (known: not_server_error, status_documented, content_type, response_schema, required_headers, latency, read_after_write)`}},
		{resolveCase: resolveCase{name: "bad expected status", cfg: "operations:\n  getX:\n    expect_status: [\"200\", \"20\"]\n",
			wantErr: `smoke.yaml:3: operations.getX.expect_status: status "20": want a code from 100 to 599, a range such as 4XX, or default`}},
		{resolveCase: resolveCase{name: "unset secret", cfg: "headers:\n  X-Token: ${NOT_SET}\n",
			wantErr: "smoke.yaml:2: headers.X-Token: environment variable NOT_SET is not set"}},
		{resolveCase: resolveCase{name: "unset credential part", cfg: "auth:\n  basic: {username: ann, password: '${PW}'}\n",
			wantErr: "smoke.yaml:2: auth.basic.password: environment variable PW is not set"}},
		{resolveCase: resolveCase{name: "bad include in the file", cfg: "include:\n  - GET /ok\n  - FETCH /x\n",
			wantErr: `smoke.yaml:3: include.1 "FETCH /x": "FETCH" is not an HTTP method OpenAPI defines`}},
		{resolveCase: resolveCase{name: "bad exclude flag", args: []string{"--exclude", "pets/*"},
			wantErr: `--exclude "pets/*": "PETS/*" is not an HTTP method OpenAPI defines`}},
		{resolveCase: resolveCase{name: "format", args: []string{"--format", "xml"},
			wantErr: `--format "xml": want one of text, json, junit, markdown, html`}},
		{resolveCase: resolveCase{name: "base URL", args: []string{"--base-url", "ftp://x"},
			wantErr: `--base-url: base URL "ftp://x": want an absolute http:// or https:// URL`}},
		{resolveCase: resolveCase{name: "fail-on flag", args: []string{"--fail-on", "sometimes"},
			wantErr: `--fail-on "sometimes": want failed or unexercised`}},
		{resolveCase: resolveCase{name: "fail_on in the file", cfg: "run:\n  fail_on: always\n",
			wantErr: `smoke.yaml:2: run.fail_on "always": want failed or unexercised`}},
		{resolveCase: resolveCase{name: "environment without base_url", cfg: "environments:\n  old: {headers: {X: y}}\n", args: []string{"--base-url", "old"},
			wantErr: `smoke.yaml:2: environments.old old: the environment has no base_url`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := resolveRunCase(t, tt.resolveCase)
			if !tt.check(t, err) {
				return
			}
			if diff := cmp.Diff(tt.wantRunner, rs.runner, cmpopts.IgnoreFields(runner.Options{}, "OnResult", "Logger", "Transport")); diff != "" {
				t.Errorf("runner options (-want +got):\n%s", diff)
			}
			if rs.target.URL != tt.wantURL {
				t.Errorf("target = %q, want %q", rs.target.URL, tt.wantURL)
			}
			if rs.failOn != failOnFailed {
				t.Errorf("fail-on = %q, want the default %q", rs.failOn, failOnFailed)
			}
		})
	}
}

// TestResolveRunPolicy checks that smoke.yaml's per-operation settings
// reach the generator, each with the place it was written.
func TestResolveRunPolicy(t *testing.T) {
	rs, err := resolveRunCase(t, resolveCase{
		cfg:  "operations:\n  getStats:\n    skip_assertions: [not_server_error]\n  get /pets/{petId}:\n    latency_ms: 50\n    path: {petId: 7}\n    expect_status: [404]\n  POST /pets: {skip: true}\n",
		env:  map[string]string{"API_TOKEN": "t0k3n"},
		args: []string{"--base-url", "http://127.0.0.1:1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]generator.Operation{
		"getStats":          {Assertions: generator.Assertions{Skip: []string{"not_server_error"}}, Where: "smoke.yaml:2"},
		"get /pets/{petId}": {Fixture: generator.Fixture{Path: map[string]string{"petId": "7"}}, Expect: []string{"404"}, Assertions: generator.Assertions{LatencyMS: 50}, Where: "smoke.yaml:4"},
		"POST /pets":        {Skip: true, Where: "smoke.yaml:8"},
	}
	if diff := cmp.Diff(want, rs.load.Generator.Operations); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
}

// TestResolveRunBind checks smoke.yaml's bind and chain settings: parsed
// once, each entry with the line it was written on, a bad one refused
// with its place.
func TestResolveRunBind(t *testing.T) {
	rs, err := resolveRunCase(t, resolveCase{
		cfg:  "operations:\n  getSilence:\n    bind:\n      path.silenceID: POST /silences $response.body#/silenceID\n      query.x: none\n  deleteSilence:\n    chain: false\n",
		args: []string{"--base-url", "http://127.0.0.1:1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]generator.Operation{
		"getSilence": {Where: "smoke.yaml:2", Bind: []generator.Rebind{
			{In: "path", Name: "silenceID", Operation: "POST /silences", From: "$response.body#/silenceID", Where: "smoke.yaml:4"},
			{In: "query", Name: "x", None: true, Where: "smoke.yaml:5"},
		}},
		"deleteSilence": {Where: "smoke.yaml:6", NoChain: true},
	}
	if diff := cmp.Diff(want, rs.load.Generator.Operations); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
	for _, tc := range []resolveCase{
		{name: "bad target", cfg: "operations:\n  getSilence:\n    bind:\n      form.x: POST /silences $response.body#/id\n",
			wantErr: `smoke.yaml:4: operations.getSilence.bind.form.x: target "form.x": "form" is not path, query, header, cookie or body`},
		{name: "bad expression", cfg: "operations:\n  getSilence:\n    bind:\n      path.id: POST /silences $response.bdy\n",
			wantErr: `smoke.yaml:4: operations.getSilence.bind.path.id: source "POST /silences $response.bdy": unsupported runtime expression "$response.bdy": want $response.body#/pointer, $response.header.NAME or $request.(body#/pointer|path.NAME|query.NAME|header.NAME)`},
		{name: "no operation", cfg: "operations:\n  getSilence:\n    bind:\n      path.id: $response.body#/id\n",
			wantErr: `smoke.yaml:4: operations.getSilence.bind.path.id: source "$response.body#/id": want "OPERATION EXPRESSION" (e.g. "POST /silences $response.body#/silenceID") or none`},
		{name: "not a bool", cfg: "operations:\n  getSilence:\n    chain: maybe\n",
			wantErr: "config smoke.yaml:3: cannot unmarshal !!str `maybe` into bool"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.args = []string{"--base-url", "http://127.0.0.1:1"}
			_, err := resolveRunCase(t, tc)
			tc.check(t, err)
		})
	}
}

// TestResolveRunParameters checks smoke.yaml's parameters: each entry
// with its location (when named) and line, in key order; a value that is
// not one scalar, or a key without a name, refused with its place.
func TestResolveRunParameters(t *testing.T) {
	rs, err := resolveRunCase(t, resolveCase{
		cfg:  "parameters:\n  server_id: localhost\n  query.limit: 5\n  header.X-Tenant: acme\n  cookie.x.y: true\n",
		args: []string{"--base-url", "http://127.0.0.1:1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []generator.ParamFixture{
		{In: "cookie", Name: "x.y", Value: "true", Where: "smoke.yaml:5"},
		{In: "header", Name: "X-Tenant", Value: "acme", Where: "smoke.yaml:4"},
		{In: "query", Name: "limit", Value: "5", Where: "smoke.yaml:3"},
		{Name: "server_id", Value: "localhost", Where: "smoke.yaml:2"},
	}
	if diff := cmp.Diff(want, rs.load.Generator.Parameters); diff != "" {
		t.Errorf("parameters (-want +got):\n%s", diff)
	}
	for _, tc := range []resolveCase{
		{name: "no name", cfg: "parameters:\n  path.: x\n",
			wantErr: `smoke.yaml:2: parameters.path. "path.": needs a parameter name (server_id, or path.server_id)`},
		{name: "a map", cfg: "parameters:\n  server_id: {a: 1}\n",
			wantErr: `smoke.yaml:2: parameters.server_id "server_id": needs a single value: a string or a number`},
		{name: "empty", cfg: "parameters:\n  server_id:\n",
			wantErr: `smoke.yaml:2: parameters.server_id "server_id": needs a single value: a string or a number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.args = []string{"--base-url", "http://127.0.0.1:1"}
			_, err := resolveRunCase(t, tc)
			tc.check(t, err)
		})
	}
}

// TestResolveSecrets checks how configured ${VAR} values become check
// values: the value is sent, the reference kept as the template, and an
// inline secret is never kept as a "template".
func TestResolveSecrets(t *testing.T) {
	rs, err := resolveRunCase(t, resolveCase{
		cfg:  "headers:\n  X-Api-Key: inline-secret\n  X-Env: staging\nauth:\n  bearer: {token: '${API_TOKEN}'}\n  basic: {username: '${U}', password: inline-pass}\n",
		env:  map[string]string{"API_TOKEN": "t0k3n", "U": "ann"},
		args: []string{"--base-url", "http://127.0.0.1:1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	g := rs.load.Generator
	wantHeaders := []generator.Param{
		{Name: "X-Api-Key", Value: "inline-secret", Source: generator.SourceConfig, Secret: true},
		{Name: "X-Env", Value: "staging", Source: generator.SourceConfig},
	}
	if diff := cmp.Diff(wantHeaders, g.Headers); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	wantCreds := map[string]generator.Credential{
		"bearer": {Token: "t0k3n", TokenTemplate: "${API_TOKEN}", Env: "API_TOKEN"},
		"basic":  {Username: "ann", Password: "inline-pass", UsernameTemplate: "${U}", Env: "U"},
	}
	if diff := cmp.Diff(wantCreds, g.Credentials); diff != "" {
		t.Errorf("credentials (-want +got):\n%s", diff)
	}
}

func resolveDiffCase(t *testing.T, tc resolveCase) (diffSettings, error) {
	t.Helper()
	env, args := tc.setup(t)
	var ds diffSettings
	var rerr error
	cmd := newDiffCmdF(env, func(_ context.Context, env *Env, o diffOptions) error {
		ds, rerr = resolveDiff(env, o)
		return nil
	})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		return ds, err
	}
	return ds, rerr
}

// TestResolveDiff shows smoke diff's precedence and errors.
func TestResolveDiff(t *testing.T) {
	sides := []string{"--old", "http://old", "--new", "new"}
	envs := "environments:\n  new:\n    base_url: http://new.example.com\n    headers: {Host: api.example.com}\n"
	tests := []struct {
		resolveCase
		wantRounds int
		wantFailOn diff.FailOn
		wantNewURL string
	}{
		{resolveCase: resolveCase{name: "defaults", cfg: envs, args: sides}, wantRounds: 3, wantFailOn: diff.FailOnRegression, wantNewURL: "http://new.example.com"},
		{resolveCase: resolveCase{name: "file", cfg: envs + "diff:\n  rounds: 7\n  fail_on: any\n", args: sides}, wantRounds: 7, wantFailOn: diff.FailOnAny, wantNewURL: "http://new.example.com"},
		{resolveCase: resolveCase{name: "flags over file", cfg: envs + "diff:\n  rounds: 7\n  fail_on: any\n", args: append([]string{"--rounds", "5", "--fail-on", "regression"}, sides...)},
			wantRounds: 5, wantFailOn: diff.FailOnRegression, wantNewURL: "http://new.example.com"},

		{resolveCase: resolveCase{name: "rounds zero", cfg: envs, args: append([]string{"--rounds", "0"}, sides...),
			wantErr: "--rounds 0: must be at least 1"}},
		{resolveCase: resolveCase{name: "fail_on in the file", cfg: envs + "diff:\n  fail_on: sometimes\n", args: sides,
			wantErr: `smoke.yaml:6: diff.fail_on "sometimes": want regression or any`}},
		{resolveCase: resolveCase{name: "rule without reason", cfg: envs + "diff:\n  rules:\n    - {action: ignore, pointer: /x}\n", args: sides,
			wantErr: `smoke.yaml:7: diff.rules.0: diff rule 1: rule ignore pointer "/x": a reason is required`}},
		{resolveCase: resolveCase{name: "rule action", cfg: envs + "diff:\n  rules:\n    - {action: drop, reason: r}\n", args: sides,
			wantErr: `smoke.yaml:7: diff.rules.0: diff rule 1: rule drop: action "drop": want ignore or expect`}},
		{resolveCase: resolveCase{name: "latency threshold", cfg: envs + "diff:\n  latency: {relative: -0.5}\n", args: sides,
			wantErr: "smoke.yaml:6: diff.latency.relative -0.5: must be a share such as 0.2, not negative"}},
		{resolveCase: resolveCase{name: "missing side", cfg: envs, args: []string{"--old", "http://old"},
			wantErr: "required flag(s) \"new\" not set"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := resolveDiffCase(t, tt.resolveCase)
			if tt.name == "missing side" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if !tt.check(t, err) {
				return
			}
			if ds.diff.Rounds != tt.wantRounds || ds.failOn != tt.wantFailOn || ds.new.URL != tt.wantNewURL || ds.old.URL != "http://old" {
				t.Errorf("rounds %d, fail-on %s, old %q, new %q; want %d, %s, http://old, %q", ds.diff.Rounds, ds.failOn, ds.old.URL, ds.new.URL, tt.wantRounds, tt.wantFailOn, tt.wantNewURL)
			}
			if got := ds.new.Headers.Get("Host"); got != "api.example.com" {
				t.Errorf("NEW's environment header Host = %q, want api.example.com", got)
			}
		})
	}
}

// TestSpecTarget checks the last resort for a target: the spec's first
// server, usable only when absolute.
func TestSpecTarget(t *testing.T) {
	docWith := func(servers ...string) *loaded {
		data := "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
		if len(servers) > 0 {
			data += "servers:\n"
			for _, s := range servers {
				data += "  - url: " + s + "\n"
			}
		}
		p := filepath.Join(t.TempDir(), "spec.yaml")
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		doc, err := spec.Load(t.Context(), p, spec.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return &loaded{Doc: doc}
	}
	tests := []struct {
		name  string
		given string
		l     *loaded
		want  string // "" means a usage error
	}{
		{"given wins", "http://given", docWith("http://spec"), "http://given"},
		{"spec server", "", docWith("http://spec/v1/", "http://other"), "http://spec/v1"},
		{"relative server", "", docWith("/api/v2"), ""},
		{"no server", "", docWith(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := specTarget(target{URL: tt.given}, tt.l)
			if tt.want == "" {
				if exitCode(err) != exitUsage {
					t.Errorf("specTarget() = %q, %v; want a usage error", got.URL, err)
				}
				return
			}
			if err != nil || got.URL != tt.want {
				t.Errorf("specTarget() = %q, %v; want %q", got.URL, err, tt.want)
			}
		})
	}
}
