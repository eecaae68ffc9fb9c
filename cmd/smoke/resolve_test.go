package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// resolveWith parses args with cmd and returns what resolve made of
// them, without running anything.
func resolveWith[O, S any](t *testing.T, env map[string]string, build func(*Env, func(context.Context, *Env, O) error) interface {
	SetArgs([]string)
	Execute() error
}, resolve func(*Env, O) (S, error), args ...string) (S, error) {
	t.Helper()
	var stderr bytes.Buffer
	e := &Env{Stdout: &stderr, Stderr: &stderr, Getenv: func(k string) string { return env[k] }, Now: time.Now}
	var got S
	var gotErr error
	cmd := build(e, func(_ context.Context, e *Env, o O) error {
		got, gotErr = resolve(e, o)
		return nil
	})
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return got, gotErr
}

func resolvePublishArgs(t *testing.T, env map[string]string, args ...string) (publishSettings, error) {
	// publish resolves the spec's location too: give it one.
	if env["SMOKE_SPEC"] == "" {
		spec := filepath.Join(t.TempDir(), "api.yaml")
		writeFile(t, spec, "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n")
		e := map[string]string{"SMOKE_SPEC": spec}
		for k, v := range env {
			e[k] = v
		}
		env = e
	}
	build := func(e *Env, f func(context.Context, *Env, publishOptions) error) interface {
		SetArgs([]string)
		Execute() error
	} {
		return newPublishCmdF(e, f)
	}
	return resolveWith(t, env, build, resolvePublish, args...)
}

func resolveTriggerArgs(t *testing.T, env map[string]string, args ...string) (triggerSettings, error) {
	build := func(e *Env, f func(context.Context, *Env, triggerOptions) error) interface {
		SetArgs([]string)
		Execute() error
	} {
		return newTriggerCmdF(e, f)
	}
	return resolveWith(t, env, build, resolveTrigger, args...)
}

// TestResolvePublish shows the precedence flags > environment >
// smoke.yaml and that every value is checked wherever it came from,
// with the error naming the flag, the variable or file:line.
func TestResolvePublish(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "smoke.yaml")
	writeFile(t, cfg, `service: from-file
datadog:
  max_prune_share: 0.2
  retries: 2
  tick_every: 10m
  timeout: 20s
  locations: [aws:eu-west-1]
  tags: [team:pets]
  allow_writes: true
  suite: false
`)
	bad := func(body string) string {
		p := filepath.Join(t.TempDir(), "smoke.yaml")
		writeFile(t, p, body)
		return p
	}
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		check   func(t *testing.T, s publishSettings)
		wantErr string
	}{
		{name: "defaults", args: []string{"--service", "orders"}, check: func(t *testing.T, s publishSettings) {
			want := []any{"orders", 0.5, false, true, 30 * time.Second, 5 * time.Minute, 0, 300 * time.Millisecond}
			got := []any{s.Service, s.MaxPruneShare, s.AllowWrites, s.Suite, s.Map.Timeout, s.Map.TickEvery, s.Map.Retries, s.Map.RetryInterval}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("defaults (-want +got):\n%s", diff)
			}
		}},
		{name: "smoke.yaml", args: []string{"--config", cfg}, check: func(t *testing.T, s publishSettings) {
			want := []any{"from-file", 0.2, true, false, 20 * time.Second, 10 * time.Minute, 2, []string{"aws:eu-west-1"}, []string{"team:pets"}}
			got := []any{s.Service, s.MaxPruneShare, s.AllowWrites, s.Suite, s.Map.Timeout, s.Map.TickEvery, s.Map.Retries, s.Map.Locations, s.Map.Tags}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("from smoke.yaml (-want +got):\n%s", diff)
			}
		}},
		{name: "environment over smoke.yaml", env: map[string]string{"SMOKE_SERVICE": "from-env"}, args: []string{"--config", cfg},
			check: func(t *testing.T, s publishSettings) {
				if s.Service != "from-env" {
					t.Errorf("service = %q, want from-env", s.Service)
				}
			}},
		{name: "flags over both", env: map[string]string{"SMOKE_SERVICE": "from-env"},
			args: []string{"--config", cfg, "--service", "flag", "--max-prune-share", "0.9", "--retries", "0", "--tick-every", "1m",
				"--timeout", "5s", "--location", "aws:us-east-1", "--tag", "env:prod", "--suite=true", "--allow-writes=false"},
			check: func(t *testing.T, s publishSettings) {
				want := []any{"flag", 0.9, false, true, 5 * time.Second, time.Minute, 0, []string{"aws:us-east-1"}, []string{"team:pets", "env:prod"}}
				got := []any{s.Service, s.MaxPruneShare, s.AllowWrites, s.Suite, s.Map.Timeout, s.Map.TickEvery, s.Map.Retries, s.Map.Locations, s.Map.Tags}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("flags (-want +got):\n%s", diff)
				}
			}},
		// The bug of issue 10: the flag was checked, smoke.yaml's value was
		// not, so max_prune_share: 5 turned the cap off.
		{name: "max_prune_share from smoke.yaml", args: []string{"--service", "s", "--config", bad("datadog:\n  max_prune_share: 5\n")},
			wantErr: "smoke.yaml:2: datadog.max_prune_share: max prune share 5: want a share above 0 and at most 1"},
		{name: "max-prune-share flag", args: []string{"--service", "s", "--max-prune-share", "NaN"}, wantErr: "--max-prune-share: max prune share NaN"},
		{name: "retries from smoke.yaml", args: []string{"--service", "s", "--config", bad("service: s\ndatadog:\n  retries: 4\n")},
			wantErr: "smoke.yaml:3: datadog.retries: 4 retries: Datadog allows 0 to 3"},
		{name: "retries flag", args: []string{"--service", "s", "--retries", "9"}, wantErr: "--retries: 9 retries"},
		{name: "timeout flag", args: []string{"--service", "s", "--timeout", "90s"}, wantErr: "--timeout: timeout 1m30s: Datadog allows more than 0s and at most 1m0s"},
		{name: "timeout from smoke.yaml", args: []string{"--service", "s", "--config", bad("datadog:\n  timeout: 0s\n")}, wantErr: "smoke.yaml:2: datadog.timeout: timeout 0s"},
		{name: "tick_every from smoke.yaml", args: []string{"--service", "s", "--config", bad("datadog:\n  tick_every: 10\n")}, wantErr: "smoke.yaml:2: datadog.tick_every: tick every 10s"},
		{name: "retry interval flag", args: []string{"--service", "s", "--retry-interval", "6s"}, wantErr: "--retry-interval: retry interval 6s"},
		{name: "location flag", args: []string{"--service", "s", "--location", "nowhere"}, wantErr: "--location: location \"nowhere\""},
		{name: "tag flag", args: []string{"--service", "s", "--tag", "team:"}, wantErr: "--tag: tag \"team:\": a Datadog tag cannot end with a colon"},
		{name: "tag from smoke.yaml", args: []string{"--service", "s", "--config", bad("datadog:\n  tags: ['123']\n")}, wantErr: "smoke.yaml:2: datadog.tags.0: tag \"123\""},
		{name: "variable from smoke.yaml", args: []string{"--service", "s", "--config", bad("datadog:\n  variables:\n    PW: pw\n")},
			wantErr: "smoke.yaml:3: datadog.variables.PW: no valid Datadog variable name: \"pw\""},
		{name: "schedule from smoke.yaml", args: []string{"--service", "s", "--config", bad("datadog:\n  schedule:\n    - match: [GET]\n      tick_every: 5s\n")},
			wantErr: "smoke.yaml:3: datadog.schedule.0: tick every 5s"},
		{name: "schedule pattern", args: []string{"--service", "s", "--config", bad("datadog:\n  schedule:\n    - match: ['nope:x']\n      ci_only: true\n")},
			wantErr: "smoke.yaml:3: datadog.schedule.0: schedule rule 1:"},
		{name: "service from the environment", env: map[string]string{"SMOKE_SERVICE": "🐶"}, args: nil, wantErr: "SMOKE_SERVICE: tag"},
		{name: "no service", args: nil, wantErr: "no service name"},
		{name: "format", args: []string{"--service", "s", "--format", "xml"}, wantErr: "--format \"xml\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // no ./smoke.yaml
			s, err := resolvePublishArgs(t, tt.env, tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("resolvePublish(%v) error = %v, want %q", tt.args, err, tt.wantErr)
				}
				if code := exitCode(err); code != exitUsage {
					t.Errorf("exit code = %d, want %d", code, exitUsage)
				}
				return
			}
			if err != nil {
				t.Fatalf("resolvePublish(%v): %v", tt.args, err)
			}
			tt.check(t, s)
		})
	}
}

