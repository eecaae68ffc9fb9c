package spec_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/spec"
)

// hangGuard bounds a test that would otherwise hang forever if
// cancellation were ignored. It is not a timing assertion: any return
// passes.
const hangGuard = 60 * time.Second

// loadCancelled starts Load, cancels its context once started says the
// load is under way, and returns Load's error.
func loadCancelled(t *testing.T, location string, opts spec.Options, started <-chan struct{}) error {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := spec.Load(ctx, location, opts)
		done <- err
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("Load returned before the blocking read: %v", err)
	case <-time.After(hangGuard):
		t.Fatal("the load never reached the blocking read")
	}
	cancel()
	select {
	case err := <-done:
		return err
	case <-time.After(hangGuard):
		t.Fatal("Load ignored the cancellation")
		return nil
	}
}

func wantCanceled(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Load error = %v, want one wrapping context.Canceled", err)
	}
}

// blockingReader signals its first Read and then blocks until released,
// like a terminal or a pipe nobody writes to.
type blockingReader struct {
	started chan struct{}
	release chan struct{}
}

func (r *blockingReader) Read([]byte) (int, error) {
	select {
	case r.started <- struct{}{}:
	default:
	}
	<-r.release
	return 0, io.EOF
}

// TestLoadObservesCancellation pins issue 9 item 10: SIGINT while stdin is
// read, or while a spec or one of its $refs downloads, must stop the load.
func TestLoadObservesCancellation(t *testing.T) {
	t.Run("stdin", func(t *testing.T) {
		r := &blockingReader{started: make(chan struct{}, 1), release: make(chan struct{})}
		defer close(r.release)
		wantCanceled(t, loadCancelled(t, "-", spec.Options{Stdin: r}, r.started))
	})

	started := make(chan struct{}, 1)
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow.yaml":
			// Half a document, then nothing.
			w.Write([]byte("openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"))
			w.(http.Flusher).Flush()
		case "/api.yaml":
			w.Write([]byte(refDoc("hanging.yaml")))
			return
		}
		select {
		case started <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	t.Run("spec URL", func(t *testing.T) {
		wantCanceled(t, loadCancelled(t, srv.URL+"/slow.yaml", spec.Options{}, started))
	})
	t.Run("$ref URL", func(t *testing.T) {
		wantCanceled(t, loadCancelled(t, srv.URL+"/api.yaml", spec.Options{}, started))
	})
	t.Run("already cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := spec.Load(ctx, "-", spec.Options{Stdin: strings.NewReader(refDoc("#/x"))})
		wantCanceled(t, err)
	})
}
