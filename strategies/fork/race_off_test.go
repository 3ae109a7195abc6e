//go:build !race

package fork_test

const raceEnabled = false
