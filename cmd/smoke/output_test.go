//go:build unix

package main

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func writeString(t *testing.T, path, s string) error {
	t.Helper()
	env := &Env{Stdout: io.Discard}
	return writeOutput(env, path, func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	})
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// noTemporaries fails when a write left its temporary file behind.
func noTemporaries(t *testing.T, dir string) {
	t.Helper()
	tmps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if len(tmps) > 0 {
		t.Errorf("temporary files left behind: %v", tmps)
	}
}

func TestWriteOutputNewFileHonoursUmask(t *testing.T) {
	dir := t.TempDir()
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	p := filepath.Join(dir, "report.json")
	if err := writeString(t, p, "new"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("new file mode = %v under umask 077, want 0600", got)
	}
	noTemporaries(t, dir)
}

func TestWriteOutputKeepsModeAndOwner(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "report.json")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 {
		// Root can give the file away: the replacement must follow.
		uid, gid = 4321, 4321
		if err := os.Chown(p, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := os.Stat(p)
	if err := writeString(t, p, "new"); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := after.Sys().(*syscall.Stat_t)
	if after.Mode() != before.Mode() || int(st.Uid) != uid || int(st.Gid) != gid {
		t.Errorf("after --output: mode %v owner %d:%d, want %v %d:%d", after.Mode(), st.Uid, st.Gid, before.Mode(), uid, gid)
	}
	if got := readString(t, p); got != "new" {
		t.Errorf("content = %q, want new", got)
	}
	if os.SameFile(before, after) {
		t.Errorf("a regular file with one link was written in place, want an atomic replace")
	}
	noTemporaries(t, dir)
}

func TestWriteOutputKeepsHardLinks(t *testing.T) {
	dir := t.TempDir()
	p, q := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	if err := os.WriteFile(p, []byte("old content, longer"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(p, q); err != nil {
		t.Fatal(err)
	}
	if err := writeString(t, p, "new"); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, q); got != "new" {
		t.Errorf("other hard link reads %q, want new (the link was split)", got)
	}
	a, _ := os.Stat(p)
	b, _ := os.Stat(q)
	if !os.SameFile(a, b) {
		t.Errorf("%s and %s are no longer the same file", p, q)
	}
}

func TestWriteOutputThroughSymlinks(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(sub, "target.json")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A relative link, resolved against the link's own directory, through
	// a second link.
	if err := os.Symlink("sub/target.json", filepath.Join(dir, "one")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "one"), filepath.Join(dir, "two")); err != nil {
		t.Fatal(err)
	}
	if err := writeString(t, filepath.Join(dir, "two"), "new"); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"one", "two"} {
		fi, err := os.Lstat(filepath.Join(dir, l))
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symbolic link: %v %v", l, fi, err)
		}
	}
	if got := readString(t, target); got != "new" {
		t.Errorf("link target reads %q, want new", got)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o600 {
		t.Errorf("target mode = %v, want 0600 kept", fi.Mode().Perm())
	}
	// A dangling link creates its target, as a shell redirection does.
	if err := os.Symlink("sub/later.json", filepath.Join(dir, "dangling")); err != nil {
		t.Fatal(err)
	}
	if err := writeString(t, filepath.Join(dir, "dangling"), "created"); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, filepath.Join(sub, "later.json")); got != "created" {
		t.Errorf("dangling link target reads %q, want created", got)
	}
	noTemporaries(t, dir)
	noTemporaries(t, sub)
}

func TestWriteOutputFIFOInPlace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(p) // blocks until the writer opens
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := checkOutput("--output", p); err != nil {
		t.Fatalf("checkOutput(FIFO) = %v", err)
	}
	if err := writeString(t, p, "through the pipe"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(p); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		// The reader stays blocked on the FIFO that was unlinked.
		t.Fatalf("the FIFO was replaced: %v %v", fi, err)
	}
	if s := <-got; s != "through the pipe" {
		t.Errorf("reader got %q", s)
	}
}

func TestWriteOutputDescriptorPaths(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fd := strconv.Itoa(int(w.Fd()))
	for _, p := range []string{"/dev/fd/" + fd, "/proc/self/fd/" + fd} {
		if _, err := os.Stat(p); err != nil {
			t.Logf("skip %s: %v", p, err)
			continue
		}
		if err := checkOutput("--output", p); err != nil {
			t.Fatalf("checkOutput(%s) = %v", p, err)
		}
		if err := writeString(t, p, p+"\n"); err != nil {
			t.Fatalf("write %s: %v", p, err)
		}
	}
	w.Close()
	b, _ := io.ReadAll(r)
	if !bytes.Contains(b, []byte("/fd/"+fd+"\n")) {
		t.Errorf("pipe received %q", b)
	}

	// A descriptor open for appending keeps what was there.
	dir := t.TempDir()
	log := filepath.Join(dir, "summary.md")
	if err := os.WriteFile(log, []byte("first\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := writeString(t, "/dev/fd/"+strconv.Itoa(int(f.Fd())), "second\n"); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, log); got != "first\nsecond\n" {
		t.Errorf("file behind the descriptor = %q, want the report appended", got)
	}
}

func TestWriteOutputDeviceInPlace(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("creating a device node needs root")
	}
	p := filepath.Join(t.TempDir(), "null")
	if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|3); err != nil { // 1,3 is /dev/null
		t.Skipf("mknod: %v", err)
	}
	if err := writeString(t, p, "discarded"); err != nil {
		t.Skipf("the file system refuses devices: %v", err)
	}
	fi, err := os.Lstat(p)
	if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("the device was replaced by %v (%v)", fi.Mode(), err)
	}
}

func TestCheckOutputErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink(loop, loop); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{filepath.Join(dir, "missing", "x.xml"), "no such file or directory"},
		{dir, "is a directory"},
		{dir + "/", "is a directory"},
		{filepath.Join(file, "x.xml"), "not a directory"},
		{loop, "too many levels of symbolic links"},
	}
	for _, tt := range tests {
		err := checkOutput("--junit", tt.path)
		if err == nil || !strings.Contains(err.Error(), "--junit "+tt.path+": ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("checkOutput(%q) = %v, want a --junit error containing %q", tt.path, err, tt.want)
		}
		if exitCode(err) != exitUsage {
			t.Errorf("checkOutput(%q): exit %d, want %d", tt.path, exitCode(err), exitUsage)
		}
	}
	for _, ok := range []string{"", "-", filepath.Join(dir, "new.json"), file} {
		if err := checkOutput("--output", ok); err != nil {
			t.Errorf("checkOutput(%q) = %v, want nil", ok, err)
		}
	}
}
