package main

import (
	"slices"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/harness/bench"
	"github.com/gosocketserver/socketserver/strategies"
)

// markStreamOnly sets StreamOnly on cfg's strategy targets whose strategy
// cannot execute datagrams (it owns accepting, as the event loop does, or
// serves streams only, as fork and prefork do), when cfg has a datagram
// workload: bench.Run then skips those cells with a warning naming why,
// before anything runs, and refuses a matrix left with nothing to measure.
// A spec that does not build is left to the server, which rejects it.
func markStreamOnly(cfg *bench.Config) {
	if !slices.ContainsFunc(cfg.Workloads, bench.Workload.Datagram) {
		return
	}
	for i, t := range cfg.Targets {
		if t.Kind != bench.KindStrategy {
			continue
		}
		st, err := strategies.New(t.Strategy)
		if err != nil {
			continue
		}
		switch st.(type) {
		case socketserver.ListenerStrategy, socketserver.StreamOnlyStrategy:
			cfg.Targets[i].StreamOnly = true
		}
	}
}
