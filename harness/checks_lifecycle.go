package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/harness/internal/seedclient"
)

// checkRoundTripTCP is test_TCPServer: the seed's exchange three times on
// one server, then Shutdown; the address is the socket's, and after Close
// nobody can connect.
func checkRoundTripTCP(e *env) error { return roundTripOn(e, "tcp") }

// checkRoundTripUnix is test_UnixStreamServer.
func checkRoundTripUnix(e *env) error { return roundTripOn(e, "unix") }

func roundTripOn(e *env, network string) error {
	s, err := e.newServer(config{network: network})
	if err != nil {
		return err
	}
	if s.ss != nil {
		if got, want := s.ss.ListenAddr().String(), s.addr; got != want {
			return fmt.Errorf("ListenAddr %s, but the listener is on %s (Python: server_address == getsockname())", got, want)
		}
	}
	if err := seedclient.RoundTrips(e.ctx, network, s.addr, 3); err != nil {
		return err
	}
	if err := s.shutdown(seedclient.ReplyTimeout); err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return fmt.Errorf("Close after Shutdown: %w", err)
	}
	if c, err := net.DialTimeout(network, s.addr, time.Second); err == nil {
		c.Close()
		return errors.New("a client could still connect after Shutdown and Close (the listening socket is open)")
	}
	return nil
}

// checkShutdownRace is test_shutdown: 20 servers, each Shutdown right
// after its Serve was started; every Serve returns.
func checkShutdownRace(e *env) error {
	const n = 20
	servers := make([]*server, n)
	for i := range servers {
		s, err := e.newServer(config{})
		if err != nil {
			return err
		}
		servers[i] = s
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, s := range servers {
		wg.Go(func() { errs[i] = s.shutdown(seedclient.ReplyTimeout) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("server %d of %d: %w", i+1, n, err)
		}
	}
	return nil
}

// checkCloseUnserved is test_close_immediately and test_context_manager: a
// server made and closed without serving releases its socket; connecting
// then fails; Serve afterwards returns ErrServerClosed at once.
func checkCloseUnserved(e *env) error {
	warm, err := e.newServer(config{noServe: true}) // the runtime's poller fds exist from now on
	if err != nil {
		return err
	}
	if err := warm.Close(); err != nil {
		return fmt.Errorf("Close: %w", err)
	}
	base := openFDs()
	s, err := e.newServer(config{noServe: true})
	if err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return fmt.Errorf("Close of a server that never served: %w", err)
	}
	if c, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("connecting to %s succeeded after Close", s.addr)
	}
	if err := fdsBackTo(base, 0); err != nil {
		return fmt.Errorf("after Close without Serve: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(s.ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, socketserver.ErrServerClosed) {
			return fmt.Errorf("Serve after Close returned %v, want ErrServerClosed", err)
		}
	case <-time.After(seedclient.ReplyTimeout):
		return errors.New("Serve after Close did not return")
	}
	return nil
}

// checkBindLeak is test_tcpserver_bind_leak: 1024 servers whose bind fails
// (the address is in use, or the port is invalid) leave the descriptor
// count flat.
func checkBindLeak(e *env) error {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer busy.Close()
	_, port, _ := net.SplitHostPort(busy.Addr().String())
	base := openFDs()
	for i := range 1024 {
		addr := "127.0.0.1:" + port
		if i%256 == 255 {
			addr = "127.0.0.1:" + strconv.Itoa(65536+i) // Python's OverflowError
		}
		srv := &socketserver.Server{Addr: addr, Handler: handlers.Upper(0, nil), Strategy: e.strategy()}
		err := srv.Listen()
		_ = srv.Close()
		if err == nil {
			return fmt.Errorf("Listen on %s, which is in use or invalid, succeeded", addr)
		}
		if i == 0 && !errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("Listen on an address in use: %v, want EADDRINUSE", err)
		}
	}
	if err := fdsBackTo(base, 0); err != nil {
		return fmt.Errorf("after 1024 failed binds: %w", err)
	}
	return nil
}

// checkShutdownDeadline: Shutdown with a handler stuck (until its context
// is cancelled) returns context.DeadlineExceeded when its context expires;
// Close then interrupts the handler and returns.
func checkShutdownDeadline(e *env) error {
	var g gauge
	stuck := socketserver.HandlerFunc(func(ctx context.Context, r *socketserver.Request) error {
		<-ctx.Done()
		return ctx.Err()
	})
	s, err := e.newServer(config{handler: counted(&g, stuck)})
	if err != nil {
		return err
	}
	c, err := seedclient.Dial(e.ctx, "tcp", s.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if !seedclient.Eventually(seedclient.Settle, func() bool { n, _, _, _ := g.read(); return n == 1 }) {
		return errors.New("the handler did not start")
	}
	if err := shutdownTimesOut(s, "a stuck handler"); err != nil {
		return err
	}
	if err := closeAndWait(s); err != nil {
		return err
	}
	if _, _, _, ret := g.read(); ret != 1 {
		return errors.New("Close returned before the interrupted handler did")
	}
	return nil
}

// checkCloseInterrupts: Close ends handlers blocked reading from a silent
// client (their connection is closed) and handlers waiting on their
// context; the clients see their connection end.
func checkCloseInterrupts(e *env) error {
	var g gauge
	blocked := socketserver.HandlerFunc(func(ctx context.Context, r *socketserver.Request) error {
		var b [1]byte
		_, err := r.Conn.Read(b[:]) // the client never sends
		return err
	})
	for _, h := range []socketserver.Handler{blocked, handlers.Upper(0, nil)} {
		s, err := e.newServer(config{handler: counted(&g, h)})
		if err != nil {
			return err
		}
		c, err := seedclient.Dial(e.ctx, "tcp", s.addr)
		if err != nil {
			return err
		}
		defer c.Close()
		_, _, entered, _ := g.read()
		if !seedclient.Eventually(seedclient.Settle, func() bool { n, _, _, _ := g.read(); return n == 1 }) {
			return fmt.Errorf("handler %d did not start", entered+1)
		}
		if err := closeAndWait(s); err != nil {
			return err
		}
		if n, _, _, _ := g.read(); n != 0 {
			return errors.New("Close returned while a handler blocked on its connection was still running")
		}
		if _, err := seedclient.ReadAll(c, seedclient.ReplyTimeout); err != nil && !errors.Is(err, syscall.ECONNRESET) {
			return fmt.Errorf("client of a closed server: %w", err)
		}
	}
	return nil
}

// closeAndWait closes s and waits for Serve to return: then every
// interrupted handler has returned, whichever goroutine ran it (a strategy
// may run handlers in the accept loop, whose Serve returns once the handler
// has, or elsewhere, and Close waits for those).
func closeAndWait(s *server) error {
	if err := closeWithin(s, seedclient.ReplyTimeout); err != nil {
		return err
	}
	return s.waitServe(seedclient.ReplyTimeout)
}

// closeWithin calls s.Close and requires it to return within d.
func closeWithin(s *server, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("Close: %w", err)
		}
		return nil
	case <-time.After(d):
		return fmt.Errorf("Close with a stuck handler did not return within %v", d)
	}
}

