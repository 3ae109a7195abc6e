package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/gosocketserver/socketserver/internal/serveproto"
)

// readyWaiter is a strategy whose serving starts some time after Serve
// began (prefork: its worker processes start and bind first). WaitReady
// returns nil once it is serving, so that serve announces its address
// only then.
type readyWaiter interface {
	WaitReady(ctx context.Context) error
}

// readyTimeout bounds how long serve waits for a readyWaiter.
const readyTimeout = serveproto.ReadyTimeout

// awaitReady waits until rw is ready (at most readyTimeout), Serve
// returns (on serveErr), or ctx is done. It returns nil when rw is ready
// or ctx ended first (the caller shuts down as usual). Otherwise it
// returns why serve cannot go on, and served reports whether that is
// Serve's own error, received from serveErr.
func awaitReady(ctx context.Context, rw readyWaiter, serveErr <-chan error) (served bool, err error) {
	rctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	ready := make(chan error, 1)
	go func() { ready <- rw.WaitReady(rctx) }()
	select {
	case err := <-serveErr:
		cancel()
		<-ready
		return true, err
	case err := <-ready:
		switch {
		case err == nil || ctx.Err() != nil:
			return false, nil
		case errors.Is(err, context.DeadlineExceeded):
			return false, fmt.Errorf("the strategy was not serving within %s: %w", readyTimeout, err)
		}
		return false, fmt.Errorf("the strategy did not start serving: %w", err)
	}
}
