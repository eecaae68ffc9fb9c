//go:build !race

package hostile

// diffRace is true under the race detector: a child process is not
// instrumented, so tests that only run the binary have nothing to add.
const diffRace = false
