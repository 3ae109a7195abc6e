//go:build race

package fork_test

// raceEnabled reports a -race build: every child is then a race-built
// test binary, which takes some 50 ms to start and serves several times
// slower, so the volume checks run only in the ordinary build.
const raceEnabled = true
