package hostile

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Issue 9 item 10: SIGINT while a spec loads or stdin is read did nothing,
// and the command exited 0 later with a full result. Each case waits until
// smoke says (with --debug) that loading began, then interrupts it: smoke
// must stop with exit 3 and "interrupted", whatever it was blocked in.

func interrupt(t *testing.T, p *running, waitFor string) {
	t.Helper()
	p.waitFor(t, waitFor)
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != exitIncomplete {
		t.Fatalf("exit %d after SIGINT, want %d; stderr:\n%s", code, exitIncomplete, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "smoke: interrupted") {
		t.Errorf("stderr does not say interrupted:\n%s", p.stderr.String())
	}
}

func TestSignalWhileReadingStdin(t *testing.T) {
	// A pipe whose writer never writes nor closes: smoke blocks in read.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	defer pr.Close()
	p := start(t, invocation{stdin: pr, args: []string{"plan", "--spec", "-", "--config", os.DevNull, "--debug"}})
	interrupt(t, p, "spec: loading")
}

func TestSignalWhileFetchingSpec(t *testing.T) {
	target := newRecorder(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Half a document, then nothing until smoke goes away.
		w.Write([]byte("openapi: 3.0.3\ninfo: {title: slow, version: '1'}\n"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	p := start(t, invocation{args: []string{"run", "--spec", srv.URL + "/openapi.yaml", "--base-url", target.URL, "--config", os.DevNull, "--debug"}})
	interrupt(t, p, "spec: loading")
	if got := target.received(); len(got) != 0 {
		t.Errorf("requests sent after the interrupt: %v", got)
	}
}

func TestSignalWhileResolvingRefs(t *testing.T) {
	// A $ref inside the spec's directory to a FIFO nobody writes: the
	// load blocks inside kin-openapi's resolution, which has no way to be
	// cancelled; smoke must return anyway.
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "schema.yaml"), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	spec := writeFile(t, dir, "api.yaml", bodyRefSpec("schema.yaml"))
	p := start(t, invocation{dir: dir, args: []string{"plan", "--spec", spec, "--config", os.DevNull, "--debug"}})
	interrupt(t, p, "spec: parsing")
}
