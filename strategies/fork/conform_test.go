//go:build linux

package fork_test

import (
	"context"
	"slices"
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/harness"
	"github.com/gosocketserver/socketserver/harness/blackbox"
	"github.com/gosocketserver/socketserver/strategies/fork"
)

// conformMax is the children limit the conformance runs use: the
// capacity check then finds the bound quickly.
const conformMax = 4

// raceChecks are the server checks a -race build runs: those that fork a
// few children, not hundreds (Bookkeeping's 165 clients, Burst, Capacity
// ... run in the ordinary build, which CI's docs and bench tests also
// use; TestMaxChildrenWaits covers the bound under -race).
var raceChecks = []string{"RoundTripTCP", "RoundTripUnix", "ShutdownRace", "CloseUnserved", "ShutdownDeadline",
	"CloseInterrupts", "NoNewlineHalfClose", "HugeLine", "ByteByByte", "SlowClient"}

func seedFork() harness.MakeServer {
	return harness.SeedServer(func() socketserver.Strategy { return fork.New("upper", conformMax) })
}

// TestConformance runs the server checks on seed servers whose every
// connection is served by a child process rebuilding handlers.Upper from
// its spec. (The strategy checks that install handlers of their own, such
// as HandlerPanic, cannot run: a Handler value does not cross exec; the
// tests in fork_test.go check their counterparts with registered
// handlers.)
func TestConformance(t *testing.T) {
	if !raceEnabled {
		harness.TestServer(t, seedFork(), socketserver.AtMost(conformMax))
		return
	}
	for _, name := range harness.ServerCheckNames() {
		t.Run(name, func(t *testing.T) {
			if !slices.Contains(raceChecks, name) {
				t.Skip("forks too many race-built children; runs without -race")
			}
			if err := harness.CheckServer(seedFork(), socketserver.AtMost(conformMax), name); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestConformanceBlackBox runs the protocol-level checks against a seed
// server forking a child per connection.
func TestConformanceBlackBox(t *testing.T) {
	if raceEnabled {
		t.Skip("forks hundreds of race-built children; runs without -race")
	}
	addr := harness.ServeSeed(t, fork.New("upper", conformMax))
	for _, r := range blackbox.CheckAddr(context.Background(), "tcp", addr, socketserver.AtMost(conformMax), blackbox.AddrOptions{}) {
		if !r.Pass {
			t.Error(r)
		}
	}
}
