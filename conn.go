package socketserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// This file is the one connection pipeline. Every accept path uses it:
// Serve's accept loop, HandleRequest, and strategies that accept for
// themselves (through a Pipeline). A connection is verified, tracked (so
// that Close can interrupt it and ActiveConns counts it), executed by the
// Strategy, run through the Handler (or finished by a strategy that served
// it elsewhere), reported, half-closed and closed.

// A Conn is one accepted connection on its way through the server: verified,
// tracked until it is closed, and then served exactly once, either in this
// process by the server's Handler ([Conn.Serve]) or elsewhere by the
// strategy that took it ([Conn.Finish]). The server closes the underlying
// connection after either; whoever holds a Conn must call exactly one of
// them, once.
type Conn struct {
	srv  *Server
	rwc  net.Conn
	req  Request
	ctx  connContext
	done atomic.Bool // Serve or Finish was called

	imu   sync.Mutex // guards idle and woken
	idle  bool       // a Stream waits for the first byte of a request
	woken bool       // Shutdown ended that wait
}

// beginIdle marks c as waiting for the first byte of its next request, so
// that Shutdown can end the wait; it returns false, marking nothing, when
// a shutdown has begun.
func (c *Conn) beginIdle() bool {
	c.imu.Lock()
	defer c.imu.Unlock()
	if c.srv.inShutdown.Load() {
		return false
	}
	c.idle = true
	return true
}

// endIdle ends the wait begun by beginIdle and reports whether Shutdown
// ended it (by setting a past read deadline on the connection).
func (c *Conn) endIdle() (woken bool) {
	c.imu.Lock()
	defer c.imu.Unlock()
	woken = c.woken
	c.idle, c.woken = false, false
	return woken
}

// wakeIdle ends c's wait for a request, if it is waiting: Shutdown closes
// idle connections, like net/http's closing of idle keep-alive ones.
func (c *Conn) wakeIdle() {
	c.imu.Lock()
	defer c.imu.Unlock()
	if c.idle && !c.woken {
		c.woken = true
		_ = c.rwc.SetReadDeadline(past)
	}
}

// connKey is the context key under which a request's context holds its
// *Conn, so that Shutdown can tell it is being called from a handler.
type connKey struct{}

// connContext is a connection's context: the server's, with the Conn under
// connKey. It is context.WithValue(srv.ctx, connKey{}, c) without an
// allocation of its own (it lives in the Conn).
type connContext struct {
	context.Context
	c *Conn
}

// Value returns the Conn for connKey and defers every other key.
func (x *connContext) Value(key any) any {
	if key == (connKey{}) {
		return x.c
	}
	return x.Context.Value(key)
}

// Request returns the connection as the handler sees it. It is valid until
// Serve or Finish returns.
func (c *Conn) Request() *Request { return &c.req }

// Context returns the connection's context: it is cancelled when the server
// is closed with Close, and it is the context the Handler receives.
func (c *Conn) Context() context.Context { return &c.ctx }

// Serve runs the server's Handler on the connection in the calling
// goroutine (setup, handle, finish with Python's semantics), reports its
// error or panic through HandleError, then half-closes and closes the
// connection. A connection whose server was closed while it waited is
// closed without running the handler. Serve blocks until all that is done.
func (c *Conn) Serve() {
	if c.twice("served") {
		return
	}
	defer c.close()
	if c.ctx.Err() != nil { // closed while queued: do not start the handler
		return
	}
	err := c.srv.runHandler(&c.ctx, &c.req)
	if err == nil {
		return
	}
	var pe *PanicError
	if c.ctx.Err() == nil || errors.As(err, &pe) {
		c.srv.reportError(&c.req, err)
	}
}

// Finish ends a connection that a strategy served elsewhere (a child
// process that was handed its descriptor): err, if not nil, is what
// serving it failed with and is reported through HandleError unless the
// server was closed meanwhile; then the connection is half-closed and
// closed in this process and forgotten. Finish does not block on the peer.
func (c *Conn) Finish(err error) {
	if c.twice("finished") {
		return
	}
	defer c.close()
	if err != nil && c.ctx.Err() == nil {
		c.srv.reportError(&c.req, err)
	}
}

// twice marks c as served and reports whether it already was: a strategy
// that breaks the exactly-once contract gets an error report, not a panic
// or a second close.
func (c *Conn) twice(what string) bool {
	if !c.done.Swap(true) {
		return false
	}
	c.srv.reportError(&c.req, fmt.Errorf("socketserver: connection %s a second time by strategy %T", what, c.srv.strategy()))
	return true
}

