package main

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fakeReady is a readyWaiter that answers err after ready is closed, or
// ctx's error when ctx ends first.
type fakeReady struct {
	ready chan struct{}
	err   error
}

func (f *fakeReady) WaitReady(ctx context.Context) error {
	select {
	case <-f.ready:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestAwaitReady checks each way the wait for a strategy's readiness
// ends: ready, not ready, Serve failing first (its error, reported as
// Serve's), and the command's context ending first (no error: serve
// shuts down as usual).
func TestAwaitReady(t *testing.T) {
	notReady := errors.New("worker 1 exited")
	serveFailed := errors.New("serve failed")
	for _, tt := range []struct {
		name       string
		ready      bool  // the strategy answers
		readyErr   error // what it answers
		serveErr   error // Serve returns this first, when set
		cancel     bool  // the command's context ends first
		wantServed bool
		wantErr    error
	}{
		{name: "ready", ready: true},
		{name: "not ready", ready: true, readyErr: notReady, wantErr: notReady},
		{name: "serve fails first", serveErr: serveFailed, wantServed: true, wantErr: serveFailed},
		{name: "interrupted", cancel: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeReady{ready: make(chan struct{}), err: tt.readyErr}
			if tt.ready {
				close(f.ready)
			}
			serveErr := make(chan error, 1)
			if tt.serveErr != nil {
				serveErr <- tt.serveErr
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if tt.cancel {
				cancel()
			}
			served, err := awaitReady(ctx, f, serveErr)
			if served != tt.wantServed || !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("awaitReady = %v, %v; want %v, %v", served, err, tt.wantServed, tt.wantErr)
			}
		})
	}
}
