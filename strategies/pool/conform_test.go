package pool_test

import (
	"context"
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/harness"
	"github.com/gosocketserver/socketserver/harness/blackbox"
	"github.com/gosocketserver/socketserver/strategies/pool"
)

// TestMain (goleak.VerifyTestMain) is in pool_test.go.

// TestConformance runs the white-box suite on pools of 4 workers, which
// promise at most 4 connections at once whatever their queue.
func TestConformance(t *testing.T) {
	for _, tt := range []struct {
		name  string
		queue int
	}{{"queue0", 0}, {"queue2", 2}} {
		t.Run(tt.name, func(t *testing.T) {
			harness.TestStrategy(t, func() socketserver.Strategy { return pool.New(4, tt.queue) }, socketserver.AtMost(4))
		})
	}
}

// TestConformanceBlackBox runs the protocol-level checks against a seed
// server using the strategy.
func TestConformanceBlackBox(t *testing.T) {
	addr := harness.ServeSeed(t, pool.New(4, 0))
	for _, r := range blackbox.CheckAddr(context.Background(), "tcp", addr, socketserver.AtMost(4), blackbox.AddrOptions{}) {
		if !r.Pass {
			t.Error(r)
		}
	}
}
