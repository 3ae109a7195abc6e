//go:build linux

package prefork_test

import (
	"context"
	"slices"
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/harness"
	"github.com/gosocketserver/socketserver/harness/blackbox"
	"github.com/gosocketserver/socketserver/strategies/prefork"
)

// watchedAccepts are the server checks that wait to see, through the
// listener wrapper the suite hands to Serve, that this process accepted
// a held client: prefork's workers accept in their own processes, from a
// duplicate of the socket, so the wrapper never sees them. Their
// counterparts: TestShutdownDrains and TestKillWorkerUnderLoad.
var watchedAccepts = []string{"GracefulShutdown", "ShutdownDeadline", "CloseInterrupts"}

// raceSkipped are the checks that start several servers, each with its
// workers: they run in the ordinary build only, to keep -race quick.
var raceSkipped = []string{"RoundTripUnix", "ShutdownRace"}

// TestConformance runs the server checks on seed servers served by two
// worker processes, each rebuilding handlers.Upper from its spec and
// serving it with a goroutine per connection (no bound). The strategy
// checks with handlers of their own cannot run: a Handler value does not
// cross exec.
func TestConformance(t *testing.T) {
	mk := harness.SeedServer(func() socketserver.Strategy { return prefork.New("upper", 2) })
	for _, name := range harness.ServerCheckNames() {
		t.Run(name, func(t *testing.T) {
			if slices.Contains(watchedAccepts, name) {
				t.Skip("watches accepts in this process; prefork's workers accept in theirs")
			}
			if raceEnabled && slices.Contains(raceSkipped, name) {
				t.Skip("starts several servers of race-built workers; runs without -race")
			}
			if err := harness.CheckServer(mk, socketserver.Unbounded, name); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestConformanceBlackBox runs the protocol-level checks against a seed
// server of two workers.
func TestConformanceBlackBox(t *testing.T) {
	addr := harness.ServeSeed(t, prefork.New("upper", 2))
	for _, r := range blackbox.CheckAddr(context.Background(), "tcp", addr, socketserver.Unbounded, blackbox.AddrOptions{}) {
		if !r.Pass {
			t.Error(r)
		}
	}
}
