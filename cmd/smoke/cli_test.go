package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// cli runs one smoke command line in-process with buffers for streams and
// the given environment, and returns stdout, stderr and the exit code.
func cli(t *testing.T, env map[string]string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) string { return env[k] },
		Now:    func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
	}
	code := run(t.Context(), args, e)
	return stdout.String(), stderr.String(), code
}
