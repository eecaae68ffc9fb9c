package hostile

import (
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/smoke-dev/smoke/internal/ddemu"
	"github.com/smoke-dev/smoke/internal/testenv"
)

// Issue 9 item 1: --output destroyed what it wrote over, and a bad
// destination was noticed only after every request was sent.

// runTo runs smoke run of simpleSpec against rec with --output out.
func runTo(t *testing.T, dir string, rec *recorder, out string) result {
	t.Helper()
	spec := writeFile(t, dir, "api.yaml", simpleSpec)
	return smoke(t, invocation{dir: dir, args: []string{"run", "--spec", spec, "--base-url", rec.URL, "--format", "json", "--config", os.DevNull, "--output", out}})
}

// wantReport checks that path holds a run report.
func wantReport(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Summary struct{ Total int } `json:"summary"`
	}
	if err := json.Unmarshal(b, &rep); err != nil || rep.Summary.Total != 1 {
		t.Errorf("%s holds %q, want the run report", path, b)
	}
}

func TestOutputKeepsModeAndOwner(t *testing.T) {
	dir := t.TempDir()
	rec := newRecorder(t)
	out := writeFile(t, dir, "report.json", "old")
	if err := os.Chmod(out, 0o600); err != nil {
		t.Fatal(err)
	}
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 {
		uid, gid = 4321, 4321 // root can give the file away; smoke must keep it so
		if err := os.Chown(out, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	wantExit(t, runTo(t, dir, rec, out), exitOK)
	fi, err := os.Lstat(out)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 || int(st.Uid) != uid || int(st.Gid) != gid {
		t.Errorf("after --output: %v owned by %d:%d, want -rw------- owned by %d:%d", fi.Mode(), st.Uid, st.Gid, uid, gid)
	}
	wantReport(t, out)
}

func TestOutputNewFileHonoursUmask(t *testing.T) {
	dir := t.TempDir()
	rec := newRecorder(t)
	writeFile(t, dir, "api.yaml", simpleSpec)
	r := smoke(t, invocation{dir: dir, shell: `umask 027 && exec "$SMOKE" run --spec api.yaml --base-url ` + rec.URL + ` --config /dev/null --output new.txt`})
	wantExit(t, r, exitOK)
	fi, err := os.Stat(filepath.Join(dir, "new.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o640 {
		t.Errorf("new report mode = %v under umask 027, want -rw-r-----", got)
	}
}

func TestOutputKeepsLinksAndSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	rec := newRecorder(t)

	t.Run("hard link", func(t *testing.T) {
		a := writeFile(t, dir, "a.json", "old")
		b := filepath.Join(dir, "b.json")
		if err := os.Link(a, b); err != nil {
			t.Fatal(err)
		}
		wantExit(t, runTo(t, dir, rec, a), exitOK)
		wantReport(t, b)
		fa, _ := os.Stat(a)
		fb, _ := os.Stat(b)
		if !os.SameFile(fa, fb) {
			t.Errorf("the hard link was split")
		}
	})

	t.Run("symlink", func(t *testing.T) {
		target := writeFile(t, dir, "real/target.json", "old")
		link := filepath.Join(dir, "link.json")
		if err := os.Symlink("real/target.json", link); err != nil {
			t.Fatal(err)
		}
		wantExit(t, runTo(t, dir, rec, link), exitOK)
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("the symlink was replaced: %v %v", fi, err)
		}
		wantReport(t, target)
	})

	t.Run("FIFO", func(t *testing.T) {
		fifo := filepath.Join(dir, "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		got := make(chan []byte, 1)
		go func() {
			f, err := os.Open(fifo)
			if err != nil {
				got <- nil
				return
			}
			defer f.Close()
			b, _ := io.ReadAll(f)
			got <- b
		}()
		wantExit(t, runTo(t, dir, rec, fifo), exitOK)
		if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
			// The reader stays blocked on the FIFO that was unlinked.
			t.Fatalf("the FIFO was replaced: %v %v", fi, err)
		}
		if b := <-got; !strings.Contains(string(b), `"summary"`) {
			t.Errorf("the FIFO's reader got %q, want the report", b)
		}
	})

	t.Run("device", func(t *testing.T) {
		// What /dev/null is, made in a temp dir: if smoke regressed, it
		// replaces this node, not the machine's /dev/null.
		null := filepath.Join(dir, "null")
		if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
			t.Skipf("mknod (needs root): %v", err)
		}
		if f, err := os.OpenFile(null, os.O_WRONLY, 0); err != nil {
			t.Skipf("the temp file system refuses devices: %v", err)
		} else {
			f.Close()
		}
		wantExit(t, runTo(t, dir, rec, null), exitOK)
		if fi, err := os.Lstat(null); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
			t.Errorf("the device was replaced by %v (%v)", fi.Mode(), err)
		}
	})

	t.Run("process substitution", func(t *testing.T) {
		// >(…) hands smoke /dev/fd/N, the write end of a pipe.
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer pr.Close()
		got := make(chan []byte, 1)
		go func() {
			b, _ := io.ReadAll(pr)
			got <- b
		}()
		spec := writeFile(t, dir, "api.yaml", simpleSpec)
		r := smoke(t, invocation{dir: dir, files: []*os.File{pw}, args: []string{"run", "--spec", spec, "--base-url", rec.URL, "--format", "json", "--config", os.DevNull, "--output", "/dev/fd/3"}})
		pw.Close()
		wantExit(t, r, exitOK)
		if b := <-got; !strings.Contains(string(b), `"summary"`) {
			t.Errorf("the pipe got %q, want the report", b)
		}
	})
	if tmps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(tmps) > 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}

