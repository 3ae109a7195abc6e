package socketserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
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
	// Network is "tcp" (the default), "tcp4", "tcp6" or "unix"; or, for
	// datagrams, "udp", "udp4", "udp6" or "unixgram".
	Network string
	// Addr is "host:port" for TCP or a socket path for "unix".
	// Port 0 binds a free port; ListenAddr reports it.
	Addr string
	// Handler serves each connection.
	Handler Handler
	// DatagramHandler serves each datagram on a datagram network ("udp",
	// "udp4", "udp6" or "unixgram"; see ServePacket), where Handler is
	// unused.
	DatagramHandler DatagramHandler
	// MaxPacketSize is the largest datagram read; longer ones are
	// truncated (Python's max_packet_size). Zero means
	// DefaultMaxPacketSize (8192).
	MaxPacketSize int
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
	// RemoveSocketFile makes Shutdown and Close remove the Unix socket file
	// that Bind created, and only that one: a file that has replaced it
	// (another server's socket, a regular file) stays. Python never
	// removes it, so the default keeps it.
	RemoveSocketFile bool
	// RemoveStaleSocket makes Bind first remove a Unix socket file left
	// by a server that is gone: only a socket, and only when a connection
	// to it is refused (nobody listens). Python never does: by default,
	// and for anything else at the path, Bind fails ("address already in
	// use"), as in Python.
	RemoveStaleSocket bool
	// UnixMode, when not zero, is the permission of a Unix socket's file
	// (0660: its owner and group may connect), and UnixGroup, when not
	// empty, its group (a name or a numeric id). Both are applied between
	// bind and listen, so no client connects under the umask's mode.
	UnixMode  os.FileMode
	UnixGroup string

	// Timeout bounds how long HandleRequest waits for a connection
	// (Python's timeout); zero waits until ctx is done.
	Timeout time.Duration
	// ReadTimeout bounds reading one whole request from its first byte;
	// WriteTimeout bounds writing its reply, from when the request has
	// been read; IdleTimeout bounds the wait for the first byte of each
	// request, the first one included (zero means ReadTimeout is used).
	// They are net/http.Server's limits for the line protocols: a
	// StreamHandler's Stream.ReadLine applies them to each line and the
	// reply that follows it, because a Stream knows where a request starts
	// (a Handler that reads Request.Conn itself sets its own deadlines).
	// Zero means none, as in Python. A connection cut by one is closed in
	// order and its error, naming the limit, reported once.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// MaxLineSize is the longest line, its newline not counted, that
	// Stream.ReadLine accepts for a StreamHandler whose own MaxLineSize is
	// zero (net/http's MaxHeaderBytes); zero means unlimited, as in Python.
	MaxLineSize int

	// PollInterval is how often an idle Serve calls ServiceActions; zero
	// means DefaultPollInterval. Unused when ServiceActions is nil.
	PollInterval time.Duration

	// VerifyRequest, if set, is called in the accept loop for each new
	// connection; false closes it unserved (the client sees an orderly
	// close with no data), like Python's verify_request.
	VerifyRequest func(ctx context.Context, conn net.Conn) bool
	// VerifyDatagram, if set, is called in the read loop for each
	// datagram; false drops it unserved (verify_request on a UDPServer).
	VerifyDatagram func(ctx context.Context, d *Datagram) bool
	// ServiceActions, if set, is called by the accept loop after every
	// connection and at least every PollInterval while idle (Python's
	// service_actions). It runs in the accept loop and must not block long.
	ServiceActions func()
	// HandleTimeout, if set, is called when HandleRequest times out.
	HandleTimeout func()
	// HandleError, if set, is called once for every handler error or panic
	// (a *PanicError), every connection a Strategy refused or finished
	// with an error, and every error a strategy reports that is not tied
	// to one connection (with r nil, such as a worker process that
	// exited), like Python's handle_error; it may be called from many
	// goroutines at once.
	// When nil, the error is logged to ErrorLog. Errors of handlers that
	// Close interrupted are not reported.
	HandleError func(r *Request, err error)
	// ErrorLog receives handler errors (when HandleError is nil) and accept
	// errors; nil means slog.Default().
	ErrorLog *slog.Logger

	initOnce sync.Once
	ctx      context.Context // request contexts derive from it; cancelled by Close
	cancel   context.CancelFunc
	stopping context.Context // done when Shutdown or Close begins
	stop     context.CancelFunc

	inShutdown atomic.Bool
	mu         sync.Mutex
	fd         *socketFD // bound, not yet listening (Bind without Activate)
	boundAddr  net.Addr
	ln         net.Listener // from Activate
	sockFile   os.FileInfo  // the Unix socket file Bind created, if any
	listeners  map[*net.Listener]struct{}
	acceptors  int // running accept paths: Serve loops, HandleRequest calls
	conns      map[*Conn]struct{}
	onShutdown []func()
	// finishInServe is set when Shutdown was called from one of this
	// server's handlers: the last Serve to return completes the shutdown.
	finishInServe bool

	dg datagramState // the datagram socket (datagram.go)
}