// checkShutdownFromHandler: a handler that calls Shutdown with its own
// context does not deadlock: Shutdown returns, the handler finishes its
// reply, Serve returns ErrServerClosed and nobody can connect afterwards.
func checkShutdownFromHandler(e *env) error {
	shutErr := make(chan error, 1)
	h := &socketserver.StreamHandler{Serve: func(ctx context.Context, st *socketserver.Stream) error {
		line, err := st.ReadLine()
		if err != nil {
			return err
		}
		shutErr <- st.Server.Shutdown(ctx)
		_, err = st.W.Write(handlers.UpperInPlace(handlers.Strip(line)))
		return err
	}}
	s, err := e.newServer(config{handler: h})
	if err != nil {
		return err
	}
	if err := seedclient.ExpectReply(e.ctx, "tcp", s.addr, []byte("stop\n"), []byte("STOP")); err != nil {
		return err
	}
	select {
	case err := <-shutErr:
		if err != nil {
			return fmt.Errorf("Shutdown from a handler returned %v", err)
		}
	case <-time.After(seedclient.ReplyTimeout):
		return errors.New("Shutdown called from a handler did not return")
	}
	if err := s.waitServe(seedclient.ReplyTimeout); err != nil {
		return fmt.Errorf("after Shutdown from a handler: %w", err)
	}
	if c, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
		c.Close()
		return errors.New("a client could connect after Shutdown from a handler")
	}
	return nil
}

// holdOne connects a client that sends part of a request and waits until
// the server has accepted it.
func holdOne(e *env, s *server) (net.Conn, error) {
	c, err := seedclient.Dial(e.ctx, s.network, s.addr)
	if err != nil {
		return nil, err
	}
	if _, err := c.Write([]byte("held")); err != nil {
		c.Close()
		return nil, err
	}
	if !seedclient.Eventually(seedclient.Settle, func() bool { return s.ln.accepted.Load() == 1 }) {
		c.Close()
		return nil, errors.New("the server did not accept a client")
	}
	return c, nil
}

// checkShutdownDeadlineSeed: with a client in the middle of its request,
// Shutdown returns context.DeadlineExceeded when its context expires;
// Close then ends the connection (the client sees it end without a reply)
// and Serve returns.
func checkShutdownDeadlineSeed(e *env) error {
	s, err := e.newServer(config{})
	if err != nil {
		return err
	}
	c, err := holdOne(e, s)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := shutdownTimesOut(s, "a request in flight"); err != nil {
		return err
	}
	return closeEnds(s, c)
}

// checkCloseInterruptsSeed: Close ends a connection whose client is in the
// middle of its request, at once, and Serve returns.
func checkCloseInterruptsSeed(e *env) error {
	s, err := e.newServer(config{})
	if err != nil {
		return err
	}
	c, err := holdOne(e, s)
	if err != nil {
		return err
	}
	defer c.Close()
	return closeEnds(s, c)
}

// closeEnds closes s, waits for Serve, and requires c, a client still in
// the middle of its request, to see its connection end with no reply.
func closeEnds(s *server, c net.Conn) error {
	if err := closeAndWait(s); err != nil {
		return err
	}
	got, err := seedclient.ReadAll(c, seedclient.ReplyTimeout)
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		return fmt.Errorf("client of a closed server: %w", err)
	}
	if len(got) > 0 {
		return fmt.Errorf("client of a closed server got %s before its request was complete", seedclient.Quote(got))
	}
	return nil
}

// shutdownTimesOut calls s.Shutdown with a 200ms deadline while what (a
// stuck handler, a request in flight) keeps it from finishing, and checks
// that it returns context.DeadlineExceeded in time.
func shutdownTimesOut(s interface{ Shutdown(context.Context) error }, what string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- s.Shutdown(ctx) }()
	select {
	case err := <-errc:
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("Shutdown with %s and a 200ms deadline returned %v, want context.DeadlineExceeded", what, err)
		}
	case <-time.After(seedclient.ReplyTimeout):
		return fmt.Errorf("Shutdown with a 200ms deadline had not returned after %v", seedclient.ReplyTimeout)
	}
	return nil
}
