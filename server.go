package socketserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// DefaultRequestQueueSize is the listen backlog when Server.RequestQueueSize
// is zero: Python's request_queue_size.
const DefaultRequestQueueSize = 5

// DefaultPollInterval is how often Serve wakes up to call ServiceActions when
// Server.PollInterval is zero: Python's serve_forever(poll_interval=0.5).
const DefaultPollInterval = 500 * time.Millisecond

// A Server accepts stream connections and hands each to its Handler,
// executed by its Strategy. The zero value plus Addr and Handler is a
// serial server on TCP, like Python's TCPServer. Fields must not be changed
// after the server starts; its methods are safe for concurrent use.
type Server struct {
	// Network is "tcp" (the default), "tcp4", "tcp6" or "unix".
	Network string
	// Addr is "host:port" for TCP or a socket path for "unix".
	// Port 0 binds a free port; ListenAddr reports it.
	Addr string
	// Handler serves each connection.
	Handler Handler
	// Strategy executes each connection; nil serves in the accept loop.
	Strategy Strategy

	// RequestQueueSize is the listen backlog (Python's request_queue_size);
	// zero means DefaultRequestQueueSize (5). The kernel may cap it.
	RequestQueueSize int
	// AllowReuseAddress sets SO_REUSEADDR before bind (Python's
	// allow_reuse_address, default false; Go's net.Listen always sets it).
	AllowReuseAddress bool
	// AllowReusePort sets SO_REUSEPORT before bind (allow_reuse_port).
	AllowReusePort bool
	// RemoveSocketFile makes Close remove a Unix socket's file. Python never
	// removes it, so the default keeps it.
	RemoveSocketFile bool

	// Timeout bounds how long HandleRequest waits for a connection
	// (Python's timeout); zero waits until ctx is done.
	Timeout time.Duration
	// PollInterval is how often an idle Serve calls ServiceActions; zero
	// means DefaultPollInterval. Unused when ServiceActions is nil.
	PollInterval time.Duration

	// VerifyRequest, if set, is called in the accept loop for each new
	// connection; false closes it unserved (the client sees an orderly
	// close with no data), like Python's verify_request.
	VerifyRequest func(ctx context.Context, conn net.Conn) bool
	// ServiceActions, if set, is called by the accept loop after every
	// connection and at least every PollInterval while idle (Python's
	// service_actions). It runs in the accept loop and must not block long.
	ServiceActions func()
	// HandleTimeout, if set, is called when HandleRequest times out.
	HandleTimeout func()
	// HandleError, if set, is called once for every handler error or panic
	// (a *PanicError) and every connection a Strategy refused, like
	// Python's handle_error; it may be called from many goroutines at once.
	// When nil, the error is logged to ErrorLog. Errors of handlers that
	// Close interrupted are not reported.
	HandleError func(r *Request, err error)
	// ErrorLog receives handler errors (when HandleError is nil) and accept
	// errors; nil means slog.Default().
	ErrorLog *slog.Logger

	initOnce sync.Once
	ctx      context.Context // request contexts derive from it; cancelled by Close
	cancel   context.CancelFunc

	inShutdown atomic.Bool
	mu         sync.Mutex
	fd         *socketFD // bound, not yet listening (Bind without Activate)
	boundAddr  net.Addr
	ln         net.Listener // from Activate
	listeners  map[*net.Listener]struct{}
	loops      int // running accept loops
	conns      map[*conn]struct{}
	onShutdown []func()
	// finishInServe is set when Shutdown was called from one of this
	// server's handlers: the last Serve to return completes the shutdown.
	finishInServe bool
}

func (s *Server) init() {
	s.initOnce.Do(func() {
		s.ctx, s.cancel = context.WithCancel(context.Background())
	})
}

func (s *Server) network() string {
	if s.Network == "" {
		return "tcp"
	}
	return s.Network
}

func (s *Server) strategy() Strategy {
	if s.Strategy == nil {
		return inline{}
	}
	return s.Strategy
}

func (s *Server) logger() *slog.Logger {
	if s.ErrorLog != nil {
		return s.ErrorLog
	}
	return slog.Default()
}

// ListenAndServe binds and activates the server's socket unless that was
// already done with Bind/Activate (or Listen), then calls Serve on it. It
// always returns a non-nil error; after Shutdown or Close, ErrServerClosed.
func (s *Server) ListenAndServe() error {
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	if ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
		s.mu.Lock()
		ln = s.ln
		s.mu.Unlock()
		if ln == nil {
			return ErrServerClosed
		}
	}
	return s.Serve(ln)
}

