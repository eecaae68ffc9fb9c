package main

import (
	"io"
	"log/slog"
	"time"
)

// Env is everything a command may take from the process: streams,
// environment, clock and terminal facts. Tests build one from buffers.
type Env struct {
	Stdin     io.Reader
	Stdout    io.Writer
	Stderr    io.Writer
	Getenv    func(string) string
	Now       func() time.Time
	StdoutTTY bool
	StderrTTY bool
	// Logger writes to Stderr at the level -v/--debug chose; set by the
	// root command before any subcommand runs.
	Logger *slog.Logger
}

// Color reports whether output to a terminal may use colour: NO_COLOR
// unset and TERM not dumb.
func (e *Env) Color(tty bool) bool {
	return tty && e.Getenv("NO_COLOR") == "" && e.Getenv("TERM") != "dumb"
}

// Progress reports whether a progress display may be drawn on stderr:
// a terminal, not CI, TERM not dumb.
func (e *Env) Progress() bool {
	return e.StderrTTY && e.Getenv("CI") == "" && e.Getenv("TERM") != "dumb"
}
