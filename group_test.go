package socketserver_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
)

func TestGroup(t *testing.T) {
	var g socketserver.Group
	release := make(chan struct{})
	var ran atomic.Int32
	for range 3 {
		if err := g.Go(func() { <-release; ran.Add(1) }); err != nil {
			t.Fatalf("Go before Close: %v", err)
		}
	}
	if err := g.Add(); err != nil {
		t.Fatalf("Add before Close: %v", err)
	}
	g.Close()
	if err := g.Go(func() { t.Error("ran after Close") }); !errors.Is(err, socketserver.ErrStrategyClosed) {
		t.Errorf("Go after Close: %v, want ErrStrategyClosed", err)
	}
	if err := g.Add(); !errors.Is(err, socketserver.ErrStrategyClosed) {
		t.Errorf("Add after Close: %v, want ErrStrategyClosed", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := g.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait with work running: %v, want DeadlineExceeded", err)
	}
	close(release)
	g.Done() // the Add above
	if err := g.Wait(context.Background()); err != nil {
		t.Errorf("Wait: %v", err)
	}
	if n := ran.Load(); n != 3 {
		t.Errorf("%d functions ran, want 3", n)
	}
}
