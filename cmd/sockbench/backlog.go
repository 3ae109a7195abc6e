package main

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"time"
)

// backlogPoll is how often "sockbench serve" looks at its listen queue;
// tests shorten it.
var backlogPoll = 250 * time.Millisecond

// watchBacklog warns once on log when the listen queue of ln fills up to
// its backlog: the clients beyond it are refused or their connection
// attempts retried, which a benchmark would blame on the strategy (Python's
// request_queue_size is 5; the servers "sockbench bench" starts use 4096).
// It polls until the returned stop function is called, which waits for it.
// Where the queue cannot be read (not Linux, not TCP) it does nothing.
func watchBacklog(ctx context.Context, ln net.Listener, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if _, _, ok := listenQueue(ln); ok {
		wg.Go(func() {
			t := time.NewTicker(backlogPoll)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				if queued, max, ok := listenQueue(ln); ok && max > 0 && queued >= max {
					log.Warn("listen queue full: more clients are waiting to be accepted than the backlog holds; the next ones are refused or retried (give --backlog, e.g. 4096 as bench's servers use)",
						"queued", queued, "backlog", max)
					return
				}
			}
		})
	}
	return func() { cancel(); wg.Wait() }
}
