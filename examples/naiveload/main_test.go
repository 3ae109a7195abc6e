package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serve starts an in-process server of h on a free loopback port.
func serve(t *testing.T, h socketserver.Handler) string {
	t.Helper()
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: h, Strategy: &goroutine.Strategy{}, RequestQueueSize: 64}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		if err := <-done; !errors.Is(err, socketserver.ErrServerClosed) {
			t.Error(err)
		}
	})
	return srv.ListenAddr().String()
}

func TestRunCountsCorrectReplies(t *testing.T) {
	addr := serve(t, handlers.UpperLines(0, handlers.Work{}))
	n, err := run(addr, 4, 10*time.Millisecond, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no reply counted")
	}
}

func TestRunRejectsWrongReplies(t *testing.T) {
	addr := serve(t, handlers.Echo(0)) // answers in lower case
	_, err := run(addr, 2, 10*time.Millisecond, 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), `want "HELLO WORLD\n"`) {
		t.Fatalf("run against an echo server: %v; want a wrong-reply error", err)
	}
}
