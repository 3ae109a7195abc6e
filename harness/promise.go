package harness

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A Promise is the concurrency a server declares: how many connections it
// serves at once. It has the shape of the strategies registry's Concurrency,
// so a registry entry converts with harness.Promise(c).
type Promise struct {
	// Max is the number of connections served at once: 0 means unbounded
	// (Python's ThreadingMixIn), 1 serial (TCPServer), N a pool of N.
	Max int
}

// Serial is the promise of a server that serves one connection at a time.
var Serial = Promise{Max: 1}

// Unbounded is the promise of a server that serves every connection at once.
var Unbounded = Promise{}

// AtMost returns the promise of a server that serves at most n connections
// at once (and exactly n when n clients hold theirs). n must be positive.
func AtMost(n int) Promise { return Promise{Max: n} }

// ErrBadPromise is returned (wrapped) by ParsePromise for a malformed promise.
var ErrBadPromise = errors.New("harness: bad promise")

// ParsePromise parses "serial", "unbounded" or a positive number N ("at
// most N"), the forms String returns and sockbench conform's --expect takes.
func ParsePromise(s string) (Promise, error) {
	switch t := strings.ToLower(strings.TrimSpace(s)); t {
	case "serial", "1":
		return Serial, nil
	case "unbounded":
		return Unbounded, nil
	default:
		t = strings.TrimPrefix(t, "at most ")
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 {
			return Promise{}, fmt.Errorf("%w %q: want serial, unbounded or a number >= 1", ErrBadPromise, s)
		}
		return AtMost(n), nil
	}
}

// String returns "serial", "unbounded" or "at most N".
func (p Promise) String() string {
	switch {
	case p.Max <= 0:
		return "unbounded"
	case p.Max == 1:
		return "serial"
	}
	return fmt.Sprintf("at most %d", p.Max)
}

// bounded reports whether the promise caps concurrency.
func (p Promise) bounded() bool { return p.Max > 0 }