// Listen binds and activates the server's socket: Bind then Activate, as
// Python's constructor does with bind_and_activate=True. On failure the
// socket is closed before Listen returns.
func (s *Server) Listen() error {
	s.mu.Lock()
	bound := s.fd != nil
	s.mu.Unlock()
	if !bound {
		if err := s.Bind(); err != nil {
			return err
		}
	}
	return s.Activate()
}

// ListenAddr returns the address the server is bound to (Python's
// server_address, with port 0 resolved), or nil before Bind.
func (s *Server) ListenAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return s.ln.Addr()
	}
	return s.boundAddr
}

// Listener returns the listener created by Activate, or nil. The server
// owns it: Shutdown and Close close it.
func (s *Server) Listener() net.Listener {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ln
}

// RegisterOnShutdown registers f to be called, in its own goroutine that
// Shutdown does not wait for, when Shutdown begins; a keep-alive handler can
// use it to end idle connections so that Shutdown need not wait for clients.
func (s *Server) RegisterOnShutdown(f func()) {
	s.mu.Lock()
	s.onShutdown = append(s.onShutdown, f)
	s.mu.Unlock()
}

// ActiveConns reports how many accepted connections the server is tracking:
// queued in or being served by the strategy.
func (s *Server) ActiveConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Serve accepts connections on l and executes each with the Strategy until
// Shutdown or Close, then returns ErrServerClosed. Temporary accept errors
// (EMFILE, ECONNABORTED, ...) are logged and retried with a backoff from 5 ms
// to 1 s, like net/http; other accept errors end Serve and are returned.
// Serve closes l when it returns. Called after Shutdown or Close, it
// returns ErrServerClosed at once.
func (s *Server) Serve(l net.Listener) error {
	s.init()
	dl, _ := l.(deadliner)
	l = &onceCloseListener{Listener: l}
	defer l.Close()
	if !s.trackListener(&l, true) {
		return ErrServerClosed
	}
	err := s.acceptLoop(l, dl)
	if s.trackListener(&l, false) {
		// The last loop of a shutdown begun in a handler finishes it.
		_ = s.strategy().Shutdown(s.ctx)
	}
	return err
}

// deadliner is a listener whose Accept can time out.
type deadliner interface{ SetDeadline(time.Time) error }

// acceptLoop is Serve's loop; dl is l's deadline control, or nil.
func (s *Server) acceptLoop(l net.Listener, dl deadliner) error {
	var tempDelay time.Duration
	poll := s.PollInterval
	if poll <= 0 {
		poll = DefaultPollInterval
	}
	canPoll := dl != nil && s.ServiceActions != nil
	for {
		if canPoll {
			_ = dl.SetDeadline(time.Now().Add(poll))
		}
		c, err := l.Accept()
		if err != nil {
			if s.inShutdown.Load() {
				return ErrServerClosed
			}
			if canPoll && errors.Is(err, os.ErrDeadlineExceeded) {
				s.ServiceActions()
				continue
			}
			if isTemporary(err) {
				if tempDelay == 0 {
					tempDelay = 5 * time.Millisecond
				} else if tempDelay *= 2; tempDelay > time.Second {
					tempDelay = time.Second
				}
				s.logger().Warn("socketserver: accept error; retrying", "err", err, "delay", tempDelay)
				t := time.NewTimer(tempDelay)
				select {
				case <-t.C:
				case <-s.ctx.Done():
					t.Stop()
				}
				continue
			}
			return fmt.Errorf("socketserver: accept: %w", err)
		}
		tempDelay = 0
		s.serveConn(c)
		if s.ServiceActions != nil {
			s.ServiceActions()
		}
	}
}

// isTemporary reports whether an accept error is worth retrying: resource
// exhaustion and connections that died in the backlog.
func isTemporary(err error) bool {
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM,
		syscall.ECONNABORTED, syscall.ECONNRESET, syscall.EINTR, syscall.EAGAIN, syscall.EPROTO} {
		if errors.Is(err, e) {
			return true
		}
	}
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// HandleRequest waits for one connection on the activated listener, at most
// Timeout (or until ctx is done), and hands it to the Strategy, like Python's
// handle_request: with the nil Strategy it returns after the handler; with a
// goroutine strategy, as soon as the handler has started. On time-out it
// calls HandleTimeout and returns ErrTimeout.
func (s *Server) HandleRequest(ctx context.Context) error {
	s.init()
	if s.inShutdown.Load() {
		return ErrServerClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	l := s.ln
	s.mu.Unlock()
	if l == nil {
		return errors.New("socketserver: handle request: server is not listening (call Listen or Activate)")
	}
	dl, ok := l.(deadliner)
	if !ok {
		return fmt.Errorf("socketserver: handle request: listener %T has no SetDeadline", l)
	}
	deadline, hasDeadline := ctx.Deadline()
	ctxDeadline := hasDeadline
	if s.Timeout > 0 {
		if t := time.Now().Add(s.Timeout); !hasDeadline || t.Before(deadline) {
			deadline, ctxDeadline = t, false
		}
	}
	_ = dl.SetDeadline(deadline) // the zero time when there is none
	// When ctx ends, a past deadline wakes Accept. If the wake-up has
	// started, wait for it before clearing the deadline: a late one would
	// otherwise leave the listener timed out for the next caller.
	woken := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(woken)
		_ = dl.SetDeadline(time.Unix(1, 0))
	})
	c, err := l.Accept()
	if !stop() {
		<-woken
	}
	_ = dl.SetDeadline(time.Time{})
	if err != nil {
		if s.inShutdown.Load() {
			return ErrServerClosed
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if ctxDeadline {
				return context.DeadlineExceeded
			}
			if s.HandleTimeout != nil {
				s.HandleTimeout()
			}
			return ErrTimeout
		}
		return fmt.Errorf("socketserver: accept: %w", err)
	}
	s.serveConn(c)
	return nil
}

// serveConn verifies c and hands it to the strategy. It runs in the accept
// loop.
func (s *Server) serveConn(rwc net.Conn) {
	c := &conn{srv: s, rwc: rwc}
	c.req = Request{Conn: rwc, ClientAddr: rwc.RemoteAddr(), Server: s}
	c.ctx = context.WithValue(s.ctx, connKey{}, c)
	if !s.trackConn(c, true) {
		shutdownRequest(rwc)
		return
	}
	if s.VerifyRequest != nil && !s.VerifyRequest(c.ctx, rwc) {
		c.close()
		return
	}
	if err := s.strategy().Execute(s.ctx, c.serve); err != nil {
		if s.ctx.Err() == nil {
			s.reportError(&c.req, fmt.Errorf("socketserver: connection not served: %w", err))
		}
		c.close()
	}
}

// connKey is the context key under which a request's context holds its conn,
// so that Shutdown can tell it is being called from a handler.
type connKey struct{}

// conn is the server's record of one accepted connection.
type conn struct {
	srv *Server
	rwc net.Conn
	req Request
	ctx context.Context
}

func (c *conn) serve() {
	defer c.close()
	if c.ctx.Err() != nil { // closed while queued: do not start the handler
		return
	}
	err := c.srv.runHandler(c.ctx, &c.req)
	if err == nil {
		return
	}
	var pe *PanicError
	if c.ctx.Err() == nil || errors.As(err, &pe) {
		c.srv.reportError(&c.req, err)
	}
}

// close is Python's shutdown_request: half-close, close, forget.
func (c *conn) close() {
	shutdownRequest(c.rwc)
	c.srv.trackConn(c, false)
}

func shutdownRequest(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	_ = c.Close()
}

// runHandler runs setup, handle and finish with Python's semantics and turns
// a panic into a *PanicError.
func (s *Server) runHandler(ctx context.Context, r *Request) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = errors.Join(err, &PanicError{Value: v, Stack: debug.Stack()})
		}
	}()
	h := s.Handler
	if h == nil {
		return errors.New("socketserver: server has no Handler")
	}
	if su, ok := h.(Setuper); ok {
		if err := su.Setup(ctx, r); err != nil {
			return err
		}
	}
	if fi, ok := h.(Finisher); ok {
		defer func() {
			if ferr := fi.Finish(ctx, r); ferr != nil {
				err = errors.Join(err, ferr)
			}
		}()
	}
	return h.Handle(ctx, r)
}

