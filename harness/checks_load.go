package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/harness/internal/seedclient"
)

// checkBookkeeping is test_threads_reaped, extended: after 100 sequential
// and 64 concurrent clients the goroutine count and the descriptor count
// (and a socketserver.Server's ActiveConns) are back where they were;
// per-connection state does not grow with the number of connections. A
// socketserver.Server then serves 10 clients with HandleRequest, and its
// goroutines stay flat again.
func checkBookkeeping(e *env) error {
	s, err := e.newServer(config{})
	if err != nil {
		return err
	}
	if err := seedclient.RoundTrips(e.ctx, "tcp", s.addr, 1); err != nil { // lazily started workers exist from now on
		return err
	}
	if err := noActiveConns(s, "after one finished client"); err != nil {
		return err
	}
	baseG, baseFD := runtime.NumGoroutine(), openFDs()
	if err := seedclient.RoundTrips(e.ctx, "tcp", s.addr, 100); err != nil {
		return err
	}
	if err := seedclient.ConcurrentRoundTrips(e.ctx, s.addr, 64); err != nil {
		return err
	}
	const slack = 4 // runtime and testing goroutines that come and go
	var g int
	if !seedclient.Eventually(seedclient.Settle, func() bool { g = runtime.NumGoroutine(); return g <= baseG+slack }) {
		return fmt.Errorf("%d goroutines after 165 finished clients, %d before: state grows with connections", g, baseG)
	}
	if err := noActiveConns(s, "after every client finished"); err != nil {
		return err
	}
	if err := fdsBackTo(baseFD, slack); err != nil {
		return fmt.Errorf("after 165 finished clients: %w", err)
	}
	if e.strategy == nil {
		return nil
	}

	// Python's own shape: handle_request ten times, without Serve.
	h, err := e.newServer(config{noServe: true})
	if err != nil {
		return err
	}
	baseG = runtime.NumGoroutine()
	for i := range 10 {
		if err := handleOne(e.ctx, h); err != nil {
			return fmt.Errorf("HandleRequest %d of 10: %w", i+1, err)
		}
	}
	// Workers a strategy starts on first use are allowed for.
	extra := max(e.p.Max, 1)
	if !e.p.Bounded() {
		extra = 1
	}
	if !seedclient.Eventually(seedclient.Settle, func() bool { g = runtime.NumGoroutine(); return g <= baseG+slack+extra }) {
		return fmt.Errorf("%d goroutines after 10 requests served with HandleRequest, %d before", g, baseG)
	}
	return nil
}

// noActiveConns waits for a socketserver.Server's ActiveConns to be 0.
func noActiveConns(s *server, when string) error {
	if s.ss == nil || seedclient.Eventually(seedclient.Settle, func() bool { return s.ss.ActiveConns() == 0 }) {
		return nil
	}
	return fmt.Errorf("ActiveConns %d %s, want 0", s.ss.ActiveConns(), when)
}

