package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/report"
)

func resolveExportK6Case(t *testing.T, tc resolveCase) (exportK6Settings, error) {
	t.Helper()
	env, args := tc.setup(t)
	var es exportK6Settings
	var rerr error
	cmd := newExportK6CmdF(env, func(_ context.Context, env *Env, o exportK6Options) error {
		es, rerr = resolveExportK6(env, o)
		return nil
	})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		return es, err
	}
	return es, rerr
}

// TestResolveExportK6 shows smoke export k6's precedence (flag >
// environment > smoke.yaml > default), that every value is checked
// wherever it came from, and that secrets stay references: an
// environment's secret header keeps its ${VAR}, an inline one is refused.
func TestResolveExportK6(t *testing.T) {
	def := report.K6Options{VUs: 10, Duration: 2 * time.Minute, Ramp: 20 * time.Second, Pause: time.Second, Percentile: 95, Timeout: 10 * time.Second}
	tests := []struct {
		resolveCase
		want report.K6Options
	}{
		{resolveCase: resolveCase{name: "defaults"}, want: def},
		{
			resolveCase: resolveCase{name: "flags", args: []string{"--vus", "50", "--duration", "10m", "--ramp", "1m", "--pause", "0s",
				"--percentile", "99.9", "--timeout", "3s", "--insecure", "--base-url", "https://staging.example.com/api/"}},
			want: report.K6Options{VUs: 50, Duration: 10 * time.Minute, Ramp: time.Minute, Percentile: 99.9, Timeout: 3 * time.Second,
				Insecure: true, BaseURL: "https://staging.example.com/api"},
		},
		{
			resolveCase: resolveCase{name: "writes", args: []string{"--allow-writes"}},
			want: report.K6Options{VUs: 10, Duration: 2 * time.Minute, Ramp: 20 * time.Second, Pause: time.Second, Percentile: 95, Timeout: 10 * time.Second,
				AllowWrites: true},
		},
		{
			resolveCase: resolveCase{name: "the ramp follows the duration", args: []string{"--duration", "30s"}},
			want:        report.K6Options{VUs: 10, Duration: 30 * time.Second, Ramp: 5 * time.Second, Pause: time.Second, Percentile: 95, Timeout: 10 * time.Second},
		},
		{
			resolveCase: resolveCase{name: "no ramp", args: []string{"--ramp", "0s"}},
			want:        report.K6Options{VUs: 10, Duration: 2 * time.Minute, Pause: time.Second, Percentile: 95, Timeout: 10 * time.Second},
		},
		{
			resolveCase: resolveCase{name: "file", cfg: "run:\n  timeout: 4s\n  latency_ms: 300\n  skip_assertions: [content_type]\n  insecure: true\n  ca_file: ca.pem\nbase_url: https://from-file.example.com\n"},
			want: report.K6Options{VUs: 10, Duration: 2 * time.Minute, Ramp: 20 * time.Second, Pause: time.Second, Percentile: 95, Timeout: 4 * time.Second,
				Latency: 300 * time.Millisecond, Skip: []string{"content_type"}, Insecure: true, CAFile: "ca.pem", BaseURL: "https://from-file.example.com"},
		},
		{
			resolveCase: resolveCase{name: "flag over file, environment over file", cfg: "run:\n  timeout: 4s\nbase_url: https://from-file.example.com\n",
				env: map[string]string{"SMOKE_BASE_URL": "https://from-env.example.com"}, args: []string{"--timeout", "1s"}},
			want: report.K6Options{VUs: 10, Duration: 2 * time.Minute, Ramp: 20 * time.Second, Pause: time.Second, Percentile: 95, Timeout: time.Second,
				BaseURL: "https://from-env.example.com"},
		},
		{
			resolveCase: resolveCase{name: "an environment: its URL now, its secrets by reference",
				cfg: "environments:\n  staging:\n    base_url: ${STAGING_URL}\n    headers:\n      X-Env: staging\n      X-Token: ${ENV_TOKEN}\n",
				env: map[string]string{"STAGING_URL": "https://staging.example.com"}, args: []string{"--base-url", "staging"}},
			want: report.K6Options{VUs: 10, Duration: 2 * time.Minute, Ramp: 20 * time.Second, Pause: time.Second, Percentile: 95, Timeout: 10 * time.Second,
				BaseURL: "https://staging.example.com", Headers: []generator.Param{
					{Name: "X-Env", Value: "staging", Source: generator.SourceConfig},
					{Name: "X-Token", Source: generator.SourceConfig, Secret: true, Env: "ENV_TOKEN", Template: "${ENV_TOKEN}"},
				}},
		},
		{resolveCase: resolveCase{name: "vus", args: []string{"--vus", "0"}, wantErr: "--vus 0: want 1 to 100000"}},
		{resolveCase: resolveCase{name: "duration", args: []string{"--duration", "500ms"}, wantErr: "--duration 500ms: want at least 1s"}},
		{resolveCase: resolveCase{name: "ramp", args: []string{"--ramp", "1m"},
			wantErr: "--ramp 1m0s: ramp-up and ramp-down leave no time at full load in --duration 2m0s"}},
		{resolveCase: resolveCase{name: "negative ramp", args: []string{"--ramp", "-1s"}, wantErr: "--ramp -1s: must not be negative"}},
		{resolveCase: resolveCase{name: "pause", args: []string{"--pause", "-1s"}, wantErr: "--pause -1s: must not be negative"}},
		{resolveCase: resolveCase{name: "percentile", args: []string{"--percentile", "0"}, wantErr: "--percentile 0: want more than 0 and at most 100"}},
		{resolveCase: resolveCase{name: "percentile NaN", args: []string{"--percentile", "NaN"}, wantErr: "--percentile NaN: want more than 0 and at most 100"}},
		{resolveCase: resolveCase{name: "file timeout", cfg: "run:\n  timeout: 0s\n", wantErr: "smoke.yaml:2: run.timeout 0s: must be positive"}},
		{resolveCase: resolveCase{name: "file latency", cfg: "run:\n  latency_ms: -1\n", wantErr: "smoke.yaml:2: run.latency_ms -1: must not be negative"}},
		{resolveCase: resolveCase{name: "file assertions", cfg: "run:\n  skip_assertions: [speed]\n",
			wantErr: `smoke.yaml:2: run.skip_assertions: unknown assertion "speed" (known: not_server_error, status_documented, content_type, response_schema, required_headers, latency, read_after_write)`}},
		{resolveCase: resolveCase{name: "inline secret header of an environment",
			cfg: "environments:\n  staging:\n    base_url: https://staging.example.com\n    headers:\n      Authorization: Bearer abc\n", args: []string{"--base-url", "staging"},
			wantErr: "smoke.yaml:5: environments.staging.headers.Authorization (a secret): written inline: the script would carry it; write it as ${VAR}"}},
		{resolveCase: resolveCase{name: "unset base URL variable", cfg: "environments:\n  staging:\n    base_url: ${STAGING_URL}\n", args: []string{"--base-url", "staging"},
			wantErr: "smoke.yaml:3: environments.staging.base_url: environment variable STAGING_URL is not set"}},
		{resolveCase: resolveCase{name: "credentials in the URL", args: []string{"--base-url", "https://user:pw@staging.example.com"},
			wantErr: "--base-url https://staging.example.com: carries credentials: a k6 script must not inline a secret"}},
		{resolveCase: resolveCase{name: "credentials in the file's URL", cfg: "base_url: https://user:pw@staging.example.com\n",
			wantErr: "smoke.yaml:1: base_url https://staging.example.com: carries credentials: a k6 script must not inline a secret"}},
		{resolveCase: resolveCase{name: "bad URL", args: []string{"--base-url", "ftp://x"},
			wantErr: `--base-url: base URL "ftp://x": want an absolute http:// or https:// URL`}},
		{resolveCase: resolveCase{name: "output directory", args: []string{"--output", "nope/load.js"},
			wantErr: "--output nope/load.js: no such file or directory"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es, err := resolveExportK6Case(t, tc.resolveCase)
			if !tc.check(t, err) {
				return
			}
			if diff := cmp.Diff(tc.want, es.k6, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("k6 options (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExportK6GitHub: the script of GitHub's read-only checks, with a
// token that is set while exporting, type-checks clean against k6's
// definitions and does not contain the token.
func TestExportK6GitHub(t *testing.T) {
	if testing.Short() {
		t.Skip("the 13 MB GitHub description takes seconds; -short skips it")
	}
	sp := testenv.Spec(t, "github-api.github.com-octokit-openapi-23.0.2.json")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "smoke.yaml")
	if err := os.WriteFile(cfg, []byte("headers:\n  Authorization: token ${GH_TOKEN}\nrun:\n  latency_ms: 800\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const secret = "ghp_S3cr3tT0kenKnownValue"
	out := filepath.Join(dir, "github.js")
	_, stderr, code := cli(t, map[string]string{"GH_TOKEN": secret}, "", "export", "k6", "--spec", sp, "--config", cfg, "--read-only", "--output", out)
	if code != 0 {
		t.Fatalf("export exited %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "smoke: wrote "+out+": 639 checks for k6") {
		t.Errorf("stderr = %s", stderr)
	}
	script, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(script), secret) || strings.Contains(string(script), "S3cr3t") {
		t.Error("the token is in the script")
	}
	for _, want := range []string{`"Authorization": "token " + env["GH_TOKEN"]`, `need("GH_TOKEN", __ENV.GH_TOKEN)`, `["p(95)<800"]`,
		`const BASE_URL = (__ENV.BASE_URL || "https://api.github.com")`} {
		if !strings.Contains(string(script), want) {
			t.Errorf("the script lacks %s", want)
		}
	}
	if n := strings.Count(string(script), "http.request("); n != 639 {
		t.Errorf("%d requests, want one per read-only check (639)", n)
	}
	if strings.Contains(string(script), `http.request("POST"`) || strings.Contains(string(script), `http.request("DELETE"`) {
		t.Error("--read-only script sends a write")
	}

	// With --allow-writes, the writes of GitHub's chains (gists, keys,
	// codespaces: what the token's user creates) are sent inside their
	// groups only; the writes to resources no create gives are named.
	writes := filepath.Join(dir, "github-writes.js")
	_, stderr, code = cli(t, map[string]string{"GH_TOKEN": secret}, "", "export", "k6", "--spec", sp, "--config", cfg, "--allow-writes", "--output", writes)
	if code != 0 {
		t.Fatalf("export --allow-writes exited %d: %s", code, stderr)
	}
	if !regexp.MustCompile(`(?m)^smoke: left out [0-9]+ writes \(.*\): it would change data smoke did not create`).MatchString(stderr) {
		t.Errorf("stderr does not name the writes left out:\n%s", stderr)
	}
	ws, err := os.ReadFile(writes)
	if err != nil {
		t.Fatal(err)
	}
	// Outside a chain, only creates are sent, each with its warning.
	alone := regexp.MustCompile(`(?m)^  // ([A-Z]+) (\S+).*\n(?:  // .*\n)*  \{\n(?:    const (?:now|uuid) .*\n)*    const r[0-9]+ = http.request\("([A-Z]+)"`).FindAllStringSubmatch(string(ws), -1)
	if len(alone) == 0 {
		t.Fatal("no request outside the chains: the pattern is stale")
	}
	for _, m := range alone {
		if m[3] == "GET" || m[3] == "HEAD" || m[3] == "OPTIONS" || m[3] == "TRACE" {
			continue
		}
		if m[1] != "POST" || !strings.Contains(stderr, "smoke: warning: POST "+m[2]+": every iteration leaves one behind") {
			t.Errorf("%s %s is sent outside every chain without being a create the warnings name", m[1], m[2])
		}
	}
	if !strings.Contains(string(ws), `group("chain POST /gists → DELETE /gists/{gist_id}`) {
		t.Error("the gist chain is missing")
	}
	testenv.TypeCheckK6(t, out, writes)
}
