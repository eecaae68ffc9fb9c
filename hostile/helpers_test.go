package hostile

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/smoke-dev/smoke/internal/testenv"
)

// hangGuard bounds every run of the binary: a command that has not ended
// by then is killed and the test fails. It guards against hangs; it is
// not a timing assertion.
const hangGuard = 2 * time.Minute

// Exit codes, as DESIGN.md documents them.
const (
	exitOK         = 0
	exitFindings   = 1
	exitUsage      = 2
	exitIncomplete = 3
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	binDir    string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// smokeBin builds the smoke binary once per test binary and returns its
// path. Under -short it skips: the race-detector run in CI uses -short,
// and a child process is not instrumented, so the full run covers it.
func smokeBin(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the smoke binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		testenv.Missing(t, "the go tool is not on PATH")
	}
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "smoke-hostile-")
		if buildErr != nil {
			return
		}
		// Readable by every user: some cases run smoke as another one.
		if buildErr = os.Chmod(binDir, 0o755); buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "smoke")
		cmd := exec.Command(goTool, "build", "-o", binPath, "./cmd/smoke")
		cmd.Dir = testenv.RepoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/smoke: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// invocation is one run of smoke.
type invocation struct {
	args  []string
	env   []string // added to a minimal environment
	stdin io.Reader
	dir   string // working directory; a fresh temp dir when empty
	// extra descriptors, from 3 on.
	files []*os.File
	// shell, when set, runs args through sh -c with "$SMOKE" set to the
	// binary (for umask and redirections).
	shell string
	// uid, when not 0, runs smoke as that user and group (root only).
	uid int
}

// result is what a run left.
type result struct {
	stdout, stderr string
	code           int
	maxRSSMB       uint64 // peak resident memory of the process
}

// baseEnv is a minimal environment: nothing of the developer's SMOKE_* or
// DD_* settings leaks into a hostile run.
func baseEnv(t *testing.T, dir string) []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "NO_COLOR=1", "TERM=dumb"}
}

func (in invocation) command(t *testing.T, ctx context.Context) *exec.Cmd {
	t.Helper()
	bin := smokeBin(t)
	dir := in.dir
	if dir == "" {
		dir = t.TempDir()
	}
	var cmd *exec.Cmd
	if in.shell != "" {
		cmd = exec.CommandContext(ctx, "sh", "-c", in.shell)
	} else {
		cmd = exec.CommandContext(ctx, bin, in.args...)
	}
	cmd.Dir = dir
	cmd.Env = append(append(baseEnv(t, dir), "SMOKE="+bin), in.env...)
	cmd.Stdin = in.stdin
	cmd.ExtraFiles = in.files
	if in.uid != 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(in.uid), Gid: uint32(in.uid)}}
	}
	return cmd
}

// smoke runs the binary to its end under the hang guard.
func smoke(t *testing.T, in invocation) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	cmd := in.command(t, ctx)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("smoke %s: still running after %s (killed)\nstderr:\n%s", strings.Join(in.args, " "), hangGuard, stderr.String())
	}
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		ee, ok := errors.AsType[*exec.ExitError](err)
		if !ok {
			t.Fatalf("smoke %s: %v", strings.Join(in.args, " "), err)
		}
		r.code = ee.ExitCode()
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSSMB = uint64(ru.Maxrss) >> 10 // KiB on Linux
	}
	noStackTrace(t, r.stderr)
	return r
}

// wantExit fails unless r ended with code.
func wantExit(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

// wantOneLineError fails unless stderr starts with one "smoke: …" line
// containing every part (at most one hint line may follow).
func wantOneLineError(t *testing.T, stderr string, parts ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	var errLine string
	for _, l := range lines {
		if strings.HasPrefix(l, "smoke: ") && !strings.HasPrefix(l, "smoke: warning: ") {
			errLine = l
			break
		}
	}
	if errLine == "" {
		t.Fatalf("no error line on stderr:\n%s", stderr)
	}
	for _, p := range parts {
		if !strings.Contains(errLine, p) {
			t.Errorf("error line %q lacks %q", errLine, p)
		}
	}
}

func noStackTrace(t *testing.T, stderr string) {
	t.Helper()
	for _, bad := range []string{"goroutine ", "panic:", "runtime error"} {
		if strings.Contains(stderr, bad) {
			t.Fatalf("stack trace or panic on stderr:\n%s", stderr)
		}
	}
}

// running is a smoke process started in the background.
type running struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	lines  chan string // stderr, line by line
	stderr *syncBuffer
	done   chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs smoke in the background; its stderr is both kept and
// offered line by line to waitFor.
func start(t *testing.T, in invocation) *running {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	cmd := in.command(t, ctx)
	pr, pw := io.Pipe()
	r := &running{cmd: cmd, cancel: cancel, lines: make(chan string, 1024), stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = io.MultiWriter(pw, r.stderr)
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case r.lines <- sc.Text():
			default: // nobody is waiting for more lines
			}
		}
		close(r.lines)
	}()
	go func() {
		err := cmd.Wait()
		pw.Close()
		r.done <- err
	}()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

// waitFor blocks until a stderr line contains s.
func (r *running) waitFor(t *testing.T, s string) {
	t.Helper()
	for line := range r.lines {
		if strings.Contains(line, s) {
			return
		}
	}
	t.Fatalf("smoke ended before printing %q; stderr:\n%s", s, r.stderr.String())
}

// wait waits for the end of the process and returns its exit code.
func (r *running) wait(t *testing.T) int {
	t.Helper()
	err := <-r.done
	r.done <- err // for the cleanup
	if r.cmd.ProcessState == nil || r.cmd.ProcessState.ExitCode() < 0 {
		t.Fatalf("smoke did not exit on its own (%v); stderr:\n%s", err, r.stderr.String())
	}
	noStackTrace(t, r.stderr.String())
	return r.cmd.ProcessState.ExitCode()
}

// recorder is a loopback server that answers 200 {} to everything and
// counts what it received.
type recorder struct {
	*httptest.Server
	hits atomic.Int64
	mu   sync.Mutex
	uris []string
}

func newRecorder(t *testing.T) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.hits.Add(1)
		rec.mu.Lock()
		rec.uris = append(rec.uris, r.Method+" "+r.RequestURI)
		rec.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (r *recorder) received() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.uris...)
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// simpleSpec is a document with one GET /items answering 200 JSON.
const simpleSpec = `openapi: 3.0.3
info: {title: hostile, version: "1"}
paths:
  /items:
    get:
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: object}}}
`