// handleOne connects and sends the seed's line, serves it with
// HandleRequest, and checks the reply.
func handleOne(ctx context.Context, s *server) error {
	c, err := seedclient.Dial(ctx, "tcp", s.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Write([]byte("hello world\n")); err != nil {
		return err
	}
	hctx, cancel := context.WithTimeout(ctx, seedclient.ReplyTimeout)
	defer cancel()
	if err := s.ss.HandleRequest(hctx); err != nil {
		return fmt.Errorf("HandleRequest: %w", err)
	}
	got, err := seedclient.ReadAll(c, seedclient.ReplyTimeout)
	if err != nil {
		return err
	}
	if string(got) != "HELLO WORLD" {
		return fmt.Errorf("reply %q, want %q", got, "HELLO WORLD")
	}
	return nil
}

// checkCapacity: the promise, exactly. K silent clients hold connections
// (K = the bound, or 64 when unbounded) and every one of them must be in a
// handler at once; then a probe must starve while they hold (bounded) or
// be served (unbounded), and the peak number of running handlers must never
// exceed the bound. Once released, everyone is served.
func checkCapacity(e *env) error {
	var g gauge
	s, err := e.newServer(config{handler: counted(&g, handlers.Upper(0, nil))})
	if err != nil {
		return err
	}
	k := e.p.Max
	if !e.p.Bounded() {
		k = 64
	}
	hs, err := seedclient.HoldAll(e.ctx, "tcp", s.addr, k)
	if err != nil {
		return err
	}
	defer seedclient.ReleaseAll(hs)
	var now int
	if !seedclient.Eventually(seedclient.Settle, func() bool { now, _, _, _ = g.read(); return now == k }) {
		return fmt.Errorf("with %d silent clients connected, %d handlers ran at once; promise %v means %d", k, now, e.p, k)
	}
	probe, err := seedclient.Dial(e.ctx, "tcp", s.addr)
	if err != nil {
		return err
	}
	defer probe.Close()
	if _, err := probe.Write([]byte("probe\n")); err != nil {
		return err
	}
	if e.p.Bounded() {
		refused, err := seedclient.ExpectNoReply(probe, seedclient.StarveWindow)
		if err != nil {
			return fmt.Errorf("a probe was served while %d clients held connections: %v; promise %v", k, err, e.p)
		}
		if _, peak, _, _ := g.read(); peak > k {
			return fmt.Errorf("%d handlers ran at once; promise %v", peak, e.p)
		}
		if err := seedclient.ReleaseAndCheck(hs); err != nil {
			return fmt.Errorf("after releasing the holders: %w", err)
		}
		if refused { // a refusing strategy closed the probe: try again
			probe.Close()
			return seedclient.RoundTrips(e.ctx, "tcp", s.addr, 1)
		}
	}
	got, err := seedclient.ReadAll(probe, seedclient.ReplyTimeout)
	if err != nil || string(got) != "PROBE" {
		return fmt.Errorf("probe with %d holders (promise %v): reply %q, %v; want %q", k, e.p, got, err, "PROBE")
	}
	if !e.p.Bounded() {
		if err := seedclient.ReleaseAndCheck(hs); err != nil {
			return fmt.Errorf("after the probe: %w", err)
		}
	}
	if _, peak, _, _ := g.read(); e.p.Bounded() && peak > k {
		return fmt.Errorf("%d handlers ran at once; promise %v", peak, e.p)
	}
	return nil
}

// checkGracefulShutdown: 8 clients each send part of a request. Once the
// server has accepted as many as it promises to serve at once, Shutdown
// must close the listener and not return while they are unanswered; once
// the clients complete their requests, Shutdown returns nil, Serve returns
// ErrServerClosed, and every connection the server accepted got its full
// reply (clients still in the kernel's backlog may be refused).
func checkGracefulShutdown(e *env) error {
	const n = 8
	s, err := e.newServer(config{})
	if err != nil {
		return err
	}
	type result struct {
		local string
		reply []byte
		err   error
	}
	results := make([]result, n)
	release := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	var connMu sync.Mutex
	var conns []net.Conn
	aborted := false
	defer func() { // on an early return, do not wait for the clients' timeouts
		connMu.Lock()
		aborted = true
		for _, c := range conns {
			c.Close()
		}
		connMu.Unlock()
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	for i := range n {
		wg.Go(func() {
			c, err := seedclient.Dial(e.ctx, s.network, s.addr)
			if err != nil {
				results[i].err = err
				return
			}
			defer c.Close()
			connMu.Lock()
			conns = append(conns, c)
			if aborted {
				c.Close()
			}
			connMu.Unlock()
			results[i].local = c.LocalAddr().String()
			if _, err := fmt.Fprintf(c, "req-%d", i); err != nil {
				results[i].err = err
				return
			}
			<-release
			if _, err := c.Write([]byte("\n")); err != nil {
				results[i].err = err
				return
			}
			results[i].reply, results[i].err = seedclient.ReadAll(c, seedclient.ReplyTimeout+seedclient.Settle)
		})
	}
	want := n
	if e.p.Bounded() {
		want = min(n, e.p.Max)
	}
	if !seedclient.Eventually(seedclient.Settle, func() bool { return s.ln.accepted.Load() >= int64(want) }) {
		return fmt.Errorf("%d of %d clients were accepted, want %d (promise %v)", s.ln.accepted.Load(), n, want, e.p)
	}
	time.Sleep(50 * time.Millisecond) // let the server take what it can; more is allowed, not needed
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*seedclient.ReplyTimeout)
		defer cancel()
		shut <- s.Shutdown(ctx)
	}()
	if !seedclient.Eventually(seedclient.Settle, s.ln.closed.Load) {
		return errors.New("Shutdown did not close the listener")
	}
	select {
	case err := <-shut:
		return fmt.Errorf("Shutdown returned (%v) while %d accepted requests were still in their handlers, unanswered: it must wait for them", err, s.ln.accepted.Load())
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	select {
	case err := <-shut:
		if err != nil {
			return fmt.Errorf("Shutdown: %w", err)
		}
	case <-time.After(2*seedclient.ReplyTimeout + time.Second):
		return errors.New("Shutdown did not return after the clients completed their requests")
	}
	if err := s.waitServe(seedclient.ReplyTimeout); err != nil {
		return err
	}
	wg.Wait()
	accepted := s.ln.acceptedConns()
	for _, c := range accepted {
		peer := c.RemoteAddr().String()
		i := slices.IndexFunc(results, func(r result) bool { return r.local == peer })
		if i < 0 {
			return fmt.Errorf("accepted connection from %s matches no client", peer)
		}
		r := results[i]
		if want := fmt.Sprintf("REQ-%d", i); r.err != nil || string(r.reply) != want {
			return fmt.Errorf("client %d was accepted but lost by Shutdown: reply %q, %v; want %q", i, r.reply, r.err, want)
		}
	}
	return nil
}
