package load

import (
	"context"
	"net"
	"sync"
)

// idleDialers is how many idle connections Run opens at once.
const idleDialers = 64

// openIdle opens up to n connections, idleDialers at a time, and returns
// those that opened. It stops early when ctx is done. The caller closes
// them.
func openIdle(ctx context.Context, d *net.Dialer, network, addr string, n int) []net.Conn {
	if n == 0 {
		return nil
	}
	var (
		mu    sync.Mutex
		conns = make([]net.Conn, 0, n)
		wg    sync.WaitGroup
		next  = make(chan struct{})
	)
	for range min(n, idleDialers) {
		wg.Go(func() {
			for range next {
				c, err := d.DialContext(ctx, network, addr)
				if err != nil {
					continue
				}
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}
		})
	}
feed:
	for range n {
		select {
		case next <- struct{}{}:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return conns
}

// countAlive reports how many of conns the peer has not closed or reset,
// without blocking.
func countAlive(conns []net.Conn) int {
	alive := 0
	for _, c := range conns {
		if isAlive(c) {
			alive++
		}
	}
	return alive
}
