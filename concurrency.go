package socketserver

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Concurrency is how many connections a server serves at once: what a
// strategy promises, what the conformance suite checks and what sockbench
// conform measures. The zero value is Unbounded.
type Concurrency struct {
	// Max is the number of connections served at once: 0 means unbounded
	// (Python's ThreadingMixIn), 1 serial (TCPServer), N at most N (a pool
	// of N workers).
	Max int
}

// Serial is the concurrency of a server that serves one connection at a
// time.
var Serial = Concurrency{Max: 1}

// Unbounded is the concurrency of a server that serves every connection at
// once.
var Unbounded = Concurrency{}

// AtMost returns the concurrency of a server that serves at most n
// connections at once (and exactly n when n clients hold theirs); AtMost(1)
// is Serial. n must be positive.
func AtMost(n int) Concurrency { return Concurrency{Max: n} }

// ErrBadConcurrency is returned (wrapped) by ParseConcurrency for a value
// that is not a concurrency.
var ErrBadConcurrency = errors.New("socketserver: bad concurrency")

// ParseConcurrency parses "serial", "unbounded", a number N >= 1 ("at most
// N"; 1 is serial) or "at most N", the forms String returns. Case and
// surrounding space are ignored.
func ParseConcurrency(s string) (Concurrency, error) {
	switch t := strings.ToLower(strings.TrimSpace(s)); t {
	case "serial":
		return Serial, nil
	case "unbounded":
		return Unbounded, nil
	default:
		n, err := strconv.Atoi(strings.TrimPrefix(t, "at most "))
		if err != nil || n < 1 {
			return Concurrency{}, fmt.Errorf("%w %q: want serial, unbounded or a number >= 1", ErrBadConcurrency, s)
		}
		return AtMost(n), nil
	}
}

// String returns "serial", "unbounded" or "at most N".
func (c Concurrency) String() string {
	switch {
	case c.Max <= 0:
		return "unbounded"
	case c.Max == 1:
		return "serial"
	}
	return fmt.Sprintf("at most %d", c.Max)
}

// Bounded reports whether c caps the connections served at once (serial
// or at most N).
func (c Concurrency) Bounded() bool { return c.Max > 0 }
