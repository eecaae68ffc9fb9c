// Package hostile holds tests that attack smoke as an adversary would: a
// spec from an untrusted URL, a server that misbehaves on purpose, an
// unusual environment. Each test runs the real smoke binary against
// servers on loopback and asserts the defended behaviour: exit codes,
// bounded time and memory, files left intact, secrets absent from every
// output, untrusted text neutralised.
//
// The package has no code of its own; `go test ./...` runs it.
package hostile
