package sync_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
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
	addr := serveSeed(t, stsync.New())
	for _, r := range blackbox.CheckAddr(context.Background(), "tcp", addr, socketserver.Serial, blackbox.AddrOptions{}) {
		if !r.Pass {
			t.Error(r)
		}
	}
}

// serveSeed serves handlers.Upper with st on 127.0.0.1 until the test ends.
func serveSeed(t *testing.T, st socketserver.Strategy) string {
	t.Helper()
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: handlers.Upper(0, nil), Strategy: st, RequestQueueSize: 128,
		ErrorLog: slog.New(slog.DiscardHandler)} // the resets are deliberate
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(srv.Listener()) }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
		<-done
	})
	return srv.ListenAddr().String()
}
