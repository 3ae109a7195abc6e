//go:build linux

package prefork_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/strategies/prefork"
)

// TestWaitReadyServeListenerFails checks that WaitReady returns the error
// of a ServeListener that started no worker (here reuseport on a socket
// bound without SO_REUSEPORT) instead of waiting for its context.
func TestWaitReadyServeListenerFails(t *testing.T) {
	st := &prefork.Strategy{Procs: 1, Handler: "upper", Accept: prefork.ReusePort}
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: handlers.Upper(0, nil), Strategy: st}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ready := make(chan error, 1)
	go func() { ready <- st.WaitReady(ctx) }()
	if err := srv.Serve(srv.Listener()); !errors.Is(err, prefork.ErrNoReusePort) {
		t.Fatalf("Serve = %v, want ErrNoReusePort", err)
	}
	select {
	case err := <-ready:
		if !errors.Is(err, prefork.ErrNoReusePort) {
			t.Errorf("WaitReady = %v, want the ServeListener's ErrNoReusePort", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WaitReady still waiting after ServeListener failed")
	}
}
