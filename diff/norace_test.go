//go:build !race

package diff_test

// raceEnabled is true when the tests run under the race detector, which
// makes every request several times slower.
const raceEnabled = false
