//go:build race

package prefork_test

// raceEnabled reports a -race build: every worker is then a race-built
// test binary, slow to start, so the checks that make several servers
// run only in the ordinary build.
const raceEnabled = true
