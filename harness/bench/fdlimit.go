package bench

import (
	"errors"
	"fmt"
)

// ErrDialFailed is wrapped by the error of a sample whose clients could
// not all connect: such a sample is failed (a FailedRep warning), not
// measured, since it did not load the server as its connection count
// says.
var ErrDialFailed = errors.New("dials failed")

// ErrTooManyFiles is wrapped (with ErrBadConfig) by Run's error when a
// connection count cannot fit this process's open-file limit: each client
// connection is a descriptor here and another in the server.
var ErrTooManyFiles = errors.New("connections do not fit the open-file limit")

// fdReserve is the descriptors a sample needs beside its connections: the
// listener, the server's pipes, /proc files, the run's output, stdio.
const fdReserve = 64

// checkDescriptors raises this process's soft RLIMIT_NOFILE to its hard
// limit (Go does so at start-up already; this also covers a caller that
// lowered it) and refuses a matrix whose largest connection count, idle
// connections included, cannot be held open at once under it.
func checkDescriptors(c Config) error {
	soft, hard, ok := raiseFileLimit()
	if !ok {
		return nil // unknown here: nothing to check against
	}
	idle := 0
	for _, w := range c.Workloads {
		idle = max(idle, w.idle)
	}
	for _, n := range c.Conns {
		if need := uint64(n+idle) + fdReserve; need > soft {
			return fmt.Errorf("%w: %w: %d connections (+%d idle) need about %d open files, but the limit is %d (hard limit %d; raise it with ulimit -Hn as root)",
				ErrBadConfig, ErrTooManyFiles, n, idle, need, soft, hard)
		}
	}
	return nil
}
