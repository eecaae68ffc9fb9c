package testenv

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

func TestServeReturnsWhenReady(t *testing.T) {
	sh := Need(t, "sh")
	ready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer ready.Close()
	// A process that would run for a minute: serve returns as soon as the
	// ready URL answers, and the test's cleanup kills it.
	cmd := exec.Command(sh, "-c", "exec sleep 60")
	serve(t, "sleeper", cmd, ready.URL)
	if err := cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("serve returned, but the process is not running: %v", err)
	}
}

func TestServeFailsWhenTheServerExits(t *testing.T) {
	sh := Need(t, "sh")
	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer notReady.Close()
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		serve(rec, "quitter", exec.Command(sh, "-c", "echo cannot bind >&2; exit 3"), notReady.URL)
	}()
	<-done
	if !strings.HasPrefix(rec.msg, "quitter exited before it was ready: exit status 3\ncannot bind") {
		t.Errorf("serve failed with %q, want the exit and the server's output", rec.msg)
	}
}

// fatalRecorder keeps the message of Fatalf and ends only the goroutine
// that called it, as FailNow does, instead of failing the test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