// TestOutputCheckedBeforeSending: a destination that cannot be written is
// a usage error (exit 2) before any request, so nothing is sent and no
// result is lost.
func TestOutputCheckedBeforeSending(t *testing.T) {
	dir := t.TempDir()
	rec := newRecorder(t)
	spec := writeFile(t, dir, "api.yaml", simpleSpec)
	notDir := writeFile(t, dir, "file", "")
	for _, out := range []string{"missing/x.json", filepath.Join(notDir, "x.json"), dir} {
		for _, args := range [][]string{
			{"run", "--spec", spec, "--base-url", rec.URL, "--output", out},
			{"diff", "--spec", spec, "--old", rec.URL, "--new", rec.URL, "--output", out},
			{"plan", "--spec", spec, "--output", out},
			{"publish", "--spec", spec, "--base-url", rec.URL, "--service", "s", "--export", out},
		} {
			r := smoke(t, invocation{dir: dir, args: append(args, "--config", os.DevNull)})
			wantExit(t, r, exitUsage)
			wantOneLineError(t, r.stderr, out+": ")
		}
	}
	if got := rec.received(); len(got) != 0 {
		t.Errorf("requests sent before the bad destination was noticed: %v", got)
	}
}

// TestTriggerJUnitCheckedBeforeTriggering: trigger --junit missing/x.xml
// used to trigger the tests, then exit 2 and lose their results.
func TestTriggerJUnitCheckedBeforeTriggering(t *testing.T) {
	emu := ddemu.New(t, ddemu.Options{SpecPath: testenv.DatadogSpec(t, "v1")})
	dir := t.TempDir()
	rec := newRecorder(t)
	spec := writeFile(t, dir, "api.yaml", simpleSpec)
	env := []string{"DD_HOST=" + emu.URL, "DD_API_KEY=a", "DD_APP_KEY=b"}
	wantExit(t, smoke(t, invocation{dir: dir, env: env, args: []string{"publish", "--spec", spec, "--base-url", rec.URL, "--service", "hostile", "--config", os.DevNull}}), exitOK)
	if len(emu.Tests()) != 1 {
		t.Fatalf("published %d tests, want 1", len(emu.Tests()))
	}
	emu.ResetCalls()
	r := smoke(t, invocation{dir: dir, env: env, args: []string{"trigger", "--service", "hostile", "--wait", "--junit", "missing/x.xml", "--config", os.DevNull}})
	wantExit(t, r, exitUsage)
	wantOneLineError(t, r.stderr, "--junit missing/x.xml: no such file or directory")
	if n := emu.Total(); n != 0 {
		t.Errorf("Datadog received %d calls (%v) before the --junit destination was checked", n, emu.Calls())
	}
}

// TestOutputAsAnotherUser runs smoke as an unprivileged user: a file of
// another owner that smoke may write is written in place (a replacement
// would hand it to smoke's user), and a directory it may not write is a
// usage error before anything is sent.
func TestOutputAsAnotherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run smoke as another user")
	}
	const user = 4321
	dir := t.TempDir()
	// t.TempDir's directories are 0700; the other user must reach dir.
	for d := dir; d != filepath.Dir(d) && strings.HasPrefix(d, os.TempDir()+"/"); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	rec := newRecorder(t)
	spec := writeFile(t, dir, "api.yaml", simpleSpec)

	open := filepath.Join(dir, "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil { // past the umask
		t.Fatal(err)
	}
	shared := writeFile(t, open, "shared.json", "old")
	if err := os.Chmod(shared, 0o666); err != nil {
		t.Fatal(err)
	}
	r := smoke(t, invocation{dir: dir, uid: user, args: []string{"run", "--spec", spec, "--base-url", rec.URL, "--format", "json", "--config", os.DevNull, "--output", shared}})
	wantExit(t, r, exitOK)
	fi, err := os.Stat(shared)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 0 || fi.Mode().Perm() != 0o666 {
		t.Errorf("after --output as uid %d: %v owned by %d, want -rw-rw-rw- still owned by root", user, fi.Mode(), st.Uid)
	}
	wantReport(t, shared)

	closed := filepath.Join(dir, "closed") // 0755, root's
	if err := os.Mkdir(closed, 0o755); err != nil {
		t.Fatal(err)
	}
	before := rec.hits.Load()
	r = smoke(t, invocation{dir: dir, uid: user, args: []string{"run", "--spec", spec, "--base-url", rec.URL, "--config", os.DevNull, "--output", filepath.Join(closed, "report.json")}})
	wantExit(t, r, exitUsage)
	wantOneLineError(t, r.stderr, "--output "+filepath.Join(closed, "report.json")+": directory "+closed+": permission denied")
	if n := rec.hits.Load() - before; n != 0 {
		t.Errorf("%d requests sent before the unwritable directory was noticed", n)
	}
}
