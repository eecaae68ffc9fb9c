// Package testenv finds what tests need outside the repository: the shared
// spec corpus, external server binaries, Datadog's OpenAPI documents, free
// loopback ports. A missing piece skips the test locally and fails it when
// CI=true, so a green CI run always means the real thing ran.
//
// The package promises no API; it exists for smoke's own tests.
package testenv
