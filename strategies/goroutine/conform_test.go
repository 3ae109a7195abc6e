package goroutine_test

import (
	"context"
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/harness"
	"github.com/gosocketserver/socketserver/harness/blackbox"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
)

// TestMain (goleak.VerifyTestMain) is in goroutine_test.go.

// TestConformance runs the white-box suite: a goroutine per connection
// promises no bound.
func TestConformance(t *testing.T) {
	harness.TestStrategy(t, func() socketserver.Strategy { return goroutine.New() }, socketserver.Unbounded)
}

// TestConformanceBlackBox runs the protocol-level checks against a seed
// server using the strategy.
func TestConformanceBlackBox(t *testing.T) {
	addr := harness.ServeSeed(t, goroutine.New())
	for _, r := range blackbox.CheckAddr(context.Background(), "tcp", addr, socketserver.Unbounded, blackbox.AddrOptions{}) {
		if !r.Pass {
			t.Error(r)
		}
	}
}
