package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/harness/internal/seedclient"
)

// env is what one check runs in: it makes fresh servers (from a
// MakeServer, or a socketserver.Server with a fresh strategy) and tears
// them all down when the check ends.
type env struct {
	ctx context.Context // cancelled when the watchdog fires
	target

	mu      sync.Mutex
	servers []*server
	dirs    []string
}

// target is what the checks run against and what it promises. Exactly one
// of mk and strategy is set: strategy checks get a socketserver.Server with
// a fresh strategy per server, server checks whatever mk makes.
type target struct {
	mk       MakeServer
	strategy func() socketserver.Strategy
	p        socketserver.Concurrency
}

// server is one running server of a check, with its recorders.
type server struct {
	Server
	ss            *socketserver.Server // the same server when it is one (strategy checks), else nil
	network, addr string
	ln            *watchListener
	serveErr      chan error // Serve's result, buffered
	served        bool

	log    lockedBuffer // ErrorLog output
	errMu  sync.Mutex
	errors []error // what HandleError received
}

// config adjusts a server before it listens.
type config struct {
	network string
	handler socketserver.Handler
	wrap    func(net.Listener) net.Listener
	noServe bool
	tweak   func(*socketserver.Server)
}

// newServer makes a server on a loopback address (or a Unix socket in a
// short temporary directory), listening, and unless noServe is set,
// serving in a goroutine the env waits for. A config with a handler or a
// tweak needs a strategy env.
func (e *env) newServer(cfg config) (*server, error) {
	network := cfg.network
	if network == "" {
		network = "tcp"
	}
	addr := "127.0.0.1:0"
	if network == "unix" {
		// t.TempDir can exceed the ~108-byte limit of a socket path.
		dir, err := os.MkdirTemp("", "ss")
		if err != nil {
			return nil, fmt.Errorf("socket directory: %w", err)
		}
		e.mu.Lock()
		e.dirs = append(e.dirs, dir)
		e.mu.Unlock()
		addr = filepath.Join(dir, "s")
	}
	s := &server{network: network, serveErr: make(chan error, 1)}
	var l net.Listener
	var err error
	if e.strategy != nil {
		l, err = s.makeStrategyServer(e.strategy(), network, addr, cfg)
	} else if cfg.handler != nil || cfg.tweak != nil {
		err = errors.New("harness: this check needs a socketserver.Server (a strategy check)")
	} else {
		s.Server, l, err = e.mk(network, addr)
		if err == nil && (s.Server == nil || l == nil) {
			err = errors.New("MakeServer returned a nil Server or listener without an error")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("listen on %s %s: %w", network, addr, err)
	}
	e.mu.Lock()
	e.servers = append(e.servers, s)
	e.mu.Unlock()
	s.addr = l.Addr().String()
	if cfg.wrap != nil {
		l = cfg.wrap(l)
	}
	s.ln = &watchListener{Listener: l}
	if !cfg.noServe {
		s.served = true
		go func() { s.serveErr <- s.Serve(s.ln) }()
	}
	return s, nil
}

// makeStrategyServer makes s a listening socketserver.Server executing
// with st, serving cfg.handler (default handlers.Upper) and recording
// HandleError and ErrorLog, and returns its listener.
func (s *server) makeStrategyServer(st socketserver.Strategy, network, addr string, cfg config) (net.Listener, error) {
	h := cfg.handler
	if h == nil {
		h = handlers.Upper(0, nil)
	}
	s.ss = &socketserver.Server{
		Network:          network,
		Addr:             addr,
		Handler:          h,
		Strategy:         st,
		RequestQueueSize: 128, // the checks' bursts must not wait for SYN retries
		HandleError:      s.recordError,
		ErrorLog:         slog.New(slog.NewTextHandler(&s.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if cfg.tweak != nil {
		cfg.tweak(s.ss)
	}
	if err := s.ss.Listen(); err != nil {
		_ = s.ss.Close()
		return nil, err
	}
	s.Server = s.ss
	return s.ss.Listener(), nil
}

func (s *server) recordError(_ *socketserver.Request, err error) {
	s.errMu.Lock()
	s.errors = append(s.errors, err)
	s.errMu.Unlock()
}

// handlerErrors returns a copy of what HandleError received.
func (s *server) handlerErrors() []error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return append([]error(nil), s.errors...)
}

// waitServe waits for Serve to return and checks it returned
// ErrServerClosed.
func (s *server) waitServe(d time.Duration) error {
	if !s.served {
		return nil
	}
	select {
	case err := <-s.serveErr:
		s.serveErr <- err // keep it for the next caller
		if !errors.Is(err, socketserver.ErrServerClosed) {
			return fmt.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
		return nil
	case <-time.After(d):
		return fmt.Errorf("Serve did not return within %v of Shutdown/Close", d)
	}
}

// shutdown calls Shutdown with a deadline and requires it to succeed and
// Serve to return ErrServerClosed.
func (s *server) shutdown(d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		return fmt.Errorf("Shutdown: %w", err)
	}
	return s.waitServe(d)
}

// closeAll closes every server of the check (Close, then Serve must have
// returned) and removes temporary directories. It reports the first
// problem.
func (e *env) closeAll() error {
	e.mu.Lock()
	servers, dirs := e.servers, e.dirs
	e.servers, e.dirs = nil, nil
	e.mu.Unlock()
	var errs []error
	for _, s := range servers {
		done := make(chan error, 1)
		go func() { done <- s.Close() }()
		select {
		case <-done:
		case <-time.After(seedclient.ReplyTimeout):
			errs = append(errs, fmt.Errorf("Close did not return within %v", seedclient.ReplyTimeout))
			continue
		}
		if err := s.waitServe(seedclient.ReplyTimeout); err != nil {
			errs = append(errs, err)
		}
	}
	for _, d := range dirs {
		_ = os.RemoveAll(d)
	}
	return errors.Join(errs...)
}

// watchListener counts what the server does with its listener and the
// connections it accepts.
type watchListener struct {
	net.Listener
	accepted atomic.Int64
	closed   atomic.Bool
	mu       sync.Mutex
	conns    []*watchConn
}

func (l *watchListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.accepted.Add(1)
	wc := &watchConn{Conn: c}
	l.mu.Lock()
	l.conns = append(l.conns, wc)
	l.mu.Unlock()
	return wc, nil
}

func (l *watchListener) Close() error {
	l.closed.Store(true)
	return l.Listener.Close()
}

// acceptedConns returns the connections accepted so far.
func (l *watchListener) acceptedConns() []*watchConn {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*watchConn(nil), l.conns...)
}

// watchConn counts Close and CloseWrite calls (Python's shutdown_request).
type watchConn struct {
	net.Conn
	closes, closeWrites atomic.Int64
}

func (c *watchConn) Close() error {
	c.closes.Add(1)
	return c.Conn.Close()
}

// SyscallConn exposes the watched connection's descriptor, so that a
// strategy serving it in its own poller (the event loop) still can.
func (c *watchConn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := c.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, fmt.Errorf("harness: %T has no descriptor: %w", c.Conn, errors.ErrUnsupported)
}

func (c *watchConn) CloseWrite() error {
	c.closeWrites.Add(1)
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// lockedBuffer is a bytes.Buffer safe for concurrent use (slog handlers
// write from many goroutines).
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// gauge tracks how many handlers run at once and the most ever seen.
type gauge struct {
	mu        sync.Mutex
	now, peak int
	entered   int
	returned  int
}

func (g *gauge) enter() {
	g.mu.Lock()
	g.now++
	g.entered++
	g.peak = max(g.peak, g.now)
	g.mu.Unlock()
}

func (g *gauge) leave() {
	g.mu.Lock()
	g.now--
	g.returned++
	g.mu.Unlock()
}

func (g *gauge) read() (now, peak, entered, returned int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.now, g.peak, g.entered, g.returned
}

// counted wraps h so that g sees every Handle.
func counted(g *gauge, h socketserver.Handler) socketserver.Handler {
	return socketserver.HandlerFunc(func(ctx context.Context, r *socketserver.Request) error {
		g.enter()
		defer g.leave()
		return h.Handle(ctx, r)
	})
}