func (s *Server) init() {
	s.initOnce.Do(func() {
		s.ctx, s.cancel = context.WithCancel(context.Background())
		s.stopping, s.stop = context.WithCancel(s.ctx)
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
	if isDatagramNetwork(s.network()) {
		return s.listenAndServePacket()
	}
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
//
// When the Strategy is a [ListenerStrategy], Serve hands l to its
// ServeListener instead of accepting itself, and calls ServiceActions (if
// set) every PollInterval while it runs. When it is a [CheckedStrategy]
// whose Check fails, Serve closes l and returns that error.
func (s *Server) Serve(l net.Listener) error {
	s.init()
	if l == nil {
		return errors.New("socketserver: serve: nil listener (call Listen or Activate first, then pass Listener())")
	}
	dl, _ := l.(deadliner)
	l = &onceCloseListener{Listener: l}
	defer l.Close()
	if !s.beginAccept(&l) {
		return ErrServerClosed
	}
	if err := checkStrategy(s.Strategy); err != nil {
		s.endAccept(&l)
		return fmt.Errorf("socketserver: serve: %w", err)
	}
	var err error
	if ls, ok := s.Strategy.(ListenerStrategy); ok {
		err = s.serveListener(ls, l)
	} else {
		err = s.superviseAcceptLoop(l, dl)
	}
	s.endAccept(&l)
	return err
}

// serveListener is Serve for a strategy that accepts for itself.
func (s *Server) serveListener(ls ListenerStrategy, l net.Listener) error {
	p := &Pipeline{srv: s}
	var err error
	if s.ServiceActions == nil {
		err = ls.ServeListener(s.stopping, l, p)
	} else {
		done := make(chan error, 1)
		go func() { done <- ls.ServeListener(s.stopping, l, p) }()
		err = s.serviceUntil(done)
	}
	if s.inShutdown.Load() {
		return ErrServerClosed
	}
	if err == nil {
		err = errors.New("returned before shutdown")
	}
	return fmt.Errorf("socketserver: serve: strategy %T: %w", ls, err)
}

// serviceUntil calls ServiceActions every PollInterval until done delivers
// a value, and returns it.
func (s *Server) serviceUntil(done <-chan error) error {
	t := time.NewTicker(s.pollInterval())
	defer t.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-t.C:
			s.ServiceActions()
		}
	}
}

func (s *Server) pollInterval() time.Duration {
	if s.PollInterval <= 0 {
		return DefaultPollInterval
	}
	return s.PollInterval
}

// superviseAcceptLoop runs the accept loop in a goroutine of its own and
// starts it again if a handler that a serial strategy ran in the loop
// called runtime.Goexit (which the pipeline has reported and whose
// connection it has closed): the loop survives without a goroutine per
// connection. It returns what the accept loop returns.
func (s *Server) superviseAcceptLoop(l net.Listener, dl deadliner) error {
	for {
		done := make(chan error, 1)
		go func() {
			returned := false
			defer func() {
				if !returned {
					done <- errAcceptLoopExited
				}
			}()
			err := s.acceptLoop(l, dl)
			returned = true
			done <- err
		}()
		if err := <-done; err != errAcceptLoopExited {
			return err
		}
	}
}

// errAcceptLoopExited tells superviseAcceptLoop that its loop's goroutine
// was ended by runtime.Goexit.
var errAcceptLoopExited = errors.New("socketserver: accept loop goroutine exited")

// deadliner is a listener whose Accept can time out.
type deadliner interface{ SetDeadline(time.Time) error }

// acceptLoop is Serve's loop; dl is l's deadline control, or nil.
func (s *Server) acceptLoop(l net.Listener, dl deadliner) error {
	var tempDelay time.Duration
	poll := s.pollInterval()
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
// calls HandleTimeout and returns ErrTimeout. Shutdown waits for a
// HandleRequest in progress as for an accept loop, so a connection it has
// accepted is always served. A [ListenerStrategy] accepts for itself, so
// HandleRequest returns an error wrapping errors.ErrUnsupported for one.
func (s *Server) HandleRequest(ctx context.Context) error {
	s.init()
	if isDatagramNetwork(s.network()) {
		return s.handleDatagram(ctx)
	}
	if _, ok := s.Strategy.(ListenerStrategy); ok {
		return fmt.Errorf("socketserver: handle request: strategy %T accepts for itself; use Serve: %w", s.Strategy, errors.ErrUnsupported)
	}
	if err := checkStrategy(s.Strategy); err != nil {
		return fmt.Errorf("socketserver: handle request: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !s.beginAccept(nil) {
		return ErrServerClosed
	}
	defer s.endAccept(nil)
	if testHookHandleRequest != nil {
		testHookHandleRequest(s)
	}
	s.mu.Lock()
	l := s.ln
	s.mu.Unlock()
	if l == nil {
		if s.inShutdown.Load() { // Shutdown or Close took the listener after beginAccept
			return ErrServerClosed
		}
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

// testHookHandleRequest, when set by a test, runs in HandleRequest between
// beginAccept and taking the listener: the window a concurrent Shutdown or
// Close can close the listener in.
var testHookHandleRequest func(*Server)

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
	s.stop() // before the listeners close: a ListenerStrategy sees why they did
	s.mu.Lock()
	lnerr := s.closeListenersLocked()
	for c := range s.conns {
		c.wakeIdle() // after inShutdown: no Stream begins a new wait
	}
	hooks := s.onShutdown
	s.onShutdown = nil
	self := false
	if c, ok := ctx.Value(connKey{}).(*Conn); ok && c.srv == s {
		self = true
		s.finishInServe = s.acceptors > 0
	}
	s.mu.Unlock()
	for _, f := range hooks {
		go f()
	}
	if self {
		return lnerr
	}
	// Wait for the accept paths, polling like net/http's Shutdown.
	delay := time.Millisecond
	for {
		s.mu.Lock()
		n := s.acceptors
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
	return s.closeIdlePacket(lnerr)
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
	s.stop()
	s.mu.Lock()
	err := s.closeListenersLocked()
	err = s.closeIdlePacketLocked(err)
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
	if s.sockFile != nil && s.RemoveSocketFile {
		removeOwnSocket(s.Addr, s.sockFile)
		s.sockFile = nil
	}
	for ln := range s.listeners {
		if cerr := (*ln).Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) && err == nil {
			err = cerr
		}
	}
	return err
}

// beginAccept counts a new accept path (a Serve loop, whose listener ln
// Shutdown must close, or a HandleRequest call with ln nil). It fails after
// Shutdown or Close has begun.
func (s *Server) beginAccept(ln *net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inShutdown.Load() {
		return false
	}
	if ln != nil {
		if s.listeners == nil {
			s.listeners = make(map[*net.Listener]struct{})
		}
		s.listeners[ln] = struct{}{}
	}
	s.acceptors++
	return true
}

// endAccept ends an accept path begun with beginAccept. The last accept
// path of a shutdown begun from a handler finishes that shutdown.
func (s *Server) endAccept(ln *net.Listener) {
	s.mu.Lock()
	if ln != nil {
		delete(s.listeners, ln)
	}
	s.acceptors--
	finish := s.acceptors == 0 && s.finishInServe
	if finish {
		s.finishInServe = false
	}
	s.mu.Unlock()
	if finish {
		_ = s.strategy().Shutdown(s.ctx)
	}
}

// trackConn adds or removes c from the set Close interrupts. Adding fails
// once the server is closed.
func (s *Server) trackConn(c *Conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.ctx.Err() != nil {
			return false
		}
		if s.conns == nil {
			s.conns = make(map[*Conn]struct{})
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

// SyscallConn returns the wrapped listener's raw connection, so that a
// ListenerStrategy handed the listener can reach its descriptor (an event
// loop accepts on it in its own poller). It fails, wrapping
// errors.ErrUnsupported, when the wrapped listener has none.
func (l *onceCloseListener) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := l.Listener.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, fmt.Errorf("socketserver: listener %T has no descriptor: %w", l.Listener, errors.ErrUnsupported)
}
