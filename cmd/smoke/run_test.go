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

	"github.com/smoke-dev/smoke/examples/petstore"
	"github.com/smoke-dev/smoke/runner"
)

// TestRunInterrupt cancels a run while a request is in flight: smoke
// stops sending, deletes what its chains created so far, writes the
// partial report and exits 3.
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
	if !strings.HasPrefix(stderr.String(), "smoke: interrupted: 11 of 20 checks not judged") {
		t.Errorf("stderr = %q, want the interruption explained", stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("partial report not written: %v", err)
	}
	var rep struct {
		Summary    runner.Summary    `json:"summary"`
		Incomplete string            `json:"incomplete"`
		Resources  *runner.Resources `json:"resources"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	// One worker: the owners' chains ran whole, GET /pets was in flight,
	// the rest had not started.
	if want := (runner.Summary{Total: 20, Passed: 9, Skipped: 11, Exercised: 9, NotExercised: runner.ReasonCounts{NoAnswer: 11}}); rep.Summary != want || rep.Incomplete == "" {
		t.Errorf("report summary = %+v (incomplete %q), want %+v and a reason", rep.Summary, rep.Incomplete, want)
	}
	if r := rep.Resources; r == nil || r.Created != 2 || r.Deleted != 2 || len(r.Left) != 0 {
		t.Errorf("resources = %+v, want the owner and their pet created and deleted", r)
	}
	// Nothing the run created is left: the store holds its seed.
	req := httptest.NewRequest(http.MethodGet, "/owners", nil)
	w := httptest.NewRecorder()
	store.ServeHTTP(w, req)
	if !strings.Contains(w.Body.String(), `"items":[{"id":1,"name":"Grace"}]`) {
		t.Errorf("owners after the interrupted run = %s, want Grace alone", w.Body.String())
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
