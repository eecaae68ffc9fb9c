package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/smoke-dev/smoke/config"
	"github.com/smoke-dev/smoke/report"
	"github.com/smoke-dev/smoke/spec"
)

// Exit codes, every command (see DESIGN.md).
const (
	exitOK         = 0
	exitFindings   = 1
	exitUsage      = 2
	exitIncomplete = 3
)

// errFindings means the report already said what failed: exit 1 and print
// nothing more.
var errFindings = errors.New("findings")

type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

type incompleteError struct{ err error }

func (e *incompleteError) Error() string { return e.err.Error() }
func (e *incompleteError) Unwrap() error { return e.err }

// usageErr marks err as a usage, config or spec error: exit 2, nothing
// was sent.
func usageErr(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err}
}

// usageErrf is usageErr with formatting.
func usageErrf(format string, args ...any) error {
	return usageErr(fmt.Errorf(format, args...))
}

// incompleteErr marks err as incomplete work: interrupted, target
// unreachable, not every check ran (exit 3).
func incompleteErr(err error) error {
	if err == nil {
		return nil
	}
	return &incompleteError{err}
}

// hintError carries one extra line of advice shown under the error.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() }
func (e *hintError) Unwrap() error { return e.err }

func withHint(err error, hint string) error { return &hintError{err, hint} }

// exitCode maps an error from a command to the process exit code.
func exitCode(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFindings):
		return exitFindings
	case errors.Is(err, context.Canceled):
		return exitIncomplete
	}
	if _, ok := errors.AsType[*incompleteError](err); ok {
		return exitIncomplete
	}
	if _, ok := errors.AsType[*usageError](err); ok {
		return exitUsage
	}
	if _, ok := errors.AsType[*spec.Error](err); ok {
		return exitUsage
	}
	if _, ok := errors.AsType[*config.Error](err); ok {
		return exitUsage
	}
	return exitIncomplete
}

// printError writes the one-line error (and at most one hint line).
func printError(w io.Writer, err error, cmdPath string) {
	if err == nil || errors.Is(err, errFindings) {
		return
	}
	msg := report.EscapeTerminal(err.Error()) // may quote a spec or a server
	if errors.Is(err, context.Canceled) {
		msg = "interrupted"
	}
	fmt.Fprintf(w, "smoke: %s\n", msg)
	if h, ok := errors.AsType[*hintError](err); ok {
		fmt.Fprintln(w, h.hint)
		return
	}
	if _, ok := errors.AsType[*flagError](err); ok {
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", cmdPath)
	}
}

// flagError is a command-line syntax error (unknown flag, bad value).
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }
