package harness

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/harness/internal/seedclient"
)

// The hostile-client checks: a handler that calls runtime.Goexit, slowloris
// clients against a server with a ReadTimeout, and keep-alive connections
// at Shutdown. Each needs a socketserver.Server of its own (a handler or a
// field), so they run in the strategy suite, for every strategy.

// holders returns how many connections fill the promise: N when bounded,
// else k.
func (e *env) holders(k int) int {
	if e.p.Bounded() {
		return e.p.Max
	}
	return k
}

// goexiter is the seed's handler, except that the line "goexit" makes it
// call runtime.Goexit.
var goexiter = &socketserver.StreamHandler{Serve: func(ctx context.Context, s *socketserver.Stream) error {
	line, err := s.ReadLine()
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	data := handlers.Strip(line)
	if string(data) == "goexit" {
		runtime.Goexit()
	}
	_, err = s.W.Write(handlers.UpperInPlace(data))
	return err
}}

// checkHandlerGoexit: a handler that calls runtime.Goexit is reported to
// HandleError once per connection (ErrHandlerGoexit), the client sees an
// orderly close, and the server keeps its whole capacity: after more
// Goexits than the promise has slots, it still serves N clients at once,
// and Shutdown still completes.
func checkHandlerGoexit(e *env) error {
	s, err := e.newServer(config{handler: goexiter})
	if err != nil {
		return err
	}
	n := min(e.holders(3), 64)
	for i := 1; i <= n+1; i++ {
		if err := seedclient.ExpectReply(e.ctx, "tcp", s.addr, []byte("goexit\n"), nil); err != nil {
			return fmt.Errorf("Goexit %d: %w", i, err)
		}
		if !seedclient.Eventually(seedclient.Settle, func() bool { return len(s.handlerErrors()) >= i }) {
			return fmt.Errorf("Goexit %d was not reported to HandleError", i)
		}
	}
	if err := seedclient.ConcurrentRoundTrips(e.ctx, s.addr, n); err != nil {
		return fmt.Errorf("after %d Goexits: %w", n+1, err)
	}
	errs := s.handlerErrors()
	if len(errs) != n+1 {
		return fmt.Errorf("HandleError called %d times for %d Goexits: %v", len(errs), n+1, errs)
	}
	for _, err := range errs {
		if !errors.Is(err, socketserver.ErrHandlerGoexit) {
			return fmt.Errorf("HandleError got %v, want ErrHandlerGoexit", err)
		}
	}
	return s.shutdown(seedclient.ReplyTimeout)
}

// slowlorisTimeout is the ReadTimeout of checkSlowlorisDeadline.
const slowlorisTimeout = 500 * time.Millisecond

// checkSlowlorisDeadline: with a ReadTimeout, clients that fill the
// promise by sending one byte every 50 ms and never a newline are cut
// (each sees an orderly close and is reported once as ErrReadTimeout),
// and a normal client is served.
func checkSlowlorisDeadline(e *env) error {
	s, err := e.newServer(config{tweak: func(srv *socketserver.Server) { srv.ReadTimeout = slowlorisTimeout }})
	if err != nil {
		return err
	}
	k := min(e.holders(4), 16)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(stop)
	slow := make([]net.Conn, 0, k)
	defer func() {
		for _, c := range slow {
			c.Close()
		}
	}()
	for range k {
		c, err := seedclient.Dial(e.ctx, "tcp", s.addr)
		if err != nil {
			return err
		}
		slow = append(slow, c)
		wg.Go(func() { dribble(c, stop) })
	}
	if err := seedclient.RoundTrips(e.ctx, "tcp", s.addr, 1); err != nil {
		return fmt.Errorf("a normal client behind %d slowloris clients (ReadTimeout %v): %w", k, slowlorisTimeout, err)
	}
	for i, c := range slow {
		if err := seedclient.ExpectEOF(c, seedclient.ReplyTimeout); err != nil {
			return fmt.Errorf("slowloris client %d: %w", i, err)
		}
	}
	if !seedclient.Eventually(seedclient.Settle, func() bool { return len(s.handlerErrors()) >= k }) {
		return fmt.Errorf("%d slowloris clients cut, %d reported", k, len(s.handlerErrors()))
	}
	for _, err := range s.handlerErrors() {
		if !errors.Is(err, socketserver.ErrReadTimeout) {
			return fmt.Errorf("HandleError got %v, want ErrReadTimeout", err)
		}
	}
	return nil
}

