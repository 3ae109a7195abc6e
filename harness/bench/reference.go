package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"

	"github.com/gosocketserver/socketserver/internal/pybytes"
)

// RefServer is a hand-written minimal server (net and bufio only, nothing
// of the socketserver package) that the strategies are measured against:
// the cost of the abstraction is the difference.
//
// Kinds: "goroutine" starts a goroutine per connection; "pool" starts
// Workers goroutines that take connections from an unbuffered channel (the
// accept loop waits while all are busy); "serial" serves each connection
// inline in the accept loop; "gnet" is gnet v2's event loop (see
// serveGnet), the best-known Go event loop, for the eventloop strategy.
//
// Handlers, spoken as handlers.Upper, handlers.UpperLines and
// handlers.Echo do: "upper" reads one line (8 KiB bufio reader), strips
// ASCII whitespace, writes it upper-cased without newline in one write,
// then half-closes and closes; "upperlines" answers every line upper-cased
// with its newline, one write per reply, until EOF; "echo" writes back
// every read of up to 32 KiB.
type RefServer struct {
	Kind    string // goroutine, pool, serial or gnet
	Workers int    // pool only; 0 means DefaultRefWorkers
	Handler string // upper, upperlines or echo

	conns atomic.Int64
}

// Conns returns the number of connections being served now.
func (s *RefServer) Conns() int { return int(s.conns.Load()) }

func (s *RefServer) check() error {
	switch s.Kind {
	case "goroutine", "pool", "serial", "gnet":
	default:
		return fmt.Errorf("reference server: unknown kind %q (want goroutine, pool, serial or gnet)", s.Kind)
	}
	if !refHandlers[s.Handler] {
		return fmt.Errorf("reference server: unknown handler %q (want upper, upperlines or echo)", s.Handler)
	}
	return nil
}

// Serve accepts connections on ln until ctx is done or Accept fails, and
// serves them. When ctx is done it closes ln, closes every connection and
// waits for every goroutine it started; it returns nil then, or the accept
// error otherwise.
func (s *RefServer) Serve(ctx context.Context, ln net.Listener) error {
	if err := s.check(); err != nil {
		return err
	}
	if s.Kind == "gnet" {
		// gnet binds its own socket: hand it ln's address. A client that
		// connects meanwhile is refused or reset; ServeAddr has no gap.
		addr := ln.Addr().String()
		if err := ln.Close(); err != nil {
			return fmt.Errorf("reference server: %w", err)
		}
		return s.serveGnet(ctx, addr, nil)
	}
	var (
		mu     sync.Mutex
		open   = map[net.Conn]struct{}{}
		closed bool
		wg     sync.WaitGroup
	)
	track := func(c net.Conn) bool {
		mu.Lock()
		defer mu.Unlock()
		if closed {
			return false
		}
		open[c] = struct{}{}
		return true
	}
	untrack := func(c net.Conn) {
		mu.Lock()
		delete(open, c)
		mu.Unlock()
	}
	serve := func(c net.Conn) {
		s.conns.Add(1)
		s.serveConn(c)
		s.conns.Add(-1)
		untrack(c)
	}
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		closed = true
		for c := range open {
			c.Close()
		}
		mu.Unlock()
		ln.Close()
	})
	defer stop()

	var work chan net.Conn
	if s.Kind == "pool" {
		n := s.Workers
		if n <= 0 {
			n = DefaultRefWorkers
		}
		work = make(chan net.Conn)
		for range n {
			wg.Go(func() {
				for c := range work {
					serve(c)
				}
			})
		}
	}
	var err error
	for {
		c, aerr := ln.Accept()
		if aerr != nil {
			if ctx.Err() == nil {
				err = fmt.Errorf("reference server: accept: %w", aerr)
			}
			break
		}
		if !track(c) {
			c.Close()
			break
		}
		switch s.Kind {
		case "serial":
			serve(c)
		case "goroutine":
			wg.Go(func() { serve(c) })
		case "pool":
			select {
			case work <- c:
			case <-ctx.Done():
				c.Close()
				untrack(c)
			}
		}
	}
	if work != nil {
		close(work)
	}
	ln.Close()
	wg.Wait()
	return err
}

// ServeAddr listens on the TCP address addr and serves like Serve; ready,
// if not nil, is called with the bound address once clients can connect.
// For Kind "gnet", gnet binds the socket itself.
func (s *RefServer) ServeAddr(ctx context.Context, addr string, ready func(net.Addr)) error {
	if err := s.check(); err != nil {
		return err
	}
	if s.Kind == "gnet" {
		return s.serveGnet(ctx, addr, ready)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("reference server: %w", err)
	}
	if ready != nil {
		ready(ln.Addr())
	}
	return s.Serve(ctx, ln)
}

// serveConn runs the handler on c, then half-closes and closes it.
func (s *RefServer) serveConn(c net.Conn) {
	defer func() {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		c.Close()
	}()
	switch s.Handler {
	case "echo":
		buf := make([]byte, 32<<10)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				if _, werr := c.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	case "upper":
		r := bufio.NewReaderSize(c, 8192)
		var long []byte
		line, err := pybytes.ReadLine(r, &long, 0)
		if err != nil && !errors.Is(err, io.EOF) {
			return
		}
		_, _ = c.Write(pybytes.UpperInPlace(pybytes.Strip(line)))
	case "upperlines":
		r := bufio.NewReaderSize(c, 8192)
		var long []byte
		for {
			line, err := pybytes.ReadLine(r, &long, 0)
			if len(line) > 0 {
				if _, werr := c.Write(pybytes.UpperInPlace(line)); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
}
