package sync_test

import (
	"context"
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/harness"
	"github.com/gosocketserver/socketserver/harness/blackbox"
	stsync "github.com/gosocketserver/socketserver/strategies/sync"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestConformance runs the white-box suite: the serial strategy promises
// one connection at a time.
func TestConformance(t *testing.T) {
	harness.TestStrategy(t, func() socketserver.Strategy { return stsync.New() }, socketserver.Serial)
}

// TestConformanceBlackBox runs the protocol-level checks against a seed
// server using the strategy.
func TestConformanceBlackBox(t *testing.T) {
	addr := harness.ServeSeed(t, stsync.New())
	for _, r := range blackbox.CheckAddr(context.Background(), "tcp", addr, socketserver.Serial, blackbox.AddrOptions{}) {
		if !r.Pass {
			t.Error(r)
		}
	}
}
