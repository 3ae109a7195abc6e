package pool_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/strategies/pool"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fill occupies every worker with a task that waits for release.
func fill(t *testing.T, p *pool.Strategy, n int, release chan struct{}) {
	t.Helper()
	started := make(chan struct{}, n)
	for range n {
		if err := p.Execute(context.Background(), func() { started <- struct{}{}; <-release }); err != nil {
			t.Fatal(err)
		}
	}
	for range n {
		<-started
	}
}

func TestPoolWaitsWhenFull(t *testing.T) {
	p := pool.New(2, 1)
	release := make(chan struct{})
	fill(t, p, 2, release)
	var ran atomic.Int32
	if err := p.Execute(context.Background(), func() { ran.Add(1) }); err != nil { // queued
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := p.Execute(ctx, func() { ran.Add(1) }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Execute on a full pool: %v, want to wait until ctx ends", err)
	}
	close(release)
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ran.Load() != 1 {
		t.Fatalf("queued task ran %d times, want 1 (Shutdown must drain the queue)", ran.Load())
	}
	if err := p.Execute(context.Background(), func() {}); !errors.Is(err, socketserver.ErrStrategyClosed) {
		t.Fatalf("Execute after Shutdown: %v", err)
	}
}

func TestPoolRefuse(t *testing.T) {
	p := &pool.Strategy{Workers: 1, Refuse: true}
	release := make(chan struct{})
	fill(t, p, 1, release)
	err := p.Execute(context.Background(), func() { t.Error("refused task ran") })
	if !errors.Is(err, socketserver.ErrRefused) {
		t.Fatalf("Execute on a full refusing pool: %v, want ErrRefused", err)
	}
	close(release)
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestPoolShutdownDeadline(t *testing.T) {
	for _, noWait := range []bool{false, true} {
		p := &pool.Strategy{Workers: 1, NoWait: noWait}
		release := make(chan struct{})
		fill(t, p, 1, release)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		err := p.Shutdown(ctx)
		cancel()
		if noWait && err != nil {
			t.Errorf("NoWait Shutdown: %v, want nil at once", err)
		}
		if !noWait && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Shutdown with a busy worker: %v, want DeadlineExceeded", err)
		}
		close(release)
		if err := p.Shutdown(context.Background()); err != nil { // a second Shutdown waits
			t.Fatal(err)
		}
	}
}