// close is Python's shutdown_request: half-close, close, forget.
func (c *Conn) close() {
	shutdownRequest(c.rwc)
	c.srv.trackConn(c, false)
}

func shutdownRequest(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	_ = c.Close()
}

// admit is the pipeline's first half: it tracks rwc and verifies it, and
// returns the Conn to execute, or nil when rwc was closed unserved (the
// server was closed, or VerifyRequest refused it).
func (s *Server) admit(rwc net.Conn) *Conn {
	c := &Conn{srv: s, rwc: rwc}
	c.req = Request{Conn: rwc, ClientAddr: rwc.RemoteAddr(), Server: s}
	c.ctx = connContext{Context: s.ctx, c: c}
	if !s.trackConn(c, true) {
		shutdownRequest(rwc)
		return nil
	}
	if s.VerifyRequest != nil && !s.VerifyRequest(&c.ctx, rwc) {
		c.done.Store(true)
		c.close()
		return nil
	}
	return c
}

// execute is the pipeline's second half: it hands c to the strategy, as a
// Conn to a ConnStrategy or as a function running the handler to any
// other. A connection the strategy refuses is reported and closed.
func (s *Server) execute(c *Conn) {
	var err error
	switch st := s.strategy().(type) {
	case ConnStrategy:
		err = st.ExecuteConn(s.ctx, c)
	default:
		err = st.Execute(s.ctx, c.Serve)
	}
	if err == nil {
		return
	}
	if c.done.Swap(true) {
		// The strategy broke its contract: it both served and refused.
		s.reportError(&c.req, fmt.Errorf("socketserver: strategy %T returned an error after serving the connection: %w", s.strategy(), err))
		return
	}
	if s.ctx.Err() == nil {
		s.reportError(&c.req, fmt.Errorf("socketserver: connection not served: %w", err))
	}
	c.close()
}

// serveConn runs an accepted connection through the whole pipeline. It
// runs in the accept path that accepted rwc.
func (s *Server) serveConn(rwc net.Conn) {
	if c := s.admit(rwc); c != nil {
		s.execute(c)
	}
}

// runHandler runs setup, handle and finish with Python's semantics and turns
// a panic into a *PanicError. A handler that calls runtime.Goexit is
// reported here, once, with ErrHandlerGoexit: runHandler then never
// returns (the goroutine ends after its deferred calls, the connection's
// close among them), so the strategy must run it where that is survivable.
func (s *Server) runHandler(ctx context.Context, r *Request) (err error) {
	returned := false
	defer func() {
		if v := recover(); v != nil {
			err = errors.Join(err, &PanicError{Value: v, Stack: debug.Stack()})
		} else if !returned {
			s.reportError(r, fmt.Errorf("%w (the connection is closed; the server goes on)", ErrHandlerGoexit))
		}
	}()
	err = s.callHandler(ctx, r)
	returned = true
	return err
}

// callHandler is runHandler without the recovery.
func (s *Server) callHandler(ctx context.Context, r *Request) (err error) {
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

// reportError hands err to HandleError, or logs it. r is nil for an error
// not tied to one connection.
func (s *Server) reportError(r *Request, err error) {
	if s.HandleError != nil {
		s.HandleError(r, err)
		return
	}
	var attrs []any
	if r != nil {
		attrs = append(attrs, "client", addrString(r.ClientAddr))
	}
	attrs = append(attrs, "err", err)
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

// A Pipeline is the server's side of a [ListenerStrategy]'s accept loop:
// every connection the strategy accepts in this process enters the server
// through Admit, so that it is verified, tracked, reported and closed like
// one the server accepted itself. Its methods are safe for concurrent use.
type Pipeline struct {
	srv *Server
}

// Server returns the server the strategy serves, for its Handler and
// settings. The strategy must not change its fields.
func (p *Pipeline) Server() *Server { return p.srv }

// Admit verifies and tracks rwc, a connection the strategy accepted, and
// returns the Conn that the strategy must now serve exactly once (Serve, or
// Finish when served elsewhere). It returns nil when rwc has been closed
// unserved: VerifyRequest refused it, or the server was closed. Admit never
// refuses because a Shutdown has begun: what was accepted is served.
func (p *Pipeline) Admit(rwc net.Conn) *Conn { return p.srv.admit(rwc) }

// ReportError reports an error that is not tied to one connection's
// handler, such as a worker process that exited, through HandleError
// (with a nil Request) or the error log.
func (p *Pipeline) ReportError(err error) { p.srv.reportError(nil, err) }
