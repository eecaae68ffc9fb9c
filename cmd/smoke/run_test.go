package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/smoke-dev/smoke/config"
	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
	"github.com/smoke-dev/smoke/spec"
)

// TestRunFlags checks flag parsing alone, and how flags and smoke.yaml's
// run section combine into runner options.
func TestRunFlags(t *testing.T) {
	cfg := &config.Config{Run: config.Run{
		Timeout: config.Duration(3 * time.Second), Concurrency: 2, Rate: 5, Retries: 1,
		SkipAssertions: []string{"latency"}, LatencyMS: 500,
	}}
	tests := []struct {
		name string
		args []string
		cfg  *config.Config
		want runner.Options
	}{
		{
			name: "defaults",
			want: runner.Options{Timeout: 10 * time.Second, Concurrency: 4, MaxBodyBytes: 4 << 20},
		},
		{
			name: "flags",
			args: []string{"--timeout", "5s", "--concurrency", "8", "--rate", "20", "--retries", "2", "--insecure",
				"--ca-file", "ca.pem", "--max-body-bytes", "1024", "-H", "X-Env: staging", "--header", "Authorization:Bearer t0ken"},
			want: runner.Options{
				Timeout: 5 * time.Second, Concurrency: 8, Rate: 20, Retries: 2, Insecure: true, CAFile: "ca.pem", MaxBodyBytes: 1024,
				Headers: http.Header{"X-Env": {"staging"}, "Authorization": {"Bearer t0ken"}},
				Secrets: []string{"Bearer t0ken"},
			},
		},
		{
			name: "config",
			cfg:  cfg,
			want: runner.Options{Timeout: 3 * time.Second, Concurrency: 2, Rate: 5, Retries: 1, MaxBodyBytes: 4 << 20,
				Assertions: runner.Assertions{Skip: []string{"latency"}, Latency: 500 * time.Millisecond}},
		},
		{
			name: "flags over config",
			args: []string{"--timeout", "1s", "--rate", "0"},
			cfg:  cfg,
			want: runner.Options{Timeout: time.Second, Concurrency: 2, Rate: 0, Retries: 1, MaxBodyBytes: 4 << 20,
				Assertions: runner.Assertions{Skip: []string{"latency"}, Latency: 500 * time.Millisecond}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got runOptions
			env := &Env{Stdout: &strings.Builder{}, Stderr: &strings.Builder{}, Getenv: func(string) string { return "" }}
			cmd := newRunCmdF(env, func(_ context.Context, _ *Env, o runOptions) error { got = o; return nil })
			cmd.SetArgs(append([]string{"--base-url", "http://127.0.0.1:1", "-f", "junit", "-o", "x.xml"}, tt.args...))
			if err := cmd.Execute(); err != nil {
				t.Fatalf("Execute(%q) = %v", tt.args, err)
			}
			if got.BaseURL != "http://127.0.0.1:1" || got.Format != "junit" || got.Output != "x.xml" {
				t.Errorf("runOptions = %+v, want base URL, junit and x.xml", got)
			}
			ro, err := got.req.runnerOptions(tt.cfg, nil)
			if err != nil {
				t.Fatalf("runnerOptions() = %v", err)
			}
			if diff := cmp.Diff(tt.want, ro, cmpopts.IgnoreFields(runner.Options{}, "OnResult", "Logger", "Transport")); diff != "" {
				t.Errorf("runnerOptions() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunnerOptionsPerOperation(t *testing.T) {
	cfg := &config.Config{Operations: map[string]config.Operation{
		"getStats":          {SkipAssertions: []string{"not_server_error"}},
		"get /pets/{petId}": {LatencyMS: 50},
	}}
	checks := []generator.Check{
		{ID: "s", Method: "GET", Path: "/stats", OperationID: "getStats"},
		{ID: "p", Method: "GET", Path: "/pets/{petId}", OperationID: "getPet"},
		{ID: "h", Method: "GET", Path: "/health", OperationID: "getHealth"},
	}
	var o requestOptions
	ro, err := o.runnerOptions(cfg, checks)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]runner.Assertions{
		"s": {Skip: []string{"not_server_error"}},
		"p": {Latency: 50 * time.Millisecond},
	}
	if diff := cmp.Diff(want, ro.Assertions.ByCheck); diff != "" {
		t.Errorf("ByCheck mismatch (-want +got):\n%s", diff)
	}
}

func TestResolveBaseURL(t *testing.T) {
	docWith := func(servers ...string) *spec.Document {
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
		return doc
	}
	cfg := &config.Config{BaseURL: "http://from-config", Environments: map[string]config.Environment{
		"staging": {BaseURL: "https://staging.example.com/api/"},
	}}
	tests := []struct {
		name, flag, env string
		cfg             *config.Config
		doc             *spec.Document
		want            string // "" means a usage error
	}{
		{"flag wins", "http://flag", "http://env", cfg, docWith("http://spec"), "http://flag"},
		{"env next", "", "http://env", cfg, docWith("http://spec"), "http://env"},
		{"config next", "", "", cfg, docWith("http://spec"), "http://from-config"},
		{"environment name", "staging", "", cfg, docWith(), "https://staging.example.com/api"},
		{"spec server last", "", "", &config.Config{}, docWith("http://spec/v1/", "http://other"), "http://spec/v1"},
		{"relative server", "", "", &config.Config{}, docWith("/api/v2"), ""},
		{"no server", "", "", &config.Config{}, docWith(), ""},
		{"bad flag", "ftp://x", "", &config.Config{}, docWith(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := &Env{Getenv: func(k string) string {
				if k == "SMOKE_BASE_URL" {
					return tt.env
				}
				return ""
			}}
			got, err := resolveBaseURL(env, tt.flag, &loaded{Doc: tt.doc, Config: tt.cfg})
			if tt.want == "" {
				if exitCode(err) != exitUsage {
					t.Errorf("resolveBaseURL() = %q, %v; want a usage error", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("resolveBaseURL() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestRunInterrupt cancels a run while a request is in flight: smoke
// stops sending, writes the partial report and exits 3.
func TestRunInterrupt(t *testing.T) {
	dir := t.TempDir()
	specPath, err := petstore.WriteSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	store := petstore.New(petstore.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/pets" && r.Method == http.MethodGet {
			cancel() // the user presses Ctrl-C while this request is in flight
			<-r.Context().Done()
			return
		}
		store.ServeHTTP(w, r)
	}))
	defer srv.Close()

	out := filepath.Join(dir, "report.json")
	var stdout, stderr strings.Builder
	env := &Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, Now: time.Now}
	code := run(ctx, []string{"run", "--spec", specPath, "--base-url", srv.URL, "--concurrency", "1",
		"--format", "json", "--output", out, "--config", os.DevNull}, env)
	if code != exitIncomplete {
		t.Fatalf("run() = %d, want %d; stderr:\n%s", code, exitIncomplete, stderr.String())
	}
	if !strings.HasPrefix(stderr.String(), "smoke: interrupted: 8 of 10 checks not judged") {
		t.Errorf("stderr = %q, want the interruption explained", stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("partial report not written: %v", err)
	}
	var rep struct {
		Summary    runner.Summary `json:"summary"`
		Incomplete string         `json:"incomplete"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if want := (runner.Summary{Total: 10, Passed: 2, Skipped: 8}); rep.Summary != want || rep.Incomplete == "" {
		t.Errorf("report summary = %+v (incomplete %q), want %+v and a reason", rep.Summary, rep.Incomplete, want)
	}
}

// TestDemoServe starts the example service and stops it at once, as if
// interrupted immediately.
func TestDemoServe(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr strings.Builder
	env := &Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, Now: time.Now}
	if code := run(ctx, []string{"demo", "--serve", "--v2"}, env); code != exitOK {
		t.Fatalf("demo --serve = %d, want 0; stderr:\n%s", code, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "example service (version 2) at http://127.0.0.1:") {
		t.Errorf("stdout = %q, want the service URL", stdout.String())
	}
}
