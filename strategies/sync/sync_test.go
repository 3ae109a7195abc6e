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
