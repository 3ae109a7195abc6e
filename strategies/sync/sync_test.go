package sync_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gosocketserver/socketserver"
	stsync "github.com/gosocketserver/socketserver/strategies/sync"
)

func TestExecuteRunsInline(t *testing.T) {
	s := stsync.New()
	ran := false
	if err := s.Execute(context.Background(), func() { ran = true }); err != nil {
		t.Fatal(err)
	}
	if !ran { // no synchronisation needed: serve ran in this goroutine
		t.Fatal("serve had not run when Execute returned")
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Execute(context.Background(), func() { t.Error("ran after Shutdown") }); !errors.Is(err, socketserver.ErrStrategyClosed) {
		t.Fatalf("Execute after Shutdown: %v", err)
	}
}

// The Server hands connections to ExecuteConn, saving a closure each.
var _ socketserver.ConnStrategy = (*stsync.Strategy)(nil)

func TestExecuteConnAfterShutdown(t *testing.T) {
	s := stsync.New()
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A refused connection is not touched: a nil one shows it.
	if err := s.ExecuteConn(context.Background(), nil); !errors.Is(err, socketserver.ErrStrategyClosed) {
		t.Fatalf("ExecuteConn after Shutdown: %v, want ErrStrategyClosed", err)
	}
}