func TestResolveTrigger(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		want    [2]bool // fail on timeout, fail on missing
		wantErr string
	}{
		{name: "defaults as datadog-ci", args: []string{"--service", "s"}, want: [2]bool{true, false}},
		{name: "datadog-ci's variables", env: map[string]string{"DATADOG_SYNTHETICS_FAIL_ON_TIMEOUT": "false", "DATADOG_SYNTHETICS_FAIL_ON_MISSING_TESTS": "1"},
			args: []string{"--service", "s"}, want: [2]bool{false, true}},
		{name: "flags over variables", env: map[string]string{"DATADOG_SYNTHETICS_FAIL_ON_TIMEOUT": "false"},
			args: []string{"--service", "s", "--fail-on-timeout"}, want: [2]bool{true, false}},
		{name: "bad variable", env: map[string]string{"DATADOG_SYNTHETICS_FAIL_ON_TIMEOUT": "maybe"}, args: []string{"--service", "s"},
			wantErr: "DATADOG_SYNTHETICS_FAIL_ON_TIMEOUT=\"maybe\": want true or false"},
		{name: "junit without wait", args: []string{"--service", "s", "--junit", "x.xml"}, wantErr: "--junit needs --wait"},
		{name: "junit directory missing", args: []string{"--service", "s", "--wait", "--junit", "missing/x.xml"}, wantErr: "--junit missing/x.xml"},
		{name: "suite and checks", args: []string{"--service", "s", "--suite", "--check", "abc"}, wantErr: "a suite runs its own tests"},
		{name: "timeout", args: []string{"--service", "s", "--wait", "--timeout", "0s"}, wantErr: "--timeout 0s"},
		{name: "service from the environment", env: map[string]string{"SMOKE_SERVICE": "s"}, want: [2]bool{true, false}},
		{name: "no service", wantErr: "no service name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			s, err := resolveTriggerArgs(t, tt.env, tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("resolveTrigger(%v) error = %v, want %q", tt.args, err, tt.wantErr)
				}
				if code := exitCode(err); code != exitUsage {
					t.Errorf("exit code = %d, want %d", code, exitUsage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := [2]bool{s.FailOnTimeout, s.FailOnMissing}; got != tt.want {
				t.Errorf("fail on timeout, missing = %v, want %v", got, tt.want)
			}
		})
	}
}