// dribble writes one byte to c every 50 ms, at most 400 times (20 s),
// until a write fails or stop is closed.
func dribble(c net.Conn, stop <-chan struct{}) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for range 400 {
		if _, err := c.Write([]byte("a")); err != nil {
			return
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// keepAlive answers each line upper-cased until EOF; the line "slow" is
// signalled on slow, once read, and answered 200 ms later.
func keepAlive(slow chan<- struct{}) socketserver.Handler {
	return &socketserver.StreamHandler{Serve: func(ctx context.Context, s *socketserver.Stream) error {
		for {
			line, err := s.ReadLine()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if string(line) == "slow\n" {
				slow <- struct{}{}
				time.Sleep(200 * time.Millisecond)
			}
			if _, err := s.W.Write(bytes.ToUpper(line)); err != nil {
				return err
			}
		}
	}}
}

// checkKeepAliveDrain: Shutdown closes keep-alive connections waiting
// between requests at once, with a FIN, answers a request the server has
// read (when the promise has room for it), and returns long before its
// deadline; nothing is reported.
func checkKeepAliveDrain(e *env) error {
	slow := make(chan struct{}, 1)
	s, err := e.newServer(config{handler: keepAlive(slow)})
	if err != nil {
		return err
	}
	idle := max(min(e.holders(4), 8)-1, 1) // leave a slot for the busy client
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range idle {
		c, err := seedclient.Dial(e.ctx, "tcp", s.addr)
		if err != nil {
			return err
		}
		conns = append(conns, c)
		_ = c.SetDeadline(time.Now().Add(seedclient.ReplyTimeout))
		if _, err := io.WriteString(c, "a\n"); err != nil {
			return err
		}
		if got, err := bufio.NewReader(c).ReadString('\n'); err != nil || got != "A\n" {
			return fmt.Errorf("keep-alive client %d: first reply %q, %v", i, got, err)
		}
	}
	var busy net.Conn
	if !e.p.Bounded() || e.p.Max > idle {
		if busy, err = seedclient.Dial(e.ctx, "tcp", s.addr); err != nil {
			return err
		}
		conns = append(conns, busy)
		if _, err := io.WriteString(busy, "slow\n"); err != nil {
			return err
		}
		select {
		case <-slow:
		case <-time.After(seedclient.ReplyTimeout):
			return errors.New("the busy client's request was not read")
		}
	}
	const bound = 5 * time.Second // the connections' own pace: 200 ms
	began := time.Now()
	if err := s.shutdown(bound); err != nil {
		return fmt.Errorf("with %d idle keep-alive connections: %w", idle, err)
	}
	if d := time.Since(began); d > bound {
		return fmt.Errorf("Shutdown took %v", d)
	}
	for i, c := range conns[:idle] {
		if err := seedclient.ExpectEOF(c, seedclient.ReplyTimeout); err != nil {
			return fmt.Errorf("idle keep-alive client %d: %w", i, err)
		}
	}
	if busy != nil {
		got, err := seedclient.ReadAll(busy, seedclient.ReplyTimeout)
		if err != nil || string(got) != "SLOW\n" {
			return fmt.Errorf("busy client: %q, %v; want its reply, then an orderly close", got, err)
		}
	}
	if errs := s.handlerErrors(); len(errs) > 0 {
		return fmt.Errorf("HandleError got %v, want nothing", errs)
	}
	return nil
}
