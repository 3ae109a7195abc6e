package semaphore_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/examples/semaphore"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestNewRejectsZero(t *testing.T) {
	if _, err := semaphore.New(0); err == nil {
		t.Error("New(0) succeeded")
	}
}

// TestAtMostMax holds Max+1 connections open and checks that exactly Max
// handlers run; the last client is served once one of them leaves.
func TestAtMostMax(t *testing.T) {
	const max = 2
	st, err := semaphore.New(max)
	if err != nil {
		t.Fatal(err)
	}
	entered := make(chan struct{}, max+1)
	release := make(chan struct{})
	srv := &socketserver.Server{
		Addr:     "127.0.0.1:0",
		Strategy: st,
		Handler: socketserver.HandlerFunc(func(ctx context.Context, r *socketserver.Request) error {
			entered <- struct{}{}
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}),
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe() }()
	defer func() {
		srv.Close()
		if err := <-served; !errors.Is(err, socketserver.ErrServerClosed) {
			t.Errorf("ListenAndServe: %v", err)
		}
	}()

	for range max + 1 {
		c, err := net.DialTimeout("tcp", srv.ListenAddr().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	timeout := time.After(5 * time.Second)
	for i := range max {
		select {
		case <-entered:
		case <-timeout:
			t.Fatalf("only %d of %d handlers started", i, max)
		}
	}
	select {
	case <-entered:
		t.Fatalf("handler %d started while %d were running", max+1, max)
	case <-time.After(100 * time.Millisecond):
	}
	release <- struct{}{} // one handler leaves: the waiting client gets its slot
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting client was not served after a slot freed")
	}
	close(release)
}
