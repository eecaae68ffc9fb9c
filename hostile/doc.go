// Package hostile holds smoke's tests against services that misbehave on
// purpose: producers that fail, answers of the wrong shape, deletes that
// never answer, interruptions in the middle of a chain. Each case runs
// the smoke binary as a user would and checks that smoke stays bounded,
// says what happened, and leaves nothing unreported.
//
// The package has no code of its own outside its tests and promises no
// API.
package hostile
