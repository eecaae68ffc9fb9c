// Package hostile is smoke's hostile-input suite.
//
// # Overview
//
// Each test attacks the real smoke binary the way issue 9 found it
// breaking (a spec from an untrusted source, a server that misbehaves on
// purpose, an unusual environment) and asserts the fixed behaviour from
// the outside: exit code, what reached a server, the type, mode and owner
// of a file after --output, that a signal is honoured.
//
// # Usage
//
//	go test ./hostile
//
// The tests build smoke once per run into a temporary directory and run
// it against servers on loopback; a hang guard (a generous deadline)
// turns a hang into a failure, never a timing assertion. Files are named
// by topic (output, refs, config, signal, spec, …) and share the helpers
// of helpers_test.go. Cases that need root (a device node, another user)
// skip without it.
//
// The package has no code outside its tests and promises no API.
package hostile
