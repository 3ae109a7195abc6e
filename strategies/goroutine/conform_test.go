package goroutine_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
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
	addr := serveSeed(t, goroutine.New())
	for _, r := range blackbox.CheckAddr(context.Background(), "tcp", addr, socketserver.Unbounded, blackbox.AddrOptions{}) {
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
