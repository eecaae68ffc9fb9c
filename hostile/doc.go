// Package hostile holds tests that attack smoke the way an untrusted
// document, a misbehaving server or an unusual environment would, and
// assert that it fails safely: the right exit code, bounded time and
// memory, nothing written or sent where it should not be.
//
// The package has no code of its own; everything is in its tests.
package hostile
