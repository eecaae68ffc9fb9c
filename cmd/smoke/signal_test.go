package main

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRunInterruptedBySignal runs the real binary against a service that
// never answers one operation, sends SIGINT once that request is in flight
// (with --concurrency 1, after /fast has been answered), and expects what
// DESIGN.md promises: sending stops, the partial report is written, exit 3.
func TestRunInterruptedBySignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the smoke binary")
	}
	bin := filepath.Join(t.TempDir(), "smoke")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	inFlight := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case inFlight <- struct{}{}:
			default:
			}
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	defer close(release)

	specPath := filepath.Join(t.TempDir(), "api.yaml")
	spec := `openapi: 3.0.3
info: {title: hang, version: "1"}
paths:
  /fast:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
  /slow:
    get:
      responses:
        "200": {description: ok}
`
	if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "run", "--spec", specPath, "--base-url", srv.URL, "--timeout", "60s", "--concurrency", "1", "--format", "json", "--config", os.DevNull)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-inFlight:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the slow request never arrived; stderr:\n%s", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("smoke did not stop after SIGINT")
	}
	ee, ok := errors.AsType[*exec.ExitError](err)
	if !ok || ee.ExitCode() != exitIncomplete {
		t.Fatalf("exit = %v, want code %d; stderr:\n%s", err, exitIncomplete, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{`"total": 2`, `"path": "/fast"`, `"outcome": "passed"`} {
		if !strings.Contains(out, want) {
			t.Errorf("partial report lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(stderr.String(), "goroutine") {
		t.Errorf("stack trace on stderr:\n%s", stderr.String())
	}
}