func (s *Server) reportError(r *Request, err error) {
	if s.HandleError != nil {
		s.HandleError(r, err)
		return
	}
	attrs := []any{"client", addrString(r.ClientAddr), "err", err}
	var pe *PanicError
	if errors.As(err, &pe) {
		attrs = append(attrs, "stack", string(pe.Stack))
	}
	s.logger().Error("socketserver: exception occurred during processing of request", attrs...)
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// Shutdown gracefully stops the server: it closes the listeners (new clients
// are refused), calls the RegisterOnShutdown functions, waits for the accept
// loops to stop, then lets the Strategy finish every accepted connection
// (none is dropped) and release its resources. If ctx is done first,
// Shutdown returns ctx.Err(); call Close to interrupt what remains.
//
// Shutdown may be called before Serve (Serve then returns at once) and more
// than once. Called from a handler with the handler's context, it does not
// wait (that would wait for itself): it starts the shutdown and returns, and
// the last Serve completes it before returning.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.inShutdown.Store(true)
	s.mu.Lock()
	lnerr := s.closeListenersLocked()
	hooks := s.onShutdown
	s.onShutdown = nil
	self := false
	if c, ok := ctx.Value(connKey{}).(*conn); ok && c.srv == s {
		self = true
		s.finishInServe = s.loops > 0
	}
	s.mu.Unlock()
	for _, f := range hooks {
		go f()
	}
	if self {
		return lnerr
	}
	// Wait for the accept loops, polling like net/http's Shutdown.
	delay := time.Millisecond
	for {
		s.mu.Lock()
		n := s.loops
		s.mu.Unlock()
		if n == 0 {
			break
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		if delay < 100*time.Millisecond {
			delay *= 2
		}
	}
	if err := s.strategy().Shutdown(ctx); err != nil {
		return err
	}
	return lnerr
}

// Close stops the server now: it closes the listeners and every tracked
// connection, cancels the handlers' contexts, and then waits for the
// Strategy to release its resources (for blocking strategies, until every
// interrupted handler has returned). A strategy that runs handlers on the
// accept loop, such as the serial one, leaves the running handler to the
// goroutine of Serve, which returns once that handler has. Handlers that
// ignore both their context and their closed connection keep Close
// waiting, like Python's server_close with block_on_close. Do not call
// Close from a handler; use Shutdown with the handler's context, or close
// from a new goroutine.
func (s *Server) Close() error {
	s.init()
	s.inShutdown.Store(true)
	s.mu.Lock()
	err := s.closeListenersLocked()
	s.cancel()
	for c := range s.conns {
		_ = c.rwc.Close()
	}
	s.mu.Unlock()
	if serr := s.strategy().Shutdown(context.Background()); serr != nil && err == nil {
		err = serr
	}
	return err
}

func (s *Server) closeListenersLocked() error {
	var err error
	if s.fd != nil {
		err = s.fd.close()
		s.fd = nil
	}
	if s.ln != nil {
		if cerr := s.ln.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) && err == nil {
			err = cerr
		}
		s.ln = nil
	}
	for ln := range s.listeners {
		if cerr := (*ln).Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) && err == nil {
			err = cerr
		}
	}
	return err
}

// trackListener adds or removes a serving listener. Adding fails after
// shutdown. Removing reports whether this was the last loop of a shutdown
// begun from a handler, which the caller must then finish.
func (s *Server) trackListener(ln *net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.inShutdown.Load() {
			return false
		}
		if s.listeners == nil {
			s.listeners = make(map[*net.Listener]struct{})
		}
		s.listeners[ln] = struct{}{}
		s.loops++
		return true
	}
	delete(s.listeners, ln)
	s.loops--
	if s.loops == 0 && s.finishInServe {
		s.finishInServe = false
		return true
	}
	return false
}

// trackConn adds or removes c from the set Close interrupts. Adding fails
// once the server is closed.
func (s *Server) trackConn(c *conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.ctx.Err() != nil {
			return false
		}
		if s.conns == nil {
			s.conns = make(map[*conn]struct{})
		}
		s.conns[c] = struct{}{}
		return true
	}
	delete(s.conns, c)
	return true
}

// onceCloseListener wraps a net.Listener, protecting it from multiple Close
// calls (Serve's defer and Shutdown both close it).
type onceCloseListener struct {
	net.Listener
	once     sync.Once
	closeErr error
}

func (l *onceCloseListener) Close() error {
	l.once.Do(func() { l.closeErr = l.Listener.Close() })
	return l.closeErr
}
