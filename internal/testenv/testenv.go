package testenv

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// InCI reports whether tests run under CI (CI=true), where a missing
// dependency is a failure rather than a skip.
func InCI() bool {
	v := os.Getenv("CI")
	return v == "true" || v == "1"
}

// Missing skips t locally, or fails it in CI, with a message naming what
// is missing and how to get it.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("CI=true but "+format, args...)
	}
	t.Skipf("skipping: "+format, args...)
}

// RepoRoot returns the directory holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("testenv: cannot locate source file")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// SpecsDir returns the shared third-party spec corpus (../shared/specs
// beside the checkout), or skips when it is absent. The corpus is read in
// place, never copied into the repository.
func SpecsDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("SMOKE_SPECS_DIR"); d != "" {
		return d
	}
	dir := filepath.Join(RepoRoot(t), "..", "shared", "specs")
	if _, err := os.Stat(filepath.Join(dir, "INDEX.md")); err != nil {
		// Specs are optional: their absence is a skip even in CI, as the
		// task statement says tests must skip cleanly without them.
		t.Skipf("skipping: shared spec corpus not found at %s", dir)
	}
	return dir
}

// Spec returns the path of one file of the shared corpus, or skips.
func Spec(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(SpecsDir(t), name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: %s not in the shared spec corpus", name)
	}
	return p
}

// Need returns the path of an external program, looked up on PATH and in
// the usual sbin/bin directories Debian packages install to. It skips
// locally and fails in CI when the program is missing.
func Need(t testing.TB, program string) string {
	t.Helper()
	if p, err := exec.LookPath(program); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin", "/sbin"} {
		p := filepath.Join(dir, program)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	Missing(t, "%s not installed (bash .ci/run installs it; or apt-get install the Debian package that ships it)", program)
	return ""
}

// DatadogSpec returns the path of Datadog's own OpenAPI document of the
// given API version ("v1" or "v2"), shipped inside the datadog-api-client-go
// module in the module cache. It skips locally and fails in CI when absent.
func DatadogSpec(t testing.TB, version string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/DataDog/datadog-api-client-go/v2").Output()
	if err != nil || len(out) == 0 {
		Missing(t, "datadog-api-client-go module not in the module cache (run go mod download)")
		return ""
	}
	dir := string(out[:len(out)-1])
	p := filepath.Join(dir, ".generator", "schemas", version, "openapi.yaml")
	if _, err := os.Stat(p); err != nil {
		Missing(t, "Datadog %s OpenAPI document not found at %s", version, p)
		return ""
	}
	return p
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: listen on loopback: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// bigDocument is the size past which a spec counts as big for SkipBig.
const bigDocument = 2 << 20

// SkipBig skips t under -short when the document at path is larger than
// 2 MiB (GitHub's 13 MB description, Datadog's v2): the race-detector
// run in CI uses -short, and the full run covers them.
func SkipBig(t testing.TB, path string) {
	t.Helper()
	if !testing.Short() {
		return
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > bigDocument {
		t.Skipf("skipping under -short: %s is %d MiB (the full run covers it)", filepath.Base(path), fi.Size()>>20)
	}
}

// serve starts a server's cmd, kills it when the test ends, and returns
// once readyURL answers 200. The server's output is shown when it exits
// before it is ready or is not ready after 30 s (a guard against a hang,
// not a timing assertion).
func serve(t testing.TB, name string, cmd *exec.Cmd, readyURL string) {
	t.Helper()
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	// done is closed once Wait has returned (waitErr set): both the
	// readiness loop and the cleanup may wait for it.
	done := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // ours to stop; Wait in the goroutine reaps it
		<-done
	})

	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, readyURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-done:
			t.Fatalf("%s exited before it was ready: %v\n%s", name, waitErr, logs.String())
		case <-deadline:
			t.Fatalf("%s not ready at %s after 30s\n%s", name, readyURL, logs.String())
		case <-tick.C:
		}
	}
}

// lockedBuffer is a server's output, written by exec's copying goroutines
// while the test may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
