package goroutine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestShutdownWaitsUnlessDaemon(t *testing.T) {
	for _, daemon := range []bool{false, true} {
		s := &goroutine.Strategy{Daemon: daemon}
		release := make(chan struct{})
		started := make(chan struct{})
		if err := s.Execute(context.Background(), func() { close(started); <-release }); err != nil {
			t.Fatal(err)
		}
		<-started
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		err := s.Shutdown(ctx)
		cancel()
		if daemon && err != nil {
			t.Errorf("daemon Shutdown: %v, want nil without waiting", err)
		}
		if !daemon && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Shutdown with a running handler: %v, want DeadlineExceeded", err)
		}
		if err := s.Execute(context.Background(), func() {}); !errors.Is(err, socketserver.ErrStrategyClosed) {
			t.Errorf("Execute after Shutdown: %v", err)
		}
		close(release)
		s.Daemon = false
		if err := s.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// The Server hands connections to ExecuteConn, saving a closure each.
var _ socketserver.ConnStrategy = (*goroutine.Strategy)(nil)

func TestExecuteConnAfterShutdown(t *testing.T) {
	s := goroutine.New()
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A refused connection is not touched: a nil one shows it.
	if err := s.ExecuteConn(context.Background(), nil); !errors.Is(err, socketserver.ErrStrategyClosed) {
		t.Fatalf("ExecuteConn after Shutdown: %v, want ErrStrategyClosed", err)
	}
}
